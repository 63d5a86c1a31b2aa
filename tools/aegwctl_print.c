/* aegwctl's output: each reply as readable text (one line per call,
 * stream or registration), or any reply as JSON. Strings from the wire
 * (call-ids and tags come from SIP) are printed with their control bytes
 * escaped, so that no reply can drive the terminal. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "aegwctl.h"

static const struct aegw_benc_node *get(const struct aegw_benc_node *d,
					const char *key)
{
	return aegw_benc_dict_get(d, key);
}

static int64_t num(const struct aegw_benc_node *d, const char *key)
{
	int64_t v = 0;

	aegw_benc_get_int(get(d, key), &v);
	return v;
}

/* A string with every byte outside printable ASCII as \xNN. */
static void put_bytes(FILE *f, const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c < 0x20 || c > 0x7e || c == '\\')
			fprintf(f, "\\x%02x", c);
		else
			fputc(c, f);
	}
}

/* A string value, or dflt when absent or empty. */
static void put(FILE *f, const struct aegw_benc_node *n, const char *dflt)
{
	if (aegw_benc_is_str(n) && n->len)
		put_bytes(f, n->str, n->len);
	else if (aegw_benc_is_int(n))
		fprintf(f, "%" PRId64, n->num);
	else
		fputs(dflt, f);
}

/* Padded to width, for tables (strings are printed whole). */
static void cell(const struct aegw_benc_node *n, int width)
{
	int len = aegw_benc_is_str(n) && n->len ? (int)n->len : 1;

	put(stdout, n, "-");
	printf("%*s", width > len ? width - len + 1 : 1, "");
}

void aegwctl_print_list(const struct aegw_benc_node *d)
{
	for (const struct aegw_benc_node *it =
		     aegw_benc_list_first(get(d, "calls"));
	     it; it = aegw_benc_list_next(it)) {
		put(stdout, it, "");
		putchar('\n');
	}
}

static void put_time(const char *what, int64_t t)
{
	char buf[64] = "?";
	time_t tt = (time_t)t;
	struct tm tm;

	if (localtime_r(&tt, &tm))
		strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", &tm);
	printf("%s %s", what, buf);
}

static void print_media(const struct aegw_benc_node *m)
{
	const struct aegw_benc_node *s =
		aegw_benc_list_first(get(m, "streams"));
	const struct aegw_benc_node *ep = get(s, "endpoint"),
				    *st = get(s, "stats");

	printf("    media %" PRId64 " ", num(m, "index"));
	put(stdout, get(m, "type"), "-");
	putchar(' ');
	put(stdout, get(m, "mode"), "-");
	putchar(' ');
	put(stdout, get(m, "protocol"), "-");
	printf(": local port %" PRId64 ", peer ", num(s, "local port"));
	put(stdout, get(ep, "address"), "-");
	printf(":%" PRId64 ", packets %" PRId64 ", bytes %" PRId64
	       ", errors %" PRId64 "\n",
	       num(ep, "port"), num(st, "packets"), num(st, "bytes"),
	       num(st, "errors"));
}

/* What each peer's RTCP reports said of the media it receives (the
 * reply's SSRC dictionary, control/quality.h). */
static void print_quality(const struct aegw_benc_node *d)
{
	for (const struct aegw_benc_node *k = aegw_benc_dict_first(get(d, "SSRC"));
	     k; k = aegw_benc_dict_next(k)) {
		const struct aegw_benc_node *r = aegw_benc_dict_value(k),
					    *avg = get(r, "average MOS");

		printf("  reports of SSRC ");
		put(stdout, k, "");
		printf(": MOS %.1f (lowest %.1f, highest %.1f, %" PRId64
		       " samples), loss %" PRId64 "%%, jitter %" PRId64
		       " ms, round trip %.1f ms (its leg %.1f ms)\n",
		       num(avg, "MOS") / 10.0,
		       num(get(r, "lowest MOS"), "MOS") / 10.0,
		       num(get(r, "highest MOS"), "MOS") / 10.0,
		       num(avg, "samples"), num(avg, "packet loss"),
		       num(avg, "jitter"), num(avg, "round-trip time") / 1000.0,
		       num(avg, "round-trip time leg") / 1000.0);
	}
}

