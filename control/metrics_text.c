/* The exposition text (metrics.h): family by family, its HELP and TYPE
 * lines and then all of its samples, label values escaped. Counters end
 * in _total; what "by" something is, is a label. Names and meanings are
 * listed in docs/OPERATIONS.md ("Metrics"). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "metrics.h"
#include "ng_commands.h"
#include "secret.h"

struct label {
	const char *k, *v;
};

/* The text format's escapes: backslash and newline everywhere, and the
 * double quote inside a label value. */
static void escape(FILE *f, const char *s, bool quote)
{
	for (; *s; s++) {
		if (*s == '\\')
			fputs("\\\\", f);
		else if (*s == '\n')
			fputs("\\n", f);
		else if (quote && *s == '"')
			fputs("\\\"", f);
		else
			fputc(*s, f);
	}
}

static void family(FILE *f, const char *name, const char *type,
		   const char *help)
{
	fprintf(f, "# HELP %s ", name);
	escape(f, help, false);
	fprintf(f, "\n# TYPE %s %s\n", name, type);
}

/* A sample's name and labels, up to its value. */
static void series(FILE *f, const char *name, const struct label *l,
		   unsigned n)
{
	fputs(name, f);
	for (unsigned i = 0; i < n; i++) {
		fprintf(f, "%c%s=\"", i ? ',' : '{', l[i].k);
		escape(f, l[i].v, true);
		fputc('"', f);
	}
	if (n)
		fputc('}', f);
}

static void sample(FILE *f, const char *name, const struct label *l,
		   unsigned n, uint64_t v)
{
	series(f, name, l, n);
	fprintf(f, " %" PRIu64 "\n", v);
}

/* One labelled series of a histogram (latency.h), in seconds: its
 * buckets made cumulative, +Inf last, then the sum and the count. */
static void histogram(FILE *f, const char *name, struct label l,
		      const struct ctl_latency *h)
{
	char name_of[128], le[32];
	uint64_t below = 0;

	snprintf(name_of, sizeof(name_of), "%s_bucket", name);
	for (unsigned i = 0; i <= CTL_LATENCY_BOUNDS; i++) {
		below += h->bucket[i];
		if (i < CTL_LATENCY_BOUNDS)
			snprintf(le, sizeof(le), "%g",
				 (double)ctl_latency_bounds_ns[i] / 1e9);
		else
			snprintf(le, sizeof(le), "+Inf");
		sample(f, name_of, (struct label[]){ l, { "le", le } }, 2,
		       below);
	}
	snprintf(name_of, sizeof(name_of), "%s_sum", name);
	series(f, name_of, &l, 1);
	fprintf(f, " %.9f\n", (double)h->sum_ns / 1e9);
	snprintf(name_of, sizeof(name_of), "%s_count", name);
	sample(f, name_of, &l, 1, h->count);
}

/* A family of one sample without labels. */
static void single(FILE *f, const char *name, const char *type,
		   const char *help, uint64_t v)
{
	family(f, name, type, help);
	sample(f, name, NULL, 0, v);
}

static void info(FILE *f, const struct ctl *ctl)
{
	family(f, "aegw_build_info", "gauge", "The build, in its labels");
	sample(f, "aegw_build_info",
	       (struct label[]){ { "version", AEGW_VERSION } }, 1, 1);
	single(f, "aegw_process_start_time_seconds", "gauge",
	       "When aegw-control started, seconds since the epoch",
	       (uint64_t)ctl->started);
}

static void streams_by_mode(FILE *f, const struct ctl *ctl)
{
	uint64_t n[CTL_MODE_COUNT] = { 0 };

	for (const struct ctl_call *c = ctl->calls.first; c; c = c->next)
		for (unsigned i = 0; i < c->n_media; i++)
			if (c->media[i].installed)
				n[c->media[i].mode] += 2; /* one per direction */
	family(f, "aegw_streams", "gauge", "Streams installed by aegw-control "
	       "in the dataplane, by the mode of their media (static: "
	       "installed by hand)");
	for (unsigned m = 0; m < CTL_MODE_COUNT; m++)
		sample(f, "aegw_streams",
		       (struct label[]){ { "mode", ctl_mode_name(m) } }, 1, n[m]);
	sample(f, "aegw_streams", (struct label[]){ { "mode", "static" } }, 1,
	       ctl->statics.n);
}

