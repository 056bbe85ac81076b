#!/usr/bin/env bash
# The scale-out stack (docs/operations.md §15): installs Debian's haproxy and pgbouncer when missing
# (root: apt-get), makes sure the local Redis answers, builds the API, then runs
# dist/scripts/stack-run.js (HAProxy over N API instances, pgbouncer in transaction mode, PostgreSQL 18).
#   bash scripts/stack.sh [--instances N]      (npm run stack -- --instances N)
#   bash scripts/stack.sh --tools-only         (install and check only: the stack test and bench use it)
set -euo pipefail
cd "$(dirname "$0")/.."
missing=()
[ -x /usr/sbin/haproxy ] || missing+=(haproxy)
[ -x /usr/sbin/pgbouncer ] || missing+=(pgbouncer)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "stack: ${missing[*]} missing; as root: apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  echo "stack: installing Debian's ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  apt-get install -y "${missing[@]}"
fi
# The packages' services are not wanted: the stack runs its own, on free loopback ports.
for svc in haproxy pgbouncer; do
  if command -v service >/dev/null 2>&1 && service "$svc" status >/dev/null 2>&1; then service "$svc" stop >/dev/null 2>&1 || true; fi
done
bash scripts/ensure-redis.sh
npm run build:api
if [ "${1:-}" = "--tools-only" ]; then
  exit 0
fi
exec node dist/scripts/stack-run.js "$@"
