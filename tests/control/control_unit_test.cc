// aegw-control's pieces in-process, with no dataplane: the port pools
// (the worker rule for both legs of a media, exhaustion, release, adoption),
// the retransmission cache (per peer, expiry, eviction), the registration
// store (insert, refresh, expiry on an injected clock, full, removal,
// identity bounds, and random operations against a model), the command
// line, the TS 33.328 policy table, the timeouts (which packets keep a
// call alive, the verdict per limit, the list of calls in their delete
// delay), the TCP framing of ng messages cut at every length, the ring
// client's batches against a worker thread on a real ring, and the o=
// version of the SDP sent to a side.
#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

extern "C" {
#include "aegw/ring.h"
#include "calls.h"
#include "id_map.h"
#include "ng_cache.h"
#include "ng_server.h"
#include "options.h"
#include "policy.h"
#include "ports.h"
#include "registry.h"
#include "sdp_version.h"
#include "secret.h"
#include "ring_client.h"
#include "timeout.h"
}

#include <atomic>
#include <thread>
#include <unistd.h>

namespace {

// ---- ports ------------------------------------------------------------

struct Pool {
	ctl_port_pool p{};
	Pool(uint16_t lo, uint16_t hi) { EXPECT_EQ(ctl_pool_init(&p, lo, hi), 0); }
	~Pool() { ctl_pool_fini(&p); }
};

TEST(Ports, RangeHoldsEvenOddPairsOnly)
{
	Pool a(20001, 20010); // pairs 20002/3 .. 20008/9
	EXPECT_EQ(a.p.n_pairs, 4u);
	Pool b(20000, 20000); // no room for RTCP
	EXPECT_EQ(b.p.n_pairs, 0u);
	EXPECT_EQ(ctl_pool_take(&b.p, 0, 1), 0);
}

TEST(Ports, EveryPortBelongsToTheWorkerAskedFor)
{
	for (unsigned workers = 1; workers <= 5; workers++) {
		Pool a(30000, 30099);
		for (unsigned w = 0; w < workers; w++) {
			uint16_t port;
			while ((port = ctl_pool_take(&a.p, w, workers))) {
				EXPECT_EQ(port % 2, 0);
				EXPECT_EQ(aegw_ring_worker_for_port(port, workers), w);
				EXPECT_EQ(aegw_ring_worker_for_port(port + 1, workers), w);
			}
		}
		EXPECT_EQ(ctl_pool_free_pairs(&a.p), 0u) << workers;
	}
}

TEST(Ports, BothLegsOfAMediaShareAWorker)
{
	Pool acc(20000, 20199), core(31001, 31300);
	unsigned rr = 0, n = 0;
	uint16_t pa, pc;

	while (ctl_pool_take_two(&acc.p, &core.p, 3, &rr, &pa, &pc) == 0) {
		EXPECT_EQ(aegw_ring_worker_for_port(pa, 3),
			  aegw_ring_worker_for_port(pc, 3));
		n++;
	}
	EXPECT_EQ(n, 100u); // the smaller pool, all of it
	EXPECT_EQ(pa, 0);
	EXPECT_EQ(pc, 0);
	EXPECT_EQ(acc.p.n_used, 100u) << "a failed try gives its port back";
}

TEST(Ports, OnePoolForBothLegsGivesTwoPairs)
{
	Pool p(20000, 20007); // 4 pairs, 2 per worker
	unsigned rr = 0;
	uint16_t a, b;

	ASSERT_EQ(ctl_pool_take_two(&p.p, &p.p, 2, &rr, &a, &b), 0);
	EXPECT_NE(a, b);
	ASSERT_EQ(ctl_pool_take_two(&p.p, &p.p, 2, &rr, &a, &b), 0);
	EXPECT_EQ(ctl_pool_take_two(&p.p, &p.p, 2, &rr, &a, &b), -1);
}

TEST(Ports, ReleasedAndReservedPairs)
{
	Pool p(20000, 20003); // 2 pairs
	uint16_t a = ctl_pool_take(&p.p, 0, 1), b = ctl_pool_take(&p.p, 0, 1);

	ASSERT_NE(a, 0);
	ASSERT_NE(b, 0);
	EXPECT_EQ(ctl_pool_take(&p.p, 0, 1), 0);
	ctl_pool_put(&p.p, uint16_t(b + 1)); // the RTCP port names the pair
	EXPECT_EQ(ctl_pool_take(&p.p, 0, 1), b);
	ctl_pool_put(&p.p, a);
	ctl_pool_put(&p.p, a); // twice is harmless
	EXPECT_EQ(p.p.n_used, 1u);
	EXPECT_TRUE(ctl_pool_reserve(&p.p, a));
	EXPECT_FALSE(ctl_pool_reserve(&p.p, a));
	EXPECT_FALSE(ctl_pool_reserve(&p.p, 40000)); // not in the pool
	EXPECT_EQ(ctl_pool_free_pairs(&p.p), 0u);
}

// ---- retransmission cache ---------------------------------------------

struct Cache {
	ng_cache c{};
	Cache(size_t max_bytes, unsigned ttl)
	{
		EXPECT_EQ(ng_cache_init(&c, max_bytes, ttl), 0);
	}
	~Cache() { ng_cache_fini(&c); }
	std::string get(const uint8_t *peer, const std::string &cookie, uint64_t now)
	{
		size_t n = 0;
		const char *r = ng_cache_get(&c, peer, cookie.data(), cookie.size(),
					     &n, now);
		return r ? std::string(r, n) : "<none>";
	}
	void put(const uint8_t *peer, const std::string &cookie,
		 const std::string &reply, uint64_t now)
	{
		ng_cache_put(&c, peer, cookie.data(), cookie.size(), reply.data(),
			     reply.size(), now);
	}
};

constexpr uint64_t kSec = 1000000000ull;
const uint8_t kPeerA[NG_CACHE_PEER_LEN] = {4, 127, 0, 0, 1};
const uint8_t kPeerB[NG_CACHE_PEER_LEN] = {4, 10, 0, 0, 9};

// The stream-id map against std::map, through growth and deletions that
// move runs back: ids in a narrow range collide on purpose.
TEST(IdMap, AgreesWithAnOrderedMapThroughPutsAndDeletes)
{
	std::mt19937 rng(11);
	std::map<uint32_t, uintptr_t> want;
	ctl_id_map m{};

	EXPECT_EQ(ctl_id_map_get(&m, 5), nullptr) << "empty";
	EXPECT_NE(ctl_id_map_put(&m, 0, &m), 0) << "0 is no id";
	for (int k = 0; k < 200000; k++) {
		uint32_t id = 1 + rng() % 5000;
		uintptr_t v = rng() | 1;
		if (rng() % 3) {
			ASSERT_EQ(ctl_id_map_put(&m, id, (void *)v), 0);
			want[id] = v;
		} else {
			ctl_id_map_del(&m, id);
			want.erase(id);
		}
		if (k % 1000 == 0) {
			ASSERT_EQ(m.n, want.size());
			for (uint32_t i = 1; i <= 5000; i++) {
				auto it = want.find(i);
				ASSERT_EQ((uintptr_t)ctl_id_map_get(&m, i),
					  it == want.end() ? 0 : it->second)
					<< "id " << i << " step " << k;
			}
		}
	}
	ctl_id_map_fini(&m);
	EXPECT_EQ(ctl_id_map_get(&m, 5), nullptr);
}

TEST(NgCache, SameCookieSamePeerOnly)
{
	Cache c(1 << 20, 30);
	c.put(kPeerA, "1_2_3", "1_2_3 d6:result2:oke", 1 * kSec);
	EXPECT_EQ(c.get(kPeerA, "1_2_3", 2 * kSec), "1_2_3 d6:result2:oke");
	EXPECT_EQ(c.get(kPeerB, "1_2_3", 2 * kSec), "<none>");
	EXPECT_EQ(c.get(kPeerA, "1_2_4", 2 * kSec), "<none>");
	c.put(kPeerA, "1_2_3", "other", 3 * kSec); // the first reply stays
	EXPECT_EQ(c.get(kPeerA, "1_2_3", 3 * kSec), "1_2_3 d6:result2:oke");
}

TEST(NgCache, EntriesExpire)
{
	Cache c(1 << 20, 30);
	c.put(kPeerA, "a", "ra", 0);
	c.put(kPeerA, "b", "rb", 10 * kSec);
	EXPECT_EQ(c.get(kPeerA, "a", 29 * kSec), "ra");
	EXPECT_EQ(c.get(kPeerA, "a", 30 * kSec), "<none>");
	EXPECT_EQ(c.get(kPeerA, "b", 30 * kSec), "rb");
	EXPECT_EQ(c.c.n, 1u);
}

// What one entry with a two-byte reply takes from the cache's bytes.
static size_t cache_entry_bytes()
{
	Cache probe(1 << 20, 30);

	probe.put(kPeerA, "c0", "r0", 0);
	EXPECT_EQ(probe.c.n, 1u);
	return probe.c.bytes;
}

TEST(NgCache, OldestEvictedForRoom)
{
	const size_t one = cache_entry_bytes();
	Cache c(3 * one, 30);

	for (int i = 0; i < 5; i++)
		c.put(kPeerA, "c" + std::to_string(i), "r" + std::to_string(i), 0);
	EXPECT_EQ(c.c.n, 3u);
	EXPECT_EQ(c.c.bytes, 3 * one);
	EXPECT_EQ(c.c.evicted, 2u);
	EXPECT_EQ(c.get(kPeerA, "c0", 1), "<none>");
	EXPECT_EQ(c.get(kPeerA, "c1", 1), "<none>");
	EXPECT_EQ(c.get(kPeerA, "c2", 1), "r2");
	EXPECT_EQ(c.get(kPeerA, "c4", 1), "r4");
}

TEST(NgCache, ALongReplyEvictsAsManyAsItNeeds)
{
	const size_t one = cache_entry_bytes();
	Cache c(3 * one, 30);

	for (int i = 0; i < 3; i++)
		c.put(kPeerA, "c" + std::to_string(i), "r" + std::to_string(i), 0);
	// A reply that takes two entries' room: the two oldest go.
	c.put(kPeerA, "long", std::string(one + 2, 'x'), 0);
	EXPECT_EQ(c.c.evicted, 2u);
	EXPECT_EQ(c.get(kPeerA, "c0", 1), "<none>");
	EXPECT_EQ(c.get(kPeerA, "c1", 1), "<none>");
	EXPECT_EQ(c.get(kPeerA, "c2", 1), "r2");
	EXPECT_EQ(c.get(kPeerA, "long", 1), std::string(one + 2, 'x'));
	EXPECT_EQ(c.c.bytes, 3 * one);
}

// A hundred replies in 64 buckets share chains: every eviction unlinks an
// entry that may sit anywhere in its chain, and the chains must stay
// whole for the replies still kept (ASan sees a stale link).
TEST(NgCache, EvictionsFromSharedChainsKeepTheRest)
{
	const size_t one = cache_entry_bytes();
	Cache c(100 * one, 30);

	ASSERT_EQ(c.c.n_buckets, 64u);
	for (int i = 0; i < 1000; i++) {
		c.put(kPeerA, "k" + std::to_string(i % 10) + std::to_string(i),
		      "r" + std::to_string(i % 10), 0);
		ASSERT_LE(c.c.bytes, 100 * one);
	}
	EXPECT_EQ(c.c.n, 100u);
	EXPECT_EQ(c.c.evicted, 900u);
	for (int i = 0; i < 1000; i++) {
		std::string k = "k" + std::to_string(i % 10) + std::to_string(i);

		EXPECT_EQ(c.get(kPeerA, k, 1),
			  i < 900 ? "<none>" : "r" + std::to_string(i % 10)) << k;
	}
}

TEST(NgCache, AReplyLargerThanTheCacheIsNotKept)
{
	const size_t one = cache_entry_bytes();
	Cache c(2 * one, 30);

	c.put(kPeerA, "small", "r0", 0);
	c.put(kPeerA, "huge", std::string(2 * one, 'x'), 0);
	EXPECT_EQ(c.get(kPeerA, "huge", 1), "<none>");
	EXPECT_EQ(c.get(kPeerA, "small", 1), "r0"); // nothing evicted for it
	EXPECT_EQ(c.c.evicted, 1u);
	EXPECT_EQ(c.c.n, 1u);
}

// ---- registration store -----------------------------------------------

struct Registry {
	ctl_registry r{};
	char err[160] = "";
	explicit Registry(unsigned max) { EXPECT_EQ(ctl_registry_init(&r, max), 0); }
	~Registry() { ctl_registry_fini(&r); }
	ctl_registration *put(const std::string &id, uint64_t expires,
			      uint64_t now, bool ue = true,
			      ctl_e2ae_policy p = CTL_E2AE_SUPPORTED,
			      const char *access = "3GPP-E-UTRAN-FDD")
	{
		ctl_reg_info info{};
		info.ue_e2ae = ue;
		info.net_e2ae = ue && p != CTL_E2AE_OFF;
		info.policy = p;
		snprintf(info.access, sizeof(info.access), "%s", access);
		info.expires_ns = expires;
		err[0] = 0;
		return ctl_registry_put(&r, id.data(), id.size(), &info, now, err,
					sizeof(err));
	}
	ctl_registration *find(const std::string &id, uint64_t now)
	{
		return ctl_registry_find(&r, id.data(), id.size(), now);
	}
};

const std::string kImpu = "sip:+15551234567@ims.mnc001.mcc001.3gppnetwork.org";

TEST(Registry, InsertAndFind)
{
	Registry g(16);
	ctl_registration *e = g.put(kImpu, 3600 * kSec, 0);
	ASSERT_NE(e, nullptr) << g.err;
	EXPECT_EQ(g.r.n, 1u);
	ctl_registration *f = g.find(kImpu, 1 * kSec);
	ASSERT_EQ(f, e);
	EXPECT_TRUE(f->info.ue_e2ae);
	EXPECT_TRUE(f->info.net_e2ae);
	EXPECT_STREQ(f->info.access, "3GPP-E-UTRAN-FDD");
	EXPECT_EQ(std::string(f->id, f->id_len), kImpu);
	// Exact bytes: no URI normalisation, no case folding.
	EXPECT_EQ(g.find("SIP:+15551234567@ims.mnc001.mcc001.3gppnetwork.org",
			 kSec), nullptr);
	EXPECT_EQ(g.find(kImpu + " ", kSec), nullptr);
	EXPECT_EQ(g.find("", kSec), nullptr);
	// Identities may hold any byte, NUL included.
	std::string nul("tel:+1\0x", 8);
	ASSERT_NE(g.put(nul, kSec, 0), nullptr);
	EXPECT_NE(g.find(nul, 0), nullptr);
	EXPECT_EQ(g.find("tel:+1", 0), nullptr);
}

TEST(Registry, ReRegisterRefreshes)
{
	Registry g(16);
	ctl_registration *e = g.put(kImpu, 10 * kSec, 0);
	ASSERT_NE(e, nullptr);
	ctl_registration *e2 = g.put(kImpu, 100 * kSec, 5 * kSec, false,
				     CTL_E2AE_PREFERRED, "IEEE-802.11");
	EXPECT_EQ(e2, e) << "the same entry";
	EXPECT_EQ(g.r.n, 1u);
	EXPECT_FALSE(e->info.ue_e2ae);
	EXPECT_FALSE(e->info.net_e2ae);
	EXPECT_EQ(e->info.policy, CTL_E2AE_PREFERRED);
	EXPECT_STREQ(e->info.access, "IEEE-802.11");
	EXPECT_EQ(ctl_registry_expire(&g.r, 50 * kSec), 0u)
		<< "the old expiry no longer holds";
	EXPECT_NE(g.find(kImpu, 99 * kSec), nullptr);
	EXPECT_EQ(g.find(kImpu, 100 * kSec), nullptr);
}

TEST(Registry, ExpiryOnTheInjectedClock)
{
	Registry g(16);
	for (int i = 0; i < 10; i++) // expiries 10 s, 20 s, ... 100 s
		ASSERT_NE(g.put("ue" + std::to_string(i), uint64_t(i + 1) * 10 * kSec,
				0), nullptr);
	EXPECT_EQ(ctl_registry_expire(&g.r, 9 * kSec), 0u);
	EXPECT_EQ(ctl_registry_expire(&g.r, 10 * kSec), 1u) << "at the instant";
	EXPECT_EQ(ctl_registry_expire(&g.r, 35 * kSec), 2u);
	EXPECT_EQ(g.r.n, 7u);
	EXPECT_EQ(g.find("ue2", 35 * kSec), nullptr);
	// Between sweeps, a lookup checks the clock itself and drops it.
	EXPECT_NE(g.find("ue3", 39 * kSec), nullptr);
	EXPECT_EQ(g.find("ue3", 40 * kSec), nullptr);
	EXPECT_EQ(g.r.n, 6u);
	EXPECT_EQ(g.r.expired, 4u);
	EXPECT_FALSE(ctl_registry_remove(&g.r, "ue4", 3, 50 * kSec))
		<< "an expired one is not there to remove";
	EXPECT_EQ(ctl_registry_expire(&g.r, 1000 * kSec), 5u);
	EXPECT_EQ(g.r.n, 0u);
}

TEST(Registry, FullTableRefusesNewButRefreshes)
{
	Registry g(3);
	for (int i = 0; i < 3; i++)
		ASSERT_NE(g.put("ue" + std::to_string(i), 10 * kSec, 0), nullptr);
	EXPECT_EQ(g.put("ue3", 10 * kSec, 0), nullptr);
	EXPECT_NE(std::string(g.err).find("full"), std::string::npos) << g.err;
	EXPECT_EQ(g.r.refused, 1u);
	EXPECT_NE(g.put("ue1", 20 * kSec, 1 * kSec), nullptr)
		<< "a re-register still fits";
	EXPECT_NE(g.find("ue0", 1 * kSec), nullptr) << "nothing evicted";
	// Expired entries never fill it: ue0 and ue2 go at 10 s.
	EXPECT_NE(g.put("ue3", 30 * kSec, 10 * kSec), nullptr) << g.err;
	EXPECT_EQ(g.r.n, 2u);
}

TEST(Registry, Deregister)
{
	Registry g(16);
	ASSERT_NE(g.put("a", 10 * kSec, 0), nullptr);
	ASSERT_NE(g.put("b", 20 * kSec, 0), nullptr);
	EXPECT_TRUE(ctl_registry_remove(&g.r, "a", 1, kSec));
	EXPECT_FALSE(ctl_registry_remove(&g.r, "a", 1, kSec));
	EXPECT_EQ(g.find("a", kSec), nullptr);
	EXPECT_NE(g.find("b", kSec), nullptr);
	EXPECT_EQ(ctl_registry_expire(&g.r, 30 * kSec), 1u);
}

TEST(Registry, IdentityBounds)
{
	Registry g(16);
	std::string max(CTL_REG_ID_MAX, 'x');
	EXPECT_NE(g.put(max, kSec, 0), nullptr) << g.err;
	EXPECT_EQ(g.put(max + "x", kSec, 0), nullptr);
	EXPECT_NE(std::string(g.err).find("256"), std::string::npos) << g.err;
	EXPECT_EQ(g.put("", kSec, 0), nullptr);
	EXPECT_EQ(g.find(max + "x", 0), nullptr);
	EXPECT_EQ(g.r.n, 1u);
}

// Random puts, refreshes, removals, lookups and sweeps against a map: the
// heap keeps every entry reachable and sweeps exactly what expired.
TEST(Registry, RandomOperationsMatchAModel)
{
	const unsigned max = 40;
	Registry g(max);
	std::map<std::string, uint64_t> model;
	std::mt19937 rng(7);
	uint64_t now = 0;

	for (int step = 0; step < 20000; step++) {
		std::string id = "ue" + std::to_string(rng() % 80);
		now += rng() % 3;
		for (auto it = model.begin(); it != model.end();)
			it = it->second <= now ? model.erase(it) : std::next(it);
		switch (rng() % 4) {
		case 0: {
			uint64_t exp = now + 1 + rng() % 1000;
			bool room = model.count(id) || model.size() < max;
			ASSERT_EQ(g.put(id, exp, now) != nullptr, room) << step;
			if (room)
				model[id] = exp;
			break;
		}
		case 1:
			ASSERT_EQ(ctl_registry_remove(&g.r, id.data(), id.size(), now),
				  model.erase(id) == 1) << step;
			break;
		case 2: {
			ctl_registration *e = g.find(id, now);
			ASSERT_EQ(e != nullptr, model.count(id) == 1) << step;
			if (e) {
				ASSERT_EQ(e->info.expires_ns, model[id]);
			}
			break;
		}
		case 3:
			ctl_registry_expire(&g.r, now);
			ASSERT_EQ(g.r.n, model.size()) << step;
			break;
		}
	}
	EXPECT_GT(g.r.refused, 0u) << "the table was full at times";
	EXPECT_GT(g.r.expired, 0u);
}

// ---- command line -----------------------------------------------------

TEST(Options, InterfaceSpellings)
{
	ctl_iface_cfg f;
	char err[200];

	ASSERT_EQ(ctl_iface_parse("access=10.0.0.1/20000-29999@0", 5, &f, err,
				  sizeof(err)), 0) << err;
	EXPECT_STREQ(f.name, "access");
	EXPECT_STREQ(f.addr_text, "10.0.0.1");
	EXPECT_EQ(f.addr.family, 4);
	EXPECT_EQ(f.port_min, 20000);
	EXPECT_EQ(f.port_max, 29999);
	EXPECT_EQ(f.dpdk_port, 0);
	ASSERT_EQ(ctl_iface_parse("core=fd00:c::1", 1, &f, err, sizeof(err)), 0);
	EXPECT_EQ(f.addr.family, 6);
	EXPECT_STREQ(f.addr_text, "fd00:c::1");
	EXPECT_EQ(f.port_min, CTL_DEFAULT_PORT_MIN);
	EXPECT_EQ(f.dpdk_port, 1) << "the position is the default DPDK port";
	ASSERT_EQ(ctl_iface_parse("v6=[fd00::1]/40000-40001@3", 0, &f, err,
				  sizeof(err)), 0);
	EXPECT_EQ(f.dpdk_port, 3);
	EXPECT_EQ(f.advertised.family, 0) << "none given";
	// Behind a 1:1 NAT: SDP names the NAT's address (rtpengine's
	// ADDR!ADVERTISED).
	ASSERT_EQ(ctl_iface_parse("access=10.0.0.1!203.0.113.5/20000-29999@2",
				  0, &f, err, sizeof(err)), 0) << err;
	EXPECT_STREQ(f.addr_text, "10.0.0.1");
	EXPECT_STREQ(f.advertised_text, "203.0.113.5");
	EXPECT_STREQ(ctl_iface_sdp_addr(&f), "203.0.113.5");
	EXPECT_EQ(f.port_min, 20000);
	EXPECT_EQ(f.dpdk_port, 2);
	ASSERT_EQ(ctl_iface_parse("v6=[fd00::1]![2001:db8::5]", 0, &f, err,
				  sizeof(err)), 0) << err;
	EXPECT_STREQ(f.advertised_text, "2001:db8::5");
	ASSERT_EQ(ctl_iface_parse("a=10.0.0.1!203.0.113.5@1", 0, &f, err,
				  sizeof(err)), 0) << err;
	EXPECT_EQ(f.dpdk_port, 1);
	EXPECT_STREQ(f.advertised_text, "203.0.113.5");
	for (const char *bad : {"access", "=10.0.0.1", "a=10.0.0.300",
				"a=10.0.0.1/20000", "a=10.0.0.1/2-1",
				"a=10.0.0.1@x", "a=10.0.0.1/0-100", "a b=10.0.0.1",
				"a=host.example", "a=10.0.0.1!", "a=!10.0.0.1",
				"a=10.0.0.1!nat.example", "a=10.0.0.1!1.2.3.4!5.6.7.8",
				"a=10.0.0.1!0.0.0.0", "a=10.0.0.1!224.0.0.1",
				"a=fd00::1!::", "a=fd00::1!ff02::1",
				"a=fd00::1!::ffff:1.2.3.4"})
		EXPECT_NE(ctl_iface_parse(bad, 0, &f, err, sizeof(err)), 0) << bad;
}

int parse(std::vector<const char *> args, ctl_options *o, std::string *err)
{
	char msg[256] = "";
	args.insert(args.begin(), "aegw-control");
	int rc = ctl_options_parse(o, int(args.size()),
				   const_cast<char **>(args.data()), msg,
				   sizeof(msg));
	*err = msg;
	return rc;
}

TEST(Options, CommandLine)
{
	ctl_options o;
	std::string err;

	ASSERT_EQ(parse({"--listen-ng", "127.0.0.1:2223", "--listen-ng",
			 "[::1]:2224", "--listen-tcp-ng", "127.0.0.1:2225",
			 "--instance", "gw", "--interface", "access=10.0.0.1",
			 "--interface", "core=192.168.0.1", "--max-sessions", "7"},
			&o, &err), 0) << err;
	EXPECT_EQ(o.n_udp, 2u);
	EXPECT_EQ(o.n_tcp, 1u);
	EXPECT_STREQ(o.instance, "gw");
	EXPECT_EQ(o.n_ifaces, 2u);
	EXPECT_EQ(o.max_sessions, 7u);
	ASSERT_EQ(parse({"--interface", "a=10.0.0.1"}, &o, &err), 0);
	EXPECT_EQ(o.n_udp, 1u) << "a default listener";
	EXPECT_EQ(parse({"--help"}, &o, &err), 1);
	EXPECT_EQ(parse({}, &o, &err), -1);
	EXPECT_NE(err.find("interface"), std::string::npos);
	EXPECT_EQ(parse({"--interface", "a=10.0.0.1/20000-20099", "--interface",
			 "b=10.0.0.1/20050-20199"}, &o, &err), -1);
	EXPECT_NE(err.find("share"), std::string::npos) << err;
	EXPECT_EQ(parse({"--interface", "a=10.0.0.1", "--interface",
			 "a=10.0.0.2"}, &o, &err), -1);
	EXPECT_EQ(parse({"--interface", "a=10.0.0.1!2001:db8::5"}, &o, &err), -1);
	EXPECT_NE(err.find("family"), std::string::npos) << err;
	// Two interfaces a NAT gives one address: one port each, or the NAT
	// would deliver one's media to the other.
	EXPECT_EQ(parse({"--interface", "a=10.0.0.1!203.0.113.5", "--interface",
			 "b=10.0.1.1!203.0.113.5"}, &o, &err), -1);
	EXPECT_NE(err.find("share"), std::string::npos) << err;
	EXPECT_EQ(parse({"--interface", "a=10.0.0.1!203.0.113.5/20000-20099",
			 "--interface", "b=10.0.1.1!203.0.113.5/20100-20199"},
			&o, &err), 0) << err;
	EXPECT_EQ(parse({"--interface", "a=10.0.0.1", "--instance", "a/b"}, &o,
			&err), -1);
	EXPECT_EQ(parse({"--interface", "a=10.0.0.1", "--bogus"}, &o, &err), -1);
	EXPECT_EQ(parse({"--interface", "a=10.0.0.1", "--listen-ng", "2223"},
			&o, &err), -1);
}

TEST(Options, E2aePolicyAndRegistrations)
{
	ctl_options o;
	std::string err;

	ASSERT_EQ(parse({"--interface", "a=10.0.0.1"}, &o, &err), 0);
	EXPECT_EQ(o.max_registrations, unsigned(CTL_DEFAULT_MAX_REGISTRATIONS));
	EXPECT_EQ(o.cache_mb, 64u) << "the documented default";
	ASSERT_EQ(parse({"--interface", "a=10.0.0.1", "--ng-cache-mb", "65536"},
			&o, &err), 0) << err;
	EXPECT_EQ(o.cache_mb, 65536u);
	EXPECT_EQ(ctl_e2ae_policy_for(&o, "IEEE-802.11", 11), CTL_E2AE_SUPPORTED)
		<< "the documented default";
	EXPECT_EQ(ctl_e2ae_policy_for(&o, "", 0), CTL_E2AE_SUPPORTED);
	ASSERT_EQ(parse({"--interface", "a=10.0.0.1", "--max-registrations", "5",
			 "--e2ae-policy", "3GPP-E-UTRAN-FDD=preferred",
			 "--e2ae-policy", "IEEE-802.11=off",
			 "--e2ae-policy", "default=off"}, &o, &err), 0) << err;
	EXPECT_EQ(o.max_registrations, 5u);
	EXPECT_EQ(ctl_e2ae_policy_for(&o, "3GPP-E-UTRAN-FDD", 16),
		  CTL_E2AE_PREFERRED);
	EXPECT_EQ(ctl_e2ae_policy_for(&o, "3gpp-e-utran-fdd", 16),
		  CTL_E2AE_PREFERRED) << "tokens match without case";
	EXPECT_EQ(ctl_e2ae_policy_for(&o, "IEEE-802.11", 11), CTL_E2AE_OFF);
	EXPECT_EQ(ctl_e2ae_policy_for(&o, "3GPP-NR-FDD", 11), CTL_E2AE_OFF)
		<< "default=off";
	EXPECT_EQ(ctl_e2ae_policy_for(&o, "", 0), CTL_E2AE_OFF);
	ASSERT_EQ(parse({"--interface", "a=10.0.0.1", "--e2ae-policy", "*=preferred",
			 "--e2ae-policy", "xDSL=supported"}, &o, &err), 0) << err;
	EXPECT_EQ(ctl_e2ae_policy_for(&o, "3GPP-NR-FDD", 11), CTL_E2AE_PREFERRED);
	EXPECT_EQ(ctl_e2ae_policy_for(&o, "xdsl", 4), CTL_E2AE_SUPPORTED);
	for (std::vector<const char *> bad : std::vector<std::vector<const char *>>{
		     {"--e2ae-policy", "IEEE-802.11"},
		     {"--e2ae-policy", "IEEE-802.11=on"},
		     {"--e2ae-policy", "=off"},
		     {"--e2ae-policy", "a b=off"},
		     {"--e2ae-policy", "a;b=off"},
		     {"--e2ae-policy", "x=off", "--e2ae-policy", "X=preferred"},
		     {"--e2ae-policy", "*=off", "--e2ae-policy", "default=off"},
		     {"--max-registrations", "0"},
		     {"--max-registrations", "-1"},
		     {"--max-registrations", "10000001"},
		     {"--ng-cache-mb", "0"},
		     {"--ng-cache-mb", "65537"},
		     {"--ng-cache-mb", "1M"}}) {
		bad.insert(bad.begin(), {"--interface", "a=10.0.0.1"});
		EXPECT_EQ(parse(bad, &o, &err), -1) << bad[3];
		EXPECT_FALSE(err.empty());
	}
	std::string too_long = "--e2ae-policy=" + std::string(64, 'a') + "=off";
	EXPECT_EQ(parse({"--interface", "a=10.0.0.1", too_long.c_str()}, &o, &err),
		  -1);
}

// ---- policy (TS 33.328) -----------------------------------------------

constexpr auto AVP = AEGW_SDP_PROTO_RTP_AVP, SAVP = AEGW_SDP_PROTO_RTP_SAVP,
	       SAVPF = AEGW_SDP_PROTO_RTP_SAVPF, AVPF = AEGW_SDP_PROTO_RTP_AVPF,
	       NONE = AEGW_SDP_PROTO_OTHER;

struct PolicyRow {
	const char *what;
	ctl_policy_in in;
	ctl_mode mode;
	bool srtp_off, srtp_ans;
	aegw_sdp_proto toward;
	bool error;
};

TEST(Policy, Table)
{
	const PolicyRow rows[] = {
		{"Kamailio's e2ae: SAVP, asked AVP", {SAVP, AVP, true, false, false, false},
		 CTL_MODE_E2AE, true, false, AVP, false},
		{"3ge2ae requested, nothing asked", {SAVP, NONE, true, false, true, false},
		 CTL_MODE_E2AE, true, false, AVP, false},
		{"3ge2ae requested, SAVPF", {SAVPF, NONE, true, false, true, false},
		 CTL_MODE_E2AE, true, false, AVPF, false},
		{"3ge2ae requested, asked SAVP", {SAVP, SAVP, true, false, true, false},
		 CTL_MODE_RECRYPT, true, true, SAVP, false},
		{"recrypt flag", {SAVP, NONE, true, false, false, true},
		 CTL_MODE_RECRYPT, true, true, SAVP, false},
		{"e2e SDES", {SAVP, NONE, true, false, false, false},
		 CTL_MODE_E2E_SDES, false, false, SAVP, false},
		{"e2e SDES, asked SAVP", {SAVP, SAVP, true, false, false, false},
		 CTL_MODE_E2E_SDES, false, false, SAVP, false},
		{"e2e SDES, unknown suite", {SAVP, NONE, false, false, false, false},
		 CTL_MODE_E2E_SDES, false, false, SAVP, false},
		{"e2e KMS", {SAVP, AVP, false, true, false, false},
		 CTL_MODE_E2E_KMS, false, false, NONE, false},
		{"terminating e2ae: AVP, asked SAVP", {AVP, SAVP, false, false, false, false},
		 CTL_MODE_E2AE, false, true, SAVP, false},
		{"plain", {AVP, NONE, false, false, false, false},
		 CTL_MODE_RELAY, false, false, AVP, false},
		{"other protocol", {NONE, AVP, false, false, false, false},
		 CTL_MODE_RELAY, false, false, NONE, false},
		{"e2ae without a usable key", {SAVP, AVP, false, false, false, false},
		 CTL_MODE_RELAY, false, false, NONE, true},
		// The registration store (answerer_e2ae, offerer_no_e2ae).
		{"store: AVP toward a UE e2ae + preferred",
		 {AVP, NONE, false, false, false, false, true, false},
		 CTL_MODE_E2AE, false, true, SAVP, false},
		{"store: AVPF toward a UE e2ae + preferred",
		 {AVPF, NONE, false, false, false, false, true, false},
		 CTL_MODE_E2AE, false, true, SAVPF, false},
		{"store: the P-CSCF's AVP wins over preferred",
		 {AVP, AVP, false, false, false, false, true, false},
		 CTL_MODE_RELAY, false, false, AVP, false},
		{"store: SAVP from the core toward preferred stays e2e",
		 {SAVP, NONE, true, false, false, false, true, false},
		 CTL_MODE_E2E_SDES, false, false, SAVP, false},
		{"store: KMS toward preferred stays e2e",
		 {AVP, NONE, false, true, false, false, true, false},
		 CTL_MODE_E2E_KMS, false, false, NONE, false},
		{"store: 3ge2ae requested, network said not supported",
		 {SAVP, NONE, true, false, true, false, false, true},
		 CTL_MODE_E2E_SDES, false, false, SAVP, false},
		{"store: ... no usable key: e2e all the same",
		 {SAVP, NONE, false, false, true, false, false, true},
		 CTL_MODE_E2E_SDES, false, false, SAVP, false},
		{"store: not supported, but the P-CSCF asked AVP",
		 {SAVP, AVP, true, false, true, false, false, true},
		 CTL_MODE_E2AE, true, false, AVP, false},
		{"store: not supported, recrypt asked",
		 {SAVP, NONE, true, false, true, true, false, true},
		 CTL_MODE_RECRYPT, true, true, SAVP, false},
	};
	for (const PolicyRow &r : rows) {
		ctl_policy_out out;
		ctl_policy_offer(&r.in, &out);
		EXPECT_EQ(out.error != nullptr, r.error) << r.what;
		if (r.error)
			continue;
		EXPECT_EQ(out.mode, r.mode) << r.what;
		EXPECT_EQ(out.srtp_offerer, r.srtp_off) << r.what;
		EXPECT_EQ(out.srtp_answerer, r.srtp_ans) << r.what;
		EXPECT_EQ(out.answerer_proto, r.toward) << r.what;
	}
}

TEST(Policy, ProtocolNames)
{
	EXPECT_EQ(ctl_proto_parse("RTP/SAVPF", 9), SAVPF);
	EXPECT_EQ(ctl_proto_parse("RTP/AVP", 7), AVP);
	EXPECT_EQ(ctl_proto_parse("UDP/TLS/RTP/SAVP", 16), NONE);
	EXPECT_EQ(ctl_proto_parse(nullptr, 0), NONE);
	EXPECT_EQ(ctl_proto_plain(SAVPF), AVPF);
	EXPECT_EQ(ctl_proto_srtp(AVP), SAVP);
	EXPECT_EQ(ctl_proto_srtp(AVPF), SAVPF);
	EXPECT_EQ(ctl_proto_srtp(SAVP), SAVP);
	EXPECT_EQ(ctl_proto_srtp(NONE), NONE);
}

// ---- timeouts -----------------------------------------------------------

TEST(Options, TimeoutsAndDeleteDelay)
{
	ctl_options o;
	std::string err;

	ASSERT_EQ(parse({"--interface", "a=10.0.0.1"}, &o, &err), 0) << err;
	EXPECT_EQ(o.timeout_s, 60u) << "rtpengine's default";
	EXPECT_EQ(o.offer_timeout_s, 3600u) << "rtpengine's default";
	EXPECT_EQ(o.final_timeout_s, 0u);
	EXPECT_EQ(o.delete_delay_s, 0u);
	ASSERT_EQ(parse({"--interface", "a=10.0.0.1", "--timeout", "0",
			 "--offer-timeout", "90", "--final-timeout", "10800",
			 "--delete-delay", "30"}, &o, &err), 0) << err;
	EXPECT_EQ(o.timeout_s, 0u);
	EXPECT_EQ(o.offer_timeout_s, 90u);
	EXPECT_EQ(o.final_timeout_s, 10800u);
	EXPECT_EQ(o.delete_delay_s, 30u);
	for (auto bad : {std::vector<const char *>{"--timeout", "-1"},
			 {"--final-timeout", "1h"}, {"--delete-delay", ""},
			 {"--offer-timeout", "604801"}}) {
		std::vector<const char *> args = {"--interface", "a=10.0.0.1"};
		args.insert(args.end(), bad.begin(), bad.end());
		EXPECT_EQ(parse(args, &o, &err), -1) << bad[0];
		EXPECT_NE(err.find(bad[0]), std::string::npos) << err;
	}
}

// --mos-formula: rtpengine 10.5's by default, 13.1's when asked; any
// other name is refused with the option named.
TEST(Options, MosFormula)
{
	ctl_options o;
	std::string err;

	ASSERT_EQ(parse({"--interface", "a=10.0.0.1"}, &o, &err), 0) << err;
	EXPECT_EQ(o.mos_formula, CTL_MOS_LEGACY);
	ASSERT_EQ(parse({"--interface", "a=10.0.0.1", "--mos-formula", "g107"},
			&o, &err), 0) << err;
	EXPECT_EQ(o.mos_formula, CTL_MOS_G107);
	ASSERT_EQ(parse({"--interface", "a=10.0.0.1", "--mos-formula", "legacy"},
			&o, &err), 0) << err;
	EXPECT_EQ(o.mos_formula, CTL_MOS_LEGACY);
	for (const char *bad : {"nb", "", "G107", "legacy "}) {
		EXPECT_EQ(parse({"--interface", "a=10.0.0.1", "--mos-formula",
				 bad}, &o, &err), -1) << bad;
		EXPECT_NE(err.find("--mos-formula"), std::string::npos) << err;
	}
}

using Counters = std::vector<std::pair<aegw_stream_counter, uint64_t>>;

// Only what the peer sent keeps its call alive: packets refused before
// they were tied to it (source, checksum, tag, replay) do not.
TEST(Timeout, PeerPacketsAreThoseTiedToThePeer)
{
	const struct {
		const char *what;
		Counters c;
		uint64_t want;
	} rows[] = {
		{"nothing", {}, 0},
		{"forwarded", {{AEGW_SC_rx_packets, 10}, {AEGW_SC_tx_packets, 10}}, 10},
		{"RTCP", {{AEGW_SC_rx_packets, 3}, {AEGW_SC_rtcp_rx_packets, 3}}, 3},
		{"wrong key", {{AEGW_SC_rx_packets, 5}, {AEGW_SC_drop_auth_failed, 5}}, 0},
		{"spoofed source",
		 {{AEGW_SC_rx_packets, 4}, {AEGW_SC_drop_wrong_source, 4}}, 0},
		{"replayed", {{AEGW_SC_rx_packets, 6}, {AEGW_SC_drop_replay, 2},
			      {AEGW_SC_drop_too_old, 1}}, 3},
		{"malformed, MKI, policy, key expired",
		 {{AEGW_SC_rx_packets, 9}, {AEGW_SC_drop_malformed, 1},
		  {AEGW_SC_drop_unknown_mki, 1}, {AEGW_SC_drop_policy, 1},
		  {AEGW_SC_drop_key_expired, 1}}, 5},
		{"dropped on the way out: the peer sent them",
		 {{AEGW_SC_rx_packets, 7}, {AEGW_SC_drop_no_neighbour, 2},
		  {AEGW_SC_drop_tx_full, 1}, {AEGW_SC_drop_no_room, 1},
		  {AEGW_SC_drop_crypto, 1}}, 7},
	};
	for (const auto &r : rows) {
		uint64_t c[AEGW_SC_COUNT] = {};
		for (const auto &kv : r.c)
			c[kv.first] = kv.second;
		EXPECT_EQ(ctl_timeout_peer_packets(c), r.want) << r.what;
	}
}

TEST(Timeout, VerdictTable)
{
	constexpr uint64_t S = 1000000000ull, T0 = 1000 * S; // a clock not at 0
	const struct {
		const char *what;
		unsigned timeout, offer, final;
		bool answered;
		uint64_t active, blind, now; // seconds after T0
		ctl_timeout want;
	} rows[] = {
		{"silent 59 s", 60, 3600, 0, true, 0, 0, 59, CTL_TIMEOUT_NONE},
		{"silent 60 s", 60, 3600, 0, true, 0, 0, 60, CTL_TIMEOUT_MEDIA},
		{"active at 30", 60, 3600, 0, true, 30, 0, 89, CTL_TIMEOUT_NONE},
		{"active at 30, 90", 60, 3600, 0, true, 30, 0, 90, CTL_TIMEOUT_MEDIA},
		{"ringing 60 s", 60, 3600, 0, false, 0, 0, 60, CTL_TIMEOUT_NONE},
		{"ringing an hour", 60, 3600, 0, false, 0, 0, 3600, CTL_TIMEOUT_OFFER},
		{"no dataplane until 50", 60, 3600, 0, true, 0, 50, 100, CTL_TIMEOUT_NONE},
		{"no dataplane until 50, 110", 60, 3600, 0, true, 0, 50, 110,
		 CTL_TIMEOUT_MEDIA},
		{"timeout off", 0, 0, 0, true, 0, 0, 1000000, CTL_TIMEOUT_NONE},
		{"busy, 99 s old", 60, 3600, 100, true, 99, 0, 99, CTL_TIMEOUT_NONE},
		{"busy, 100 s old", 60, 3600, 100, true, 99, 0, 100, CTL_TIMEOUT_FINAL},
		{"ringing, 100 s old", 60, 3600, 100, false, 0, 0, 100,
		 CTL_TIMEOUT_FINAL},
		{"final before media", 60, 3600, 100, true, 0, 0, 500,
		 CTL_TIMEOUT_FINAL},
	};
	for (const auto &r : rows) {
		ctl_options o{};
		ctl_call c{};
		o.timeout_s = r.timeout;
		o.offer_timeout_s = r.offer;
		o.final_timeout_s = r.final;
		c.answered = r.answered;
		c.created_ns = T0;
		c.active_ns = T0 + r.active * S;
		EXPECT_EQ(ctl_timeout_judge(&o, &c, T0 + r.now * S,
					    r.blind ? T0 + r.blind * S : 0),
			  r.want) << r.what;
	}
	EXPECT_STREQ(ctl_timeout_reason(CTL_TIMEOUT_MEDIA), "media timeout");
	EXPECT_STREQ(ctl_timeout_stat_name(CTL_TIMEOUT_FINAL),
		     "finaltimeoutsessions");
}

// A call whose media are all meant to be silent (rtpengine's "muted or
// inactive") is on hold: --silent-timeout, not --timeout. Directions are
// each side's own (the offer's for the offerer, the answer's for the
// answerer), an absent attribute is sendrecv (RFC 8866 6.7), and media
// aegw did not install (rejected, over TCP) say nothing.
TEST(Timeout, HeldCallsHaveTheSilentTimeout)
{
	constexpr uint64_t S = 1000000000ull, T0 = 1000 * S;
	const auto N = AEGW_SDP_DIR_NONE, SR = AEGW_SDP_DIR_SENDRECV,
		   SO = AEGW_SDP_DIR_SENDONLY, RO = AEGW_SDP_DIR_RECVONLY,
		   IN = AEGW_SDP_DIR_INACTIVE;
	const struct {
		const char *what;
		std::vector<std::pair<aegw_sdp_dir, aegw_sdp_dir>> media;
		std::vector<bool> installed;
		bool held;
	} rows[] = {
		{"no attributes", {{N, N}}, {true}, false},
		{"sendrecv", {{SR, SR}}, {true}, false},
		{"hold with music: sendonly, recvonly", {{SO, RO}}, {true}, false},
		{"inactive both", {{IN, IN}}, {true}, true},
		{"inactive answer", {{SO, IN}}, {true}, true},
		{"recvonly both", {{RO, RO}}, {true}, true},
		{"sendonly both", {{SO, SO}}, {true}, true},
		{"audio held, video flows", {{IN, IN}, {N, N}}, {true, true}, false},
		{"audio held, video not installed", {{IN, IN}, {N, N}},
		 {true, false}, true},
		{"nothing installed", {{IN, IN}}, {false}, false},
		{"no media", {}, {}, false},
	};
	for (const auto &r : rows) {
		std::vector<ctl_media> m(r.media.size());
		for (size_t i = 0; i < m.size(); i++) {
			m[i].installed = r.installed[i];
			m[i].leg[0].dir = uint8_t(r.media[i].first);
			m[i].leg[1].dir = uint8_t(r.media[i].second);
		}
		ctl_call c{};
		c.media = m.data();
		c.n_media = unsigned(m.size());
		c.answered = true;
		c.created_ns = c.active_ns = T0;
		EXPECT_EQ(ctl_timeout_held(&c), r.held) << r.what;
		ctl_options o{};
		o.timeout_s = 60;
		o.silent_timeout_s = 3600;
		EXPECT_EQ(ctl_timeout_judge(&o, &c, T0 + 60 * S, 0),
			  r.held ? CTL_TIMEOUT_NONE : CTL_TIMEOUT_MEDIA) << r.what;
		EXPECT_EQ(ctl_timeout_judge(&o, &c, T0 + 3600 * S, 0),
			  r.held ? CTL_TIMEOUT_SILENT : CTL_TIMEOUT_MEDIA) << r.what;
		o.silent_timeout_s = 0;
		EXPECT_EQ(ctl_timeout_judge(&o, &c, T0 + 99999 * S, 0),
			  r.held ? CTL_TIMEOUT_NONE : CTL_TIMEOUT_MEDIA) << r.what;
	}
	EXPECT_STREQ(ctl_timeout_stat_name(CTL_TIMEOUT_SILENT),
		     "silenttimeoutsessions");
}

// The deleting list, both ways, in deadline order.
std::vector<ctl_call *> deleting(const ctl_calls &t)
{
	std::vector<ctl_call *> fwd, back;
	for (ctl_call *c = t.del_first; c; c = c->del_next)
		fwd.push_back(c);
	for (ctl_call *c = t.del_last; c; c = c->del_prev)
		back.insert(back.begin(), c);
	EXPECT_EQ(fwd, back);
	return fwd;
}

TEST(Timeout, DeletingListAndCursorSurviveDestroy)
{
	ctl_calls t;
	ctl_call *c[5];

	ASSERT_EQ(ctl_calls_init(&t, 0), 0);
	for (int i = 0; i < 5; i++) {
		std::string id = "call-" + std::to_string(i);
		c[i] = ctl_call_create(&t, id.data(), id.size(), "tag", 3);
		ASSERT_NE(c[i], nullptr);
	}
	ctl_call_mark_deleting(&t, c[0], 300);
	ctl_call_mark_deleting(&t, c[1], 100);
	ctl_call_mark_deleting(&t, c[2], 200);
	ctl_call_mark_deleting(&t, c[3], 200);
	EXPECT_EQ(deleting(t), (std::vector<ctl_call *>{c[1], c[2], c[3], c[0]}))
		<< "by deadline, equal ones in the order asked";
	ctl_call_mark_deleting(&t, c[0], 50);
	EXPECT_EQ(deleting(t), (std::vector<ctl_call *>{c[0], c[1], c[2], c[3]}));
	ctl_call_unmark_deleting(&t, c[2]);
	EXPECT_EQ(c[2]->delete_ns, 0u);
	ctl_call_unmark_deleting(&t, c[2]);
	EXPECT_EQ(deleting(t), (std::vector<ctl_call *>{c[0], c[1], c[3]}));
	ctl_call_destroy(&t, c[1]);
	EXPECT_EQ(deleting(t), (std::vector<ctl_call *>{c[0], c[3]}));
	t.cursor = c[3];
	ctl_call_destroy(&t, c[3]);
	EXPECT_EQ(t.cursor, c[4]) << "the walk goes on with the next call";
	EXPECT_EQ(deleting(t), std::vector<ctl_call *>{c[0]});
	ctl_call_destroy(&t, c[4]);
	EXPECT_EQ(t.cursor, nullptr) << "the walk starts again at the first";
	ctl_calls_fini(&t);
	EXPECT_EQ(t.del_first, nullptr);
}

// ---- TCP framing --------------------------------------------------------

// Key randomness comes from a pool drawn ahead: draws across its refills
// are whole, and no 30-byte key is ever handed out twice.
TEST(Secret, RandomDrawsAreFreshAcrossPoolRefills)
{
	std::set<std::string> keys;
	std::vector<uint8_t> big(5000, 0);
	for (int i = 0; i < 200; i++) { // 6000 bytes: several refills
		uint8_t k[30] = {0};
		ASSERT_EQ(ctl_secret_random(k, sizeof(k)), 0);
		EXPECT_TRUE(keys.insert(std::string((char *)k, sizeof(k))).second)
			<< "draw " << i << " repeats an earlier one";
	}
	ASSERT_EQ(ctl_secret_random(big.data(), big.size()), 0);
	size_t zeros = 0;
	for (uint8_t b : big)
		zeros += b == 0;
	EXPECT_LT(zeros, 60u) << "a draw larger than the pool left bytes unset";
	for (size_t off = 0; off + 30 <= big.size(); off += 30)
		EXPECT_EQ(keys.count(std::string((char *)&big[off], 30)), 0u);
	EXPECT_EQ(ctl_secret_random(nullptr, 0), 0);
}

TEST(NgFraming, EveryCutOfAMessageWaits)
{
	const std::string m = "0_1_2 d7:command5:offer3:sdp5:v=0\r\n7:call-id"
			      "2:c14:listli1ei-2eee";
	for (size_t n = 0; n < m.size(); n++)
		EXPECT_EQ(ctl_ng_frame_len(m.data(), n), 0) << n;
	EXPECT_EQ(ctl_ng_frame_len(m.data(), m.size()), long(m.size()));
}

TEST(NgFraming, BackToBackMessages)
{
	const std::string a = "c1 d7:command4:pinge", b = "c2 d7:command4:liste";
	std::string both = a + b;
	EXPECT_EQ(ctl_ng_frame_len(both.data(), both.size()), long(a.size()));
	both = a + "c2 d7:comm";
	EXPECT_EQ(ctl_ng_frame_len(both.data(), both.size()), long(a.size()));
}

TEST(NgFraming, GarbageIsRefused)
{
	for (std::string g : {std::string(80, 'x'), std::string("c1 x"),
			      std::string("c1 d7:commandi01ee"),
			      std::string("c1 di1ei2ee")})
		EXPECT_EQ(ctl_ng_frame_len(g.data(), g.size()), -1) << g;
}

// ---- ring client ------------------------------------------------------

// A worker that answers nothing until `hold` commands wait in its ring:
// a client that waited for each ACK before sending the next would time
// out. It sends COUNTERS before the ACK of a COUNTERS command and refuses
// stream 2 with EXISTS.
TEST(RingClient, ManyCommandsOneRoundTrip)
{
	std::string inst = "ringbatch" + std::to_string(getpid());
	aegw_shm *shm = nullptr;
	ASSERT_EQ(aegw_shm_create(inst.c_str(), 1, &shm), 0);
	aegw_shm_heartbeat(shm);
	ctl_ring r;
	ctl_ring_init(&r, inst.c_str());
	ASSERT_EQ(ctl_ring_poll(&r), CTL_RING_ATTACHED);
	ASSERT_TRUE(ctl_ring_ready(&r));

	const unsigned hold = 3;
	std::atomic<bool> stop{false};
	std::thread worker([&] {
		while (!stop && aegw_ring_cmd_depth(shm, 0) < hold)
			std::this_thread::yield();
		aegw_cmd cmd;
		while (!stop) {
			if (aegw_ring_cmd_recv(shm, 0, &cmd)) {
				std::this_thread::yield();
				continue;
			}
			aegw_evt e{};
			e.seq = cmd.seq;
			e.stream_id = cmd.stream_id;
			if (cmd.type == AEGW_CMD_COUNTERS) {
				e.type = AEGW_EVT_COUNTERS;
				e.counters[0] = 100 + cmd.stream_id;
				while (aegw_ring_evt_send(shm, 0, &e))
					;
			}
			e.type = AEGW_EVT_ACK;
			e.status = cmd.stream_id == 2 ? AEGW_ERR_EXISTS : 0;
			while (aegw_ring_evt_send(shm, 0, &e))
				;
		}
	});
	aegw_cmd cmds[hold] = {};
	for (unsigned i = 0; i < hold; i++) {
		cmds[i].type = i == 1 ? AEGW_CMD_REMOVE_STREAM : AEGW_CMD_COUNTERS;
		cmds[i].stream_id = i + 1;
	}
	std::vector<uint32_t> seen;
	auto on_evt = [](void *arg, const aegw_evt *e) {
		auto *v = static_cast<std::vector<uint32_t> *>(arg);
		EXPECT_EQ(e->type, uint32_t(AEGW_EVT_COUNTERS));
		EXPECT_EQ(e->counters[0], 100u + e->stream_id);
		v->push_back(e->stream_id);
	};
	int rcs[hold];
	int first = ctl_ring_exec_many(&r, 0, cmds, hold, rcs, on_evt, &seen);
	EXPECT_EQ(first, int(AEGW_ERR_EXISTS));
	EXPECT_EQ(rcs[0], 0);
	EXPECT_EQ(rcs[1], int(AEGW_ERR_EXISTS));
	EXPECT_EQ(rcs[2], 0);
	EXPECT_EQ(seen, (std::vector<uint32_t>{1, 3}));
	EXPECT_EQ(r.sent, uint64_t(hold));
	EXPECT_EQ(r.refused, 1u);
	// One command alone goes through the same path, and the worker,
	// holding no more, answers it at once.
	aegw_cmd one{};
	one.type = AEGW_CMD_REMOVE_STREAM;
	one.stream_id = 9;
	EXPECT_EQ(ctl_ring_exec(&r, 0, &one, nullptr, nullptr), 0);
	EXPECT_EQ(ctl_ring_exec(&r, 5, &one, nullptr, nullptr), -EINVAL)
		<< "no such worker";
	stop = true;
	worker.join();
	ctl_ring_fini(&r);
	aegw_shm_detach(shm);
	aegw_shm_unlink(inst.c_str());
}

} // namespace

