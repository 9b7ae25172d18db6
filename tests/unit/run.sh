#!/bin/sh
# tests/unit/run.sh — runs the host unit-test programs named as arguments
# (`make unit` passes build/tests/unit/test_*), shows each one's cmocka output
# and keeps it in <program>.log, then prints one line for all of them:
#
#   unit: N passed, M failed
#
# Tests are counted from cmocka's per-test lines: "[       OK ]" is a pass,
# a "[ RUN      ]" without one is a failure. A program that stops early (a
# sanitizer report ends it at once) thus still counts the test it was in.
# The exit status is 0 only if every program ran to the end and passed.

passed=0
failed=0
status=0
for prog in "$@"; do
	log="$prog.log"
	"$prog" >"$log" 2>&1
	rc=$?
	cat "$log"
	ran=$(grep -c '^\[ RUN      \]' "$log")
	ok=$(grep -c '^\[       OK \]' "$log")
	bad=$((ran - ok))
	if ! grep -q '^\[==========\] [0-9]* test(s) run\.' "$log"; then
		echo "unit: $prog stopped before its summary (exit status $rc)"
		[ "$bad" -gt 0 ] || bad=1
	elif [ "$rc" -ne 0 ] && [ "$bad" -eq 0 ]; then
		echo "unit: $prog exited with status $rc"
		bad=1
	fi
	[ "$rc" -eq 0 ] && [ "$bad" -eq 0 ] || status=1
	passed=$((passed + ok))
	failed=$((failed + bad))
done
echo "unit: $passed passed, $failed failed"
exit $status
