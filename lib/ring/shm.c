/* The shared-memory object /aegw-<instance>: its name, its header, its
 * creation or takeover by the dataplane, attachment by the control side,
 * and the per-worker command and event rings on top of spsc.c.
 *
 * Layout (docs/RING.md has the drawing): the header on cache lines of its
 * own, then per worker a command ring and an event ring. Every offset
 * follows from the header's n_workers and the record sizes, which both
 * sides check against their own build. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "aegw/ring.h"
#include "spsc.h"

/* The magic is the first word in every layout version, so that a new
 * dataplane can retire an object of any version by zeroing it. */
struct shm_hdr {
	/* Identity: written once by whoever initialises the object, the
	 * magic last (release); attach reads the rest after the magic. */
	_Atomic uint64_t magic;
	uint32_t version;
	uint32_t n_workers;
	uint32_t cmd_slots;
	uint32_t evt_slots;
	uint32_t cmd_size; /* sizeof(struct aegw_cmd) */
	uint32_t evt_size; /* sizeof(struct aegw_evt) */
	uint64_t total_size;
	/* The dataplane incarnation, written at create. */
	_Alignas(SPSC_CACHE_LINE) _Atomic uint64_t epoch;
	_Atomic int32_t pid;
	/* Written at every beat: a line of its own, so that the beat does
	 * not bounce the lines the control reads on each send. */
	_Alignas(SPSC_CACHE_LINE) _Atomic uint64_t heartbeat_ns;
	/* The control's: the last sequence number given per worker. Here
	 * and not in the control's memory, so a restarted control goes
	 * on counting and never reuses a number. */
	_Alignas(SPSC_CACHE_LINE)
	_Atomic uint64_t cmd_seq[AEGW_RING_MAX_WORKERS];
};

_Static_assert(sizeof(struct shm_hdr) % SPSC_CACHE_LINE == 0,
	       "rings start on a cache line");
_Static_assert((AEGW_RING_CMD_SLOTS & (AEGW_RING_CMD_SLOTS - 1)) == 0 &&
		       (AEGW_RING_EVT_SLOTS & (AEGW_RING_EVT_SLOTS - 1)) == 0,
	       "ring slot counts are powers of two");

/* A process's handle: where things are, no ring state (spsc.h). */
struct aegw_shm {
	struct shm_hdr *hdr;
	size_t size;
	unsigned n_workers;
	struct spsc cmd[AEGW_RING_MAX_WORKERS];
	struct spsc evt[AEGW_RING_MAX_WORKERS];
};

enum { SHM_NAME_MAX = sizeof("/aegw-") + AEGW_INSTANCE_MAX };

/* "/aegw-<instance>", or -EINVAL: 1 to AEGW_INSTANCE_MAX characters of
 * [A-Za-z0-9_.-], so the name can hold no '/' and no surprise. */
static int shm_name(const char *instance, char name[SHM_NAME_MAX])
{
	size_t n = instance ? strnlen(instance, AEGW_INSTANCE_MAX + 1) : 0;

	if (n == 0 || n > AEGW_INSTANCE_MAX)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		char c = instance[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '.' ||
		      c == '-'))
			return -EINVAL;
	}
	memcpy(name, "/aegw-", 6);
	memcpy(name + 6, instance, n + 1);
	return 0;
}

static size_t cmd_ring_size(void)
{
	return aegw_spsc_mem_size(AEGW_RING_CMD_SLOTS, sizeof(struct aegw_cmd));
}

static size_t evt_ring_size(void)
{
	return aegw_spsc_mem_size(AEGW_RING_EVT_SLOTS, sizeof(struct aegw_evt));
}

static size_t layout_size(unsigned n_workers)
{
	return sizeof(struct shm_hdr) +
	       n_workers * (cmd_ring_size() + evt_ring_size());
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int shm_map(int fd, size_t size, struct aegw_shm *shm)
{
	void *base = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
			  0);

	if (base == MAP_FAILED)
		return -errno;
	/* Command slots hold keys for a moment: keep them out of core
	 * dumps whatever coredump_filter says. Best effort. */
	(void)madvise(base, size, MADV_DONTDUMP);
	shm->hdr = base;
	shm->size = size;
	return 0;
}

/* Points the ring views of n_workers (layout_size(n_workers) <= size,
 * checked by the caller) into the mapping. */
