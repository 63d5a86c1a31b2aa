/* ipsec-mb specifics shared by the engine's backend and aegw-bench's crypto
 * floor, so that the floor runs on the same manager with the same key
 * layout as the engine. */
#ifndef AEGW_BACKEND_IPSECMB_H
#define AEGW_BACKEND_IPSECMB_H

#include <stddef.h>
#include <stdint.h>

#include <intel-ipsec-mb.h>

#include "aegw/wire.h"

/* AES-CM key state: round keys, then the hashed HMAC ipad and opad, each
 * in a 16-aligned slot of this size. GCM: struct gcm_key_data. */
enum { AEGW_IMB_PAD_STRIDE = 32 };

/* Initialises mgr for the CPU, or as AEGW_IMB_ARCH says. 0 or aegw_err. */
int aegw_imb_init_arch(IMB_MGR *mgr);

/* Bytes of AES round keys for a key length: where the HMAC pads start. */
size_t aegw_imb_cm_round_keys(unsigned key_len);

/* Bytes of key state for a suite. */
size_t aegw_imb_ks_size(const struct aegw_suite_info *si);

/* Expands enc_key (and, for AES-CM, the 20-byte HMAC key auth_key) into
 * ks, aegw_imb_ks_size() bytes, 64-byte aligned. 0 or aegw_err. */
int aegw_imb_key_expand(IMB_MGR *mgr, void *ks,
			const struct aegw_suite_info *si,
			const uint8_t *enc_key, const uint8_t *auth_key);

#endif
