/* ng messages: cookie and dictionary split apart, the common request keys
 * read into a typed view, replies framed with the request's cookie. */
#include <stdio.h>
#include <string.h>

#include "aegw/ng.h"
#include "ng_view.h"

static const char *const cmd_names[] = {
	[AEGW_NG_CMD_UNKNOWN] = "unknown",
#define AEGW_NG_CMD_NAME(id, name) [AEGW_NG_CMD_##id] = name,
	AEGW_NG_FOREACH_COMMAND(AEGW_NG_CMD_NAME)
#undef AEGW_NG_CMD_NAME
};

static const char *const err_text[] = {
#define AEGW_NG_ERR_TEXT(id, text) [AEGW_NG_ERR_##id] = text,
	AEGW_NG_FOREACH_ERROR(AEGW_NG_ERR_TEXT)
#undef AEGW_NG_ERR_TEXT
};

/* Keys read as strings, and where each goes. */
const struct aegw_ng_view_key aegw_ng_view_str_keys[] = {
	{ "call-id", offsetof(struct aegw_ng_request, call_id) },
	{ "from-tag", offsetof(struct aegw_ng_request, from_tag) },
	{ "to-tag", offsetof(struct aegw_ng_request, to_tag) },
	{ "via-branch", offsetof(struct aegw_ng_request, via_branch) },
	{ "sdp", offsetof(struct aegw_ng_request, sdp) },
	{ "transport-protocol",
	  offsetof(struct aegw_ng_request, transport_protocol) },
	{ "ICE", offsetof(struct aegw_ng_request, ice) },
	{ "from-interface", offsetof(struct aegw_ng_request, from_interface) },
	{ "to-interface", offsetof(struct aegw_ng_request, to_interface) },
	{ "ue-identity", offsetof(struct aegw_ng_request, ue_identity) },
	{ "offerer-ue-identity",
	  offsetof(struct aegw_ng_request, offerer_ue_identity) },
};
const size_t aegw_ng_view_n_str_keys =
	sizeof(aegw_ng_view_str_keys) / sizeof(aegw_ng_view_str_keys[0]);

/* Keys read as lists of strings. */
const struct aegw_ng_view_key aegw_ng_view_list_keys[] = {
	{ "flags", offsetof(struct aegw_ng_request, flags) },
	{ "replace", offsetof(struct aegw_ng_request, replace) },
	{ "direction", offsetof(struct aegw_ng_request, direction) },
	{ "rtcp-mux", offsetof(struct aegw_ng_request, rtcp_mux) },
	{ "SDES", offsetof(struct aegw_ng_request, sdes) },
	{ "supports", offsetof(struct aegw_ng_request, supports) },
	{ "received-from", offsetof(struct aegw_ng_request, received_from) },
};
const size_t aegw_ng_view_n_list_keys =
	sizeof(aegw_ng_view_list_keys) / sizeof(aegw_ng_view_list_keys[0]);

const char *const aegw_ng_view_delete_delay_keys[] = {
	"delete delay", "delete-delay", "delete_delay",
};
const size_t aegw_ng_view_n_delete_delay_keys =
	sizeof(aegw_ng_view_delete_delay_keys) /
	sizeof(aegw_ng_view_delete_delay_keys[0]);

const char *aegw_ng_command_name(enum aegw_ng_command cmd)
{
	if ((unsigned)cmd >= AEGW_NG_CMD_COUNT)
		return "unknown";
	return cmd_names[cmd];
}

enum aegw_ng_command aegw_ng_command_parse(const char *p, size_t len)
{
	for (unsigned c = AEGW_NG_CMD_UNKNOWN + 1; c < AEGW_NG_CMD_COUNT; c++) {
		if (strlen(cmd_names[c]) == len &&
		    memcmp(cmd_names[c], p, len) == 0)
			return (enum aegw_ng_command)c;
	}
	return AEGW_NG_CMD_UNKNOWN;
}

