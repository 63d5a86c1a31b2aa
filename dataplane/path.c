/* The packet path: parse -> hand off or look up -> unprotect burst ->
 * protect burst -> rewrite -> TX. Each stage is a loop over the burst's
 * arrays; the crypto stages give the engine the whole burst at once. */
#include <string.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_prefetch.h>
#include <rte_ring.h>

#include "dp.h"

static const uint8_t class_counter[AEGW_PKT_CLASS_COUNT] = {
	[AEGW_PKT_OTHER] = AEGW_WC_drop_other,
	[AEGW_PKT_DROP_TRUNCATED] = AEGW_WC_drop_truncated,
	[AEGW_PKT_DROP_NOT_IP] = AEGW_WC_drop_not_ip,
	[AEGW_PKT_DROP_BAD_IP_HEADER] = AEGW_WC_drop_bad_ip_header,
	[AEGW_PKT_DROP_IP_FRAGMENT] = AEGW_WC_drop_ip_fragment,
	[AEGW_PKT_DROP_IP_OPTIONS] = AEGW_WC_drop_ip_options,
	[AEGW_PKT_DROP_IPV6_EXT_HEADER] = AEGW_WC_drop_ipv6_ext_header,
	[AEGW_PKT_DROP_NOT_UDP] = AEGW_WC_drop_not_udp,
	[AEGW_PKT_DROP_BAD_UDP] = AEGW_WC_drop_bad_udp,
};

static inline uint8_t *frame_of(struct rte_mbuf *m)
{
	return rte_pktmbuf_mtod(m, uint8_t *);
}

static void drop_frame(struct dp_worker *w, struct rte_mbuf *m,
		       enum aegw_worker_counter why)
{
	w->counters[why]++;
	rte_pktmbuf_free(m);
}

static void drop_stream_pkt(struct dp_stream *s, struct rte_mbuf *m,
			    enum aegw_stream_counter why)
{
	s->counters[why]++;
	rte_pktmbuf_free(m);
}

void dp_tx_frame(struct dp_worker *w, uint16_t port, struct rte_mbuf *m,
		 struct dp_stream *s)
{
	struct dp_tx *tx = &w->tx[port];

	if (tx->n == RTE_DIM(tx->m))
		dp_tx_flush(w);
	tx->m[tx->n] = m;
	tx->s[tx->n] = s;
	tx->n++;
}

static void tx_port_flush(struct dp_worker *w, uint16_t port)
{
	struct dp_tx *tx = &w->tx[port];
	uint16_t sent = rte_eth_tx_burst(port, (uint16_t)w->idx, tx->m,
					 (uint16_t)tx->n);

	w->counters[AEGW_WC_tx_packets] += sent;
	w->port_tx[port] += sent;
	for (unsigned i = sent; i < tx->n; i++) {
		struct dp_stream *s = tx->s[i];

		if (s) {
			s->counters[AEGW_SC_tx_packets]--;
			s->counters[AEGW_SC_drop_tx_full]++;
		} else {
			w->counters[AEGW_WC_drop_tx_full]++;
		}
		rte_pktmbuf_free(tx->m[i]);
	}
	tx->n = 0;
}

void dp_tx_flush(struct dp_worker *w)
{
	for (uint16_t p = 0; p < w->dp->cfg.n_ports; p++)
		if (w->tx[p].n)
			tx_port_flush(w, p);
}

/* ARP, ICMP echo and neighbour discovery: answered by whichever worker
 * receives them; what they teach about neighbours is shared. */
