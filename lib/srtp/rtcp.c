/* SRTCP packets (RFC 3711 3.4, RFC 7714 9 and 17). Layouts:
 *   AES-CM: header(8) | payload (encrypted) | E||index | MKI | tag
 *   GCM:    header(8) | payload (encrypted) | tag | E||index | MKI
 * The index is explicit, so there is no estimation; the sender keeps one
 * 31-bit counter per SSRC (the slot's highest). */
#include <string.h>

#include "internal.h"

static int rtcp_check(const struct aegw_srtp_pkt *p, uint32_t min_len)
{
	if (p->len < AEGW_RTCP_HDR_LEN || p->len < min_len)
		return AEGW_ERR_TRUNCATED;
	if ((p->data[0] & AEGW_RTP_V_MASK) != AEGW_RTP_VERSION << 6)
		return AEGW_ERR_BAD_VERSION;
	return AEGW_ERR_OK;
}

/* The sender's next index for this packet's SSRC. */
static int next_index(struct aegw_srtp_stream *s, const uint8_t *buf,
		      struct pkt_ctx *c)
{
	uint32_t ssrc = get_be32(buf + 4);
	int slot = aegw_slot_find(s, ssrc);
	uint64_t floor;

	if (slot >= 0)
		c->index = s->slots[slot].highest + 1;
	else if (aegw_slot_new_state(s, ssrc, &floor))
		c->index = floor + 1;
	else
		c->index = s->initial_roc; /* the config's initial_rtcp_index */
	if (c->index > 0x7fffffff)
		return AEGW_ERR_KEY_EXPIRED; /* RFC 3711 3.4: 2^31 packets */
	return aegw_pkt_index(s, c, ssrc, 0);
}

static uint32_t e_word(const struct aegw_srtp_stream *s, uint64_t index)
{
	return (s->encrypt ? 0x80000000u : 0) | (uint32_t)index;
}

/* Reads E||index on unprotect; an E flag the stream did not negotiate is a
 * policy error (the flag is authenticated, so only the peer can set it). */
static int read_e_word(struct aegw_srtp_stream *s, const uint8_t *w,
		       struct pkt_ctx *c)
{
	int e = (w[0] & AEGW_SRTCP_E_FLAG) != 0;

	if (e != s->encrypt)
		return AEGW_ERR_POLICY;
	c->index = get_be32(w) & 0x7fffffff;
	return aegw_pkt_index(s, c, get_be32(c->aad + 4), 0);
}

static void iv_gcm(uint8_t iv[16], const uint8_t *salt, uint32_t ssrc,
		   uint64_t index)
{
	/* RFC 7714 9.1: 00 00 || SSRC || 00 00 || 0 || index, XOR salt. */
	memcpy(iv, salt, 12);
	for (int i = 0; i < 4; i++) {
		iv[2 + i] ^= (uint8_t)(ssrc >> (24 - 8 * i));
		iv[8 + i] ^= (uint8_t)(index >> (24 - 8 * i));
	}
}

static int cm_protect_prepare(struct aegw_srtp_stream *s,
			      struct aegw_srtp_pkt *p, struct pkt_ctx *c,
			      struct crypto_op *op)
{
	int rc = rtcp_check(p, 0);

	if (rc)
		return rc;
	if (p->size - p->len < aegw_srtp_stream_overhead(s))
		return AEGW_ERR_NO_ROOM;
	aegw_pkt_key_active(s, c);
	rc = next_index(s, p->data, c);
	if (rc || c->deferred)
		return rc;
	aegw_op_init(s, op, c, p->data, 1);
	aegw_iv_cm(op->iv, c->salt, c->ssrc, c->index);
	if (s->encrypt) {
		op->cipher_off = AEGW_RTCP_HDR_LEN;
		op->cipher_len = p->len - AEGW_RTCP_HDR_LEN;
	}
	put_be32(p->data + p->len, e_word(s, c->index));
	op->auth_len = p->len + AEGW_SRTCP_INDEX_LEN;
	return AEGW_ERR_OK;
}

static int cm_protect_finish(struct aegw_srtp_stream *s,
			     struct aegw_srtp_pkt *p, struct pkt_ctx *c,
			     struct crypto_op *op)
{
	int rc = aegw_pkt_commit(s, c);
	uint8_t *t = p->data + p->len + AEGW_SRTCP_INDEX_LEN;

	if (rc)
		return rc;
	copy_short(t, c->mk->mki, s->mki_len);
	copy_short(t + s->mki_len, op->tag, s->tag_len);
	p->len += aegw_srtp_stream_overhead(s);
	return AEGW_ERR_OK;
}

static int cm_unprotect_prepare(struct aegw_srtp_stream *s,
				struct aegw_srtp_pkt *p, struct pkt_ctx *c,
				struct crypto_op *op)
{
	uint32_t over = aegw_srtp_stream_overhead(s), end;
	int rc = rtcp_check(p, AEGW_RTCP_HDR_LEN + over);

