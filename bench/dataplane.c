/* aegw-bench dataplane: packets per second of the whole aegw-dataplane
 * path (RX, parse, lookup, SRTP, rewrite, TX) per worker, per action,
 * for N streams and W workers, next to the engine alone on the same
 * packets in the same run.
 *
 * For each (streams, action): the frames are made (traffic.c) and the
 * engine-only rate is measured in-process (dp_engine.c). For each worker
 * count: one pcap per worker holding the frames of the streams it owns,
 * an aegw-dataplane child on net_pcap infinite_rx (RX queue w replays
 * q<w>.pcap forever) -> net_null, the streams installed through its
 * command ring, one full pass of the capture to warm up, then DPDK
 * telemetry's /aegw/workers read every 0.5 s for --seconds: pps per worker
 * is the growth of tx_packets in the median window (by total rate), so
 * that windows in which other processes took the CPUs do not count; the
 * workers' CPU share in that window is reported beside it. Frames received
 * but not sent over the whole time are reported as loss, with the counters
 * that say why. */
#include <dirent.h>
#include <stdbool.h>
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "dpbench.h"

enum { MAX_LIST = 8, WARMUP_MAX_S = 60 };

#define WINDOW_S 0.5  /* seconds per measurement window */
#define QUIET_CPU 0.9 /* a window counts if each worker had 90% of a CPU */

static const uint8_t pcap_mac[6] = { 0x02, 0x70, 0x63, 0x61, 0x70, 0x00 };

struct options {
	unsigned streams[MAX_LIST];
	int n_streams;
	unsigned workers[MAX_LIST];
	int n_workers;
	enum aegw_action actions[AEGW_ACTION_COUNT];
	int n_actions;
	double seconds;
	double engine_seconds;
	int csv;
	bool no_huge;
	const char *exe;
	char exe_buf[PATH_MAX];
};

struct bench {
	struct options o;
	char dir[PATH_MAX];
	unsigned run;
	struct dpb_result *results;
	unsigned n_results;
	char first_cmdline[2048];
};

static char tmp_dir[PATH_MAX];

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Sleeps, waking early if interrupted. */
static void doze(double s)
{
	struct timespec ts = { (time_t)s, (long)((s - (double)(time_t)s) * 1e9) };

	if (!dpb_interrupted)
		nanosleep(&ts, NULL);
}

static void on_signal(int sig)
{
	(void)sig;
	dpb_interrupted = 1;
}

/* Everything this process left behind: children first, then files. */
static void cleanup(void)
{
	char path[PATH_MAX + 256];
	struct dirent *e;
	DIR *d;

	dpb_proc_kill_all();
	if (!tmp_dir[0] || !(d = opendir(tmp_dir)))
		return;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
			snprintf(path, sizeof(path), "%s/%s", tmp_dir, e->d_name);
			unlink(path);
		}
	closedir(d);
	rmdir(tmp_dir);
	tmp_dir[0] = 0;
}

static void usage(FILE *f)
{
	fputs("usage: aegw-bench dataplane [options]\n"
	      "  --streams LIST   stream counts (default 1000,100000,1000000)\n"
	      "  --workers LIST   worker counts (default 1,2)\n"
	      "  --actions LIST   of e2ae-in, e2ae-out, recrypt, relay\n"
	      "                   (default: all four)\n"
	      "  --seconds S      measured seconds per cell (default 5)\n"
	      "  --quick          1000 and 100000 streams, 2 s per cell\n"
	      "  --csv            CSV on stdout:\n"
	      "                   streams,workers,action,pps,engine_pps\n"
	      "                   (pps: all workers together; engine_pps:\n"
	      "                   one core, empty for relay); the rest goes\n"
	      "                   to stderr\n"
	      "  --dataplane PATH aegw-dataplane to run (default: the one\n"
	      "                   built next to aegw-bench)\n"
	      "  --no-huge        EAL without hugepages even when enough are\n"
	      "                   free (by default the dataplane uses them\n"
	      "                   then, as a gateway does)\n"
	      "Needs root or rights to DPDK's runtime directory; temporary\n"
	      "pcaps go under $TMPDIR (default /dev/shm, else /tmp) and are\n"
	      "removed once the dataplane has loaded them.\n",
	      f);
}

