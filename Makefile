# Hearth: the two commands.
#   make run   installs what is missing, builds, creates a demo database on
#              first run and serves http://127.0.0.1:8080
#   make test  installs what is missing, builds with ASan+UBSan and runs
#              every test: unit, fuzz (short), API, browser
# See DEVELOPERS.md for the details.

BUILD      ?= build
TEST_BUILD ?= build-asan
DATA       ?= data
HEARTH_DB       ?= $(DATA)/hearth.db
HEARTH_KEY_FILE ?= $(DATA)/hearth.key
HEARTH_LISTEN   ?= 127.0.0.1:8080
# The country whose crisis lines "Get help now" opens on (the demo
# organisations are in the UK); `make run` runs init with no terminal.
HEARTH_DEFAULT_COUNTRY ?= GB
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)

FUZZ_BUILD   ?= build-fuzz
# Seconds per fuzz target: `make fuzz` (long runs); make test runs 15 each.
FUZZ_SECONDS ?= 60

.PHONY: run test build build-test deps deps-test node unit api browser bench fuzz clean format

deps:
	@scripts/deps.sh

deps-test:
	@scripts/deps.sh test

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

run: build
	@if [ ! -f "$(HEARTH_KEY_FILE)" ]; then \
	  $(BUILD)/hearth init --db "$(HEARTH_DB)" --key-file "$(HEARTH_KEY_FILE)" \
	    --default-country "$(HEARTH_DEFAULT_COUNTRY)"; \
	fi
	@$(BUILD)/hearth demo --db "$(HEARTH_DB)" --key-file "$(HEARTH_KEY_FILE)"
	@echo
	@echo "Open http://$(HEARTH_LISTEN) and log in with one of the demo logins above."
	@echo "Press Ctrl-C to stop."
	@exec $(BUILD)/hearth serve --db "$(HEARTH_DB)" --key-file "$(HEARTH_KEY_FILE)" --listen "$(HEARTH_LISTEN)"

build-test: deps-test
	@cmake -S . -B $(TEST_BUILD) -DCMAKE_BUILD_TYPE=Debug -DHEARTH_SANITIZE=ON -DHEARTH_WERROR=ON >/dev/null
	@cmake --build $(TEST_BUILD) -j $(JOBS)

node: deps-test
	@if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then \
	  npm ci --no-audit --no-fund --loglevel=error; fi

test: build-test node
	@HEARTH_BIN=$(CURDIR)/$(TEST_BUILD)/hearth TEST_BUILD=$(TEST_BUILD) tests/run-all.sh

unit: build-test
	@cd $(TEST_BUILD) && ctest --output-on-failure

api: build-test node
	@HEARTH_BIN=$(CURDIR)/$(TEST_BUILD)/hearth node --test tests/api/

browser: build-test node
	@HEARTH_BIN=$(CURDIR)/$(TEST_BUILD)/hearth tests/browser/with-server.sh

# libFuzzer targets of tests/fuzz/, built with clang in $(FUZZ_BUILD);
# e.g. make fuzz FUZZ_SECONDS=600. Crashes land in $(FUZZ_BUILD)/fuzz-crashes/.
fuzz: deps-test
	@FUZZ_BUILD=$(FUZZ_BUILD) FUZZ_JOBS=$(JOBS) tests/fuzz/run.sh --seconds $(FUZZ_SECONDS)

bench: build
	@HEARTH_BIN=$(CURDIR)/$(BUILD)/hearth bench/http.sh

format:
	@clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD) $(TEST_BUILD) $(FUZZ_BUILD)
