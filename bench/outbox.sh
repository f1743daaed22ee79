#!/usr/bin/env bash
# The outbox's delivery rate into a real SMTP server on loopback: writes
# BENCH_MESSAGES (default 2000) messages through the API and prints
# messages/s handed to SMTP, and whether each arrived exactly once.
# `--quick` writes 300.   HEARTH_BIN=build/hearth bench/outbox.sh [--quick]
set -euo pipefail
cd "$(dirname "$0")/.."
HEARTH_BIN=${HEARTH_BIN:-build/hearth}
[ "${1:-}" = "--quick" ] && export BENCH_MESSAGES=${BENCH_MESSAGES_QUICK:-300}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
"$HEARTH_BIN" init --default-country GB --db "$T/h.db" --key-file "$T/h.key" >/dev/null
"$HEARTH_BIN" demo --db "$T/h.db" --key-file "$T/h.key" >/dev/null
BENCH_DIR="$T" HEARTH_BIN="$HEARTH_BIN" node bench/outbox.mjs
