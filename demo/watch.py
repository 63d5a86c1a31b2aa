#!/usr/bin/python3
"""The live view of `make demo`: once a second, every call aegw-control
holds (its ng `list` and `query`, as a P-CSCF would ask) and the
dataplane's own counters (DPDK telemetry, /aegw/workers), until told to
stop (SIGTERM) or SECONDS have passed.

  watch.py NG_ADDR:PORT TELEMETRY_SOCKET SECONDS
"""
import os
import signal
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "scripts"))
from aegw_lab import Ng, telemetry  # noqa: E402


def text(v):
    return v.decode(errors="replace") if isinstance(v, bytes) else str(v)


def call_lines(ng, call_id):
    q = ng(command="query", **{"call-id": call_id})
    if q.get("result") != b"ok":
        return []
    out = []
    for tag in q.get("tags", {}).values():
        for m in tag.get("medias", []):
            for s in m.get("streams", []):
                st, ep = s["stats"], s["endpoint"]
                out.append(f"    {text(m['mode']):<8} {text(m['type'])} from "
                           f"{text(ep['address'])}:{ep['port']} -> aegw :"
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
    ng = Ng(*ng_addr.rsplit(":", 1), timeout=1)
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    t0 = time.monotonic()
    while not stop and time.monotonic() - t0 < float(seconds):
        try:
            calls = ng(command="list").get("calls", [])
            lines = [f"[{time.monotonic() - t0:4.0f}s] aegw-control: "
                     f"{len(calls)} call(s)"]
            for c in calls:
                lines.append(f"  call {text(c)}")
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
