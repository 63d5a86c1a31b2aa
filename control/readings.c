/* The dataplane's readings, queued and applied (readings.h). */
#include <stdlib.h>

#include "ctl.h"
#include "journal.h"
#include "readings.h"
#include "streams.h"

/* Readings the drains between two ticks may queue (a worker sends 64 a
 * millisecond at most); more are lost (the walk reads those streams in
 * its lap). */
enum { CTL_READINGS_MAX = 1u << 16 };

struct ctl_reading {
	uint32_t stream_id;        /* 0: applied already */
	uint32_t gen;              /* the call's resume_gen when it came */
	struct ctl_resume at;
};

static const char *const result_names[] = {
#define CTL_READING_RESULT_NAME(id, name) [CTL_READING_##id] = name,
	CTL_FOREACH_READING_RESULT(CTL_READING_RESULT_NAME)
#undef CTL_READING_RESULT_NAME
};

const char *ctl_reading_result_name(enum ctl_reading_result r)
{
	return (unsigned)r < CTL_READING_RESULT_COUNT ? result_names[r] :
							"unknown";
}

static struct ctl_reading *queue_slot(struct ctl_readings *r)
{
	if (r->n == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 256;
		struct ctl_reading *q;

		if (cap > CTL_READINGS_MAX ||
		    !(q = realloc(r->q, cap * sizeof(*q))))
			return NULL;
		r->q = q;
		r->cap = cap;
	}
	return &r->q[r->n++];
}

void ctl_readings_take(void *arg, const struct aegw_evt *evt)
{
	struct ctl *ctl = arg;
	struct ctl_readings *r = &ctl->readings;
	struct ctl_call *c = ctl_call_by_stream(&ctl->calls, evt->stream_id);
	struct ctl_reading *q;

	if (!c) {
		r->results[CTL_READING_UNKNOWN]++;
		return;
	}
	if (!(q = queue_slot(r))) {
		r->results[CTL_READING_LOST]++;
		return;
	}
	c->readings_queued = true;
	q->stream_id = evt->stream_id;
	q->gen = c->resume_gen;
	q->at = ctl_resume_of_evt(evt);
}

/* q to its call's installed media. A reading that moved a step marks
 * the call: its record is written once, however many came. */
static enum ctl_reading_result apply(struct ctl *ctl,
				     const struct ctl_reading *q)
{
	struct ctl_call *c = ctl_call_by_stream(&ctl->calls, q->stream_id);

	if (!c)
		return CTL_READING_UNKNOWN;
	c->readings_queued = false; /* the queue is being emptied */
	if (c->resume_gen != q->gen)
		return CTL_READING_STALE;
	for (unsigned i = 0; i < c->n_media; i++) {
		struct ctl_media *m = &c->media[i];

		for (unsigned from = 0; m->installed && from < 2; from++) {
			if (m->stream_id[from] != q->stream_id)
				continue;
			if (!ctl_media_note_resume(m, from, &q->at))
				return CTL_READING_KEPT;
			c->reading_moved = true;
			return CTL_READING_JOURNALED;
		}
	}
	return CTL_READING_STALE;
}

void ctl_readings_apply(struct ctl *ctl)
{
	struct ctl_readings *r = &ctl->readings;

	for (size_t k = 0; k < r->n; k++)
		if (r->q[k].stream_id)
			r->results[apply(ctl, &r->q[k])]++;
	for (size_t k = 0; k < r->n; k++) {
		struct ctl_call *c =
			ctl_call_by_stream(&ctl->calls, r->q[k].stream_id);

		if (c && c->reading_moved) {
			c->reading_moved = false;
			ctl_journal_put(ctl, c);
		}
	}
	r->n = 0;
}

void ctl_readings_apply_call(struct ctl *ctl, struct ctl_call *c)
{
	struct ctl_readings *r = &ctl->readings;

	/* An answer's usual case, kept from walking the queue. */
	if (!c->readings_queued)
		return;
	for (size_t k = 0; k < r->n; k++) {
		struct ctl_reading *q = &r->q[k];

		if (q->stream_id &&
		    ctl_call_by_stream(&ctl->calls, q->stream_id) == c) {
			r->results[apply(ctl, q)]++;
			q->stream_id = 0;
		}
	}
	c->reading_moved = false; /* the caller writes the record */
}

void ctl_readings_fini(struct ctl_readings *r)
{
	free(r->q);
	r->q = NULL;
	r->n = r->cap = 0;
}
