/* The call journal (journal.h): records in fixed slots of a shared-memory
 * object, written and read back by this build only. */
#define _GNU_SOURCE /* SEEK_DATA, SEEK_HOLE */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aegw/wipe.h"
#include "ctl.h"
#include "journal.h"
#include "log.h"
#include "secret.h"
#include "shm_object.h"

#define JOURNAL_MAGIC 0x4c4e524a57474541ull /* "AEGWJRNL" */
#define RECORD_MAGIC 0x4443524au             /* "JRCD" */
/* 7: readings written as they move (timeout.c); a journal of an older
 * daemon has those of its last signalling, which a restart of both
 * daemons would resume from, short of what was protected since.
 * 8: readings pushed by the workers, written a step on rather than two,
 * with the SSRCs each RTP context had before its last one; resume points
 * of installed media only, keys without resume state. */
#define JOURNAL_VERSION 8u

struct record_head {
	uint32_t magic;
	uint32_t len;     /* payload bytes */
	uint64_t seq;
	uint32_t sum;     /* payload_sum: a torn write fails it */
	uint32_t layout;
};

enum { PAYLOAD_MAX = CTL_JOURNAL_SLOT - sizeof(struct record_head) };

/* The fixed part of a call's record; its strings and media follow. */
struct record_call {
	uint16_t id_len, tag_len[2];
	uint8_t iface[2];         /* index in ctl->ifaces; 0xff: none */
	uint8_t offerer, answered, has_pending, n_media, n_pending;
	uint8_t sent[2];          /* the SDP sent toward each side */
	int64_t created, last_signal;
	uint64_t sent_origin[2], sent_version[2], sent_body[2];
	struct ctl_media_slot slot[AEGW_SDP_MAX_MEDIA];
};

/* A new layout whenever what is copied byte for byte changes size. */
static uint32_t layout_id(void)
{
	return JOURNAL_VERSION ^ (uint32_t)sizeof(struct ctl_media) << 8 ^
	       (uint32_t)sizeof(struct aegw_srtp_config) << 18 ^
	       (uint32_t)sizeof(struct record_call) << 4 ^
	       (uint32_t)AEGW_SDP_MAX_MEDIA << 28;
}

static const char kind[] = "calls"; /* /aegw-INSTANCE-calls */

static uint8_t *slot_at(const struct ctl_journal *j, unsigned slot)
{
	return j->base + (size_t)slot * CTL_JOURNAL_SLOT;
}

static struct record_head *record_at(const struct ctl_journal *j,
				     unsigned slot)
{
	return (struct record_head *)slot_at(j, slot);
}

/* Wipes the record's bytes (the rest of a slot is zero: written as far
 * as len, or never) and frees the slot. Its page stays for the next
 * record, which is likely this one; ctl_journal_trim gives back the
 * pages of slots that stay free. */
static void slot_wipe(struct ctl_journal *j, unsigned slot, size_t bytes)
{
	struct record_head *r = record_at(j, slot);

	/* The magic goes first: a half-wiped slot is never read back. */
	__atomic_store_n(&r->magic, 0, __ATOMIC_RELEASE);
	aegw_wipe(slot_at(j, slot), bytes);
	j->free_slots[j->n_free++] = slot;
}

static size_t record_bytes(const struct ctl_journal *j, unsigned slot)
{
	uint32_t len = record_at(j, slot)->len;

	return sizeof(struct record_head) + (len < PAYLOAD_MAX ? len : PAYLOAD_MAX);
}

void ctl_journal_trim(struct ctl_journal *j)
{
	if (!j->base)
		return;
	for (; j->n_free > CTL_JOURNAL_HOT &&
	       j->trimmed < j->n_free - CTL_JOURNAL_HOT; j->trimmed++)
		madvise(slot_at(j, j->free_slots[j->trimmed]),
			CTL_JOURNAL_SLOT, MADV_REMOVE);
}

/* Opens or makes the object and maps it; returns its fd (for the scan),
 * or -1. */
static int object_map(struct ctl_journal *j, const char *instance,
		      unsigned slots, char *err, size_t errlen)
{
	struct ctl_shm_object o;
	int fd;

	fd = ctl_shm_object_map(&o, instance, kind,
				(size_t)(slots + 1) * CTL_JOURNAL_SLOT,
				"journal", err, errlen);
	if (fd < 0)
		return -1;
	j->base = o.base;
	j->size = o.size;
	j->n_slots = (unsigned)(j->size / CTL_JOURNAL_SLOT) - 1;
	return fd;
}

