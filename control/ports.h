/* Port pools: per interface, the RTP/RTCP port pairs (RTP even, RTCP the
 * odd port above) aegw hands out to media. The dataplane worker that owns
 * a pair is aegw_ring_worker_for_port(rtp, n_workers) (DATAPLANE.md,
 * "Ownership"), so a pool hands out pairs per worker, and the two legs of
 * one media take their pairs on one worker: the latching stream then finds
 * its reverse stream on its own worker. Control thread only. */
#ifndef CTL_PORTS_H
#define CTL_PORTS_H

#include <stdbool.h>
#include <stdint.h>

#include "options.h"

struct ctl_port_pool {
	uint16_t first_pair;  /* pair k holds ports 2k and 2k+1 */
	uint16_t n_pairs;
	unsigned n_used;
	unsigned cursor;      /* where the next search starts: a released
			       * pair is not reused at once, so late packets
			       * of the last call do not reach the next */
	uint64_t *used;       /* bitmap of n_pairs */
};

/* An interface at run time: its configuration and its pool. */
struct ctl_iface {
	const struct ctl_iface_cfg *cfg;
	struct ctl_port_pool pool;
};

/* The pairs inside [port_min, port_max]. 0, or -1 (no memory). */
int ctl_pool_init(struct ctl_port_pool *p, uint16_t port_min,
		  uint16_t port_max);
void ctl_pool_fini(struct ctl_port_pool *p);

/* Takes a free pair owned by worker (of n_workers); returns its RTP port,
 * or 0 when the worker has none left. */
uint16_t ctl_pool_take(struct ctl_port_pool *p, unsigned worker,
		       unsigned n_workers);
/* Gives a pair back (its RTP port; an odd one names the same pair). */
void ctl_pool_put(struct ctl_port_pool *p, uint16_t port);
/* Marks a pair used, if it is in the pool: for streams a previous control
 * left in the dataplane. Returns whether it was in the pool and free. */
bool ctl_pool_reserve(struct ctl_port_pool *p, uint16_t port);
bool ctl_pool_contains(const struct ctl_port_pool *p, uint16_t port);

unsigned ctl_pool_free_pairs(const struct ctl_port_pool *p);

/* Two pairs on one worker, one from each pool (a and b may be the same
 * pool): the worker is tried round-robin from *rr, which advances. 0, or
 * -1 when no worker has a pair in both ("Ran out of ports"). */
int ctl_pool_take_two(struct ctl_port_pool *a, struct ctl_port_pool *b,
		      unsigned n_workers, unsigned *rr, uint16_t *port_a,
		      uint16_t *port_b);

#endif
