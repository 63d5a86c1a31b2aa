#!/usr/bin/python3
"""The UE and the core of control_veth_test.sh, and the P-CSCF's ng client.

Sets up one e2ae call through aegw-control with Kamailio's offer and answer
(transport-protocol RTP/AVP toward the core, RTP/SAVP back toward the UE),
then proves the keys the dataplane got:

  UE 10.0.0.2:7000 --SRTP (UE key)--> aegw access --plain RTP--> core :9000
  UE 10.0.0.2:7000 <--SRTP (aegw key)-- aegw core <--plain RTP-- core :9000

pylibsrtp (libsrtp2) protects and unprotects; every payload must arrive
intact, packets under a wrong key must not arrive at all, SRTCP from the
UE must arrive as plain RTCP, and the delete reply must count all of it.
Two re-INVITEs (the core's session refresh, the UE's turning rtcp-mux on)
keep aegw's key toward the UE, and the SRTCP aegw protects under it goes
on from the index it had reached.
A second call: both peers send SRs and RRs (the UE's as SRTCP), and the
query gives each one's loss, jitter, round trips and MOS as rtpengine
does. Then --timeout: a third call lives while the UE's SRTP flows for longer
than the timeout, and is deleted within timeout + 2 s once it stops, even
though packets under a wrong key keep arriving (they prove no peer).
Run with Debian's /usr/bin/python3 (python3-pylibsrtp); needs root.

usage: control_veth_peers.py NG_PORT UE_NETNS CORE_NETNS TIMEOUT AEGWCTL_COMMAND
"""
import os
import socket
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..",
                                "scripts"))
from aegw_lab import Ng as NgClient, sdp_field, udp_in_netns  # noqa: E402
from aegw_lab import legacy_mos10, rtcp_rr_echo, rtcp_sr_now  # noqa: E402
from aegw_lab import srtp_session  # noqa: E402

UE_KEY = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd"
WRONG_KEY = "HRwbGhkYFxYVFBMSERAPDg0MCwoJCAcGBQQDAgEA"
N = 50

failures = []


def check(ok, what):
    print(("ok: " if ok else "FAIL: ") + what)
    if not ok:
        failures.append(what)


# ---- RTP ----------------------------------------------------------------

def rtp(seq, ssrc, payload):
    return struct.pack("!BBHII", 0x80, 0, seq, seq * 160, ssrc) + payload


def rtcp_sr(ssrc):
    return struct.pack("!BBHIIIIII", 0x80, 200, 6, ssrc, 0, 0, 0, 0, 0)


def drain(sock, limit):
    got = []
    while len(got) < limit:
        try:
            got.append(sock.recvfrom(2048))
        except socket.timeout:
            break
    return got


def ue_sdp(version=1, extra=""):
    return ("v=0\r\no=ue 1 %d IN IP4 10.0.0.2\r\ns=-\r\nc=IN IP4 10.0.0.2\r\n"
            "t=0 0\r\nm=audio 7000 RTP/SAVP 0\r\na=rtpmap:0 PCMU/8000\r\n"
            "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:%s\r\n%s"
            % (version, UE_KEY, extra))


CORE_SDP = ("v=0\r\no=core 1 1 IN IP4 192.168.0.2\r\ns=-\r\n"
            "c=IN IP4 192.168.0.2\r\nt=0 0\r\nm=audio 9000 RTP/AVP 0\r\n"
            "a=rtpmap:0 PCMU/8000\r\n")
GW_KEY_LINE = "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:"


def ng_common(call_id):
    return {"call-id": call_id, "supports": ["load limit"],
            "replace": ["origin"], "received-from": ["IP4", "127.0.0.1"]}