/* Which slots may hold a record: only the object's allocated pages are
 * looked at (SEEK_DATA), since reading a hole of a shared tmpfs mapping
 * would allocate it. The others go on the free stack. */
static void scan_slots(struct ctl_journal *j, int fd)
{
	off_t data = CTL_JOURNAL_SLOT, hole;
	unsigned next_free = j->n_slots;

	j->n_used = 0;
	while ((data = lseek(fd, data, SEEK_DATA)) >= 0) {
		hole = lseek(fd, data, SEEK_HOLE);
		if (hole < 0)
			hole = (off_t)j->size;
		for (off_t o = data / CTL_JOURNAL_SLOT * CTL_JOURNAL_SLOT;
		     o < hole; o += CTL_JOURNAL_SLOT) {
			unsigned s = (unsigned)(o / CTL_JOURNAL_SLOT);

			if (s >= 1 && record_at(j, s)->magic == RECORD_MAGIC)
				j->used[j->n_used++] = s;
			else if (s >= 1) /* wiped, not trimmed yet */
				madvise(slot_at(j, s), CTL_JOURNAL_SLOT,
					MADV_REMOVE);
		}
		data = hole;
	}
	/* Free: every slot not in used[] (ascending), pushed high to low so
	 * that low slots are taken first. */
	for (unsigned u = j->n_used; next_free >= 1; next_free--) {
		if (u && j->used[u - 1] == next_free) {
			u--;
			continue;
		}
		j->free_slots[j->n_free++] = next_free;
	}
}

int ctl_journal_open(struct ctl_journal *j, const char *instance,
		     unsigned max_calls, char *err, size_t errlen)
{
	struct ctl_shm_object o;
	int fd;

	memset(j, 0, sizeof(*j));
	fd = object_map(j, instance, max_calls ? max_calls : 1, err, errlen);
	if (fd < 0)
		return -1;
	o = (struct ctl_shm_object){ j->base, j->size };
	if (ctl_shm_object_claim(&o, JOURNAL_MAGIC, layout_id(), j->n_slots))
		ctl_log(CTL_LOG_WARN, "call journal of another layout wiped: "
			"its calls cannot be read back");
	j->free_slots = calloc(j->n_slots, sizeof(*j->free_slots));
	j->used = calloc(j->n_slots, sizeof(*j->used));
	if (!j->free_slots || !j->used) {
		close(fd);
		ctl_journal_close(j);
		snprintf(err, errlen, "journal: out of memory");
		return -1;
	}
	scan_slots(j, fd);
	j->trimmed = j->n_free; /* holes, every one */
	close(fd);
	return 0;
}

void ctl_journal_close(struct ctl_journal *j)
{
	struct ctl_shm_object o = { j->base, j->size };

	ctl_shm_object_unmap(&o);
	free(j->free_slots);
	free(j->used);
	memset(j, 0, sizeof(*j));
}

void ctl_journal_unlink(const char *instance)
{
	ctl_shm_object_unlink(instance, kind);
}

/* ---- writing a record ----------------------------------------------- */

struct cursor {
	uint8_t *p;
	size_t left;
	bool short_;
};

static void put(struct cursor *w, const void *src, size_t n)
{
	if (w->short_ || n > w->left) {
		w->short_ = true;
		return;
	}
	memcpy(w->p, src, n);
	w->p += n;
	w->left -= n;
}

/* A key as a leg holds it: what comes before the resume state (a leg's
 * key has none; the spec's copy gets it, streams.c), and its master
 * keys. */
#define KEY_HEAD offsetof(struct aegw_srtp_config, resume_ssrc)
_Static_assert(offsetof(struct aegw_srtp_config, keys) ==
		       sizeof(struct aegw_srtp_config) -
			       sizeof(((struct aegw_srtp_config *)0)->keys),
	       "the master keys end a config");

static void put_key(struct cursor *w, const struct aegw_srtp_config *k)
{
	put(w, k, KEY_HEAD);
	put(w, k->keys, k->n_keys * sizeof(k->keys[0]));
}

/* A media's resume points come last and go only with an installed one:
 * a pending media has none, and a call's record must fit its slot. */
#define MEDIA_HEAD offsetof(struct ctl_media, resume)
_Static_assert(MEDIA_HEAD + sizeof(((struct ctl_media *)0)->resume) ==
		       sizeof(struct ctl_media),
	       "the resume points end a media");