static void exception_frame(struct dp_worker *w, struct rte_mbuf *m,
			    const struct aegw_pkt_info *pi)
{
	struct dp_port *p = dp_port_by_id(w->dp, m->port);
	uint8_t *f = frame_of(m);
	struct aegw_endpoint ip;
	uint8_t mac[6];
	uint32_t len = 0;
	enum aegw_worker_counter done = AEGW_WC_drop_other;

	if (!p) {
		drop_frame(w, m, AEGW_WC_drop_other);
		return;
	}
	bool learnt = aegw_pkt_neigh_learn(f, m->data_len, pi, &ip, mac);

	switch (pi->cls) {
	case AEGW_PKT_ARP:
		if (p->ip4.family)
			len = aegw_pkt_arp_reply(f, m->data_len, pi, p->mac,
						 p->ip4.ip);
		done = AEGW_WC_arp_replies;
		break;
	case AEGW_PKT_ICMP4_ECHO:
	case AEGW_PKT_ICMP6_ECHO:
		if (dp_port_owns_ip(p, &pi->dst))
			len = aegw_pkt_icmp_echo_reply(f, m->data_len, pi);
		done = AEGW_WC_icmp_echo_replies;
		break;
	case AEGW_PKT_ICMP6_NS:
		if (p->ip6.family)
			len = aegw_pkt_nd_reply(f, m->data_len,
						(uint32_t)(m->buf_len - m->data_off),
						pi, p->mac, p->ip6.ip);
		done = AEGW_WC_nd_replies;
		break;
	default:
		break;
	}
	/* A request addressed to us creates an entry (RFC 826: we will
	 * answer its sender); anything else only updates one we have. */
	if (learnt && dp_neigh_learn(p, &ip, mac, len != 0))
		w->counters[AEGW_WC_neigh_learned]++;
	if (!len) {
		/* An NA, a reply, or a request for someone else: learned
		 * from (above) if it taught anything, otherwise dropped. */
		w->counters[AEGW_WC_drop_other]++;
		rte_pktmbuf_free(m);
		return;
	}
	m->data_len = (uint16_t)len;
	m->pkt_len = len;
	w->counters[done]++;
	dp_tx_frame(w, m->port, m, NULL);
}

/* Frames for another worker's ports go to its handoff ring, a burst per
 * owner. */
static void handoff(struct dp_worker *w, struct rte_mbuf **m, unsigned n,
		    const unsigned owner[])
{
	struct rte_mbuf *batch[DP_BURST];

	for (unsigned o = 0; o < w->dp->n_workers; o++) {
		unsigned k = 0, sent;

		for (unsigned i = 0; i < n; i++)
			if (owner[i] == o)
				batch[k++] = m[i];
		if (!k)
			continue;
		sent = rte_ring_mp_enqueue_burst(w->dp->workers[o].handoff,
						 (void **)batch, k, NULL);
		w->counters[AEGW_WC_handoff_out] += sent;
		for (unsigned i = sent; i < k; i++)
			drop_frame(w, batch[i], AEGW_WC_drop_handoff_full);
	}
}

/* A port with a VLAN takes only frames of that VLAN; one without, only
 * untagged or priority-tagged (VID 0) frames. */
static bool vlan_ok(struct dp_worker *w, const struct rte_mbuf *m,
		    const struct aegw_pkt_info *pi)
{
	const struct dp_port *p = dp_port_by_id(w->dp, m->port);
	unsigned want = p && p->has_vlan ? p->vlan_tci & 0xfff : 0;
	unsigned got = pi->has_vlan ? pi->vlan_tci & 0xfff : 0;

	return want == got;
}

/* Stage 1: classify every frame; keep this worker's UDP in b, answer or
 * drop the rest. */
static void stage_parse(struct dp_worker *w, struct dp_burst *b,
			struct rte_mbuf **in, unsigned n, bool handed_off)
{
	struct rte_mbuf *away[DP_BURST];
	unsigned owner[DP_BURST], n_away = 0;

