/* aegw-bench control: aegw-control as a P-CSCF meets it, with a real
 * aegw-dataplane behind it. Two phases, each with its own pair of
 * daemons (ctl_setup.c):
 *   load     offer+answer+delete calls over UDP with `window` requests
 *            outstanding; offer+answer pairs per second (ctl_load.c);
 *   latency  one call at a time; the time from the answer to the first
 *            packet the new stream forwards, p50/p99 (ctl_latency.c).
 * Targets (the issue): >= 50k pairs/s on one core; p99 <= 50 us. This
 * file parses options, runs the phases and reports. */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "ctlbench.h"

#define TARGET_PAIRS_PER_S 50000.0
#define TARGET_P99_US 50.0

static char tmp_dir[PATH_MAX];

double ctb_now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void on_signal(int sig)
{
	(void)sig;
	dpb_interrupted = 1;
}

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
			snprintf(path, sizeof(path), "%s/%s", tmp_dir,
				 e->d_name);
			unlink(path);
		}
	closedir(d);
	rmdir(tmp_dir);
	tmp_dir[0] = 0;
}

static void usage(FILE *f)
{
	fputs("usage: aegw-bench control [options]\n"
	      "  --seconds S        load phase: measured seconds (default 10)\n"
	      "  --warmup S         load phase: unmeasured seconds before\n"
	      "                     (default 1)\n"
	      "  --window N         requests outstanding (default 64)\n"
	      "  --installs N       latency phase: calls measured (default\n"
	      "                     5000, after 100 more)\n"
	      "  --latency-pairs N  latency phase: core pool port pairs, one\n"
	      "                     source frame each (default 32)\n"
	      "  --worker-cpu N     the dataplane worker's CPU (default: the\n"
	      "                     last)\n"
	      "  --control-cpu N    aegw-control's CPU (default 0)\n"
	      "  --bench-cpu N      this process's CPU (default: 1 if there\n"
	      "                     are 3 CPUs or more, else 0)\n"
	      "  --csv              stdout is exactly: metric,value and the\n"
	      "                     rows offer_answer_per_s,\n"
	      "                     install_to_forward_p50_us,\n"
	      "                     install_to_forward_p99_us; the report\n"
	      "                     goes to stderr\n"
	      "  --dataplane PATH   aegw-dataplane (default: built next to\n"
	      "                     aegw-bench)\n"
	      "  --control PATH     aegw-control (likewise)\n"
	      "Needs rights to DPDK's runtime directory (root); logs, the\n"
	      "source pcap and the FIFO go under $TMPDIR (default /dev/shm).\n",
	      f);
}

static int bad(const char *opt, const char *val)
{
	fprintf(stderr, "aegw-bench control: bad %s '%s'\n", opt, val);
	return 2;
}

static int number(const char *s, double lo, double hi, double *v)
{
	char *end;

	*v = strtod(s, &end);
	return !*s || *end || !(*v >= lo && *v <= hi) ? -1 : 0;
}

/* aegw-control next to aegw-bench in the build tree or install
 * directory, else the bare name (looked up in PATH). */
static const char *default_control(char *buf, size_t size)
{
	static const char *const rel[] = { "../control/aegw-control",
					   "aegw-control" };
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n > 0) {
		const char *dir;

		self[n] = 0;
		dir = dirname(self);
		for (size_t i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
			snprintf(buf, size, "%s/%s", dir, rel[i]);
			if (access(buf, X_OK) == 0)
				return buf;
		}
	}
	snprintf(buf, size, "aegw-control");
	return buf;
}

static void defaults(struct ctb_options *o)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	*o = (struct ctb_options){ .seconds = 10, .warmup_s = 1, .window = 64,
				   .installs = 5000, .lat_pairs = 32 };
	o->worker_cpu = cpus > 1 ? (int)cpus - 1 : 0;
	o->control_cpu = 0;
	o->bench_cpu = cpus > 2 ? 1 : 0;
}

