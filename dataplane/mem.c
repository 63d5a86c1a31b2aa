/* Per-stream memory comes from DPDK's heap: hugepages on a gateway, on
 * the NUMA node of the worker that makes it (its own lcore runs every
 * ADD). In 4 KiB pages a million streams' state misses the TLB on every
 * line the packet path reads. AddressSanitizer sees neither bounds nor
 * lifetimes inside rte_malloc's heap, so a sanitized build uses malloc
 * and the tests keep that check over stream lifetimes. */
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_malloc.h>

#include "mem.h"

#if defined(__SANITIZE_ADDRESS__)
#define DP_MEM_MALLOC 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define DP_MEM_MALLOC 1
#endif
#endif

void *dp_mem_zalloc(size_t size)
{
#ifdef DP_MEM_MALLOC
	size_t rounded = RTE_ALIGN_CEIL(size, RTE_CACHE_LINE_SIZE);
	void *p = aligned_alloc(RTE_CACHE_LINE_SIZE, rounded);

	if (p)
		memset(p, 0, rounded);
	return p;
#else
	return rte_zmalloc("aegw_stream", size, RTE_CACHE_LINE_SIZE);
#endif
}

void dp_mem_free(void *p)
{
#ifdef DP_MEM_MALLOC
	free(p);
#else
	rte_free(p);
#endif
}

static void *engine_alloc(void *arg, size_t size)
{
	(void)arg;
	return dp_mem_zalloc(size);
}

static void engine_free(void *arg, void *p)
{
	(void)arg;
	dp_mem_free(p);
}

const struct aegw_srtp_allocator dp_mem_engine_allocator = {
	.alloc = engine_alloc,
	.free = engine_free,
};
