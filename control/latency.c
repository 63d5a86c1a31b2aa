/* Duration histograms (latency.h). */
#include "latency.h"

/* A request served from memory takes tens of microseconds, one that
 * waits for the dataplane's ACK a few more, one that waits for a
 * stalled or restarting dataplane up to its deadline (1 s): the bounds
 * tell those apart. */
const uint64_t ctl_latency_bounds_ns[CTL_LATENCY_BOUNDS] = {
	10000,    25000,    50000,     100000,    250000,
	500000,   1000000,  2500000,   5000000,   10000000,
	50000000, 250000000, 1000000000,
};

void ctl_latency_add(struct ctl_latency *h, uint64_t ns)
{
	unsigned i = 0;

	while (i < CTL_LATENCY_BOUNDS && ns > ctl_latency_bounds_ns[i])
		i++;
	h->bucket[i]++;
	h->count++;
	h->sum_ns += ns;
}
