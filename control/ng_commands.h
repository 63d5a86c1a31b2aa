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

#endif
