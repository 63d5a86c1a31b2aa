/* libFuzzer target: arbitrary frames into the dataplane's packet path and
 * arbitrary records into its command-ring consumer, in one process with
 * two net_ring ports and two workers (as tests/dataplane/ does), with one
 * stream of each action installed. The first input byte chooses:
 *   bit 7 set: the rest is a struct aegw_cmd for worker (bit 0);
 *   otherwise: the rest is a frame received on port (bit 0), queue (bit 1).
 * Nothing may crash, leak or read out of bounds; frames that come out are
 * drained. The seeds in tests/fuzz/corpus/dp_path are valid frames for
 * the installed streams (see seed_stream below for their addresses). */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_memory.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "aegw/asan.h"
#include "dp.h"

#ifdef AEGW_ASAN
#include <sanitizer/lsan_interface.h>
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { N_PORTS = 2, N_QUEUES = 2 };

static struct dp fz;
static struct rte_ring *rx[N_PORTS][N_QUEUES], *tx[N_PORTS][N_QUEUES];

static struct aegw_endpoint ep4(uint8_t a, uint8_t b, uint8_t c, uint8_t d,
				uint16_t port)
{
	struct aegw_endpoint e = { .family = 4, .port = port };

	e.ip[0] = a;
	e.ip[1] = b;
	e.ip[2] = c;
	e.ip[3] = d;
	return e;
}

static int make_ports(void)
{
	char name[32];

	for (unsigned p = 0; p < N_PORTS; p++) {
		for (unsigned q = 0; q < N_QUEUES; q++) {
			snprintf(name, sizeof(name), "frx%u%u", p, q);
			rx[p][q] = rte_ring_create(name, 256, 0, 0);
			snprintf(name, sizeof(name), "ftx%u%u", p, q);
			tx[p][q] = rte_ring_create(name, 256, 0, 0);
			if (!rx[p][q] || !tx[p][q])
				return -1;
		}
		snprintf(name, sizeof(name), "fport%u", p);
		if (rte_eth_from_rings(name, rx[p], N_QUEUES, tx[p], N_QUEUES,
				       0) < 0)
			return -1;
	}
	return 0;
}

static void drain(void)
{
	void *m;

	for (unsigned p = 0; p < N_PORTS; p++)
		for (unsigned q = 0; q < N_QUEUES; q++)
			while (rte_ring_dequeue(tx[p][q], &m) == 0)
				rte_pktmbuf_free(m);
}

static void poll_all(void)
{
	for (unsigned w = 0; w < fz.n_workers; w++)
		dp_worker_poll_once(&fz.workers[w]);
	for (unsigned w = 0; w < fz.n_workers; w++)
		dp_worker_poll_once(&fz.workers[w]);
	drain();
	for (unsigned w = 0; w < fz.n_workers; w++) {
		struct aegw_evt evt;
		while (aegw_ring_evt_recv(fz.shm, w, &evt) == 0)
			;
	}
}

/* Stream id = action + 1 on 10.0.0.1:(4000 + 4 * action), keys all 0x11,
 * AES_CM_128_HMAC_SHA1_80; egress toward 192.168.0.2:9000. */
static void seed_stream(enum aegw_action a)
{
	struct aegw_cmd cmd;
	struct aegw_srtp_config k;

	memset(&cmd, 0, sizeof(cmd));
	memset(&k, 0, sizeof(k));
	k.suite = AEGW_SUITE_AES_CM_128_HMAC_SHA1_80;
	k.n_keys = 1;
	memset(k.keys[0].key, 0x11, sizeof(k.keys[0].key));
	memset(k.keys[0].salt, 0x11, sizeof(k.keys[0].salt));
	cmd.type = AEGW_CMD_ADD_STREAM;
	cmd.spec.stream_id = (uint32_t)a + 1;
	cmd.spec.action = (uint8_t)a;
	cmd.spec.flags = AEGW_STREAM_LATCH;
	cmd.spec.out_port = 1;
	cmd.spec.local = ep4(10, 0, 0, 1, (uint16_t)(4000 + 4 * a));
	cmd.spec.egress_src = ep4(192, 168, 0, 1, (uint16_t)(5000 + 4 * a));
	cmd.spec.egress_dst = ep4(192, 168, 0, 2, 9000);
	cmd.spec.in_crypto = k;
	cmd.spec.out_crypto = k;
	aegw_ring_cmd_send(fz.shm,
			   aegw_ring_worker_for_port(cmd.spec.local.port, 2),
			   &cmd);
	poll_all();
}

