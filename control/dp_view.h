/* The dataplane's own view of its streams: a DUMP of every worker
 * (addresses, action, the latched peer and counters; never keys), sorted
 * by stream id. The admin listing joins it to the calls, and uninstall
 * finds there the streams no call owns. Control thread only. */
#ifndef CTL_DP_VIEW_H
#define CTL_DP_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aegw/ring.h"

struct ctl;

struct ctl_dp_view {
	struct aegw_evt *evt;   /* AEGW_EVT_STREAM, by stream_id */
	size_t n, cap;
	bool complete;          /* every worker answered */
	/* Each worker's own counters (AEGW_WC_*), which end its dump. */
	unsigned n_workers;
	uint64_t worker[AEGW_RING_MAX_WORKERS][AEGW_WC_COUNT];
};

/* Fills v (zeroed by the caller) from every worker: its streams and its
 * own counters. 0, or the first
 * failure of ctl_ring_exec (what was read stays in v); -ENOMEM. */
int ctl_dp_view_read(struct ctl *ctl, struct ctl_dp_view *v);
void ctl_dp_view_free(struct ctl_dp_view *v);

/* The stream with that id, or NULL. */
const struct aegw_evt *ctl_dp_view_find(const struct ctl_dp_view *v,
					uint32_t id);

#endif
