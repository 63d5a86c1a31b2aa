/* aegw-bench dataplane: what its parts share. dp_proc.c runs an
 * aegw-dataplane child, dp_ring.c installs streams through its command
 * ring, dp_telemetry.c reads its worker counters, dp_engine.c measures
 * the engine alone on the same packets. Nothing here needs DPDK. */
#ifndef AEGW_BENCH_DPBENCH_H
#define AEGW_BENCH_DPBENCH_H

#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <sys/types.h>

#include "aegw/counters.h"
#include "aegw/ring.h"
#include "traffic.h"

/* Set by SIGINT/SIGTERM; every wait loop gives up when it is. */
extern volatile sig_atomic_t dpb_interrupted;

/* ---- dp_proc.c: the aegw-dataplane child ------------------------------- */

struct dpb_launch {
	const char *exe;
	const char *dir;         /* holds q<w>.pcap; the log goes here */
	unsigned n_workers;
	unsigned n_streams;
	unsigned n_pkts;         /* frames in all the pcaps */
	unsigned run;            /* makes instance and file prefix unique */
	bool no_huge;            /* --no-huge even if hugepages are free */
};

struct dpb_proc {
	pid_t pid;
	char instance[AEGW_INSTANCE_MAX + 1];
	char prefix[64];   /* EAL --file-prefix */
	char log[PATH_MAX];
	char cmdline[2048]; /* as a shell would take it, for the report */
};

/* aegw-dataplane next to this program in the build tree or install
 * directory, else the bare name (looked up in PATH). */
const char *dpb_default_exe(char *buf, size_t size);
int dpb_proc_start(const struct dpb_launch *l, struct dpb_proc *p);
/* Starts argv (NULL-terminated) with stdout and stderr into log, tracked
 * like dpb_proc_start's child. p->instance and p->prefix, when set, name
 * the object and EAL runtime directory dpb_proc_stop removes. 0 or -1. */
int dpb_proc_spawn(struct dpb_proc *p, char *const argv[], const char *log);
/* Waits until the child's shared memory beats, then attaches. */
int dpb_proc_attach(struct dpb_proc *p, double timeout_s,
		    struct aegw_shm **shm);
/* SIGTERM, wait (SIGKILL after a minute), remove its runtime files.
 * Returns its exit status, or -1. */
int dpb_proc_stop(struct dpb_proc *p);
/* SIGKILL every child still running (error paths, exit). */
void dpb_proc_kill_all(void);
/* Resident memory: VmRSS plus HugetlbPages, in KiB, or -1. */
long dpb_proc_rss_kb(const struct dpb_proc *p);
/* Free hugepage memory (of the default size, all NUMA nodes) in MiB on a
 * mounted hugetlbfs, 0 if none. */
unsigned long dpb_huge_free_mb(void);
/* CPU seconds each worker thread has used so far. 0 or -1. */
int dpb_proc_worker_cpu(const struct dpb_proc *p, unsigned n_workers,
			double cpu_s[]);
void dpb_proc_print_log(const struct dpb_proc *p, FILE *f);
/* EAL's runtime directory for a file prefix (/var/run/dpdk/PREFIX as
 * root). */
void dpb_runtime_dir(const char *prefix, char *buf, size_t size);

/* ---- dp_ring.c: the command-ring client ------------------------------- */

/* Installs streams 0..n-1 for action a, pipelining sends and ACKs.
 * 0, or -1 with the first refusal printed. */
int dpb_ring_install(struct aegw_shm *shm, unsigned n, enum aegw_action a,
		     double timeout_s);
/* One stream's counters (COUNTERS command to its owner). 0 or -1. */
int dpb_ring_stream_counters(struct aegw_shm *shm, unsigned s,
			     uint64_t counters[AEGW_SC_COUNT]);

/* ---- dp_telemetry.c: /aegw/workers ------------------------------------- */

struct dpb_sample {
	double t; /* CLOCK_MONOTONIC seconds, mid-request */
	unsigned n_workers;
	uint64_t streams[AEGW_RING_MAX_WORKERS];
	uint64_t c[AEGW_RING_MAX_WORKERS][AEGW_WC_COUNT];
	double cpu[AEGW_RING_MAX_WORKERS]; /* worker threads' CPU seconds */
};

/* Connects to the dataplane's telemetry socket and reads its hello.
 * Returns the socket, or -1. */
int dpb_tele_open(const char *prefix);
int dpb_tele_workers(int fd, unsigned n_workers, struct dpb_sample *s);

/* ---- dp_engine.c: the engine alone ------------------------------------ */

/* The engine set up for a run's streams and packets (t must outlive it);
 * NULL on error (printed). */
struct dpb_engine;
struct dpb_engine *dpb_engine_open(const struct traffic *t);
void dpb_engine_close(struct dpb_engine *e);
/* Packets per second of the SRTP work the run's action does (e2ae-in
 * unprotect, e2ae-out protect, recrypt both), one core, bursts of 32, over
 * the run's packets in their order. -1: no crypto (relay); -2: error. */
double dpb_engine_pps(struct dpb_engine *e, double seconds);

/* Runtime state per stream direction as the dataplane allocates it. */
struct dpb_state {
	size_t dp_stream;   /* sizeof(struct dp_stream) */
	size_t rtp, rtcp;   /* aegw_srtp_stream_size of each context */
	size_t rtcp_seed;   /* what an SRTCP context is made from, until
			     * the first RTCP packet */
	size_t total;       /* dp_stream + each key's RTP context and
			     * SRTCP seed: no RTCP seen (the bench's case) */
	size_t total_rtcp;  /* once RTCP has flowed both ways */
	unsigned keys;      /* 0 relay, 1 e2ae, 2 recrypt */
};
int dpb_state_of(enum aegw_action a, struct dpb_state *st);

/* ---- dp_report.c: tables, CSV and the targets ------------------------- */

/* One cell: streams x workers x action. */
struct dpb_result {
	unsigned streams, workers;
	enum aegw_action action;
	double pps[AEGW_RING_MAX_WORKERS]; /* tx per worker */
	double cpu[AEGW_RING_MAX_WORKERS]; /* share of a CPU each worker had */
	double total;
	double engine;         /* engine-only pps; -1: n/a (relay) */
	double engine_drift;   /* |before - after| / faster of the probes */
	double loss;           /* share of received frames not sent */
	double rss_per_stream; /* bytes the dataplane grew by per stream */
	double install_s;
	unsigned windows;      /* measurement windows sampled */
	unsigned quiet;        /* of which every worker had >= 90% CPU */
};

void dpb_report_banner(FILE *f, double seconds, const char *exe);
void dpb_report_state(FILE *f);
/* The first row of a table also prints the dataplane command line. */
void dpb_report_row(const struct dpb_result *r, int csv, const char *cmdline);
void dpb_report_targets(FILE *f, const struct dpb_result *r, unsigned n);

/* dpsize.c: from dataplane/dp.h (compiled with DPDK's headers). */
size_t dpb_dp_stream_size(void);
/* Bytes the dataplane keeps for cfg's SRTCP context until it makes it. */
size_t dpb_rtcp_seed_size(const struct aegw_srtp_config *cfg);

#endif
