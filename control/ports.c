/* Port pools: a bitmap of pairs per interface, searched per worker. */
#include <stdlib.h>

#include "aegw/ring.h"
#include "ports.h"

int ctl_pool_init(struct ctl_port_pool *p, uint16_t port_min,
		  uint16_t port_max)
{
	unsigned first = (port_min + 1u) / 2; /* first even port's pair */
	unsigned last = port_max >= 1 ? (port_max - 1u) / 2 : 0;

	p->first_pair = (uint16_t)first;
	p->n_pairs = (uint16_t)(last >= first ? last - first + 1 : 0);
	p->n_used = 0;
	p->cursor = 0;
	p->used = calloc((p->n_pairs + 63u) / 64 + 1, sizeof(uint64_t));
	return p->used ? 0 : -1;
}

void ctl_pool_fini(struct ctl_port_pool *p)
{
	free(p->used);
	p->used = NULL;
}

static bool is_used(const struct ctl_port_pool *p, unsigned i)
{
	return (p->used[i / 64] >> (i % 64)) & 1;
}

static void set_used(struct ctl_port_pool *p, unsigned i, bool on)
{
	if (on)
		p->used[i / 64] |= 1ull << (i % 64);
	else
		p->used[i / 64] &= ~(1ull << (i % 64));
}

bool ctl_pool_contains(const struct ctl_port_pool *p, uint16_t port)
{
	unsigned k = port >> 1;

	return k >= p->first_pair && k - p->first_pair < p->n_pairs;
}

uint16_t ctl_pool_take(struct ctl_port_pool *p, unsigned worker,
		       unsigned n_workers)
{
	for (unsigned t = 0; t < p->n_pairs; t++) {
		unsigned i = (p->cursor + t) % p->n_pairs;
		uint16_t port = (uint16_t)((p->first_pair + i) * 2u);

		if (is_used(p, i) ||
		    aegw_ring_worker_for_port(port, n_workers) != worker)
			continue;
		set_used(p, i, true);
		p->n_used++;
		p->cursor = (i + 1) % p->n_pairs;
		return port;
	}
	return 0;
}

void ctl_pool_put(struct ctl_port_pool *p, uint16_t port)
{
	unsigned i;

	if (!ctl_pool_contains(p, port))
		return;
	i = (port >> 1) - p->first_pair;
	if (is_used(p, i)) {
		set_used(p, i, false);
		p->n_used--;
	}
}

bool ctl_pool_reserve(struct ctl_port_pool *p, uint16_t port)
{
	unsigned i;

	if (!ctl_pool_contains(p, port))
		return false;
	i = (port >> 1) - p->first_pair;
	if (is_used(p, i))
		return false;
	set_used(p, i, true);
	p->n_used++;
	return true;
}

unsigned ctl_pool_free_pairs(const struct ctl_port_pool *p)
{
	return p->n_pairs - p->n_used;
}

int ctl_pool_take_two(struct ctl_port_pool *a, struct ctl_port_pool *b,
		      unsigned n_workers, unsigned *rr, uint16_t *port_a,
		      uint16_t *port_b)
{
	for (unsigned t = 0; t < n_workers; t++) {
		unsigned w = (*rr + t) % n_workers;

		*port_a = ctl_pool_take(a, w, n_workers);
		if (!*port_a)
			continue;
		*port_b = ctl_pool_take(b, w, n_workers);
		if (*port_b) {
			*rr = w + 1;
			return 0;
		}
		ctl_pool_put(a, *port_a);
	}
	*port_a = *port_b = 0;
	return -1;
}
