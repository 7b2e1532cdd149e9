#!/bin/bash
# Benchmark (not a test): the number of full channel strips (4-band EQ with
# high-pass, compressor, two post-fader sends to a reverb and a delay bus)
# that run in real time at 48 kHz with 64- and 256-frame periods under 70 %
# DSP load. See bench/rt_strips.c for the workload and bench/README.md.
#
# Usage: bench/rt_strips.sh [--threads N|auto] [--period P] [BUILD_DIR] [SECONDS] [N...]
#   --threads: strips processed on N threads (mixdown_engine_set_threads(),
#   `mixdown play --threads`); --period: only this period (default 64 and 256).
#   1. offline: the engine alone on one thread, CPU time per block (64 and 256)
#   2. jack: `jackd -R -P 70 -d dummy -r 48000 -p 64` (then -p 256; real-time
#      scheduling when the user may have it, as a real audio setup would) and
#      the player's own DSP load (callback time / period) for each N; the
#      largest N whose average stays under 70 % is printed. Needs jackd2.
# The dummy driver wakes the graph from a timer, so the load is the real
# callback time; on a busy machine other processes preempt the callback and
# raise it (the offline CPU-time figure is not affected by them).
set -eu
threads=1
periods="64 256"
while [ $# -gt 0 ]; do
	case "$1" in
	--threads) threads=$2; shift 2 ;;
	--period) periods=$2; shift 2 ;;
	*) break ;;
	esac
done
build=${1:-build}
secs=${2:-6}
shift $(( $# > 2 ? 2 : $# ))
ns=${*:-16 32 64 96 128 160 192 256}
bin="$build/bench/rt_strips"
[ -x "$bin" ] || { echo "build $bin first (ninja -C $build)" >&2; exit 1; }
work=$(mktemp -d)
jackd_pid=
cleanup() {
	if [ -n "$jackd_pid" ]; then kill "$jackd_pid" 2>/dev/null || true; wait "$jackd_pid" 2>/dev/null || true; fi
	rm -rf "$work"
}
trap cleanup EXIT

echo "# $(date -u +%F) $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), threads $threads"
for period in $periods; do
	"$bin" --threads "$threads" offline "$work" "$period" "$secs" $ns
done

command -v jackd >/dev/null || { echo "# jackd missing: no real-time measurement" >&2; exit 0; }
export JACK_DEFAULT_SERVER="rt-strips-$$" JACK_NO_AUDIO_RESERVATION=1
for period in $periods; do
	jackd -n "$JACK_DEFAULT_SERVER" -R -P 70 -d dummy -r 48000 -p "$period" >"$work/jackd.log" 2>&1 &
	jackd_pid=$!
	sleep 1.5
	grep -q "realtime mode" "$work/jackd.log" && echo "# jackd: real-time scheduling" ||
		echo "# jackd: no real-time scheduling (loads include preemption by other processes)"
	"$bin" --threads "$threads" jack "$work" "$secs" $ns | tee "$work/jack$period.txt"
	kill "$jackd_pid"; wait "$jackd_pid" 2>/dev/null || true
	jackd_pid=
	awk -v p="$period" '!/^#/ && $3+0 < 70 { best = $1 } END { printf "# period %s: largest N with average DSP load < 70%%: %s\n", p, best ? best : "none" }' \
		"$work/jack$period.txt"
done
