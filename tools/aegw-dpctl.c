/* aegw-dpctl: talks to a running aegw-dataplane through its command ring,
 * with no control daemon: install, update and remove streams by hand, dump
 * them with their counters. For debugging, tests and benchmarks; in
 * production aegw-control owns the ring, and the two must not run at once
 * (each command ring has exactly one writer).
 *
 *   aegw-dpctl [--instance NAME] info
 *   aegw-dpctl [--instance NAME] add ID ACTION --local IP:PORT ... (see --help)
 *   aegw-dpctl [--instance NAME] remove ID
 *   aegw-dpctl [--instance NAME] dump | counters [ID]
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aegw/ring.h"
#include "aegw/sdes.h"

static const char *prog = "aegw-dpctl";

static void usage(void)
{
	printf("usage: %s [--instance NAME] COMMAND\n"
	       "\n"
	       "  info                     epoch, heartbeat, workers, ring depths\n"
	       "  add ID ACTION OPTIONS    install a stream (ACTION: e2ae-in,\n"
	       "                           e2ae-out, recrypt, relay)\n"
	       "  update ID OPTIONS        change keys / remote / egress / RTCP-mux\n"
	       "                           of a stream\n"
	       "  remove ID                remove a stream\n"
	       "  dump                     every stream with its counters\n"
	       "  counters [ID]            one stream's counters, or all\n"
	       "\n"
	       "stream OPTIONS:\n"
	       "  --local IP:PORT          aegw's address the stream arrives on\n"
	       "  --in-port N --out-port N DPDK ports it arrives on / leaves by\n"
	       "  --remote IP:PORT         the peer (else learned: latching)\n"
	       "  --egress-src IP:PORT     aegw's address on the egress leg\n"
	       "  --egress-dst IP:PORT     where packets go\n"
	       "  --egress-rtcp-port N     where separate RTCP goes at its\n"
	       "                           address (0: its port + 1); an\n"
	       "                           update takes it with a new egress\n"
	       "  --in-key SUITE:INLINE    unprotect key (e2ae-in, recrypt)\n"
	       "  --out-key SUITE:INLINE   protect key (e2ae-out, recrypt)\n"
	       "  --reverse ID             the opposite direction's stream\n"
	       "  --rtcp-mux               RTCP on the RTP port (both legs)\n"
	       "  --rtcp-out mux|split     the egress leg's RTCP otherwise\n"
	       "  --rtcp-split             RTCP on port+1 (both legs; add's\n"
	       "                           default): for an update\n"
	       "  --no-latch --no-replay\n"
	       "IPv6 as [ADDR]:PORT. INLINE is the a=crypto inline: value.\n"
	       "update needs --local (it names the worker); a new egress takes\n"
	       "--egress-src, --egress-dst and --out-port together; any of\n"
	       "--rtcp-mux, --rtcp-out, --rtcp-split sets all three RTCP flags.\n"
	       "Not while aegw-control runs: a command ring has one writer.\n",
	       prog);
}

static int fail(const char *fmt, const char *arg)
{
	fprintf(stderr, "%s: ", prog);
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n");
	return 2;
}

static int parse_endpoint(const char *s, struct aegw_endpoint *e)
{
	char buf[64];
	const char *colon;
	char *end;
	unsigned long port;

	memset(e, 0, sizeof(*e));
	if (s[0] == '[') {
		const char *close = strchr(s, ']');
		if (!close || close[1] != ':' || (size_t)(close - s) > 50)
			return -1;
		memcpy(buf, s + 1, (size_t)(close - s - 1));
		buf[close - s - 1] = 0;
		colon = close + 1;
		e->family = 6;
	} else {
		colon = strrchr(s, ':');
		if (!colon || (size_t)(colon - s) >= sizeof(buf))
			return -1;
		memcpy(buf, s, (size_t)(colon - s));
		buf[colon - s] = 0;
		e->family = 4;
	}
	if (inet_pton(e->family == 4 ? AF_INET : AF_INET6, buf, e->ip) != 1)
		return -1;
	errno = 0;
	port = strtoul(colon + 1, &end, 10);
	if (errno || *end || port == 0 || port > 65535)
		return -1;
	e->port = (uint16_t)port;
	return 0;
}

/* SUITE:INLINE -> engine config; the parsed key is wiped here. */
static int parse_key(const char *s, struct aegw_srtp_config *cfg)
{
	char suite_name[40], msg[160];
	const char *colon = strchr(s, ':');
	enum aegw_suite suite;
	struct aegw_sdes_key k;

	if (!colon || (size_t)(colon - s) >= sizeof(suite_name))
		return fail("key '%s': expected SUITE:INLINE", "(hidden)");
	memcpy(suite_name, s, (size_t)(colon - s));
	suite_name[colon - s] = 0;
	if (aegw_suite_from_name(suite_name, &suite))
		return fail("unknown suite '%s'", suite_name);
	colon++;
	if (!strncmp(colon, "inline:", 7))
		colon += 7;
	if (aegw_sdes_inline_parse(colon, suite, &k, msg, sizeof(msg)))
		return fail("key: %s", msg);
	aegw_sdes_key_to_config(&k, suite, cfg);
	aegw_sdes_key_wipe(&k);
	return 0;
}

