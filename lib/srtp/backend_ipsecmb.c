/* The fast backend: Intel ipsec-mb's multi-buffer job manager. A whole
 * burst is submitted before anything is flushed, so the manager can fill
 * its SIMD lanes with packets of many streams at once.
 *
 * AES-GCM, single-buffer in ipsec-mb, takes the direct API instead.
 *
 * ipsec-mb 1.3 only produces 12- or 20-byte HMAC-SHA1 tags: we ask for 12
 * and keep the first 10 or 4 (RFC 3711 truncates the same way). */
#include <stdlib.h>
#include <string.h>

#include <intel-ipsec-mb.h>

#include "aegw/wipe.h"
#include "backend_ipsecmb.h"
#include "internal.h"

enum { HMAC_TAG_LEN = 12, GCM_TAG_LEN = 16 };

size_t aegw_imb_cm_round_keys(unsigned key_len)
{
	return 16u * (key_len / 4 + 7); /* (Nr + 1) round keys */
}

size_t aegw_imb_ks_size(const struct aegw_suite_info *si)
{
	if (si->aead)
		return sizeof(struct gcm_key_data);
	return aegw_imb_cm_round_keys(si->key_len) + 2 * AEGW_IMB_PAD_STRIDE;
}

/* AEGW_IMB_ARCH=sse|avx|avx2|avx512 picks a manager by hand; by default
 * ipsec-mb chooses for the CPU. Shared with aegw-bench's crypto floor, so
 * the floor always runs on the manager the engine runs on. */
int aegw_imb_init_arch(IMB_MGR *mgr)
{
	const char *a = getenv("AEGW_IMB_ARCH");

	if (!a || !*a)
		init_mb_mgr_auto(mgr, NULL);
	else if (!strcmp(a, "sse"))
		init_mb_mgr_sse(mgr);
	else if (!strcmp(a, "avx"))
		init_mb_mgr_avx(mgr);
	else if (!strcmp(a, "avx2"))
		init_mb_mgr_avx2(mgr);
	else if (!strcmp(a, "avx512"))
		init_mb_mgr_avx512(mgr);
	else
		return AEGW_ERR_INVALID_ARG;
	return imb_get_errno(mgr) ? AEGW_ERR_UNSUPPORTED : AEGW_ERR_OK;
}

static int imb_engine_init(struct aegw_srtp_engine *eng)
{
	IMB_MGR *mgr = alloc_mb_mgr(0);
	int rc;

	if (!mgr)
		return AEGW_ERR_NO_MEMORY;
	rc = aegw_imb_init_arch(mgr);
	if (rc) {
		free_mb_mgr(mgr);
		return rc;
	}
	eng->impl = mgr;
	return AEGW_ERR_OK;
}

static void imb_engine_fini(struct aegw_srtp_engine *eng)
{
	free_mb_mgr(eng->impl);
	eng->impl = NULL;
}

static void hmac_pad(IMB_MGR *mgr, const uint8_t *key, uint8_t fill,
		     uint8_t *out)
{
	uint8_t block[64];

	memset(block, fill, sizeof(block));
	for (unsigned i = 0; i < AEGW_SRTP_HMAC_KEY_LEN; i++)
		block[i] ^= key[i];
	IMB_SHA1_ONE_BLOCK(mgr, block, out);
	aegw_wipe(block, sizeof(block));
}

int aegw_imb_key_expand(IMB_MGR *mgr, void *ks,
			const struct aegw_suite_info *si,
			const uint8_t *enc_key, const uint8_t *auth_key)
{
	uint8_t dec[16 * 15] __attribute__((aligned(16)));
	uint8_t *b = ks;
	size_t rk = aegw_imb_cm_round_keys(si->key_len);

	if (si->aead) {
		if (si->key_len == 16)
			IMB_AES128_GCM_PRE(mgr, enc_key, ks);
		else
			IMB_AES256_GCM_PRE(mgr, enc_key, ks);
		return imb_get_errno(mgr) ? AEGW_ERR_BACKEND : AEGW_ERR_OK;
	}
	/* CTR only uses the encryption schedule. */
	switch (si->key_len) {
	case 16: IMB_AES_KEYEXP_128(mgr, enc_key, b, dec); break;
	case 24: IMB_AES_KEYEXP_192(mgr, enc_key, b, dec); break;
	default: IMB_AES_KEYEXP_256(mgr, enc_key, b, dec); break;
	}
	aegw_wipe(dec, sizeof(dec));
	hmac_pad(mgr, auth_key, 0x36, b + rk);
	hmac_pad(mgr, auth_key, 0x5c, b + rk + AEGW_IMB_PAD_STRIDE);
	return imb_get_errno(mgr) ? AEGW_ERR_BACKEND : AEGW_ERR_OK;
}

static int imb_key_init(struct aegw_srtp_engine *eng, void *ks,
			const struct aegw_suite_info *si,
			const uint8_t *enc_key, const uint8_t *auth_key)
{
	return aegw_imb_key_expand(eng->impl, ks, si, enc_key, auth_key);
}

