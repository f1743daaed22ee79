#!/usr/bin/env bash
# A throwaway PostgreSQL server for tests and benchmarks: initdb into a
# temporary directory, loopback only, a free port, trust authentication for
# the local "postgres" user, fsync off (test data only).
#   scripts/pg-temp.sh start DIR   prints the connection URI on stdout; on a
#                                  DIR that was stopped, starts the same
#                                  server again on the same port
#   scripts/pg-temp.sh stop DIR
# PG_TEMP_MAX_CONNECTIONS sets max_connections (default 300; a stock server
# has 100).
# Works as root (runs the server as the "postgres" system user) or as an
# ordinary user.
set -euo pipefail
cmd=${1:?start|stop}
dir=${2:?directory}
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -x "$bindir/initdb" ] || { echo "pg-temp: PostgreSQL server binaries not found (apt-get install postgresql)" >&2; exit 1; }
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
case "$cmd" in
start)
  if [ -f "$dir/data/PG_VERSION" ] && [ -f "$dir/port" ]; then
    port=$(cat "$dir/port")
  else
    mkdir -p "$dir"
    [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$dir"
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    as_owner "$bindir/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
      as_owner "$bindir/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 >"$dir/initdb.log" 2>&1 ||
      { cat "$dir/initdb.log" >&2; exit 1; }
  fi
  as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=${PG_TEMP_MAX_CONNECTIONS:-300} -c shared_buffers=128MB" \
    >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
  echo "$port" >"$dir/port"
  echo "postgres://postgres@127.0.0.1:$port/postgres"
  ;;
stop)
  [ -d "$dir/data" ] && as_owner "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
  ;;
*) echo "usage: pg-temp.sh start|stop DIR" >&2; exit 2 ;;
esac
