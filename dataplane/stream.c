/* The per-worker stream table: streams by local address (the packet path's
 * lookup) and by id (the command ring's). Only the owning worker touches
 * it, so nothing here locks. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_hash.h>
#include <rte_jhash.h>
#include <rte_lcore.h>

#include "dp.h"
#include "mem.h"

/* The lookup key: local address and UDP port. Zero-padded so that equal
 * addresses hash equal. */
struct dp_key {
	uint8_t ip[16];
	uint16_t port;
	uint8_t family;
	uint8_t pad;
} __attribute__((aligned(4)));

static_assert(sizeof(struct dp_key) == 20 &&
		      offsetof(struct dp_key, port) == 16,
	      "a key is three words: the address's two, then port and family");

/* Every packet's key is hashed inline in the burst lookup (rte_jhash,
 * the table's own hash for its inserts) and compared as three words
 * rather than by memcmp: the lookup was an eighth of a relayed packet's
 * cycles, jhash and memcmp as calls 5%. Not CRC32: it is linear, and
 * rte_hash takes both buckets and the signature from the one 32-bit
 * value, so ports a few bits apart pile into the same buckets and the
 * table fills long before its size (docs/PERFORMANCE.md). */
static int dp_key_cmp(const void *k1, const void *k2, size_t len)
{
	uint64_t a1, b1, a2, b2;
	uint32_t c1, c2;

	(void)len;
	memcpy(&a1, k1, 8);
	memcpy(&b1, (const uint8_t *)k1 + 8, 8);
	memcpy(&c1, (const uint8_t *)k1 + 16, 4);
	memcpy(&a2, k2, 8);
	memcpy(&b2, (const uint8_t *)k2 + 8, 8);
	memcpy(&c2, (const uint8_t *)k2 + 16, 4);
	return ((a1 ^ a2) | (b1 ^ b2) | (c1 ^ c2)) != 0;
}

/* The RTCP port's table entry points at the same stream, tagged. */
#define DP_TAG_RTCP ((uintptr_t)1)

/* Builds the key and returns its hash. The address goes in as whole
 * words: a key written a byte at a time and read back as words stalls
 * every load on its stores. */
static uint32_t key_from(struct dp_key *k, const struct aegw_endpoint *e,
			 uint16_t port)
{
	struct {
		uint16_t port;
		uint8_t family, pad;
	} tail = { port, e->family, 0 };
	uint64_t ip[2] = { 0, 0 };
	uint32_t v4;

	if (e->family == 6) {
		memcpy(&ip[0], e->ip, 8);
		memcpy(&ip[1], e->ip + 8, 8);
	} else {
		/* The word whose memory holds the 4 bytes, then zeros. */
		memcpy(&v4, e->ip, 4);
		ip[0] = RTE_BYTE_ORDER == RTE_LITTLE_ENDIAN ? v4 :
							     (uint64_t)v4 << 32;
	}
	memcpy(k->ip, ip, 16);
	memcpy(&k->port, &tail, 4);
	return rte_jhash(k, sizeof(*k), 0);
}

static struct rte_hash *hash_create(const char *what, unsigned idx,
				    unsigned entries, uint32_t key_len)
{
	char name[RTE_HASH_NAMESIZE];
	struct rte_hash_parameters p = {
		.name = name,
		.entries = entries,
		.key_len = key_len,
		.hash_func = rte_jhash,
		.socket_id = (int)rte_socket_id(),
	};

	snprintf(name, sizeof(name), "aegw_%s_%u", what, idx);
	return rte_hash_create(&p);
}

int dp_worker_tables_init(struct dp_worker *w, unsigned max_streams)
{
	/* Each stream may hold two addresses (RTP, RTCP); leave the cuckoo
	 * table room to stay fast. */
	w->by_addr = hash_create("addr", w->idx, max_streams * 2 + 64,
				 sizeof(struct dp_key));
	w->by_id = hash_create("id", w->idx, max_streams + 64,
			       sizeof(uint32_t));
	if (!w->by_addr || !w->by_id)
		return -ENOMEM;
	rte_hash_set_cmp_func(w->by_addr, dp_key_cmp);
	return 0;
}