static int parse_actions(const char *s, struct options *o)
{
	char buf[128], *tok, *save = NULL;

	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	o->n_actions = 0;
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (o->n_actions == AEGW_ACTION_COUNT ||
		    aegw_action_from_name(tok, &o->actions[o->n_actions]))
			return -1;
		o->n_actions++;
	}
	return o->n_actions ? 0 : -1;
}

static int bad(const char *opt, const char *val)
{
	fprintf(stderr, "aegw-bench dataplane: bad %s '%s'\n", opt, val);
	return 2;
}

static int parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "streams", required_argument, NULL, 'n' },
		{ "workers", required_argument, NULL, 'w' },
		{ "actions", required_argument, NULL, 'a' },
		{ "seconds", required_argument, NULL, 's' },
		{ "quick", no_argument, NULL, 'q' },
		{ "csv", no_argument, NULL, 'c' },
		{ "dataplane", required_argument, NULL, 'd' },
		{ "no-huge", no_argument, NULL, 'H' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ch, quick = 0, streams_set = 0, seconds_set = 0;
	char *end;

	*o = (struct options){ .streams = { 1000, 100000, 1000000 },
			       .n_streams = 3, .workers = { 1, 2 },
			       .n_workers = 2, .seconds = 5,
			       .engine_seconds = 0.5 };
	parse_actions("e2ae-in,e2ae-out,recrypt,relay", o);
	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'n':
			o->n_streams = traffic_parse_list(optarg,
							  TRAFFIC_MIN_STREAMS,
							  TRAFFIC_MAX_STREAMS,
							  o->streams, MAX_LIST);
			if (o->n_streams < 0)
				return bad("--streams", optarg);
			streams_set = 1;
			break;
		case 'w':
			o->n_workers = traffic_parse_list(optarg, 1,
							  AEGW_RING_MAX_WORKERS,
							  o->workers, MAX_LIST);
			if (o->n_workers < 0)
				return bad("--workers", optarg);
			break;
		case 'a':
			if (parse_actions(optarg, o))
				return bad("--actions", optarg);
			break;
		case 's':
			o->seconds = strtod(optarg, &end);
			if (!*optarg || *end || !(o->seconds >= 0.5) ||
			    o->seconds > 600)
				return bad("--seconds (0.5..600)", optarg);
			seconds_set = 1;
			break;
		case 'q': quick = 1; break;
		case 'c': o->csv = 1; break;
		case 'd': o->exe = optarg; break;
		case 'H': o->no_huge = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc)
		return bad("argument", argv[optind]);
	if (quick && !streams_set) {
		o->n_streams = 2;
		o->streams[0] = 1000;
		o->streams[1] = 100000;
	}
	if (quick && !seconds_set)
		o->seconds = 2;
	if (!o->exe)
		o->exe = dpb_default_exe(o->exe_buf, sizeof(o->exe_buf));
	return -1;
}

/* ---- one cell ------------------------------------------------------------- */

static int write_pcaps(const struct bench *b, const struct traffic *t,
		       unsigned n_workers, int remove_them)
{
	char path[PATH_MAX + 32];

	for (unsigned w = 0; w < n_workers; w++) {
		snprintf(path, sizeof(path), "%s/q%u.pcap", b->dir, w);
		if (remove_them)
			unlink(path);
		else if (traffic_write_pcap(t, w, n_workers, path) <= 0)
			return -1;
	}
	return 0;
}

static uint64_t sum(const struct dpb_sample *s, enum aegw_worker_counter c)
{
	uint64_t v = 0;

	for (unsigned w = 0; w < s->n_workers; w++)
		v += s->c[w][c];
	return v;
}

/* Until every frame of the capture has gone through once since the
 * streams were installed: every stream warm, its next hop resolved. */
static int warm_up(int fd, const struct traffic *t, unsigned n_workers)
{
	struct dpb_sample s;
	double end = now_s() + WARMUP_MAX_S;
	uint64_t start;

	if (dpb_tele_workers(fd, n_workers, &s))
		return -1;
	start = sum(&s, AEGW_WC_tx_packets);
	do {
		doze(0.25);
		if (dpb_tele_workers(fd, n_workers, &s))
			return -1;
	} while (sum(&s, AEGW_WC_tx_packets) - start < t->n_pkts &&
		 now_s() < end && !dpb_interrupted);
	return dpb_interrupted ? -1 : 0;
}

