/* The aegw-control fuzz targets' harness: the ctl's set-up per input, the
 * ng reply checks, and the clean-up and leak checks (ctl_fuzz.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aegw/bencode.h"
#include "aegw/ng.h"
#include "aegw/sdp.h"
#include "ctl_fuzz.h"
#include "log.h"
#include "ng_commands.h"
#include "sdp_side.h"
#include "secret.h"

enum {
	CFZ_WORKERS = 2,
	CFZ_REPLY_NODES = 4096,
	CFZ_REQ_MAX = 3 * AEGW_SDP_MAX_LEN,
};

static struct ctl_options cfz_opt;
static struct ctl cfz;
static bool cfz_live;
/* The ring client, attached once: mapping the object again for every
 * input cost a quarter of the run (page faults, munmap). */
static struct ctl_ring cfz_ring;
/* CFZ_TRACE=1: each request's cookie and result on stderr, for triage. */
static bool cfz_trace;
/* The peer every datagram comes from: the cache is keyed by it. */
static const uint8_t cfz_peer[NG_CACHE_PEER_LEN] = { 4, 127, 0, 0, 1 };
static char reply[CTL_NG_REPLY_MAX], again[CTL_NG_REPLY_MAX];
static char req_buf[CFZ_REQ_MAX];
static struct aegw_benc_enc req_enc;
static struct aegw_benc_node reply_nodes[CFZ_REPLY_NODES];
static struct aegw_sdp reply_sdp; /* about 40 KiB */
static const char *last_sdp;
static size_t last_sdp_len;
static char last_result[16];
/* Cookies sent to this ctl: the clean-up's own must not be answered from
 * the retransmission cache. */
enum { CFZ_MAX_COOKIES = 64 };
static char used_cookie[CFZ_MAX_COOKIES][AEGW_NG_COOKIE_MAX + 1];
static unsigned n_used_cookies;

void cfz_fail(const char *file, int line, const char *what)
{
	fprintf(stderr, "ctl fuzz: %s:%d: check failed: %s\n", file, line,
		what);
	cfz_stub_unlink();
	abort();
}

/* ASan and UBSan reports end the process without atexit handlers. */
void __sanitizer_set_death_callback(void (*callback)(void))
	__attribute__((weak));

static void setup_once(void)
{
	static bool done;
	char inst[32], err[256];
	char *argv[] = { "aegw-control", "--instance", inst, "--interface",
			 CFZ_IFACE_ACCESS, "--interface", CFZ_IFACE_CORE,
			 "--interface", CFZ_IFACE_CORE6,
			 /* The default sizes its tables for 100000 UEs: a
			  * megabyte per input for nothing. */
			 "--max-registrations", "64", "--log-level", "0" };

	if (done)
		return;
	done = true;
	/* One object per process: fuzzers and replays may run side by
	 * side. */
	snprintf(inst, sizeof(inst), "cfz%d", (int)getpid());
	CFZ_CHECK(ctl_options_parse(&cfz_opt, (int)(sizeof(argv) /
						     sizeof(argv[0])),
				    argv, err, sizeof(err)) == 0);
	/* The smallest cache: 1 MiB, 4096 buckets (32 KB) cleared per
	 * input for one or two entries. */
	cfz_opt.cache_mb = 1;
	ctl_log_set_level(CTL_LOG_ERR);
	cfz_trace = getenv("CFZ_TRACE") != NULL;
	CFZ_CHECK(cfz_stub_start(inst, CFZ_WORKERS) == 0);
	atexit(cfz_stub_unlink);
	if (__sanitizer_set_death_callback)
		__sanitizer_set_death_callback(cfz_stub_unlink);
}

struct ctl *cfz_begin(void)
{
	char err[256];

