/* aegw-srtp: offline SRTP/SRTCP protect and unprotect with the aegw
 * engine, of packets given as hex or of the UDP payloads of a capture.
 * Sections: arguments, key and streams, hex mode, frame parsing (link
 * layer, IPv4, IPv6), frame rewriting (lengths, checksums), pcap mode. */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <pcap/pcap.h>

#include "aegw/error.h"
#include "aegw/sdes.h"
#include "aegw/srtp.h"

enum {
	EXIT_FAILED = 1, /* a packet failed, or setup or I/O went wrong */
	EXIT_USAGE = 2,
	IP_MAX = 65535,  /* IPv4 total length, IPv6 payload length */
	PKT_ROOM = IP_MAX + AEGW_SRTP_MAX_TRAILER,
	FRAME_ROOM = PKT_ROOM + 256, /* plus link and IP headers */
	OUT_SNAPLEN = 262144,
	VLAN_TAGS_MAX = 2,
	IPV6_EXT_MAX = 8, /* extension headers walked before giving up */
	UDP_HDR_LEN = 8,
	IPV4_HDR_LEN = 20,
	IPV6_HDR_LEN = 40,
	UDP_PROTO = 17,
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

/* RFC 5761 4: RTCP packet types 192..223 cannot be RTP payload types
 * with or without the marker bit, once PTs 64..95 are avoided. */
static int is_rtcp(const struct session *s, const uint8_t *p, uint32_t len)
{
	return s->all_rtcp || (len >= 2 && p[1] >= 192 && p[1] <= 223);
}

/* Runs one packet in place; *len changes on success. */
static int session_run(struct session *s, uint8_t *p, uint32_t *len,
		       uint32_t size)
{
	struct aegw_srtp_pkt pkt = { p, *len, size };
	struct aegw_srtp_stream *st = is_rtcp(s, p, *len) ? s->rtcp : s->rtp;
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
	OPENSSL_cleanse(buf, sizeof(buf));
	return failed ? EXIT_FAILED : 0;
}

/* ---- frame parsing ------------------------------------------------ */

/* Where the UDP datagram of a frame is. */
struct udp_loc {
	size_t ip;   /* offset of the IPv4/IPv6 header */
	size_t udp;  /* offset of the UDP header */
	uint32_t len; /* UDP length field: header + payload */
	int v6;
	const char *defect; /* found, but cannot be rewritten: why */
};

enum verdict {
	FRAME_OTHER, /* copied unchanged */
	FRAME_UDP,   /* rewritten */
	FRAME_BAD,   /* a failure: malformed, fragment, truncated */
};

static unsigned be16(const uint8_t *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

static void put_be16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
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

/* Ethernet II with up to two 802.1Q/802.1ad tags; returns the ethertype
 * and sets *off to the network header, 0 if the frame is too short. */
static unsigned ether_type(const uint8_t *d, size_t n, size_t *off)
{
	size_t pos = 12;
	unsigned type;

	for (int tags = 0; pos + 2 <= n; tags++) {
		type = be16(d + pos);
		pos += 2;
		if ((type != 0x8100 && type != 0x88a8) || tags == VLAN_TAGS_MAX) {
			*off = pos;
			return type;
		}
		pos += 2; /* TCI */
	}
	return 0;
}

static int ether_ip_version(unsigned type)
{
	return type == 0x0800 ? 4 : type == 0x86dd ? 6 : -1;
}

/* Offset of the network header, or -1 when the frame is too short for
 * its link header. *ver is the IP version the link header announces, 0
 * when the header's own version field decides, -1 for a non-IP frame. */
static long link_offset(int dlt, const uint8_t *d, size_t n, int *ver)
{
	size_t off = 0;
	unsigned type;

	*ver = 0;
	switch (dlt) {
	case DLT_EN10MB:
		type = ether_type(d, n, &off);
		*ver = ether_ip_version(type);
		return type ? (long)off : -1;
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

static int port_match(long port, const uint8_t *udp)
{
	return port < 0 || be16(udp) == (unsigned)port ||
	       be16(udp + 2) == (unsigned)port;
}

/* The UDP header at l->udp, within end (the IP datagram's end). */
static enum verdict udp_found(const uint8_t *d, size_t end, long port,
			      struct udp_loc *l, const char **why)
{
	if (l->udp + UDP_HDR_LEN > end) {
		*why = "UDP header truncated";
		return FRAME_BAD;
	}
	if (!port_match(port, d + l->udp))
		return FRAME_OTHER;
	l->len = be16(d + l->udp + 4);
	if (!l->defect && (l->len < UDP_HDR_LEN || l->udp + l->len > end))
		l->defect = "UDP length disagrees with the IP length";
	if (l->defect) {
		*why = l->defect;
		return FRAME_BAD;
	}
	return FRAME_UDP;
}

/* end is the smaller of the IP datagram's end and the captured bytes; a
 * datagram cut by the snaplen is noted as a defect once the ports are
 * known. */
static enum verdict ipv4_parse(const uint8_t *d, size_t n, long port,
			       struct udp_loc *l, const char **why)
{
	const uint8_t *ip = d + l->ip;
	size_t ihl, total, end;
	unsigned frag;

	ihl = (size_t)(ip[0] & 15) * 4;
	if (n - l->ip < IPV4_HDR_LEN || ihl < IPV4_HDR_LEN || n - l->ip < ihl) {
		*why = "IPv4 header truncated or malformed";
		return FRAME_BAD;
	}
	if (ip[9] != UDP_PROTO)
		return FRAME_OTHER;
	total = be16(ip + 2);
	frag = be16(ip + 6);
	if (frag & 0x1fff) {
		*why = "IPv4 fragment (not reassembled)";
		return FRAME_BAD;
	}
	if (total < ihl) {
		*why = "IPv4 total length shorter than its header";
		return FRAME_BAD;
	}
	end = l->ip + total;
	if (end > n) {
		l->defect = "IP packet truncated in the capture";
		end = n;
	}
	if (frag & 0x2000)
		l->defect = "IPv4 fragment (not reassembled)";
	l->udp = l->ip + ihl;
	return udp_found(d, end, port, l, why);
}

/* Walks hop-by-hop, routing and destination options headers. */
static enum verdict ipv6_parse(const uint8_t *d, size_t n, long port,
			       struct udp_loc *l, const char **why)
{
	size_t pos = l->ip + IPV6_HDR_LEN, end;
	unsigned nh;

	if (n - l->ip < IPV6_HDR_LEN) {
		*why = "IPv6 header truncated";
		return FRAME_BAD;
	}
	nh = d[l->ip + 6];
	end = pos + be16(d + l->ip + 4);
	if (end > n) {
		l->defect = "IP packet truncated in the capture";
		end = n;
	}
	for (int i = 0; i < IPV6_EXT_MAX && (nh == 0 || nh == 43 || nh == 60);
	     i++) {
		if (pos + 8 > end) {
			*why = "IPv6 extension header truncated";
			return FRAME_BAD;
		}
		nh = d[pos];
		pos += ((size_t)d[pos + 1] + 1) * 8;
	}
	if (nh == 44 && pos + 8 <= end && d[pos] == UDP_PROTO) {
		*why = "IPv6 fragment (not reassembled)";
		return FRAME_BAD;
	}
	if (nh != UDP_PROTO)
		return FRAME_OTHER;
	l->v6 = 1;
	l->udp = pos;
	return udp_found(d, end, port, l, why);
}

static enum verdict frame_parse(int dlt, const uint8_t *d, size_t n,
				long port, struct udp_loc *l, const char **why)
{
	int ver;
	long off = link_offset(dlt, d, n, &ver);

	memset(l, 0, sizeof(*l));
	if (off < 0) {
		*why = "frame shorter than its link-layer header";
		return FRAME_BAD;
	}
	if (ver < 0 || (ver == 0 && ((size_t)off >= n ||
				     (d[off] >> 4 != 4 && d[off] >> 4 != 6))))
		return FRAME_OTHER;
	if ((size_t)off >= n || (ver && d[off] >> 4 != ver)) {
		*why = "IP header missing or of the wrong version";
		return FRAME_BAD;
	}
	l->ip = (size_t)off;
	return d[off] >> 4 == 4 ? ipv4_parse(d, n, port, l, why) :
				  ipv6_parse(d, n, port, l, why);
}

/* ---- frame rewriting ---------------------------------------------- */

static uint64_t sum16(uint64_t acc, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		acc += be16(p + i);
	if (n & 1)
		acc += (uint64_t)p[n - 1] << 8;
	return acc;
}

static unsigned fold(uint64_t acc)
{
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return (unsigned)~acc & 0xffff;
}

static void ipv4_fix(uint8_t *ip, size_t ihl, size_t total)
{
	put_be16(ip + 2, (unsigned)total);
	put_be16(ip + 10, 0);
	put_be16(ip + 10, fold(sum16(0, ip, ihl)));
}

/* RFC 768 and RFC 8200 8.1 pseudo-headers; 0 is sent as 0xffff. */
static void udp_fix(uint8_t *f, const struct udp_loc *l)
{
	uint8_t *udp = f + l->udp;
	uint64_t acc;
	unsigned sum;

	put_be16(udp + 4, l->len);
	put_be16(udp + 6, 0);
	if (l->v6)
		acc = sum16(0, f + l->ip + 8, 32); /* source, destination */
	else
		acc = sum16(0, f + l->ip + 12, 8);
	acc += UDP_PROTO + l->len;
	sum = fold(sum16(acc, udp, l->len));
	put_be16(udp + 6, sum ? sum : 0xffff);
}

/* Room the payload may grow into: the buffer and the IP length field. */
static uint32_t payload_room(const struct udp_loc *l, size_t bufsize)
{
	size_t ip_used = l->udp + UDP_HDR_LEN - l->ip - (l->v6 ? IPV6_HDR_LEN : 0);
	size_t by_ip = IP_MAX - ip_used;
	size_t by_buf = bufsize - (l->udp + UDP_HDR_LEN);

	return (uint32_t)(by_ip < by_buf ? by_ip : by_buf);
}

/* Copies the frame up to the end of the UDP datagram into buf (any
 * link-layer trailer is dropped), runs the payload, fixes the headers.
 * Returns 0 or an enum aegw_err; *out_len is the new frame length. */
static int frame_rewrite(struct session *s, const uint8_t *d,
			 struct udp_loc *l, uint8_t *buf, size_t bufsize,
			 uint32_t *out_len)
{
	size_t hdr = l->udp + UDP_HDR_LEN;
	uint32_t plen = l->len - UDP_HDR_LEN;
	int rc;

	if (hdr + plen > bufsize)
		return AEGW_ERR_NO_ROOM;
	memcpy(buf, d, hdr + plen);
	rc = session_run(s, buf + hdr, &plen, payload_room(l, bufsize));
	if (rc)
		return rc;
	l->len = plen + UDP_HDR_LEN;
	if (l->v6)
		put_be16(buf + l->ip + 4,
			 (unsigned)(l->udp + l->len - l->ip - IPV6_HDR_LEN));
	else
		ipv4_fix(buf + l->ip, l->udp - l->ip, l->udp + l->len - l->ip);
	udp_fix(buf, l);
	*out_len = (uint32_t)(hdr + plen);
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
	OPENSSL_cleanse(j->buf, sizeof(j->buf));
	return rc;
}

static void job_packet(struct pcap_job *j, struct session *s,
		       const struct pcap_pkthdr *h, const uint8_t *d)
{
	struct pcap_pkthdr oh = *h;
	const uint8_t *out = d;
	const char *why = NULL;
	struct udp_loc l;
	uint32_t len;
	int rc;

	j->n++;
	if (frame_parse(j->dlt, d, h->caplen, j->port, &l, &why) == FRAME_UDP) {
		rc = frame_rewrite(s, d, &l, j->buf, sizeof(j->buf), &len);
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
