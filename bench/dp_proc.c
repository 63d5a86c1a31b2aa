/* aegw-bench dataplane: the aegw-dataplane child. Its command line (EAL
 * on net_pcap infinite_rx -> net_null with no hugepages), start, attach,
 * stop, and the clean-up that must happen whatever went wrong: a child
 * left spinning would skew every later run on a 2-core machine. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "dpbench.h"

enum { MAX_ARGS = 64, MAX_LIVE = 4, STOP_WAIT_S = 60 };

extern char **environ;

volatile sig_atomic_t dpb_interrupted;

static struct dpb_proc *live[MAX_LIVE];

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void nap_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

const char *dpb_default_exe(char *buf, size_t size)
{
	static const char *const rel[] = { "../dataplane/aegw-dataplane",
					   "aegw-dataplane" };
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (!buf || !size)
		return "aegw-dataplane";
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
	snprintf(buf, size, "aegw-dataplane");
	return buf;
}

void dpb_runtime_dir(const char *prefix, char *buf, size_t size)
{
	const char *base = "/var/run";

	if (getuid() != 0)
		base = getenv("XDG_RUNTIME_DIR") ? getenv("XDG_RUNTIME_DIR") :
						   "/tmp";
	snprintf(buf, size, "%s/dpdk/%s", base, prefix);
}

/* The argument vector, its strings kept in one arena. */
struct args {
	char *v[MAX_ARGS + 1];
	int n;
	char arena[8192];
	size_t used;
};

static int add(struct args *a, const char *fmt, ...)
{
	va_list ap;
	int len;

	if (a->n == MAX_ARGS)
		return -1;
	va_start(ap, fmt);
	len = vsnprintf(a->arena + a->used, sizeof(a->arena) - a->used, fmt,
			ap);
	va_end(ap);
	if (len < 0 || (size_t)len >= sizeof(a->arena) - a->used)
		return -1;
	a->v[a->n++] = a->arena + a->used;
	a->used += (size_t)len + 1;
	return 0;
}

/* The most streams one worker owns. */
static unsigned max_per_worker(unsigned n_streams, unsigned n_workers)
{
	unsigned count[AEGW_RING_MAX_WORKERS] = { 0 }, most = 0;

	for (unsigned s = 0; s < n_streams; s++)
		count[traffic_worker_of(s, n_workers)]++;
	for (unsigned w = 0; w < n_workers; w++)
		most = count[w] > most ? count[w] : most;
	return most;
}

/* Main lcore on CPU 0 (it sleeps); workers on the other CPUs first, then
 * doubled up, as "--lcores 0@0,1@0,2@1" on a 2-core machine. */
static int add_lcores(struct args *a, unsigned n_workers)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	char buf[256];
	size_t off;

	off = (size_t)snprintf(buf, sizeof(buf), "0@0");
	for (unsigned w = 0; w < n_workers && off < sizeof(buf); w++) {
		long cpu = (long)n_workers < cpus ? (long)w + 1 : (long)w % cpus;

		off += (size_t)snprintf(buf + off, sizeof(buf) - off, ",%u@%ld",
					w + 1, cpu);
	}
	return add(a, "--lcores") || add(a, "%s", buf);
}

/* EAL memory: the mbuf pool (infinite_rx holds every frame of the pcaps,
 * about 1 KiB each with 512-byte data rooms), the stream tables (rte_hash,
 * a few hundred bytes a stream), the streams' state in DPDK's heap (up to
 * about 2.7 KiB for AES-CM recrypt once RTCP has made its contexts) and
 * a margin. */
static unsigned mem_mb(const struct dpb_launch *l, unsigned mbufs)
{
	unsigned long long b = (unsigned long long)mbufs * 1024 +
			       (unsigned long long)l->n_streams * 3072;

	return (unsigned)(256 + b / (1024 * 1024));
}

static int build_args(const struct dpb_launch *l, struct dpb_proc *p,
		      struct args *a)
{
	unsigned mbufs = l->n_pkts + 16384 * l->n_workers + 16384,
		 eal_mb = mem_mb(l, mbufs);
	char vdev[4096];
	size_t off = (size_t)snprintf(vdev, sizeof(vdev), "net_pcap0");
	int rc = 0;

