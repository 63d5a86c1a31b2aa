/* aegw-control's command line: where it listens for the ng protocol, which
 * dataplane instance it drives, and its media interfaces. Parsed once at
 * start; the struct is read-only afterwards. */
#ifndef CTL_OPTIONS_H
#define CTL_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "acl.h"
#include "aegw/ring.h"
#include "aegw/wire.h"
#include "registry.h"

enum {
	CTL_MAX_LISTEN = 8,       /* per kind (UDP, TCP) */
	CTL_MAX_IFACES = 8,
	CTL_IFACE_NAME_MAX = 31,
	CTL_ADDR_TEXT_MAX = 46,   /* INET6_ADDRSTRLEN */
	CTL_DEFAULT_PORT_MIN = 30000,
	CTL_DEFAULT_PORT_MAX = 39999,
	CTL_DEFAULT_CACHE_MB = 64,    /* the ng retransmission cache */
	CTL_CACHE_MB_MAX = 65536,
	CTL_DEFAULT_CACHE_TTL_S = 30, /* rtpengine keeps cookies 30 s */
	CTL_MAX_E2AE_POLICIES = 16,   /* --e2ae-policy entries */
	CTL_DEFAULT_TIMEOUT_S = 60,   /* rtpengine's --timeout */
	CTL_DEFAULT_OFFER_TIMEOUT_S = 3600, /* rtpengine's --offer-timeout */
	CTL_DEFAULT_SILENT_TIMEOUT_S = 3600, /* rtpengine's --silent-timeout */
	CTL_TIMEOUT_MAX_S = 604800,   /* a week: any timeout or delay */
	CTL_SOCK_PATH_MAX = 108,      /* sun_path, its NUL included */
	CTL_MAX_NG_ALLOW = 32,        /* --ng-allow networks */
};

/* --ctl-socket's default: CTL_SOCK_DEFAULT_DIR/aegw-INSTANCE.ctl (aegwctl
 * makes the same path from its --instance). */
#define CTL_SOCK_DEFAULT_DIR "/run/aegw"

struct ctl_listen {
	struct sockaddr_storage ss;
	socklen_t len;
	char text[64]; /* as given, for the log */
};

/* --interface NAME=ADDR[/PORTMIN-PORTMAX][@DPDKPORT] */
struct ctl_iface_cfg {
	char name[CTL_IFACE_NAME_MAX + 1];
	char addr_text[CTL_ADDR_TEXT_MAX]; /* canonical */
	struct aegw_endpoint addr;         /* port 0 */
	/* The address SDP names instead, where a 1:1 NAT in front of the
	 * gateway maps it to addr (rtpengine's ADDR!ADVERTISED); family 0:
	 * none, SDP names addr. */
	char advertised_text[CTL_ADDR_TEXT_MAX];
	struct aegw_endpoint advertised;
	uint16_t port_min, port_max;       /* inclusive; RTP even, RTCP odd */
	uint16_t dpdk_port;
};

/* --e2ae-policy ACCESS=off|supported|preferred */
struct ctl_e2ae_policy_cfg {
	char access[CTL_REG_ACCESS_MAX + 1];
	enum ctl_e2ae_policy policy;
};

/* How a call's MOS is figured from its peers' RTCP (quality.c): as the
 * rtpengine its P-CSCF was set up with does. */
enum ctl_mos_formula {
	CTL_MOS_LEGACY, /* rtpengine up to 13.0 (Debian 12's 10.5):
			 * PingPlotter's approximation */
	CTL_MOS_G107,   /* rtpengine 13.1 and later: ITU-T G.107's
			 * E-model, simplified for narrowband */
};

