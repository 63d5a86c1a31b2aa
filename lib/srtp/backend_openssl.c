/* The portable backend: OpenSSL 3 EVP, one packet at a time. Each master
 * key holds a cipher context with its key schedule and, for AES-CM, an
 * HMAC context with its key; per packet only the IV is set. */
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "internal.h"

struct ossl_ks {
	EVP_CIPHER_CTX *cipher;
	EVP_MAC_CTX *mac;
};

static EVP_MAC *hmac_alg; /* fetched once; immutable, shared by threads */

static size_t ossl_ks_size(const struct aegw_suite_info *si)
{
	(void)si;
	return sizeof(struct ossl_ks);
}

static int ossl_engine_init(struct aegw_srtp_engine *eng)
{
	(void)eng;
	if (!hmac_alg)
		hmac_alg = EVP_MAC_fetch(NULL, "HMAC", NULL);
	return hmac_alg ? AEGW_ERR_OK : AEGW_ERR_BACKEND;
}

static void ossl_engine_fini(struct aegw_srtp_engine *eng)
{
	(void)eng;
}

static const EVP_CIPHER *cipher_for(const struct aegw_suite_info *si)
{
	if (si->aead)
		return si->key_len == 16 ? EVP_aes_128_gcm() : EVP_aes_256_gcm();
	switch (si->key_len) {
	case 16: return EVP_aes_128_ctr();
	case 24: return EVP_aes_192_ctr();
	default: return EVP_aes_256_ctr();
	}
}

static void ossl_key_wipe(void *p, const struct aegw_suite_info *si)
{
	struct ossl_ks *ks = p;
	(void)si;
	EVP_CIPHER_CTX_free(ks->cipher); /* both cleanse their keys */
	EVP_MAC_CTX_free(ks->mac);
	ks->cipher = NULL;
	ks->mac = NULL;
}

static int ossl_key_init(struct aegw_srtp_engine *eng, void *p,
			 const struct aegw_suite_info *si,
			 const uint8_t *enc_key, const uint8_t *auth_key)
{
	struct ossl_ks *ks = p;
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
						 (char *)"SHA1", 0),
		OSSL_PARAM_construct_end(),
	};
	(void)eng;

	memset(ks, 0, sizeof(*ks));
	ks->cipher = EVP_CIPHER_CTX_new();
	if (!ks->cipher ||
	    EVP_CipherInit_ex(ks->cipher, cipher_for(si), NULL, enc_key, NULL,
			      1) != 1)
		goto fail;
	if (!si->aead) {
		ks->mac = EVP_MAC_CTX_new(hmac_alg);
		if (!ks->mac ||
		    EVP_MAC_init(ks->mac, auth_key, AEGW_SRTP_HMAC_KEY_LEN,
				 params) != 1)
			goto fail;
	}
	return AEGW_ERR_OK;
fail:
	ossl_key_wipe(ks, si);
	return AEGW_ERR_BACKEND;
}

static int do_ctr(EVP_CIPHER_CTX *ctx, struct crypto_op *op)
{
	uint8_t *p = op->buf + op->cipher_off;
	int n;

	if (!op->cipher_len)
		return 1;
	return EVP_CipherInit_ex(ctx, NULL, NULL, NULL, op->iv, 1) == 1 &&
	       EVP_CipherUpdate(ctx, p, &n, p, (int)op->cipher_len) == 1;
}

static int do_hmac(EVP_MAC_CTX *mac, struct crypto_op *op)
{
	size_t n;

	if (!op->auth_len)
		return 1;
	/* A NULL key re-uses the one set at key_init. */
	return EVP_MAC_init(mac, NULL, 0, NULL) == 1 &&
	       EVP_MAC_update(mac, op->buf, op->auth_len) == 1 &&
	       EVP_MAC_final(mac, op->tag, &n, sizeof(op->tag)) == 1;
}

static int do_gcm(EVP_CIPHER_CTX *ctx, struct crypto_op *op)
{
	uint8_t *p = op->buf + op->cipher_off;
	int n, enc = op->encrypt;

	if (EVP_CipherInit_ex(ctx, NULL, NULL, NULL, op->iv, enc) != 1 ||
	    EVP_CipherUpdate(ctx, NULL, &n, op->aad, (int)op->aad_len) != 1 ||
	    (op->cipher_len &&
	     EVP_CipherUpdate(ctx, p, &n, p, (int)op->cipher_len) != 1))
		return 0;
	if (enc)
		return EVP_CipherFinal_ex(ctx, op->tag, &n) == 1 &&
		       EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, 16,
					   op->tag) == 1;
	/* OpenSSL verifies but will not hand out the tag it computed: report
	 * the received tag on success and its complement on failure. */
	if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, 16,
				(void *)op->expect) != 1)
		return 0;
	int ok = EVP_CipherFinal_ex(ctx, op->tag, &n) == 1;
	for (int i = 0; i < 16; i++)
		op->tag[i] = ok ? op->expect[i] : (uint8_t)~op->expect[i];
	return 1;
}

static int ossl_run(struct aegw_srtp_engine *eng, struct crypto_op *ops,
		    unsigned n)
{
	(void)eng;
	for (unsigned i = 0; i < n; i++) {
		struct crypto_op *op = &ops[i];
		const struct ossl_ks *ks = op->ks;
		int ok;

		if (op->mode == CRYPTO_GCM)
			ok = do_gcm(ks->cipher, op);
		else if (op->encrypt)
			ok = do_ctr(ks->cipher, op) && do_hmac(ks->mac, op);
		else
			ok = do_hmac(ks->mac, op) && do_ctr(ks->cipher, op);
		op->failed = !ok;
	}
	return AEGW_ERR_OK;
}

const struct backend_ops aegw_backend_openssl = {
	.name = "openssl",
	.ks_size = ossl_ks_size,
	.engine_init = ossl_engine_init,
	.engine_fini = ossl_engine_fini,
	.key_init = ossl_key_init,
	.key_wipe = ossl_key_wipe,
	.run = ossl_run,
};