struct spec_opts {
	struct aegw_stream_spec spec;
	uint32_t mask;
};

static int parse_u32(const char *s, uint32_t *v)
{
	char *end;
	unsigned long n;

	errno = 0;
	n = strtoul(s, &end, 10);
	if (errno || *end || !*s || n > UINT32_MAX)
		return -1;
	*v = (uint32_t)n;
	return 0;
}

static int spec_option(struct spec_opts *o, int c, const char *arg)
{
	struct aegw_stream_spec *s = &o->spec;
	uint32_t v;

	switch (c) {
	case 'l': return parse_endpoint(arg, &s->local) ? fail("--local '%s'?", arg) : 0;
	case 'r': o->mask |= AEGW_UPDATE_REMOTE;
		  return parse_endpoint(arg, &s->remote) ? fail("--remote '%s'?", arg) : 0;
	case 's': o->mask |= AEGW_UPDATE_EGRESS;
		  return parse_endpoint(arg, &s->egress_src) ? fail("--egress-src '%s'?", arg) : 0;
	case 'd': o->mask |= AEGW_UPDATE_EGRESS;
		  return parse_endpoint(arg, &s->egress_dst) ? fail("--egress-dst '%s'?", arg) : 0;
	case 'i': o->mask |= AEGW_UPDATE_IN_KEY; return parse_key(arg, &s->in_crypto);
	case 'o': o->mask |= AEGW_UPDATE_OUT_KEY; return parse_key(arg, &s->out_crypto);
	case 'I': if (parse_u32(arg, &v) || v > 65535) return fail("--in-port '%s'?", arg);
		  s->in_port = (uint16_t)v; return 0;
	case 'O': if (parse_u32(arg, &v) || v > 65535) return fail("--out-port '%s'?", arg);
		  o->mask |= AEGW_UPDATE_EGRESS;
		  s->out_port = (uint16_t)v; return 0;
	case 'R': return parse_u32(arg, &s->reverse_id) ? fail("--reverse '%s'?", arg) : 0;
	case 'P': if (parse_u32(arg, &v) || v > 65535) return fail("--egress-rtcp-port '%s'?", arg);
		  s->egress_rtcp_port = (uint16_t)v; return 0;
	case 'm': o->mask |= AEGW_UPDATE_FLAGS;
		  s->flags |= AEGW_STREAM_RTCP_MUX; return 0;
	case 'S': o->mask |= AEGW_UPDATE_FLAGS; return 0;
	case 'x': o->mask |= AEGW_UPDATE_FLAGS;
		  if (!strcmp(arg, "mux"))
			  s->flags |= AEGW_STREAM_RTCP_OUT_MUX;
		  else if (!strcmp(arg, "split"))
			  s->flags |= AEGW_STREAM_RTCP_OUT_SPLIT;
		  else
			  return fail("--rtcp-out '%s'? (mux or split)", arg);
		  return 0;
	case 'n': s->flags &= (uint8_t)~AEGW_STREAM_LATCH; return 0;
	case 'p': s->flags |= AEGW_STREAM_NO_REPLAY; return 0;
	default: return 2;
	}
}

