/* aegw-bench's synthetic media: per-stream addresses, keys and RTP
 * headers derived from the stream number alone, the frames of one run
 * (SRTP made by the aegw engine), and the pcap files that carry them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#include "traffic.h"

enum {
	STREAMS_PER_IP = 1024,
	LOCAL_PORT_BASE = 16384, /* even: RTP, RTCP on +1 */
	REMOTE_PORT = 40000,
	EGRESS_DST_PORT = 30000,
	MAX_PER_STREAM = TRAFFIC_MIN_PKTS / TRAFFIC_MIN_STREAMS,
	PTIME_US = 20000,
};

/* splitmix64's finaliser: a fixed, well-spread value per (s, what). */
static uint64_t mix(unsigned s, unsigned what)
{
	uint64_t z = ((uint64_t)what << 32 | s) + 0x9e3779b97f4a7c15ull;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static void ip4(struct aegw_endpoint *e, uint32_t ip, uint16_t port)
{
	memset(e, 0, sizeof(*e));
	e->family = 4;
	e->port = port;
	for (int i = 0; i < 4; i++)
		e->ip[i] = (uint8_t)(ip >> (24 - 8 * i));
}

void traffic_addr_of(unsigned s, struct traffic_addr *a)
{
	uint16_t port = (uint16_t)(LOCAL_PORT_BASE + 2 * (s % STREAMS_PER_IP));

	ip4(&a->local, (10u << 24 | 64u << 16) + 1 + s / STREAMS_PER_IP, port);
	ip4(&a->remote, (100u << 24 | 64u << 16) + 1 + s % (1u << 22),
	    REMOTE_PORT);
	ip4(&a->egress_src, 172u << 24 | 16u << 16 | 1, port);
	ip4(&a->egress_dst, (172u << 24 | 20u << 16) + 1 + s % 65534,
	    (uint16_t)(EGRESS_DST_PORT + 2 * (s / 65534 % 1024)));
}

unsigned traffic_worker_of(unsigned s, unsigned n_workers)
{
	struct traffic_addr a;

	traffic_addr_of(s, &a);
	return aegw_ring_worker_for_port(a.local.port, n_workers);
}

void traffic_master(unsigned s, int which, uint8_t out[TRAFFIC_MASTER_LEN])
{
	for (unsigned i = 0; i < TRAFFIC_MASTER_LEN; i += 8) {
		uint64_t v = mix(s, 16u + 8u * (unsigned)which + i / 8);
		unsigned n = TRAFFIC_MASTER_LEN - i < 8 ? TRAFFIC_MASTER_LEN - i :
							  8;

		memcpy(out + i, &v, n);
	}
}

void traffic_config(unsigned s, int which, enum aegw_srtp_kind kind,
		    struct aegw_srtp_config *cfg)
{
	uint8_t m[TRAFFIC_MASTER_LEN];

	memset(cfg, 0, sizeof(*cfg));
	cfg->kind = kind;
	cfg->suite = TRAFFIC_SUITE;
	cfg->n_keys = 1;
	cfg->session_params = AEGW_SRTP_NO_REPLAY_CHECK;
	traffic_master(s, which, m);
	memcpy(cfg->keys[0].key, m, 16);
	memcpy(cfg->keys[0].salt, m + 16, 14);
	memset(m, 0, sizeof(m));
}

void traffic_spec(unsigned s, enum aegw_action a, struct aegw_stream_spec *spec)
{
	struct traffic_addr ad;

	traffic_addr_of(s, &ad);
	memset(spec, 0, sizeof(*spec));
	spec->stream_id = s + 1;
	spec->action = (uint8_t)a;
	spec->flags = AEGW_STREAM_NO_REPLAY;
	spec->in_port = 0;
	spec->out_port = TRAFFIC_OUT_PORT;
	spec->local = ad.local;
	spec->remote = ad.remote;
	spec->egress_src = ad.egress_src;
	spec->egress_dst = ad.egress_dst;
	if (aegw_action_unprotects(a))
		traffic_config(s, 0, AEGW_SRTP_RTP, &spec->in_crypto);
	/* The protect side needs NO_REPLAY_CHECK too: aegw checks the index
	 * it protects against its own window (no keystream reuse), and the
	 * looped capture repeats every index. */
	if (aegw_action_protects(a))
		traffic_config(s, 1, AEGW_SRTP_RTP, &spec->out_crypto);
}

/* Packet j of stream s, RTP header and G.711-sized payload. */
static void write_rtp(uint8_t *p, unsigned s, unsigned j)
{
	uint64_t r = mix(s, 2);
	uint16_t seq = (uint16_t)(r % (65536 - MAX_PER_STREAM) + j);
	uint32_t ts = (uint32_t)(r >> 16) + 160u * j;
	uint32_t ssrc = (uint32_t)(r >> 32);

	p[0] = 0x80;
	p[1] = 0; /* PCMU */
	p[2] = (uint8_t)(seq >> 8);
	p[3] = (uint8_t)seq;
	for (int i = 0; i < 4; i++) {
		p[4 + i] = (uint8_t)(ts >> (24 - 8 * i));
		p[8 + i] = (uint8_t)(ssrc >> (24 - 8 * i));
	}
	for (unsigned i = 0; i < TRAFFIC_PAYLOAD; i++)
		p[AEGW_RTP_HDR_LEN + i] = (uint8_t)(s * 31u + i * 7u + j);
}

static struct aegw_srtp_stream *gen_stream(struct aegw_srtp_engine *eng,
					   unsigned s)
{
	struct aegw_srtp_config cfg;
	struct aegw_srtp_stream *st;
	int err = 0;

	traffic_config(s, 0, AEGW_SRTP_RTP, &cfg);
	st = aegw_srtp_stream_create(eng, &cfg, &err);
	aegw_srtp_config_wipe(&cfg);
	if (!st)
		fprintf(stderr, "aegw-bench: stream %u: %s\n", s,
			aegw_strerror(err));
	return st;
}

/* Protects every packet in order under its stream's in key. */
static int protect_all(struct traffic *t, struct aegw_srtp_engine *eng,
		       struct aegw_srtp_stream **gen)
{
	struct aegw_srtp_stream *bs[AEGW_SRTP_BURST_MAX];
	struct aegw_srtp_pkt pk[AEGW_SRTP_BURST_MAX];
	int st[AEGW_SRTP_BURST_MAX];

	for (unsigned i = 0; i < t->n_streams; i++)
		if (!(gen[i] = gen_stream(eng, i)))
			return -1;
	for (unsigned off = 0; off < t->n_pkts; off += 32) {
		unsigned n = t->n_pkts - off < 32 ? t->n_pkts - off : 32;

		for (unsigned i = 0; i < n; i++) {
			bs[i] = gen[(off + i) % t->n_streams];
			pk[i].data = traffic_frame(t, off + i) +
				     TRAFFIC_L4_PAYLOAD_OFF;
			pk[i].len = TRAFFIC_RTP_LEN;
			pk[i].size = TRAFFIC_SLOT - TRAFFIC_L4_PAYLOAD_OFF;
		}
		if (aegw_srtp_protect_burst(eng, bs, pk, st, n) != n) {
			fprintf(stderr, "aegw-bench: generator: %s\n",
				aegw_strerror(st[0] ? st[0] : st[n - 1]));
			return -1;
		}
	}
	return 0;
}

static int make_srtp(struct traffic *t)
{
	struct aegw_srtp_engine *eng;
	struct aegw_srtp_stream **gen;
	int err = 0, rc = -1;

	eng = aegw_srtp_engine_create(AEGW_SRTP_BACKEND_IPSECMB, &err);
	gen = calloc(t->n_streams, sizeof(*gen));
	if (!eng || !gen) {
		fprintf(stderr, "aegw-bench: generator engine: %s\n",
			aegw_strerror(eng ? AEGW_ERR_NO_MEMORY : err));
		goto out;
	}
	rc = protect_all(t, eng, gen);
out:
	for (unsigned i = 0; gen && i < t->n_streams; i++)
		aegw_srtp_stream_free(gen[i]);
	free(gen);
	aegw_srtp_engine_free(eng);
	return rc;
}

int traffic_make(struct traffic *t, unsigned n_streams, enum aegw_action a,
		 const uint8_t dst_mac[6])
{
	struct aegw_pkt_l2 l2 = { .src_mac = { 2, 0, 0, 0, 0, 1 } };
	unsigned len = TRAFFIC_RTP_LEN;

	memset(t, 0, sizeof(*t));
	t->n_streams = n_streams;
	t->n_pkts = n_streams > TRAFFIC_MIN_PKTS ? n_streams : TRAFFIC_MIN_PKTS;
	t->action = a;
	t->frames = aligned_alloc(64, (size_t)t->n_pkts * TRAFFIC_SLOT);
	if (!t->frames) {
		fprintf(stderr, "aegw-bench: no memory for %u frames\n",
			t->n_pkts);
		return -1;
	}
	for (unsigned k = 0; k < t->n_pkts; k++)
		write_rtp(traffic_frame(t, k) + TRAFFIC_L4_PAYLOAD_OFF,
			  k % n_streams, k / n_streams);
	if (a != AEGW_ACTION_E2AE_OUT) {
		if (make_srtp(t)) {
			traffic_free(t);
			return -1;
		}
		len += aegw_suite_info(TRAFFIC_SUITE)->rtp_tag_len;
	}
	memcpy(l2.dst_mac, dst_mac, 6);
	for (unsigned k = 0; k < t->n_pkts; k++) {
		struct traffic_addr ad;

		traffic_addr_of(k % n_streams, &ad);
		aegw_pkt_write_udp(traffic_frame(t, k) + TRAFFIC_L4_PAYLOAD_OFF,
				   (uint16_t)len, &l2, &ad.remote, &ad.local, 0);
	}
	t->frame_len = TRAFFIC_L4_PAYLOAD_OFF + len;
	return 0;
}

void traffic_free(struct traffic *t)
{
	free(t->frames);
	t->frames = NULL;
}

long traffic_write_pcap(const struct traffic *t, unsigned w,
			unsigned n_workers, const char *path)
{
	pcap_t *dead = pcap_open_dead(DLT_EN10MB, 65535);
	pcap_dumper_t *d = dead ? pcap_dump_open(dead, path) : NULL;
	struct pcap_pkthdr h = { .caplen = t->frame_len, .len = t->frame_len };
	long n = 0;

	if (!d) {
		fprintf(stderr, "aegw-bench: %s: %s\n", path,
			dead ? pcap_geterr(dead) : "pcap_open_dead failed");
		if (dead)
			pcap_close(dead);
		return -1;
	}
	for (unsigned k = 0; k < t->n_pkts; k++) {
		/* Each stream every 20 ms, the streams evenly spread. */
		uint64_t us = (uint64_t)k * PTIME_US / t->n_streams;

		if (traffic_worker_of(k % t->n_streams, n_workers) != w)
			continue;
		h.ts.tv_sec = (time_t)(us / 1000000);
		h.ts.tv_usec = (suseconds_t)(us % 1000000);
		pcap_dump((u_char *)d, &h, traffic_frame(t, k));
		n++;
	}
	if (pcap_dump_flush(d)) {
		fprintf(stderr, "aegw-bench: %s: write failed\n", path);
		n = -1;
	}
	pcap_dump_close(d);
	pcap_close(dead);
	return n;
}

int traffic_parse_mac(const char *s, uint8_t mac[6])
{
	unsigned v[6];
	char tail;

	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &v[0], &v[1], &v[2], &v[3],
		   &v[4], &v[5], &tail) != 6)
		return -1;
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)v[i];
	return 0;
}

int traffic_parse_list(const char *s, unsigned lo, unsigned hi,
		       unsigned *out, int max)
{
	int n = 0;

	while (*s) {
		char *end;
		unsigned long v = strtoul(s, &end, 10);

		if (end == s || v < lo || v > hi || n == max ||
		    (*end && *end != ','))
			return -1;
		out[n++] = (unsigned)v;
		s = *end ? end + 1 : end;
	}
	return n ? n : -1;
}
