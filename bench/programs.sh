#!/usr/bin/env bash
# Programmes at scale: 500 programmes with 40 sessions each (20 000 sessions),
# 50 000 participants and 1 000 000 attendance marks on SQLite, then
# "sessions that fit me" latency and attendance-marking throughput over HTTP.
#   HEARTH_BIN=build-benchrel/hearth bench/programs.sh [--quick]
# Programmes, sessions, rosters and the measured participants (with logins)
# go through the API of a first server; the bulk participants, enrolments and
# marks are written with the sqlite3 CLI (bench/programs-bulk.sql) while it is
# stopped; a second server is measured. Prints the figures and the goals
# (PASS or BELOW) and ends with "N passed, M failed" over the goals and the
# checks (every answer right, every mark stored, both servers stopped
# cleanly: a sanitizer report makes a server exit non-zero). `--quick`:
# 50 programmes, 2 000 participants, 50 000 marks, for the smoke run with the
# sanitizer build: the goals are printed but only the checks count.
# The single-mark goal compares requests/s with what SQLite alone commits
# (bench/rawcommit.c, built here with cc, run in the same temp dir just
# before the single marks): single mark >= 0.2 x raw commit.
set -euo pipefail
cd "$(dirname "$0")/.."
HEARTH_BIN=${HEARTH_BIN:-build/hearth}
if [ "${1:-}" = "--quick" ]; then
	export BENCH_QUICK=1 BENCH_PROGRAMMES=50 BENCH_PARTICIPANTS=2000 BENCH_MARKS=50000 \
		BENCH_PEOPLE_MEASURED=6 BENCH_FIT_REQUESTS=100 BENCH_MARK_MARKS=5000 BENCH_SINGLE_MARKS=300 \
		BENCH_RAW_COMMITS=5000
fi
export BENCH_PROGRAMMES=${BENCH_PROGRAMMES:-500} BENCH_PARTICIPANTS=${BENCH_PARTICIPANTS:-50000}
export BENCH_PEOPLE_MEASURED=${BENCH_PEOPLE_MEASURED:-50}
MARKS=${BENCH_MARKS:-1000000}
command -v sqlite3 >/dev/null || { echo "bench/programs.sh needs the sqlite3 CLI (apt-get install sqlite3)"; exit 1; }
T=$(mktemp -d)
# The baseline the single-mark goal is measured against: SQLite alone.
cc -O2 -o "$T/rawcommit" bench/rawcommit.c -lsqlite3 2>"$T/rawcommit.log" || {
	echo "bench/programs.sh needs cc and libsqlite3-dev to build bench/rawcommit.c:"
	cat "$T/rawcommit.log"
	exit 1
}
PID=
passed=0
failed=0
cleanup() {
	[ -n "$PID" ] && kill -TERM "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
	if [ -n "${BENCH_KEEP:-}" ]; then echo "kept $T"; else rm -rf "$T"; fi
}
trap cleanup EXIT

serve() { # log file
	PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	# The access log (JSON lines on stderr, with each request's time in the
	# server) gives latency without the client's own overhead.
	"$HEARTH_BIN" serve --db "$T/h.db" --key-file "$T/h.key" --listen "127.0.0.1:$PORT" 2>"$1" &
	PID=$!
	for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$PORT/api/v1/health" >/dev/null && return; sleep 0.1; done
	echo "the server did not start:"
	tail -n 20 "$1"
	exit 1
}

stop() { # name, log file: stops the server and checks that it exited cleanly
	local st=0
	kill -TERM "$PID"
	wait "$PID" || st=$?
	PID=
	if [ "$st" -eq 0 ]; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		echo "not ok - the $1 server exited with status $st"
		grep -A 14 -m 1 'Sanitizer' "$2" || tail -n 5 "$2"
	fi
}

start=$SECONDS
"$HEARTH_BIN" init --default-country GB --db "$T/h.db" --key-file "$T/h.key" >/dev/null 2>&1
"$HEARTH_BIN" demo --db "$T/h.db" --key-file "$T/h.key" >/dev/null 2>&1
echo "programmes bench: $BENCH_PROGRAMMES programmes, $BENCH_PARTICIPANTS participants, $MARKS marks ($HEARTH_BIN)"

serve "$T/setup.log"
HEARTH_URL="http://127.0.0.1:$PORT" node bench/programs.mjs setup "$T/setup.json"
stop setup "$T/setup.log"

t=$SECONDS
# shellcheck disable=SC2016 # a JavaScript template string, not shell
ids=$(node -e 'console.log(require(process.argv[1]).programmes.map((p, k) => `(${p.id},${k})`).join(","))' "$T/setup.json")
fk=$(sqlite3 "$T/h.db" <<SQL
CREATE TEMP TABLE cfg AS SELECT $((BENCH_PARTICIPANTS - BENCH_PEOPLE_MEASURED)) AS people, $MARKS AS marks, $(date +%s) AS now;
CREATE TEMP TABLE bp (id INTEGER PRIMARY KEY, k INTEGER NOT NULL);
INSERT INTO bp VALUES $ids;
.read bench/programs-bulk.sql
SQL
)
echo "  bulk rows by SQL: $((SECONDS - t)) s, $fk"
[[ "$fk" == "foreign key violations: 0,"* ]] || { echo "bench: FAILED (the bulk rows break a foreign key)"; exit 1; }

serve "$T/server.log"
rc=0
BENCH_RAWCOMMIT="$T/rawcommit" BENCH_RAW_DB="$T/raw.db" \
	BENCH_SETUP_SECONDS=$((SECONDS - start)) BENCH_TALLY="$T/tally" HEARTH_URL="http://127.0.0.1:$PORT" \
	HEARTH_DB="$T/h.db" HEARTH_PID=$PID HEARTH_LOG="$T/server.log" \
	node bench/programs.mjs measure "$T/setup.json" || rc=$?
stop measured "$T/server.log"
if [ "$rc" -ne 0 ] || [ ! -s "$T/tally" ]; then
	echo "not ok - bench/programs.mjs measure exited with status $rc"
	failed=$((failed + 1))
else
	read -r p f <"$T/tally"
	passed=$((passed + p))
	failed=$((failed + f))
fi
echo "  whole run: $((SECONDS - start)) s"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
