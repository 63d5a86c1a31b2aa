/* Bencode decoding (BEP 3) and reading the decoded tree: one recursive
 * descent over the caller's buffer into the caller's node array, at most
 * AEGW_BENC_MAX_DEPTH calls deep. Every read is checked against the end
 * of the input first; bencode.h says what is strict and what lenient. */
#include <string.h>

#include "aegw/bencode.h"

enum digits_rc {
	DIGITS_OK,
	DIGITS_NONE,  /* not even one digit */
	DIGITS_ZERO,  /* a leading zero */
	DIGITS_RANGE, /* more than max */
};

struct dec {
	const char *buf;
	size_t len;
	size_t pos; /* next byte to read; never more than len */
	struct aegw_benc_node *nodes;
	unsigned max_nodes;
	unsigned used;
	struct aegw_benc_error err;
};

static const char *const err_text[] = {
#define AEGW_BENC_ERR_TEXT(id, text) [AEGW_BENC_ERR_##id] = text,
	AEGW_BENC_FOREACH_ERROR(AEGW_BENC_ERR_TEXT)
#undef AEGW_BENC_ERR_TEXT
};

const char *aegw_benc_strerror(int code)
{
	if (code < 0 || code >= AEGW_BENC_ERR_COUNT)
		return "unknown bencode error";
	return err_text[code];
}

static struct aegw_benc_node *fail(struct dec *d, enum aegw_benc_errc code,
				   size_t offset)
{
	d->err.code = code;
	d->err.offset = offset;
	return NULL;
}

static struct aegw_benc_node *new_node(struct dec *d, enum aegw_benc_type t,
				       size_t start)
{
	struct aegw_benc_node *n;

	if (d->used == d->max_nodes)
		return fail(d, AEGW_BENC_ERR_NODES, start);
	n = &d->nodes[d->used++];
	memset(n, 0, sizeof(*n));
	n->type = t;
	n->raw = d->buf + start;
	return n;
}

/* 1*DIGIT at pos, the canonical way (no leading zero), at most max.
 * Stops at the first non-digit or at the end of the input. The check
 * before each step keeps x * 10 + c within max, so nothing overflows. */
static enum digits_rc digits(struct dec *d, uint64_t max, uint64_t *v)
{
	size_t first = d->pos;
	uint64_t x = 0;

	while (d->pos < d->len) {
		unsigned c = (unsigned)(unsigned char)d->buf[d->pos] - '0';

		if (c > 9)
			break;
		if (d->pos > first && d->buf[first] == '0')
			return DIGITS_ZERO;
		if (c > max || x > (max - c) / 10)
			return DIGITS_RANGE;
		x = x * 10 + c;
		d->pos++;
	}
	*v = x;
	return d->pos > first ? DIGITS_OK : DIGITS_NONE;
}

/* "-?" 1*DIGIT, no "-0", within int64. Shared by INT values and by
 * aegw_benc_to_int on strings. */
static enum aegw_benc_errc int_body(struct dec *d, int64_t *out)
{
	bool neg = d->pos < d->len && d->buf[d->pos] == '-';
	uint64_t mag = 0;
	enum digits_rc rc;

	d->pos += neg;
	rc = digits(d, neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX,
		    &mag);
	if (rc == DIGITS_RANGE)
		return AEGW_BENC_ERR_INT_RANGE;
	if (rc == DIGITS_NONE && d->pos == d->len)
		return AEGW_BENC_ERR_TRUNCATED;
	if (rc != DIGITS_OK || (neg && mag == 0))
		return AEGW_BENC_ERR_BAD_INT;
	/* -(mag - 1) - 1 reaches INT64_MIN without overflowing. */
	*out = neg ? -(int64_t)(mag - 1) - 1 : (int64_t)mag;
	return AEGW_BENC_ERR_OK;
}

static struct aegw_benc_node *dec_int(struct dec *d)
{
	size_t start = d->pos;
	struct aegw_benc_node *n = new_node(d, AEGW_BENC_INT, start);
	enum aegw_benc_errc rc;