static void put_media(struct cursor *w, const struct ctl_media *m)
{
	struct ctl_media copy = *m;
	uint8_t mask = 0;

	for (unsigned i = 0; i < 2; i++) {
		mask |= (uint8_t)((m->leg[i].peer_key ? 1u : 0u) << (2 * i));
		mask |= (uint8_t)((m->leg[i].our_key ? 2u : 0u) << (2 * i));
		copy.leg[i].peer_key = copy.leg[i].our_key = NULL;
	}
	put(w, &copy, MEDIA_HEAD);
	if (m->installed)
		put(w, copy.resume, sizeof(copy.resume));
	put(w, &mask, 1);
	for (unsigned i = 0; i < 2; i++) {
		if (m->leg[i].peer_key)
			put_key(w, m->leg[i].peer_key);
		if (m->leg[i].our_key)
			put_key(w, m->leg[i].our_key);
	}
	aegw_wipe(&copy, sizeof(copy));
}

static uint8_t iface_index(const struct ctl *ctl, const struct ctl_iface *f)
{
	return f ? (uint8_t)(f - ctl->ifaces) : 0xff;
}

static void put_call(struct cursor *w, const struct ctl *ctl,
		     const struct ctl_call *c)
{
	struct record_call rc = {
		.id_len = (uint16_t)strlen(c->call_id),
		.tag_len = { (uint16_t)strlen(c->tag[0]),
			     (uint16_t)(c->tag[1] ? strlen(c->tag[1]) : 0) },
		.iface = { iface_index(ctl, c->iface[0]),
			   iface_index(ctl, c->iface[1]) },
		.offerer = (uint8_t)c->offerer, .answered = c->answered,
		.has_pending = c->has_pending, .n_media = (uint8_t)c->n_media,
		.n_pending = (uint8_t)(c->has_pending ? c->n_pending : 0),
		.created = c->created, .last_signal = c->last_signal,
	};

	for (unsigned k = 0; k < 2; k++) {
		rc.sent[k] = c->sent[k].sent;
		rc.sent_origin[k] = c->sent[k].origin;
		rc.sent_version[k] = c->sent[k].version;
		rc.sent_body[k] = c->sent[k].body;
	}
	if (c->cap) /* at most AEGW_SDP_MAX_MEDIA: an offer's m= sections */
		memcpy(rc.slot, c->slot, c->cap * sizeof(*c->slot));
	put(w, &rc, sizeof(rc));
	put(w, c->call_id, rc.id_len);
	put(w, c->tag[0], rc.tag_len[0]);
	if (c->tag[1])
		put(w, c->tag[1], rc.tag_len[1]);
	for (unsigned i = 0; i < c->n_media; i++)
		put_media(w, &c->media[i]);
	for (unsigned i = 0; i < rc.n_pending; i++)
		put_media(w, &c->pending[i]);
}

void ctl_journal_put(struct ctl *ctl, struct ctl_call *c)
{
	struct ctl_journal *j = &ctl->journal;
	struct record_head *r;
	struct cursor w;
	unsigned slot;

	if (!j->base)
		return;
	c->journal_stale = true;
	/* Full: the record goes where the call's older one was, no longer
	 * both at once (a crash between leaves none, never a stale one). */
	if (!j->n_free && c->journal_slot)
		ctl_journal_drop(ctl, c);
	if (!j->n_free) { /* and the call had no record to make room */
		j->failed++;
		ctl_log(CTL_LOG_WARN, "call %s: journal full: it would not "
			"survive a restart", c->call_id);
		return;
	}
	slot = j->free_slots[--j->n_free];
	if (j->trimmed > j->n_free)
		j->trimmed = j->n_free;
	r = record_at(j, slot);
	w = (struct cursor){ (uint8_t *)(r + 1), PAYLOAD_MAX, false };
	put_call(&w, ctl, c);
	if (w.short_) {
		j->too_big++;
		slot_wipe(j, slot, CTL_JOURNAL_SLOT);
		ctl_journal_drop(ctl, c);
		ctl_log(CTL_LOG_WARN, "call %s: too big for the journal: it "
			"would not survive a restart", c->call_id);
		return;
	}
	r->len = (uint32_t)(PAYLOAD_MAX - w.left);
	r->seq = ++j->seq;
	r->layout = layout_id();
	r->sum = ctl_shm_sum((const uint8_t *)(r + 1), r->len);
	__atomic_store_n(&r->magic, RECORD_MAGIC, __ATOMIC_RELEASE);
	if (c->journal_slot)
		slot_wipe(j, c->journal_slot, record_bytes(j, c->journal_slot));
	c->journal_slot = slot;
	c->journal_stale = false;
	j->written++;
}

