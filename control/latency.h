/* Durations as a Prometheus histogram: fixed bounds from 10 us to 1 s,
 * one counter per bucket (the exposition makes them cumulative), their
 * count and their sum. Adding one is a few compares: it is done for
 * every ng request. */
#ifndef CTL_LATENCY_H
#define CTL_LATENCY_H

#include <stdint.h>

enum { CTL_LATENCY_BOUNDS = 13 };

/* Upper bounds of the buckets, in ns, ascending; a last bucket (+Inf)
 * takes what is longer. */
extern const uint64_t ctl_latency_bounds_ns[CTL_LATENCY_BOUNDS];

struct ctl_latency {
	uint64_t bucket[CTL_LATENCY_BOUNDS + 1]; /* [i]: bounds[i-1] < d <=
						  * bounds[i] */
	uint64_t count;
	uint64_t sum_ns;
};

void ctl_latency_add(struct ctl_latency *h, uint64_t ns);

#endif
