/* Calls that end by time: the walk over the call table that samples the
 * dataplane's counters and judges silence, offer and final timeouts, and
 * the list of calls waiting out their delete delay. */
#include <errno.h>

#include "ctl.h"
#include "log.h"
#include "sdp_offer.h"
#include "streams.h"
#include "timeout.h"

static const char *const reasons[] = {
	[CTL_TIMEOUT_NONE] = "none",
#define CTL_TIMEOUT_REASON(id, reason, stat) [CTL_TIMEOUT_##id] = reason,
	CTL_FOREACH_TIMEOUT(CTL_TIMEOUT_REASON)
#undef CTL_TIMEOUT_REASON
};

static const char *const stat_names[] = {
	[CTL_TIMEOUT_NONE] = "none",
#define CTL_TIMEOUT_STAT(id, reason, stat) [CTL_TIMEOUT_##id] = stat,
	CTL_FOREACH_TIMEOUT(CTL_TIMEOUT_STAT)
#undef CTL_TIMEOUT_STAT
};

const char *ctl_timeout_reason(enum ctl_timeout t)
{
	return (unsigned)t < CTL_TIMEOUT_COUNT ? reasons[t] : "unknown";
}

const char *ctl_timeout_stat_name(enum ctl_timeout t)
{
	return (unsigned)t < CTL_TIMEOUT_COUNT ? stat_names[t] : "unknown";
}

/* Drops that happen before a packet is known to be the peer's: the
 * source and checksum checks, then the SRTP checks up to and including
 * the tag (counters.h). */
static const enum aegw_stream_counter not_the_peers[] = {
	AEGW_SC_drop_wrong_source, AEGW_SC_drop_malformed,
	AEGW_SC_drop_auth_failed,  AEGW_SC_drop_replay,
	AEGW_SC_drop_too_old,      AEGW_SC_drop_key_expired,
	AEGW_SC_drop_unknown_mki,  AEGW_SC_drop_policy,
};

uint64_t ctl_timeout_peer_packets(const uint64_t c[AEGW_SC_COUNT])
{
	const unsigned n_drops = sizeof(not_the_peers) / sizeof(not_the_peers[0]);
	uint64_t n = c[AEGW_SC_rx_packets];

	for (unsigned i = 0; i < n_drops; i++)
		n -= c[not_the_peers[i]];
	return n;
}

static uint64_t ns_of(unsigned s)
{
	return (uint64_t)s * 1000000000ull;
}

static bool sends(uint8_t dir)
{
	return dir != AEGW_SDP_DIR_RECVONLY && dir != AEGW_SDP_DIR_INACTIVE;
}

static bool receives(uint8_t dir)
{
	return dir != AEGW_SDP_DIR_SENDONLY && dir != AEGW_SDP_DIR_INACTIVE;
}

bool ctl_timeout_held(const struct ctl_call *c)
{
	bool installed = false;

	for (unsigned i = 0; i < c->n_media; i++) {
		const struct ctl_media *m = &c->media[i];

		if (!m->installed)
			continue;
		installed = true;
		for (unsigned from = 0; from < 2; from++)
			if (sends(m->leg[from].dir) &&
			    receives(m->leg[1 - from].dir))
				return false;
	}
	return installed;
}

enum ctl_timeout ctl_timeout_judge(const struct ctl_options *o,
				   const struct ctl_call *c, uint64_t now_ns,
				   uint64_t blind_ns)
{
	uint64_t since = c->active_ns > blind_ns ? c->active_ns : blind_ns;
	enum ctl_timeout t = !c->answered	  ? CTL_TIMEOUT_OFFER :
			     ctl_timeout_held(c) ? CTL_TIMEOUT_SILENT :
						   CTL_TIMEOUT_MEDIA;
	unsigned limit = t == CTL_TIMEOUT_OFFER	 ? o->offer_timeout_s :
			 t == CTL_TIMEOUT_SILENT ? o->silent_timeout_s :
						   o->timeout_s;

	if (o->final_timeout_s &&
	    now_ns - c->created_ns >= ns_of(o->final_timeout_s))
		return CTL_TIMEOUT_FINAL;
	if (limit && now_ns > since && now_ns - since >= ns_of(limit))
		return t;
	return CTL_TIMEOUT_NONE;
}

/* Reads c's installed streams. Any packet of a peer since the last
 * sample, or a stream that could not be read, makes c active: a read
 * that failed proves no silence. Counters that went back (streams
 * installed again after an answer or a dataplane restart) differ too.
 * Returns false when a read waited and failed: a worker that stopped
 * answering. One skipped at once (its worker still owes late ACKs)
 * costs nothing, and the walk goes on. */
