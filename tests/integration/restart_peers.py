#!/usr/bin/python3
"""Restarts that lose no call, with live media (restart_test.sh runs it).

One e2ae call is set up over ng; then the UE sends SRTP and the core plain
RTP, 50 packets a second each way, for the whole test, while this script

  1. kills aegw-dataplane with SIGKILL and starts it again: aegw-control
     must see the new dataplane and install the call's streams again, and
     media must flow again within 1 s of the new dataplane being up; the
     call is never deleted (ng query answers throughout);
  2. kills aegw-control with SIGKILL: the dataplane keeps forwarding every
     packet (none lost while no daemon runs), and the daemon started
     again recovers the call (its journal): ng query answers for it
     with its counters, and ng delete removes it (media stops).

Packets are counted before, during and after each event.

usage: restart_peers.py NG_PORT UE_NS CORE_NS GW_NS TELEMETRY_SOCKET \\
           --- DATAPLANE_CMD... --- CONTROL_CMD...
Run as root with Debian's /usr/bin/python3 (python3-pylibsrtp).
"""
import os
import signal
import struct
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..",
                                "scripts"))
from aegw_lab import (Ng, sdp_field, srtp_session, telemetry,  # noqa: E402
                      udp_in_netns)

UE_KEY = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd"
CALL = {"call-id": "restart-call", "from-tag": "ue-tag"}

failures = []


def check(ok, what):
    print(("ok: " if ok else "FAIL: ") + what, flush=True)
    if not ok:
        failures.append(what)


class Flow:
    """One direction of media: seq -> send time, seq -> arrival time."""

    def __init__(self, name):
        self.name, self.sent, self.got = name, {}, {}

    def count(self, t0, t1):
        sent = [s for s, t in self.sent.items() if t0 <= t < t1]
        return len(sent), sum(1 for s in sent if s in self.got)

    def first_arrival_after(self, t):
        after = [a for a in self.got.values() if a >= t]
        return min(after) if after else None


def sender(sock, dst, flow, protect, stop):
    seq = 0
    next_t = time.monotonic()
    while not stop.is_set():
        seq += 1
        pkt = struct.pack("!BBHII", 0x80, 0, seq & 0xFFFF, seq * 160,
                          0x11223344) + b"\xd5" * 160
        flow.sent[seq] = time.monotonic()
        try:
            sock.sendto(protect(pkt) if protect else pkt, dst)
        except OSError:
            pass
        next_t += 0.02
        time.sleep(max(0, next_t - time.monotonic()))


def receiver(sock, flow, unprotect, stop):
    sock.settimeout(0.2)
    while not stop.is_set():
        try:
            data = sock.recv(2048)
        except OSError:
            continue
        try:
            data = unprotect(data) if unprotect else data
        except Exception:
            continue  # refused by libsrtp2: not a packet of ours
        flow.got[struct.unpack("!H", data[2:4])[0]] = time.monotonic()


def setup_call(ng):
    ue_sdp = ("v=0\r\no=ue 1 1 IN IP4 10.0.0.2\r\ns=-\r\nc=IN IP4 10.0.0.2\r\n"
              "t=0 0\r\nm=audio 7000 RTP/SAVP 0\r\na=rtpmap:0 PCMU/8000\r\n"
              "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:%s\r\n" % UE_KEY)
    core_sdp = ("v=0\r\no=core 1 1 IN IP4 192.168.0.2\r\ns=-\r\n"
                "c=IN IP4 192.168.0.2\r\nt=0 0\r\nm=audio 9000 RTP/AVP 0\r\n"
                "a=rtpmap:0 PCMU/8000\r\n")
    o = ng(command="offer", sdp=ue_sdp, **{"transport-protocol": "RTP/AVP"},
           **CALL)
    a = ng(command="answer", sdp=core_sdp, **{"to-tag": "core-tag",
           "transport-protocol": "RTP/SAVP"}, **CALL)
    if o.get("result") != b"ok" or a.get("result") != b"ok":
        sys.exit("call set-up failed: %r %r" % (o, a))
    # aegw's port toward the UE is in the answer, toward the core in the
    # offer.
    return (int(sdp_field(a["sdp"], "m=audio ").split()[0]),
            int(sdp_field(o["sdp"], "m=audio ").split()[0]),
            sdp_field(a["sdp"], "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:"))


def wait_for(what, cond, timeout=15):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            if cond():
                return time.monotonic()
        except OSError:
            pass
        time.sleep(0.05)
    sys.exit("timed out waiting for " + what)


class Daemons:
    def __init__(self, gw_ns, dp_cmd, ctl_cmd, ng, tel):
        self.gw_ns, self.dp_cmd, self.ctl_cmd = gw_ns, dp_cmd, ctl_cmd
        self.ng, self.tel, self.dp, self.ctl = ng, tel, None, None

    def start_dataplane(self):
        self.dp = subprocess.Popen(["ip", "netns", "exec", self.gw_ns]
                                   + self.dp_cmd)
        return wait_for("the dataplane's telemetry",
                        lambda: telemetry(self.tel, "/aegw/info"))

    def start_control(self):
        self.ctl = subprocess.Popen(self.ctl_cmd)
        return wait_for("aegw-control's pong", lambda: self.ng(
            command="ping").get("result") == b"pong")

    def kill(self, proc):
        proc.send_signal(signal.SIGKILL)
        proc.wait()

    def stop(self):
        for p in (self.ctl, self.dp):
            if p and p.poll() is None:
                p.terminate()
                p.wait()


