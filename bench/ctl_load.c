/* aegw-bench control, load phase: calls of offer, answer and delete over
 * UDP with `window` requests outstanding at every moment. Each slot of
 * the window runs one call after another: a reply sends that call's next
 * request, a delete's reply starts a new call (a fresh call-id). Replies
 * are read and requests sent in batches (recvmmsg, sendmmsg), so that the
 * client costs less CPU than the daemon it shares a CPU with.
 *
 * Counted: offer+answer pairs whose answer reply (result ok) arrived in
 * the measured seconds, after a warm-up. A request unanswered for a
 * second is sent again (aegw-control's retransmission cache answers it
 * without running it twice). */
#define _GNU_SOURCE /* recvmmsg, sendmmsg */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "ctlbench.h"

enum {
	SLOT_MSG_MAX = 1024,   /* Kamailio's offer is 600 bytes */
	BATCH = 64,
	REPLY_MAX = 4096,
	DRAIN_S = 5,
};

#define RESEND_S 1.0

struct slot {
	unsigned gen;          /* calls this slot has started */
	enum ctb_req stage;
	double sent_at;
	size_t len;
	char msg[SLOT_MSG_MAX];
};

struct load {
	int fd;
	unsigned n;
	struct slot *slots;
	unsigned run;          /* makes call-ids unique across phases */
	int stopping;          /* no new calls */
	unsigned live;         /* slots with a call going on */
	/* the send batch */
	struct mmsghdr out[BATCH];
	struct iovec out_iov[BATCH];
	unsigned n_out;
	struct ctb_load_result *r;
	double t0, t1;         /* the measured window */
};

static void flush_out(struct load *l)
{
	unsigned done = 0;

	while (done < l->n_out) {
		int n = sendmmsg(l->fd, l->out + done, l->n_out - done, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) /* loopback full: the resend timer covers it */
			break;
		done += (unsigned)n;
	}
	l->n_out = 0;
}

static void queue(struct load *l, struct slot *s)
{
	struct msghdr *h;

	if (l->n_out == BATCH)
		flush_out(l);
	h = &l->out[l->n_out].msg_hdr;
	l->out_iov[l->n_out] = (struct iovec){ s->msg, s->len };
	*h = (struct msghdr){ .msg_iov = &l->out_iov[l->n_out],
			      .msg_iovlen = 1 };
	l->n_out++;
	s->sent_at = ctb_now_s();
}

/* The next request of slot i's call: cookie "i.gen.stage". */
static int request(struct load *l, unsigned i, enum ctb_req stage)
{
	struct slot *s = &l->slots[i];
	char cookie[48], call_id[64];

	snprintf(cookie, sizeof(cookie), "%u.%u.%d", i, s->gen, (int)stage);
	snprintf(call_id, sizeof(call_id), "b%u-%u-%u@127.0.0.1", l->run, i,
		 s->gen);
	s->stage = stage;
	s->len = ctb_ng_request(s->msg, sizeof(s->msg), stage, cookie, call_id);
	if (!s->len)
		return -1;
	queue(l, s);
	return 0;
}

static int new_call(struct load *l, unsigned i)
{
	if (l->stopping) {
		l->slots[i].len = 0;
		l->live--;
		return 0;
	}
	l->slots[i].gen++;
	return request(l, i, CTB_OFFER);
}

static void count_error(struct load *l, const struct ctb_reply *r)
{
	if (!l->r->errors++)
		snprintf(l->r->first_error, sizeof(l->r->first_error), "%s",
			 r->reason);
}

static int on_reply(struct load *l, const char *buf, size_t len)
{
	struct ctb_reply r;
	unsigned i, gen;
	int stage;
	struct slot *s;

	if (ctb_ng_reply(buf, len, &r) ||
	    sscanf(r.cookie, "%u.%u.%d", &i, &gen, &stage) != 3 || i >= l->n)
		return 0;
	s = &l->slots[i];
	/* A second reply to a resent request. */
	if (!s->len || gen != s->gen || stage != (int)s->stage)
		return 0;
	if (!r.ok) {
		count_error(l, &r);
		/* Whatever failed, the call goes (a delete of an unknown
		 * call is answered ok). */
		return s->stage == CTB_DELETE ? new_call(l, i) :
						request(l, i, CTB_DELETE);
	}
	switch (s->stage) {
	case CTB_OFFER:
		return request(l, i, CTB_ANSWER);
	case CTB_ANSWER: {
		double t = ctb_now_s();

		l->r->pairs += t >= l->t0 && t < l->t1;
		return request(l, i, CTB_DELETE);
	}
	default:
		return new_call(l, i);
	}
}

