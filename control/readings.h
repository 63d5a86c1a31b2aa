/* The dataplane's readings (EVT_READING, docs/RING.md): a worker tells
 * where a stream's contexts are whenever a packet moved them a step (a
 * new SSRC, RTP 2^13 on, SRTCP 2^8 on), so that the journal, and with it
 * a restart of both daemons, is never more than about a step behind,
 * whatever time the timeout walk takes to come by.
 *
 * A reading arrives whenever the rings are drained, which may be in the
 * middle of a request's wait for its ACKs: it is queued there and applied
 * at the loop's next tick, when no request runs, to the installed media
 * whose stream it is, or, for a call an answer installs again, just
 * before that install. One queued before the call's resume points were
 * set from something newer (an answer's install, which may have changed
 * keys; the walk's sample; the dump a restarted control claims its calls
 * from) is dropped: it is older, or of contexts that may be gone.
 * Control thread only. */
#ifndef CTL_READINGS_H
#define CTL_READINGS_H

#include <stddef.h>
#include <stdint.h>

#include "aegw/ring.h"

struct ctl;
struct ctl_call;

/* What became of a reading. */
#define CTL_FOREACH_READING_RESULT(X)                                        \
	X(KEPT, "kept")           /* the media's resume point moved on */   \
	X(JOURNALED, "journaled") /* ... far enough to rewrite the record */ \
	X(STALE, "stale")         /* older than the resume point, or of   \
				   * a media gone */                      \
	X(UNKNOWN, "unknown")     /* a stream no call has (a call ended,  \
				   * a static stream) */                  \
	X(LOST, "lost")           /* the queue full, or no memory */

enum ctl_reading_result {
#define CTL_READING_RESULT_ENUM(id, name) CTL_READING_##id,
	CTL_FOREACH_READING_RESULT(CTL_READING_RESULT_ENUM)
#undef CTL_READING_RESULT_ENUM
	CTL_READING_RESULT_COUNT
};

const char *ctl_reading_result_name(enum ctl_reading_result r);

struct ctl_reading; /* readings.c */

struct ctl_readings {
	struct ctl_reading *q;
	size_t n, cap;
	uint64_t results[CTL_READING_RESULT_COUNT];
};

/* An EVT_READING from the ring (arg: the struct ctl): queues it. */
void ctl_readings_take(void *arg, const struct aegw_evt *evt);
/* At the tick, before a replay uses the resume points: applies every
 * reading queued, and writes the record of each call one moved a step,
 * once. */
void ctl_readings_apply(struct ctl *ctl);
/* Before an answer installs c's streams again: applies c's readings
 * (the caller writes c's record after). */
void ctl_readings_apply_call(struct ctl *ctl, struct ctl_call *c);
void ctl_readings_fini(struct ctl_readings *r);

#endif