/* A run that drops is not a forwarding rate: say why. */
static void explain_loss(struct aegw_shm *shm, const struct dpb_sample *a,
			 const struct dpb_sample *b, const struct traffic *t)
{
	uint64_t v[AEGW_SC_COUNT];

	fprintf(stderr, "aegw-bench: warning: %u streams %u workers %s: "
			"frames dropped; worker counters over the interval:",
		t->n_streams, a->n_workers, aegw_action_name(t->action));
	for (unsigned k = 0; k < AEGW_WC_COUNT; k++) {
		uint64_t d = sum(b, k) - sum(a, k);

		if (d && k != AEGW_WC_rx_packets && k != AEGW_WC_tx_packets)
			fprintf(stderr, " %s %llu",
				aegw_worker_counter_name(k),
				(unsigned long long)d);
	}
	fprintf(stderr, "\n");
	/* A sample: streams 1..W, one per worker when W is a power of 2. */
	for (unsigned s = 0; s < a->n_workers; s++) {
		if (dpb_ring_stream_counters(shm, s, v))
			continue;
		fprintf(stderr, "aegw-bench:   stream %u (since install):", s + 1);
		for (unsigned k = 0; k < AEGW_SC_COUNT; k++)
			if (v[k])
				fprintf(stderr, " %s %llu",
					aegw_stream_counter_name(k),
					(unsigned long long)v[k]);
		fprintf(stderr, "\n");
	}
}

static double window_total(const struct dpb_sample *a,
			   const struct dpb_sample *b)
{
	return (double)(sum(b, AEGW_WC_tx_packets) -
			sum(a, AEGW_WC_tx_packets)) / (b->t - a->t);
}

/* Rates of the window from a to b. */
static void rates(const struct dpb_sample *a, const struct dpb_sample *b,
		  struct dpb_result *r)
{
	double dt = b->t - a->t;

	r->total = 0;
	for (unsigned w = 0; w < a->n_workers; w++) {
		r->pps[w] = (double)(b->c[w][AEGW_WC_tx_packets] -
				     a->c[w][AEGW_WC_tx_packets]) / dt;
		r->cpu[w] = a->cpu[w] >= 0 && b->cpu[w] >= 0 ?
				    (b->cpu[w] - a->cpu[w]) / dt :
				    -1;
		r->total += r->pps[w];
	}
}

static double loss(const struct dpb_sample *a, const struct dpb_sample *b)
{
	uint64_t rx = sum(b, AEGW_WC_rx_packets) - sum(a, AEGW_WC_rx_packets);
	uint64_t tx = sum(b, AEGW_WC_tx_packets) - sum(a, AEGW_WC_tx_packets);

	return rx ? (double)(rx > tx ? rx - tx : 0) / (double)rx : 1;
}

struct window {
	double total;
	unsigned i;
};

static int cmp_window(const void *a, const void *b)
{
	double x = ((const struct window *)a)->total;
	double y = ((const struct window *)b)->total;

	return (x > y) - (x < y);
}

/* Did every worker have at least QUIET_CPU of its CPU in this window?
 * (Unknown CPU time counts as yes.) */
static bool quiet(const struct dpb_sample *a, const struct dpb_sample *b)
{
	double dt = b->t - a->t;

	for (unsigned w = 0; w < a->n_workers; w++)
		if (a->cpu[w] >= 0 && b->cpu[w] >= 0 &&
		    (b->cpu[w] - a->cpu[w]) / dt < QUIET_CPU)
			return false;
	return true;
}

/* The window of median total rate among the n windows (only the quiet
 * ones if quiet_only); -1 if there is none. */
static int median_window(const struct dpb_sample *s, unsigned n,
			 bool quiet_only)
{
	struct window *v = malloc(n * sizeof(*v));
	unsigned k = 0;
	int m = -1;

	if (!v)
		return -1;
	for (unsigned i = 0; i < n; i++)
		if (!quiet_only || quiet(&s[i], &s[i + 1]))
			v[k++] = (struct window){ window_total(&s[i], &s[i + 1]),
						  i };
	if (k) {
		qsort(v, k, sizeof(*v), cmp_window);
		m = (int)v[k / 2].i;
	}
	free(v);
	return m;
}

