/* aegw-bench control: the daemons of a phase. aegw-dataplane with one
 * worker and no hugepages, then aegw-control on its ring, each pinned:
 *
 *   CPU worker_cpu:  the dataplane worker (it polls, 100% of a CPU)
 *   CPU control_cpu: aegw-control (one thread), the dataplane's main lcore
 *                    and EAL threads (they sleep)
 *   CPU bench_cpu:   this process (on a 2-CPU machine, control_cpu's)
 *
 * Load phase: ports net_null (nothing received, what is sent dropped):
 * only the ring matters. Latency phase: port 1 (core) replays a capture
 * with one frame toward each port of the core pool, forever (net_pcap
 * infinite_rx), and port 0 (access) writes what it sends into a FIFO this
 * process reads (net_pcap tx_pcap; the PMD flushes after every burst). */
#define _GNU_SOURCE /* sched_setaffinity */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "ctlbench.h"

enum { MAX_ARGV = 48, READY_WAIT_S = 30 };

/* Next hops with static MACs: a new stream needs no ARP before its first
 * packet (the UE and core addresses of Kamailio's SDPs are 127.0.0.1, off
 * both subnets). */
#define CTB_DP_ARGS                                                          \
	"--addr", "0:10.0.0.1/24", "--addr", "1:192.168.0.1/24", "--gw",     \
		"0:10.0.0.254", "--neigh", "0:10.0.0.254,02:00:00:00:00:fe", \
		"--gw", "1:192.168.0.254", "--neigh",                        \
		"1:192.168.0.254,02:00:00:00:01:fe"

int ctb_pin_self(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

/* A client sharing the daemon's CPU as SCHED_BATCH does not preempt it
 * when a reply wakes it: as a normal task it took the CPU inside every
 * sendmmsg (the kernel reschedules between datagrams), and the context
 * switches went on the daemon's bill (18% of its cycles in one profile).
 * A P-CSCF on its own machine takes none of the daemon's CPU. */
int ctb_sched_batch(void)
{
	struct sched_param sp = { 0 };
	int was = sched_getscheduler(0);

	if (was < 0 || sched_setscheduler(0, SCHED_BATCH, &sp))
		return -1;
	return was;
}

void ctb_sched_restore(int policy)
{
	struct sched_param sp = { 0 };

	if (policy >= 0 && sched_setscheduler(0, policy, &sp))
		perror("aegw-bench: restoring the scheduling policy");
}

double ctb_proc_cpu_s(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long long ut, st;
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (!(f = fopen(path, "r")))
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u "
				"%llu %llu", &ut, &st) != 2)
		return -1;
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

/* A free UDP port on 127.0.0.1 for aegw-control's ng listener. */
static uint16_t free_udp_port(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t sl = sizeof(sa);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	uint16_t port = 0;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd >= 0 && !bind(fd, (struct sockaddr *)&sa, sizeof(sa)) &&
	    !getsockname(fd, (struct sockaddr *)&sa, &sl))
		port = ntohs(sa.sin_port);
	if (fd >= 0)
		close(fd);
	return port;
}

static int start_dataplane(struct ctb_setup *s, enum ctb_phase ph,
			   const struct ctb_options *o)
{
	char lcores[32], vdev0[PATH_MAX + 64], vdev1[PATH_MAX + 64],
		log[PATH_MAX + 32];
	char *argv[MAX_ARGV] = {
		(char *)o->dataplane, "--lcores", lcores, "--no-huge", "-m",
		"256", "--no-pci", "--file-prefix", s->dp.prefix,
		"--log-level", "*:warning", "--vdev", vdev0, "--vdev", vdev1,
		"--", "--instance", s->dp.instance, CTB_DP_ARGS,
		"--max-streams", "4096", "--unlink-at-exit", NULL,
	};

	snprintf(lcores, sizeof(lcores), "0@%d,1@%d", o->control_cpu,
		 o->worker_cpu);
	if (ph == CTB_LOAD) {
		snprintf(vdev0, sizeof(vdev0), "net_null0,no-rx=1");
		snprintf(vdev1, sizeof(vdev1), "net_null1,no-rx=1");
	} else {
		snprintf(vdev0, sizeof(vdev0), "net_pcap0,tx_pcap=%s/tx.fifo",
			 s->dir);
		snprintf(vdev1, sizeof(vdev1),
			 "net_pcap1,rx_pcap=%s/src.pcap,infinite_rx=1", s->dir);
	}
	snprintf(log, sizeof(log), "%s/dataplane-%s.log", s->dir,
		 ph == CTB_LOAD ? "load" : "latency");
	if (dpb_proc_spawn(&s->dp, argv, log))
		return -1;
	return dpb_proc_attach(&s->dp, READY_WAIT_S, &s->shm);
}

