/* Bringing a dataplane up and down: mbuf pool, workers, ports, then the
 * shared-memory rings last, so that the control side never sees a new
 * epoch before the workers can take commands. main.c and the in-process
 * tests share it. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_mbuf.h>

#include "dp.h"

static int pool_create(struct dp *dp)
{
	unsigned n = dp->n_workers * (DP_MAX_PORTS * (dp->cfg.rx_desc +
						      dp->cfg.tx_desc) +
				      DP_HANDOFF_SLOTS + 4 * DP_BURST) +
		     4096;

	if (dp->cfg.mbufs)
		n = dp->cfg.mbufs;
	dp->pool = rte_pktmbuf_pool_create("aegw_mbufs", n, 256, 0,
					   (uint16_t)(dp->cfg.mbuf_data +
						      RTE_PKTMBUF_HEADROOM),
					   (int)rte_socket_id());
	if (!dp->pool)
		fprintf(stderr, "aegw-dataplane: mbuf pool of %u: %s (more "
				"memory: EAL -m)\n",
			n, rte_strerror(rte_errno));
	return dp->pool ? 0 : -ENOMEM;
}

int dp_setup(struct dp *dp)
{
	int rc;

	if (dp->n_workers == 0 || dp->n_workers > AEGW_RING_MAX_WORKERS) {
		fprintf(stderr, "aegw-dataplane: need 1..%u worker lcores "
				"besides the main one (EAL -l 0,1 or --lcores)\n",
			AEGW_RING_MAX_WORKERS);
		return -EINVAL;
	}
	rc = pool_create(dp);
	if (!rc)
		rc = dp_workers_init(dp);
	if (!rc)
		rc = dp_ports_init(dp);
	if (!rc)
		rc = aegw_shm_create(dp->cfg.instance, dp->n_workers, &dp->shm);
	if (rc)
		fprintf(stderr, "aegw-dataplane: start failed: %s\n",
			strerror(rc < 0 ? -rc : rc));
	return rc;
}

void dp_teardown(struct dp *dp)
{
	if (dp->cfg.n_ports)
		dp_ports_close(dp);
	dp_workers_free(dp);
	if (dp->shm) {
		aegw_shm_detach(dp->shm);
		if (dp->cfg.unlink_at_exit)
			aegw_shm_unlink(dp->cfg.instance);
		dp->shm = NULL;
	}
	rte_mempool_free(dp->pool);
	dp->pool = NULL;
}