/* Counters and the workers' CPU time, at one moment. */
static int sample(int fd, const struct dpb_proc *p, unsigned n_workers,
		  struct dpb_sample *s)
{
	double cpu[AEGW_RING_MAX_WORKERS];
	int no_cpu = dpb_proc_worker_cpu(p, n_workers, cpu);

	if (dpb_tele_workers(fd, n_workers, s))
		return -1;
	for (unsigned w = 0; w < n_workers; w++)
		s->cpu[w] = no_cpu ? -1 : cpu[w];
	return 0;
}

/* Samples every WINDOW_S for --seconds, and on for up to twice as long
 * again while fewer than half the windows were quiet (other processes on
 * the workers' CPUs). The rates are the median quiet window's (the median
 * of all, flagged, when fewer than 3 were quiet); the loss is over the
 * whole time. */
static int sample_windows(struct bench *b, int fd, struct dpb_proc *p,
			  struct aegw_shm *shm, const struct traffic *t,
			  struct dpb_result *r)
{
	unsigned n = (unsigned)(b->o.seconds / WINDOW_S + 0.5), k, q = 0;
	struct dpb_sample *s = calloc(3 * n + 1, sizeof(*s));
	int rc = -1, m;

	if (!s || sample(fd, p, r->workers, &s[0]))
		goto out;
	for (k = 1; k <= 3 * n; k++) {
		doze(WINDOW_S);
		if (dpb_interrupted || sample(fd, p, r->workers, &s[k]))
			goto out;
		q += quiet(&s[k - 1], &s[k]);
		if (k >= n && 2 * q >= k)
			break;
	}
	k = k > 3 * n ? 3 * n : k;
	r->windows = k;
	r->quiet = q;
	m = q >= 3 ? median_window(s, k, true) : median_window(s, k, false);
	if (m < 0)
		goto out;
	rates(&s[m], &s[m + 1], r);
	r->loss = loss(&s[0], &s[k]);
	if (r->loss > 0.001)
		explain_loss(shm, &s[0], &s[k], t);
	rc = 0;
out:
	free(s);
	return rc;
}

/* With the dataplane up and attached: install, warm up, measure. */
static int measure(struct bench *b, struct dpb_proc *p, struct aegw_shm *shm,
		   const struct traffic *t, struct dpb_result *r)
{
	int fd = dpb_tele_open(p->prefix), rc = -1;
	long rss0 = dpb_proc_rss_kb(p), rss1;
	double t0 = now_s();

	if (fd < 0)
		return -1;
	if (dpb_ring_install(shm, t->n_streams, t->action, 600))
		goto out;
	r->install_s = now_s() - t0;
	rss1 = dpb_proc_rss_kb(p);
	r->rss_per_stream = rss0 > 0 && rss1 > rss0 ?
				    (double)(rss1 - rss0) * 1024 / t->n_streams :
				    -1;
	if (!warm_up(fd, t, r->workers))
		rc = sample_windows(b, fd, p, shm, t, r);
out:
	close(fd);
	return rc;
}

static int run_cell(struct bench *b, const struct traffic *t,
		    unsigned n_workers, struct dpb_result *r)
{
	struct dpb_launch l = { .exe = b->o.exe, .dir = b->dir,
				.n_workers = n_workers,
				.n_streams = t->n_streams,
				.n_pkts = t->n_pkts, .run = b->run++,
				.no_huge = b->o.no_huge };
	struct aegw_shm *shm = NULL;
	struct dpb_proc p;
	int rc = -1, status;

	if (write_pcaps(b, t, n_workers, 0) || dpb_proc_start(&l, &p))
		goto out;
	if (!b->first_cmdline[0])
		snprintf(b->first_cmdline, sizeof(b->first_cmdline), "%s",
			 p.cmdline);
	if (dpb_proc_attach(&p, 60 + t->n_pkts / 10000.0, &shm) == 0) {
		/* infinite_rx has read the whole files at queue setup: drop
		 * them now, so their dirty pages are never written back
		 * while the workers are measured. */
		write_pcaps(b, t, n_workers, 1);
		rc = measure(b, &p, shm, t, r);
		aegw_shm_detach(shm);
	}
	status = dpb_proc_stop(&p);
	if (status) {
		fprintf(stderr, "aegw-bench: aegw-dataplane exited with status "
				"%d; its log:\n", status);
		dpb_proc_print_log(&p, stderr);
		rc = -1;
	}
	unlink(p.log);
out:
	write_pcaps(b, t, n_workers, 1);
	return rc;
}

