#!/bin/sh
# Kamailio 5.6 (Debian's, its own rtpengine module) with aegw-control as
# its rtpengine node: the drop-in the ng protocol promises. sipp as the UE
# (an SRTP offer with SDES) and as the core (the plain RTP answer sipp's
# built-in uas sends); aegw-dataplane on net_null ports holds the streams.
#
#   sipp UAC :UAC_PORT --INVITE RTP/SAVP+crypto--> kamailio :KAM_PORT
#        ^                                          |  rtpengine_offer/answer/delete
#        |                                          v  (ng, UDP)
#        '-- 200 RTP/SAVP, aegw's key --        aegw-control --ring--> aegw-dataplane
#                                                   |
#   sipp UAS :UAS_PORT <--INVITE RTP/AVP, no crypto-'
#
# Checked: Kamailio starts (it pings aegw-control and disables a node that
# does not answer), the call is set up and torn down (both sipp scenarios
# pass), the UE sees RTP/SAVP from aegw's access address with an a=crypto
# line of aegw's own (the UAC's scenario checks it), the core sees RTP/AVP
# from aegw's core address without a=crypto, and aegw-control counted one
# offer, one answer, one delete and holds no call afterwards.
#
# usage: control_kamailio_test.sh AEGW_DATAPLANE AEGW_CONTROL KAMAILIO_CFG UAC_XML
# Exits 77 (skipped) without kamailio or sipp (Debian: kamailio, sip-tester).
set -eu

dataplane=$1
control=$2
cfg_in=$3
uac_xml=$4
n=$$
inst=ctlkam$n
base=$((20000 + (n % 1400) * 32))
ng=$base kam=$((base + 1)) uac=$((base + 2)) uas=$((base + 3))
tmp=$(mktemp -d)
pids=""

skip() { echo "SKIP: $*"; exit 77; }
command -v kamailio >/dev/null || skip "kamailio not installed"
command -v sipp >/dev/null || skip "sipp not installed (Debian: sip-tester)"

cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null || true; done
	for p in $pids; do wait "$p" 2>/dev/null || true; done
	rm -f "/dev/shm/aegw-$inst"
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

show_logs() {
	for f in control kamailio uas.msg uac.msg uas uac dataplane; do
		[ -s "$tmp/$f" ] || [ -s "$tmp/$f.log" ] || continue
		echo "---- $f"; cat "$tmp/$f" "$tmp/$f.log" 2>/dev/null | tail -60
	done
}

"$dataplane" -l 0,1 --no-huge -m 512 --no-pci --file-prefix "$inst" \
	--log-level '*:warning' --vdev net_null0 --vdev net_null1 -- \
	--instance "$inst" --unlink-at-exit >"$tmp/dataplane.log" 2>&1 &
pids="$pids $!"
for i in $(seq 50); do
	[ -e "/dev/shm/aegw-$inst" ] && break
	sleep 0.2
done
"$control" --listen-ng "127.0.0.1:$ng" --instance "$inst" \
	--interface access=10.0.0.1/20000-29999@0 \
	--interface core=192.168.0.1/30000-39999@1 \
	--log-level 7 >"$tmp/control.log" 2>&1 &
pids="$pids $!"
sleep 1

sed -e "s/KAMAILIO_PORT/$kam/" -e "s/AEGW_NG_PORT/$ng/" \
	-e "s/UAS_PORT/$uas/" "$cfg_in" >"$tmp/kamailio.cfg"
kamailio -c -f "$tmp/kamailio.cfg" >"$tmp/kamailio.log" 2>&1 ||
	{ show_logs; echo "FAIL: kamailio -c"; exit 1; }
kamailio -f "$tmp/kamailio.cfg" -DD -E -Y "$tmp" -w "$tmp" \
	>>"$tmp/kamailio.log" 2>&1 &
pids="$pids $!"
sleep 2

cd "$tmp"
sipp -sn uas -i 127.0.0.1 -p "$uas" -mp $((base + 20)) -m 1 -nostdin \
	-timeout 30s -trace_msg -message_file "$tmp/uas.msg" \
	>"$tmp/uas.log" 2>&1 &
uas_pid=$!
pids="$pids $uas_pid"
sleep 0.5
status=0
sipp -sf "$uac_xml" -s e2ae -i 127.0.0.1 -p "$uac" -mp $((base + 10)) -m 1 \
	-nostdin -timeout 30s -trace_msg -message_file "$tmp/uac.msg" \
	"127.0.0.1:$kam" >"$tmp/uac.log" 2>&1 || { echo "FAIL: the UAC's scenario"; status=1; }
wait "$uas_pid" || { echo "FAIL: the UAS's scenario"; status=1; }

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

/usr/bin/python3 - "$ng" <<'PY' || status=1
import socket, sys
def bdec(b, i=0):
    c = b[i:i + 1]
    if c == b"i":
        e = b.index(b"e", i)
        return int(b[i + 1:e]), e + 1
    if c in (b"l", b"d"):
        i, items = i + 1, []
        while b[i:i + 1] != b"e":
            x, i = bdec(b, i)
            items.append(x)
        if c == b"l":
            return items, i + 1
        return dict(zip(items[::2], items[1::2])), i + 1
    colon = b.index(b":", i)
    return b[colon + 1:colon + 1 + int(b[i:colon])], colon + 1 + int(b[i:colon])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(3)
s.sendto(b"k1 d7:command10:statisticse", ("127.0.0.1", int(sys.argv[1])))
r = s.recv(65536)
st = bdec(r, r.index(b" ") + 1)[0][b"statistics"]
got = dict(st[b"commands"])
got[b"sessions"] = st[b"currentstatistics"][b"sessionsown"]
got = {k.decode(): v for k, v in got.items() if v}
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
