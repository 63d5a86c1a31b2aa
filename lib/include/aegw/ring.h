/* The command ring between aegw-control and aegw-dataplane: one POSIX
 * shared-memory object per instance (/aegw-<instance>, mode 0600) holding
 * a versioned header, one command ring per worker (control -> worker) and
 * one event ring per worker (worker -> control).
 *
 * Every ring is single-producer single-consumer: the control daemon is one
 * thread, and each worker produces only its own events, so no two writers
 * ever meet on a cache line. Records are fixed-size, hold no pointers and
 * carry the producer's sequence number; the worker acknowledges each
 * command by that number. No DPDK here: control links this without EAL. */
#ifndef AEGW_RING_H
#define AEGW_RING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aegw/counters.h"
#include "aegw/rtcp.h"
#include "aegw/srtp.h"

#ifdef __cplusplus
extern "C" {
#endif

enum {
	AEGW_SHM_LAYOUT_VERSION = 7,
	AEGW_RING_MAX_WORKERS = 16,
	AEGW_RING_CMD_SLOTS = 256,   /* per worker; a power of two */
	AEGW_RING_EVT_SLOTS = 1024,  /* per worker; a power of two */
	AEGW_INSTANCE_MAX = 32,      /* instance name length, NUL excluded */
};

#define AEGW_SHM_MAGIC 0x4145475752494e47ull /* "AEGWRING" */

/* What a stream does with a packet (one direction of one media flow). */
#define AEGW_FOREACH_ACTION(X)                                               \
	X(E2AE_IN, "e2ae-in")   /* unprotect with in key, forward plain */   \
	X(E2AE_OUT, "e2ae-out") /* protect plain with out key */            \
	X(RECRYPT, "recrypt")   /* unprotect (in key), protect (out key) */ \
	X(RELAY, "relay")       /* forward SRTP untouched, no key */

enum aegw_action {
#define AEGW_ACTION_ENUM(id, name) AEGW_ACTION_##id,
	AEGW_FOREACH_ACTION(AEGW_ACTION_ENUM)
#undef AEGW_ACTION_ENUM
	AEGW_ACTION_COUNT
};

const char *aegw_action_name(enum aegw_action a);
/* Whether an action unprotects with the in key (e2ae-in, recrypt), and
 * whether it protects with the out key (e2ae-out, recrypt). */
static inline int aegw_action_unprotects(unsigned a)
{
	return a == AEGW_ACTION_E2AE_IN || a == AEGW_ACTION_RECRYPT;
}
static inline int aegw_action_protects(unsigned a)
{
	return a == AEGW_ACTION_E2AE_OUT || a == AEGW_ACTION_RECRYPT;
}
int aegw_action_from_name(const char *name, enum aegw_action *a);

/* An IP address and UDP port. ip holds 4 (IPv4, in ip[0..3]) or 16 bytes
 * in network order; port is in host order. family 0 means "unset". */
struct aegw_endpoint {
	uint8_t family; /* 0, 4 or 6 */
	uint8_t pad;
	uint16_t port;
	uint8_t ip[16];
};

enum {
	AEGW_STREAM_RTCP_MUX = 1u << 0,  /* RTCP on the RTP port (RFC 5761);
					  * else on port+1 on both legs,
					  * unless one of the next two says
					  * the egress leg differs */
	AEGW_STREAM_LATCH = 1u << 1,     /* learn the peer from the first
					  * authenticated packet */
	AEGW_STREAM_NO_REPLAY = 1u << 2, /* no replay check (RFC 3711 3.3.2
					  * RECOMMENDs one), and protect may
					  * reuse an index: only for
					  * benchmarks that loop a capture,
					  * like ipsec-secgw's window 0 */
	/* The egress leg multiplexes where the ingress does not, or the
	 * reverse (rtpengine's rtcp-mux demux / accept / require): one leg
	 * muxed, the other not. At most one of the two. */
	AEGW_STREAM_RTCP_OUT_MUX = 1u << 3,   /* egress RTCP on the RTP port */
	AEGW_STREAM_RTCP_OUT_SPLIT = 1u << 4, /* egress RTCP on port+1 */
	/* Installed by hand, with no call (aegwctl install): a control
	 * that finds it in a DUMP keeps it as such, where it ends a call's
	 * stream no call claims once it falls silent. The worker only
	 * keeps it and reports it. */
	AEGW_STREAM_STATIC = 1u << 5,
	/* A relay between two plain RTP legs: its RTCP is plain, and the
	 * peers' reports in it go to control (EVT_RTCP) as those of every
	 * other action do. A relay without it may carry SRTCP, unread. */
	AEGW_STREAM_PLAIN_RTCP = 1u << 6,
	/* The flags an UPDATE_FLAGS sets: where RTCP travels, and whether
	 * a relay's is read. */
	AEGW_STREAM_RTCP_FLAGS = AEGW_STREAM_RTCP_MUX |
				 AEGW_STREAM_RTCP_OUT_MUX |
				 AEGW_STREAM_RTCP_OUT_SPLIT |
				 AEGW_STREAM_PLAIN_RTCP,
};

/* Whether the stream sends RTCP on its egress RTP port. */
static inline bool aegw_stream_rtcp_mux_out(uint8_t flags)
{
	return (flags & AEGW_STREAM_RTCP_OUT_MUX) ||
	       ((flags & AEGW_STREAM_RTCP_MUX) &&
		!(flags & AEGW_STREAM_RTCP_OUT_SPLIT));
}

/* One stream as the control side describes it. A packet to `local` on
 * port `in_port` from `remote` (any source while remote is unset and
 * LATCH is set) is processed by `action` and sent from `egress_src` to
 * `egress_dst` on port `out_port`. When a stream latches a new peer and
 * `reverse_id` names a stream on the same worker, that stream's
 * egress_dst follows (symmetric RTP). */
struct aegw_stream_spec {
	uint32_t stream_id; /* control's name for it; never 0 */
	uint32_t reverse_id;
	uint8_t action;     /* enum aegw_action */
	uint8_t flags;      /* AEGW_STREAM_* */
	uint16_t in_port;   /* DPDK port ids */
	uint16_t out_port;
	/* Where separate RTCP goes: the peer's a=rtcp port (RFC 3605) at
	 * egress_dst's address; 0: egress_dst's port + 1. Dropped (0 again)
	 * when the stream's peer latches somewhere else; learned from the
	 * peer's authenticated SRTCP (RFC 4961) on the reverse stream. */
	uint16_t egress_rtcp_port;
	struct aegw_endpoint local;
	struct aegw_endpoint remote;
	struct aegw_endpoint egress_src;
	struct aegw_endpoint egress_dst;
	/* kind is ignored: RTP and RTCP contexts are both made from these. */
	struct aegw_srtp_config in_crypto;  /* E2AE_IN, RECRYPT */
	struct aegw_srtp_config out_crypto; /* E2AE_OUT, RECRYPT */
};

#define AEGW_FOREACH_CMD(X)                                                  \
	X(ADD_STREAM, "add")        /* spec */                                \
	X(UPDATE_STREAM, "update")  /* spec; what changes is in update_mask */ \
	X(REMOVE_STREAM, "remove")  /* stream_id */                           \
	X(DUMP, "dump")             /* every stream as an EVT_STREAM */       \
	X(COUNTERS, "counters")     /* stream_id, or 0 for every stream */

enum aegw_cmd_type {
#define AEGW_CMD_ENUM(id, name) AEGW_CMD_##id,
	AEGW_FOREACH_CMD(AEGW_CMD_ENUM)
#undef AEGW_CMD_ENUM
	AEGW_CMD_COUNT
};

/* "add", "update", ...; "unknown" out of range. */
const char *aegw_cmd_type_name(enum aegw_cmd_type t);

/* What an UPDATE_STREAM replaces; the rest of the stream stays, including
 * its ROC and replay state where the key does not change. */
enum {
	AEGW_UPDATE_IN_KEY = 1u << 0,
	AEGW_UPDATE_OUT_KEY = 1u << 1,
	AEGW_UPDATE_REMOTE = 1u << 2,  /* remote and LATCH flag */
	AEGW_UPDATE_EGRESS = 1u << 3,  /* egress_src, egress_dst,
					* egress_rtcp_port, out_port */
	AEGW_UPDATE_ACTION = 1u << 4,  /* action (needs the keys it uses) */
	/* egress_rtcp_port alone, taken only while the stream still sends
	 * to the spec's egress_dst: a peer that latched elsewhere (a NAT)
	 * keeps where it sends and the RTCP port it has. */
	AEGW_UPDATE_RTCP_PORT = 1u << 5,
	/* AEGW_STREAM_RTCP_FLAGS (a re-INVITE that turns rtcp-mux on or
	 * off): the stream takes or lets go of its local port + 1 and
	 * keeps its contexts. LATCH goes with REMOTE; NO_REPLAY is the
	 * ADD's. */
	AEGW_UPDATE_FLAGS = 1u << 6,
};

struct aegw_cmd {
	uint64_t seq;       /* set by aegw_ring_cmd_send */
	uint32_t type;      /* enum aegw_cmd_type */
	uint32_t update_mask;
	uint32_t stream_id; /* REMOVE_STREAM, COUNTERS */
	uint32_t pad;
	struct aegw_stream_spec spec;
};

#define AEGW_FOREACH_EVT(X)                                                  \
	X(ACK, "ack")           /* seq, status */                             \
	X(STREAM, "stream")     /* a stream's spec (no keys) and counters */  \
	X(COUNTERS, "counters") /* a stream's counters */                     \
	X(LATCHED, "latched")   /* a stream learned its peer */               \
	X(WORKER, "worker")     /* the worker's own counters */            \
	X(READING, "reading")   /* a stream's contexts moved a step      \
				 * (aegw_srtp_engine_moved): as COUNTERS */ \
	X(RTCP, "rtcp")         /* an SR or RR the stream's peer sent:    \
				 * stream_id, rtcp */

enum aegw_evt_type {
#define AEGW_EVT_ENUM(id, name) AEGW_EVT_##id,
	AEGW_FOREACH_EVT(AEGW_EVT_ENUM)
#undef AEGW_EVT_ENUM
	AEGW_EVT_COUNT
};

/* "ack", "stream", ...; "unknown" out of range. */
const char *aegw_evt_type_name(enum aegw_evt_type t);

/* Room for either level's counters in one event. */
enum { AEGW_EVT_COUNTER_SLOTS = 32 };
#ifdef __cplusplus
static_assert(
#else
_Static_assert(
#endif
	(int)AEGW_SC_COUNT <= (int)AEGW_EVT_COUNTER_SLOTS &&
		       (int)AEGW_WC_COUNT <= (int)AEGW_EVT_COUNTER_SLOTS,
	       "an event carries every counter of a stream or worker");

struct aegw_evt {
	uint64_t seq;       /* the command this answers; 0 if spontaneous */
	uint32_t type;      /* enum aegw_evt_type */
	int32_t status;     /* ACK: 0 or enum aegw_err */
	uint32_t stream_id;
	uint8_t action;     /* STREAM */
	uint8_t flags;      /* STREAM */
	uint16_t egress_rtcp_port; /* STREAM */
	/* STREAM, COUNTERS, READING: where the RTP unprotect (in) and
	 * protect (out) contexts are, as aegw_srtp_stream_last says (index
	 * 0: no packet yet): a replay resumes them there (resume_ssrc,
	 * resume_index). */
	uint32_t ssrc_in, ssrc_out;
	uint64_t index_in, index_out;
	/* ... and the SSRCs they had before (aegw_srtp_stream_earlier;
	 * index 0 ends a list): resume_earlier. */
	struct aegw_srtp_ssrc_at earlier_in[AEGW_SRTP_RESUME_EARLIER];
	struct aegw_srtp_ssrc_at earlier_out[AEGW_SRTP_RESUME_EARLIER];
	uint32_t rtcp_ssrc_in, rtcp_ssrc_out; /* the same of the SRTCP */
	uint64_t rtcp_index_in, rtcp_index_out; /* contexts; out: the
					 * highest index sent for any SSRC
					 * (aegw_srtp_stream_last_sent) */
	struct aegw_endpoint local;    /* STREAM */
	struct aegw_endpoint remote;   /* STREAM, LATCHED */
	struct aegw_endpoint egress_src; /* STREAM */
	struct aegw_endpoint egress_dst; /* STREAM */
	union {
		uint64_t counters[AEGW_EVT_COUNTER_SLOTS]; /* AEGW_SC_* or
							    * AEGW_WC_* */
		struct aegw_rtcp_report rtcp; /* RTCP */
	};
};
#ifdef __cplusplus
static_assert(
#else
_Static_assert(
#endif
	sizeof(struct aegw_rtcp_report) <= 8 * AEGW_EVT_COUNTER_SLOTS,
	"an RTCP report takes no more of an event than its counters");

/* The worker that owns a local UDP port: RTP and its port+1 RTCP go to
 * the same worker. Control allocates ports by this rule and writes each
 * stream to that worker's ring. */
static inline unsigned aegw_ring_worker_for_port(uint16_t port,
						 unsigned n_workers)
{
	return (unsigned)(port >> 1) % n_workers;
}

/* A process's handle on the object. It holds no ring state, so the
 * threads of a process may share one; each ring still has one producer
 * thread and one consumer thread (the control thread, and worker w for
 * the two rings of index w). */
struct aegw_shm;

/* Dataplane side. Creates /aegw-<instance> (0600), or takes over the one
 * a previous dataplane left: rings are emptied and the epoch is bumped so
 * the control side knows to replay every stream. 0 or -errno. */
int aegw_shm_create(const char *instance, unsigned n_workers,
		    struct aegw_shm **out);
/* Control side: maps an existing object and checks magic and layout
 * version (-EPROTO on a mismatch, -ENOENT if no dataplane made one).
 * Both calls refuse (-EPERM) an object another user owns: keys go in. */
int aegw_shm_attach(const char *instance, struct aegw_shm **out);
void aegw_shm_detach(struct aegw_shm *shm);
int aegw_shm_unlink(const char *instance);

unsigned aegw_shm_n_workers(const struct aegw_shm *shm);
/* 1 for a new object, +1 at each takeover by a new dataplane. 0 once a
 * new dataplane has replaced this object (garbage, another layout or
 * worker count): detach, attach again, replay. */
uint64_t aegw_shm_epoch(const struct aegw_shm *shm);
/* The dataplane's liveness: CLOCK_MONOTONIC nanoseconds of its last beat,
 * and its pid. */
void aegw_shm_heartbeat(struct aegw_shm *shm);
uint64_t aegw_shm_heartbeat_ns(const struct aegw_shm *shm);
int aegw_shm_pid(const struct aegw_shm *shm);

/* Control -> worker. Sets cmd->seq, copies the record into the ring and
 * wipes the key material in *cmd. -EAGAIN when the ring is full
 * (backpressure: nothing was enqueued and *cmd is untouched, so the caller
 * retries); -EINVAL for a bad worker. */
int aegw_ring_cmd_send(struct aegw_shm *shm, unsigned worker,
		       struct aegw_cmd *cmd);
/* Worker side: copies the oldest command out and wipes its slot. 0, or
 * -EAGAIN when empty. The caller wipes *cmd once it has used the keys. */
int aegw_ring_cmd_recv(struct aegw_shm *shm, unsigned worker,
		       struct aegw_cmd *cmd);
unsigned aegw_ring_cmd_depth(const struct aegw_shm *shm, unsigned worker);

/* Worker -> control. -EAGAIN when full (the worker retries next loop). */
int aegw_ring_evt_send(struct aegw_shm *shm, unsigned worker,
		       const struct aegw_evt *evt);
int aegw_ring_evt_recv(struct aegw_shm *shm, unsigned worker,
		       struct aegw_evt *evt);
unsigned aegw_ring_evt_depth(const struct aegw_shm *shm, unsigned worker);

/* Checks a record read from the ring before anything trusts it: type,
 * action, endpoints' families, crypto configs that the action needs.
 * 0 or an enum aegw_err (BAD_RECORD, or the engine's error for a bad
 * crypto config). The consumer calls this: the producer may be buggy. */
int aegw_cmd_validate(const struct aegw_cmd *cmd);

/* Wipes every key in a command (both crypto configs). */
void aegw_cmd_wipe(struct aegw_cmd *cmd);

#ifdef __cplusplus
}
#endif
#endif
