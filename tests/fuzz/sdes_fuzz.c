/* libFuzzer target: RFC 4568 key parameters (lib/sdes) and a=crypto
 * values (lib/sdp/crypto.c), where a UE's keys enter aegw.
 *
 * The input is taken two ways:
 *   - as the part after "inline:", NUL-terminated (the form
 *     aegw_sdes_inline_parse takes), under every suite. A failure is
 *     INVALID_ARG or BAD_KEY with a message, and leaves no byte of key
 *     material in the output. A success gives an engine config the engine
 *     accepts, and formats to a value that parses back to the same key,
 *     salt, lifetime and MKI, and formats again to the same text;
 *   - as an a=crypto value (after "a=crypto:"), from a heap buffer of
 *     exactly its length (ASan sees any read past it). Its status is 0,
 *     UNSUPPORTED or a malformed-line error, with a message; a usable line
 *     has an engine config the engine accepts, whose keys are the ones
 *     each of its inline: parameters gives alone, and the line aegw would
 *     write with its first key parses back to that key.
 * (tests/fuzz/sdp_fuzz.c reaches a=crypto lines inside whole SDPs.)
 *
 * The seeds in tests/fuzz/corpus/sdes are the a=crypto lines of RFC 4568
 * (9.1, 10.1), /work/shared/samples/kamailio-ng.txt, and tests/unit's
 * lines with MKIs, lifetimes, KDR, WSH and session parameters. */
#define _GNU_SOURCE /* memmem */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "aegw/error.h"
#include "aegw/sdes.h"
#include "aegw/sdp.h"

#include "fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { SDES_FUZZ_MAX = 4096 };

static bool all_zero(const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i])
			return false;
	return true;
}

static bool same_key(const struct aegw_sdes_key *a,
		     const struct aegw_sdes_key *b,
		     const struct aegw_suite_info *si)
{
	return !memcmp(a->key, b->key, si->key_len) &&
	       !memcmp(a->salt, b->salt, si->salt_len) &&
	       a->lifetime == b->lifetime && a->mki_len == b->mki_len &&
	       !memcmp(a->mki, b->mki, a->mki_len);
}

/* format(k) parses back to k and formats to the same text again. */
static void inline_round_trip(const struct aegw_sdes_key *k,
			      enum aegw_suite suite)
{
	const struct aegw_suite_info *si = aegw_suite_info(suite);
	char text[AEGW_SDES_INLINE_BUF], text2[AEGW_SDES_INLINE_BUF];
	struct aegw_sdes_key back;

	FUZZ_CHECK(aegw_sdes_inline_format(k, suite, text, sizeof(text)) == 0);
	FUZZ_CHECK(aegw_sdes_inline_parse(text, suite, &back, NULL, 0) == 0);
	FUZZ_CHECK(same_key(k, &back, si));
	FUZZ_CHECK(aegw_sdes_inline_format(&back, suite, text2,
					   sizeof(text2)) == 0);
	FUZZ_CHECK(!strcmp(text, text2));
	aegw_sdes_key_wipe(&back);
}

static void inline_value(const char *value)
{
	for (unsigned s = 0; s < AEGW_SUITE_COUNT; s++) {
		struct aegw_srtp_config cfg;
		struct aegw_sdes_key k;
		char err[160] = "";
		int rc = aegw_sdes_inline_parse(value, (enum aegw_suite)s, &k,
						err, sizeof(err));

		if (rc) {
			FUZZ_CHECK(rc == AEGW_ERR_INVALID_ARG ||
				   rc == AEGW_ERR_BAD_KEY);
			FUZZ_CHECK(err[0] != '\0');
			FUZZ_CHECK(all_zero(&k, sizeof(k)));
			continue;
		}
		FUZZ_CHECK(k.mki_len <= AEGW_SRTP_MAX_MKI_LEN);
		aegw_sdes_key_to_config(&k, (enum aegw_suite)s, &cfg);
		FUZZ_CHECK(aegw_srtp_config_check(&cfg) == 0);
		aegw_srtp_config_wipe(&cfg);
		inline_round_trip(&k, (enum aegw_suite)s);
		aegw_sdes_key_wipe(&k);
	}
}

/* Each "inline:" parameter of a usable line, parsed alone under the
 * line's suite, is the config's key of the same rank. (A FEC_KEY session
 * parameter holds key-params of its own: such lines are left out.) */
/* The next "inline:" in [p, end), in any case (an ABNF literal). */
static const char *next_inline(const char *p, const char *end)
{
	for (; end - p >= 7; p++)
		if (!strncasecmp(p, "inline:", 7))
			return p;
	return NULL;
}

