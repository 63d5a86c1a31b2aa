/* Ring client: attach, send-and-wait, epoch and heartbeat. A worker
 * answers between two bursts, so an ACK takes microseconds, and the
 * daemon has nothing else to do before it can answer the P-CSCF: the wait
 * spins, then yields, and sleeps only once the ACK is late. */
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "fiber.h"
#include "log.h"
#include "ring_client.h"

uint64_t ctl_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void ctl_ring_init(struct ctl_ring *r, const char *instance)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->instance, sizeof(r->instance), "%s", instance);
}

void ctl_ring_fini(struct ctl_ring *r)
{
	if (r->shm)
		aegw_shm_detach(r->shm);
	r->shm = NULL;
}

int64_t ctl_ring_heartbeat_age_ms(const struct ctl_ring *r)
{
	uint64_t hb, now;

	if (!r->shm)
		return -1;
	hb = aegw_shm_heartbeat_ns(r->shm);
	now = ctl_now_ns();
	return now > hb ? (int64_t)((now - hb) / 1000000) : 0;
}

bool ctl_ring_ready(const struct ctl_ring *r)
{
	int64_t age = ctl_ring_heartbeat_age_ms(r);

	/* A new epoch is a dataplane this daemon has not replayed into
	 * yet (ctl_ring_poll notices it): not ready until then. */
	return age >= 0 && age < CTL_RING_HEARTBEAT_STALE_MS &&
	       aegw_shm_epoch(r->shm) == r->epoch;
}

/* A new dataplane owes nothing: its rings are new. A wait that began
 * before (a scrape's DUMP on its fiber) and times out after must not
 * count against it, so the counts carry a generation. */
static void forget_overdue(struct ctl_ring *r)
{
	memset(r->overdue, 0, sizeof(r->overdue));
	r->overdue_gen++;
}

static int try_attach(struct ctl_ring *r)
{
	int rc = aegw_shm_attach(r->instance, &r->shm);

	if (rc) {
		r->shm = NULL;
		r->next_attach_ns = ctl_now_ns() +
				    CTL_RING_ATTACH_RETRY_MS * 1000000ull;
		return rc;
	}
	r->epoch = aegw_shm_epoch(r->shm);
	r->n_workers = aegw_shm_n_workers(r->shm);
	forget_overdue(r);
	ctl_log(CTL_LOG_INFO, "attached to dataplane '%s': epoch %llu, pid "
		"%d, %u worker(s)", r->instance, (unsigned long long)r->epoch,
		aegw_shm_pid(r->shm), r->n_workers);
	return 0;
}

/* An event no one waits for: a reading, a latch, or what answers a
 * command that timed out (its ACK settles one the worker owed). */
static void spontaneous(struct ctl_ring *r, unsigned worker,
			const struct aegw_evt *evt)
{
	if (evt->type == AEGW_EVT_READING || evt->type == AEGW_EVT_RTCP) {
		if (r->on_event)
			r->on_event(r->event_arg, evt);
		return;
	}
	if (evt->type == AEGW_EVT_LATCHED) {
		ctl_log(CTL_LOG_DEBUG, "stream %u latched its peer",
			evt->stream_id);
		return;
	}
	if (evt->type == AEGW_EVT_ACK && r->overdue[worker])
		r->overdue[worker]--;
	ctl_log(CTL_LOG_DEBUG, "late %s event for command %llu",
		aegw_evt_type_name((enum aegw_evt_type)evt->type),
		(unsigned long long)evt->seq);
}

static bool deliver(struct ctl_ring *r, unsigned worker,
		    const struct aegw_evt *evt);

/* Every worker's events: each to the fiber waiting for it, the rest
 * logged. True when one came. */
static bool drain(struct ctl_ring *r)
{
	struct aegw_evt evt;
	bool moved = false;

	for (unsigned w = 0; r->shm && w < r->n_workers; w++) {
		while (aegw_ring_evt_recv(r->shm, w, &evt) == 0) {
			moved = true;
			if (!deliver(r, w, &evt))
				spontaneous(r, w, &evt);
		}
	}
	return moved;
}

