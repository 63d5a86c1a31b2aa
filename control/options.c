/* Command-line parsing: listeners, the dataplane instance, interfaces,
 * the registration store's size and the e2ae policy per access network. */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "log.h"
#include "options.h"

static int fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

void ctl_options_usage(FILE *f, const char *prog)
{
	fprintf(f,
		"usage: %s [options]\n"
		"\n"
		"  --listen-ng ADDR:PORT       ng protocol over UDP (repeatable;\n"
		"                              default 127.0.0.1:2223)\n"
		"  --listen-tcp-ng ADDR:PORT   ng protocol over TCP (repeatable)\n"
		"  --ng-allow ADDR[/PREFIX]    take ng requests only from these\n"
		"                              networks (repeatable; default: any)\n"
		"  --ng-cache-mb N             replies kept for retransmissions,\n"
		"                              at most N MiB (default %u)\n"
		"  --listen-metrics ADDR:PORT  Prometheus text on HTTP /metrics\n"
		"                              (default: none)\n"
		"  --config FILE               read options from an INI file first\n"
		"                              (docs/CONFIGURATION.md); the command\n"
		"                              line overrides it\n"
		"  --instance NAME             the dataplane's ring (default aegw)\n"
		"  --interface NAME=ADDR[!ADVERTISED][/PORTMIN-PORTMAX][@DPDKPORT]\n"
		"                              a media interface (repeatable; the\n"
		"                              first faces the UEs by default);\n"
		"                              SDP names ADVERTISED if given (a\n"
		"                              1:1 NAT's address); ports default\n"
		"                              to %u-%u, the DPDK port to the\n"
		"                              interface's position\n"
		"  --srtp-suites NAME[,NAME]   the SRTP suites aegw terminates, most\n"
		"                              preferred first (default: all eight,\n"
		"                              AES_CM_128_HMAC_SHA1_80 first)\n"
		"  --max-sessions N            refuse new calls beyond N\n"
		"                              ('load limit'; default: no limit)\n"
		"  --max-registrations N       registration store size (default\n"
		"                              %u); a register beyond it fails\n"
		"  --e2ae-policy ACCESS=off|supported|preferred\n"
		"                              TS 33.328 e2ae per access network\n"
		"                              (P-Access-Network-Info type, e.g.\n"
		"                              3GPP-E-UTRAN-FDD; repeatable; ACCESS\n"
		"                              '*' or 'default' for the others,\n"
		"                              which default to 'supported')\n"
		"  --timeout N                 delete an answered call whose media\n"
		"                              saw no packet for N s (default %u;\n"
		"                              0: never)\n"
		"  --silent-timeout N          the same for a call none of whose\n"
		"                              media is to flow (held: inactive,\n"
		"                              recvonly both ways) (default %u;\n"
		"                              0: never)\n"
		"  --offer-timeout N           delete a call not answered within\n"
		"                              N s of its last offer (default %u;\n"
		"                              0: never)\n"
		"  --final-timeout N           delete every call N s after it was\n"
		"                              created (default 0: never)\n"
		"  --delete-delay N            a delete without 'delete delay'\n"
		"                              removes the call after N s\n"
		"                              (default 0: at once)\n"
		"  --mos-formula legacy|g107   the MOS delete and query give:\n"
		"                              as rtpengine up to 13.0 (legacy,\n"
		"                              the default) or from 13.1 (g107)\n"
		"  --journal on|off            keep calls and registrations in\n"
		"                              /aegw-INSTANCE-calls and -regs for a\n"
		"                              restarted daemon (default on)\n"
		"  --ctl-socket PATH|none      aegwctl's unix socket, mode 0660\n"
		"                              (default %s/aegw-INSTANCE.ctl)\n"
		"  --log-level N               syslog level: 3 errors, 4 warnings,\n"
		"                              6 info (default), 7 debug\n"
		"  --help                      this text\n"
		"\n"
		"IPv6 as [ADDR]:PORT for listeners, plain ADDR in --interface.\n"
		"Example: --interface access=10.0.0.1/20000-29999@0\n"
		"         --interface core=192.168.0.1/30000-39999@1\n",
		prog, CTL_DEFAULT_CACHE_MB, CTL_DEFAULT_PORT_MIN,
		CTL_DEFAULT_PORT_MAX,
		CTL_DEFAULT_MAX_REGISTRATIONS, CTL_DEFAULT_TIMEOUT_S,
		CTL_DEFAULT_SILENT_TIMEOUT_S, CTL_DEFAULT_OFFER_TIMEOUT_S,
		CTL_SOCK_DEFAULT_DIR);
}

