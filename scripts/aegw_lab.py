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