def setup_call(ng, call_id="veth-call"):
    common = dict(ng_common(call_id), **{"from-tag": "ue-tag"})
    o = ng(command="offer", sdp=ue_sdp(), **{"transport-protocol": "RTP/AVP",
                                             "ICE": "remove"}, **common)
    check(o["result"] == b"ok", "offer: " + o.get("error-reason", b"ok").decode())
    a = ng(command="answer", sdp=CORE_SDP, **{"to-tag": "core-tag",
                                              "transport-protocol": "RTP/SAVP"},
           **common)
    check(a["result"] == b"ok", "answer: " + a.get("error-reason", b"ok").decode())
    core_port = int(sdp_field(o["sdp"], "m=audio ").split()[0])
    ue_port = int(sdp_field(a["sdp"], "m=audio ").split()[0])
    gw_key = sdp_field(a["sdp"], GW_KEY_LINE)
    check(sdp_field(o["sdp"], "a=crypto:") is None, "no a=crypto toward the core")
    check(gw_key is not None and gw_key != UE_KEY, "aegw's own key toward the UE")
    return ue_port, core_port, gw_key


def ue_to_core(ue, core, ue_port, core_port):
    tx = srtp_session(UE_KEY, True)
    sent = [os.urandom(160) for _ in range(N)]
    for i, p in enumerate(sent):
        ue.sendto(tx.protect(rtp(i + 1, 0x11223344, p)), ("10.0.0.1", ue_port))
    got = drain(core, N)
    check([g[0][12:] for g in got] == sent,
          "UE SRTP -> core plain RTP: %d/%d payloads intact" % (len(got), N))
    check(all(g[1] == ("192.168.0.1", core_port) for g in got),
          "from aegw's core address and port")
    wrong = srtp_session(WRONG_KEY, True)
    for i in range(5):
        ue.sendto(wrong.protect(rtp(100 + i, 0x11223344, b"x" * 160)),
                  ("10.0.0.1", ue_port))
    check(drain(core, 5) == [], "packets under a wrong key do not pass")
    ue_rtcp = udp_in_netns(sys.argv[2], "10.0.0.2", 7001)
    core_rtcp = udp_in_netns(sys.argv[3], "192.168.0.2", 9001)
    ue_rtcp.sendto(tx.protect_rtcp(rtcp_sr(0x11223344)), ("10.0.0.1", ue_port + 1))
    got = drain(core_rtcp, 1)
    check(len(got) == 1 and got[0][0] == rtcp_sr(0x11223344),
          "UE SRTCP -> core plain RTCP on port + 1")


def core_to_ue(ue, core, ue_port, core_port, gw_key):
    rx = srtp_session(gw_key, False)
    sent = [os.urandom(160) for _ in range(N)]
    for i, p in enumerate(sent):
        core.sendto(rtp(i + 1, 0x55667788, p), ("192.168.0.1", core_port))
    got = drain(ue, N)
    plain = []
    for data, src in got:
        try:
            plain.append(rx.unprotect(data)[12:])
        except Exception as e:  # libsrtp refused it
            plain.append(repr(e))
    check(plain == sent, "core RTP -> UE SRTP under aegw's key: %d/%d intact"
          % (len(got), N))
    check(all(g[1] == ("10.0.0.1", ue_port) for g in got),
          "from aegw's access address and port")


def srtcp_index(packet):
    """The index of an SRTCP packet with an 80-bit tag (RFC 3711 3.4)."""
    return struct.unpack("!I", packet[-14:-10])[0] & 0x7fffffff


def reinvite(ng, offerer, answerer, offer_sdp, answer_sdp, to_ue_in_offer,
             **flags):
    """One re-INVITE's offer (with flags) and answer; the SDP aegw sent
    the UE."""
    common = dict(ng_common("veth-call"), **{"from-tag": offerer})
    savp = {"transport-protocol": "RTP/SAVP"}
    avp = {"transport-protocol": "RTP/AVP"}
    o = ng(command="offer", sdp=offer_sdp, **(savp if to_ue_in_offer else avp),
           **{"to-tag": answerer}, **flags, **common)
    a = ng(command="answer", sdp=answer_sdp, **(avp if to_ue_in_offer else savp),
           **{"to-tag": answerer}, **common)
    check(o["result"] == b"ok" and a["result"] == b"ok",
          "re-INVITE from %s: %s" % (offerer, (o.get("error-reason") or
                                               a.get("error-reason") or
                                               b"ok").decode()))
    return o["sdp"] if to_ue_in_offer else a["sdp"]