/* query and delete: the call, per monologue its media and what its peer
 * sent, the totals, and the quality its peers reported. */
void aegwctl_print_call(const struct aegw_benc_node *d, const char *call_id)
{
	const struct aegw_benc_node *tot = get(d, "totals");

	printf("call ");
	put_bytes(stdout, call_id, strlen(call_id));
	putchar('\n');
	put_time("  created", num(d, "created"));
	put_time(", last signal", num(d, "last signal"));
	putchar('\n');
	for (const struct aegw_benc_node *k = aegw_benc_dict_first(get(d, "tags"));
	     k; k = aegw_benc_dict_next(k)) {
		const struct aegw_benc_node *t = aegw_benc_dict_value(k);

		printf("  tag ");
		put(stdout, k, "");
		putchar('\n');
		for (const struct aegw_benc_node *m =
			     aegw_benc_list_first(get(t, "medias"));
		     m; m = aegw_benc_list_next(m))
			print_media(m);
	}
	printf("  totals: RTP packets %" PRId64 ", bytes %" PRId64
	       ", errors %" PRId64 "; RTCP packets %" PRId64 "\n",
	       num(get(tot, "RTP"), "packets"), num(get(tot, "RTP"), "bytes"),
	       num(get(tot, "RTP"), "errors"), num(get(tot, "RTCP"), "packets"));
	print_quality(d);
	if (get(d, "warning")) {
		fprintf(stderr, "aegwctl: ");
		put(stderr, get(d, "warning"), "");
		fputc('\n', stderr);
	}
}

void aegwctl_print_streams_head(void)
{
	printf("%-8s %-7s %-8s %-9s %-21s %-21s %-21s %10s %12s %7s  %s\n",
	       "ID", "OWNER", "MODE", "ACTION", "LOCAL", "LATCHED",
	       "DESTINATION", "PACKETS", "BYTES", "DROPS", "CALL/MEDIA");
}

static void stream_tail(const struct aegw_benc_node *s)
{
	const struct aegw_benc_node *drops = get(s, "drops");

	if (get(s, "call-id")) {
		put(stdout, get(s, "call-id"), "-");
		printf("/%" PRId64, num(s, "media"));
	} else {
		putchar('-');
	}
	if (!num(s, "in-dataplane"))
		printf(" (not in the dataplane)");
	for (const struct aegw_benc_node *k = aegw_benc_dict_first(drops); k;
	     k = aegw_benc_dict_next(k)) {
		printf(k == drops->child ? " drops: " : ",");
		put(stdout, k, "");
		printf("=%" PRId64, aegw_benc_dict_value(k)->num);
	}
	putchar('\n');
}

unsigned aegwctl_print_streams(const struct aegw_benc_node *d)
{
	unsigned n = 0;

	for (const struct aegw_benc_node *s =
		     aegw_benc_list_first(get(d, "streams"));
	     s; s = aegw_benc_list_next(s), n++) {
		int64_t drops = 0;

		for (const struct aegw_benc_node *k =
			     aegw_benc_dict_first(get(s, "drops"));
		     k; k = aegw_benc_dict_next(k))
			drops += aegw_benc_dict_value(k)->num;
		printf("%-8" PRId64 " ", num(s, "id"));
		cell(get(s, "owner"), 7);
		cell(get(s, "mode"), 8);
		cell(get(s, "action"), 9);
		cell(get(s, "local"), 21);
		cell(get(s, "latched"), 21);
		cell(get(s, "destination"), 21);
		printf("%10" PRId64 " %12" PRId64 " %7" PRId64 "  ",
		       num(s, "packets"), num(s, "bytes"), drops);
		stream_tail(s);
	}
	return n;
}

