/* The control socket (aegwctl's): an AF_UNIX SOCK_SEQPACKET socket at
 * --ctl-socket, mode 0660, served by the daemon's epoll loop. Each packet
 * is one ng message, `cookie SP bencoded-dictionary`, and gets one reply
 * packet; it goes to the ng dispatcher as CTL_NG_FROM_CTL_SOCKET, the
 * one transport that may run the admin commands (ng_admin.h). Whoever
 * can connect is an administrator: the file's mode and group are the
 * access control. Control thread only. */
#ifndef CTL_CTL_SOCKET_H
#define CTL_CTL_SOCKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ctl.h"

enum {
	CTL_SOCK_CONNS_MAX = 16,
	CTL_SOCK_MODE = 0660,
	CTL_SOCK_DIR_MODE = 0750,
};

struct ctl_sock;
struct ng_server;

/* Opens ctl->opt.ctl_socket (none: *out stays NULL, 0) and adds it to
 * epfd: makes the directory when it is missing, removes a socket file
 * that nothing answers on (a daemon killed before it could), refuses one
 * a running daemon answers on. 0, or -1 with the reason in err; a
 * default path (no --ctl-socket) that cannot be opened is a warning in
 * the log, and 0 with *out NULL. Requests run through ng's fibers
 * (ng_server_handle), so that one waiting for the dataplane does not
 * hold up the ng requests. */
int ctl_sock_open(struct ctl_sock **out, struct ctl *ctl,
		  struct ng_server *ng, int epfd, char *err, size_t errlen);
/* Closes every connection and removes the socket file. NULL is fine. */
void ctl_sock_close(struct ctl_sock *s);

/* An epoll event: handled when data.ptr is one of the socket's (true),
 * else left to the ng server (false). s may be NULL. */
bool ctl_sock_event(struct ctl_sock *s, void *ptr, uint32_t events);

#endif
