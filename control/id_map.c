/* A map from ids to pointers (id_map.h). */
#include <stdlib.h>

#include "id_map.h"

static size_t home(const struct ctl_id_map *m, uint32_t id)
{
	return (size_t)(((uint64_t)id * 0x9e3779b97f4a7c15ull) >> 32) & m->mask;
}

/* id's slot, or the free slot where it would go. */
static size_t find(const struct ctl_id_map *m, uint32_t id)
{
	size_t i = home(m, id);

	while (m->keys[i] && m->keys[i] != id)
		i = (i + 1) & m->mask;
	return i;
}

void *ctl_id_map_get(const struct ctl_id_map *m, uint32_t id)
{
	size_t i;

	if (!m->keys || !id)
		return NULL;
	i = find(m, id);
	return m->keys[i] ? m->vals[i] : NULL;
}

static int grow(struct ctl_id_map *m)
{
	size_t slots = m->keys ? 2 * (m->mask + 1) : 1024;
	struct ctl_id_map big = { .n = m->n, .mask = slots - 1 };

	big.keys = calloc(slots, sizeof(*big.keys));
	big.vals = calloc(slots, sizeof(*big.vals));
	if (!big.keys || !big.vals) {
		free(big.keys);
		free(big.vals);
		return -1;
	}
	for (size_t i = 0; m->keys && i <= m->mask; i++) {
		size_t j;

		if (!m->keys[i])
			continue;
		j = find(&big, m->keys[i]);
		big.keys[j] = m->keys[i];
		big.vals[j] = m->vals[i];
	}
	free(m->keys);
	free(m->vals);
	*m = big;
	return 0;
}

int ctl_id_map_put(struct ctl_id_map *m, uint32_t id, void *val)
{
	size_t i;

	if (!id)
		return -1;
	if ((!m->keys || 2 * (m->n + 1) > m->mask + 1) && grow(m))
		return -1;
	i = find(m, id);
	if (!m->keys[i]) {
		m->keys[i] = id;
		m->n++;
	}
	m->vals[i] = val;
	return 0;
}

/* Knuth's algorithm R (TAOCP 6.4): the entries after the hole move back
 * into it when their home does not lie between the hole and them. */
void ctl_id_map_del(struct ctl_id_map *m, uint32_t id)
{
	size_t hole, i;

	if (!m->keys || !id)
		return;
	hole = find(m, id);
	if (!m->keys[hole])
		return;
	m->n--;
	for (i = (hole + 1) & m->mask; m->keys[i]; i = (i + 1) & m->mask) {
		size_t h = home(m, m->keys[i]);

		if (((i - h) & m->mask) < ((i - hole) & m->mask))
			continue;
		m->keys[hole] = m->keys[i];
		m->vals[hole] = m->vals[i];
		hole = i;
	}
	m->keys[hole] = 0;
	m->vals[hole] = NULL;
}

void ctl_id_map_fini(struct ctl_id_map *m)
{
	free(m->keys);
	free(m->vals);
	*m = (struct ctl_id_map){ 0 };
}
