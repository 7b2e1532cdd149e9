#!/bin/bash
# Benchmark: mix N tracks (gain + pan, summed to stereo, 24-bit WAV out) with
# mixdown, sox and ffmpeg on this machine, in one run, and print the ratios.
# Usage: bench/run.sh [BUILD_DIR] [TRACKS] [SECONDS]
# Needs sox and ffmpeg (apt-get install sox ffmpeg); missing peers are skipped.
set -eu
build=${1:-build}
tracks=${2:-16}
secs=${3:-60}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mixdown="$build/mixdown"

echo "# workload: $tracks stereo tracks x ${secs} s, 48 kHz 24-bit; gain + pan per track; 24-bit WAV out"
# Inputs: the demo's material is not long enough; use sox's synth when present, else mixdown's own demo.
if command -v sox >/dev/null; then
	for i in $(seq 1 "$tracks"); do
		sox -n -r 48000 -b 24 -c 2 -t wavpcm "$work/t$i.wav" synth "$secs" pinknoise vol 0.1 2>/dev/null
	done
else
	echo "sox missing: cannot build inputs" >&2
	exit 1
fi
{
	echo "mixdown: 1"
	echo "tracks:"
	for i in $(seq 1 "$tracks"); do
		echo "  - { name: T$i, file: t$i.wav, gain: -6, pan: 0.$((i % 9)) }"
	done
} >"$work/session.yaml"

time_cmd() { # prints wall seconds of "$@"
	local t0 t1
	t0=$(date +%s.%N)
	"$@" >/dev/null 2>&1
	t1=$(date +%s.%N)
	echo "$t1 - $t0" | bc -l
}

t_mixdown=$(time_cmd "$mixdown" render "$work/session.yaml" -o "$work/m.wav" --bits 24 -q)
printf "mixdown render          %7.2f s\n" "$t_mixdown"
if command -v sox >/dev/null; then
	args=()
	for i in $(seq 1 "$tracks"); do args+=(-v 0.5 "$work/t$i.wav"); done
	t_sox=$(time_cmd sox -m "${args[@]}" -b 24 "$work/s.wav")
	printf "sox -m                  %7.2f s   mixdown is %.1fx faster\n" "$t_sox" "$(echo "$t_sox / $t_mixdown" | bc -l)"
fi
if command -v ffmpeg >/dev/null; then
	inputs=() filt=""
	for i in $(seq 1 "$tracks"); do
		inputs+=(-i "$work/t$i.wav")
		filt+="[$((i - 1)):a]volume=0.5[a$i];"
	done
	for i in $(seq 1 "$tracks"); do filt+="[a$i]"; done
	filt+="amix=inputs=$tracks:normalize=0"
	t_ff=$(time_cmd ffmpeg -nostdin -y "${inputs[@]}" -filter_complex "$filt" -c:a pcm_s24le "$work/f.wav")
	printf "ffmpeg amix             %7.2f s   mixdown is %.1fx faster\n" "$t_ff" "$(echo "$t_ff / $t_mixdown" | bc -l)"
fi
if command -v ecasound >/dev/null; then
	args=()
	for i in $(seq 1 "$tracks"); do args+=(-a:"$i" -i:"$work/t$i.wav" -ea:50); done
	chains=$(seq -s, 1 "$tracks")
	# mixmode sum: ecasound's default averages the chains, which is not a mix.
	t_eca=$(time_cmd ecasound -q -z:mixmode,sum "${args[@]}" -a:"$chains" -f:s24_le,2,48000 -o:"$work/e.wav")
	printf "ecasound                %7.2f s   mixdown is %.1fx faster\n" "$t_eca" "$(echo "$t_eca / $t_mixdown" | bc -l)"
fi
