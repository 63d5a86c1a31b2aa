#!/bin/bash
# aegw-srtp, the offline tool: --hex round trips through every suite and
# both backends, then a real peer. ffmpeg's own SRTP sender (not libsrtp)
# is captured on loopback, unprotected from the pcap and compared byte for
# byte with ffmpeg's plain RTP of the same deterministic lavfi source.
# GStreamer's srtpenc (libsrtp) is a second peer when it is installed.
#
#   ffmpeg --SRTP + SRTCP--> 127.0.0.1:P, P+1  \
#   ffmpeg --plain RTP-----> [::1]:Q            > nobody listens; dumpcap
#   gst srtpenc --SRTP-----> 127.0.0.1:G       /  on lo sees all of it
#
# Usage: aegw_srtp_tool_test.sh PATH/TO/aegw-srtp
# Capturing needs root (or dumpcap's capabilities).
set -eu

TOOL=$1
KEY=AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd # bytes 00..1d (PEERS.md)
BADKEY=AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwe
KEYHEX=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d
SSRC=287454020
T=$(mktemp -d)
CAP_PID=

cleanup() {
	if [ -n "$CAP_PID" ]; then
		kill -INT "$CAP_PID" 2>/dev/null || true
		wait "$CAP_PID" 2>/dev/null || true
	fi
	rm -rf "$T"
}
trap cleanup EXIT

die() {
	echo "FAIL: $*" >&2
	exit 1
}

ok() {
	echo "ok: $*"
}

tool() {
	timeout 60 "$TOOL" "$@"
}

# base64 of the bytes 00 01 ... (n-1), for each suite's key||salt length.
key_for() {
	case $1 in
	AES_CM_128_*) echo "$KEY" ;;
	AES_192_CM_*) echo AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCU= ;;
	AES_256_CM_*) echo AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLQ== ;;
	AEAD_AES_128_GCM) echo AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGw== ;;
	AEAD_AES_256_GCM) echo AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKis= ;;
	esac
}

# ---- (i) --hex round trips ----------------------------------------------

RTP1=800000010000000011223344abababababababababababababababababababababab
RTP2=80e0000200000140112233440102030405060708090a
RTCP=81c800061122334400000001000000020000000300000004000000050000000611111111

hex_round_trip() { # suite, extra args...
	local suite=$1 key enc dec
	shift
	key=$(key_for "$suite")
	enc=$(tool protect --suite "$suite" --key "$key" "$@" --hex $RTP1 $RTP2 $RTCP) ||
		die "$suite $*: protect failed"
	[ "$(echo "$enc" | wc -l)" -eq 3 ] || die "$suite: protect printed $enc"
	case $enc in *$RTP1*) die "$suite: RTP payload not encrypted" ;; esac
	# shellcheck disable=SC2086
	dec=$(tool unprotect --suite "$suite" --key "$key" "$@" --backend openssl --hex $enc) ||
		die "$suite $*: unprotect failed"
	[ "$dec" = "$(printf '%s\n%s\n%s' $RTP1 $RTP2 $RTCP)" ] ||
		die "$suite $*: round trip gave $dec"
}

for suite in AES_CM_128_HMAC_SHA1_80 AES_CM_128_HMAC_SHA1_32 \
	AES_192_CM_HMAC_SHA1_80 AES_192_CM_HMAC_SHA1_32 \
	AES_256_CM_HMAC_SHA1_80 AES_256_CM_HMAC_SHA1_32 \
	AEAD_AES_128_GCM AEAD_AES_256_GCM; do
	hex_round_trip $suite
	hex_round_trip $suite --roc 7
done
ok "--hex protect/unprotect round trip, every suite, ipsecmb -> openssl"

