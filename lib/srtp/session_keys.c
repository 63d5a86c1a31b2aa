/* Installing session keys directly, bypassing the KDF. The RFC 7714 test
 * vectors (and tools that already hold session keys) give the session key
 * and salt, not a master key, so this is how they reach the packet path. */
#include <string.h>

#include "internal.h"

int aegw_stream_install_session_keys(struct aegw_srtp_stream *s,
				     unsigned key_idx, const uint8_t *enc_key,
				     const uint8_t *auth_key,
				     const uint8_t *salt)
{
	static const uint8_t no_auth[AEGW_SRTP_HMAC_KEY_LEN];
	struct master_key *mk;
	int rc;

	if (!s || !enc_key || !salt || key_idx >= s->n_keys)
		return AEGW_ERR_INVALID_ARG;
	/* With a KDR the packet path re-derives from the master key, which
	 * would silently replace what is installed here. */
	if (s->kdr_log2)
		return AEGW_ERR_UNSUPPORTED;
	if (!auth_key) {
		if (!s->si->aead)
			return AEGW_ERR_INVALID_ARG;
		auth_key = no_auth; /* GCM has no auth key; backends may read */
	}
	mk = stream_key(s, key_idx);
	s->eng->be->key_wipe(key_state(s, mk), s->si);
	rc = s->eng->be->key_init(s->eng, key_state(s, mk), s->si, enc_key,
				  auth_key);
	if (rc)
		return rc;
	memcpy(mk->salt, salt, s->si->salt_len);
	return AEGW_ERR_OK;
}
