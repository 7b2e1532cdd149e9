#!/usr/bin/env python3
# Compare mixes of the same workload by level and spectrum, for bench/mix32.sh (issue 10: "the outputs of
# mixdown and ffmpeg on W1 are compared ... to show the work done is comparable").
# Usage: mixcompare.py ANALYSIS.json LABEL=PATH...   (the first LABEL is the reference, mixdown's mix)
# ANALYSIS.json is the output of `mixdown analyze --json PATH...` (schema mixdown-analysis/1,
# docs/analysis-json.md): per file the integrated loudness (LUFS, ITU-R BS.1770), the true peak (dBTP) and the
# long-term 1/3-octave band levels (dBFS, IEC 61260-1 centres). Prints, for each other mix against the
# reference: the loudness and true-peak difference, the band-by-band level difference from 31.5 Hz to 16 kHz
# (largest absolute and RMS, raw and after removing the loudness difference, i.e. the spectral shape), and a
# one-line verdict. Bands more than 60 dB under the reference's loudness (noise floor, dither) are left out.
# Thresholds: 1 LU for the loudness (the tolerance EBU R 128 (2020) allows where exact
# normalisation is impractical); 3 dB largest and 1.5 dB RMS for the shape, this benchmark's own choice, not a
# standard: the peers' compressors (RMS or peak detection, knees) and limiters differ in detail.
# Exit status 0 (the verdict is informational), 2 on bad usage. Single-threaded command-line tool.
# SPDX-License-Identifier: LGPL-2.1-or-later
import json
import math
import sys

LOUDNESS_TOL = 1.0  # LU
SHAPE_MAX_TOL = 3.0  # dB, largest band difference after loudness alignment
SHAPE_RMS_TOL = 1.5  # dB, RMS of the band differences after loudness alignment
FLOOR = 60.0  # dB under the reference loudness: bands below are left out


def fmt(v, spec="%7.2f"):
    return spec % v if v is not None else "%7s" % "-"


def hz_name(f):
    return "%.0f" % f if f >= 100 else "%.1f" % f


def main(argv):
    if len(argv) < 3 or any("=" not in a for a in argv[2:]):
        print("usage: mixcompare.py ANALYSIS.json LABEL=PATH...", file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as f:
        files = {o["path"]: o for o in json.load(f)["files"]}
    mixes = []
    for a in argv[2:]:
        label, path = a.split("=", 1)
        if path in files:
            mixes.append((label, files[path]))
        else:
            print("%s: not analysed (%s)" % (label, path))
    if len(mixes) < 2:
        print("nothing to compare")
        return 0
    hz = mixes[0][1]["spectrum"]["bands_hz"]
    bands = [k for k, f in enumerate(hz) if 31.0 <= f <= 16500.0]  # 31.5 Hz .. 16 kHz: 28 bands

    print("%-20s %8s %8s %8s" % ("mix", "I LUFS", "dI LU", "TP dBTP"))
    ref_i = mixes[0][1]["loudness"]["integrated"]
    for label, o in mixes:
        i = o["loudness"]["integrated"]
        di = i - ref_i if i is not None and ref_i is not None else None
        print("%-20s %8s %8s %8s" % (label, fmt(i), fmt(di), fmt(o["loudness"]["true_peak"])))

    print("1/3-octave band level (dBFS) of %s, and each mix minus it (dB):" % mixes[0][0])
    print("%8s %8s" % ("Hz", mixes[0][0][:8]) + "".join(" %8s" % m[0][:8] for m in mixes[1:]))
    ref_lv = mixes[0][1]["spectrum"]["level"]
    for k in bands:
        row = "%8s %8s" % (hz_name(hz[k]), fmt(ref_lv[k]))
        if ref_lv[k] is not None and ref_i is not None and ref_lv[k] < ref_i - FLOOR:
            row += " (floor: not compared)"
            print(row)
            continue
        for _, o in mixes[1:]:
            lv = o["spectrum"]["level"][k]
            row += " %8s" % (fmt(lv - ref_lv[k], "%+7.2f") if lv is not None and ref_lv[k] is not None else "-")
        print(row)

    for label, o in mixes[1:]:
        i = o["loudness"]["integrated"]
        lv = o["spectrum"]["level"]
        if i is None or ref_i is None:
            print("verdict %s: cannot compare (no measurable loudness)" % label)
            continue
        di = i - ref_i
        # Bands more than FLOOR dB under the loudness hold only noise floor or dither (the material stops near
        # 14 kHz); like `mixdown analyze --reference` (docs/analysis-json.md) they are left out.
        use = [k for k in bands if lv[k] is not None and ref_lv[k] is not None and ref_lv[k] >= ref_i - FLOOR]
        if not use:
            print("verdict %s: cannot compare (no common band)" % label)
            continue
        d = {k: lv[k] - ref_lv[k] for k in use}
        shape = {k: x - di for k, x in d.items()}  # the level difference taken out: the processing's balance
        worst = max(use, key=lambda k: abs(shape[k]))
        sh_max, sh_rms = abs(shape[worst]), math.sqrt(sum(x * x for x in shape.values()) / len(use))
        raw_max, raw_rms = max(abs(x) for x in d.values()), math.sqrt(sum(x * x for x in d.values()) / len(use))
        print("%s - %s, %d bands 31.5 Hz-16 kHz: largest |diff| %.2f dB, RMS %.2f dB; loudness-aligned %.2f dB "
              "(at %s Hz) / %.2f dB" % (label, mixes[0][0], len(use), raw_max, raw_rms, sh_max, hz_name(hz[worst]),
                                        sh_rms))
        shape_ok = sh_max <= SHAPE_MAX_TOL and sh_rms <= SHAPE_RMS_TOL
        print("verdict %s: spectral balance %s (%.1f dB largest, %.1f RMS; limits %.0f, %.1f), loudness %s (%+.2f LU; "
              "limit %.0f)" % (label, "comparable" if shape_ok else "DIFFERENT", sh_max, sh_rms, SHAPE_MAX_TOL,
                               SHAPE_RMS_TOL, "comparable" if abs(di) <= LOUDNESS_TOL else "DIFFERENT", di,
                               LOUDNESS_TOL))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