static void stream_free(struct dp_stream *s)
{
	aegw_srtp_stream_free(s->rtp_in);
	dp_rtcp_slot_free(&s->rtcp_in);
	aegw_srtp_stream_free(s->rtp_out);
	dp_rtcp_slot_free(&s->rtcp_out);
	dp_stream_forget_prev(s);
	dp_mem_free(s);
}

void dp_worker_tables_free(struct dp_worker *w)
{
	const void *key;
	void *data;
	uint32_t next = 0;

	if (w->by_id) {
		while (rte_hash_iterate(w->by_id, &key, &data, &next) >= 0)
			stream_free(data);
	}
	rte_hash_free(w->by_addr);
	rte_hash_free(w->by_id);
	w->by_addr = w->by_id = NULL;
	w->n_streams = 0;
}

struct dp_stream *dp_stream_find_id(struct dp_worker *w, uint32_t id)
{
	void *data;

	if (rte_hash_lookup_data(w->by_id, &id, &data) < 0)
		return NULL;
	return data;
}

/* One direction from one master key set: its SRTP context, and the seed
 * of its SRTCP context (made on the first RTCP packet). */
static int crypto_open(struct dp_worker *w, const struct aegw_srtp_config *c,
		       bool no_replay, struct aegw_srtp_stream **rtp,
		       dp_rtcp_slot *rtcp)
{
	struct aegw_srtp_config cfg = *c;
	int err = 0;

	if (no_replay)
		cfg.session_params |= AEGW_SRTP_NO_REPLAY_CHECK;
	cfg.kind = AEGW_SRTP_RTP;
	*rtp = aegw_srtp_stream_create(w->eng, &cfg, &err);
	if (*rtp) {
		err = dp_rtcp_slot_seed(rtcp, &cfg);
		if (err) {
			aegw_srtp_stream_free(*rtp);
			*rtp = NULL;
		}
	}
	aegw_srtp_config_wipe(&cfg);
	return err;
}

static int stream_keys_open(struct dp_worker *w, struct dp_stream *s,
			    const struct aegw_stream_spec *spec)
{
	bool no_replay = spec->flags & AEGW_STREAM_NO_REPLAY;
	int err = 0;

	if (aegw_action_unprotects(spec->action))
		err = crypto_open(w, &spec->in_crypto, no_replay, &s->rtp_in,
				  &s->rtcp_in);
	if (!err && aegw_action_protects(spec->action))
		err = crypto_open(w, &spec->out_crypto, no_replay, &s->rtp_out,
				  &s->rtcp_out);
	return err;
}

/* A stream without rtcp-mux also owns its local port + 1, where its
 * peer's separate RTCP arrives: the table's entry is tagged as such. */
static void rtcp_key_of(struct dp_key *k, const struct dp_stream *s)
{
	key_from(k, &s->local, (uint16_t)(s->local.port + 1));
}

static int rtcp_port_claim(struct dp_worker *w, struct dp_stream *s)
{
	uintptr_t tagged = (uintptr_t)s | DP_TAG_RTCP;
	struct dp_key k;

	rtcp_key_of(&k, s);
	if (rte_hash_lookup(w->by_addr, &k) >= 0)
		return AEGW_ERR_EXISTS;
	if (rte_hash_add_key_data(w->by_addr, &k, (void *)tagged) < 0)
		return AEGW_ERR_NO_MEMORY;
	return 0;
}

static void rtcp_port_release(struct dp_worker *w, const struct dp_stream *s)
{
	struct dp_key k;

	rtcp_key_of(&k, s);
	rte_hash_del_key(w->by_addr, &k);
}

static int addr_insert(struct dp_worker *w, struct dp_stream *s)
{
	struct dp_key k;
	int err;

	key_from(&k, &s->local, s->local.port);
	if (rte_hash_lookup(w->by_addr, &k) >= 0)
		return AEGW_ERR_EXISTS;
	if (rte_hash_add_key_data(w->by_addr, &k, s) < 0)
		return AEGW_ERR_NO_MEMORY;
	if (s->flags & AEGW_STREAM_RTCP_MUX)
		return 0;
	err = rtcp_port_claim(w, s);
	if (err)
		rte_hash_del_key(w->by_addr, &k);
	return err;
}

