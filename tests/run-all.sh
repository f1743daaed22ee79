#!/usr/bin/env bash
# Runs every test stage (unit, fuzz, API, browser, benchmark smoke), shows each
# stage's own output, and ends with one line counting all tests:
#   N passed, M failed
# Exit status is non-zero when any test failed or any stage could not run.
# Needs HEARTH_BIN (the sanitizer build's binary) and TEST_BUILD (its dir).
set -uo pipefail
cd "$(dirname "$0")/.."
: "${HEARTH_BIN:?set HEARTH_BIN}"
: "${TEST_BUILD:=build-asan}"
export HEARTH_BIN
# Sanitizer reports fail the run: abort on the first one, with a stack.
export ASAN_OPTIONS="${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

total_pass=0
total_fail=0
summary=()
log=$(mktemp)

stage() { # name, then the command
	local name=$1
	shift
	echo
	echo "=== $name ==="
	local start=$SECONDS
	"$@" 2>&1 | tee "$log"
	local rc=${PIPESTATUS[0]}
	local p=0 f=0
	case "$name" in
	unit)
		local line
		line=$(grep -E 'tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -n 1)
		if [ -n "$line" ]; then
			f=$(sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\1/' <<<"$line")
			local n
			n=$(sed -E 's/.* failed out of ([0-9]+).*/\1/' <<<"$line")
			p=$((n - f))
		fi
		;;
	api*)
		p=$(grep -E '^# pass [0-9]+' "$log" | tail -n 1 | awk '{print $3}')
		f=$(grep -E '^# fail [0-9]+' "$log" | tail -n 1 | awk '{print $3}')
		;;
	*)
		p=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | awk '{s += $1} END {print s + 0}')
		f=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | awk '{s += $3} END {print s + 0}')
		;;
	esac
	p=${p:-0}
	f=${f:-0}
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1 # the stage failed without counting a test: count the stage itself
	fi
	total_pass=$((total_pass + p))
	total_fail=$((total_fail + f))
	summary+=("$(printf '%-10s %4d passed, %3d failed  (%ds, exit %d)' "$name" "$p" "$f" $((SECONDS - start)) "$rc")")
}

# A throwaway PostgreSQL for the second API run (scripts/pg-temp.sh).
pgdir=$(mktemp -d /tmp/hearth-pg.XXXXXX)
chmod 755 "$pgdir"
trap 'scripts/pg-temp.sh stop "$pgdir/pg" >/dev/null 2>&1; rm -rf "$pgdir" "$log"' EXIT

stage unit bash -c "cd '$TEST_BUILD' && ctest --output-on-failure"
# libFuzzer targets (clang, own build dir): the checked-in corpora, then a
# short run of each (FUZZ_SECONDS per target; `make fuzz` runs longer).
stage fuzz tests/fuzz/run.sh --seconds "${FUZZ_SECONDS:-15}"
stage api-sqlite node --test --test-concurrency=1 tests/api/
if pg_url=$(scripts/pg-temp.sh start "$pgdir/pg"); then
	stage api-pg env HEARTH_TEST_PG_URL="$pg_url" node --test --test-concurrency=1 tests/api/
else
	echo "not ok - could not start PostgreSQL for the api-pg run"
	total_fail=$((total_fail + 1))
	summary+=("api-pg   could not start PostgreSQL")
fi
stage browser tests/browser/with-server.sh
stage bench bash -c 'ok=0; for b in bench/http.sh bench/people.sh bench/programs.sh bench/events.sh bench/outbox.sh bench/pageload.sh; do [ -x "$b" ] || continue; if "$b" --quick; then ok=$((ok+1)); else echo "not ok - $b"; fi; done; n=$(ls bench/http.sh bench/people.sh bench/programs.sh bench/events.sh bench/outbox.sh bench/pageload.sh 2>/dev/null | wc -l); echo "$ok passed, $((n-ok)) failed"; [ "$ok" -eq "$n" ]'

echo
echo "=== summary ==="
printf '%s\n' "${summary[@]}"
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
