/* aegw-bench control, latency phase, through aegw-control: how long
 * after the answer the new call's media flows. One call at a time (no
 * queue in front of the daemon), Kamailio's offer, answer and delete as
 * in the load phase.
 *
 * The core side's media is already arriving when the answer goes out
 * (ctl_source.c: every port of the small core pool gets a frame every few
 * microseconds, source_period_us). The offer's reply names the core port
 * X aegw chose; the answer installs X's stream (e2ae-out: protect toward
 * the UE), whose one forwarded frame comes out of the access port into
 * the FIFO; its SSRC says it is X's.
 *
 * Measured, per call, on this process's CLOCK_MONOTONIC:
 *   install_to_forward: from sending the answer to reading the forwarded
 *     frame. aegw-control installs the streams while it handles the
 *     answer (SDP, keys, then ADD and the wait for its ACK, for each
 *     direction), so this is an upper bound of ADD-to-first-packet: it
 *     adds the answer's trip and handling before the ADD, and the FIFO's
 *     trip after the packet. ctl_probe.c measures the ADD-to-first-packet
 *     part alone.
 *   the answer's reply time, and the forwarded frame's read time minus
 *     the reply's (negative: the frame came first). Measured from the
 *     reply, as the P-CSCF sees it, install-to-forward comes out
 *     negative: the worker forwards in the loop turn in which it acks
 *     the ADD, and the daemon replies only after its wait for that ACK
 *     ends. */
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
	WARMUP_CALLS = 100,
	FRAME_WAIT_MS = 200,   /* after the reply: lost */
	ASK_MS = 2000,
};

/* ---- one call ------------------------------------------------------------ */

struct sample {
	double fwd, reply;   /* seconds after the answer was sent */
};

/* Sends the answer, then waits for its reply and for X's frame. 0, 1 when
 * the frame never came, -1 on a failed answer. */
static int answer_and_wait(int ng, struct ctb_fifo *q, const char *msg,
			   size_t len, uint16_t core_port, struct sample *out)
{
	const uint32_t want = ctb_ssrc_of_port(core_port);
	double t_ans, t_rep = 0, t_fwd = 0, give_up = 0;
	char buf[8192];

	ctb_fifo_read(q, 0, &t_fwd); /* nothing left from earlier calls */
	t_ans = ctb_now_s();
	if (send(ng, msg, len, 0) != (ssize_t)len)
		return -1;
	while (!t_rep || !t_fwd) {
		struct pollfd p[2] = { { .fd = ng, .events = POLLIN },
				       { .fd = q->fd, .events = POLLIN } };
		struct ctb_reply r;
		ssize_t n;

		if (poll(p, 2, 10) < 0 && errno != EINTR)
			return -1;
		ctb_fifo_read(q, want, &t_fwd);
		if ((n = recv(ng, buf, sizeof(buf), MSG_DONTWAIT)) > 0 &&
		    !ctb_ng_reply(buf, (size_t)n, &r)) {
			if (!r.ok) {
				fprintf(stderr, "aegw-bench control: answer "
						"refused: %s\n", r.reason);
				return -1;
			}
			t_rep = ctb_now_s();
			give_up = t_rep + FRAME_WAIT_MS / 1000.0;
		}
		if (t_rep && !t_fwd && ctb_now_s() > give_up)
			return 1;
		if (!t_rep && ctb_now_s() - t_ans > ASK_MS / 1000.0) {
			fprintf(stderr, "aegw-bench control: no reply to an "
					"answer in %d ms\n", ASK_MS);
			return -1;
		}
	}
	out->fwd = t_fwd - t_ans;
	out->reply = t_rep - t_ans;
	return 0;
}

static int one_call(int ng, struct ctb_fifo *q, unsigned i,
		    struct sample *out)
{
	char msg[1024], cookie[32], call_id[64];
	struct ctb_reply r;
	uint16_t core_port;
	size_t len;
	int rc;