void ctl_journal_drop(struct ctl *ctl, struct ctl_call *c)
{
	if (ctl->journal.base && c->journal_slot)
		slot_wipe(&ctl->journal, c->journal_slot,
			  record_bytes(&ctl->journal, c->journal_slot));
	c->journal_slot = 0;
}

/* ---- reading records back ------------------------------------------- */

static const void *get(struct cursor *r, size_t n)
{
	const void *p = r->p;

	if (r->short_ || n > r->left) {
		r->short_ = true;
		return NULL;
	}
	r->p += n;
	r->left -= n;
	return p;
}

/* Records are packed: everything wider than a byte is copied out. */
static bool take(struct cursor *r, void *dst, size_t n)
{
	const void *p = get(r, n);

	if (p)
		memcpy(dst, p, n);
	return p != NULL;
}

static struct aegw_srtp_config *get_key(struct cursor *r)
{
	struct aegw_srtp_config *k = ctl_secret_alloc(); /* zeroed */

	if (!k)
		return NULL;
	if (!take(r, k, KEY_HEAD) || k->n_keys < 1 ||
	    k->n_keys > AEGW_SRTP_MAX_KEYS ||
	    !take(r, k->keys, k->n_keys * sizeof(k->keys[0]))) {
		ctl_secret_free(k);
		return NULL;
	}
	return k;
}

/* 0, or -1 with every key it took freed. */
static int get_media(struct cursor *r, struct ctl_media *m)
{
	uint8_t mask;
	int rc = 0;

	memset(m, 0, sizeof(*m));
	if (!take(r, m, MEDIA_HEAD))
		return -1;
	for (unsigned i = 0; i < 2; i++)
		m->leg[i].peer_key = m->leg[i].our_key = NULL;
	if ((m->installed && !take(r, m->resume, sizeof(m->resume))) ||
	    !take(r, &mask, 1))
		return -1;
	for (unsigned i = 0; i < 2; i++) {
		struct ctl_leg *l = &m->leg[i];

		if (!rc && (mask >> (2 * i) & 1) && !(l->peer_key = get_key(r)))
			rc = -1;
		if (!rc && (mask >> (2 * i) & 2) && !(l->our_key = get_key(r)))
			rc = -1;
	}
	if (rc)
		ctl_media_drop_keys(m, 1);
	return rc;
}

static int get_medias(struct cursor *r, struct ctl_media *m, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		if (get_media(r, &m[i])) {
			ctl_media_drop_keys(m, i);
			return -1;
		}
	}
	return 0;
}

static bool record_sane(const struct ctl *ctl, const struct record_call *rc)
{
	return rc->id_len && rc->id_len <= CTL_ID_MAX && rc->tag_len[0] &&
	       rc->tag_len[0] <= CTL_ID_MAX && rc->tag_len[1] <= CTL_ID_MAX &&
	       rc->n_media <= AEGW_SDP_MAX_MEDIA &&
	       rc->n_pending <= AEGW_SDP_MAX_MEDIA && rc->offerer < 2 &&
	       (rc->iface[0] < ctl->n_ifaces || rc->iface[0] == 0xff) &&
	       (rc->iface[1] < ctl->n_ifaces || rc->iface[1] == 0xff);
}

/* How many media the record's call had room for: its media, pending
 * ones, and the slots that hold ports or stream ids. */
static unsigned media_used(const struct record_call *rc)
{
	unsigned n = rc->n_media > rc->n_pending ? rc->n_media : rc->n_pending;

	for (unsigned i = n; i < AEGW_SDP_MAX_MEDIA; i++)
		if (rc->slot[i].port[0] || rc->slot[i].port[1] ||
		    rc->slot[i].stream_id[0] || rc->slot[i].stream_id[1])
			n = i + 1;
	return n;
}

/* The call's ports taken from their pools and its stream ids known (to
 * the call table and for the next new id). 0, or -1 out of memory. */
static int reserve(struct ctl *ctl, struct ctl_call *c)
{
	for (unsigned i = 0; i < c->cap; i++) {
		if (!ctl_call_index_slot(&ctl->calls, c, i))
			continue;
		/* None taken yet: destroying c must not give them back. */
		for (unsigned k = 0; k < c->cap; k++)
			c->slot[k].port[0] = c->slot[k].port[1] = 0;
		return -1;
	}
	for (unsigned i = 0; i < c->cap; i++) {
		for (unsigned side = 0; side < 2; side++) {
			uint32_t id = c->slot[i].stream_id[side];

			if (c->slot[i].port[side] && c->iface[side])
				ctl_pool_reserve(&c->iface[side]->pool,
						 c->slot[i].port[side]);
			if (id >= ctl->next_stream_id)
				ctl->next_stream_id = id + 1;
		}
	}
	return 0;
}

