/* The command-ring consumer: runs the control daemon's commands between
 * bursts, so a stream never changes under a packet in flight, and answers
 * each one on the event ring with its sequence number. The streams'
 * READING events go out on the same ring, between commands. */
#include <errno.h>
#include <string.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_hash.h>

#include "dp.h"

enum {
	DP_CMDS_PER_POLL = 16, /* bounds the pause a burst of commands makes */
	DP_WALK_PER_POLL = 64, /* stream events per poll during a dump */
	DP_WALK_SLOTS_PER_POLL = 4096, /* table positions looked at, at most */
	/* Event slots a walk leaves free for the commands that run between
	 * its steps: a poll's commands send two events each at most (a
	 * stream's COUNTERS, the ACK). */
	DP_WALK_HEADROOM = 2 * DP_CMDS_PER_POLL + 32,
};

static void ack(struct dp_worker *w, uint64_t seq, uint32_t id, int status)
{
	w->ack = (struct aegw_evt){
		.seq = seq,
		.type = AEGW_EVT_ACK,
		.status = status,
		.stream_id = id,
	};
	w->counters[status ? AEGW_WC_command_errors : AEGW_WC_commands]++;
	/* The ACK must not be lost: if the ring is full it waits, and no
	 * further command runs until it is out. */
	w->pending_ack = aegw_ring_evt_send(w->dp->shm, w->idx, &w->ack) != 0;
}

static void stream_fill_evt(const struct dp_stream *s, struct aegw_evt *evt)
{
	evt->stream_id = s->id;
	evt->action = s->action;
	evt->flags = s->flags;
	evt->local = s->local;
	evt->remote = s->remote;
	evt->egress_src = s->egress_src;
	evt->egress_dst = s->egress_dst;
	evt->egress_rtcp_port = s->egress_rtcp_port;
	if (s->rtp_in) {
		aegw_srtp_stream_last(s->rtp_in, &evt->ssrc_in, &evt->index_in);
		aegw_srtp_stream_earlier(s->rtp_in, evt->earlier_in);
	}
	if (s->rtp_out) {
		aegw_srtp_stream_last(s->rtp_out, &evt->ssrc_out,
				      &evt->index_out);
		aegw_srtp_stream_earlier(s->rtp_out, evt->earlier_out);
	}
	dp_rtcp_slot_last(s->rtcp_in, false, &evt->rtcp_ssrc_in,
			  &evt->rtcp_index_in);
	dp_rtcp_slot_last(s->rtcp_out, true, &evt->rtcp_ssrc_out,
			  &evt->rtcp_index_out);
	memcpy(evt->counters, s->counters, sizeof(s->counters));
}

/* A stream's event (STREAM, COUNTERS, READING) onto the event ring: 0,
 * or -EAGAIN when it is full. */
static int stream_evt_send(struct dp_worker *w, const struct dp_stream *s,
			   uint32_t type, uint64_t seq)
{
	struct aegw_evt evt;

	memset(&evt, 0, sizeof(evt));
	evt.type = type;
	evt.seq = seq;
	stream_fill_evt(s, &evt);
	return aegw_ring_evt_send(w->dp->shm, w->idx, &evt);
}

static void worker_evt(const struct dp_worker *w, uint64_t seq,
		       struct aegw_evt *evt)
{
	*evt = (struct aegw_evt){ .seq = seq, .type = AEGW_EVT_WORKER };
	memcpy(evt->counters, w->counters, sizeof(w->counters));
}

static void walk_begin(struct dp_worker *w, uint32_t type, uint64_t seq)
{
	w->walk.active = true;
	w->walk.type = type;
	w->walk.seq = seq;
	w->walk.next = 0;
}

/* The walk's end: the worker's own counters, the ACK, and the walk that
 * waited for this one, if any. Tried again next poll if the ring is
 * full. */
static void walk_end(struct dp_worker *w)
{
	struct aegw_evt evt;

	worker_evt(w, w->walk.seq, &evt);
	if (aegw_ring_evt_send(w->dp->shm, w->idx, &evt))
		return;
	w->walk.active = false;
	ack(w, w->walk.seq, 0, 0);
	if (w->walk_next.waiting) {
		walk_begin(w, w->walk_next.type, w->walk_next.seq);
		w->walk_next.waiting = false;
	}
}