	snprintf(call_id, sizeof(call_id), "lat-%u@127.0.0.1", i);
	snprintf(cookie, sizeof(cookie), "l%u.o", i);
	len = ctb_ng_request(msg, sizeof(msg), CTB_OFFER, cookie, call_id);
	if (!len || ctb_ng_ask(ng, msg, len, &r, ASK_MS) || !r.ok ||
	    !r.media_port) {
		fprintf(stderr, "aegw-bench control: offer %u failed: %s\n", i,
			r.reason[0] ? r.reason : "no reply");
		return -1;
	}
	core_port = r.media_port;
	snprintf(cookie, sizeof(cookie), "l%u.a", i);
	len = ctb_ng_request(msg, sizeof(msg), CTB_ANSWER, cookie, call_id);
	rc = answer_and_wait(ng, q, msg, len, core_port, out);
	snprintf(cookie, sizeof(cookie), "l%u.d", i);
	len = ctb_ng_request(msg, sizeof(msg), CTB_DELETE, cookie, call_id);
	if (ctb_ng_ask(ng, msg, len, &r, ASK_MS) || !r.ok) {
		fprintf(stderr, "aegw-bench control: delete %u failed: %s\n", i,
			r.reason[0] ? r.reason : "no reply");
		return -1;
	}
	return rc;
}

/* ---- the phase ----------------------------------------------------------- */

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Nearest rank: the smallest value with at least p of them at or below. */
double ctb_quantile(double *v, size_t n, double p)
{
	size_t k;

	if (!n)
		return 0;
	qsort(v, n, sizeof(*v), by_value);
	k = (size_t)(p * (double)n + 0.999999);
	return v[k ? k - 1 : 0];
}

static int rx_frames(int tele, double *t, uint64_t *rx)
{
	struct dpb_sample s;

	if (tele < 0 || dpb_tele_workers(tele, 1, &s))
		return -1;
	*t = s.t;
	*rx = s.c[0][AEGW_WC_rx_packets];
	return 0;
}

static void summarise(double *fwd, double *rep, double *after, unsigned n,
		      struct ctb_latency_result *r)
{
	r->samples = n;
	r->p50_us = ctb_quantile(fwd, n, 0.50) * 1e6;
	r->p99_us = ctb_quantile(fwd, n, 0.99) * 1e6;
	r->max_us = n ? fwd[n - 1] * 1e6 : 0;
	r->reply_p50_us = ctb_quantile(rep, n, 0.50) * 1e6;
	r->reply_p99_us = ctb_quantile(rep, n, 0.99) * 1e6;
	r->after_reply_p50_us = ctb_quantile(after, n, 0.50) * 1e6;
	r->after_reply_p99_us = ctb_quantile(after, n, 0.99) * 1e6;
}

int ctb_latency_run(const struct ctb_setup *s, const struct ctb_options *o,
		    struct ctb_latency_result *r)
{
	unsigned n = 0, total = WARMUP_CALLS + o->installs;
	double *fwd = calloc(o->installs, sizeof(double)),
	       *rep = calloc(o->installs, sizeof(double)),
	       *after = calloc(o->installs, sizeof(double)), t0 = 0, t1 = 0;
	int ng = ctb_ng_socket(s->ng_port), tele = dpb_tele_open(s->dp.prefix),
	    rc = -1;
	uint64_t rx0 = 0, rx1 = 0;

	memset(r, 0, sizeof(*r));
	if (!fwd || !rep || !after || ng < 0)
		goto out;
	rx_frames(tele, &t0, &rx0);
	for (unsigned i = 0; i < total && !dpb_interrupted; i++) {
		struct sample sm;
		int c = one_call(ng, s->fifo, i, &sm);

		if (c < 0)
			goto out;
		if (i < WARMUP_CALLS)
			continue;
		if (c) {
			r->lost++;
			continue;
		}
		fwd[n] = sm.fwd;
		rep[n] = sm.reply;
		after[n++] = sm.fwd - sm.reply;
	}
	if (!rx_frames(tele, &t1, &rx1) && rx1 > rx0)
		r->source_period_us = (double)s->core_pairs * (t1 - t0) /
				      (double)(rx1 - rx0) * 1e6;
	summarise(fwd, rep, after, n, r);
	rc = dpb_interrupted ? -1 : 0;
out:
	if (tele >= 0)
		close(tele);
	if (ng >= 0)
		close(ng);
	free(fwd);
	free(rep);
	free(after);
	return rc;
}
