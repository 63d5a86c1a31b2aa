/* Steps shared by SRTP and SRTCP, protect and unprotect: choosing the
 * master key, estimating the index against the SSRC's state, and the
 * commit that follows a successful tag check. */
#include <string.h>

#include "internal.h"

/* Sets the keys c uses; a KDR boundary sends the packet to the slow path
 * (burst.c) unless the caller already put keys for its r in c. */
static int key_select(struct aegw_srtp_stream *s, struct pkt_ctx *c,
		      struct master_key *mk)
{
	if (key_expired(mk))
		return AEGW_ERR_KEY_EXPIRED;
	c->mk = mk;
	if (c->ks)
		return AEGW_ERR_OK; /* slow path: keys supplied */
	c->ks = key_state(s, mk);
	c->salt = mk->salt;
	return AEGW_ERR_OK;
}

void aegw_pkt_key_active(struct aegw_srtp_stream *s, struct pkt_ctx *c)
{
	c->mk = stream_key(s, s->active);
}

int aegw_pkt_key_by_mki(struct aegw_srtp_stream *s, const uint8_t *mki,
			struct pkt_ctx *c)
{
	if (!s->mki_len) {
		c->mk = stream_key(s, 0);
		return AEGW_ERR_OK;
	}
	for (unsigned i = 0; i < s->n_keys; i++) {
		struct master_key *mk = stream_key(s, i);
		if (!memcmp(mk->mki, mki, s->mki_len)) {
			c->mk = mk;
			return AEGW_ERR_OK;
		}
	}
	return AEGW_ERR_UNKNOWN_MKI;
}

/* Finds the index of a packet of SSRC ssrc with (low 16 bits of) index
 * seq, checks it against the replay window, and checks the key. For
 * SRTCP, seq is unused: the caller put the explicit index in c->index and
 * passes the slot checks through the same path. */
int aegw_pkt_index(struct aegw_srtp_stream *s, struct pkt_ctx *c,
		   uint32_t ssrc, uint16_t seq)
{
	uint64_t floor;
	int rc, rtp = s->kind == AEGW_SRTP_RTP;

	c->ssrc = ssrc;
	c->slot = aegw_slot_find(s, ssrc);
	if (c->slot >= 0) {
		if (rtp) {
			rc = aegw_index_estimate(s->slots[c->slot].highest, seq,
						 &c->index);
			if (rc)
				return rc;
		}
		rc = aegw_replay_check(s, c->slot, c->index);
	} else if (aegw_slot_new_state(s, ssrc, &floor)) {
		rc = rtp ? aegw_index_estimate(floor, seq, &c->index) : 0;
		if (!rc && c->index <= floor)
			rc = AEGW_ERR_TOO_OLD;
	} else {
		if (rtp)
			c->index = (uint64_t)s->initial_roc << 16 | seq;
		rc = AEGW_ERR_OK;
	}
	if (rc)
		return rc;
	rc = key_select(s, c, c->mk);
	if (rc)
		return rc;
	if (s->kdr_log2 &&
	    (c->index >> s->kdr_log2) != c->mk->kdr->r &&
	    c->ks == key_state(s, c->mk))
		c->deferred = 1;
	return AEGW_ERR_OK;
}

/* After the tag verified (or the packet was protected): the window and
 * ROC move, the key's packet count grows. Checked again here because two
 * packets of one burst can carry the same index. */
int aegw_pkt_commit(struct aegw_srtp_stream *s, struct pkt_ctx *c)
{
	int slot = aegw_slot_find(s, c->ssrc), rc;

	if (key_expired(c->mk))
		return AEGW_ERR_KEY_EXPIRED;
	if (slot >= 0) {
		rc = aegw_replay_check(s, slot, c->index);
		if (rc)
			return rc;
		aegw_replay_commit(s, slot, c->index);
	} else {
		aegw_slot_adopt(s, c->ssrc, c->index);
	}
	c->mk->packets++;
	return AEGW_ERR_OK;
}

/* RFC 3711 4.1.1: (salt * 2^16) XOR (SSRC * 2^64) XOR (index * 2^16). */
void aegw_iv_cm(uint8_t iv[16], const uint8_t *salt, uint32_t ssrc,
		  uint64_t index)
{
	memcpy(iv, salt, 14);
	iv[14] = iv[15] = 0;
	for (int i = 0; i < 4; i++)
		iv[4 + i] ^= (uint8_t)(ssrc >> (24 - 8 * i));
	for (int i = 0; i < 6; i++)
		iv[8 + i] ^= (uint8_t)(index >> (40 - 8 * i));
}

void aegw_op_init(const struct aegw_srtp_stream *s, struct crypto_op *op,
		    const struct pkt_ctx *c, uint8_t *buf, int encrypt)
{
	memset(op, 0, offsetof(struct crypto_op, iv));
	op->ks = c->ks;
	op->buf = buf;
	op->encrypt = (uint8_t)encrypt;
	op->mode = s->si->aead ? CRYPTO_GCM : CRYPTO_CM_HMAC;
	op->key_len = s->si->key_len;
	op->failed = 0;
}

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