int ctl_listen_parse(const char *s, struct ctl_listen *l, char *err,
		     size_t errlen)
{
	char host[256];
	const char *colon, *h = s;
	size_t hlen;
	struct addrinfo hints = { .ai_socktype = SOCK_DGRAM,
				  .ai_flags = AI_NUMERICSERV }, *ai;
	int rc;

	memset(l, 0, sizeof(*l));
	colon = strrchr(s, ':');
	if (!colon || colon == s || !colon[1])
		return fail(err, errlen, "listener '%s': expected ADDR:PORT", s);
	hlen = (size_t)(colon - s);
	if (s[0] == '[' && colon[-1] == ']') {
		h = s + 1;
		hlen -= 2;
	}
	if (hlen == 0 || hlen >= sizeof(host))
		return fail(err, errlen, "listener '%s': bad address", s);
	memcpy(host, h, hlen);
	host[hlen] = 0;
	rc = getaddrinfo(host, colon + 1, &hints, &ai);
	if (rc)
		return fail(err, errlen, "listener '%s': %s", s,
			    gai_strerror(rc));
	memcpy(&l->ss, ai->ai_addr, ai->ai_addrlen);
	l->len = ai->ai_addrlen;
	freeaddrinfo(ai);
	snprintf(l->text, sizeof(l->text), "%s", s);
	return 0;
}

static int parse_u16(const char *s, size_t n, uint16_t *v)
{
	char buf[8];
	char *end;
	unsigned long x;

	if (n == 0 || n >= sizeof(buf))
		return -1;
	memcpy(buf, s, n);
	buf[n] = 0;
	errno = 0;
	x = strtoul(buf, &end, 10);
	if (errno || *end || buf[0] < '0' || buf[0] > '9' || x > 65535)
		return -1;
	*v = (uint16_t)x;
	return 0;
}

/* An IPv4 or IPv6 address (IPv6 bracketed or not) into ep and its
 * canonical text. */
static int parse_ip(const char *s, size_t n, struct aegw_endpoint *ep,
		    char text[CTL_ADDR_TEXT_MAX])
{
	char buf[CTL_ADDR_TEXT_MAX];

	if (n >= 2 && s[0] == '[' && s[n - 1] == ']') {
		s++;
		n -= 2;
	}
	if (n == 0 || n >= sizeof(buf))
		return -1;
	memcpy(buf, s, n);
	buf[n] = 0;
	memset(ep, 0, sizeof(*ep));
	if (inet_pton(AF_INET, buf, ep->ip) == 1)
		ep->family = 4;
	else if (inet_pton(AF_INET6, buf, ep->ip) == 1)
		ep->family = 6;
	else
		return -1;
	inet_ntop(ep->family == 4 ? AF_INET : AF_INET6, ep->ip, text,
		  CTL_ADDR_TEXT_MAX);
	return 0;
}

/* What a peer can send to: not 0.0.0.0 or :: (RFC 3264's hold in a c=),
 * not multicast, not IPv4 mapped into IPv6. */
static bool unicast(const struct aegw_endpoint *ep)
{
	static const uint8_t zero[16], mapped[12] = { [10] = 0xff, [11] = 0xff };

	if (ep->family == 4)
		return memcmp(ep->ip, zero, 4) && ep->ip[0] < 224;
	return memcmp(ep->ip, zero, 16) && ep->ip[0] != 0xff &&
	       memcmp(ep->ip, mapped, 12);
}

/* "MIN-MAX" */
static int parse_range(const char *s, size_t n, struct ctl_iface_cfg *ifc)
{
	const char *dash = memchr(s, '-', n);

	if (!dash || parse_u16(s, (size_t)(dash - s), &ifc->port_min) ||
	    parse_u16(dash + 1, n - (size_t)(dash - s) - 1, &ifc->port_max))
		return -1;
	return 0;
}

static bool name_ok(const char *s, size_t n)
{
	if (n == 0 || n > CTL_IFACE_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || strchr("_-.", s[i])))
			return false;
	return true;
}