static void addr_remove(struct dp_worker *w, const struct dp_stream *s)
{
	struct dp_key k;

	key_from(&k, &s->local, s->local.port);
	rte_hash_del_key(w->by_addr, &k);
	if (!(s->flags & AEGW_STREAM_RTCP_MUX))
		rtcp_port_release(w, s);
}

static void stream_set_egress(struct dp_stream *s,
			      const struct aegw_stream_spec *spec)
{
	s->out_port = spec->out_port;
	s->egress_src = spec->egress_src;
	s->egress_dst = spec->egress_dst;
	s->egress_rtcp_port = spec->egress_rtcp_port;
	s->has_mac = 0;
}

int dp_stream_add(struct dp_worker *w, const struct aegw_stream_spec *spec)
{
	struct dp_stream *s;
	int err;

	if (aegw_ring_worker_for_port(spec->local.port, w->dp->n_workers) != w->idx)
		return AEGW_ERR_WRONG_WORKER;
	if (spec->in_port >= w->dp->cfg.n_ports ||
	    spec->out_port >= w->dp->cfg.n_ports)
		return AEGW_ERR_INVALID_ARG;
	if (dp_stream_find_id(w, spec->stream_id))
		return AEGW_ERR_EXISTS;
	s = dp_mem_zalloc(sizeof(*s));
	if (!s)
		return AEGW_ERR_NO_MEMORY;
	s->id = spec->stream_id;
	s->reverse_id = spec->reverse_id;
	s->action = spec->action;
	s->flags = spec->flags;
	s->in_port = spec->in_port;
	s->local = spec->local;
	s->remote = spec->remote;
	stream_set_egress(s, spec);
	err = stream_keys_open(w, s, spec);
	if (!err)
		err = addr_insert(w, s);
	if (!err && rte_hash_add_key_data(w->by_id, &s->id, s) < 0) {
		addr_remove(w, s);
		err = AEGW_ERR_NO_MEMORY;
	}
	if (err) {
		stream_free(s);
		return err;
	}
	w->n_streams++;
	dp_stream_resolve_egress(w, s);
	return 0;
}

void dp_stream_forget_prev(struct dp_stream *s)
{
	aegw_srtp_stream_free(s->prev_rtp_in);
	dp_rtcp_slot_free(&s->prev_rtcp_in);
	s->prev_rtp_in = NULL;
}

/* A key's contexts, made before the update touches the stream. */
struct new_keys {
	struct aegw_srtp_stream *rtp;
	dp_rtcp_slot rtcp;
};

/* A new in-key: the old contexts stay for a grace period, so that packets
 * protected before the peer switched keys are not lost. */
static void rekey_in(struct dp_stream *s, struct new_keys *k)
{
	dp_stream_forget_prev(s);
	s->prev_rtp_in = s->rtp_in;
	s->prev_rtcp_in = s->rtcp_in;
	s->prev_until_tsc = rte_get_tsc_cycles() +
			    rte_get_tsc_hz() / 1000 * DP_REKEY_GRACE_MS;
	s->rtp_in = k->rtp;
	s->rtcp_in = k->rtcp;
}

static void rekey_out(struct dp_stream *s, struct new_keys *k)
{
	aegw_srtp_stream_free(s->rtp_out);
	dp_rtcp_slot_free(&s->rtcp_out);
	s->rtp_out = k->rtp;
	s->rtcp_out = k->rtcp;
}

/* An action that no longer uses a key drops its contexts, wiped: the
 * control never hands that key out again, and a stream should not hold
 * key material (an SRTCP seed is the master key) it has no use for. */
static void drop_unused_keys(struct dp_stream *s)
{
	if (!aegw_action_unprotects(s->action)) {
		aegw_srtp_stream_free(s->rtp_in);
		dp_rtcp_slot_free(&s->rtcp_in);
		s->rtp_in = NULL;
		dp_stream_forget_prev(s);
	}
	if (!aegw_action_protects(s->action)) {
		aegw_srtp_stream_free(s->rtp_out);
		dp_rtcp_slot_free(&s->rtcp_out);
		s->rtp_out = NULL;
	}
}

