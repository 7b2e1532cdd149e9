#!/bin/bash
# Benchmark (issue 10): how the cost of `mixdown render` grows with the number of tracks and with their length.
# Every track carries workload W1's chain (bench/mix32.sh): a high-pass at 80 Hz, three peaking EQ bands, a
# compressor (-18 dB, 3:1, 10/100 ms), gain and pan; one track in four is stereo, as in W1 (24 mono + 8 stereo);
# the sum goes through a master limiter at -1 dBFS into a 24-bit 48 kHz WAV in a temporary folder (deleted).
# Two sweeps, one render per point (best of $SCALING_RUNS, default 1):
#   (a) TRACKS_LIST (default 8 16 32 64 128 256) tracks of $SCALING_MINUTES minutes (default 1);
#   (b) MINUTES_LIST (default 1 5 15 30 60) minutes of $SCALING_TRACKS tracks (default 16).
# For each point it prints wall seconds, CPU seconds (user + sys) and peak memory (maximum resident set size)
# of the mixdown process (/usr/bin/time; bash's `time` when it is missing, without memory), the CPU
# milliseconds per track-minute, that cost relative to the sweep's first point (linear cost keeps it near 1.0;
# in sweep (a) the fixed part, start-up and the master bus and output, which do not grow with the tracks, push it
# below 1 for the larger points) and the step cost (CPU per track-minute added since the previous point). It
# also prints a least-squares line cpu = a + b * track-minutes per sweep with its largest relative residual,
# and the load average before and after (the machine may be shared).
#
# Usage: bench/scaling.sh [BUILD_DIR] [TRACKS_LIST] [MINUTES_LIST]
#   e.g. bench/scaling.sh build "8 16 32" "1 2"   (a small version; an empty list skips its sweep)
# Environment: SCALING_MINUTES, SCALING_TRACKS (the fixed value of each sweep), SCALING_RUNS,
#   SCALING_CACHE (where the material goes, default ${XDG_CACHE_HOME:-$HOME/.cache}/mixdown-bench/scaling),
#   SCALING_BASE (minutes of material, default 10).
# Material: one mono and one stereo file of min(SCALING_BASE, longest length asked) minutes, made once with sox
# (band-limited pink noise with a 1.7 Hz tremolo of 95 % depth, peaks at -3 dBFS, as bench/mix32.sh makes
# them) and shared by all tracks: each track plays it from its own offset, looped with back-to-back clips up to
# the track's length, so 256 tracks or 60 minutes need no more disk (10 minutes of material: 260 MB). Track
# gains are lowered by 10 log10(tracks / 32) dB so the mix (and the limiter's work) stays near W1's level.
# Disk: the output is up to 60 min x 288 kB/s = 1 GB in $TMPDIR (default /tmp) during the 60-minute point.
# Needs sox and awk. Not run by the test suite. Peers: none (bench/mix32.sh compares tools on W1).
# SPDX-License-Identifier: LGPL-2.1-or-later
set -eu
build=${1:-build}
tracks_list=${2-8 16 32 64 128 256}
mins_list=${3-1 5 15 30 60}
fixed_min=${SCALING_MINUTES:-1}
fixed_tracks=${SCALING_TRACKS:-16}
runs=${SCALING_RUNS:-1}
base_max=${SCALING_BASE:-10}
mixdown="$build/mixdown"
[ -x "$mixdown" ] || { echo "no $mixdown: build first" >&2; exit 1; }
command -v sox >/dev/null || { echo "sox missing: cannot make the material (apt-get install sox)" >&2; exit 1; }
secs_of() { awk -v m="$1" 'BEGIN { if (m !~ /^[0-9.]+$/ || m <= 0) exit 1; printf "%d", m * 60 + 0.5 }'; }
for m in $mins_list $fixed_min; do
	secs_of "$m" >/dev/null || { echo "bad length '$m' (minutes > 0)" >&2; exit 2; }
done
for t in $tracks_list $fixed_tracks; do
	case $t in '' | *[!0-9]* | 0) echo "bad track count '$t'" >&2; exit 2 ;; esac
done

