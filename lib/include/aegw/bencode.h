/* Bencode (BEP 3), as the ng control protocol carries it: a zero-copy
 * decoder into a caller's node array and an encoder into a caller's
 * buffer. Control-plane code; no allocation, no global state: any thread
 * may call any function on objects it owns.
 *
 * Decoding is strict where safety needs it (lengths within the input,
 * canonical integers that fit in int64, a depth and a node limit, nothing
 * after the top-level value) and lenient where real peers are: dictionary
 * keys may come in any order (Kamailio's rtpengine module does not sort
 * them). When a dictionary repeats a key, the first one wins. Because
 * integers and string lengths must be canonical and order is kept, a
 * decoded tree re-encodes to exactly the bytes it was decoded from. */
#ifndef AEGW_BENCODE_H
#define AEGW_BENCODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum {
	/* Lists and dictionaries nested deeper than this are refused; the
	 * decoder recurses once per level. An ng request needs 3. */
	AEGW_BENC_MAX_DEPTH = 32,
};

enum aegw_benc_type {
	AEGW_BENC_STR = 1,
	AEGW_BENC_INT,
	AEGW_BENC_LIST,
	AEGW_BENC_DICT,
};

/* One decoded value. Every pointer points into the decoded buffer or the
 * node array: both must outlive the node. A dictionary's children
 * alternate key, value, key, value...: a key's next is its value. */
struct aegw_benc_node {
	enum aegw_benc_type type;
	unsigned count;          /* LIST: items; DICT: key/value pairs */
	const char *raw;         /* this value's encoding in the buffer */
	size_t raw_len;
	const char *str;         /* STR: the bytes, any byte, no NUL added */
	size_t len;              /* STR: their number */
	int64_t num;             /* INT */
	const struct aegw_benc_node *child; /* LIST, DICT: first, or NULL */
	const struct aegw_benc_node *next;  /* next sibling, or NULL */
};

#define AEGW_BENC_FOREACH_ERROR(X)                                           \
	X(OK, "ok")                                                          \
	X(TRUNCATED, "input ends inside a value")                            \
	X(UNEXPECTED, "byte cannot start a value")                           \
	X(BAD_INT, "integer is not i-?[0-9]+e without leading zeros or -0")  \
	X(INT_RANGE, "integer does not fit in 64 bits")                      \
	X(BAD_STR_LEN, "string length is not a decimal without leading zeros")\
	X(STR_PAST_END, "string runs past the end of the input")             \
	X(KEY_NOT_STR, "dictionary key is not a string")                     \
	X(NO_VALUE, "dictionary key has no value")                           \
	X(DEPTH, "lists and dictionaries nested too deep")                   \
	X(NODES, "more values than the node array holds")                    \
	X(TRAILING, "bytes after the top-level value")

enum aegw_benc_errc {
#define AEGW_BENC_ERR_ENUM(id, text) AEGW_BENC_ERR_##id,
	AEGW_BENC_FOREACH_ERROR(AEGW_BENC_ERR_ENUM)
#undef AEGW_BENC_ERR_ENUM
	AEGW_BENC_ERR_COUNT
};

/* Where decoding stopped. offset counts from the start of the buffer:
 * the first byte of the value at fault; for TRUNCATED the input length,
 * for UNEXPECTED and NO_VALUE the byte itself, for TRAILING the first
 * byte after the top-level value. */
struct aegw_benc_error {
	enum aegw_benc_errc code;
	size_t offset;
};

/* Text for an error code; never NULL. */
const char *aegw_benc_strerror(int code);

/* Decodes exactly one value filling buf[0..len), using at most max_nodes
 * of nodes (one per value: a string, an integer, a list, a dictionary,
 * each key). Returns 0 and sets *root to nodes[0], or an enum
 * aegw_benc_errc with err filled (err may be NULL); *root is then NULL.
 * Never reads outside buf[0..len). */
int aegw_bencode_decode(const char *buf, size_t len,
			struct aegw_benc_node *nodes, unsigned max_nodes,
			const struct aegw_benc_node **root,
			struct aegw_benc_error *err);

/* Accessors. Each takes NULL (and a node of the wrong type) and answers
 * NULL, false or -1, so lookups chain without checks in between. */
static inline bool aegw_benc_is_str(const struct aegw_benc_node *n)
{
	return n && n->type == AEGW_BENC_STR;
}

static inline bool aegw_benc_is_int(const struct aegw_benc_node *n)
{
	return n && n->type == AEGW_BENC_INT;
}

static inline bool aegw_benc_is_list(const struct aegw_benc_node *n)
{
	return n && n->type == AEGW_BENC_LIST;
}

