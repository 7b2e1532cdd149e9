#!/bin/bash
# Benchmark: `mixdown analyze` against `ffmpeg -af ebur128=peak=true` on one
# stereo file (default 60 minutes, 48 kHz 24-bit pink noise), wall times and ratio.
# Usage: bench/analyze.sh [BUILD_DIR] [MINUTES]
# Needs sox (to make the input) and ffmpeg. Not run by the test suite.
# SPDX-License-Identifier: LGPL-2.1-or-later
set -eu
build=${1:-build}
mins=${2:-60}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
in="$work/in.wav"
command -v sox >/dev/null || { echo "sox missing" >&2; exit 1; }
command -v ffmpeg >/dev/null || { echo "ffmpeg missing" >&2; exit 1; }
echo "# input: ${mins} min stereo 48 kHz 24-bit pink noise (with a quieter middle third)"
sox -n -r 48000 -b 24 -c 2 "$work/a.wav" synth $((mins * 20)) pinknoise vol 0.3
sox -n -r 48000 -b 24 -c 2 "$work/b.wav" synth $((mins * 20)) pinknoise vol 0.05
sox "$work/a.wav" "$work/b.wav" "$work/a.wav" "$in"
rm -f "$work/a.wav" "$work/b.wav"

wall() { # wall seconds of "$@"
	local t0 t1
	t0=$(date +%s.%N)
	"$@" >/dev/null 2>&1
	t1=$(date +%s.%N)
	echo "$t1 - $t0" | bc -l
}
cat "$in" >/dev/null # warm the page cache for both
t_mix=$(wall "$build/mixdown" analyze --json "$in")
t_ff=$(wall ffmpeg -nostats -hide_banner -i "$in" -af ebur128=peak=true -f null -)
printf 'mixdown analyze            %8.2f s\n' "$t_mix"
printf 'ffmpeg ebur128=peak=true   %8.2f s\n' "$t_ff"
printf 'ratio (mixdown / ffmpeg)   %8.2f\n' "$(echo "$t_mix / $t_ff" | bc -l)"
"$build/mixdown" analyze "$in" | sed -n '1,4p'
