/* ng over UDP and TCP. A reply can hold aegw's key for a UE, so every
 * buffer that held one is wiped once it has been sent. */
#define _GNU_SOURCE /* accept4, recvmmsg, sendmmsg */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "aegw/wipe.h"
#include "fiber.h"
#include "log.h"
#include "ng_commands.h"
#include "ng_server.h"
#include "ring_client.h"

enum sock_kind { SOCK_UDP, SOCK_TCP_LISTEN, SOCK_TCP_CONN };

enum {
	NG_UDP_BATCH = 16,              /* datagrams one recvmmsg reads */
	NG_UDP_DGRAM_MAX = 65536,
	NG_UDP_ROUNDS = 4,              /* batches an event may take */
};

struct ng_server;

enum udp_slot { SLOT_FREE, SLOT_RUNNING, SLOT_DONE };

/* One datagram in a slot of the window, handled on a fiber of its own. */
struct udp_job {
	struct ng_server *s;
	struct ng_sock *k;              /* the socket it came in on */
	unsigned i;                     /* its slot */
	size_t reply_len;
	enum udp_slot state;
};

/* A message from a stream (a TCP connection, the control socket), on a
 * fiber beside the window's: ng_server_handle. */
struct stream_job {
	struct ctl *ctl;
	enum ctl_ng_transport from;
	const uint8_t *peer;
	const char *msg;
	size_t len;
	char *out;
	size_t cap, reply_len;
	bool done;
};

/* Under load the P-CSCF has many requests in flight. They are read into
 * a window of NG_UDP_BATCH slots (recvmmsg), each handled on its own
 * fiber (fiber.h) so that their waits for the dataplane overlap, and the
 * replies that are ready go out together (sendmmsg): a syscall each way
 * for many requests, and one wake-up of the peer instead of one per
 * reply (a context switch costs more than the request on a VM). A slot
 * is read into again as soon as its reply is out, so a request that
 * waits long holds up its own reply only. */
struct udp_batch {
	char *rx;                       /* NG_UDP_BATCH x NG_UDP_DGRAM_MAX */
	struct sockaddr_storage from[NG_UDP_BATCH];
	struct iovec rx_iov[NG_UDP_BATCH];
	struct mmsghdr rx_msg[NG_UDP_BATCH];
	char *out;                      /* NG_UDP_BATCH x CTL_NG_REPLY_MAX */
	struct udp_job job[NG_UDP_BATCH];
	struct iovec tx_iov[NG_UDP_BATCH];
	struct mmsghdr tx_msg[NG_UDP_BATCH];
	unsigned n_tx;
};

struct ng_sock {
	enum sock_kind kind;
	int fd;
	uint8_t peer[NG_CACHE_PEER_LEN];
	char *in, *out;
	size_t in_len, out_len, out_off;
	int closing;
	struct ng_sock *prev, *next;
};

struct ng_server {
	struct ctl *ctl;
	int epfd;
	struct ng_sock listeners[2 * CTL_MAX_LISTEN];
	unsigned n_listeners;
	struct ng_sock *conns;
	unsigned n_conns;
	char *reply;                    /* TCP's, one at a time */
	struct udp_batch *udp;
	struct ctl_fiber_pool *fibers;  /* NULL: requests one at a time */
	uint64_t ticket;                /* requests taken, in order */
	uint64_t denied_logged_ns; /* the last refusal logged */
};

/* --ng-allow: a request from elsewhere is dropped unanswered (a reply
 * would tell a scanner what listens), counted, and logged once a second
 * at most so that a flood does not flood the journal too. */
