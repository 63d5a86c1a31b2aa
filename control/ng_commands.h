/* The ng protocol's commands: one message in, one reply out. Parses the
 * message, answers a retransmission from the cache, runs the command and
 * caches its reply. Control thread only. */
#ifndef CTL_NG_COMMANDS_H
#define CTL_NG_COMMANDS_H

#include <stddef.h>
#include <stdint.h>

#include "ctl.h"

enum {
	CTL_NG_MAX_NODES = 4096,   /* bencode values per message */
	CTL_NG_REPLY_MAX = 2 * AEGW_SDP_MAX_LEN, /* an SDP and its frame */
};

/* Handles msg[0..len) from peer (NG_CACHE_PEER_LEN bytes naming its
 * address) and writes the reply into out (cap bytes). Returns the reply's
 * length, or 0 when there is nothing to answer (no cookie to answer to).
 * The reply may hold a key: the caller wipes out once it is sent. */
size_t ctl_ng_handle(struct ctl *ctl, const uint8_t *peer, const char *msg,
		     size_t len, char *out, size_t cap);

/* The fiber-local memory a request needs (fiber.h): a fiber that runs
 * ctl_ng_handle must have this much. */
size_t ctl_ng_scratch_size(void);

/* Where a message came from. The admin commands (ng_admin.h) run only
 * for CTL_NG_FROM_CTL_SOCKET, whose access control is the socket's mode;
 * from the P-CSCF's UDP and TCP sockets they are refused. Control socket
 * replies are not cached: a local seqpacket socket does not retransmit,
 * and a listing must be read afresh each time. */
enum ctl_ng_transport {
	CTL_NG_FROM_NET,
	CTL_NG_FROM_CTL_SOCKET,
};

/* "ok", "error", "load_limit" (ctl.h's CTL_FOREACH_NG_RESULT). */
const char *ctl_ng_result_name(enum ctl_ng_result r);

/* ctl_ng_handle for a message that came over `from`. */
size_t ctl_ng_handle_from(struct ctl *ctl, enum ctl_ng_transport from,
			  const uint8_t *peer, const char *msg, size_t len,
			  char *out, size_t cap);

#endif