	if (!n)
		return NULL;
	d->pos++; /* 'i' */
	rc = int_body(d, &n->num);
	if (rc == AEGW_BENC_ERR_OK && d->pos == d->len)
		rc = AEGW_BENC_ERR_TRUNCATED;
	if (rc != AEGW_BENC_ERR_OK)
		return fail(d, rc, rc == AEGW_BENC_ERR_TRUNCATED ? d->len
								   : start);
	if (d->buf[d->pos] != 'e')
		return fail(d, AEGW_BENC_ERR_BAD_INT, start);
	d->pos++;
	n->raw_len = d->pos - start;
	return n;
}

/* length ":" bytes; the length is checked against what is left before
 * anything past the colon is touched. */
static struct aegw_benc_node *dec_str(struct dec *d)
{
	size_t start = d->pos;
	struct aegw_benc_node *n = new_node(d, AEGW_BENC_STR, start);
	enum digits_rc rc;
	uint64_t slen = 0;

	if (!n)
		return NULL;
	rc = digits(d, d->len - start, &slen);
	if (rc == DIGITS_RANGE)
		return fail(d, AEGW_BENC_ERR_STR_PAST_END, start);
	if (d->pos == d->len)
		return fail(d, AEGW_BENC_ERR_TRUNCATED, d->len);
	if (rc != DIGITS_OK || d->buf[d->pos] != ':')
		return fail(d, AEGW_BENC_ERR_BAD_STR_LEN, start);
	d->pos++;
	if (slen > d->len - d->pos)
		return fail(d, AEGW_BENC_ERR_STR_PAST_END, start);
	n->str = d->buf + d->pos;
	n->len = (size_t)slen;
	d->pos += n->len;
	n->raw_len = d->pos - start;
	return n;
}

static struct aegw_benc_node *dec_value(struct dec *d, unsigned depth);

static void append(struct aegw_benc_node *parent,
		   struct aegw_benc_node **last, struct aegw_benc_node *child)
{
	if (*last)
		(*last)->next = child;
	else
		parent->child = child;
	*last = child;
}

/* 'l' value* 'e' */
static struct aegw_benc_node *dec_list(struct dec *d, unsigned depth)
{
	size_t start = d->pos;
	struct aegw_benc_node *n = new_node(d, AEGW_BENC_LIST, start);
	struct aegw_benc_node *last = NULL, *item;

	if (!n)
		return NULL;
	if (depth > AEGW_BENC_MAX_DEPTH)
		return fail(d, AEGW_BENC_ERR_DEPTH, start);
	d->pos++;
	for (;;) {
		if (d->pos == d->len)
			return fail(d, AEGW_BENC_ERR_TRUNCATED, d->len);
		if (d->buf[d->pos] == 'e')
			break;
		item = dec_value(d, depth + 1);
		if (!item)
			return NULL;
		append(n, &last, item);
		n->count++;
	}
	d->pos++;
	n->raw_len = d->pos - start;
	return n;
}

/* 'd' (string value)* 'e', keys in any order, repeats kept (the lookup
 * takes the first). */
static struct aegw_benc_node *dec_dict(struct dec *d, unsigned depth)
{
	size_t start = d->pos;
	struct aegw_benc_node *n = new_node(d, AEGW_BENC_DICT, start);
	struct aegw_benc_node *last = NULL, *key, *val;

	if (!n)
		return NULL;
	if (depth > AEGW_BENC_MAX_DEPTH)
		return fail(d, AEGW_BENC_ERR_DEPTH, start);
	d->pos++;
	for (;;) {
		if (d->pos == d->len)
			return fail(d, AEGW_BENC_ERR_TRUNCATED, d->len);
		if (d->buf[d->pos] == 'e')
			break;
		if ((unsigned)(unsigned char)d->buf[d->pos] - '0' > 9)
			return fail(d, AEGW_BENC_ERR_KEY_NOT_STR, d->pos);
		key = dec_str(d);
		if (!key)
			return NULL;
		if (d->pos == d->len)
			return fail(d, AEGW_BENC_ERR_TRUNCATED, d->len);
		if (d->buf[d->pos] == 'e')
			return fail(d, AEGW_BENC_ERR_NO_VALUE, d->pos);
		val = dec_value(d, depth + 1);
		if (!val)
			return NULL;
		append(n, &last, key);
		append(n, &last, val);
		n->count++;
	}
	d->pos++;
	n->raw_len = d->pos - start;
	return n;
}

