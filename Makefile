# The README's two commands. Each does its own set-up: dependencies from
# Debian's packages (scripts/install-deps.sh, idempotent), then meson.
BUILD      ?= build
TEST_BUILD ?= build-test
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 60

.PHONY: all deps demo test fuzz bench clean

all: $(BUILD)/build.ninja
	ninja -C $(BUILD)

deps:
	sh scripts/install-deps.sh

$(BUILD)/build.ninja: | deps
	meson setup $(BUILD) --buildtype=release -Dtests=false

# The main job: two real calls through Kamailio and aegw (demo/run.sh).
demo: all
	sh demo/run.sh $(BUILD)

# The engine benchmark: aegw against libsrtp2 and the raw crypto floor.
bench: all
	./$(BUILD)/bench/aegw-bench engine

# Every test, in a build with AddressSanitizer and UBSan; warnings fail.
test: deps
	[ -f $(TEST_BUILD)/build.ninja ] || meson setup $(TEST_BUILD) \
		--buildtype=debugoptimized --werror \
		-Db_sanitize=address,undefined -Db_lundef=false
	ninja -C $(TEST_BUILD)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		meson test -C $(TEST_BUILD) --print-errorlogs --num-processes 2

# libFuzzer targets (clang), each run for FUZZ_SECONDS.
fuzz: deps
	[ -f $(FUZZ_BUILD)/build.ninja ] || CC=clang CXX=clang++ meson setup \
		$(FUZZ_BUILD) --buildtype=debugoptimized -Dfuzz=true -Dtests=false \
		-Db_sanitize=address,undefined -Db_lundef=false
	ninja -C $(FUZZ_BUILD)
	sh scripts/run-fuzz.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)

clean:
	rm -rf $(BUILD) $(TEST_BUILD) $(FUZZ_BUILD)