static bool sample(struct ctl *ctl, struct ctl_call *c, uint64_t now)
{
	struct ctl_counts k;
	uint64_t sum = 0;
	bool unread = false, waited_in_vain = false, moved = false;

	/* Readings queued before are older than what this reads; those
	 * that come while it waits are as new or newer (a worker sends a
	 * reading before it runs the commands of the same poll). */
	c->resume_gen++;
	ctl_ring_limit_waits(&ctl->ring,
			     CTL_TIMEOUT_READ_WAIT_MS * 1000000ull);
	for (unsigned i = 0; i < c->n_media; i++) {
		if (!c->media[i].installed)
			continue;
		ctl_media_counters(ctl, &c->media[i], &k);
		for (unsigned from = 0; from < 2; from++) {
			unread |= !k.have[from];
			waited_in_vain |= k.rc[from] && k.rc[from] != -EINPROGRESS;
			sum += ctl_timeout_peer_packets(k.c[from]);
			if (k.have[from])
				moved |= ctl_media_note_resume(
					&c->media[i], from, &k.resume[from]);
		}
	}
	ctl_ring_limit_waits(&ctl->ring, 0);
	if (moved || c->journal_stale)
		ctl_journal_put(ctl, c);
	if (unread || sum != c->seen)
		c->active_ns = now;
	c->seen = sum;
	return !waited_in_vain;
}

static void end_call(struct ctl *ctl, struct ctl_call *c, enum ctl_timeout t)
{
	ctl->stats.timeouts[t]++;
	ctl_log(CTL_LOG_INFO, "call %s deleted: %s", c->call_id,
		ctl_timeout_reason(t));
	ctl_call_delete(ctl, c);
}

/* One call of the walk. *readable goes false when a read waited and
 * failed: a worker that stopped answering costs each read its wait
 * (CTL_TIMEOUT_READ_WAIT_MS), so the walk waits for the next tick (and
 * the heartbeat) instead. */
static void visit(struct ctl *ctl, struct ctl_call *c, uint64_t now,
		  bool *readable)
{
	enum ctl_timeout t;

	if (c->delete_ns || now < c->next_sample_ns)
		return;
	c->next_sample_ns = now + CTL_TIMEOUT_SAMPLE_MS * 1000000ull;
	if (*readable && !sample(ctl, c, now))
		*readable = false;
	t = ctl_timeout_judge(&ctl->opt, c, now, ctl->blind_ns);
	if (t != CTL_TIMEOUT_NONE)
		end_call(ctl, c, t);
}

/* From the cursor on, at most one lap and CTL_TIMEOUT_VISITS_PER_TICK
 * calls, and only while this tick's time budget lasts (ring round trips
 * are what costs): with 100k calls a lap takes several ticks, and a call
 * is judged that much later than its limit. Without a readable dataplane
 * the walk goes on, judging without sampling (blind_ns keeps the media
 * and offer timeouts off; the final timeout still applies). */
static void walk(struct ctl *ctl, uint64_t now, bool readable)
{
	struct ctl_calls *t = &ctl->calls;
	uint64_t stop = now + CTL_TIMEOUT_TICK_BUDGET_US * 1000ull;
	unsigned n = t->n_calls < CTL_TIMEOUT_VISITS_PER_TICK ?
			     t->n_calls : CTL_TIMEOUT_VISITS_PER_TICK;

	while (n-- && ctl_now_ns() < stop) {
		struct ctl_call *c = t->cursor ? t->cursor : t->first;
		bool was = readable;

		if (!c)
			break; /* every call ended in this walk */
		t->cursor = c->next;
		visit(ctl, c, now, &readable);
		if (was && !readable)
			break;
	}
}

static void reap_deleting(struct ctl *ctl, uint64_t now)
{
	struct ctl_call *c;

	while ((c = ctl->calls.del_first) && c->delete_ns <= now) {
		ctl_log(CTL_LOG_INFO, "call %s deleted: delete delay over",
			c->call_id);
		ctl_call_delete(ctl, c);
	}
}

/* While the dataplane cannot be read, no call is silent: blind_ns
 * follows the clock, and every call's silence starts again once the
 * dataplane is back. Final timeouts and delete delays go on. */
void ctl_timeout_tick(struct ctl *ctl)
{
	uint64_t now = ctl_now_ns();
	/* A dataplane whose streams are not all back yet (replay or
	 * adoption pending) would refuse the reads and look silent. */
	bool readable = ctl_ring_ready(&ctl->ring) && !ctl->replay_pending &&
			!ctl->adopt_pending;

	reap_deleting(ctl, now);
	if (!readable)
		ctl->blind_ns = now;
	walk(ctl, now, readable);
	ctl_adopted_walk(ctl, now, readable);
}

void ctl_timeout_signal(struct ctl *ctl, struct ctl_call *c)
{
	c->active_ns = ctl_now_ns();
	if (!c->delete_ns)
		return;
	ctl_call_unmark_deleting(&ctl->calls, c);
	ctl_log(CTL_LOG_INFO, "call %s: new signalling, delete cancelled",
		c->call_id);
}

void ctl_timeout_delete_after(struct ctl *ctl, struct ctl_call *c,
			      unsigned delay_s)
{
	uint64_t at = ctl_now_ns() + ns_of(delay_s);

	if (c->delete_ns && c->delete_ns <= at)
		return;
	ctl_call_mark_deleting(&ctl->calls, c, at);
	ctl_log(CTL_LOG_INFO, "call %s: deleted in %u s (delete delay)",
		c->call_id, delay_s);
}
