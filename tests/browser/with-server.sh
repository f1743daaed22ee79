#!/usr/bin/env bash
# Starts a throwaway Hearth server with demo data on a free loopback port,
# runs the browser test (tests/browser/run.mjs) against it, stops the server
# and exits with the test's status.
#   HEARTH_BIN=build/hearth tests/browser/with-server.sh
set -euo pipefail

cd "$(dirname "$0")/../.."

fail_setup() {
	echo "not ok - setup: $1"
	echo "0 passed, 1 failed"
	exit 1
}

[ -n "${HEARTH_BIN:-}" ] || fail_setup "set HEARTH_BIN to the hearth binary"
[ -x "$HEARTH_BIN" ] || fail_setup "$HEARTH_BIN is not an executable"
HEARTH_BIN=$(realpath "$HEARTH_BIN")
command -v curl >/dev/null || fail_setup "curl is not installed"
if [ ! -d node_modules/playwright-core ] || [ ! -d node_modules/axe-core ]; then
	npm ci --no-audit --no-fund >&2 || fail_setup "npm ci failed"
fi

T=$(mktemp -d)
SERVER_PID=
cleanup() {
	if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
		kill "$SERVER_PID" 2>/dev/null || true
		wait "$SERVER_PID" 2>/dev/null || true
	fi
	rm -rf "$T"
}
trap cleanup EXIT

# The admin password only exists for this run.
echo "browser-test-$(date +%s)-$$" |
	"$HEARTH_BIN" init --default-country GB --db "$T/h.db" --key-file "$T/h.key" --admin-email root@example.org --password-stdin \
		>"$T/init.log" 2>&1 || { cat "$T/init.log" >&2; fail_setup "hearth init failed"; }
"$HEARTH_BIN" demo --db "$T/h.db" --key-file "$T/h.key" >"$T/demo.log" 2>&1 ||
	{ cat "$T/demo.log" >&2; fail_setup "hearth demo failed"; }

PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
HEARTH_REGISTER_MIN_SECONDS=0 "$HEARTH_BIN" serve --db "$T/h.db" --key-file "$T/h.key" --listen "127.0.0.1:$PORT" >"$T/server.log" 2>&1 &
SERVER_PID=$!

URL="http://127.0.0.1:$PORT"
for _ in $(seq 1 80); do # 80 x 0.25 s = 20 s
	if [ "$(curl -s -o /dev/null -w '%{http_code}' "$URL/api/v1/health")" = 200 ]; then
		break
	fi
	kill -0 "$SERVER_PID" 2>/dev/null || { cat "$T/server.log" >&2; fail_setup "hearth serve exited"; }
	sleep 0.25
done
[ "$(curl -s -o /dev/null -w '%{http_code}' "$URL/api/v1/health")" = 200 ] ||
	{ cat "$T/server.log" >&2; fail_setup "no answer from $URL/api/v1/health within 20 s"; }

status=0
# Without SMTP the server writes its emails into $T/mail (beside the
# database); the account-link tests read their one-time links there.
HEARTH_URL="$URL" HEARTH_MAIL_DIR="$T/mail" node tests/browser/run.mjs || status=$?
# A clean shutdown is part of the test: SIGTERM must end the server with
# status 0, and a sanitizer report anywhere in its log fails the run.
kill -TERM "$SERVER_PID"
server_status=0
wait "$SERVER_PID" || server_status=$?
SERVER_PID=
if [ "$server_status" -ne 0 ] || grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:' "$T/server.log"; then
	echo "not ok - server shut down cleanly (exit $server_status, see log)"
	echo "0 passed, 1 failed"
	status=1
fi
if [ "$status" -ne 0 ]; then
	echo "--- server log (last 50 lines) ---" >&2
	tail -n 50 "$T/server.log" >&2
fi
exit "$status"
