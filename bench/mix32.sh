#!/bin/bash
# Benchmark W1 (issue 10), "mix32": 32 tracks (24 mono, 8 stereo), 48 kHz 24-bit, SECONDS each (default 180);
# per track a high-pass at 80 Hz, three peaking EQ bands, a compressor (-18 dB, 3:1, 10/100 ms), gain and pan;
# summed to stereo; a master limiter at -1 dBFS; 24-bit WAV out. The same mix is made by mixdown and by the
# peers on this machine in one run, back to back: ffmpeg (one filtergraph, pinned to one core with taskset),
# sox (one track after another, then two at a time with xargs -P2, then `sox -m` and a limiter) and ecasound
# (LADSPA plugins from swh-plugins). Missing peers are skipped with a message.
#
# Usage: bench/mix32.sh [BUILD_DIR] [SECONDS] [RUNS]
#   BUILD_DIR  holds the mixdown binary (default build)
#   SECONDS    length of each track (default 180)
#   RUNS       runs per tool, the best (shortest wall time) is reported (default 2)
# Inputs are generated once into $MIX32_CACHE (default ${XDG_CACHE_HOME:-$HOME/.cache}/mixdown-bench/mix32-SECONDS,
# 40 channels x 144 kB/s: about 1 GB for 180 s) and reused, with the session (session.yaml, for profiling).
# Outputs go to a temporary folder.
# Peers: apt-get install -y sox ffmpeg ecasound swh-plugins bc time
# Prints a table: per tool the wall time, the CPU time (user + system, the tool and its children) and the peak
# memory (largest resident set) of the run with the shortest wall time, from GNU time (/usr/bin/time, package
# `time`), and the ratio peer wall time / mixdown wall time; then whether anything clipped: mixdown keeps
# float headroom up to its master limiter and reports every sample clipped at the integer conversion (--json
# "clipped_samples").
# Then it compares the outputs (mixdown analyze --json on each, read by bench/mixcompare.py, needs python3):
# integrated loudness and true peak of each, the difference per 1/3-octave band from 31.5 Hz to 16 kHz (largest
# and RMS, also with the loudness difference removed) and a verdict per peer, to show the work was comparable.
# shellcheck disable=SC2054 # the commas are inside sox and ecasound arguments, not array separators
set -eu
build=${1:-build}
secs=${2:-180}
runs=${3:-2}
mixdown="$build/mixdown"
cache=${MIX32_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mixdown-bench/mix32-$secs}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
[ -x "$mixdown" ] || { echo "no $mixdown: build first" >&2; exit 1; }
command -v bc >/dev/null || { echo "bc missing (apt-get install bc)" >&2; exit 1; }

n_mono=24
n_stereo=8
n=$((n_mono + n_stereo))
# Per track: three peaking bands (freq gain q), pan, fader (dB). Deterministic, varied.
band_f1=(120 200 250 300 400 500 600 700)
band_f2=(900 1200 1500 1800 2200 2600 3000 3500)
band_f3=(5000 6000 7000 8000 9000 10000 11000 12000)
chans() { [ "$1" -le "$n_mono" ] && echo 1 || echo 2; }
eq1() { echo "${band_f1[$(($1 % 8))]} $(((($1 * 5) % 9) - 4)) 1.0"; }
eq2() { echo "${band_f2[$((($1 * 3) % 8))]} $(((($1 * 7) % 7) - 3)) 1.4"; }
eq3() { echo "${band_f3[$((($1 * 5) % 8))]} $(((($1 * 3) % 7) - 3)) 0.8"; }
panof() { echo "$(((($1 * 37) % 17) - 8))" | awk '{ printf "%.3f", $1 / 8 * 0.9 }'; }
fader() { echo "-$((6 + $1 % 5))"; }

# ------------------------------------------------------------------ inputs
# Music-like material: noise through a band filter, amplitude-modulated (tremolo) at a per-track rate so the
# envelope rises and falls by up to 26 dB and the compressors work; peaks near -3 dBFS.
mkdir -p "$cache"
if [ ! -f "$cache/done" ]; then
	command -v sox >/dev/null || { echo "sox missing: cannot make the inputs (apt-get install sox)" >&2; exit 1; }
	echo "# generating $n inputs of $secs s in $cache (once)"
	for i in $(seq 1 "$n"); do
		lo=$((40 + (i * 53) % 400)) hi=$((2000 + (i * 997) % 12000))
		rate=$(echo "0.5 + ($i % 7) * 0.9" | bc -l)
		color=$([ $((i % 3)) -eq 0 ] && echo brownnoise || echo pinknoise)
		sox -n -r 48000 -b 24 -c "$(chans "$i")" "$cache/t$i.wav" synth "$secs" "$color" \
			sinc "$lo-$hi" tremolo "$rate" 95 norm -3 2>/dev/null
	done
	touch "$cache/done"
