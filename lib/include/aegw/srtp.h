/* The SRTP/SRTCP engine (RFC 3711, RFC 6188, RFC 7714): streams and the
 * burst API. Knows nothing of DPDK or sockets; works on byte buffers.
 *
 * Threading: an engine and the streams created on it belong to one thread
 * (a dataplane worker) at a time. Nothing here locks. */
#ifndef AEGW_SRTP_H
#define AEGW_SRTP_H

#include <stddef.h>
#include <stdint.h>

#include "aegw/error.h"
#include "aegw/wire.h"

#ifdef __cplusplus
extern "C" {
#endif

enum aegw_srtp_backend {
	AEGW_SRTP_BACKEND_IPSECMB, /* Intel ipsec-mb multi-buffer, the fast path */
	AEGW_SRTP_BACKEND_OPENSSL, /* OpenSSL EVP, portable */
};

enum aegw_srtp_kind {
	AEGW_SRTP_RTP,
	AEGW_SRTP_RTCP,
};

enum {
	AEGW_SRTP_BURST_MAX = 64,      /* larger calls are split internally */
	AEGW_SRTP_MAX_KEYS = 8,        /* master keys per stream, chosen by MKI */
	AEGW_SRTP_WINDOW_DEFAULT = 128,
	AEGW_SRTP_WINDOW_MAX = 4096,
	AEGW_SRTP_SSRC_SLOTS = 2,      /* SSRCs with a live replay window */
	AEGW_SRTP_SSRC_RETIRED = 4,    /* further SSRCs remembered by their
					* highest index only */
	/* A stream's reading (aegw_srtp_stream_last and _earlier) moves a
	 * step when an SSRC takes a slot (but the one a context made again
	 * resumes, whose first packet only goes on from the reading) or an
	 * SSRC's highest index crosses a multiple of 2^STEP_LOG2: 2^13 for
	 * SRTP, a quarter of what RFC 3711 3.3.1's estimate still gets
	 * right from a stale reading; 2^8 for SRTCP, a quarter of the gap
	 * aegw-control leaves above its own SRTCP after a restart
	 * (docs/CONTROL.md). */
	AEGW_SRTP_READING_STEP_LOG2 = 13,
	AEGW_SRTCP_READING_STEP_LOG2 = 8,
	/* SSRCs an SRTP context made again remembers besides the one it
	 * resumes (resume_earlier, aegw_srtp_stream_earlier). */
	AEGW_SRTP_RESUME_EARLIER = AEGW_SRTP_SSRC_RETIRED - 1,
};

/* An SSRC and the highest index a context reached for it. */
struct aegw_srtp_ssrc_at {
	uint32_t ssrc;
	uint32_t pad;
	uint64_t index; /* 48 bits; 0: none */
};

/* RFC 4568 session parameters. */
enum {
	AEGW_SRTP_UNENCRYPTED_SRTP = 1u << 0,
	AEGW_SRTP_UNENCRYPTED_SRTCP = 1u << 1,
	AEGW_SRTP_UNAUTHENTICATED_SRTP = 1u << 2,
	/* Not RFC 4568: skip the replay check (RFC 3711 3.3.2 only
	 * RECOMMENDs it). For benchmarks that loop one capture, as
	 * DPDK's ipsec-secgw does with its window 0. Never negotiated. */
	AEGW_SRTP_NO_REPLAY_CHECK = 1u << 3,
};

struct aegw_srtp_master_key {
	uint8_t key[AEGW_SRTP_MAX_KEY_LEN]; /* suite's key length is used */
	uint8_t salt[AEGW_SRTP_MAX_SALT_LEN];
	uint8_t mki[AEGW_SRTP_MAX_MKI_LEN]; /* stream's mki_len bytes */
	uint64_t lifetime;                  /* packets; 0: the RFC maximum */
};

/* Everything needed to create one direction of one stream. The caller
 * owns it and should wipe it (aegw_srtp_config_wipe) once the stream is
 * created: the stream keeps only derived session keys. */
struct aegw_srtp_config {
	enum aegw_srtp_kind kind;
	enum aegw_suite suite;
	unsigned session_params; /* AEGW_SRTP_UNENCRYPTED_SRTP ... */
	unsigned n_keys;         /* 1..AEGW_SRTP_MAX_KEYS */
	unsigned mki_len;        /* 0 (no MKI; then n_keys is 1) or 1..4 */
	unsigned active_key;     /* the key protect uses */
	unsigned window;         /* replay window in packets; 0: default */
	unsigned kdr_log2;       /* 0: KDR 0, keys derived once; 1..24: KDR
				  * is 2^kdr_log2 (RFC 4568 "KDR=n") */
	uint32_t initial_roc;    /* ROC of an SSRC first seen (RFC 3711 3.3.1) */
	/* An SRTP context made again, as after a dataplane restart: the
	 * SSRC it last had and the highest index it had reached (48 bits;
	 * 0: none). That SSRC's indices are then estimated from it, so a
	 * sequence wrap since is seen, and those up to it are refused as
	 * replays; other SSRCs start at initial_roc. An SRTCP context made
	 * from the same config ignores both and takes the next two: its
	 * SSRC's SRTCP indices, sent or received, go on above that one
	 * (31 bits; 0: none). */
	uint32_t resume_ssrc;
	uint64_t resume_index;
	/* SRTP: SSRCs it had before resume_ssrc, most recent first (index
	 * 0 ends the list), so that one coming back (after an announcement,
	 * say) goes on from its own index too, not from initial_roc. */
	struct aegw_srtp_ssrc_at resume_earlier[AEGW_SRTP_RESUME_EARLIER];
	uint32_t resume_rtcp_ssrc;
	/* SRTCP: the index an SSRC the context has no state for starts
	 * from when the context protects (31 bits). RFC 3711 3.4 starts a
	 * key's count at 0; a context made again over one that may have
	 * protected under the same key, for SSRCs no resume names, goes on
	 * above what that one may have used. */
	uint32_t initial_rtcp_index;
	uint64_t resume_rtcp_index;
	struct aegw_srtp_master_key keys[AEGW_SRTP_MAX_KEYS];
};

struct aegw_srtp_engine;
struct aegw_srtp_stream;

/* A packet buffer: data points at the RTP/RTCP header, len bytes are the
 * packet, size bytes (>= len) are writable from data (tailroom included).
 * Protect grows len by the SRTP trailer; unprotect shrinks it. */
struct aegw_srtp_pkt {
	uint8_t *data;
	uint32_t len;
	uint32_t size;
};

/* Creates an engine on a backend. NULL if the backend is unavailable
 * (err says why). */
struct aegw_srtp_engine *aegw_srtp_engine_create(enum aegw_srtp_backend be,
						 int *err);
void aegw_srtp_engine_free(struct aegw_srtp_engine *eng);

/* Where an engine's stream contexts live. alloc returns size bytes
 * aligned to 64, or NULL; free takes what alloc gave (never NULL). (With
 * a non-zero KDR a stream also keeps its master keys in malloc's heap.) */
struct aegw_srtp_allocator {
	void *(*alloc)(void *arg, size_t size);
	void (*free)(void *arg, void *p);
	void *arg;
};
/* NULL: aligned_alloc and free, the default. INVALID_ARG while the
 * engine has streams: each must go back to the allocator that made it. */
int aegw_srtp_engine_set_allocator(struct aegw_srtp_engine *eng,
				   const struct aegw_srtp_allocator *a);
const char *aegw_srtp_backend_name(enum aegw_srtp_backend be);

/* Checks a configuration as aegw_srtp_stream_create does, without touching
 * a key or an engine: 0 or the enum aegw_err that create would return
 * for it (INVALID_ARG, UNSUPPORTED). Any thread. */
int aegw_srtp_config_check(const struct aegw_srtp_config *cfg);

/* Creates a stream; its functions are chosen here, once. Returns NULL and
 * sets *err on a bad configuration. */
struct aegw_srtp_stream *aegw_srtp_stream_create(struct aegw_srtp_engine *eng,
						 const struct aegw_srtp_config *cfg,
						 int *err);
/* Wipes all key material and frees. NULL is fine. */
void aegw_srtp_stream_free(struct aegw_srtp_stream *s);

/* Changes the master key protect uses (by index in cfg->keys). */
int aegw_srtp_stream_set_active_key(struct aegw_srtp_stream *s, unsigned idx);

/* Bytes of runtime state the stream holds, as allocated. */
size_t aegw_srtp_stream_size(const struct aegw_srtp_stream *s);

/* The SSRC the stream saw last and the highest index it reached for it
 * (a context made with resume_index and no packet since reports that):
 * what a context made again with the same key resumes from. 0, or -1
 * when it has seen no packet. */
int aegw_srtp_stream_last(const struct aegw_srtp_stream *s, uint32_t *ssrc,
			  uint64_t *index);
/* For an SRTP context: the SSRCs it remembers besides the one
 * aegw_srtp_stream_last names, most recently used first, at most
 * AEGW_SRTP_RESUME_EARLIER: what a context made again takes as its
 * resume_earlier. Returns how many. */
unsigned aegw_srtp_stream_earlier(const struct aegw_srtp_stream *s,
				  struct aegw_srtp_ssrc_at out[]);

/* The streams whose reading moved a step (AEGW_SRTP_READING_STEP_LOG2)
 * in the last burst or packet call on eng, in the order their packets
 * moved them, each once in a row: *out points at n of them, valid until
 * the next call. The first AEGW_SRTP_BURST_MAX only: a caller that wants
 * them all calls with at most AEGW_SRTP_BURST_MAX packets (a packet
 * lists its stream once at most). So a dataplane learns at once that a
 * restart would now resume elsewhere, without reading every stream. */
unsigned aegw_srtp_engine_moved(const struct aegw_srtp_engine *eng,
				struct aegw_srtp_stream *const **out);

/* For an SRTCP context that protects: the SSRC it saw last, and the
 * highest index it used for any SSRC it remembers. A context made again
 * resumes that SSRC above it and starts others there (its
 * initial_rtcp_index), so an SSRC it had before the last one (more SRTCP
 * sent, then an SSRC change) sends no index twice either. Not for RTP,
 * whose indices are the packets' own, nor for unprotecting. */
int aegw_srtp_stream_last_sent(const struct aegw_srtp_stream *s,
			       uint32_t *ssrc, uint64_t *index);

/* Packets processed under master key idx (for lifetime accounting). */
uint64_t aegw_srtp_stream_key_packets(const struct aegw_srtp_stream *s,
				      unsigned idx);

/* Protects/unprotects n packets in place; packet i uses streams[i].
 * status[i] receives 0 or an enum aegw_err. Returns how many succeeded.
 * Unprotect order per packet: replay check, constant-time tag check, then
 * the replay window and ROC are committed. A packet that fails is left
 * with unspecified contents (it may have been decrypted in place) and must
 * be dropped; its stream's state is unchanged. */
unsigned aegw_srtp_protect_burst(struct aegw_srtp_engine *eng,
				 struct aegw_srtp_stream *const streams[],
				 struct aegw_srtp_pkt pkts[], int status[],
				 unsigned n);
unsigned aegw_srtp_unprotect_burst(struct aegw_srtp_engine *eng,
				   struct aegw_srtp_stream *const streams[],
				   struct aegw_srtp_pkt pkts[], int status[],
				   unsigned n);

/* One packet; returns 0 or an enum aegw_err. */
int aegw_srtp_protect(struct aegw_srtp_engine *eng, struct aegw_srtp_stream *s,
		      struct aegw_srtp_pkt *pkt);
int aegw_srtp_unprotect(struct aegw_srtp_engine *eng,
			struct aegw_srtp_stream *s, struct aegw_srtp_pkt *pkt);

/* Bytes protect may add to a packet of this stream. */
unsigned aegw_srtp_stream_overhead(const struct aegw_srtp_stream *s);

void aegw_srtp_config_wipe(struct aegw_srtp_config *cfg);

#ifdef __cplusplus
}
#endif
#endif
