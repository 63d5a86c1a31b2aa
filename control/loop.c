/* The event loop. Everything runs on this thread: ng requests, control
 * socket requests, ring commands (which wait for their ACK), ticks. */
#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "ctl_socket.h"
#include "log.h"
#include "loop.h"
#include "ng_server.h"

static int next_timeout_ms(uint64_t next_tick_ns)
{
	uint64_t now = ctl_now_ns();

	return now >= next_tick_ns ? 0 :
				     (int)((next_tick_ns - now) / 1000000 + 1);
}

int ctl_loop_run(struct ctl *ctl, volatile sig_atomic_t *stop)
{
	struct epoll_event evs[64];
	struct ng_server *srv = NULL;
	struct ctl_sock *cs = NULL;
	uint64_t next_tick = 0;
	char err[256];
	int epfd = epoll_create1(EPOLL_CLOEXEC), rc = -1;

	if (epfd < 0 || ng_server_open(&srv, ctl, epfd, err, sizeof(err)) ||
	    ctl_sock_open(&cs, ctl, epfd, err, sizeof(err))) {
		ctl_log(CTL_LOG_ERR, "%s", epfd < 0 ? strerror(errno) : err);
		goto out;
	}
	ctl_tick(ctl); /* attach (and adopt) before the first request */
	next_tick = ctl_now_ns() + CTL_TICK_MS * 1000000ull;
	while (!*stop) {
		int n = epoll_wait(epfd, evs, 64, next_timeout_ms(next_tick));

		for (int i = 0; i < n; i++)
			if (!ctl_sock_event(cs, evs[i].data.ptr, evs[i].events))
				ng_server_event(srv, evs[i].data.ptr,
						evs[i].events);
		if (ctl_now_ns() >= next_tick) {
			ctl_tick(ctl);
			next_tick = ctl_now_ns() + CTL_TICK_MS * 1000000ull;
		}
	}
	rc = 0;
out:
	ctl_sock_close(cs);
	ng_server_close(srv);
	if (epfd >= 0)
		close(epfd);
	return rc;
}
