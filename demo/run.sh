#!/bin/sh
# `make demo`: two real calls through Kamailio and aegw, with real peers.
#
#  netns ue                  netns gw                           netns core
# +------------------+     +------------------------------+   +------------------+
# | ue0 10.0.0.2     |-veth| acc  net_af_packet port 0    |   |                  |
# |  ffmpeg SRTP     |     |      "access" 10.0.0.1       |   |                  |
# |  from :7000      |     |  aegw-dataplane (1 worker)   |   |                  |
# |  dumpcap :7000   |     | cor  net_af_packet port 1    |---| core0 192.168.0.2|
# +------------------+     |      "core" 192.168.0.1      |   |  ffmpeg from :9000|
#                          +------------------------------+   |  dumpcap :9000   |
#  netns pcscf (loopback only)                                 +------------------+
#   sipp UE :5070 -> Kamailio :5060 -> sipp core :5080
#                       | rtpengine module (ng, UDP :2223)
#                   aegw-control --shared-memory ring--> aegw-dataplane
#
# Call 1, e2ae (TS 33.328): the UE offers SRTP with a=3ge2ae:requested.
#   aegw answers the UE with its own key and offers the core plain RTP.
#   The UE's SRTP tone (1000 Hz) must reach the core as plain RTP that
#   decodes to 1000 Hz; the core's tone (1500 Hz) must reach the UE as
#   SRTP that libsrtp2 decrypts with the key of aegw's answer.
# Call 2, e2e SDES: the UE offers SRTP without the request. a=crypto
#   passes to the core unchanged and aegw relays: each side decrypts the
#   other's SRTP with the key from the other's SDP.
#
# Each side's reception is captured on its interface (its sender owns the
# media port, as a symmetric-RTP phone does) and decoded afterwards.
#
# usage: demo/run.sh BUILD_DIR       (root; exits 0 only if all media checks pass)
set -eu

build=$1
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
py=/usr/bin/python3
media="$py $top/scripts/lab_media.py"
suite=AES_CM_128_HMAC_SHA1_80
inst=demo

# 77: what meson's test() takes for "skipped"; make reports it as an error.
[ "$(id -u)" = 0 ] || { echo "make demo needs root (network namespaces)"; exit 77; }
for t in ip ethtool kamailio sipp ffmpeg dumpcap openssl $py; do
	command -v "$t" >/dev/null || { echo "missing $t: run scripts/install-deps.sh"; exit 77; }
done

. "$top/scripts/lab.sh"
lab_init aegwdemo
tmp=$(mktemp -d /tmp/aegw-demo.XXXXXX)
demo_cleanup() {
	rm -f "/dev/shm/aegw-$inst"
	[ "${keep:-0}" = 1 ] || rm -rf "$tmp"
}
LAB_CLEANUP_HOOK=demo_cleanup

