#!/bin/sh
# Runs every libFuzzer target of a -Dfuzz=true build for SECONDS each.
#   scripts/run-fuzz.sh BUILD_DIR SECONDS
# Each target NAME_fuzz grows its corpus in BUILD_DIR/fuzz-corpus/NAME_fuzz,
# also reading the committed seeds in tests/fuzz/corpus/NAME; crashing
# inputs land in BUILD_DIR/fuzz-artifacts/NAME_fuzz/. Exits non-zero if any
# target crashed, leaked, tripped a sanitizer or could not run.
set -u

if [ $# -ne 2 ]; then
	echo "usage: $0 BUILD_DIR SECONDS" >&2
	exit 2
fi
build=$1
secs=$2
src=$(cd "$(dirname "$0")/.." && pwd)
dir=$build/tests/fuzz

case $secs in
'' | *[!0-9]*)
	echo "run-fuzz: SECONDS must be a number, not '$secs'" >&2
	exit 2
	;;
esac
if [ ! -d "$dir" ]; then
	echo "run-fuzz: no $dir (configure with -Dfuzz=true and build)" >&2
	exit 2
fi

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}"

ran=0
failed=""
for exe in "$dir"/*_fuzz; do
	[ -f "$exe" ] && [ -x "$exe" ] || continue
	name=$(basename "$exe")
	corpus=$build/fuzz-corpus/$name
	artifacts=$build/fuzz-artifacts/$name
	seeds=$src/tests/fuzz/corpus/${name%_fuzz}
	mkdir -p "$corpus" "$artifacts"
	set -- "$corpus"
	[ -d "$seeds" ] && set -- "$@" "$seeds"
	echo "run-fuzz: $name for ${secs}s (corpus $corpus)"
	ran=$((ran + 1))
	if ! "$exe" -max_total_time="$secs" -timeout=10 -print_final_stats=1 \
		-artifact_prefix="$artifacts/" "$@"; then
		echo "run-fuzz: $name FAILED; inputs in $artifacts/" >&2
		failed="$failed $name"
	fi
done

if [ "$ran" -eq 0 ]; then
	echo "run-fuzz: no fuzz targets in $dir" >&2
	exit 2
fi
if [ -n "$failed" ]; then
	echo "run-fuzz: failed:$failed" >&2
	exit 1
fi
echo "run-fuzz: $ran target(s) ran ${secs}s each, no crash"
