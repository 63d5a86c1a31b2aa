/* The daemon's one event loop: epoll over the ng sockets, the control
 * socket and the metrics server, and a tick every CTL_TICK_MS for the
 * ring (epoch, heartbeat, events) and the cache. */
#ifndef CTL_LOOP_H
#define CTL_LOOP_H

#include <signal.h>

#include "ctl.h"

enum { CTL_TICK_MS = 100 };

/* Runs until *stop is set (by a signal handler). 0, or -1 when the
 * listeners cannot be opened (the reason is logged). */
int ctl_loop_run(struct ctl *ctl, volatile sig_atomic_t *stop);

#endif
