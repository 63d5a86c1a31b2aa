/* Engines and streams: creation (validation, key derivation, choosing the
 * per-suite functions once), re-derivation for a non-zero KDR, lifetime
 * accounting, and wiping on free. */
#include <stdlib.h>
#include <string.h>

#include "aegw/wipe.h"
#include "internal.h"

static const struct backend_ops *backend_for(enum aegw_srtp_backend be)
{
	switch (be) {
	case AEGW_SRTP_BACKEND_IPSECMB: return &aegw_backend_ipsecmb;
	case AEGW_SRTP_BACKEND_OPENSSL: return &aegw_backend_openssl;
	}
	return NULL;
}

const char *aegw_srtp_backend_name(enum aegw_srtp_backend be)
{
	const struct backend_ops *ops = backend_for(be);
	return ops ? ops->name : "unknown";
}

static void *default_alloc(void *arg, size_t size)
{
	(void)arg;
	return aligned_alloc(64, size);
}

static void default_free(void *arg, void *p)
{
	(void)arg;
	free(p);
}

int aegw_srtp_engine_set_allocator(struct aegw_srtp_engine *eng,
				   const struct aegw_srtp_allocator *a)
{
	static const struct aegw_srtp_allocator dflt = { default_alloc,
							 default_free, NULL };

	if (eng->n_streams)
		return AEGW_ERR_INVALID_ARG;
	eng->mem = a ? *a : dflt;
	return AEGW_ERR_OK;
}

struct aegw_srtp_engine *aegw_srtp_engine_create(enum aegw_srtp_backend be,
						 int *err)
{
	const struct backend_ops *ops = backend_for(be);
	struct aegw_srtp_engine *eng;
	int rc;

	if (!ops) {
		*err = AEGW_ERR_INVALID_ARG;
		return NULL;
	}
	eng = calloc(1, sizeof(*eng));
	if (!eng) {
		*err = AEGW_ERR_NO_MEMORY;
		return NULL;
	}
	eng->be = ops;
	eng->id = be;
	aegw_srtp_engine_set_allocator(eng, NULL);
	rc = ops->engine_init(eng);
	if (rc) {
		free(eng);
		*err = rc;
		return NULL;
	}
	*err = AEGW_ERR_OK;
	return eng;
}

void aegw_srtp_engine_free(struct aegw_srtp_engine *eng)
{
	if (!eng)
		return;
	eng->be->engine_fini(eng);
	free(eng);
}

static uint64_t max_lifetime(unsigned kind)
{
	/* RFC 3711 9.2: 2^48 SRTP packets, 2^31 SRTCP packets per key. */
	return kind == AEGW_SRTP_RTP ? 1ull << 48 : 1ull << 31;
}

/* The one place a configuration is judged, before any key is touched:
 * stream creation calls it, and so does the ring's record validation. */
