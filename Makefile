# The two commands: `make run` (set up, build, serve on SQLite) and `make test` (set up, build,
# run every suite). Everything else is a step of those.
BUILD ?= build
JOBS ?= 2
CMAKE_FLAGS ?=

.PHONY: deps build build-release run test test-unit bench format tidy clean
.PHONY: test-asan test-san test-san-unit test-san-ci san-configure san-build fuzz fuzz-smoke

deps:
	@scripts/deps.sh

build: deps
	@cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD) -j$(JOBS)

run: build
	@scripts/dev_run.sh $(BUILD)/src/stripehook

# Every suite in the Release tree, then in the sanitizer tree the unit suites beside 60 s of
# libFuzzer per target, then the integration suites (test-san-ci).
test: build
	@cd $(BUILD) && ctest --output-on-failure -j$(JOBS)
	@$(MAKE) --no-print-directory test-san-ci

test-unit: build
	@cd $(BUILD) && ctest --output-on-failure -j$(JOBS) -L unit

# The sanitizer tree (clang), one build for two jobs: ASan + UBSan (no recovery) + LeakSanitizer
# in every library, test and the binary, libFuzzer coverage in the libraries, real libFuzzer in the
# fuzz targets. test-asan runs the unit and integration suites sanitized, fuzz-smoke a 60 s
# libFuzzer run per target (label fuzz; `make test` runs it), test-san both side by side. Each then
# fails on any sanitizer report left in a log no test reads (the real binary under an integration
# test). LeakSanitizer suppressions: tests/sanitize/lsan.supp.
ASAN_BUILD ?= build-asan
FUZZ_SMOKE_SECONDS ?= 60
FUZZ_TARGETS = fuzz_signature fuzz_envelope fuzz_billing fuzz_config fuzz_http
SAN_ENV = ASAN_OPTIONS=halt_on_error=1:detect_leaks=1:check_initialization_order=1 \
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	LSAN_OPTIONS=suppressions=$(CURDIR)/tests/sanitize/lsan.supp:print_suppressions=0
san-configure: deps
	@cmake -S . -B $(ASAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
		-DCMAKE_CXX_COMPILER=clang++ -DSTRIPEHOOK_SANITIZE=ON -DSTRIPEHOOK_FUZZ=ON \
		-DSTRIPEHOOK_FUZZ_SMOKE_SECONDS=$(FUZZ_SMOKE_SECONDS) $(CMAKE_FLAGS) >/dev/null

san-build: san-configure
	@cmake --build $(ASAN_BUILD) -j$(JOBS)

san-ctest = @rm -rf $(ASAN_BUILD)/test-logs $(ASAN_BUILD)/test-logs.scanned; \
	cd $(ASAN_BUILD) && $(SAN_ENV) ctest --output-on-failure -j$(JOBS) -L $(1); rc=$$?; \
	cd $(CURDIR) && tests/sanitize/scan_reports.sh $(ASAN_BUILD) && exit $$rc

test-san: san-build
	$(call san-ctest,'unit|integration|fuzz')

test-asan: san-build
	$(call san-ctest,'unit|integration')

# Only the unit tests and fuzz targets: builds just those, runs both side by side.
test-san-unit: san-configure
	@cmake --build $(ASAN_BUILD) -j$(JOBS) --target sh_unit_tests $(FUZZ_TARGETS)
	$(call san-ctest,'unit|fuzz')

# The sanitizer part of `make test`: the whole tree; unit suites beside the fuzzers, then the
# integration suites on their own (so fuzzers do not starve the servers they wait on). The fault
# scripts run in the Release tree only: they time SIGKILLs and fill disks, not memory errors.
test-san-ci: san-build
	$(call san-ctest,'unit|fuzz')
	$(call san-ctest,integration -LE faults)

# fuzz-smoke builds only the fuzz targets; fuzz runs each for FUZZ_SECONDS (default 600).
fuzz-smoke: san-configure
	@cmake --build $(ASAN_BUILD) -j$(JOBS) --target $(FUZZ_TARGETS)
	$(call san-ctest,fuzz)

fuzz: san-configure
	@cmake --build $(ASAN_BUILD) -j$(JOBS) --target $(FUZZ_TARGETS)
	@$(SAN_ENV) tests/fuzz/run_fuzz.sh $(ASAN_BUILD)

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
