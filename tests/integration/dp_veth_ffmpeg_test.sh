#!/bin/sh
# aegw-dataplane end to end on veth pairs, with ffmpeg as the peers.
#
#  netns ue-N                 netns aegw-N                        netns core-N
# +----------------+        +--------------------------------+   +-----------------+
# | ue0 10.0.0.2/24|--veth--| acc  net_af_packet port 0      |   |                 |
# |  ffmpeg SRTP   |        |      aegw 10.0.0.1             |   |                 |
# |  tx -> :20000  |        |  aegw-dataplane (no kernel IP) |   |                 |
# |  rx <- :7000   |        | cor  net_af_packet port 1      |---| core0           |
# +----------------+        |      aegw 192.168.0.1          |   | 192.168.0.2/24  |
#                           +--------------------------------+   | ffmpeg RTP      |
#                                                                | rx <- :9000     |
#                                                                | tx -> :20002    |
#                                                                +-----------------+
# e2ae-in  (stream 1): UE SRTP 1000 Hz -> 10.0.0.1:20000 -> plain RTP from
#                      192.168.0.1:20002 to 192.168.0.2:9000; the core's
#                      ffmpeg decodes it and the tone must be 1000 Hz.
# e2ae-out (stream 2): core RTP 1500 Hz -> 192.168.0.1:20002 -> SRTP under
#                      aegw's key from 10.0.0.1:20000 to 10.0.0.2:7000; the
#                      UE's ffmpeg decrypts it (a=crypto in its SDP) and the
#                      tone must be 1500 Hz.
# ARP is real: aegw resolves each peer as its stream is installed, and the
# kernels learn aegw's MAC from those requests (or ask themselves).
#
# usage: dp_veth_ffmpeg_test.sh AEGW_DATAPLANE AEGW_DPCTL
# Needs root (namespaces) and ffmpeg; exits 77 (skipped) without them.
set -eu

dataplane=$1
dpctl=$2
top=$(cd "$(dirname "$0")/../.." && pwd)
n=$$
inst=vethtest$n

skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "needs root for network namespaces"
command -v ffmpeg >/dev/null || skip "ffmpeg not installed"
command -v ip >/dev/null || skip "iproute2 not installed"

. "$top/scripts/lab.sh"
lab_init "aegwt$n"
tmp=$(mktemp -d)
test_cleanup() { rm -f "/dev/shm/aegw-$inst"; rm -rf "$tmp"; }
LAB_CLEANUP_HOOK=test_cleanup

# key||salt: UE's (in its a=crypto) and aegw's own, base64 of 30 bytes.
ue_key=AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd
gw_key=HRwbGhkYFxYVFBMSERAPDg0MCwoJCAcGBQQDAgEA
suite=AES_CM_128_HMAC_SHA1_80

lab_ns ue ue; lab_ns gw gw; lab_ns core core
lab_veth "$ue" ue0 10.0.0.2/24 "$gw" acc -
lab_veth "$core" core0 192.168.0.2/24 "$gw" cor -

lab_dataplane "$gw" "$dataplane" "$inst" "$tmp/dataplane.log" ||
	{ cat "$tmp/dataplane.log"; exit 1; }
dp_pid=$LAB_PID
lab_wait 10 "$dpctl" --instance "$inst" info || { cat "$tmp/dataplane.log"; exit 1; }

"$dpctl" --instance "$inst" add 1 e2ae-in --local 10.0.0.1:20000 \
	--in-port 0 --out-port 1 --egress-src 192.168.0.1:20002 \
	--egress-dst 192.168.0.2:9000 --in-key "$suite:$ue_key"
"$dpctl" --instance "$inst" add 2 e2ae-out --local 192.168.0.1:20002 \
	--in-port 1 --out-port 0 --egress-src 10.0.0.1:20000 \
	--egress-dst 10.0.0.2:7000 --out-key "$suite:$gw_key"