	setup_once();
	CFZ_CHECK(!cfz_live);
	CFZ_CHECK(ctl_init(&cfz, &cfz_opt, err, sizeof(err)) == 0);
	cfz_live = true;
	/* The last beat may be from long ago (libFuzzer's start-up). */
	cfz_stub_beat();
	if (cfz_ring.shm) {
		cfz.ring = cfz_ring;
		cfz.ring.sent = cfz.ring.refused = cfz.ring.timeouts = 0;
	}
	/* The first time, attaches and asks every worker for the streams a
	 * previous control left (DUMP): none. Then the ring is the same. */
	ctl_tick(&cfz);
	CFZ_CHECK(ctl_ring_ready(&cfz.ring));
	CFZ_CHECK(cfz.stats.adopted == 0);
	return &cfz;
}

/* The cookie as aegw_ng_parse's contract states it, read independently:
 * 1..64 bytes of 0x21..0x7e followed by a space. Its length, or 0. */
static size_t cookie_len(const char *msg, size_t len)
{
	size_t n = 0;

	while (n < len && n <= AEGW_NG_COOKIE_MAX && msg[n] > 0x20 &&
	       msg[n] < 0x7f)
		n++;
	return n >= 1 && n <= AEGW_NG_COOKIE_MAX && n < len && msg[n] == ' ' ?
		       n : 0;
}

static size_t count_lines(const char *p, size_t n)
{
	size_t lines = 0;

	for (size_t i = 0; i < n; i++)
		lines += p[i] == '\n';
	return lines + 1;
}

static bool port_is_ours(uint16_t port)
{
	if (port == 0) /* a rejected m= section */
		return true;
	for (unsigned i = 0; i < cfz.n_ifaces; i++)
		if (port >= cfz.ifaces[i].cfg->port_min &&
		    port <= cfz.ifaces[i].cfg->port_max)
			return true;
	return false;
}

/* The SDP aegw wrote parses (unless the rewrite outgrew what the parser
 * takes) and every m= port in it is one of aegw's, or 0, but in sections
 * over TCP, which pass as they came. */
static void check_sdp(const struct aegw_benc_node *sdp)
{
	char *text;
	int rc;

	CFZ_CHECK(aegw_benc_is_str(sdp));
	if (cfz_trace)
		fprintf(stderr, "ctl fuzz: sdp:\n%.*s\n", (int)sdp->len,
			sdp->str);
	text = malloc(sdp->len ? sdp->len : 1);
	CFZ_CHECK(text);
	memcpy(text, sdp->str, sdp->len);
	rc = aegw_sdp_parse(&reply_sdp, text, sdp->len, NULL, 0);
	CFZ_CHECK(rc == 0 || sdp->len > AEGW_SDP_MAX_LEN ||
		  count_lines(text, sdp->len) > AEGW_SDP_MAX_LINES);
	for (unsigned i = 0; rc == 0 && i < reply_sdp.n_media; i++)
		CFZ_CHECK(port_is_ours(reply_sdp.media[i].port) ||
			  ctl_proto_is_tcp(&reply_sdp.media[i]));
	free(text);
	last_sdp = sdp->str;
	last_sdp_len = sdp->len;
}

static void check_reply(const char *msg, size_t len, size_t n)
{
	const struct aegw_benc_node *res, *why, *sdp;
	struct aegw_ng_msg m;
	size_t cl = cookie_len(msg, len);

	last_sdp = NULL;
	last_result[0] = '\0';
	if (cl && n_used_cookies < CFZ_MAX_COOKIES) {
		memcpy(used_cookie[n_used_cookies], msg, cl);
		used_cookie[n_used_cookies++][cl] = '\0';
	}
	CFZ_CHECK((n > 0) == (cl > 0));
	if (!n)
		return;
	CFZ_CHECK(n <= sizeof(reply));
	CFZ_CHECK(aegw_ng_parse(reply, n, reply_nodes, CFZ_REPLY_NODES, &m,
				NULL) == 0);
	CFZ_CHECK(m.cookie.len == cl && !memcmp(m.cookie.p, msg, cl));
	res = aegw_benc_dict_get(m.dict, "result");
	CFZ_CHECK(aegw_benc_is_str(res) && res->len < sizeof(last_result));
	memcpy(last_result, res->str, res->len);
	last_result[res->len] = '\0';
	CFZ_CHECK(!strcmp(last_result, "ok") || !strcmp(last_result, "pong") ||
		  !strcmp(last_result, "error") ||
		  !strcmp(last_result, "load limit"));
	why = aegw_benc_dict_get(m.dict, "error-reason");
	CFZ_CHECK(strcmp(last_result, "error") ||
		  (aegw_benc_is_str(why) && why->len > 0));
	sdp = aegw_benc_dict_get(m.dict, "sdp");
	if (sdp)
		check_sdp(sdp);
	if (cfz_trace)
		fprintf(stderr, "ctl fuzz: %.*s -> %s%s%.*s (%u streams)\n",
			(int)cl, msg, last_result, why ? ": " : "",
			why ? (int)why->len : 0, why ? why->str : "",
			cfz_stub_streams());
}

