#!/bin/bash
# Benchmark (issue 10, workload W2 "loudness60"): integrated loudness, LRA and
# true peak of one stereo 48 kHz 24-bit file (default 60 minutes of pink noise
# with a quieter middle third, as bench/analyze.sh makes it) with
#   mixdown analyze --loudness            (the fast meter, src/analysis/fastloud*)
#   mixdown analyze --loudness, MIXDOWN_FL_GENERIC=1   (its plain C kernels)
#   ffmpeg -af ebur128=peak=true          (the peer the issue names)
#   mixdown analyze                       (the full analysis, for reference)
# Each runs RUNS times (default 3); the best wall time counts, with the CPU
# seconds (user + sys) of that run, since the machine may be shared. Prints
# the load average before and after, the ratios, and the readings of both
# tools. Usage: bench/loudness.sh [BUILD_DIR] [MINUTES] [RUNS]
# Needs sox (to make the input), ffmpeg and bc. Not run by the test suite.
# SPDX-License-Identifier: LGPL-2.1-or-later
set -eu
build=${1:-build}
mins=${2:-60}
runs=${3:-3}
mixdown="$build/mixdown"
for p in sox ffmpeg bc; do
	command -v $p >/dev/null || { echo "$p missing (apt-get install sox ffmpeg bc)" >&2; exit 1; }
done
[ -x "$mixdown" ] || { echo "no $mixdown: build first" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
in="$work/in.wav"
echo "# input: ${mins} min stereo 48 kHz 24-bit pink noise (with a quieter middle third)"
sox -n -r 48000 -b 24 -c 2 "$work/a.wav" synth $((mins * 20)) pinknoise vol 0.3
sox -n -r 48000 -b 24 -c 2 "$work/b.wav" synth $((mins * 20)) pinknoise vol 0.05
sox "$work/a.wav" "$work/b.wav" "$work/a.wav" "$in"
rm -f "$work/a.wav" "$work/b.wav"
cat "$in" >/dev/null # warm the page cache for every tool

# best "wall cpu" of $runs runs of "$@" (bash's time: no extra program)
best() {
	local bw="" bc="" i t
	for i in $(seq 1 "$runs"); do
		t=$( { TIMEFORMAT='%R %U %S'; time "$@" >/dev/null 2>&1; } 2>&1 | tail -1)
		read -r w u s <<<"$t"
		if [ -z "$bw" ] || [ "$(echo "$w < $bw" | bc -l)" = 1 ]; then
			bw=$w
			bc=$(echo "$u + $s" | bc -l)
		fi
	done
	echo "$bw $bc"
}
generic() { MIXDOWN_FL_GENERIC=1 "$@"; }

echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, best of $runs runs"
echo "# load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
read -r w_fast c_fast <<<"$(best "$mixdown" analyze --loudness --json "$in")"
read -r w_gen c_gen <<<"$(best generic "$mixdown" analyze --loudness --json "$in")"
read -r w_ff c_ff <<<"$(best ffmpeg -nostats -hide_banner -i "$in" -af ebur128=peak=true -f null -)"
read -r w_full c_full <<<"$(best "$mixdown" analyze --json "$in")"
echo "# load average after:  $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-40s %8s %8s\n' "tool" "wall s" "cpu s"
printf '%-40s %8.2f %8.2f\n' "mixdown analyze --loudness" "$w_fast" "$c_fast"
printf '%-40s %8.2f %8.2f\n' "  the same, plain C kernels" "$w_gen" "$c_gen"
printf '%-40s %8.2f %8.2f\n' "ffmpeg -af ebur128=peak=true" "$w_ff" "$c_ff"
printf '%-40s %8.2f %8.2f\n' "mixdown analyze (full analysis)" "$w_full" "$c_full"
printf 'ffmpeg / mixdown --loudness:   %5.1fx wall, %5.1fx cpu\n' "$(echo "$w_ff / $w_fast" | bc -l)" \
	"$(echo "$c_ff / $c_fast" | bc -l)"
printf 'full analyze / --loudness:     %5.1fx wall, %5.1fx cpu\n' "$(echo "$w_full / $w_fast" | bc -l)" \
	"$(echo "$c_full / $c_fast" | bc -l)"
echo "# readings"
"$mixdown" analyze --loudness "$in" | sed -n '3,4p'
ffmpeg -nostats -hide_banner -i "$in" -af ebur128=peak=true -f null - 2>&1 |
	grep -E '^ +(I|LRA|Peak):' | tr -s ' ' | paste -sd' ' | sed 's/^/  ffmpeg    /'
