/* A map from 32-bit ids (never 0) to pointers: open addressing, linear
 * probing, at most half full, deletion by moving the run back (no
 * tombstones), so that lookups stay short however many come and go.
 * Control thread only. */
#ifndef CTL_ID_MAP_H
#define CTL_ID_MAP_H

#include <stddef.h>
#include <stdint.h>

struct ctl_id_map {
	uint32_t *keys;  /* 0: free */
	void **vals;
	size_t n, mask;  /* entries; slots - 1 (0 before the first put) */
};

/* NULL when id is not in the map. */
void *ctl_id_map_get(const struct ctl_id_map *m, uint32_t id);
/* Sets id's value (a new entry or a new value). 0, or -1 when out of
 * memory (the map unchanged) or id is 0. */
int ctl_id_map_put(struct ctl_id_map *m, uint32_t id, void *val);
/* Removes id if it is there. */
void ctl_id_map_del(struct ctl_id_map *m, uint32_t id);
void ctl_id_map_fini(struct ctl_id_map *m);

#endif
