/* The daemon's state: set-up, tear-down, and the periodic work (the ring's
 * epoch and heartbeat, the retransmission cache, registration expiry,
 * timeouts). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "quality.h"
#include "sdp_side.h"
#include "streams.h"

/* --ng-cache-mb in bytes, held to what a size_t can say. */
static size_t cache_bytes(unsigned mb)
{
	uint64_t b = (uint64_t)mb << 20;

	return b > SIZE_MAX ? SIZE_MAX : (size_t)b;
}

/* The ring's spontaneous events that mean something to the daemon. */
static void ring_event(void *arg, const struct aegw_evt *evt)
{
	struct ctl *ctl = arg;

	if (evt->type == AEGW_EVT_READING)
		ctl_readings_take(ctl, evt);
	else if (evt->type == AEGW_EVT_RTCP)
		ctl_quality_report(ctl, evt);
}

int ctl_init(struct ctl *ctl, const struct ctl_options *opt, char *err,
	     size_t errlen)
{
	memset(ctl, 0, sizeof(*ctl));
	ctl->opt = *opt;
	ctl->started = time(NULL);
	ctl->next_stream_id = 1;
	ctl->n_ifaces = opt->n_ifaces;
	for (unsigned i = 0; i < opt->n_ifaces; i++) {
		const struct ctl_iface_cfg *cfg = &ctl->opt.ifaces[i];

		ctl->ifaces[i].cfg = cfg;
		if (ctl_pool_init(&ctl->ifaces[i].pool, cfg->port_min,
				  cfg->port_max))
			goto nomem;
	}
	ctl->sdp = malloc(sizeof(*ctl->sdp));
	if (ctl_sdp_loop_mark(ctl->loop_mark, sizeof(ctl->loop_mark))) {
		snprintf(err, errlen, "no randomness for the loop-protect mark");
		ctl_fini(ctl);
		return -1;
	}
	if (!ctl->sdp ||
	    ctl_calls_init(&ctl->calls, opt->max_sessions) ||
	    ng_cache_init(&ctl->cache, cache_bytes(opt->cache_mb),
			  opt->cache_ttl_s) ||
	    ctl_registry_init(&ctl->registry, opt->max_registrations))
		goto nomem;
	ctl_ring_init(&ctl->ring, opt->instance);
	ctl->ring.on_event = ring_event;
	ctl->ring.event_arg = ctl;
	if (opt->journal > 0) {
		if (ctl_journal_open(&ctl->journal, opt->instance,
				     opt->max_sessions ? opt->max_sessions :
				     CTL_DEFAULT_JOURNAL_CALLS, err, errlen)) {
			ctl_fini(ctl);
			return -1;
		}
		ctl_journal_recover(ctl);
		if (ctl_reg_store_open(&ctl->reg_store, opt->instance,
				       opt->max_registrations, err, errlen)) {
			ctl_fini(ctl);
			return -1;
		}
		ctl_reg_store_load(&ctl->reg_store, &ctl->registry,
				   ctl_now_ns());
		ctl->registry.store = &ctl->reg_store;
	}
	return 0;
nomem:
	snprintf(err, errlen, "out of memory");
	ctl_fini(ctl);
	return -1;
}

void ctl_fini(struct ctl *ctl)
{
	if (ctl->calls.buckets)
		ctl_calls_fini(&ctl->calls);
	if (ctl->cache.buckets)
		ng_cache_fini(&ctl->cache);
	ctl_registry_fini(&ctl->registry);
	ctl_reg_store_close(&ctl->reg_store);
	ctl_readings_fini(&ctl->readings);
	ctl_journal_close(&ctl->journal);
	ctl_dp_counters_free(&ctl->dp_totals);
	ctl_adopted_free(&ctl->adopted);
	ctl_ring_fini(&ctl->ring);
	for (unsigned i = 0; i < ctl->n_ifaces; i++)
		ctl_pool_fini(&ctl->ifaces[i].pool);
	free(ctl->sdp);
	ctl->sdp = NULL;
}

/* Adoption and replay wait for a heartbeat: a dataplane that has just
 * made its object may not poll its rings yet. */
void ctl_tick(struct ctl *ctl)
{
	switch (ctl_ring_poll(&ctl->ring)) {
	case CTL_RING_ATTACHED:
		ctl->adopt_pending = true;
		break;
	case CTL_RING_NEW_DATAPLANE:
		ctl->adopt_pending = false;
		ctl->replay_pending = true;
		ctl_adopted_drop_all(ctl);
		break;
	case CTL_RING_SAME:
		break;
	}
	ctl_readings_apply(ctl);
	if ((ctl->adopt_pending || ctl->replay_pending) &&
	    ctl_ring_ready(&ctl->ring)) {
		if (ctl->adopt_pending)
			ctl_adopt(ctl);
		if (ctl->replay_pending)
			ctl_replay(ctl);
		ctl->adopt_pending = ctl->replay_pending = false;
	}
	ng_cache_expire(&ctl->cache, ctl_now_ns());
	ctl_registry_expire(&ctl->registry, ctl_now_ns());
	ctl_timeout_tick(ctl);
	ctl_journal_trim(&ctl->journal);
}

struct ctl_iface *ctl_iface_find(struct ctl *ctl, const char *name,
				 size_t len)
{
	for (unsigned i = 0; i < ctl->n_ifaces; i++)
		if (strlen(ctl->ifaces[i].cfg->name) == len &&
		    !memcmp(ctl->ifaces[i].cfg->name, name, len))
			return &ctl->ifaces[i];
	return NULL;
}

int ctl_iface_index_of(const struct ctl *ctl, const struct aegw_endpoint *ep)
{
	int found = -1;

	for (unsigned i = 0; i < ctl->n_ifaces; i++) {
		const struct ctl_iface_cfg *f = ctl->ifaces[i].cfg;

		if (!ctl_same_ip(&f->addr, ep))
			continue;
		if (ep->port >= f->port_min && ep->port <= f->port_max)
			return (int)i;
		if (found < 0)
			found = (int)i;
	}
	return found;
}

uint32_t ctl_stream_id_next(struct ctl *ctl)
{
	/* 2^32 ids last years at any call rate; 0 means "none". */
	if (ctl->next_stream_id == 0)
		ctl->next_stream_id = 1;
	return ctl->next_stream_id++;
}
