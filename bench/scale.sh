#!/usr/bin/env bash
# The same read/write mix (bench/mix.lua: 80% GET /auth/me, 20% POST
# /organisations, as an admin) against one node on SQLite, one node on
# PostgreSQL, and two nodes on one PostgreSQL. Prints req/s and p99 for each
# and the two-node/one-node ratio. wrk, the nodes and PostgreSQL share this
# machine's cores, so watch the ratios more than the absolute figures.
#   HEARTH_BIN=build/hearth bench/scale.sh [--quick]
set -euo pipefail
cd "$(dirname "$0")/.."
HEARTH_BIN=$(realpath "${HEARTH_BIN:-build/hearth}")
DURATION=${BENCH_DURATION:-10}
[ "${1:-}" = "--quick" ] && DURATION=3
CONNS=${BENCH_CONNECTIONS:-64}
need=()
command -v wrk >/dev/null || need+=(wrk)
command -v psql >/dev/null || need+=(postgresql)
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "${need[@]}" >/dev/null
fi

T=$(mktemp -d /tmp/hearth-scale.XXXXXX)
chmod 755 "$T"
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  scripts/pg-temp.sh stop "$T/pg" >/dev/null 2>&1 || true
  rm -rf "$T"
}
trap cleanup EXIT

port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# start_node DB KEYFILE -> sets NODE_URL; remembers the PID (no subshell)
start_node() {
  local p; p=$(port)
  "$HEARTH_BIN" serve --db "$1" --key-file "$2" --listen "127.0.0.1:$p" --no-access-log --threads 96 \
    >>"$T/server.log" 2>&1 &
  PIDS+=($!)
  NODE_URL="http://127.0.0.1:$p"
  for _ in $(seq 1 100); do curl -sf "$NODE_URL/api/v1/health" >/dev/null && return 0; sleep 0.1; done
  echo "bench: node on $1 did not start" >&2; tail -5 "$T/server.log" >&2; return 1
}

login() { # URL -> sets COOKIE and CSRF
  local out
  out=$(curl -s -D "$T/headers" -H 'Content-Type: application/json' \
    -d '{"email":"admin@riverside-arts.example","password":"hearth-demo-2026"}' "$1/api/v1/auth/login")
  COOKIE=$(grep -i '^set-cookie: hearth_session=' "$T/headers" | sed -E 's/^[^:]*: ([^;]*).*/\1/' | tr -d '\r')
  CSRF=$(python3 -c 'import sys, json; print(json.load(sys.stdin)["csrf_token"])' <<<"$out")
}

# run_wrk URL CONNECTIONS PREFIX -> prints the RESULT line
run_wrk() {
  BENCH_COOKIE=$COOKIE BENCH_CSRF=$CSRF BENCH_PREFIX=$3 \
    wrk -t2 -c"$2" -d"${DURATION}s" --latency -s bench/mix.lua "$1" | grep '^RESULT'
}

field() { sed -E "s/.*$1=([0-9.]+).*/\1/" <<<"$2"; }

# 1. One node on SQLite.
"$HEARTH_BIN" init --default-country GB --db "$T/s.db" --key-file "$T/h.key" >/dev/null 2>&1
"$HEARTH_BIN" demo --db "$T/s.db" --key-file "$T/h.key" >/dev/null 2>&1
start_node "$T/s.db" "$T/h.key"; U=$NODE_URL; login "$U"
r_sqlite=$(run_wrk "$U" "$CONNS" sqlite)
kill "${PIDS[@]}"; wait 2>/dev/null || true; PIDS=()

# 2. One node on PostgreSQL.
PG=$(scripts/pg-temp.sh start "$T/pg")
psql -q "$PG" -c 'CREATE DATABASE hearth_scale' >/dev/null
DB=${PG%/postgres}/hearth_scale
"$HEARTH_BIN" demo --db "$DB" --key-file "$T/h.key" --key-store "$T/pgkeys.db" >/dev/null 2>&1
# The PostgreSQL nodes share a key store of their own (the SQLite run above
# used the default one beside the key file).
export HEARTH_KEY_STORE="$T/pgkeys.db"
start_node "$DB" "$T/h.key"; U1=$NODE_URL; login "$U1"
r_pg1=$(run_wrk "$U1" "$CONNS" pg1)

# 3. Two nodes on the same PostgreSQL: half the connections each, together.
start_node "$DB" "$T/h.key"; U2=$NODE_URL
run_wrk "$U1" $((CONNS / 2)) pgA >"$T/a" &
wa=$!
run_wrk "$U2" $((CONNS / 2)) pgB >"$T/b" &
wb=$!
wait $wa $wb
ra=$(cat "$T/a"); rb=$(cat "$T/b")

rs=$(field req_s "$r_sqlite"); ps=$(field p99_ms "$r_sqlite")
r1=$(field req_s "$r_pg1"); p1=$(field p99_ms "$r_pg1")
r2=$(python3 -c "print(round($(field req_s "$ra") + $(field req_s "$rb")))")
p2=$(python3 -c "print(max($(field p99_ms "$ra"), $(field p99_ms "$rb")))")
errs=0
for r in "$r_sqlite" "$r_pg1" "$ra" "$rb"; do
  errs=$((errs + $(field non2xx "$r") + $(field errors "$r")))
done

echo
echo "scale benchmark: 80% GET /auth/me + 20% POST /organisations, $CONNS connections, ${DURATION}s each, $(nproc) cores shared"
echo "| setup | req/s | p99 (ms) |"
echo "|---|---|---|"
echo "| 1 node, SQLite | $rs | $ps |"
echo "| 1 node, PostgreSQL | $r1 | $p1 |"
echo "| 2 nodes, one PostgreSQL | $r2 | $p2 |"
echo "two-node / one-node (PostgreSQL): $(python3 -c "print(round($r2 / $r1, 2))")x"
echo "bench: scale runs, $errs errors"
[ "$errs" -eq 0 ]
