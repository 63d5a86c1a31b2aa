/* A POSIX shared-memory object that only this daemon's user may use, for
 * state a restarted daemon takes back (journal.h, reg_store.h): mode
 * 0600, refused if another user owns it or others may read it, kept out
 * of core dumps, mapped whole. Control thread only. */
#ifndef CTL_SHM_OBJECT_H
#define CTL_SHM_OBJECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ctl_shm_object {
	uint8_t *base;
	size_t size; /* at least what was asked; more when it was bigger */
};

/* An instance's object of one kind (calls, regs) is
 * /aegw-INSTANCE-KIND. Opens or makes it, grows it to size bytes (holes:
 * tmpfs gives pages only to what is written) and maps it. Returns the
 * object's fd, for a scan of its allocated pages (lseek SEEK_DATA), or -1
 * with the reason in err, prefixed by what. */
int ctl_shm_object_map(struct ctl_shm_object *o, const char *instance,
		       const char *kind, size_t size, const char *what,
		       char *err, size_t errlen);
/* Removes it (a clean stop that leaves nothing for a successor). */
void ctl_shm_object_unlink(const char *instance, const char *kind);
void ctl_shm_object_unmap(struct ctl_shm_object *o);

/* The first bytes of such an object: what wrote it, in which layout. */
struct ctl_shm_head {
	uint64_t magic;
	uint32_t layout;
	uint32_t n_slots;
};

/* Makes o's head say magic and layout (and n_slots). An object whose
 * head said anything else was written by another build, whose records
 * cannot be read: it is emptied first. Returns whether it held such
 * records (for the caller to log). */
bool ctl_shm_object_claim(struct ctl_shm_object *o, uint64_t magic,
			  uint32_t layout, uint32_t n_slots);

/* A record's checksum, which a torn write fails: FNV-1a over 64-bit
 * words (the tail byte by byte), since records are summed on every write
 * and a byte at a time cost more than the rest of the write. */
uint32_t ctl_shm_sum(const uint8_t *p, size_t n);

#endif