int ctl_iface_init(struct ctl_iface_cfg *ifc, const char *name, size_t n,
		   unsigned index)
{
	memset(ifc, 0, sizeof(*ifc));
	if (!name_ok(name, n))
		return -1;
	memcpy(ifc->name, name, n);
	ifc->port_min = CTL_DEFAULT_PORT_MIN;
	ifc->port_max = CTL_DEFAULT_PORT_MAX;
	ifc->dpdk_port = (uint16_t)index;
	return 0;
}

const char *ctl_iface_field(struct ctl_iface_cfg *ifc, const char *key,
			    const char *value, size_t n)
{
	if (!strcmp(key, "addr"))
		return parse_ip(value, n, &ifc->addr, ifc->addr_text) ?
			       "bad address (IPv4 or IPv6)" : NULL;
	if (!strcmp(key, "advertised"))
		return parse_ip(value, n, &ifc->advertised,
				ifc->advertised_text) ||
				       !unicast(&ifc->advertised) ?
			       "bad advertised address (an IPv4 or IPv6 "
			       "unicast address)" : NULL;
	if (!strcmp(key, "dpdk-port"))
		return parse_u16(value, n, &ifc->dpdk_port) ?
			       "bad DPDK port" : NULL;
	if (strcmp(key, "ports"))
		return "unknown key (an interface takes addr, advertised, "
		       "ports, dpdk-port)";
	if (parse_range(value, n, ifc))
		return "bad port range (MIN-MAX)";
	/* RTP on an even port, RTCP on the next: at least one pair. */
	if (ifc->port_min == 0 ||
	    (ifc->port_min + 1u) / 2 * 2 + 1 > ifc->port_max)
		return "the range holds no even/odd port pair";
	return NULL;
}

int ctl_iface_parse(const char *s, unsigned index, struct ctl_iface_cfg *ifc,
		    char *err, size_t errlen)
{
	const char *eq = strchr(s, '='), *at, *slash, *bang, *end, *why;

	if (!eq || ctl_iface_init(ifc, s, (size_t)(eq - s), index))
		return fail(err, errlen, "interface '%s': expected NAME=ADDR"
			    "[!ADVERTISED][/PORTMIN-PORTMAX][@DPDKPORT]", s);
	at = strchr(eq, '@');
	end = at ? at : eq + strlen(eq);
	slash = memchr(eq, '/', (size_t)(end - eq));
	end = slash ? slash : end; /* the addresses end here */
	bang = memchr(eq, '!', (size_t)(end - eq));
	if ((at && (why = ctl_iface_field(ifc, "dpdk-port", at + 1,
					  strlen(at + 1)))) ||
	    (slash && (why = ctl_iface_field(ifc, "ports", slash + 1,
					     (size_t)((at ? at : slash +
						       strlen(slash)) -
						      slash - 1)))) ||
	    (bang && (why = ctl_iface_field(ifc, "advertised", bang + 1,
					    (size_t)(end - bang - 1)))) ||
	    (why = ctl_iface_field(ifc, "addr", eq + 1,
				   (size_t)((bang ? bang : end) - eq - 1))))
		return fail(err, errlen, "interface '%s': %s", s, why);
	return 0;
}

/* The address peers are given in SDP. */
static const struct aegw_endpoint *sdp_ep(const struct ctl_iface_cfg *c)
{
	return c->advertised.family ? &c->advertised : &c->addr;
}

/* Two interfaces on one address must not share ports: the dataplane
 * knows a stream by its local address and port, and peers by the SDP's
 * (a NAT delivers to one of them only). */
