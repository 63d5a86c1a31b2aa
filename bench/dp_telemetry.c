/* aegw-bench dataplane: DPDK telemetry's /aegw/workers, as
 * dpdk-telemetry.py reads it: a SOCK_SEQPACKET socket in EAL's runtime
 * directory, a JSON hello on connect, then one JSON reply per command.
 * The reply is flat enough (worker name -> counter name -> integer) that a
 * key search does; no JSON library. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "dpbench.h"

enum { REPLY_MAX = 1 << 16 };

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int dpb_tele_open(const char *prefix)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char dir[PATH_MAX], hello[4096];
	int fd;

	dpb_runtime_dir(prefix, dir, sizeof(dir));
	if ((size_t)snprintf(sun.sun_path, sizeof(sun.sun_path),
			     "%s/dpdk_telemetry.v2", dir) >= sizeof(sun.sun_path))
		return -1;
	fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) ||
	    recv(fd, hello, sizeof(hello), 0) <= 0) {
		fprintf(stderr, "aegw-bench: telemetry %s: %s\n", sun.sun_path,
			strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* The integer after "key": between from and to: 0, or -1 if absent. */
static int find_u64(const char *from, const char *to, const char *key,
		    uint64_t *v)
{
	char pat[80];
	size_t n = (size_t)snprintf(pat, sizeof(pat), "\"%s\":", key);
	const char *p = from;

	while ((p = strstr(p, pat)) && p < to) {
		char *end;

		p += n;
		*v = strtoull(p, &end, 10);
		if (end != p)
			return 0;
	}
	return -1;
}

static int parse_worker(const char *json, unsigned w, struct dpb_sample *s)
{
	char key[32];
	const char *p, *end;

	snprintf(key, sizeof(key), "\"worker%u\":", w);
	p = strstr(json, key);
	end = p ? strchr(p, '}') : NULL;
	if (!end)
		return -1;
	if (find_u64(p, end, "streams", &s->streams[w]))
		return -1;
	for (unsigned k = 0; k < AEGW_WC_COUNT; k++)
		if (find_u64(p, end,
			     aegw_worker_counter_name((enum aegw_worker_counter)k),
			     &s->c[w][k]))
			return -1;
	return 0;
}

int dpb_tele_workers(int fd, unsigned n_workers, struct dpb_sample *s)
{
	static const char cmd[] = "/aegw/workers";
	char *buf = malloc(REPLY_MAX + 1);
	double t0 = now_s();
	ssize_t n;
	int rc = -1;

	if (!buf)
		return -1;
	memset(s, 0, sizeof(*s));
	s->n_workers = n_workers;
	if (send(fd, cmd, sizeof(cmd) - 1, MSG_NOSIGNAL) < 0 ||
	    (n = recv(fd, buf, REPLY_MAX, 0)) <= 0) {
		fprintf(stderr, "aegw-bench: telemetry: %s\n", strerror(errno));
		goto out;
	}
	s->t = (t0 + now_s()) / 2;
	buf[n] = 0;
	rc = 0;
	for (unsigned w = 0; w < n_workers && !rc; w++)
		rc = parse_worker(buf, w, s);
	if (rc)
		fprintf(stderr, "aegw-bench: telemetry: unexpected reply: "
				"%.200s\n", buf);
out:
	free(buf);
	return rc;
}
