/* Per-stream memory of the dataplane: dp_streams, SRTCP seeds and the
 * engine's contexts. */
#ifndef AEGW_DP_MEM_H
#define AEGW_DP_MEM_H

#include <stddef.h>

#include "aegw/srtp.h"

/* size bytes, zeroed, aligned to a cache line; NULL when out of memory. */
void *dp_mem_zalloc(size_t size);
void dp_mem_free(void *p);
/* The engine's contexts from the same place. */
extern const struct aegw_srtp_allocator dp_mem_engine_allocator;

#endif
