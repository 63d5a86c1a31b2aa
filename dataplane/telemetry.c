/* DPDK telemetry: /aegw/workers, /aegw/ports and /aegw/info, readable with
 * dpdk-telemetry.py. The telemetry thread only reads counters the workers
 * write (64-bit, so never torn); stream tables stay the workers' own, and
 * per-stream counters travel on the event ring instead. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include <rte_telemetry.h>

#include "dp.h"

static struct dp *tele_dp;

static uint64_t rd(const uint64_t *v)
{
	return __atomic_load_n(v, __ATOMIC_RELAXED);
}

static int tele_workers(const char *cmd, const char *params,
			struct rte_tel_data *d)
{
	(void)cmd;
	(void)params;
	rte_tel_data_start_dict(d);
	for (unsigned i = 0; i < tele_dp->n_workers; i++) {
		const struct dp_worker *w = &tele_dp->workers[i];
		struct rte_tel_data *c = rte_tel_data_alloc();
		char name[32];

		if (!c)
			return -1;
		rte_tel_data_start_dict(c);
		rte_tel_data_add_dict_u64(c, "streams", w->n_streams);
		for (unsigned k = 0; k < AEGW_WC_COUNT; k++)
			rte_tel_data_add_dict_u64(
				c, aegw_worker_counter_name((enum aegw_worker_counter)k),
				rd(&w->counters[k]));
		snprintf(name, sizeof(name), "worker%u", i);
		rte_tel_data_add_dict_container(d, name, c, 0);
	}
	return 0;
}

static void add_ip(struct rte_tel_data *d, const char *key,
		   const struct aegw_endpoint *ip, unsigned prefix)
{
	char buf[INET6_ADDRSTRLEN + 8];
	size_t n;

	if (!ip->family)
		return;
	inet_ntop(ip->family == 4 ? AF_INET : AF_INET6, ip->ip, buf,
		  sizeof(buf));
	n = strlen(buf);
	snprintf(buf + n, sizeof(buf) - n, "/%u", prefix);
	rte_tel_data_add_dict_string(d, key, buf);
}

static int tele_ports(const char *cmd, const char *params,
		      struct rte_tel_data *d)
{
	(void)cmd;
	(void)params;
	rte_tel_data_start_dict(d);
	for (unsigned p = 0; p < tele_dp->cfg.n_ports; p++) {
		const struct dp_port *port = &tele_dp->cfg.ports[p];
		struct rte_tel_data *c = rte_tel_data_alloc();
		uint64_t rx = 0, tx = 0;
		char name[32];

		if (!c)
			return -1;
		for (unsigned i = 0; i < tele_dp->n_workers; i++) {
			rx += rd(&tele_dp->workers[i].port_rx[p]);
			tx += rd(&tele_dp->workers[i].port_tx[p]);
		}
		rte_tel_data_start_dict(c);
		rte_tel_data_add_dict_u64(c, "rx_packets", rx);
		rte_tel_data_add_dict_u64(c, "tx_packets", tx);
		add_ip(c, "ipv4", &port->ip4, port->prefix4);
		add_ip(c, "ipv6", &port->ip6, port->prefix6);
		rte_tel_data_add_dict_u64(c, "tx_csum_offload",
					  port->tx_csum_offload);
		snprintf(name, sizeof(name), "port%u", p);
		rte_tel_data_add_dict_container(d, name, c, 0);
	}
	return 0;
}

static int tele_info(const char *cmd, const char *params,
		     struct rte_tel_data *d)
{
	(void)cmd;
	(void)params;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "instance", tele_dp->cfg.instance);
	rte_tel_data_add_dict_u64(d, "epoch", aegw_shm_epoch(tele_dp->shm));
	rte_tel_data_add_dict_u64(d, "workers", tele_dp->n_workers);
	rte_tel_data_add_dict_u64(d, "ports", tele_dp->cfg.n_ports);
	rte_tel_data_add_dict_string(d, "backend",
				     aegw_srtp_backend_name(tele_dp->cfg.backend));
	return 0;
}

int dp_telemetry_register(struct dp *dp)
{
	tele_dp = dp;
	if (rte_telemetry_register_cmd("/aegw/workers", tele_workers,
				       "Per-worker counters. No parameters"))
		return -1;
	if (rte_telemetry_register_cmd("/aegw/ports", tele_ports,
				       "Per-port packets and addresses. No parameters"))
		return -1;
	return rte_telemetry_register_cmd("/aegw/info", tele_info,
					  "Instance, epoch, workers. No parameters");
}