static bool source_allowed(struct ng_server *s,
			   const struct sockaddr_storage *ss, const char *what)
{
	const struct ctl_options *o = &s->ctl->opt;
	char ip[INET6_ADDRSTRLEN] = "?";
	uint64_t now;

	if (ctl_acl_allows(o->ng_allow, o->n_ng_allow, ss))
		return true;
	s->ctl->stats.ng_denied++;
	now = ctl_now_ns();
	if (now - s->denied_logged_ns < 1000000000ull)
		return false;
	s->denied_logged_ns = now;
	if (ss->ss_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)ss)->sin_addr,
			  ip, sizeof(ip));
	else if (ss->ss_family == AF_INET6)
		inet_ntop(AF_INET6,
			  &((const struct sockaddr_in6 *)ss)->sin6_addr, ip,
			  sizeof(ip));
	ctl_log(CTL_LOG_WARN, "ng %s from %s refused: not in --ng-allow "
		"(%llu refused so far)", what, ip,
		(unsigned long long)s->ctl->stats.ng_denied);
	return false;
}

static void peer_key(const struct sockaddr_storage *ss, uint8_t *key)
{
	memset(key, 0, NG_CACHE_PEER_LEN);
	if (ss->ss_family == AF_INET) {
		key[0] = 4;
		memcpy(key + 1, &((const struct sockaddr_in *)ss)->sin_addr, 4);
	} else if (ss->ss_family == AF_INET6) {
		key[0] = 6;
		memcpy(key + 1, &((const struct sockaddr_in6 *)ss)->sin6_addr,
		       16);
	}
}

static int epoll_set(struct ng_server *s, int op, struct ng_sock *k,
		     uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = k };

	return epoll_ctl(s->epfd, op, k->fd, &ev);
}