/* The contexts of the keys the update brings, both or neither. */
static int update_keys_open(struct dp_worker *w, const struct dp_stream *s,
			    const struct aegw_stream_spec *spec, uint32_t mask,
			    struct new_keys *in, struct new_keys *out)
{
	bool no_replay = s->flags & AEGW_STREAM_NO_REPLAY;
	int err = 0;

	if (mask & AEGW_UPDATE_IN_KEY)
		err = crypto_open(w, &spec->in_crypto, no_replay, &in->rtp,
				  &in->rtcp);
	if (!err && (mask & AEGW_UPDATE_OUT_KEY)) {
		err = crypto_open(w, &spec->out_crypto, no_replay, &out->rtp,
				  &out->rtcp);
		if (err) {
			aegw_srtp_stream_free(in->rtp);
			dp_rtcp_slot_free(&in->rtcp);
		}
	}
	return err;
}

/* What an update asks that the stream cannot take: an egress port the
 * dataplane lacks, or an action without the keys it uses. */
static int update_check(const struct dp_worker *w, const struct dp_stream *s,
			const struct aegw_stream_spec *spec, uint32_t mask)
{
	uint8_t action = (mask & AEGW_UPDATE_ACTION) ? spec->action : s->action;

	if ((mask & AEGW_UPDATE_EGRESS) && spec->out_port >= w->dp->cfg.n_ports)
		return AEGW_ERR_INVALID_ARG;
	if (aegw_action_unprotects(action) && !s->rtp_in &&
	    !(mask & AEGW_UPDATE_IN_KEY))
		return AEGW_ERR_INVALID_ARG;
	if (aegw_action_protects(action) && !s->rtp_out &&
	    !(mask & AEGW_UPDATE_OUT_KEY))
		return AEGW_ERR_INVALID_ARG;
	return 0;
}

/* Everything the update needs is created before anything changes, so a
 * refused update leaves the stream as it was: the RTCP port an update
 * out of rtcp-mux takes, then the new keys' contexts. */
int dp_stream_update(struct dp_worker *w, const struct aegw_stream_spec *spec,
		     uint32_t mask)
{
	struct dp_stream *s = dp_stream_find_id(w, spec->stream_id);
	struct new_keys in = { 0 }, out = { 0 };
	bool mux_was, mux_now;
	int err;

	if (!s)
		return AEGW_ERR_NOT_FOUND;
	if ((err = update_check(w, s, spec, mask)))
		return err;
	mux_was = s->flags & AEGW_STREAM_RTCP_MUX;
	mux_now = (mask & AEGW_UPDATE_FLAGS) ?
			  (spec->flags & AEGW_STREAM_RTCP_MUX) : mux_was;
	if (mux_was && !mux_now && (err = rtcp_port_claim(w, s)))
		return err;
	if ((err = update_keys_open(w, s, spec, mask, &in, &out))) {
		if (mux_was && !mux_now)
			rtcp_port_release(w, s);
		return err;
	}
	if (mask & AEGW_UPDATE_IN_KEY)
		rekey_in(s, &in);
	if (mask & AEGW_UPDATE_OUT_KEY)
		rekey_out(s, &out);
	if (mask & AEGW_UPDATE_REMOTE) {
		s->remote = spec->remote;
		s->flags = (uint8_t)((s->flags & ~AEGW_STREAM_LATCH) |
				     (spec->flags & AEGW_STREAM_LATCH));
	}
	if (mask & AEGW_UPDATE_FLAGS) {
		if (!mux_was && mux_now)
			rtcp_port_release(w, s);
		s->flags = (uint8_t)((s->flags & ~AEGW_STREAM_RTCP_FLAGS) |
				     (spec->flags & AEGW_STREAM_RTCP_FLAGS));
	}
	if (mask & AEGW_UPDATE_EGRESS) {
		stream_set_egress(s, spec);
		dp_stream_resolve_egress(w, s);
	} else if ((mask & AEGW_UPDATE_RTCP_PORT) &&
		   dp_endpoint_eq(&s->egress_dst, &spec->egress_dst)) {
		s->egress_rtcp_port = spec->egress_rtcp_port;
	}
	if (mask & AEGW_UPDATE_ACTION) {
		s->action = spec->action;
		drop_unused_keys(s);
	}
	return 0;
}

