/* Streams a previous control left: kept, paired with their reverses,
 * read now and then, and removed once their peers fell silent. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "adopted.h"
#include "ctl.h"
#include "log.h"
#include "streams.h"
#include "timeout.h"

bool ctl_adopted_add(struct ctl *ctl, const struct aegw_evt *e)
{
	struct ctl_adopted *t = &ctl->adopted;
	int i = ctl_iface_index_of(ctl, &e->local);
	bool reserved = i >= 0 &&
			ctl_pool_reserve(&ctl->ifaces[i].pool, e->local.port);

	if (t->n == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 256;
		struct ctl_adopted_stream *s = realloc(t->s, cap * sizeof(*s));

		if (!s)
			return false;
		t->s = s;
		t->cap = cap;
	}
	t->s[t->n++] = (struct ctl_adopted_stream){
		.id = e->stream_id,
		.iface = (int16_t)(reserved ? i : -1),
		.is_static = e->flags & AEGW_STREAM_STATIC,
		.local = e->local,
		.egress_src = e->egress_src,
		.active_ns = ctl_now_ns(),
	};
	t->live++;
	return true;
}

static int ep_cmp(const struct aegw_endpoint *a, const struct aegw_endpoint *b)
{
	int d = memcmp(a->ip, b->ip, sizeof(a->ip));

	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	if (d)
		return d;
	return (a->port > b->port) - (a->port < b->port);
}

struct by_local {
	struct aegw_endpoint local;
	size_t at;
};

static int by_local_cmp(const void *a, const void *b)
{
	return ep_cmp(&((const struct by_local *)a)->local,
		      &((const struct by_local *)b)->local);
}

static const struct by_local *local_find(const struct by_local *v, size_t n,
					 const struct aegw_endpoint *ep)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int d = ep_cmp(&v[mid].local, ep);

		if (!d)
			return &v[mid];
		if (d < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* A call's two streams name each other: each one's egress source is the
 * other's local end. Only such mutual pairs are joined; static streams
 * never (two of them may name each other: a two-way relay by hand). */
void ctl_adopted_pair(struct ctl_adopted *t)
{
	struct by_local *v = t->n ? malloc(t->n * sizeof(*v)) : NULL;

	if (!v)
		return; /* each stream judged alone */
	for (size_t i = 0; i < t->n; i++)
		v[i] = (struct by_local){ t->s[i].local, i };
	qsort(v, t->n, sizeof(*v), by_local_cmp);
	for (size_t i = 0; i < t->n; i++) {
		struct ctl_adopted_stream *a = &t->s[i], *b;
		const struct by_local *f;

		if (!a->id || a->reverse || a->is_static)
			continue;
		f = local_find(v, t->n, &a->egress_src);
		if (!f || f->at == i)
			continue;
		b = &t->s[f->at];
		if (!b->id || b->reverse || b->is_static ||
		    ep_cmp(&b->egress_src, &a->local))
			continue;
		a->reverse = (uint32_t)f->at + 1;
		b->reverse = (uint32_t)i + 1;
		a->paired = b->paired = true;
	}
	free(v);
}

struct ctl_adopted_stream *ctl_adopted_find(struct ctl_adopted *t,
					    uint32_t id)
{
	for (size_t i = 0; id && i < t->n; i++)
		if (t->s[i].id == id)
			return &t->s[i];
	return NULL;
}

/* The entry goes and its pair goes back to its pool; a reverse it had
 * stays, judged alone from its next read on: the reading the two shared
 * no longer fits it, so that read counts as a move and its silence
 * starts there. */
static void drop(struct ctl *ctl, struct ctl_adopted_stream *a)
{
	struct ctl_adopted *t = &ctl->adopted;

	if (a->reverse) {
		struct ctl_adopted_stream *r = &t->s[a->reverse - 1];

		r->reverse = 0;
		r->seen = 0;
		if (r->active_ns < a->active_ns)
			r->active_ns = a->active_ns;
		r->next_sample_ns = 0;
	}
	if (a->iface >= 0)
		ctl_pool_put(&ctl->ifaces[a->iface].pool, a->local.port);
	memset(a, 0, sizeof(*a));
	t->live--;
}

bool ctl_adopted_forget(struct ctl *ctl, uint32_t id)
{
	struct ctl_adopted_stream *a = ctl_adopted_find(&ctl->adopted, id);

	if (!a)
		return false;
	drop(ctl, a);
	return true;
}

void ctl_adopted_drop_all(struct ctl *ctl)
{
	struct ctl_adopted *t = &ctl->adopted;
	size_t n = t->live;

	for (size_t i = 0; i < t->n; i++)
		if (t->s[i].iface >= 0 && t->s[i].id)
			ctl_pool_put(&ctl->ifaces[t->s[i].iface].pool,
				     t->s[i].local.port);
	ctl_adopted_free(t);
	if (n)
		ctl_log(CTL_LOG_INFO, "%zu stream(s) of a previous control "
			"gone with the dataplane; their ports are free", n);
}

void ctl_adopted_free(struct ctl_adopted *t)
{
	free(t->s);
	memset(t, 0, sizeof(*t));
}

/* The pair's two streams (r NULL: a alone) as a COUNTERS batch wants
 * them. */
