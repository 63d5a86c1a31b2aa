/* aegw-bench control, latency phase, before aegw-control attaches: this
 * process is the command ring's producer and installs, one at a time,
 * the stream aegw-control installs for the core leg of Kamailio's e2ae
 * call (e2ae-out: the core's plain RTP to core port X, protected toward
 * the UE at 127.0.0.1:42010, LATCH), then removes it. Timed from the ADD
 * written into the ring: to its ACK, and to reading the first frame it
 * forwards from the FIFO. With no aegw-control in the way (and this
 * process spinning, alone on its CPU) this is the dataplane's share of
 * install-to-forward. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctlbench.h"

enum {
	PROBE_WARMUP = 100,
	ACK_WAIT_S = 1,
};

#define FRAME_WAIT_S 0.2

static void ip4(struct aegw_endpoint *e, uint8_t a, uint8_t b, uint8_t c,
		uint8_t d, uint16_t port)
{
	memset(e, 0, sizeof(*e));
	e->family = 4;
	e->port = port;
	e->ip[0] = a;
	e->ip[1] = b;
	e->ip[2] = c;
	e->ip[3] = d;
}

/* As control/streams.c makes it for the core leg (ports as in the
 * dataplane's command line: 0 access, 1 core). The key is a fixed
 * pattern: the UE side never decrypts here. */
static void spec_for(uint16_t port, uint32_t id, struct aegw_stream_spec *sp)
{
	struct aegw_srtp_config *k = &sp->out_crypto;

	memset(sp, 0, sizeof(*sp));
	sp->stream_id = id;
	sp->action = AEGW_ACTION_E2AE_OUT;
	sp->flags = AEGW_STREAM_LATCH;
	sp->in_port = 1;
	sp->out_port = 0;
	ip4(&sp->local, 192, 168, 0, 1, port);
	ip4(&sp->egress_src, 10, 0, 0, 1, CTB_ACCESS_PORT_MIN);
	ip4(&sp->egress_dst, 127, 0, 0, 1, CTB_UE_PORT);
	k->kind = AEGW_SRTP_RTP;
	k->suite = AEGW_SUITE_AES_CM_128_HMAC_SHA1_80;
	k->n_keys = 1;
	for (unsigned i = 0; i < sizeof(k->keys[0].key); i++)
		k->keys[0].key[i] = (uint8_t)(id + i);
	for (unsigned i = 0; i < sizeof(k->keys[0].salt); i++)
		k->keys[0].salt[i] = (uint8_t)(id * 7 + i);
}

/* Sends cmd to worker 0 and spins until its ACK: the status, or -errno.
 * *t_ack: when the ACK was seen. */
static int exec(struct aegw_shm *shm, struct aegw_cmd *cmd, double *t_ack)
{
	double end = ctb_now_s() + ACK_WAIT_S;
	struct aegw_evt evt;
	int rc;

	while ((rc = aegw_ring_cmd_send(shm, 0, cmd)) == -EAGAIN)
		if (ctb_now_s() > end)
			return -EBUSY;
	if (rc)
		return rc;
	while (ctb_now_s() < end)
		if (aegw_ring_evt_recv(shm, 0, &evt) == 0 &&
		    evt.type == AEGW_EVT_ACK && evt.seq == cmd->seq) {
			*t_ack = ctb_now_s();
			return evt.status;
		}
	return -ETIMEDOUT;
}

/* One install: 0, 1 when no frame came, -1 on a refusal. */
static int one_install(const struct ctb_setup *s, struct ctb_fifo *q,
		       unsigned i, double *ack, double *fwd)
{
	uint16_t port = (uint16_t)(CTB_CORE_PORT_MIN + 2 * (i % s->core_pairs));
	struct aegw_cmd cmd = { .type = AEGW_CMD_ADD_STREAM };
	double t0, t_ack = 0, t_fwd = 0, t_rm;
	int rc;

	spec_for(port, i + 1, &cmd.spec);
	ctb_fifo_read(q, 0, &t_fwd); /* nothing left from the last one */
	t0 = ctb_now_s();
	rc = exec(s->shm, &cmd, &t_ack);
	if (rc) {
		fprintf(stderr, "aegw-bench control: probe ADD: %s\n",
			rc > 0 ? aegw_strerror(rc) : strerror(-rc));
		return -1;
	}
	while (!t_fwd && ctb_now_s() - t0 < FRAME_WAIT_S)
		ctb_fifo_read(q, ctb_ssrc_of_port(port), &t_fwd);
	cmd = (struct aegw_cmd){ .type = AEGW_CMD_REMOVE_STREAM,
				 .stream_id = i + 1 };
	rc = exec(s->shm, &cmd, &t_rm);
	if (rc) {
		fprintf(stderr, "aegw-bench control: probe REMOVE: %s\n",
			rc > 0 ? aegw_strerror(rc) : strerror(-rc));
		return -1;
	}
	*ack = t_ack - t0;
	*fwd = t_fwd - t0;
	return t_fwd ? 0 : 1;
}

int ctb_probe_run(const struct ctb_setup *s, unsigned n,
		  struct ctb_probe_result *r)
{
	double *ack = calloc(n, sizeof(double)), *fwd = calloc(n, sizeof(double));
	unsigned k = 0;
	int rc = -1;

	memset(r, 0, sizeof(*r));
	if (!ack || !fwd)
		goto out;
	for (unsigned i = 0; i < PROBE_WARMUP + n && !dpb_interrupted; i++) {
		double a, f;
		int c = one_install(s, s->fifo, i, &a, &f);

		if (c < 0)
			goto out;
		if (i < PROBE_WARMUP)
			continue;
		if (c) {
			r->lost++;
			continue;
		}
		ack[k] = a;
		fwd[k++] = f;
	}
	r->samples = k;
	r->ack_p50_us = ctb_quantile(ack, k, 0.50) * 1e6;
	r->ack_p99_us = ctb_quantile(ack, k, 0.99) * 1e6;
	r->fwd_p50_us = ctb_quantile(fwd, k, 0.50) * 1e6;
	r->fwd_p99_us = ctb_quantile(fwd, k, 0.99) * 1e6;
	rc = dpb_interrupted ? -1 : 0;
out:
	free(ack);
	free(fwd);
	return rc;
}
