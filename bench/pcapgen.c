/* aegw-bench pcap and aegw-bench install: the dataplane benchmark's
 * traffic for other generators (pktgen-dpdk, tcpreplay, net_pcap).
 *
 *   aegw-bench pcap --streams N --action A --out DIR [--workers W]
 *       DIR/q<w>.pcap: the frames each of W workers owns (W = 1: one file
 *       for the whole run); DIR/streams.txt: one aegw-dpctl add command
 *       per stream, keys included.
 *   aegw-bench install --instance NAME --streams N --action A
 *       installs the same streams through the command ring, pipelined
 *       (a million streams take seconds, not a million dpctl runs). */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <arpa/inet.h>

#include "bench.h"
#include "dpbench.h"

struct gen_opts {
	unsigned streams;
	unsigned workers;
	enum aegw_action action;
	const char *out;
	const char *instance;
	uint8_t dst_mac[6];
};

static void base64(const uint8_t *in, size_t n, char *out)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
				  "0123456789+/";

	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16;

		if (i + 1 < n)
			v |= (uint32_t)in[i + 1] << 8;
		if (i + 2 < n)
			v |= in[i + 2];
		*out++ = tab[v >> 18 & 63];
		*out++ = tab[v >> 12 & 63];
		*out++ = i + 1 < n ? tab[v >> 6 & 63] : '=';
		*out++ = i + 2 < n ? tab[v & 63] : '=';
	}
	*out = 0;
}

static const char *ep(const struct aegw_endpoint *e, char *buf, size_t size)
{
	char ip[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, e->ip, ip, sizeof(ip));
	snprintf(buf, size, "%s:%u", ip, e->port);
	return buf;
}

static void key_opt(FILE *f, const char *opt, unsigned s, int which)
{
	uint8_t m[TRAFFIC_MASTER_LEN];
	char b64[48];

	traffic_master(s, which, m);
	base64(m, sizeof(m), b64);
	fprintf(f, " %s %s:%s", opt, aegw_suite_info(TRAFFIC_SUITE)->name, b64);
	memset(m, 0, sizeof(m));
	memset(b64, 0, sizeof(b64));
}

/* One aegw-dpctl line per stream. dpctl's --no-replay only reaches the
 * unprotect side; see bench/pktgen/README.md. */
static int write_streams(const struct gen_opts *o, const char *path)
{
	FILE *f = fopen(path, "w");
	char b[4][40];

	if (!f) {
		fprintf(stderr, "aegw-bench: %s: %s\n", path, strerror(errno));
		return -1;
	}
	for (unsigned s = 0; s < o->streams; s++) {
		struct traffic_addr a;

		traffic_addr_of(s, &a);
		fprintf(f, "aegw-dpctl --instance %s add %u %s --local %s "
			   "--remote %s --in-port 0 --out-port %u --egress-src "
			   "%s --egress-dst %s --no-latch --no-replay",
			o->instance, s + 1, aegw_action_name(o->action),
			ep(&a.local, b[0], 40), ep(&a.remote, b[1], 40),
			(unsigned)TRAFFIC_OUT_PORT, ep(&a.egress_src, b[2], 40),
			ep(&a.egress_dst, b[3], 40));
		if (aegw_action_unprotects(o->action))
			key_opt(f, "--in-key", s, 0);
		if (aegw_action_protects(o->action))
			key_opt(f, "--out-key", s, 1);
		fputc('\n', f);
	}
	if (fclose(f)) {
		fprintf(stderr, "aegw-bench: %s: write failed\n", path);
		return -1;
	}
	return 0;
}

static void usage(FILE *f, const char *cmd)
{
	if (!strcmp(cmd, "install"))
		fprintf(f, "usage: aegw-bench install [--instance NAME] "
			   "[--streams N] [--action A]\n"
			   "  installs streams 1..N of the benchmark traffic "
			   "into the running aegw-dataplane NAME (default aegw)\n");
	else
		fprintf(f, "usage: aegw-bench pcap --out DIR [--streams N] "
			   "[--action A] [--workers W] [--dst-mac MAC] "
			   "[--instance NAME]\n"
			   "  writes DIR/q<w>.pcap (W files, one per worker; "
			   "default 1) and DIR/streams.txt (aegw-dpctl commands "
			   "for instance NAME)\n"
			   "  --dst-mac: aegw's ingress port (default %s, "
			   "net_pcap0's)\n", TRAFFIC_PCAP_MAC);
	fprintf(f, "  --streams N (default 1000, %u..%u), --action: e2ae-in "
		   "(default), e2ae-out, recrypt, relay\n",
		(unsigned)TRAFFIC_MIN_STREAMS, (unsigned)TRAFFIC_MAX_STREAMS);
}

static int parse(int argc, char **argv, struct gen_opts *o)
{
	static const struct option longopts[] = {
		{ "streams", required_argument, NULL, 'n' },
		{ "workers", required_argument, NULL, 'w' },
		{ "action", required_argument, NULL, 'a' },
		{ "out", required_argument, NULL, 'o' },
		{ "instance", required_argument, NULL, 'i' },
		{ "dst-mac", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ch, ok = 1;

	*o = (struct gen_opts){ .streams = 1000, .workers = 1,
				.action = AEGW_ACTION_E2AE_IN,
				.instance = "aegw" };
	traffic_parse_mac(TRAFFIC_PCAP_MAC, o->dst_mac);
	optind = 1;
	while (ok && (ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'n':
			ok = traffic_parse_list(optarg, TRAFFIC_MIN_STREAMS,
						TRAFFIC_MAX_STREAMS,
						&o->streams, 1) == 1;
			break;
		case 'w':
			ok = traffic_parse_list(optarg, 1, AEGW_RING_MAX_WORKERS,
						&o->workers, 1) == 1;
			break;
		case 'a': ok = !aegw_action_from_name(optarg, &o->action); break;
		case 'o': o->out = optarg; break;
		case 'i': o->instance = optarg; break;
		case 'm': ok = !traffic_parse_mac(optarg, o->dst_mac); break;
		case 'h': usage(stdout, argv[0]); return 0;
		default: ok = 0;
		}
	}
	if (!ok || optind < argc || (!strcmp(argv[0], "pcap") && !o->out)) {
		usage(stderr, argv[0]);
		return 2;
	}
	return -1;
}

int bench_pcap_main(int argc, char **argv)
{
	struct gen_opts o;
	struct traffic t;
	char path[PATH_MAX];
	int rc = parse(argc, argv, &o);

	if (rc >= 0)
		return rc;
	if (mkdir(o.out, 0755) && errno != EEXIST) {
		fprintf(stderr, "aegw-bench: %s: %s\n", o.out, strerror(errno));
		return 1;
	}
	if (traffic_make(&t, o.streams, o.action, o.dst_mac))
		return 1;
	rc = 0;
	for (unsigned w = 0; w < o.workers && !rc; w++) {
		long n;

		snprintf(path, sizeof(path), "%s/q%u.pcap", o.out, w);
		n = traffic_write_pcap(&t, w, o.workers, path);
		if (n < 0)
			rc = 1;
		else
			printf("%s: %ld frames of %u bytes\n", path, n,
			       t.frame_len);
	}
	traffic_free(&t);
	snprintf(path, sizeof(path), "%s/streams.txt", o.out);
	if (!rc && write_streams(&o, path) == 0) {
		printf("%s: %u aegw-dpctl commands (or: aegw-bench install "
		       "--instance %s --streams %u --action %s)\n",
		       path, o.streams, o.instance, o.streams,
		       aegw_action_name(o.action));
		printf("aegw-dataplane options these frames need: -- --addr "
		       "%s --addr %s --gw %s --neigh %s --max-streams %u\n",
		       TRAFFIC_ADDR0, TRAFFIC_ADDR1, TRAFFIC_GW1, TRAFFIC_NEIGH1,
		       o.streams);
		return 0;
	}
	return 1;
}

int bench_install_main(int argc, char **argv)
{
	struct gen_opts o;
	struct aegw_shm *shm;
	struct timespec t0, t1;
	int rc = parse(argc, argv, &o);

	if (rc >= 0)
		return rc;
	rc = aegw_shm_attach(o.instance, &shm);
	if (rc) {
		fprintf(stderr, "aegw-bench: no dataplane instance '%s': %s\n",
			o.instance, strerror(-rc));
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = dpb_ring_install(shm, o.streams, o.action, 600);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	aegw_shm_detach(shm);
	if (rc)
		return 1;
	printf("installed %u %s streams in %.2f s\n", o.streams,
	       aegw_action_name(o.action),
	       (double)(t1.tv_sec - t0.tv_sec) +
		       (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9);
	return 0;
}