/* A dataplane that exits with --unlink-at-exit leaves this process the
 * only one mapping its object: the epoch never moves, the heartbeat stops.
 * A new dataplane then makes a new object under the name; its pid tells
 * it apart. Checked once a second while the heartbeat is stale. */
static bool replaced(struct ctl_ring *r)
{
	struct aegw_shm *fresh;

	if (ctl_ring_ready(r) || ctl_now_ns() < r->next_attach_ns)
		return false;
	r->next_attach_ns = ctl_now_ns() + CTL_RING_ATTACH_RETRY_MS * 1000000ull;
	if (aegw_shm_attach(r->instance, &fresh))
		return false;
	if (aegw_shm_pid(fresh) == aegw_shm_pid(r->shm)) {
		aegw_shm_detach(fresh);
		return false;
	}
	aegw_shm_detach(r->shm);
	r->shm = fresh;
	r->epoch = aegw_shm_epoch(fresh);
	r->n_workers = aegw_shm_n_workers(fresh);
	forget_overdue(r);
	ctl_log(CTL_LOG_WARN, "dataplane '%s' replaced by a new one (pid %d, "
		"%u worker(s))", r->instance, aegw_shm_pid(fresh), r->n_workers);
	return true;
}

enum ctl_ring_change ctl_ring_poll(struct ctl_ring *r)
{
	uint64_t e;

	if (!r->shm) {
		if (ctl_now_ns() < r->next_attach_ns || try_attach(r))
			return CTL_RING_SAME;
		/* Only the first attach may find a previous control's
		 * streams. After a replaced object whose successor was not
		 * there at once (made in the meantime), this is that
		 * successor: it has none of this daemon's streams. */
		if (r->attached_before)
			return CTL_RING_NEW_DATAPLANE;
		r->attached_before = true;
		return CTL_RING_ATTACHED;
	}
	e = aegw_shm_epoch(r->shm);
	if (e == 0) {
		/* Replaced by a dataplane of another shape: map the new one. */
		ctl_log(CTL_LOG_WARN, "dataplane object replaced; attaching "
			"again");
		aegw_shm_detach(r->shm);
		r->shm = NULL;
		r->next_attach_ns = 0;
		r->attached_before = true;
		return try_attach(r) ? CTL_RING_SAME : CTL_RING_NEW_DATAPLANE;
	}
	if (e != r->epoch) {
		ctl_log(CTL_LOG_WARN, "dataplane restarted (epoch %llu -> "
			"%llu, pid %d)", (unsigned long long)r->epoch,
			(unsigned long long)e, aegw_shm_pid(r->shm));
		r->epoch = e;
		forget_overdue(r);
		return CTL_RING_NEW_DATAPLANE;
	}
	if (replaced(r))
		return CTL_RING_NEW_DATAPLANE;
	drain(r);
	return CTL_RING_SAME;
}

static void pause_us(unsigned us)
{
	struct timespec ts = { 0, (long)us * 1000 };

	nanosleep(&ts, NULL);
}

static int send_cmd(struct ctl_ring *r, unsigned worker, struct aegw_cmd *cmd,
		    uint64_t deadline)
{
	bool waited = false;
	int rc;

	while ((rc = aegw_ring_cmd_send(r->shm, worker, cmd)) == -EAGAIN) {
		if (!waited)
			r->full_waits++;
		waited = true;
		if (ctl_now_ns() > deadline) {
			r->busy++;
			return -EBUSY;
		}
		pause_us(20);
	}
	return rc;
}

/* A spin-wait hint: lets the sibling hyper-thread run, saves power. */
static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ volatile("yield");
#endif
}

/* How long a wait has lasted picks how it goes on: spinning while an
 * ACK is due (a nap costs 50 to 200 us of timer slack and wake-up here,
 * ten times an ACK), then yielding, which lets a worker sharing this CPU
 * run, then sleeping, so that a stalled dataplane costs no CPU. */
void ctl_ring_backoff(uint64_t waited_ns)
{
	if (waited_ns < CTL_RING_SPIN_NS)
		cpu_relax();
	else if (waited_ns < CTL_RING_YIELD_NS)
		sched_yield();
	else
		pause_us(20);
}

enum { PENDING = INT_MIN }; /* a sent command's result, until its ACK */

