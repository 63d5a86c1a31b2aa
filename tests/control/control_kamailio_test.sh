#!/bin/sh
# Kamailio 5.6 (Debian's, its own rtpengine module) with aegw-control as
# its rtpengine node: the drop-in the ng protocol promises, with media.
# sipp as the UE (an SRTP offer with SDES, then its SRTP capture played
# with play_pcap_audio) and as the core; aegw-dataplane on veth pairs.
#
#  netns ue               netns pcscf                         netns core
#  sip0 10.99.0.2 --veth-- sipue 10.99.0.1
#   sipp UAC :5070 ------>  Kamailio :5060 --> sipp UAS :5080
#                             | rtpengine (ng 127.0.0.1:2223)
#                           aegw-control --ring--.
#  ue0 10.0.0.2 --veth-- acc [netns gw: aegw-dataplane] cor --veth-- core0 192.168.0.2
#   SRTP from :7000                                       plain RTP to :9000,
#   (play_pcap_audio)                                     captured by dumpcap
#
# Checked: Kamailio starts (it pings aegw-control and disables a node that
# does not answer), the call is set up and torn down (both sipp scenarios
# pass), the UE sees RTP/SAVP from aegw's access address with an a=crypto
# line of aegw's own (the UAC's scenario checks it), the core sees RTP/AVP
# from aegw's core address without a=crypto, the core receives as plain
# RTP exactly the payloads the UE encrypted (libsrtp2 made the capture
# under the key of the UE's offer), the module's MOS variables hold at
# the BYE what aegw-control's query said of the peers' RTCP reports
# (sent meanwhile by kamailio_rtcp_peers.py), and aegw-control counted
# one offer, one answer, one delete and holds no call afterwards.
#
# usage: control_kamailio_test.sh AEGW_DATAPLANE AEGW_CONTROL KAMAILIO_CFG UAC_XML UAS_XML
# Exits 77 (skipped) without root, kamailio, sipp (Debian: kamailio,
# sip-tester), dumpcap (tshark) or python3-pylibsrtp.
set -eu

dataplane=$1
control=$2
cfg_in=$3
uac_xml=$4
uas_xml=$5
top=$(cd "$(dirname "$0")/../.." && pwd)
py=/usr/bin/python3
n=$$
inst=ctlkam$n
ng=2223 kam=5060 uac=5070 uas=5080
ue_key=AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd # as in UAC_XML

skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "needs root for network namespaces"
command -v kamailio >/dev/null || skip "kamailio not installed"
command -v sipp >/dev/null || skip "sipp not installed (Debian: sip-tester)"
command -v dumpcap >/dev/null || skip "dumpcap not installed (Debian: tshark)"
$py -c "import pylibsrtp" 2>/dev/null || skip "python3-pylibsrtp not installed"

. "$top/scripts/lab.sh"
lab_init "aegwk$n"
tmp=$(mktemp -d)
test_cleanup() { rm -f "/dev/shm/aegw-$inst"; rm -rf "$tmp"; }
LAB_CLEANUP_HOOK=test_cleanup

show_logs() {
	for f in control kamailio uas.msg uac.msg uas uac dataplane; do
		[ -s "$tmp/$f" ] || [ -s "$tmp/$f.log" ] || continue
		echo "---- $f"; cat "$tmp/$f" "$tmp/$f.log" 2>/dev/null | tail -60
	done
}

lab_ns ue ue; lab_ns gw gw; lab_ns core core; lab_ns pcscf pcscf
lab_veth "$ue" sip0 10.99.0.2/24 "$pcscf" sipue 10.99.0.1/24
lab_veth "$ue" ue0 10.0.0.2/24 "$gw" acc -
lab_veth "$core" core0 192.168.0.2/24 "$gw" cor -

lab_dataplane "$gw" "$dataplane" "$inst" "$tmp/dataplane.log" ||
	{ show_logs; exit 1; }
lab_bg "$pcscf" "$control" --listen-ng "127.0.0.1:$ng" --instance "$inst" \
	--interface access=10.0.0.1/20000-29999@0 \
	--interface core=192.168.0.1/30000-39999@1 \
	--log-level 7 >"$tmp/control.log" 2>&1
sleep 0.5

sed -e "s/KAMAILIO_ADDR/10.99.0.1/" -e "s/KAMAILIO_PORT/$kam/" \
	-e "s/AEGW_NG_PORT/$ng/" -e "s/UAS_ADDR/10.99.0.1/" \
	-e "s/UAS_PORT/$uas/" "$cfg_in" >"$tmp/kamailio.cfg"
kamailio -c -f "$tmp/kamailio.cfg" >"$tmp/kamailio.log" 2>&1 ||
	{ show_logs; echo "FAIL: kamailio -c"; exit 1; }
lab_bg "$pcscf" kamailio -f "$tmp/kamailio.cfg" -DD -E -Y "$tmp" -w "$tmp" \
	>>"$tmp/kamailio.log" 2>&1
sleep 2

# The UE's media: 2 s of a 1000 Hz tone, SRTP under the key of its offer.
$py "$top/scripts/lab_media.py" srtp-pcap "$tmp/ue_srtp.pcap" \
	"AES_CM_128_HMAC_SHA1_80:$ue_key" 1000 2 "$tmp/sent.txt"