def reinvites_keep_the_key(ng, ue, core_port, gw_key):
    """A session refresh from the core, then the UE's re-INVITE turning
    rtcp-mux on: aegw's key toward the UE stays, and the SRTP context under
    it goes on in the dataplane. The SRTCP indices aegw numbers itself show
    it: 0, 1, 2 across both, where a context made anew would send index 0
    again under the same key (and libsrtp2 refuses a replay)."""
    rx = srtp_session(gw_key, False)
    ue_rtcp = udp_in_netns(sys.argv[2], "10.0.0.2", 7001)
    core_rtcp = udp_in_netns(sys.argv[3], "192.168.0.2", 9001)
    indices = []

    def rtcp_to_ue(ue_sock, what):
        core_rtcp.sendto(rtcp_sr(0x55667788), ("192.168.0.1", core_port + 1))
        got = drain(ue_sock, 1)
        ok = False
        if len(got) == 1:
            indices.append(srtcp_index(got[0][0]))
            try:
                ok = rx.unprotect_rtcp(got[0][0]) == rtcp_sr(0x55667788)
            except Exception as e:  # libsrtp refused it
                print("  libsrtp2: %r" % e)
        check(ok, what)

    rtcp_to_ue(ue_rtcp, "core RTCP -> UE SRTCP on port + 1")
    sdp = reinvite(ng, "core-tag", "ue-tag", CORE_SDP, ue_sdp(), True)
    check(sdp_field(sdp, GW_KEY_LINE) == gw_key,
          "the core's refresh offers the UE aegw's key unchanged")
    rtcp_to_ue(ue_rtcp, "after the refresh: SRTCP under the same key")
    # Kamailio's rtcp-mux-demux: muxed toward the UE, not toward the core.
    sdp = reinvite(ng, "ue-tag", "core-tag", ue_sdp(2, "a=rtcp-mux\r\n"),
                   CORE_SDP, False, **{"rtcp-mux": ["demux"]})
    check(sdp_field(sdp, "a=rtcp-mux") is not None,
          "the UE's re-INVITE: rtcp-mux accepted")
    check(sdp_field(sdp, GW_KEY_LINE) == gw_key,
          "the UE's re-INVITE: aegw's key unchanged")
    rtcp_to_ue(ue, "rtcp-mux: SRTCP on the UE's RTP port, same key")
    check(indices == [0, 1, 2],
          "SRTCP indices go on across both re-INVITEs: %s" % indices)


# ---- RTCP reports and the call's MOS ------------------------------------

