/* The four implementations aegw-bench engine compares, all behind one
 * interface: aegw on ipsec-mb, aegw on OpenSSL, libsrtp2 one packet at a
 * time, and the floor: the bare ipsec-mb crypto aegw asks for, with no
 * SRTP logic at all (no parsing, no index, no replay window, no tag
 * check). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <intel-ipsec-mb.h>
#include <srtp2/srtp.h>

#include "engine.h"
#include "srtp/backend_ipsecmb.h"

static void *xaligned(size_t size)
{
	void *p = aligned_alloc(64, (size + 63) & ~(size_t)63);

	if (p)
		memset(p, 0, (size + 63) & ~(size_t)63);
	return p;
}

/* ---- the ipsec-mb manager ---------------------------------------------- */

struct IMB_MGR *bench_imb_mgr(void)
{
	IMB_MGR *mgr = alloc_mb_mgr(0);

	if (!mgr)
		return NULL;
	if (aegw_imb_init_arch(mgr)) {
		free_mb_mgr(mgr);
		return NULL;
	}
	return mgr;
}

const char *bench_imb_arch_name(const struct IMB_MGR *mgr)
{
	switch (mgr->used_arch) {
	case IMB_ARCH_NOAESNI: return "noaesni";
	case IMB_ARCH_SSE: return "sse";
	case IMB_ARCH_AVX: return "avx";
	case IMB_ARCH_AVX2: return "avx2";
	case IMB_ARCH_AVX512: return "avx512";
	default: return "unknown";
	}
}

void bench_imb_mgr_free(struct IMB_MGR *mgr)
{
	if (mgr)
		free_mb_mgr(mgr);
}

const char *bench_imb_version(void)
{
	return imb_get_version_str();
}

size_t bench_gcm_key_data_size(void)
{
	return sizeof(struct gcm_key_data);
}

/* ---- aegw, either backend ------------------------------------------------ */

struct aegw_srtp_stream *bench_aegw_stream(struct aegw_srtp_engine *eng,
					   enum aegw_suite suite,
					   const struct bench_key *k)
{
	struct aegw_srtp_config cfg;
	struct aegw_srtp_stream *s;
	int err;

	memset(&cfg, 0, sizeof(cfg));
	cfg.kind = AEGW_SRTP_RTP;
	cfg.suite = suite;
	cfg.n_keys = 1;
	memcpy(cfg.keys[0].key, k->key, sizeof(k->key));
	memcpy(cfg.keys[0].salt, k->salt, sizeof(k->salt));
	s = aegw_srtp_stream_create(eng, &cfg, &err);
	aegw_srtp_config_wipe(&cfg);
	return s;
}

struct aegw_st {
	struct aegw_srtp_engine *eng;
	struct aegw_srtp_stream **a, **b;        /* per stream */
	struct aegw_srtp_stream **pa, **pb;      /* per packet of a round */
	int status[BENCH_BURST];
};

static void aegw_teardown(void *p, const struct cell *c)
{
	struct aegw_st *st = p;

	if (!st)
		return;
	for (unsigned i = 0; i < c->n_streams; i++) {
		if (st->a)
			aegw_srtp_stream_free(st->a[i]);
		if (st->b)
			aegw_srtp_stream_free(st->b[i]);
	}
	free(st->a);
	free(st->b);
	free(st->pa);
	free(st->pb);
	aegw_srtp_engine_free(st->eng);
	free(st);
}

static int aegw_setup(const struct cell *c, void **out,
		      enum aegw_srtp_backend be)
{
	struct aegw_st *st = calloc(1, sizeof(*st));
	int err, relay = c->op == OP_RELAY;

	*out = st;
	if (!st)
		return -1;
	st->eng = aegw_srtp_engine_create(be, &err);
	if (!st->eng) {
		fprintf(stderr, "aegw-bench: %s engine: %s\n",
			aegw_srtp_backend_name(be), aegw_strerror(err));
		return -1;
	}
	st->a = calloc(c->n_streams, sizeof(*st->a));
	st->b = calloc(c->n_streams, sizeof(*st->b));
	st->pa = calloc(c->n_pkts, sizeof(*st->pa));
	st->pb = calloc(c->n_pkts, sizeof(*st->pb));
	if (!st->a || !st->b || !st->pa || !st->pb)
		return -1;
	for (unsigned i = 0; i < c->n_streams; i++) {
		st->a[i] = bench_aegw_stream(st->eng, c->suite, &c->key_a[i]);
		if (!st->a[i])
			return -1;
		if (relay) {
			st->b[i] = bench_aegw_stream(st->eng, c->suite,
						     &c->key_b[i]);
			if (!st->b[i])
				return -1;
		}
	}
	for (unsigned j = 0; j < c->n_pkts; j++) {
		st->pa[j] = st->a[c->stream_of[j]];
		st->pb[j] = st->b[c->stream_of[j]];
	}
	return 0;
}