// ctl_sdp_version on its own: what a side last got against what goes out
// now (the ng flow is in control_reinvite_test.cc).
namespace {
struct Sent {
	std::string out;
	ctl_sdp_sent now;
};

Sent send_sdp(const ctl_sdp_sent &last, const std::string &text)
{
	static aegw_sdp sdp; // 40 KiB: not on the stack
	aegw_sdp_edit ed = {};
	char err[200] = "";
	std::vector<char> out(8192);
	size_t len = 0;
	Sent s{};

	EXPECT_EQ(aegw_sdp_parse(&sdp, text.data(), text.size(), err,
				 sizeof(err)), 0) << err;
	EXPECT_EQ(aegw_sdp_rewrite(&sdp, &ed, out.data(), out.size(), &len, err,
				   sizeof(err)), 0) << err;
	EXPECT_EQ(ctl_sdp_version(&last, &sdp, &ed, out.data(), out.size(), &len,
				  &s.now, err, sizeof(err)), 0) << err;
	EXPECT_EQ(ed.origin_version, nullptr);
	s.out.assign(out.data(), len);
	return s;
}

std::string sdp_of(const std::string &origin, const std::string &media)
{
	return "v=0\r\no=" + origin + " IN IP4 10.0.0.1\r\ns=-\r\nt=0 0\r\n" +
	       "m=audio " + media + " RTP/AVP 0\r\n";
}
} // namespace