# Lifetime and MKI in the inline value, and --mki replacing the MKI.
hex_round_trip AES_CM_128_HMAC_SHA1_80 --key "$KEY|2^31|1:4"
enc=$(tool protect --suite AES_CM_128_HMAC_SHA1_80 --key "inline:$KEY|1:4" --mki a1b2 --hex $RTP1)
plain_len=${#RTP1}
[ "${enc:$plain_len:4}" = a1b2 ] || die "--mki a1b2 not in the packet: $enc"
[ $(( ${#enc} - plain_len )) -eq $(( (2 + 10) * 2 )) ] || die "MKI+tag length: $enc"
ok "lifetime, MKI:length and --mki"

# --rtcp forces SRTCP for every packet (PT 200 is RTCP anyway; RTP1 is not).
enc=$(tool protect --suite AES_CM_128_HMAC_SHA1_80 --key "$KEY" --rtcp --hex $RTCP)
[ $(( ${#enc} - ${#RTCP} )) -eq $(( (4 + 10) * 2 )) ] || die "--rtcp: no SRTCP trailer: $enc"
ok "--rtcp"

# A wrong key fails, names the packet, echoes it unchanged, exits 1.
rc=0
tool unprotect --suite AES_CM_128_HMAC_SHA1_80 --key "$BADKEY" --hex "$enc" \
	>"$T/out" 2>"$T/err" || rc=$?
[ $rc -eq 1 ] || die "wrong key: exit $rc"
grep -q '^packet 1: authentication tag mismatch$' "$T/err" || die "wrong key: $(cat "$T/err")"
[ "$(cat "$T/out")" = "$enc" ] || die "failed packet not echoed unchanged"
ok "--hex wrong key"

# Usage errors exit 2 with a message.
usage_case() {
	local rc=0
	tool "$@" >/dev/null 2>"$T/err" || rc=$?
	[ $rc -eq 2 ] || die "'$*': exit $rc, want 2"
	grep -q 'aegw-srtp: ' "$T/err" || die "'$*': no message"
}
usage_case
usage_case encrypt --suite AEAD_AES_128_GCM --key "$KEY" --hex 80
usage_case protect --suite NOPE --key "$KEY" --hex 80
usage_case protect --suite AES_CM_128_HMAC_SHA1_80 --hex 80
usage_case protect --suite AES_CM_128_HMAC_SHA1_80 --key "$KEY|1:5" --hex 80
usage_case protect --suite AEAD_AES_128_GCM --key "$KEY" --hex 80
usage_case protect --suite AES_CM_128_HMAC_SHA1_80 --key "$KEY" --hex 8
usage_case protect --suite AES_CM_128_HMAC_SHA1_80 --key "$KEY" --in x.pcap
usage_case protect --suite AES_CM_128_HMAC_SHA1_80 --key "$KEY" --mki 0102030405 --hex 80
usage_case protect --suite AES_CM_128_HMAC_SHA1_80 --key "$KEY" --port 0 --in a --out b
usage_case protect --suite AES_CM_128_HMAC_SHA1_80 --key "$KEY" --backend x --hex 80
tool --help | grep -q UNCHANGED || die "--help does not say what happens to failed packets"
ok "usage errors exit 2"

# ---- (ii) a real peer: ffmpeg ---------------------------------------------

for p in ffmpeg dumpcap tshark editcap; do
	if ! command -v $p >/dev/null; then
		echo "SKIP: $p not installed (scripts/install-deps.sh): no peer test"
		exit 77
	fi
done
if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP: capturing on lo needs root: no peer test"
	exit 77
fi

rand_port() { # in 20000..59999, even
	echo $(( ($(od -An -N2 -tu2 /dev/urandom) % 20000) * 2 + 20000 ))
}
P=$(rand_port)
Q=$(( P + 2 ))
G=$(( P + 4 ))

start_capture() { # file filter
	dumpcap -q -i lo -f "$2" -w "$1" -a duration:60 2>"$T/dumpcap.err" &
	CAP_PID=$!
	for _ in $(seq 100); do
		grep -q 'Capturing on' "$T/dumpcap.err" 2>/dev/null && return 0
		kill -0 "$CAP_PID" 2>/dev/null || break
		sleep 0.1
	done
	die "dumpcap did not start: $(cat "$T/dumpcap.err")"
}

stop_capture() {
	sleep 0.3 # let the last packets reach the ring
	kill -INT "$CAP_PID"
	wait "$CAP_PID" || die "dumpcap: $(cat "$T/dumpcap.err")"
	CAP_PID=
}

ffmpeg_tone() { # output options and URL...
	timeout 30 ffmpeg -nostdin -hide_banner -loglevel error -re -f lavfi \
		-i sine=frequency=1000:duration=1:sample_rate=8000:samples_per_frame=160 \
		-ac 1 -c:a pcm_mulaw -f rtp -ssrc $SSRC "$@" >/dev/null
}

shark() {
	timeout 60 tshark "$@" 2>/dev/null
}

# RTP payload bytes, one packet a line.
payloads() { # file port
	shark -r "$1" -d "udp.port==$2,rtp" -Y "udp.port==$2" -T fields -e rtp.payload
}

# Every UDP (and IPv4 header) checksum verified good by tshark.
checksums_good() { # file
	shark -r "$1" -o udp.check_checksum:TRUE -o ip.check_checksum:TRUE \
		-T fields -e udp.checksum.status -e ip.checksum.status >"$T/ck"
	[ -s "$T/ck" ] && ! grep -qv $'^1\t*1*$' "$T/ck"
}

start_capture "$T/all.pcapng" "udp port $P or udp port $((P + 1)) or udp port $Q"
ffmpeg_tone -srtp_out_suite AES_CM_128_HMAC_SHA1_80 -srtp_out_params "$KEY" \
	"srtp://127.0.0.1:$P" &
FF1=$!
ffmpeg_tone "rtp://[::1]:$Q" || die "ffmpeg (plain RTP) failed"
wait $FF1 || die "ffmpeg (SRTP) failed"
stop_capture

shark -r "$T/all.pcapng" -Y "udp.port==$P" -F pcap -w "$T/srtp.pcap"
shark -r "$T/all.pcapng" -Y "udp.port==$P || udp.port==$((P + 1))" -w "$T/srtp_rtcp.pcapng"
shark -r "$T/all.pcapng" -Y "udp.port==$Q" -w "$T/ref.pcapng"
n=$(shark -r "$T/srtp.pcap" | wc -l)
nref=$(shark -r "$T/ref.pcapng" | wc -l)
if [ "$n" -eq 0 ] || [ "$n" -ne "$nref" ]; then
	die "captured $n SRTP and $nref RTP packets"
fi

# The brief's command: every packet decrypted, nothing on stderr.
tool unprotect --suite AES_CM_128_HMAC_SHA1_80 --key "$KEY" \
	--in "$T/srtp.pcap" --out "$T/plain.pcap" --port "$P" 2>"$T/err" ||
	die "unprotect of ffmpeg's SRTP: $(head "$T/err")"
[ ! -s "$T/err" ] || die "unprotect complained: $(head "$T/err")"
payloads "$T/plain.pcap" "$P" >"$T/plain.pl"
payloads "$T/ref.pcapng" "$Q" >"$T/ref.pl"
payloads "$T/srtp.pcap" "$P" >"$T/srtp.pl"
[ "$(wc -l <"$T/plain.pl")" -eq "$n" ] || die "plain.pcap has $(wc -l <"$T/plain.pl") RTP packets, want $n"
cmp -s "$T/plain.pl" "$T/ref.pl" || die "decrypted payload differs from ffmpeg's plain RTP"
! cmp -s "$T/srtp.pl" "$T/ref.pl" || die "the capture was not encrypted"
grep -q '^ffb8afb8ff382f38' "$T/plain.pl" || die "not the 1 kHz mu-law tone: $(head -c 40 "$T/plain.pl")"
checksums_good "$T/plain.pcap" || die "bad checksums in plain.pcap: $(sort "$T/ck" | uniq -c)"
shark -r "$T/srtp.pcap" -T fields -e frame.time_epoch >"$T/t1"
shark -r "$T/plain.pcap" -T fields -e frame.time_epoch >"$T/t2"
cmp -s "$T/t1" "$T/t2" || die "timestamps not kept"
ok "ffmpeg SRTP ($n packets) decrypts to ffmpeg's plain RTP payload, checksums and timestamps good"

# RTP and SRTCP on their own ports, no --port: RTCP found by its PT.
nrtcp=$(shark -r "$T/srtp_rtcp.pcapng" -Y "udp.port==$((P + 1))" | wc -l)
[ "$nrtcp" -ge 1 ] || die "ffmpeg sent no RTCP"
tool unprotect --suite AES_CM_128_HMAC_SHA1_80 --key "$KEY" \
	--in "$T/srtp_rtcp.pcapng" --out "$T/plain_rtcp.pcap" 2>"$T/err" ||
	die "unprotect of ffmpeg's SRTP+SRTCP: $(head "$T/err")"
shark -r "$T/plain_rtcp.pcap" -d "udp.port==$((P + 1)),rtcp" -Y rtcp \
	-T fields -e rtcp.senderssrc -e rtcp.sender.packetcount >"$T/rtcp"
# ffmpeg's first SR comes before any RTP: a packet count of 0 in clear.
grep -q "^0x$(printf '%08x' $SSRC)"$'\t0$' "$T/rtcp" || die "SRTCP not decrypted: $(cat "$T/rtcp")"
ok "ffmpeg SRTCP ($nrtcp packets) decrypts too"

rc=0
tool unprotect --suite AES_CM_128_HMAC_SHA1_80 --key "$BADKEY" \
	--in "$T/srtp.pcap" --out "$T/bad.pcap" --port "$P" 2>"$T/err" || rc=$?
[ $rc -ne 0 ] || die "wrong key: exit 0"
grep -q '^packet 1: authentication tag mismatch$' "$T/err" || die "wrong key: $(head -3 "$T/err")"
[ "$(grep -c 'authentication tag mismatch' "$T/err")" -eq "$n" ] || die "not every packet failed"
payloads "$T/bad.pcap" "$P" | cmp -s - "$T/srtp.pl" || die "failed packets not copied unchanged"
ok "wrong key: every packet fails, copied unchanged"

# pcap round trip over IPv6 (the UDP checksum is mandatory there), GCM,
# ipsecmb protect and openssl unprotect.
GCM_KEY=$(key_for AEAD_AES_128_GCM)
tool protect --suite AEAD_AES_128_GCM --key "$GCM_KEY" --in "$T/ref.pcapng" \
	--out "$T/gcm6.pcap" --port "$Q" || die "protect over IPv6"
checksums_good "$T/gcm6.pcap" || die "bad checksums in gcm6.pcap: $(sort "$T/ck" | uniq -c)"
tool unprotect --suite AEAD_AES_128_GCM --key "$GCM_KEY" --backend openssl \
	--in "$T/gcm6.pcap" --out "$T/plain6.pcap" --port "$Q" || die "unprotect over IPv6"
payloads "$T/plain6.pcap" "$Q" | cmp -s - "$T/ref.pl" || die "IPv6 GCM round trip changed the payload"
ok "IPv6 pcap protect/unprotect round trip (AEAD_AES_128_GCM)"

# Frames cut by the snaplen are failures with a reason, not a crash.
editcap -s 60 "$T/srtp.pcap" "$T/cut.pcap" >/dev/null
rc=0
tool unprotect --suite AES_CM_128_HMAC_SHA1_80 --key "$KEY" \
	--in "$T/cut.pcap" --out "$T/cut_out.pcap" 2>"$T/err" || rc=$?
[ $rc -eq 1 ] || die "truncated frames: exit $rc"
grep -q '^packet 1: IP packet truncated in the capture$' "$T/err" || die "truncated: $(head -3 "$T/err")"
ok "truncated frames reported"

# ---- (iii) a second peer: GStreamer srtpenc (libsrtp) ---------------------

if ! command -v gst-launch-1.0 >/dev/null ||
	! timeout 30 gst-inspect-1.0 srtpenc >/dev/null 2>&1; then
	echo "SKIP: GStreamer srtpenc not installed (gstreamer1.0-tools," \
		"gstreamer1.0-plugins-bad): no libsrtp peer test"
	exit 0
fi
start_capture "$T/gst.pcapng" "udp port $G"
timeout 30 gst-launch-1.0 -q audiotestsrc num-buffers=50 samplesperbuffer=160 \
	freq=1000 ! audio/x-raw,rate=8000,channels=1 ! mulawenc ! \
	rtppcmupay ssrc=$SSRC ! srtpenc key=$KEYHEX rtp-cipher=aes-128-icm \
	rtp-auth=hmac-sha1-32 rtcp-cipher=aes-128-icm rtcp-auth=hmac-sha1-80 ! \
	udpsink host=127.0.0.1 port="$G" >/dev/null || die "gst-launch-1.0 failed"
stop_capture
ngst=$(shark -r "$T/gst.pcapng" | wc -l)
[ "$ngst" -gt 0 ] || die "srtpenc sent nothing"
tool unprotect --suite AES_CM_128_HMAC_SHA1_32 --key "$KEY" \
	--in "$T/gst.pcapng" --out "$T/gst_plain.pcap" --port "$G" 2>"$T/err" ||
	die "unprotect of srtpenc's SRTP: $(head "$T/err")"
payloads "$T/gst_plain.pcap" "$G" >"$T/gst.pl"
[ "$(wc -l <"$T/gst.pl")" -eq "$ngst" ] || die "srtpenc: not every packet decrypted"
ok "GStreamer srtpenc AES_CM_128_HMAC_SHA1_32 ($ngst packets) decrypts"
