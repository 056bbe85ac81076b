#!/usr/bin/env bash
# Makes sure a Redis answers at 127.0.0.1:6379 for the shared rate-limit test
# (test/shared-rate-limit.e2e-spec.ts; docs/operations.md §13). Does nothing when one answers;
# otherwise starts Debian's redis-server on loopback (installed with apt-get when missing: needs root).
set -euo pipefail
HOST=127.0.0.1
PORT=6379
answers() {
  if command -v redis-cli >/dev/null 2>&1; then
    [ "$(redis-cli -h "$HOST" -p "$PORT" ping 2>/dev/null)" = "PONG" ]
  else
    # Without redis-cli: a bare RESP PING over bash's /dev/tcp.
    exec 3<>"/dev/tcp/$HOST/$PORT" 2>/dev/null || return 1
    printf 'PING\r\n' >&3
    local reply
    IFS= read -r -t 2 reply <&3 || true
    exec 3>&-
    [[ "$reply" == +PONG* ]]
  fi
}
if answers; then
  exit 0
fi
if ! command -v redis-server >/dev/null 2>&1; then
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "ensure-redis: no Redis at $HOST:$PORT and redis-server is missing; as root: apt-get install -y redis-server" >&2
    exit 1
  fi
  echo "ensure-redis: installing Debian's redis-server package"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  apt-get install -y redis-server
fi
echo "ensure-redis: starting redis-server on $HOST:$PORT (no persistence)"
redis-server --daemonize yes --bind "$HOST" --port "$PORT" --save "" --appendonly no
for _ in $(seq 1 50); do
  answers && exit 0
  sleep 0.1
done
echo "ensure-redis: redis-server did not answer at $HOST:$PORT" >&2
exit 1
