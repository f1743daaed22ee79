#!/usr/bin/env bash
# Installs what Hearth needs on Debian, only what is missing. Used by
# `make run` and `make test`; safe to run again. Needs root (or sudo) only
# when something is missing.
set -euo pipefail
need_build=(build-essential cmake pkg-config libcivetweb-dev libjansson-dev libsodium-dev
  libsqlite3-dev libcmocka-dev libpq-dev libicu-dev libcurl4-openssl-dev curl
  zlib1g-dev libbrotli-dev)
# tzdata: programmes read time zones from /usr/share/zoneinfo at run time.
need_run=(tzdata)
# clang + libclang-rt-14-dev: the libFuzzer targets of tests/fuzz/ (the
# fuzzer runtime is only a recommendation of clang, and apt-get runs here
# without recommendations).
need_test=(postgresql chromium nodejs npm sqlite3 clang libclang-rt-14-dev)
want=("${need_build[@]}" "${need_run[@]}")
[ "${1:-}" = "test" ] && want+=("${need_test[@]}")
missing=()
for p in "${want[@]}"; do
  # nodejs/npm may come from elsewhere (nodesource, nvm): a working command is enough.
  case "$p" in
    nodejs) command -v node >/dev/null 2>&1 && continue ;;
    npm) command -v npm >/dev/null 2>&1 && continue ;;
  esac
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "Installing missing packages: ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "Please install as root: apt-get install ${missing[*]}" >&2; exit 1; fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
