/* A media's two dataplane streams: their specs, made from the legs, and
 * their life in the dataplane through the ring (install, remove, counters),
 * the replay after a dataplane restart, and the adoption of streams a
 * previous control left. Control thread only. */
#ifndef CTL_STREAMS_H
#define CTL_STREAMS_H

#include <stdbool.h>

#include "aegw/ring.h"
#include "calls.h"
#include "ctl.h"

/* The stream from leg `from` to the other leg: local is aegw's port on
 * from's interface, the action follows from which legs aegw (un)protects,
 * the keys are the from-peer's (in) and aegw's toward the other (out).
 * The remote is left to latching (NAT); egress_dst is the other peer's SDP
 * address when its family fits, and follows the reverse stream's latch.
 * spec holds keys: the caller wipes it (aegw_wipe). */
void ctl_stream_spec(const struct ctl_call *c, const struct ctl_media *m,
		     unsigned from, struct aegw_stream_spec *spec);

/* Brings the dataplane from old (what is installed for this media, or
 * NULL) to m: streams whose spec did not change are left alone, others
 * removed and added again. Sets m->installed. 0, or -1 with the reason
 * in err. */
int ctl_media_install(struct ctl *ctl, const struct ctl_call *c,
		      struct ctl_media *m, const struct ctl_media *old,
		      char *err, size_t errlen);
/* Whether leg from's stream as m has it would be updated in place from
 * what old installed (its SRTP contexts going on), rather than removed
 * and added again: the rule ctl_media_install follows. */
bool ctl_media_in_place(const struct ctl_call *c, const struct ctl_media *m,
			const struct ctl_media *old, unsigned from);
/* Removes m's streams (NOT_FOUND is fine) and clears m->installed. */
void ctl_media_uninstall(struct ctl *ctl, struct ctl_media *m);

/* A media's counters from the dataplane, per direction ([i]: the stream
 * from leg i); have[i] false when it could not be read. */
struct ctl_counts {
	uint32_t id[2];  /* the streams asked */
	bool have[2];
	int rc[2];       /* each read's ctl_ring_exec result */
	int rm_rc[2];    /* each REMOVE's, when the streams went */
	struct ctl_resume resume[2]; /* where their contexts are */
	uint64_t c[2][AEGW_SC_COUNT];
};
void ctl_media_counters(struct ctl *ctl, const struct ctl_media *m,
			struct ctl_counts *out);
/* Where a stream's contexts are, as its EVT_STREAM, EVT_COUNTERS or
 * EVT_READING says. */
struct ctl_resume ctl_resume_of_evt(const struct aegw_evt *evt);
/* Keeps where stream `from`'s contexts are now (a reading), for a
 * replay. True when a restart would now resume elsewhere enough (another
 * SSRC, an index a reading step on) that the journal must hear of it: a
 * restart of both daemons resumes from the journal's. */
bool ctl_media_note_resume(struct ctl_media *m, unsigned from,
			   const struct ctl_resume *now);
/* The same for any two streams: id[i] (0: none) on aegw's port[i];
 * with remove, they go in the same round trip (their last counters into
 * the metrics' totals). */
void ctl_stream_pair_counters(struct ctl *ctl, const uint32_t id[2],
			      const uint16_t port[2], struct ctl_counts *out,
			      bool remove);
/* Its last counters and its streams removed, in one round trip: what a
 * delete reports and does. */
void ctl_media_uninstall_counted(struct ctl *ctl, struct ctl_media *m,
				 struct ctl_counts *out);

/* After a dataplane restart: installs every installed media again. */
void ctl_replay(struct ctl *ctl);
/* After the first attach: streams already in the dataplane were installed
 * by a previous control; their ports are reserved and new stream ids
 * start above theirs, so nothing collides with them. */
void ctl_adopt(struct ctl *ctl);

/* One stream in and out of the dataplane, for streams that belong to no
 * call (static_streams.h): the ADD and REMOVE a media's install uses.
 * 0, or a ctl_ring_exec result (ctl_ring_strerror). spec holds keys: the
 * caller wipes it. */
int ctl_stream_add(struct ctl *ctl, const struct aegw_stream_spec *spec);
int ctl_stream_remove(struct ctl *ctl, uint16_t local_port, uint32_t id);

#endif
