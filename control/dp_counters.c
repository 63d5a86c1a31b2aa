/* The dataplane's counters summed per interface and per worker, kept
 * from going down when streams go (dp_counters.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "dp_counters.h"
#include "dp_view.h"
#include "ring_client.h"

struct ctl_dp_seen {
	uint32_t id;
	uint32_t gen;            /* the reading that saw it last */
	uint8_t in, out, worker; /* interface indexes, worker */
	uint64_t c[AEGW_SC_COUNT];
};

/* The last readings: a dense array, and an index by stream id (open
 * addressing, linear probing, at most half full) whose slots hold the id
 * and the entry's place, so that a probe reads no entry. A DUMP's events
 * go straight in, in whatever order the workers' hash tables walk: a
 * million streams are read in one pass with no copy and no sort. */
static uint64_t slot_value(uint32_t id, size_t at)
{
	return (uint64_t)id << 32 | (uint64_t)(at + 1);
}

static size_t slot_of(const struct ctl_dp_counters *t, uint32_t id)
{
	size_t mask = t->n_slots - 1;
	size_t i = (size_t)(((uint64_t)id * 0x9e3779b97f4a7c15ull) >> 32) & mask;

	while (t->slot[i] && (uint32_t)(t->slot[i] >> 32) != id)
		i = (i + 1) & mask;
	return i;
}

static struct ctl_dp_seen *seen_find(const struct ctl_dp_counters *t,
				     uint32_t id)
{
	uint64_t v;

	if (!t->n_slots)
		return NULL;
	v = t->slot[slot_of(t, id)];
	return v ? &t->seen[(uint32_t)v - 1] : NULL;
}

/* The index again, for every entry, with room for twice as many. */
static int seen_reindex(struct ctl_dp_counters *t)
{
	size_t n = 1024;

	while (n < 4 * t->n_seen)
		n *= 2;
	free(t->slot);
	t->n_slots = 0;
	if (!(t->slot = calloc(n, sizeof(*t->slot))))
		return -ENOMEM;
	t->n_slots = n;
	for (size_t k = 0; k < t->n_seen; k++)
		t->slot[slot_of(t, t->seen[k].id)] = slot_value(t->seen[k].id, k);
	return 0;
}

static struct ctl_dp_seen *seen_insert(struct ctl_dp_counters *t,
				       uint32_t id)
{
	size_t at = t->n_seen;

	if (at == t->cap_seen) {
		size_t cap = at ? 2 * at : 512;
		struct ctl_dp_seen *p = realloc(t->seen, cap * sizeof(*p));

		if (!p)
			return NULL;
		t->seen = p;
		t->cap_seen = cap;
	}
	t->seen[at].id = id;
	t->n_seen++;
	if (2 * t->n_seen > t->n_slots) {
		if (seen_reindex(t)) {
			t->n_seen--;
			return NULL;
		}
	} else {
		t->slot[slot_of(t, id)] = slot_value(id, at);
	}
	return &t->seen[at];
}

static uint8_t iface_of(const struct ctl *ctl, const struct aegw_endpoint *ep)
{
	int i = ctl_iface_index_of(ctl, ep);

	return i < 0 ? CTL_DP_NO_IFACE : (uint8_t)i;
}

static void seen_of(const struct ctl *ctl, unsigned n_workers,
		    const struct aegw_evt *e, struct ctl_dp_seen *s)
{
	s->id = e->stream_id;
	s->in = iface_of(ctl, &e->local);
	s->out = iface_of(ctl, &e->egress_src);
	/* The owner by the ring's rule: the one whose dump it came in. */
	s->worker = (uint8_t)aegw_ring_worker_for_port(e->local.port, n_workers);
	memcpy(s->c, e->counters, sizeof(s->c));
}

/* The same stream counting from zero again, or counted elsewhere. */
static bool restarted(const struct ctl_dp_seen *was,
		      const struct ctl_dp_seen *now)
{
	if (was->in != now->in || was->out != now->out ||
	    was->worker != now->worker)
		return true;
	for (unsigned k = 0; k < AEGW_SC_COUNT; k++)
		if (now->c[k] < was->c[k])
			return true;
	return false;
}

static void add(uint64_t *sum, const uint64_t *c)
{
	for (unsigned k = 0; k < AEGW_SC_COUNT; k++)
		sum[k] += c[k];
}

/* A stream's reading s->c into the totals of streams gone. */
static void keep_gone(struct ctl_dp_counters *t, const struct ctl_dp_seen *s)
{
	add(t->gone_in[s->in], s->c);
	add(t->gone_out[s->out], s->c);
	add(t->gone_worker[s->worker], s->c);
}

static void sum(struct ctl_dp_counters *t)
{
	memcpy(t->in, t->gone_in, sizeof(t->in));
	memcpy(t->out, t->gone_out, sizeof(t->out));
	memcpy(t->by_worker, t->gone_worker, sizeof(t->by_worker));
	memset(t->streams, 0, sizeof(t->streams));
	for (size_t i = 0; i < t->n_seen; i++) {
		const struct ctl_dp_seen *s = &t->seen[i];

		add(t->in[s->in], s->c);
		add(t->out[s->out], s->c);
		add(t->by_worker[s->worker], s->c);
		t->streams[s->worker]++;
	}
}

/* A reading: begin, a stream at a time, end. */
static void reading_begin(struct ctl_dp_counters *t)
{
	t->gen++;
}