static int start_control(struct ctb_setup *s, enum ctb_phase ph,
			 const struct ctb_options *o)
{
	char listen[32], core[64], log[PATH_MAX + 32];
	unsigned core_max = ph == CTB_LOAD ? 39999 :
			    CTB_CORE_PORT_MIN + 2 * s->core_pairs - 1;
	char *argv[] = { (char *)o->control, "--listen-ng", listen,
			 "--instance", s->dp.instance, "--interface",
			 "access=10.0.0.1/20000-29999@0", "--interface", core,
			 NULL };

	s->ng_port = free_udp_port();
	snprintf(listen, sizeof(listen), "127.0.0.1:%u", s->ng_port);
	snprintf(core, sizeof(core), "core=192.168.0.1/%u-%u@1",
		 (unsigned)CTB_CORE_PORT_MIN, core_max);
	snprintf(log, sizeof(log), "%s/control-%s.log", s->dir,
		 ph == CTB_LOAD ? "load" : "latency");
	/* The daemon inherits this process's CPU: control_cpu. */
	if (ctb_pin_self(o->control_cpu)) {
		fprintf(stderr, "aegw-bench: CPU %d: %s\n", o->control_cpu,
			strerror(errno));
		return -1;
	}
	return dpb_proc_spawn(&s->ctl, argv, log);
}

/* ping answered, and statistics says the dataplane is alive (the daemon
 * attaches at its first tick after the object appears). */
static int wait_ready(const struct ctb_setup *s)
{
	static const char stats[] = "ready d7:command10:statisticse";
	double end = ctb_now_s() + READY_WAIT_S;
	int fd = ctb_ng_socket(s->ng_port);
	char buf[16384];

	while (fd >= 0 && ctb_now_s() < end && !dpb_interrupted) {
		ssize_t n;

		if (send(fd, stats, sizeof(stats) - 1, 0) > 0) {
			usleep(100000);
			n = recv(fd, buf, sizeof(buf) - 1, 0);
			buf[n > 0 ? n : 0] = 0;
			/* "alive" i1e in the dataplane's dictionary. */
			if (n > 0 && strstr(buf, "5:alivei1e")) {
				close(fd);
				return 0;
			}
		}
	}
	if (fd >= 0)
		close(fd);
	fprintf(stderr, "aegw-bench: aegw-control did not see the dataplane "
			"within %d s; its log:\n", READY_WAIT_S);
	dpb_proc_print_log(&s->ctl, stderr);
	return -1;
}

static int make_fifo(struct ctb_setup *s)
{
	char path[PATH_MAX + 16];

	s->fifo = calloc(1, sizeof(*s->fifo));
	if (!s->fifo)
		return -1;
	s->fifo->fd = -1;
	snprintf(path, sizeof(path), "%s/src.pcap", s->dir);
	if (ctb_source_pcap(path, s->core_pairs))
		return -1;
	snprintf(path, sizeof(path), "%s/tx.fifo", s->dir);
	if (mkfifo(path, 0600) && errno != EEXIST) {
		fprintf(stderr, "aegw-bench: %s: %s\n", path, strerror(errno));
		return -1;
	}
	/* Open before the dataplane: its fopen() of the write end would
	 * otherwise block until a reader comes. */
	s->fifo->fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (s->fifo->fd < 0) {
		fprintf(stderr, "aegw-bench: %s: %s\n", path, strerror(errno));
		return -1;
	}
	/* The worker blocks when the pipe is full: room for many frames. */
	fcntl(s->fifo->fd, F_SETPIPE_SZ, 1 << 20);
	return 0;
}

int ctb_setup_dataplane(struct ctb_setup *s, enum ctb_phase ph,
			const struct ctb_options *o, const char *dir)
{
	static unsigned run;

	memset(s, 0, sizeof(*s));
	s->core_pairs = o->lat_pairs;
	snprintf(s->dir, sizeof(s->dir), "%s", dir);
	snprintf(s->dp.instance, sizeof(s->dp.instance), "ctlb%d-%u",
		 (int)getpid(), run);
	snprintf(s->dp.prefix, sizeof(s->dp.prefix), "aegw-bench-ctl-%d-%u",
		 (int)getpid(), run++);
	if ((ph == CTB_LATENCY && make_fifo(s)) ||
	    start_dataplane(s, ph, o) || ctb_pin_self(o->bench_cpu)) {
		ctb_setup_stop(s);
		return -1;
	}
	return 0;
}

int ctb_setup_control(struct ctb_setup *s, enum ctb_phase ph,
		      const struct ctb_options *o)
{
	if (start_control(s, ph, o) || ctb_pin_self(o->bench_cpu) ||
	    wait_ready(s)) {
		ctb_setup_stop(s);
		return -1;
	}
	return 0;
}

void ctb_setup_stop(struct ctb_setup *s)
{
	if (s->ctl.pid)
		dpb_proc_stop(&s->ctl);
	if (s->shm)
		aegw_shm_detach(s->shm);
	s->shm = NULL;
	if (s->dp.pid)
		dpb_proc_stop(&s->dp);
	if (s->fifo && s->fifo->fd >= 0)
		close(s->fifo->fd);
	free(s->fifo);
	s->fifo = NULL;
}
