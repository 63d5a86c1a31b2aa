#include "dataplane/dp_harness.h"

#include <arpa/inet.h>
#include <unistd.h>

#include <cstring>
#include <stdexcept>

#include <gtest/gtest.h>

extern "C" {
#include <rte_eal.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_ring.h>
}

namespace dptest {
namespace {

struct dp g_dp;
struct rte_ring *g_rx[kPorts][kQueues], *g_tx[kPorts][kQueues];
bool g_up;

void make_rings()
{
	for (unsigned p = 0; p < kPorts; p++) {
		for (unsigned q = 0; q < kQueues; q++) {
			std::string rx = "trx" + std::to_string(p) + std::to_string(q);
			std::string tx = "ttx" + std::to_string(p) + std::to_string(q);
			g_rx[p][q] = rte_ring_create(rx.c_str(), 1024, 0,
						     RING_F_SP_ENQ | RING_F_SC_DEQ);
			g_tx[p][q] = rte_ring_create(tx.c_str(), 1024, 0,
						     RING_F_SP_ENQ | RING_F_SC_DEQ);
			if (!g_rx[p][q] || !g_tx[p][q])
				throw std::runtime_error("rte_ring_create");
		}
		std::string name = p ? "core" : "access";
		if (rte_eth_from_rings(name.c_str(), g_rx[p], kQueues, g_tx[p],
				       kQueues, 0) < 0)
			throw std::runtime_error("rte_eth_from_rings");
	}
}

void add_static(unsigned port, const aegw_endpoint &ip, const uint8_t *mac)
{
	dp_static_neigh &n = g_dp.cfg.statics[g_dp.cfg.n_static++];
	n.port = uint16_t(port);
	n.ip = ip;
	std::memcpy(n.mac, mac, 6);
}

void configure()
{
	dp_config &c = g_dp.cfg;
	std::memset(&c, 0, sizeof(c));
	snprintf(c.instance, sizeof(c.instance), "dptest%d", int(getpid()));
	c.backend = AEGW_SRTP_BACKEND_IPSECMB;
	c.max_streams = 4096;
	c.rx_desc = c.tx_desc = 256;
	c.mbuf_data = 2048;
	c.unlink_at_exit = true;
	c.ports[0].ip4 = ep4("10.0.0.1", 0);
	c.ports[0].prefix4 = 24;
	c.ports[0].ip6 = ep6("fd00:a::1", 0);
	c.ports[0].prefix6 = 64;
	c.ports[1].ip4 = ep4("192.168.0.1", 0);
	c.ports[1].prefix4 = 24;
	c.ports[1].ip6 = ep6("fd00:c::1", 0);
	c.ports[1].prefix6 = 64;
	add_static(0, ep4("10.0.0.2", 0), kUeMac);
	add_static(0, ep6("fd00:a::2", 0), kUeMac);
	add_static(1, ep4("192.168.0.2", 0), kCoreMac);
	add_static(1, ep6("fd00:c::2", 0), kCoreMac);
	g_dp.n_workers = kQueues;
}

class Env : public ::testing::Environment {
public:
	void SetUp() override
	{
		std::string prefix = "dptest" + std::to_string(getpid());
		const char *argv[] = {"dp_test", "--no-huge", "-m", "256",
				      "--no-pci", "-l", "0", "--file-prefix",
				      prefix.c_str(), "--log-level", "*:error"};
		int argc = int(sizeof(argv) / sizeof(argv[0]));
		if (rte_eal_init(argc, const_cast<char **>(argv)) < 0)
			throw std::runtime_error("rte_eal_init");
		make_rings();
		configure();
		if (dp_setup(&g_dp) != 0)
			throw std::runtime_error("dp_setup");
		g_up = true;
	}
	void TearDown() override
	{
		if (g_up)
			dp_teardown(&g_dp);
		rte_eal_cleanup();
	}
};

[[maybe_unused]] auto *g_env =
	::testing::AddGlobalTestEnvironment(new Env);

} // namespace

struct dp *harness() { return &g_dp; }

aegw_endpoint ep4(const char *ip, uint16_t port)
{
	aegw_endpoint e{};
	e.family = 4;
	e.port = port;
	if (inet_pton(AF_INET, ip, e.ip) != 1)
		throw std::invalid_argument(ip);
	return e;
}

aegw_endpoint ep6(const char *ip, uint16_t port)
{
	aegw_endpoint e{};
	e.family = 6;
	e.port = port;
	if (inet_pton(AF_INET6, ip, e.ip) != 1)
		throw std::invalid_argument(ip);
	return e;
}

std::vector<uint8_t> udp_frame(const aegw_endpoint &src,
			       const aegw_endpoint &dst,
			       const std::vector<uint8_t> &payload,
			       unsigned port)
{
	unsigned hl = aegw_pkt_udp_hdr_len(src.family, 0);
	std::vector<uint8_t> f(hl + payload.size());
	aegw_pkt_l2 l2{};
	std::memcpy(l2.dst_mac, g_dp.cfg.ports[port].mac, 6);
	std::memcpy(l2.src_mac, port ? kCoreMac : kUeMac, 6);
	if (!payload.empty())
		std::memcpy(f.data() + hl, payload.data(), payload.size());
	aegw_pkt_write_udp(f.data() + hl, uint16_t(payload.size()), &l2, &src,
			   &dst, 0);
	return f;
}

void inject(unsigned port, unsigned queue, const std::vector<uint8_t> &frame)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(g_dp.pool);
	ASSERT_NE(m, nullptr);
	char *d = rte_pktmbuf_append(m, uint16_t(frame.size()));
	ASSERT_NE(d, nullptr);
	std::memcpy(d, frame.data(), frame.size());
	m->port = uint16_t(port);
	ASSERT_EQ(rte_ring_enqueue(g_rx[port][queue], m), 0);
}