/* ---- main ----------------------------------------------------------------- */

/* The engine alone, before and after a cell: the faster of the two is
 * the cell's yardstick (the slower one met a busier machine, as the
 * median chunk already discards preempted ones), their difference says
 * how much the machine moved. */
static int engine_probe(struct bench *b, struct dpb_engine *e,
			struct dpb_result *r, int after)
{
	double pps = dpb_engine_pps(e, b->o.engine_seconds), before;

	if (pps < -1.5)
		return -1;
	if (!after || pps < 0) {
		r->engine = pps;
		return 0;
	}
	before = r->engine;
	r->engine = before > pps ? before : pps;
	r->engine_drift = (before > pps ? before - pps : pps - before) /
			  r->engine;
	return 0;
}

static int run_action(struct bench *b, unsigned n, enum aegw_action a)
{
	struct traffic t;
	struct dpb_engine *e = NULL;
	int rc = -1;

	if (traffic_make(&t, n, a, pcap_mac))
		return -1;
	if (!(e = dpb_engine_open(&t)))
		goto out;
	for (int wi = 0; wi < b->o.n_workers; wi++) {
		struct dpb_result *r = &b->results[b->n_results];

		*r = (struct dpb_result){ .streams = n,
					  .workers = b->o.workers[wi],
					  .action = a };
		if (engine_probe(b, e, r, 0) || run_cell(b, &t, r->workers, r) ||
		    engine_probe(b, e, r, 1))
			goto out;
		dpb_report_row(r, b->o.csv,
			       b->n_results ? NULL : b->first_cmdline);
		b->n_results++;
	}
	rc = 0;
out:
	dpb_engine_close(e);
	traffic_free(&t);
	return rc;
}

/* $TMPDIR, else /dev/shm (tmpfs: writing a 240 MB pcap there costs no
 * disk I/O during the next measurement), else /tmp. */
static const char *tmp_base(void)
{
	const char *tmp = getenv("TMPDIR");

	if (tmp && *tmp)
		return tmp;
	return access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
}

static int setup(struct bench *b)
{
	snprintf(tmp_dir, sizeof(tmp_dir), "%s/aegw-bench-XXXXXX", tmp_base());
	if (!mkdtemp(tmp_dir)) {
		fprintf(stderr, "aegw-bench: mkdtemp %s: %s\n", tmp_dir,
			strerror(errno));
		tmp_dir[0] = 0;
		return -1;
	}
	atexit(cleanup);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	snprintf(b->dir, sizeof(b->dir), "%s", tmp_dir);
	b->results = calloc((size_t)b->o.n_streams * (size_t)b->o.n_workers *
				    (size_t)b->o.n_actions,
			    sizeof(*b->results));
	return b->results ? 0 : -1;
}

int bench_dataplane_main(int argc, char **argv)
{
	struct bench b = { 0 };
	FILE *info;
	int rc = parse_options(argc, argv, &b.o);

	if (rc >= 0)
		return rc;
	info = b.o.csv ? stderr : stdout;
	if (setup(&b))
		return 1;
	dpb_report_banner(info, b.o.seconds, b.o.exe);
	dpb_report_state(info);
	if (b.o.csv)
		printf("streams,workers,action,pps,engine_pps\n");
	rc = 0;
	for (int si = 0; si < b.o.n_streams && !rc; si++)
		for (int ai = 0; ai < b.o.n_actions && !rc; ai++)
			rc = run_action(&b, b.o.streams[si], b.o.actions[ai]);
	if (b.n_results)
		dpb_report_targets(info, b.results, b.n_results);
	if (dpb_interrupted)
		fprintf(stderr, "aegw-bench: interrupted\n");
	free(b.results);
	cleanup();
	return rc || dpb_interrupted ? 1 : 0;
}
