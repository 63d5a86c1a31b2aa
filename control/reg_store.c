/* The registration store's copy in shared memory (reg_store.h). */
#define _GNU_SOURCE /* SEEK_DATA, SEEK_HOLE */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "log.h"
#include "reg_store.h"
#include "shm_object.h"

#define STORE_MAGIC 0x5347455257474541ull /* "AEGWREGS" */
#define RECORD_MAGIC 0x47455252u          /* "RREG" */
#define STORE_VERSION 1u

enum { SLOT = 512 }; /* eight to a page; slot 0 is the header */

struct reg_record {
	uint32_t magic;
	uint32_t sum;           /* of what follows */
	uint64_t expires_ns;    /* CLOCK_MONOTONIC */
	uint16_t id_len;
	uint8_t ue_e2ae, net_e2ae, policy, pad[3];
	char access[CTL_REG_ACCESS_MAX + 1];
	char id[CTL_REG_ID_MAX];
};

_Static_assert(sizeof(struct reg_record) <= SLOT, "a record fits a slot");

static uint32_t layout_id(void)
{
	return STORE_VERSION ^ (uint32_t)sizeof(struct reg_record) << 8 ^
	       (uint32_t)SLOT << 20;
}

static const char kind[] = "regs"; /* /aegw-INSTANCE-regs */

static struct reg_record *record_at(const struct ctl_reg_store *s,
				    unsigned slot)
{
	return (struct reg_record *)(s->base + (size_t)slot * SLOT);
}

static uint32_t record_sum(const struct reg_record *r)
{
	size_t off = offsetof(struct reg_record, expires_ns);

	return ctl_shm_sum((const uint8_t *)r + off, sizeof(*r) - off);
}

static void slot_free(struct ctl_reg_store *s, unsigned slot)
{
	struct reg_record *r = record_at(s, slot);

	__atomic_store_n(&r->magic, 0, __ATOMIC_RELEASE);
	memset(r, 0, sizeof(*r));
	s->free_slots[s->n_free++] = slot;
}

/* Slots with a record: only allocated pages are looked at (SEEK_DATA),
 * since reading a hole of a shared tmpfs mapping would allocate it.
 * Every other slot goes on the free stack, low slots on top. */
static void scan(struct ctl_reg_store *s, int fd, bool *used)
{
	off_t data = 0, hole;

	while ((data = lseek(fd, data, SEEK_DATA)) >= 0) {
		hole = lseek(fd, data, SEEK_HOLE);
		if (hole < 0)
			hole = (off_t)s->size;
		for (off_t o = data / SLOT * SLOT; o < hole; o += SLOT) {
			unsigned slot = (unsigned)(o / SLOT);

			if (slot >= 1 && slot <= s->n_slots &&
			    record_at(s, slot)->magic == RECORD_MAGIC)
				used[slot] = true;
		}
		data = hole;
	}
	for (unsigned slot = s->n_slots; slot >= 1; slot--)
		if (!used[slot])
			s->free_slots[s->n_free++] = slot;
}

int ctl_reg_store_open(struct ctl_reg_store *s, const char *instance,
		       unsigned max, char *err, size_t errlen)
{
	struct ctl_shm_object o;
	int fd;

	memset(s, 0, sizeof(*s));
	max = max ? max : CTL_DEFAULT_MAX_REGISTRATIONS;
	fd = ctl_shm_object_map(&o, instance, kind, (size_t)(max + 1) * SLOT,
				"registration store", err, errlen);
	if (fd < 0)
		return -1;
	s->base = o.base;
	s->size = o.size;
	s->n_slots = (unsigned)(s->size / SLOT) - 1;
	if (ctl_shm_object_claim(&o, STORE_MAGIC, layout_id(), s->n_slots))
		ctl_log(CTL_LOG_WARN, "registration store of another layout "
			"wiped");
	s->free_slots = calloc(s->n_slots, sizeof(*s->free_slots));
	bool *used = calloc(s->n_slots + 1, sizeof(*used));
	if (!s->free_slots || !used) {
		free(used);
		close(fd);
		ctl_reg_store_close(s);
		snprintf(err, errlen, "registration store: out of memory");
		return -1;
	}
	scan(s, fd, used);
	free(used);
	close(fd);
	return 0;
}

