/* aegwctl: the operator's command line for a running aegw-control, over
 * its control socket (--ctl-socket). Each command is one ng message (or,
 * for `streams`, one per page), built with lib/bencode and answered by
 * the daemon's ng dispatcher: `list`, `show` and `delete` are the very
 * list, query and delete Kamailio sends; `streams`, `registrations`,
 * `policy`, `install` and `uninstall` exist on that socket only. The
 * reply is printed as text or, with --json, as JSON.
 *
 *   aegwctl [--socket PATH | --instance NAME] [--json] COMMAND [ARGS]
 *
 * Exit: 0 ok, 1 the daemon answered an error, 2 usage, 3 no daemon. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "aegw/ng.h"
#include "aegw/wipe.h"
#include "aegwctl.h"

enum {
	EXIT_OK = 0,
	EXIT_ERROR = 1,       /* result: error (or load limit) */
	EXIT_USAGE = 2,
	EXIT_UNREACHABLE = 3, /* no socket, no reply, or not an ng reply */
};

enum {
	TX_MAX = 8192,
	RX_MAX = 1 << 20,     /* above the daemon's largest reply */
	RX_NODES = 1 << 16,
	KEY_TEXT_MAX = 256,
	LIST_LIMIT_DEFAULT = 1000,
	TIMEOUT_S_DEFAULT = 10,
};

/* aegw-control's default --ctl-socket for an instance (control/options.h,
 * CTL_SOCK_DEFAULT_DIR). */
#define AEGWCTL_SOCKET_FMT "/run/aegw/aegw-%s.ctl"

struct aegwctl {
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	bool json;
	int timeout_s;
	int fd;
	unsigned seq;
	char tx[TX_MAX];
	char *rx;
	struct aegw_benc_node *nodes;
	struct aegw_ng_msg reply;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: aegwctl [--socket PATH | --instance NAME] [--json]\n"
		"               [--timeout SECONDS] COMMAND [ARGS]\n"
		"\n"
		"Talks to aegw-control over its control socket (its --ctl-socket,\n"
		"by default /run/aegw/aegw-INSTANCE.ctl).\n"
		"\n"
		"  --socket PATH         the control socket\n"
		"  --instance NAME       the daemon's instance (default aegw)\n"
		"  --json                print the reply as JSON\n"
		"  --timeout SECONDS     wait this long for a reply (default %d)\n"
		"  --help                this text\n"
		"\n"
		"commands:\n"
		"  ping                          pong when the daemon answers\n"
		"  list [--limit N]              call-ids (default %d)\n"
		"  show CALL-ID                  a call: media, peers, counters\n"
		"  delete CALL-ID [--from-tag T] delete a call now, with its counters\n"
		"  streams                       every stream: owner, action,\n"
		"                                addresses, counters, drops\n"
		"  counters                      the daemon's statistics\n"
		"  registrations [--limit N]     the registration store\n"
		"  lookup UE-IDENTITY            one registration\n"
		"  policy                        e2ae policy per access network,\n"
		"                                suites, interfaces, limits\n"
		"  install OPTIONS               a static stream, by hand\n"
		"  uninstall ID                  remove a static stream (or one a\n"
		"                                previous daemon left)\n"
		"\n"
		"install OPTIONS:\n"
		"  --interface NAME      where it arrives (required)\n"
		"  --port N              aegw's UDP port there (required)\n"
		"  --action ACTION       relay, e2ae-in, e2ae-out, recrypt (required)\n"
		"  --peer ADDR:PORT      where it sends (required)\n"
		"  --out-interface NAME  where it leaves (default: --interface)\n"
		"  --source-port N       aegw's port it sends from (default: --port)\n"
		"  --remote ADDR:PORT    the only sender taken (default: the first\n"
		"                        one, latched)\n"
		"  --in-key KEY          unprotect key (e2ae-in, recrypt)\n"
		"  --out-key KEY         protect key (e2ae-out, recrypt)\n"
		"  --rtcp-mux            RTCP on the RTP port\n"
		"  --rtcp-out mux|split  RTCP toward --peer on the RTP port or\n"
		"                        on port + 1 (default: as it arrives)\n"
		"KEY is SUITE:INLINE, @FILE (its first line) or - (a line of\n"
		"standard input). A key on the command line is visible to other\n"
		"users (ps): prefer @FILE or -.\n"
		"\n"
		"Exit status: 0 ok, 1 the daemon answered an error, 2 usage,\n"
		"3 the daemon cannot be reached.\n",
		TIMEOUT_S_DEFAULT, LIST_LIMIT_DEFAULT);
}

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "aegwctl: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, " (see --help)\n");
	return EXIT_USAGE;
}