/* Commands sent to one worker and their results so far: on the stack of
 * whoever waits, in r->waiters while that is a fiber. */
struct ctl_ring_waiter {
	unsigned worker;
	const struct aegw_cmd *cmds;
	int *rcs;
	unsigned n, pending;
	uint64_t deadline;
	uint64_t limit;             /* the deadline's cap; 0: none */
	bool moved;                 /* an event came since the last look */
	bool done;                  /* answered or given up: resumed */
	ctl_ring_evt_fn *on_evt;
	void *arg;
	struct ctl_fiber *fiber;
	struct ctl_ring_waiter *next;
};

static int pending_index(const struct aegw_cmd *cmds, const int *rcs,
			 unsigned n, uint64_t seq)
{
	for (unsigned i = 0; i < n; i++)
		if (rcs[i] == PENDING && cmds[i].seq == seq)
			return (int)i;
	return -1;
}

/* evt, if it answers one of w's commands: an ACK is its result, what
 * comes before (DUMP, COUNTERS) goes to on_evt. */
static bool waiter_take(struct ctl_ring_waiter *w, const struct aegw_evt *evt)
{
	int i = pending_index(w->cmds, w->rcs, w->n, evt->seq);

	if (i < 0)
		return false;
	w->moved = true;
	if (evt->type == AEGW_EVT_ACK) {
		w->rcs[i] = evt->status;
		w->pending--;
	} else if (w->on_evt) {
		w->on_evt(w->arg, evt);
	}
	return true;
}

/* To the fiber whose command evt answers, if one waits for it. */
static bool deliver(struct ctl_ring *r, unsigned worker,
		    const struct aegw_evt *evt)
{
	for (struct ctl_ring_waiter *w = r->waiters; w; w = w->next)
		if (w->worker == worker && waiter_take(w, evt))
			return true;
	return false;
}

/* A DUMP streams events for as long as it has streams (a million take
 * about a second): the timeout and the backoff count from the last one,
 * or a long dump would time out, or nap between every ringful. A limited
 * wait (ctl_ring_limit_waits) still ends by its limit. */
static uint64_t extended(struct ctl_ring_waiter *w, uint64_t now)
{
	if (w->moved)
		w->deadline = now + CTL_RING_ACK_TIMEOUT_MS * 1000000ull;
	if (w->limit && w->deadline > w->limit)
		w->deadline = w->limit;
	w->moved = false;
	return w->deadline;
}

/* The loop's own wait (no fiber): polls the worker's events itself. */
static void wait_acks(struct ctl_ring *r, struct ctl_ring_waiter *w)
{
	uint64_t start = ctl_now_ns(), now;
	struct aegw_evt evt;

	for (;;) {
		while (w->pending &&
		       aegw_ring_evt_recv(r->shm, w->worker, &evt) == 0)
			if (!waiter_take(w, &evt) && !deliver(r, w->worker, &evt))
				spontaneous(r, w->worker, &evt);
		now = ctl_now_ns();
		if (w->moved)
			start = now;
		if (!w->pending || now > extended(w, now))
			break;
		ctl_ring_backoff(now - start);
	}
}

/* A fiber's wait: the loop's ctl_ring_dispatch hands it its events and
 * resumes it once they are all in, or the time is up. w lives on the
 * fiber's stack and is in r->waiters only while the fiber waits:
 * ctl_ring_dispatch unlinks it before it sets done and resumes. */
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 12
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdangling-pointer"
#endif
static void wait_acks_fiber(struct ctl_ring *r, struct ctl_ring_waiter *w)
{
	w->fiber = ctl_fiber_self();
	w->next = r->waiters;
	r->waiters = w;
	while (!w->done)
		ctl_fiber_wait();
}
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 12
#pragma GCC diagnostic pop
#endif

bool ctl_ring_dispatch(struct ctl_ring *r)
{
	struct ctl_ring_waiter *ready = NULL, **pp, *w;
	bool moved;
	uint64_t now;

	if (!r->waiters)
		return false;
	moved = drain(r);
	now = ctl_now_ns();
	for (pp = &r->waiters; (w = *pp);) {
		if (w->pending && r->shm && now <= extended(w, now)) {
			pp = &w->next;
			continue;
		}
		*pp = w->next;
		w->next = ready;
		ready = w;
	}
	/* A resumed fiber goes on past its wait: its waiter is gone. */
	while ((w = ready)) {
		ready = w->next;
		w->done = true;
		ctl_fiber_resume(w->fiber);
	}
	return moved;
}