/* One step of a DUMP or COUNTERS-for-all walk. It goes over by_id's key
 * positions, not its buckets: a key keeps its position for as long as it
 * is in the table, while a cuckoo move can carry a bucket entry past the
 * walk. So commands run between the steps, and a stream that stays for
 * the whole walk is reported exactly once; one added or removed meanwhile
 * may be or not. */
static void walk_step(struct dp_worker *w)
{
	int32_t last = rte_hash_max_key_id(w->by_id);
	unsigned depth = aegw_ring_evt_depth(w->dp->shm, w->idx), quota = 0;
	unsigned sent = 0;

	if (depth + DP_WALK_HEADROOM < AEGW_RING_EVT_SLOTS)
		quota = AEGW_RING_EVT_SLOTS - DP_WALK_HEADROOM - depth;
	if (quota > DP_WALK_PER_POLL)
		quota = DP_WALK_PER_POLL;
	for (unsigned k = 0; k < DP_WALK_SLOTS_PER_POLL && sent < quota; k++) {
		int32_t pos = (int32_t)w->walk.next;
		void *key, *data;

		if (pos > last) {
			walk_end(w);
			return;
		}
		if (rte_hash_get_key_with_position(w->by_id, pos, &key) < 0 ||
		    rte_hash_lookup_data(w->by_id, key, &data) < 0) {
			w->walk.next++;
			continue;
		}
		if (stream_evt_send(w, data,
				    w->walk.type == AEGW_CMD_DUMP ?
					    AEGW_EVT_STREAM :
					    AEGW_EVT_COUNTERS,
				    w->walk.seq))
			return; /* the ring is full: resume here */
		w->walk.next++;
		sent++;
	}
}

/* A walk starts now, or after the one in progress. */
static void walk_start(struct dp_worker *w, const struct aegw_cmd *cmd)
{
	if (w->walk.active) {
		w->walk_next.waiting = true;
		w->walk_next.type = cmd->type;
		w->walk_next.seq = cmd->seq;
		return;
	}
	walk_begin(w, cmd->type, cmd->seq);
	walk_step(w);
}

static int counters_one(struct dp_worker *w, const struct aegw_cmd *cmd)
{
	struct dp_stream *s = dp_stream_find_id(w, cmd->stream_id);

	if (!s)
		return AEGW_ERR_NOT_FOUND;
	/* Retried by the control side like any refused command. */
	return stream_evt_send(w, s, AEGW_EVT_COUNTERS, cmd->seq) ?
		       AEGW_ERR_NO_ROOM :
		       0;
}

static void execute(struct dp_worker *w, const struct aegw_cmd *cmd)
{
	int err = aegw_cmd_validate(cmd);
	uint32_t id = cmd->type == AEGW_CMD_ADD_STREAM ||
				      cmd->type == AEGW_CMD_UPDATE_STREAM ?
			      cmd->spec.stream_id :
			      cmd->stream_id;

	if (err) {
		ack(w, cmd->seq, id, err);
		return;
	}
	switch (cmd->type) {
	case AEGW_CMD_ADD_STREAM:
		err = dp_stream_add(w, &cmd->spec);
		break;
	case AEGW_CMD_UPDATE_STREAM:
		err = dp_stream_update(w, &cmd->spec, cmd->update_mask);
		break;
	case AEGW_CMD_REMOVE_STREAM:
		err = dp_stream_remove(w, cmd->stream_id);
		break;
	case AEGW_CMD_COUNTERS:
		if (cmd->stream_id) {
			err = counters_one(w, cmd);
			break;
		}
		walk_start(w, cmd);
		return;
	case AEGW_CMD_DUMP:
		walk_start(w, cmd);
		return;
	default:
		err = AEGW_ERR_BAD_RECORD;
	}
	ack(w, cmd->seq, id, err);
}