fi

# ----------------------------------------------------------------- session
{
	echo "mixdown: 1"
	echo "sample_rate: 48000"
	echo "tracks:"
	for i in $(seq 1 "$n"); do
		read -r f1 g1 q1 <<<"$(eq1 "$i")"
		read -r f2 g2 q2 <<<"$(eq2 "$i")"
		read -r f3 g3 q3 <<<"$(eq3 "$i")"
		echo "  - name: T$i"
		echo "    file: $cache/t$i.wav"
		echo "    gain: $(fader "$i")"
		echo "    pan: $(panof "$i")"
		echo "    inserts:"
		echo "      - type: eq"
		echo "        bands:"
		echo "          - { type: highpass, freq: 80, slope: 12 }"
		echo "          - { type: peak, freq: $f1, gain: $g1, q: $q1 }"
		echo "          - { type: peak, freq: $f2, gain: $g2, q: $q2 }"
		echo "          - { type: peak, freq: $f3, gain: $g3, q: $q3 }"
		echo "      - { type: compressor, threshold: -18, ratio: 3, attack: 10, release: 100 }"
	done
	echo "master:"
	echo "  inserts:"
	echo "    - { type: limiter, ceiling: -1 }"
} >"$cache/session.yaml" # kept with the inputs: for profiling

# ------------------------------------------------------------------ timing
# One run of "$@" (output discarded): "wall cpu rss" = wall seconds, user + system CPU seconds of it and
# its children, largest resident set in MB (GNU time: /usr/bin/time, package `time`; without it "- -"). A
# shell function runs in a child bash with the variables it uses.
measure() {
	if [ -x /usr/bin/time ]; then
		if [ "$(type -t "$1")" = function ]; then
			/usr/bin/time -f "%e %U %S %M" -o "$work/time1" \
				bash -c "$(declare -p work cache sox_mix 2>/dev/null); $(declare -f "$1"); $*" >/dev/null 2>&1
		else
			/usr/bin/time -f "%e %U %S %M" -o "$work/time1" "$@" >/dev/null 2>&1
		fi
		tail -n 1 "$work/time1" | awk '{ printf "%s %.2f %.1f\n", $1, $2 + $3, $4 / 1024 }'
	else
		local t0 t1
		t0=$(date +%s.%N)
		"$@" >/dev/null 2>&1
		t1=$(date +%s.%N)
		echo "$(echo "$t1 - $t0" | bc -l) - -"
	fi
}
best() { # the run with the shortest wall time of RUNS runs of "$@": "wall cpu rss"
	local b="" r
	for _ in $(seq 1 "$runs"); do
		r=$(measure "$@")
		if [ -z "$b" ] || [ "$(echo "${r%% *} < ${b%% *}" | bc -l)" = 1 ]; then b=$r; fi
	done
	echo "$b"
}

echo "# W1 mix32: $n_mono mono + $n_stereo stereo tracks x $secs s, 48 kHz 24-bit; HP 80 Hz + 3 peaking bands +"
echo "# compressor (-18 dB, 3:1, 10/100 ms) + gain + pan per track; master limiter -1 dBFS; 24-bit WAV out"
echo "# $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), best of $runs"

# Warm the page cache so that every tool reads the inputs from memory.
cat "$cache"/t*.wav >/dev/null

printf "%-34s %8s %8s %8s   %s\n" "tool" "wall s" "CPU s" "peak MB" "mixdown is (wall)"
r_mix=$(best "$mixdown" render "$cache/session.yaml" -o "$work/m.wav" --bits 24 -q)
t_mix=${r_mix%% *}
row() { # name "wall cpu rss" [ratio text]
	local w c m
	read -r w c m <<<"$2"
	printf "%-34s %8.2f %8s %8s   %s\n" "$1" "$w" "$c" "$m" "${3:-}"
}
row "mixdown render" "$r_mix" "-"
report() { row "$1" "$2" "$(printf "%.1fx faster" "$(echo "${2%% *} / $t_mix" | bc -l)")"; }

