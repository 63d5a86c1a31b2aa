/* The control socket: its file (directory, stale file, mode), its
 * connections, and one reply packet per request packet. A reply can hold
 * a key (an offer sent here), so the buffers are wiped after each one. */
#define _GNU_SOURCE /* accept4, struct ucred */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "aegw/wipe.h"
#include "ctl_socket.h"
#include "log.h"
#include "ng_commands.h"
#include "ng_server.h"

enum {
	/* A request as large as the TCP framing takes one. */
	CTL_SOCK_RX_MAX = CTL_NG_TCP_MSG_MAX,
	CTL_SOCK_BUDGET = 16, /* messages per connection per event */
};

struct conn {
	int fd;         /* -1: a free slot */
	size_t cap;     /* the largest reply its send buffer takes */
};

struct ctl_sock {
	struct ctl *ctl;
	struct ng_server *ng;
	int epfd;
	struct conn listener;
	struct conn conns[CTL_SOCK_CONNS_MAX];
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char *rx, *reply;
};

static int fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

static struct sockaddr_un addr_of(const char *path)
{
	struct sockaddr_un sa;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	return sa;
}

/* The directory the socket goes in, made 0750 when it is missing (as
 * /run/aegw is on a fresh boot: /run is a tmpfs). */
static int make_dir(const char *path, char *err, size_t errlen)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = 0;
	if (mkdir(dir, CTL_SOCK_DIR_MODE) == 0)
		return chmod(dir, CTL_SOCK_DIR_MODE) ?
			       fail(err, errlen, "%s: %s", dir, strerror(errno)) :
			       0;
	if (errno != EEXIST)
		return fail(err, errlen, "control socket directory %s: %s", dir,
			    strerror(errno));
	return 0;
}

/* A socket file is removed only when nothing answers on it: a daemon
 * killed before it could remove its own. Something that answers (or is
 * not a seqpacket socket, or not a socket at all) is left alone. */
static int clear_stale(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sa = addr_of(path);
	struct stat st;
	int fd, rc, e;

	if (lstat(path, &st))
		return errno == ENOENT ? 0 : fail(err, errlen, "%s: %s", path,
						  strerror(errno));
	if (!S_ISSOCK(st.st_mode))
		return fail(err, errlen, "%s exists and is not a socket", path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return fail(err, errlen, "socket: %s", strerror(errno));
	rc = connect(fd, (const struct sockaddr *)&sa, sizeof(sa));
	e = errno;
	close(fd);
	if (rc == 0)
		return fail(err, errlen, "%s: another daemon answers on it",
			    path);
	if (e != ECONNREFUSED)
		return fail(err, errlen, "%s: %s", path, strerror(e));
	if (unlink(path))
		return fail(err, errlen, "%s: %s", path, strerror(errno));
	ctl_log(CTL_LOG_WARN, "removed the stale control socket %s", path);
	return 0;
}

static int epoll_add(struct ctl_sock *s, struct conn *c)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = c };

	return epoll_ctl(s->epfd, EPOLL_CTL_ADD, c->fd, &ev);
}

/* Bound under a umask that leaves it 0600 at most until the chmod, so
 * there is no moment it is wider than CTL_SOCK_MODE. */
static int bind_listen(struct ctl_sock *s, char *err, size_t errlen)
{
	struct sockaddr_un sa = addr_of(s->path);
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC,
			0);
	mode_t old;
	int rc;

	if (fd < 0)
		return fail(err, errlen, "socket: %s", strerror(errno));
	old = umask(0177);
	rc = bind(fd, (const struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (rc) {
		fail(err, errlen, "control socket %s: %s", s->path,
		     strerror(errno));
		close(fd);
		return -1;
	}
	s->listener.fd = fd;
	if (chmod(s->path, CTL_SOCK_MODE) || listen(fd, CTL_SOCK_CONNS_MAX) ||
	    epoll_add(s, &s->listener))
		return fail(err, errlen, "control socket %s: %s", s->path,
			    strerror(errno));
	return 0;
}

int ctl_sock_open(struct ctl_sock **out, struct ctl *ctl,
		  struct ng_server *ng, int epfd, char *err, size_t errlen)
{
	struct ctl_sock *s;

	*out = NULL;
	if (!ctl->opt.ctl_socket[0])
		return 0;
	s = calloc(1, sizeof(*s));
	if (!s || !(s->rx = malloc(CTL_SOCK_RX_MAX)) ||
	    !(s->reply = malloc(CTL_NG_REPLY_MAX))) {
		ctl_sock_close(s);
		return fail(err, errlen, "out of memory");
	}
	s->ctl = ctl;
	s->ng = ng;
	s->epfd = epfd;
	s->listener.fd = -1;
	for (unsigned i = 0; i < CTL_SOCK_CONNS_MAX; i++)
		s->conns[i].fd = -1;
	snprintf(s->path, sizeof(s->path), "%s", ctl->opt.ctl_socket);
	if (make_dir(s->path, err, errlen) ||
	    clear_stale(s->path, err, errlen) || bind_listen(s, err, errlen)) {
		ctl_sock_close(s);
		if (ctl->opt.ctl_socket_given)
			return -1;
		/* The default path, under /run, needs rights a daemon run
		 * by hand or by a test may not have: the ng sockets serve
		 * without it. */
		ctl_log(CTL_LOG_WARN, "no control socket: %s", err);
		return 0;
	}
	*out = s;
	ctl_log(CTL_LOG_INFO, "control socket %s", s->path);
	return 0;
}

static void conn_close(struct conn *c)
{
	close(c->fd); /* leaves the epoll set with it */
	c->fd = -1;
}

void ctl_sock_close(struct ctl_sock *s)
{
	if (!s)
		return;
	for (unsigned i = 0; i < CTL_SOCK_CONNS_MAX; i++)
		if (s->conns[i].fd >= 0)
			conn_close(&s->conns[i]);
	if (s->listener.fd >= 0) {
		conn_close(&s->listener);
		unlink(s->path); /* ours: bound by this daemon */
	}
	free(s->rx);
	free(s->reply);
	free(s);
}

/* The largest packet the kernel sends on a unix socket is its send buffer
 * less a little (sk_sndbuf - 32): the buffer is asked for a whole ng
 * reply, and a smaller grant bounds the replies of this connection. */
static size_t reply_cap(int fd)
{
	int want = CTL_NG_REPLY_MAX + 4096, have = 0;
	socklen_t len = sizeof(have);

	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &want, sizeof(want));
	if (getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &have, &len) || have < 4096)
		return 2048;
	return (size_t)have - 64 < CTL_NG_REPLY_MAX ? (size_t)have - 64 :
						      CTL_NG_REPLY_MAX;
}