static int reading_stream(struct ctl_dp_counters *t, const struct ctl *ctl,
			  unsigned n_workers, const struct aegw_evt *e)
{
	struct ctl_dp_seen now, *was;

	seen_of(ctl, n_workers, e, &now);
	now.gen = t->gen;
	was = seen_find(t, now.id);
	if (!was) {
		if (!(was = seen_insert(t, now.id)))
			return -ENOMEM;
	} else if (restarted(was, &now)) {
		keep_gone(t, was); /* it counts anew: its old count stays */
	}
	*was = now;
	return 0;
}

/* Every stream the reading did not see leaves its last counts behind
 * and its entry; an incomplete reading (a worker failed) retires none. */
static int reading_end(struct ctl_dp_counters *t, bool complete)
{
	size_t kept = 0;
	int rc = 0;

	for (size_t i = 0; complete && i < t->n_seen; i++) {
		if (t->seen[i].gen != t->gen)
			keep_gone(t, &t->seen[i]);
		else
			t->seen[kept++] = t->seen[i];
	}
	if (complete && kept != t->n_seen) {
		t->n_seen = kept;
		rc = seen_reindex(t);
	}
	sum(t);
	return rc;
}

int ctl_dp_counters_fold(struct ctl_dp_counters *t, const struct ctl *ctl,
			 const struct ctl_dp_view *v)
{
	unsigned workers = v->n_workers ? v->n_workers : 1;
	int rc = 0;

	reading_begin(t);
	for (size_t i = 0; i < v->n && !rc; i++)
		rc = reading_stream(t, ctl, workers, &v->evt[i]);
	if (!rc)
		rc = reading_end(t, true);
	t->n_workers = v->n_workers;
	memcpy(t->worker, v->worker, sizeof(t->worker));
	return rc;
}

struct reading {
	struct ctl_dp_counters *t;
	const struct ctl *ctl;
	unsigned worker;
	uint64_t wc[AEGW_RING_MAX_WORKERS][AEGW_WC_COUNT];
	int rc;
};

static void on_dump(void *arg, const struct aegw_evt *evt)
{
	struct reading *r = arg;

	if (evt->type == AEGW_EVT_WORKER)
		memcpy(r->wc[r->worker], evt->counters, sizeof(r->wc[0]));
	else if (evt->type == AEGW_EVT_STREAM && !r->rc)
		r->rc = reading_stream(r->t, r->ctl, r->ctl->ring.n_workers,
				       evt);
}

/* One DUMP of every worker, each stream folded in as it arrives. */
static int read_dataplane(struct ctl *ctl, struct ctl_dp_counters *t)
{
	static struct reading r; /* 8 KB of worker counters */
	int first = 0;

	r = (struct reading){ .t = t, .ctl = ctl };
	reading_begin(t);
	for (unsigned w = 0; w < ctl->ring.n_workers; w++) {
		struct aegw_cmd cmd = { .type = AEGW_CMD_DUMP };
		int rc;

		r.worker = w;
		rc = ctl_ring_exec(&ctl->ring, w, &cmd, on_dump, &r);
		if (!first)
			first = r.rc ? r.rc : rc;
	}
	if (reading_end(t, first == 0) && !first)
		first = -ENOMEM;
	if (!first) {
		t->n_workers = ctl->ring.n_workers;
		memcpy(t->worker, r.wc, sizeof(t->worker));
	}
	return first;
}

int ctl_dp_counters_read(struct ctl *ctl, struct ctl_dp_counters *t)
{
	uint64_t now = ctl_now_ns();
	int rc;

	if (t->read_ns && now - t->read_ns < CTL_DP_READ_MIN_MS * 1000000ull)
		return t->up ? 0 : -EAGAIN;
	t->read_ns = now;
	t->up = false;
	/* Streams a replay or an adoption has not reached yet would look
	 * gone: read once they have. */
	if (!ctl_ring_ready(&ctl->ring) || ctl->replay_pending ||
	    ctl->adopt_pending)
		return ctl->ring.shm ? -EHOSTDOWN : -ENOTCONN;
	rc = read_dataplane(ctl, t);
	t->up = rc == 0;
	return rc;
}

/* The totals, in place: a delete must not cost a pass over every
 * stream. sign -1 takes s's reading away, +1 adds it. */
static void shift(struct ctl_dp_counters *t, const struct ctl_dp_seen *s,
		  int sign)
{
	for (unsigned k = 0; k < AEGW_SC_COUNT; k++) {
		uint64_t v = sign > 0 ? s->c[k] : (uint64_t)0 - s->c[k];

		t->in[s->in][k] += v;
		t->out[s->out][k] += v;
		t->by_worker[s->worker][k] += v;
	}
}

void ctl_dp_counters_final(struct ctl_dp_counters *t, const struct ctl *ctl,
			   const struct aegw_evt *e)
{
	struct ctl_dp_seen now, *was;

	seen_of(ctl, ctl->ring.n_workers ? ctl->ring.n_workers : 1, e, &now);
	was = seen_find(t, now.id);
	if (!was) {
		/* Never read (a call shorter than the scrapes apart): what
		 * it did goes straight to the streams gone. */
		keep_gone(t, &now);
		shift(t, &now, 1);
		return;
	}
	/* The next reading finds it gone and keeps this one; a stream that
	 * counted anew since leaves its old count behind. */
	if (restarted(was, &now))
		keep_gone(t, was);
	else
		shift(t, was, -1);
	shift(t, &now, 1);
	now.gen = was->gen;
	*was = now;
}

void ctl_dp_counters_free(struct ctl_dp_counters *t)
{
	free(t->seen);
	free(t->slot);
	t->seen = NULL;
	t->slot = NULL;
	t->n_seen = t->cap_seen = t->n_slots = 0;
}
