/* The dataplane's counters summed per interface and per worker, kept
 * from going down when streams go (dp_counters.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "dp_counters.h"
#include "dp_view.h"

struct ctl_dp_seen {
	uint32_t id;
	uint8_t in, out, worker; /* interface indexes, worker */
	uint64_t c[AEGW_SC_COUNT];
};

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

/* Every stream of the last reading that is not in now[0..n) (both by
 * id), or is there counting anew, leaves its last counts behind. */
static void retire(struct ctl_dp_counters *t, const struct ctl_dp_seen *now,
		   size_t n)
{
	size_t j = 0;

	for (size_t i = 0; i < t->n_seen; i++) {
		const struct ctl_dp_seen *was = &t->seen[i];

		while (j < n && now[j].id < was->id)
			j++;
		if (j < n && now[j].id == was->id && !restarted(was, &now[j]))
			continue;
		keep_gone(t, was);
	}
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

int ctl_dp_counters_fold(struct ctl_dp_counters *t, const struct ctl *ctl,
			 const struct ctl_dp_view *v)
{
	unsigned workers = v->n_workers ? v->n_workers : 1;
	struct ctl_dp_seen *now = malloc((v->n ? v->n : 1) * sizeof(*now));

	if (!now)
		return -ENOMEM;
	for (size_t i = 0; i < v->n; i++)
		seen_of(ctl, workers, &v->evt[i], &now[i]);
	retire(t, now, v->n);
	free(t->seen);
	t->seen = now;
	t->n_seen = v->n;
	sum(t);
	t->n_workers = v->n_workers;
	memcpy(t->worker, v->worker, sizeof(t->worker));
	return 0;
}

int ctl_dp_counters_read(struct ctl *ctl, struct ctl_dp_counters *t)
{
	struct ctl_dp_view v = { 0 };
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
	rc = ctl_dp_view_read(ctl, &v);
	if (!rc)
		rc = ctl_dp_counters_fold(t, ctl, &v);
	ctl_dp_view_free(&v);
	t->up = rc == 0;
	return rc;
}

static int seen_cmp(const void *key, const void *elem)
{
	uint32_t id = *(const uint32_t *)key;
	const struct ctl_dp_seen *s = elem;

	return id < s->id ? -1 : id > s->id;
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
	was = t->seen ? bsearch(&now.id, t->seen, t->n_seen, sizeof(*t->seen),
				seen_cmp) : NULL;
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
	*was = now;
}

void ctl_dp_counters_free(struct ctl_dp_counters *t)
{
	free(t->seen);
	t->seen = NULL;
	t->n_seen = 0;
}
