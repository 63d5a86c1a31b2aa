/* Static streams: one direction of media installed by hand (aegwctl
 * install), with no call around it. It goes through the same ring
 * functions as a call's streams (streams.h), takes its id from
 * ctl_stream_id_next and holds its local port's pair in the interface's
 * pool, so no call is given that port; uninstall gives it back.
 *
 * Nothing keeps them alive beyond that: the keys are wiped once the
 * stream is installed (the daemon holds none for it), so a new dataplane
 * does not get it again (it is listed as not in the dataplane until it is
 * uninstalled). A new daemon takes it back from the dataplane's DUMP
 * (the stream carries AEGW_STREAM_STATIC): all it holds is there but the
 * keys, which it never kept. Control thread only. */
#ifndef CTL_STATIC_STREAMS_H
#define CTL_STATIC_STREAMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aegw/ring.h"
#include "ports.h"

struct ctl;

enum { CTL_STATIC_MAX = 64 };

/* What was installed, without its keys. */
struct ctl_static_stream {
	uint32_t id;                  /* 0: a free slot */
	enum aegw_action action;
	struct ctl_iface *iface;      /* where it arrives */
	struct ctl_iface *out_iface;  /* where it leaves */
	uint16_t port;                /* aegw's local port on iface */
	uint16_t source_port;         /* aegw's port it sends from */
	bool reserved;                /* port's pair taken from iface's pool */
	bool rtcp_mux;
	uint8_t rtcp_out;             /* AEGW_STREAM_RTCP_OUT_*, or 0 */
	struct aegw_endpoint peer;    /* where it sends */
	struct aegw_endpoint remote;  /* the only sender; family 0: latched */
};

struct ctl_statics {
	struct ctl_static_stream s[CTL_STATIC_MAX];
	unsigned n;
};

/* An install as aegwctl asks it. Interface names point into the request.
 * The keys are the caller's: it wipes them (aegw_srtp_config_wipe). */
struct ctl_static_req {
	const char *iface, *out_iface; /* out_iface NULL: iface */
	size_t iface_len, out_iface_len;
	uint16_t port;
	uint16_t source_port;          /* 0: port */
	enum aegw_action action;
	struct aegw_endpoint peer;     /* required */
	struct aegw_endpoint remote;   /* family 0: latch the first sender */
	bool rtcp_mux;                 /* RTCP on the RTP port... */
	uint8_t rtcp_out;              /* ...and toward the peer, if other:
					* AEGW_STREAM_RTCP_OUT_*, or 0 */
	bool have_in_key, have_out_key;
	struct aegw_srtp_config in_key, out_key;
};

/* Checks r, reserves the port, installs the stream and records it. The
 * entry, or NULL with the reason in err. */
const struct ctl_static_stream *ctl_static_install(struct ctl *ctl,
						   const struct ctl_static_req *r,
						   char *err, size_t errlen);

/* Removes stream id: a static one (its port goes back), or one a previous
 * daemon left (adopted: found by a dump, its port goes back too). A
 * call's stream is refused: the call is deleted instead. 0, or -1 with
 * the reason in err. */
int ctl_static_uninstall(struct ctl *ctl, uint32_t id, char *err,
			 size_t errlen);

/* A stream of a previous daemon's DUMP, taken back as the static stream
 * it was (AEGW_STREAM_STATIC), its port's pair reserved when in the
 * pool; the peer and remote as the dataplane has them. False when it is
 * none, or does not fit: no free slot, an interface no longer
 * configured, a static stream on its port already. */
bool ctl_static_adopt(struct ctl *ctl, const struct aegw_evt *e);

/* The static stream with that id, or NULL. */
const struct ctl_static_stream *ctl_static_find(const struct ctl *ctl,
						uint32_t id);

#endif
