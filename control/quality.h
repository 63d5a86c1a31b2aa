/* A call's voice quality as its peers' RTCP reports tell it (RFC 3550
 * 6.4), figured as rtpengine figures it, so that what a P-CSCF reads
 * from a delete or query reply (Kamailio's rtpengine module mos_*_pv
 * variables, OpenSIPS's) means the same with aegw:
 *
 * - a sample per report block a peer sends, at most one a second per
 *   reporter, filed under the reporter's SSRC (the quality it receives):
 *   packet loss (the block's fraction lost, in %), jitter (in ms at the
 *   media's clock rate), the round-trip time of its leg (aegw to the
 *   peer and back: the block's LSR and DLSR set against when aegw saw
 *   that SR go toward the peer), the round-trip time end to end (both
 *   legs' last), and a MOS (10 times it, as rtpengine gives it) by the
 *   formula of the rtpengine the P-CSCF expects (--mos-formula; "MOS-CQ":
 *   none while a leg's round-trip time is not known);
 * - per reporter: the lowest and highest MOS samples, and the average
 *   of those with a MOS.
 *
 * Only RTCP the dataplane holds in plain reaches here (e2ae, recrypt,
 * and relays between plain legs: AEGW_STREAM_PLAIN_RTCP). Control
 * thread only. */
#ifndef CTL_QUALITY_H
#define CTL_QUALITY_H

#include <stdint.h>

#include "aegw/bencode.h"
#include "aegw/ring.h"
#include "options.h"

struct ctl_quality; /* a call's, made by its first report */

/* What became of each report block an EVT_RTCP carried. */
#define CTL_FOREACH_RTCP_BLOCK_RESULT(X)                                     \
	X(MOS, "mos")           /* a sample, with a MOS */                   \
	X(NO_MOS, "no_mos")     /* a sample; the other leg's round trip   \
				 * not known yet, or (legacy) a MOS under  \
				 * 1.0, which rtpengine 10.5 calls none */   \
	X(NO_SR, "no_sr")       /* echoes no SR (LSR or DLSR 0): dropped */ \
	X(NO_CLOCK, "no_clock") /* the media's clock rate unknown */         \
	X(TOO_SOON, "too_soon") /* within a second of its reporter's last   \
				 * sample, or past the reporters kept */    \
	X(NO_CALL, "no_call")   /* a stream no call has (any more), or no  \
				 * memory for its figures */               \
	X(EXTRA, "extra")       /* past the four blocks of a report that  \
				 * reach control: never read */

enum ctl_rtcp_block_result {
#define CTL_RTCP_BLOCK_RESULT_ENUM(id, name) CTL_RTCP_BLOCK_##id,
	CTL_FOREACH_RTCP_BLOCK_RESULT(CTL_RTCP_BLOCK_RESULT_ENUM)
#undef CTL_RTCP_BLOCK_RESULT_ENUM
	CTL_RTCP_BLOCK_RESULT_COUNT
};

const char *ctl_rtcp_block_result_name(enum ctl_rtcp_block_result r);

enum { CTL_MOS_BOUNDS = 7 };
/* The histogram's upper bounds, MOS x10: 1.0 2.0 2.5 3.0 3.5 4.0 4.3. */
extern const uint32_t ctl_mos_bounds[CTL_MOS_BOUNDS];

/* Every call's figures together, for the metrics. */
struct ctl_quality_stats {
	uint64_t blocks[CTL_RTCP_BLOCK_RESULT_COUNT];
	uint64_t mos_bucket[CTL_MOS_BOUNDS + 1]; /* [i]: bounds[i-1] < MOS
						  * <= bounds[i] */
	uint64_t mos_sum10;  /* of the MOS samples, x10 */
	uint64_t mos2_sum100; /* of their squares, x100 */
};

/* The statistics reply's "mos" dictionary, under rtpengine 10.5's keys
 * (mos_total, mos2_total, mos_samples_total, mos_average), in bencode's
 * order. */
void ctl_quality_add_statistics(struct aegw_benc_enc *e,
				const struct ctl_quality_stats *st);
struct ctl;
struct ctl_call;

/* What an EVT_RTCP says, into its call's figures (found by the stream;
 * a stream no call has is only counted). Jitter is read at the clock
 * rate of the media's format (ctl_media.clock_rate). */
void ctl_quality_report(struct ctl *ctl, const struct aegw_evt *evt);

/* MOS x10 as the rtpengine of formula f gives it: rtt_us end to end,
 * jitter in ms, loss in %. */
uint32_t ctl_quality_mos(enum ctl_mos_formula f, uint32_t rtt_us,
			 uint32_t jitter_ms, uint32_t loss_pct);

/* The reply's parts, in bencode's key order: the top-level "SSRC"
 * dictionary (the call's reporters with a MOS sample, by decimal SSRC,
 * as rtpengine 10.5 lists them), a media's "ingress SSRCs" list (the
 * reporters on leg side, as newer rtpengine gives them), and the one a
 * stream names under "SSRC" (the first of them with a MOS, the one
 * Kamailio 5.6 looks up). Nothing when the call has no sample. */
int ctl_quality_ingress_ssrc(const struct ctl_call *c, unsigned media,
			     unsigned side, uint32_t *ssrc);
void ctl_quality_add_ssrcs(struct aegw_benc_enc *e, const struct ctl_call *c);
void ctl_quality_add_ingress(struct aegw_benc_enc *e,
			     const struct ctl_call *c, unsigned media,
			     unsigned side);

#endif
