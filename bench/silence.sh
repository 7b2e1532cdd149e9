#!/bin/bash
# Benchmark: does any processor slow down on silence (denormal numbers in
# decaying tails)? For every processor in `mixdown fx list`, renders 60 s of a
# stereo track through it twice: noise all along, and 1 s of noise followed by
# 59 s of digital silence (a long decaying tail). Prints both times and their
# ratio; a ratio well above 1 means the silent tail is slower (a denormal stall).
# Usage: bench/silence.sh [BUILD_DIR] [SECONDS]
set -eu
build=${1:-build}
secs=${2:-60}
mixdown="$build/mixdown"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
command -v sox >/dev/null || { echo "needs sox (apt-get install sox)" >&2; exit 1; }
sox -n -r 48000 -b 24 -c 2 "$work/noise.wav" synth "$secs" pinknoise vol 0.3
sox -n -r 48000 -b 24 -c 2 "$work/tail.wav" synth 1 pinknoise vol 0.3 pad 0 "$((secs - 1))"
sox -n -r 48000 -b 24 -c 1 "$work/ir.wav" synth 1.5 whitenoise fade q 0 1.5 1.4 vol 0.1

wall() { # wall seconds of "$@"
	local t0 t1
	t0=$(date +%s.%N)
	"$@" >/dev/null 2>&1 || echo "failed: $*" >&2
	t1=$(date +%s.%N)
	echo "$t1 - $t0" | bc -l
}

printf "%-14s %10s %10s %8s\n" processor "noise s" "tail s" ratio
for fx in $("$mixdown" fx list | awk '{print $1}'); do
	extra=""
	[ "$fx" = convolution ] && extra=", ir: ir.wav"
	for kind in noise tail; do
		printf 'tracks:\n  - { name: T, file: %s.wav, inserts: [ { type: %s%s } ] }\n' \
			"$kind" "$fx" "$extra" >"$work/$kind.yaml"
	done
	tn=$(wall "$mixdown" render "$work/noise.yaml" -o "$work/o1.wav" --bits 32f -q)
	tt=$(wall "$mixdown" render "$work/tail.yaml" -o "$work/o2.wav" --bits 32f -q)
	printf "%-14s %10.2f %10.2f %8.2f\n" "$fx" "$tn" "$tt" "$(echo "$tt / $tn" | bc -l)"
done