static int aegw_ipsecmb_setup(const struct cell *c, void **st)
{
	return aegw_setup(c, st, AEGW_SRTP_BACKEND_IPSECMB);
}

static int aegw_openssl_setup(const struct cell *c, void **st)
{
	return aegw_setup(c, st, AEGW_SRTP_BACKEND_OPENSSL);
}

static void aegw_note(const int *status, unsigned k, const char **first_err)
{
	for (unsigned i = 0; i < k && !*first_err; i++)
		if (status[i])
			*first_err = aegw_strerror(status[i]);
}

static unsigned aegw_run(void *p, struct cell *c, const char **first_err)
{
	struct aegw_st *st = p;
	struct aegw_srtp_engine *eng = st->eng;
	unsigned good = 0, n = c->n_pkts;

	for (unsigned off = 0; off < n; off += BENCH_BURST) {
		unsigned k = n - off < BENCH_BURST ? n - off : BENCH_BURST, g;
		struct aegw_srtp_pkt *pk = c->pkts + off;

		switch (c->op) {
		case OP_PROTECT:
			g = aegw_srtp_protect_burst(eng, st->pa + off, pk,
						    st->status, k);
			break;
		case OP_UNPROTECT:
			g = aegw_srtp_unprotect_burst(eng, st->pa + off, pk,
						      st->status, k);
			break;
		default:
			g = aegw_srtp_unprotect_burst(eng, st->pa + off, pk,
						      st->status, k);
			if (g != k)
				break;
			g = aegw_srtp_protect_burst(eng, st->pb + off, pk,
						    st->status, k);
			break;
		}
		if (g != k)
			aegw_note(st->status, k, first_err);
		good += g;
	}
	return good;
}

/* ---- libsrtp2 -------------------------------------------------------------- */

int bench_libsrtp2_init(void)
{
	return srtp_init() == srtp_err_status_ok ? 0 : -1;
}

const char *bench_libsrtp2_version(void)
{
	return srtp_get_version_string();
}

int bench_libsrtp2_aes192_broken(void)
{
	return srtp_get_version() < 0x02080000u; /* fixed in 2.8.0 */
}

static int srtp_policy_for(srtp_crypto_policy_t *p, enum aegw_suite suite)
{
	switch (suite) {
	case AEGW_SUITE_AES_CM_128_HMAC_SHA1_80:
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(p);
		break;
	case AEGW_SUITE_AES_CM_128_HMAC_SHA1_32:
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(p);
		break;
	case AEGW_SUITE_AES_192_CM_HMAC_SHA1_80:
		srtp_crypto_policy_set_aes_cm_192_hmac_sha1_80(p);
		break;
	case AEGW_SUITE_AES_192_CM_HMAC_SHA1_32:
		srtp_crypto_policy_set_aes_cm_192_hmac_sha1_32(p);
		break;
	case AEGW_SUITE_AES_256_CM_HMAC_SHA1_80:
		srtp_crypto_policy_set_aes_cm_256_hmac_sha1_80(p);
		break;
	case AEGW_SUITE_AES_256_CM_HMAC_SHA1_32:
		srtp_crypto_policy_set_aes_cm_256_hmac_sha1_32(p);
		break;
	case AEGW_SUITE_AEAD_AES_128_GCM:
		srtp_crypto_policy_set_aes_gcm_128_16_auth(p);
		break;
	case AEGW_SUITE_AEAD_AES_256_GCM:
		srtp_crypto_policy_set_aes_gcm_256_16_auth(p);
		break;
	default:
		return -1;
	}
	return 0;
}

/* One srtp_t session per stream and direction, bound to the stream's SSRC
 * (ssrc_specific: no template cloning on the first packet). */
