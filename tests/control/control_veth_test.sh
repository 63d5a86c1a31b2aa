#!/bin/sh
# aegw-control driving a real aegw-dataplane on veth pairs: one e2ae call
# set up over ng exactly as Kamailio asks for it, then media both ways
# with libsrtp2 (pylibsrtp) as the UE and plain sockets as the core
# (tests/control/control_veth_peers.py), and two re-INVITEs that keep
# aegw's key and its SRTCP indices going; then a second call with media
# for longer than --timeout, which lives, then silence, which ends it.
#
#  netns ue-N                 netns aegw-N                        netns core-N
# +----------------+        +--------------------------------+   +-----------------+
# | ue0 10.0.0.2/24|--veth--| acc  net_af_packet port 0      |   |                 |
# |  :7000 SRTP    |        |      "access" 10.0.0.1         |   |                 |
# |  UE key out,   |        |  aegw-dataplane                |   |                 |
# |  aegw key in   |        | cor  net_af_packet port 1      |---| core0           |
# +----------------+        |      "core" 192.168.0.1        |   | 192.168.0.2/24  |
#                           +--------------------------------+   | :9000 plain RTP |
#   aegw-control (root netns): ng on 127.0.0.1, the ring in      +-----------------+
#   /dev/shm; the P-CSCF's ng client is the peers script.
#
# usage: control_veth_test.sh AEGW_DATAPLANE AEGW_CONTROL PEERS_PY AEGWCTL
# Needs root (namespaces) and python3-pylibsrtp; exits 77 (skipped) without.
set -eu

dataplane=$1
control=$2
peers=$3
aegwctl=$4
n=$$
ue=aegwc-ue-$n
gw=aegwc-gw-$n
core=aegwc-core-$n
inst=ctlveth$n
port=$((20000 + n % 20000))
# Longer than the longest pause of the first call's checks (a 2 s wait for
# packets that must not come), so that only the second call times out.
timeout=3
tmp=$(mktemp -d)
dp_pid=""
ctl_pid=""

skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "needs root for network namespaces"
command -v ip >/dev/null || skip "iproute2 not installed"
/usr/bin/python3 -c "import pylibsrtp" 2>/dev/null ||
	skip "python3-pylibsrtp not installed"

cleanup() {
	[ -n "$ctl_pid" ] && kill "$ctl_pid" 2>/dev/null && wait "$ctl_pid" 2>/dev/null
	[ -n "$dp_pid" ] && kill "$dp_pid" 2>/dev/null && wait "$dp_pid" 2>/dev/null
	for ns in "$ue" "$gw" "$core"; do ip netns del "$ns" 2>/dev/null || true; done
	rm -f "/dev/shm/aegw-$inst"
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

ip netns add "$ue"; ip netns add "$gw"; ip netns add "$core"
ip link add ue0 netns "$ue" type veth peer name acc netns "$gw"
ip link add core0 netns "$core" type veth peer name cor netns "$gw"
for pair in "$ue ue0 10.0.0.2/24" "$core core0 192.168.0.2/24"; do
	set -- $pair
	ip -n "$1" addr add "$3" dev "$2"
	ip -n "$1" link set "$2" up
	ip -n "$1" link set lo up
	# af_packet would see veth's unfinished UDP checksums otherwise.
	ip netns exec "$1" ethtool -K "$2" tx off >/dev/null 2>&1 || true
done
ip -n "$gw" link set acc up
ip -n "$gw" link set cor up

ip netns exec "$gw" "$dataplane" -l 0,1 --no-huge -m 512 --no-pci \
	--file-prefix "$inst" --log-level '*:warning' \
	--vdev net_af_packet0,iface=acc --vdev net_af_packet1,iface=cor -- \
	--instance "$inst" --addr 0:10.0.0.1/24 --addr 1:192.168.0.1/24 \
	--unlink-at-exit >"$tmp/dataplane.log" 2>&1 &
dp_pid=$!
for i in $(seq 50); do
	[ -e "/dev/shm/aegw-$inst" ] && break
	kill -0 "$dp_pid" 2>/dev/null || { cat "$tmp/dataplane.log"; exit 1; }
	sleep 0.2
done

"$control" --listen-ng "127.0.0.1:$port" --instance "$inst" \
	--interface access=10.0.0.1/20000-29999@0 \
	--interface core=192.168.0.1/30000-39999@1 \
	--timeout "$timeout" --ctl-socket "$tmp/ctl.sock" \
	--log-level 7 >"$tmp/control.log" 2>&1 &
ctl_pid=$!
sleep 1

status=0
/usr/bin/python3 "$peers" "$port" "$ue" "$core" "$timeout" \
	"$aegwctl --socket $tmp/ctl.sock" || status=1
kill "$ctl_pid"; wait "$ctl_pid" || status=1; ctl_pid=""
kill "$dp_pid"; wait "$dp_pid" || true; dp_pid=""
echo "---- aegw-control"; cat "$tmp/control.log"
echo "---- aegw-dataplane"; cat "$tmp/dataplane.log"
exit $status