	if (rc)
		return rc;
	end = p->len - s->tag_len - s->mki_len; /* past E||index */
	rc = aegw_pkt_key_by_mki(s, p->data + end, c);
	if (rc)
		return rc;
	memcpy(c->aad, p->data, AEGW_RTCP_HDR_LEN);
	rc = read_e_word(s, p->data + end - AEGW_SRTCP_INDEX_LEN, c);
	if (rc || c->deferred)
		return rc;
	aegw_op_init(s, op, c, p->data, 0);
	aegw_iv_cm(op->iv, c->salt, c->ssrc, c->index);
	if (s->encrypt) {
		op->cipher_off = AEGW_RTCP_HDR_LEN;
		op->cipher_len = end - AEGW_SRTCP_INDEX_LEN - AEGW_RTCP_HDR_LEN;
	}
	copy_short(c->rx_tag, p->data + end + s->mki_len, s->tag_len);
	op->auth_len = end;
	c->auth_end = end - AEGW_SRTCP_INDEX_LEN;
	return AEGW_ERR_OK;
}

static int gcm_protect_prepare(struct aegw_srtp_stream *s,
			       struct aegw_srtp_pkt *p, struct pkt_ctx *c,
			       struct crypto_op *op)
{
	int rc = rtcp_check(p, 0);

	if (rc)
		return rc;
	if (p->size - p->len < aegw_srtp_stream_overhead(s))
		return AEGW_ERR_NO_ROOM;
	aegw_pkt_key_active(s, c);
	rc = next_index(s, p->data, c);
	if (rc || c->deferred)
		return rc;
	aegw_op_init(s, op, c, p->data, 1);
	iv_gcm(op->iv, c->salt, c->ssrc, c->index);
	if (s->encrypt) {
		/* RFC 7714 17: AAD is the 8-byte header and E||index. */
		memcpy(c->aad, p->data, AEGW_RTCP_HDR_LEN);
		put_be32(c->aad + AEGW_RTCP_HDR_LEN, e_word(s, c->index));
		op->aad = c->aad;
		op->aad_len = sizeof(c->aad);
		op->cipher_off = AEGW_RTCP_HDR_LEN;
		op->cipher_len = p->len - AEGW_RTCP_HDR_LEN;
	} else {
		/* Unencrypted: the whole packet then E||index, staged where
		 * the tag will go so that the AAD is contiguous. */
		put_be32(p->data + p->len, e_word(s, c->index));
		op->aad = p->data;
		op->aad_len = p->len + AEGW_SRTCP_INDEX_LEN;
	}
	return AEGW_ERR_OK;
}

static int gcm_protect_finish(struct aegw_srtp_stream *s,
			      struct aegw_srtp_pkt *p, struct pkt_ctx *c,
			      struct crypto_op *op)
{
	int rc = aegw_pkt_commit(s, c);
	uint8_t *t = p->data + p->len;

	if (rc)
		return rc;
	copy_short(t, op->tag, s->tag_len);
	put_be32(t + s->tag_len, e_word(s, c->index));
	copy_short(t + s->tag_len + AEGW_SRTCP_INDEX_LEN, c->mk->mki, s->mki_len);
	p->len += aegw_srtp_stream_overhead(s);
	return AEGW_ERR_OK;
}

static int gcm_unprotect_prepare(struct aegw_srtp_stream *s,
				 struct aegw_srtp_pkt *p, struct pkt_ctx *c,
				 struct crypto_op *op)
{
	uint32_t over = aegw_srtp_stream_overhead(s), end;
	uint8_t *w;
	int rc = rtcp_check(p, AEGW_RTCP_HDR_LEN + over);

	if (rc)
		return rc;
	end = p->len - over; /* end of the ciphertext */
	w = p->data + end + s->tag_len;
	rc = aegw_pkt_key_by_mki(s, w + AEGW_SRTCP_INDEX_LEN, c);
	if (rc)
		return rc;
	memcpy(c->aad, p->data, AEGW_RTCP_HDR_LEN);
	rc = read_e_word(s, w, c);
	if (rc || c->deferred)
		return rc;
	aegw_op_init(s, op, c, p->data, 0);
	iv_gcm(op->iv, c->salt, c->ssrc, c->index);
	copy_short(c->rx_tag, p->data + end, s->tag_len);
	op->expect = c->rx_tag;
	if (s->encrypt) {
		memcpy(c->aad + AEGW_RTCP_HDR_LEN, w, AEGW_SRTCP_INDEX_LEN);
		op->aad = c->aad;
		op->aad_len = sizeof(c->aad);
		op->cipher_off = AEGW_RTCP_HDR_LEN;
		op->cipher_len = end - AEGW_RTCP_HDR_LEN;
	} else {
		memmove(p->data + end, w, AEGW_SRTCP_INDEX_LEN);
		op->aad = p->data;
		op->aad_len = end + AEGW_SRTCP_INDEX_LEN;
	}
	c->auth_end = end;
	return AEGW_ERR_OK;
}

static const struct stream_ops rtcp_cm = {
	.protect = { cm_protect_prepare, cm_protect_finish },
	.unprotect = { cm_unprotect_prepare, aegw_unprotect_finish },
};

static const struct stream_ops rtcp_gcm = {
	.protect = { gcm_protect_prepare, gcm_protect_finish },
	.unprotect = { gcm_unprotect_prepare, aegw_unprotect_finish },
};

void aegw_rtcp_select(struct aegw_srtp_stream *s)
{
	s->ops = s->si->aead ? &rtcp_gcm : &rtcp_cm;
}