/* What b has left of its per_ms events, refilled at each millisecond. */
static unsigned budget_left(struct dp_ms_budget *b, unsigned per_ms)
{
	uint64_t now = rte_get_tsc_cycles();

	if (now >= b->next_tsc) {
		b->next_tsc = now + rte_get_tsc_hz() / 1000;
		b->left = per_ms;
	}
	return b->left;
}

void dp_rtcp_report(struct dp_worker *w, const struct dp_stream *s,
		    const uint8_t *rtcp, uint32_t len)
{
	struct aegw_evt evt = { .type = AEGW_EVT_RTCP, .stream_id = s->id };
	struct timespec ts;

	if (aegw_rtcp_report_parse(rtcp, len, &evt.rtcp) ||
	    !(evt.rtcp.has_sr || evt.rtcp.n_blocks))
		return;
	/* Figures that can wait: never in the half of the ring a walk,
	 * readings and ACKs need. */
	if (!budget_left(&w->rtcp_budget, DP_RTCP_REPORTS_PER_MS) ||
	    aegw_ring_evt_depth(w->dp->shm, w->idx) >= AEGW_RING_EVT_SLOTS / 2) {
		w->counters[AEGW_WC_rtcp_reports_lost]++;
		return;
	}
	/* Control's clock: its round-trip times set this against the
	 * SRs it saw, maybe on another worker. */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	evt.rtcp.rx_ns = (uint64_t)ts.tv_sec * 1000000000ull +
			 (uint64_t)ts.tv_nsec;
	if (aegw_ring_evt_send(w->dp->shm, w->idx, &evt)) {
		w->counters[AEGW_WC_rtcp_reports_lost]++;
		return;
	}
	w->rtcp_budget.left--;
	w->counters[AEGW_WC_rtcp_reports]++;
}

void dp_reading_note(struct dp_worker *w, struct dp_stream *s)
{
	if (s->reading_due)
		return;
	if (w->n_readings == DP_READINGS_WAITING) {
		/* Control's walk reads the stream in its lap anyway. */
		w->counters[AEGW_WC_readings_lost]++;
		return;
	}
	s->reading_due = 1;
	w->readings[w->n_readings++] = s->id;
}

/* The readings waiting, each as the stream is now, a bounded number a
 * millisecond (a stream that changes SSRC at every packet costs one a
 * millisecond, and a poll's pause stays short), in the room a walk
 * would leave for commands' events: an ACK must never wait behind them
 * for long. A stream removed since has nothing left to resume. */
static void readings_send(struct dp_worker *w)
{
	unsigned depth, k;

	if (!budget_left(&w->readings_budget, DP_READINGS_PER_MS))
		return;
	depth = aegw_ring_evt_depth(w->dp->shm, w->idx);
	for (k = 0; k < w->n_readings && w->readings_budget.left; k++) {
		struct dp_stream *s;

		if (depth + DP_WALK_HEADROOM >= AEGW_RING_EVT_SLOTS)
			break;
		s = dp_stream_find_id(w, w->readings[k]);
		if (!s)
			continue;
		if (stream_evt_send(w, s, AEGW_EVT_READING, 0))
			break;
		s->reading_due = 0;
		w->readings_budget.left--;
		depth++;
		w->counters[AEGW_WC_readings_sent]++;
	}
	w->n_readings -= k;
	memmove(w->readings, w->readings + k, w->n_readings * sizeof(uint32_t));
}

void dp_command_poll(struct dp_worker *w)
{
	struct aegw_cmd cmd;

	if (w->pending_ack) {
		if (aegw_ring_evt_send(w->dp->shm, w->idx, &w->ack))
			return;
		w->pending_ack = false;
	}
	if (w->n_readings)
		readings_send(w);
	if (w->walk.active)
		walk_step(w);
	/* Commands go on during a walk; a second walk waits for the first,
	 * and nothing more is taken until it has started. */
	for (unsigned k = 0; k < DP_CMDS_PER_POLL; k++) {
		if (w->pending_ack || w->walk_next.waiting)
			return;
		if (aegw_ring_cmd_recv(w->dp->shm, w->idx, &cmd))
			return;
		execute(w, &cmd);
		aegw_cmd_wipe(&cmd);
	}
}
