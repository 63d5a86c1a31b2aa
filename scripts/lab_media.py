#!/usr/bin/python3
"""Media checks for the lab (make demo, the interop tests): what a peer
received, captured on its interface, turned back into audio.

  lab_media.py wav CAPTURE.pcap PORT OUT.wav [SUITE:KEY]
      RTP to UDP PORT in a capture -> 8 kHz WAV (PCMU payloads); with a
      key, the packets are SRTP and libsrtp2 (pylibsrtp) decrypts them
      first, as the peer's own stack would. Prints how many packets were
      seen, decrypted and refused.
  lab_media.py payloads CAPTURE.pcap PORT
      The RTP payloads to UDP PORT in a capture, hex, one per line, in
      order of arrival.
  lab_media.py freq IN.wav
      The dominant frequency, from zero crossings.
  lab_media.py srtp-pcap OUT.pcap SUITE:KEY FREQ SECONDS PAYLOADS.txt
      A PCMU tone as SRTP under KEY (libsrtp2), 20 ms apart, for sipp's
      play_pcap_audio; the plain payloads, hex, one per line.

Run with Debian's /usr/bin/python3 (python3-pylibsrtp). Reads and writes
classic pcap (dumpcap -P), Ethernet or Linux cooked captures.
"""
import math
import os
import struct
import sys
import warnings
import wave

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import aegw_lab  # noqa: E402

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import audioop  # Debian 12's Python 3.11 has it; PCMU in one call

PROFILES = {
    "AES_CM_128_HMAC_SHA1_80": "SRTP_PROFILE_AES128_CM_SHA1_80",
    "AES_CM_128_HMAC_SHA1_32": "SRTP_PROFILE_AES128_CM_SHA1_32",
    "AEAD_AES_128_GCM": "SRTP_PROFILE_AEAD_AES_128_GCM",
    "AEAD_AES_256_GCM": "SRTP_PROFILE_AEAD_AES_256_GCM",
}


def srtp_session(spec, inbound):
    """A libsrtp2 session for SUITE:KEY (a=crypto's suite and inline)."""
    suite, key = spec.split(":", 1)
    return aegw_lab.srtp_session(key, not inbound, PROFILES[suite])


def pcap_frames(path):
    with open(path, "rb") as f:
        data = f.read()
    magic = data[:4]
    endian = {b"\xd4\xc3\xb2\xa1": "<", b"\xa1\xb2\xc3\xd4": ">",
              b"\x4d\x3c\xb2\xa1": "<", b"\xa1\xb2\x3c\x4d": ">"}.get(magic)
    if endian is None:
        sys.exit(f"{path}: not a classic pcap file")
    linktype = struct.unpack(endian + "I", data[20:24])[0]
    off = 24
    while off + 16 <= len(data):
        incl = struct.unpack(endian + "IIII", data[off:off + 16])[2]
        yield linktype, data[off + 16:off + 16 + incl]
        off += 16 + incl


def udp_to(frame, linktype, port):
    """The UDP payload of a frame sent to PORT, or None."""
    if linktype == 1:
        eth, off = struct.unpack("!H", frame[12:14])[0], 14
        if eth == 0x8100:
            eth, off = struct.unpack("!H", frame[16:18])[0], 18
    elif linktype == 113:
        eth, off = struct.unpack("!H", frame[14:16])[0], 16
    else:
        return None
    if eth == 0x0800 and frame[off + 9] == 17:
        off += (frame[off] & 15) * 4
    elif eth == 0x86DD and frame[off + 6] == 17:
        off += 40
    else:
        return None
    dport = struct.unpack("!H", frame[off + 2:off + 4])[0]
    return frame[off + 8:] if dport == port else None


def rtp_payload(pkt):
    cc, x, p = pkt[0] & 15, pkt[0] & 16, pkt[0] & 32
    off = 12 + 4 * cc
    if x:
        off += 4 + 4 * struct.unpack("!H", pkt[off + 2:off + 4])[0]
    end = len(pkt) - (pkt[-1] if p else 0)
    return pkt[off:end]


def cmd_wav(capture, port, out, key=None):
    session = srtp_session(key, True) if key else None
    seen = refused = 0
    pcm = []
    for linktype, frame in pcap_frames(capture):
        pkt = udp_to(frame, linktype, int(port))
        if pkt is None or len(pkt) < 12 or pkt[0] >> 6 != 2:
            continue
        seen += 1
        if session:
            try:
                pkt = session.unprotect(pkt)
            except Exception:
                refused += 1
                continue
        pcm.append(audioop.ulaw2lin(rtp_payload(pkt), 2))
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(b"".join(pcm))
    print(f"{seen} RTP packets to port {port}"
          + (f", {seen - refused} decrypted, {refused} refused" if session
             else ""))


def cmd_payloads(capture, port):
    for linktype, frame in pcap_frames(capture):
        pkt = udp_to(frame, linktype, int(port))
        if pkt is not None and len(pkt) >= 12 and pkt[0] >> 6 == 2:
            print(rtp_payload(pkt).hex())


def wav_freq(path):
    with wave.open(path) as w:
        rate = w.getframerate()
        raw = w.readframes(w.getnframes())
    s = struct.unpack("<%dh" % (len(raw) // 2), raw)[rate // 4:]
    secs = len(s) / rate
    if secs < 0.5:
        return 0
    cross = sum(1 for a, b in zip(s, s[1:]) if (a < 0) != (b < 0))
    return round(cross / 2 / secs)


def cmd_srtp_pcap(out, key, freq, seconds, payloads_out):
    session = srtp_session(key, False)
    freq, n = float(freq), int(float(seconds) * 50)
    recs, plain = [], []
    for i in range(n):
        samples = [int(8000 * math.sin(2 * math.pi * freq * (i * 160 + t)
                                       / 8000)) for t in range(160)]
        payload = audioop.lin2ulaw(struct.pack("<160h", *samples), 2)
        rtp = struct.pack("!BBHII", 0x80, 0, (1000 + i) & 0xFFFF,
                          i * 160, 0x11223344) + payload
        plain.append(payload.hex())
        recs.append((i * 20000, session.protect(rtp)))
    with open(out, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for usec, udp_payload in recs:
            udp = struct.pack("!HHHH", 7000, 7000, 8 + len(udp_payload), 0)
            ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0,
                             20 + len(udp) + len(udp_payload), 0, 0, 64, 17,
                             0, bytes([10, 0, 0, 2]), bytes([10, 0, 0, 1]))
            frame = b"\0" * 12 + b"\x08\x00" + ip + udp + udp_payload
            f.write(struct.pack("<IIII", usec // 1000000, usec % 1000000,
                                len(frame), len(frame)) + frame)
    with open(payloads_out, "w") as f:
        f.write("\n".join(plain) + "\n")


def main(argv):
    if len(argv) >= 5 and argv[1] == "wav":
        cmd_wav(*argv[2:6])
    elif len(argv) == 4 and argv[1] == "payloads":
        cmd_payloads(argv[2], argv[3])
    elif len(argv) == 3 and argv[1] == "freq":
        print(wav_freq(argv[2]))
    elif len(argv) == 7 and argv[1] == "srtp-pcap":
        cmd_srtp_pcap(*argv[2:7])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