if command -v ffmpeg >/dev/null; then
	inputs=() filt=""
	for i in $(seq 1 "$n"); do
		read -r f1 g1 q1 <<<"$(eq1 "$i")"
		read -r f2 g2 q2 <<<"$(eq2 "$i")"
		read -r f3 g3 q3 <<<"$(eq3 "$i")"
		p=$(panof "$i")
		g=$(echo "e($(fader "$i") / 20 * l(10))" | bc -l)
		# -3 dB sine-cosine pan for mono, balance for stereo (mixdown's defaults).
		if [ "$(chans "$i")" = 1 ]; then
			gl=$(echo "c(($p + 1) * 3.14159265358979 / 4) * $g" | bc -l)
			gr=$(echo "s(($p + 1) * 3.14159265358979 / 4) * $g" | bc -l)
			pan="pan=stereo|c0=${gl}*c0|c1=${gr}*c0"
		else
			bl=$(echo "if ($p > 0) 1 - $p else 1" | bc -l)
			br=$(echo "if ($p < 0) 1 + $p else 1" | bc -l)
			pan="pan=stereo|c0=$(echo "$bl * $g" | bc -l)*c0|c1=$(echo "$br * $g" | bc -l)*c1"
		fi
		inputs+=(-i "$cache/t$i.wav")
		filt+="[$((i - 1)):a]aformat=sample_fmts=fltp,highpass=f=80,"
		filt+="equalizer=f=$f1:t=q:w=$q1:g=$g1,equalizer=f=$f2:t=q:w=$q2:g=$g2,equalizer=f=$f3:t=q:w=$q3:g=$g3,"
		filt+="acompressor=threshold=-18dB:ratio=3:attack=10:release=100,${pan}[a$i];"
	done
	for i in $(seq 1 "$n"); do filt+="[a$i]"; done
	filt+="amix=inputs=$n:normalize=0,alimiter=limit=-1dB:level=0"
	ff=(ffmpeg -nostdin -y -threads 1 -filter_threads 1 "${inputs[@]}" -filter_complex "$filt"
		-c:a pcm_s24le "$work/f.wav")
	if command -v taskset >/dev/null; then
		report "ffmpeg, taskset -c 0" "$(best taskset -c 0 "${ff[@]}")"
	else
		report "ffmpeg (taskset missing)" "$(best "${ff[@]}")"
	fi
else
	echo "ffmpeg missing: skipped (apt-get install ffmpeg)"
fi

if command -v sox >/dev/null; then
	# One sox per track into 32-bit float (headroom), then the sum with a limiter: compand with an instant
	# attack, 100 ms decay and a flat curve at -1 dBFS above -1 dB (sox has no lookahead limiter).
	for i in $(seq 1 "$n"); do
		read -r f1 g1 q1 <<<"$(eq1 "$i")"
		read -r f2 g2 q2 <<<"$(eq2 "$i")"
		read -r f3 g3 q3 <<<"$(eq3 "$i")"
		p=$(panof "$i")
		if [ "$(chans "$i")" = 1 ]; then
			gl=$(echo "c(($p + 1) * 3.14159265358979 / 4)" | bc -l)
			gr=$(echo "s(($p + 1) * 3.14159265358979 / 4)" | bc -l)
			remix="remix 1v$gl 1v$gr"
		else
			bl=$(echo "if ($p > 0) 1 - $p else 1" | bc -l)
			br=$(echo "if ($p < 0) 1 + $p else 1" | bc -l)
			remix="remix 1v$bl 2v$br"
		fi
		# compand: attack,decay (s); soft-knee 6 dB; -18 dB threshold at 3:1 (0 dB in -> -12 dB out).
		echo "sox $cache/t$i.wav -e floating-point -b 32 $work/s$i.wav highpass 80 equalizer $f1 ${q1}q $g1" \
			"equalizer $f2 ${q2}q $g2 equalizer $f3 ${q3}q $g3 compand 0.01,0.1 6:-90,-90,-18,-18,0,-12" \
			"$remix vol $(fader "$i")dB"
	done >"$work/sox-tracks.sh"
	sox_mix=(sox -m)
	for i in $(seq 1 "$n"); do sox_mix+=(-v 1 "$work/s$i.wav"); done
	sox_mix+=(-b 24 "$work/s.wav" compand 0,0.1 -90,-90,-1,-1,0,-1)
	sox_seq() { sh "$work/sox-tracks.sh" && "${sox_mix[@]}"; }
	sox_par() { xargs -P2 -I{} sh -c {} <"$work/sox-tracks.sh" && "${sox_mix[@]}"; }
	report "sox, one track after another" "$(best sox_seq)"
	report "sox, two at a time (xargs -P2)" "$(best sox_par)"
	clips=$("${sox_mix[@]}" 2>&1 | grep -c clipped || true)
	[ "$clips" = 0 ] || echo "  (sox reported clipping)"