	b->n = 0;
	for (unsigned i = 0; i < n; i++) {
		struct rte_mbuf *m = in[i];
		struct aegw_pkt_info *pi = &b->pi[b->n];
		enum aegw_pkt_class c;
		unsigned o;

		if (m->nb_segs != 1) {
			drop_frame(w, m, AEGW_WC_drop_truncated);
			continue;
		}
		c = aegw_pkt_parse(frame_of(m), m->data_len, pi);
		if (!vlan_ok(w, m, pi)) {
			drop_frame(w, m, AEGW_WC_drop_wrong_vlan);
			continue;
		}
		if (c != AEGW_PKT_UDP) {
			if (c == AEGW_PKT_ARP || c == AEGW_PKT_ICMP4_ECHO ||
			    c == AEGW_PKT_ICMP6_ECHO || c == AEGW_PKT_ICMP6_NS ||
			    c == AEGW_PKT_ICMP6_NA)
				exception_frame(w, m, pi);
			else
				drop_frame(w, m, class_counter[c]);
			continue;
		}
		o = aegw_ring_worker_for_port(pi->dst.port, w->dp->n_workers);
		if (o != w->idx && !handed_off) {
			owner[n_away] = o;
			away[n_away++] = m;
			continue;
		}
		b->m[b->n++] = m;
	}
	if (n_away)
		handoff(w, away, n_away, owner);
}

/* Does the source match the stream's peer? Separate RTCP comes from the
 * peer's address but not always from its RTP port + 1 (RFC 3605 a=rtcp
 * may name another), so only the address is checked for it. */
static bool source_ok(const struct dp_stream *s, const struct aegw_pkt_info *pi,
		      bool rtcp)
{
	struct aegw_endpoint want = s->remote;

	if (!want.family)
		return true;
	if (rtcp && !(s->flags & AEGW_STREAM_RTCP_MUX))
		want.port = pi->src.port;
	return dp_endpoint_eq(&want, &pi->src);
}

static bool udp_csum_ok(struct rte_mbuf *m, const struct aegw_pkt_info *pi)
{
	if ((m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK) ==
	    RTE_MBUF_F_RX_L4_CKSUM_GOOD)
		return true;
	return aegw_pkt_udp_csum_ok(frame_of(m), pi);
}

/* Stage 2: streams, and the checks that need no key. Keeps in b only the
 * frames that go on to crypto. */
static void stage_lookup(struct dp_worker *w, struct dp_burst *b)
{
	unsigned idx[DP_BURST], k = 0;

	for (unsigned i = 0; i < b->n; i++)
		idx[i] = i;
	dp_stream_lookup_bulk(w, b, idx, b->n);
	/* With many streams none is in cache: ask for every stream of the
	 * burst before touching any, so that the misses overlap. */
	for (unsigned i = 0; i < b->n; i++)
		if (b->s[i])
			for (unsigned l = 0; l < DP_STREAM_HOT_BYTES; l += 64)
				rte_prefetch0((const char *)b->s[i] + l);
	for (unsigned i = 0; i < b->n; i++) {
		struct dp_stream *s = b->s[i];
		struct rte_mbuf *m = b->m[i];
		const struct aegw_pkt_info *pi = &b->pi[i];
		const uint8_t *pl = frame_of(m) + pi->payload_off;
		bool rtcp;

		if (!s) {
			drop_frame(w, m, AEGW_WC_drop_unknown_stream);
			continue;
		}
		rtcp = b->rtcp[i] || ((s->flags & AEGW_STREAM_RTCP_MUX) &&
				      aegw_pkt_is_rtcp(pl, pi->payload_len));
		s->counters[AEGW_SC_rx_packets]++;
		s->counters[AEGW_SC_rx_bytes] += pi->payload_len;
		s->counters[AEGW_SC_rtcp_rx_packets] += rtcp;
		if (m->port != s->in_port ||
		    (!source_ok(s, pi, rtcp) &&
		     !(aegw_action_unprotects(s->action) &&
		       (s->flags & AEGW_STREAM_LATCH)))) {
			drop_stream_pkt(s, m, AEGW_SC_drop_wrong_source);
			continue;
		}
		/* What no key authenticates must at least be intact: aegw
		 * rewrites the checksum, so it would launder corruption. */
		if (!aegw_action_unprotects(s->action) && !udp_csum_ok(m, pi)) {
			drop_stream_pkt(s, m, AEGW_SC_drop_malformed);
			continue;
		}
		if (k != i) {
			b->m[k] = m;
			b->pi[k] = *pi;
			b->s[k] = s;
		}
		b->rtcp[k] = rtcp;
		b->status[k] = 0;
		k++;
	}
	b->n = k;
}

