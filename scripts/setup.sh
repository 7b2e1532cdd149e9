#!/bin/sh
# Install what mixdown needs to build on Debian 12 (bookworm); with --test,
# also what the test suite uses to check mixdown against other programs.
# Runs apt-get (through sudo when not root) only for packages that are missing.
# Usage: scripts/setup.sh [--test]
set -eu
packages="build-essential clang meson ninja-build pkg-config
libsndfile1-dev libsoxr-dev libebur128-dev libyaml-dev libkissfft-dev
libjack-jackd2-dev liblo-dev libxml2-dev libzip-dev liblilv-dev lv2-dev libwebsockets-dev
libmysofa-dev libasound2-dev"
# chromium: tests/test_report renders the HTML report headless;
# firefox-esr: tests/test_serve drives the console page in Firefox too;
# ffmpeg: tests/test_master checks the masters' loudness with its ebur128 filter.
# jackd2: tests/test_play plays through a `jackd -d dummy` server.
# libxml2-utils: tests/test_dawproject validates exported projects with xmllint.
# x42-plugins, lsp-plugins-lv2, swh-lv2: tests/test_lv2 hosts these packaged LV2 plugins.
# These tests are skipped when their program is absent.
[ "${1:-}" = "--test" ] && packages="$packages chromium firefox-esr ffmpeg jackd2 libxml2-utils x42-plugins lsp-plugins-lv2 swh-lv2"
missing=""
for p in $packages; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
echo "setup: installing$missing"
$sudo apt-get update -qq
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing
