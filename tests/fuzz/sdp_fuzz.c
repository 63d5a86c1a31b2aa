/* libFuzzer target: aegw_sdp_parse on arbitrary bytes, then what the
 * control daemon does with an SDP that parses.
 *
 * The input is copied to a heap buffer of exactly its length (ASan sees
 * any read past it) and parsed as SDP and as one a=crypto value. When it
 * parses as SDP:
 *   - rewritten with an empty edit, it parses back to the same lines;
 *   - rewritten with every edit set (addresses IPv4 and IPv6, ports,
 *     protocol, a=rtcp, a=rtcp-mux, a=crypto replaced, a=3ge2ae:applied,
 *     ICE removed, o= bumped), it parses back and says what was set;
 *   - rewritten with every removal, it parses back without those lines;
 *   - each a=crypto line, parsed again from an exact-length copy, gets the
 *     same status; a usable one gives an engine config the engine
 *     accepts, and its first key formatted and parsed back is that key.
 * A rewrite may only fail to parse back when it outgrew AEGW_SDP_MAX_LEN
 * or AEGW_SDP_MAX_LINES.
 *
 * The seeds in tests/fuzz/corpus/sdp are the SDPs of
 * /work/shared/samples/kamailio-ng.txt (Kamailio's offer and answer,
 * rtpengine 10.5.3's replies) and of tests/unit/sdp_test.cc. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aegw/sdp.h"

#include "fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum {
	FUZZ_OUT_CAP = 2 * AEGW_SDP_MAX_LEN,
	/* Lines a full edit may add per section: c=, a=rtcp, a=rtcp-mux,
	 * one a=crypto, a=3ge2ae. */
	FUZZ_ADDED_PER_SECTION = 5,
};

static const char FUZZ_CRYPTO[] =
	"9 AES_CM_128_HMAC_SHA1_80 "
	"inline:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd|2^20|1:4";

/* Static: a struct aegw_sdp is about 40 KiB. */
static struct aegw_sdp in_sdp, out_sdp;
static char out_buf[FUZZ_OUT_CAP];

static char *dup_exact(const void *p, size_t n)
{
	char *b = malloc(n ? n : 1);

	FUZZ_CHECK(b);
	if (n)
		memcpy(b, p, n);
	return b;
}

static int str_is(struct aegw_sdp_str s, const char *z)
{
	return s.n == strlen(z) && memcmp(s.p, z, s.n) == 0;
}

/* Rewrites in_sdp into out_buf; returns 1 if out_sdp now holds it parsed
 * back, 0 if it grew past what the parser takes. */
static int rewrite_reparse(const struct aegw_sdp_edit *ed)
{
	size_t len = 0;
	int rc = aegw_sdp_rewrite(&in_sdp, ed, out_buf, sizeof(out_buf), &len,
				  NULL, 0);

	FUZZ_CHECK(rc == 0 && len <= sizeof(out_buf));
	rc = aegw_sdp_parse(&out_sdp, out_buf, len, NULL, 0);
	if (len > AEGW_SDP_MAX_LEN ||
	    in_sdp.n_lines + FUZZ_ADDED_PER_SECTION * (in_sdp.n_media + 1) >
		    AEGW_SDP_MAX_LINES)
		return rc == 0;
	FUZZ_CHECK(rc == 0);
	FUZZ_CHECK(out_sdp.n_media == in_sdp.n_media);
	return 1;
}

static void same_lines(void)
{
	struct aegw_sdp_edit ed;

	memset(&ed, 0, sizeof(ed));
	if (!rewrite_reparse(&ed))
		return;
	FUZZ_CHECK(out_sdp.n_lines == in_sdp.n_lines);
	for (unsigned i = 0; i < in_sdp.n_lines; i++) {
		const struct aegw_sdp_line *a = &in_sdp.lines[i],
					   *b = &out_sdp.lines[i];

		FUZZ_CHECK(a->type == b->type && a->kind == b->kind &&
			   a->media == b->media && a->len == b->len);
		FUZZ_CHECK(memcmp(a->value, b->value, a->len) == 0);
	}
}

static void full_edit(struct aegw_sdp_edit *ed, const char *const *crypto)
{
	memset(ed, 0, sizeof(*ed));
	ed->addr = "192.0.2.1";
	ed->origin_addr = "2001:db8::1";
	ed->origin_bump = 1;
	ed->remove_ice = 1;
	for (unsigned i = 0; i < AEGW_SDP_MAX_MEDIA; i++) {
		struct aegw_sdp_media_edit *me = &ed->media[i];

		me->addr = i % 2 ? "2001:db8::2" : "198.51.100.2";
		me->set_port = 1;
		me->port = (uint16_t)(20000 + 2 * i);
		me->proto = AEGW_SDP_PROTO_RTP_SAVPF;
		me->rtcp = AEGW_SDP_SET;
		me->rtcp_port = (uint16_t)(20001 + 2 * i);
		me->rtcp_addr = i % 2 ? NULL : "198.51.100.2";
		me->rtcp_mux = AEGW_SDP_SET;
		me->crypto = AEGW_SDP_SET;
		me->crypto_lines = crypto;
		me->n_crypto_lines = 1;
		me->e2ae = AEGW_SDP_SET;
	}
}

