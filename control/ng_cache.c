/* The retransmission cache: a hash for lookups, a FIFO for expiry (every
 * entry lives the same time, so insertion order is expiry order). */
#include <stdlib.h>
#include <string.h>

#include "aegw/wipe.h"
#include "fnv.h"
#include "ng_cache.h"

struct ng_cache_entry {
	struct ng_cache_entry *hash_next;
	struct ng_cache_entry **hash_pprev; /* what points at it: unlinked
					     * without walking its chain */
	struct ng_cache_entry *newer;
	uint64_t expires_ns;
	uint32_t hash;
	uint8_t peer[NG_CACHE_PEER_LEN];
	uint8_t cookie_len;
	char cookie[AEGW_NG_COOKIE_MAX];
	size_t len;
	char reply[];
};

/* A bucket for every 256 bytes the cache may hold, about four per reply
 * with an SDP: most requests are new, and a lookup that finds nothing in
 * a mostly empty bucket costs one cache miss, not a walk of entries that
 * are all misses too (8 B of bucket per 256 B of replies). */
enum { NG_CACHE_BYTES_PER_BUCKET = 256, NG_CACHE_MAX_BUCKETS = 1 << 22 };

int ng_cache_init(struct ng_cache *c, size_t max_bytes, unsigned ttl_s)
{
	unsigned n = 64;

	memset(c, 0, sizeof(*c));
	while ((size_t)n * NG_CACHE_BYTES_PER_BUCKET < max_bytes &&
	       n < NG_CACHE_MAX_BUCKETS)
		n <<= 1;
	c->buckets = calloc(n, sizeof(*c->buckets));
	if (!c->buckets)
		return -1;
	c->n_buckets = n;
	c->max_bytes = max_bytes;
	c->ttl_ns = (uint64_t)ttl_s * 1000000000ull;
	return 0;
}

static size_t entry_size(size_t reply_len)
{
	return sizeof(struct ng_cache_entry) + reply_len;
}

static uint32_t hash(const uint8_t *peer, const char *cookie, size_t n)
{
	return ctl_fnv1a(ctl_fnv1a(CTL_FNV1A_INIT, peer, NG_CACHE_PEER_LEN),
			 cookie, n);
}

static struct ng_cache_entry **bucket_of(struct ng_cache *c, uint32_t h)
{
	return &c->buckets[h & (c->n_buckets - 1)];
}

static struct ng_cache_entry *find(struct ng_cache *c, uint32_t h,
				   const uint8_t *peer, const char *cookie,
				   size_t n)
{
	struct ng_cache_entry *e = *bucket_of(c, h);

	while (e && !(e->hash == h && e->cookie_len == n &&
		      !memcmp(e->cookie, cookie, n) &&
		      !memcmp(e->peer, peer, NG_CACHE_PEER_LEN)))
		e = e->hash_next;
	return e;
}

/* Removes the oldest entry (the head of the FIFO). */
static void drop_oldest(struct ng_cache *c)
{
	struct ng_cache_entry *e = c->oldest;

	*e->hash_pprev = e->hash_next;
	if (e->hash_next)
		e->hash_next->hash_pprev = e->hash_pprev;
	c->oldest = e->newer;
	if (!c->oldest)
		c->newest = NULL;
	c->n--;
	c->bytes -= entry_size(e->len);
	aegw_wipe(e, entry_size(e->len));
	free(e);
}

void ng_cache_fini(struct ng_cache *c)
{
	while (c->oldest)
		drop_oldest(c);
	free(c->buckets);
	c->buckets = NULL;
}

void ng_cache_expire(struct ng_cache *c, uint64_t now_ns)
{
	while (c->oldest && c->oldest->expires_ns <= now_ns)
		drop_oldest(c);
}

const char *ng_cache_get(struct ng_cache *c, const uint8_t *peer,
			 const char *cookie, size_t cookie_len, size_t *len,
			 uint64_t now_ns)
{
	struct ng_cache_entry *e;

	ng_cache_expire(c, now_ns);
	if (cookie_len > AEGW_NG_COOKIE_MAX)
		return NULL;
	e = find(c, hash(peer, cookie, cookie_len), peer, cookie, cookie_len);
	if (!e)
		return NULL;
	*len = e->len;
	return e->reply;
}

void ng_cache_put(struct ng_cache *c, const uint8_t *peer, const char *cookie,
		  size_t cookie_len, const char *reply, size_t len,
		  uint64_t now_ns)
{
	struct ng_cache_entry *e, **b;
	uint32_t h;

	if (cookie_len == 0 || cookie_len > AEGW_NG_COOKIE_MAX)
		return;
	ng_cache_expire(c, now_ns);
	h = hash(peer, cookie, cookie_len);
	if (find(c, h, peer, cookie, cookie_len))
		return; /* the first reply stays the reply */
	e = entry_size(len) <= c->max_bytes ? malloc(entry_size(len)) : NULL;
	if (!e) { /* larger than the whole cache, or no memory */
		c->evicted++;
		return;
	}
	while (c->bytes + entry_size(len) > c->max_bytes) {
		drop_oldest(c);
		c->evicted++;
	}
	memset(e, 0, sizeof(*e));
	e->expires_ns = now_ns + c->ttl_ns;
	memcpy(e->peer, peer, NG_CACHE_PEER_LEN);
	e->cookie_len = (uint8_t)cookie_len;
	memcpy(e->cookie, cookie, cookie_len);
	e->len = len;
	memcpy(e->reply, reply, len);
	e->hash = h;
	b = bucket_of(c, h);
	e->hash_next = *b;
	e->hash_pprev = b;
	if (*b)
		(*b)->hash_pprev = &e->hash_next;
	*b = e;
	if (c->newest)
		c->newest->newer = e;
	else
		c->oldest = e;
	c->newest = e;
	c->n++;
	c->bytes += entry_size(len);
}