static struct aegw_srtp_pkt srtp_view(struct rte_mbuf *m,
				      const struct aegw_pkt_info *pi)
{
	uint8_t *data = frame_of(m) + pi->payload_off;
	uint8_t *end = (uint8_t *)m->buf_addr + m->buf_len;

	return (struct aegw_srtp_pkt){
		.data = data,
		.len = pi->payload_len,
		.size = (uint32_t)(end - data),
	};
}

/* Keeps a copy of what a packet was before unprotect when its stream was
 * re-keyed recently, so that the previous key can be tried on it. The
 * first packet after the grace period lets the previous keys go. */
static void save_for_retry(struct dp_worker *w, struct dp_stream *s,
			   const struct aegw_srtp_pkt *pkt, unsigned slot)
{
	w->retry_len[slot] = 0;
	if (!s->prev_rtp_in)
		return;
	if (rte_get_tsc_cycles() > s->prev_until_tsc) {
		dp_stream_forget_prev(s);
		return;
	}
	if (pkt->len > DP_RETRY_MAX)
		return;
	memcpy(w->retry_buf[slot], pkt->data, pkt->len);
	w->retry_len[slot] = (uint16_t)pkt->len;
}

static int retry_prev_key(struct dp_worker *w, struct dp_stream *s, bool rtcp,
			  struct aegw_srtp_pkt *pkt, unsigned slot)
{
	struct aegw_srtp_stream *prev = s->prev_rtp_in;
	int err = AEGW_ERR_AUTH_FAILED;

	if (!w->retry_len[slot])
		return err;
	if (rtcp)
		prev = dp_rtcp_slot_open(w, &s->prev_rtcp_in, &err);
	if (!prev)
		return err;
	memcpy(pkt->data, w->retry_buf[slot], w->retry_len[slot]);
	pkt->len = w->retry_len[slot];
	return aegw_srtp_unprotect(w->eng, prev, pkt);
}

/* The streams whose contexts the burst moved a step (before a retry
 * under a previous key runs the engine again). */
static void note_moved(struct dp_worker *w, const struct dp_burst *b,
		       struct aegw_srtp_stream *const ctx[],
		       const unsigned idx[], unsigned k)
{
	struct aegw_srtp_stream *const *moved;
	unsigned n = aegw_srtp_engine_moved(w->eng, &moved);

	for (unsigned x = 0; x < n; x++)
		for (unsigned j = 0; j < k; j++)
			if (ctx[j] == moved[x]) {
				dp_reading_note(w, b->s[idx[j]]);
				break;
			}
}

/* Stage 3 (unprotect) or 4 (protect), over the frames whose action needs
 * it, as one engine burst. status[i] is set for those; others pass. */
static void stage_crypto(struct dp_worker *w, struct dp_burst *b,
			 struct aegw_srtp_pkt pkts[], bool protect)
{
	struct aegw_srtp_stream *ctx[DP_BURST];
	struct aegw_srtp_pkt sub[DP_BURST];
	int st[DP_BURST];
	unsigned idx[DP_BURST], k = 0;