static void imb_key_wipe(void *ks, const struct aegw_suite_info *si)
{
	aegw_wipe(ks, aegw_imb_ks_size(si));
}

static void fill_cm(IMB_JOB *job, const struct crypto_op *op)
{
	const uint8_t *b = op->ks;
	size_t rk = aegw_imb_cm_round_keys(op->key_len);

	job->cipher_mode = op->cipher_len ? IMB_CIPHER_CNTR : IMB_CIPHER_NULL;
	job->enc_keys = b;
	job->dec_keys = b;
	job->iv_len_in_bytes = 16;
	job->hash_alg = op->auth_len ? IMB_AUTH_HMAC_SHA_1 : IMB_AUTH_NULL;
	job->hash_start_src_offset_in_bytes = 0;
	job->msg_len_to_hash_in_bytes = op->auth_len;
	job->auth_tag_output_len_in_bytes = op->auth_len ? HMAC_TAG_LEN : 0;
	job->u.HMAC._hashed_auth_key_xor_ipad = b + rk;
	job->u.HMAC._hashed_auth_key_xor_opad = b + rk + AEGW_IMB_PAD_STRIDE;
}

static void complete(IMB_JOB *job)
{
	struct crypto_op *op = job->user_data;
	op->failed = job->status != IMB_STATUS_COMPLETED;
}

/* ipsec-mb's GCM is single-buffer (one packet already fills the vector
 * unit), so the job manager only adds bookkeeping: GCM goes straight to
 * the direct API, as the crypto floor does. ctx holds GHASH state, which
 * says something about H: the caller wipes it. */
static void run_gcm(IMB_MGR *mgr, struct crypto_op *op,
		    struct gcm_context_data *ctx)
{
	uint8_t *p = op->buf + op->cipher_off;

	if (op->key_len == 16 && op->encrypt)
		IMB_AES128_GCM_ENC(mgr, op->ks, ctx, p, p, op->cipher_len,
				   op->iv, op->aad, op->aad_len, op->tag,
				   GCM_TAG_LEN);
	else if (op->key_len == 16)
		IMB_AES128_GCM_DEC(mgr, op->ks, ctx, p, p, op->cipher_len,
				   op->iv, op->aad, op->aad_len, op->tag,
				   GCM_TAG_LEN);
	else if (op->encrypt)
		IMB_AES256_GCM_ENC(mgr, op->ks, ctx, p, p, op->cipher_len,
				   op->iv, op->aad, op->aad_len, op->tag,
				   GCM_TAG_LEN);
	else
		IMB_AES256_GCM_DEC(mgr, op->ks, ctx, p, p, op->cipher_len,
				   op->iv, op->aad, op->aad_len, op->tag,
				   GCM_TAG_LEN);
	/* The direct API reports nothing per call; its arguments are ours
	 * and valid by construction, and a wrong tag fails the check. */
	op->failed = 0;
}

static int imb_run(struct aegw_srtp_engine *eng, struct crypto_op *ops,
		   unsigned n)
{
	IMB_MGR *mgr = eng->impl;
	struct gcm_context_data gcm_ctx;
	bool gcm = false;
	IMB_JOB *job;

	for (unsigned i = 0; i < n; i++) {
		struct crypto_op *op = &ops[i];

		if (op->mode == CRYPTO_GCM) {
			run_gcm(mgr, op, &gcm_ctx);
			gcm = true;
			continue;
		}
		job = IMB_GET_NEXT_JOB(mgr);
		fill_cm(job, op);
		job->key_len_in_bytes = op->key_len;
		job->src = op->buf;
		job->dst = op->buf + op->cipher_off;
		job->cipher_start_src_offset_in_bytes = op->cipher_off;
		job->msg_len_to_cipher_in_bytes = op->cipher_len;
		job->iv = op->iv;
		job->auth_tag_output = op->tag;
		job->cipher_direction = op->encrypt ? IMB_DIR_ENCRYPT :
						      IMB_DIR_DECRYPT;
		job->chain_order = op->encrypt ? IMB_ORDER_CIPHER_HASH :
						 IMB_ORDER_HASH_CIPHER;
		job->user_data = op;
		job = IMB_SUBMIT_JOB(mgr);
		while (job) {
			complete(job);
			job = IMB_GET_COMPLETED_JOB(mgr);
		}
	}
	while ((job = IMB_FLUSH_JOB(mgr)) != NULL)
		complete(job);
	if (gcm)
		aegw_wipe(&gcm_ctx, sizeof(gcm_ctx));
	return AEGW_ERR_OK;
}

const struct backend_ops aegw_backend_ipsecmb = {
	.name = "ipsec-mb",
	.ks_size = aegw_imb_ks_size,
	.engine_init = imb_engine_init,
	.engine_fini = imb_engine_fini,
	.key_init = imb_key_init,
	.key_wipe = imb_key_wipe,
	.run = imb_run,
};
