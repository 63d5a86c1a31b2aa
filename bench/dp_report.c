/* aegw-bench dataplane: what it prints. The banner, the state a stream
 * direction costs, one row per cell (table or CSV), and at the end each
 * target of the dataplane benchmark, met or missed, from the cells the run
 * measured. */
#include <string.h>

#include "dpbench.h"

enum {
	TARGET_FULL_PCT = 80,    /* full path >= 80% of engine-only */
	TARGET_SCALE_LOSS = 20,  /* 1M streams lose <= 20% vs 1k */
	TARGET_STATE_B = 512,    /* runtime state per stream direction */
};
#define TARGET_TWO_WORKERS 1.8

void dpb_report_banner(FILE *f, double seconds, const char *exe)
{
	fprintf(f, "aegw-bench dataplane: %s, RTP %u + %u B (SRTP +%u B tag), "
		   "%.1f s measured per cell\n",
		aegw_suite_info(TRAFFIC_SUITE)->name, (unsigned)AEGW_RTP_HDR_LEN,
		(unsigned)TRAFFIC_PAYLOAD,
		(unsigned)aegw_suite_info(TRAFFIC_SUITE)->rtp_tag_len, seconds);
	fprintf(f, "dataplane: %s (ipsec-mb backend); net_pcap infinite_rx, one "
		   "rx_pcap per worker -> workers -> net_null; main lcore on "
		   "CPU 0, sleeping\n", exe);
	fprintf(f, "traffic: max(N, %u) frames, frame k to stream k %% N in "
		   "sequence; one SSRC and key per stream; streams installed "
		   "through the command ring with NO_REPLAY (the capture loops)\n",
		(unsigned)TRAFFIC_MIN_PKTS);
	fprintf(f, "engine-only: the same frames and keys in-process on one "
		   "core, before and after each cell, bursts of 32 (e2ae-in unprotect, e2ae-out protect, "
		   "recrypt both; relay has no crypto: n/a)\n");
	fprintf(f, "rates: telemetry every 0.5 s, the median of the windows in "
		   "which every worker thread had >= 90%% of a CPU ('quiet' "
		   "q/k; '!' fewer than 3: median of all windows, the machine "
		   "was busy); 'cpu %%' is each worker's share in that window; "
		   "'engine' is the faster of a probe before and one after the "
		   "cell ('~': they differ by more than 10%%)\n");
}

void dpb_report_state(FILE *f)
{
	struct dpb_state st;
	size_t rtcp = 0;

	fprintf(f, "\nRuntime state per stream direction in the dataplane (%s "
		   "on ipsec-mb; target <= %u B)\n",
		aegw_suite_info(TRAFFIC_SUITE)->name, (unsigned)TARGET_STATE_B);
	fprintf(f, "%-9s %10s %26s %9s %11s\n", "action", "dp_stream",
		"keys x (SRTP + SRTCP seed)", "total", "with RTCP");
	for (int a = 0; a < AEGW_ACTION_COUNT; a++) {
		char ctx[64] = "none";

		if (dpb_state_of(a, &st)) {
			fprintf(f, "%-9s (engine unavailable)\n",
				aegw_action_name(a));
			continue;
		}
		rtcp = st.rtcp;
		if (st.keys)
			snprintf(ctx, sizeof(ctx), "%u x (%zu + %zu B)",
				 st.keys, st.rtp, st.rtcp_seed);
		fprintf(f, "%-9s %8zu B %26s %7zu B %9zu B%s\n",
			aegw_action_name(a), st.dp_stream, ctx, st.total,
			st.total_rtcp,
			st.total > TARGET_STATE_B ? "  (> 512)" : "");
	}
	fprintf(f, "(an SRTCP context, %zu B, replaces its seed on the first "
		   "RTCP packet that needs it; 'with RTCP' is the state once "
		   "RTCP has flowed)\n", rtcp);
	fprintf(f, "(as allocated: sizeof(struct dp_stream) and "
		   "aegw_srtp_stream_size; not counted: heap headers, the two "
		   "rte_hash entries (address, id). The table's RSS/stream column "
		   "is the dataplane's measured growth per stream installed, "
		   "VmRSS plus hugepages; on hugepages the tables are all "
		   "taken at start and not in it.)\n");
}

