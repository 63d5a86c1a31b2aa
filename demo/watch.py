#!/usr/bin/python3
"""The live view of `make demo`: once a second, every call aegw-control
holds (its ng `list` and `query`, as a P-CSCF would ask) and the
dataplane's own counters (DPDK telemetry, /aegw/workers), until told to
stop (SIGTERM) or SECONDS have passed.

  watch.py NG_ADDR:PORT TELEMETRY_SOCKET SECONDS
"""
import json
import os
import signal
import socket
import sys
import time


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
    n = int(b[i:colon])
    return b[colon + 1:colon + 1 + n].decode(errors="replace"), colon + 1 + n


class Ng:
    def __init__(self, addr):
        host, port = addr.rsplit(":", 1)
        self.peer = (host, int(port))
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.settimeout(1)
        self.seq = 0

    def __call__(self, **req):
        self.seq += 1
        # ng caches replies by cookie: never reuse one across runs.
        cookie = b"w%d.%d.%d" % (os.getpid(), time.monotonic_ns(), self.seq)
        self.sock.sendto(cookie + b" " + benc(req), self.peer)
        while True:
            r = self.sock.recv(65536)
            if r.startswith(cookie + b" "):
                return bdec(r, len(cookie) + 1)[0]


def telemetry(path, cmd):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.settimeout(1)
    s.connect(path)
    s.recv(65536)  # the server's hello
    s.send(cmd.encode())
    return json.loads(s.recv(1 << 20))[cmd]


def call_lines(ng, call_id):
    q = ng(command="query", **{"call-id": call_id})
    if q.get("result") != "ok":
        return []
    out = []
    for tag in q.get("tags", {}).values():
        for m in tag.get("medias", []):
            for s in m.get("streams", []):
                st, ep = s["stats"], s["endpoint"]
                out.append(f"    {m['mode']:<8} {m['type']} from "
                           f"{ep['address']}:{ep['port']} -> aegw :"
                           f"{s['local port']}  {st['packets']:>5} packets "
                           f"{st['bytes']:>7} bytes  {st['errors']} dropped")
    return out


def dataplane_line(tel):
    try:
        workers = telemetry(tel, "/aegw/workers")
    except OSError as e:
        return f"  dataplane: telemetry unreachable ({e})"
    total = {}
    for w in workers.values():
        for k, v in w.items():
            total[k] = total.get(k, 0) + v
    drops = {k: v for k, v in total.items() if k.startswith("drop_") and v}
    return (f"  dataplane: {len(workers)} workers, rx {total['rx_packets']} "
            f"tx {total['tx_packets']} frames, arp {total['arp_replies']}, "
            f"drops {drops or 'none'}")


def main(ng_addr, tel, seconds):
    ng = Ng(ng_addr)
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    t0 = time.monotonic()
    while not stop and time.monotonic() - t0 < float(seconds):
        try:
            calls = ng(command="list").get("calls", [])
            lines = [f"[{time.monotonic() - t0:4.0f}s] aegw-control: "
                     f"{len(calls)} call(s)"]
            for c in calls:
                lines.append(f"  call {c}")
                lines += call_lines(ng, c)
        except OSError as e:
            lines = [f"aegw-control unreachable ({e})"]
        lines.append(dataplane_line(tel))
        print("\n".join(lines), flush=True)
        time.sleep(1)


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(*sys.argv[1:])