static inline bool aegw_benc_is_dict(const struct aegw_benc_node *n)
{
	return n && n->type == AEGW_BENC_DICT;
}

/* The value of the first entry whose key is these bytes, or NULL. */
const struct aegw_benc_node *
aegw_benc_dict_get_n(const struct aegw_benc_node *dict, const char *key,
		     size_t keylen);

const struct aegw_benc_node *
aegw_benc_dict_get(const struct aegw_benc_node *dict, const char *key);

/* A string node holding exactly the bytes of text (NUL-terminated). */
bool aegw_benc_str_eq(const struct aegw_benc_node *n, const char *text);

/* An INT's value. Returns 0, or -1 (and leaves *out) for anything else. */
int aegw_benc_get_int(const struct aegw_benc_node *n, int64_t *out);

/* Like aegw_benc_get_int, but also takes a STR holding an integer in the
 * same grammar without the i/e ("-12"): Kamailio sends numbers as strings
 * and rtpengine accepts both. */
int aegw_benc_to_int(const struct aegw_benc_node *n, int64_t *out);

/* Iteration: for (it = aegw_benc_list_first(l); it; it =
 * aegw_benc_list_next(it)); and for (k = aegw_benc_dict_first(d); k;
 * k = aegw_benc_dict_next(k)) with aegw_benc_dict_value(k). */
static inline const struct aegw_benc_node *
aegw_benc_list_first(const struct aegw_benc_node *list)
{
	return aegw_benc_is_list(list) ? list->child : NULL;
}

static inline const struct aegw_benc_node *
aegw_benc_list_next(const struct aegw_benc_node *item)
{
	return item ? item->next : NULL;
}

static inline const struct aegw_benc_node *
aegw_benc_dict_first(const struct aegw_benc_node *dict)
{
	return aegw_benc_is_dict(dict) ? dict->child : NULL;
}

static inline const struct aegw_benc_node *
aegw_benc_dict_value(const struct aegw_benc_node *key)
{
	return key ? key->next : NULL;
}

static inline const struct aegw_benc_node *
aegw_benc_dict_next(const struct aegw_benc_node *key)
{
	return key && key->next ? key->next->next : NULL;
}

/* Same type and contents, recursively; dictionaries compare entry by entry
 * in order (the encoder keeps order, so a round trip compares equal). */
bool aegw_benc_equal(const struct aegw_benc_node *a,
		     const struct aegw_benc_node *b);

/* The encoder: appends to buf[0..cap). The first write that does not fit
 * sets overflow, and from then on nothing more is written, so buf[0..len)
 * is always what was written but only a finished encoder without overflow
 * holds a whole value. A reply's size is bounded, so the caller sizes buf
 * for it and treats overflow as an internal error.
 *
 * Dictionary keys are written in the order the caller adds them.
 * rtpengine emits sorted keys, as BEP 3 asks, but no ng peer requires it
 * (Kamailio looks keys up by name); add them sorted where that is cheap. */
struct aegw_benc_enc {
	char *buf;
	size_t cap;
	size_t len;     /* bytes written */
	unsigned depth; /* lists and dictionaries begun, not yet ended */
	bool overflow;  /* a write did not fit */
	bool misuse;    /* aegw_benc_end with nothing open */
};

void aegw_benc_enc_init(struct aegw_benc_enc *e, char *buf, size_t cap);

void aegw_benc_dict_begin(struct aegw_benc_enc *e);
void aegw_benc_list_begin(struct aegw_benc_enc *e);
/* Ends the innermost open list or dictionary. */
void aegw_benc_end(struct aegw_benc_enc *e);

void aegw_benc_add_str(struct aegw_benc_enc *e, const void *p, size_t n);
void aegw_benc_add_cstr(struct aegw_benc_enc *e, const char *s);
void aegw_benc_add_int(struct aegw_benc_enc *e, int64_t v);
/* A decoded tree, written back value by value. */
void aegw_benc_add_node(struct aegw_benc_enc *e,
			const struct aegw_benc_node *n);

/* Dictionary entries: a C string key, then the value. */
void aegw_benc_dict_add_str(struct aegw_benc_enc *e, const char *key,
			    const void *p, size_t n);
void aegw_benc_dict_add_cstr(struct aegw_benc_enc *e, const char *key,
			     const char *s);
void aegw_benc_dict_add_int(struct aegw_benc_enc *e, const char *key,
			    int64_t v);

/* 0 when buf[0..len) is complete: no overflow, every list and dictionary
 * ended. Else -1. */
int aegw_benc_enc_finish(const struct aegw_benc_enc *e);

#ifdef __cplusplus
}
#endif
#endif