static const struct option spec_long[] = {
	{ "local", required_argument, NULL, 'l' },
	{ "remote", required_argument, NULL, 'r' },
	{ "egress-src", required_argument, NULL, 's' },
	{ "egress-dst", required_argument, NULL, 'd' },
	{ "in-key", required_argument, NULL, 'i' },
	{ "out-key", required_argument, NULL, 'o' },
	{ "in-port", required_argument, NULL, 'I' },
	{ "out-port", required_argument, NULL, 'O' },
	{ "reverse", required_argument, NULL, 'R' },
	{ "egress-rtcp-port", required_argument, NULL, 'P' },
	{ "rtcp-mux", no_argument, NULL, 'm' },
	{ "rtcp-out", required_argument, NULL, 'x' },
	{ "rtcp-split", no_argument, NULL, 'S' },
	{ "no-latch", no_argument, NULL, 'n' },
	{ "no-replay", no_argument, NULL, 'p' },
	{ 0 },
};

static int parse_spec(int argc, char **argv, struct spec_opts *o)
{
	int c, rc;

	o->spec.flags = AEGW_STREAM_LATCH;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", spec_long, NULL)) != -1) {
		rc = spec_option(o, c, optarg);
		if (rc)
			return rc;
	}
	if (optind != argc)
		return fail("unexpected '%s'", argv[optind]);
	return 0;
}

/* Sends and waits for the ACK (events on the way are printed). */
static int run_cmd(struct aegw_shm *shm, unsigned worker, struct aegw_cmd *cmd,
		   void (*on_evt)(const struct aegw_evt *))
{
	const struct timespec pause = { 0, 1000 * 1000 };
	struct aegw_evt evt;
	int rc;

	for (int t = 0; (rc = aegw_ring_cmd_send(shm, worker, cmd)) == -EAGAIN;
	     t++) {
		if (t == 2000)
			return fail("worker %s: command ring full for 2 s", "");
		nanosleep(&pause, NULL);
	}
	if (rc)
		return fail("send: %s", strerror(-rc));
	for (int t = 0; t < 5000; t++) {
		while (aegw_ring_evt_recv(shm, worker, &evt) == 0) {
			if (evt.type == AEGW_EVT_ACK && evt.seq == cmd->seq) {
				if (evt.status)
					return fail("refused: %s",
						    aegw_strerror(evt.status));
				return 0;
			}
			if (on_evt)
				on_evt(&evt);
		}
		nanosleep(&pause, NULL);
	}
	return fail("no answer from the dataplane in 5 s%s", "");
}

static void print_ep(const char *name, const struct aegw_endpoint *e)
{
	char buf[INET6_ADDRSTRLEN];

	if (!e->family)
		return;
	inet_ntop(e->family == 4 ? AF_INET : AF_INET6, e->ip, buf, sizeof(buf));
	printf(e->family == 6 ? " %s [%s]:%u" : " %s %s:%u", name, buf, e->port);
}

static void print_evt(const struct aegw_evt *e)
{
	unsigned n = e->type == AEGW_EVT_WORKER ? AEGW_WC_COUNT : AEGW_SC_COUNT;

	if (e->type == AEGW_EVT_WORKER) {
		printf("worker");
	} else if (e->type == AEGW_EVT_STREAM || e->type == AEGW_EVT_COUNTERS) {
		printf("stream %u", e->stream_id);
		if (e->type == AEGW_EVT_STREAM) {
			printf(" %s", aegw_action_name((enum aegw_action)e->action));
			print_ep("local", &e->local);
			print_ep("remote", &e->remote);
			print_ep("egress-src", &e->egress_src);
			print_ep("egress-dst", &e->egress_dst);
			if (e->egress_rtcp_port)
				printf(" egress-rtcp-port %u",
				       e->egress_rtcp_port);
			printf(" rtcp-in %s rtcp-out %s",
			       e->flags & AEGW_STREAM_RTCP_MUX ? "mux" : "port+1",
			       aegw_stream_rtcp_mux_out(e->flags) ? "mux" :
								    "port+1");
		}
	} else {
		return;
	}
	for (unsigned k = 0; k < n; k++) {
		if (!e->counters[k])
			continue;
		printf(" %s=%llu",
		       e->type == AEGW_EVT_WORKER ?
			       aegw_worker_counter_name((enum aegw_worker_counter)k) :
			       aegw_stream_counter_name((enum aegw_stream_counter)k),
		       (unsigned long long)e->counters[k]);
	}
	printf("\n");
}

