/* Key slots: chunks of mmap'd memory kept out of core dumps, with a free
 * list threaded through the wiped slots. Chunks are never unmapped: their
 * number follows the peak of concurrent calls. */
#include <string.h>
#include <sys/mman.h>

#include "aegw/wipe.h"
#include "log.h"
#include "secret.h"

enum { SLOTS_PER_CHUNK = 256 };

union slot {
	struct aegw_srtp_config cfg;
	union slot *next_free;
};

static union slot *free_list;
static unsigned in_use;

static int grow(void)
{
	size_t len = sizeof(union slot) * SLOTS_PER_CHUNK;
	union slot *chunk = mmap(NULL, len, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (chunk == MAP_FAILED)
		return -1;
	if (madvise(chunk, len, MADV_DONTDUMP))
		ctl_log(CTL_LOG_WARN, "madvise(MADV_DONTDUMP) failed: keys "
			"may appear in a core dump");
	if (mlock(chunk, len))
		ctl_log(CTL_LOG_DEBUG, "mlock of a key chunk failed");
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