static int check_ifaces(const struct ctl_options *o, char *err, size_t errlen)
{
	for (unsigned i = 0; i < o->n_ifaces; i++) {
		if (o->ifaces[i].addr.family == 0)
			return fail(err, errlen, "interface '%s' has no addr",
				    o->ifaces[i].name);
		/* Peers are judged by the family of the address they are
		 * given in SDP and reached by addr's. */
		if (o->ifaces[i].advertised.family &&
		    o->ifaces[i].advertised.family != o->ifaces[i].addr.family)
			return fail(err, errlen, "interface '%s': the advertised "
				    "address must be of addr's family",
				    o->ifaces[i].name);
		for (unsigned j = 0; j < i; j++) {
			const struct ctl_iface_cfg *a = &o->ifaces[i],
						   *b = &o->ifaces[j];

			if (!strcmp(a->name, b->name))
				return fail(err, errlen, "interface '%s' given "
					    "twice", a->name);
			if ((ctl_same_ip(&a->addr, &b->addr) ||
			     ctl_same_ip(sdp_ep(a), sdp_ep(b))) &&
			    a->port_min <= b->port_max &&
			    b->port_min <= a->port_max)
				return fail(err, errlen, "interfaces '%s' and "
					    "'%s' share an address and ports",
					    b->name, a->name);
		}
	}
	return 0;
}

static int instance_ok(const char *s)
{
	size_t n = strlen(s);

	return n >= 1 && n <= AEGW_INSTANCE_MAX &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			 "0123456789_.-") == n;
}

static int parse_uint(const char *s, unsigned max, unsigned *v)
{
	char *end;
	unsigned long x;

	errno = 0;
	x = strtoul(s, &end, 10);
	if (errno || *end || !*s || s[0] == '-' || x > max)
		return -1;
	*v = (unsigned)x;
	return 0;
}

/* syslog levels, as rtpengine's --log-level */
static int parse_log_level(const char *s, unsigned *level)
{
	unsigned v;

	if (parse_uint(s, 7, &v))
		return -1;
	*level = v <= 3 ? CTL_LOG_ERR : v == 4 ? CTL_LOG_WARN :
		 v <= 6 ? CTL_LOG_INFO : CTL_LOG_DEBUG;
	return 0;
}

/* An access-network type as P-Access-Network-Info spells it (RFC 7315
 * access-type: a SIP token), or '*'. */
static bool access_ok(const char *s, size_t n)
{
	if (n == 0 || n > CTL_REG_ACCESS_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] <= ' ' || s[i] > '~' || strchr(";,=\"", s[i]))
			return false;
	return true;
}

int ctl_e2ae_policy_add(struct ctl_options *o, const char *s, char *err,
			size_t errlen)
{
	const char *eq = strchr(s, '='), *name = s;
	size_t n = eq ? (size_t)(eq - s) : 0;
	enum ctl_e2ae_policy p;

	if (!eq || !access_ok(s, n) ||
	    ctl_e2ae_policy_parse(eq + 1, strlen(eq + 1), &p))
		return fail(err, errlen, "--e2ae-policy '%s': expected ACCESS="
			    "off|supported|preferred", s);
	if (n == 7 && !memcmp(s, "default", 7)) {
		name = "*"; /* one entry, two spellings */
		n = 1;
	}
	for (unsigned i = 0; i < o->n_e2ae; i++)
		if (strlen(o->e2ae[i].access) == n &&
		    !strncasecmp(o->e2ae[i].access, name, n))
			return fail(err, errlen, "--e2ae-policy: '%.*s' given "
				    "twice", (int)n, name);
	if (o->n_e2ae == CTL_MAX_E2AE_POLICIES)
		return fail(err, errlen, "at most %d --e2ae-policy entries",
			    CTL_MAX_E2AE_POLICIES);
	memcpy(o->e2ae[o->n_e2ae].access, name, n);
	o->e2ae[o->n_e2ae].access[n] = 0;
	o->e2ae[o->n_e2ae++].policy = p;
	return 0;
}

enum ctl_e2ae_policy ctl_e2ae_policy_for(const struct ctl_options *o,
					 const char *access, size_t len)
{
	enum ctl_e2ae_policy dflt = CTL_E2AE_SUPPORTED;

	for (unsigned i = 0; i < o->n_e2ae; i++) {
		const struct ctl_e2ae_policy_cfg *c = &o->e2ae[i];

		if (!strcmp(c->access, "*"))
			dflt = c->policy;
		else if (len && strlen(c->access) == len &&
			 !strncasecmp(c->access, access, len))
			return c->policy;
	}
	return dflt;
}

