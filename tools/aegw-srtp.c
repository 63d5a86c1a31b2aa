/* aegw-srtp: offline SRTP/SRTCP protect and unprotect with the aegw
 * engine, of packets given as hex or of the UDP payloads of a capture.
 * Sections: arguments, key and streams, hex mode, frame parsing (link
 * layers; IP and UDP are lib/pkt's, as in the dataplane), frame rewriting,
 * pcap mode. */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#include "aegw/error.h"
#include "aegw/pkt.h"
#include "aegw/sdes.h"
#include "aegw/srtp.h"
#include "aegw/wipe.h"

enum {
	EXIT_FAILED = 1, /* a packet failed, or setup or I/O went wrong */
	EXIT_USAGE = 2,
	IP_MAX = 65535,  /* IPv4 total length, IPv6 payload length */
	PKT_ROOM = IP_MAX + AEGW_SRTP_MAX_TRAILER,
	FRAME_ROOM = PKT_ROOM + 256, /* plus link and IP headers */
	OUT_SNAPLEN = 262144,
	VLAN_TAGS_MAX = 2,
};

static const char prog[] = "aegw-srtp";

/* ---- arguments ---------------------------------------------------- */

struct opts {
	int protect;
	int help;
	int have_suite;
	enum aegw_suite suite;
	const char *key;
	const char *mki_hex;
	int rtcp;
	uint32_t roc;
	enum aegw_srtp_backend backend;
	int hex;
	char **packets;
	int n_packets;
	const char *in, *out;
	long port; /* -1: every UDP packet */
};

static int usage_error(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '%s --help'.\n", prog);
	return EXIT_USAGE;
}

static void print_help(void)
{
	printf("Usage: %s protect|unprotect --suite SUITE --key INLINE [--rtcp]\n"
	       "         [--mki HEX] [--roc N] [--backend ipsecmb|openssl]\n"
	       "         (--hex PACKET... | --in IN.pcap --out OUT.pcap [--port N])\n"
	       "\n"
	       "Protects or unprotects RTP/RTCP packets offline with the aegw SRTP engine.\n"
	       "\n"
	       "  --suite SUITE    RFC 4568 crypto suite:\n", prog);
	for (unsigned i = 0; i < AEGW_SUITE_COUNT; i++)
		printf("                     %s\n",
		       aegw_suite_info((enum aegw_suite)i)->name);
	printf("  --key INLINE     the inline: key parameter,\n"
	       "                   base64(key||salt)[|lifetime][|MKI:length]\n"
	       "                   (a leading \"inline:\" is accepted)\n"
	       "  --rtcp           every packet is RTCP/SRTCP; without it a packet whose\n"
	       "                   second byte is 192..223 is RTCP (RFC 5761), so a\n"
	       "                   muxed capture works\n"
	       "  --mki HEX        MKI of 1..4 bytes, replacing the one in INLINE\n"
	       "  --roc N          rollover counter of an SSRC first seen (default 0)\n"
	       "  --backend B      ipsecmb (default) or openssl\n"
	       "  --hex PACKET...  packets in hex; results are printed in hex, one per line\n"
	       "  --in IN.pcap     capture to read (pcap or pcapng)\n"
	       "  --out OUT.pcap   capture to write (pcap), timestamps kept\n"
	       "  --port N         rewrite only UDP packets from or to port N\n"
	       "                   (default: every UDP packet)\n"
	       "  --help           this text\n"
	       "\n"
	       "Packets go in order through one RTP and one RTCP stream, so replay checks\n"
	       "and ROC tracking work as in a live session. In a capture, IPv4 and IPv6\n"
	       "UDP payloads are rewritten and the IP lengths and IP/UDP checksums fixed;\n"
	       "other packets are copied unchanged.\n"
	       "\n"
	       "A packet that fails is reported on stderr as \"packet N: reason\" (N counts\n"
	       "input packets from 1) and is output UNCHANGED: its hex echoed as given, or\n"
	       "its frame copied as captured. IP fragments and malformed frames count as\n"
	       "failures.\n"
	       "\n"
	       "Exit status: 0 every packet processed, 1 a packet failed or an error\n"
	       "occurred, 2 usage error.\n");
}