int aegw_srtp_config_check(const struct aegw_srtp_config *cfg)
{
	const struct aegw_suite_info *si = aegw_suite_info(cfg->suite);

	if (!si || (cfg->kind != AEGW_SRTP_RTP && cfg->kind != AEGW_SRTP_RTCP))
		return AEGW_ERR_INVALID_ARG;
	if (cfg->n_keys < 1 || cfg->n_keys > AEGW_SRTP_MAX_KEYS ||
	    cfg->active_key >= cfg->n_keys)
		return AEGW_ERR_INVALID_ARG;
	if (cfg->mki_len > AEGW_SRTP_MAX_MKI_LEN ||
	    (cfg->mki_len == 0 && cfg->n_keys > 1))
		return AEGW_ERR_INVALID_ARG;
	for (unsigned i = 0; i < AEGW_SRTP_RESUME_EARLIER; i++)
		if (cfg->resume_earlier[i].index >= 1ull << 48)
			return AEGW_ERR_INVALID_ARG;
	if (cfg->resume_index >= 1ull << 48 ||
	    cfg->resume_rtcp_index >= 1ull << 31 ||
	    cfg->initial_rtcp_index >= 1u << 31)
		return AEGW_ERR_INVALID_ARG;
	if (cfg->window > AEGW_SRTP_WINDOW_MAX ||
	    (cfg->window && cfg->window < 64) || cfg->kdr_log2 > 24)
		return AEGW_ERR_INVALID_ARG;
	if (cfg->session_params & ~(unsigned)(AEGW_SRTP_UNENCRYPTED_SRTP |
					      AEGW_SRTP_UNENCRYPTED_SRTCP |
					      AEGW_SRTP_UNAUTHENTICATED_SRTP |
					      AEGW_SRTP_NO_REPLAY_CHECK))
		return AEGW_ERR_INVALID_ARG;
	/* RFC 7714 14.2: an AEAD suite cannot drop authentication. */
	if (si->aead && (cfg->session_params & AEGW_SRTP_UNAUTHENTICATED_SRTP))
		return AEGW_ERR_UNSUPPORTED;
	for (unsigned i = 0; i < cfg->n_keys; i++)
		for (unsigned j = 0; j < i && cfg->mki_len; j++)
			if (!memcmp(cfg->keys[i].mki, cfg->keys[j].mki,
				    cfg->mki_len))
				return AEGW_ERR_INVALID_ARG;
	return AEGW_ERR_OK;
}

/* Derives session keys for r from master (key||salt) into ks and salt. */
int aegw_stream_derive(struct aegw_srtp_stream *s, const uint8_t *master,
		       void *ks, uint8_t *salt, uint64_t r)
{
	const struct aegw_suite_info *si = s->si;
	uint8_t enc[AEGW_SRTP_MAX_KEY_LEN], auth[AEGW_SRTP_HMAC_KEY_LEN];
	int rtcp = s->kind == AEGW_SRTP_RTCP, rc;
	struct aegw_kdf k;

	rc = aegw_kdf_begin(&k, master, si->key_len, master + si->key_len,
			    si->salt_len);
	if (!rc)
		rc = aegw_kdf_derive(&k, rtcp ? KDF_RTCP_ENC : KDF_RTP_ENC, r,
				     enc, si->key_len);
	if (!rc && !si->aead)
		rc = aegw_kdf_derive(&k, rtcp ? KDF_RTCP_AUTH : KDF_RTP_AUTH,
				     r, auth, sizeof(auth));
	if (!rc)
		rc = aegw_kdf_derive(&k, rtcp ? KDF_RTCP_SALT : KDF_RTP_SALT,
				     r, salt, si->salt_len);
	aegw_kdf_end(&k);
	if (!rc)
		rc = s->eng->be->key_init(s->eng, ks, si, enc, auth);
	aegw_wipe(enc, sizeof(enc));
	aegw_wipe(auth, sizeof(auth));
	return rc;
}

static int key_setup(struct aegw_srtp_stream *s, unsigned i,
		     const struct aegw_srtp_master_key *in)
{
	struct master_key *mk = stream_key(s, i);
	uint8_t master[AEGW_SRTP_MAX_MASTER_LEN];
	uint64_t cap = max_lifetime(s->kind);
	int rc;

	mk->lifetime = in->lifetime && in->lifetime < cap ? in->lifetime : cap;
	memcpy(mk->mki, in->mki, s->mki_len);
	memcpy(master, in->key, s->si->key_len);
	memcpy(master + s->si->key_len, in->salt, s->si->salt_len);
	rc = aegw_stream_derive(s, master, key_state(s, mk), mk->salt, 0);
	if (!rc && s->kdr_log2) {
		/* A non-zero KDR re-derives later: keep the master key. */
		mk->kdr = calloc(1, sizeof(*mk->kdr));
		if (mk->kdr)
			memcpy(mk->kdr->master, master, sizeof(master));
		else
			rc = AEGW_ERR_NO_MEMORY;
	}
	aegw_wipe(master, sizeof(master));
	return rc;
}