static void timeouts(FILE *f, const struct ctl *ctl)
{
	family(f, "aegw_call_timeouts_total", "counter",
	       "Calls deleted because a timeout ran out, by kind");
	for (unsigned t = CTL_TIMEOUT_NONE + 1; t < CTL_TIMEOUT_COUNT; t++) {
		/* The log's reason less its " timeout": media, offer, final. */
		const char *reason = ctl_timeout_reason((enum ctl_timeout)t);
		char kind[32];

		snprintf(kind, sizeof(kind), "%.*s",
			 (int)strcspn(reason, " "), reason);
		sample(f, "aegw_call_timeouts_total",
		       (struct label[]){ { "kind", kind } }, 1,
		       ctl->stats.timeouts[t]);
	}
}

static void ports(FILE *f, const struct ctl *ctl)
{
	family(f, "aegw_interface_port_pairs", "gauge",
	       "RTP/RTCP port pairs of the interface's pool, by state");
	for (unsigned i = 0; i < ctl->n_ifaces; i++) {
		const struct ctl_iface *ifc = &ctl->ifaces[i];
		const char *name = ifc->cfg->name;

		sample(f, "aegw_interface_port_pairs",
		       (struct label[]){ { "interface", name },
					 { "state", "used" } }, 2,
		       ifc->pool.n_used);
		sample(f, "aegw_interface_port_pairs",
		       (struct label[]){ { "interface", name },
					 { "state", "free" } }, 2,
		       ctl_pool_free_pairs(&ifc->pool));
	}
}

static void calls(FILE *f, const struct ctl *ctl)
{
	single(f, "aegw_calls", "gauge", "Calls held", ctl->calls.n_calls);
	single(f, "aegw_calls_created_total", "counter", "Calls created",
	       ctl->calls.created_total);
	family(f, "aegw_calls_rejected_total", "counter",
	       "New calls refused, by reason");
	sample(f, "aegw_calls_rejected_total",
	       (struct label[]){ { "reason", "load_limit" } }, 1,
	       ctl->stats.load_limit);
	sample(f, "aegw_calls_rejected_total",
	       (struct label[]){ { "reason", "no_ports" } }, 1,
	       ctl->stats.no_ports);
	timeouts(f, ctl);
	streams_by_mode(f, ctl);
	single(f, "aegw_keys_held", "gauge", "SRTP keys held in locked memory",
	       ctl_secret_in_use());
	ports(f, ctl);
}

static void ng(FILE *f, const struct ctl *ctl)
{
	const struct ctl_stats *s = &ctl->stats;

	family(f, "aegw_ng_requests_total", "counter", "ng requests run, by "
	       "command and the result of their reply");
	for (unsigned c = 0; c < AEGW_NG_CMD_COUNT; c++)
		for (unsigned r = 0; r < CTL_NG_RESULT_COUNT; r++)
			sample(f, "aegw_ng_requests_total",
			       (struct label[]){
				       { "command", aegw_ng_command_name(c) },
				       { "result", ctl_ng_result_name(r) } },
			       2, s->results[c][r]);
	family(f, "aegw_ng_request_duration_seconds", "histogram", "How long "
	       "ng requests took aegw-control, by command: from reading the "
	       "request to its reply, waits for the dataplane included "
	       "(retransmissions answered from the cache are not counted)");
	for (unsigned c = 0; c < AEGW_NG_CMD_COUNT; c++)
		histogram(f, "aegw_ng_request_duration_seconds",
			  (struct label){ "command", aegw_ng_command_name(c) },
			  &s->duration[c]);
	single(f, "aegw_ng_malformed_total", "counter", "ng messages that "
	       "were no request (cookie, bencode, keys), answered with an "
	       "error or dropped", s->malformed);
	single(f, "aegw_ng_retransmits_total", "counter", "ng requests "
	       "answered from the retransmission cache, not run again",
	       s->retransmits);
	single(f, "aegw_ng_cache_bytes", "gauge", "bytes the ng "
	       "retransmission cache holds (at most --ng-cache-mb)",
	       ctl->cache.bytes);
	single(f, "aegw_ng_cache_evicted_total", "counter", "ng replies "
	       "dropped from the retransmission cache before their 30 s, or "
	       "never kept, for want of room: their retransmissions run again",
	       ctl->cache.evicted);
	single(f, "aegw_ng_loop_protected_total", "counter", "offers and "
	       "answers with loop-protect whose SDP aegw had already marked: "
	       "answered with it unchanged", s->loop_protected);
	single(f, "aegw_ng_denied_total", "counter", "ng requests and TCP "
	       "connections from outside --ng-allow, dropped", s->ng_denied);
}