static void shm_views(struct aegw_shm *shm, unsigned n_workers)
{
	uint8_t *base = (uint8_t *)shm->hdr + sizeof(struct shm_hdr);

	shm->n_workers = n_workers;
	for (unsigned w = 0; w < n_workers; w++) {
		uint8_t *r = base + w * (cmd_ring_size() + evt_ring_size());

		aegw_spsc_view(&shm->cmd[w], r, AEGW_RING_CMD_SLOTS,
			       sizeof(struct aegw_cmd));
		aegw_spsc_view(&shm->evt[w], r + cmd_ring_size(),
			       AEGW_RING_EVT_SLOTS, sizeof(struct aegw_evt));
	}
}

static void shm_unmap(struct aegw_shm *shm)
{
	if (shm->hdr)
		munmap(shm->hdr, shm->size);
	shm->hdr = NULL;
}

/* Does the mapped header describe what this build makes with n_workers
 * in an object of size bytes? */
static bool hdr_matches(const struct shm_hdr *h, size_t size,
			unsigned n_workers)
{
	if (atomic_load_explicit(&h->magic, memory_order_acquire) !=
	    AEGW_SHM_MAGIC)
		return false;
	if (h->version != AEGW_SHM_LAYOUT_VERSION ||
	    h->cmd_slots != AEGW_RING_CMD_SLOTS ||
	    h->evt_slots != AEGW_RING_EVT_SLOTS ||
	    h->cmd_size != sizeof(struct aegw_cmd) ||
	    h->evt_size != sizeof(struct aegw_evt))
		return false;
	if (n_workers < 1 || n_workers > AEGW_RING_MAX_WORKERS ||
	    h->n_workers != n_workers)
		return false;
	return h->total_size == size && layout_size(n_workers) == size;
}

static int fd_check_owner(int fd, struct stat *st)
{
	if (fstat(fd, st) < 0)
		return -errno;
	/* Keys go into this object: never into one another user made
	 * (a squatter on the name could read them). */
	if (st->st_uid != geteuid())
		return -EPERM;
	return 0;
}

/* A new, empty object of ours on fd: size it (the kernel zeroes it: rings
 * empty, sequence counters 0), write the header, and the magic last, so
 * that an attacher never trusts a half-written header. */
static int shm_init(int fd, unsigned n_workers, struct aegw_shm *shm)
{
	size_t size = layout_size(n_workers);
	struct shm_hdr *h;
	int rc;

	if (ftruncate(fd, (off_t)size) < 0)
		return -errno;
	rc = shm_map(fd, size, shm);
	if (rc)
		return rc;
	shm_views(shm, n_workers);
	h = shm->hdr;
	h->version = AEGW_SHM_LAYOUT_VERSION;
	h->n_workers = n_workers;
	h->cmd_slots = AEGW_RING_CMD_SLOTS;
	h->evt_slots = AEGW_RING_EVT_SLOTS;
	h->cmd_size = sizeof(struct aegw_cmd);
	h->evt_size = sizeof(struct aegw_evt);
	h->total_size = size;
	atomic_store_explicit(&h->epoch, 1, memory_order_relaxed);
	atomic_store_explicit(&h->pid, (int32_t)getpid(), memory_order_relaxed);
	atomic_store_explicit(&h->heartbeat_ns, now_ns(), memory_order_relaxed);
	atomic_store_explicit(&h->magic, AEGW_SHM_MAGIC, memory_order_release);
	return 0;
}

/* Maps an existing object and says whether this dataplane can take it
 * over: 1 (mapped, with views), 0 (not as it is), or -errno. */
static int shm_reusable(int fd, size_t size, unsigned n_workers,
			struct aegw_shm *shm)
{
	int rc;

	if (size != layout_size(n_workers))
		return 0;
	rc = shm_map(fd, size, shm);
	if (rc)
		return rc;
	shm_views(shm, n_workers);
	if (hdr_matches(shm->hdr, size, n_workers)) {
		bool sane = true;

		for (unsigned w = 0; w < n_workers; w++)
			sane = sane && aegw_spsc_sane(&shm->cmd[w]) &&
			       aegw_spsc_sane(&shm->evt[w]);
		if (sane)
			return 1;
	}
	shm_unmap(shm);
	return 0;
}

/* The previous dataplane died and left a valid object, to which a control
 * may still be attached and sending. Empty each ring from the dataplane's
 * own side of it: the command rings as their consumer (wiping the keys
 * left there), the event rings as their producer. Then bump the epoch,
 * last: a control that sees the new epoch also sees empty rings, and what
 * it replays is not thrown away. The sequence counters are the control's
 * and go on. */