static int fail(struct aegw_ng_error *err, enum aegw_ng_errc code,
		size_t offset)
{
	if (err) {
		memset(err, 0, sizeof(*err));
		err->code = code;
		err->offset = offset;
	}
	return code;
}

int aegw_ng_view_fail_type(struct aegw_ng_error *err, size_t offset,
			   const char *key, const char *want)
{
	fail(err, AEGW_NG_ERR_FIELD_TYPE, offset);
	if (err) {
		err->key = key;
		err->want = want;
	}
	return AEGW_NG_ERR_FIELD_TYPE;
}

char *aegw_ng_error_format(const struct aegw_ng_error *e, char *buf,
			   size_t len)
{
	const char *what = (unsigned)e->code < AEGW_NG_ERR_COUNT
				   ? err_text[e->code]
				   : "unknown error";

	if (len == 0)
		return buf;
	if (e->code == AEGW_NG_ERR_BENCODE)
		snprintf(buf, len, "%s at byte %zu: %s", what, e->offset,
			 aegw_benc_strerror(e->benc));
	else if (e->code == AEGW_NG_ERR_FIELD_TYPE && e->key && e->want)
		snprintf(buf, len, "key '%s' at byte %zu must be %s", e->key,
			 e->offset, e->want);
	else
		snprintf(buf, len, "%s", what);
	return buf;
}

static bool cookie_byte(char c)
{
	return c > ' ' && c <= '~';
}

int aegw_ng_parse(const char *buf, size_t len, struct aegw_benc_node *nodes,
		  unsigned max_nodes, struct aegw_ng_msg *msg,
		  struct aegw_ng_error *err)
{
	const struct aegw_benc_node *root;
	struct aegw_benc_error berr;
	size_t n = 0;
	int rc;

	memset(msg, 0, sizeof(*msg));
	if (!buf)
		len = 0;
	while (n < len && n <= AEGW_NG_COOKIE_MAX && buf[n] != ' ') {
		if (!cookie_byte(buf[n]))
			return fail(err, AEGW_NG_ERR_BAD_COOKIE, n);
		n++;
	}
	if (n == 0 || n > AEGW_NG_COOKIE_MAX || n == len)
		return fail(err, AEGW_NG_ERR_BAD_COOKIE, n);
	/* Checked before decoding, so that "cookie 4:spam" says what is
	 * wrong rather than decoding a string first. */
	if (n + 1 == len || buf[n + 1] != 'd')
		return fail(err, AEGW_NG_ERR_NOT_DICT, n + 1);
	rc = aegw_bencode_decode(buf + n + 1, len - n - 1, nodes, max_nodes,
				 &root, &berr);
	if (rc) {
		fail(err, AEGW_NG_ERR_BENCODE, n + 1 + berr.offset);
		if (err)
			err->benc = berr.code;
		return AEGW_NG_ERR_BENCODE;
	}
	msg->buf = buf;
	msg->len = len;
	msg->cookie = (struct aegw_ng_str){ buf, n };
	msg->dict = root;
	return 0;
}

static size_t offset_of(const struct aegw_ng_msg *msg,
			const struct aegw_benc_node *n)
{
	return (size_t)(n->raw - msg->buf);
}

static struct aegw_ng_str span(const struct aegw_benc_node *n)
{
	return (struct aegw_ng_str){ n->str, n->len };
}

/* A LIST whose every item is a STR. */
static bool list_of_str(const struct aegw_benc_node *n)
{
	const struct aegw_benc_node *it;

	if (!aegw_benc_is_list(n))
		return false;
	for (it = n->child; it; it = it->next)
		if (!aegw_benc_is_str(it))
			return false;
	return true;
}

/* rtpengine takes one family and address, and so does aegw; an address
 * alone (rtpengine's string form) leaves the family to be told from it. */
static void view_received_from(struct aegw_ng_request *req)
{
	const struct aegw_benc_node *rf = req->received_from;

	if (!rf || rf->count == 0)
		return;
	if (rf->count == 1) {
		req->received_from_address = span(rf->child);
		return;
	}
	req->received_from_family = span(rf->child);
	req->received_from_address = span(rf->child->next);
}

