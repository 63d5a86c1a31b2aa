/* The ng listeners: UDP sockets (a datagram is a message) and TCP
 * sockets (a stream of messages, each `cookie bencoded-dictionary`, read
 * across partial reads), registered on the daemon's epoll set. Control
 * thread only. */
#ifndef CTL_NG_SERVER_H
#define CTL_NG_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "ctl.h"
#include "ng_commands.h"

enum {
	CTL_NG_TCP_CONNS_MAX = 64,
	CTL_NG_TCP_MSG_MAX = 3 * AEGW_SDP_MAX_LEN, /* one message, bytes */
	CTL_NG_TCP_OUT_MAX = 1 << 20,             /* queued replies */
};

struct ng_server;

/* Opens every listener of ctl->opt and adds them to epfd. 0, or -1 with
 * the reason in err. */
int ng_server_open(struct ng_server **out, struct ctl *ctl, int epfd,
		   char *err, size_t errlen);
void ng_server_close(struct ng_server *s);

/* An epoll event whose data.ptr the server registered. */
void ng_server_event(struct ng_server *s, void *ptr, uint32_t events);

/* Handles one message from a stream (a TCP connection, the control
 * socket) as ctl_ng_handle_from does, on a fiber: while it waits for the
 * dataplane, the UDP sockets are read and their requests run beside it,
 * in the order of arrival where they share a call (fiber.h's gate).
 * Returns when it and every UDP request read meanwhile have ended. */
size_t ng_server_handle(struct ng_server *s, enum ctl_ng_transport from,
			const uint8_t *peer, const char *msg, size_t len,
			char *out, size_t cap);

/* TCP framing: the length of the first message in buf[0..len) (cookie,
 * space, one bencoded dictionary); 0 when it is not complete yet; -1 when
 * it cannot become a message. */
long ctl_ng_frame_len(const char *buf, size_t len);

#endif
