#!/usr/bin/python3
"""Frames for dp_pcap_test.sh, and the check of what aegw-dataplane wrote.

  dp_pcap_frames.py gen IN.pcap      SRTP/SRTCP and RTP from the peers
  dp_pcap_frames.py check OUT.pcap   every packet exactly once, right bytes

libsrtp2 (pylibsrtp) is the peer: it protects what goes in and unprotects
what aegw protected. Streams (all arriving on port 0, leaving on port 1):
  e2ae-in  10.0.0.1:20000   SRTP+SRTCP under UE_KEY -> plain, 192.168.0.2:9000
  e2ae-out 10.0.0.1:20010   plain RTP/RTCP -> SRTP under GW_KEY, :9010
  relay    10.0.0.1:20020   SRTP untouched, :9020
"""
import struct
import sys

import pylibsrtp

UE_KEY = bytes(range(30))
GW_KEY = bytes(range(30, 0, -1))
N = 100  # RTP packets per stream


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ip4(s):
    return bytes(int(x) for x in s.split("."))


def frame(src, sport, dst, dport, payload):
    ulen = 8 + len(payload)
    pseudo = ip4(src) + ip4(dst) + struct.pack("!BBH", 0, 17, ulen)
    udp = struct.pack("!HHHH", sport, dport, ulen, 0) + payload
    c = csum(pseudo + udp) or 0xFFFF
    udp = udp[:6] + struct.pack("!H", c) + udp[8:]
    ih = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + ulen, 0, 0x4000, 64, 17,
                     0, ip4(src), ip4(dst))
    ih = ih[:10] + struct.pack("!H", csum(ih)) + ih[12:]
    eth = bytes.fromhex("02000000000102000000a0020800")
    return eth + ih + udp


def rtp(ssrc, seq):
    body = bytes((seq * 7 + i) & 0xFF for i in range(160))
    return struct.pack("!BBHII", 0x80, 0, seq, seq * 160, ssrc) + body


def rtcp(ssrc, n):
    sr = struct.pack("!IIIII", n, n, n * 160, n, n * 172)
    return struct.pack("!BBHI", 0x80, 200, 6, ssrc) + sr


def session(key, outbound):
    t = (pylibsrtp.Policy.SSRC_ANY_OUTBOUND if outbound
         else pylibsrtp.Policy.SSRC_ANY_INBOUND)
    return pylibsrtp.Session(policy=pylibsrtp.Policy(
        key=key, ssrc_type=t,
        srtp_profile=pylibsrtp.Policy.SRTP_PROFILE_AES128_CM_SHA1_80))


def write_pcap(path, frames):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i, fr in enumerate(frames):
            f.write(struct.pack("<IIII", i // 1000, i % 1000 * 1000,
                                len(fr), len(fr)))
            f.write(fr)


def read_pcap(path):
    data = open(path, "rb").read()
    magic = struct.unpack("<I", data[:4])[0]
    assert magic in (0xA1B2C3D4, 0xA1B23C4D), "not a little-endian pcap"
    off, out = 24, []
    while off + 16 <= len(data):
        incl = struct.unpack("<IIII", data[off:off + 16])[2]
        out.append(data[off + 16:off + 16 + incl])
        off += 16 + incl
    return out


def gen(path):
    ue, relay_peer = session(UE_KEY, True), session(UE_KEY, True)
    frames = []
    for i in range(N):
        frames.append(frame("10.0.0.2", 7078, "10.0.0.1", 20000,
                            ue.protect(rtp(0x1111, i))))
        frames.append(frame("192.168.0.2", 9010, "10.0.0.1", 20010,
                            rtp(0x2222, i)))
        frames.append(frame("10.0.0.2", 7080, "10.0.0.1", 20020,
                            relay_peer.protect(rtp(0x3333, i))))
        if i % 10 == 0:
            frames.append(frame("10.0.0.2", 7079, "10.0.0.1", 20001,
                                ue.protect_rtcp(rtcp(0x1111, i))))
            frames.append(frame("192.168.0.2", 9011, "10.0.0.1", 20011,
                                rtcp(0x2222, i)))
    write_pcap(path, frames)


def udp_of(fr):
    assert fr[12:14] == b"\x08\x00", "not IPv4"
    ihl = (fr[14] & 0x0F) * 4
    ip = fr[14:]
    assert csum(ip[:ihl]) == 0, "bad IPv4 header checksum"
    sport, dport, ulen, c = struct.unpack("!HHHH", ip[ihl:ihl + 8])
    udp = ip[ihl:ihl + ulen]
    pseudo = ip[12:20] + struct.pack("!BBH", 0, 17, ulen)
    assert c == 0 or csum(pseudo + udp) == 0, "bad UDP checksum"
    return ".".join(map(str, ip[16:20])), dport, sport, udp[8:]


def check(path):
    gw = session(GW_KEY, False)
    seen = {}
    for fr in read_pcap(path):
        if fr[12:14] != b"\x08\x00":
            continue  # ARP and the like
        dst, dport, sport, payload = udp_of(fr)
        assert dst == "192.168.0.2", "sent to %s" % dst
        if dport in (9010, 9011):
            payload = (gw.unprotect(payload) if dport == 9010
                       else gw.unprotect_rtcp(payload))
        seen.setdefault((dport, sport), []).append(payload)
    relay_ref = session(UE_KEY, True)
    want = {
        (9000, 20002): [rtp(0x1111, i) for i in range(N)],
        (9001, 20003): [rtcp(0x1111, i) for i in range(0, N, 10)],
        (9010, 20012): [rtp(0x2222, i) for i in range(N)],
        (9011, 20013): [rtcp(0x2222, i) for i in range(0, N, 10)],
        (9020, 20022): [relay_ref.protect(rtp(0x3333, i)) for i in range(N)],
    }
    bad = 0
    for k, pkts in want.items():
        got = sorted(seen.get(k, []))
        if got != sorted(pkts):
            print("FAIL: port %d from %d: %d packets, want %d exactly once"
                  % (k[0], k[1], len(got), len(pkts)))
            bad += 1
        else:
            print("ok: port %d from %d: %d packets" % (k[0], k[1], len(got)))
    extra = set(seen) - set(want)
    if extra:
        print("FAIL: unexpected flows %s" % sorted(extra))
        bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("gen", "check"):
        sys.exit(__doc__)
    if sys.argv[1] == "gen":
        gen(sys.argv[2])
    else:
        sys.exit(check(sys.argv[2]))