else
	echo "sox missing: skipped (apt-get install sox)"
fi

if command -v ecasound >/dev/null && [ -e /usr/lib/ladspa/sc4m_1916.so ]; then
	# swh-plugins: butthigh_iir (Butterworth HP: cutoff, resonance; the resonance runs from 1.41 = sqrt(2), the
	# flat Butterworth response that mixdown's 12 dB/octave high-pass has, down to 0.1, a sharp peak at the
	# cutoff: 0.7071 gave a +3 dB bump at 80 Hz, which the comparison below showed), singlePara (gain dB, freq,
	# bandwidth in octaves), sc4m (RMS/peak, attack ms, release ms, threshold dB, ratio, knee dB, makeup dB) per
	# channel, fastLookaheadLimiter (input gain dB, limit dB, release s) on the mix.
	args=()
	for i in $(seq 1 "$n"); do
		read -r f1 g1 q1 <<<"$(eq1 "$i")"
		read -r f2 g2 q2 <<<"$(eq2 "$i")"
		read -r f3 g3 q3 <<<"$(eq3 "$i")"
		bw() { echo "2 / l(2) * l(1 / (2 * $1) + sqrt(1 + 1 / (4 * $1 * $1)))" | bc -l; } # Q -> octaves
		p=$(panof "$i")
		chain=(-a:"$i" -i:sndfile,"$cache/t$i.wav") # libsndfile reads WAVE_FORMAT_EXTENSIBLE
		[ "$(chans "$i")" = 1 ] && chain+=(-chcopy:1,2)
		chain+=(-el:butthigh_iir,80,1.41 -el:singlePara,"$g1","$f1","$(bw "$q1")"
			-el:singlePara,"$g2","$f2","$(bw "$q2")" -el:singlePara,"$g3","$f3","$(bw "$q3")"
			-el:sc4m,1,10,100,-18,3,6,0 -ea:"$(echo "100 * e($(fader "$i") / 20 * l(10))" | bc -l)"
			-epp:"$(echo "($p + 1) * 50" | bc -l)")
		args+=("${chain[@]}")
	done
	chains=$(seq -s, 1 "$n")
	eca=(ecasound -q -z:mixmode,sum -f:f32_le,2,48000 "${args[@]}" -a:"$chains" -o:loop,1 -a:master -i:loop,1
		-el:fastLookaheadLimiter,0,-1,0.1 -f:s24_le,2,48000 -o:"$work/e.wav")
	report "ecasound + LADSPA (swh)" "$(best "${eca[@]}")"
else
	echo "ecasound or swh-plugins missing: skipped (apt-get install ecasound swh-plugins)"
fi

# ------------------------------------------------------- mixdown: clipping
"$mixdown" render "$cache/session.yaml" -o "$work/m.wav" --bits 24 --json >"$work/rep.json"
clipped=$(awk -F': ' '/"clipped_samples"/ { gsub(",", "", $2); print $2 }' "$work/rep.json")
peak=$(awk -F': ' '/"peak_dbfs"/ { gsub(",", "", $2); print $2 }' "$work/rep.json")
echo "mixdown: peak ${peak} dBFS after the limiter, ${clipped} samples clipped at the 24-bit conversion"

# ------------------------------------------- outputs compared: level, spectrum
# The timings only mean something if the tools did comparable work: `mixdown analyze` measures every output
# (loudness, true peak, 1/3-octave spectrum) and bench/mixcompare.py prints each peer against mixdown.
if command -v python3 >/dev/null; then
	outs=("mixdown=$work/m.wav")
	[ -f "$work/f.wav" ] && outs+=("ffmpeg=$work/f.wav")
	[ -f "$work/s.wav" ] && outs+=("sox=$work/s.wav")
	[ -f "$work/e.wav" ] && outs+=("ecasound=$work/e.wav")
	echo "# outputs compared (mixdown analyze --json; bench/mixcompare.py)"
	if "$mixdown" analyze --json "${outs[@]#*=}" >"$work/an.json" 2>"$work/an.err"; then
		python3 "$(dirname "$0")/mixcompare.py" "$work/an.json" "${outs[@]}"
	else
		echo "mixdown analyze failed: $(head -3 "$work/an.err")"
	fi
else
	echo "python3 missing: outputs not compared"
fi
