/* The o= sess-version of the SDP aegw sends each side (RFC 3264 8, RFC
 * 8866 5.2): it goes up whenever that SDP changes, and only then. aegw
 * changes what a side's peer wrote (a fresh key in a re-offer, a new
 * port), so the peer's version alone would not do: a UE that sees a
 * version it has already seen keeps the SDP it had, and its old key. */
#ifndef CTL_SDP_VERSION_H
#define CTL_SDP_VERSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aegw/sdp.h"

/* What aegw last sent one side. */
struct ctl_sdp_sent {
	bool sent;
	uint64_t origin;   /* hash of that SDP's o= username and sess-id */
	uint64_t version;  /* its o= sess-version */
	uint64_t body;     /* hash of the SDP less its o= line */
};

/* An SDP's hash less its o= line, as struct ctl_sdp_sent's body. */
uint64_t ctl_sdp_body_hash(const char *s, size_t n);

/* out holds in, rewritten by ed, for a side that last got *last. Sets
 * the version it must carry: in's when it is new to that side or higher
 * than the last one sent; the last one when nothing but o= changed; one
 * more than the last one when the SDP changed. Rewrites out again if that
 * is not in's version, and fills *now for the caller to keep once the
 * SDP goes out. SDP without o=, or with a version that is no number up
 * to 2^64 - 1, keeps its version and leaves *now unsent. 0, or -1 when
 * the rewrite fails (err says why). */
int ctl_sdp_version(const struct ctl_sdp_sent *last, const struct aegw_sdp *in,
		    struct aegw_sdp_edit *ed, char *out, size_t cap,
		    size_t *out_len, struct ctl_sdp_sent *now, char *err,
		    size_t errlen);

#endif