def rtcp_reports_give_mos(ng):
    """Both peers send SRs and RRs through an e2ae call as RFC 3550 has
    them (the UE's as SRTCP under its key, the core's plain): the RR's LSR
    echoes the SR it got through aegw, its DLSR is the time it held it.
    aegw's query then gives each reporter's figures as rtpengine does: the
    loss and jitter it reported, the round trip of its leg and of both,
    and the MOS from them."""
    ue_port, core_port, gw_key = setup_call(ng, "veth-mos")
    ue_rtcp = udp_in_netns(sys.argv[2], "10.0.0.2", 7001)
    core_rtcp = udp_in_netns(sys.argv[3], "192.168.0.2", 9001)
    ue_tx, ue_rx = srtp_session(UE_KEY, True), srtp_session(gw_key, False)
    ue_ssrc, core_ssrc = 0x0e0e0e0e, 0x0c0c0c0c

    def core_sr():
        sr, mid = rtcp_sr_now(core_ssrc)
        core_rtcp.sendto(sr, ("192.168.0.1", core_port + 1))
        got = drain(ue_rtcp, 1)
        ok = len(got) == 1 and ue_rx.unprotect_rtcp(got[0][0]) == sr
        check(ok, "the core's SR reaches the UE as SRTCP")
        return mid, time.monotonic()

    def ue_sr():
        sr, mid = rtcp_sr_now(ue_ssrc)
        ue_rtcp.sendto(ue_tx.protect_rtcp(sr), ("10.0.0.1", ue_port + 1))
        got = drain(core_rtcp, 1)
        check(len(got) == 1 and got[0][0] == sr,
              "the UE's SR reaches the core as plain RTCP")
        return mid, time.monotonic()

    core_mid, core_at = core_sr()
    ue_mid, ue_at = ue_sr()
    time.sleep(0.05)
    # The UE: 13/256 lost (5%), 160 units of jitter at 8 kHz (20 ms).
    ue_rr = rtcp_rr_echo(ue_ssrc, core_ssrc, 13, 160, core_mid, core_at)
    ue_rtcp.sendto(ue_tx.protect_rtcp(ue_rr), ("10.0.0.1", ue_port + 1))
    drain(core_rtcp, 1)
    # The core: nothing lost, 10 ms of jitter.
    core_rtcp.sendto(rtcp_rr_echo(core_ssrc, ue_ssrc, 0, 80, ue_mid, ue_at),
                     ("192.168.0.1", core_port + 1))
    drain(ue_rtcp, 1)
    # The UE's first RR came before the core's leg was known: no MOS. Its
    # next, a second later (rtpengine takes one a second), has one.
    time.sleep(1.1)
    core_mid, core_at = core_sr()
    time.sleep(0.02)  # a DLSR of 0 says no SR was held (rtpengine's rule)
    ue_rr = rtcp_rr_echo(ue_ssrc, core_ssrc, 13, 160, core_mid, core_at)
    ue_rtcp.sendto(ue_tx.protect_rtcp(ue_rr), ("10.0.0.1", ue_port + 1))
    drain(core_rtcp, 1)
    time.sleep(0.2)  # the dataplane's event, drained at the control's tick

    q = ng(command="query", **{"call-id": "veth-mos"})
    ssrcs = q.get("SSRC", {})
    print("query SSRC:", ssrcs)
    for ssrc, loss, jitter in ((ue_ssrc, 5, 20), (core_ssrc, 0, 10)):
        who = "UE" if ssrc == ue_ssrc else "core"
        avg = ssrcs.get(str(ssrc), {}).get("average MOS")
        if not avg:
            check(False, "the %s's MOS figures in the query" % who)
            continue
        check(avg["samples"] == 1 and avg["packet loss"] == loss and
              avg["jitter"] == jitter,
              "the %s's loss %d%%, jitter %d ms, one sample"
              % (who, avg["packet loss"], avg["jitter"]))
        leg = avg["round-trip time leg"]
        check(0 < leg < 50000 and leg < avg["round-trip time"] < 100000,
              "the %s's round trips: its leg %d us, both %d us"
              % (who, leg, avg["round-trip time"]))
        want = legacy_mos10(avg["round-trip time"], jitter, loss)
        check(abs(avg["MOS"] - want) <= 1,
              "the %s's MOS %.1f (rtpengine 10.5's formula: %.1f)"
              % (who, avg["MOS"] / 10.0, want / 10.0))
    tags = q.get("tags", {})
    for tag, ssrc in (("ue-tag", ue_ssrc), ("core-tag", core_ssrc)):
        media = tags.get(tag, {}).get("medias", [{}])[0]
        got = [e.get("SSRC") for e in media.get("ingress SSRCs", [])]
        check(got == [ssrc], "%s's ingress SSRCs: %s" % (tag, got))
    # aegwctl show prints the same figures for an operator.
    shown = subprocess.run(sys.argv[5].split() + ["show", "veth-mos"],
                           capture_output=True, text=True).stdout
    print(shown, end="")
    avg = ssrcs.get(str(ue_ssrc), {}).get("average MOS", {})
    check("reports of SSRC %d: MOS %.1f" % (ue_ssrc, avg.get("MOS", 0) / 10.0)
          in shown, "aegwctl show gives the UE's MOS")
    ng(command="delete", **{"call-id": "veth-mos", "from-tag": "ue-tag"})


