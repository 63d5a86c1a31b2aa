/* aegw-bench engine: what the driver (engine.c) and the implementations
 * under test (engine_impl.c) share. */
#ifndef AEGW_BENCH_ENGINE_H
#define AEGW_BENCH_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include "aegw/srtp.h"

enum { BENCH_BURST = 32 };

enum bench_op { OP_PROTECT, OP_UNPROTECT, OP_RELAY, OP_COUNT };

enum bench_impl {
	IMPL_AEGW_IPSECMB,
	IMPL_AEGW_OPENSSL,
	IMPL_LIBSRTP2,
	IMPL_FLOOR,
	IMPL_COUNT
};

struct bench_key {
	uint8_t key[AEGW_SRTP_MAX_KEY_LEN];
	uint8_t salt[AEGW_SRTP_MAX_SALT_LEN];
};

/* One cell of the table: a suite, a payload size and an operation, run
 * over n_streams streams. A round is n_pkts = n_streams * per_stream
 * packets, stored in consumption order: packet j belongs to stream
 * stream_of[j], and each stream's packets come in sequence order. */
struct cell {
	enum aegw_suite suite;
	const struct aegw_suite_info *si;
	unsigned payload;
	enum bench_op op;
	unsigned n_streams;
	unsigned per_stream;
	unsigned n_pkts;
	size_t slot;                 /* bytes per packet buffer */
	uint8_t *pool;               /* n_pkts slots, 64-byte aligned */
	struct aegw_srtp_pkt *pkts;  /* n_pkts */
	uint32_t *stream_of;         /* n_pkts */
	const struct bench_key *key_a; /* per stream: the inbound key */
	const struct bench_key *key_b; /* per stream: relay's outbound key */
};

static inline uint32_t bench_ssrc(unsigned stream)
{
	return 0x5eed0000u + stream;
}

/* An implementation under test. setup returns 0, 1 when the suite is not
 * available to it (the cell shows n/a), -1 on error. run processes the
 * whole round (bursts of BENCH_BURST) and returns how many packets
 * succeeded; *first_err receives a description of the first failure. */
struct impl_ops {
	const char *name;
	int (*setup)(const struct cell *c, void **st);
	unsigned (*run)(void *st, struct cell *c, const char **first_err);
	void (*teardown)(void *st, const struct cell *c);
};

extern const struct impl_ops bench_impls[IMPL_COUNT];

/* The ipsec-mb manager kind AEGW_IMB_ARCH asks for, set up as
 * lib/srtp/backend_ipsecmb.c does it. NULL on error. */
struct IMB_MGR;
struct IMB_MGR *bench_imb_mgr(void);
const char *bench_imb_arch_name(const struct IMB_MGR *mgr);
void bench_imb_mgr_free(struct IMB_MGR *mgr);
const char *bench_imb_version(void);
size_t bench_gcm_key_data_size(void);

/* libsrtp2 */
int bench_libsrtp2_init(void);
const char *bench_libsrtp2_version(void);
/* libsrtp2 derives AES-192 keys wrongly (before 2.8). */
int bench_libsrtp2_aes192_broken(void);

/* An aegw stream for one direction of stream i under key k. */
struct aegw_srtp_stream *bench_aegw_stream(struct aegw_srtp_engine *eng,
					   enum aegw_suite suite,
					   const struct bench_key *k);

#endif
