/* Key slots: chunks of mmap'd memory kept out of core dumps, with a free
 * list threaded through the wiped slots. Chunks are never unmapped: their
 * number follows the peak of concurrent calls. And the randomness new
 * keys are made of, drawn ahead in a pool of the same kind of memory. */
#include <string.h>
#include <sys/mman.h>

#include <openssl/rand.h>

#include "aegw/wipe.h"
#include "log.h"
#include "secret.h"

enum {
	SLOTS_PER_CHUNK = 256,
	/* A RAND_bytes call costs about 2 us here whatever its length up to
	 * a few blocks (OpenSSL 3's CTR-DRBG sets its AES key up on every
	 * call): one call per 1 KiB, 34 AES-128 keys and salts, not one per
	 * key. */
	RANDOM_POOL = 1024,
};

union slot {
	struct aegw_srtp_config cfg;
	union slot *next_free;
};

static union slot *free_list;
static unsigned in_use;

/* len bytes kept out of core dumps and, when the limit allows, out of
 * swap; NULL when out of memory. */
static void *secret_map(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	if (madvise(p, len, MADV_DONTDUMP))
		ctl_log(CTL_LOG_WARN, "madvise(MADV_DONTDUMP) failed: keys "
			"may appear in a core dump");
	if (mlock(p, len))
		ctl_log(CTL_LOG_DEBUG, "mlock of key memory failed");
	return p;
}

static int grow(void)
{
	union slot *chunk = secret_map(sizeof(union slot) * SLOTS_PER_CHUNK);

	if (!chunk)
		return -1;
	for (unsigned i = 0; i < SLOTS_PER_CHUNK; i++) {
		chunk[i].next_free = free_list;
		free_list = &chunk[i];
	}
	return 0;
}

struct aegw_srtp_config *ctl_secret_alloc(void)
{
	union slot *s;

	if (!free_list && grow())
		return NULL;
	s = free_list;
	free_list = s->next_free;
	memset(s, 0, sizeof(*s));
	in_use++;
	return &s->cfg;
}

void ctl_secret_free(struct aegw_srtp_config *cfg)
{
	union slot *s = (union slot *)cfg;

	if (!cfg)
		return;
	aegw_wipe(s, sizeof(*s));
	s->next_free = free_list;
	free_list = s;
	in_use--;
}

unsigned ctl_secret_in_use(void)
{
	return in_use;
}

static uint8_t *pool;   /* RANDOM_POOL bytes; its last pool_left unread */
static size_t pool_left;

int ctl_secret_random(void *out, size_t n)
{
	uint8_t *dst = out;

	while (n) {
		size_t take;
		uint8_t *from;

		if (!pool_left) {
			if (!pool && !(pool = secret_map(RANDOM_POOL)))
				return -1;
			if (RAND_bytes(pool, RANDOM_POOL) != 1)
				return -1;
			pool_left = RANDOM_POOL;
		}
		take = n < pool_left ? n : pool_left;
		from = pool + RANDOM_POOL - pool_left;
		memcpy(dst, from, take);
		aegw_wipe(from, take); /* handed out once, kept nowhere */
		dst += take;
		n -= take;
		pool_left -= take;
	}
	return 0;
}
