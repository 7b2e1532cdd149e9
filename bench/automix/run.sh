#!/bin/bash
# Automix evaluation harness (issue 7 item 10; docs/automix.md, "Evaluation").
# For each test song: builds the plain unity sum of the stems and (when `mixdown automix` exists)
# the automix, and scores both against the song's reference mix with mixeval (the mix-evaluation
# suite's MAPE metrics, lower = closer to the reference; stem balance error in LU).
#   demo   `mixdown demo`: reference = its session's mix. The stems are first perturbed with
#          known random gains (+-12 dB, fixed seed, shifted so the largest is 0 dB and nothing
#          clips) so that the unity sum is a bad mix and the automix has something to fix.
#   lmms   ../shared/testdata/lmms-capdan-reggaetry/stems: the LMMS render is the reference, and it
#          is the plain sum of the stems (../shared/testdata/README.md), so the unity sum is the
#          reference itself (scores 0, a sanity check) and only the automix is a real comparison.
# Usage: bench/automix/run.sh [BUILD_DIR] [WORK_DIR]   (needs sox; WORK_DIR kept, default a temp dir)
set -eu
build=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
mixdown="$build/mixdown"
mixeval="$build/bench/mixeval"
seed=20240607
if [ $# -ge 2 ]; then
	work=$2
	mkdir -p "$work"
else
	work=$(mktemp -d)
	trap 'rm -rf "$work"' EXIT
fi
for t in "$mixdown" "$mixeval"; do
	[ -x "$t" ] || { echo "missing $t: build first (ninja -C $build)" >&2; exit 1; }
done
command -v sox >/dev/null || { echo "sox missing (apt-get install sox)" >&2; exit 1; }
has_automix=0
"$mixdown" automix --help >/dev/null 2>&1 && has_automix=1

# render SESSION OUT.wav STEMDIR: 32-bit float mix (overs kept) and the track stems only (bus
# stems, which would count their tracks twice in the sum of stems, are rendered apart and removed).
render() {
	local tmp="$work/.buses"
	rm -rf "$3" "$tmp"
	"$mixdown" render "$1" -o "$2" --bits 32f --stems "$3" --stem-tracks -q
	"$mixdown" render "$1" -o "$tmp.wav" --bits 32f --stems "$tmp" -q
	for b in "$tmp"/*; do
		[ -e "$b" ] && rm -f "$3/$(basename "$b")"
	done
	rm -rf "$tmp" "$tmp.wav"
}

# Deterministic +-12.00 dB per stem (an LCG, so the numbers do not depend on awk's rand).
lcg=$seed
next_gain() { # sets $drawn, in hundredths of a dB
	lcg=$(( (lcg * 1103515245 + 12345) % 2147483648 ))
	drawn=$(( (lcg / 65536) % 2401 - 1200 ))
}

rows=()
score() { # SONG MIX OUT.wav OUTSTEMS REF.wav REFSTEMS
	local line
	line=$("$mixeval" "$3" "$5" --out-stems "$4" --ref-stems "$6" --brief \
		--json-file "$work/score-$1-$2.json")
	rows+=("$(printf '%-6s %-8s %s' "$1" "$2" "$line")")
	"$mixeval" "$3" "$5" --out-stems "$4" --ref-stems "$6" >"$work/score-$1-$2.txt"
}

# --- demo song ---
d="$work/demo"
rm -rf "$d"
"$mixdown" demo "$d/ref" >/dev/null
render "$d/ref/session.yaml" "$d/ref.wav" "$d/ref-tracks"
mkdir -p "$d/stems"
declare -A gain
max=-100000
for f in "$d/ref"/*.wav; do
	n=$(basename "$f" .wav)
	[ "$n" = mix ] && continue
	next_gain
	gain[$n]=$drawn
	[ "${gain[$n]}" -gt "$max" ] && max=${gain[$n]}
done
: >"$d/perturbation.txt"
for n in $(printf '%s\n' "${!gain[@]}" | sort); do
	g=$(( gain[$n] - max ))
	db=$(awk -v g="$g" 'BEGIN { printf "%.2f", g / 100 }')
	echo "$n ${db} dB" >>"$d/perturbation.txt"
	sox "$d/ref/$n.wav" "$d/stems/$n.wav" vol "${db}dB"
done
"$mixdown" new "$d/stems" -o "$d/unity.yaml" --force >/dev/null 2>&1
render "$d/unity.yaml" "$d/unity.wav" "$d/unity-tracks"
score demo unity "$d/unity.wav" "$d/unity-tracks" "$d/ref.wav" "$d/ref-tracks"
if [ $has_automix = 1 ]; then
	"$mixdown" automix "$d/stems" -o "$d/automix.yaml" --force >/dev/null
	render "$d/automix.yaml" "$d/automix.wav" "$d/automix-tracks"
	score demo automix "$d/automix.wav" "$d/automix-tracks" "$d/ref.wav" "$d/ref-tracks"
fi

# --- LMMS CapDan-ReggaeTry ---
lstems="$root/../shared/testdata/lmms-capdan-reggaetry/stems"
if [ -d "$lstems" ]; then
	l="$work/lmms"
	rm -rf "$l"
	mkdir -p "$l"
	"$mixdown" new "$lstems" -o "$l/unity.yaml" --force >/dev/null 2>&1
	# The reference (the LMMS render) is the plain sum of the stems: the unity render, overs kept.
	render "$l/unity.yaml" "$l/ref.wav" "$l/ref-tracks"
	score lmms unity "$l/ref.wav" "$l/ref-tracks" "$l/ref.wav" "$l/ref-tracks"
	if [ $has_automix = 1 ]; then
		"$mixdown" automix "$lstems" -o "$l/automix.yaml" --force >/dev/null
		render "$l/automix.yaml" "$l/automix.wav" "$l/automix-tracks"
		score lmms automix "$l/automix.wav" "$l/automix-tracks" "$l/ref.wav" "$l/ref-tracks"
	fi
else
	echo "# $lstems missing: LMMS song skipped" >&2
fi

echo "# mixeval MAPE vs the reference mix (lower = closer); balance = mean |stem loudness error| in LU"
[ $has_automix = 1 ] || echo "# mixdown automix not available: automix rows pending"
printf '%-6s %-8s %s\t%s\t%s\t%s\t%s\n' song mix loudness spectral panning dynamics balance
printf '%s\n' "${rows[@]}"
echo "# demo perturbation (seed $seed):"
sed 's/^/#   /' "$d/perturbation.txt"
echo "# details: $work/score-*.txt and score-*.json"