enum { OPT_UDP = 256, OPT_TCP, OPT_INSTANCE, OPT_IFACE, OPT_MAX_SESSIONS,
       OPT_MAX_REGISTRATIONS, OPT_E2AE_POLICY, OPT_TIMEOUT, OPT_OFFER_TIMEOUT,
       OPT_FINAL_TIMEOUT, OPT_SILENT_TIMEOUT, OPT_DELETE_DELAY, OPT_LOG_LEVEL, OPT_CTL_SOCKET,
       OPT_JOURNAL, OPT_NG_ALLOW, OPT_METRICS, OPT_SUITES, OPT_CONFIG,
       OPT_NG_CACHE_MB, OPT_MOS_FORMULA, OPT_HELP, OPT_END };

static const struct option long_opts[] = {
	{ "listen-ng", required_argument, NULL, OPT_UDP },
	{ "listen-tcp-ng", required_argument, NULL, OPT_TCP },
	{ "ng-allow", required_argument, NULL, OPT_NG_ALLOW },
	{ "ng-cache-mb", required_argument, NULL, OPT_NG_CACHE_MB },
	{ "listen-metrics", required_argument, NULL, OPT_METRICS },
	{ "instance", required_argument, NULL, OPT_INSTANCE },
	{ "interface", required_argument, NULL, OPT_IFACE },
	{ "srtp-suites", required_argument, NULL, OPT_SUITES },
	{ "max-sessions", required_argument, NULL, OPT_MAX_SESSIONS },
	{ "max-registrations", required_argument, NULL, OPT_MAX_REGISTRATIONS },
	{ "e2ae-policy", required_argument, NULL, OPT_E2AE_POLICY },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "offer-timeout", required_argument, NULL, OPT_OFFER_TIMEOUT },
	{ "final-timeout", required_argument, NULL, OPT_FINAL_TIMEOUT },
	{ "silent-timeout", required_argument, NULL, OPT_SILENT_TIMEOUT },
	{ "delete-delay", required_argument, NULL, OPT_DELETE_DELAY },
	{ "mos-formula", required_argument, NULL, OPT_MOS_FORMULA },
	{ "log-level", required_argument, NULL, OPT_LOG_LEVEL },
	{ "ctl-socket", required_argument, NULL, OPT_CTL_SOCKET },
	{ "journal", required_argument, NULL, OPT_JOURNAL },
	{ "config", required_argument, NULL, OPT_CONFIG },
	{ "help", no_argument, NULL, OPT_HELP },
	{ 0 },
};

static int seconds(const char *name, const char *arg, unsigned *v, char *err,
		   size_t errlen)
{
	if (parse_uint(arg, CTL_TIMEOUT_MAX_S, v))
		return fail(err, errlen, "--%s '%s': 0 to %d seconds", name,
			    arg, CTL_TIMEOUT_MAX_S);
	return 0;
}

static int listen_add(struct ctl_listen *list, unsigned *n, const char *arg,
		      char *err, size_t errlen)
{
	if (*n == CTL_MAX_LISTEN)
		return fail(err, errlen, "at most %d listeners of a kind",
			    CTL_MAX_LISTEN);
	return ctl_listen_parse(arg, &list[(*n)++], err, errlen);
}

/* A path, or "none" (no control socket). */
static int ctl_socket_set(struct ctl_options *o, const char *arg, char *err,
			  size_t errlen)
{
	o->ctl_socket_given = true;
	if (!strcmp(arg, "none")) {
		o->ctl_socket[0] = 0;
		return 0;
	}
	if (!arg[0] || strlen(arg) >= sizeof(o->ctl_socket))
		return fail(err, errlen, "--ctl-socket '%s': 1 to %d bytes, or "
			    "none", arg, CTL_SOCK_PATH_MAX - 1);
	snprintf(o->ctl_socket, sizeof(o->ctl_socket), "%s", arg);
	return 0;
}

/* "NAME[,NAME...]" (commas or spaces): the suites aegw terminates, most
 * preferred first. */
static int suites_parse(struct ctl_options *o, const char *arg, char *err,
			size_t errlen)
{
	char name[64];
	const char *p = arg;

	o->n_suites = 0;
	while (*p) {
		size_t n = strcspn(p, ", \t");
		enum aegw_suite s;

		if (n >= sizeof(name))
			n = sizeof(name) - 1;
		memcpy(name, p, n);
		name[n] = 0;
		p += n;
		p += strspn(p, ", \t");
		if (!n)
			continue;
		if (aegw_suite_from_name(name, &s))
			return fail(err, errlen, "--srtp-suites: '%s' is no "
				    "suite aegw knows", name);
		for (unsigned i = 0; i < o->n_suites; i++)
			if (o->suites[i] == s)
				return fail(err, errlen, "--srtp-suites: '%s' "
					    "given twice", name);
		o->suites[o->n_suites++] = s;
	}
	if (o->n_suites == 0)
		return fail(err, errlen, "--srtp-suites: name one suite or "
			    "more");
	return 0;
}