/* depth: how many lists and dictionaries this value would be inside of,
 * counting itself. */
static struct aegw_benc_node *dec_value(struct dec *d, unsigned depth)
{
	char c;

	if (d->pos == d->len)
		return fail(d, AEGW_BENC_ERR_TRUNCATED, d->len);
	c = d->buf[d->pos];
	if (c >= '0' && c <= '9')
		return dec_str(d);
	if (c == 'i')
		return dec_int(d);
	if (c == 'l')
		return dec_list(d, depth);
	if (c == 'd')
		return dec_dict(d, depth);
	/* "-3:abc": a negative length, worth naming. */
	if (c == '-' && d->pos + 1 < d->len &&
	    (unsigned)(unsigned char)d->buf[d->pos + 1] - '0' <= 9)
		return fail(d, AEGW_BENC_ERR_BAD_STR_LEN, d->pos);
	return fail(d, AEGW_BENC_ERR_UNEXPECTED, d->pos);
}

int aegw_bencode_decode(const char *buf, size_t len,
			struct aegw_benc_node *nodes, unsigned max_nodes,
			const struct aegw_benc_node **root,
			struct aegw_benc_error *err)
{
	struct dec d = {
		.buf = buf,
		.len = buf ? len : 0,
		.nodes = nodes,
		.max_nodes = nodes ? max_nodes : 0,
	};
	const struct aegw_benc_node *n = dec_value(&d, 1);

	if (n && d.pos != d.len)
		n = fail(&d, AEGW_BENC_ERR_TRAILING, d.pos);
	if (err)
		*err = d.err;
	*root = n;
	return n ? AEGW_BENC_ERR_OK : (int)d.err.code;
}

const struct aegw_benc_node *
aegw_benc_dict_get_n(const struct aegw_benc_node *dict, const char *key,
		     size_t keylen)
{
	const struct aegw_benc_node *k;

	for (k = aegw_benc_dict_first(dict); k; k = aegw_benc_dict_next(k)) {
		if (k->len == keylen && memcmp(k->str, key, keylen) == 0)
			return k->next;
	}
	return NULL;
}

const struct aegw_benc_node *
aegw_benc_dict_get(const struct aegw_benc_node *dict, const char *key)
{
	return aegw_benc_dict_get_n(dict, key, strlen(key));
}

bool aegw_benc_str_eq(const struct aegw_benc_node *n, const char *text)
{
	size_t tlen = strlen(text);

	return aegw_benc_is_str(n) && n->len == tlen &&
	       memcmp(n->str, text, tlen) == 0;
}

int aegw_benc_get_int(const struct aegw_benc_node *n, int64_t *out)
{
	if (!aegw_benc_is_int(n))
		return -1;
	*out = n->num;
	return 0;
}

int aegw_benc_to_int(const struct aegw_benc_node *n, int64_t *out)
{
	struct dec d = { 0 };
	int64_t v;

	if (aegw_benc_is_int(n))
		return aegw_benc_get_int(n, out);
	if (!aegw_benc_is_str(n))
		return -1;
	d.buf = n->str;
	d.len = n->len;
	if (int_body(&d, &v) != AEGW_BENC_ERR_OK || d.pos != d.len)
		return -1;
	*out = v;
	return 0;
}

/* Recursion as deep as the trees, which the decoder bounds. */
bool aegw_benc_equal(const struct aegw_benc_node *a,
		     const struct aegw_benc_node *b)
{
	const struct aegw_benc_node *x, *y;

	if (!a || !b || a->type != b->type)
		return a == b;
	switch (a->type) {
	case AEGW_BENC_STR:
		return a->len == b->len &&
		       (a->len == 0 || memcmp(a->str, b->str, a->len) == 0);
	case AEGW_BENC_INT:
		return a->num == b->num;
	case AEGW_BENC_LIST:
	case AEGW_BENC_DICT:
		if (a->count != b->count)
			return false;
		x = a->child;
		y = b->child;
		for (; x && y; x = x->next, y = y->next)
			if (!aegw_benc_equal(x, y))
				return false;
		return !x && !y;
	}
	return false;
}