/* AEGW_FUZZ_VERBOSE=1 shows what the inputs reached (seed upkeep). */
static void report(void)
{
	for (unsigned w = 0; w < fz.n_workers; w++) {
		fprintf(stderr, "worker %u:", w);
		for (unsigned k = 0; k < AEGW_WC_COUNT; k++)
			if (fz.workers[w].counters[k])
				fprintf(stderr, " %s=%llu",
					aegw_worker_counter_name((enum aegw_worker_counter)k),
					(unsigned long long)fz.workers[w].counters[k]);
		fprintf(stderr, "\n");
	}
}

#ifdef AEGW_ASAN
/* The workers, their stream tables and so every stream and context the
 * inputs make live in DPDK's memory, which LeakSanitizer does not scan:
 * an input that made one (an SRTCP context on its first RTCP packet, a
 * stream by a fuzzed ADD) looked leaked. Scanning DPDK's memory finds
 * them; what is unreachable from there is leaked indeed. */
static int lsan_root(const struct rte_memseg_list *msl, void *arg)
{
	(void)arg;
	if (msl->base_va && msl->len)
		__lsan_register_root_region(msl->base_va, msl->len);
	return 0;
}
#endif

static void teardown(void)
{
	if (getenv("AEGW_FUZZ_VERBOSE"))
		report();
	drain();
	dp_teardown(&fz);
	rte_eal_cleanup();
}

static int setup(void)
{
	char prefix[32], *argv[] = { "fuzz", "--no-huge", "-m", "256",
				     "--no-pci", "-l", "0", "--file-prefix",
				     prefix, "--log-level", "*:error" };
	const uint8_t core_mac[6] = { 2, 0, 0, 0, 0xc0, 2 };

	snprintf(prefix, sizeof(prefix), "dpfuzz%d", (int)getpid());
	if (rte_eal_init((int)(sizeof(argv) / sizeof(argv[0])), argv) < 0 ||
	    make_ports())
		return -1;
	snprintf(fz.cfg.instance, sizeof(fz.cfg.instance), "dpfuzz%d",
		 (int)getpid());
	fz.cfg.backend = AEGW_SRTP_BACKEND_IPSECMB;
	fz.cfg.max_streams = 256;
	fz.cfg.rx_desc = fz.cfg.tx_desc = 128;
	fz.cfg.mbuf_data = 2048;
	fz.cfg.unlink_at_exit = true;
	fz.cfg.ports[0].ip4 = ep4(10, 0, 0, 1, 0);
	fz.cfg.ports[0].prefix4 = 24;
	fz.cfg.ports[1].ip4 = ep4(192, 168, 0, 1, 0);
	fz.cfg.ports[1].prefix4 = 24;
	fz.cfg.statics[0].port = 1;
	fz.cfg.statics[0].ip = ep4(192, 168, 0, 2, 0);
	memcpy(fz.cfg.statics[0].mac, core_mac, 6);
	fz.cfg.n_static = 1;
	fz.n_workers = 2;
	if (dp_setup(&fz))
		return -1;
#ifdef AEGW_ASAN
	rte_memseg_list_walk(lsan_root, NULL);
#endif
	atexit(teardown);
	for (unsigned a = 0; a < AEGW_ACTION_COUNT; a++)
		seed_stream((enum aegw_action)a);
	return 0;
}

static void feed_frame(unsigned port, unsigned queue, const uint8_t *d,
		       size_t n)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(fz.pool);
	char *p;

	if (!m)
		return;
	p = rte_pktmbuf_append(m, (uint16_t)n);
	if (!p) {
		rte_pktmbuf_free(m);
		return;
	}
	memcpy(p, d, n);
	m->port = (uint16_t)port;
	if (rte_ring_enqueue(rx[port][queue], m))
		rte_pktmbuf_free(m);
}

static void feed_record(unsigned worker, const uint8_t *d, size_t n)
{
	struct aegw_cmd cmd;

	memset(&cmd, 0, sizeof(cmd));
	memcpy(&cmd, d, n < sizeof(cmd) ? n : sizeof(cmd));
	aegw_ring_cmd_send(fz.shm, worker, &cmd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int state; /* 0: not set up, 1: up, -1: failed */

	if (!state)
		state = setup() ? -1 : 1;
	if (state < 0)
		abort();
	if (size < 1 || size > 2000)
		return 0;
	if (data[0] & 0x80)
		feed_record(data[0] & 1, data + 1, size - 1);
	else
		feed_frame(data[0] & 1, (data[0] >> 1) & 1, data + 1, size - 1);
	poll_all();
	return 0;
}
