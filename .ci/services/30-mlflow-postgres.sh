#!/usr/bin/env bash
# An MLflow 3.x tracking server on the Postgres backend store, started with docker-compose.yml's flags
# (--backend-store-uri postgresql://mlflow:...@HOST/mlflow --serve-artifacts --artifacts-destination DIR): the real
# backend of a compose deployment, where 20-mlflow.sh's servers use SQLite. Needs 10-postgres.sh (EIMF_PG_MLFLOW_URI).
# The MLflow venv is the one 20-mlflow.sh builds (same spec, same cached venv); the Postgres driver the server needs
# goes into a cached folder on PYTHONPATH, so the shared venv stays exactly "mlflow==VERSION". The driver is psycopg 3:
# MLflow 3.x runs on SQLAlchemy 2.1, which maps postgresql:// to psycopg 3 (the compose image, MLflow 2.17.2 on
# SQLAlchemy 2.0, maps it to psycopg2, which docker/mlflow.Dockerfile adds).
# By hand: source .ci/lib.sh; source .ci/services/10-postgres.sh; source .ci/services/30-mlflow-postgres.sh
# Exports EIMF_MLFLOW_PG_TEST_URI (http://127.0.0.1:PORT).
# shellcheck source=../lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

[ -n "${EIMF_PG_MLFLOW_URI:-}" ] || { echo "ci: mlflow-postgres needs EIMF_PG_MLFLOW_URI (.ci/services/10-postgres.sh)" >&2; return 1; }
ci_apt python3-venv curl >/dev/null
EIMF_PSYCOPG_VERSION="${EIMF_PSYCOPG_VERSION:-3.3.9}"
eimf_mlpg_venv=$(ci_venv mlflow3 "mlflow==$EIMF_MLFLOW3_VERSION") || return 1
# --no-deps: psycopg's one dependency (typing_extensions) is in the venv already, and a second copy on PYTHONPATH
# would shadow the venv's for MLflow too.
eimf_mlpg_deps="$EIMF_CI_CACHE/pydeps-psycopg-$EIMF_PSYCOPG_VERSION"
(
  flock 9
  if [ ! -f "$eimf_mlpg_deps/.complete" ]; then
    rm -rf "$eimf_mlpg_deps"
    "$eimf_mlpg_venv/bin/pip" install -q --disable-pip-version-check --no-deps --target "$eimf_mlpg_deps" \
      "psycopg==$EIMF_PSYCOPG_VERSION" "psycopg-binary==$EIMF_PSYCOPG_VERSION" >&2 && touch "$eimf_mlpg_deps/.complete"
  fi
) 9>"$EIMF_CI_CACHE/pydeps-psycopg.lock" || return 1

eimf_mlpg_port=$(ci_free_port)
eimf_mlpg_dir="$EIMF_CI_STATE/mlflow-postgres"
rm -rf "$eimf_mlpg_dir" && mkdir -p "$eimf_mlpg_dir/artifacts"
# One worker, as in 20-mlflow.sh: the suites are sequential and the machine has 2 cores.
# MLflow 3's job runner (GenAI scorers, periodic tasks) is unused by EIMF: off, as in 20-mlflow.sh.
ci_start mlflow-postgres env PYTHONPATH="$eimf_mlpg_deps" MLFLOW_SERVER_ENABLE_JOB_EXECUTION=false \
  MLFLOW_SERVER_JOB_ENABLE_PERIODIC_TASKS=false "$eimf_mlpg_venv/bin/python" -m mlflow server \
  --backend-store-uri "$EIMF_PG_MLFLOW_URI" --serve-artifacts --artifacts-destination "$eimf_mlpg_dir/artifacts" \
  --host 127.0.0.1 --port "$eimf_mlpg_port" --workers 1
# Waits for /health, but gives up at once when the server has exited (a bad store URI fails in seconds).
for ((eimf_i = 0; eimf_i < 360; eimf_i++)); do
  curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$eimf_mlpg_port/health" 2>/dev/null && break
  if ! kill -0 "$(cat "$EIMF_CI_STATE/mlflow-postgres.pid")" 2>/dev/null || [ "$eimf_i" = 359 ]; then
    echo "ci: MLflow on Postgres did not start; its log:" >&2
    tail -n 30 "$EIMF_CI_STATE/mlflow-postgres.log" >&2
    return 1
  fi
  sleep 0.5
done
export EIMF_MLFLOW_PG_TEST_URI="http://127.0.0.1:$eimf_mlpg_port"
echo "ci: MLflow $EIMF_MLFLOW3_VERSION on Postgres at $EIMF_MLFLOW_PG_TEST_URI" >&2