def drain_now(sock):
    """What has arrived, without waiting (a wait would be silence)."""
    sock.setblocking(False)
    n = 0
    try:
        while True:
            sock.recvfrom(2048)
            n += 1
    except BlockingIOError:
        pass
    sock.settimeout(2)
    return n


def send_for(ue, ue_port, key, seconds, seq):
    """SRTP from the UE every 20 ms for some seconds; the next seq."""
    tx = srtp_session(key, True)
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        ue.sendto(tx.protect(rtp(seq, 0x0badcafe, b"m" * 160)),
                  ("10.0.0.1", ue_port))
        seq += 1
        time.sleep(0.02)
    return seq


def media_timeout(ng, ue, core, timeout):
    ue_port, _, _ = setup_call(ng, "veth-timeout")
    before = ng(command="statistics")["statistics"]["totalstatistics"]
    seq = send_for(ue, ue_port, UE_KEY, timeout + 1, 1)
    got = drain_now(core)
    check(got >= (timeout + 1) * 40, "media flowed: %d packets at the core" % got)
    q = ng(command="query", **{"call-id": "veth-timeout"})
    check(q["result"] == b"ok", "media for %d s (--timeout %d): the call lives"
          % (timeout + 1, timeout))
    # The UE falls silent; someone else goes on sending under a wrong key.
    t0 = time.monotonic()
    gone = None
    while time.monotonic() - t0 < timeout + 2.5:
        seq = send_for(ue, ue_port, WRONG_KEY, 0.25, seq)
        q = ng(command="query", **{"call-id": "veth-timeout"})
        if q.get("error-reason") == b"Unknown call-id":
            gone = time.monotonic() - t0
            break
    check(drain_now(core) == 0, "wrong-key packets did not pass")
    check(gone is not None and gone <= timeout + 2,
          "silent: deleted %s s after the media stopped (--timeout %d)"
          % ("%.1f" % gone if gone is not None else "never", timeout))
    after = ng(command="statistics")["statistics"]["totalstatistics"]
    check(after["timeoutsessions"] == before["timeoutsessions"] + 1,
          "counted in timeoutsessions")


def main():
    ng = NgClient("127.0.0.1", sys.argv[1], timeout=5)
    ue = udp_in_netns(sys.argv[2], "10.0.0.2", 7000)
    core = udp_in_netns(sys.argv[3], "192.168.0.2", 9000)
    # Each kernel asks for aegw's MAC (ARP), and aegw learns theirs from
    # the request: no packet of the test waits for a neighbour.
    ue.sendto(b"arp", ("10.0.0.1", 9))
    core.sendto(b"arp", ("192.168.0.1", 9))
    time.sleep(0.5)
    ue_port, core_port, gw_key = setup_call(ng)
    print("aegw: access port %d, core port %d" % (ue_port, core_port))
    ue_to_core(ue, core, ue_port, core_port)
    core_to_ue(ue, core, ue_port, core_port, gw_key)
    reinvites_keep_the_key(ng, ue, core_port, gw_key)
    d = ng(command="delete", **{"call-id": "veth-call", "from-tag": "ue-tag"})
    rtp_totals = d["totals"]["RTP"]
    print("delete totals:", {k: v for k, v in d["totals"].items()})
    check(rtp_totals["packets"] >= 2 * N + 5, "delete counts the packets")
    check(rtp_totals["errors"] >= 5, "delete counts the wrong-key drops")
    check(d["totals"]["RTCP"]["packets"] >= 1, "delete counts the RTCP")
    rtcp_reports_give_mos(ng)
    media_timeout(ng, ue, core, int(sys.argv[4]))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
