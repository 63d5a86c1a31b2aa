/* Next hops: a small per-port table of IP -> MAC, learned from ARP and
 * neighbour discovery or given statically. Any worker may learn (under the
 * port's lock: rare); workers read without writing, checking each entry's
 * sequence count, and streams cache the answer until neigh_gen moves. */
#include <string.h>

#include <rte_cycles.h>
#include <rte_jhash.h>
#include <rte_mbuf.h>

#include "dp.h"

void dp_neigh_init(struct dp_port *p)
{
	rte_spinlock_init(&p->neigh_lock);
	memset(p->neigh, 0, sizeof(p->neigh));
	p->neigh_gen = 1;
}

static unsigned slot_of(const struct aegw_endpoint *ip)
{
	uint32_t words[4]; /* endpoints are only 2-byte aligned */
	unsigned n = ip->family == 6 ? 4 : 1;

	memcpy(words, ip->ip, n * 4);
	return rte_jhash_32b(words, n, ip->family) % DP_NEIGH_SLOTS;
}

static bool ip_eq(const struct aegw_endpoint *a, const struct aegw_endpoint *b)
{
	return a->family == b->family &&
	       memcmp(a->ip, b->ip, a->family == 6 ? 16 : 4) == 0;
}

/* The entry for ip, or the slot to put it in: a free one, else a learned
 * one to evict (so that a flood of ARP requests from made-up senders
 * cannot lock out a next hop; static and awaited entries stay). NULL when
 * the probe window holds only those. Called with the lock held. */
static struct dp_neigh *slot_find(struct dp_port *p,
				  const struct aegw_endpoint *ip, bool *found)
{
	unsigned h = slot_of(ip);
	struct dp_neigh *free_slot = NULL, *victim = NULL;

	for (unsigned i = 0; i < DP_NEIGH_PROBE; i++) {
		struct dp_neigh *n = &p->neigh[(h + i) % DP_NEIGH_SLOTS];

		if (n->state == DP_NEIGH_FREE) {
			if (!free_slot)
				free_slot = n;
			continue;
		}
		if (ip_eq(&n->ip, ip)) {
			*found = true;
			return n;
		}
		if (n->state == DP_NEIGH_VALID && !victim)
			victim = n;
	}
	*found = false;
	return free_slot ? free_slot : victim;
}