/* A path element for a list item: its "name" when it is a dictionary that
 * has one (interfaces), else its index. */
static void item_name(const struct aegw_benc_node *it, unsigned i, char *buf,
		      size_t cap)
{
	const struct aegw_benc_node *name = get(it, "name");

	if (aegw_benc_is_str(name) && name->len && name->len < cap &&
	    !memchr(name->str, ' ', name->len))
		snprintf(buf, cap, "%.*s", (int)name->len, name->str);
	else
		snprintf(buf, cap, "%u", i);
}

static void flat(const struct aegw_benc_node *n, char *path, size_t len,
		 size_t cap)
{
	unsigned i = 0;

	if (aegw_benc_is_dict(n)) {
		for (const struct aegw_benc_node *k = aegw_benc_dict_first(n);
		     k; k = aegw_benc_dict_next(k)) {
			int w = snprintf(path + len, cap - len, "%s%.*s",
					 len ? "." : "", (int)k->len, k->str);

			if (w > 0 && (size_t)w < cap - len)
				flat(aegw_benc_dict_value(k), path,
				     len + (size_t)w, cap);
		}
	} else if (aegw_benc_is_list(n)) {
		for (const struct aegw_benc_node *it = aegw_benc_list_first(n);
		     it; it = aegw_benc_list_next(it), i++) {
			char name[64];
			int w;

			item_name(it, i, name, sizeof(name));
			w = snprintf(path + len, cap - len, "%s%s",
				     len ? "." : "", name);
			if (w > 0 && (size_t)w < cap - len)
				flat(it, path, len + (size_t)w, cap);
		}
	} else {
		put_bytes(stdout, path, len);
		putchar(' ');
		put(stdout, n, "\"\"");
		putchar('\n');
	}
}

/* Every value under d as "path.to.key value", one per line; the top-level
 * key skip (the result) is left out. */
void aegwctl_print_flat(const struct aegw_benc_node *d, const char *skip)
{
	char path[512];

	for (const struct aegw_benc_node *k = aegw_benc_dict_first(d); k;
	     k = aegw_benc_dict_next(k)) {
		int w;

		if (skip && aegw_benc_str_eq(k, skip))
			continue;
		w = snprintf(path, sizeof(path), "%.*s", (int)k->len, k->str);
		if (w > 0 && (size_t)w < sizeof(path))
			flat(aegw_benc_dict_value(k), path, (size_t)w,
			     sizeof(path));
	}
}

void aegwctl_print_registrations(const struct aegw_benc_node *d)
{
	unsigned n = 0;

	printf("%-40s %-20s %-10s %-14s %-14s %s\n", "UE-IDENTITY",
	       "ACCESS-NETWORK", "POLICY", "UE-E2AE", "NETWORK-E2AE",
	       "EXPIRES");
	for (const struct aegw_benc_node *r =
		     aegw_benc_list_first(get(d, "registrations"));
	     r; r = aegw_benc_list_next(r), n++) {
		cell(get(r, "ue-identity"), 40);
		cell(get(r, "access-network"), 20);
		cell(get(r, "e2ae-policy"), 10);
		cell(get(r, "e2ae-security"), 14);
		cell(get(r, "e2ae-security-network"), 14);
		printf("%" PRId64 " s\n", num(r, "expires"));
	}
	printf("%u of %" PRId64 " registration(s)\n", n, num(d, "total"));
}

void aegwctl_print_lookup(const struct aegw_benc_node *d)
{
	aegwctl_print_flat(d, "result");
}

