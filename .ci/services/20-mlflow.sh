#!/usr/bin/env bash
# Real MLflow tracking servers for the mlflow module's real-server suites: the newest 3.x (what users run now) and
# the 2.x line of our Java client (mlflow-client in the root pom), each from PyPI into its own cached venv, each
# started on 127.0.0.1 with a SQLite backend store and --serve-artifacts (artifacts under $EIMF_CI_STATE).
# Sourced by .ci/run (needs .ci/lib.sh); usable by hand: `source .ci/lib.sh; source .ci/services/20-mlflow.sh`.
# Exports:
#   EIMF_MLFLOW_TEST_URI / EIMF_MLFLOW2_TEST_URI   the 3.x / 2.x server (http://127.0.0.1:PORT)
#   EIMF_MLFLOW3_PYTHON  / EIMF_MLFLOW2_PYTHON     the venvs' python (cross-client checks; tests that start their own
#                                                  server, e.g. the restart-mid-sync test)
#   EIMF_MLFLOW3_VERSION / EIMF_MLFLOW2_VERSION    the pinned versions (from .ci/lib.sh)
# shellcheck source=../lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

ci_apt python3-venv curl >/dev/null

# mlflow 2.17.2 declares no upper bounds that keep it working on today's PyPI: numpy 2.x and pandas 2.3 are fine,
# but setuptools >= 81 drops pkg_resources, which mlflow 2.17's gunicorn-free `mlflow server` path still imports.
EIMF_MLFLOW3_VENV=$(ci_venv mlflow3 "mlflow==$EIMF_MLFLOW3_VERSION")
EIMF_MLFLOW2_VENV=$(ci_venv mlflow2 "mlflow==$EIMF_MLFLOW2_VERSION" "sqlalchemy<2.1")
export EIMF_MLFLOW3_PYTHON="$EIMF_MLFLOW3_VENV/bin/python"
export EIMF_MLFLOW2_PYTHON="$EIMF_MLFLOW2_VENV/bin/python"
export EIMF_MLFLOW3_VERSION EIMF_MLFLOW2_VERSION

# ci_mlflow_server NAME PYTHON: starts `mlflow server` from PYTHON's venv with a fresh store under $EIMF_CI_STATE/NAME
# and prints its URI once /health answers.
ci_mlflow_server() {
  local name="$1" py="$2" port dir
  port=$(ci_free_port)
  dir="$EIMF_CI_STATE/$name"
  rm -rf "$dir" && mkdir -p "$dir/artifacts"
  # One worker: the suites are sequential, and it halves the memory on a 2-core machine.
  ci_start "$name" "$py" -m mlflow server --host 127.0.0.1 --port "$port" --workers 1 \
    --backend-store-uri "sqlite:///$dir/mlflow.db" --serve-artifacts --artifacts-destination "$dir/artifacts"
  ci_wait_http "http://127.0.0.1:$port/health" 120 "$name" >&2 || return 1
  echo "http://127.0.0.1:$port"
}

EIMF_MLFLOW_TEST_URI=$(ci_mlflow_server mlflow3 "$EIMF_MLFLOW3_PYTHON")
EIMF_MLFLOW2_TEST_URI=$(ci_mlflow_server mlflow2 "$EIMF_MLFLOW2_PYTHON")
export EIMF_MLFLOW_TEST_URI EIMF_MLFLOW2_TEST_URI
echo "ci: MLflow $EIMF_MLFLOW3_VERSION at $EIMF_MLFLOW_TEST_URI, MLflow $EIMF_MLFLOW2_VERSION at $EIMF_MLFLOW2_TEST_URI" >&2
