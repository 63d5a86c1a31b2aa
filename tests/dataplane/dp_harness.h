// An in-process dataplane for tests: EAL with --no-huge, two net_ring
// ports (0: access, 1: core) with two queues each, two workers polled by
// the test itself, and the real command ring. Frames go in through the
// RX rings and come out of the TX rings, so every stage of the packet
// path runs exactly as in aegw-dataplane.
//
//   UE 10.0.0.2 / fd00:a::2 --- port 0 "access" 10.0.0.1/24, fd00:a::1/64
//   core 192.168.0.2 / fd00:c::2 --- port 1 "core" 192.168.0.1/24, fd00:c::1/64
#pragma once

#include <cstdint>
#include <string>
#include <vector>

extern "C" {
#include "dp.h"
}

namespace dptest {

constexpr unsigned kPorts = 2, kQueues = 2;
constexpr uint8_t kUeMac[6] = {0x02, 0, 0, 0, 0xa0, 0x02};
constexpr uint8_t kCoreMac[6] = {0x02, 0, 0, 0, 0xc0, 0x02};

struct dp *harness();
uint16_t port_mac_byte(unsigned port); // last byte of the port's MAC

aegw_endpoint ep4(const char *ip, uint16_t port);
aegw_endpoint ep6(const char *ip, uint16_t port);

// A UDP frame from src to dst carrying payload, as a peer would send it.
std::vector<uint8_t> udp_frame(const aegw_endpoint &src,
			       const aegw_endpoint &dst,
			       const std::vector<uint8_t> &payload,
			       unsigned port);

// Puts a frame on RX queue q of port p.
void inject(unsigned port, unsigned queue, const std::vector<uint8_t> &frame);
// One loop turn of worker w; both workers by default.
void poll(int worker = -1);
// Everything sent on port p (all TX queues), in order per queue.
std::vector<std::vector<uint8_t>> collect(unsigned port);

// Sends a command to its worker, polls it, and returns the ACK's status;
// other events seen on the way are appended to *events.
int command(unsigned worker, aegw_cmd &cmd,
	    std::vector<aegw_evt> *events = nullptr);
int add_stream(const aegw_stream_spec &spec);
int remove_stream(uint32_t id);
// The stream's counters (COUNTERS command).
std::vector<uint64_t> counters(uint32_t id);
uint64_t worker_counter(unsigned worker, aegw_worker_counter c);

} // namespace dptest