/* Digits only, no sign, at most max. */
static int parse_ulong(const char *s, unsigned long max, unsigned long *v)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	*v = strtoul(s, &end, 10);
	return *end || *v > max ? -1 : 0;
}

static int hex_nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Whole bytes of hex, at most max of them. */
static int hex_decode(const char *s, uint8_t *out, size_t max, size_t *n)
{
	size_t len = strlen(s);

	if (len == 0 || len % 2 || len / 2 > max)
		return -1;
	for (size_t i = 0; i < len / 2; i++) {
		int hi = hex_nibble(s[2 * i]), lo = hex_nibble(s[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	*n = len / 2;
	return 0;
}

static int parse_mode(int argc, char **argv, struct opts *o)
{
	if (argc < 2)
		return usage_error("missing protect|unprotect");
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		o->help = 1;
		return 0;
	}
	if (!strcmp(argv[1], "protect"))
		o->protect = 1;
	else if (strcmp(argv[1], "unprotect"))
		return usage_error("first argument must be protect or "
				   "unprotect, not '%s'", argv[1]);
	return 0;
}

static int set_option(int c, const char *arg, struct opts *o)
{
	unsigned long v;

	switch (c) {
	case 's':
		if (aegw_suite_from_name(arg, &o->suite))
			return usage_error("unknown suite '%s'", arg);
		o->have_suite = 1;
		return 0;
	case 'k': o->key = arg; return 0;
	case 'r': o->rtcp = 1; return 0;
	case 'm': o->mki_hex = arg; return 0;
	case 'H': o->hex = 1; return 0;
	case 'i': o->in = arg; return 0;
	case 'o': o->out = arg; return 0;
	case 'h': o->help = 1; return 0;
	case 'R':
		if (parse_ulong(arg, UINT32_MAX, &v))
			return usage_error("--roc '%s' is not 0..2^32-1", arg);
		o->roc = (uint32_t)v;
		return 0;
	case 'p':
		if (parse_ulong(arg, 65535, &v) || v == 0)
			return usage_error("--port '%s' is not 1..65535", arg);
		o->port = (long)v;
		return 0;
	case 'b':
		if (!strcmp(arg, "ipsecmb"))
			o->backend = AEGW_SRTP_BACKEND_IPSECMB;
		else if (!strcmp(arg, "openssl"))
			o->backend = AEGW_SRTP_BACKEND_OPENSSL;
		else
			return usage_error("--backend '%s' is not ipsecmb or "
					   "openssl", arg);
		return 0;
	}
	return usage_error("internal: option %d", c);
}

/* The mode word is argv[1]; getopt sees it as its argv[0]. */
static int parse_options(int argc, char **argv, struct opts *o)
{
	static const struct option lopts[] = {
		{ "suite", required_argument, NULL, 's' },
		{ "key", required_argument, NULL, 'k' },
		{ "rtcp", no_argument, NULL, 'r' },
		{ "mki", required_argument, NULL, 'm' },
		{ "roc", required_argument, NULL, 'R' },
		{ "backend", required_argument, NULL, 'b' },
		{ "hex", no_argument, NULL, 'H' },
		{ "in", required_argument, NULL, 'i' },
		{ "out", required_argument, NULL, 'o' },
		{ "port", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c, rc;

	opterr = 0;
	while ((c = getopt_long(argc - 1, argv + 1, ":h", lopts, NULL)) != -1) {
		if (c == ':')
			return usage_error("%s needs an argument", argv[optind]);
		if (c == '?')
			return usage_error("unknown option '%s'", argv[optind]);
		rc = set_option(c, optarg, o);
		if (rc)
			return rc;
	}
	o->packets = argv + 1 + optind;
	o->n_packets = argc - 1 - optind;
	return 0;
}

static int check_hex_packets(const struct opts *o)
{
	static uint8_t scratch[IP_MAX];
	size_t n;

	if (o->n_packets == 0)
		return usage_error("--hex needs at least one packet");
	for (int i = 0; i < o->n_packets; i++) {
		if (hex_decode(o->packets[i], scratch, IP_MAX, &n))
			return usage_error("packet %d: '%.40s' is not an "
					   "even number of hex digits", i + 1,
					   o->packets[i]);
	}
	return 0;
}

static int check_options(const struct opts *o)
{
	if (!o->have_suite)
		return usage_error("--suite is required");
	if (!o->key)
		return usage_error("--key is required");
	if (o->hex && (o->in || o->out || o->port >= 0))
		return usage_error("--hex excludes --in, --out and --port");
	if (o->hex)
		return check_hex_packets(o);
	if (!o->in || !o->out)
		return usage_error("give --hex PACKET... or --in and --out");
	if (o->n_packets)
		return usage_error("unexpected argument '%s'", o->packets[0]);
	return 0;
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	int rc;

	memset(o, 0, sizeof(*o));
	o->port = -1;
	o->backend = AEGW_SRTP_BACKEND_IPSECMB;
	rc = parse_mode(argc, argv, o);
	if (rc || o->help)
		return rc;
	rc = parse_options(argc, argv, o);
	if (rc || o->help)
		return rc;
	return check_options(o);
}

/* ---- key and streams ---------------------------------------------- */

struct session {
	struct aegw_srtp_engine *eng;
	struct aegw_srtp_stream *rtp, *rtcp;
	int protect;
	int all_rtcp;
};

static int apply_mki_override(const char *hex, struct aegw_sdes_key *k)
{
	size_t n;

	if (hex_decode(hex, k->mki, AEGW_SRTP_MAX_MKI_LEN, &n))
		return usage_error("--mki '%s' is not 1..%d bytes of hex", hex,
				   AEGW_SRTP_MAX_MKI_LEN);
	k->mki_len = (unsigned)n;
	return 0;
}

static void config_from_key(const struct opts *o, const struct aegw_sdes_key *k,
			    struct aegw_srtp_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->suite = o->suite;
	cfg->n_keys = 1;
	cfg->mki_len = k->mki_len;
	cfg->initial_roc = o->roc;
	memcpy(cfg->keys[0].key, k->key, sizeof(k->key));
	memcpy(cfg->keys[0].salt, k->salt, sizeof(k->salt));
	memcpy(cfg->keys[0].mki, k->mki, sizeof(k->mki));
	cfg->keys[0].lifetime = k->lifetime;
}

static int load_key(const struct opts *o, struct aegw_srtp_config *cfg)
{
	const char *value = o->key;
	struct aegw_sdes_key k;
	char msg[160];
	int rc = 0;

	if (!strncmp(value, "inline:", 7))
		value += 7;
	if (aegw_sdes_inline_parse(value, o->suite, &k, msg, sizeof(msg)))
		return usage_error("--key: %s", msg);
	if (o->mki_hex)
		rc = apply_mki_override(o->mki_hex, &k);
	if (!rc)
		config_from_key(o, &k, cfg);
	aegw_sdes_key_wipe(&k);
	return rc;
}

static struct aegw_srtp_stream *open_stream(struct session *s,
					    struct aegw_srtp_config *cfg,
					    enum aegw_srtp_kind kind)
{
	struct aegw_srtp_stream *st;
	int err;

	cfg->kind = kind;
	st = aegw_srtp_stream_create(s->eng, cfg, &err);
	if (!st)
		fprintf(stderr, "%s: cannot create the %s stream: %s\n", prog,
			kind == AEGW_SRTP_RTP ? "SRTP" : "SRTCP",
			aegw_strerror(err));
	return st;
}

/* The config (key material) is wiped whatever happens. */
static int session_open(struct session *s, const struct opts *o,
			struct aegw_srtp_config *cfg)
{
	int err, rc = EXIT_FAILED;

	memset(s, 0, sizeof(*s));
	s->protect = o->protect;
	s->all_rtcp = o->rtcp;
	s->eng = aegw_srtp_engine_create(o->backend, &err);
	if (!s->eng) {
		fprintf(stderr, "%s: backend %s: %s\n", prog,
			aegw_srtp_backend_name(o->backend), aegw_strerror(err));
		goto out;
	}
	s->rtp = open_stream(s, cfg, AEGW_SRTP_RTP);
	s->rtcp = s->rtp ? open_stream(s, cfg, AEGW_SRTP_RTCP) : NULL;
	if (s->rtcp)
		rc = 0;
out:
	aegw_srtp_config_wipe(cfg);
	return rc;
}

static void session_close(struct session *s)
{
	aegw_srtp_stream_free(s->rtcp);
	aegw_srtp_stream_free(s->rtp);
	aegw_srtp_engine_free(s->eng);
}

/* Runs one packet in place; *len changes on success. Without --rtcp,
 * RTCP is told from RTP as RFC 5761 4 does. */
static int session_run(struct session *s, uint8_t *p, uint32_t *len,
		       uint32_t size)
{
	struct aegw_srtp_pkt pkt = { p, *len, size };
	struct aegw_srtp_stream *st =
		s->all_rtcp || aegw_pkt_is_rtcp(p, *len) ? s->rtcp : s->rtp;
	int rc = s->protect ? aegw_srtp_protect(s->eng, st, &pkt) :
			      aegw_srtp_unprotect(s->eng, st, &pkt);

	if (rc == AEGW_ERR_OK)
		*len = pkt.len;
	return rc;
}

static void report(unsigned long n, const char *why)
{
	fprintf(stderr, "packet %lu: %s\n", n, why);
}

/* ---- hex mode ----------------------------------------------------- */

static void print_hex(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		printf("%02x", p[i]);
	putchar('\n');
}

static int run_hex(struct session *s, char **packets, int n)
{
	static uint8_t buf[PKT_ROOM];
	unsigned long failed = 0;
	size_t len;
	uint32_t plen;
	int rc;

	for (int i = 0; i < n; i++) {
		hex_decode(packets[i], buf, IP_MAX, &len); /* checked */
		plen = (uint32_t)len;
		rc = session_run(s, buf, &plen, sizeof(buf));
		if (rc == AEGW_ERR_OK) {
			print_hex(buf, plen);
			continue;
		}
		report((unsigned long)i + 1, aegw_strerror(rc));
		failed++;
		printf("%s\n", packets[i]);
	}
	aegw_wipe(buf, sizeof(buf));
	return failed ? EXIT_FAILED : 0;
}

/* ---- frame parsing ------------------------------------------------ */

enum verdict {
	FRAME_OTHER, /* copied unchanged */
	FRAME_UDP,   /* rewritten */
	FRAME_BAD,   /* a failure: malformed, fragment, truncated */
};

/* A capture may hold what the dataplane drops: UDP behind IPv4 options
 * or IPv6 hop-by-hop, routing and destination options headers is
 * rewritten here all the same. */
static const unsigned lenient =
	AEGW_PKT_ALLOW_IPV4_OPTIONS | AEGW_PKT_ALLOW_IPV6_EXT;

static unsigned be16(const uint8_t *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

static int link_supported(int dlt)
{
	switch (dlt) {
	case DLT_EN10MB:
	case DLT_LINUX_SLL:
	case DLT_LINUX_SLL2:
	case DLT_RAW:
	case DLT_IPV4:
	case DLT_IPV6:
	case DLT_NULL:
	case DLT_LOOP:
		return 1;
	}
	return 0;
}

static int ether_ip_version(unsigned type)
{
	return type == 0x0800 ? 4 : type == 0x86dd ? 6 : -1;
}

/* aegw_pkt_parse reads one 802.1Q tag; a capture may also have an
 * 802.1ad S-tag or two tags. The offset of the IP header behind up to two
 * tags of either kind, or 0. */
static uint32_t tagged_ip_offset(const uint8_t *d, uint32_t n)
{
	uint32_t pos = 12;

	for (int tags = 0; tags < VLAN_TAGS_MAX && pos + 4 <= n &&
			   (be16(d + pos) == 0x8100 || be16(d + pos) == 0x88a8);
	     tags++)
		pos += 4;
	if (pos + 2 > n || ether_ip_version(be16(d + pos)) < 0)
		return 0;
	return pos + 2;
}

static enum aegw_pkt_class ether_classify(const uint8_t *d, uint32_t n,
					  struct aegw_pkt_info *pi)
{
	enum aegw_pkt_class c = aegw_pkt_parse(d, n, pi);
	uint32_t off;

	if (c == AEGW_PKT_DROP_IP_OPTIONS || c == AEGW_PKT_DROP_IPV6_EXT_HEADER)
		return aegw_pkt_parse_ip(d, n, pi->l3_off, lenient, pi);
	if (c == AEGW_PKT_DROP_NOT_IP && (off = tagged_ip_offset(d, n)))
		return aegw_pkt_parse_ip(d, n, off, lenient, pi);
	return c;
}

/* Offset of the network header of a cooked, raw or BSD loopback frame,
 * or -1 when the frame is too short for its link header. *ver is the IP
 * version the link header announces, 0 when the header's own version field
 * decides, -1 for a non-IP frame. */
static long link_offset(int dlt, const uint8_t *d, size_t n, int *ver)
{
	*ver = 0;
	switch (dlt) {
	case DLT_LINUX_SLL:
		if (n < 16)
			return -1;
		*ver = ether_ip_version(be16(d + 14));
		return 16;
	case DLT_LINUX_SLL2:
		if (n < 20)
			return -1;
		*ver = ether_ip_version(be16(d));
		return 20;
	case DLT_NULL:
	case DLT_LOOP:
		return n >= 4 ? 4 : -1; /* the family word's values vary by OS */
	}
	return 0; /* DLT_RAW, DLT_IPV4, DLT_IPV6 */
}

static enum aegw_pkt_class link_classify(int dlt, const uint8_t *d,
					 uint32_t n, struct aegw_pkt_info *pi)
{
	int ver;
	long off = link_offset(dlt, d, n, &ver);

	memset(pi, 0, sizeof(*pi));
	if (off < 0)
		return AEGW_PKT_DROP_TRUNCATED;
	if (ver < 0 || (ver == 0 && (uint32_t)off >= n)) /* nothing says IP */
		return AEGW_PKT_DROP_NOT_IP;
	if ((uint32_t)off < n && ver && d[off] >> 4 != ver)
		return AEGW_PKT_DROP_BAD_IP_HEADER;
	return aegw_pkt_parse_ip(d, n, (uint32_t)off, lenient, pi);
}

/* Why a frame of this class is a failure; NULL: it is copied unchanged,
 * like anything else that is not UDP. */
static const char *class_failure(enum aegw_pkt_class c)
{
	switch (c) {
	case AEGW_PKT_DROP_TRUNCATED:
		return "frame shorter than its headers";
	case AEGW_PKT_DROP_BAD_IP_HEADER:
		return "IP header malformed (version, length or checksum)";
	case AEGW_PKT_DROP_IP_FRAGMENT:
		return "IP fragment (not reassembled)";
	case AEGW_PKT_DROP_BAD_UDP:
		return "UDP length disagrees with the IP length";
	default:
		return NULL;
	}
}

static enum verdict frame_parse(int dlt, const uint8_t *d, uint32_t n,
				long port, struct aegw_pkt_info *pi,
				const char **why)
{
	enum aegw_pkt_class c = dlt == DLT_EN10MB ?
					ether_classify(d, n, pi) :
					link_classify(dlt, d, n, pi);
	int ours = port < 0 || pi->src.port == port || pi->dst.port == port;

	/* With the UDP header read, the ports say whose business it is. */
	if ((c == AEGW_PKT_UDP || c == AEGW_PKT_DROP_BAD_UDP) && !ours)
		return FRAME_OTHER;
	if (c == AEGW_PKT_UDP)
		return FRAME_UDP;
	*why = class_failure(c);
	return *why ? FRAME_BAD : FRAME_OTHER;
}

/* A frame cut by the snaplen is classified as if whole, its missing bytes
 * zero (in buf), so that the ports still decide whether it matters; a UDP
 * datagram that is not all there cannot be rewritten. */
static enum verdict cut_frame_parse(int dlt, const struct pcap_pkthdr *h,
				    const uint8_t *d, long port, uint8_t *buf,
				    size_t bufsize, struct aegw_pkt_info *pi,
				    const char **why)
{
	uint32_t whole = h->len < bufsize ? h->len : (uint32_t)bufsize;
	enum verdict v;

	memcpy(buf, d, h->caplen);
	memset(buf + h->caplen, 0, whole - h->caplen);
	v = frame_parse(dlt, buf, whole, port, pi, why);
	if (v == FRAME_OTHER ||
	    (v == FRAME_UDP &&
	     pi->payload_off + (uint32_t)pi->payload_len <= h->caplen))
		return v;
	*why = "IP packet truncated in the capture";
	return FRAME_BAD;
}

/* ---- frame rewriting ---------------------------------------------- */

/* Room the payload may grow into: the buffer and the IP length field
 * (IPv4's counts its header, IPv6's does not). */
static uint32_t payload_room(const struct aegw_pkt_info *pi, size_t bufsize)
{
	size_t ip_used = pi->payload_off - pi->l3_off -
			 (pi->family == 6 ? AEGW_IPV6_HDR_LEN : 0);
	size_t by_ip = IP_MAX - ip_used;
	size_t by_buf = bufsize - pi->payload_off;

	return (uint32_t)(by_ip < by_buf ? by_ip : by_buf);
}

/* Copies the frame up to the end of the UDP datagram into buf (any
 * link-layer trailer is dropped), runs the payload, and sets the IP and
 * UDP lengths and checksums for its new length. Returns 0 or an enum
 * aegw_err; *out_len is the new frame length. */
static int frame_rewrite(struct session *s, const uint8_t *d,
			 struct aegw_pkt_info *pi, uint8_t *buf,
			 size_t bufsize, uint32_t *out_len)
{
	uint32_t hdr = pi->payload_off, plen = pi->payload_len;
	int rc;

	if (hdr + plen > bufsize)
		return AEGW_ERR_NO_ROOM;
	memcpy(buf, d, hdr + plen);
	rc = session_run(s, buf + hdr, &plen, payload_room(pi, bufsize));
	if (rc)
		return rc;
	aegw_pkt_udp_set_len(buf, pi, (uint16_t)plen, 0);
	*out_len = hdr + plen;
	return 0;
}

/* ---- pcap mode ---------------------------------------------------- */

struct pcap_job {
	pcap_t *in;
	pcap_t *dead;
	pcap_dumper_t *out;
	int dlt;
	long port;
	unsigned long n, failed;
	uint8_t buf[FRAME_ROOM];
};

static int job_open(struct pcap_job *j, const struct opts *o)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	int snap;

	j->port = o->port;
	j->in = pcap_open_offline_with_tstamp_precision(
		o->in, PCAP_TSTAMP_PRECISION_NANO, errbuf);
	if (!j->in) {
		fprintf(stderr, "%s: %s\n", prog, errbuf);
		return EXIT_FAILED;
	}
	j->dlt = pcap_datalink(j->in);
	if (!link_supported(j->dlt)) {
		fprintf(stderr, "%s: %s: link type %s is not supported\n", prog,
			o->in, pcap_datalink_val_to_name(j->dlt));
		return EXIT_FAILED;
	}
	snap = pcap_snapshot(j->in);
	j->dead = pcap_open_dead_with_tstamp_precision(
		j->dlt, snap > OUT_SNAPLEN ? snap : OUT_SNAPLEN,
		PCAP_TSTAMP_PRECISION_NANO);
	j->out = j->dead ? pcap_dump_open(j->dead, o->out) : NULL;
	if (!j->out) {
		fprintf(stderr, "%s: %s: %s\n", prog, o->out,
			j->dead ? pcap_geterr(j->dead) : "out of memory");
		return EXIT_FAILED;
	}
	return 0;
}

static int job_close(struct pcap_job *j)
{
	int rc = 0;

	if (j->out) {
		if (pcap_dump_flush(j->out)) {
			fprintf(stderr, "%s: writing the output failed\n", prog);
			rc = EXIT_FAILED;
		}
		pcap_dump_close(j->out);
	}
	if (j->dead)
		pcap_close(j->dead);
	if (j->in)
		pcap_close(j->in);
	aegw_wipe(j->buf, sizeof(j->buf));
	return rc;
}

static void job_packet(struct pcap_job *j, struct session *s,
		       const struct pcap_pkthdr *h, const uint8_t *d)
{
	struct pcap_pkthdr oh = *h;
	const uint8_t *out = d;
	const char *why = NULL;
	struct aegw_pkt_info pi;
	enum verdict v;
	uint32_t len;
	int rc;

	j->n++;
	if (h->caplen < h->len && h->caplen <= sizeof(j->buf))
		v = cut_frame_parse(j->dlt, h, d, j->port, j->buf,
				    sizeof(j->buf), &pi, &why);
	else
		v = frame_parse(j->dlt, d, h->caplen, j->port, &pi, &why);
	if (v == FRAME_UDP) {
		rc = frame_rewrite(s, d, &pi, j->buf, sizeof(j->buf), &len);
		if (rc) {
			why = aegw_strerror(rc);
		} else {
			out = j->buf;
			oh.caplen = oh.len = len;
		}
	}
	if (why) {
		report(j->n, why);
		j->failed++;
	}
	pcap_dump((u_char *)j->out, &oh, out);
}

static int job_run(struct pcap_job *j, struct session *s)
{
	struct pcap_pkthdr *h;
	const u_char *d;
	int rc;

	while ((rc = pcap_next_ex(j->in, &h, &d)) == 1)
		job_packet(j, s, h, d);
	if (rc != PCAP_ERROR_BREAK) {
		fprintf(stderr, "%s: reading packet %lu: %s\n", prog, j->n + 1,
			pcap_geterr(j->in));
		return EXIT_FAILED;
	}
	return j->failed ? EXIT_FAILED : 0;
}

static int run_pcap(struct session *s, const struct opts *o)
{
	struct pcap_job *j = calloc(1, sizeof(*j));
	int rc, crc;

	if (!j) {
		fprintf(stderr, "%s: out of memory\n", prog);
		return EXIT_FAILED;
	}
	rc = job_open(j, o);
	if (!rc)
		rc = job_run(j, s);
	crc = job_close(j);
	free(j);
	return rc ? rc : crc;
}

int main(int argc, char **argv)
{
	struct aegw_srtp_config cfg;
	struct session s;
	struct opts o;
	int rc;

	rc = parse_args(argc, argv, &o);
	if (rc || o.help) {
		if (o.help)
			print_help();
		return rc;
	}
	rc = load_key(&o, &cfg);
	if (rc)
		return rc;
	rc = session_open(&s, &o, &cfg);
	if (!rc)
		rc = o.hex ? run_hex(&s, o.packets, o.n_packets) :
			     run_pcap(&s, &o);
	session_close(&s);
	return rc;
}