struct ctl_options {
	struct ctl_listen udp[CTL_MAX_LISTEN];
	unsigned n_udp;
	struct ctl_listen tcp[CTL_MAX_LISTEN];
	unsigned n_tcp;
	/* --ng-allow: the networks ng requests may come from; none: any. */
	struct ctl_cidr ng_allow[CTL_MAX_NG_ALLOW];
	unsigned n_ng_allow;
	struct ctl_listen metrics; /* --listen-metrics: HTTP /metrics */
	bool metrics_on;
	/* --srtp-suites: the suites aegw terminates, in its order of
	 * preference (every suite, wire.h's order, by default). */
	enum aegw_suite suites[AEGW_SUITE_COUNT];
	unsigned n_suites;
	char instance[AEGW_INSTANCE_MAX + 1];
	struct ctl_iface_cfg ifaces[CTL_MAX_IFACES];
	unsigned n_ifaces;
	unsigned max_sessions;   /* 0: no limit */
	int journal;             /* --journal: 1 on, 0 off, -1 not given
				  * (the daemon turns it on; in-process
				  * users, tests and fuzzers, keep none) */
	unsigned cache_mb;       /* retransmission cache size */
	unsigned cache_ttl_s;
	unsigned log_level;      /* enum ctl_log_level */
	/* Seconds, 0: off (timeout.c): media silence of an answered call,
	 * an offer not answered, a call's whole life; and the delete delay
	 * of a `delete` that names none. */
	unsigned timeout_s, offer_timeout_s, final_timeout_s, delete_delay_s;
	unsigned silent_timeout_s;
	enum ctl_mos_formula mos_formula;
	unsigned max_registrations;
	struct ctl_e2ae_policy_cfg e2ae[CTL_MAX_E2AE_POLICIES];
	unsigned n_e2ae;         /* ACCESS '*': every other one */
	/* The control socket's path; "": none. Given: named by
	 * --ctl-socket, so that failing to open it is fatal (the
	 * default's failure is a warning). */
	char ctl_socket[CTL_SOCK_PATH_MAX];
	bool ctl_socket_given;
};

/* Fills o from argv. Returns 0, 1 when --help was asked (the usage is
 * printed on stdout), or -1 with a message in err. */
int ctl_options_parse(struct ctl_options *o, int argc, char **argv,
		      char *err, size_t errlen);

void ctl_options_usage(FILE *f, const char *prog);

/* One option by its long name, as the configuration file gives it
 * (name "interface", value "NAME=ADDR..."). 0, or -1 with the reason in
 * err ("unknown key" for a name that is no option). */
int ctl_option_set(struct ctl_options *o, const char *name, const char *value,
		   char *err, size_t errlen);

/* Parses "NAME=ADDR[/MIN-MAX][@DPDKPORT]"; index is the interface's
 * position, its default DPDK port. 0 or -1 with a message in err. */
int ctl_iface_parse(const char *s, unsigned index, struct ctl_iface_cfg *ifc,
		    char *err, size_t errlen);

/* Whether a and b are one IP address (their ports aside). */
static inline bool ctl_same_ip(const struct aegw_endpoint *a,
			       const struct aegw_endpoint *b)
{
	return a->family == b->family && !memcmp(a->ip, b->ip, sizeof(a->ip));
}

/* The address aegw puts in SDP for the interface: its advertised one,
 * else its own. */
static inline const char *ctl_iface_sdp_addr(const struct ctl_iface_cfg *c)
{
	return c->advertised.family ? c->advertised_text : c->addr_text;
}

/* A configuration file's [interface NAME]: the defaults for the
 * interface at index (-1 for a bad name), then one key at a time: addr,
 * advertised, ports ("MIN-MAX"), dpdk-port. A field returns NULL or the
 * reason. */
int ctl_iface_init(struct ctl_iface_cfg *ifc, const char *name, size_t n,
		   unsigned index);
const char *ctl_iface_field(struct ctl_iface_cfg *ifc, const char *key,
			    const char *value, size_t n);

/* Parses "ACCESS=off|supported|preferred" into o (ACCESS "*" or
 * "default": every other access network). 0 or -1 with a message. */
int ctl_e2ae_policy_add(struct ctl_options *o, const char *s, char *err,
			size_t errlen);
/* The policy for an access-network type (ASCII case-insensitive, as SIP
 * tokens are); the default for one not configured or empty. */
enum ctl_e2ae_policy ctl_e2ae_policy_for(const struct ctl_options *o,
					 const char *access, size_t len);

/* "ADDR:PORT" or "[ADDR6]:PORT"; ADDR may be a host name. */
int ctl_listen_parse(const char *s, struct ctl_listen *l, char *err,
		     size_t errlen);

#endif
