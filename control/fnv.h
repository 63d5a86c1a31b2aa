/* FNV-1a, 32 bits: the spread the daemon's chained tables need for keys
 * that come from a trusted peer (call-ids, UE identities, ng cookies),
 * and the fiber gate's key. Chain several inputs by passing the last
 * result as h; start from CTL_FNV1A_INIT. */
#ifndef CTL_FNV_H
#define CTL_FNV_H

#include <stddef.h>
#include <stdint.h>

#define CTL_FNV1A_INIT 2166136261u

static inline uint32_t ctl_fnv1a(uint32_t h, const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 16777619u;
	return h;
}

/* FNV-1a, 64 bits: for a hash that stands for a whole text and is
 * compared, not indexed (sdp_version.c's SDP bodies), where 32 bits
 * would let two different SDPs pass for one too often. */
#define CTL_FNV1A64_INIT 14695981039346656037ull

static inline uint64_t ctl_fnv1a64(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 1099511628211ull;
	return h;
}

#endif
