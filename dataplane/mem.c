/* Per-stream memory comes from DPDK's heap: hugepages on a gateway, on
 * the NUMA node of the worker that makes it (its own lcore runs every
 * ADD). In 4 KiB pages a million streams' state misses the TLB on every
 * line the packet path reads. AddressSanitizer sees neither bounds nor
 * lifetimes inside rte_malloc's heap, so a sanitized build uses malloc
 * and the tests keep that check over stream lifetimes. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_malloc.h>

#include "aegw/asan.h"
#include "mem.h"

static void *mem_alloc(size_t size, bool zero)
{
#ifdef AEGW_ASAN
	size_t rounded = RTE_ALIGN_CEIL(size, RTE_CACHE_LINE_SIZE);
	void *p = aligned_alloc(RTE_CACHE_LINE_SIZE, rounded);

	if (p && zero)
		memset(p, 0, rounded);
	return p;
#else
	return zero ? rte_zmalloc("aegw_stream", size, RTE_CACHE_LINE_SIZE) :
		      rte_malloc("aegw_stream", size, RTE_CACHE_LINE_SIZE);
#endif
}

void *dp_mem_zalloc(size_t size)
{
	return mem_alloc(size, true);
}

void dp_mem_free(void *p)
{
#ifdef AEGW_ASAN
	free(p);
#else
	rte_free(p);
#endif
}

/* The engine sets up every byte of a context itself. */
static void *engine_alloc(void *arg, size_t size)
{
	(void)arg;
	return mem_alloc(size, false);
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
