/* Ports: every DPDK port in order, one TX queue per worker (a worker
 * never shares a queue) and as many RX queues as the device gives, up to
 * one per worker. Checksum offloads are used where the device has them. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_ethdev.h>

#include "dp.h"

struct dp_port *dp_port_by_id(struct dp *dp, uint16_t port_id)
{
	return port_id < dp->cfg.n_ports ? &dp->cfg.ports[port_id] : NULL;
}

bool dp_port_owns_ip(const struct dp_port *p, const struct aegw_endpoint *ip)
{
	const struct aegw_endpoint *mine = ip->family == 4 ? &p->ip4 : &p->ip6;

	return mine->family && mine->family == ip->family &&
	       memcmp(mine->ip, ip->ip, ip->family == 6 ? 16 : 4) == 0;
}

unsigned dp_port_rx_queues(const struct dp *dp, uint16_t port_id)
{
	return dp->rx_queues[port_id];
}

static int port_setup(struct dp *dp, struct dp_port *p)
{
	struct rte_eth_dev_info info;
	struct rte_eth_conf conf = { 0 };
	struct rte_ether_addr mac;
	uint16_t nrx, ntx = (uint16_t)dp->n_workers;
	int rc;

	rc = rte_eth_dev_info_get(p->port_id, &info);
	if (rc)
		return rc;
	if (info.max_tx_queues < ntx) {
		fprintf(stderr,
			"aegw-dataplane: port %u (%s) has %u TX queues, %u "
			"workers need one each (net_pcap: one tx_pcap per "
			"worker)\n",
			p->port_id, info.driver_name, info.max_tx_queues, ntx);
		return -EINVAL;
	}
	nrx = (uint16_t)RTE_MIN(info.max_rx_queues, ntx);
	if (info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_UDP_CKSUM) {
		conf.txmode.offloads |= RTE_ETH_TX_OFFLOAD_UDP_CKSUM;
		p->tx_csum_offload = 1;
	}
	if (info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_UDP_CKSUM) {
		conf.rxmode.offloads |= RTE_ETH_RX_OFFLOAD_UDP_CKSUM;
		p->rx_csum_offload = 1;
	}
	if (nrx > 1) {
		conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		conf.rx_adv_conf.rss_conf.rss_hf =
			(RTE_ETH_RSS_IP | RTE_ETH_RSS_UDP) & info.flow_type_rss_offloads;
		if (!conf.rx_adv_conf.rss_conf.rss_hf)
			conf.rxmode.mq_mode = RTE_ETH_MQ_RX_NONE;
	}
	rc = rte_eth_dev_configure(p->port_id, nrx, ntx, &conf);
	for (uint16_t q = 0; !rc && q < nrx; q++)
		rc = rte_eth_rx_queue_setup(p->port_id, q,
					    (uint16_t)dp->cfg.rx_desc,
					    (unsigned)rte_eth_dev_socket_id(p->port_id),
					    NULL, dp->pool);
	for (uint16_t q = 0; !rc && q < ntx; q++)
		rc = rte_eth_tx_queue_setup(p->port_id, q,
					    (uint16_t)dp->cfg.tx_desc,
					    (unsigned)rte_eth_dev_socket_id(p->port_id),
					    NULL);
	if (!rc)
		rc = rte_eth_macaddr_get(p->port_id, &mac);
	if (rc)
		return rc;
	memcpy(p->mac, mac.addr_bytes, 6);
	dp->rx_queues[p->port_id] = nrx;
	/* Neighbour solicitations go to solicited-node multicast. */
	rte_eth_allmulticast_enable(p->port_id);
	return rte_eth_dev_start(p->port_id);
}

int dp_ports_init(struct dp *dp)
{
	uint16_t n = rte_eth_dev_count_avail();
	int rc;

	if (n == 0) {
		fprintf(stderr, "aegw-dataplane: no DPDK ports (give --vdev "
				"or bind a NIC)\n");
		return -ENODEV;
	}
	if (n > DP_MAX_PORTS) {
		fprintf(stderr, "aegw-dataplane: %u ports, at most %u\n", n,
			DP_MAX_PORTS);
		return -EINVAL;
	}
	dp->cfg.n_ports = n;
	for (uint16_t i = 0; i < n; i++) {
		struct dp_port *p = &dp->cfg.ports[i];

		p->port_id = i;
		dp_neigh_init(p);
		rc = port_setup(dp, p);
		if (rc) {
			fprintf(stderr, "aegw-dataplane: port %u: %s\n", i,
				strerror(rc < 0 ? -rc : rc));
			return rc;
		}
	}
	for (unsigned i = 0; i < dp->cfg.n_static; i++) {
		const struct dp_static_neigh *s = &dp->cfg.statics[i];

		if (s->port >= n ||
		    dp_neigh_add_static(&dp->cfg.ports[s->port], &s->ip, s->mac))
			return -EINVAL;
	}
	return 0;
}

void dp_ports_close(struct dp *dp)
{
	for (uint16_t i = 0; i < dp->cfg.n_ports; i++) {
		rte_eth_dev_stop(i);
		rte_eth_dev_close(i);
	}
}