static int unreachable(const struct aegwctl *c, const char *what)
{
	fprintf(stderr, "aegwctl: aegw-control at %s: %s\n", c->path, what);
	return EXIT_UNREACHABLE;
}

/* ---- the socket ----------------------------------------------------- */

static int connect_daemon(struct aegwctl *c)
{
	struct sockaddr_un sa;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, c->path, sizeof(sa.sun_path));
	c->fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (c->fd < 0 ||
	    connect(c->fd, (const struct sockaddr *)&sa, sizeof(sa))) {
		int rc = unreachable(c, strerror(errno));

		if (c->fd >= 0)
			close(c->fd);
		c->fd = -1;
		return rc;
	}
	return EXIT_OK;
}

/* A request is framed as a reply is: "COOKIE d...e". */
static void req_begin(struct aegwctl *c, struct aegw_benc_enc *e,
		      const char *command)
{
	char cookie[40];
	int n = snprintf(cookie, sizeof(cookie), "aegwctl-%d-%u", (int)getpid(),
			 c->seq++);

	aegw_ng_reply_begin(e, c->tx, sizeof(c->tx),
			    (struct aegw_ng_str){ cookie, (size_t)n });
	aegw_benc_dict_add_cstr(e, "command", command);
}

static int receive(struct aegwctl *c, struct aegw_ng_str cookie)
{
	struct pollfd p = { c->fd, POLLIN, 0 };
	ssize_t n;

	if (poll(&p, 1, c->timeout_s * 1000) != 1)
		return unreachable(c, "no reply in time");
	n = recv(c->fd, c->rx, RX_MAX, 0);
	if (n <= 0)
		return unreachable(c, n ? strerror(errno) :
					  "it closed the connection");
	if (aegw_ng_parse(c->rx, (size_t)n, c->nodes, RX_NODES, &c->reply,
			  NULL))
		return unreachable(c, "its reply is not an ng message");
	if (c->reply.cookie.len != cookie.len ||
	    memcmp(c->reply.cookie.p, cookie.p, cookie.len))
		return unreachable(c, "its reply has another cookie");
	return EXIT_OK;
}

/* The result: ok and pong are success; an error's reason goes to stderr
 * (and, with --json, the whole reply to stdout). */
static int verdict(const struct aegwctl *c)
{
	const struct aegw_benc_node *d = c->reply.dict,
				    *res = aegw_benc_dict_get(d, "result"),
				    *why = aegw_benc_dict_get(d, "error-reason");

	if (aegw_benc_str_eq(res, "ok") || aegw_benc_str_eq(res, "pong"))
		return EXIT_OK;
	if (c->json) {
		aegwctl_json(stdout, d, 0);
		putchar('\n');
	}
	if (aegw_benc_is_str(why))
		fprintf(stderr, "aegwctl: %.*s\n", (int)why->len, why->str);
	else if (aegw_benc_is_str(res))
		fprintf(stderr, "aegwctl: result: %.*s\n", (int)res->len,
			res->str);
	else
		fprintf(stderr, "aegwctl: a reply without a result\n");
	return EXIT_ERROR;
}

/* Sends the request e holds (then wipes it: an install's carries keys),
 * reads the reply into c->reply. */
static int transact(struct aegwctl *c, struct aegw_benc_enc *e)
{
	size_t n = aegw_ng_reply_end(e);
	const char *sp = memchr(c->tx, ' ', n);
	char cookie[AEGW_NG_COOKIE_MAX];
	struct aegw_ng_str ck = { cookie, sp ? (size_t)(sp - c->tx) : 0 };
	ssize_t sent;
	int rc;

	if (!n || !sp || ck.len > sizeof(cookie)) {
		aegw_wipe(c->tx, sizeof(c->tx));
		fprintf(stderr, "aegwctl: request too large\n");
		return EXIT_USAGE;
	}
	memcpy(cookie, c->tx, ck.len);
	if (c->fd < 0 && (rc = connect_daemon(c))) {
		aegw_wipe(c->tx, n);
		return rc;
	}
	sent = send(c->fd, c->tx, n, MSG_NOSIGNAL);
	aegw_wipe(c->tx, n);
	if (sent != (ssize_t)n)
		return unreachable(c, sent < 0 ? strerror(errno) : "short send");
	rc = receive(c, ck);
	return rc ? rc : verdict(c);
}

