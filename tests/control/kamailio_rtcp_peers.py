#!/usr/bin/python3
"""The RTCP of control_kamailio_test.sh's call, while sipp plays its media.

Waits for the call Kamailio set up through aegw-control, then sends, as
its two peers would: an SR from the core (plain) and one from the UE
(SRTCP under the key of the UE's offer), then each side's RR echoing the
other's SR (LSR; DLSR the time since it was sent, less 20 ms, as if each
had taken 10 ms to arrive: the helper does not receive the SR aegw
forwards, and the margin keeps the round trip aegw measures above 0 even
when a busy worker is late with the SR), from the peers' addresses. aegw-control then
holds a MOS for the core's reports; it is written to OUT as aegw's query
gives it (MOS x10, and the round trip in us), for the test to set against
what Kamailio's rtpengine module reads from the delete at the BYE.

usage: kamailio_rtcp_peers.py SCRIPTS_DIR NG_PORT UE_NETNS CORE_NETNS UE_KEY OUT
"""
import sys
import time

sys.path.insert(0, sys.argv[1])
from aegw_lab import Ng, rtcp_rr_echo, rtcp_sr_now, srtp_session  # noqa: E402
from aegw_lab import udp_in_netns  # noqa: E402

UE_SSRC, CORE_SSRC = 0x0e0e0e0e, 0x0c0c0c0c


def answered_call(ng):
    """The call's access and core ports, once both tags are in."""
    for _ in range(100):
        calls = ng(command="list").get("calls", [])
        if calls:
            q = ng(command="query", **{"call-id": calls[0]})
            ports = sorted(t["medias"][0]["streams"][0]["local port"]
                           for t in q.get("tags", {}).values())
            if len(ports) == 2:  # access 20000-29999, core 30000-39999
                return calls[0], ports[0], ports[1]
        time.sleep(0.05)
    raise SystemExit("no answered call in aegw-control")


def main():
    ng = Ng("127.0.0.1", sys.argv[2])
    # Everything slow first: the BYE comes 2.5 s after the answer.
    ue = udp_in_netns(sys.argv[3], "10.0.0.2", 7011)
    cn = udp_in_netns(sys.argv[4], "192.168.0.2", 9011)
    ue_tx = srtp_session(sys.argv[5], True)
    call, access, core = answered_call(ng)
    core_sr, core_mid = rtcp_sr_now(CORE_SSRC)
    cn.sendto(core_sr, ("192.168.0.1", core + 1))
    core_at = time.monotonic()
    ue_sr, ue_mid = rtcp_sr_now(UE_SSRC)
    ue.sendto(ue_tx.protect_rtcp(ue_sr), ("10.0.0.1", access + 1))
    ue_at = time.monotonic()
    time.sleep(0.05)
    # The UE: 5% lost, 20 ms of jitter at 8 kHz; no MOS yet (the core's
    # leg is not known). The core: none lost, 10 ms: a MOS.
    rr = rtcp_rr_echo(UE_SSRC, CORE_SSRC, 13, 160, core_mid, core_at, 0.02)
    ue.sendto(ue_tx.protect_rtcp(rr), ("10.0.0.1", access + 1))
    time.sleep(0.02)
    cn.sendto(rtcp_rr_echo(CORE_SSRC, UE_SSRC, 0, 80, ue_mid, ue_at, 0.02),
              ("192.168.0.1", core + 1))
    time.sleep(0.3)  # the control's tick drains the dataplane's events
    q = ng(command="query", **{"call-id": call})
    avg = q.get("SSRC", {}).get(str(CORE_SSRC), {}).get("average MOS")
    if not avg:
        raise SystemExit("aegw-control has no MOS: %r" % q.get("SSRC"))
    with open(sys.argv[6], "w") as f:
        f.write("%d %d\n" % (avg["MOS"], avg["round-trip time"]))
    print("aegw-control: the core's reports give MOS %.1f, round trip %d us"
          % (avg["MOS"] / 10.0, avg["round-trip time"]))


if __name__ == "__main__":
    main()
