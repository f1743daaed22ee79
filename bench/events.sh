#!/usr/bin/env bash
# Live events benchmark (issue 12): 1,000 concurrent Server-Sent Events
# clients on one node, 200 events/s for 30 s; delivery latency p50/p99 from
# commit (the POST's answer) to client, events lost (must be 0), the node's
# RSS, and GET /api/v1/auth/me req/s with the streams open and events
# flowing against the same with none open. With PostgreSQL
# (HEARTH_TEST_PG_URL or BENCH_PG_URL: a server where this user may CREATE
# DATABASE) the same again split over two nodes.
#
#   bench/events.sh            the full run
#   bench/events.sh --quick    100 clients, 50 events/s for 3 s (make test)
#
# Environment:
#   HEARTH_BIN      the hearth binary (default build/hearth)
#   BENCH_CLIENTS, BENCH_USERS, BENCH_RATE, BENCH_SECONDS, BENCH_ME_SECONDS
#                   see bench/events.mjs (defaults 1000, 10, 200, 30, 5)
#   BENCH_PG_URL    PostgreSQL for the two-node run (default HEARTH_TEST_PG_URL)
# Exit status: non-zero when an event was lost, a stream ended early or the
# servers did not start or stop cleanly; the latency and req/s goals are
# reported, not failed.
set -euo pipefail
cd "$(dirname "$0")/.."
HEARTH_BIN=${HEARTH_BIN:-build/hearth}
case "$HEARTH_BIN" in /*) ;; *) HEARTH_BIN=$PWD/$HEARTH_BIN ;; esac
[ -x "$HEARTH_BIN" ] || { echo "bench: no hearth binary at $HEARTH_BIN" >&2; exit 1; }
if [ "${1:-}" = "--quick" ]; then
	export BENCH_CLIENTS=${BENCH_CLIENTS:-100} BENCH_USERS=${BENCH_USERS:-5} BENCH_RATE=${BENCH_RATE:-50}
	export BENCH_SECONDS=${BENCH_SECONDS:-3} BENCH_ME_SECONDS=${BENCH_ME_SECONDS:-1}
fi
PG=${BENCH_PG_URL:-${HEARTH_TEST_PG_URL:-}}

T=$(mktemp -d "${TMPDIR:-/tmp}/hearth-bench-events.XXXXXX")
PIDS=()
PGDB=
cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
	if [ -n "$PGDB" ]; then psql -q "$PG" -c "DROP DATABASE IF EXISTS $PGDB" >/dev/null 2>&1 || true; fi
	rm -rf "$T"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# start_node DB LOG: one `hearth serve` with the default threads; sets NODE_URL.
start_node() {
	local port
	port=$(free_port)
	"$HEARTH_BIN" serve --db "$1" --key-file "$T/h.key" --listen "127.0.0.1:$port" --no-access-log >"$2" 2>&1 &
	PIDS+=($!)
	for _ in $(seq 1 200); do
		curl -sf "http://127.0.0.1:$port/api/v1/health" >/dev/null 2>&1 && { NODE_URL="http://127.0.0.1:$port"; return 0; }
		sleep 0.1
	done
	cat "$2" >&2
	echo "bench: hearth did not start" >&2
	return 1
}

# stop_nodes: SIGTERM, each must exit 0 (the drain ends every open stream).
stop_nodes() {
	local p rc=0
	for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
	for p in "${PIDS[@]}"; do wait "$p" || rc=1; done
	PIDS=()
	[ "$rc" -eq 0 ] || { echo "bench: a node did not exit 0 on SIGTERM" >&2; return 1; }
}

status=0
# A stream holds a connection; each needs a file descriptor.
ulimit -n 8192 2>/dev/null || true

echo "## one node, SQLite"
"$HEARTH_BIN" init --default-country GB --db "$T/h.db" --key-file "$T/h.key" >/dev/null 2>&1
"$HEARTH_BIN" demo --db "$T/h.db" --key-file "$T/h.key" >/dev/null 2>&1
start_node "$T/h.db" "$T/node1.log"
U1=$NODE_URL
HEARTH_URLS=$U1 HEARTH_PIDS=${PIDS[0]} node bench/events.mjs || status=1
stop_nodes || status=1

if [ -n "$PG" ]; then
	echo
	echo "## two nodes, PostgreSQL (streams and events split over both)"
	PGDB=hearth_bench_events_$$
	psql -q "$PG" -c "CREATE DATABASE $PGDB" >/dev/null
	DB=$(python3 -c 'import sys, urllib.parse as u; p = u.urlsplit(sys.argv[1]); print(u.urlunsplit(p._replace(path="/" + sys.argv[2])))' "$PG" "$PGDB")
	rm -f "$T/h.key" "$T"/hearth.keystore.db*
	"$HEARTH_BIN" init --default-country GB --db "$DB" --key-file "$T/h.key" >/dev/null 2>&1
	"$HEARTH_BIN" demo --db "$DB" --key-file "$T/h.key" >/dev/null 2>&1
	start_node "$DB" "$T/pg1.log"
	U1=$NODE_URL
	start_node "$DB" "$T/pg2.log"
	U2=$NODE_URL
	HEARTH_URLS=$U1,$U2 HEARTH_PIDS=${PIDS[0]},${PIDS[1]} node bench/events.mjs || status=1
	stop_nodes || status=1
else
	echo
	echo "(two nodes: skipped, set HEARTH_TEST_PG_URL or BENCH_PG_URL)"
fi
exit "$status"
