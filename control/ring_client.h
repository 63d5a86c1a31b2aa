/* The control side of the command ring (docs/RING.md): attaching to the
 * dataplane's object, sending a command to a worker and waiting for its
 * acknowledgement, and watching the epoch and heartbeat so that a new
 * dataplane gets every stream again. Control thread only: it is the one
 * producer of every command ring. */
#ifndef CTL_RING_CLIENT_H
#define CTL_RING_CLIENT_H

#include <stdbool.h>
#include <stdint.h>

#include "aegw/ring.h"

enum {
	CTL_RING_ACK_TIMEOUT_MS = 1000,
	CTL_RING_SPIN_NS = 50000,     /* an ACK's wait: spin, then yield */
	CTL_RING_YIELD_NS = 2000000,  /* then sleep */
	CTL_RING_HEARTBEAT_STALE_MS = 2000, /* the dataplane beats every 100 */
	CTL_RING_ATTACH_RETRY_MS = 1000,
};

struct ctl_ring_waiter; /* a fiber's commands out (ring_client.c) */

typedef void ctl_ring_evt_fn(void *arg, const struct aegw_evt *evt);

struct ctl_ring {
	char instance[AEGW_INSTANCE_MAX + 1];
	struct aegw_shm *shm;   /* NULL while no dataplane is attached */
	uint64_t epoch;
	unsigned n_workers;
	uint64_t next_attach_ns;
	bool attached_before;   /* any later attach is to a new dataplane */
	uint64_t sent, refused, timeouts;
	/* Backpressure: commands that found their worker's ring full and
	 * waited, and those given up (-EBUSY) when it stayed full. */
	uint64_t full_waits, busy;
	struct ctl_ring_waiter *waiters; /* fibers waiting for ACKs */
	/* Commands that timed out and whose ACK has not come yet, per
	 * worker: one still owing some is stalled or far behind. */
	uint32_t overdue[AEGW_RING_MAX_WORKERS];
	uint64_t overdue_gen;   /* moves when a new dataplane zeroes them */
	uint64_t wait_limit_ns; /* ctl_ring_limit_waits; 0: no limit */
	/* Where EVT_READING and EVT_RTCP events go, whenever the rings
	 * are drained (a wait for an ACK included); NULL: dropped. */
	ctl_ring_evt_fn *on_event;
	void *event_arg;
};

/* What ctl_ring_poll found. */
enum ctl_ring_change {
	CTL_RING_SAME,
	CTL_RING_ATTACHED,      /* first attach: streams may be left from a
				 * previous control */
	CTL_RING_NEW_DATAPLANE, /* a dataplane with no streams: replay */
};

void ctl_ring_init(struct ctl_ring *r, const char *instance);
void ctl_ring_fini(struct ctl_ring *r);

/* Attached and beating. */
bool ctl_ring_ready(const struct ctl_ring *r);
/* Milliseconds since the last heartbeat, or -1 when not attached. */
int64_t ctl_ring_heartbeat_age_ms(const struct ctl_ring *r);

/* Once per loop tick: (re)attaches, notices a new epoch, drains the event
 * rings (readings and RTCP reports go to on_event, other spontaneous events are
 * logged). */
enum ctl_ring_change ctl_ring_poll(struct ctl_ring *r);

/* Sends cmd to worker and waits for its ACK; the events the worker sends
 * for it first (DUMP, COUNTERS) go to on_evt (may be NULL). Returns 0, the
 * enum aegw_err the worker refused it with (> 0), or -errno: -ENOTCONN
 * (no dataplane), -EHOSTDOWN (no heartbeat), -EBUSY (ring full for the
 * whole timeout), -ETIMEDOUT (no ACK), -EINPROGRESS (not sent: see
 * ctl_ring_limit_waits). cmd's keys are wiped in every
 * case. */
int ctl_ring_exec(struct ctl_ring *r, unsigned worker, struct aegw_cmd *cmd,
		  ctl_ring_evt_fn *on_evt, void *arg);

/* The same for n commands to one worker: all are sent, then every ACK
 * waited for, so that they cost one round trip; the worker runs them in
 * order. rcs[i] is cmds[i]'s result as ctl_ring_exec's (a command after
 * one that could not be sent gets that one's). Returns the first
 * failure, or 0. Every key is wiped. */
int ctl_ring_exec_many(struct ctl_ring *r, unsigned worker,
		       struct aegw_cmd *cmds, unsigned n, int *rcs,
		       ctl_ring_evt_fn *on_evt, void *arg);

/* On a fiber (fiber.h), ctl_ring_exec and ctl_ring_exec_many send and
 * then wait on the fiber, not on the loop: the loop calls this to poll
 * the event rings, hand each event to the fiber whose command it answers,
 * and resume each fiber whose commands are all answered (or timed out).
 * True when an event came. */
bool ctl_ring_dispatch(struct ctl_ring *r);
/* How a wait for the dataplane goes on after waited_ns without news:
 * spinning, then yielding the CPU, then sleeping. */
void ctl_ring_backoff(uint64_t waited_ns);

/* Best-effort commands, until called again with 0: each wait lasts
 * wait_ns at most (not the ACK timeout), and a worker that still owes
 * the ACK of a command that timed out is not sent more (-EINPROGRESS at
 * once). For the loop's periodic reads, which a stalled worker must not
 * make hold up the requests behind them. */
void ctl_ring_limit_waits(struct ctl_ring *r, uint64_t wait_ns);

/* Text for a ctl_ring_exec result. */
const char *ctl_ring_strerror(int rc);

uint64_t ctl_now_ns(void); /* CLOCK_MONOTONIC */

#endif