static void check_full(void)
{
	const char *const crypto[] = { FUZZ_CRYPTO };
	struct aegw_sdp_edit ed;

	full_edit(&ed, crypto);
	if (!rewrite_reparse(&ed))
		return;
	FUZZ_CHECK(str_is(out_sdp.session.c.addr, "192.0.2.1"));
	FUZZ_CHECK(str_is(out_sdp.origin.addr, "2001:db8::1"));
	FUZZ_CHECK(out_sdp.origin.family == 6);
	for (unsigned i = 0; i < out_sdp.n_lines; i++)
		FUZZ_CHECK(out_sdp.lines[i].kind != AEGW_SDP_LINE_ICE);
	for (unsigned i = 0; i < out_sdp.n_media; i++) {
		const struct aegw_sdp_media *m = &out_sdp.media[i];

		FUZZ_CHECK(m->port == ed.media[i].port);
		FUZZ_CHECK(m->proto_id == AEGW_SDP_PROTO_RTP_SAVPF);
		FUZZ_CHECK(str_is(m->s.c.addr, ed.media[i].addr));
		FUZZ_CHECK(m->has_rtcp);
		FUZZ_CHECK(m->rtcp_port == ed.media[i].rtcp_port);
		FUZZ_CHECK(m->rtcp_addr.present == (i % 2 == 0));
		FUZZ_CHECK(m->rtcp_mux);
		FUZZ_CHECK(m->e2ae == AEGW_SDP_E2AE_APPLIED);
		FUZZ_CHECK(m->n_crypto == 1 && m->crypto[0].status == 0);
		FUZZ_CHECK(str_is(m->crypto[0].value, FUZZ_CRYPTO));
	}
}

static void check_removals(void)
{
	struct aegw_sdp_edit ed;

	memset(&ed, 0, sizeof(ed));
	ed.remove_ice = 1;
	for (unsigned i = 0; i < AEGW_SDP_MAX_MEDIA; i++) {
		ed.media[i].rtcp = AEGW_SDP_REMOVE;
		ed.media[i].rtcp_mux = AEGW_SDP_REMOVE;
		ed.media[i].crypto = AEGW_SDP_REMOVE;
		ed.media[i].e2ae = AEGW_SDP_REMOVE;
	}
	if (!rewrite_reparse(&ed))
		return;
	for (unsigned i = 0; i < out_sdp.n_lines; i++) {
		unsigned k = out_sdp.lines[i].kind;

		FUZZ_CHECK(k != AEGW_SDP_LINE_ICE && k != AEGW_SDP_LINE_RTCP);
		FUZZ_CHECK(k != AEGW_SDP_LINE_RTCP_MUX);
		FUZZ_CHECK(k != AEGW_SDP_LINE_CRYPTO && k != AEGW_SDP_LINE_E2AE);
	}
}

/* A usable line: its config passes the engine's check, and its first key
 * formatted and parsed back is the same key. */
static void crypto_round_trip(const struct aegw_sdp_crypto *c)
{
	const unsigned flags = AEGW_SRTP_UNENCRYPTED_SRTP |
			       AEGW_SRTP_UNENCRYPTED_SRTCP |
			       AEGW_SRTP_UNAUTHENTICATED_SRTP;
	struct aegw_srtp_config cfg, back;
	struct aegw_sdp_crypto again;
	struct aegw_sdes_key k;
	char line[AEGW_SDP_CRYPTO_BUF];

	FUZZ_CHECK(aegw_sdp_crypto_to_config(c, &cfg, NULL, 0) == 0);
	FUZZ_CHECK(aegw_srtp_config_check(&cfg) == 0);
	memset(&k, 0, sizeof(k));
	memcpy(k.key, cfg.keys[0].key, sizeof(k.key));
	memcpy(k.salt, cfg.keys[0].salt, sizeof(k.salt));
	memcpy(k.mki, cfg.keys[0].mki, sizeof(k.mki));
	k.mki_len = cfg.mki_len;
	k.lifetime = cfg.keys[0].lifetime;
	FUZZ_CHECK(aegw_sdp_crypto_format(c->tag, c->suite, &k,
					  c->session_params & flags, line,
					  sizeof(line)) == 0);
	FUZZ_CHECK(aegw_sdp_crypto_parse(line, strlen(line), &again, NULL,
					 0) == 0);
	FUZZ_CHECK(aegw_sdp_crypto_to_config(&again, &back, NULL, 0) == 0);
	FUZZ_CHECK(memcmp(&back.keys[0], &cfg.keys[0], sizeof(cfg.keys[0])) ==
		   0);
	FUZZ_CHECK(back.mki_len == cfg.mki_len && back.suite == cfg.suite);
	aegw_srtp_config_wipe(&cfg);
	aegw_srtp_config_wipe(&back);
	aegw_sdes_key_wipe(&k);
}

static void check_crypto_lines(void)
{
	for (unsigned i = 0; i < in_sdp.n_media; i++) {
		const struct aegw_sdp_media *m = &in_sdp.media[i];

		for (unsigned j = 0; j < m->n_crypto; j++) {
			const struct aegw_sdp_crypto *c = &m->crypto[j];
			char *v = dup_exact(c->value.p, c->value.n);
			struct aegw_sdp_crypto again;

			FUZZ_CHECK(aegw_sdp_crypto_parse(v, c->value.n, &again,
							 NULL, 0) == c->status);
			if (c->status == 0)
				crypto_round_trip(&again);
			free(v);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = dup_exact(data, size), err[128];
	struct aegw_sdp_crypto c;

	if (aegw_sdp_crypto_parse(text, size, &c, err, sizeof(err)) == 0)
		crypto_round_trip(&c);
	if (aegw_sdp_parse(&in_sdp, text, size, err, sizeof(err)) == 0) {
		FUZZ_CHECK(in_sdp.n_lines >= 2 && in_sdp.lines[0].type == 'v');
		same_lines();
		check_full();
		check_removals();
		check_crypto_lines();
	}
	free(text);
	return 0;
}
