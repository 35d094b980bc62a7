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

# mlflow 2.17.2 declares no upper bound on SQLAlchemy, and SQLAlchemy 2.1 removed FallbackAsyncAdaptedQueuePool,
# which mlflow 2.17's SQL store imports ("ImportError ... from 'sqlalchemy.pool'" at server start): pinned < 2.1.
# Everything else it pulls from today's PyPI on Python 3.11 works (numpy 2.4, pandas 2.3, pyarrow 17, Flask 3.1).
# Both venvs are built at once on a clean machine (about a minute each from PyPI; cached afterwards).
ci_venv mlflow3 "mlflow==$EIMF_MLFLOW3_VERSION" > "$EIMF_CI_STATE/venv-mlflow3.path" &
_ci_venv3=$!
ci_venv mlflow2 "mlflow==$EIMF_MLFLOW2_VERSION" "sqlalchemy<2.1" > "$EIMF_CI_STATE/venv-mlflow2.path" &
_ci_venv2=$!
wait "$_ci_venv3" && wait "$_ci_venv2" || { echo "ci: building the MLflow venvs failed" >&2; return 1 2>/dev/null || exit 1; }
EIMF_MLFLOW3_VENV=$(cat "$EIMF_CI_STATE/venv-mlflow3.path")
EIMF_MLFLOW2_VENV=$(cat "$EIMF_CI_STATE/venv-mlflow2.path")
export EIMF_MLFLOW3_PYTHON="$EIMF_MLFLOW3_VENV/bin/python"
export EIMF_MLFLOW2_PYTHON="$EIMF_MLFLOW2_VENV/bin/python"
export EIMF_MLFLOW3_VERSION EIMF_MLFLOW2_VERSION

# ci_mlflow_start NAME PYTHON: starts `mlflow server` from PYTHON's venv with a fresh store under $EIMF_CI_STATE/NAME on
# a free port and sets MLFLOW_PORT_<NAME>. `mlflow server` runs gunicorn/uvicorn (and on 3.x a job runner) as child
# processes that outlive a plain kill of its pid, so it runs under a shell that takes its whole process group
# (ci_start's setsid) down when the recorded pid is killed.
# The wrapper: on TERM (or when the server exits) it ignores TERM itself, sends TERM to its whole group, and 3 s later
# KILLs what is left (MLflow 3's uvicorn and job runner do not always stop on TERM).
CI_MLFLOW_GROUP_WRAPPER='stop() { trap "" TERM; kill -TERM -- -$$ 2>/dev/null; sleep 3; kill -KILL -- -$$ 2>/dev/null; }
trap stop TERM EXIT; "$@" & wait $!'
ci_mlflow_start() {
  local name="$1" py="$2" port dir
  port=$(ci_free_port)
  dir="$EIMF_CI_STATE/$name"
  rm -rf "$dir" && mkdir -p "$dir/artifacts"
  # One worker: the suites are sequential, and it halves the memory on a 2-core machine. MLflow 3's job runner
  # (8 huey consumer processes for GenAI scorers and periodic tasks) is not used by EIMF: off, so the server starts
  # in seconds and holds one process instead of eleven; 2.x ignores the variable.
  MLFLOW_SERVER_ENABLE_JOB_EXECUTION=false MLFLOW_SERVER_JOB_ENABLE_PERIODIC_TASKS=false ci_start "$name" bash -c "$CI_MLFLOW_GROUP_WRAPPER" _ \
    "$py" -m mlflow server --host 127.0.0.1 --port "$port" --workers 1 \
    --backend-store-uri "sqlite:///$dir/mlflow.db" --serve-artifacts --artifacts-destination "$dir/artifacts"
  printf -v "MLFLOW_PORT_$name" '%s' "$port"
}

# Both start at once (each takes 5-30 s to answer), then both must answer /health.
ci_mlflow_start mlflow3 "$EIMF_MLFLOW3_PYTHON"
ci_mlflow_start mlflow2 "$EIMF_MLFLOW2_PYTHON"
export EIMF_MLFLOW_TEST_URI="http://127.0.0.1:$MLFLOW_PORT_mlflow3"
export EIMF_MLFLOW2_TEST_URI="http://127.0.0.1:$MLFLOW_PORT_mlflow2"
ci_wait_http "$EIMF_MLFLOW_TEST_URI/health" 180 mlflow3
ci_wait_http "$EIMF_MLFLOW2_TEST_URI/health" 180 mlflow2
echo "ci: MLflow $(curl -fsS "$EIMF_MLFLOW_TEST_URI/version") at $EIMF_MLFLOW_TEST_URI," \
  "MLflow $(curl -fsS "$EIMF_MLFLOW2_TEST_URI/version") at $EIMF_MLFLOW2_TEST_URI (pinned $EIMF_MLFLOW3_VERSION, $EIMF_MLFLOW2_VERSION)" >&2
