/* aegw-dataplane's own options, after the EAL's and a "--". Every error
 * names the option and the value, and nothing starts. */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aegw/conf.h"
#include "dp.h"

void dp_options_usage(const char *prog)
{
	printf("usage: %s [--config FILE] [EAL options] -- [options]\n"
	       "\n"
	       "  --config FILE       INI file: [eal] args, [dataplane] options,\n"
	       "                      [port N] addr/gw/vlan/neigh (see\n"
	       "                      docs/CONFIGURATION.md); the command line\n"
	       "                      overrides it, EAL arguments as a whole\n"
	       "  --instance NAME     shared-memory instance (/aegw-NAME); default aegw\n"
	       "  --addr P:IP/LEN     an address of port P (one IPv4, one IPv6 each)\n"
	       "  --gw P:IP           default gateway of port P (per family)\n"
	       "  --vlan P:VID        send and expect 802.1Q tag VID on port P\n"
	       "  --neigh P:IP,MAC    static neighbour on port P\n"
	       "  --backend NAME      ipsecmb (default) or openssl\n"
	       "  --max-streams N     streams per worker; default 65536\n"
	       "  --rx-desc N         RX descriptors per queue; default 1024\n"
	       "  --tx-desc N         TX descriptors per queue; default 1024\n"
	       "  --stats SECONDS     print counters every SECONDS (0: only at exit)\n"
	       "  --mbufs N           mbuf pool size (default: from queues and workers;\n"
	       "                      net_pcap infinite_rx holds its whole file)\n"
	       "  --mbuf-data BYTES   data room per mbuf; default 2048\n"
	       "  --unlink-at-exit    remove the shared-memory object on exit\n"
	       "  --help              this text\n"
	       "\n"
	       "EAL options: DPDK's (-l, -a, --vdev, --no-huge, -m, --file-prefix...).\n"
	       "Ports are the DPDK ports in order (0 to 3). Workers are the\n"
	       "worker lcores; each polls queue <worker index> of every port.\n",
	       prog);
}


static int parse_uint(const char *s, unsigned long max, unsigned long *v)
{
	char *end;

	errno = 0;
	*v = strtoul(s, &end, 10);
	return errno || end == s || *end || *v > max || s[0] == '-' ? -1 : 0;
}

/* "P:rest" -> port index and rest. */
static int split_port(const char *arg, unsigned *port, const char **rest)
{
	unsigned long v;
	char num[8];
	const char *colon = strchr(arg, ':');

	if (!colon || colon == arg || (size_t)(colon - arg) >= sizeof(num))
		return -1;
	memcpy(num, arg, (size_t)(colon - arg));
	num[colon - arg] = 0;
	if (parse_uint(num, DP_MAX_PORTS - 1, &v))
		return -1;
	*port = (unsigned)v;
	*rest = colon + 1;
	return 0;
}

static int parse_ip(const char *s, struct aegw_endpoint *ip)
{
	memset(ip, 0, sizeof(*ip));
	if (inet_pton(AF_INET, s, ip->ip) == 1)
		ip->family = 4;
	else if (inet_pton(AF_INET6, s, ip->ip) == 1)
		ip->family = 6;
	return ip->family ? 0 : -1;
}

static const char *opt_addr(struct dp_config *cfg, const char *arg)
{
	char buf[64];
	const char *rest;
	unsigned port;
	unsigned long len;
	struct aegw_endpoint ip;
	char *slash;

	if (split_port(arg, &port, &rest) || strlen(rest) >= sizeof(buf))
		return "expected PORT:IP/PREFIX";
	strcpy(buf, rest);
	slash = strchr(buf, '/');
	if (!slash)
		return "missing /PREFIX";
	*slash = 0;
	if (parse_ip(buf, &ip))
		return "not an IPv4 or IPv6 address";
	if (parse_uint(slash + 1, ip.family == 4 ? 32 : 128, &len))
		return "prefix out of range";
	if (ip.family == 4) {
		cfg->ports[port].ip4 = ip;
		cfg->ports[port].prefix4 = (uint8_t)len;
	} else {
		cfg->ports[port].ip6 = ip;
		cfg->ports[port].prefix6 = (uint8_t)len;
	}
	return NULL;
}

