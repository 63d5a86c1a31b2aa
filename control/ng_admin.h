/* aegw-control's admin commands, for aegwctl: streams, registrations,
 * policy, install and uninstall. They come as ng messages over the
 * control socket only (ctl_socket.c) and run in the ng dispatcher
 * (ng_commands.c), which refuses them from the P-CSCF's sockets: they
 * show UE identities and every stream, and change the dataplane by hand.
 * No reply carries key material. Control thread only. */
#ifndef CTL_NG_ADMIN_H
#define CTL_NG_ADMIN_H

#include <stddef.h>

#include "aegw/ng.h"
#include "ctl.h"

/* An admin command: the reply's length, or 0 with the reason in err (the
 * dispatcher answers result: error and counts it). */
typedef size_t ctl_ng_admin_fn(struct ctl *ctl, const struct aegw_ng_msg *msg,
			       const struct aegw_ng_request *req, char *out,
			       size_t cap, char *err, size_t errlen);

/* The admin command of that name (exact bytes), or NULL. */
ctl_ng_admin_fn *ctl_ng_admin_find(const char *name, size_t len);

/* `streams` (ng_streams.c): every stream the daemon or the dataplane
 * knows, in id order, with its call, action, addresses and counters;
 * `after` (an id) and `limit` page through them, and `next` in the reply
 * says where the next page starts. */
ctl_ng_admin_fn ctl_ng_streams;

#endif
