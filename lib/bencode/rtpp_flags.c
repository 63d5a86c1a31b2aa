/* "rtpp-flags": a Kamailio script's flag string, sent unparsed by the
 * rtpengine module (5.8 on) when a function is given its via-branch
 * argument, for the daemon to read as rtpengine 12 reads it. Without this
 * every flag of such a script (direction, SDES, the transport) would be
 * ignored. Words are separated by blanks:
 *   flag                   a "flags" item (SDES-no-X, replace-origin...)
 *   key=value              the dictionary's key with a string value
 *   key=[a b [c d] e]      ... with a list value (nested lists skipped)
 *   RTP/SAVP, UDP/TLS/RTP/SAVPF...   transport-protocol
 *   RTP SRTP AVP AVPF DTLS            the same, built up word by word
 *   internal, external     direction items
 * Direction items, as "direction=X" or these words, are from-interface
 * and then to-interface, over what the dictionary said, as in rtpengine.
 * Keys are matched as rtpengine spells them, in any case and with '_'
 * for '-'; unknown keys and their values are skipped. */
#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "ng_view.h"

struct word {
	const char *p;
	size_t len;
	size_t key_len; /* up to the first '=', or len when there is none */
};

/* The next word of s[0..n) from *i. A '[' opens a list that blanks do not
 * end. Returns 1 with w filled, 0 at the end, -1 when a '[' stays open. */
static int next_word(const char *s, size_t n, size_t *i, struct word *w)
{
	unsigned depth = 0;
	size_t j;

	while (*i < n && aegw_ng_view_blank(s[*i]))
		(*i)++;
	if (*i == n)
		return 0;
	w->p = s + *i;
	w->key_len = SIZE_MAX;
	for (j = *i; j < n && (depth || !aegw_ng_view_blank(s[j])); j++) {
		if (s[j] == '[')
			depth++;
		else if (s[j] == ']' && depth)
			depth--;
		else if (s[j] == '=' && !depth && w->key_len == SIZE_MAX)
			w->key_len = j - *i;
	}
	if (depth)
		return -1;
	w->len = j - *i;
	if (w->key_len == SIZE_MAX)
		w->key_len = w->len;
	*i = j;
	return 1;
}

/* p[0..len) is name, case and '_' for '-' aside. */
static bool key_is(const char *p, size_t len, const char *name)
{
	size_t i;

	for (i = 0; i < len && name[i]; i++) {
		char c = p[i] == '_' ? '-' : p[i];

		if (tolower((unsigned char)c) != tolower((unsigned char)name[i]))
			return false;
	}
	return i == len && !name[i];
}

static bool word_is(const char *p, size_t len, const char *w)
{
	return strlen(w) == len && !memcmp(p, w, len);
}

/* transport-protocol as rtpengine builds it: bit 0 SRTP, bit 1 AVPF,
 * bit 2 DTLS (which is SRTP too), TRANSPORT_SET once a word was seen. */
enum { T_SRTP = 1, T_AVPF = 2, T_DTLS = 4, TRANSPORT_SET = 8 };

/* NULL where rtpengine's table has none: "DTLS SRTP" asks for nothing. */
static const char *const transport_names[8] = {
	"RTP/AVP",          "RTP/SAVP", "RTP/AVPF", "RTP/SAVPF",
	"UDP/TLS/RTP/SAVP", NULL,       "UDP/TLS/RTP/SAVPF", NULL,
};

static bool transport_word(const char *p, size_t len, unsigned *t)
{
	for (unsigned i = 0; i < 8; i++)
		if (transport_names[i] && word_is(p, len, transport_names[i])) {
			*t = TRANSPORT_SET | i;
			return true;
		}
	if (word_is(p, len, "RTP"))
		*t = (*t | TRANSPORT_SET) & ~(unsigned)T_SRTP;
	else if (word_is(p, len, "AVP"))
		*t = (*t | TRANSPORT_SET) & ~(unsigned)T_AVPF;
	else if (word_is(p, len, "SRTP"))
		*t |= TRANSPORT_SET | T_SRTP;
	else if (word_is(p, len, "AVPF"))
		*t |= TRANSPORT_SET | T_AVPF;
	else if (word_is(p, len, "DTLS"))
		*t |= TRANSPORT_SET | T_DTLS;
	else
		return false;
	return true;
}

/* What one string's reading has seen so far. */
struct rtpp {
	struct aegw_ng_request *req;
	unsigned transport;  /* TRANSPORT_SET | T_* */
	unsigned directions; /* direction items taken */
};

static int add_to(struct aegw_ng_request *req, size_t off, const char *p,
		  size_t len)
{
	struct aegw_benc_node *list = aegw_ng_view_own(req, off);

	return list ? aegw_ng_view_add(req, list, p, len) : -1;
}

/* rtpengine takes two; a third is ignored (it warns). */
static void direction_item(struct rtpp *r, const char *p, size_t len)
{
	struct aegw_ng_str s = { p, len };

	if (r->directions == 0)
		r->req->from_interface = s;
	else if (r->directions == 1)
		r->req->to_interface = s;
	r->directions += r->directions < 2;
}