static void shm_takeover(struct aegw_shm *shm)
{
	struct shm_hdr *h = shm->hdr;

	for (unsigned w = 0; w < shm->n_workers; w++) {
		aegw_spsc_consumer_drop(&shm->cmd[w]);
		aegw_spsc_producer_drop(&shm->evt[w]);
	}
	atomic_store_explicit(&h->pid, (int32_t)getpid(), memory_order_relaxed);
	atomic_store_explicit(&h->heartbeat_ns, now_ns(), memory_order_relaxed);
	atomic_fetch_add_explicit(&h->epoch, 1, memory_order_release);
}

/* An object that is garbage, of another layout or of another worker count
 * is re-initialised from scratch, with epoch 1, as a new object under the
 * same name rather than in place: a control may still map the old one (an
 * older build, or the previous dataplane's worker count), and truncating
 * it would kill that control with SIGBUS. Zeroing its magic tells it to
 * attach again (aegw_shm_epoch returns 0). Its pages, keys included, go
 * with its last mapping. On success *fd is the new, empty object. */
static int shm_replace(const char *name, int *fd, off_t old_size)
{
	if (old_size >= (off_t)sizeof(uint64_t)) {
		_Atomic uint64_t *magic = mmap(NULL, sizeof(*magic),
					       PROT_READ | PROT_WRITE,
					       MAP_SHARED, *fd, 0);
		if (magic != MAP_FAILED) {
			atomic_store_explicit(magic, 0, memory_order_release);
			munmap(magic, sizeof(*magic));
		}
	}
	if (shm_unlink(name) < 0 && errno != ENOENT)
		return -errno;
	close(*fd);
	*fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (*fd < 0)
		return -errno;
	if (fchmod(*fd, 0600) < 0)
		return -errno;
	return 0;
}

/* Opens or creates the object, ours and 0600, and sets it up. */
static int shm_create_fd(const char *name, unsigned n_workers,
			 struct aegw_shm *shm, int *fd)
{
	struct stat st;
	int rc;

	*fd = shm_open(name, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (*fd < 0)
		return -errno;
	rc = fd_check_owner(*fd, &st);
	if (rc)
		return rc;
	/* Whatever our umask, or a laxer object a previous run left. */
	if (fchmod(*fd, 0600) < 0)
		return -errno;
	if (st.st_size == 0)
		return shm_init(*fd, n_workers, shm);
	rc = shm_reusable(*fd, (size_t)st.st_size, n_workers, shm);
	if (rc == 1) {
		shm_takeover(shm);
		return 0;
	}
	if (rc == 0)
		rc = shm_replace(name, fd, st.st_size);
	return rc ? rc : shm_init(*fd, n_workers, shm);
}

int aegw_shm_create(const char *instance, unsigned n_workers,
		    struct aegw_shm **out)
{
	char name[SHM_NAME_MAX];
	struct aegw_shm *shm;
	int fd = -1, rc;

