# Thin targets over CMake/CTest. `make demo` and `make check` work on a fresh
# Debian machine: they first run scripts/install-deps.sh (installs what is missing).
BUILD      ?= build
BUILD_ASAN ?= build-asan
BUILD_FUZZ ?= build-fuzz
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_ARGS ?=
FUZZ_SECONDS ?= 600
PREFIX     ?= /usr/local

.PHONY: all deps build check check-asan check-options demo bench bench-annotate fuzz crash install clean

all: build

deps:
	@bash scripts/install-deps.sh

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=$(PREFIX) $(CMAKE_ARGS)

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

check: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

check-asan: deps
	cmake -S . -B $(BUILD_ASAN) -DCMAKE_BUILD_TYPE=Debug -DAVMIT_SANITIZE=ON -DAVMIT_BUILD_BENCH=OFF $(CMAKE_ARGS)
	cmake --build $(BUILD_ASAN) -j $(JOBS)
	cd $(BUILD_ASAN) && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	    ctest --output-on-failure -j $(JOBS) -LE long

# the library + CLI with each AVMIT_WITH_<X>=OFF in turn (issue 12)
check-options: deps
	JOBS=$(JOBS) bash scripts/ci-options.sh

demo: build
	bash scripts/demo.sh $(BUILD)

bench: build
	bash bench/run.sh $(BUILD)

# Issue 15 alone: 50 simulated raters for 60 s against `avmit annotate serve`.
bench-annotate: build
	bash bench/bench_annotate.sh $(BUILD)

fuzz: deps
	CC=clang cmake -S . -B $(BUILD_FUZZ) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DAVMIT_FUZZ=ON -DAVMIT_BUILD_BENCH=OFF $(CMAKE_ARGS)
	cmake --build $(BUILD_FUZZ) -j $(JOBS)
	bash tests/fuzz/run.sh $(BUILD_FUZZ) $(FUZZ_SECONDS)

# Crash-consistency harness, long form (issue 17): 20 seeded SIGKILLs per workload.
CRASH_KILLS ?= 20
CRASH_SEED  ?= 17
crash: build
	AVMIT=$(abspath $(BUILD))/avmit AVMIT_SRC=$(CURDIR) AVMIT_SHARED=$(abspath ..)/shared \
	    AVMIT_TMP=$(abspath $(BUILD))/crash-tmp bash tests/crash/crash.sh $(CRASH_KILLS) $(CRASH_SEED)

install: build
	cmake --install $(BUILD)

clean:
	rm -rf $(BUILD) $(BUILD_ASAN) $(BUILD_FUZZ)
