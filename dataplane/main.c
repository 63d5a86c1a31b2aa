/* aegw-dataplane: EAL, ports, workers, the shared-memory rings, and on the
 * main lcore the heartbeat the control daemon watches. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#include "dp.h"

static struct dp the_dp;

static void on_signal(int sig)
{
	(void)sig;
	__atomic_store_n(&the_dp.stop, true, __ATOMIC_RELAXED);
}

static void print_counters(const struct dp *dp)
{
	for (unsigned i = 0; i < dp->n_workers; i++) {
		const struct dp_worker *w = &dp->workers[i];

		printf("worker %u: streams %u", i, w->n_streams);
		for (unsigned k = 0; k < AEGW_WC_COUNT; k++)
			if (w->counters[k])
				printf(" %s %" PRIu64,
				       aegw_worker_counter_name((enum aegw_worker_counter)k),
				       w->counters[k]);
		printf("\n");
	}
	fflush(stdout);
}

static void main_loop(struct dp *dp)
{
	const struct timespec tick = { 0, 100 * 1000 * 1000 };
	unsigned ticks = 0;

	while (!__atomic_load_n(&dp->stop, __ATOMIC_RELAXED)) {
		aegw_shm_heartbeat(dp->shm);
		nanosleep(&tick, NULL);
		if (dp->cfg.stats_interval &&
		    ++ticks % (dp->cfg.stats_interval * 10) == 0)
			print_counters(dp);
	}
}

static int start(struct dp *dp)
{
	unsigned lcore, i = 0;
	int rc;

	dp->n_workers = rte_lcore_count() - 1;
	rc = dp_setup(dp);
	if (rc)
		return rc;
	if (dp_telemetry_register(dp))
		fprintf(stderr, "aegw-dataplane: telemetry commands not "
				"registered\n");
	printf("aegw-dataplane: instance %s epoch %" PRIu64 ", %u worker(s), "
	       "%u port(s), %s\n",
	       dp->cfg.instance, aegw_shm_epoch(dp->shm), dp->n_workers,
	       dp->cfg.n_ports, aegw_srtp_backend_name(dp->cfg.backend));
	fflush(stdout);
	RTE_LCORE_FOREACH_WORKER(lcore)
		rte_eal_remote_launch(dp_worker_main, &dp->workers[i++], lcore);
	return 0;
}

int main(int argc, char **argv)
{
	struct dp *dp = &the_dp;
	int eal_argc, rc;
	char **eal;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") && strcmp(argv[i], "-h"))
			continue;
		dp_options_usage(argv[0]);
		return 0;
	}
	eal = dp_config_argv(argc, argv, &dp->cfg, &eal_argc);
	if (!eal)
		return 2;
	rc = rte_eal_init(eal_argc, eal);
	if (rc < 0) {
		fprintf(stderr, "aegw-dataplane: EAL: %s\n",
			rte_strerror(rte_errno));
		free(eal);
		return 1;
	}
	eal[rc] = eal[0];
	rc = dp_options_parse(eal_argc - rc, eal + rc, &dp->cfg);
	if (rc) {
		if (rc > 0)
			dp_options_usage(eal[0]);
		rte_eal_cleanup();
		free(eal);
		return rc > 0 ? 0 : 2;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	rc = start(dp);
	if (!rc) {
		main_loop(dp);
		rte_eal_mp_wait_lcore();
		print_counters(dp);
	}
	dp_teardown(dp);
	rte_eal_cleanup();
	free(eal);
	return rc ? 1 : 0;
}