static void keys_match(const struct aegw_sdp_crypto *c,
		       const struct aegw_srtp_config *cfg)
{
	const char *p = c->value.p, *end = c->value.p + c->value.n;
	unsigned i = 0;

	if (c->fec_key)
		return;
	while (p < end && (p = next_inline(p, end))) {
		const char *v = p + 7, *stop = v;
		struct aegw_sdes_key k;
		char *one;

		while (stop < end && *stop != ';' && *stop != ' ')
			stop++;
		one = strndup(v, (size_t)(stop - v));
		FUZZ_CHECK(one && i < cfg->n_keys);
		FUZZ_CHECK(aegw_sdes_inline_parse(one, c->suite, &k, NULL, 0) ==
			   0);
		FUZZ_CHECK(!memcmp(k.key, cfg->keys[i].key, sizeof(k.key)) &&
			   !memcmp(k.salt, cfg->keys[i].salt, sizeof(k.salt)));
		aegw_sdes_key_wipe(&k);
		free(one);
		p = stop;
		i++;
	}
	FUZZ_CHECK(i == cfg->n_keys);
}

/* The line aegw writes from the first key parses back to that key. */
static void line_round_trip(const struct aegw_sdp_crypto *c,
			    const struct aegw_srtp_config *cfg)
{
	const unsigned flags = AEGW_SRTP_UNENCRYPTED_SRTP |
			       AEGW_SRTP_UNENCRYPTED_SRTCP |
			       AEGW_SRTP_UNAUTHENTICATED_SRTP;
	struct aegw_sdes_key k;
	struct aegw_sdp_crypto back;
	struct aegw_srtp_config cfg2;
	char line[AEGW_SDP_CRYPTO_BUF];

	memset(&k, 0, sizeof(k));
	memcpy(k.key, cfg->keys[0].key, sizeof(k.key));
	memcpy(k.salt, cfg->keys[0].salt, sizeof(k.salt));
	memcpy(k.mki, cfg->keys[0].mki, sizeof(k.mki));
	k.mki_len = cfg->mki_len;
	k.lifetime = cfg->keys[0].lifetime;
	FUZZ_CHECK(aegw_sdp_crypto_format(c->tag, c->suite, &k,
					  c->session_params & flags, line,
					  sizeof(line)) == 0);
	FUZZ_CHECK(aegw_sdp_crypto_parse(line, strlen(line), &back, NULL, 0) ==
		   0);
	FUZZ_CHECK(back.tag == c->tag && back.suite == c->suite);
	FUZZ_CHECK(aegw_sdp_crypto_to_config(&back, &cfg2, NULL, 0) == 0);
	FUZZ_CHECK(!memcmp(&cfg2.keys[0], &cfg->keys[0], sizeof(cfg->keys[0])));
	aegw_srtp_config_wipe(&cfg2);
	aegw_sdes_key_wipe(&k);
}

static void crypto_value(const char *value, size_t len)
{
	struct aegw_sdp_crypto c;
	struct aegw_srtp_config cfg;
	char err[160] = "";
	int rc = aegw_sdp_crypto_parse(value, len, &c, err, sizeof(err));

	FUZZ_CHECK(rc == c.status && rc >= 0 && rc < AEGW_ERR_COUNT);
	if (rc) {
		FUZZ_CHECK(err[0] != '\0');
		memset(&cfg, 0, sizeof(cfg));
		FUZZ_CHECK(aegw_sdp_crypto_to_config(&c, &cfg, NULL, 0) != 0);
		FUZZ_CHECK(all_zero(cfg.keys, sizeof(cfg.keys)));
		return;
	}
	FUZZ_CHECK(c.n_keys >= 1 && c.n_keys <= AEGW_SRTP_MAX_KEYS);
	FUZZ_CHECK(aegw_sdp_crypto_to_config(&c, &cfg, NULL, 0) == 0);
	FUZZ_CHECK(aegw_srtp_config_check(&cfg) == 0);
	FUZZ_CHECK(cfg.suite == c.suite && cfg.n_keys == c.n_keys);
	keys_match(&c, &cfg);
	line_round_trip(&c, &cfg);
	aegw_srtp_config_wipe(&cfg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text;

	if (size > SDES_FUZZ_MAX)
		return 0;
	/* One byte more than the input, for the NUL inline parsing needs;
	 * the a=crypto parse is given size bytes only. */
	text = malloc(size + 1);
	FUZZ_CHECK(text);
	memcpy(text, data, size);
	text[size] = '\0';
	if (!memchr(text, '\0', size))
		inline_value(text);
	crypto_value(text, size);
	free(text);
	return 0;
}