TEST(SdpVersion, UpWhenTheSdpChangesOnly)
{
	ctl_sdp_sent none = {};
	Sent a = send_sdp(none, sdp_of("- 7 3", "1000"));
	EXPECT_EQ(a.out, sdp_of("- 7 3", "1000"));
	EXPECT_TRUE(a.now.sent);
	EXPECT_EQ(a.now.version, 3u);
	EXPECT_EQ(send_sdp(a.now, sdp_of("- 7 3", "1000")).out,
		  sdp_of("- 7 3", "1000")) << "unchanged";
	EXPECT_EQ(send_sdp(a.now, sdp_of("- 7 1", "1000")).out,
		  sdp_of("- 7 3", "1000")) << "never down";
	Sent b = send_sdp(a.now, sdp_of("- 7 3", "1002"));
	EXPECT_EQ(b.out, sdp_of("- 7 4", "1002")) << "changed: one more";
	EXPECT_EQ(b.now.version, 4u);
	EXPECT_EQ(send_sdp(b.now, sdp_of("- 7 9", "1000")).out,
		  sdp_of("- 7 9", "1000")) << "a higher one stands";
	EXPECT_EQ(send_sdp(b.now, sdp_of("- 8 1", "1000")).out,
		  sdp_of("- 8 1", "1000")) << "another origin starts afresh";
	EXPECT_EQ(send_sdp(b.now, sdp_of("x 7 1", "1000")).out,
		  sdp_of("x 7 1", "1000"));
}

TEST(SdpVersion, NumbersItCannotReadAreLeftAlone)
{
	ctl_sdp_sent none = {};
	Sent top = send_sdp(none, sdp_of("- 7 18446744073709551615", "1000"));
	EXPECT_EQ(top.now.version, UINT64_MAX);
	EXPECT_EQ(send_sdp(top.now, sdp_of("- 7 18446744073709551615", "1002")).out,
		  sdp_of("- 7 18446744073709551615", "1002")) << "no 2^64";
	for (const char *v : { "18446744073709551616", "99999999999999999999999" }) {
		Sent s = send_sdp(top.now, sdp_of(std::string("- 7 ") + v, "1004"));
		EXPECT_EQ(s.out, sdp_of(std::string("- 7 ") + v, "1004")) << v;
		EXPECT_FALSE(s.now.sent) << v;
	}
}