static int cmd_info(struct aegw_shm *shm)
{
	struct timespec now;
	uint64_t ns, hb = aegw_shm_heartbeat_ns(shm);

	clock_gettime(CLOCK_MONOTONIC, &now);
	ns = (uint64_t)now.tv_sec * 1000000000ull + (uint64_t)now.tv_nsec;
	printf("epoch %llu pid %d workers %u heartbeat %.1f s ago\n",
	       (unsigned long long)aegw_shm_epoch(shm), aegw_shm_pid(shm),
	       aegw_shm_n_workers(shm), hb && ns > hb ? (double)(ns - hb) / 1e9 : 0.0);
	for (unsigned w = 0; w < aegw_shm_n_workers(shm); w++)
		printf("worker %u: commands queued %u, events queued %u\n", w,
		       aegw_ring_cmd_depth(shm, w), aegw_ring_evt_depth(shm, w));
	return 0;
}

/* Runs one command on every worker (dump, counters, remove by id). */
static int each_worker(struct aegw_shm *shm, struct aegw_cmd *proto,
		       bool stop_at_first_ok)
{
	int rc = 1;

	for (unsigned w = 0; w < aegw_shm_n_workers(shm); w++) {
		struct aegw_cmd cmd = *proto;
		int r = run_cmd(shm, w, &cmd, print_evt);

		if (r == 0) {
			rc = 0;
			if (stop_at_first_ok)
				break;
		}
	}
	return rc;
}

static int run(struct aegw_shm *shm, int argc, char **argv)
{
	struct aegw_cmd cmd;
	struct spec_opts o;
	const char *what = argv[0];
	int rc;

	memset(&cmd, 0, sizeof(cmd));
	memset(&o, 0, sizeof(o));
	if (!strcmp(what, "info"))
		return cmd_info(shm);
	if (!strcmp(what, "dump") || !strcmp(what, "counters")) {
		cmd.type = what[0] == 'd' ? AEGW_CMD_DUMP : AEGW_CMD_COUNTERS;
		if (argc > 1 && parse_u32(argv[1], &cmd.stream_id))
			return fail("bad id '%s'", argv[1]);
		return each_worker(shm, &cmd, cmd.stream_id != 0);
	}
	if (argc < 2 || parse_u32(argv[1], &o.spec.stream_id))
		return fail("%s needs a stream ID", what);
	if (!strcmp(what, "remove")) {
		cmd.type = AEGW_CMD_REMOVE_STREAM;
		cmd.stream_id = o.spec.stream_id;
		return each_worker(shm, &cmd, true);
	}
	if (!strcmp(what, "add")) {
		enum aegw_action a;

		if (argc < 3 || aegw_action_from_name(argv[2], &a))
			return fail("add ID ACTION: unknown action '%s'",
				    argc < 3 ? "" : argv[2]);
		uint32_t id = o.spec.stream_id;
		rc = parse_spec(argc - 2, argv + 2, &o);
		o.spec.stream_id = id;
		o.spec.action = (uint8_t)a;
		cmd.type = AEGW_CMD_ADD_STREAM;
	} else if (!strcmp(what, "update")) {
		uint32_t id = o.spec.stream_id;
		rc = parse_spec(argc - 1, argv + 1, &o);
		o.spec.stream_id = id;
		cmd.type = AEGW_CMD_UPDATE_STREAM;
		cmd.update_mask = o.mask;
	} else {
		return fail("unknown command '%s' (--help)", what);
	}
	cmd.spec = o.spec;
	aegw_srtp_config_wipe(&o.spec.in_crypto);
	aegw_srtp_config_wipe(&o.spec.out_crypto);
	if (!rc && cmd.type == AEGW_CMD_UPDATE_STREAM && !cmd.spec.local.family)
		return fail("update needs --local (it names the worker)%s", "");
	if (!rc)
		rc = run_cmd(shm, aegw_ring_worker_for_port(cmd.spec.local.port,
							    aegw_shm_n_workers(shm)),
			     &cmd, print_evt);
	aegw_cmd_wipe(&cmd);
	return rc;
}

int main(int argc, char **argv)
{
	const char *instance = "aegw";
	struct aegw_shm *shm;
	int rc, i = 1;

	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		usage();
		return 0;
	}
	if (argc > 2 && !strcmp(argv[1], "--instance")) {
		instance = argv[2];
		i = 3;
	}
	if (i >= argc) {
		usage();
		return 2;
	}
	rc = aegw_shm_attach(instance, &shm);
	if (rc)
		return fail("no dataplane instance '%s' (is aegw-dataplane "
			    "running?)", instance);
	rc = run(shm, argc - i, argv + i);
	aegw_shm_detach(shm);
	return rc;
}