/* The peers' RTCP reports (quality.h): what became of their blocks, and
 * the MOS of the samples that had one, as a histogram in MOS. */
static void quality(FILE *f, const struct ctl *ctl)
{
	const struct ctl_quality_stats *q = &ctl->stats.quality;
	uint64_t below = 0;
	char le[16];

	family(f, "aegw_rtcp_report_blocks_total", "counter", "Report blocks "
	       "of the peers' RTCP, by what became of them");
	for (unsigned k = 0; k < CTL_RTCP_BLOCK_RESULT_COUNT; k++)
		sample(f, "aegw_rtcp_report_blocks_total",
		       (struct label[]){ { "result", ctl_rtcp_block_result_name(
							(enum ctl_rtcp_block_result)k) } },
		       1, q->blocks[k]);
	family(f, "aegw_call_mos", "histogram", "MOS of the samples the "
	       "peers' RTCP reports gave (--mos-formula), as delete and "
	       "query give them");
	for (unsigned i = 0; i <= CTL_MOS_BOUNDS; i++) {
		below += q->mos_bucket[i];
		if (i < CTL_MOS_BOUNDS)
			snprintf(le, sizeof(le), "%.1f",
				 ctl_mos_bounds[i] / 10.0);
		else
			snprintf(le, sizeof(le), "+Inf");
		sample(f, "aegw_call_mos_bucket",
		       (struct label[]){ { "le", le } }, 1, below);
	}
	fprintf(f, "aegw_call_mos_sum %.1f\n", q->mos_sum10 / 10.0);
	sample(f, "aegw_call_mos_count", NULL, 0, below);
}

static void registrations(FILE *f, const struct ctl *ctl)
{
	const struct ctl_registry *r = &ctl->registry;

	single(f, "aegw_registrations", "gauge",
	       "UEs in the registration store", r->n);
	single(f, "aegw_registrations_max", "gauge",
	       "The registration store's size (--max-registrations)", r->max);
	single(f, "aegw_registrations_expired_total", "counter",
	       "Registrations that expired", r->expired);
	single(f, "aegw_registrations_refused_total", "counter",
	       "Registrations of new UEs refused: the store was full",
	       r->refused);
}

/* What a restarted daemon would take back: records written, and those
 * that could not be (a full store, a call too big for its slot). */
static void journals(FILE *f, const struct ctl *ctl)
{
	const struct ctl_journal *j = &ctl->journal;
	const struct ctl_reg_store *s = &ctl->reg_store;

	family(f, "aegw_journal_writes_total", "counter", "Records written "
	       "for a restarted daemon (--journal), by store");
	sample(f, "aegw_journal_writes_total",
	       (struct label[]){ { "store", "calls" } }, 1, j->written);
	sample(f, "aegw_journal_writes_total",
	       (struct label[]){ { "store", "registrations" } }, 1, s->written);
	family(f, "aegw_journal_failures_total", "counter", "Records that "
	       "could not be written: they would not survive a restart");
	sample(f, "aegw_journal_failures_total",
	       (struct label[]){ { "store", "calls" }, { "reason", "full" } },
	       2, j->failed);
	sample(f, "aegw_journal_failures_total",
	       (struct label[]){ { "store", "calls" }, { "reason", "too_big" } },
	       2, j->too_big);
	sample(f, "aegw_journal_failures_total",
	       (struct label[]){ { "store", "registrations" },
				 { "reason", "full" } },
	       2, s->failed);
}

