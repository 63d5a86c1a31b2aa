/* The steps every packet takes, whatever its kind and suite: choosing the
 * master key, estimating the index (RFC 3711 3.3.1, appendix A), the
 * replay window (3.3.2), the IV, and the commit after a good tag.
 *
 * They are inline, not in their own object: rtp.c and rtcp.c call them
 * once or twice per packet, and as calls across objects they cost as
 * much as the logic in them (the 160-byte AES-CM floor is ~100 ns a
 * packet, and every step here is a handful of instructions).
 *
 * The window is a ring of 64-bit words addressed by index: bit (i % 64)
 * of word ((i / 64) % words). Advancing the highest index clears the
 * words it passes, so a check or commit touches one word (as WireGuard's
 * counter.c keeps it). With `words` words the ring remembers at least
 * (words - 1) * 64 indices; words is a power of two so that the ring is
 * indexed with a mask.
 *
 * Included by internal.h; also compiled as C++ by the unit tests. */
#ifndef AEGW_SRTP_STEPS_H
#define AEGW_SRTP_STEPS_H

#include <endian.h>
#include <string.h>

/* The windows follow the stream head. */
#define AEGW_STREAM_HEAD \
	((sizeof(struct aegw_srtp_stream) + 15) & ~(size_t)15)

static inline uint64_t *aegw_slot_window(const struct aegw_srtp_stream *s,
					 int slot)
{
	return (uint64_t *)((uint8_t *)s + AEGW_STREAM_HEAD) +
	       (size_t)slot * s->win_words;
}

static inline int aegw_index_estimate(uint64_t highest, uint16_t seq,
				      uint64_t *index)
{
	uint64_t roc = highest >> 16;
	uint16_t s_l = (uint16_t)highest;
	uint64_t v = roc;

	if (s_l < 32768) {
		if (seq > s_l && seq - s_l > 32768) {
			if (roc == 0)
				return AEGW_ERR_TOO_OLD; /* before index 0 */
			v = roc - 1;
		}
	} else if (s_l - 32768 > seq) {
		v = roc + 1;
	}
	if (v > UINT32_MAX)
		return AEGW_ERR_KEY_EXPIRED; /* the 2^48 index space is spent */
	*index = v << 16 | seq;
	return AEGW_ERR_OK;
}

static inline int aegw_replay_check(const struct aegw_srtp_stream *s,
				    int slot, uint64_t index)
{
	const struct ssrc_slot *st = &s->slots[slot];
	const uint64_t *w = aegw_slot_window(s, slot);

	if (index > st->highest || s->no_replay)
		return AEGW_ERR_OK;
	if (st->highest - index >= s->window)
		return AEGW_ERR_TOO_OLD;
	if (w[(index >> 6) & (s->win_words - 1u)] & (1ull << (index & 63)))
		return AEGW_ERR_REPLAY;
	return AEGW_ERR_OK;
}

/* The stream's reading moved a step: listed once in a row. */
static inline void aegw_note_moved(struct aegw_srtp_stream *s)
{
	struct aegw_srtp_engine *e = s->eng;

	if (e->n_moved < AEGW_SRTP_BURST_MAX &&
	    (!e->n_moved || e->moved[e->n_moved - 1] != s))
		e->moved[e->n_moved++] = s;
}

static inline void aegw_replay_commit(struct aegw_srtp_stream *s, int slot,
				      uint64_t index)
{
	struct ssrc_slot *st = &s->slots[slot];
	uint64_t *w = aegw_slot_window(s, slot);
	uint64_t top = st->highest >> 6, cur = index >> 6;
	uint64_t mask = s->win_words - 1u;

	if (index > st->highest) {
		uint64_t clear = cur - top;
		unsigned step = s->kind == AEGW_SRTP_RTP ?
					AEGW_SRTP_READING_STEP_LOG2 :
					AEGW_SRTCP_READING_STEP_LOG2;
		if ((index ^ st->highest) >> step)
			aegw_note_moved(s);
		if (clear > s->win_words)
			clear = s->win_words;
		for (uint64_t i = 1; i <= clear; i++)
			w[(top + i) & mask] = 0;
		st->highest = index;
	}
	w[cur & mask] |= 1ull << (index & 63);
	st->last_use = ++s->clock;
}

