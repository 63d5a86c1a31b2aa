/* Engine internals shared by the SRTP logic and the crypto backends.
 *
 * A burst runs in three phases (as VPP's ESP path does): prepare (parse,
 * choose key, estimate index, replay check, build one crypto_op per
 * packet), one backend call for the whole burst, then finish (tag check in
 * constant time, replay/ROC commit, trailer). Backends see only
 * crypto_ops, never SRTP. */
#ifndef AEGW_SRTP_INTERNAL_H
#define AEGW_SRTP_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "aegw/srtp.h"

enum crypto_mode {
	CRYPTO_CM_HMAC, /* AES-CM cipher, HMAC-SHA1 auth (either may be off) */
	CRYPTO_GCM,     /* AES-GCM AEAD */
};

/* One packet's crypto work. Protect: cipher then auth (encrypt-then-MAC);
 * unprotect: auth then cipher. */
struct crypto_op {
	const void *ks;       /* backend key state of the chosen master key */
	uint8_t *buf;         /* packet start */
	uint32_t cipher_off;  /* region ciphered in place */
	uint32_t cipher_len;  /* 0: nothing to cipher */
	uint32_t auth_len;    /* CM_HMAC: bytes hashed from buf; 0: no auth */
	uint32_t aad_len;     /* GCM */
	const uint8_t *aad;   /* GCM */
	const uint8_t *expect; /* GCM unprotect: the received tag, for
				* backends that can only verify, not compute */
	uint8_t encrypt;      /* 1 protect, 0 unprotect */
	uint8_t mode;         /* enum crypto_mode */
	uint8_t key_len;      /* AES key bytes: 16, 24, 32 */
	uint8_t iv[16];       /* CM: counter block; GCM: 12-byte IV */
	uint8_t tag[20];      /* computed tag (HMAC-SHA1 full 20 / GCM 16) */
	uint8_t failed;       /* set by the backend when the job failed */
};

struct aegw_srtp_engine;

struct backend_ops {
	const char *name;
	/* Bytes of key state per master key for a suite and kind. */
	size_t (*ks_size)(const struct aegw_suite_info *si);
	int (*engine_init)(struct aegw_srtp_engine *eng);
	void (*engine_fini)(struct aegw_srtp_engine *eng);
	/* Expands session keys into ks (ks_size bytes, 64-byte aligned). */
	int (*key_init)(struct aegw_srtp_engine *eng, void *ks,
			const struct aegw_suite_info *si, const uint8_t *enc_key,
			const uint8_t *auth_key);
	/* Wipes ks and releases what it owns. */
	void (*key_wipe)(void *ks, const struct aegw_suite_info *si);
	/* Runs every op. Returns 0, or AEGW_ERR_BACKEND if the library
	 * failed (then no op's result may be trusted). */
	int (*run)(struct aegw_srtp_engine *eng, struct crypto_op *ops,
		   unsigned n);
};

extern const struct backend_ops aegw_backend_ipsecmb;
extern const struct backend_ops aegw_backend_openssl;

struct aegw_srtp_engine {
	const struct backend_ops *be;
	enum aegw_srtp_backend id;
	void *impl; /* backend's own state (IMB_MGR *, ...) */
	struct aegw_srtp_allocator mem;
	size_t n_streams; /* made with mem and not yet freed */
	/* Streams whose reading moved in the current call
	 * (aegw_srtp_engine_moved). */
	unsigned n_moved;
	struct aegw_srtp_stream *moved[AEGW_SRTP_BURST_MAX];
};

/* Replay window and index of one SSRC (RFC 3711 3.3.1 and 3.3.2). The
 * window is a ring of 64-bit words indexed by packet index, as WireGuard's
 * counter.c keeps it: advancing clears whole words, never shifts. */
struct ssrc_slot {
	uint64_t highest;  /* highest authenticated index (48-bit SRTP,
			    * 31-bit SRTCP) */
	uint32_t ssrc;
	uint32_t last_use; /* stream clock, for LRU; wraps harmlessly */
};

struct ssrc_retired {
	uint64_t highest;
	uint32_t ssrc;
	uint32_t in_use;
};