static srtp_t srtp_session(enum aegw_suite suite, const struct bench_key *k,
			   uint32_t ssrc)
{
	const struct aegw_suite_info *si = aegw_suite_info(suite);
	uint8_t master[AEGW_SRTP_MAX_MASTER_LEN];
	srtp_policy_t p;
	srtp_t s = NULL;

	memset(&p, 0, sizeof(p));
	if (srtp_policy_for(&p.rtp, suite))
		return NULL;
	p.rtcp = p.rtp;
	if (p.rtcp.auth_tag_len == 4)
		p.rtcp.auth_tag_len = 10;
	memcpy(master, k->key, si->key_len);
	memcpy(master + si->key_len, k->salt, si->salt_len);
	p.ssrc.type = ssrc_specific;
	p.ssrc.value = ssrc;
	p.key = master;
	p.window_size = 128;
	if (srtp_create(&s, &p) != srtp_err_status_ok)
		s = NULL;
	memset(master, 0, sizeof(master));
	return s;
}

struct srtp_st {
	srtp_t *a, *b;   /* per stream */
	srtp_t *pa, *pb; /* per packet of a round */
};

static void libsrtp2_teardown(void *p, const struct cell *c)
{
	struct srtp_st *st = p;

	if (!st)
		return;
	for (unsigned i = 0; i < c->n_streams; i++) {
		if (st->a && st->a[i])
			srtp_dealloc(st->a[i]);
		if (st->b && st->b[i])
			srtp_dealloc(st->b[i]);
	}
	free(st->a);
	free(st->b);
	free(st->pa);
	free(st->pb);
	free(st);
}

static int libsrtp2_setup(const struct cell *c, void **out)
{
	struct srtp_st *st = calloc(1, sizeof(*st));

	*out = st;
	if (!st)
		return -1;
	/* libsrtp before 2.8 derives AES-192 session keys with the AES-256
	 * PRF (cisco/libsrtp#763): it cannot unprotect RFC 6188 packets. */
	if (c->si->key_len == 24 && c->op != OP_PROTECT &&
	    bench_libsrtp2_aes192_broken())
		return 1;
	st->a = calloc(c->n_streams, sizeof(*st->a));
	st->b = calloc(c->n_streams, sizeof(*st->b));
	st->pa = calloc(c->n_pkts, sizeof(*st->pa));
	st->pb = calloc(c->n_pkts, sizeof(*st->pb));
	if (!st->a || !st->b || !st->pa || !st->pb)
		return -1;
	for (unsigned i = 0; i < c->n_streams; i++) {
		st->a[i] = srtp_session(c->suite, &c->key_a[i], bench_ssrc(i));
		if (!st->a[i])
			return 1; /* suite not in this libsrtp2 build */
		if (c->op == OP_RELAY) {
			st->b[i] = srtp_session(c->suite, &c->key_b[i],
						bench_ssrc(i));
			if (!st->b[i])
				return 1;
		}
	}
	for (unsigned j = 0; j < c->n_pkts; j++) {
		st->pa[j] = st->a[c->stream_of[j]];
		st->pb[j] = st->b[c->stream_of[j]];
	}
	return 0;
}

static const char *srtp_err_text(srtp_err_status_t e)
{
	switch (e) {
	case srtp_err_status_auth_fail: return "libsrtp2: auth_fail";
	case srtp_err_status_replay_fail: return "libsrtp2: replay_fail";
	case srtp_err_status_replay_old: return "libsrtp2: replay_old";
	case srtp_err_status_no_ctx: return "libsrtp2: no_ctx";
	default: return "libsrtp2: error";
	}
}

static unsigned libsrtp2_run(void *p, struct cell *c, const char **first_err)
{
	struct srtp_st *st = p;
	unsigned good = 0, n = c->n_pkts;

	for (unsigned off = 0; off < n; off += BENCH_BURST) {
		unsigned k = n - off < BENCH_BURST ? n - off : BENCH_BURST;
		struct aegw_srtp_pkt *pk = c->pkts + off;
		srtp_err_status_t e;
		int len;

		for (unsigned i = 0; i < k; i++) {
			len = (int)pk[i].len;
			if (c->op == OP_PROTECT)
				e = srtp_protect(st->pa[off + i], pk[i].data,
						 &len);
			else
				e = srtp_unprotect(st->pa[off + i], pk[i].data,
						   &len);
			pk[i].len = (uint32_t)len;
			if (e != srtp_err_status_ok) {
				if (!*first_err)
					*first_err = srtp_err_text(e);
				continue;
			}
			if (c->op != OP_RELAY)
				good++;
		}
		if (c->op != OP_RELAY)
			continue;
		for (unsigned i = 0; i < k; i++) {
			len = (int)pk[i].len;
			e = srtp_protect(st->pb[off + i], pk[i].data, &len);
			pk[i].len = (uint32_t)len;
			if (e == srtp_err_status_ok)
				good++;
			else if (!*first_err)
				*first_err = srtp_err_text(e);
		}
	}
	return good;
}