/* Whether commands may go to worker now; a best-effort one
 * (ctl_ring_limit_waits) not to a worker still owing late ACKs. */
static int ring_usable(const struct ctl_ring *r, unsigned worker)
{
	if (!r->shm)
		return -ENOTCONN;
	if (!ctl_ring_ready(r))
		return -EHOSTDOWN;
	if (worker >= r->n_workers)
		return -EINVAL;
	return r->wait_limit_ns && r->overdue[worker] ? -EINPROGRESS : 0;
}

static void account(struct ctl_ring *r, unsigned worker,
		    const struct aegw_cmd *cmd, int rc)
{
	if (rc > 0) {
		r->refused++;
		ctl_log(CTL_LOG_DEBUG, "worker %u refused command %u (stream "
			"%u): %s", worker, (unsigned)cmd->type,
			(unsigned)(cmd->stream_id ? cmd->stream_id :
						    cmd->spec.stream_id),
			ctl_ring_strerror(rc));
	} else if (rc == -ETIMEDOUT) {
		r->timeouts++;
	}
}

void ctl_ring_limit_waits(struct ctl_ring *r, uint64_t wait_ns)
{
	r->wait_limit_ns = wait_ns;
}

int ctl_ring_exec_many(struct ctl_ring *r, unsigned worker,
		       struct aegw_cmd *cmds, unsigned n, int *rcs,
		       ctl_ring_evt_fn *on_evt, void *arg)
{
	uint64_t now = ctl_now_ns(), gen = r->overdue_gen,
		 deadline = now + CTL_RING_ACK_TIMEOUT_MS * 1000000ull,
		 limit = r->wait_limit_ns ? now + r->wait_limit_ns : 0;
	int rc = ring_usable(r, worker), first = 0;
	unsigned sent = 0;

	if (limit && limit < deadline)
		deadline = limit;
	for (unsigned i = 0; i < n; i++) {
		if (!rc)
			rc = send_cmd(r, worker, &cmds[i], deadline);
		if (rc) /* a sent one was wiped as it went into the ring */
			aegw_cmd_wipe(&cmds[i]);
		rcs[i] = rc ? rc : PENDING;
		sent += !rc;
	}
	r->sent += sent;
	if (sent) {
		struct ctl_ring_waiter w = {
			.worker = worker, .cmds = cmds, .rcs = rcs, .n = n,
			.pending = sent, .deadline = deadline,
			.limit = limit, .on_evt = on_evt, .arg = arg,
		};

		if (ctl_fiber_self())
			wait_acks_fiber(r, &w);
		else
			wait_acks(r, &w);
		if (gen == r->overdue_gen)
			r->overdue[worker] += w.pending;
	}
	for (unsigned i = 0; i < n; i++) {
		if (rcs[i] == PENDING)
			rcs[i] = -ETIMEDOUT;
		account(r, worker, &cmds[i], rcs[i]);
		if (!first)
			first = rcs[i];
	}
	return first;
}

int ctl_ring_exec(struct ctl_ring *r, unsigned worker, struct aegw_cmd *cmd,
		  ctl_ring_evt_fn *on_evt, void *arg)
{
	int rc;

	ctl_ring_exec_many(r, worker, cmd, 1, &rc, on_evt, arg);
	return rc;
}

const char *ctl_ring_strerror(int rc)
{
	switch (rc) {
	case 0: return "ok";
	case -ENOTCONN: return "no dataplane attached";
	case -EHOSTDOWN: return "the dataplane is not running (no heartbeat)";
	case -EBUSY: return "the dataplane's command ring stayed full";
	case -ETIMEDOUT: return "the dataplane did not acknowledge in time";
	case -EINVAL: return "no such dataplane worker";
	case -EINPROGRESS:
		return "the worker still owes acknowledgements of earlier "
		       "commands";
	default: return rc > 0 ? aegw_strerror(rc) : strerror(-rc);
	}
}