lab_bg "$core" dumpcap -q -P -i core0 -f "udp dst port 9000" \
	-w "$tmp/core.pcap" 2>/dev/null
cap=$LAB_PID
lab_wait 5 test -s "$tmp/core.pcap" || { echo "FAIL: dumpcap"; exit 1; }

cd "$tmp"
lab_bg "$pcscf" sipp -sf "$uas_xml" -i 10.99.0.1 -p "$uas" -m 1 -nostdin \
	-timeout 30s -key core_ip 192.168.0.2 -key core_port 9000 \
	-key core_proto RTP/AVP -key core_attr a=sendrecv \
	-trace_msg -message_file "$tmp/uas.msg" >"$tmp/uas.log" 2>&1
uas_pid=$LAB_PID
sleep 0.5
# The peers' RTCP while the UE's media plays (kamailio_rtcp_peers.py).
lab_bg "$pcscf" $py "$top/tests/control/kamailio_rtcp_peers.py" \
	"$top/scripts" "$ng" "$ue" "$core" "$ue_key" "$tmp/mos.txt" \
	>"$tmp/rtcp.log" 2>&1
rtcp_pid=$LAB_PID
status=0
ip netns exec "$ue" sipp -sf "$uac_xml" -s e2ae -i 10.99.0.2 -p "$uac" \
	-mi 10.0.0.2 -mp 7000 -m 1 -nostdin -timeout 30s -trace_msg \
	-message_file "$tmp/uac.msg" "10.99.0.1:$kam" >"$tmp/uac.log" 2>&1 ||
	{ echo "FAIL: the UAC's scenario"; status=1; }
wait "$uas_pid" || { echo "FAIL: the UAS's scenario"; status=1; }
wait "$rtcp_pid" || { echo "FAIL: the peers' RTCP"; status=1; }
cat "$tmp/rtcp.log"
kill -INT "$cap"; wait "$cap" || true

# The core's view: the INVITE as the UAS received it.
invite=$(awk '/received/{r=1} r&&/^INVITE /{p=1} p{print} p&&/^a=rtpmap/{exit}' "$tmp/uas.msg")
echo "the core was offered:"; echo "$invite" | grep -E "^(c|m)="
echo "the UE was answered:"
awk '/^SIP\/2.0 200/{p=1} p{print} p&&/^a=rtpmap/{exit}' "$tmp/uac.msg" |
	grep -E "^(c|m)=" || true
echo "$invite" | grep -q "^m=audio [0-9]* RTP/AVP 0" ||
	{ echo "FAIL: the core was not offered RTP/AVP"; status=1; }
echo "$invite" | grep -q "^c=IN IP4 192.168.0.1" ||
	{ echo "FAIL: the core was not given aegw's core address"; status=1; }
grep -q "a=crypto" "$tmp/uas.msg" &&
	{ echo "FAIL: a=crypto reached the core"; status=1; }
grep "a=crypto" "$tmp/uac.msg" | grep -v AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd |
	grep -q "inline:" || { echo "FAIL: the UE did not get aegw's own key"; status=1; }

# The core's media: every payload the UE encrypted, in order, as plain RTP.
$py "$top/scripts/lab_media.py" payloads "$tmp/core.pcap" 9000 >"$tmp/got.txt"
if cmp -s "$tmp/sent.txt" "$tmp/got.txt"; then
	echo "ok: the core received all $(wc -l <"$tmp/sent.txt") payloads as plain RTP"
else
	echo "FAIL: the core received $(wc -l <"$tmp/got.txt") of $(wc -l <"$tmp/sent.txt") payloads, or others"
	status=1
fi

# What Kamailio's rtpengine module read from the delete's reply into its
# mos_*_pv variables: the MOS aegw-control gave the query during the call.
if read -r mos rtt <"$tmp/mos.txt" 2>/dev/null; then
	want="aegw-mos average=$((mos / 10)).$((mos % 10)) min=$((mos / 10)).$((mos % 10)) max=$((mos / 10)).$((mos % 10)) rtt=$rtt"
	if grep -qF "$want" "$tmp/kamailio.log"; then
		echo "ok: Kamailio read the call's MOS: $want"
	else
		echo "FAIL: Kamailio's log lacks '$want':"
		grep "aegw-mos" "$tmp/kamailio.log" || true
		status=1
	fi
else
	echo "FAIL: no MOS from aegw-control"; status=1
fi

ip netns exec "$pcscf" $py - "$top/scripts" "$ng" <<'PY' || status=1
import sys
sys.path.insert(0, sys.argv[1])
from aegw_lab import Ng
st = Ng("127.0.0.1", sys.argv[2])(command="statistics")["statistics"]
got = dict(st["commands"])
got["sessions"] = st["currentstatistics"]["sessionsown"]
got = {k: v for k, v in got.items() if v}
print("aegw-control counted:", got)
ok = all(got.get(k, 0) >= 1 for k in ("ping", "offer", "answer", "delete")) \
    and "sessions" not in got
print("ok: Kamailio pinged, offered, answered and deleted" if ok else
      "FAIL: aegw-control's counters")
sys.exit(0 if ok else 1)
PY
[ $status = 0 ] && echo "ok: a call through Kamailio with aegw-control as its rtpengine" ||
	show_logs
exit $status