/* A window of W packets needs W / 64 + 1 words (steps.h), rounded up to a
 * power of two: 4 for the default 128. */
static unsigned window_words(unsigned window)
{
	unsigned need = window / 64 + 1 + (window % 64 != 0), words = 1;

	while (words < need)
		words *= 2;
	return words;
}

static size_t align_up(size_t v, size_t a)
{
	return (v + a - 1) & ~(a - 1);
}

struct aegw_srtp_stream *aegw_srtp_stream_create(struct aegw_srtp_engine *eng,
						 const struct aegw_srtp_config *cfg,
						 int *err)
{
	const struct aegw_suite_info *si = aegw_suite_info(cfg->suite);
	struct aegw_srtp_stream *s = NULL;
	size_t head, win, stride, size, ks_align, ks_off, keys_off;
	unsigned window, sp = cfg->session_params;
	int rc = aegw_srtp_config_check(cfg);

	if (rc)
		goto fail;
	window = cfg->window ? cfg->window : AEGW_SRTP_WINDOW_DEFAULT;
	/* ipsec-mb's AVX-512 GCM code wants its key data 64-byte aligned;
	 * AES round keys and HMAC pads need 16. */
	ks_align = si->aead ? 64 : 16;
	ks_off = align_up(sizeof(struct master_key), ks_align);
	head = AEGW_STREAM_HEAD;
	win = (size_t)window_words(window) * 8;
	keys_off = align_up(head + win * AEGW_SRTP_SSRC_SLOTS, ks_align);
	stride = align_up(ks_off + eng->be->ks_size(si), ks_align);
	size = align_up(keys_off + stride * cfg->n_keys, 64);
	s = eng->mem.alloc(eng->mem.arg, size);
	if (!s) {
		rc = AEGW_ERR_NO_MEMORY;
		goto fail;
	}
	eng->n_streams++;
	memset(s, 0, size);
	s->eng = eng;
	s->si = si;
	s->kind = (uint8_t)cfg->kind;
	s->encrypt = !(sp & (cfg->kind == AEGW_SRTP_RTP ?
				     AEGW_SRTP_UNENCRYPTED_SRTP :
				     AEGW_SRTP_UNENCRYPTED_SRTCP));
	/* RFC 4568 6.3.3: UNAUTHENTICATED_SRTP leaves SRTCP authenticated. */
	s->auth = !(cfg->kind == AEGW_SRTP_RTP &&
		    (sp & AEGW_SRTP_UNAUTHENTICATED_SRTP));
	s->tag_len = s->auth ? (cfg->kind == AEGW_SRTP_RTP ? si->rtp_tag_len :
							      si->rtcp_tag_len) :
			       0;
	s->no_replay = !!(sp & AEGW_SRTP_NO_REPLAY_CHECK);
	s->mki_len = (uint8_t)cfg->mki_len;
	s->n_keys = (uint8_t)cfg->n_keys;
	s->active = (uint8_t)cfg->active_key;
	s->kdr_log2 = (uint8_t)cfg->kdr_log2;
	s->window = (uint16_t)window;
	s->win_words = (uint16_t)(win / 8);
	s->initial_roc = cfg->kind == AEGW_SRTP_RTP ? cfg->initial_roc :
						      cfg->initial_rtcp_index;
	/* The SSRC it resumes is one seen before: the retired-SSRC path
	 * (replay.c) estimates its indices from its highest and refuses
	 * those up to it. */
	if (cfg->kind == AEGW_SRTP_RTP ? cfg->resume_index != 0 :
					 cfg->resume_rtcp_index != 0) {
		bool rtp = cfg->kind == AEGW_SRTP_RTP;

		s->retired[0] = (struct ssrc_retired){
			.highest = rtp ? cfg->resume_index : cfg->resume_rtcp_index,
			.ssrc = rtp ? cfg->resume_ssrc : cfg->resume_rtcp_ssrc,
			.in_use = 1
		};
		s->retired_next = 1;
		s->resume_seeded = 1;
		if (rtp)
			aegw_slots_seed_earlier(s, cfg);
	}
	s->key_stride = (uint16_t)stride;
	s->ks_off = (uint8_t)ks_off;
	s->alloc_size = (uint32_t)size;
	s->keys = (uint8_t *)s + keys_off;
	for (unsigned i = 0; i < cfg->n_keys; i++) {
		rc = key_setup(s, i, &cfg->keys[i]);
		if (rc) {
			s->n_keys = (uint8_t)(i + 1);
			goto fail;
		}
	}
	if (cfg->kind == AEGW_SRTP_RTP)
		aegw_rtp_select(s);
	else
		aegw_rtcp_select(s);
	*err = AEGW_ERR_OK;
	return s;
fail:
	aegw_srtp_stream_free(s);
	*err = rc;
	return NULL;
}

