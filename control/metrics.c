/* HTTP /metrics with libmicrohttpd in "external epoll" mode: no thread of
 * MHD's own, its epoll fd in the daemon's loop, every request answered in
 * the loop's thread. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>

#include <microhttpd.h>

#include "fiber.h"
#include "log.h"
#include "metrics.h"
#include "ring_client.h"

struct ctl_metrics {
	struct ctl *ctl;
	struct MHD_Daemon *mhd;
	/* The dataplane is read on a fiber of its own, so that the loop goes
	 * on with ng requests while a big DUMP streams in; the scrapes that
	 * asked for it are suspended until it is done. */
	struct ctl_fiber_pool *reader;
	struct MHD_Connection *waiting[CTL_METRICS_CONNS_MAX];
	unsigned n_waiting;
	uint64_t due_ns;         /* MHD_run by then; 0: MHD asked for none */
	uint64_t idle_run_ns;    /* MHD_run by then in any case */
	char *err;               /* while opening: MHD's first complaint */
	size_t errlen;
};

/* MHD's own messages: kept as the reason while the listener is opened,
 * logged afterwards (a refused connection at the limit, a bad request). */
static void on_log(void *cls, const char *fmt, va_list ap)
{
	struct ctl_metrics *m = cls;
	char msg[256];
	size_t n;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strcspn(msg, "\n");
	msg[n] = 0;
	if (m->err && !m->err[0])
		snprintf(m->err, m->errlen, "%s", msg);
	else if (!m->err) /* about one client: debug, or a flood floods */
		ctl_log(CTL_LOG_DEBUG, "metrics: %s", msg);
}

static enum MHD_Result reply(struct MHD_Connection *conn, unsigned status,
			     const char *text, const char *allow)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(
		strlen(text), (void *)text, MHD_RESPMEM_PERSISTENT);
	enum MHD_Result rc;

	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
				"text/plain; charset=utf-8");
	if (allow)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, allow);
	rc = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return rc;
}

static void read_job(void *arg)
{
	struct ctl_metrics *m = arg;

	ctl_dp_counters_read(m->ctl, &m->ctl->dp_totals);
}

/* Starts a reading (none if the last is recent enough): true when it is
 * still going and conn must wait for it. */
static bool read_pending(struct ctl_metrics *m, struct MHD_Connection *conn)
{
	if (!m->reader) {
		ctl_dp_counters_read(m->ctl, &m->ctl->dp_totals);
		return false;
	}
	if (!ctl_fiber_busy(m->reader))
		ctl_fiber_run(m->reader, read_job, m, 0);
	if (!ctl_fiber_busy(m->reader) || m->n_waiting == CTL_METRICS_CONNS_MAX)
		return false;
	MHD_suspend_connection(conn);
	m->waiting[m->n_waiting++] = conn;
	return true;
}

static enum MHD_Result scrape(struct ctl_metrics *m,
			      struct MHD_Connection *conn, void **req_cls)
{
	struct MHD_Response *r;
	enum MHD_Result rc;
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	/* Called again once resumed: the reading it waited for is in. */
	if (!*req_cls) {
		*req_cls = m;
		if (read_pending(m, conn))
			return MHD_YES;
	}
	f = open_memstream(&text, &len);
	if (!f)
		return reply(conn, MHD_HTTP_INTERNAL_SERVER_ERROR,
			     "out of memory\n", NULL);
	ctl_metrics_text(f, m->ctl, &m->ctl->dp_totals);
	if (fclose(f)) {
		free(text);
		return reply(conn, MHD_HTTP_INTERNAL_SERVER_ERROR,
			     "out of memory\n", NULL);
	}
	r = MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(text);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
				CTL_METRICS_CONTENT_TYPE);
	rc = MHD_queue_response(conn, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return rc;
}

/* A request's body, if any, is not read: every answer is made at its
 * first call, before any upload. */
static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn,
				  const char *url, const char *method,
				  const char *version, const char *upload,
				  size_t *upload_len, void **req_cls)
{
	(void)version;
	(void)upload;
	(void)upload_len;
	if (strcmp(url, "/metrics"))
		return reply(conn, MHD_HTTP_NOT_FOUND, "not found: try "
			     "/metrics\n", NULL);
	if (strcmp(method, MHD_HTTP_METHOD_GET) &&
	    strcmp(method, MHD_HTTP_METHOD_HEAD))
		return reply(conn, MHD_HTTP_METHOD_NOT_ALLOWED,
			     "method not allowed\n", "GET, HEAD");
	return scrape(cls, conn, req_cls);
}