static struct aegw_benc_node *new_list(struct aegw_ng_request *req,
					const char *raw, size_t raw_len)
{
	const size_t cap = sizeof(req->split_lists) / sizeof(req->split_lists[0]);
	struct aegw_benc_node *list;

	if (req->n_split_lists == cap)
		return NULL;
	list = &req->split_lists[req->n_split_lists++];
	*list = (struct aegw_benc_node){ .type = AEGW_BENC_LIST, .raw = raw,
					 .raw_len = raw_len };
	return list;
}

int aegw_ng_view_add(struct aegw_ng_request *req, struct aegw_benc_node *list,
		     const char *p, size_t len)
{
	struct aegw_benc_node *w, *last;

	if (req->n_split_words == AEGW_NG_SPLIT_WORDS)
		return -1;
	w = &req->split_words[req->n_split_words++];
	*w = (struct aegw_benc_node){ .type = AEGW_BENC_STR, .raw = p,
				      .raw_len = len, .str = p, .len = len };
	/* An owned list's items are split_words, the request's own. */
	last = (struct aegw_benc_node *)list->child;
	while (last && last->next)
		last = (struct aegw_benc_node *)last->next;
	if (last)
		last->next = w;
	else
		list->child = w;
	list->count++;
	return 0;
}

int aegw_ng_view_add_split(struct aegw_ng_request *req,
			   struct aegw_benc_node *list, const char *p,
			   size_t len)
{
	size_t i = 0;

	while (i < len) {
		size_t start, end;

		for (; i < len && aegw_ng_view_blank(p[i]); i++)
			;
		for (start = end = i; i < len && p[i] != ','; i++)
			if (!aegw_ng_view_blank(p[i]))
				end = i + 1;
		i += i < len; /* the comma */
		if (end > start &&
		    aegw_ng_view_add(req, list, p + start, end - start))
			return -1;
	}
	return 0;
}

struct aegw_benc_node *aegw_ng_view_own(struct aegw_ng_request *req,
					size_t off)
{
	const struct aegw_benc_node **slot =
		(const struct aegw_benc_node **)((char *)req + off);
	const struct aegw_benc_node *was = *slot, *it;
	struct aegw_benc_node *list;

	for (unsigned i = 0; i < req->n_split_lists; i++)
		if (was == &req->split_lists[i])
			return &req->split_lists[i];
	list = new_list(req, was ? was->raw : NULL, was ? was->raw_len : 0);
	if (!list)
		return NULL;
	for (it = aegw_benc_list_first(was); it; it = aegw_benc_list_next(it))
		if (aegw_ng_view_add(req, list, it->str, it->len))
			return NULL;
	*slot = list;
	return list;
}

/* A list key's string value as the list of its items (see
 * aegw_ng_request.split_words); NULL when they do not fit. */
static const struct aegw_benc_node *split(struct aegw_ng_request *req,
					  const struct aegw_benc_node *v)
{
	struct aegw_benc_node *list = new_list(req, v->raw, v->raw_len);

	if (!list || aegw_ng_view_add_split(req, list, v->str, v->len))
		return NULL;
	return list;
}

/* A key rtpengine reads under several spellings: the value of the first
 * present (*key, its spelling), or NULL. */
static const struct aegw_benc_node *first_of(const struct aegw_ng_msg *msg,
					     const char *const *keys, size_t n,
					     const char **key)
{
	const struct aegw_benc_node *v;

	for (size_t i = 0; i < n; i++)
		if ((v = aegw_benc_dict_get(msg->dict, keys[i]))) {
			*key = keys[i];
			return v;
		}
	return NULL;
}

static int view_delete_delay(const struct aegw_ng_msg *msg,
			     struct aegw_ng_request *req,
			     struct aegw_ng_error *err)
{
	const char *key;
	const struct aegw_benc_node *v =
		first_of(msg, aegw_ng_view_delete_delay_keys,
			 aegw_ng_view_n_delete_delay_keys, &key);