say() { printf '\n== %s\n' "$*"; }
fail() { echo "FAIL: $*"; status=1; }
logs() {
	for f in "$tmp"/*.log; do echo "---- $f"; tail -20 "$f"; done
	keep=1; echo "(logs kept in $tmp)"
}

say "network: namespaces ue, gw, core, pcscf; veth ue0<->acc, core0<->cor"
lab_ns ue ue; lab_ns gw gw; lab_ns core core; lab_ns pcscf pcscf
lab_veth "$ue" ue0 10.0.0.2/24 "$gw" acc -
lab_veth "$core" core0 192.168.0.2/24 "$gw" cor -

say "aegw-dataplane in $gw: net_af_packet on acc and cor, --no-huge, 1 worker"
lab_dataplane "$gw" "$build/dataplane/aegw-dataplane" $inst \
	"$tmp/dataplane.log" || { logs; exit 1; }

say "aegw-control in $pcscf: ng on 127.0.0.1:2223"
lab_bg "$pcscf" "$build/control/aegw-control" --listen-ng 127.0.0.1:2223 \
	--instance $inst --interface access=10.0.0.1/20000-29999@0 \
	--interface core=192.168.0.1/30000-39999@1 >"$tmp/control.log" 2>&1
sleep 0.5

say "Kamailio 5.6 in $pcscf: SIP on 127.0.0.1:5060, rtpengine_sock -> aegw-control"
sed -e s/KAMAILIO_PORT/5060/ -e s/AEGW_NG_PORT/2223/ \
	-e s/CORE_UAS/127.0.0.1:5080/ "$here/kamailio.cfg" >"$tmp/kamailio.cfg"
lab_bg "$pcscf" kamailio -f "$tmp/kamailio.cfg" -DD -E -Y "$tmp" -w "$tmp" \
	>"$tmp/kamailio.log" 2>&1
sleep 1.5
grep -q "ping" "$tmp/control.log" || sleep 1

# The value of an SDP line in a sipp message trace: the first match of
# the awk pattern PAT (field FIELD) in the message starting with START.
sdp_field() { # TRACE START PAT FIELD
	awk -v start="$2" -v pat="$3" -v f="$4" '
		{ sub(/\r$/, "") }
		index($0, start) == 1 { on = 1 }
		on && $0 ~ pat { print $f; exit }' "$1"
}
capture() { # NS IF PORT OUT
	lab_bg "$1" dumpcap -q -P -i "$2" -f "udp dst port $3" -w "$4" 2>/dev/null
	captures="$captures $LAB_PID"
	lab_wait 5 test -s "$4"
}
tone() { # FREQ: 4 s of PCMU, 20 ms packets
	echo "-re -f lavfi -i sine=frequency=$1:duration=4:sample_rate=8000:samples_per_frame=160 -ac 1 -c:a pcm_mulaw -f rtp"
}
# WAV WANT CALL DIRECTION PACKETS WHAT: the tone a side heard, into the
# summary.
check() {
	f=$($media freq "$1")
	if [ "$f" -ge $(($2 * 97 / 100)) ] && [ "$f" -le $(($2 * 103 / 100)) ]; then
		verdict=ok
		echo "  ok: $6: $f Hz"
	else
		verdict=FAIL
		fail "$6: heard $f Hz, want $2 Hz"
	fi
	printf '  %-5s %-9s %-43s %5s Hz  %s\n' "$3" "$4" "$5" "$f" "$verdict" \
		>>"$tmp/summary"
}
# CAPTURE PORT WAV [KEY]: decodes what a side captured; prints "N SRTP,
# M decrypted" or "N plain RTP".
heard() {
	$media wav "$@" >"$3.txt"
	sed 's/^/  /' "$3.txt" >&2
	awk -v srtp=$# '{
		print srtp == 4 ? $1 " SRTP, " $7 " decrypted" : $1 " plain RTP" }' "$3.txt"
}

# CALL NAME UE_ATTR CORE_PROTO CORE_KEY: sets up a call, plays both tones,
# hangs up, checks what each side heard.
call() {
	name=$1 ue_attr=$2 core_proto=$3 core_key=$4
	ue_key=$(openssl rand -base64 30)
	d="$tmp/$name"; mkdir -p "$d"
	core_attr="a=sendrecv"
	[ -n "$core_key" ] && core_attr="a=crypto:1 $suite inline:$core_key"

	say "call $name: the UE offers RTP/SAVP with its key${ue_attr:+ and $ue_attr}"
	lab_bg "$pcscf" sipp -sf "$here/core.xml" -i 127.0.0.1 -p 5080 -m 1 \
		-nostdin -timeout 30s -key core_ip 192.168.0.2 -key core_port 9000 \
		-key core_proto "$core_proto" -key core_attr "$core_attr" \
		-trace_msg -message_file "$d/core.msg" >"$d/core-sipp.log" 2>&1
	core_sipp=$LAB_PID
	sleep 0.3
	lab_bg "$pcscf" sipp -sf "$here/ue.xml" -i 127.0.0.1 -p 5070 -m 1 \
		-nostdin -timeout 30s -d 6000 -key ue_ip 10.0.0.2 -key ue_port 7000 \
		-key ue_key "$ue_key" -key ue_attr "${ue_attr:-a=sendrecv}" \
		-trace_msg -message_file "$d/ue.msg" 127.0.0.1:5060 \
		>"$d/ue-sipp.log" 2>&1
	ue_sipp=$LAB_PID
	lab_wait 10 grep -q "^SIP/2.0 200" "$d/ue.msg" ||
		{ fail "no 200 OK reached the UE"; logs; return; }

	gw_acc=$(sdp_field "$d/ue.msg" "SIP/2.0 200" "^m=audio" 2)
	gw_key=$(sdp_field "$d/ue.msg" "SIP/2.0 200" "^a=crypto" 3 | sed 's/^inline://')
	gw_core=$(sdp_field "$d/core.msg" "INVITE" "^m=audio" 2)
	core_offer=$(sdp_field "$d/core.msg" "INVITE" "^m=audio" 3)
	core_crypto=$(sdp_field "$d/core.msg" "INVITE" "^a=crypto" 3 | sed 's/^inline://')
	if [ -n "$core_key" ]; then
		whose="the core's a=crypto, unchanged"
	else
		whose="aegw's own a=crypto$(grep -q '^a=3ge2ae:applied' "$d/ue.msg" && echo ', a=3ge2ae:applied')"
	fi
	echo "  the UE was answered:  m=audio $gw_acc RTP/SAVP, c=10.0.0.1, $whose"
	echo "  the core was offered: m=audio $gw_core $core_offer, c=192.168.0.1${core_crypto:+, the UE's own a=crypto}"

	capture "$ue" ue0 7000 "$d/ue.pcap"
	capture "$core" core0 9000 "$d/core.pcap"
	lab_bg "$pcscf" $py "$here/watch.py" 127.0.0.1:2223 \
		"/var/run/dpdk/$inst/dpdk_telemetry.v2" 8
	watch=$LAB_PID
	core_srtp="" scheme=rtp # base64 has no spaces: split on purpose
	[ -z "$core_key" ] ||
		core_srtp="-srtp_out_suite $suite -srtp_out_params $core_key" scheme=srtp
	lab_bg "$ue" ffmpeg -hide_banner -loglevel error $(tone 1000) \
		-srtp_out_suite $suite -srtp_out_params "$ue_key" \
		"srtp://10.0.0.1:$gw_acc?localport=7000" >"$d/ue-ffmpeg.log" 2>&1
	ue_tx=$LAB_PID
	lab_bg "$core" ffmpeg -hide_banner -loglevel error $(tone 1500) \
		$core_srtp "$scheme://192.168.0.1:$gw_core?localport=9000" \
		>"$d/core-ffmpeg.log" 2>&1
	core_tx_pid=$LAB_PID
	wait "$ue_tx" "$core_tx_pid" || fail "an ffmpeg sender failed"
	sleep 0.5
	kill "$watch" 2>/dev/null || true
	wait "$ue_sipp" || fail "the UE's SIP scenario"
	wait "$core_sipp" || fail "the core's SIP scenario"
	kill -INT $captures 2>/dev/null || true
	wait $captures 2>/dev/null || true
	captures=""

	say "call $name: what each side heard"
	if [ -n "$core_crypto" ]; then # e2e: the core decrypts the UE's own SRTP
		n=$(heard "$d/core.pcap" 9000 "$d/core.wav" "$suite:$core_crypto")
		check "$d/core.wav" 1000 $name "UE->core" "$n with the UE's key" \
			"the core decrypted the UE's SRTP with the UE's key: aegw relayed it"
		n=$(heard "$d/ue.pcap" 7000 "$d/ue.wav" "$suite:$gw_key")
		check "$d/ue.wav" 1500 $name "core->UE" "$n with the core's key" \
			"the UE decrypted the core's SRTP with the core's key: aegw relayed it"
		[ "$gw_key" = "$core_key" ] || fail "the UE did not get the core's key"
	else # e2ae: plain toward the core, aegw's key toward the UE
		n=$(heard "$d/core.pcap" 9000 "$d/core.wav")
		check "$d/core.wav" 1000 $name "UE->core" "$n" \
			"the core heard the UE as plain RTP: aegw decrypted it"
		n=$(heard "$d/ue.pcap" 7000 "$d/ue.wav" "$suite:$gw_key")
		check "$d/ue.wav" 1500 $name "core->UE" "$n with aegw's key" \
			"the UE decrypted aegw's SRTP with the key of aegw's answer"
		[ "$gw_key" != "$ue_key" ] || fail "aegw answered with the UE's own key"
	fi
}

status=0
captures=""
call e2ae "a=3ge2ae:requested" RTP/AVP ""
call e2e "" RTP/SAVP "$(openssl rand -base64 30)"

say "aegw-control after both BYEs"
ip netns exec "$pcscf" $py "$here/watch.py" 127.0.0.1:2223 \
	"/var/run/dpdk/$inst/dpdk_telemetry.v2" 0.5 | sed 's/^/  /'
say "summary: what each side heard, decoded"
printf '  %-5s %-9s %-43s %8s  %s\n' call direction "received by the other side" tone check
cat "$tmp/summary"
[ $status = 0 ] && say "demo passed: e2ae and e2e calls carried real media through aegw" ||
	{ logs; say "demo FAILED"; }
exit $status