/* One option; -1 when it was fine, else the exit status. */
static int set_option(struct ctb_options *o, int ch, const char *arg)
{
	double cpu_max = (double)sysconf(_SC_NPROCESSORS_ONLN) - 1, v = 0;

	switch (ch) {
	case 's':
		return number(arg, 0.2, 600, &o->seconds) ?
			       bad("--seconds", arg) : -1;
	case 'W':
		return number(arg, 0, 60, &o->warmup_s) ?
			       bad("--warmup", arg) : -1;
	case 'c':
		o->csv = 1;
		return -1;
	case 'd':
		o->dataplane = arg;
		return -1;
	case 'g':
		o->control = arg;
		return -1;
	}
	if (ch == 'n' && !number(arg, 1, 4096, &v))
		o->window = (unsigned)v;
	else if (ch == 'i' && !number(arg, 10, 1e6, &v))
		o->installs = (unsigned)v;
	else if (ch == 'p' && !number(arg, 2, 4096, &v))
		o->lat_pairs = (unsigned)v;
	else if (ch == 'w' && !number(arg, 0, cpu_max, &v))
		o->worker_cpu = (int)v;
	else if (ch == 'C' && !number(arg, 0, cpu_max, &v))
		o->control_cpu = (int)v;
	else if (ch == 'b' && !number(arg, 0, cpu_max, &v))
		o->bench_cpu = (int)v;
	else
		return strchr("nipwCb", ch) ? bad("option value", arg) : -2;
	return -1;
}