	for (unsigned w = 0; w < l->n_workers && off < sizeof(vdev); w++)
		off += (size_t)snprintf(vdev + off, sizeof(vdev) - off,
					",rx_pcap=%s/q%u.pcap", l->dir, w);
	if (off + 16 >= sizeof(vdev))
		return -1;
	snprintf(vdev + off, sizeof(vdev) - off, ",infinite_rx=1");
	rc |= add(a, "%s", l->exe);
	rc |= add_lcores(a, l->n_workers);
	/* Hugepages when the host has enough, as a gateway runs: on this
	 * VM 4 KiB pages cost relay 13 to 19% in TLB misses. EAL takes what
	 * it needs as it goes; without them, -m sizes its anonymous memory. */
	if (l->no_huge || dpb_huge_free_mb() < eal_mb + 256)
		rc |= add(a, "--no-huge") || add(a, "-m") ||
		      add(a, "%u", eal_mb);
	else /* no hugepage file left behind by a unique --file-prefix */
		rc |= add(a, "--huge-unlink");
	rc |= add(a, "--no-pci") || add(a, "--file-prefix") ||
	      add(a, "%s", p->prefix);
	rc |= add(a, "--log-level") || add(a, "*:warning");
	rc |= add(a, "--vdev") || add(a, "%s", vdev);
	/* TX sink; no-rx: net_null would otherwise make zero-filled frames
	 * on the RX queues the workers also poll. */
	rc |= add(a, "--vdev") || add(a, "net_null0,no-rx=1");
	rc |= add(a, "--") || add(a, "--instance") || add(a, "%s", p->instance);
	rc |= add(a, "--addr") || add(a, TRAFFIC_ADDR0);
	rc |= add(a, "--addr") || add(a, TRAFFIC_ADDR1);
	rc |= add(a, "--gw") || add(a, TRAFFIC_GW1);
	rc |= add(a, "--neigh") || add(a, TRAFFIC_NEIGH1);
	rc |= add(a, "--max-streams") ||
	      add(a, "%u", max_per_worker(l->n_streams, l->n_workers) + 64);
	rc |= add(a, "--mbufs") || add(a, "%u", mbufs);
	rc |= add(a, "--mbuf-data") || add(a, "512");
	rc |= add(a, "--unlink-at-exit");
	return rc ? -1 : 0;
}

static void track(struct dpb_proc *p, int on)
{
	for (int i = 0; i < MAX_LIVE; i++) {
		if (on && !live[i]) {
			live[i] = p;
			return;
		}
		if (!on && live[i] == p)
			live[i] = NULL;
	}
}

/* posix_spawn, not fork: fork would write-protect this process's pages
 * (gigabytes of engine contexts at 1M streams) until each is written
 * again, and the engine-only probe after a cell would time page faults. */
static int spawn(struct dpb_proc *p, char *const argv[])
{
	posix_spawn_file_actions_t fa;
	int rc;

	if (posix_spawn_file_actions_init(&fa))
		return ENOMEM;
	rc = posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, p->log,
					      O_WRONLY | O_CREAT | O_TRUNC,
					      0644);
	if (!rc)
		rc = posix_spawn_file_actions_adddup2(&fa, STDOUT_FILENO,
						      STDERR_FILENO);
	if (!rc)
		rc = posix_spawnp(&p->pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	return rc;
}

/* Any child (aegw-bench control runs aegw-control and its own
 * aegw-dataplane command lines): p's names are the caller's; the log and
 * the command line are filled here. */
int dpb_proc_spawn(struct dpb_proc *p, char *const argv[], const char *log)
{
	size_t off = 0;
	int rc;

	snprintf(p->log, sizeof(p->log), "%s", log);
	p->cmdline[0] = '\0';
	for (int i = 0; argv[i] && off < sizeof(p->cmdline); i++)
		off += (size_t)snprintf(p->cmdline + off,
					sizeof(p->cmdline) - off, "%s%s",
					i ? " " : "", argv[i]);
	fflush(NULL);
	rc = spawn(p, argv);
	if (rc) {
		fprintf(stderr, "aegw-bench: %s: %s\n", argv[0], strerror(rc));
		p->pid = 0;
		return -1;
	}
	track(p, 1);
	return 0;
}