static void table_head(const char *cmdline)
{
	printf("\ndataplane command (first cell): %s\n", cmdline);
	printf("\n%8s %2s %-9s %-17s %-9s %5s %8s %8s %7s %7s %10s %8s\n",
	       "streams", "W", "action", "Mpps per worker", "cpu %", "quiet",
	       "total", "engine", "wrk/eng", "loss", "RSS/strm", "install");
}

void dpb_report_row(const struct dpb_result *r, int csv, const char *cmdline)
{
	char per[128] = "", cpu[64] = "", eng[16] = "n/a", ratio[16] = "-";
	char rss[16] = "-", q[16];
	size_t off = 0, coff = 0;

	if (csv) {
		if (cmdline)
			fprintf(stderr, "dataplane command (first cell): %s\n",
				cmdline);
		printf("%u,%u,%s,%.0f,", r->streams, r->workers,
		       aegw_action_name(r->action), r->total);
		if (r->engine > 0)
			printf("%.0f", r->engine);
		printf("\n");
		fflush(stdout);
		return;
	}
	if (cmdline)
		table_head(cmdline);
	for (unsigned w = 0; w < r->workers && off < sizeof(per); w++)
		off += (size_t)snprintf(per + off, sizeof(per) - off, "%s%.3f",
					w ? " " : "", r->pps[w] / 1e6);
	for (unsigned w = 0; w < r->workers && coff < sizeof(cpu); w++)
		coff += (size_t)snprintf(cpu + coff, sizeof(cpu) - coff,
					 r->cpu[w] < 0 ? "%s?" : "%s%.0f",
					 w ? " " : "", 100 * r->cpu[w]);
	if (r->engine > 0) {
		snprintf(eng, sizeof(eng), "%.3f%s", r->engine / 1e6,
			 r->engine_drift > 0.1 ? "~" : "");
		snprintf(ratio, sizeof(ratio), "%.1f%%",
			 100 * r->total / r->workers / r->engine);
	}
	if (r->rss_per_stream > 0 && r->streams >= 100000)
		snprintf(rss, sizeof(rss), "%.0f B", r->rss_per_stream);
	snprintf(q, sizeof(q), "%u/%u%s", r->quiet, r->windows,
		 r->quiet < 3 ? "!" : "");
	printf("%8u %2u %-9s %-17s %-9s %5s %8.3f %8s %7s %6.3f%% %10s "
	       "%6.1f s\n",
	       r->streams, r->workers, aegw_action_name(r->action), per, cpu,
	       q, r->total / 1e6, eng, ratio, 100 * r->loss, rss,
	       r->install_s);
	fflush(stdout);
}

static const struct dpb_result *find(const struct dpb_result *r, unsigned n,
				     unsigned streams, unsigned workers,
				     enum aegw_action a)
{
	for (unsigned i = 0; i < n; i++)
		if (r[i].streams == streams && r[i].workers == workers &&
		    r[i].action == a)
			return &r[i];
	return NULL;
}

static const char *verdict(int ok)
{
	return ok ? "met" : "MISSED";
}

/* Cells measured while other processes held the workers' CPUs. */
static const char *busy(const struct dpb_result *a,
			const struct dpb_result *b)
{
	return a->quiet < 3 || (b && b->quiet < 3) ? "  (busy machine)" : "";
}

/* Full path per worker against the engine alone, every cell. */
static void target_full(FILE *f, const struct dpb_result *r, unsigned n)
{
	fprintf(f, "full path >= %d%% of engine-only (per worker):\n",
		TARGET_FULL_PCT);
	for (unsigned i = 0; i < n; i++) {
		double pct = 100 * r[i].total / r[i].workers / r[i].engine;

		if (r[i].engine <= 0)
			continue;
		fprintf(f, "  %-9s %8u streams %2u W: %5.1f%%  %s%s\n",
			aegw_action_name(r[i].action), r[i].streams,
			r[i].workers, pct, verdict(pct >= TARGET_FULL_PCT),
			busy(&r[i], NULL));
	}
}

