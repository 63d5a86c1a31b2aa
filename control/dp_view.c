/* The dataplane's streams as one DUMP per worker reports them. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "dp_view.h"

struct collect {
	struct ctl_dp_view *v;
	unsigned worker;
	int rc;
};

static void on_stream(void *arg, const struct aegw_evt *evt)
{
	struct collect *c = arg;
	struct ctl_dp_view *v = c->v;

	if (evt->type == AEGW_EVT_WORKER)
		memcpy(v->worker[c->worker], evt->counters,
		       sizeof(v->worker[c->worker]));
	if (evt->type != AEGW_EVT_STREAM || c->rc)
		return;
	if (v->n == v->cap) {
		size_t cap = v->cap ? 2 * v->cap : 256;
		struct aegw_evt *p = realloc(v->evt, cap * sizeof(*p));

		if (!p) {
			c->rc = -ENOMEM;
			return;
		}
		v->evt = p;
		v->cap = cap;
	}
	v->evt[v->n++] = *evt;
}

static int by_id(const void *a, const void *b)
{
	uint32_t x = ((const struct aegw_evt *)a)->stream_id,
		 y = ((const struct aegw_evt *)b)->stream_id;

	return x < y ? -1 : x > y;
}

int ctl_dp_view_read(struct ctl *ctl, struct ctl_dp_view *v)
{
	struct collect c = { v, 0, 0 };
	int first = 0;

	if (!ctl->ring.shm)
		return -ENOTCONN;
	v->n_workers = ctl->ring.n_workers;
	for (unsigned w = 0; w < ctl->ring.n_workers; w++) {
		struct aegw_cmd cmd = { .type = AEGW_CMD_DUMP };
		int rc;

		c.worker = w;
		rc = ctl_ring_exec(&ctl->ring, w, &cmd, on_stream, &c);
		if (!first)
			first = c.rc ? c.rc : rc;
	}
	if (v->n)
		qsort(v->evt, v->n, sizeof(*v->evt), by_id);
	v->complete = first == 0;
	return first;
}

void ctl_dp_view_free(struct ctl_dp_view *v)
{
	free(v->evt);
	memset(v, 0, sizeof(*v));
}

const struct aegw_evt *ctl_dp_view_find(const struct ctl_dp_view *v,
					uint32_t id)
{
	struct aegw_evt key = { .stream_id = id };

	if (!v->n)
		return NULL;
	return bsearch(&key, v->evt, v->n, sizeof(*v->evt), by_id);
}
