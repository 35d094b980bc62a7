#!/usr/bin/env bash
# Shared helpers for .ci/services/*.sh (sourced by .ci/run and usable by hand: `source .ci/lib.sh`).
# Every helper is idempotent; installs are cached under $EIMF_CI_CACHE so a second run starts in seconds.

EIMF_CI_CACHE="${EIMF_CI_CACHE:-$HOME/.cache/eimf-ci}"
EIMF_CI_STATE="${EIMF_CI_STATE:-$PWD/target/ci-services}"
mkdir -p "$EIMF_CI_CACHE" "$EIMF_CI_STATE"

# The pinned MLflow versions the real-server tests run against: the newest 3.x users run now, and the 2.x line of
# our Java client (mlflow-client in the root pom).
EIMF_MLFLOW3_VERSION="${EIMF_MLFLOW3_VERSION:-3.18.0}"
EIMF_MLFLOW2_VERSION="${EIMF_MLFLOW2_VERSION:-2.17.2}"

# ci_apt PKG...: installs Debian packages that are missing (apt-get update once per run, only when needed).
ci_apt() {
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ ! -f "$EIMF_CI_STATE/apt-updated" ]; then
    DEBIAN_FRONTEND=noninteractive apt-get update -q >&2 && touch "$EIMF_CI_STATE/apt-updated"
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
}

# ci_venv NAME SPEC...: prints the path of a Python venv holding exactly SPEC (created once, under a lock, so
# parallel callers share it; a spec change makes a new venv).
ci_venv() {
  local name="$1"; shift
  local key; key=$(printf '%s\n' "$@" | sha256sum | cut -c1-12)
  local dir="$EIMF_CI_CACHE/venv-$name-$key"
  (
    flock 9
    if [ ! -x "$dir/bin/python" ] || [ ! -f "$dir/.complete" ]; then
      rm -rf "$dir"
      python3 -m venv "$dir" >&2
      "$dir/bin/pip" install -q --disable-pip-version-check "$@" >&2
      touch "$dir/.complete"
    fi
  ) 9>"$EIMF_CI_CACHE/venv-$name.lock" || return 1
  echo "$dir"
}

# ci_free_port: prints a TCP port free on 127.0.0.1 right now.
ci_free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# ci_start NAME CMD...: runs CMD in the background (its own session), logs to $EIMF_CI_STATE/NAME.log and records
# its pid in $EIMF_CI_STATE/NAME.pid, which .ci/run kills on exit.
ci_start() {
  local name="$1"; shift
  setsid "$@" >"$EIMF_CI_STATE/$name.log" 2>&1 < /dev/null &
  echo $! > "$EIMF_CI_STATE/$name.pid"
  disown $! 2>/dev/null || true # not a job of the calling shell: no "Killed" line when .ci/run stops it
}

# ci_wait_http URL SECONDS NAME: waits until URL answers 2xx; on timeout prints NAME's log tail and fails.
ci_wait_http() {
  local url="$1" secs="$2" name="$3" i
  for ((i = 0; i < secs * 2; i++)); do
    curl -fsS -o /dev/null --max-time 2 "$url" 2>/dev/null && return 0
    sleep 0.5
  done
  echo "ci: $name did not answer $url within ${secs}s; its log:" >&2
  tail -n 40 "$EIMF_CI_STATE/$name.log" >&2 2>/dev/null
  return 1
}