void poll(int worker)
{
	for (unsigned w = 0; w < g_dp.n_workers; w++)
		if (worker < 0 || unsigned(worker) == w)
			dp_worker_poll_once(&g_dp.workers[w]);
}

std::vector<std::vector<uint8_t>> collect(unsigned port)
{
	std::vector<std::vector<uint8_t>> out;
	for (unsigned q = 0; q < kQueues; q++) {
		void *obj;
		while (rte_ring_dequeue(g_tx[port][q], &obj) == 0) {
			auto *m = static_cast<struct rte_mbuf *>(obj);
			const uint8_t *d = rte_pktmbuf_mtod(m, const uint8_t *);
			out.emplace_back(d, d + m->data_len);
			rte_pktmbuf_free(m);
		}
	}
	return out;
}

int command(unsigned worker, aegw_cmd &cmd, std::vector<aegw_evt> *events)
{
	if (aegw_ring_cmd_send(g_dp.shm, worker, &cmd) != 0)
		return -1000;
	for (int turn = 0; turn < 100; turn++) {
		poll(int(worker));
		aegw_evt evt;
		while (aegw_ring_evt_recv(g_dp.shm, worker, &evt) == 0) {
			if (evt.type == AEGW_EVT_ACK && evt.seq == cmd.seq)
				return evt.status;
			if (events)
				events->push_back(evt);
		}
	}
	return -1001;
}

int add_stream(const aegw_stream_spec &spec)
{
	aegw_cmd cmd{};
	cmd.type = AEGW_CMD_ADD_STREAM;
	cmd.spec = spec;
	return command(aegw_ring_worker_for_port(spec.local.port, g_dp.n_workers), cmd);
}

static unsigned worker_of_id(uint32_t id)
{
	for (unsigned w = 0; w < g_dp.n_workers; w++)
		if (dp_stream_find_id(&g_dp.workers[w], id))
			return w;
	return 0;
}

int remove_stream(uint32_t id)
{
	aegw_cmd cmd{};
	cmd.type = AEGW_CMD_REMOVE_STREAM;
	cmd.stream_id = id;
	return command(worker_of_id(id), cmd);
}

std::vector<uint64_t> counters(uint32_t id)
{
	aegw_cmd cmd{};
	cmd.type = AEGW_CMD_COUNTERS;
	cmd.stream_id = id;
	std::vector<aegw_evt> ev;
	int rc = command(worker_of_id(id), cmd, &ev);
	EXPECT_EQ(rc, 0);
	for (auto &e : ev)
		if (e.type == AEGW_EVT_COUNTERS && e.stream_id == id)
			return std::vector<uint64_t>(e.counters,
						     e.counters + AEGW_SC_COUNT);
	ADD_FAILURE() << "no counters for stream " << id;
	return std::vector<uint64_t>(AEGW_SC_COUNT);
}

uint64_t worker_counter(unsigned worker, aegw_worker_counter c)
{
	return g_dp.workers[worker].counters[c];
}

} // namespace dptest