	if (!v)
		return 0;
	if (aegw_benc_to_int(v, &req->delete_delay))
		return aegw_ng_view_fail_type(err, offset_of(msg, v), key,
					      "an integer");
	req->have_delete_delay = true;
	return 0;
}

static int view_str_keys(const struct aegw_ng_msg *msg,
			 struct aegw_ng_request *req, struct aegw_ng_error *err)
{
	for (size_t i = 0; i < aegw_ng_view_n_str_keys; i++) {
		const struct aegw_ng_view_key *k = &aegw_ng_view_str_keys[i];
		const struct aegw_benc_node *v =
			aegw_benc_dict_get(msg->dict, k->key);

		if (v && !aegw_benc_is_str(v))
			return aegw_ng_view_fail_type(err, offset_of(msg, v),
						      k->key, "a string");
		if (v)
			*(struct aegw_ng_str *)((char *)req + k->off) = span(v);
	}
	return 0;
}

static int view_list_keys(const struct aegw_ng_msg *msg,
			  struct aegw_ng_request *req,
			  struct aegw_ng_error *err)
{
	for (size_t i = 0; i < aegw_ng_view_n_list_keys; i++) {
		const struct aegw_ng_view_key *k = &aegw_ng_view_list_keys[i];
		const struct aegw_benc_node *sent =
			aegw_benc_dict_get(msg->dict, k->key);
		const struct aegw_benc_node *v =
			sent && aegw_benc_is_str(sent) ? split(req, sent) : sent;

		if (sent && !v)
			return aegw_ng_view_fail_type(err, offset_of(msg, sent),
						      k->key,
						      AEGW_NG_SPLIT_WORDS_MAX);
		if (v && !list_of_str(v))
			return aegw_ng_view_fail_type(
				err, offset_of(msg, v), k->key,
				"a list of strings, or a string");
		*(const struct aegw_benc_node **)((char *)req + k->off) = v;
	}
	return 0;
}

/* Kamailio's spellings; the first present is read. */
static const char *const rtpp_flags_keys[] = {
	"rtpp-flags", "rtpp_flags", "rtpp flags",
};

static int view_rtpp_flags(const struct aegw_ng_msg *msg,
			   struct aegw_ng_request *req,
			   struct aegw_ng_error *err)
{
	const char *key;
	const struct aegw_benc_node *v =
		first_of(msg, rtpp_flags_keys,
			 sizeof(rtpp_flags_keys) / sizeof(rtpp_flags_keys[0]),
			 &key);

	if (!v)
		return 0;
	if (!aegw_benc_is_str(v))
		return aegw_ng_view_fail_type(err, offset_of(msg, v), key,
					      "a string");
	req->rtpp_flags = span(v);
	return aegw_ng_view_rtpp_flags(req, v, offset_of(msg, v), err);
}

int aegw_ng_request_view(const struct aegw_ng_msg *msg,
			 struct aegw_ng_request *req,
			 struct aegw_ng_error *err)
{
	const struct aegw_benc_node *cmd;

	memset(req, 0, offsetof(struct aegw_ng_request, split_lists));
	req->n_split_lists = req->n_split_words = 0;
	if (!aegw_benc_is_dict(msg->dict))
		return fail(err, AEGW_NG_ERR_NOT_DICT, 0);
	cmd = aegw_benc_dict_get(msg->dict, "command");
	if (!cmd)
		return fail(err, AEGW_NG_ERR_NO_COMMAND,
			    offset_of(msg, msg->dict));
	if (!aegw_benc_is_str(cmd))
		return aegw_ng_view_fail_type(err, offset_of(msg, cmd),
					      "command", "a string");
	req->command_name = span(cmd);
	req->command = aegw_ng_command_parse(cmd->str, cmd->len);
	/* rtpp-flags after the keys: what it says wins, as in rtpengine,
	 * where Kamailio puts it last. */
	if (view_str_keys(msg, req, err) || view_list_keys(msg, req, err) ||
	    view_delete_delay(msg, req, err) || view_rtpp_flags(msg, req, err))
		return AEGW_NG_ERR_FIELD_TYPE;
	view_received_from(req);
	return 0;
}