/* ---- commands ----------------------------------------------------------- */

typedef void print_fn(const struct aegw_benc_node *d);

/* The reply as JSON, or through its printer. */
static void show_reply(const struct aegwctl *c, print_fn *print)
{
	if (c->json) {
		aegwctl_json(stdout, c->reply.dict, 0);
		putchar('\n');
	} else {
		print(c->reply.dict);
	}
}

static int parse_int(const char *s, int64_t min, int64_t max, int64_t *v)
{
	char *end;
	long long x;

	errno = 0;
	x = strtoll(s, &end, 10);
	if (errno || *end || !*s || x < min || x > max)
		return -1;
	*v = x;
	return 0;
}

static void print_pong(const struct aegw_benc_node *d)
{
	(void)d;
	printf("pong\n");
}

/* A command without arguments: argv[0] names it to the user, command to
 * the daemon. */
static int bare_cmd(struct aegwctl *c, int argc, char **argv,
		    const char *command, print_fn *print)
{
	struct aegw_benc_enc e;
	int rc;

	if (argc != 1)
		return usage_error("%s takes no argument", argv[0]);
	req_begin(c, &e, command);
	if (!(rc = transact(c, &e)))
		show_reply(c, print);
	return rc;
}

static int cmd_ping(struct aegwctl *c, int argc, char **argv)
{
	return bare_cmd(c, argc, argv, "ping", print_pong);
}

/* --limit N, the one option of list and registrations. */
static int limit_option(int argc, char **argv, int64_t *limit)
{
	static const struct option opts[] = {
		{ "limit", required_argument, NULL, 'l' },
		{ 0 },
	};
	int o;

	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1)
		if (o != 'l' || parse_int(optarg, 1, 10000000, limit))
			return usage_error("%s: bad option or --limit", argv[0]);
	if (optind != argc)
		return usage_error("unexpected '%s'", argv[optind]);
	return EXIT_OK;
}

/* A command whose only option is --limit: list, registrations. */
static int limited_cmd(struct aegwctl *c, int argc, char **argv,
		       const char *command, print_fn *print)
{
	int64_t limit = LIST_LIMIT_DEFAULT;
	struct aegw_benc_enc e;
	int rc = limit_option(argc, argv, &limit);

	if (rc)
		return rc;
	req_begin(c, &e, command);
	aegw_benc_dict_add_int(&e, "limit", limit);
	if (!(rc = transact(c, &e)))
		show_reply(c, print);
	return rc;
}

static int cmd_list(struct aegwctl *c, int argc, char **argv)
{
	return limited_cmd(c, argc, argv, "list", aegwctl_print_list);
}

static int cmd_show(struct aegwctl *c, int argc, char **argv)
{
	struct aegw_benc_enc e;
	int rc;

	if (argc != 2)
		return usage_error("show needs a CALL-ID%s", "");
	req_begin(c, &e, "query");
	aegw_benc_dict_add_cstr(&e, "call-id", argv[1]);
	if ((rc = transact(c, &e)))
		return rc;
	if (c->json) {
		aegwctl_json(stdout, c->reply.dict, 0);
		putchar('\n');
	} else {
		aegwctl_print_call(c->reply.dict, argv[1]);
	}
	return EXIT_OK;
}

/* An operator's delete is at once: `delete delay` 0 overrides the
 * daemon's --delete-delay, which is there for the P-CSCF's deletes. */
static int cmd_delete(struct aegwctl *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "from-tag", required_argument, NULL, 'f' },
		{ 0 },
	};
	const char *from_tag = NULL;
	struct aegw_benc_enc e;
	int o, rc;

	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (o != 'f')
			return usage_error("delete: bad option%s", "");
		from_tag = optarg;
	}
	if (optind != argc - 1)
		return usage_error("delete needs one CALL-ID%s", "");
	req_begin(c, &e, "delete");
	aegw_benc_dict_add_cstr(&e, "call-id", argv[optind]);
	aegw_benc_dict_add_int(&e, "delete delay", 0);
	if (from_tag)
		aegw_benc_dict_add_cstr(&e, "from-tag", from_tag);
	if ((rc = transact(c, &e)))
		return rc;
	if (c->json) {
		aegwctl_json(stdout, c->reply.dict, 0);
		putchar('\n');
	} else if (aegw_benc_dict_get(c->reply.dict, "warning")) {
		const struct aegw_benc_node *w =
			aegw_benc_dict_get(c->reply.dict, "warning");

		fprintf(stderr, "aegwctl: %.*s\n", (int)w->len, w->str);
	} else {
		aegwctl_print_call(c->reply.dict, argv[optind]);
		printf("deleted\n");
	}
	return EXIT_OK;
}