static void ring(FILE *f, const struct ctl *ctl)
{
	const struct ctl_ring *r = &ctl->ring;

	single(f, "aegw_ring_commands_total", "counter",
	       "Commands sent to the dataplane's workers", r->sent);
	family(f, "aegw_ring_command_failures_total", "counter",
	       "Commands that failed, by reason");
	sample(f, "aegw_ring_command_failures_total",
	       (struct label[]){ { "reason", "refused" } }, 1, r->refused);
	sample(f, "aegw_ring_command_failures_total",
	       (struct label[]){ { "reason", "timed_out" } }, 1, r->timeouts);
	sample(f, "aegw_ring_command_failures_total",
	       (struct label[]){ { "reason", "ring_full" } }, 1, r->busy);
	single(f, "aegw_ring_full_waits_total", "counter", "Commands that "
	       "found their worker's command ring full and waited "
	       "(backpressure)", r->full_waits);
	single(f, "aegw_dataplane_replayed_streams_total", "counter",
	       "Streams installed again into a restarted dataplane",
	       ctl->stats.replays);
	single(f, "aegw_dataplane_adopted_streams_total", "counter",
	       "Streams found in the dataplane from a previous aegw-control "
	       "that no journal claims", ctl->stats.adopted);
	single(f, "aegw_dataplane_adopted_streams_reaped_total", "counter",
	       "Of those, streams removed once their media timed out",
	       ctl->stats.adopted_reaped);
	single(f, "aegw_dataplane_adopted_streams", "gauge",
	       "Streams of a previous aegw-control held: a call's until its "
	       "media times out, others for good", ctl->adopted.live);
	family(f, "aegw_dataplane_readings_total", "counter",
	       "Readings of where a stream's contexts are, pushed by the "
	       "dataplane as they move, by what became of them");
	for (unsigned k = 0; k < CTL_READING_RESULT_COUNT; k++)
		sample(f, "aegw_dataplane_readings_total",
		       (struct label[]){ { "result", ctl_reading_result_name(
							(enum ctl_reading_result)k) } },
		       1, ctl->readings.results[k]);
}

/* What the attached dataplane's object says, beating or not. */
static void attached(FILE *f, const struct ctl *ctl)
{
	const struct ctl_ring *r = &ctl->ring;
	char w[16];

	single(f, "aegw_dataplane_epoch", "gauge", "The dataplane's epoch: "
	       "one more at each restart", r->epoch);
	family(f, "aegw_dataplane_heartbeat_age_seconds", "gauge",
	       "Time since the dataplane's last heartbeat");
	fprintf(f, "aegw_dataplane_heartbeat_age_seconds %.3f\n",
		(double)ctl_ring_heartbeat_age_ms(r) / 1000);
	single(f, "aegw_dataplane_workers", "gauge", "The dataplane's workers",
	       r->n_workers);
	family(f, "aegw_ring_depth", "gauge",
	       "Records waiting in a worker's ring, by worker and ring");
	for (unsigned i = 0; i < r->n_workers; i++) {
		snprintf(w, sizeof(w), "%u", i);
		sample(f, "aegw_ring_depth",
		       (struct label[]){ { "worker", w }, { "ring", "command" } },
		       2, aegw_ring_cmd_depth(r->shm, i));
		sample(f, "aegw_ring_depth",
		       (struct label[]){ { "worker", w }, { "ring", "event" } },
		       2, aegw_ring_evt_depth(r->shm, i));
	}
}

static bool is_drop(const char *counter)
{
	return !strncmp(counter, "drop_", 5);
}

/* One stream counter summed per interface: in or out (dp_counters.h). */
static void iface_counter(FILE *f, const struct ctl *ctl,
			  const uint64_t (*by)[AEGW_SC_COUNT],
			  enum aegw_stream_counter k, const char *name,
			  const char *help)
{
	family(f, name, "counter", help);
	for (unsigned i = 0; i < ctl->n_ifaces; i++)
		sample(f, name, (struct label[]){ { "interface",
						    ctl->ifaces[i].cfg->name } },
		       1, by[i][k]);
}

static void iface_drops(FILE *f, const struct ctl *ctl,
			const struct ctl_dp_counters *dp)
{
	family(f, "aegw_interface_drops_total", "counter", "Packets dropped "
	       "by the streams that receive on the interface, by reason");
	for (unsigned i = 0; i < ctl->n_ifaces; i++) {
		for (unsigned k = 0; k < AEGW_SC_COUNT; k++) {
			const char *c = aegw_stream_counter_name(k);

			if (is_drop(c))
				sample(f, "aegw_interface_drops_total",
				       (struct label[]){
					       { "interface", ctl->ifaces[i].cfg->name },
					       { "reason", c + 5 } },
				       2, dp->in[i][k]);
		}
	}
}