static void on_accept(struct ctl_sock *s)
{
	int fd = accept4(s->listener.fd, NULL, NULL,
			 SOCK_NONBLOCK | SOCK_CLOEXEC);
	struct ucred cred = { 0 };
	socklen_t len = sizeof(cred);
	struct conn *c = NULL;

	if (fd < 0)
		return;
	for (unsigned i = 0; !c && i < CTL_SOCK_CONNS_MAX; i++)
		if (s->conns[i].fd < 0)
			c = &s->conns[i];
	if (!c) {
		ctl_log(CTL_LOG_WARN, "control socket: more than %d "
			"connections; one refused", CTL_SOCK_CONNS_MAX);
		close(fd);
		return;
	}
	c->fd = fd;
	c->cap = reply_cap(fd);
	if (epoll_add(s, c)) {
		conn_close(c);
		return;
	}
	getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len);
	ctl_log(CTL_LOG_DEBUG, "control socket: connection from pid %d uid %u",
		(int)cred.pid, (unsigned)cred.uid);
}

/* A request the dispatcher gave no reply: one too large to read, or whose
 * reply did not fit. Answered under its cookie when it has one (the same
 * rule as aegw_ng_parse), else dropped as the ng sockets drop it. */
static size_t refuse(struct ctl_sock *s, size_t n, const char *reason,
		     size_t cap)
{
	size_t k = 0;

	while (k < n && k <= AEGW_NG_COOKIE_MAX && s->rx[k] != ' ') {
		if (s->rx[k] <= ' ' || s->rx[k] > '~')
			return 0;
		k++;
	}
	if (k == 0 || k > AEGW_NG_COOKIE_MAX || k == n)
		return 0;
	s->ctl->stats.errors++;
	ctl_log(CTL_LOG_INFO, "control socket: %s", reason);
	return aegw_ng_reply_error(s->reply, cap,
				   (struct aegw_ng_str){ s->rx, k }, reason);
}

static void answer(struct ctl_sock *s, struct conn *c, size_t n,
		   bool truncated)
{
	static const uint8_t peer[NG_CACHE_PEER_LEN]; /* no cache here */
	size_t r;

	if (truncated)
		r = refuse(s, n, "message too large", c->cap);
	else if (!(r = ng_server_handle(s->ng, CTL_NG_FROM_CTL_SOCKET, peer,
					s->rx, n, s->reply, c->cap)))
		r = refuse(s, n, "reply too large for the control socket; "
			   "ask for less (limit)", c->cap);
	ctl_log_flush();
	if (r && send(c->fd, s->reply, r, MSG_DONTWAIT | MSG_NOSIGNAL) < 0) {
		/* A client that does not read its replies loses them. */
		ctl_log(CTL_LOG_WARN, "control socket: reply not sent: %s",
			strerror(errno));
		conn_close(c);
	}
	aegw_wipe(s->reply, r);
}

static void conn_read(struct ctl_sock *s, struct conn *c)
{
	for (int budget = CTL_SOCK_BUDGET; budget > 0 && c->fd >= 0;
	     budget--) {
		struct iovec iov = { s->rx, CTL_SOCK_RX_MAX };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
		ssize_t n = recvmsg(c->fd, &mh, MSG_DONTWAIT);

		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n <= 0) { /* 0: the client closed (seqpacket EOF) */
			conn_close(c);
			return;
		}
		answer(s, c, (size_t)n, mh.msg_flags & MSG_TRUNC);
		aegw_wipe(s->rx, (size_t)n);
	}
}

bool ctl_sock_event(struct ctl_sock *s, void *ptr, uint32_t events)
{
	if (!s)
		return false;
	if (ptr == &s->listener) {
		on_accept(s);
		return true;
	}
	for (unsigned i = 0; i < CTL_SOCK_CONNS_MAX; i++) {
		struct conn *c = &s->conns[i];

		if (ptr != c)
			continue;
		if (c->fd >= 0 && (events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
			conn_read(s, c);
		return true;
	}
	return false;
}