/* The first page opens the JSON document, each page adds its streams. */
static void streams_json(const struct aegw_benc_node *d, bool first)
{
	const struct aegw_benc_node *l = aegw_benc_dict_get(d, "streams");

	if (first) {
		printf("{\n  \"dataplane\": ");
		aegwctl_json(stdout, aegw_benc_dict_get(d, "dataplane"), 1);
		printf(",\n  \"result\": \"ok\",\n  \"streams\": [");
	}
	for (const struct aegw_benc_node *s = aegw_benc_list_first(l); s;
	     s = aegw_benc_list_next(s)) {
		printf("%s\n    ", first && s == l->child ? "" : ",");
		aegwctl_json(stdout, s, 2);
	}
}

/* Page after page until the daemon gives no `next`. */
static int cmd_streams(struct aegwctl *c, int argc, char **argv)
{
	int64_t after = 0, next;
	struct aegw_benc_enc e;
	bool first = true;
	int rc;

	(void)argv;
	if (argc != 1)
		return usage_error("streams takes no argument%s", "");
	for (;; first = false) {
		const struct aegw_benc_node *d, *dp;

		req_begin(c, &e, "streams");
		aegw_benc_dict_add_int(&e, "after", after);
		if ((rc = transact(c, &e)))
			return rc;
		d = c->reply.dict;
		dp = aegw_benc_dict_get(d, "dataplane");
		if (c->json) {
			streams_json(d, first);
		} else {
			if (first)
				aegwctl_print_streams_head();
			aegwctl_print_streams(d);
			if (first && dp && !aegw_benc_str_eq(dp, "ok"))
				fprintf(stderr, "aegwctl: dataplane: %.*s\n",
					(int)dp->len, dp->str);
		}
		if (aegw_benc_get_int(aegw_benc_dict_get(d, "next"), &next) ||
		    next <= after)
			break;
		after = next;
	}
	if (c->json)
		printf("\n  ]\n}\n");
	return EXIT_OK;
}

static void print_counters(const struct aegw_benc_node *d)
{
	aegwctl_print_flat(aegw_benc_dict_get(d, "statistics"), NULL);
}

static int cmd_counters(struct aegwctl *c, int argc, char **argv)
{
	return bare_cmd(c, argc, argv, "statistics", print_counters);
}

static int cmd_registrations(struct aegwctl *c, int argc, char **argv)
{
	return limited_cmd(c, argc, argv, "registrations",
			   aegwctl_print_registrations);
}

static int cmd_lookup(struct aegwctl *c, int argc, char **argv)
{
	struct aegw_benc_enc e;
	int rc;

	if (argc != 2)
		return usage_error("lookup needs a UE-IDENTITY%s", "");
	req_begin(c, &e, "lookup");
	aegw_benc_dict_add_cstr(&e, "ue-identity", argv[1]);
	if (!(rc = transact(c, &e)))
		show_reply(c, aegwctl_print_lookup);
	return rc;
}

static int cmd_policy(struct aegwctl *c, int argc, char **argv)
{
	return bare_cmd(c, argc, argv, "policy", aegwctl_print_policy);
}

/* ---- install -------------------------------------------------------- */

/* SUITE:INLINE as given, from @FILE's first line, or from a line of
 * standard input (-); read unbuffered, so that no stdio buffer keeps a
 * copy. buf holds a key: the caller wipes it. */
static int key_text(const char *arg, char *buf, size_t cap)
{
	FILE *f = !strcmp(arg, "-") ? stdin :
		  arg[0] == '@' ? fopen(arg + 1, "r") : NULL;
	bool ok;

	if (!f && strcmp(arg, "-") && arg[0] != '@') {
		if (strlen(arg) >= cap)
			return -1;
		memcpy(buf, arg, strlen(arg) + 1);
		return 0;
	}
	if (!f)
		return -1;
	setvbuf(f, NULL, _IONBF, 0);
	ok = fgets(buf, (int)cap, f) != NULL;
	if (f != stdin)
		fclose(f);
	buf[ok ? strcspn(buf, "\r\n") : 0] = 0;
	return ok && buf[0] ? 0 : -1;
}