/* item == word, where a space in item also matches a hyphen in word. */
static bool word_eq(const struct aegw_benc_node *item, const char *word)
{
	size_t i;

	for (i = 0; i < item->len && word[i]; i++) {
		char c = item->str[i] == ' ' ? '-' : item->str[i];

		if (c != word[i])
			return false;
	}
	return i == item->len && word[i] == '\0';
}

bool aegw_ng_list_has(const struct aegw_benc_node *list, const char *word)
{
	const struct aegw_benc_node *it;

	for (it = aegw_benc_list_first(list); it; it = it->next)
		if (aegw_benc_is_str(it) && word_eq(it, word))
			return true;
	return false;
}

void aegw_ng_reply_begin(struct aegw_benc_enc *e, char *buf, size_t cap,
			 struct aegw_ng_str cookie)
{
	aegw_benc_enc_init(e, buf, cap);
	/* Raw bytes, not a bencoded string: the cookie is framing. */
	if (cookie.len < e->cap) {
		if (cookie.len)
			memcpy(e->buf, cookie.p, cookie.len);
		e->buf[cookie.len] = ' ';
		e->len = cookie.len + 1;
	} else {
		e->overflow = true;
	}
	aegw_benc_dict_begin(e);
}

size_t aegw_ng_reply_end(struct aegw_benc_enc *e)
{
	aegw_benc_end(e);
	return aegw_benc_enc_finish(e) ? 0 : e->len;
}

size_t aegw_ng_reply_error(char *buf, size_t cap, struct aegw_ng_str cookie,
			   const char *reason)
{
	struct aegw_benc_enc e;

	aegw_ng_reply_begin(&e, buf, cap, cookie);
	aegw_benc_dict_add_cstr(&e, "result", "error");
	aegw_benc_dict_add_cstr(&e, "error-reason", reason);
	return aegw_ng_reply_end(&e);
}

/* Where the bencoded value at p ends, or NULL: a walk that copies and
 * checks nothing, for a reply this process wrote itself. Its depth is
 * bounded all the same. */
static const char *value_end(const char *p, const char *end, unsigned depth)
{
	size_t len = 0;

	if (p >= end || depth > AEGW_BENC_MAX_DEPTH)
		return NULL;
	if (*p == 'i') {
		p = memchr(p, 'e', (size_t)(end - p));
		return p ? p + 1 : NULL;
	}
	if (*p == 'l' || *p == 'd') {
		for (p++; p && p < end && *p != 'e';)
			p = value_end(p, end, depth + 1);
		return p && p < end ? p + 1 : NULL;
	}
	for (; p < end && *p >= '0' && *p <= '9' && len < (size_t)(end - p); p++)
		len = 10 * len + (size_t)(*p - '0');
	if (p >= end || *p != ':' || len > (size_t)(end - p - 1))
		return NULL;
	return p + 1 + len;
}

struct aegw_ng_str aegw_ng_reply_result(const char *reply, size_t len)
{
	const char *end = reply + len, *p = memchr(reply, ' ', len), *v, *next;
	struct aegw_ng_str none = { NULL, 0 };

	if (!p || ++p >= end || *p++ != 'd')
		return none;
	for (; p < end && *p != 'e'; p = next) {
		if (!(v = value_end(p, end, 0)) || !(next = value_end(v, end, 0)))
			break;
		if (v - p == 8 && !memcmp(p, "6:result", 8) && *v >= '0' &&
		    *v <= '9') {
			const char *colon = memchr(v, ':', (size_t)(next - v));

			if (colon)
				return (struct aegw_ng_str){ colon + 1,
							     (size_t)(next - colon - 1) };
		}
	}
	return none;
}
