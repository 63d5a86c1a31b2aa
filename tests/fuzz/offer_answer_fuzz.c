/* libFuzzer target: the offer -> answer path of aegw-control. The input
 * is two flag bytes, then the offer's SDP, a NUL, the answer's SDP (a NUL
 * cannot occur in SDP, so every mutation of the text keeps the split).
 * They go through ng offer, answer and delete, built as Kamailio builds
 * them (supports, received-from, replace, ICE), into ctl_ng_handle() with
 * a stand-in dataplane behind the ring (ctl_fuzz.h), so a successful
 * answer installs streams and delete reads their counters and removes
 * them.
 *
 *   byte 0  bits 0-1  the offer's transport-protocol: none, RTP/AVP,
 *                     RTP/SAVP, RTP/SAVPF
 *           bit 2     ICE remove      bit 3  replace origin
 *           bit 4     flags recrypt   bit 5  direction access, core6
 *                                            (an IPv6 answerer)
 *           bit 6     SDES only-AES_CM_128_HMAC_SHA1_80,
 *                     no-AEAD_AES_256_GCM
 *           bit 7     a re-INVITE: the offer and answer again
 *   byte 1  bits 0-1  the answer's transport-protocol, as above
 *           bit 2     a second answer (183, then 200)
 *           bit 3     query before the delete
 *
 * Checked besides every reply (ctl_fuzz_common.c): an offer or answer
 * that succeeds carries an SDP; after each request, two dataplane streams
 * per media the call says is installed; after the delete, nothing left.
 *
 * The seeds in tests/fuzz/corpus/offer_answer are Kamailio's offer and
 * answer of the samples file and one pair per row of the policy table in
 * docs/CONTROL.md. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aegw/bencode.h"
#include "ctl_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { OA_FUZZ_MAX = 2 * 65536 };

static const char *const transports[4] = { NULL, "RTP/AVP", "RTP/SAVP",
					   "RTP/SAVPF" };

struct oa_input {
	uint8_t f0, f1;
	const char *offer, *answer;
	size_t offer_len, answer_len;
};

static void add_list(struct aegw_benc_enc *e, const char *key,
		     const char *const *items, unsigned n)
{
	aegw_benc_add_cstr(e, key);
	aegw_benc_list_begin(e);
	for (unsigned i = 0; i < n; i++)
		aegw_benc_add_cstr(e, items[i]);
	aegw_benc_end(e);
}

/* The keys Kamailio puts in every request. */
static struct aegw_benc_enc *request(const char *cookie, const char *cmd)
{
	static const char *const supports[] = { "load limit" };
	static const char *const from[] = { "IP4", "127.0.0.1" };
	struct aegw_benc_enc *e = cfz_req_begin(cookie);

	add_list(e, "supports", supports, 1);
	aegw_benc_dict_add_cstr(e, "call-id", "oa-1@127.0.0.1");
	add_list(e, "received-from", from, 2);
	aegw_benc_dict_add_cstr(e, "from-tag", "ue-tag");
	aegw_benc_dict_add_cstr(e, "command", cmd);
	return e;
}

static void offer(const struct oa_input *in, const char *cookie)
{
	static const char *const replace[] = { "origin",
					       "session-connection" };
	static const char *const recrypt[] = { "recrypt" };
	static const char *const dir[] = { "access", "core6" };
	static const char *const sdes[] = { "only-AES_CM_128_HMAC_SHA1_80",
					    "no-AEAD_AES_256_GCM" };
	struct aegw_benc_enc *e = request(cookie, "offer");
	const char *tp = transports[in->f0 & 3];

	aegw_benc_dict_add_str(e, "sdp", in->offer, in->offer_len);
	if (tp)
		aegw_benc_dict_add_cstr(e, "transport-protocol", tp);
	if (in->f0 & 4)
		aegw_benc_dict_add_cstr(e, "ICE", "remove");
	add_list(e, "replace", replace, in->f0 & 8 ? 2 : 1);
	if (in->f0 & 16)
		add_list(e, "flags", recrypt, 1);
	if (in->f0 & 32)
		add_list(e, "direction", dir, 2);
	if (in->f0 & 64)
		add_list(e, "SDES", sdes, 2);
	if (!strcmp(cfz_req_send(), "ok")) {
		size_t n;

		CFZ_CHECK(cfz_last_sdp(&n) != NULL);
	}
	cfz_check_installed();
}

static void answer(const struct oa_input *in, const char *cookie)
{
	static const char *const replace[] = { "origin" };
	struct aegw_benc_enc *e = request(cookie, "answer");
	const char *tp = transports[in->f1 & 3];

	aegw_benc_dict_add_str(e, "sdp", in->answer, in->answer_len);
	aegw_benc_dict_add_cstr(e, "to-tag", "core-tag");
	if (tp)
		aegw_benc_dict_add_cstr(e, "transport-protocol", tp);
	add_list(e, "replace", replace, 1);
	if (!strcmp(cfz_req_send(), "ok")) {
		size_t n;

		CFZ_CHECK(cfz_last_sdp(&n) != NULL);
	}
	cfz_check_installed();
}

/* query and delete. delete answers ok even for a call the offer never
 * made (with a warning), as rtpengine does. */
static void other(const char *cookie, const char *cmd)
{
	const char *result;

	request(cookie, cmd);
	result = cfz_req_send();
	CFZ_CHECK(strcmp(cmd, "delete") || !strcmp(result, "ok"));
	cfz_check_installed();
}

static int split(const uint8_t *data, size_t size, struct oa_input *in)
{
	const char *body = (const char *)data + 2, *nul;
	size_t n;

	if (size < 2)
		return -1;
	n = size - 2;
	in->f0 = data[0];
	in->f1 = data[1];
	nul = memchr(body, 0, n);
	in->offer = body;
	in->offer_len = nul ? (size_t)(nul - body) : n;
	in->answer = nul ? nul + 1 : body + n;
	in->answer_len = nul ? n - in->offer_len - 1 : 0;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct oa_input in;
	struct ctl *c;

	if (size > OA_FUZZ_MAX || split(data, size, &in))
		return 0;
	c = cfz_begin();
	offer(&in, "o1");
	answer(&in, "a1");
	if (in.f1 & 4)
		answer(&in, "a2");
	if (in.f0 & 128) {
		offer(&in, "o2");
		answer(&in, "a3");
	}
	if (in.f1 & 8)
		other("q1", "query");
	other("d1", "delete");
	CFZ_CHECK(c->calls.n_calls == 0);
	cfz_end();
	return 0;
}