int dp_stream_remove(struct dp_worker *w, uint32_t id)
{
	struct dp_stream *s = dp_stream_find_id(w, id);

	if (!s)
		return AEGW_ERR_NOT_FOUND;
	addr_remove(w, s);
	rte_hash_del_key(w->by_id, &id);
	stream_free(s);
	w->n_streams--;
	return 0;
}

void dp_stream_lookup_bulk(struct dp_worker *w, struct dp_burst *b,
			   const unsigned idx[], unsigned n)
{
	struct dp_key keys[DP_BURST];
	const void *kp[DP_BURST];
	hash_sig_t sig[DP_BURST];
	void *data[DP_BURST];
	uint64_t hits = 0;

	for (unsigned j = 0; j < n; j++) {
		const struct aegw_pkt_info *pi = &b->pi[idx[j]];

		sig[j] = key_from(&keys[j], &pi->dst, pi->dst.port);
		kp[j] = &keys[j];
	}
	if (n)
		rte_hash_lookup_with_hash_bulk_data(w->by_addr, kp, sig, n,
						    &hits, data);
	for (unsigned j = 0; j < n; j++) {
		unsigned i = idx[j];
		uintptr_t v = (hits >> j) & 1 ? (uintptr_t)data[j] : 0;

		b->s[i] = (struct dp_stream *)(v & ~DP_TAG_RTCP);
		b->rtcp[i] = (uint8_t)(v & DP_TAG_RTCP);
	}
}

/* Symmetric RTCP (RFC 4961): a peer sends its RTCP from the port it
 * receives it on, which behind a NAT is neither its a=rtcp port nor its
 * RTP port + 1. Learned from RTCP at the address RTP goes to only, so
 * that RTCP never goes where RTP does not. */
void dp_stream_learn_rtcp(struct dp_worker *w, const struct dp_stream *s,
			  const struct aegw_endpoint *src)
{
	struct dp_stream *rev =
		s->reverse_id ? dp_stream_find_id(w, s->reverse_id) : NULL;
	struct aegw_endpoint rtp_there = *src;

	if (!rev || rev->egress_rtcp_port == src->port)
		return;
	rtp_there.port = rev->egress_dst.port;
	if (dp_endpoint_eq(&rtp_there, &rev->egress_dst))
		rev->egress_rtcp_port = src->port;
}

/* Called only for an RTP (or multiplexed RTCP) packet that authenticated,
 * or on a leg with no key and no peer yet: a forged packet never moves a
 * stream. */
void dp_stream_latch(struct dp_worker *w, struct dp_stream *s,
		     const struct aegw_endpoint *src)
{
	struct dp_stream *rev;
	struct aegw_endpoint peer = *src;
	struct aegw_evt evt = { .type = AEGW_EVT_LATCHED };

	if (dp_endpoint_eq(&s->remote, &peer))
		return;
	s->remote = peer;
	s->counters[AEGW_SC_latched]++;
	rev = s->reverse_id ? dp_stream_find_id(w, s->reverse_id) : NULL;
	if (rev) {
		/* The peer's a=rtcp port was for the endpoint it signalled:
		 * behind a NAT that moved its RTP, RTP + 1 is the better
		 * guess. */
		if (!dp_endpoint_eq(&rev->egress_dst, &peer))
			rev->egress_rtcp_port = 0;
		rev->egress_dst = peer;
		rev->has_mac = 0;
		dp_stream_resolve_egress(w, rev);
	}
	evt.stream_id = s->id;
	evt.remote = peer;
	/* Best effort: a full event ring must not stall media; the stream
	 * dump carries the latched address anyway. */
	aegw_ring_evt_send(w->dp->shm, w->idx, &evt);
}

size_t dp_stream_state_size(const struct dp_stream *s)
{
	size_t n = sizeof(*s);
	const struct aegw_srtp_stream *ctx[] = {
		s->rtp_in, s->rtp_out, s->prev_rtp_in,
	};

	for (unsigned i = 0; i < RTE_DIM(ctx); i++)
		n += ctx[i] ? aegw_srtp_stream_size(ctx[i]) : 0;
	return n + dp_rtcp_slot_size(s->rtcp_in) +
	       dp_rtcp_slot_size(s->rtcp_out) +
	       dp_rtcp_slot_size(s->prev_rtcp_in);
}
