"""What the lab's Python peers share (make demo's live view, the interop
and restart tests): bencode and an ng client, sockets inside a network
namespace, DPDK telemetry, SRTP sessions through libsrtp2 (pylibsrtp).
Import it with scripts/ on sys.path; run under Debian's /usr/bin/python3.
"""
import base64
import ctypes
import json
import os
import socket
import struct
import time

CLONE_NEWNET = 0x40000000
_libc = ctypes.CDLL(None, use_errno=True)


def benc(v):
    if isinstance(v, int):
        return b"i%de" % v
    if isinstance(v, str):
        v = v.encode()
    if isinstance(v, bytes):
        return b"%d:%s" % (len(v), v)
    if isinstance(v, list):
        return b"l" + b"".join(benc(x) for x in v) + b"e"
    return b"d" + b"".join(benc(k) + benc(v[k]) for k in sorted(v)) + b"e"


def bdec(b, i=0):
    """Dictionary keys become str; every other string stays bytes."""
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
        return {k.decode(): v for k, v in zip(items[::2], items[1::2])}, i + 1
    colon = b.index(b":", i)
    n = int(b[i:colon])
    return b[colon + 1:colon + 1 + n], colon + 1 + n


class Ng:
    """An ng client over UDP: ng(command="query", **{"call-id": ...})."""

    def __init__(self, host, port, timeout=2.0):
        self.peer = (host, int(port))
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.settimeout(timeout)
        self.seq = 0

    def __call__(self, **req):
        self.seq += 1
        # ng caches replies by cookie: never reuse one, not even across runs.
        cookie = b"%d.%d.%d" % (os.getpid(), time.monotonic_ns(), self.seq)
        self.sock.sendto(cookie + b" " + benc(req), self.peer)
        while True:
            r = self.sock.recv(1 << 16)
            if r.startswith(cookie + b" "):
                return bdec(r, len(cookie) + 1)[0]


def in_netns(ns, make):
    """Runs make() inside network namespace ns; a socket it makes stays
    there."""
    home = os.open("/proc/self/ns/net", os.O_RDONLY)
    there = os.open("/var/run/netns/" + ns, os.O_RDONLY)
    try:
        if _libc.setns(there, CLONE_NEWNET):
            raise OSError(ctypes.get_errno(), "setns " + ns)
        return make()
    finally:
        _libc.setns(home, CLONE_NEWNET)
        os.close(home)
        os.close(there)


def udp_in_netns(ns, addr, port, timeout=2.0):
    def make():
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind((addr, port))
        s.settimeout(timeout)
        return s
    return in_netns(ns, make)


def telemetry(path, cmd):
    """One DPDK telemetry command, as dpdk-telemetry.py sends it."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.settimeout(1)
    s.connect(path)
    try:
        s.recv(1 << 16)  # the server's hello
        s.send(cmd.encode())
        return json.loads(s.recv(1 << 20))[cmd]
    finally:
        s.close()


def srtp_session(key_b64, outbound, profile="SRTP_PROFILE_AES128_CM_SHA1_80"):
    from pylibsrtp import Policy, Session
    kind = Policy.SSRC_ANY_OUTBOUND if outbound else Policy.SSRC_ANY_INBOUND
    return Session(policy=Policy(key=base64.b64decode(key_b64), ssrc_type=kind,
                                 srtp_profile=getattr(Policy, profile)))


def sdp_field(sdp, prefix):
    """The rest of the first SDP line starting with prefix, or None."""
    if isinstance(sdp, bytes):
        sdp = sdp.decode()
    for line in sdp.splitlines():
        if line.startswith(prefix):
            return line[len(prefix):]
    return None


# ---- RTCP reports (RFC 3550 6.4), as a peer sends them ---------------------

def rtcp_sr_now(ssrc):
    """An SR from ssrc with no report block, stamped now; and the middle
    32 bits of its NTP timestamp, which a receiver's LSR will echo."""
    t = time.time() + 2208988800  # NTP counts from 1900
    msw, lsw = int(t) & 0xffffffff, int((t % 1) * (1 << 32)) & 0xffffffff
    return (struct.pack("!BBHIIIIII", 0x80, 200, 6, ssrc, msw, lsw, 0, 0, 0),
            (msw & 0xffff) << 16 | lsw >> 16)


def rtcp_rr_echo(ssrc, about, fraction, jitter, lsr, held_since, short_s=0.0):
    """An RR from ssrc with one block about `about`: its fraction lost
    (/256) and jitter (timestamp units), LSR echoing an SR, DLSR the time
    since held_since (time.monotonic()) less short_s, rounded down."""
    dlsr = int(max(time.monotonic() - held_since - short_s, 0) * 65536)
    return struct.pack("!BBHIIBBHIIII", 0x81, 201, 7, ssrc, about,
                       fraction, 0, 0, 1000, jitter, lsr, dlsr)


def legacy_mos10(rtt_us, jitter_ms, loss):
    """rtpengine 10.5's MOS x10 (daemon/ssrc.c, after PingPlotter), which
    aegw-control gives by default, in floating point as 10.5 has it."""
    eff = rtt_us // 1000 + 2 * jitter_ms + 10
    r = (93.2 - eff / 40.0 if eff < 160 else 93.2 - (eff - 120) / 10.0) \
        - 2.5 * loss
    if r < 0:
        return 10
    mos = int((1 + 0.035 * r + 7e-6 * r * (r - 60) * (100 - r)) * 10)
    return 0 if mos < 10 else mos