/* The most streams against the fewest, same action and workers. */
static void target_scale(FILE *f, const struct dpb_result *r, unsigned n)
{
	unsigned lo = ~0u, hi = 0;

	for (unsigned i = 0; i < n; i++) {
		lo = r[i].streams < lo ? r[i].streams : lo;
		hi = r[i].streams > hi ? r[i].streams : hi;
	}
	if (lo == hi)
		return;
	fprintf(f, "%u streams lose <= %d%% against %u (total pps):\n", hi,
		TARGET_SCALE_LOSS, lo);
	for (unsigned i = 0; i < n; i++) {
		const struct dpb_result *big = &r[i], *small;
		double loss;

		if (big->streams != hi ||
		    !(small = find(r, n, lo, big->workers, big->action)))
			continue;
		loss = 100 * (1 - big->total / small->total);
		fprintf(f, "  %-9s %2u W: %6.3f -> %6.3f Mpps, %+.1f%%  %s%s\n",
			aegw_action_name(big->action), big->workers,
			small->total / 1e6, big->total / 1e6, -loss,
			verdict(loss <= TARGET_SCALE_LOSS), busy(big, small));
	}
}

static void target_workers(FILE *f, const struct dpb_result *r, unsigned n)
{
	int head = 0;

	for (unsigned i = 0; i < n; i++) {
		const struct dpb_result *two = &r[i], *one;
		double x;

		if (two->workers != 2 ||
		    !(one = find(r, n, two->streams, 1, two->action)))
			continue;
		if (!head++)
			fprintf(f, "2 workers >= %.1fx one (total pps):\n",
				TARGET_TWO_WORKERS);
		x = two->total / one->total;
		fprintf(f, "  %-9s %8u streams: %.2fx  %s%s\n",
			aegw_action_name(two->action), two->streams, x,
			verdict(x >= TARGET_TWO_WORKERS), busy(two, one));
	}
}

/* The cell of this action with the most streams (RSS growth is only
 * meaningful there). */
static const struct dpb_result *largest(const struct dpb_result *r,
					unsigned n, enum aegw_action a)
{
	const struct dpb_result *best = NULL;

	for (unsigned i = 0; i < n; i++)
		if (r[i].action == a && r[i].rss_per_stream > 0 &&
		    (!best || r[i].streams > best->streams))
			best = &r[i];
	return best;
}

static void target_state(FILE *f, const struct dpb_result *r, unsigned n)
{
	const struct dpb_result *big;
	struct dpb_state st;
	unsigned done = 0;

	fprintf(f, "runtime state <= %d B per stream direction (struct + "
		   "contexts, no RTCP yet as in this bench; measured RSS growth "
		   "in brackets):\n",
		TARGET_STATE_B);
	for (unsigned i = 0; i < n; i++) {
		if (done & 1u << r[i].action || dpb_state_of(r[i].action, &st))
			continue;
		done |= 1u << r[i].action;
		fprintf(f, "  %-9s %5zu B", aegw_action_name(r[i].action),
			st.total);
		big = largest(r, n, r[i].action);
		if (big && big->streams >= 100000)
			fprintf(f, " (%.0f B at %u streams)",
				big->rss_per_stream, big->streams);
		fprintf(f, "  %s", verdict(st.total <= TARGET_STATE_B));
		if (st.total_rtcp != st.total)
			fprintf(f, "; with RTCP %zu B  %s", st.total_rtcp,
				verdict(st.total_rtcp <= TARGET_STATE_B));
		fprintf(f, "\n");
	}
}

void dpb_report_targets(FILE *f, const struct dpb_result *r, unsigned n)
{
	fprintf(f, "\nTargets\n");
	target_full(f, r, n);
	target_scale(f, r, n);
	target_state(f, r, n);
	target_workers(f, r, n);
	fflush(f);
}
