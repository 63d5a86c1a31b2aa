/* The daemon's state, in one struct the modules share: options,
 * interfaces and their port pools, the call table, the registration
 * store, the ring client, the ng retransmission cache and the counters.
 * One thread owns it. */
#ifndef CTL_CTL_H
#define CTL_CTL_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "aegw/ng.h"
#include "aegw/sdp.h"
#include "adopted.h"
#include "calls.h"
#include "dp_counters.h"
#include "journal.h"
#include "latency.h"
#include "ng_cache.h"
#include "options.h"
#include "ports.h"
#include "quality.h"
#include "readings.h"
#include "reg_store.h"
#include "registry.h"
#include "ring_client.h"
#include "static_streams.h"
#include "timeout.h"

/* What the reply to an ng request said, as the metrics count it. */
#define CTL_FOREACH_NG_RESULT(X)                                            \
	X(OK, "ok")                 /* ok, pong */                          \
	X(ERROR, "error")           /* error, or no reply could be made */  \
	X(LOAD_LIMIT, "load_limit") /* load limit */

enum ctl_ng_result {
#define CTL_NG_RESULT_ENUM(id, name) CTL_NG_RESULT_##id,
	CTL_FOREACH_NG_RESULT(CTL_NG_RESULT_ENUM)
#undef CTL_NG_RESULT_ENUM
	CTL_NG_RESULT_COUNT
};

struct ctl_stats {
	uint64_t commands[AEGW_NG_CMD_COUNT]; /* requests, by command */
	/* The same requests by what their reply said. */
	uint64_t results[AEGW_NG_CMD_COUNT][CTL_NG_RESULT_COUNT];
	/* How long they took, from their parse to their reply (a wait at
	 * the gate and for ACKs included; cache hits not). */
	struct ctl_latency duration[AEGW_NG_CMD_COUNT];
	uint64_t malformed;       /* messages that were no request: bad
				   * cookie, bencode or keys */
	uint64_t errors;          /* replies with result: error */
	uint64_t retransmits;     /* answered from the cache */
	uint64_t ng_denied;       /* requests and connections from outside
				   * --ng-allow, dropped */
	uint64_t load_limit;      /* offers refused with load limit */
	uint64_t no_ports;        /* offers refused: Ran out of ports */
	uint64_t loop_protected;  /* offers and answers aegw had marked
				   * (loop-protect): passed unchanged */
	uint64_t replays;         /* streams installed again after a
				   * dataplane restart */
	uint64_t adopted;         /* streams found from a previous control
				   * that no journal claims */
	uint64_t adopted_reaped;  /* of those, removed after silence */
	struct ctl_quality_stats quality; /* the peers' RTCP reports */
	uint64_t timeouts[CTL_TIMEOUT_COUNT]; /* calls that ended by time */
};

struct ctl {
	struct ctl_options opt;
	struct ctl_iface ifaces[CTL_MAX_IFACES];
	unsigned n_ifaces;
	struct ctl_calls calls;
	struct ctl_journal journal;
	struct ctl_registry registry;
	struct ctl_reg_store reg_store; /* registry's copy, with --journal */
	struct ctl_ring ring;
	struct ng_cache cache;
	struct ctl_statics statics; /* installed by hand (aegwctl) */
	struct ctl_adopted adopted; /* a previous control's, no call's */
	struct ctl_stats stats;
	struct ctl_dp_counters dp_totals; /* the dataplane's, for metrics */
	struct ctl_readings readings;     /* the dataplane's, to apply */
	uint32_t next_stream_id;
	unsigned rr_worker;       /* next worker for a new media */
	bool adopt_pending;       /* first attach: look for old streams */
	bool replay_pending;      /* new dataplane: install everything */
	uint64_t blind_ns;        /* the last tick the dataplane could not be
				   * read (timeout.c): no silence before */
	time_t started;
	/* loop-protect's mark, "rtpengine:" and 16 random hex digits, new
	 * with each daemon (sdp_side.c). */
	char loop_mark[32];
	/* Scratch for the SDP being handled (about 40 KiB each). */
	struct aegw_sdp *sdp;
};

/* 0, or -1 with a message in err. opt is copied. */
int ctl_init(struct ctl *ctl, const struct ctl_options *opt, char *err,
	     size_t errlen);
/* Frees everything; streams stay in the dataplane (a restarted control
 * finds them, see ctl_adopt). */
void ctl_fini(struct ctl *ctl);

/* Once per loop turn: the ring (attach, epoch: replay), the readings it
 * brought, the cache, the registrations that expired and the calls that
 * timed out. */
void ctl_tick(struct ctl *ctl);

struct ctl_iface *ctl_iface_find(struct ctl *ctl, const char *name,
				 size_t len);

/* The interface of aegw's address ep (a stream's local end): the one
 * whose port range holds ep's port when two share the address, else the
 * first with it; -1 when none has it. */
int ctl_iface_index_of(const struct ctl *ctl, const struct aegw_endpoint *ep);

/* A fresh stream id (never 0). */
uint32_t ctl_stream_id_next(struct ctl *ctl);

#endif
