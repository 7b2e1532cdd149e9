#!/bin/sh
# Install what mixdown needs to build and test on Debian 12 (bookworm).
# Runs apt-get (through sudo when not root) only for packages that are missing.
set -eu
# chromium: tests/test_report renders the HTML report headless (skipped without it).
packages="build-essential clang meson ninja-build pkg-config
libsndfile1-dev libsoxr-dev libebur128-dev libyaml-dev libkissfft-dev chromium"
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