# ---------------------------------------------------------------- material
# Only as long as the longest track asked for (up to SCALING_BASE minutes): a small run makes a small file.
longest=$(for m in $mins_list $fixed_min; do secs_of "$m"; echo; done | sort -n | tail -1)
base=$(secs_of "$base_max")
[ "$longest" -lt "$base" ] && base=$longest
cache=${SCALING_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mixdown-bench/scaling}/base-${base}s
mkdir -p "$cache"
if [ ! -f "$cache/done" ]; then
	echo "# generating one mono and one stereo file of $base s in $cache (once)"
	for c in 1 2; do
		sox -n -r 48000 -b 24 -c "$c" "$cache/ch$c.wav" synth "$base" pinknoise sinc 40-12000 tremolo 1.7 95 \
			norm -3 2>/dev/null
	done
	touch "$cache/done"
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# session TRACKS SECONDS > YAML: W1's per-track settings (bench/mix32.sh's formulas), each track's clips looping
# the material from offset 61.375 s x track (modulo the material's length).
session() {
	awk -v n="$1" -v len="$2" -v base="$base" -v dir="$cache" 'BEGIN {
		split("120 200 250 300 400 500 600 700", f1, " ")
		split("900 1200 1500 1800 2200 2600 3000 3500", f2, " ")
		split("5000 6000 7000 8000 9000 10000 11000 12000", f3, " ")
		trim = 10 * log(n / 32) / log(10)
		print "mixdown: 1"
		print "sample_rate: 48000"
		print "tracks:"
		for (i = 1; i <= n; i++) {
			file = dir "/ch" (i % 4 == 0 ? 2 : 1) ".wav"
			printf "  - name: T%d\n", i
			printf "    gain: %.2f\n", -(6 + i % 5) - trim
			printf "    pan: %.3f\n", (((i * 37) % 17) - 8) / 8 * 0.9
			print "    clips:"
			# In eighths of a second (exact in binary and in frames): 491 is prime, so no two of the first
			# 8 x base tracks start at the same point of the material.
			for (t = 0; t < len * 8; t += l) {
				o = (i * 491 + t) % (base * 8)
				l = base * 8 - o < len * 8 - t ? base * 8 - o : len * 8 - t
				printf "      - { file: \"%s\", at: %.3f, offset: %.3f, length: %.3f }\n",
					file, t / 8, o / 8, l / 8
			}
			print "    inserts:"
			print "      - type: eq"
			print "        bands:"
			print "          - { type: highpass, freq: 80, slope: 12 }"
			pk = "          - { type: peak, freq: %s, gain: %d, q: %s }\n"
			printf pk, f1[i % 8 + 1], (i * 5) % 9 - 4, "1.0"
			printf pk, f2[(i * 3) % 8 + 1], (i * 7) % 7 - 3, "1.4"
			printf pk, f3[(i * 5) % 8 + 1], (i * 3) % 7 - 3, "0.8"
			print "      - { type: compressor, threshold: -18, ratio: 3, attack: 10, release: 100 }"
		}
		print "master:"
		print "  inserts:"
		print "    - { type: limiter, ceiling: -1 }"
	}'
}

# measure TRACKS SECONDS -> "wall cpu rss_kB" of the best (shortest wall) of $runs renders
measure() {
	local bw="" bc="" br="" r w u s k frames
	session "$1" "$2" >"$work/session.yaml"
	for r in $(seq 1 "$runs"); do
		if [ -x /usr/bin/time ]; then
			/usr/bin/time -f '%e %U %S %M' -o "$work/time.txt" "$mixdown" render "$work/session.yaml" \
				-o "$work/out.wav" --bits 24 --json >"$work/rep.json" ||
				{ echo "mixdown render failed ($1 tracks, $2 s)" >&2; return 1; }
			read -r w u s k <"$work/time.txt"
		else
			w=$( { TIMEFORMAT='%R %U %S'; time "$mixdown" render "$work/session.yaml" -o "$work/out.wav" \
				--bits 24 --json >"$work/rep.json"; } 2>&1 | tail -1)
			read -r w u s <<<"$w"
			k=0
		fi
		# The render must have produced the whole length (the report is read leniently, like bench/mix32.sh).
		frames=$(awk -F': ' '/"frames"/ { gsub(",", "", $2); print $2 }' "$work/rep.json")
		[ "$frames" -ge $(($2 * 48000)) ] || { echo "render too short: $frames frames for $2 s" >&2; return 1; }
		rm -f "$work/out.wav"
		if [ -z "$bw" ] || awk -v a="$w" -v b="$bw" 'BEGIN { exit !(a < b) }'; then
			bw=$w bc=$(awk -v u="$u" -v s="$s" 'BEGIN { print u + s }') br=$k
		fi
	done
	echo "$bw $bc $br"
}

