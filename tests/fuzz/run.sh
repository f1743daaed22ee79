#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz/ with clang (ASan + UBSan +
# coverage) in their own build directory and runs each: first over its
# checked-in corpus (tests/fuzz/corpus/<target>/, every input must pass),
# then fuzzing for a while. Prints "ok - <target>" or "not ok - <target>"
# per target and ends with one line "N passed, M failed" (tests/run-all.sh
# counts it). A crash is saved under BUILD/fuzz-crashes/; replay it with
# BUILD/fuzz_<target> FILE.
#   tests/fuzz/run.sh                      15 s per target (what make test runs)
#   tests/fuzz/run.sh --seconds 600 tzif   a long run of one target (make fuzz)
# Environment: FUZZ_BUILD (default build-fuzz), FUZZ_SECONDS (default 15),
# FUZZ_JOBS (build jobs, default nproc), CC (default clang).
set -uo pipefail
cd "$(dirname "$0")/../.."

seconds=${FUZZ_SECONDS:-15}
build=${FUZZ_BUILD:-build-fuzz}
jobs=${FUZZ_JOBS:-$(nproc 2>/dev/null || echo 2)}
targets=()
while [ $# -gt 0 ]; do
	case "$1" in
	--seconds) seconds=$2; shift 2 ;;
	--build) build=$2; shift 2 ;;
	-h | --help) sed -n '2,13p' "$0"; exit 0 ;;
	*) targets+=("$1"); shift ;;
	esac
done
if [ ${#targets[@]} -eq 0 ]; then
	for f in tests/fuzz/fuzz_*.c; do
		t=${f#tests/fuzz/fuzz_}
		targets+=("${t%.c}")
	done
fi

fail_setup() {
	echo "not ok - setup: $1"
	echo "0 passed, 1 failed"
	exit 1
}

cc=${CC:-clang}
command -v "$cc" >/dev/null 2>&1 || fail_setup "$cc is not installed (scripts/deps.sh test installs clang)"
names=()
for t in "${targets[@]}"; do names+=("fuzz_$t"); done
echo "building ${names[*]} in $build with $cc"
if ! CC=$cc cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Debug -DHEARTH_FUZZ=ON -DHEARTH_WERROR=ON \
	>"$build.configure.log" 2>&1; then
	cat "$build.configure.log"
	fail_setup "cmake could not configure $build"
fi
rm -f "$build.configure.log"
for n in "${names[@]}"; do
	cmake --build "$build" -j "$jobs" --target "$n" >/dev/null ||
		{ cmake --build "$build" -j 1 --target "$n"; fail_setup "could not build $n"; }
done

# Leaks are reported too; a run stops at the first finding of any kind.
export ASAN_OPTIONS="${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
pass=0
fail=0
mkdir -p "$build/fuzz-crashes"
for t in "${targets[@]}"; do
	bin=$build/fuzz_$t
	seed=tests/fuzz/corpus/$t
	work=$build/fuzz-corpus/$t
	log=$build/fuzz-$t.log
	mkdir -p "$work" "$seed"
	# The checked-in inputs, each once, then new ones for a while. New
	# inputs go to the build directory, never into the checked-in corpus.
	if "$bin" -runs=0 -timeout=10 "$seed" >"$log" 2>&1 &&
		"$bin" -max_total_time="$seconds" -max_len=8192 -timeout=10 -rss_limit_mb=2048 \
			-print_final_stats=1 -artifact_prefix="$build/fuzz-crashes/$t-" \
			"$work" "$seed" >>"$log" 2>&1; then
		runs=$(grep -E '^stat::number_of_executed_units:' "$log" | tail -n 1 | awk '{print $2}')
		cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -n 1)
		echo "ok - fuzz_$t (${runs:-?} inputs in ${seconds}s, $cov)"
		pass=$((pass + 1))
	else
		echo "not ok - fuzz_$t: see $log"
		grep -E 'ERROR: |CHECK failed|runtime error|Test unit written to' "$log" | head -n 5 | sed 's/^/    /'
		fail=$((fail + 1))
	fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