/* ---- the floor: raw ipsec-mb, no SRTP -------------------------------------- */

enum { FLOOR_HMAC_TAG = 12, FLOOR_GCM_TAG = 16 };

struct floor_st {
	IMB_MGR *mgr;
	int gcm;
	unsigned key_len;
	size_t ks_size, rk_size;
	uint8_t *ks_a, *ks_b; /* per stream key state, ks_size apart */
	uint8_t *iv;          /* per stream, 16 bytes */
	const uint8_t **pa, **pb; /* per packet of a round: its key state */
	const uint8_t **piv;
	struct gcm_context_data gctx;
	uint8_t tags[BENCH_BURST][20];
};

static void floor_teardown(void *p, const struct cell *c)
{
	struct floor_st *st = p;

	(void)c;
	if (!st)
		return;
	if (st->mgr)
		free_mb_mgr(st->mgr);
	free(st->ks_a);
	free(st->ks_b);
	free(st->iv);
	free(st->pa);
	free(st->pb);
	free(st->piv);
	free(st);
}

/* The engine's own key layout; the key bytes are the master key itself
 * (the floor has no KDF), with bytes 12..31 as the HMAC key. */
static int floor_key(struct floor_st *st, const struct aegw_suite_info *si,
		     const struct bench_key *k, uint8_t *ks)
{
	return aegw_imb_key_expand(st->mgr, ks, si, k->key, k->key + 12);
}

static int floor_setup(const struct cell *c, void **out)
{
	struct floor_st *st = xaligned(sizeof(*st));

	*out = st;
	if (!st)
		return -1;
	st->mgr = bench_imb_mgr();
	if (!st->mgr)
		return -1;
	st->gcm = c->si->aead;
	st->key_len = c->si->key_len;
	st->rk_size = aegw_imb_cm_round_keys(st->key_len);
	st->ks_size = (aegw_imb_ks_size(c->si) + 63) & ~(size_t)63;
	st->ks_a = xaligned(st->ks_size * c->n_streams);
	st->ks_b = xaligned(st->ks_size * c->n_streams);
	st->iv = xaligned(16 * (size_t)c->n_streams);
	st->pa = calloc(c->n_pkts, sizeof(*st->pa));
	st->pb = calloc(c->n_pkts, sizeof(*st->pb));
	st->piv = calloc(c->n_pkts, sizeof(*st->piv));
	if (!st->ks_a || !st->ks_b || !st->iv || !st->pa || !st->pb ||
	    !st->piv)
		return -1;
	for (unsigned i = 0; i < c->n_streams; i++) {
		if (floor_key(st, c->si, &c->key_a[i],
			      st->ks_a + i * st->ks_size) ||
		    floor_key(st, c->si, &c->key_b[i],
			      st->ks_b + i * st->ks_size))
			return -1;
		memcpy(st->iv + 16 * (size_t)i, c->key_a[i].salt, 14);
	}
	if (imb_get_errno(st->mgr))
		return -1;
	for (unsigned j = 0; j < c->n_pkts; j++) {
		unsigned s = c->stream_of[j];
		st->pa[j] = st->ks_a + s * st->ks_size;
		st->pb[j] = st->ks_b + s * st->ks_size;
		st->piv[j] = st->iv + 16 * (size_t)s;
	}
	return 0;
}

/* The jobs aegw's backend submits for these packets: AES-CTR over the
 * payload, HMAC-SHA1 (12-byte tag) over header || payload || ROC. */