int dpb_proc_start(const struct dpb_launch *l, struct dpb_proc *p)
{
	struct args a = { .n = 0 };
	size_t off = 0;
	int rc;

	memset(p, 0, sizeof(*p));
	snprintf(p->instance, sizeof(p->instance), "bench%d-%u", (int)getpid(),
		 l->run);
	snprintf(p->prefix, sizeof(p->prefix), "aegw-bench-%d-%u",
		 (int)getpid(), l->run);
	snprintf(p->log, sizeof(p->log), "%s/dataplane-%u.log", l->dir, l->run);
	if (build_args(l, p, &a)) {
		fprintf(stderr, "aegw-bench: dataplane command line too long\n");
		return -1;
	}
	for (int i = 0; i < a.n && off < sizeof(p->cmdline); i++)
		off += (size_t)snprintf(p->cmdline + off,
					sizeof(p->cmdline) - off, "%s%s",
					i ? " " : "", a.v[i]);
	fflush(NULL);
	rc = spawn(p, a.v);
	if (rc) {
		fprintf(stderr, "aegw-bench: %s: %s\n", a.v[0], strerror(rc));
		p->pid = 0;
		return -1;
	}
	track(p, 1);
	return 0;
}

/* 1 if the child has exited (reaped here), 0 if it runs. */
static int exited(struct dpb_proc *p, int *status)
{
	pid_t r = waitpid(p->pid, status, WNOHANG);

	if (r == p->pid || (r < 0 && errno == ECHILD)) {
		track(p, 0);
		p->pid = 0;
		return 1;
	}
	return 0;
}

int dpb_proc_attach(struct dpb_proc *p, double timeout_s,
		    struct aegw_shm **shm)
{
	double end = now_s() + timeout_s;
	int status = 0;

	while (!dpb_interrupted && now_s() < end) {
		if (exited(p, &status)) {
			fprintf(stderr, "aegw-bench: aegw-dataplane exited "
					"during start-up (status %d); its log:\n",
				WIFEXITED(status) ? WEXITSTATUS(status) : -1);
			dpb_proc_print_log(p, stderr);
			return -1;
		}
		if (aegw_shm_attach(p->instance, shm) == 0) {
			if (aegw_shm_pid(*shm) == p->pid &&
			    aegw_shm_heartbeat_ns(*shm))
				return 0;
			aegw_shm_detach(*shm);
		}
		nap_ms(50);
	}
	fprintf(stderr, "aegw-bench: aegw-dataplane did not come up in %.0f s; "
			"its log:\n", timeout_s);
	dpb_proc_print_log(p, stderr);
	return -1;
}

/* The runtime directory's files are EAL's own (config, sockets,
 * fbarrays): flat, under a prefix that only this run uses. */
static void remove_runtime_dir(const char *prefix)
{
	char dir[PATH_MAX], path[PATH_MAX + 256];
	struct dirent *e;
	DIR *d;

	dpb_runtime_dir(prefix, dir, sizeof(dir));
	d = opendir(dir);
	if (!d)
		return;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
			snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
			unlink(path);
		}
	closedir(d);
	rmdir(dir);
}

