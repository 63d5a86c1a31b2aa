/* Prometheus metrics: the daemon's counters and the dataplane's in the
 * text exposition format (0.0.4), served on HTTP GET /metrics at
 * --listen-metrics by libmicrohttpd. MHD runs no thread of its own: its
 * epoll fd sits in the daemon's epoll set and MHD_run is called from the
 * loop, because struct ctl belongs to the loop's thread. Control thread
 * only. */
#ifndef CTL_METRICS_H
#define CTL_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ctl.h"
#include "dp_counters.h"

enum {
	/* A scraper that stalls holds a connection this long at most, and
	 * this many stalled ones leave the daemon alone (MHD stops
	 * accepting). */
	CTL_METRICS_CONNS_MAX = 16,
	CTL_METRICS_CONN_TIMEOUT_S = 5,
	CTL_METRICS_IDLE_RUN_MS = 1000, /* MHD_run at least this often */
};

#define CTL_METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

struct ctl_metrics;

/* Listens on ctl->opt.metrics (metrics_on false: *out stays NULL, 0) and
 * adds MHD's epoll fd to epfd. 0, or -1 with the reason in err (an
 * address that cannot be bound is fatal, as for the ng listeners). */
int ctl_metrics_open(struct ctl_metrics **out, struct ctl *ctl, int epfd,
		     char *err, size_t errlen);
/* Closes the listener and every connection. NULL is fine. */
void ctl_metrics_close(struct ctl_metrics *m);

/* An epoll event: handled when data.ptr is the server's (true). m may be
 * NULL. */
bool ctl_metrics_event(struct ctl_metrics *m, void *ptr, uint32_t events);
/* The loop's epoll_wait timeout: ms, or less when MHD has to run sooner
 * (a connection's timeout, work it left pending). */
int ctl_metrics_wait_ms(struct ctl_metrics *m, int ms);
/* After each epoll_wait: runs MHD if the time it asked for has come, or
 * CTL_METRICS_IDLE_RUN_MS went by without a run. */
void ctl_metrics_run_due(struct ctl_metrics *m);
/* Each loop turn: moves a reading of the dataplane on, and once it is
 * done, answers the scrapes that waited for it. */
void ctl_metrics_progress(struct ctl_metrics *m);

/* The exposition text of ctl and of the dataplane's counters dp into f.
 * dp NULL or not up: the dataplane's series are left out, and
 * aegw_dataplane_up says 0. */
void ctl_metrics_text(FILE *f, const struct ctl *ctl,
		      const struct ctl_dp_counters *dp);

#endif