# sweep TITLE POINTS...: each point "TRACKS:SECONDS"; prints the table, the ratios and the linear fit
sweep() {
	local title=$1 p n sec r w c k tm per mb first="" fit="" ptm="" pc="" step
	shift
	echo
	echo "## $title"
	printf '%7s %8s %10s %8s %8s %7s %14s %9s %15s\n' tracks minutes track-min "wall s" "cpu s" "RSS MB" \
		"cpu ms/tr-min" "vs first" "step ms/tr-min"
	for p in "$@"; do
		n=${p%:*} sec=${p#*:}
		r=$(measure "$n" "$sec") || exit 1
		read -r w c k <<<"$r"
		tm=$(awk -v n="$n" -v s="$sec" 'BEGIN { print n * s / 60 }')
		per=$(awk -v c="$c" -v t="$tm" 'BEGIN { print c * 1000 / t }')
		[ -n "$first" ] || first=$per
		# The slope from the previous point: what the added track-minutes cost, without the fixed part.
		step=$(awk -v c="$c" -v t="$tm" -v pc="$pc" -v pt="$ptm" \
			'BEGIN { if (pt == "" || t == pt) print "-"; else printf "%.1f", (c - pc) * 1000 / (t - pt) }')
		mb=$(awk -v k="$k" 'BEGIN { if (k > 0) printf "%.1f", k / 1024; else print "-" }')
		printf '%7d %8g %10g %8.2f %8.2f %7s %14.1f %9.2f %15s\n' "$n" \
			"$(awk -v s="$sec" 'BEGIN { print s / 60 }')" "$tm" "$w" "$c" "$mb" "$per" \
			"$(awk -v a="$per" -v b="$first" 'BEGIN { print a / b }')" "$step"
		ptm=$tm pc=$c
		fit+="$tm $c"$'\n'
	done
	# Least squares cpu = a + b x over the points; the residual is relative to the measured CPU time.
	printf '%s' "$fit" | awk '{ x[NR] = $1; y[NR] = $2; sx += $1; sy += $2; sxx += $1 * $1; sxy += $1 * $2 }
	END {
		if (NR < 2) exit
		d = NR * sxx - sx * sx
		if (d == 0) exit
		b = (NR * sxy - sx * sy) / d; a = (sy - b * sx) / NR
		for (i = 1; i <= NR; i++) {
			r = y[i] > 0 ? (y[i] - a - b * x[i]) / y[i] : 0
			if (r < 0) r = -r
			if (r > m) m = r
		}
		printf "linear fit: cpu = %.3f s + %.1f ms x track-minutes; largest residual %.1f %% of a point\n",
			a, b * 1000, m * 100
	}'
}

echo "# scaling of mixdown render: W1 chain per track (HP 80 Hz, 3 peaking bands, compressor -18 dB 3:1 10/100 ms,"
echo "# gain, pan; 1 track in 4 stereo), master limiter -1 dBFS, 48 kHz 24-bit WAV out; best of $runs"
echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $mixdown"
echo "# load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
cat "$cache"/ch*.wav >/dev/null # warm the page cache: the material is read from memory at every point

pts=()
for t in $tracks_list; do pts+=("$t:$(secs_of "$fixed_min")"); done
[ ${#pts[@]} -eq 0 ] || sweep "(a) tracks, $fixed_min min each" "${pts[@]}"
pts=()
for m in $mins_list; do pts+=("$fixed_tracks:$(secs_of "$m")"); done
[ ${#pts[@]} -eq 0 ] || sweep "(b) length, $fixed_tracks tracks" "${pts[@]}"
echo
echo "# load average after:  $(cut -d' ' -f1-3 /proc/loadavg)"
