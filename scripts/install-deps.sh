#!/bin/sh
# Installs aegw's build and test dependencies from Debian's packages.
# Idempotent: asks apt only for what is missing, so a second run is instant.
set -eu

PKGS="build-essential meson ninja-build pkg-config clang libclang-rt-dev
      libdpdk-dev libipsec-mb-dev libssl-dev libsrtp2-dev libgtest-dev
      libpcap-dev libinih-dev libmicrohttpd-dev python3-pylibsrtp ffmpeg tshark iproute2 ethtool tcpreplay
      kamailio sip-tester openssl python3 groff-base"

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: missing:$missing; run as root (apt-get)" >&2
	exit 1
fi
echo "install-deps: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing
