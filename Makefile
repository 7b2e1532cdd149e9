# mixdown — a thin Makefile over meson/ninja.
#   make          build build/mixdown
#   make demo     install what is missing, build, run `mixdown demo`
#   make test     install what is missing, build, run every test (normal build)
#   make test-asan  the test suite under AddressSanitizer + UndefinedBehaviorSanitizer
#   make install  install binary, library, header, pkg-config file, man page
#   make bench    run the benchmarks in bench/ (see bench/README.md)
BUILD ?= build
ASAN_BUILD ?= build-asan
MESON_FLAGS ?=
PREFIX ?= /usr/local

.PHONY: all setup demo test test-asan install bench clean

all: $(BUILD)/build.ninja
	ninja -C $(BUILD)

$(BUILD)/build.ninja:
	meson setup $(BUILD) --prefix=$(PREFIX) $(MESON_FLAGS)

setup:
	./scripts/setup.sh

demo: setup all
	./$(BUILD)/mixdown demo mixdown-demo

test: setup all
	./scripts/setup.sh --test
	tests/run-tests.sh $(BUILD)

$(ASAN_BUILD)/build.ninja:
	meson setup $(ASAN_BUILD) -Dbuildtype=debug -Db_sanitize=address,undefined -Db_lundef=false $(MESON_FLAGS)

test-asan: setup $(ASAN_BUILD)/build.ninja
	./scripts/setup.sh --test
	ninja -C $(ASAN_BUILD)
	MXT_ASAN=1 ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		tests/run-tests.sh $(ASAN_BUILD)

install: all
	meson install -C $(BUILD)

bench: all
	bench/run.sh $(BUILD)
	bench/mix32.sh $(BUILD)
	bench/loudness.sh $(BUILD)
	bench/silence.sh $(BUILD)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