static struct ctl_call *call_from(struct ctl *ctl, struct cursor *r)
{
	struct record_call rcall, *rc = &rcall;
	const char *id, *tag0, *tag1;
	struct ctl_call *c;

	if (!take(r, rc, sizeof(*rc)) || !record_sane(ctl, rc))
		return NULL;
	id = get(r, rc->id_len);
	tag0 = get(r, rc->tag_len[0]);
	tag1 = get(r, rc->tag_len[1]);
	if (!id || !tag0 || !tag1 || ctl_call_find(&ctl->calls, id, rc->id_len))
		return NULL;
	c = ctl_call_create(&ctl->calls, id, rc->id_len, tag0, rc->tag_len[0]);
	if (!c)
		return NULL;
	if (ctl_call_reserve(c, media_used(rc)) ||
	    (rc->tag_len[1] && ctl_call_set_tag(c, 1, tag1, rc->tag_len[1])) ||
	    get_medias(r, c->media, rc->n_media)) {
		ctl_call_destroy(&ctl->calls, c);
		return NULL;
	}
	c->n_media = rc->n_media;
	if (get_medias(r, c->pending, rc->n_pending)) {
		ctl_call_destroy(&ctl->calls, c);
		return NULL;
	}
	c->n_pending = rc->n_pending;
	c->has_pending = rc->has_pending;
	for (unsigned side = 0; side < 2; side++)
		c->iface[side] = rc->iface[side] == 0xff ?
				 NULL : &ctl->ifaces[rc->iface[side]];
	c->offerer = rc->offerer;
	c->answered = rc->answered;
	c->created = rc->created;
	c->last_signal = rc->last_signal;
	for (unsigned k = 0; k < 2; k++)
		c->sent[k] = (struct ctl_sdp_sent){
			.sent = rc->sent[k], .origin = rc->sent_origin[k],
			.version = rc->sent_version[k], .body = rc->sent_body[k]
		};
	memcpy(c->slot, rc->slot, c->cap * sizeof(*c->slot));
	if (reserve(ctl, c)) {
		ctl_call_destroy(&ctl->calls, c);
		return NULL;
	}
	return c;
}

static bool record_valid(const struct ctl_journal *j, unsigned slot)
{
	const struct record_head *r = record_at(j, slot);

	return r->magic == RECORD_MAGIC && r->layout == layout_id() &&
	       r->len <= PAYLOAD_MAX &&
	       r->sum == ctl_shm_sum((const uint8_t *)(r + 1), r->len);
}

static bool recover_slot(struct ctl *ctl, unsigned slot)
{
	struct ctl_journal *j = &ctl->journal;
	struct record_head *r = record_at(j, slot);
	struct cursor cur = { (uint8_t *)(r + 1), r->len, false };
	struct ctl_call *c;

	if (!record_valid(j, slot))
		return false;
	c = call_from(ctl, &cur);
	if (!c)
		return false;
	c->journal_slot = slot;
	if (r->seq > j->seq)
		j->seq = r->seq;
	return true;
}

static const struct ctl_journal *sort_journal;

/* Newest first: when a kill left two records of one call (between
 * writing the new and wiping the old), the older finds its call taken. */
static int newer_first(const void *a, const void *b)
{
	uint64_t sa = record_at(sort_journal, *(const unsigned *)a)->seq;
	uint64_t sb = record_at(sort_journal, *(const unsigned *)b)->seq;

	return sa < sb ? 1 : sa > sb ? -1 : 0;
}

unsigned ctl_journal_recover(struct ctl *ctl)
{
	struct ctl_journal *j = &ctl->journal;
	unsigned n = 0, bad = 0;

	sort_journal = j;
	qsort(j->used, j->n_used, sizeof(*j->used), newer_first);
	for (unsigned u = 0; u < j->n_used; u++) {
		if (recover_slot(ctl, j->used[u])) {
			n++;
			continue;
		}
		bad++;
		slot_wipe(j, j->used[u], CTL_JOURNAL_SLOT);
	}
	j->n_used = 0;
	j->recovered = n;
	if (n || bad)
		ctl_log(bad ? CTL_LOG_WARN : CTL_LOG_INFO, "journal: %u call(s) "
			"taken back, %u record(s) unreadable or superseded",
			n, bad);
	return n;
}
