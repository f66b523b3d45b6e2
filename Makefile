# The two commands: `make run` (set up, build, serve on SQLite) and `make test` (set up, build,
# run every suite). Everything else is a step of those.
BUILD ?= build
JOBS ?= 2
CMAKE_FLAGS ?=

.PHONY: deps build build-release run test test-unit bench format tidy clean
.PHONY: test-asan fuzz fuzz-smoke fuzz-build

deps:
	@scripts/deps.sh

build: deps
	@cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD) -j$(JOBS)

run: build
	@scripts/dev_run.sh $(BUILD)/src/stripehook

test: build
	@cd $(BUILD) && ctest --output-on-failure -j$(JOBS)

test-unit: build
	@cd $(BUILD) && ctest --output-on-failure -j$(JOBS) -L unit

# ASan + UBSan (no recovery) + LeakSanitizer over the unit and integration suites.
ASAN_BUILD ?= build-asan
SAN_ENV = ASAN_OPTIONS=halt_on_error=1:detect_leaks=1 \
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
test-asan: deps
	@cmake -S . -B $(ASAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
		-DSTRIPEHOOK_SANITIZE=ON $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(ASAN_BUILD) -j$(JOBS)
	@cd $(ASAN_BUILD) && $(SAN_ENV) ctest --output-on-failure -j$(JOBS) -L 'unit|integration'

# libFuzzer (clang): fuzz-smoke runs each target 60 s over its corpus; fuzz runs FUZZ_SECONDS each.
FUZZ_BUILD ?= build-fuzz
FUZZ_TARGETS = fuzz_signature fuzz_envelope fuzz_billing fuzz_config fuzz_http
fuzz-build: deps
	@cmake -S . -B $(FUZZ_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
		-DCMAKE_CXX_COMPILER=clang++ -DSTRIPEHOOK_SANITIZE=ON -DSTRIPEHOOK_FUZZ=ON \
		-DSTRIPEHOOK_FUZZ_SMOKE_SECONDS=60 $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(FUZZ_BUILD) -j$(JOBS) --target $(FUZZ_TARGETS)

fuzz-smoke: fuzz-build
	@cd $(FUZZ_BUILD) && $(SAN_ENV) ctest --output-on-failure -j$(JOBS) -L fuzz

fuzz: fuzz-build
	@$(SAN_ENV) tests/fuzz/run_fuzz.sh $(FUZZ_BUILD)

# Every fault script of tests/faults/ at full size, the crash and hostile suites, and `make fuzz`
# with FUZZ_SECONDS (default 60 here) per target; regenerates docs/RELIABILITY.md from the results.
.PHONY: reliability
reliability: build
	@python3 scripts/reliability.py --build $(BUILD) --fuzz-seconds $(or $(FUZZ_SECONDS),60) \
		--fuzz-command "$(MAKE) --no-print-directory fuzz"

bench: build
	@bench/run.sh $(BUILD)

format:
	@git ls-files '*.cpp' '*.h' | xargs clang-format -i

tidy: build
	@git ls-files 'src/*.cpp' | xargs clang-tidy -p $(BUILD) --quiet

clean:
	rm -rf $(BUILD)