static unsigned floor_cm_burst(struct floor_st *st, const struct cell *c,
			       struct aegw_srtp_pkt *pk,
			       const uint8_t *const *ks,
			       const uint8_t *const *iv, unsigned k, int enc)
{
	IMB_MGR *mgr = st->mgr;
	const uint32_t hdr = AEGW_RTP_HDR_LEN, plen = c->payload;
	unsigned good = 0;
	IMB_JOB *job;

	for (unsigned i = 0; i < k; i++) {
		const uint8_t *b = ks[i];

		job = IMB_GET_NEXT_JOB(mgr);
		job->cipher_mode = IMB_CIPHER_CNTR;
		job->enc_keys = b;
		job->dec_keys = b;
		job->key_len_in_bytes = st->key_len;
		job->iv = iv[i];
		job->iv_len_in_bytes = 16;
		job->src = pk[i].data;
		job->dst = pk[i].data + hdr;
		job->cipher_start_src_offset_in_bytes = hdr;
		job->msg_len_to_cipher_in_bytes = plen;
		job->hash_alg = IMB_AUTH_HMAC_SHA_1;
		job->hash_start_src_offset_in_bytes = 0;
		job->msg_len_to_hash_in_bytes = hdr + plen + AEGW_SRTP_ROC_LEN;
		job->auth_tag_output = st->tags[i];
		job->auth_tag_output_len_in_bytes = FLOOR_HMAC_TAG;
		job->u.HMAC._hashed_auth_key_xor_ipad = b + st->rk_size;
		job->u.HMAC._hashed_auth_key_xor_opad =
			b + st->rk_size + AEGW_IMB_PAD_STRIDE;
		job->cipher_direction = enc ? IMB_DIR_ENCRYPT : IMB_DIR_DECRYPT;
		job->chain_order = enc ? IMB_ORDER_CIPHER_HASH :
					 IMB_ORDER_HASH_CIPHER;
		job = IMB_SUBMIT_JOB(mgr);
		while (job) {
			good += job->status == IMB_STATUS_COMPLETED;
			job = IMB_GET_COMPLETED_JOB(mgr);
		}
	}
	while ((job = IMB_FLUSH_JOB(mgr)) != NULL)
		good += job->status == IMB_STATUS_COMPLETED;
	return good;
}

/* ipsec-mb's direct GCM API, one packet at a time: header as AAD. */
static unsigned floor_gcm_burst(struct floor_st *st, const struct cell *c,
				struct aegw_srtp_pkt *pk,
				const uint8_t *const *ks,
				const uint8_t *const *iv, unsigned k, int enc)
{
	IMB_MGR *mgr = st->mgr;
	const uint32_t hdr = AEGW_RTP_HDR_LEN, plen = c->payload;
	/* Chosen once per burst, as the engine chooses per stream. */
	aes_gcm_enc_dec_t gcm =
		st->key_len == 16 ? (enc ? mgr->gcm128_enc : mgr->gcm128_dec) :
				    (enc ? mgr->gcm256_enc : mgr->gcm256_dec);

	for (unsigned i = 0; i < k; i++) {
		const struct gcm_key_data *key = (const void *)ks[i];
		uint8_t *p = pk[i].data;

		gcm(key, &st->gctx, p + hdr, p + hdr, plen, iv[i], p, hdr,
		    st->tags[i], FLOOR_GCM_TAG);
	}
	return k;
}

static unsigned floor_run(void *p, struct cell *c, const char **first_err)
{
	struct floor_st *st = p;
	unsigned good = 0, n = c->n_pkts;
	unsigned (*burst)(struct floor_st *, const struct cell *,
			  struct aegw_srtp_pkt *, const uint8_t *const *,
			  const uint8_t *const *, unsigned, int) =
		st->gcm ? floor_gcm_burst : floor_cm_burst;

	for (unsigned off = 0; off < n; off += BENCH_BURST) {
		unsigned k = n - off < BENCH_BURST ? n - off : BENCH_BURST, g;
		struct aegw_srtp_pkt *pk = c->pkts + off;

		switch (c->op) {
		case OP_PROTECT:
			g = burst(st, c, pk, st->pa + off, st->piv + off, k, 1);
			break;
		case OP_UNPROTECT:
			g = burst(st, c, pk, st->pa + off, st->piv + off, k, 0);
			break;
		default:
			g = burst(st, c, pk, st->pa + off, st->piv + off, k, 0);
			if (g == k)
				g = burst(st, c, pk, st->pb + off,
					  st->piv + off, k, 1);
			break;
		}
		good += g;
	}
	if (good != n && !*first_err)
		*first_err = "ipsec-mb job not completed";
	return good;
}

const struct impl_ops bench_impls[IMPL_COUNT] = {
	[IMPL_AEGW_IPSECMB] = { "aegw-ipsecmb", aegw_ipsecmb_setup, aegw_run,
				aegw_teardown },
	[IMPL_AEGW_OPENSSL] = { "aegw-openssl", aegw_openssl_setup, aegw_run,
				aegw_teardown },
	[IMPL_LIBSRTP2] = { "libsrtp2", libsrtp2_setup, libsrtp2_run,
			    libsrtp2_teardown },
	[IMPL_FLOOR] = { "floor", floor_setup, floor_run, floor_teardown },
};