	if (!out)
		return -EINVAL;
	*out = NULL;
	rc = shm_name(instance, name);
	if (rc)
		return rc;
	if (n_workers < 1 || n_workers > AEGW_RING_MAX_WORKERS)
		return -EINVAL;
	shm = calloc(1, sizeof(*shm));
	if (!shm)
		return -ENOMEM;
	rc = shm_create_fd(name, n_workers, shm, &fd);
	if (fd >= 0)
		close(fd); /* the mapping stays */
	if (rc) {
		shm_unmap(shm);
		free(shm);
		return rc;
	}
	*out = shm;
	return 0;
}

/* Maps the object on fd and checks it is one this build understands. */
static int shm_attach_fd(int fd, struct aegw_shm *shm)
{
	struct stat st;
	unsigned n;
	int rc;

	rc = fd_check_owner(fd, &st);
	if (rc)
		return rc;
	/* The size before the header: reading past the end of the object
	 * would be a SIGBUS, not an error code. */
	if (st.st_size < (off_t)sizeof(struct shm_hdr) ||
	    st.st_size > (off_t)layout_size(AEGW_RING_MAX_WORKERS))
		return -EPROTO;
	rc = shm_map(fd, (size_t)st.st_size, shm);
	if (rc)
		return rc;
	/* Read once: the views are built from this value, which
	 * hdr_matches bounds and ties to the object's size. */
	n = *(volatile uint32_t *)&shm->hdr->n_workers;
	if (!hdr_matches(shm->hdr, shm->size, n))
		return -EPROTO;
	shm_views(shm, n);
	return 0;
}

int aegw_shm_attach(const char *instance, struct aegw_shm **out)
{
	char name[SHM_NAME_MAX];
	struct aegw_shm *shm;
	int fd, rc;

	if (!out)
		return -EINVAL;
	*out = NULL;
	rc = shm_name(instance, name);
	if (rc)
		return rc;
	shm = calloc(1, sizeof(*shm));
	if (!shm)
		return -ENOMEM;
	fd = shm_open(name, O_RDWR | O_CLOEXEC, 0);
	rc = fd < 0 ? -errno : shm_attach_fd(fd, shm);
	if (fd >= 0)
		close(fd);
	if (rc) {
		shm_unmap(shm);
		free(shm);
		return rc;
	}
	*out = shm;
	return 0;
}

void aegw_shm_detach(struct aegw_shm *shm)
{
	if (!shm)
		return;
	shm_unmap(shm);
	free(shm);
}

int aegw_shm_unlink(const char *instance)
{
	char name[SHM_NAME_MAX];
	int rc = shm_name(instance, name);

	if (rc)
		return rc;
	return shm_unlink(name) < 0 ? -errno : 0;
}

unsigned aegw_shm_n_workers(const struct aegw_shm *shm)
{
	return shm->n_workers;
}

uint64_t aegw_shm_epoch(const struct aegw_shm *shm)
{
	/* A retired object (shm_replace) has lost its magic. */
	if (atomic_load_explicit(&shm->hdr->magic, memory_order_acquire) !=
	    AEGW_SHM_MAGIC)
		return 0;
	return atomic_load_explicit(&shm->hdr->epoch, memory_order_acquire);
}

void aegw_shm_heartbeat(struct aegw_shm *shm)
{
	atomic_store_explicit(&shm->hdr->heartbeat_ns, now_ns(),
			      memory_order_relaxed);
}

uint64_t aegw_shm_heartbeat_ns(const struct aegw_shm *shm)
{
	return atomic_load_explicit(&shm->hdr->heartbeat_ns,
				    memory_order_relaxed);
}

int aegw_shm_pid(const struct aegw_shm *shm)
{
	return atomic_load_explicit(&shm->hdr->pid, memory_order_relaxed);
}

int aegw_ring_cmd_send(struct aegw_shm *shm, unsigned worker,
		       struct aegw_cmd *cmd)
{
	_Atomic uint64_t *ctr;
	struct aegw_cmd *slot;
	uint64_t seq;

	if (!shm || !cmd || worker >= shm->n_workers)
		return -EINVAL;
	slot = aegw_spsc_reserve(&shm->cmd[worker]);
	if (!slot)
		return -EAGAIN; /* *cmd untouched: the caller retries */
	/* The number is taken before the record is published: a control
	 * that dies in between leaves a gap, never a number used twice. */
	ctr = &shm->hdr->cmd_seq[worker];
	seq = atomic_load_explicit(ctr, memory_order_relaxed) + 1;
	atomic_store_explicit(ctr, seq, memory_order_relaxed);
	memcpy(slot, cmd, sizeof(*slot));
	slot->seq = seq;
	aegw_spsc_publish(&shm->cmd[worker]);
	cmd->seq = seq;
	aegw_cmd_wipe(cmd);
	return 0;
}

int aegw_ring_cmd_recv(struct aegw_shm *shm, unsigned worker,
		       struct aegw_cmd *cmd)
{
	if (!shm || !cmd || worker >= shm->n_workers)
		return -EINVAL;
	return aegw_spsc_dequeue(&shm->cmd[worker], cmd, true);
}

unsigned aegw_ring_cmd_depth(const struct aegw_shm *shm, unsigned worker)
{
	if (!shm || worker >= shm->n_workers)
		return 0;
	return aegw_spsc_depth(&shm->cmd[worker]);
}

int aegw_ring_evt_send(struct aegw_shm *shm, unsigned worker,
		       const struct aegw_evt *evt)
{
	if (!shm || !evt || worker >= shm->n_workers)
		return -EINVAL;
	return aegw_spsc_enqueue(&shm->evt[worker], evt);
}

int aegw_ring_evt_recv(struct aegw_shm *shm, unsigned worker,
		       struct aegw_evt *evt)
{
	if (!shm || !evt || worker >= shm->n_workers)
		return -EINVAL;
	return aegw_spsc_dequeue(&shm->evt[worker], evt, false);
}

unsigned aegw_ring_evt_depth(const struct aegw_shm *shm, unsigned worker)
{
	if (!shm || worker >= shm->n_workers)
		return 0;
	return aegw_spsc_depth(&shm->evt[worker]);
}
