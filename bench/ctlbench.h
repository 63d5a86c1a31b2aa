/* aegw-bench control: what its parts share. ctl_setup.c runs an
 * aegw-dataplane and an aegw-control child per phase, ctl_ng.c speaks ng
 * to the daemon as Kamailio does, ctl_load.c measures offer+answer pairs
 * per second with many requests outstanding, ctl_latency.c the time from
 * an answer to the first packet the new stream forwards. */
#ifndef AEGW_BENCH_CTLBENCH_H
#define AEGW_BENCH_CTLBENCH_H

#include <stddef.h>
#include <stdint.h>

#include "dpbench.h"

struct ctb_options {
	double seconds;         /* measured seconds of the load phase */
	double warmup_s;        /* load before it, not counted */
	unsigned window;        /* requests outstanding */
	unsigned installs;      /* latency phase: calls measured */
	unsigned lat_pairs;     /* latency phase: core pool port pairs */
	int worker_cpu, control_cpu, bench_cpu;
	int csv;
	const char *dataplane;  /* executables */
	const char *control;
	char dataplane_buf[PATH_MAX], control_buf[PATH_MAX];
};

/* ---- ctl_source.c: the latency phase's media ---------------------------- */

/* The read end of the FIFO net_pcap0 writes its TX into, as a pcap
 * stream (its header once, then records). */
struct ctb_fifo {
	int fd;
	int header_seen;
	size_t len;
	uint64_t frames;         /* records read */
	uint8_t buf[1 << 16];
};

/* The source frames: one per even port of the core pool, written to
 * path as a pcap. 0 or -1. */
int ctb_source_pcap(const char *path, unsigned core_pairs);
/* The SSRC of the source frame toward a core port. */
uint32_t ctb_ssrc_of_port(uint16_t port);
/* Reads what the FIFO holds; *when becomes the read time of the first
 * frame with SSRC want, if one came and *when was 0. */
void ctb_fifo_read(struct ctb_fifo *q, uint32_t want, double *when);

/* ---- ctl_setup.c: the two daemons --------------------------------------- */

/* A phase's pair of children. The dataplane's ports: 0 access
 * (10.0.0.1), 1 core (192.168.0.1). */
struct ctb_setup {
	struct dpb_proc dp, ctl;
	struct aegw_shm *shm;    /* the dataplane's object, attached */
	uint16_t ng_port;        /* aegw-control's UDP ng port, 127.0.0.1 */
	char dir[PATH_MAX];      /* logs, pcaps, the FIFO */
	/* Latency phase only: net_pcap0 writes what port 0 sends into this
	 * FIFO (opened before the dataplane starts); net_pcap1 replays
	 * src.pcap, toward the core pool, forever. */
	struct ctb_fifo *fifo;
	unsigned core_pairs;     /* core pool: 30000 .. 30000 + 2 pairs - 1 */
};

enum ctb_phase { CTB_LOAD, CTB_LATENCY };

enum {
	CTB_ACCESS_PORT_MIN = 20000,
	CTB_CORE_PORT_MIN = 30000,
	CTB_UE_PORT = 42010,      /* the UE's RTP port in Kamailio's offer */
};

/* Starts the phase's aegw-dataplane (the latency phase writes its source
 * pcap and FIFO into dir first) and attaches to its ring. 0 or -1
 * (printed; what was started is stopped). */
int ctb_setup_dataplane(struct ctb_setup *s, enum ctb_phase ph,
			const struct ctb_options *o, const char *dir);
/* Then aegw-control on it, and waits until the daemon sees the
 * dataplane. Pins both and this process. 0 or -1 (likewise). */
int ctb_setup_control(struct ctb_setup *s, enum ctb_phase ph,
		      const struct ctb_options *o);
void ctb_setup_stop(struct ctb_setup *s);
/* CPU seconds used so far by a process (all its threads), or -1. */
double ctb_proc_cpu_s(pid_t pid);
/* Pins the calling process to one CPU (children inherit it). */
int ctb_pin_self(int cpu);
/* This process as SCHED_BATCH; returns the policy it had, or -1 (errno). */
int ctb_sched_batch(void);
/* Back to a policy ctb_sched_batch returned. */
void ctb_sched_restore(int policy);

/* ---- ctl_ng.c: Kamailio's requests and aegw's replies ------------------ */

enum ctb_req { CTB_OFFER, CTB_ANSWER, CTB_DELETE };

/* Kamailio 5.6's datagram for req (/work/shared/samples/kamailio-ng.txt,
 * the e2ae flags) with the cookie and call-id given: buf holds cap bytes.
 * Returns the length, or 0 when it did not fit. */
size_t ctb_ng_request(char *buf, size_t cap, enum ctb_req req,
		      const char *cookie, const char *call_id);

/* A reply: its cookie, whether its result is ok, and the port of the
 * first m= line of its SDP (0: none). -1 if it is not an ng reply. */
struct ctb_reply {
	char cookie[65];
	int ok;
	uint16_t media_port;
	char reason[96];
};
int ctb_ng_reply(const char *buf, size_t len, struct ctb_reply *r);

/* A UDP socket connected to 127.0.0.1:port, non-blocking. -1 on error. */
int ctb_ng_socket(uint16_t port);
/* One request and its reply (cookie-matched), within timeout_ms. */
int ctb_ng_ask(int fd, const char *msg, size_t len, struct ctb_reply *r,
	       int timeout_ms);

/* ---- ctl_load.c ---------------------------------------------------------- */

struct ctb_load_result {
	double pairs_per_s;      /* offer+answer pairs completed per second */
	uint64_t pairs, errors, retransmits;
	double seconds;
	double control_cpu;      /* share of a CPU aegw-control used */
	double bench_cpu;        /* and this process */
	double worker_cpu;       /* the dataplane worker */
	char first_error[96];
};
int ctb_load_run(const struct ctb_setup *s, const struct ctb_options *o,
		 struct ctb_load_result *r);

/* ---- ctl_probe.c ---------------------------------------------------------- */

/* ADD written into the ring (by this process: no aegw-control) to its
 * ACK, and to the first forwarded frame read. */
struct ctb_probe_result {
	unsigned samples, lost;
	double ack_p50_us, ack_p99_us;
	double fwd_p50_us, fwd_p99_us;
};
/* n installs of the core leg's stream, one at a time, before
 * aegw-control attaches. 0 or -1. */
int ctb_probe_run(const struct ctb_setup *s, unsigned n,
		  struct ctb_probe_result *r);

/* ---- ctl_latency.c ------------------------------------------------------- */

struct ctb_latency_result {
	unsigned samples, lost;
	double p50_us, p99_us, max_us;  /* answer sent -> packet forwarded */
	double reply_p50_us, reply_p99_us;  /* answer sent -> its reply */
	double after_reply_p50_us, after_reply_p99_us; /* forwarded - reply */
	double source_period_us;  /* how often each core port gets a frame */
};
int ctb_latency_run(const struct ctb_setup *s, const struct ctb_options *o,
		    struct ctb_latency_result *r);

double ctb_now_s(void);
/* The p-quantile (0..1) of v[0..n), which it sorts. */
double ctb_quantile(double *v, size_t n, double p);

#endif
