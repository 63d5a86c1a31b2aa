#!/bin/sh
# Smoke test of `aegw-bench control` (meson test, suite bench): a short
# run whose CSV must keep its shape, so that the command cannot rot.
# Not a measurement: the figures of a 1 s run under ASan mean nothing.
#   control_smoke.sh AEGW_BENCH
set -eu

bench=$1
out=$(mktemp)
err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT

if ! "$bench" control --seconds 1 --warmup 0.2 --window 16 \
	--installs 200 --csv >"$out" 2>"$err"; then
	cat "$err" >&2
	echo "control_smoke: aegw-bench control failed" >&2
	exit 1
fi
cat "$err"
cat "$out"

fail() {
	echo "control_smoke: $*" >&2
	exit 1
}

[ "$(wc -l <"$out")" -eq 4 ] || fail "expected 4 CSV lines"
[ "$(sed -n 1p "$out")" = "metric,value" ] || fail "bad CSV header"
sed -n 2p "$out" | grep -Eq '^offer_answer_per_s,[0-9]+$' ||
	fail "bad offer_answer_per_s row"
sed -n 3p "$out" | grep -Eq '^install_to_forward_p50_us,-?[0-9]+\.[0-9]+$' ||
	fail "bad install_to_forward_p50_us row"
sed -n 4p "$out" | grep -Eq '^install_to_forward_p99_us,-?[0-9]+\.[0-9]+$' ||
	fail "bad install_to_forward_p99_us row"
pairs=$(sed -n 2p "$out" | cut -d, -f2)
[ "$pairs" -gt 0 ] || fail "no offer+answer pair completed"
echo "control_smoke: ok"
