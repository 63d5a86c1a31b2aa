/* Streams a previous control left that no journal claims (it ran with
 * --journal off, or its journal was of another layout): their calls are
 * unknown here, so no delete and no call's timeout ends them. Each is
 * paired with its reverse, the stream whose local end is its egress
 * source, as a call's two directions are. A pair is read at most once a
 * second, a bounded number per loop tick, and goes (its streams removed,
 * their ports back in the pools) once neither stream's peer sent for
 * --timeout seconds, a call's media timeout. A stream that paired with
 * none is kept, its port reserved: it is no call's two directions (a
 * static stream that did not fit back, ctl_static_adopt). One whose
 * reverse went (a failed REMOVE, removed by hand) is judged alone. A new
 * dataplane has none of them: they are forgotten and their ports freed.
 * Control thread only. */
#ifndef CTL_ADOPTED_H
#define CTL_ADOPTED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aegw/ring.h"

struct ctl;

enum {
	CTL_ADOPTED_VISITS_PER_TICK = 1024,
	CTL_ADOPTED_TICK_BUDGET_US = 2000, /* of ring round trips */
};

struct ctl_adopted_stream {
	uint32_t id;                /* 0: gone */
	uint32_t reverse;           /* its reverse's index + 1; 0: none */
	int16_t iface;              /* whose pool its pair came from; -1 */
	bool paired;                /* was a call's: judged, also once its
				     * reverse went */
	bool is_static;             /* AEGW_STREAM_STATIC: never paired */
	struct aegw_endpoint local;
	struct aegw_endpoint egress_src;
	uint64_t seen;              /* its peer's packets at the last read */
	uint64_t active_ns;         /* when they last moved */
	uint64_t next_sample_ns;
};

struct ctl_adopted {
	struct ctl_adopted_stream *s;
	size_t n, cap;
	size_t live;                /* entries not gone */
	size_t cursor;              /* the walk's next index */
};

/* A stream of the dump no call claims: its port's pair reserved, new
 * stream ids above its own. False when out of memory: it is then left
 * in place as before this table, its port reserved for good. */
bool ctl_adopted_add(struct ctl *ctl, const struct aegw_evt *e);

/* Once every stream of the dump is in: pairs each with its reverse. */
void ctl_adopted_pair(struct ctl_adopted *t);

/* The entry for stream id, or NULL. */
struct ctl_adopted_stream *ctl_adopted_find(struct ctl_adopted *t,
					    uint32_t id);

/* Stream id went by hand (aegwctl uninstall): its entry goes, its port
 * back in the pool it came from; its reverse stays, alone. False when no
 * entry had it. */
bool ctl_adopted_forget(struct ctl *ctl, uint32_t id);

/* A new dataplane: every entry goes, its port back in its pool. */
void ctl_adopted_drop_all(struct ctl *ctl);

/* Once per loop tick (timeout.c): the next pairs read and judged against
 * --timeout at now_ns, silence counted from ctl->blind_ns at the
 * earliest. Nothing while the dataplane cannot be read (readable
 * false) or with --timeout 0. */
void ctl_adopted_walk(struct ctl *ctl, uint64_t now_ns, bool readable);

void ctl_adopted_free(struct ctl_adopted *t);

#endif