static void interfaces(FILE *f, const struct ctl *ctl,
		       const struct ctl_dp_counters *dp)
{
	iface_counter(f, ctl, dp->in, AEGW_SC_rx_packets,
		      "aegw_interface_rx_packets_total", "Media packets "
		      "received on the interface, dropped ones included");
	iface_counter(f, ctl, dp->in, AEGW_SC_rx_bytes,
		      "aegw_interface_rx_bytes_total",
		      "UDP payload bytes of those packets");
	iface_counter(f, ctl, dp->out, AEGW_SC_tx_packets,
		      "aegw_interface_tx_packets_total",
		      "Media packets sent out of the interface");
	iface_counter(f, ctl, dp->out, AEGW_SC_tx_bytes,
		      "aegw_interface_tx_bytes_total",
		      "UDP payload bytes of those packets");
	iface_drops(f, ctl, dp);
}

/* One stream counter summed per worker. */
static void worker_streams(FILE *f, const struct ctl_dp_counters *dp,
			   enum aegw_stream_counter k, const char *name,
			   const char *help)
{
	char w[16];

	family(f, name, "counter", help);
	for (unsigned i = 0; i < dp->n_workers; i++) {
		snprintf(w, sizeof(w), "%u", i);
		sample(f, name, (struct label[]){ { "worker", w } }, 1,
		       dp->by_worker[i][k]);
	}
}

/* The worker's own counters (counters.h), each a family, and its drops
 * one family by reason. */
static void worker_own(FILE *f, const struct ctl_dp_counters *dp)
{
	char name[64], w[16];

	for (unsigned k = 0; k < AEGW_WC_COUNT; k++) {
		const char *c = aegw_worker_counter_name(k);

		if (is_drop(c))
			continue;
		snprintf(name, sizeof(name), "aegw_worker_%s_total", c);
		family(f, name, "counter", aegw_worker_counter_help(k));
		for (unsigned i = 0; i < dp->n_workers; i++) {
			snprintf(w, sizeof(w), "%u", i);
			sample(f, name, (struct label[]){ { "worker", w } }, 1,
			       dp->worker[i][k]);
		}
	}
	family(f, "aegw_worker_drops_total", "counter", "Frames the worker "
	       "dropped outside any stream, by reason");
	for (unsigned i = 0; i < dp->n_workers; i++) {
		snprintf(w, sizeof(w), "%u", i);
		for (unsigned k = 0; k < AEGW_WC_COUNT; k++) {
			const char *c = aegw_worker_counter_name(k);

			if (is_drop(c))
				sample(f, "aegw_worker_drops_total",
				       (struct label[]){ { "worker", w },
							 { "reason", c + 5 } },
				       2, dp->worker[i][k]);
		}
	}
}

static void workers(FILE *f, const struct ctl_dp_counters *dp)
{
	char w[16];

	family(f, "aegw_dataplane_streams", "gauge",
	       "Streams in the dataplane, by the worker that owns them");
	for (unsigned i = 0; i < dp->n_workers; i++) {
		snprintf(w, sizeof(w), "%u", i);
		sample(f, "aegw_dataplane_streams",
		       (struct label[]){ { "worker", w } }, 1, dp->streams[i]);
	}
	worker_streams(f, dp, AEGW_SC_rx_packets,
		       "aegw_worker_stream_rx_packets_total",
		       "Media packets received by the worker's streams");
	worker_streams(f, dp, AEGW_SC_rx_bytes,
		       "aegw_worker_stream_rx_bytes_total",
		       "UDP payload bytes of those packets");
	worker_streams(f, dp, AEGW_SC_tx_packets,
		       "aegw_worker_stream_tx_packets_total",
		       "Media packets the worker's streams sent");
	worker_streams(f, dp, AEGW_SC_tx_bytes,
		       "aegw_worker_stream_tx_bytes_total",
		       "UDP payload bytes of those packets");
	worker_own(f, dp);
}

void ctl_metrics_text(FILE *f, const struct ctl *ctl,
		      const struct ctl_dp_counters *dp)
{
	bool up = dp && dp->up;

	info(f, ctl);
	calls(f, ctl);
	ng(f, ctl);
	quality(f, ctl);
	registrations(f, ctl);
	journals(f, ctl);
	ring(f, ctl);
	single(f, "aegw_dataplane_up", "gauge", "1 when the dataplane is "
	       "attached, beating, and its counters were read", up);
	if (ctl->ring.shm)
		attached(f, ctl);
	if (up) {
		interfaces(f, ctl, dp);
		workers(f, dp);
	}
}
