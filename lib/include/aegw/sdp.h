/* SDP (RFC 8866) for the control daemon: a session description parsed
 * into its lines, what aegw reads from them, and a rewrite that builds a
 * new SDP keeping every line aegw does not own byte for byte; and RFC 4568
 * a=crypto lines (parse, engine config, format, answer selection).
 *
 * Control-plane code: functions fill a caller's message buffer on error so
 * the caller decides how to report. No state, no allocation; any thread
 * may call. A struct aegw_sdp points into the text it was parsed from: the
 * caller keeps that text alive and unchanged while it uses the struct. */
#ifndef AEGW_SDP_H
#define AEGW_SDP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aegw/error.h"
#include "aegw/sdes.h"
#include "aegw/srtp.h"
#include "aegw/wire.h"

#ifdef __cplusplus
extern "C" {
#endif

enum {
	AEGW_SDP_MAX_LEN = 65536,  /* bytes of SDP text */
	AEGW_SDP_MAX_LINES = 1024,
	AEGW_SDP_MAX_MEDIA = 16,   /* m= sections */
	AEGW_SDP_MAX_CRYPTO = 16,  /* a=crypto lines per m= that are parsed;
				    * further ones are kept, never chosen */
	AEGW_SDP_CRYPTO_BUF = 256, /* holds any line aegw_sdp_crypto_format
				    * writes, with its NUL */
};

/* A piece of the SDP text: not NUL-terminated. */
struct aegw_sdp_str {
	const char *p;
	size_t n;
};

/* What aegw recognised a line as. The rewrite owns these kinds (it may
 * change or drop them); every OTHER line is copied as it is. */
enum aegw_sdp_kind {
	AEGW_SDP_LINE_OTHER,
	AEGW_SDP_LINE_ORIGIN,    /* o= */
	AEGW_SDP_LINE_CONN,      /* c= */
	AEGW_SDP_LINE_MEDIA,     /* m= */
	AEGW_SDP_LINE_RTCP,      /* a=rtcp (RFC 3605), media level */
	AEGW_SDP_LINE_RTCP_MUX,  /* a=rtcp-mux (RFC 5761), media level */
	AEGW_SDP_LINE_CRYPTO,    /* a=crypto (RFC 4568), media level */
	AEGW_SDP_LINE_KEY_MGMT,  /* a=key-mgmt (RFC 4567): relayed as is */
	AEGW_SDP_LINE_ICE,       /* RFC 8839 attributes */
	AEGW_SDP_LINE_E2AE,      /* a=3ge2ae (TS 24.229 7.5.2), media level */
	AEGW_SDP_LINE_DIRECTION, /* a=sendrecv/sendonly/recvonly/inactive */
	AEGW_SDP_LINE_BUNDLE,    /* a=group:BUNDLE (RFC 8843), session level */
};

struct aegw_sdp_line {
	const char *value; /* after "x=", without the line end */
	uint32_t len;
	char type;         /* 'v', 'o', 'c', 'm', 'a', ... */
	uint8_t kind;      /* enum aegw_sdp_kind */
	int8_t media;      /* -1: session level; else index into media[] */
};

enum aegw_sdp_proto {
	AEGW_SDP_PROTO_OTHER, /* in an edit: keep the m= line's protocol */
	AEGW_SDP_PROTO_RTP_AVP,
	AEGW_SDP_PROTO_RTP_SAVP,
	AEGW_SDP_PROTO_RTP_AVPF,
	AEGW_SDP_PROTO_RTP_SAVPF,
};

enum aegw_sdp_dir {
	AEGW_SDP_DIR_NONE, /* no direction attribute */
	AEGW_SDP_DIR_SENDRECV,
	AEGW_SDP_DIR_SENDONLY,
	AEGW_SDP_DIR_RECVONLY,
	AEGW_SDP_DIR_INACTIVE,
};

/* TS 24.229 7.5.2: "requested" in a UE's offer, "applied" in the answer;
 * other values are to be ignored. */
enum aegw_sdp_e2ae {
	AEGW_SDP_E2AE_NONE,
	AEGW_SDP_E2AE_REQUESTED,
	AEGW_SDP_E2AE_APPLIED,
	AEGW_SDP_E2AE_OTHER,
};

/* c=, or the address part of a=rtcp. */
struct aegw_sdp_conn {
	bool present;
	int family;               /* 4 or 6 for IN IP4/IP6; 0 otherwise */
	struct aegw_sdp_str addr; /* as written (a multicast one keeps /ttl) */
};

struct aegw_sdp_ice {
	struct aegw_sdp_str ufrag, pwd, options;
	unsigned n_candidates;
	bool lite, end_of_candidates, remote_candidates;
};

/* What the session level, or one m= section, says. */
struct aegw_sdp_section {
	struct aegw_sdp_conn c;    /* the first c= of the section */
	enum aegw_sdp_dir dir;
	struct aegw_sdp_ice ice;
	bool key_mgmt;             /* a=key-mgmt present */
	bool zrtp;                 /* a=zrtp-hash (RFC 6189 8.1): the peers
				    * may key SRTP in the media path */
};

/* One a=crypto line (RFC 4568 9.1). It holds no key material: the keys
 * stay in the text and are decoded only by aegw_sdp_crypto_to_config. */
struct aegw_sdp_crypto {
	struct aegw_sdp_str value;     /* after "a=crypto:" */
	/* 0: aegw can use the line. AEGW_ERR_UNSUPPORTED: well-formed but
	 * not for aegw (unknown suite or key method, an unknown session
	 * parameter (RFC 4568 6.3.7), MKI longer than 4 bytes, ...). Any
	 * other enum aegw_err: malformed. Either way the SDP still parses
	 * and the line is kept; an answerer just does not pick it. */
	int status;
	uint32_t tag;                  /* 0..999999999 */
	struct aegw_sdp_str suite_name;
	enum aegw_suite suite;         /* when status is 0 */
	unsigned n_keys;               /* key-params on the line */
	unsigned mki_len;              /* 0 or 1..4; known once keys decode */
	unsigned session_params;       /* AEGW_SRTP_UNENCRYPTED_SRTP ... */
	unsigned kdr_log2;             /* KDR=n, 1..24; 0: not given */
	unsigned wsh;                  /* WSH=n; 0: not given */
	bool fec_order, fec_key;       /* given; aegw does no FEC, so unused */
};

struct aegw_sdp_media {
	struct aegw_sdp_section s;
	struct aegw_sdp_str media;     /* "audio", "video", ... */
	uint16_t port;
	uint16_t port_count;           /* "/n" after the port; 0: none */
	struct aegw_sdp_str proto;
	enum aegw_sdp_proto proto_id;  /* OTHER for any other protocol */
	struct aegw_sdp_str formats;   /* everything after the protocol */
	/* The first format (the one most preferred) as an RTP payload
	 * type, -1 if it is none; its clock rate from its a=rtpmap, or
	 * RFC 3551's table for a static type; 0: not known. */
	int first_pt;
	uint32_t clock_rate;
	bool has_rtcp;
	uint16_t rtcp_port;
	struct aegw_sdp_conn rtcp_addr; /* not present: port only */
	bool rtcp_mux;
	enum aegw_sdp_e2ae e2ae;
	unsigned n_crypto;             /* a=crypto lines parsed: the first
					* AEGW_SDP_MAX_CRYPTO, in offer order */
	struct aegw_sdp_crypto crypto[AEGW_SDP_MAX_CRYPTO];
};

/* o=<username> <sess-id> <sess-version> <nettype> <addrtype> <address> */
struct aegw_sdp_origin {
	struct aegw_sdp_str user, sess_id, sess_version, nettype, addrtype,
		addr;
	int family; /* 4 or 6 for IN IP4/IP6; 0 otherwise */
};

/* About 40 KiB: give it static or heap storage, not a worker's stack. */
struct aegw_sdp {
	const char *text;
	size_t len;
	bool lf_only;     /* lines end with a bare LF; the rewrite keeps that */
	struct aegw_sdp_origin origin;
	struct aegw_sdp_section session;
	unsigned n_lines, n_media;
	struct aegw_sdp_line lines[AEGW_SDP_MAX_LINES];
	struct aegw_sdp_media media[AEGW_SDP_MAX_MEDIA];
};

/* Parses len bytes of SDP. Lines end with CRLF or a bare LF (the first
 * line decides how the rewrite ends them); the last line may lack one and
 * blank lines at the very end are dropped. Rejects with
 * AEGW_ERR_INVALID_ARG, the line named in err, what is not SDP: a first
 * line other than v=0, no o= second line, a line that is not
 * "<type letter>=" with a type RFC 8866 5 defines, a NUL or bare CR, more
 * than AEGW_SDP_MAX_LEN bytes, AEGW_SDP_MAX_LINES lines or
 * AEGW_SDP_MAX_MEDIA m= sections, and a malformed line that aegw reads
 * (o=, c=, m=, a=rtcp). A bad a=crypto only marks that line. */
int aegw_sdp_parse(struct aegw_sdp *sdp, const char *text, size_t len,
		   char *err, size_t errlen);

/* Zero-initialised means "keep". */
enum aegw_sdp_op {
	AEGW_SDP_KEEP,
	AEGW_SDP_SET,
	AEGW_SDP_REMOVE,
};

struct aegw_sdp_media_edit {
	const char *addr;          /* c= address, IPv4 or IPv6 text; NULL:
				    * keep. Added after m= if there is none */
	bool set_port;
	uint16_t port;             /* m= port when set_port; "/n" is kept */
	enum aegw_sdp_proto proto; /* m= protocol; OTHER: keep */
	enum aegw_sdp_op rtcp;     /* SET: one a=rtcp:<rtcp_port>[ IN IPx
				    * <rtcp_addr>] in place of any */
	uint16_t rtcp_port;
	const char *rtcp_addr;     /* NULL: port only */
	enum aegw_sdp_op rtcp_mux; /* SET: add a=rtcp-mux if absent */
	enum aegw_sdp_op crypto;   /* SET: every a=crypto replaced by these */
	const char *const *crypto_lines; /* values after "a=crypto:", as
					  * aegw_sdp_crypto_format writes */
	unsigned n_crypto_lines;
	enum aegw_sdp_op e2ae;     /* SET: one a=3ge2ae:applied; REMOVE:
				    * every a=3ge2ae line */
};

struct aegw_sdp_edit {
	const char *addr;        /* session-level c=; NULL: keep. Added
				  * after v= o= s= i= u= e= p= if absent */
	const char *origin_addr; /* o= address (and IP4/IP6); NULL: keep */
	bool origin_bump;        /* o= sess-version + 1 (RFC 8866 5.2) */
	const char *origin_version; /* o= sess-version, 1 to 20 digits;
				     * NULL: kept (or bumped) */
	bool remove_ice;         /* every ICE line, both levels */
	bool remove_bundle;      /* every a=group:BUNDLE */
	const char *media_attr;  /* added last to every m= section as
				  * "a=" media_attr (the loop-protect mark);
				  * NULL: none */
	struct aegw_sdp_media_edit media[AEGW_SDP_MAX_MEDIA]; /* [i] edits
							       * in->media[i] */
};

/* Writes in, changed by edit, into out (cap bytes; not NUL-terminated)
 * and its length into *out_len. Lines the edit does not touch are copied
 * byte for byte, in order; changed lines stay where they were; added
 * a=rtcp, a=rtcp-mux, a=crypto and a=3ge2ae lines go, in that order, at
 * the end of their m= section. Returns 0; AEGW_ERR_INVALID_ARG for a bad
 * edit (an address that is not IPv4/IPv6, a crypto line with control
 * characters); AEGW_ERR_NO_ROOM if out is too small. */
int aegw_sdp_rewrite(const struct aegw_sdp *in,
		     const struct aegw_sdp_edit *edit, char *out, size_t cap,
		     size_t *out_len, char *err, size_t errlen);

/* Parses an a=crypto value (after "a=crypto:", len bytes, no line end)
 * into *c and returns c->status (see struct aegw_sdp_crypto); err says
 * why a line is not usable. Checks every inline: key against its suite
 * and the whole line as the engine would (aegw_srtp_config_check),
 * wiping the keys it decoded. */
int aegw_sdp_crypto_parse(const char *value, size_t len,
			  struct aegw_sdp_crypto *c, char *err,
			  size_t errlen);

/* The engine config (RTP kind; the caller sets kind, ROC) of a usable
 * line: its keys in order, MKI length, lifetimes, session parameters,
 * kdr_log2 from KDR, window from WSH if >= 64 (up to
 * AEGW_SRTP_WINDOW_MAX). The text c points into must still be there.
 * Returns 0 or the line's error; cfg holds no key on failure. The caller
 * wipes cfg (aegw_srtp_config_wipe). */
int aegw_sdp_crypto_to_config(const struct aegw_sdp_crypto *c,
			      struct aegw_srtp_config *cfg, char *err,
			      size_t errlen);

/* Writes "<tag> <suite> inline:<key>[ <session params>]" (the value of an
 * a=crypto line) with NUL into out; session_params are
 * AEGW_SRTP_UNENCRYPTED_SRTP, _SRTCP, UNAUTHENTICATED_SRTP. Returns 0,
 * AEGW_ERR_INVALID_ARG (tag over 999999999, unknown suite or flag) or
 * AEGW_ERR_NO_ROOM. out holds key material: the caller wipes it. */
int aegw_sdp_crypto_format(uint32_t tag, enum aegw_suite suite,
			   const struct aegw_sdes_key *k,
			   unsigned session_params, char *out, size_t cap);

/* RFC 4568 7.1: the answerer takes the first offered line it supports;
 * the answer carries that line's tag. Returns the index in lines[] of the
 * first usable line (status 0) whose suite is in allow[] (any suite if
 * n_allow is 0), or -1. */
int aegw_sdp_crypto_select(const struct aegw_sdp_crypto *lines, unsigned n,
			   const enum aegw_suite *allow, unsigned n_allow);

const char *aegw_sdp_proto_name(enum aegw_sdp_proto proto);

#ifdef __cplusplus
}
#endif
#endif