/* Only streams with a non-zero KDR keep their master key. */
struct kdr_state {
	uint64_t r;        /* index DIV kdr the session keys are for */
	uint8_t master[AEGW_SRTP_MAX_MASTER_LEN]; /* key||salt */
};

struct master_key {
	uint64_t packets;  /* processed under this key */
	uint64_t lifetime; /* limit, packets */
	struct kdr_state *kdr;
	uint8_t mki[AEGW_SRTP_MAX_MKI_LEN];
	uint8_t salt[AEGW_SRTP_MAX_SALT_LEN]; /* session salt */
	/* backend key state follows at the stream's ks_off */
} __attribute__((aligned(16)));

struct pkt_ctx;
typedef int (*prepare_fn)(struct aegw_srtp_stream *s, struct aegw_srtp_pkt *p,
			  struct pkt_ctx *c, struct crypto_op *op);
typedef int (*finish_fn)(struct aegw_srtp_stream *s, struct aegw_srtp_pkt *p,
			 struct pkt_ctx *c, struct crypto_op *op);

struct stream_fns {
	prepare_fn prepare;
	finish_fn finish;
};

struct stream_ops {
	struct stream_fns protect;
	struct stream_fns unprotect;
};

/* The runtime struct: only what the packet path reads, packed so that an
 * AES-CM stream direction with its keys fits in 512 bytes. */
struct aegw_srtp_stream {
	const struct stream_ops *ops; /* chosen at create (suite x kind) */
	struct aegw_srtp_engine *eng;
	const struct aegw_suite_info *si;
	uint8_t *keys;      /* n_keys x key_stride; the windows, win_words
			     * per slot, sit between the head and the keys */
	uint8_t kind;
	uint8_t encrypt;    /* confidentiality on (session params) */
	uint8_t auth;       /* authentication on */
	uint8_t tag_len;
	uint8_t mki_len;
	uint8_t n_keys;
	uint8_t active;
	uint8_t kdr_log2;
	uint8_t retired_next;
	uint8_t slot_used;  /* bit i: slots[i] holds an SSRC */
	uint8_t no_replay;  /* AEGW_SRTP_NO_REPLAY_CHECK */
	uint8_t resume_seeded; /* retired[0] is the config's resume state */
	uint8_t ks_off;     /* backend key state offset in a key */
	uint16_t window;    /* packets */
	uint16_t win_words; /* per slot, a power of two: the ring is
			     * indexed with a mask, never a division */
	uint16_t key_stride;
	uint32_t initial_roc;  /* RTP; SRTCP: initial_rtcp_index */
	uint32_t alloc_size;
	uint32_t clock;
	struct ssrc_slot slots[AEGW_SRTP_SSRC_SLOTS];
	struct ssrc_retired retired[AEGW_SRTP_SSRC_RETIRED];
};

/* Per-packet state between prepare and finish. */
struct pkt_ctx {
	struct master_key *mk;
	uint64_t index;
	uint32_t ssrc;
	int slot;           /* -1: SSRC new to this stream */
	uint32_t auth_end;  /* end of the authenticated part in the packet */
	uint8_t rx_tag[AEGW_SRTP_MAX_TAG_LEN];
	uint8_t aad[12];    /* GCM SRTCP: header + E||index */
	uint8_t deferred;   /* KDR slow path: keys differ from the current */
	const void *ks;     /* key state and session salt in use: the */
	const uint8_t *salt; /* master key's, or the KDR slow path's */
};

/* RFC 3711 9.2 / the SDES lifetime: the key may not process another
 * packet. Checked at prepare and again at commit (a burst can carry the
 * key's last allowed packets more than once). */
static inline int key_expired(const struct master_key *mk)
{
	return mk->packets >= mk->lifetime;
}

static inline struct master_key *stream_key(const struct aegw_srtp_stream *s,
					    unsigned i)
{
	return (struct master_key *)(s->keys + (size_t)i * s->key_stride);
}

static inline void *key_state(const struct aegw_srtp_stream *s,
			      const struct master_key *mk)
{
	return (uint8_t *)mk + s->ks_off;
}