static int open_listener(struct ng_server *s, const struct ctl_listen *l,
			 bool tcp, char *err, size_t errlen)
{
	struct ng_sock *k = &s->listeners[s->n_listeners];
	int one = 1;

	k->kind = tcp ? SOCK_TCP_LISTEN : SOCK_UDP;
	k->fd = socket(l->ss.ss_family, (tcp ? SOCK_STREAM : SOCK_DGRAM) |
						SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (k->fd < 0 ||
	    setsockopt(k->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(k->fd, (const struct sockaddr *)&l->ss, l->len) ||
	    (tcp && listen(k->fd, 16)) || epoll_set(s, EPOLL_CTL_ADD, k, EPOLLIN)) {
		snprintf(err, errlen, "%s listener %s: %s", tcp ? "TCP" : "UDP",
			 l->text, strerror(errno));
		if (k->fd >= 0)
			close(k->fd);
		return -1;
	}
	s->n_listeners++;
	ctl_log(CTL_LOG_INFO, "ng protocol on %s %s", tcp ? "TCP" : "UDP",
		l->text);
	return 0;
}

static struct udp_batch *udp_batch_new(void)
{
	struct udp_batch *b = calloc(1, sizeof(*b));

	if (!b)
		return NULL;
	b->rx = malloc((size_t)NG_UDP_BATCH * NG_UDP_DGRAM_MAX);
	b->out = malloc((size_t)NG_UDP_BATCH * CTL_NG_REPLY_MAX);
	if (!b->rx || !b->out) {
		free(b->rx);
		free(b->out);
		free(b);
		return NULL;
	}
	for (unsigned i = 0; i < NG_UDP_BATCH; i++) {
		b->rx_iov[i].iov_base = b->rx + (size_t)i * NG_UDP_DGRAM_MAX;
		b->rx_iov[i].iov_len = NG_UDP_DGRAM_MAX;
		b->rx_msg[i].msg_hdr.msg_iov = &b->rx_iov[i];
		b->rx_msg[i].msg_hdr.msg_iovlen = 1;
		b->rx_msg[i].msg_hdr.msg_name = &b->from[i];
		b->tx_msg[i].msg_hdr.msg_iov = &b->tx_iov[i];
		b->tx_msg[i].msg_hdr.msg_iovlen = 1;
	}
	return b;
}

static void udp_batch_free(struct udp_batch *b)
{
	if (!b)
		return;
	free(b->rx);
	free(b->out);
	free(b);
}

int ng_server_open(struct ng_server **out, struct ctl *ctl, int epfd,
		   char *err, size_t errlen)
{
	struct ng_server *s = calloc(1, sizeof(*s));
	int rc = 0;

	*out = s;
	if (!s || !(s->reply = malloc(CTL_NG_REPLY_MAX)) ||
	    !(s->udp = udp_batch_new())) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	/* One fiber more than the window: for ng_server_handle's. */
	s->fibers = ctl_fiber_pool_new(NG_UDP_BATCH + 1, CTL_FIBER_STACK,
				       ctl_ng_scratch_size());
	if (!s->fibers)
		ctl_log(CTL_LOG_WARN, "no memory for request fibers: ng "
			"requests are handled one at a time");
	s->ctl = ctl;
	s->epfd = epfd;
	for (unsigned i = 0; !rc && i < ctl->opt.n_udp; i++)
		rc = open_listener(s, &ctl->opt.udp[i], false, err, errlen);
	for (unsigned i = 0; !rc && i < ctl->opt.n_tcp; i++)
		rc = open_listener(s, &ctl->opt.tcp[i], true, err, errlen);
	return rc;
}

static void conn_free(struct ng_server *s, struct ng_sock *k)
{
	close(k->fd);
	if (k->prev)
		k->prev->next = k->next;
	else
		s->conns = k->next;
	if (k->next)
		k->next->prev = k->prev;
	s->n_conns--;
	aegw_wipe(k->in, k->in_len);
	aegw_wipe(k->out, k->out_len);
	free(k->in);
	free(k->out);
	free(k);
}

void ng_server_close(struct ng_server *s)
{
	if (!s)
		return;
	while (s->conns)
		conn_free(s, s->conns);
	for (unsigned i = 0; i < s->n_listeners; i++)
		close(s->listeners[i].fd);
	free(s->reply);
	ctl_fiber_pool_free(s->fibers);
	udp_batch_free(s->udp);
	free(s);
}

enum {
	/* While requests wait for the dataplane, the socket is looked at
	 * this often for more (each look is a syscall). */
	NG_UDP_LOOK_NS = 20000,
};

/* The ready replies of the requests that came in on k, each to where
 * its request came from. */
static void udp_send_to(struct ng_sock *k, struct udp_batch *b)
{
	unsigned done = 0;

	b->n_tx = 0;
	for (unsigned i = 0; i < NG_UDP_BATCH; i++) {
		struct udp_job *j = &b->job[i];

		if (j->state != SLOT_DONE || !j->reply_len || j->k != k)
			continue;
		b->tx_iov[b->n_tx].iov_base = b->out + (size_t)i * CTL_NG_REPLY_MAX;
		b->tx_iov[b->n_tx].iov_len = j->reply_len;
		b->tx_msg[b->n_tx].msg_hdr.msg_name = &b->from[i];
		b->tx_msg[b->n_tx].msg_hdr.msg_namelen =
			b->rx_msg[i].msg_hdr.msg_namelen;
		b->n_tx++;
	}
	if (b->n_tx)
		ctl_log_flush();
	while (done < b->n_tx) {
		int r = sendmmsg(k->fd, b->tx_msg + done, b->n_tx - done, 0);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) { /* this one cannot go: the rest still may */
			ctl_log(CTL_LOG_WARN, "ng reply not sent: %s",
				strerror(errno));
			r = 1;
		}
		done += (unsigned)r;
	}
}

/* The replies that are ready go out; then their slots are wiped and
 * free. True when a slot was freed. */
static bool udp_send_done(struct ng_server *s)
{
	struct udp_batch *b = s->udp;
	bool freed = false;

	for (unsigned l = 0; l < s->n_listeners; l++)
		if (s->listeners[l].kind == SOCK_UDP)
			udp_send_to(&s->listeners[l], b);
	for (unsigned i = 0; i < NG_UDP_BATCH; i++) {
		struct udp_job *j = &b->job[i];

		if (j->state != SLOT_DONE)
			continue;
		aegw_wipe(b->out + (size_t)i * CTL_NG_REPLY_MAX, j->reply_len);
		aegw_wipe(b->rx_iov[i].iov_base, b->rx_msg[i].msg_len);
		j->reply_len = 0;
		j->state = SLOT_FREE;
		freed = true;
	}
	return freed;
}

static void udp_job_run(void *arg)
{
	struct udp_job *j = arg;
	struct udp_batch *b = j->s->udp;
	uint8_t peer[NG_CACHE_PEER_LEN];

	peer_key(&b->from[j->i], peer);
	j->reply_len = ctl_ng_handle(j->s->ctl, peer, b->rx_iov[j->i].iov_base,
				     b->rx_msg[j->i].msg_len,
				     b->out + (size_t)j->i * CTL_NG_REPLY_MAX,
				     CTL_NG_REPLY_MAX);
	j->state = SLOT_DONE;
}

static void udp_start(struct ng_server *s, struct ng_sock *k, unsigned i)
{
	struct udp_job *j = &s->udp->job[i];

	*j = (struct udp_job){ .s = s, .k = k, .i = i, .state = SLOT_RUNNING };
	if (!source_allowed(s, &s->udp->from[i], "request"))
		j->state = SLOT_DONE;
	else if (!s->fibers ||
		 !ctl_fiber_run(s->fibers, udp_job_run, j, ++s->ticket))
		udp_job_run(j); /* a fiber per slot: only without fibers */
}

/* Datagrams into the free slots, at most *budget, each started. How
 * many came. */
static unsigned udp_receive(struct ng_server *s, struct ng_sock *k,
			    unsigned *budget)
{
	struct udp_batch *b = s->udp;
	struct mmsghdr hdr[NG_UDP_BATCH];
	unsigned slot[NG_UDP_BATCH], m = 0;
	int n;

	for (unsigned i = 0; i < NG_UDP_BATCH && m < *budget; i++) {
		if (b->job[i].state != SLOT_FREE)
			continue;
		b->rx_msg[i].msg_hdr.msg_namelen = sizeof(b->from[i]);
		hdr[m] = b->rx_msg[i];
		slot[m++] = i;
	}
	if (!m)
		return 0;
	n = recvmmsg(k->fd, hdr, m, MSG_DONTWAIT, NULL);
	if (n <= 0)
		return 0;
	*budget -= (unsigned)n;
	for (unsigned x = 0; x < (unsigned)n; x++) {
		unsigned i = slot[x];

		b->rx_msg[i].msg_len = hdr[x].msg_len;
		b->rx_msg[i].msg_hdr.msg_namelen = hdr[x].msg_hdr.msg_namelen;
		udp_start(s, k, i);
	}
	return (unsigned)n;
}

/* Every UDP socket's datagrams into the free slots. True when one came. */
static bool udp_receive_all(struct ng_server *s, unsigned *budget)
{
	bool moved = false;

	for (unsigned l = 0; l < s->n_listeners; l++)
		if (s->listeners[l].kind == SOCK_UDP)
			moved |= udp_receive(s, &s->listeners[l], budget) > 0;
	return moved;
}

static bool udp_running(const struct udp_batch *b)
{
	for (unsigned i = 0; i < NG_UDP_BATCH; i++)
		if (b->job[i].state == SLOT_RUNNING)
			return true;
	return false;
}

/* Datagrams until the sockets are empty (or a fair share is read) and
 * every request read is answered, and `own` (if any) has ended: ACKs
 * handed to the fibers that wait for them, fibers let through the gate
 * as those ahead end, ready replies sent, and freed slots read into
 * again. No fiber of the pool is left running when this returns. */
static void drive(struct ng_server *s, const struct stream_job *own)
{
	unsigned budget = NG_UDP_ROUNDS * NG_UDP_BATCH;
	uint64_t now = ctl_now_ns(), idle_since = now, looked = 0;

	for (;;) {
		bool moved = false, running = udp_running(s->udp) ||
					      (own && !own->done);

		/* The share of the socket is for fairness to the loop's other
		 * work, which waits anyway while `own` does. */
		if (own && !own->done)
			budget = NG_UDP_ROUNDS * NG_UDP_BATCH;
		if (!running || now - looked >= NG_UDP_LOOK_NS) {
			moved = udp_receive_all(s, &budget);
			looked = now;
		}
		if (s->fibers) {
			moved |= ctl_ring_dispatch(&s->ctl->ring);
			moved |= ctl_fiber_gate_kick(s->fibers);
		}
		moved |= udp_send_done(s);
		if (!udp_running(s->udp) && (!own || own->done) && !moved)
			return;
		now = ctl_now_ns();
		if (moved)
			idle_since = now;
		else
			ctl_ring_backoff(now - idle_since);
	}
}

static void stream_job_run(void *arg)
{
	struct stream_job *j = arg;

	j->reply_len = ctl_ng_handle_from(j->ctl, j->from, j->peer, j->msg,
					  j->len, j->out, j->cap);
	j->done = true;
}

size_t ng_server_handle(struct ng_server *s, enum ctl_ng_transport from,
			const uint8_t *peer, const char *msg, size_t len,
			char *out, size_t cap)
{
	struct stream_job j = { .ctl = s->ctl, .from = from, .peer = peer,
				.msg = msg, .len = len, .out = out,
				.cap = cap };

	if (!s->fibers || !ctl_fiber_run(s->fibers, stream_job_run, &j,
					 ++s->ticket))
		stream_job_run(&j);
	drive(s, &j);
	return j.reply_len;
}

static void tcp_accept(struct ng_server *s, struct ng_sock *l)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	int fd = accept4(l->fd, (struct sockaddr *)&ss, &sl,
			 SOCK_NONBLOCK | SOCK_CLOEXEC);
	struct ng_sock *k;

	if (fd < 0)
		return;
	if (!source_allowed(s, &ss, "connection")) {
		close(fd);
		return;
	}
	k = s->n_conns < CTL_NG_TCP_CONNS_MAX ? calloc(1, sizeof(*k)) : NULL;
	if (k) {
		k->in = malloc(CTL_NG_TCP_MSG_MAX);
		k->out = malloc(CTL_NG_TCP_OUT_MAX);
	}
	if (!k || !k->in || !k->out) {
		ctl_log(CTL_LOG_WARN, "ng TCP connection refused: %s",
			k ? "out of memory" : "too many connections");
		if (k) {
			free(k->in);
			free(k->out);
			free(k);
		}
		close(fd);
		return;
	}
	k->kind = SOCK_TCP_CONN;
	k->fd = fd;
	peer_key(&ss, k->peer);
	k->next = s->conns;
	if (s->conns)
		s->conns->prev = k;
	s->conns = k;
	s->n_conns++;
	epoll_set(s, EPOLL_CTL_ADD, k, EPOLLIN);
}

