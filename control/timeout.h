/* Calls that end by time: media silence (--timeout), an offer never
 * answered (--offer-timeout), a lifetime (--final-timeout), and a delete
 * that asked to wait (`delete delay`). Activity is read from the
 * dataplane's per-stream counters, a call at most once a second, a
 * bounded share of the calls per loop tick, so that a large table never
 * holds up the ng sockets. Control thread only. */
#ifndef CTL_TIMEOUT_H
#define CTL_TIMEOUT_H

#include <stdint.h>

#include "aegw/counters.h"

struct ctl;
struct ctl_call;
struct ctl_options;

/* Why a call ended by itself: the reason the log gives, and the
 * `statistics` key that counts it (rtpengine's names). */
#define CTL_FOREACH_TIMEOUT(X)                                              \
	X(MEDIA, "media timeout", "timeoutsessions")                        \
	X(OFFER, "offer timeout", "offertimeoutsessions")                   \
	X(FINAL, "final timeout", "finaltimeoutsessions")                   \
	X(SILENT, "silent timeout", "silenttimeoutsessions")

enum ctl_timeout {
	CTL_TIMEOUT_NONE,
#define CTL_TIMEOUT_ENUM(id, reason, stat) CTL_TIMEOUT_##id,
	CTL_FOREACH_TIMEOUT(CTL_TIMEOUT_ENUM)
#undef CTL_TIMEOUT_ENUM
	CTL_TIMEOUT_COUNT
};

enum {
	CTL_TIMEOUT_SAMPLE_MS = 1000,    /* a call's counters, at most */
	CTL_TIMEOUT_VISITS_PER_TICK = 2048,
	CTL_TIMEOUT_TICK_BUDGET_US = 5000, /* of ring round trips, per tick */
	/* A read waits this long at most, and a worker that let one time
	 * out is not read again until it has answered: these reads run on
	 * the loop, ahead of the ng requests. */
	CTL_TIMEOUT_READ_WAIT_MS = 50,
};

const char *ctl_timeout_reason(enum ctl_timeout t);
const char *ctl_timeout_stat_name(enum ctl_timeout t);

/* The packets a stream's counters show its peer sent: every packet
 * received, less those refused before they were tied to the peer (wrong
 * source, malformed, failed authentication, replayed, unknown MKI, ...).
 * A packet dropped after that (no neighbour, TX queue full) still counts:
 * the peer is there. Anyone can send garbage to a port; only the peer can
 * keep its call alive. */
uint64_t ctl_timeout_peer_packets(const uint64_t c[AEGW_SC_COUNT]);

/* Whether c is on hold: it has installed media and none is to flow, no
 * leg whose peer sends (sendrecv, sendonly, no attribute) toward one that
 * receives (inactive both ways, or sendonly against inactive). Its
 * silence is meant: --silent-timeout, not --timeout, as in rtpengine. */
bool ctl_timeout_held(const struct ctl_call *c);

/* Whether c is over one of o's limits at now_ns. Silence counts from the
 * later of c->active_ns and blind_ns (the last moment no dataplane could
 * be read: no counters is not silence). A call not answered yet falls
 * under --offer-timeout, not --timeout: ringing has no media; a call on
 * hold under --silent-timeout. */
enum ctl_timeout ctl_timeout_judge(const struct ctl_options *o,
				   const struct ctl_call *c, uint64_t now_ns,
				   uint64_t blind_ns);

/* Once per loop tick: calls whose delete delay is over go, then the walk
 * samples and judges the next calls. */
void ctl_timeout_tick(struct ctl *ctl);

/* An offer or answer for c succeeded: its silence starts again, and a
 * delete delay it was in is cancelled (a re-INVITE after a failed fork,
 * as rtpengine has it). */
void ctl_timeout_signal(struct ctl *ctl, struct ctl_call *c);

/* The `delete` of c with a delay: it stays (query, media) until
 * delay_s seconds from now, then goes as a delete would. An earlier
 * deadline already set is kept. */
void ctl_timeout_delete_after(struct ctl *ctl, struct ctl_call *c,
			      unsigned delay_s);

#endif
