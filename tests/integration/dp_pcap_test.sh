#!/bin/sh
# aegw-dataplane with net_pcap: a capture in, a capture out, every action.
#
#  netns aegwt-pcap-N
#  tcpreplay -> in0 ==veth== in1  [net_af_packet0 iface=in1]  port 0
#                                  aegw-dataplane
#               out0 ==veth== out1 [net_pcap1 tx_pcap=out1.pcap] port 1
#
# in.pcap (dp_pcap_frames.py gen, made with libsrtp2) holds SRTP and SRTCP
# for an e2ae-in stream, plain RTP and RTCP for an e2ae-out stream and SRTP
# for a relay stream, all to aegw's 10.0.0.1 on port 0. Every packet must
# come out of port 1 exactly once: decrypted byte for byte, encrypted so
# that libsrtp2 decrypts it to the original, or relayed untouched.
#
# usage: dp_pcap_test.sh AEGW_DATAPLANE AEGW_DPCTL
# Needs root and tcpreplay; exits 77 (skipped) without them.
set -eu

dataplane=$1
dpctl=$2
here=$(cd "$(dirname "$0")" && pwd)
ns=aegwt-pcap-$$
inst=pcaptest$$
tmp=$(mktemp -d)
dp_pid=""

skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "needs root for a network namespace"
command -v tcpreplay >/dev/null || skip "tcpreplay not installed"

cleanup() {
	[ -n "$dp_pid" ] && kill "$dp_pid" 2>/dev/null && wait "$dp_pid" 2>/dev/null
	ip netns del "$ns" 2>/dev/null || true
	rm -f "/dev/shm/aegw-$inst"
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

/usr/bin/python3 "$here/dp_pcap_frames.py" gen "$tmp/in.pcap"
ip netns add "$ns"
ip -n "$ns" link add in0 type veth peer name in1
ip -n "$ns" link add out0 type veth peer name out1
for i in in0 in1 out0 out1; do ip -n "$ns" link set "$i" up; done

ip netns exec "$ns" "$dataplane" -l 0,1 --no-huge -m 512 --no-pci \
	--file-prefix "$inst" --log-level '*:warning' \
	--vdev net_af_packet0,iface=in1 \
	--vdev "net_pcap1,rx_iface=out1,tx_pcap=$tmp/out1.pcap" -- \
	--instance "$inst" --addr 0:10.0.0.1/24 --addr 1:192.168.0.1/24 \
	--neigh 1:192.168.0.2,02:00:00:00:c0:02 --unlink-at-exit \
	>"$tmp/dataplane.log" 2>&1 &
dp_pid=$!
for i in $(seq 50); do
	"$dpctl" --instance "$inst" info >/dev/null 2>&1 && break
	kill -0 "$dp_pid" 2>/dev/null || { cat "$tmp/dataplane.log"; exit 1; }
	sleep 0.2
done

ue_key=AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd   # bytes 0..29
gw_key=Hh0cGxoZGBcWFRQTEhEQDw4NDAsKCQgHBgUEAwIB   # bytes 30..1
suite=AES_CM_128_HMAC_SHA1_80
add() { "$dpctl" --instance "$inst" add "$@" --in-port 0 --out-port 1; }
add 1 e2ae-in --local 10.0.0.1:20000 --egress-src 192.168.0.1:20002 \
	--egress-dst 192.168.0.2:9000 --in-key "$suite:$ue_key"
add 2 e2ae-out --local 10.0.0.1:20010 --egress-src 192.168.0.1:20012 \
	--egress-dst 192.168.0.2:9010 --out-key "$suite:$gw_key"
add 3 relay --local 10.0.0.1:20020 --egress-src 192.168.0.1:20022 \
	--egress-dst 192.168.0.2:9020
# RTCP leg by leg (no traffic: the dump must show what was asked).
add 4 relay --local 10.0.0.1:20030 --egress-src 192.168.0.1:20032 \
	--egress-dst 192.168.0.2:9030 --rtcp-mux --rtcp-out split
if "$dpctl" --instance "$inst" add 5 relay --local 10.0.0.1:20040 \
	--rtcp-out sideways --in-port 0 --out-port 1 2>/dev/null; then
	echo "FAIL: --rtcp-out took a value other than mux or split"; exit 1
fi

ip netns exec "$ns" tcpreplay -q --pps 2000 -i in0 "$tmp/in.pcap"
sleep 0.5
"$dpctl" --instance "$inst" dump | tee "$tmp/dump.txt"
grep -q "^stream 4 relay.* rtcp-in mux rtcp-out port+1" "$tmp/dump.txt" ||
	{ echo "FAIL: stream 4's RTCP legs"; exit 1; }
grep -q "^stream 3 relay.* rtcp-in port+1 rtcp-out port+1" "$tmp/dump.txt" ||
	{ echo "FAIL: stream 3's RTCP legs"; exit 1; }
kill "$dp_pid"; wait "$dp_pid" || true; dp_pid=""
/usr/bin/python3 "$here/dp_pcap_frames.py" check "$tmp/out1.pcap"