void aegw_srtp_stream_free(struct aegw_srtp_stream *s)
{
	struct aegw_srtp_allocator mem;

	if (!s)
		return;
	for (unsigned i = 0; i < s->n_keys; i++) {
		struct master_key *mk = stream_key(s, i);
		s->eng->be->key_wipe(key_state(s, mk), s->si);
		if (mk->kdr) {
			aegw_wipe(mk->kdr, sizeof(*mk->kdr));
			free(mk->kdr);
		}
	}
	mem = s->eng->mem;
	s->eng->n_streams--;
	aegw_wipe(s, s->alloc_size);
	mem.free(mem.arg, s);
}

int aegw_srtp_stream_set_active_key(struct aegw_srtp_stream *s, unsigned idx)
{
	if (idx >= s->n_keys)
		return AEGW_ERR_INVALID_ARG;
	s->active = (uint8_t)idx;
	return AEGW_ERR_OK;
}

size_t aegw_srtp_stream_size(const struct aegw_srtp_stream *s)
{
	return s->alloc_size;
}

int aegw_srtp_stream_last(const struct aegw_srtp_stream *s, uint32_t *ssrc,
			  uint64_t *index)
{
	int last = -1;

	for (int i = 0; i < AEGW_SRTP_SSRC_SLOTS; i++)
		if ((s->slot_used >> i & 1) &&
		    (last < 0 ||
		     (int32_t)(s->slots[i].last_use - s->slots[last].last_use) > 0))
			last = i;
	if (last >= 0) {
		*ssrc = s->slots[last].ssrc;
		*index = s->slots[last].highest;
		return 0;
	}
	/* Made to resume and nothing since: what it resumes from, so that
	 * a second restart does not lose it. */
	if (s->retired[0].in_use && s->resume_seeded) {
		*ssrc = s->retired[0].ssrc;
		*index = s->retired[0].highest;
		return 0;
	}
	return -1;
}

int aegw_srtp_stream_last_sent(const struct aegw_srtp_stream *s,
			       uint32_t *ssrc, uint64_t *index)
{
	if (aegw_srtp_stream_last(s, ssrc, index))
		return -1;
	for (int i = 0; i < AEGW_SRTP_SSRC_SLOTS; i++)
		if ((s->slot_used >> i & 1) && s->slots[i].highest > *index)
			*index = s->slots[i].highest;
	for (int i = 0; i < AEGW_SRTP_SSRC_RETIRED; i++)
		if (s->retired[i].in_use && s->retired[i].highest > *index)
			*index = s->retired[i].highest;
	return 0;
}

uint64_t aegw_srtp_stream_key_packets(const struct aegw_srtp_stream *s,
				      unsigned idx)
{
	return idx < s->n_keys ? stream_key(s, idx)->packets : 0;
}

unsigned aegw_srtp_stream_overhead(const struct aegw_srtp_stream *s)
{
	return s->tag_len + s->mki_len +
	       (s->kind == AEGW_SRTP_RTCP ? AEGW_SRTCP_INDEX_LEN : 0);
}

void aegw_srtp_config_wipe(struct aegw_srtp_config *cfg)
{
	aegw_wipe(cfg, sizeof(*cfg));
}
