/* libFuzzer target: ng messages (aegw_ng_parse) and raw bencode.
 *
 * The input, copied to a heap buffer of exactly its length (ASan sees any
 * read past it), is parsed as an ng message. When it parses:
 *   - the whole tree is walked: every node lies inside the body, lists and
 *     dictionaries hold as many children as they count, dictionaries
 *     alternate string keys and values, nesting stays within the limit,
 *     and a lookup of each key answers the value of its first occurrence;
 *   - the request view is taken and every error it reports is formatted;
 *   - the tree is re-encoded with the encoder, which must give back the
 *     body byte for byte (canonical integers and lengths, order kept),
 *     and that decodes again to an equal tree;
 *   - a reply with the cookie, and an error reply, must parse back.
 * Whatever fails is formatted into an error-reason reply, which must
 * parse. The input also goes to the plain decoder as it is, with a node
 * array that is sometimes too small.
 *
 * The seeds in tests/fuzz/corpus/bencode are the datagrams of
 * /work/shared/samples/kamailio-ng.txt (Kamailio 5.6 requests and
 * rtpengine 10.5 replies) and a few hand-written requests. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aegw/bencode.h"
#include "aegw/ng.h"

#include "fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum {
	FUZZ_MAX_NODES = 1024,
	FUZZ_MAX_INPUT = 1 << 16,
	FUZZ_REPLY = 512,
};

static struct aegw_benc_node nodes[FUZZ_MAX_NODES];
static struct aegw_benc_node nodes2[FUZZ_MAX_NODES];
static char enc_buf[FUZZ_MAX_INPUT];

static void check_inside(const struct aegw_benc_node *n, const char *buf,
			 size_t len)
{
	FUZZ_CHECK(n->raw >= buf && n->raw_len >= 2 &&
		   n->raw_len <= len - (size_t)(n->raw - buf));
	if (n->type == AEGW_BENC_STR)
		FUZZ_CHECK(n->str >= n->raw &&
			   n->str + n->len == n->raw + n->raw_len);
}

/* The first value stored under key's bytes, the slow way. */
static const struct aegw_benc_node *
first_value(const struct aegw_benc_node *dict, const struct aegw_benc_node *key)
{
	const struct aegw_benc_node *k;

	for (k = aegw_benc_dict_first(dict); k; k = aegw_benc_dict_next(k))
		if (k->len == key->len &&
		    (k->len == 0 || memcmp(k->str, key->str, k->len) == 0))
			return aegw_benc_dict_value(k);
	return NULL;
}

static void check_int_str(const struct aegw_benc_node *n)
{
	struct aegw_benc_enc e;
	char tmp[32];
	int64_t v;

	if (aegw_benc_to_int(n, &v) != 0 || !aegw_benc_is_str(n))
		return;
	/* A string taken as an integer is canonical: it prints back as is. */
	aegw_benc_enc_init(&e, tmp, sizeof(tmp));
	aegw_benc_add_int(&e, v);
	FUZZ_CHECK(aegw_benc_enc_finish(&e) == 0);
	FUZZ_CHECK(e.len == n->len + 2 && memcmp(tmp + 1, n->str, n->len) == 0);
}

/* Returns the number of nodes under and including n. */
static unsigned walk(const struct aegw_benc_node *n, unsigned depth,
		     const char *buf, size_t len)
{
	const struct aegw_benc_node *c;
	unsigned total = 1, kids = 0;

	check_inside(n, buf, len);
	check_int_str(n);
	if (n->type == AEGW_BENC_STR || n->type == AEGW_BENC_INT)
		return total;
	FUZZ_CHECK(n->type == AEGW_BENC_LIST || n->type == AEGW_BENC_DICT);
	FUZZ_CHECK(depth <= AEGW_BENC_MAX_DEPTH);
	for (c = n->child; c; c = c->next, kids++) {
		if (n->type == AEGW_BENC_DICT && kids % 2 == 0) {
			FUZZ_CHECK(aegw_benc_is_str(c) && c->next);
			FUZZ_CHECK(aegw_benc_dict_get_n(n, c->str, c->len) ==
				   first_value(n, c));
		}
		total += walk(c, depth + 1, buf, len);
	}
	FUZZ_CHECK(kids == (n->type == AEGW_BENC_DICT ? 2 * n->count
						      : n->count));
	return total;
}

