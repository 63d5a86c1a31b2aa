/* The event loop. Everything runs on this thread: ng requests, control
 * socket requests, metrics scrapes, ring commands (which wait for their
 * ACK), ticks. */
#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "ctl_socket.h"
#include "log.h"
#include "loop.h"
#include "metrics.h"
#include "ng_server.h"

static int next_timeout_ms(uint64_t next_tick_ns)
{
	uint64_t now = ctl_now_ns();

	return now >= next_tick_ns ? 0 :
				     (int)((next_tick_ns - now) / 1000000 + 1);
}

struct servers {
	struct ng_server *ng;
	struct ctl_sock *sock;
	struct ctl_metrics *metrics;
};

static void event(const struct servers *s, const struct epoll_event *ev)
{
	if (!ctl_sock_event(s->sock, ev->data.ptr, ev->events) &&
	    !ctl_metrics_event(s->metrics, ev->data.ptr, ev->events))
		ng_server_event(s->ng, ev->data.ptr, ev->events);
}

int ctl_loop_run(struct ctl *ctl, volatile sig_atomic_t *stop)
{
	struct epoll_event evs[64];
	struct servers s = { 0 };
	uint64_t next_tick = 0;
	char err[256];
	int epfd = epoll_create1(EPOLL_CLOEXEC), rc = -1;

	if (epfd < 0 || ng_server_open(&s.ng, ctl, epfd, err, sizeof(err)) ||
	    ctl_metrics_open(&s.metrics, ctl, epfd, err, sizeof(err)) ||
	    ctl_sock_open(&s.sock, ctl, s.ng, epfd, err, sizeof(err))) {
		ctl_log(CTL_LOG_ERR, "%s", epfd < 0 ? strerror(errno) : err);
		goto out;
	}
	ctl_tick(ctl); /* attach (and adopt) before the first request */
	next_tick = ctl_now_ns() + CTL_TICK_MS * 1000000ull;
	while (!*stop) {
		int n = epoll_wait(epfd, evs, 64,
				   ctl_metrics_wait_ms(s.metrics,
						       next_timeout_ms(next_tick)));

		for (int i = 0; i < n; i++)
			event(&s, &evs[i]);
		ctl_metrics_progress(s.metrics);
		ctl_metrics_run_due(s.metrics);
		if (ctl_now_ns() >= next_tick) {
			ctl_tick(ctl);
			next_tick = ctl_now_ns() + CTL_TICK_MS * 1000000ull;
		}
		ctl_log_flush(); /* before the loop sleeps */
	}
	rc = 0;
out:
	ctl_sock_close(s.sock);
	ctl_metrics_close(s.metrics);
	ng_server_close(s.ng);
	if (epfd >= 0)
		close(epfd);
	return rc;
}