def report(flows, t0, t1, label):
    for f in flows:
        sent, got = f.count(t0, t1)
        print("  %-9s %-34s sent %4d  received %4d" % (f.name, label, sent,
                                                          got), flush=True)


def query_ok(ng):
    return ng(command="query", **CALL).get("result") == b"ok" and \
        "warning" not in ng(command="query", **CALL)


def dataplane_restart(d, flows, ng):
    t_kill = time.monotonic()
    d.kill(d.dp)
    time.sleep(0.5)
    t_start = time.monotonic()
    t_up = d.start_dataplane()
    time.sleep(2)
    t_end = time.monotonic()
    print("dataplane: SIGKILL, started again after 0.5 s, up %.2f s later"
          % (t_up - t_start), flush=True)
    report(flows, t_kill - 2, t_kill, "2 s before the kill")
    report(flows, t_kill, t_up, "from the kill until it is up")
    report(flows, t_up, t_end, "2 s after it is up")
    for f in flows:
        first = f.first_arrival_after(t_up)
        check(first is not None and first - t_up <= 1.0,
              "%s: media again %s s after the new dataplane is up"
              % (f.name, "%.2f" % (first - t_up) if first else "never"))
        # The last 0.2 s: packets still in flight when this is read.
        sent, got = f.count(t_up + 1.0, t_end - 0.2)
        check(sent > 0 and got == sent, "%s: nothing lost from 1 s after "
              "it is up (%d/%d)" % (f.name, got, sent))
    check(query_ok(ng), "the call was never deleted (ng query)")


def control_restart(d, flows, ng):
    time.sleep(1)  # the window before the kill starts after the last event
    t_kill = time.monotonic()
    d.kill(d.ctl)
    time.sleep(1.5)
    t_start = time.monotonic()
    t_up = d.start_control()
    time.sleep(1)
    t_end = time.monotonic()
    print("control: SIGKILL, started again after 1.5 s, answering %.2f s "
          "later" % (t_up - t_start), flush=True)
    report(flows, t_kill - 1, t_kill, "1 s before the kill")
    report(flows, t_kill, t_up, "while no daemon runs")
    report(flows, t_up, t_end, "1 s after it is back")
    for f in flows:
        sent, got = f.count(t_kill - 1, t_end - 0.2)
        check(got == sent, "%s: every packet forwarded across the daemon's "
              "restart (%d/%d)" % (f.name, got, sent))


def recovered_call(flows, ng):
    q = ng(command="query", **CALL)
    check(q.get("result") == b"ok" and "warning" not in q,
          "the new daemon answers query for the call: %r"
          % q.get("warning", q.get("error-reason", b"ok")))
    if q.get("result") == b"ok" and "totals" in q:
        check(q["totals"]["RTP"]["packets"] > 0,
              "with its counters (%d RTP packets)" % q["totals"]["RTP"]["packets"])


    dl = ng(command="delete", **CALL)
    check(dl.get("result") == b"ok" and "warning" not in dl,
          "the new daemon deletes the call")
    time.sleep(0.5)
    t = time.monotonic()
    time.sleep(1)
    for f in flows:
        sent, got = f.count(t, time.monotonic())
        check(got == 0, "%s: no media after the delete (%d/%d)"
              % (f.name, got, sent))


def main(argv):
    sep = [i for i, a in enumerate(argv) if a == "---"]
    ng_port, ue_ns, core_ns, gw_ns, tel = argv[1:sep[0]]
    d = Daemons(gw_ns, argv[sep[0] + 1:sep[1]], argv[sep[1] + 1:],
                Ng("127.0.0.1", ng_port), tel)
    ng = d.ng
    stop = threading.Event()
    try:
        d.start_dataplane()
        d.start_control()
        ue_port, core_port, gw_key = setup_call(ng)
        ue = udp_in_netns(ue_ns, "10.0.0.2", 7000)
        core = udp_in_netns(core_ns, "192.168.0.2", 9000)
        up, down = Flow("UE->core"), Flow("core->UE")
        tx, rx = srtp_session(UE_KEY, True), srtp_session(gw_key, False)
        threads = [
            threading.Thread(target=receiver, args=(core, up, None, stop)),
            threading.Thread(target=receiver, args=(ue, down, rx.unprotect,
                                                    stop)),
            threading.Thread(target=sender, args=(ue, ("10.0.0.1", ue_port),
                                                  up, tx.protect, stop)),
            threading.Thread(target=sender, args=(core, ("192.168.0.1",
                                                         core_port),
                                                  down, None, stop))]
        for t in threads:
            t.start()
        time.sleep(2.5)
        dataplane_restart(d, (up, down), ng)
        control_restart(d, (up, down), ng)
        recovered_call((up, down), ng)
        stop.set()
        for t in threads:
            t.join()
    finally:
        stop.set()
        d.stop()
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
