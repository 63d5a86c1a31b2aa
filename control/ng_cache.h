/* The ng retransmission cache: a P-CSCF that gets no reply in time sends
 * the same message again with the same cookie, and must get the same reply
 * without the command running twice (a second offer would allocate other
 * ports, a second delete would warn). Replies are kept per (peer address,
 * cookie) for a fixed time, in at most max_bytes (replies and their
 * entries), the oldest evicted first when a new one needs the room.
 * Keyed by the peer too, because a reply can hold aegw's SRTP key for a UE:
 * another host that guesses a cookie gets nothing. Replies are wiped when
 * they leave. Control thread only. */
#ifndef CTL_NG_CACHE_H
#define CTL_NG_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "aegw/ng.h"

enum { NG_CACHE_PEER_LEN = 17 }; /* family byte + 16 address bytes */

struct ng_cache_entry;

struct ng_cache {
	struct ng_cache_entry **buckets;
	unsigned n_buckets;          /* a power of two */
	struct ng_cache_entry *oldest, *newest;
	unsigned n;
	uint64_t ttl_ns;
	size_t bytes, max_bytes; /* entries with their replies */
	/* Replies dropped before their time, or never kept, for want of
	 * room: a retransmission of one of them runs again. */
	uint64_t evicted;
};

/* 0 or -1 (no memory). */
int ng_cache_init(struct ng_cache *c, size_t max_bytes, unsigned ttl_s);
void ng_cache_fini(struct ng_cache *c);

/* The cached reply for this peer and cookie, or NULL; *len is set. Valid
 * until the next put or expire. */
const char *ng_cache_get(struct ng_cache *c, const uint8_t *peer,
			 const char *cookie, size_t cookie_len, size_t *len,
			 uint64_t now_ns);
/* Keeps a copy of reply, evicting the oldest ones to make room. */
void ng_cache_put(struct ng_cache *c, const uint8_t *peer, const char *cookie,
		  size_t cookie_len, const char *reply, size_t len,
		  uint64_t now_ns);
/* Drops what has expired. */
void ng_cache_expire(struct ng_cache *c, uint64_t now_ns);

#endif