	for (unsigned i = 0; i < b->n; i++) {
		struct dp_stream *s = b->s[i];
		struct aegw_srtp_stream *c;

		if (b->status[i])
			continue;
		if (!b->rtcp[i])
			c = protect ? s->rtp_out : s->rtp_in;
		else
			c = dp_rtcp_slot_open(w, protect ? &s->rtcp_out :
							   &s->rtcp_in,
					      &b->status[i]);
		/* NULL: no key on this side (the frame passes as it is),
		 * or an SRTCP context could not be made (status says why). */
		if (!c)
			continue;
		if (!protect)
			save_for_retry(w, s, &pkts[i], k);
		ctx[k] = c;
		sub[k] = pkts[i];
		idx[k++] = i;
	}
	if (!k)
		return;
	if (protect)
		aegw_srtp_protect_burst(w->eng, ctx, sub, st, k);
	else
		aegw_srtp_unprotect_burst(w->eng, ctx, sub, st, k);
	note_moved(w, b, ctx, idx, k);
	for (unsigned j = 0; j < k; j++) {
		unsigned i = idx[j];

		if (!protect && st[j] == AEGW_ERR_AUTH_FAILED)
			st[j] = retry_prev_key(w, b->s[i], b->rtcp[i], &sub[j],
					       j);
		pkts[i] = sub[j];
		b->status[i] = st[j];
	}
}

/* After unprotect: the authenticated source may move the stream. Legs
 * with no key latch only their first peer. */
static void stage_latch(struct dp_worker *w, struct dp_burst *b)
{
	for (unsigned i = 0; i < b->n; i++) {
		struct dp_stream *s = b->s[i];

		if (b->status[i] || !(s->flags & AEGW_STREAM_LATCH))
			continue;
		/* The peer's RTP port is learned from RTP only: its
		 * separate RTCP port says where its RTCP goes. */
		if (b->rtcp[i] && !(s->flags & AEGW_STREAM_RTCP_MUX)) {
			if (aegw_action_unprotects(s->action))
				dp_stream_learn_rtcp(w, s, &b->pi[i].src);
			continue;
		}
		if (!s->remote.family ||
		    (aegw_action_unprotects(s->action) &&
		     !source_ok(s, &b->pi[i], b->rtcp[i])))
			dp_stream_latch(w, s, &b->pi[i].src);
	}
}

/* Between the two crypto stages the RTCP of every action but relay is
 * plain (unprotected, or not protected yet), as is a relay's between two
 * plain legs: what its sender reports goes to control. Any other relay's
 * stays as it came, maybe encrypted, unread. */
static void stage_rtcp_reports(struct dp_worker *w, struct dp_burst *b,
			       const struct aegw_srtp_pkt pkts[])
{
	for (unsigned i = 0; i < b->n; i++) {
		const struct dp_stream *s = b->s[i];

		if (b->rtcp[i] && !b->status[i] &&
		    (s->action != AEGW_ACTION_RELAY ||
		     (s->flags & AEGW_STREAM_PLAIN_RTCP)))
			dp_rtcp_report(w, s, pkts[i].data, pkts[i].len);
	}
}

static bool egress_mac(struct dp_worker *w, struct dp_stream *s,
		       struct dp_port *p)
{
	if (s->has_mac && s->mac_gen == p->neigh_gen)
		return true;
	s->mac_gen = p->neigh_gen;
	s->has_mac = dp_neigh_resolve(w, p, &s->egress_dst, s->dst_mac);
	return s->has_mac;
}

void dp_stream_resolve_egress(struct dp_worker *w, struct dp_stream *s)
{
	if (s->egress_dst.family)
		egress_mac(w, s, &w->dp->cfg.ports[s->out_port]);
}

/* Stage 5: new headers in front of the (re)processed payload, from the
 * egress leg's address to the peer, then onto the egress port's TX. */
