/* Workers: each owns its streams, its TX queue on every port and its
 * handoff ring, and runs commands, handed-off frames and RX in one loop. */
#include <errno.h>
#include <stdio.h>

#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_ring.h>

#include "dp.h"
#include "mem.h"

static int worker_init(struct dp *dp, struct dp_worker *w, unsigned idx)
{
	char name[RTE_RING_NAMESIZE];
	int err = 0;

	w->idx = idx;
	w->dp = dp;
	w->eng = aegw_srtp_engine_create(dp->cfg.backend, &err);
	if (!w->eng) {
		fprintf(stderr, "aegw-dataplane: %s backend: %s\n",
			aegw_srtp_backend_name(dp->cfg.backend),
			aegw_strerror(err));
		return -ENODEV;
	}
	/* A new engine has no stream yet: this cannot be refused. */
	(void)aegw_srtp_engine_set_allocator(w->eng, &dp_mem_engine_allocator);
	snprintf(name, sizeof(name), "aegw_handoff_%u", idx);
	w->handoff = rte_ring_create(name, DP_HANDOFF_SLOTS, (int)rte_socket_id(),
				     RING_F_SC_DEQ);
	if (!w->handoff)
		return -ENOMEM;
	return dp_worker_tables_init(w, dp->cfg.max_streams);
}

int dp_workers_init(struct dp *dp)
{
	dp->workers = rte_zmalloc("aegw_workers",
				  sizeof(*dp->workers) * dp->n_workers,
				  RTE_CACHE_LINE_SIZE);
	if (!dp->workers)
		return -ENOMEM;
	for (unsigned i = 0; i < dp->n_workers; i++) {
		int rc = worker_init(dp, &dp->workers[i], i);

		if (rc)
			return rc;
	}
	return 0;
}

void dp_workers_free(struct dp *dp)
{
	struct rte_mbuf *m;

	if (!dp->workers)
		return;
	for (unsigned i = 0; i < dp->n_workers; i++) {
		struct dp_worker *w = &dp->workers[i];

		dp_worker_tables_free(w);
		if (w->handoff) {
			while (rte_ring_dequeue(w->handoff, (void **)&m) == 0)
				rte_pktmbuf_free(m);
			rte_ring_free(w->handoff);
		}
		aegw_srtp_engine_free(w->eng);
	}
	rte_free(dp->workers);
	dp->workers = NULL;
}

void dp_worker_poll_once(struct dp_worker *w)
{
	struct rte_mbuf *m[DP_BURST];
	unsigned n;

	dp_command_poll(w);
	dp_tx_flush(w); /* a new stream's ARP/ND request, sent at install */
	n = rte_ring_sc_dequeue_burst(w->handoff, (void **)m, DP_BURST, NULL);
	if (n)
		dp_path_process(w, m, n, true);
	for (uint16_t p = 0; p < w->dp->cfg.n_ports; p++) {
		if (w->idx >= dp_port_rx_queues(w->dp, p))
			continue;
		n = rte_eth_rx_burst(p, (uint16_t)w->idx, m, DP_BURST);
		if (!n)
			continue;
		w->port_rx[p] += n;
		dp_path_process(w, m, n, false);
	}
	w->loops++;
}

int dp_worker_main(void *arg)
{
	struct dp_worker *w = arg;

	while (!__atomic_load_n(&w->dp->stop, __ATOMIC_RELAXED))
		dp_worker_poll_once(w);
	return 0;
}
