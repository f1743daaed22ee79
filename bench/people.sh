#!/usr/bin/env bash
# Registers BENCH_PEOPLE (default 100000) synthetic people through the API of
# a fresh Hearth server, then exact-searches them. Prints registrations/s,
# search p50/p99 and storage per person. `--quick` runs 2000 people.
#   HEARTH_BIN=build/hearth bench/people.sh [--quick]
set -euo pipefail
cd "$(dirname "$0")/.."
HEARTH_BIN=${HEARTH_BIN:-build/hearth}
[ "${1:-}" = "--quick" ] && export BENCH_PEOPLE=${BENCH_PEOPLE_QUICK:-2000} BENCH_SEARCHES=500
T=$(mktemp -d)
PID=
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT
"$HEARTH_BIN" init --default-country GB --db "$T/h.db" --key-file "$T/h.key" >/dev/null
"$HEARTH_BIN" demo --db "$T/h.db" --key-file "$T/h.key" >/dev/null
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# The access log (JSON lines, one per request, with the time spent in the
# server) gives the search latency without the client's own overhead.
"$HEARTH_BIN" serve --db "$T/h.db" --key-file "$T/h.key" --listen "127.0.0.1:$PORT" 2>"$T/server.log" &
PID=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/api/v1/health" >/dev/null && break; sleep 0.1; done
HEARTH_URL="http://127.0.0.1:$PORT" node bench/people.mjs
echo "| server peak memory | $(awk '/VmHWM/ {print $2, $3}' /proc/$PID/status) |"
python3 - "$T/server.log" <<'PY'
import json, sys
ms = sorted(json.loads(l)["ms"] for l in open(sys.argv[1])
            if '"route":"/api/v1/participants"' in l and '"method":"GET"' in l)
if ms:
    print(f"| search p50 in the server | {ms[len(ms) // 2]:.2f} ms |")
    print(f"| search p99 in the server | {ms[int(len(ms) * 0.99)]:.2f} ms (goal < 2 ms) |")
PY
# Storage after a clean stop (the WAL is checkpointed into the files).
kill -TERM "$PID"; wait "$PID" || true; PID=
N=${BENCH_PEOPLE:-100000}
bytes=$(( $(stat -c %s "$T/h.db") + $(stat -c %s "$T/hearth.keystore.db") ))
echo "| storage per person (database + key store, incl. audit log) | $(( bytes / N )) bytes |"