static inline int aegw_slot_find(const struct aegw_srtp_stream *s,
				 uint32_t ssrc)
{
	for (int i = 0; i < AEGW_SRTP_SSRC_SLOTS; i++)
		if ((s->slot_used >> i & 1) && s->slots[i].ssrc == ssrc)
			return i;
	return -1;
}

/* Sets the keys c uses; a KDR boundary sends the packet to the slow path
 * (burst.c) unless the caller already put keys for its r in c. */
static inline int aegw_pkt_key_select(struct aegw_srtp_stream *s,
				      struct pkt_ctx *c)
{
	if (key_expired(c->mk))
		return AEGW_ERR_KEY_EXPIRED;
	if (c->ks)
		return AEGW_ERR_OK; /* slow path: keys supplied */
	c->ks = key_state(s, c->mk);
	c->salt = c->mk->salt;
	return AEGW_ERR_OK;
}

static inline void aegw_pkt_key_active(struct aegw_srtp_stream *s,
				       struct pkt_ctx *c)
{
	c->mk = stream_key(s, s->active);
}

static inline int aegw_pkt_key_by_mki(struct aegw_srtp_stream *s,
				      const uint8_t *mki, struct pkt_ctx *c)
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
static inline int aegw_pkt_index(struct aegw_srtp_stream *s,
				 struct pkt_ctx *c, uint32_t ssrc,
				 uint16_t seq)
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
	rc = aegw_pkt_key_select(s, c);
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
 * packets of one burst can carry the same index, and an SSRC adopted by
 * an earlier packet of the burst can have taken the slot. */
static inline int aegw_pkt_commit(struct aegw_srtp_stream *s,
				  struct pkt_ctx *c)
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

/* RFC 3711 4.1.1: (salt * 2^16) XOR (SSRC * 2^64) XOR (index * 2^16),
 * as two big-endian words. */
static inline void aegw_iv_cm(uint8_t iv[16], const uint8_t *salt,
			      uint32_t ssrc, uint64_t index)
{
	uint64_t a, b;

	/* The salt's 14 bytes straight into registers (bytes 6..13 for the
	 * low word, shifted): copying them into iv first and reading iv
	 * back as one 16-byte load defeated store forwarding, a stall of
	 * about half this function's time. */
	memcpy(&a, salt, 8);
	memcpy(&b, salt + 6, 8);
	a = be64toh(a) ^ ssrc;
	b = (be64toh(b) << 16) ^ (index << 16);
	a = htobe64(a);
	b = htobe64(b);
	memcpy(iv, &a, 8);
	memcpy(iv + 8, &b, 8);
}

/* RFC 7714 8.1: 00 00 || SSRC || ROC || SEQ, XOR the 96-bit salt. */
static inline void aegw_iv_gcm_rtp(uint8_t iv[16], const uint8_t *salt,
				   uint32_t ssrc, uint64_t index)
{
	uint64_t a;
	uint32_t b;

	memcpy(iv, salt, 12);
	memcpy(&a, iv, 8);
	memcpy(&b, iv + 8, 4);
	a ^= htobe64((uint64_t)ssrc << 16 | index >> 32);
	b ^= htobe32((uint32_t)index);
	memcpy(iv, &a, 8);
	memcpy(iv + 8, &b, 4);
}

static inline void aegw_op_init(const struct aegw_srtp_stream *s,
				struct crypto_op *op, const struct pkt_ctx *c,
				uint8_t *buf, int encrypt)
{
	memset(op, 0, offsetof(struct crypto_op, iv));
	op->ks = c->ks;
	op->buf = buf;
	op->encrypt = (uint8_t)encrypt;
	op->mode = s->si->aead ? CRYPTO_GCM : CRYPTO_CM_HMAC;
	op->key_len = s->si->key_len;
	op->failed = 0;
}

#endif