static void pair_of(const struct ctl_adopted_stream *a,
		    const struct ctl_adopted_stream *r, uint32_t id[2],
		    uint16_t port[2])
{
	id[0] = a->id;
	port[0] = a->local.port;
	id[1] = r ? r->id : 0;
	port[1] = r ? r->local.port : 0;
}

/* Reads the pair. A stream the dataplane no longer has goes from the
 * table. False when a read waited and failed (a worker that stopped
 * answering). */
static bool sample(struct ctl *ctl, struct ctl_adopted_stream *a,
		   struct ctl_adopted_stream *r, uint64_t now)
{
	struct ctl_adopted_stream *both[2] = { a, r };
	uint32_t id[2];
	uint16_t port[2];
	struct ctl_counts k;
	uint64_t sum = 0;
	bool unread = false, in_vain = false;

	pair_of(a, r, id, port);
	ctl_ring_limit_waits(&ctl->ring,
			     CTL_TIMEOUT_READ_WAIT_MS * 1000000ull);
	ctl_stream_pair_counters(ctl, id, port, &k, false);
	ctl_ring_limit_waits(&ctl->ring, 0);
	for (unsigned j = 0; j < 2 && id[j]; j++) {
		unread |= !k.have[j];
		in_vain |= k.rc[j] && k.rc[j] != -EINPROGRESS &&
			   k.rc[j] != AEGW_ERR_NOT_FOUND;
		sum += ctl_timeout_peer_packets(k.c[j]);
	}
	if (unread || sum != a->seen)
		a->active_ns = now;
	a->seen = sum;
	for (unsigned j = 2; j-- > 0;)
		if (id[j] && k.rc[j] == AEGW_ERR_NOT_FOUND) {
			ctl_log(CTL_LOG_INFO, "stream %u of a previous control "
				"is no longer in the dataplane", id[j]);
			drop(ctl, both[j]);
		}
	return !in_vain;
}

/* Both go in one round trip, their last counters into the metrics'
 * totals. A stream whose REMOVE failed (a full ring, no ACK) may still
 * run: it stays, its port reserved, for the next lap. */
static void reap(struct ctl *ctl, struct ctl_adopted_stream *a,
		 struct ctl_adopted_stream *r)
{
	struct ctl_adopted_stream *both[2] = { a, r };
	uint32_t id[2];
	uint16_t port[2];
	struct ctl_counts k;

	pair_of(a, r, id, port);
	ctl_stream_pair_counters(ctl, id, port, &k, true);
	for (unsigned j = 2; j-- > 0;) {
		if (!id[j] || (k.rm_rc[j] && k.rm_rc[j] != AEGW_ERR_NOT_FOUND))
			continue;
		if (k.rm_rc[j]) {
			ctl_log(CTL_LOG_INFO, "stream %u of a previous control "
				"is no longer in the dataplane", id[j]);
		} else {
			ctl_log(CTL_LOG_INFO, "stream %u of a previous control "
				"removed: media timeout", id[j]);
			ctl->stats.adopted_reaped++;
		}
		drop(ctl, both[j]);
	}
}

/* One entry of the walk: the pair's leader (the lower index) reads and
 * judges for both; one whose reverse went, for itself. One that never
 * paired is no call's (a static stream that did not fit back): it is
 * kept. */
static void visit(struct ctl *ctl, size_t i, uint64_t now, bool *readable)
{
	struct ctl_adopted *t = &ctl->adopted;
	struct ctl_adopted_stream *a = &t->s[i], *r;
	uint64_t since;

	if (!a->id || !a->paired || (a->reverse && a->reverse - 1 < i) ||
	    now < a->next_sample_ns)
		return;
	r = a->reverse ? &t->s[a->reverse - 1] : NULL;
	a->next_sample_ns = now + CTL_TIMEOUT_SAMPLE_MS * 1000000ull;
	if (!sample(ctl, a, r, now)) {
		*readable = false;
		return;
	}
	if (!a->id) /* gone from the dataplane */
		return;
	r = a->reverse ? &t->s[a->reverse - 1] : NULL;
	since = a->active_ns > ctl->blind_ns ? a->active_ns : ctl->blind_ns;
	if (now > since && now - since >= ctl->opt.timeout_s * 1000000000ull)
		reap(ctl, a, r);
}

/* Its own budget, from when it starts: the calls' walk before it may
 * have used the tick's time already. At most one lap a tick. */
void ctl_adopted_walk(struct ctl *ctl, uint64_t now, bool readable)
{
	struct ctl_adopted *t = &ctl->adopted;
	uint64_t stop = ctl_now_ns() + CTL_ADOPTED_TICK_BUDGET_US * 1000ull;
	size_t n = t->n < CTL_ADOPTED_VISITS_PER_TICK ?
			   t->n : CTL_ADOPTED_VISITS_PER_TICK;

	if (!t->live && t->s)
		ctl_adopted_free(t); /* entries only go: the last one went */
	if (!readable || !ctl->opt.timeout_s)
		return;
	while (t->live && n-- && readable && ctl_now_ns() < stop) {
		if (t->cursor >= t->n)
			t->cursor = 0;
		visit(ctl, t->cursor++, now, &readable);
	}
}
