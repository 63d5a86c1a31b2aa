/* Calls as the control daemon keeps them: a call (call-id) has two
 * monologues (the first offerer's from-tag, and the answerer's to-tag),
 * and per m= section a media with one leg per monologue. A leg is aegw's
 * RTP/RTCP port pair on that monologue's interface, the peer that SDP
 * named, and the keys of that side (TS 33.328 e2ae: the key the peer
 * protects with, and aegw's own key toward it). Each media is carried by
 * two dataplane streams, one per direction.
 *
 * The table owns calls, ports and key slots: ctl_call_destroy gives the
 * ports back and wipes the keys. Control thread only. */
#ifndef CTL_CALLS_H
#define CTL_CALLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "aegw/ring.h"
#include "aegw/sdp.h"
#include "id_map.h"
#include "sdp_version.h"

struct ctl_iface;
struct ctl_quality;

enum {
	CTL_ID_MAX = 1024,  /* bytes of a call-id or tag */
};

/* What aegw does to a media (the policy's verdict). */
#define CTL_FOREACH_MODE(X)                                                  \
	X(RELAY, "relay")          /* plain RTP both legs */                 \
	X(E2E_SDES, "e2e-sdes")    /* SRTP relayed, a=crypto passed */       \
	X(E2E_KMS, "e2e-kms")      /* SRTP relayed, a=key-mgmt passed */     \
	X(E2AE, "e2ae")            /* SRTP terminated on one leg */          \
	X(RECRYPT, "recrypt")      /* SRTP terminated on both legs */

enum ctl_mode {
#define CTL_MODE_ENUM(id, name) CTL_MODE_##id,
	CTL_FOREACH_MODE(CTL_MODE_ENUM)
#undef CTL_MODE_ENUM
	CTL_MODE_COUNT
};

const char *ctl_mode_name(enum ctl_mode m);

struct ctl_leg {
	uint16_t port;               /* aegw's RTP port; RTCP is port + 1.
				      * 0: none (media rejected) */
	uint16_t peer_rtcp_port;     /* its a=rtcp port (RFC 3605) at
				      * peer's address; 0: peer's port + 1 */
	struct aegw_endpoint peer;   /* where the peer wants RTP (its SDP);
				      * family 0: unknown, latch it */
	enum aegw_sdp_proto proto;   /* what this leg's peer speaks */
	bool srtp;                   /* aegw (un)protects on this leg */
	bool e2ae_requested;         /* a=3ge2ae:requested from this peer */
	uint8_t dir;                 /* enum aegw_sdp_dir of its SDP: what
				      * this peer sends and receives */
	/* The peer's key (its a=crypto), for what it sends us; and aegw's
	 * own key, given to the peer in SDP, for what we send it. Key
	 * slots (secret.h) or NULL. */
	struct aegw_srtp_config *peer_key;
	struct aegw_srtp_config *our_key;
	uint32_t crypto_tag;         /* the a=crypto tag both keys go by */
	enum aegw_suite suite;
	unsigned session_params;
};

/* Where a stream's SRTP and SRTCP contexts are: each one's SSRC and
 * highest index (aegw_srtp_stream_last); both 0: none (SRTCP's first
 * index is 0). */
struct ctl_resume_at {
	uint32_t ssrc;
	uint64_t index;
};

struct ctl_resume {
	struct ctl_resume_at rtp_in, rtp_out, rtcp_in, rtcp_out;
	/* The SSRCs the RTP contexts had before rtp_in's and rtp_out's
	 * (index 0 ends a list). */
	struct aegw_srtp_ssrc_at earlier_in[AEGW_SRTP_RESUME_EARLIER];
	struct aegw_srtp_ssrc_at earlier_out[AEGW_SRTP_RESUME_EARLIER];
};

struct ctl_media {
	enum ctl_mode mode;
	bool rejected;               /* port 0 in the offer or the answer,
				      * or passthrough */
	bool passthrough;            /* over TCP (MSRP, BFCP, RFC 4571):
				      * the section passes as it came, with
				      * no ports or streams of aegw's */
	bool mux_offered;            /* a=rtcp-mux in the offer */
	bool mux_to_answerer;        /* ... in aegw's offer to the answerer */
	uint8_t mux_flags;           /* the offer's rtcp-mux (CTL_MUX_*) */
	bool rtcp_mux[2];            /* leg i carries RTCP on its RTP port
				      * (RFC 5761), as negotiated */
	bool installed;              /* both streams are in the dataplane */
	char type_name[16];          /* "audio", "video", ... */
	bool keys_in_sdp;            /* an a=crypto, a=key-mgmt or
				      * a=zrtp-hash in the offer or answer:
				      * a relay's RTCP may be SRTCP, even
				      * on RTP/AVP */
	uint32_t clock_rate;         /* RTP clock of the format in use:
				      * the answer's first, or the
				      * offer's; 0: not known */
	struct ctl_leg leg[2];       /* [i] faces monologue i */
	uint32_t stream_id[2];       /* [i]: from leg i to leg 1 - i */
	/* Where stream i's RTP contexts were when last read (timeout.c
	 * samples them): a replay into a new dataplane resumes them there,
	 * under the same keys (streams.c). */
	struct ctl_resume resume[2];
};

/* What a media index keeps for the whole call, across re-offers: its
 * ports (taken when the index is first offered with a port, given back
 * when the call ends) and its streams' ids. */
