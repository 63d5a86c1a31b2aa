/* Shared by ng.c (the dictionary's keys) and rtpp_flags.c (the same keys
 * written in Kamailio's flag string): where each key goes in a request,
 * and the lists a request owns. */
#ifndef AEGW_BENCODE_NG_VIEW_H
#define AEGW_BENCODE_NG_VIEW_H

#include <stddef.h>

#include "aegw/ng.h"

struct aegw_ng_view_key {
	const char *key;
	size_t off; /* of the field in struct aegw_ng_request */
};

/* Keys read as strings, and as lists of strings. */
extern const struct aegw_ng_view_key aegw_ng_view_str_keys[];
extern const size_t aegw_ng_view_n_str_keys;
extern const struct aegw_ng_view_key aegw_ng_view_list_keys[];
extern const size_t aegw_ng_view_n_list_keys;

/* rtpengine's spellings of "delete delay", which it treats as one. */
extern const char *const aegw_ng_view_delete_delay_keys[];
extern const size_t aegw_ng_view_n_delete_delay_keys;

/* The list field at off as a list the request owns, so that items can be
 * added to it: the one it is, or a new one holding the items the
 * dictionary's list had. NULL when the request has no room left. */
struct aegw_benc_node *aegw_ng_view_own(struct aegw_ng_request *req,
					size_t off);

/* Adds p[0..len) to an owned list; -1 when the request has no word left. */
int aegw_ng_view_add(struct aegw_ng_request *req, struct aegw_benc_node *list,
		     const char *p, size_t len);

/* Adds the items of p[0..len) split at commas, blanks around them
 * dropped, as rtpengine splits a list key's string value. */
int aegw_ng_view_add_split(struct aegw_ng_request *req,
			   struct aegw_benc_node *list, const char *p,
			   size_t len);

static inline int aegw_ng_view_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Reads "rtpp-flags" (v, a STR) into req over what the dictionary's keys
 * put there. Returns 0, or FIELD_TYPE with err filled. */
int aegw_ng_view_rtpp_flags(struct aegw_ng_request *req,
			    const struct aegw_benc_node *v, size_t offset,
			    struct aegw_ng_error *err);

int aegw_ng_view_fail_type(struct aegw_ng_error *err, size_t offset,
			   const char *key, const char *want);

#endif