static int one_option(struct ctl_options *o, int c, const char *arg,
		      char *err, size_t errlen)
{
	switch (c) {
	case OPT_UDP:
		return listen_add(o->udp, &o->n_udp, arg, err, errlen);
	case OPT_TCP:
		return listen_add(o->tcp, &o->n_tcp, arg, err, errlen);
	case OPT_INSTANCE:
		if (!instance_ok(arg))
			return fail(err, errlen, "instance '%s': 1 to %d of "
				    "[A-Za-z0-9_.-]", arg, AEGW_INSTANCE_MAX);
		snprintf(o->instance, sizeof(o->instance), "%s", arg);
		return 0;
	case OPT_IFACE:
		if (o->n_ifaces == CTL_MAX_IFACES)
			return fail(err, errlen, "at most %d interfaces",
				    CTL_MAX_IFACES);
		if (ctl_iface_parse(arg, o->n_ifaces, &o->ifaces[o->n_ifaces],
				    err, errlen))
			return -1;
		o->n_ifaces++;
		return 0;
	case OPT_NG_CACHE_MB:
		if (parse_uint(arg, CTL_CACHE_MB_MAX, &o->cache_mb) ||
		    o->cache_mb == 0)
			return fail(err, errlen, "--ng-cache-mb '%s': 1 to %d",
				    arg, CTL_CACHE_MB_MAX);
		return 0;
	case OPT_MAX_SESSIONS:
		if (parse_uint(arg, 10000000, &o->max_sessions))
			return fail(err, errlen, "--max-sessions '%s'?", arg);
		return 0;
	case OPT_MAX_REGISTRATIONS:
		if (parse_uint(arg, 10000000, &o->max_registrations) ||
		    o->max_registrations == 0)
			return fail(err, errlen, "--max-registrations '%s': 1 "
				    "to 10000000", arg);
		return 0;
	case OPT_E2AE_POLICY:
		return ctl_e2ae_policy_add(o, arg, err, errlen);
	case OPT_TIMEOUT:
		return seconds("timeout", arg, &o->timeout_s, err, errlen);
	case OPT_OFFER_TIMEOUT:
		return seconds("offer-timeout", arg, &o->offer_timeout_s, err,
			       errlen);
	case OPT_FINAL_TIMEOUT:
		return seconds("final-timeout", arg, &o->final_timeout_s, err,
			       errlen);
	case OPT_SILENT_TIMEOUT:
		return seconds("silent-timeout", arg, &o->silent_timeout_s,
			       err, errlen);
	case OPT_DELETE_DELAY:
		return seconds("delete-delay", arg, &o->delete_delay_s, err,
			       errlen);
	case OPT_MOS_FORMULA:
		if (strcmp(arg, "legacy") && strcmp(arg, "g107"))
			return fail(err, errlen, "--mos-formula '%s': legacy or "
				    "g107", arg);
		o->mos_formula = strcmp(arg, "g107") ? CTL_MOS_LEGACY :
						       CTL_MOS_G107;
		return 0;
	case OPT_LOG_LEVEL:
		if (parse_log_level(arg, &o->log_level))
			return fail(err, errlen, "--log-level '%s': 0..7", arg);
		return 0;
	case OPT_CTL_SOCKET:
		return ctl_socket_set(o, arg, err, errlen);
	case OPT_NG_ALLOW:
		if (o->n_ng_allow == CTL_MAX_NG_ALLOW)
			return fail(err, errlen, "at most %d --ng-allow networks",
				    CTL_MAX_NG_ALLOW);
		return ctl_cidr_parse(arg, &o->ng_allow[o->n_ng_allow++], err,
				      errlen);
	case OPT_METRICS:
		if (!strcmp(arg, "none")) {
			o->metrics_on = false;
			return 0;
		}
		o->metrics_on = true;
		return ctl_listen_parse(arg, &o->metrics, err, errlen);
	case OPT_SUITES:
		return suites_parse(o, arg, err, errlen);
	case OPT_JOURNAL:
		if (strcmp(arg, "on") && strcmp(arg, "off"))
			return fail(err, errlen, "--journal '%s': on or off", arg);
		o->journal = !strcmp(arg, "on");
		return 0;
	default:
		return fail(err, errlen, "unknown option (see --help)");
	}
}