static const char *opt_gw(struct dp_config *cfg, const char *arg)
{
	const char *rest;
	unsigned port;
	struct aegw_endpoint ip;

	if (split_port(arg, &port, &rest) || parse_ip(rest, &ip))
		return "expected PORT:IP";
	if (ip.family == 4)
		cfg->ports[port].gw4 = ip;
	else
		cfg->ports[port].gw6 = ip;
	return NULL;
}

static const char *opt_vlan(struct dp_config *cfg, const char *arg)
{
	const char *rest;
	unsigned port;
	unsigned long vid;

	if (split_port(arg, &port, &rest))
		return "expected PORT:VID";
	if (parse_uint(rest, 4094, &vid) || vid == 0)
		return "a VLAN id is 1 to 4094";
	cfg->ports[port].vlan_tci = (uint16_t)vid;
	cfg->ports[port].has_vlan = 1;
	return NULL;
}

static const char *opt_neigh(struct dp_config *cfg, const char *arg)
{
	char buf[64];
	const char *rest;
	unsigned port, mac[6];
	struct dp_static_neigh *n;
	char *comma;
	char tail;

	if (cfg->n_static == DP_MAX_STATIC_NEIGH)
		return "too many static neighbours";
	if (split_port(arg, &port, &rest) || strlen(rest) >= sizeof(buf))
		return "expected PORT:IP,MAC";
	strcpy(buf, rest);
	comma = strchr(buf, ',');
	if (!comma)
		return "expected PORT:IP,MAC";
	*comma = 0;
	n = &cfg->statics[cfg->n_static];
	if (parse_ip(buf, &n->ip))
		return "not an IP address";
	if (sscanf(comma + 1, "%2x:%2x:%2x:%2x:%2x:%2x%c", &mac[0], &mac[1],
		   &mac[2], &mac[3], &mac[4], &mac[5], &tail) != 6)
		return "MAC must be xx:xx:xx:xx:xx:xx";
	for (unsigned i = 0; i < 6; i++)
		n->mac[i] = (uint8_t)mac[i];
	n->port = (uint16_t)port;
	cfg->n_static++;
	return NULL;
}

static const char *opt_number(const char *arg, unsigned long min,
			      unsigned long max, unsigned *out)
{
	static char why[64];
	unsigned long v;

	if (parse_uint(arg, max, &v) || v < min) {
		snprintf(why, sizeof(why), "a number from %lu to %lu", min, max);
		return why;
	}
	*out = (unsigned)v;
	return NULL;
}

static const char *opt_flag(const char *arg, bool *out)
{
	int v = arg ? aegw_conf_bool(arg) : 1;

	if (v < 0)
		return "yes or no";
	*out = v;
	return NULL;
}

static const char *opt_instance(struct dp_config *cfg, const char *arg)
{
	if (!*arg || strlen(arg) > AEGW_INSTANCE_MAX ||
	    strspn(arg, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			"0123456789_.-") != strlen(arg))
		return "1-32 of [A-Za-z0-9_.-]";
	strcpy(cfg->instance, arg);
	return NULL;
}

static const char *opt_backend(struct dp_config *cfg, const char *arg)
{
	if (strcmp(arg, "ipsecmb") == 0)
		cfg->backend = AEGW_SRTP_BACKEND_IPSECMB;
	else if (strcmp(arg, "openssl") == 0)
		cfg->backend = AEGW_SRTP_BACKEND_OPENSSL;
	else
		return "ipsecmb or openssl";
	return NULL;
}

enum { OPT_INSTANCE = 256, OPT_ADDR, OPT_GW, OPT_VLAN, OPT_NEIGH,
       OPT_BACKEND, OPT_MAX_STREAMS, OPT_RX_DESC, OPT_TX_DESC, OPT_STATS,
       OPT_UNLINK, OPT_MBUFS, OPT_MBUF_DATA, OPT_HELP };