static void rewrite_one(struct dp_worker *w, struct dp_stream *s,
			struct rte_mbuf *m, const struct aegw_pkt_info *pi,
			const struct aegw_srtp_pkt *pkt, bool rtcp)
{
	struct dp_port *p = &w->dp->cfg.ports[s->out_port];
	bool split = rtcp && !aegw_stream_rtcp_mux_out(s->flags);
	struct aegw_endpoint src = s->egress_src, dst = s->egress_dst;
	struct aegw_pkt_l2 l2 = { .vlan_tci = p->vlan_tci,
				  .has_vlan = p->has_vlan };
	unsigned hl;

	if (!dst.family || !egress_mac(w, s, p)) {
		drop_stream_pkt(s, m, AEGW_SC_drop_no_neighbour);
		return;
	}
	hl = aegw_pkt_udp_hdr_len(dst.family, p->has_vlan);
	if ((size_t)(pkt->data - (uint8_t *)m->buf_addr) < hl) {
		drop_stream_pkt(s, m, AEGW_SC_drop_no_room);
		return;
	}
	if (split) {
		src.port = (uint16_t)(src.port + 1);
		dst.port = s->egress_rtcp_port ? s->egress_rtcp_port :
						 (uint16_t)(dst.port + 1);
	}
	memcpy(l2.dst_mac, s->dst_mac, 6);
	memcpy(l2.src_mac, p->mac, 6);
	/* A relayed payload is the one whose checksum was checked on the
	 * way in: the checksum follows the headers, the payload is not
	 * summed again. */
	if (s->action == AEGW_ACTION_RELAY && pkt->len == pi->payload_len)
		aegw_pkt_write_udp_relayed(pkt->data, pi, &l2, &src, &dst,
					   p->tx_csum_offload);
	else
		aegw_pkt_write_udp(pkt->data, (uint16_t)pkt->len, &l2, &src,
				   &dst, p->tx_csum_offload);
	m->data_off = (uint16_t)(pkt->data - hl - (uint8_t *)m->buf_addr);
	m->data_len = (uint16_t)(hl + pkt->len);
	m->pkt_len = m->data_len;
	m->ol_flags = 0;
	if (p->tx_csum_offload) {
		m->l2_len = (uint64_t)(hl - AEGW_UDP_HDR_LEN -
				       (dst.family == 6 ? AEGW_IPV6_HDR_LEN :
							  AEGW_IPV4_HDR_LEN));
		m->l3_len = dst.family == 6 ? AEGW_IPV6_HDR_LEN :
					      AEGW_IPV4_HDR_LEN;
		m->ol_flags = RTE_MBUF_F_TX_UDP_CKSUM |
			      (dst.family == 6 ? RTE_MBUF_F_TX_IPV6 :
						 RTE_MBUF_F_TX_IPV4);
	}
	s->counters[AEGW_SC_tx_packets]++;
	s->counters[AEGW_SC_tx_bytes] += pkt->len;
	s->counters[AEGW_SC_rtcp_tx_packets] += rtcp;
	dp_tx_frame(w, s->out_port, m, s);
}

static void process_burst(struct dp_worker *w, struct rte_mbuf **in,
			  unsigned n, bool handed_off)
{
	struct dp_burst b;
	struct aegw_srtp_pkt pkts[DP_BURST];

	stage_parse(w, &b, in, n, handed_off);
	if (!b.n)
		return;
	stage_lookup(w, &b);
	for (unsigned i = 0; i < b.n; i++)
		pkts[i] = srtp_view(b.m[i], &b.pi[i]);
	stage_crypto(w, &b, pkts, false);
	stage_latch(w, &b);
	stage_rtcp_reports(w, &b, pkts);
	stage_crypto(w, &b, pkts, true);
	for (unsigned i = 0; i < b.n; i++) {
		if (b.status[i])
			drop_stream_pkt(b.s[i], b.m[i],
					aegw_stream_counter_for_err(b.status[i]));
		else
			rewrite_one(w, b.s[i], b.m[i], &b.pi[i], &pkts[i],
				    b.rtcp[i]);
	}
}

void dp_path_process(struct dp_worker *w, struct rte_mbuf **m, unsigned n,
		     bool handed_off)
{
	w->counters[handed_off ? AEGW_WC_handoff_in : AEGW_WC_rx_packets] += n;
	for (unsigned i = 0; i < n; i += DP_BURST)
		process_burst(w, m + i, RTE_MIN(n - i, (unsigned)DP_BURST),
			      handed_off);
	dp_tx_flush(w);
}