/* Drops the first n bytes of buf[0..*len): what stays moves to the front,
 * and no copy of what was there is left behind (it may hold a key). */
static void consume(char *buf, size_t *len, size_t n)
{
	memmove(buf, buf + n, *len - n);
	aegw_wipe(buf + *len - n, n);
	*len -= n;
}

static void tcp_flush(struct ng_server *s, struct ng_sock *k)
{
	ctl_log_flush();
	while (k->out_off < k->out_len) {
		ssize_t n = write(k->fd, k->out + k->out_off,
				  k->out_len - k->out_off);

		if (n < 0 && errno == EAGAIN)
			break;
		if (n <= 0) {
			k->closing = 2; /* the peer is gone */
			return;
		}
		k->out_off += (size_t)n;
	}
	consume(k->out, &k->out_len, k->out_off);
	k->out_off = 0;
	epoll_set(s, EPOLL_CTL_MOD, k, EPOLLIN | (k->out_len ? EPOLLOUT : 0));
}

static void tcp_queue(struct ng_sock *k, const char *p, size_t n)
{
	if (n > CTL_NG_TCP_OUT_MAX - k->out_len) {
		ctl_log(CTL_LOG_WARN, "ng TCP peer does not read its replies; "
			"closing");
		k->closing = 2;
		return;
	}
	memcpy(k->out + k->out_len, p, n);
	k->out_len += n;
}