cat >"$tmp/core.sdp" <<EOF
v=0
o=- 0 0 IN IP4 192.168.0.2
s=core
c=IN IP4 192.168.0.2
t=0 0
m=audio 9000 RTP/AVP 0
a=rtpmap:0 PCMU/8000
EOF
cat >"$tmp/ue.sdp" <<EOF
v=0
o=- 0 0 IN IP4 10.0.0.2
s=ue
c=IN IP4 10.0.0.2
t=0 0
m=audio 7000 RTP/SAVP 0
a=rtpmap:0 PCMU/8000
a=crypto:1 $suite inline:$gw_key
EOF

# Receivers first (they stop after 3 s of audio or 15 s of waiting).
rx() { # NS SDP OUT
	ip netns exec "$1" timeout 15 ffmpeg -hide_banner -loglevel error \
		-protocol_whitelist file,udp,rtp -i "$2" -t 3 -y "$3" \
		>"$3.log" 2>&1 &
}
rx "$core" "$tmp/core.sdp" "$tmp/core.wav"; rx_core=$!
rx "$ue" "$tmp/ue.sdp" "$tmp/ue.wav"; rx_ue=$!
sleep 1

tone() { # FREQ
	echo "-re -f lavfi -i sine=frequency=$1:duration=4:sample_rate=8000:samples_per_frame=160 -ac 1 -c:a pcm_mulaw -f rtp"
}
ip netns exec "$ue" ffmpeg -hide_banner -loglevel error $(tone 1000) \
	-ssrc 287454020 -srtp_out_suite "$suite" -srtp_out_params "$ue_key" \
	srtp://10.0.0.1:20000 >"$tmp/tx_ue.log" 2>&1 &
tx_ue=$!
ip netns exec "$core" ffmpeg -hide_banner -loglevel error $(tone 1500) \
	-ssrc 305419896 rtp://192.168.0.1:20002 >"$tmp/tx_core.log" 2>&1 &
tx_core=$!
wait "$tx_ue" "$tx_core" || true
status=0
wait "$rx_core" || status=1
wait "$rx_ue" || status=1

"$dpctl" --instance "$inst" dump | tee "$tmp/dump.txt"

freq() { /usr/bin/python3 "$top/scripts/lab_media.py" freq "$1"; }
check_tone() { # WAV WANT WHAT
	if [ ! -s "$1" ]; then
		echo "FAIL: $3: no audio"; cat "$1.log" 2>/dev/null; return 1
	fi
	f=$(freq "$1")
	if [ "$f" -lt $(($2 * 97 / 100)) ] || [ "$f" -gt $(($2 * 103 / 100)) ]; then
		echo "FAIL: $3: tone $f Hz, want $2 Hz"; return 1
	fi
	echo "ok: $3: tone $f Hz"
}
check_tone "$tmp/core.wav" 1000 "e2ae-in, core hears the UE" || status=1
check_tone "$tmp/ue.wav" 1500 "e2ae-out, UE decrypts aegw's SRTP" || status=1
grep -q "drop_auth_failed" "$tmp/dump.txt" && { echo "FAIL: auth failures"; status=1; }
# The same counters through DPDK telemetry, as dpdk-telemetry.py reads them.
/usr/bin/python3 - "/var/run/dpdk/$inst/dpdk_telemetry.v2" <<'EOF' || status=1
import json, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.connect(sys.argv[1])
json.loads(s.recv(65536))  # the server's hello
s.send(b"/aegw/workers")
w = json.loads(s.recv(1 << 20))["/aegw/workers"]["worker0"]
print("telemetry /aegw/workers:", {k: v for k, v in w.items() if v})
assert w["rx_packets"] > 0 and w["neigh_learned"] >= 2, "telemetry counters empty"
EOF
kill "$dp_pid"; wait "$dp_pid" || true
cat "$tmp/dataplane.log"
grep -q "neigh_learned 2" "$tmp/dataplane.log" || { echo "FAIL: the peers were not resolved by ARP"; status=1; }
exit $status
