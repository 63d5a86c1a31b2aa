#!/bin/sh
# Restarts that lose no call (restart_peers.py): aegw-dataplane and
# aegw-control each killed with SIGKILL during a call with live media,
# on veth pairs in namespaces (scripts/lab.sh):
#
#   ue 10.0.0.2 --veth-- acc [gw: aegw-dataplane] cor --veth-- core 192.168.0.2
#   aegw-control and the test's ng client: root namespace, 127.0.0.1
#
# usage: restart_test.sh AEGW_DATAPLANE AEGW_CONTROL
# Needs root and python3-pylibsrtp; exits 77 (skipped) without.
set -eu

dataplane=$1
control=$2
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
n=$$
inst=restart$n
ng=$((20000 + n % 20000))

skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "needs root for network namespaces"
/usr/bin/python3 -c "import pylibsrtp" 2>/dev/null ||
	skip "python3-pylibsrtp not installed"

. "$top/scripts/lab.sh"
lab_init "aegwr$n"
test_cleanup() {
	# The script stops what it started; this is for a script that died.
	pkill -KILL -f -- "--file-prefix $inst " 2>/dev/null || true
	pkill -KILL -f -- "--instance $inst " 2>/dev/null || true
	rm -f "/dev/shm/aegw-$inst"
}
LAB_CLEANUP_HOOK=test_cleanup

lab_ns ue ue; lab_ns gw gw; lab_ns core core
lab_veth "$ue" ue0 10.0.0.2/24 "$gw" acc -
lab_veth "$core" core0 192.168.0.2/24 "$gw" cor -

/usr/bin/python3 "$here/restart_peers.py" "$ng" "$ue" "$core" "$gw" \
	"/var/run/dpdk/$inst/dpdk_telemetry.v2" --- \
	"$dataplane" -l 0,1 --no-huge -m 512 --no-pci --file-prefix "$inst" \
	--log-level '*:warning' \
	--vdev net_af_packet0,iface=acc --vdev net_af_packet1,iface=cor -- \
	--instance "$inst" --addr 0:10.0.0.1/24 --addr 1:192.168.0.1/24 \
	--unlink-at-exit --- \
	"$control" --listen-ng "127.0.0.1:$ng" --instance "$inst" \
	--interface access=10.0.0.1/20000-29999@0 \
	--interface core=192.168.0.1/30000-39999@1
