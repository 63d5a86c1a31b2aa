/* SRTP packets (RFC 3711 3.1, RFC 7714 8): where each part of the packet
 * is, the IV, and what protect and unprotect do before and after the
 * crypto burst. Layouts:
 *   AES-CM: header | payload (encrypted) | MKI | tag
 *   GCM:    header | payload (encrypted) | tag | MKI
 * The HMAC covers header || ciphertext || ROC; the ROC is written just past
 * the ciphertext, where the MKI and tag go afterwards, so that the backend
 * hashes one contiguous run. */
#include <string.h>

#include "internal.h"

static inline int rtp_header_len(const uint8_t *buf, uint32_t len,
				 uint32_t *hdr_len)
{
	uint32_t h;

	if (len < AEGW_RTP_HDR_LEN)
		return AEGW_ERR_TRUNCATED;
	if ((buf[0] & AEGW_RTP_V_MASK) != AEGW_RTP_VERSION << 6)
		return AEGW_ERR_BAD_VERSION;
	h = AEGW_RTP_HDR_LEN + 4u * (buf[0] & AEGW_RTP_CC_MASK);
	if (buf[0] & AEGW_RTP_X_BIT) {
		if (h + AEGW_RTP_EXT_HDR_LEN > len)
			return AEGW_ERR_BAD_HEADER;
		h += AEGW_RTP_EXT_HDR_LEN + 4u * get_be16(buf + h + 2);
	}
	if (h > len)
		return AEGW_ERR_BAD_HEADER;
	*hdr_len = h;
	return AEGW_ERR_OK;
}

static int index_of(struct aegw_srtp_stream *s, const uint8_t *buf,
		    struct pkt_ctx *c)
{
	return aegw_pkt_index(s, c, get_be32(buf + 8), get_be16(buf + 2));
}

static int cm_protect_prepare(struct aegw_srtp_stream *s,
			      struct aegw_srtp_pkt *p, struct pkt_ctx *c,
			      struct crypto_op *op)
{
	uint32_t hdr, trailer = s->mki_len + s->tag_len;
	int rc = rtp_header_len(p->data, p->len, &hdr);

	if (rc)
		return rc;
	/* With auth on, the tag (>= 4 bytes) has room for the staged ROC. */
	if (p->size - p->len < trailer)
		return AEGW_ERR_NO_ROOM;
	aegw_pkt_key_active(s, c);
	rc = index_of(s, p->data, c);
	if (rc || c->deferred)
		return rc;
	aegw_op_init(s, op, c, p->data, 1);
	aegw_iv_cm(op->iv, c->salt, c->ssrc, c->index);
	if (s->encrypt) {
		op->cipher_off = hdr;
		op->cipher_len = p->len - hdr;
	}
	if (s->auth) {
		put_be32(p->data + p->len, (uint32_t)(c->index >> 16));
		op->auth_len = p->len + AEGW_SRTP_ROC_LEN;
	}
	return AEGW_ERR_OK;
}

static int cm_protect_finish(struct aegw_srtp_stream *s,
			     struct aegw_srtp_pkt *p, struct pkt_ctx *c,
			     struct crypto_op *op)
{
	int rc = aegw_pkt_commit(s, c);

	if (rc)
		return rc;
	copy_short(p->data + p->len, c->mk->mki, s->mki_len);
	copy_short(p->data + p->len + s->mki_len, op->tag, s->tag_len);
	p->len += s->mki_len + s->tag_len;
	return AEGW_ERR_OK;
}

static int cm_unprotect_prepare(struct aegw_srtp_stream *s,
				struct aegw_srtp_pkt *p, struct pkt_ctx *c,
				struct crypto_op *op)
{
	uint32_t hdr, trailer = s->mki_len + s->tag_len, end;
	int rc;

