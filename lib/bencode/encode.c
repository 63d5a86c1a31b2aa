/* Bencode encoding into a caller's fixed buffer: replies are small and
 * bounded, so there is no growth, only an overflow flag that the caller
 * checks once at the end (aegw_benc_enc_finish). */
#include <string.h>

#include "aegw/bencode.h"

enum { U64_DIGITS = 20 };

void aegw_benc_enc_init(struct aegw_benc_enc *e, char *buf, size_t cap)
{
	memset(e, 0, sizeof(*e));
	e->buf = buf;
	e->cap = buf ? cap : 0;
}

/* All or nothing per call; after the first miss nothing more is written,
 * so a later small write cannot land behind a gap. */
static void put(struct aegw_benc_enc *e, const void *p, size_t n)
{
	if (e->overflow)
		return;
	if (n > e->cap - e->len) {
		e->overflow = true;
		return;
	}
	if (n)
		memcpy(e->buf + e->len, p, n);
	e->len += n;
}

static void put_u64(struct aegw_benc_enc *e, uint64_t v)
{
	char tmp[U64_DIGITS];
	size_t i = sizeof(tmp);

	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	put(e, tmp + i, sizeof(tmp) - i);
}

void aegw_benc_dict_begin(struct aegw_benc_enc *e)
{
	e->depth++;
	put(e, "d", 1);
}

void aegw_benc_list_begin(struct aegw_benc_enc *e)
{
	e->depth++;
	put(e, "l", 1);
}

void aegw_benc_end(struct aegw_benc_enc *e)
{
	if (e->depth == 0) {
		e->misuse = true;
		return;
	}
	e->depth--;
	put(e, "e", 1);
}

void aegw_benc_add_str(struct aegw_benc_enc *e, const void *p, size_t n)
{
	put_u64(e, n);
	put(e, ":", 1);
	put(e, p, n);
}

void aegw_benc_add_cstr(struct aegw_benc_enc *e, const char *s)
{
	aegw_benc_add_str(e, s, strlen(s));
}

void aegw_benc_add_int(struct aegw_benc_enc *e, int64_t v)
{
	put(e, "i", 1);
	if (v < 0) {
		put(e, "-", 1);
		/* Unsigned negation: INT64_MIN has no positive twin. */
		put_u64(e, (uint64_t)0 - (uint64_t)v);
	} else {
		put_u64(e, (uint64_t)v);
	}
	put(e, "e", 1);
}

/* Recursion as deep as the tree, which the decoder bounds. */
void aegw_benc_add_node(struct aegw_benc_enc *e,
			const struct aegw_benc_node *n)
{
	const struct aegw_benc_node *c;

	if (!n) {
		e->misuse = true;
		return;
	}
	switch (n->type) {
	case AEGW_BENC_STR:
		aegw_benc_add_str(e, n->str, n->len);
		return;
	case AEGW_BENC_INT:
		aegw_benc_add_int(e, n->num);
		return;
	case AEGW_BENC_LIST:
	case AEGW_BENC_DICT:
		if (n->type == AEGW_BENC_LIST)
			aegw_benc_list_begin(e);
		else
			aegw_benc_dict_begin(e);
		for (c = n->child; c; c = c->next)
			aegw_benc_add_node(e, c);
		aegw_benc_end(e);
		return;
	}
	e->misuse = true;
}

void aegw_benc_dict_add_str(struct aegw_benc_enc *e, const char *key,
			    const void *p, size_t n)
{
	aegw_benc_add_cstr(e, key);
	aegw_benc_add_str(e, p, n);
}

void aegw_benc_dict_add_cstr(struct aegw_benc_enc *e, const char *key,
			     const char *s)
{
	aegw_benc_add_cstr(e, key);
	aegw_benc_add_cstr(e, s);
}

void aegw_benc_dict_add_int(struct aegw_benc_enc *e, const char *key,
			    int64_t v)
{
	aegw_benc_add_cstr(e, key);
	aegw_benc_add_int(e, v);
}

int aegw_benc_enc_finish(const struct aegw_benc_enc *e)
{
	return e->overflow || e->misuse || e->depth ? -1 : 0;
}