void ctl_reg_store_close(struct ctl_reg_store *s)
{
	struct ctl_shm_object o = { s->base, s->size };

	ctl_shm_object_unmap(&o);
	free(s->free_slots);
	memset(s, 0, sizeof(*s));
}

void ctl_reg_store_unlink(const char *instance)
{
	ctl_shm_object_unlink(instance, kind);
}

static bool record_valid(const struct reg_record *r)
{
	return r->magic == RECORD_MAGIC && r->sum == record_sum(r) &&
	       r->id_len >= 1 && r->id_len <= CTL_REG_ID_MAX &&
	       r->policy < CTL_E2AE_POLICY_COUNT &&
	       memchr(r->access, 0, sizeof(r->access));
}

/* One record back into r, or false (then its slot is freed). */
static bool load_one(struct ctl_reg_store *s, struct ctl_registry *r,
		     unsigned slot, uint64_t now_ns)
{
	const struct reg_record *rec = record_at(s, slot);
	struct ctl_reg_info info = { 0 };
	struct ctl_registration *e;
	char err[128];

	if (!record_valid(rec) || rec->expires_ns <= now_ns ||
	    ctl_registry_find(r, rec->id, rec->id_len, now_ns))
		return false;
	info.ue_e2ae = rec->ue_e2ae;
	info.net_e2ae = rec->net_e2ae;
	info.policy = (enum ctl_e2ae_policy)rec->policy;
	memcpy(info.access, rec->access, sizeof(info.access));
	info.expires_ns = rec->expires_ns;
	e = ctl_registry_put(r, rec->id, rec->id_len, &info, now_ns, err,
			     sizeof(err));
	if (!e)
		return false;
	e->store_slot = slot;
	return true;
}

unsigned ctl_reg_store_load(struct ctl_reg_store *s, struct ctl_registry *r,
			    uint64_t now_ns)
{
	unsigned n = 0, gone = 0;
	bool *is_free = calloc(s->n_slots + 1, sizeof(*is_free));

	if (!is_free)
		return 0;
	for (unsigned i = 0; i < s->n_free; i++)
		is_free[s->free_slots[i]] = true;
	for (unsigned slot = 1; slot <= s->n_slots; slot++) {
		if (is_free[slot])
			continue;
		if (load_one(s, r, slot, now_ns)) {
			n++;
			continue;
		}
		gone++;
		slot_free(s, slot);
	}
	free(is_free);
	if (n || gone)
		ctl_log(CTL_LOG_INFO, "registration store: %u registration(s) "
			"taken back, %u expired or unreadable", n, gone);
	return n;
}

void ctl_reg_store_put(struct ctl_reg_store *s, struct ctl_registration *e)
{
	struct reg_record *r;

	if (!e->store_slot) {
		if (!s->n_free) {
			s->failed++;
			ctl_log(CTL_LOG_WARN, "registration store full: a "
				"registration would not survive a restart");
			return;
		}
		e->store_slot = s->free_slots[--s->n_free];
	}
	r = record_at(s, e->store_slot);
	/* Cleared first, set last: a kill in between leaves no record. */
	__atomic_store_n(&r->magic, 0, __ATOMIC_RELEASE);
	memset(r, 0, sizeof(*r));
	r->expires_ns = e->info.expires_ns;
	r->id_len = e->id_len;
	r->ue_e2ae = e->info.ue_e2ae;
	r->net_e2ae = e->info.net_e2ae;
	r->policy = (uint8_t)e->info.policy;
	memcpy(r->access, e->info.access, sizeof(r->access));
	memcpy(r->id, e->id, e->id_len);
	r->sum = record_sum(r);
	__atomic_store_n(&r->magic, RECORD_MAGIC, __ATOMIC_RELEASE);
	s->written++;
}

void ctl_reg_store_drop(struct ctl_reg_store *s, struct ctl_registration *e)
{
	if (e->store_slot)
		slot_free(s, e->store_slot);
	e->store_slot = 0;
}
