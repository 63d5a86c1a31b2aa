/* aegw-dataplane's internal model: ports, workers, streams. A stream and
 * everything it points at belong to one worker; the only state workers
 * share is read-mostly (port configuration, the neighbour table). */
#ifndef AEGW_DP_H
#define AEGW_DP_H

#include <assert.h> /* static_assert, in C and C++ */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h> /* memcpy */

#include <rte_common.h>
#include <rte_mbuf.h>
#include <rte_spinlock.h>

#include "aegw/counters.h"
#include "aegw/pkt.h"
#include "aegw/ring.h"
#include "aegw/srtp.h"

#ifdef __cplusplus
extern "C" {
#endif

enum {
	DP_MAX_PORTS = 4,
	DP_BURST = 32,
	DP_NEIGH_SLOTS = 256, /* per port, open addressing */
	DP_NEIGH_PROBE = 16,  /* slots an address may live in */
	DP_HANDOFF_SLOTS = 4096,
	DP_MAX_STATIC_NEIGH = 16,
	DP_REKEY_GRACE_MS = 2000, /* old in-keys tried after a re-key */
	DP_RETRY_MAX = 1500,      /* largest packet kept for that retry */
	DP_READINGS_WAITING = 1024, /* streams with a READING not sent yet */
	DP_READINGS_PER_MS = 64,    /* sent at most */
	DP_RTCP_REPORTS_PER_MS = 32, /* peers' reports sent at most */
};

/* Events a worker may send in the current millisecond (command.c). */
struct dp_ms_budget {
	uint64_t next_tsc; /* when the next millisecond starts */
	unsigned left;
};

/* A neighbour's MAC, published by whichever worker learns it. Writers
 * take the port's lock (rare); readers use the entry's sequence count and
 * never write, so the fast path touches no shared atomic. */
struct dp_neigh {
	uint32_t seq; /* odd while being written */
	uint8_t state; /* DP_NEIGH_* */
	uint8_t mac[6];
	struct aegw_endpoint ip;
	uint64_t requested_tsc; /* last request sent, for rate limiting */
};

enum { DP_NEIGH_FREE, DP_NEIGH_PENDING, DP_NEIGH_VALID, DP_NEIGH_STATIC };

struct dp_port {
	uint16_t port_id;
	uint8_t mac[6];
	struct aegw_endpoint ip4, ip6; /* family 0: none */
	uint8_t prefix4, prefix6;
	struct aegw_endpoint gw4, gw6;
	uint16_t vlan_tci;
	uint8_t has_vlan;
	uint8_t tx_csum_offload; /* the NIC computes UDP checksums */
	uint8_t rx_csum_offload; /* the NIC flags bad UDP checksums */
	rte_spinlock_t neigh_lock;
	uint32_t neigh_gen; /* bumped on every change: streams re-resolve */
	struct dp_neigh neigh[DP_NEIGH_SLOTS];
};

/* An SRTCP context, or until the first RTCP packet needs it, the config
 * to make it from (rtcp_slot.c). */
typedef uintptr_t dp_rtcp_slot;

/* One direction of one media flow. A packet reads the first three cache
 * lines only: its contexts, action and egress in the first two, the
 * counters every packet moves (rx/tx packets and bytes, RTCP) at the
 * start of the third; what only commands and rare paths read comes
 * after the counters. Allocated 64-byte aligned (dp_stream_add). */
struct dp_stream {
	struct aegw_srtp_stream *rtp_in, *rtp_out; /* unprotect, protect */
	dp_rtcp_slot rtcp_in, rtcp_out;
	uint8_t action; /* enum aegw_action */
	uint8_t flags;  /* AEGW_STREAM_* */
	uint8_t has_mac;
	uint8_t dst_mac[6];
	uint16_t in_port, out_port;
	uint16_t egress_rtcp_port; /* as aegw_stream_spec's (padding here) */
	uint32_t mac_gen; /* port neigh_gen when dst_mac was resolved */
	uint8_t reading_due; /* in the worker's readings (command.c) */
	/* After a re-key, the previous unprotect contexts until grace ends,
	 * so packets the sender protected before switching still pass
	 * (every unprotected packet looks at prev_rtp_in). */
	struct aegw_srtp_stream *prev_rtp_in;
	struct aegw_endpoint remote;     /* expected RTP source; 0: latch */
	struct aegw_endpoint egress_src; /* RTP; RTCP uses port + 1 */
	struct aegw_endpoint egress_dst;
	uint32_t id;
	uint64_t counters[AEGW_SC_COUNT] __rte_cache_aligned;
	dp_rtcp_slot prev_rtcp_in;
	uint64_t prev_until_tsc;
	struct aegw_endpoint local;
	uint32_t reverse_id;
} __rte_cache_aligned;

/* a == b: family, port and address. Constant-size compares: a memcmp
 * of a runtime length is a call, and every packet of a stream with a
 * known peer makes one. */
static inline bool dp_endpoint_eq(const struct aegw_endpoint *a,
				  const struct aegw_endpoint *b)
{
	uint64_t a0, a1, b0, b1;
	uint32_t a4, b4;

	if (a->family != b->family || a->port != b->port)
		return false;
	if (a->family != 6) {
		memcpy(&a4, a->ip, 4);
		memcpy(&b4, b->ip, 4);
		return a4 == b4;
	}
	memcpy(&a0, a->ip, 8);
	memcpy(&a1, a->ip + 8, 8);
	memcpy(&b0, b->ip, 8);
	memcpy(&b1, b->ip + 8, 8);
	return ((a0 ^ b0) | (a1 ^ b1)) == 0;
}

static_assert(offsetof(struct dp_stream, counters) == 128,
	       "the packet path's fields fit the first two lines");
/* The state per stream direction is a target (<= 512 B with its
 * contexts, docs/PERFORMANCE.md): a field that spills into a sixth line
 * costs every stream 64 bytes. */
static_assert(sizeof(struct dp_stream) == 320,
	       "a stream's own state is five cache lines");

/* The lines the packet path reads, prefetched for a burst. */
#define DP_STREAM_HOT_BYTES \
	(offsetof(struct dp_stream, counters) + 8 * AEGW_SC_rtcp_tx_packets + 8)

/* A burst in flight through the stages: parallel arrays, one slot per
 * packet, so each stage is a loop over plain arrays. */
struct dp_burst {
	unsigned n;
	struct rte_mbuf *m[DP_BURST];
	struct aegw_pkt_info pi[DP_BURST];
	struct dp_stream *s[DP_BURST];
	uint8_t rtcp[DP_BURST];
	int status[DP_BURST];
};

struct dp_tx {
	unsigned n;
	struct rte_mbuf *m[DP_BURST * 2];
	struct dp_stream *s[DP_BURST * 2]; /* NULL for replies */
};

struct dp;

struct dp_worker {
	unsigned idx;
	struct dp *dp;
	struct aegw_srtp_engine *eng;
	struct rte_hash *by_addr; /* struct dp_key -> tagged dp_stream * */
	struct rte_hash *by_id;   /* stream id -> dp_stream * */
	struct rte_ring *handoff; /* frames other workers received for us */
	unsigned n_streams;
	/* A DUMP or COUNTERS command in progress (next: by_id's next key
	 * position), a step per poll, resumed when the event ring has room
	 * again; and one that waits for it to end. */
	struct {
		bool active;
		uint32_t type;
		uint64_t seq;
		uint32_t next;
	} walk;
	struct {
		bool waiting;
		uint32_t type;
		uint64_t seq;
	} walk_next;
	bool pending_ack; /* an ACK waits for room on the event ring */
	struct aegw_evt ack;
	/* Streams whose reading moved, by id, each once, until their
	 * READING event is out (command.c); and when they go out next. */
	unsigned n_readings;
	uint32_t readings[DP_READINGS_WAITING];
	struct dp_ms_budget readings_budget;
	struct dp_ms_budget rtcp_budget; /* peers' RTCP reports */
	uint64_t loops;
	struct dp_tx tx[DP_MAX_PORTS];
	uint16_t retry_len[DP_BURST];
	uint8_t retry_buf[DP_BURST][DP_RETRY_MAX];
	uint64_t counters[AEGW_WC_COUNT];
	uint64_t port_rx[DP_MAX_PORTS], port_tx[DP_MAX_PORTS];
} __rte_cache_aligned;

struct dp_static_neigh {
	uint16_t port;
	struct aegw_endpoint ip;
	uint8_t mac[6];
};

struct dp_config {
	char instance[AEGW_INSTANCE_MAX + 1];
	enum aegw_srtp_backend backend;
	unsigned n_ports;
	struct dp_port ports[DP_MAX_PORTS];
	unsigned n_static;
	struct dp_static_neigh statics[DP_MAX_STATIC_NEIGH];
	unsigned max_streams; /* per worker */
	unsigned rx_desc, tx_desc;
	unsigned stats_interval; /* seconds; 0: print only at exit */
	unsigned mbufs;          /* pool size; 0: sized from queues */
	unsigned mbuf_data;      /* data room per mbuf, headroom excluded */
	bool unlink_at_exit;
};

struct dp {
	struct dp_config cfg;
	unsigned n_workers;
	struct dp_worker *workers; /* n_workers, each on its own lcore */
	struct aegw_shm *shm;
	struct rte_mempool *pool;
	uint16_t rx_queues[DP_MAX_PORTS];
	bool stop;
};


/* setup.c: n_workers and cfg set first. */
int dp_setup(struct dp *dp);
void dp_teardown(struct dp *dp);

/* options.c */
void dp_options_defaults(struct dp_config *cfg);
int dp_options_parse(int argc, char **argv, struct dp_config *cfg);
void dp_options_usage(const char *prog);
/* One option by its long name (a file's key): NULL, or why not. */
const char *dp_option_set(struct dp_config *cfg, const char *name,
			  const char *value);

/* config.c: defaults, then --config FILE; returns the EAL's argv (the
 * file's [eal] args unless the command line has its own), or NULL after
 * reporting a bad file. */
char **dp_config_argv(int argc, char **argv, struct dp_config *cfg,
		      int *out_argc);

/* port.c */
int dp_ports_init(struct dp *dp);
void dp_ports_close(struct dp *dp);
struct dp_port *dp_port_by_id(struct dp *dp, uint16_t port_id);
bool dp_port_owns_ip(const struct dp_port *p, const struct aegw_endpoint *ip);
unsigned dp_port_rx_queues(const struct dp *dp, uint16_t port_id);

/* neigh.c */
void dp_neigh_init(struct dp_port *p);
int dp_neigh_add_static(struct dp_port *p, const struct aegw_endpoint *ip,
			const uint8_t mac[6]);
/* Records what a frame taught us; returns true if an entry changed. */
bool dp_neigh_learn(struct dp_port *p, const struct aegw_endpoint *ip,
		    const uint8_t mac[6], bool create);
/* Finds the MAC of the next hop toward dst. Returns true with mac set;
 * false when unresolved, after sending (at most once a second) a request
 * through the worker's TX buffer. */
bool dp_neigh_resolve(struct dp_worker *w, struct dp_port *p,
		      const struct aegw_endpoint *dst, uint8_t mac[6]);

/* path.c: asks for the egress next hop's MAC now, so that the ARP or ND
 * exchange is over before the stream's first packet needs it. */
void dp_stream_resolve_egress(struct dp_worker *w, struct dp_stream *s);

/* stream.c */
int dp_worker_tables_init(struct dp_worker *w, unsigned max_streams);
void dp_worker_tables_free(struct dp_worker *w);
struct dp_stream *dp_stream_find_id(struct dp_worker *w, uint32_t id);
int dp_stream_add(struct dp_worker *w, const struct aegw_stream_spec *spec);
int dp_stream_update(struct dp_worker *w, const struct aegw_stream_spec *spec,
		     uint32_t mask);
int dp_stream_remove(struct dp_worker *w, uint32_t id);
/* Looks up n frames' destinations at once; s[i] NULL when unknown, rtcp[i]
 * set when the address was the stream's RTCP port. */
void dp_stream_lookup_bulk(struct dp_worker *w, struct dp_burst *b,
			   const unsigned idx[], unsigned n);
void dp_stream_latch(struct dp_worker *w, struct dp_stream *s,
		     const struct aegw_endpoint *src);
/* Separate RTCP that authenticated on s came from src: the reverse
 * stream sends the peer's RTCP to src's port (symmetric RTCP). */
void dp_stream_learn_rtcp(struct dp_worker *w, const struct dp_stream *s,
			  const struct aegw_endpoint *src);
size_t dp_stream_state_size(const struct dp_stream *s);
/* Wipes and frees the contexts (or SRTCP seed) of the key before the
 * last re-key, once its grace period is over. */
void dp_stream_forget_prev(struct dp_stream *s);

/* rtcp_slot.c */
/* A seed is a struct aegw_srtp_config whose keys[] stops after n_keys
 * (which aegw_srtp_config_check has bounded). */
static inline size_t dp_rtcp_seed_size(unsigned n_keys)
{
	return offsetof(struct aegw_srtp_config, keys) +
	       (size_t)n_keys * sizeof(struct aegw_srtp_master_key);
}
/* Keeps what the SRTCP context of c will be made from (c as it is, but
 * of kind RTCP). Refuses what the context would. */
int dp_rtcp_slot_seed(dp_rtcp_slot *slot, const struct aegw_srtp_config *c);
/* The slot's context, made now if it was not yet; NULL (and *err) if it
 * cannot be made, or the slot is empty (*err untouched). */
struct aegw_srtp_stream *dp_rtcp_slot_open(struct dp_worker *w,
					   dp_rtcp_slot *slot, int *err);
/* Wipes and frees what the slot holds, and empties it. */
void dp_rtcp_slot_free(dp_rtcp_slot *slot);
/* Bytes the slot holds: the context's, or the config's. */
size_t dp_rtcp_slot_size(dp_rtcp_slot slot);
/* aegw_srtp_stream_last() of the context (aegw_srtp_stream_last_sent()
 * with sent, for the protecting side); of a config not made into one
 * yet, the SRTCP index it resumes from. */
int dp_rtcp_slot_last(dp_rtcp_slot slot, bool sent, uint32_t *ssrc,
		      uint64_t *index);

/* command.c */
/* Runs commands waiting on the worker's ring, between bursts, and sends
 * the READING events waiting. */
void dp_command_poll(struct dp_worker *w);
/* s's contexts moved a step: control hears it (a READING event) at the
 * next poll, so that a restart resumes them from near where they are,
 * whatever the time control's walk takes to come by. */
void dp_reading_note(struct dp_worker *w, struct dp_stream *s);
/* The SR and RR of a compound RTCP packet s's peer sent (plain: after
 * unprotect, or before protect) go to control as an RTCP event, for the
 * call's quality figures; one the event ring or the budget has no room
 * for is counted (rtcp_reports_lost), a malformed one passed over. The
 * packet is forwarded either way. */
void dp_rtcp_report(struct dp_worker *w, const struct dp_stream *s,
		    const uint8_t *rtcp, uint32_t len);

/* path.c */
void dp_path_process(struct dp_worker *w, struct rte_mbuf **m, unsigned n,
		     bool handed_off);
void dp_tx_flush(struct dp_worker *w);
/* Queues a frame (reply/request) on a port's TX buffer. */
void dp_tx_frame(struct dp_worker *w, uint16_t port_idx, struct rte_mbuf *m,
		 struct dp_stream *s);

/* worker.c */
int dp_workers_init(struct dp *dp);
void dp_workers_free(struct dp *dp);
/* One turn of a worker's loop: commands, handoff ring, each RX queue. */
void dp_worker_poll_once(struct dp_worker *w);
int dp_worker_main(void *arg);

/* telemetry.c */
int dp_telemetry_register(struct dp *dp);

#ifdef __cplusplus
}
#endif
#endif
