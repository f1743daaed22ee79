#!/usr/bin/env bash
# Page load benchmark (issue 13, "fast on a phone with poor signal"): the
# sign-in page in Chromium at a phone's viewport, the network throttled to
# Chrome DevTools' "Slow 3G" and "Fast 4G" presets, cold cache and warm
# cache; requests, KiB transferred and load time against the goals (Slow 3G:
# < 3 s cold, < 1 s warm, <= 60 KiB cold). See bench/pageload.mjs.
#
#   bench/pageload.sh            3 runs per case, the median reported
#   bench/pageload.sh --quick    1 run per case (the bench stage of make test)
#
# Environment:
#   HEARTH_BIN      the hearth binary (default build/hearth)
#   BENCH_RUNS      runs per case (default 3; --quick sets 1)
#   CHROMIUM        the browser (default /usr/bin/chromium)
# Exit status: non-zero when the server or the browser failed or the page
# did not show its sign-in form; goals BELOW are reported, not failed.
set -euo pipefail
cd "$(dirname "$0")/.."
HEARTH_BIN=${HEARTH_BIN:-build/hearth}
case "$HEARTH_BIN" in /*) ;; *) HEARTH_BIN=$PWD/$HEARTH_BIN ;; esac
[ -x "$HEARTH_BIN" ] || { echo "bench: no hearth binary at $HEARTH_BIN" >&2; exit 1; }
case "${1:-}" in
--quick) export BENCH_RUNS=${BENCH_RUNS:-1} ;;
'') ;;
-h | --help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
*) echo "bench: unknown argument: $1" >&2; exit 2 ;;
esac
if [ ! -d node_modules/playwright-core ]; then
	npm ci --no-audit --no-fund >&2 || { echo "bench: npm ci failed" >&2; exit 1; }
fi

T=$(mktemp -d "${TMPDIR:-/tmp}/hearth-bench-pageload.XXXXXX")
PID=
cleanup() {
	if [ -n "$PID" ]; then kill -TERM "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi
	rm -rf "$T"
}
trap cleanup EXIT

"$HEARTH_BIN" init --default-country GB --db "$T/h.db" --key-file "$T/h.key" >"$T/init.log" 2>&1 ||
	{ cat "$T/init.log" >&2; echo "bench: hearth init failed" >&2; exit 1; }
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$HEARTH_BIN" serve --db "$T/h.db" --key-file "$T/h.key" --listen "127.0.0.1:$PORT" --no-access-log >"$T/server.log" 2>&1 &
PID=$!
URL="http://127.0.0.1:$PORT"
for _ in $(seq 1 200); do
	curl -sf "$URL/api/v1/health" >/dev/null 2>&1 && break
	kill -0 "$PID" 2>/dev/null || { cat "$T/server.log" >&2; echo "bench: hearth serve exited" >&2; exit 1; }
	sleep 0.1
done
curl -sf "$URL/api/v1/health" >/dev/null || { cat "$T/server.log" >&2; echo "bench: hearth did not start" >&2; exit 1; }

status=0
HEARTH_URL="$URL" node bench/pageload.mjs || status=$?
kill -TERM "$PID"
wait "$PID" || { echo "bench: hearth did not exit 0 on SIGTERM" >&2; status=1; }
PID=
exit "$status"
