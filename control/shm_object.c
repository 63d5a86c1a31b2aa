/* Shared-memory objects for state that outlives the daemon
 * (shm_object.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "shm_object.h"

static void object_name(char *buf, size_t len, const char *instance,
			const char *kind)
{
	snprintf(buf, len, "/aegw-%s-%s", instance, kind);
}

int ctl_shm_object_map(struct ctl_shm_object *o, const char *instance,
		       const char *kind, size_t size, const char *what,
		       char *err, size_t errlen)
{
	char name[96];
	struct stat st;
	int fd;

	object_name(name, sizeof(name), instance, kind);
	o->base = NULL;
	o->size = 0;
	fd = shm_open(name, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 || fstat(fd, &st) || st.st_uid != geteuid() ||
	    (st.st_mode & 077)) {
		snprintf(err, errlen, "%s %s: %s", what, name,
			 fd < 0 ? strerror(errno) : "not ours (owner or mode)");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if ((size_t)st.st_size < size && ftruncate(fd, (off_t)size)) {
		snprintf(err, errlen, "%s %s: %s", what, name, strerror(errno));
		close(fd);
		return -1;
	}
	o->size = (size_t)st.st_size > size ? (size_t)st.st_size : size;
	o->base = mmap(NULL, o->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (o->base == MAP_FAILED) {
		o->base = NULL;
		snprintf(err, errlen, "%s %s: mmap: %s", what, name,
			 strerror(errno));
		close(fd);
		return -1;
	}
	madvise(o->base, o->size, MADV_DONTDUMP);
	return fd;
}

void ctl_shm_object_unlink(const char *instance, const char *kind)
{
	char name[96];

	object_name(name, sizeof(name), instance, kind);
	shm_unlink(name);
}

void ctl_shm_object_unmap(struct ctl_shm_object *o)
{
	if (o->base)
		munmap(o->base, o->size);
	o->base = NULL;
	o->size = 0;
}

bool ctl_shm_object_claim(struct ctl_shm_object *o, uint64_t magic,
			  uint32_t layout, uint32_t n_slots)
{
	struct ctl_shm_head *h = (struct ctl_shm_head *)o->base;
	bool foreign = false;

	if (h->magic != magic || h->layout != layout) {
		foreign = h->magic != 0;
		/* Punched out, not written over: a write would allocate every
		 * page of the object. The kernel zeroes freed pages. */
		madvise(o->base, o->size, MADV_REMOVE);
		h->layout = layout;
		__atomic_store_n(&h->magic, magic, __ATOMIC_RELEASE);
	}
	h->n_slots = n_slots;
	return foreign;
}

uint32_t ctl_shm_sum(const uint8_t *p, size_t n)
{
	uint64_t h = 14695981039346656037ull, w;

	for (; n >= 8; n -= 8, p += 8) {
		memcpy(&w, p, 8);
		h = (h ^ w) * 1099511628211ull;
	}
	while (n--)
		h = (h ^ *p++) * 1099511628211ull;
	return (uint32_t)(h ^ h >> 32);
}
