#!/bin/sh
# tests/fuzz/run.sh SECONDS FUZZER... — runs each libFuzzer program for
# SECONDS on its corpus (build/fuzz/corpus/NAME, kept between runs so that
# each run starts where the last one ended, plus the seeds in
# build/fuzz/seeds/), then prints one line for all of them:
#
#   fuzz: N fuzzers ran S seconds each, E executions, 0 crashes
#
# A crash leaves libFuzzer's report and the crashing input (crash-*) in
# build/fuzz/; the exit status is then 1.
seconds=$1
shift
status=0
runs=0
for prog in "$@"; do
	name=$(basename "$prog")
	dir=$(dirname "$prog")
	mkdir -p "$dir/corpus/$name"
	log="$dir/$name.log"
	if "$prog" -max_total_time="$seconds" -print_final_stats=1 -artifact_prefix="$dir/" \
		"$dir/corpus/$name" "$dir/seeds" >"$log" 2>&1; then
		n=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
		runs=$((runs + ${n:-0}))
		echo "fuzz: $name: ${n:-?} inputs in ${seconds} s, no crash ($(ls "$dir/corpus/$name" | wc -l) in its corpus)"
	else
		tail -40 "$log"
		echo "fuzz: $name FAILED (report above, full log $log, crashing input in $dir/)"
		status=1
	fi
done
echo "fuzz: $# fuzzers ran $seconds s each, $runs inputs, $([ $status = 0 ] && echo 0 || echo some) crashes"
exit $status