static struct MHD_Daemon *start(struct ctl_metrics *m,
				const struct ctl_listen *l)
{
	unsigned flags = MHD_USE_EPOLL | MHD_USE_ERROR_LOG |
			 MHD_ALLOW_SUSPEND_RESUME;
	uint16_t port;

	/* MHD binds SOCK_ADDR; the port argument only names it in its
	 * messages. */
	if (l->ss.ss_family == AF_INET6) {
		flags |= MHD_USE_IPv6;
		port = ntohs(((const struct sockaddr_in6 *)&l->ss)->sin6_port);
	} else {
		port = ntohs(((const struct sockaddr_in *)&l->ss)->sin_port);
	}
	/* The logger first: MHD complains about options before it. */
	return MHD_start_daemon(
		flags, port, NULL, NULL, on_request, m,
		MHD_OPTION_EXTERNAL_LOGGER, on_log, m,
		MHD_OPTION_SOCK_ADDR, (const struct sockaddr *)&l->ss,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned)CTL_METRICS_CONNS_MAX,
		MHD_OPTION_CONNECTION_TIMEOUT,
		(unsigned)CTL_METRICS_CONN_TIMEOUT_S,
		MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned)CTL_METRICS_CONNS_MAX,
		MHD_OPTION_END);
}

int ctl_metrics_open(struct ctl_metrics **out, struct ctl *ctl, int epfd,
		     char *err, size_t errlen)
{
	const struct ctl_listen *l = &ctl->opt.metrics;
	struct epoll_event ev = { .events = EPOLLIN };
	const union MHD_DaemonInfo *info;
	struct ctl_metrics *m;

	*out = NULL;
	if (!ctl->opt.metrics_on)
		return 0;
	if (!(m = calloc(1, sizeof(*m)))) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	m->ctl = ctl;
	m->err = err;
	m->errlen = errlen;
	err[0] = 0;
	m->mhd = start(m, l);
	info = m->mhd ? MHD_get_daemon_info(m->mhd, MHD_DAEMON_INFO_EPOLL_FD) :
			NULL;
	ev.data.ptr = m;
	if (!info || epoll_ctl(epfd, EPOLL_CTL_ADD, info->epoll_fd, &ev)) {
		char why[200];

		snprintf(why, sizeof(why), "%s", err[0] ? err :
			 m->mhd ? strerror(errno) : "cannot start the server");
		snprintf(err, errlen, "metrics listener %s: %s", l->text, why);
		ctl_metrics_close(m);
		return -1;
	}
	m->err = NULL;
	m->reader = ctl_fiber_pool_new(1, CTL_FIBER_STACK, 0);
	*out = m;
	ctl_log(CTL_LOG_INFO, "metrics on http://%s/metrics", l->text);
	return 0;
}

void ctl_metrics_close(struct ctl_metrics *m)
{
	if (!m)
		return;
	for (unsigned i = 0; i < m->n_waiting; i++)
		MHD_resume_connection(m->waiting[i]);
	if (m->mhd)
		MHD_stop_daemon(m->mhd); /* its epoll fd leaves the set */
	/* A reading still waiting for the dataplane ends with the process. */
	if (!m->reader || !ctl_fiber_busy(m->reader))
		ctl_fiber_pool_free(m->reader);
	free(m);
}

static void run(struct ctl_metrics *m)
{
	m->due_ns = 0;
	m->idle_run_ns = ctl_now_ns() + CTL_METRICS_IDLE_RUN_MS * 1000000ull;
	MHD_run(m->mhd);
}

bool ctl_metrics_event(struct ctl_metrics *m, void *ptr, uint32_t events)
{
	(void)events;
	if (!m || ptr != m)
		return false;
	run(m);
	return true;
}

void ctl_metrics_progress(struct ctl_metrics *m)
{
	if (!m || !m->n_waiting)
		return;
	if (ctl_fiber_busy(m->reader))
		ctl_ring_dispatch(&m->ctl->ring);
	if (ctl_fiber_busy(m->reader))
		return;
	for (unsigned i = 0; i < m->n_waiting; i++)
		MHD_resume_connection(m->waiting[i]);
	m->n_waiting = 0;
	run(m);
}

int ctl_metrics_wait_ms(struct ctl_metrics *m, int ms)
{
	MHD_UNSIGNED_LONG_LONG t;

	if (m && m->n_waiting)
		return 0; /* a reading streams in: poll it every turn */
	if (!m || MHD_get_timeout(m->mhd, &t) != MHD_YES)
		return ms;
	m->due_ns = ctl_now_ns() + (uint64_t)t * 1000000ull;
	/* 0: MHD has work pending that no fd will announce. */
	return ms < 0 || t < (MHD_UNSIGNED_LONG_LONG)ms ? (int)t : ms;
}

/* At its connection limit MHD takes its listening socket out of its epoll
 * set, and puts it back only from within a later MHD_run; once the last
 * connection has timed out no fd and no timeout would ask for one, and
 * the port would stay deaf. Hence a run now and then whatever MHD says. */
void ctl_metrics_run_due(struct ctl_metrics *m)
{
	uint64_t now;

	if (!m)
		return;
	now = ctl_now_ns();
	if ((m->due_ns && now >= m->due_ns) || now >= m->idle_run_ns)
		run(m);
}