struct install_args {
	int64_t port, source_port;
	const char *iface, *out_iface, *action, *peer, *remote;
	bool rtcp_mux;
	const char *rtcp_out;
	char in_key[KEY_TEXT_MAX], out_key[KEY_TEXT_MAX];
};

static int install_option(struct install_args *a, int o, const char *arg)
{
	switch (o) {
	case 'i': a->iface = arg; return 0;
	case 'o': a->out_iface = arg; return 0;
	case 'a': a->action = arg; return 0;
	case 'P': a->peer = arg; return 0;
	case 'r': a->remote = arg; return 0;
	case 'm': a->rtcp_mux = true; return 0;
	case 'x': a->rtcp_out = arg;
		  return strcmp(arg, "mux") && strcmp(arg, "split") ? -1 : 0;
	case 'p': return parse_int(arg, 1, 65535, &a->port);
	case 's': return parse_int(arg, 1, 65535, &a->source_port);
	case 'k': return key_text(arg, a->in_key, sizeof(a->in_key));
	case 'K': return key_text(arg, a->out_key, sizeof(a->out_key));
	default: return -1;
	}
}

static int install_args(struct install_args *a, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "interface", required_argument, NULL, 'i' },
		{ "out-interface", required_argument, NULL, 'o' },
		{ "port", required_argument, NULL, 'p' },
		{ "source-port", required_argument, NULL, 's' },
		{ "action", required_argument, NULL, 'a' },
		{ "peer", required_argument, NULL, 'P' },
		{ "remote", required_argument, NULL, 'r' },
		{ "in-key", required_argument, NULL, 'k' },
		{ "out-key", required_argument, NULL, 'K' },
		{ "rtcp-mux", no_argument, NULL, 'm' },
		{ "rtcp-out", required_argument, NULL, 'x' },
		{ 0 },
	};
	int o;

	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1)
		if (install_option(a, o, optarg))
			return usage_error("install: bad option or value (%s)",
					   argv[optind - 1]);
	if (optind != argc)
		return usage_error("unexpected '%s'", argv[optind]);
	if (!a->iface || !a->port || !a->action || !a->peer)
		return usage_error("install needs --interface, --port, "
				   "--action and --peer%s", "");
	return EXIT_OK;
}

static void install_req(struct aegwctl *c, struct aegw_benc_enc *e,
			const struct install_args *a)
{
	req_begin(c, e, "install");
	aegw_benc_dict_add_cstr(e, "action", a->action);
	if (a->rtcp_mux || a->rtcp_out) {
		aegw_benc_add_cstr(e, "flags");
		aegw_benc_list_begin(e);
		if (a->rtcp_mux)
			aegw_benc_add_cstr(e, "rtcp-mux");
		if (a->rtcp_out)
			aegw_benc_add_cstr(e, strcmp(a->rtcp_out, "mux") ?
						      "rtcp-out-split" :
						      "rtcp-out-mux");
		aegw_benc_end(e);
	}
	if (a->in_key[0])
		aegw_benc_dict_add_cstr(e, "in-key", a->in_key);
	aegw_benc_dict_add_cstr(e, "interface", a->iface);
	if (a->out_iface)
		aegw_benc_dict_add_cstr(e, "out-interface", a->out_iface);
	if (a->out_key[0])
		aegw_benc_dict_add_cstr(e, "out-key", a->out_key);
	aegw_benc_dict_add_cstr(e, "peer", a->peer);
	aegw_benc_dict_add_int(e, "port", a->port);
	if (a->remote)
		aegw_benc_dict_add_cstr(e, "remote", a->remote);
	if (a->source_port)
		aegw_benc_dict_add_int(e, "source-port", a->source_port);
}

static void print_installed(const struct aegw_benc_node *d)
{
	const struct aegw_benc_node *i = aegw_benc_dict_get(d, "interface");
	int64_t id = 0, port = 0;

	aegw_benc_get_int(aegw_benc_dict_get(d, "id"), &id);
	aegw_benc_get_int(aegw_benc_dict_get(d, "port"), &port);
	printf("stream %" PRId64 " installed on %.*s port %" PRId64 "\n", id,
	       aegw_benc_is_str(i) ? (int)i->len : 0,
	       aegw_benc_is_str(i) ? i->str : "", port);
}

