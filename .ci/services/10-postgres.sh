#!/usr/bin/env bash
# PostgreSQL (Debian package) for the tests that mirror docker-compose's Postgres: MLflow's backend store
# (.ci/services/30-mlflow-postgres.sh) and the llm-service's shared JDBC cache. A throwaway cluster under
# $EIMF_CI_STATE, owned by the `postgres` system user (postgres refuses to run as root), on 127.0.0.1 and a free port,
# password-authenticated like the compose service. Sourced by .ci/run; by hand: source .ci/lib.sh; source this file.
# Exports EIMF_PG_HOST, EIMF_PG_PORT, EIMF_PG_USER, EIMF_PG_PASSWORD, EIMF_PG_JDBC_URL (the llm cache database)
# and EIMF_PG_MLFLOW_URI (postgresql://user:password@host:port/mlflow, as in docker-compose.yml).
# shellcheck source=../lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

eimf_pg_bin() {
  local d
  for d in /usr/lib/postgresql/*/bin; do if [ -x "$d/initdb" ]; then echo "$d"; fi; done | sort -V | tail -n 1
}

if [ -z "$(eimf_pg_bin)" ]; then ci_apt postgresql; fi
EIMF_PG_BIN="$(eimf_pg_bin)"
[ -n "$EIMF_PG_BIN" ] || { echo "ci: postgres: no initdb after installing postgresql" >&2; return 1; }

EIMF_PG_USER=mlflow
EIMF_PG_PASSWORD=mlflow
EIMF_PG_HOST=127.0.0.1
eimf_pg_dir="$EIMF_CI_STATE/postgres"
# The server runs as `postgres` when we are root (it refuses root); as ourselves otherwise.
if [ "$(id -u)" = 0 ]; then
  id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
  eimf_pg_as() { runuser -u postgres -- "$@"; }
else
  eimf_pg_as() { "$@"; }
fi

# A previous run's cluster is stopped and thrown away: every run starts from an empty database.
if [ -f "$eimf_pg_dir/data/postmaster.pid" ]; then
  eimf_pg_as "$EIMF_PG_BIN/pg_ctl" -D "$eimf_pg_dir/data" -m immediate stop >/dev/null 2>&1 || true
fi
if [ -L "$eimf_pg_dir" ]; then rm -rf "$(readlink "$eimf_pg_dir")"; fi
rm -rf "$eimf_pg_dir"
mkdir -p "$eimf_pg_dir"
if [ "$(id -u)" = 0 ]; then chown postgres "$eimf_pg_dir"; fi
# A clone under a root-only home (/root) is not reachable by the postgres user: the cluster then lives under /tmp.
if ! eimf_pg_as test -w "$eimf_pg_dir"; then
  rm -rf "$eimf_pg_dir"
  eimf_pg_dir="$(mktemp -d /tmp/eimf-ci-postgres.XXXXXX)"
  ln -sfn "$eimf_pg_dir" "$EIMF_CI_STATE/postgres"
  if [ "$(id -u)" = 0 ]; then chown postgres "$eimf_pg_dir"; fi
fi
printf '%s\n' "$EIMF_PG_PASSWORD" > "$eimf_pg_dir/pwfile"
if [ "$(id -u)" = 0 ]; then chown postgres "$eimf_pg_dir/pwfile"; fi
eimf_pg_as "$EIMF_PG_BIN/initdb" -D "$eimf_pg_dir/data" -U "$EIMF_PG_USER" --pwfile="$eimf_pg_dir/pwfile" \
  --auth=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$EIMF_CI_STATE/postgres-initdb.log" 2>&1 \
  || { tail -n 20 "$EIMF_CI_STATE/postgres-initdb.log" >&2; return 1; }
EIMF_PG_PORT="$(ci_free_port)"
eimf_pg_as "$EIMF_PG_BIN/pg_ctl" -D "$eimf_pg_dir/data" -l "$eimf_pg_dir/server.log" -w -t 60 \
  -o "-h $EIMF_PG_HOST -p $EIMF_PG_PORT -c unix_socket_directories='' -c fsync=off -c full_page_writes=off" start >&2 \
  || { tail -n 20 "$eimf_pg_dir/server.log" >&2; return 1; }
# .ci/run kills every recorded pid on exit: the postmaster stops its children itself on SIGTERM (smart shutdown).
head -n 1 "$eimf_pg_dir/data/postmaster.pid" > "$EIMF_CI_STATE/postgres.pid"

export PGPASSWORD="$EIMF_PG_PASSWORD"
for db in mlflow eimf_llm_cache; do
  psql -h "$EIMF_PG_HOST" -p "$EIMF_PG_PORT" -U "$EIMF_PG_USER" -d postgres -v ON_ERROR_STOP=1 -qc "CREATE DATABASE $db" >&2 \
    || return 1
done
unset PGPASSWORD

export EIMF_PG_HOST EIMF_PG_PORT EIMF_PG_USER EIMF_PG_PASSWORD
export EIMF_PG_JDBC_URL="jdbc:postgresql://$EIMF_PG_HOST:$EIMF_PG_PORT/eimf_llm_cache"
export EIMF_PG_MLFLOW_URI="postgresql://$EIMF_PG_USER:$EIMF_PG_PASSWORD@$EIMF_PG_HOST:$EIMF_PG_PORT/mlflow"
echo "ci: postgres $("$EIMF_PG_BIN/postgres" --version | awk '{print $3}') on $EIMF_PG_HOST:$EIMF_PG_PORT (databases mlflow, eimf_llm_cache)" >&2