/* replay.c (the per-packet index and window steps are in steps.h) */
/* Index state of an SSRC the stream has not got in a slot: a retired
 * SSRC resumes above its highest index. */
int aegw_slot_new_state(const struct aegw_srtp_stream *s, uint32_t ssrc,
			uint64_t *highest);
int aegw_slot_adopt(struct aegw_srtp_stream *s, uint32_t ssrc,
		    uint64_t index);
/* A context made again: the SSRCs it had before the one it resumes. */
void aegw_slots_seed_earlier(struct aegw_srtp_stream *s,
			     const struct aegw_srtp_config *cfg);

/* kdf.c: RFC 3711 4.3.1 AES-CM PRF. */
enum kdf_label {
	KDF_RTP_ENC = 0x00,
	KDF_RTP_AUTH = 0x01,
	KDF_RTP_SALT = 0x02,
	KDF_RTCP_ENC = 0x03,
	KDF_RTCP_AUTH = 0x04,
	KDF_RTCP_SALT = 0x05,
};
/* One master key, several labels: begin, derive per label, end (which
 * also wipes). aegw_kdf is the one-label shortcut. */
struct aegw_kdf {
	struct evp_cipher_ctx_st *ctx;
	const uint8_t *salt;
	unsigned salt_len;
};
int aegw_kdf_begin(struct aegw_kdf *k, const uint8_t *master_key,
		   unsigned key_len, const uint8_t *master_salt,
		   unsigned salt_len);
int aegw_kdf_derive(struct aegw_kdf *k, uint8_t label, uint64_t r,
		    uint8_t *out, unsigned out_len);
void aegw_kdf_end(struct aegw_kdf *k);
int aegw_kdf(const uint8_t *master_key, unsigned key_len,
	     const uint8_t *master_salt, unsigned salt_len, uint8_t label,
	     uint64_t r, uint8_t *out, unsigned out_len);

/* stream.c */
int aegw_stream_derive(struct aegw_srtp_stream *s, const uint8_t *master,
		       void *ks, uint8_t *salt, uint64_t r);

/* common.c */
/* Unprotect's last step for every layout: tag check, commit, trim. */
int aegw_unprotect_finish(struct aegw_srtp_stream *s, struct aegw_srtp_pkt *p,
			  struct pkt_ctx *c, struct crypto_op *op);

/* rtp.c / rtcp.c: per-suite functions chosen at create. */
void aegw_rtp_select(struct aegw_srtp_stream *s);
void aegw_rtcp_select(struct aegw_srtp_stream *s);

/* Constant-time comparison of tags (0 to 16 bytes): 0 when equal. A
 * word at a time, for the packet path. */
static inline int ct_memcmp(const uint8_t *a, const uint8_t *b, unsigned n)
{
	uint64_t x, y, d = 0;
	unsigned i = 0;

	for (; i + 8 <= n; i += 8) {
		memcpy(&x, a + i, 8);
		memcpy(&y, b + i, 8);
		d |= x ^ y;
	}
	for (; i < n; i++)
		d |= (uint64_t)(a[i] ^ b[i]);
	return d != 0;
}

/* Tags and MKIs (0 to 16 bytes): a copy of a length known only at run
 * time compiles to `rep movs`, whose start-up costs more than the copy;
 * the lengths the suites use get a copy of their own. */
static inline void copy_short(uint8_t *dst, const uint8_t *src, unsigned n)
{
	switch (n) {
	case 0: break;
	case 4: memcpy(dst, src, 4); break;
	case 10: memcpy(dst, src, 10); break;
	case 16: memcpy(dst, src, 16); break;
	default: memcpy(dst, src, n); break;
	}
}

static inline void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static inline uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static inline uint16_t get_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* session_keys.c: replaces master key key_idx's session keys (backend key
 * state and salt) with given ones, skipping the KDF; for known-answer
 * tests and tools that hold session keys. auth_key may be NULL for AEAD
 * suites. Streams with a non-zero KDR are refused. */
int aegw_stream_install_session_keys(struct aegw_srtp_stream *s,
				     unsigned key_idx, const uint8_t *enc_key,
				     const uint8_t *auth_key,
				     const uint8_t *salt);

#include "steps.h"

#endif