struct ctl_media_slot {
	uint16_t port[2];            /* [i] on iface[i]; 0: none yet */
	uint32_t stream_id[2];
};

/* A call keeps the media its streams were installed from (media), and
 * the state of an offer not answered yet (pending): an answer completes
 * and installs the pending one, or, when none is pending (a second
 * answer, e.g. 183 then 200), the installed one again. Each array owns
 * its own key slots. */
struct ctl_call {
	char *call_id;
	char *tag[2];                /* [0] first offerer; [1] NULL until an
				      * answer names it */
	struct ctl_iface *iface[2];
	unsigned offerer;            /* monologue of the pending offer */
	bool answered;
	bool has_pending;
	unsigned n_media, n_pending;
	/* Each array has room for cap media (the most m= sections an offer
	 * of this call had: ctl_call_reserve), not AEGW_SDP_MAX_MEDIA, so
	 * that a call costs what it uses. One block, media first. */
	unsigned cap;
	struct ctl_media *media;
	struct ctl_media *pending;
	struct ctl_media_slot *slot;
	struct ctl_sdp_sent sent[2];  /* [i]: the SDP aegw last sent toward
				       * monologue i (its o= version) */
	time_t created, last_signal;
	struct ctl_quality *quality; /* its peers' RTCP reports (quality.h);
				      * NULL until the first */
	unsigned journal_slot;       /* its record (journal.h); 0: none */
	/* Moves whenever the media's resume points are set from what is
	 * newer than any reading queued (readings.c): an answer's install
	 * (which may change keys), a sample of the walk, a dump. */
	uint32_t resume_gen;
	bool readings_queued;        /* readings.c: some wait to be applied */
	bool reading_moved;          /* readings.c, within one apply */
	bool journal_stale;          /* the record lags the call: written
				      * again at its next sample */
	/* timeout.c's clocks (CLOCK_MONOTONIC ns) and its last sample. */
	uint64_t created_ns;         /* --final-timeout counts from here */
	uint64_t active_ns;          /* a sample saw packets, or a signal */
	uint64_t next_sample_ns;     /* counters: once a second at most */
	uint64_t seen;               /* the peers' packets at that sample */
	uint64_t delete_ns;          /* delete delay: when; 0: not deleting */
	struct ctl_call *hash_next;
	struct ctl_call *prev, *next; /* every call, oldest first */
	struct ctl_call *del_prev, *del_next; /* deleting, soonest first */
};

struct ctl_calls {
	struct ctl_call **buckets;
	unsigned n_buckets;          /* a power of two */
	unsigned n_calls;
	struct ctl_call *first, *last;
	/* The next call timeout.c's walk visits (NULL: start again at
	 * first); a destroyed call moves it on. */
	struct ctl_call *cursor;
	/* Calls waiting for their delete delay, by delete_ns. */
	struct ctl_call *del_first, *del_last;
	struct ctl_id_map by_stream; /* a slot's stream id -> its call */
	uint64_t created_total;
};

int ctl_calls_init(struct ctl_calls *t, unsigned expected);
/* Destroys every call (ports back, keys wiped; streams are left alone). */
void ctl_calls_fini(struct ctl_calls *t);

struct ctl_call *ctl_call_find(const struct ctl_calls *t, const char *id,
			       size_t len);
/* The call whose media slots hold stream id `id`; NULL if none. */
struct ctl_call *ctl_call_by_stream(const struct ctl_calls *t, uint32_t id);
/* Makes c's slot i's stream ids find c. 0, or -1 when out of memory. */
int ctl_call_index_slot(struct ctl_calls *t, struct ctl_call *c, unsigned i);

/* A new call with its first monologue; NULL when out of memory. */
struct ctl_call *ctl_call_create(struct ctl_calls *t, const char *id,
				 size_t id_len, const char *tag,
				 size_t tag_len);
/* Room for n media in c's arrays (zeroed past what was there); they
 * move, so no pointer into them is kept across this. 0, or -1 when out
 * of memory (c unchanged). */
int ctl_call_reserve(struct ctl_call *c, unsigned n);
/* Unlinks and frees a call: its ports go back to their pools and its
 * keys are wiped. The caller removes its streams first. */
void ctl_call_destroy(struct ctl_calls *t, struct ctl_call *c);

/* Puts c on the deleting list, to go at at_ns (CLOCK_MONOTONIC, not 0);
 * a call already there moves to its new place. */
void ctl_call_mark_deleting(struct ctl_calls *t, struct ctl_call *c,
			    uint64_t at_ns);
/* Takes c off the deleting list (if on it) and clears delete_ns. */
void ctl_call_unmark_deleting(struct ctl_calls *t, struct ctl_call *c);

/* Which monologue a tag names: 0, 1, or -1. */
int ctl_call_side(const struct ctl_call *c, const char *tag, size_t len);
int ctl_call_set_tag(struct ctl_call *c, unsigned side, const char *tag,
		     size_t len);

/* Wipes and frees the keys of n media. */
void ctl_media_drop_keys(struct ctl_media *m, unsigned n);
/* dst = src with key slots of its own. 0, or -1 (out of key memory:
 * dst then holds no key). */
int ctl_media_dup(struct ctl_media *dst, const struct ctl_media *src);
/* A copy of k in a key slot of its own (secret.h), or NULL when none is
 * left. */
struct aegw_srtp_config *ctl_key_dup(const struct aegw_srtp_config *k);

#endif
