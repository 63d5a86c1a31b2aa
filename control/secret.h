/* Memory for key material: the SRTP master keys a call holds between
 * signalling and install, and keeps while its streams live (a dataplane
 * restart makes the control replay them). Slots of one engine config each,
 * in anonymous mappings that are MADV_DONTDUMP (no key in a core dump)
 * and locked when the limit allows (never swapped); a slot is wiped
 * (aegw_wipe) when it is freed. Control thread only. */
#ifndef CTL_SECRET_H
#define CTL_SECRET_H

#include <stddef.h>

#include "aegw/srtp.h"

/* A zeroed config, or NULL when out of memory. */
struct aegw_srtp_config *ctl_secret_alloc(void);
/* Wipes and frees; NULL is fine. */
void ctl_secret_free(struct aegw_srtp_config *cfg);
/* n bytes from the CSPRNG (OpenSSL's RAND_bytes) for a new key: drawn
 * ahead in a pool of this memory, each byte handed out once and wiped
 * from the pool as it is. 0, or -1 when no randomness (or no memory) is
 * to be had. */
int ctl_secret_random(void *out, size_t n);
/* Slots in use, for statistics and leak tests. */
unsigned ctl_secret_in_use(void);

#endif