const char *cfz_handle(const char *msg, size_t len)
{
	size_t n, n2;

	CFZ_CHECK(cfz_live);
	n = ctl_ng_handle(&cfz, cfz_peer, msg, len, reply, sizeof(reply));
	check_reply(msg, len, n);
	/* A retransmission: the cached reply, or the same parse error. */
	n2 = ctl_ng_handle(&cfz, cfz_peer, msg, len, again, sizeof(again));
	CFZ_CHECK(n2 == n && !memcmp(again, reply, n));
	return last_result;
}

struct aegw_benc_enc *cfz_req_begin(const char *cookie)
{
	aegw_ng_reply_begin(&req_enc, req_buf, sizeof(req_buf),
			    (struct aegw_ng_str){ cookie, strlen(cookie) });
	return &req_enc;
}

const char *cfz_req_send(void)
{
	size_t n = aegw_ng_reply_end(&req_enc);

	CFZ_CHECK(n > 0);
	return cfz_handle(req_buf, n);
}

const char *cfz_last_sdp(size_t *len)
{
	*len = last_sdp_len;
	return last_sdp;
}

static bool cookie_used(const char *cookie)
{
	for (unsigned i = 0; i < n_used_cookies; i++)
		if (!strcmp(used_cookie[i], cookie))
			return true;
	return false;
}

/* ng delete of the oldest call; it must go. */
static void delete_first(void)
{
	const struct ctl_call *c = cfz.calls.first;
	unsigned before = cfz.calls.n_calls, k = 0;
	struct aegw_benc_enc *e;
	char cookie[32];

	CFZ_CHECK(n_used_cookies < CFZ_MAX_COOKIES);
	do
		snprintf(cookie, sizeof(cookie), "cleanup%u", k++);
	while (cookie_used(cookie));
	e = cfz_req_begin(cookie);

	aegw_benc_dict_add_cstr(e, "command", "delete");
	aegw_benc_dict_add_cstr(e, "call-id", c->call_id);
	CFZ_CHECK(!strcmp(cfz_req_send(), "ok"));
	CFZ_CHECK(cfz.calls.n_calls == before - 1);
}

void cfz_check_installed(void)
{
	unsigned media = 0;

	for (const struct ctl_call *c = cfz.calls.first; c; c = c->next)
		for (unsigned i = 0; i < c->n_media; i++)
			media += c->media[i].installed;
	CFZ_CHECK(cfz_stub_streams() == 2 * media);
}

void cfz_end(void)
{
	CFZ_CHECK(cfz_live);
	cfz_check_installed();
	while (cfz.calls.first)
		delete_first();
	for (unsigned i = 0; i < cfz.n_ifaces; i++)
		CFZ_CHECK(cfz.ifaces[i].pool.n_used == 0);
	CFZ_CHECK(ctl_secret_in_use() == 0);
	CFZ_CHECK(cfz_stub_streams() == 0);
	cfz_ring = cfz.ring;
	cfz.ring.shm = NULL; /* kept for the next input */
	ctl_fini(&cfz);
	cfz_live = false;
	n_used_cookies = 0;
}