/* One message from the front of the input, if a whole one is there. */
static bool tcp_one(struct ng_server *s, struct ng_sock *k)
{
	size_t skip = 0, used, r;
	long len;

	while (skip < k->in_len && strchr(" \t\r\n", k->in[skip]))
		skip++;
	len = ctl_ng_frame_len(k->in + skip, k->in_len - skip);
	if (len == 0 && k->in_len < CTL_NG_TCP_MSG_MAX)
		return false;
	/* A message that cannot be framed: answered (as an error, under
	 * its cookie if it has one), then the connection goes. */
	used = len > 0 ? (size_t)len : k->in_len - skip;
	r = ng_server_handle(s, CTL_NG_FROM_NET, k->peer, k->in + skip, used,
			     s->reply, CTL_NG_REPLY_MAX);
	tcp_queue(k, s->reply, r);
	aegw_wipe(s->reply, r);
	if (len <= 0)
		k->closing = 1;
	consume(k->in, &k->in_len, used + skip);
	return len > 0;
}

static void tcp_read(struct ng_server *s, struct ng_sock *k)
{
	ssize_t n = read(k->fd, k->in + k->in_len,
			 CTL_NG_TCP_MSG_MAX - k->in_len);

	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
		k->closing = 2;
		return;
	}
	if (n > 0)
		k->in_len += (size_t)n;
	while (!k->closing && tcp_one(s, k))
		;
}

