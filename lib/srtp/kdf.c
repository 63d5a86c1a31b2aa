/* SRTP key derivation (RFC 3711 4.3.1; RFC 6188 4 for AES-192/256;
 * RFC 7714 11 for the 96-bit AEAD salts). Runs when a stream is created or,
 * with a non-zero KDR, when index DIV kdr moves on: never per packet
 * otherwise, so it uses OpenSSL whatever the packet backend is. */
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "internal.h"

static const EVP_CIPHER *ecb_for(unsigned key_len)
{
	switch (key_len) {
	case 16: return EVP_aes_128_ecb();
	case 24: return EVP_aes_192_ecb();
	case 32: return EVP_aes_256_ecb();
	default: return NULL;
	}
}

/* PRF_n(k_master, x) with x = (label || r) XOR master_salt, as the AES-CM
 * keystream for the counter block x * 2^16. A salt shorter than 112 bits
 * (the AEAD suites' 96) is zero-extended on the right. */
int aegw_kdf(const uint8_t *master_key, unsigned key_len,
	     const uint8_t *master_salt, unsigned salt_len, uint8_t label,
	     uint64_t r, uint8_t *out, unsigned out_len)
{
	const EVP_CIPHER *ecb = ecb_for(key_len);
	uint8_t block[16] = { 0 }, ks[16];
	int rc = AEGW_ERR_BACKEND, n;
	EVP_CIPHER_CTX *ctx;

	if (!ecb || salt_len > 14)
		return AEGW_ERR_BAD_KEY;
	ctx = EVP_CIPHER_CTX_new();
	if (!ctx)
		return AEGW_ERR_NO_MEMORY;
	if (EVP_EncryptInit_ex(ctx, ecb, NULL, master_key, NULL) != 1 ||
	    EVP_CIPHER_CTX_set_padding(ctx, 0) != 1)
		goto out;

	memcpy(block, master_salt, salt_len);
	/* key_id = label (8 bits) || r (48 bits), right-aligned in 112 bits */
	block[7] ^= label;
	for (int i = 0; i < 6; i++)
		block[13 - i] ^= (uint8_t)(r >> (8 * i));

	for (unsigned done = 0, ctr = 0; done < out_len; ctr++) {
		block[14] = (uint8_t)(ctr >> 8);
		block[15] = (uint8_t)ctr;
		if (EVP_EncryptUpdate(ctx, ks, &n, block, 16) != 1 || n != 16)
			goto out;
		unsigned take = out_len - done < 16 ? out_len - done : 16;
		memcpy(out + done, ks, take);
		done += take;
	}
	rc = AEGW_ERR_OK;
out:
	OPENSSL_cleanse(ks, sizeof(ks));
	OPENSSL_cleanse(block, sizeof(block));
	EVP_CIPHER_CTX_free(ctx);
	return rc;
}
