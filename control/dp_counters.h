/* The dataplane's counters as totals for export (metrics.h): its streams'
 * counters summed by the interface they arrive on, the interface they
 * leave by and the worker that owns them, and each worker's own counters,
 * read with one DUMP of every worker, folded in as its events arrive.
 *
 * Streams come and go: a sum over the live ones would drop when a call
 * ends, which a Prometheus counter must never do. So each stream's last
 * reading is kept, and once the stream is gone (or its counters started
 * again: installed anew, a new dataplane) that reading stays in the
 * totals. The totals count from this daemon's start and only grow. A
 * delete reads its streams' counters as it removes them, and that last
 * reading goes in too (ctl_dp_counters_final), so a call shorter than
 * the time between two scrapes is counted whole.
 * The workers' own counters are the dataplane's, from its start.
 * Control thread only. */
#ifndef CTL_DP_COUNTERS_H
#define CTL_DP_COUNTERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aegw/ring.h"
#include "options.h"

struct ctl;
struct ctl_dp_view;

enum {
	/* A DUMP walks every stream, with the loop waiting: scrapes closer
	 * together than this get the previous reading. */
	CTL_DP_READ_MIN_MS = 1000,
	CTL_DP_NO_IFACE = CTL_MAX_IFACES, /* an address no --interface has */
};

struct ctl_dp_seen; /* a stream's last reading */

struct ctl_dp_counters {
	bool up;                 /* the last reading was complete */
	uint64_t read_ns;        /* when it was tried; 0: never */
	unsigned n_workers;
	unsigned streams[AEGW_RING_MAX_WORKERS]; /* in the dataplane now */
	uint64_t worker[AEGW_RING_MAX_WORKERS][AEGW_WC_COUNT];
	/* Streams' counters (AEGW_SC_*), totals: by interface index
	 * (ctl->ifaces; CTL_DP_NO_IFACE) where they arrive and where they
	 * leave, and by worker. */
	uint64_t in[CTL_MAX_IFACES + 1][AEGW_SC_COUNT];
	uint64_t out[CTL_MAX_IFACES + 1][AEGW_SC_COUNT];
	uint64_t by_worker[AEGW_RING_MAX_WORKERS][AEGW_SC_COUNT];
	/* What the totals hold of streams that are gone, and the last
	 * reading of those that are not (by id). */
	uint64_t gone_in[CTL_MAX_IFACES + 1][AEGW_SC_COUNT];
	uint64_t gone_out[CTL_MAX_IFACES + 1][AEGW_SC_COUNT];
	uint64_t gone_worker[AEGW_RING_MAX_WORKERS][AEGW_SC_COUNT];
	struct ctl_dp_seen *seen; /* dense; indexed by id in slot */
	size_t n_seen, cap_seen;
	uint64_t *slot;
	size_t n_slots;
	uint32_t gen;             /* readings so far */
};

/* Reads the dataplane into t (zeroed by the caller before the first
 * read), unless the last try was less than CTL_DP_READ_MIN_MS ago. 0 when
 * t->up: attached, beating, every worker dumped; else a ctl_ring_exec
 * result, and t->up is false until a read succeeds. */
int ctl_dp_counters_read(struct ctl *ctl, struct ctl_dp_counters *t);

/* Takes one complete view into t: what ctl_dp_counters_read does after
 * the DUMP. 0, or -ENOMEM (t unchanged). */
int ctl_dp_counters_fold(struct ctl_dp_counters *t, const struct ctl *ctl,
			 const struct ctl_dp_view *v);

/* A stream's counters read as it was removed (a COUNTERS event, in the
 * same batch as its REMOVE): they replace its last reading, or go into
 * the totals of streams gone when it was never read. */
void ctl_dp_counters_final(struct ctl_dp_counters *t, const struct ctl *ctl,
			   const struct aegw_evt *e);

void ctl_dp_counters_free(struct ctl_dp_counters *t);

#endif
