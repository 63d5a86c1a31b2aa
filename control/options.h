/* aegw-control's command line: where it listens for the ng protocol, which
 * dataplane instance it drives, and its media interfaces. Parsed once at
 * start; the struct is read-only afterwards. */
#ifndef CTL_OPTIONS_H
#define CTL_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>

#include "aegw/ring.h"

enum {
	CTL_MAX_LISTEN = 8,       /* per kind (UDP, TCP) */
	CTL_MAX_IFACES = 8,
	CTL_IFACE_NAME_MAX = 31,
	CTL_ADDR_TEXT_MAX = 46,   /* INET6_ADDRSTRLEN */
	CTL_DEFAULT_PORT_MIN = 30000,
	CTL_DEFAULT_PORT_MAX = 39999,
	CTL_DEFAULT_CACHE_ENTRIES = 4096,
	CTL_DEFAULT_CACHE_TTL_S = 30, /* rtpengine keeps cookies 30 s */
};

struct ctl_listen {
	struct sockaddr_storage ss;
	socklen_t len;
	char text[64]; /* as given, for the log */
};

/* --interface NAME=ADDR[/PORTMIN-PORTMAX][@DPDKPORT] */
struct ctl_iface_cfg {
	char name[CTL_IFACE_NAME_MAX + 1];
	char addr_text[CTL_ADDR_TEXT_MAX]; /* canonical, for SDP */
	struct aegw_endpoint addr;         /* port 0 */
	uint16_t port_min, port_max;       /* inclusive; RTP even, RTCP odd */
	uint16_t dpdk_port;
};

struct ctl_options {
	struct ctl_listen udp[CTL_MAX_LISTEN];
	unsigned n_udp;
	struct ctl_listen tcp[CTL_MAX_LISTEN];
	unsigned n_tcp;
	char instance[AEGW_INSTANCE_MAX + 1];
	struct ctl_iface_cfg ifaces[CTL_MAX_IFACES];
	unsigned n_ifaces;
	unsigned max_sessions;   /* 0: no limit */
	unsigned cache_entries;  /* retransmission cache size */
	unsigned cache_ttl_s;
	unsigned log_level;      /* enum ctl_log_level */
};

/* Fills o from argv. Returns 0, 1 when --help was asked (the usage is
 * printed on stdout), or -1 with a message in err. */
int ctl_options_parse(struct ctl_options *o, int argc, char **argv,
		      char *err, size_t errlen);

void ctl_options_usage(FILE *f, const char *prog);

/* Parses "NAME=ADDR[/MIN-MAX][@DPDKPORT]"; index is the interface's
 * position, its default DPDK port. 0 or -1 with a message in err. */
int ctl_iface_parse(const char *s, unsigned index, struct ctl_iface_cfg *ifc,
		    char *err, size_t errlen);

/* "ADDR:PORT" or "[ADDR6]:PORT"; ADDR may be a host name. */
int ctl_listen_parse(const char *s, struct ctl_listen *l, char *err,
		     size_t errlen);

#endif