static int receive(struct load *l)
{
	static char bufs[BATCH][REPLY_MAX];
	struct mmsghdr in[BATCH];
	struct iovec iov[BATCH];
	int n;

	for (unsigned k = 0; k < BATCH; k++) {
		iov[k] = (struct iovec){ bufs[k], REPLY_MAX };
		in[k].msg_hdr = (struct msghdr){ .msg_iov = &iov[k],
						 .msg_iovlen = 1 };
	}
	n = recvmmsg(l->fd, in, BATCH, MSG_DONTWAIT, NULL);
	for (int k = 0; k < n; k++)
		if (on_reply(l, bufs[k], in[k].msg_len))
			return -1;
	return n < 0 ? 0 : n;
}

static void resend_late(struct load *l, double now)
{
	for (unsigned i = 0; i < l->n; i++) {
		struct slot *s = &l->slots[i];

		if (s->len && now - s->sent_at > RESEND_S) {
			l->r->retransmits++;
			queue(l, s);
		}
	}
}

static double process_cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

struct cpu_mark {
	double t, ctl, bench, worker;
};

static void cpu_mark(const struct ctb_setup *s, struct cpu_mark *m)
{
	double w[1] = { -1 };

	m->t = ctb_now_s();
	m->ctl = ctb_proc_cpu_s(s->ctl.pid);
	m->bench = process_cpu_s();
	m->worker = dpb_proc_worker_cpu(&s->dp, 1, w) ? -1 : w[0];
}

static double share(double a, double b, double dt)
{
	return a >= 0 && b >= 0 ? (b - a) / dt : -1;
}

/* Until the window closes, then until every call is deleted; the CPU
 * clocks are read as the window opens and as it closes. */
static int run_loop(struct load *l, const struct ctb_setup *s)
{
	double next_check = ctb_now_s() + RESEND_S, end = l->t1 + DRAIN_S;
	struct pollfd p = { .fd = l->fd, .events = POLLIN };
	struct cpu_mark a = { 0 }, b = { 0 };

	while (l->live && !dpb_interrupted) {
		double now = ctb_now_s();
		int n;

		if (now >= l->t0 && !a.t)
			cpu_mark(s, &a);
		if (now >= l->t1 && !l->stopping) {
			cpu_mark(s, &b);
			l->stopping = 1;
		}
		if (now > end)
			return -1;
		n = receive(l);
		if (n < 0)
			return -1;
		flush_out(l);
		if (now >= next_check) {
			resend_late(l, now);
			flush_out(l);
			next_check = now + RESEND_S / 4;
		}
		if (n == 0 && poll(&p, 1, 1) < 0 && errno != EINTR)
			return -1;
	}
	if (!b.t)
		return -1;
	l->r->control_cpu = share(a.ctl, b.ctl, b.t - a.t);
	l->r->bench_cpu = share(a.bench, b.bench, b.t - a.t);
	l->r->worker_cpu = share(a.worker, b.worker, b.t - a.t);
	return 0;
}

int ctb_load_run(const struct ctb_setup *s, const struct ctb_options *o,
		 struct ctb_load_result *r)
{
	static unsigned run;
	struct load l = { .n = o->window, .run = run++, .r = r };
	int rc = -1, policy = -1;

	memset(r, 0, sizeof(*r));
	r->seconds = o->seconds;
	l.fd = ctb_ng_socket(s->ng_port);
	l.slots = calloc(o->window, sizeof(*l.slots));
	if (l.fd < 0 || !l.slots)
		goto out;
	l.t0 = ctb_now_s() + o->warmup_s;
	l.t1 = l.t0 + o->seconds;
	l.live = l.n;
	for (unsigned i = 0; i < l.n; i++)
		if (new_call(&l, i))
			goto out;
	if (o->bench_cpu == o->control_cpu &&
	    (policy = ctb_sched_batch()) < 0)
		perror("aegw-bench control: SCHED_BATCH (the client may "
		       "preempt the daemon)");
	flush_out(&l);
	rc = run_loop(&l, s);
	ctb_sched_restore(policy);
	r->pairs_per_s = (double)r->pairs / r->seconds;
out:
	if (rc)
		fprintf(stderr, "aegw-bench control: load phase failed (%u "
				"calls still open)\n", l.live);
	free(l.slots);
	if (l.fd >= 0)
		close(l.fd);
	return rc;
}
