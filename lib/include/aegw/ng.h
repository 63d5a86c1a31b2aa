/* The ng control protocol's framing (rtpengine's dialect, as Kamailio's
 * and OpenSIPS's rtpengine modules send it): a message is
 *   COOKIE SP BENCODED-DICTIONARY
 * over UDP, or over TCP one per message, and the reply carries the same
 * cookie. This is a thin typed view over the bencode tree: every string
 * points into the request buffer, nothing is copied. Control-plane code;
 * no state: any thread may call. */
#ifndef AEGW_NG_H
#define AEGW_NG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aegw/bencode.h"

#ifdef __cplusplus
extern "C" {
#endif

enum {
	AEGW_NG_COOKIE_MAX = 64,
};

/* The commands aegw knows: rtpengine's, then aegw's registration store
 * extensions (TS 33.328 clause 7.1: what a UE said at REGISTER). */
#define AEGW_NG_FOREACH_COMMAND(X)                                           \
	X(PING, "ping")                                                      \
	X(OFFER, "offer")                                                    \
	X(ANSWER, "answer")                                                  \
	X(DELETE, "delete")                                                  \
	X(QUERY, "query")                                                    \
	X(LIST, "list")                                                      \
	X(STATISTICS, "statistics")                                          \
	X(REGISTER, "register")                                              \
	X(DEREGISTER, "deregister")                                          \
	X(LOOKUP, "lookup")

enum aegw_ng_command {
	AEGW_NG_CMD_UNKNOWN = 0, /* a string, but no command aegw knows */
#define AEGW_NG_CMD_ENUM(id, name) AEGW_NG_CMD_##id,
	AEGW_NG_FOREACH_COMMAND(AEGW_NG_CMD_ENUM)
#undef AEGW_NG_CMD_ENUM
	AEGW_NG_CMD_COUNT
};

/* The wire name ("offer"); "unknown" for AEGW_NG_CMD_UNKNOWN. */
const char *aegw_ng_command_name(enum aegw_ng_command cmd);

/* Exact, case-sensitive match (as rtpengine does). */
enum aegw_ng_command aegw_ng_command_parse(const char *p, size_t len);

/* Bytes in the request buffer; p is NULL when the key was absent. */
struct aegw_ng_str {
	const char *p;
	size_t len;
};

#define AEGW_NG_FOREACH_ERROR(X)                                             \
	X(OK, "ok")                                                          \
	X(BAD_COOKIE, "no cookie of 1..64 printable bytes and a space")      \
	X(BENCODE, "malformed bencode")                                      \
	X(NOT_DICT, "message body is not a bencoded dictionary")             \
	X(NO_COMMAND, "dictionary has no key 'command'")                     \
	X(FIELD_TYPE, "a key's value has the wrong type")

enum aegw_ng_errc {
#define AEGW_NG_ERR_ENUM(id, text) AEGW_NG_ERR_##id,
	AEGW_NG_FOREACH_ERROR(AEGW_NG_ERR_ENUM)
#undef AEGW_NG_ERR_ENUM
	AEGW_NG_ERR_COUNT
};

struct aegw_ng_error {
	enum aegw_ng_errc code;
	enum aegw_benc_errc benc; /* BENCODE: what the decoder found */
	size_t offset;            /* in the whole message, cookie included */
	const char *key;          /* FIELD_TYPE: the key ... */
	const char *want;         /* ... and what its value must be */
};

/* The text for an error-reason reply, e.g. "malformed bencode at byte 42:
 * string runs past the end of the input", into buf (always terminated
 * when len > 0). Returns buf. */
char *aegw_ng_error_format(const struct aegw_ng_error *e, char *buf,
			   size_t len);

/* A message split and decoded: valid while buf and the nodes are. */
struct aegw_ng_msg {
	const char *buf; /* the whole message */
	size_t len;
	struct aegw_ng_str cookie;
	const struct aegw_benc_node *dict;
};

/* Splits buf[0..len) at the first space into a cookie (1..64 bytes of
 * 0x21..0x7e) and a body, which must be exactly one bencoded dictionary;
 * decodes it into nodes[0..max_nodes). Returns 0, or an enum aegw_ng_errc
 * with err filled (err may be NULL). Never reads outside buf[0..len). */
int aegw_ng_parse(const char *buf, size_t len, struct aegw_benc_node *nodes,
		  unsigned max_nodes, struct aegw_ng_msg *msg,
		  struct aegw_ng_error *err);

/* The keys most requests carry, typed. A key that is absent leaves its
 * field empty (NULL); which keys a command requires is the caller's to
 * check (rtpengine answers "No call-id in message" and the like). A key
 * present with the wrong type is an error, unlike in rtpengine, which
 * ignores such values. The list fields are LIST nodes whose every item is
 * a STR: walk them with aegw_benc_list_first/next. */
/* Words read from list keys sent as strings and from rtpp-flags, all keys
 * together (a Kamailio flag string of some forty words fits). */
#define AEGW_NG_SPLIT_WORDS 64
#define AEGW_NG_SPLIT_WORDS_MAX "at most 64 items"

struct aegw_ng_request {
	enum aegw_ng_command command;
	struct aegw_ng_str command_name; /* as sent, also when UNKNOWN */
	struct aegw_ng_str call_id;      /* "call-id" */
	struct aegw_ng_str from_tag;     /* "from-tag" */
	struct aegw_ng_str to_tag;       /* "to-tag" */
	struct aegw_ng_str via_branch;   /* "via-branch" */
	struct aegw_ng_str sdp;          /* "sdp" */
	struct aegw_ng_str transport_protocol; /* "transport-protocol" */
	struct aegw_ng_str ice;          /* "ICE": "remove", "force", ... */
	/* rtpengine's other spelling of direction's two items, each of
	 * which, when present, stands over that item. */
	struct aegw_ng_str from_interface; /* "from-interface" */
	struct aegw_ng_str to_interface;   /* "to-interface" */
	/* aegw's extension keys: the UE a registration command or an
	 * offer's answerer is, and an offer's offerer (CONTROL.md). */
	struct aegw_ng_str ue_identity;         /* "ue-identity" */
	struct aegw_ng_str offerer_ue_identity; /* "offerer-ue-identity" */
	/* "rtpp-flags": the flag string of a Kamailio script (the
	 * rtpengine module sends it unparsed when a function is given its
	 * via-branch argument, 5.8 on), read into the fields here as
	 * rtpengine reads it (lib/bencode/rtpp_flags.c), over what the
	 * dictionary's keys said: bare words are flags, "key=value" and
	 * "key=[a b]" are keys, "RTP/SAVP" and the like (or "RTP", "SRTP",
	 * "AVP", "AVPF", "DTLS" together) transport-protocol, "internal" and
	 * "external" direction items. */
	struct aegw_ng_str rtpp_flags;
	const struct aegw_benc_node *flags;     /* "flags" */
	const struct aegw_benc_node *replace;   /* "replace" */
	const struct aegw_benc_node *direction; /* "direction" */
	const struct aegw_benc_node *rtcp_mux;  /* "rtcp-mux" */
	const struct aegw_benc_node *sdes;      /* "SDES" */
	const struct aegw_benc_node *supports;  /* "supports" */
	/* "received-from": a list of two strings, e.g. IP4 and 127.0.0.1:
	 * where the SIP message came from (further items are ignored); or
	 * one, the address alone, family empty (rtpengine's string form). */
	const struct aegw_benc_node *received_from;
	struct aegw_ng_str received_from_family;
	struct aegw_ng_str received_from_address;
	/* "delete delay" (rtpengine also reads "delete-delay" and
	 * "delete_delay"; the first present wins): seconds, an integer or a
	 * string holding one (Kamailio sends numbers as strings). */
	bool have_delete_delay;
	int64_t delete_delay;
	/* A list key sent as one string, as Kamailio and OpenSIPS write a
	 * key=value flag ("flags": "loop-protect", "direction": "access"):
	 * its items, split at commas (blanks around them dropped) as
	 * rtpengine splits them, made a list here; so is a list that
	 * rtpp-flags adds to (the pointers above lead to these: a request
	 * is not copied). */
	struct aegw_benc_node split_lists[7]; /* one per list key */
	struct aegw_benc_node split_words[AEGW_NG_SPLIT_WORDS];
	unsigned n_split_lists, n_split_words;
};

/* Fills req from msg's dictionary. Returns 0, or NO_COMMAND (no
 * "command" key) or FIELD_TYPE with err filled (err may be NULL); NOT_DICT
 * for a msg that aegw_ng_parse did not fill. An
 * unknown command is not an error here: command is then UNKNOWN. */
int aegw_ng_request_view(const struct aegw_ng_msg *msg,
			 struct aegw_ng_request *req,
			 struct aegw_ng_error *err);

/* Whether a list of strings holds word. word is written with hyphens
 * ("load-limit"); a space in the item matches a hyphen, because
 * rtpengine hyphenates flags before it looks them up ("load limit",
 * which Kamailio sends in "supports", is "load-limit"). */
bool aegw_ng_list_has(const struct aegw_benc_node *list, const char *word);

/* A reply: aegw_ng_reply_begin writes "COOKIE d" into buf[0..cap) (cookie
 * as parsed from the request); the caller adds entries with
 * aegw_benc_dict_add_* on e; aegw_ng_reply_end closes the dictionary and
 * returns the reply's length, or 0 when it did not fit in cap (or the
 * lists and dictionaries the caller opened were not all closed). */
void aegw_ng_reply_begin(struct aegw_benc_enc *e, char *buf, size_t cap,
			 struct aegw_ng_str cookie);
size_t aegw_ng_reply_end(struct aegw_benc_enc *e);

/* The whole error reply, as rtpengine writes it:
 *   COOKIE d6:result5:error12:error-reason<len>:<reason>e
 * Returns its length, or 0 when it did not fit in cap. */
size_t aegw_ng_reply_error(char *buf, size_t cap, struct aegw_ng_str cookie,
			   const char *reason);

/* The string under a reply's top-level "result" key ("ok", "error",
 * "load limit", "pong"...), read from the reply's bytes without decoding
 * the rest; {NULL, 0} when the reply is not a dictionary that has one.
 * For replies this process encoded: it checks no more than it needs. */
struct aegw_ng_str aegw_ng_reply_result(const char *reply, size_t len);

#ifdef __cplusplus
}
#endif
#endif