static void check_reply_parses(const char *reply, size_t len,
			       const struct aegw_ng_str cookie)
{
	struct aegw_ng_msg msg;

	FUZZ_CHECK(len > 0);
	FUZZ_CHECK(aegw_ng_parse(reply, len, nodes2, FUZZ_MAX_NODES, &msg,
				 NULL) == 0);
	FUZZ_CHECK(msg.cookie.len == cookie.len &&
		   memcmp(msg.cookie.p, cookie.p, cookie.len) == 0);
}

static void error_reply(const struct aegw_ng_error *err,
			struct aegw_ng_str cookie)
{
	char reason[256], reply[FUZZ_REPLY];
	size_t n;

	aegw_ng_error_format(err, reason, sizeof(reason));
	FUZZ_CHECK(strlen(reason) < sizeof(reason));
	if (cookie.p == NULL)
		return;
	n = aegw_ng_reply_error(reply, sizeof(reply), cookie, reason);
	check_reply_parses(reply, n, cookie);
}

/* Re-encodes the body: byte for byte the same, and equal once decoded. */
static void round_trip(const struct aegw_benc_node *root)
{
	const struct aegw_benc_node *again;
	struct aegw_benc_enc e;

	aegw_benc_enc_init(&e, enc_buf, sizeof(enc_buf));
	aegw_benc_add_node(&e, root);
	FUZZ_CHECK(aegw_benc_enc_finish(&e) == 0);
	FUZZ_CHECK(e.len == root->raw_len &&
		   memcmp(enc_buf, root->raw, e.len) == 0);
	FUZZ_CHECK(aegw_bencode_decode(enc_buf, e.len, nodes2, FUZZ_MAX_NODES,
				       &again, NULL) == 0);
	FUZZ_CHECK(aegw_benc_equal(root, again));
}

static void ng_message(const char *in, size_t size)
{
	struct aegw_ng_request req;
	struct aegw_ng_error err;
	struct aegw_ng_msg msg;
	struct aegw_benc_enc e;
	char reply[FUZZ_REPLY];
	size_t n;

	if (aegw_ng_parse(in, size, nodes, FUZZ_MAX_NODES, &msg, &err)) {
		FUZZ_CHECK(err.offset <= size);
		error_reply(&err, (struct aegw_ng_str){ NULL, 0 });
		return;
	}
	FUZZ_CHECK(msg.cookie.len >= 1 &&
		   msg.cookie.len <= AEGW_NG_COOKIE_MAX);
	walk(msg.dict, 1, in, size);
	round_trip(msg.dict);
	if (aegw_ng_request_view(&msg, &req, &err)) {
		FUZZ_CHECK(err.offset < size);
		error_reply(&err, msg.cookie);
		return;
	}
	FUZZ_CHECK(req.command_name.p != NULL);
	aegw_ng_reply_begin(&e, reply, sizeof(reply), msg.cookie);
	aegw_benc_dict_add_cstr(&e, "result", "ok");
	aegw_benc_dict_add_cstr(&e, "command",
				aegw_ng_command_name(req.command));
	aegw_benc_dict_add_int(&e, "flags-seen",
			       aegw_ng_list_has(req.flags, "trust-address"));
	n = aegw_ng_reply_end(&e);
	check_reply_parses(reply, n, msg.cookie);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct aegw_benc_node *root;
	struct aegw_benc_error berr;
	char *in;

	if (size > FUZZ_MAX_INPUT)
		return 0;
	in = calloc(1, size ? size : 1);
	FUZZ_CHECK(in);
	if (size)
		memcpy(in, data, size);
	ng_message(in, size);
	/* The plain decoder on the same bytes, with room for every value
	 * or (odd sizes) for only a few. */
	if (aegw_bencode_decode(in, size, nodes, size % 2 ? 7 : FUZZ_MAX_NODES,
				&root, &berr) == 0) {
		walk(root, 1, in, size);
		round_trip(root);
	} else {
		FUZZ_CHECK(root == NULL && berr.offset <= size);
		FUZZ_CHECK(berr.code > AEGW_BENC_ERR_OK &&
			   berr.code < AEGW_BENC_ERR_COUNT);
	}
	free(in);
	return 0;
}
