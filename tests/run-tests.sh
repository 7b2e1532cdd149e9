#!/bin/sh
# Run every test program in BUILD_DIR/tests (TAP), print their output, and end
# with the line CI reads: "N passed, N failed, N skipped".
# Usage: tests/run-tests.sh BUILD_DIR
set -u
build=${1:-build}
passed=0 failed=0 skipped=0 crashed=""
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for t in "$build"/tests/test_*; do
	[ -f "$t" ] && [ -x "$t" ] || continue
	name=$(basename "$t")
	echo "# $name"
	"$t" >"$log" 2>&1
	rc=$?
	cat "$log"
	p=$(grep -cE '^ok [0-9]+ ' "$log" | tr -d ' ')
	s=$(grep -cE '^ok [0-9]+ .*# SKIP' "$log" | tr -d ' ')
	f=$(grep -cE '^not ok [0-9]+ ' "$log" | tr -d ' ')
	passed=$((passed + p - s)); skipped=$((skipped + s)); failed=$((failed + f))
	# A crash or a non-zero exit without a failing case line still counts.
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		failed=$((failed + 1)); crashed="$crashed $name(rc=$rc)"
	fi
done
[ -n "$crashed" ] && echo "# programs that exited abnormally:$crashed"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