static void tcp_event(struct ng_server *s, struct ng_sock *k, uint32_t events)
{
	if (events & (EPOLLIN | EPOLLHUP | EPOLLERR))
		tcp_read(s, k);
	if (k->closing < 2)
		tcp_flush(s, k);
	if (k->closing == 2 || (k->closing && !k->out_len))
		conn_free(s, k);
}

void ng_server_event(struct ng_server *s, void *ptr, uint32_t events)
{
	struct ng_sock *k = ptr;

	switch (k->kind) {
	case SOCK_UDP:
		drive(s, NULL);
		break;
	case SOCK_TCP_LISTEN:
		tcp_accept(s, k);
		break;
	case SOCK_TCP_CONN:
		tcp_event(s, k, events);
		break;
	}
}

long ctl_ng_frame_len(const char *buf, size_t len)
{
	static struct aegw_benc_node nodes[CTL_NG_MAX_NODES];
	const struct aegw_benc_node *root;
	struct aegw_benc_error e;
	const char *sp = memchr(buf, ' ', len < AEGW_NG_COOKIE_MAX + 1 ?
						  len : AEGW_NG_COOKIE_MAX + 1);
	size_t body;

	if (!sp)
		return len <= AEGW_NG_COOKIE_MAX ? 0 : -1;
	body = (size_t)(sp - buf) + 1;
	if (body == len)
		return 0;
	switch (aegw_bencode_decode(buf + body, len - body, nodes,
				    CTL_NG_MAX_NODES, &root, &e)) {
	case AEGW_BENC_ERR_OK:
		return (long)len;
	case AEGW_BENC_ERR_TRAILING:
		return (long)(body + e.offset);
	case AEGW_BENC_ERR_TRUNCATED:
	case AEGW_BENC_ERR_STR_PAST_END:
		return 0;
	default:
		return -1;
	}
}
