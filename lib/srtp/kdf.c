/* SRTP key derivation (RFC 3711 4.3.1; RFC 6188 4 for AES-192/256;
 * RFC 7714 11 for the 96-bit AEAD salts). Runs when a stream is created or,
 * with a non-zero KDR, when index DIV kdr moves on: never per packet
 * otherwise, so it uses OpenSSL whatever the packet backend is.
 *
 * It is on the path of every ADD the dataplane acknowledges, though (four
 * contexts a call, twelve derivations), and an implicit fetch of the
 * cipher per EVP init costs more than the AES: OpenSSL 3 looks the
 * algorithm up by name under a lock each time. The ciphers are fetched
 * once, and one context keyed with the master key serves every label. */
#include <pthread.h>
#include <string.h>

#include <openssl/evp.h>

#include "aegw/wipe.h"
#include "internal.h"

static EVP_CIPHER *ecb_cipher[3]; /* AES-128, -192, -256 ECB */
static pthread_once_t ecb_once = PTHREAD_ONCE_INIT;

static void ecb_fetch(void)
{
	static const char *const names[3] = { "AES-128-ECB", "AES-192-ECB",
					      "AES-256-ECB" };

	for (unsigned i = 0; i < 3; i++)
		ecb_cipher[i] = EVP_CIPHER_fetch(NULL, names[i], NULL);
}

static const EVP_CIPHER *ecb_for(unsigned key_len)
{
	pthread_once(&ecb_once, ecb_fetch);
	switch (key_len) {
	case 16: return ecb_cipher[0];
	case 24: return ecb_cipher[1];
	case 32: return ecb_cipher[2];
	default: return NULL;
	}
}

int aegw_kdf_begin(struct aegw_kdf *k, const uint8_t *master_key,
		   unsigned key_len, const uint8_t *master_salt,
		   unsigned salt_len)
{
	const EVP_CIPHER *ecb = ecb_for(key_len);

	k->ctx = NULL;
	if ((key_len != 16 && key_len != 24 && key_len != 32) || salt_len > 14)
		return AEGW_ERR_BAD_KEY;
	if (!ecb)
		return AEGW_ERR_BACKEND; /* no provider has AES-ECB */
	k->ctx = EVP_CIPHER_CTX_new();
	if (!k->ctx)
		return AEGW_ERR_NO_MEMORY;
	if (EVP_EncryptInit_ex(k->ctx, ecb, NULL, master_key, NULL) != 1 ||
	    EVP_CIPHER_CTX_set_padding(k->ctx, 0) != 1) {
		aegw_kdf_end(k);
		return AEGW_ERR_BACKEND;
	}
	k->salt = master_salt;
	k->salt_len = salt_len;
	return AEGW_ERR_OK;
}

/* PRF_n(k_master, x) with x = (label || r) XOR master_salt, as the AES-CM
 * keystream for the counter block x * 2^16. A salt shorter than 112 bits
 * (the AEAD suites' 96) is zero-extended on the right. */
int aegw_kdf_derive(struct aegw_kdf *k, uint8_t label, uint64_t r,
		    uint8_t *out, unsigned out_len)
{
	uint8_t block[16] = { 0 }, ks[16];
	int rc = AEGW_ERR_BACKEND, n;

	memcpy(block, k->salt, k->salt_len);
	/* key_id = label (8 bits) || r (48 bits), right-aligned in 112 bits */
	block[7] ^= label;
	for (int i = 0; i < 6; i++)
		block[13 - i] ^= (uint8_t)(r >> (8 * i));

	for (unsigned done = 0, ctr = 0; done < out_len; ctr++) {
		block[14] = (uint8_t)(ctr >> 8);
		block[15] = (uint8_t)ctr;
		if (EVP_EncryptUpdate(k->ctx, ks, &n, block, 16) != 1 || n != 16)
			goto out;
		unsigned take = out_len - done < 16 ? out_len - done : 16;
		memcpy(out + done, ks, take);
		done += take;
	}
	rc = AEGW_ERR_OK;
out:
	aegw_wipe(ks, sizeof(ks));
	aegw_wipe(block, sizeof(block));
	return rc;
}

void aegw_kdf_end(struct aegw_kdf *k)
{
	/* EVP_CIPHER_CTX_free cleanses the key schedule. */
	EVP_CIPHER_CTX_free(k->ctx);
	k->ctx = NULL;
}

int aegw_kdf(const uint8_t *master_key, unsigned key_len,
	     const uint8_t *master_salt, unsigned salt_len, uint8_t label,
	     uint64_t r, uint8_t *out, unsigned out_len)
{
	struct aegw_kdf k;
	int rc = aegw_kdf_begin(&k, master_key, key_len, master_salt,
				salt_len);

	if (!rc)
		rc = aegw_kdf_derive(&k, label, r, out, out_len);
	aegw_kdf_end(&k);
	return rc;
}