static void entry_write(struct dp_port *p, struct dp_neigh *n,
			const struct aegw_endpoint *ip, const uint8_t mac[6],
			uint8_t state)
{
	__atomic_store_n(&n->seq, n->seq + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	n->ip = *ip;
	n->ip.port = 0;
	if (mac)
		memcpy(n->mac, mac, 6);
	n->state = state;
	__atomic_store_n(&n->seq, n->seq + 1, __ATOMIC_RELEASE);
	__atomic_store_n(&p->neigh_gen, p->neigh_gen + 1, __ATOMIC_RELEASE);
}

int dp_neigh_add_static(struct dp_port *p, const struct aegw_endpoint *ip,
			const uint8_t mac[6])
{
	bool found;
	struct dp_neigh *n;

	rte_spinlock_lock(&p->neigh_lock);
	n = slot_find(p, ip, &found);
	if (n)
		entry_write(p, n, ip, mac, DP_NEIGH_STATIC);
	rte_spinlock_unlock(&p->neigh_lock);
	return n ? 0 : -1;
}

static bool on_link(const struct aegw_endpoint *mine, unsigned prefix,
		    const struct aegw_endpoint *dst)
{
	unsigned bytes = prefix / 8, bits = prefix % 8;

	if (!mine->family || mine->family != dst->family)
		return false;
	if (memcmp(mine->ip, dst->ip, bytes) != 0)
		return false;
	return !bits || ((mine->ip[bytes] ^ dst->ip[bytes]) >> (8 - bits)) == 0;
}

/* Unless `create`, learns only what it was waiting for or already knew
 * (a frame from anyone must not fill the table); never overrides a static
 * entry. */
bool dp_neigh_learn(struct dp_port *p, const struct aegw_endpoint *ip,
		    const uint8_t mac[6], bool create)
{
	bool found, changed = false;
	struct dp_neigh *n;

	if (!on_link(ip->family == 4 ? &p->ip4 : &p->ip6,
		     ip->family == 4 ? p->prefix4 : p->prefix6, ip))
		return false; /* not a neighbour of this port */
	rte_spinlock_lock(&p->neigh_lock);
	n = slot_find(p, ip, &found);
	if (n && (found || create) && n->state != DP_NEIGH_STATIC &&
	    (n->state != DP_NEIGH_VALID || memcmp(n->mac, mac, 6) != 0)) {
		entry_write(p, n, ip, mac, DP_NEIGH_VALID);
		changed = true;
	}
	rte_spinlock_unlock(&p->neigh_lock);
	return changed;
}

static const struct aegw_endpoint *next_hop(const struct dp_port *p,
					    const struct aegw_endpoint *dst)
{
	if (dst->family == 4)
		return on_link(&p->ip4, p->prefix4, dst) || !p->gw4.family ?
			       dst :
			       &p->gw4;
	return on_link(&p->ip6, p->prefix6, dst) || !p->gw6.family ? dst :
								     &p->gw6;
}

/* A consistent copy of an entry's state and MAC, without writing. */
static uint8_t entry_read(const struct dp_neigh *n,
			  const struct aegw_endpoint *ip, uint8_t mac[6])
{
	uint32_t s0, s1;
	uint8_t state;
	bool same;

	do {
		s0 = __atomic_load_n(&n->seq, __ATOMIC_ACQUIRE);
		state = n->state;
		same = ip_eq(&n->ip, ip);
		memcpy(mac, n->mac, 6);
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		s1 = __atomic_load_n(&n->seq, __ATOMIC_RELAXED);
	} while ((s0 & 1) || s0 != s1);
	return same ? state : DP_NEIGH_FREE;
}

static void send_request(struct dp_worker *w, struct dp_port *p,
			 const struct aegw_endpoint *hop)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(w->dp->pool);
	struct aegw_pkt_l2 l2 = { .vlan_tci = p->vlan_tci,
				  .has_vlan = p->has_vlan };
	uint8_t *buf;
	uint32_t len = 0;

	if (!m) {
		w->counters[AEGW_WC_drop_no_mbuf]++;
		return;
	}
	memcpy(l2.src_mac, p->mac, 6);
	buf = rte_pktmbuf_mtod(m, uint8_t *);
	if (hop->family == 4 && p->ip4.family)
		len = aegw_pkt_arp_request(buf, rte_pktmbuf_tailroom(m), &l2,
					   p->ip4.ip, hop->ip);
	else if (hop->family == 6 && p->ip6.family)
		len = aegw_pkt_nd_solicit(buf, rte_pktmbuf_tailroom(m), &l2,
					  p->ip6.ip, hop->ip);
	if (!len) {
		rte_pktmbuf_free(m);
		return;
	}
	m->data_len = (uint16_t)len;
	m->pkt_len = len;
	w->counters[AEGW_WC_neigh_requests]++;
	dp_tx_frame(w, p->port_id, m, NULL);
}

/* Marks hop as awaited and says whether a request is due (once a second
 * per next hop). */
static bool request_due(struct dp_port *p, const struct aegw_endpoint *hop)
{
	uint64_t now = rte_get_tsc_cycles();
	bool found, due = false;
	struct dp_neigh *n;

	rte_spinlock_lock(&p->neigh_lock);
	n = slot_find(p, hop, &found);
	if (n && !found)
		entry_write(p, n, hop, NULL, DP_NEIGH_PENDING);
	if (n && n->state == DP_NEIGH_PENDING &&
	    (!n->requested_tsc || now - n->requested_tsc > rte_get_tsc_hz())) {
		n->requested_tsc = now;
		due = true;
	}
	rte_spinlock_unlock(&p->neigh_lock);
	return due;
}

bool dp_neigh_resolve(struct dp_worker *w, struct dp_port *p,
		      const struct aegw_endpoint *dst, uint8_t mac[6])
{
	const struct aegw_endpoint *hop = next_hop(p, dst);
	unsigned h = slot_of(hop);

	for (unsigned i = 0; i < DP_NEIGH_PROBE; i++) {
		const struct dp_neigh *n = &p->neigh[(h + i) % DP_NEIGH_SLOTS];
		uint8_t st = entry_read(n, hop, mac);

		if (st == DP_NEIGH_VALID || st == DP_NEIGH_STATIC)
			return true;
		if (st == DP_NEIGH_PENDING)
			break;
	}
	if (request_due(p, hop))
		send_request(w, p, hop);
	return false;
}
