/* aegwctl's two halves: the command line and the socket (aegwctl.c), and
 * the printers of the replies, as text or JSON (aegwctl_print.c). */
#ifndef AEGWCTL_H
#define AEGWCTL_H

#include <stdbool.h>
#include <stdio.h>

#include "aegw/bencode.h"

/* The readable form of a reply, per command. Each takes the reply's
 * dictionary. */
void aegwctl_print_list(const struct aegw_benc_node *d);
void aegwctl_print_call(const struct aegw_benc_node *d, const char *call_id);
void aegwctl_print_streams_head(void);
/* One page of `streams`; returns how many it printed. */
unsigned aegwctl_print_streams(const struct aegw_benc_node *d);
void aegwctl_print_flat(const struct aegw_benc_node *d, const char *skip);
void aegwctl_print_registrations(const struct aegw_benc_node *d);
void aegwctl_print_lookup(const struct aegw_benc_node *d);
void aegwctl_print_policy(const struct aegw_benc_node *d);

/* Any bencoded value as JSON: strings byte for byte, every byte outside
 * printable ASCII (and " and \) escaped, so the output is always ASCII;
 * integers; lists; dictionaries in the reply's order. indent: the
 * current depth, for the two-space layout. */
void aegwctl_json(FILE *f, const struct aegw_benc_node *n, unsigned indent);

#endif