/* The reply names the stream only; nothing of the key is echoed. */
static int cmd_install(struct aegwctl *c, int argc, char **argv)
{
	struct install_args a;
	struct aegw_benc_enc e;
	int rc;

	memset(&a, 0, sizeof(a));
	rc = install_args(&a, argc, argv);
	if (!rc) {
		install_req(c, &e, &a);
		rc = transact(c, &e);
	}
	aegw_wipe(&a, sizeof(a));
	if (!rc)
		show_reply(c, print_installed);
	return rc;
}

static int cmd_uninstall(struct aegwctl *c, int argc, char **argv)
{
	struct aegw_benc_enc e;
	int64_t id;
	int rc;

	if (argc != 2 || parse_int(argv[1], 1, UINT32_MAX, &id))
		return usage_error("uninstall needs a stream ID%s", "");
	req_begin(c, &e, "uninstall");
	aegw_benc_dict_add_int(&e, "id", id);
	if ((rc = transact(c, &e)))
		return rc;
	if (c->json) {
		aegwctl_json(stdout, c->reply.dict, 0);
		putchar('\n');
	} else {
		printf("stream %" PRId64 " uninstalled\n", id);
	}
	return EXIT_OK;
}

/* ---- main --------------------------------------------------------------- */

static const struct {
	const char *name;
	int (*fn)(struct aegwctl *c, int argc, char **argv);
} commands[] = {
	{ "ping", cmd_ping },
	{ "list", cmd_list },
	{ "show", cmd_show },
	{ "delete", cmd_delete },
	{ "streams", cmd_streams },
	{ "counters", cmd_counters },
	{ "registrations", cmd_registrations },
	{ "lookup", cmd_lookup },
	{ "policy", cmd_policy },
	{ "install", cmd_install },
	{ "uninstall", cmd_uninstall },
};

static int set_path(struct aegwctl *c, const char *fmt, const char *arg)
{
	int n = snprintf(c->path, sizeof(c->path), fmt, arg);

	return n > 0 && (size_t)n < sizeof(c->path) ? 0 : -1;
}

/* One option before COMMAND that takes a value v. 0, or -1. */
static int global_value(struct aegwctl *c, const char *o, const char *v)
{
	int64_t t;

	if (!strcmp(o, "--socket"))
		return set_path(c, "%s", v);
	if (!strcmp(o, "--instance"))
		return set_path(c, AEGWCTL_SOCKET_FMT, v);
	if (!strcmp(o, "--timeout") && !parse_int(v, 1, 3600, &t)) {
		c->timeout_s = (int)t;
		return 0;
	}
	return -1;
}

/* The options before COMMAND; the index of COMMAND, or -1 (exit with
 * *rc: help or a usage error). */
static int globals(struct aegwctl *c, int argc, char **argv, int *rc)
{
	int i = 1;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			*rc = EXIT_OK;
			return -1;
		}
		if (!strcmp(argv[i], "--json")) {
			c->json = true;
			continue;
		}
		if (i + 1 == argc || global_value(c, argv[i], argv[i + 1])) {
			*rc = usage_error("bad option or value '%s'", argv[i]);
			return -1;
		}
		i++;
	}
	if (i == argc) {
		*rc = usage_error("no command%s", "");
		return -1;
	}
	return i;
}

int main(int argc, char **argv)
{
	static struct aegwctl c;
	int rc = EXIT_USAGE, i;

	c.fd = -1;
	c.timeout_s = TIMEOUT_S_DEFAULT;
	set_path(&c, AEGWCTL_SOCKET_FMT, "aegw");
	i = globals(&c, argc, argv, &rc);
	if (i < 0)
		return rc;
	c.rx = malloc(RX_MAX);
	c.nodes = calloc(RX_NODES, sizeof(*c.nodes));
	if (!c.rx || !c.nodes) {
		fprintf(stderr, "aegwctl: out of memory\n");
		return EXIT_UNREACHABLE;
	}
	rc = -1;
	for (size_t k = 0; k < sizeof(commands) / sizeof(*commands); k++)
		if (!strcmp(argv[i], commands[k].name))
			rc = commands[k].fn(&c, argc - i, argv + i);
	if (rc < 0)
		rc = usage_error("unknown command '%s'", argv[i]);
	if (c.fd >= 0)
		close(c.fd);
	aegw_wipe(c.rx, RX_MAX);
	free(c.rx);
	free(c.nodes);
	return rc;
}