static void defaults(struct ctl_options *o)
{
	memset(o, 0, sizeof(*o));
	snprintf(o->instance, sizeof(o->instance), "aegw");
	o->cache_mb = CTL_DEFAULT_CACHE_MB;
	o->cache_ttl_s = CTL_DEFAULT_CACHE_TTL_S;
	o->log_level = CTL_LOG_INFO;
	o->timeout_s = CTL_DEFAULT_TIMEOUT_S;
	o->offer_timeout_s = CTL_DEFAULT_OFFER_TIMEOUT_S;
	o->silent_timeout_s = CTL_DEFAULT_SILENT_TIMEOUT_S;
	o->max_registrations = CTL_DEFAULT_MAX_REGISTRATIONS;
	o->journal = -1;
	for (unsigned s = 0; s < AEGW_SUITE_COUNT; s++)
		o->suites[o->n_suites++] = (enum aegw_suite)s;
}

/* A repeatable option on the command line replaces the file's list of
 * that kind as a whole, so that the command line says it all. */
static void cli_replaces_file(struct ctl_options *o, int c)
{
	switch (c) {
	case OPT_UDP:
		o->n_udp = 0;
		break;
	case OPT_TCP:
		o->n_tcp = 0;
		break;
	case OPT_NG_ALLOW:
		o->n_ng_allow = 0;
		break;
	case OPT_IFACE:
		o->n_ifaces = 0;
		break;
	case OPT_E2AE_POLICY:
		o->n_e2ae = 0;
		break;
	default:
		break;
	}
}

int ctl_option_set(struct ctl_options *o, const char *name, const char *value,
		   char *err, size_t errlen)
{
	for (const struct option *l = long_opts; l->name; l++) {
		if (strcmp(l->name, name))
			continue;
		if (l->val == OPT_CONFIG || l->val == OPT_HELP)
			break;
		return one_option(o, l->val, value, err, errlen);
	}
	return fail(err, errlen, "unknown key");
}

/* --help and --config, before anything else is read. 1 for --help. */
static int first_pass(int argc, char **argv, const char **config)
{
	int c;

	*config = NULL;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", long_opts, NULL)) != -1) {
		if (c == OPT_HELP)
			return 1;
		if (c == OPT_CONFIG)
			*config = optarg;
	}
	return 0;
}

static int finish(struct ctl_options *o, char *err, size_t errlen)
{
	if (o->n_ifaces == 0)
		return fail(err, errlen, "no --interface given");
	if (o->n_udp == 0 && o->n_tcp == 0 &&
	    listen_add(o->udp, &o->n_udp, "127.0.0.1:2223", err, errlen))
		return -1;
	if (!o->ctl_socket_given)
		snprintf(o->ctl_socket, sizeof(o->ctl_socket),
			 CTL_SOCK_DEFAULT_DIR "/aegw-%s.ctl", o->instance);
	return check_ifaces(o, err, errlen);
}

int ctl_options_parse(struct ctl_options *o, int argc, char **argv,
		      char *err, size_t errlen)
{
	bool seen[OPT_END - OPT_UDP] = { false };
	const char *config;
	int c;

	defaults(o);
	if (first_pass(argc, argv, &config))
		return 1;
	if (config && ctl_config_load(o, config, err, errlen))
		return -1;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", long_opts, NULL)) != -1) {
		if (c == '?')
			return fail(err, errlen, "unknown option '%s' (see "
				    "--help)", argv[optind - 1]);
		if (c == OPT_CONFIG)
			continue;
		if (!seen[c - OPT_UDP])
			cli_replaces_file(o, c);
		seen[c - OPT_UDP] = true;
		if (one_option(o, c, optarg, err, errlen))
			return -1;
	}
	if (optind != argc)
		return fail(err, errlen, "unexpected '%s'", argv[optind]);
	return finish(o, err, errlen);
}