	if (p->len < AEGW_RTP_HDR_LEN + trailer)
		return AEGW_ERR_TRUNCATED;
	end = p->len - trailer;
	rc = rtp_header_len(p->data, end, &hdr);
	if (rc)
		return rc;
	rc = aegw_pkt_key_by_mki(s, p->data + end, c);
	if (rc)
		return rc;
	rc = index_of(s, p->data, c);
	if (rc || c->deferred)
		return rc;
	aegw_op_init(s, op, c, p->data, 0);
	aegw_iv_cm(op->iv, c->salt, c->ssrc, c->index);
	if (s->encrypt) {
		op->cipher_off = hdr;
		op->cipher_len = end - hdr;
	}
	if (s->auth) {
		copy_short(c->rx_tag, p->data + end + s->mki_len, s->tag_len);
		put_be32(p->data + end, (uint32_t)(c->index >> 16));
		op->auth_len = end + AEGW_SRTP_ROC_LEN;
	}
	c->auth_end = end;
	return AEGW_ERR_OK;
}

static int gcm_protect_prepare(struct aegw_srtp_stream *s,
			       struct aegw_srtp_pkt *p, struct pkt_ctx *c,
			       struct crypto_op *op)
{
	uint32_t hdr;
	int rc = rtp_header_len(p->data, p->len, &hdr);

	if (rc)
		return rc;
	if (p->size - p->len < (uint32_t)s->mki_len + s->tag_len)
		return AEGW_ERR_NO_ROOM;
	aegw_pkt_key_active(s, c);
	rc = index_of(s, p->data, c);
	if (rc || c->deferred)
		return rc;
	aegw_op_init(s, op, c, p->data, 1);
	aegw_iv_gcm_rtp(op->iv, c->salt, c->ssrc, c->index);
	/* RFC 7714 13: unencrypted, the whole packet is associated data. */
	op->aad = p->data;
	op->aad_len = s->encrypt ? hdr : p->len;
	op->cipher_off = op->aad_len;
	op->cipher_len = p->len - op->aad_len;
	return AEGW_ERR_OK;
}

static int gcm_protect_finish(struct aegw_srtp_stream *s,
			      struct aegw_srtp_pkt *p, struct pkt_ctx *c,
			      struct crypto_op *op)
{
	int rc = aegw_pkt_commit(s, c);

	if (rc)
		return rc;
	copy_short(p->data + p->len, op->tag, s->tag_len);
	copy_short(p->data + p->len + s->tag_len, c->mk->mki, s->mki_len);
	p->len += s->mki_len + s->tag_len;
	return AEGW_ERR_OK;
}

static int gcm_unprotect_prepare(struct aegw_srtp_stream *s,
				 struct aegw_srtp_pkt *p, struct pkt_ctx *c,
				 struct crypto_op *op)
{
	uint32_t hdr, trailer = s->mki_len + s->tag_len, end;
	int rc;

	if (p->len < AEGW_RTP_HDR_LEN + trailer)
		return AEGW_ERR_TRUNCATED;
	end = p->len - trailer;
	rc = rtp_header_len(p->data, end, &hdr);
	if (rc)
		return rc;
	rc = aegw_pkt_key_by_mki(s, p->data + end + s->tag_len, c);
	if (rc)
		return rc;
	rc = index_of(s, p->data, c);
	if (rc || c->deferred)
		return rc;
	aegw_op_init(s, op, c, p->data, 0);
	aegw_iv_gcm_rtp(op->iv, c->salt, c->ssrc, c->index);
	copy_short(c->rx_tag, p->data + end, s->tag_len);
	op->expect = c->rx_tag;
	op->aad = p->data;
	op->aad_len = s->encrypt ? hdr : end;
	op->cipher_off = op->aad_len;
	op->cipher_len = end - op->aad_len;
	c->auth_end = end;
	return AEGW_ERR_OK;
}

static const struct stream_ops rtp_cm = {
	.protect = { cm_protect_prepare, cm_protect_finish },
	.unprotect = { cm_unprotect_prepare, aegw_unprotect_finish },
};

static const struct stream_ops rtp_gcm = {
	.protect = { gcm_protect_prepare, gcm_protect_finish },
	.unprotect = { gcm_unprotect_prepare, aegw_unprotect_finish },
};

void aegw_rtp_select(struct aegw_srtp_stream *s)
{
	s->ops = s->si->aead ? &rtp_gcm : &rtp_cm;
}