static void print_ifaces(const struct aegw_benc_node *l)
{
	printf("interfaces:\n");
	for (const struct aegw_benc_node *f = aegw_benc_list_first(l); f;
	     f = aegw_benc_list_next(f)) {
		printf("  ");
		cell(get(f, "name"), 12);
		cell(get(f, "address"), 16);
		if (get(f, "advertised")) {
			printf("SDP ");
			cell(get(f, "advertised"), 16);
		}
		printf("ports %" PRId64 "-%" PRId64 ", DPDK port %" PRId64
		       ", pairs used %" PRId64 ", free %" PRId64 "\n",
		       num(f, "port-min"), num(f, "port-max"),
		       num(f, "dpdk-port"), num(f, "ports-used"),
		       num(f, "ports-free"));
	}
}

/* "label: a b c" on one line, or label and none for an empty list. */
static void print_words(const char *label, const struct aegw_benc_node *list,
			const char *none)
{
	printf("%s", label);
	if (!aegw_benc_list_first(list))
		printf("%s", none);
	for (const struct aegw_benc_node *n = aegw_benc_list_first(list); n;
	     n = aegw_benc_list_next(n)) {
		putchar(' ');
		put(stdout, n, "");
	}
	putchar('\n');
}

void aegwctl_print_policy(const struct aegw_benc_node *d)
{
	const struct aegw_benc_node *lim = get(d, "limits");

	printf("e2ae policy per access network:\n");
	for (const struct aegw_benc_node *p =
		     aegw_benc_list_first(get(d, "e2ae-policy"));
	     p; p = aegw_benc_list_next(p)) {
		printf("  ");
		cell(get(p, "access-network"), 24);
		put(stdout, get(p, "policy"), "-");
		putchar('\n');
	}
	print_words("suites, in order of preference:", get(d, "suites"), "");
	printf("aegw's own key when the offer names no suite: ");
	put(stdout, get(d, "preferred-suite"), "-");
	putchar('\n');
	print_words("ng requests taken from:", get(d, "ng-allow"),
		    " any source");
	print_ifaces(get(d, "interfaces"));
	printf("limits:\n");
	for (const struct aegw_benc_node *k = aegw_benc_dict_first(lim); k;
	     k = aegw_benc_dict_next(k)) {
		printf("  ");
		cell(k, 20);
		put(stdout, aegw_benc_dict_value(k), "");
		putchar('\n');
	}
}

/* ---- JSON ---------------------------------------------------------------- */

static void json_str(FILE *f, const char *p, size_t n)
{
	fputc('"', f);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20 || c > 0x7e)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void json_indent(FILE *f, unsigned depth)
{
	fputc('\n', f);
	for (unsigned i = 0; i < depth; i++)
		fputs("  ", f);
}

static void json_list(FILE *f, const struct aegw_benc_node *n, unsigned depth)
{
	const struct aegw_benc_node *it = aegw_benc_list_first(n);

	fputc('[', f);
	for (; it; it = aegw_benc_list_next(it)) {
		json_indent(f, depth + 1);
		aegwctl_json(f, it, depth + 1);
		if (it->next)
			fputc(',', f);
	}
	if (n->count)
		json_indent(f, depth);
	fputc(']', f);
}

static void json_dict(FILE *f, const struct aegw_benc_node *n, unsigned depth)
{
	const struct aegw_benc_node *k = aegw_benc_dict_first(n);

	fputc('{', f);
	for (; k; k = aegw_benc_dict_next(k)) {
		json_indent(f, depth + 1);
		json_str(f, k->str, k->len);
		fputs(": ", f);
		aegwctl_json(f, aegw_benc_dict_value(k), depth + 1);
		if (aegw_benc_dict_next(k))
			fputc(',', f);
	}
	if (n->count)
		json_indent(f, depth);
	fputc('}', f);
}

void aegwctl_json(FILE *f, const struct aegw_benc_node *n, unsigned depth)
{
	if (!n)
		fputs("null", f);
	else if (n->type == AEGW_BENC_STR)
		json_str(f, n->str, n->len);
	else if (n->type == AEGW_BENC_INT)
		fprintf(f, "%" PRId64, n->num);
	else if (n->type == AEGW_BENC_LIST)
		json_list(f, n, depth);
	else
		json_dict(f, n, depth);
}