static int parse_options(int argc, char **argv, struct ctb_options *o)
{
	static const struct option longopts[] = {
		{ "seconds", required_argument, NULL, 's' },
		{ "warmup", required_argument, NULL, 'W' },
		{ "window", required_argument, NULL, 'n' },
		{ "installs", required_argument, NULL, 'i' },
		{ "latency-pairs", required_argument, NULL, 'p' },
		{ "worker-cpu", required_argument, NULL, 'w' },
		{ "control-cpu", required_argument, NULL, 'C' },
		{ "bench-cpu", required_argument, NULL, 'b' },
		{ "csv", no_argument, NULL, 'c' },
		{ "dataplane", required_argument, NULL, 'd' },
		{ "control", required_argument, NULL, 'g' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ch, rc;

	defaults(o);
	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (ch == 'h') {
			usage(stdout);
			return 0;
		}
		rc = set_option(o, ch, optarg);
		if (rc == -2) {
			usage(stderr);
			return 2;
		}
		if (rc >= 0)
			return rc;
	}
	if (optind < argc)
		return bad("argument", argv[optind]);
	if (!o->dataplane)
		o->dataplane = dpb_default_exe(o->dataplane_buf,
					       sizeof(o->dataplane_buf));
	if (!o->control)
		o->control = default_control(o->control_buf,
					     sizeof(o->control_buf));
	return -1;
}

static int make_tmp_dir(void)
{
	const char *tmp = getenv("TMPDIR");

	if (!tmp || !*tmp)
		tmp = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
	snprintf(tmp_dir, sizeof(tmp_dir), "%s/aegw-bench-ctl-XXXXXX", tmp);
	if (!mkdtemp(tmp_dir)) {
		fprintf(stderr, "aegw-bench: mkdtemp %s: %s\n", tmp_dir,
			strerror(errno));
		tmp_dir[0] = 0;
		return -1;
	}
	atexit(cleanup);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

static const char *verdict(int met)
{
	return met ? "met" : "MISSED";
}

static void report_load(FILE *f, const struct ctb_options *o,
			const struct ctb_setup *s,
			const struct ctb_load_result *r)
{
	fprintf(f, "\nload: %u requests outstanding, %.1f s measured after "
		   "%.1f s\n", o->window, r->seconds, o->warmup_s);
	fprintf(f, "  dataplane: %s\n  control:   %s\n", s->dp.cmdline,
		s->ctl.cmdline);
	fprintf(f, "  offer+answer pairs/s      %10.0f   (target >= %.0f: "
		   "%s)\n", r->pairs_per_s, TARGET_PAIRS_PER_S,
		verdict(r->pairs_per_s >= TARGET_PAIRS_PER_S));
	fprintf(f, "  CPU share: aegw-control %.0f%% (CPU %d), aegw-bench "
		   "%.0f%% (CPU %d), dataplane worker %.0f%% (CPU %d)\n",
		r->control_cpu * 100, o->control_cpu, r->bench_cpu * 100,
		o->bench_cpu, r->worker_cpu * 100, o->worker_cpu);
	if (r->control_cpu > 0)
		fprintf(f, "  per CPU-second of aegw-control: %.0f pairs\n",
			r->pairs_per_s / r->control_cpu);
	fprintf(f, "  pairs %llu, errors %llu%s%s, retransmits %llu\n",
		(unsigned long long)r->pairs, (unsigned long long)r->errors,
		r->errors ? ": first " : "", r->first_error,
		(unsigned long long)r->retransmits);
}

static void report_latency(FILE *f, const struct ctb_options *o,
			   const struct ctb_setup *s,
			   const struct ctb_probe_result *p,
			   const struct ctb_latency_result *r)
{
	fprintf(f, "\nlatency: one install at a time, core pool of %u port "
		   "pairs\n", o->lat_pairs);
	fprintf(f, "  dataplane: %s\n  control:   %s\n", s->dp.cmdline,
		s->ctl.cmdline);
	fprintf(f, "  each core port gets a source frame every %.2f us\n",
		r->source_period_us);
	fprintf(f, "  dataplane alone (this process writes the ADD into the "
		   "ring), %u installs, %u lost:\n", p->samples, p->lost);
	fprintf(f, "    ADD written -> its ACK read                "
		   "p50 %7.1f us  p99 %7.1f us\n", p->ack_p50_us,
		p->ack_p99_us);
	fprintf(f, "    ADD written -> forwarded frame read        "
		   "p50 %7.1f us  p99 %7.1f us\n", p->fwd_p50_us,
		p->fwd_p99_us);
	fprintf(f, "  through aegw-control (Kamailio's answer), %u calls, %u "
		   "lost:\n", r->samples, r->lost);
	fprintf(f, "    install_to_forward: answer sent -> forwarded frame "
		   "read  p50 %7.1f us  p99 %7.1f us  max %.1f us  (target "
		   "p99 <= %.0f us: %s)\n", r->p50_us, r->p99_us, r->max_us,
		TARGET_P99_US, verdict(r->p99_us <= TARGET_P99_US));
	fprintf(f, "    answer sent -> its reply read              "
		   "p50 %7.1f us  p99 %7.1f us\n", r->reply_p50_us,
		r->reply_p99_us);
	fprintf(f, "    forwarded frame read minus reply read      "
		   "p50 %7.1f us  p99 %7.1f us\n", r->after_reply_p50_us,
		r->after_reply_p99_us);
}

static int run_load(const struct ctb_options *o, FILE *info,
		    struct ctb_load_result *load)
{
	struct ctb_setup s;
	int rc;

	if (ctb_setup_dataplane(&s, CTB_LOAD, o, tmp_dir) ||
	    ctb_setup_control(&s, CTB_LOAD, o))
		return -1;
	rc = ctb_load_run(&s, o, load);
	if (!rc)
		report_load(info, o, &s, load);
	else
		dpb_proc_print_log(&s.ctl, stderr);
	ctb_setup_stop(&s);
	return rc;
}

/* The probe needs the ring to itself: it runs before aegw-control. */
static int run_latency(const struct ctb_options *o, FILE *info,
		       struct ctb_latency_result *lat)
{
	struct ctb_probe_result probe;
	struct ctb_setup s;
	int rc;

	if (ctb_setup_dataplane(&s, CTB_LATENCY, o, tmp_dir))
		return -1;
	rc = ctb_probe_run(&s, o->installs, &probe);
	if (rc) {
		ctb_setup_stop(&s);
		return -1;
	}
	if (ctb_setup_control(&s, CTB_LATENCY, o))
		return -1;
	rc = ctb_latency_run(&s, o, lat);
	if (!rc)
		report_latency(info, o, &s, &probe, lat);
	else
		dpb_proc_print_log(&s.ctl, stderr);
	ctb_setup_stop(&s);
	return rc;
}

int bench_control_main(int argc, char **argv)
{
	struct ctb_options o;
	struct ctb_load_result load;
	struct ctb_latency_result lat;
	FILE *info;
	int rc = parse_options(argc, argv, &o);

	if (rc >= 0)
		return rc;
	info = o.csv ? stderr : stdout;
	if (make_tmp_dir())
		return 1;
	fprintf(info, "aegw-bench control: %s on %s; %ld CPUs online\n",
		o.control, o.dataplane, sysconf(_SC_NPROCESSORS_ONLN));
	rc = run_load(&o, info, &load) || run_latency(&o, info, &lat);
	if (!rc && o.csv)
		printf("metric,value\noffer_answer_per_s,%.0f\n"
		       "install_to_forward_p50_us,%.1f\n"
		       "install_to_forward_p99_us,%.1f\n",
		       load.pairs_per_s, lat.p50_us, lat.p99_us);
	if (dpb_interrupted)
		fprintf(stderr, "aegw-bench: interrupted\n");
	cleanup();
	return rc || dpb_interrupted ? 1 : 0;
}
