/* The last step of unprotect for every layout. The steps before it,
 * shared by SRTP and SRTCP, are inline in steps.h. */
#include "internal.h"

int aegw_unprotect_finish(struct aegw_srtp_stream *s,
			    struct aegw_srtp_pkt *p, struct pkt_ctx *c,
			    struct crypto_op *op)
{
	int rc;

	if (s->tag_len && ct_memcmp(op->tag, c->rx_tag, s->tag_len))
		return AEGW_ERR_AUTH_FAILED;
	rc = aegw_pkt_commit(s, c);
	if (rc)
		return rc;
	p->len = c->auth_end;
	return AEGW_ERR_OK;
}
