#!/usr/bin/env bash
# Headless Chromium (Debian package) for the MLflow UI test (MlflowUiITCase): it opens the MLflow web UI of a server
# holding EIMF runs and checks what a person would see. Fonts: DejaVu, so screenshots show text on a bare machine.
# Sourced by .ci/run; by hand: source .ci/lib.sh; source .ci/services/05-chromium.sh. Exports EIMF_CHROMIUM.
# shellcheck source=../lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

ci_apt chromium fonts-dejavu-core >/dev/null
EIMF_CHROMIUM="$(command -v chromium)" || { echo "ci: chromium: not on PATH after installing it" >&2; return 1; }
export EIMF_CHROMIUM
echo "ci: $("$EIMF_CHROMIUM" --version 2>/dev/null | head -n 1) at $EIMF_CHROMIUM" >&2