static const struct option long_opts[] = {
	{ "instance", required_argument, NULL, OPT_INSTANCE },
	{ "addr", required_argument, NULL, OPT_ADDR },
	{ "gw", required_argument, NULL, OPT_GW },
	{ "vlan", required_argument, NULL, OPT_VLAN },
	{ "neigh", required_argument, NULL, OPT_NEIGH },
	{ "backend", required_argument, NULL, OPT_BACKEND },
	{ "max-streams", required_argument, NULL, OPT_MAX_STREAMS },
	{ "rx-desc", required_argument, NULL, OPT_RX_DESC },
	{ "tx-desc", required_argument, NULL, OPT_TX_DESC },
	{ "stats", required_argument, NULL, OPT_STATS },
	{ "unlink-at-exit", no_argument, NULL, OPT_UNLINK },
	{ "mbufs", required_argument, NULL, OPT_MBUFS },
	{ "mbuf-data", required_argument, NULL, OPT_MBUF_DATA },
	{ "help", no_argument, NULL, OPT_HELP },
	{ 0 },
};

/* NULL when taken, else why not. arg is NULL for a flag on the command
 * line, "yes"/"no" in a file. */
static const char *apply(struct dp_config *cfg, int c, const char *arg)
{
	switch (c) {
	case OPT_INSTANCE: return opt_instance(cfg, arg);
	case OPT_ADDR: return opt_addr(cfg, arg);
	case OPT_GW: return opt_gw(cfg, arg);
	case OPT_VLAN: return opt_vlan(cfg, arg);
	case OPT_NEIGH: return opt_neigh(cfg, arg);
	case OPT_BACKEND: return opt_backend(cfg, arg);
	case OPT_MAX_STREAMS:
		return opt_number(arg, 1, 1u << 24, &cfg->max_streams);
	case OPT_RX_DESC: return opt_number(arg, 32, 16384, &cfg->rx_desc);
	case OPT_TX_DESC: return opt_number(arg, 32, 16384, &cfg->tx_desc);
	case OPT_STATS: return opt_number(arg, 0, 86400, &cfg->stats_interval);
	case OPT_UNLINK: return opt_flag(arg, &cfg->unlink_at_exit);
	case OPT_MBUFS: return opt_number(arg, 1024, 1u << 26, &cfg->mbufs);
	case OPT_MBUF_DATA:
		return opt_number(arg, 256, 16384, &cfg->mbuf_data);
	default: return "unknown option";
	}
}

const char *dp_option_set(struct dp_config *cfg, const char *name,
			  const char *value)
{
	for (const struct option *o = long_opts; o->name; o++)
		if (!strcmp(o->name, name) && o->val != OPT_HELP)
			return apply(cfg, o->val, value);
	return "unknown key";
}

void dp_options_defaults(struct dp_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	strcpy(cfg->instance, "aegw");
	cfg->backend = AEGW_SRTP_BACKEND_IPSECMB;
	cfg->max_streams = 65536;
	cfg->rx_desc = 1024;
	cfg->tx_desc = 1024;
	cfg->mbuf_data = 2048;
}

/* Over what cfg holds already (defaults, then the file): 0 to run, 1 for
 * --help, -EINVAL on a bad option (reported). */
int dp_options_parse(int argc, char **argv, struct dp_config *cfg)
{
	const char *why;
	int c, idx;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", long_opts, &idx)) != -1) {
		if (c == OPT_HELP)
			return 1;
		if (c == '?')
			return -EINVAL;
		why = apply(cfg, c, optarg);
		if (why) {
			fprintf(stderr, "aegw-dataplane: --%s %s: %s\n",
				long_opts[idx].name, optarg ? optarg : "", why);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "aegw-dataplane: unexpected argument '%s'\n",
			argv[optind]);
		return -EINVAL;
	}
	return 0;
}