/* The items of a value "[a b [c] d]" (a, b, d: nested lists skipped)
 * into list; when list is NULL, the first two are from-interface and
 * to-interface (rtpengine's direction list, apart from the words'
 * count). */
static int list_items(struct rtpp *r, struct aegw_benc_node *list,
		      const char *v, size_t n)
{
	struct aegw_ng_str *dir[2] = { &r->req->from_interface,
				       &r->req->to_interface };
	unsigned k = 0;
	size_t i = 1;
	struct word w;

	n -= v[n - 1] == ']';
	while (next_word(v, n, &i, &w) == 1) {
		if (w.p[0] == '[')
			continue;
		if (!list && k < 2)
			*dir[k++] = (struct aegw_ng_str){ w.p, w.len };
		else if (list && aegw_ng_view_add(r->req, list, w.p, w.len))
			return -1;
	}
	return 0;
}

/* A list key's value: a list, or a plain value split at commas as the
 * dictionary's string values are. Added to the key's items, but for
 * received-from, which it replaces: it is one family and address. */
static int list_value(struct rtpp *r, size_t off, const char *v, size_t n)
{
	struct aegw_benc_node *list = aegw_ng_view_own(r->req, off);

	if (!list)
		return -1;
	if (off == offsetof(struct aegw_ng_request, received_from)) {
		list->child = NULL;
		list->count = 0;
	}
	if (v[0] == '[')
		return list_items(r, list, v, n);
	return aegw_ng_view_add_split(r->req, list, v, n);
}

static bool delete_delay_key(const char *p, size_t len)
{
	for (size_t i = 0; i < aegw_ng_view_n_delete_delay_keys; i++)
		if (key_is(p, len, aegw_ng_view_delete_delay_keys[i]))
			return true;
	return false;
}

static int delete_delay(struct rtpp *r, const char *v, size_t n)
{
	struct aegw_benc_node num = { .type = AEGW_BENC_STR, .str = v,
				      .len = n };

	if (aegw_benc_to_int(&num, &r->req->delete_delay))
		return -2;
	r->req->have_delete_delay = true;
	return 0;
}

/* Returns 0, -1 when out of words, -2 for a delete delay that is not an
 * integer. */
static int key_value(struct rtpp *r, const struct word *w)
{
	const char *v = w->p + w->key_len + 1;
	size_t n = w->len - w->key_len - 1;
	size_t i;

	if (key_is(w->p, w->key_len, "direction")) {
		if (v[0] == '[')
			return list_items(r, NULL, v, n);
		direction_item(r, v, n);
		return 0;
	}
	for (i = 0; i < aegw_ng_view_n_str_keys; i++) {
		const struct aegw_ng_view_key *k = &aegw_ng_view_str_keys[i];

		if (key_is(w->p, w->key_len, k->key)) {
			if (v[0] != '[')
				*(struct aegw_ng_str *)((char *)r->req + k->off) =
					(struct aegw_ng_str){ v, n };
			return 0;
		}
	}
	for (i = 0; i < aegw_ng_view_n_list_keys; i++)
		if (key_is(w->p, w->key_len, aegw_ng_view_list_keys[i].key))
			return list_value(r, aegw_ng_view_list_keys[i].off, v,
					  n);
	if (delete_delay_key(w->p, w->key_len))
		return delete_delay(r, v, n);
	return 0;
}

static int bare_word(struct rtpp *r, const char *p, size_t len)
{
	if (transport_word(p, len, &r->transport) || p[0] == '[')
		return 0;
	if (word_is(p, len, "internal") || word_is(p, len, "external")) {
		direction_item(r, p, len);
		return 0;
	}
	return add_to(r->req, offsetof(struct aegw_ng_request, flags), p, len);
}

int aegw_ng_view_rtpp_flags(struct aegw_ng_request *req,
			    const struct aegw_benc_node *v, size_t offset,
			    struct aegw_ng_error *err)
{
	struct rtpp r = { .req = req };
	const char *name;
	size_t i = 0;
	struct word w;
	int rc;

	while ((rc = next_word(v->str, v->len, &i, &w)) == 1) {
		/* "key=" is the flag "key", as in rtpengine; "=x" a flag. */
		size_t bare = w.key_len ? w.key_len : w.len;
		int e = w.key_len && w.key_len + 1 < w.len
				? key_value(&r, &w)
				: bare_word(&r, w.p, bare);

		if (e == -1)
			return aegw_ng_view_fail_type(err, offset, "rtpp-flags",
						      AEGW_NG_SPLIT_WORDS_MAX);
		if (e == -2)
			return aegw_ng_view_fail_type(
				err, offset, "rtpp-flags",
				"words whose delete-delay is an integer");
	}
	if (rc < 0)
		return aegw_ng_view_fail_type(err, offset, "rtpp-flags",
					      "words with every '[' closed");
	if (r.transport && transport_names[r.transport & 7]) {
		name = transport_names[r.transport & 7];
		req->transport_protocol = (struct aegw_ng_str){ name,
								strlen(name) };
	}
	return 0;
}