int dpb_proc_stop(struct dpb_proc *p)
{
	double end = now_s() + STOP_WAIT_S;
	int status = 0, done;

	if (!p->pid)
		return -1;
	kill(p->pid, SIGTERM);
	while (!(done = exited(p, &status)) && now_s() < end)
		nap_ms(20);
	if (!done) {
		fprintf(stderr, "aegw-bench: aegw-dataplane ignored SIGTERM "
				"for %d s: killed\n", STOP_WAIT_S);
		kill(p->pid, SIGKILL);
		waitpid(p->pid, &status, 0);
		track(p, 0);
		p->pid = 0;
	}
	/* aegw-control's child has neither: it owns no object. */
	if (p->instance[0])
		aegw_shm_unlink(p->instance);
	if (p->prefix[0])
		remove_runtime_dir(p->prefix);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void dpb_proc_kill_all(void)
{
	for (int i = 0; i < MAX_LIVE; i++) {
		struct dpb_proc *p = live[i];

		if (!p || !p->pid)
			continue;
		kill(p->pid, SIGKILL);
		waitpid(p->pid, NULL, 0);
		if (p->instance[0])
			aegw_shm_unlink(p->instance);
		if (p->prefix[0])
			remove_runtime_dir(p->prefix);
		p->pid = 0;
		live[i] = NULL;
	}
}

long dpb_proc_rss_kb(const struct dpb_proc *p)
{
	char path[64], line[256];
	long kb, rss = -1, huge = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)p->pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "VmRSS: %ld kB", &kb) == 1)
			rss = kb;
		else if (sscanf(line, "HugetlbPages: %ld kB", &kb) == 1)
			huge = kb;
	}
	fclose(f);
	return rss < 0 ? -1 : rss + huge;
}

static bool hugetlbfs_mounted(void)
{
	char line[512], type[64];
	bool found = false;
	FILE *f = fopen("/proc/mounts", "r");

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = sscanf(line, "%*s %*s %63s", type) == 1 &&
			!strcmp(type, "hugetlbfs");
	fclose(f);
	return found;
}

unsigned long dpb_huge_free_mb(void)
{
	unsigned long free_pages = 0, rsvd = 0, page_kb = 0, v;
	char line[256];
	FILE *f;

	if (!hugetlbfs_mounted() || !(f = fopen("/proc/meminfo", "r")))
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "HugePages_Free: %lu", &v) == 1)
			free_pages = v;
		else if (sscanf(line, "HugePages_Rsvd: %lu", &v) == 1)
			rsvd = v; /* promised to mappings, not yet taken */
		else if (sscanf(line, "Hugepagesize: %lu kB", &v) == 1)
			page_kb = v;
	}
	fclose(f);
	return free_pages > rsvd ? (free_pages - rsvd) * page_kb / 1024 : 0;
}

/* utime + stime of one thread, in seconds. */
static double thread_cpu(const char *task_dir)
{
	char path[PATH_MAX + 16], buf[1024], *p;
	unsigned long long ut, st;
	double hz = (double)sysconf(_SC_CLK_TCK);
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/stat", task_dir);
	if (!(f = fopen(path, "r")))
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	/* Fields after the parenthesised name: state is field 3, utime 14,
	 * stime 15. */
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u "
				"%llu %llu", &ut, &st) != 2)
		return -1;
	return (double)(ut + st) / hz;
}

int dpb_proc_worker_cpu(const struct dpb_proc *p, unsigned n_workers,
			double cpu_s[])
{
	char dir[64], path[PATH_MAX], comm[64];
	unsigned found = 0, lcore;
	struct dirent *e;
	DIR *d;

	snprintf(dir, sizeof(dir), "/proc/%d/task", (int)p->pid);
	if (!(d = opendir(dir)))
		return -1;
	while ((e = readdir(d))) {
		FILE *f;

		snprintf(path, sizeof(path), "%s/%s/comm", dir, e->d_name);
		if (!(f = fopen(path, "r")))
			continue;
		/* EAL names lcore L's thread "rte-worker-L"; worker w runs on
		 * lcore w + 1. */
		if (fgets(comm, sizeof(comm), f) &&
		    sscanf(comm, "rte-worker-%u", &lcore) == 1 && lcore >= 1 &&
		    lcore <= n_workers) {
			snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
			cpu_s[lcore - 1] = thread_cpu(path);
			found++;
		}
		fclose(f);
	}
	closedir(d);
	return found == n_workers ? 0 : -1;
}

void dpb_proc_print_log(const struct dpb_proc *p, FILE *out)
{
	char line[512];
	FILE *f = fopen(p->log, "r");

	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		fprintf(out, "  | %s", line);
	fclose(f);
}
