/* A stream's SRTCP contexts are made on the first RTCP packet that needs
 * one. Until then the slot holds the config to make it from (the master
 * keys, trimmed to the keys it has), so a stream direction whose peer
 * sends no RTCP never pays for a second set of session keys (128 B of
 * config with one key, instead of a 512 B context), and an ADD derives
 * half the keys it did. Only the owning worker touches a slot. */
#include <string.h>

#include "aegw/error.h"
#include "aegw/wipe.h"
#include "dp.h"
#include "mem.h"

#define SLOT_SEED ((uintptr_t)1)

static struct aegw_srtp_config *slot_seed(dp_rtcp_slot v)
{
	return (v & SLOT_SEED) ? (struct aegw_srtp_config *)(v & ~SLOT_SEED) :
				 NULL;
}

static struct aegw_srtp_stream *slot_ctx(dp_rtcp_slot v)
{
	return (v & SLOT_SEED) ? NULL : (struct aegw_srtp_stream *)v;
}

int dp_rtcp_slot_seed(dp_rtcp_slot *slot, const struct aegw_srtp_config *c)
{
	struct aegw_srtp_config cfg = *c, *seed = NULL;
	int err;

	cfg.kind = AEGW_SRTP_RTCP;
	/* What would refuse the context later is refused now, while the
	 * command that brings the keys can still say so. */
	err = aegw_srtp_config_check(&cfg);
	if (!err) {
		seed = dp_mem_zalloc(dp_rtcp_seed_size(cfg.n_keys));
		err = seed ? 0 : AEGW_ERR_NO_MEMORY;
	}
	if (seed) {
		memcpy(seed, &cfg, dp_rtcp_seed_size(cfg.n_keys));
		*slot = (uintptr_t)seed | SLOT_SEED;
	}
	aegw_srtp_config_wipe(&cfg);
	return err;
}

static void seed_free(struct aegw_srtp_config *seed)
{
	aegw_wipe(seed, dp_rtcp_seed_size(seed->n_keys));
	dp_mem_free(seed);
}

struct aegw_srtp_stream *dp_rtcp_slot_open(struct dp_worker *w,
					   dp_rtcp_slot *slot, int *err)
{
	struct aegw_srtp_config *seed = slot_seed(*slot), cfg;
	struct aegw_srtp_stream *ctx;

	if (!seed)
		return slot_ctx(*slot);
	memset(&cfg, 0, sizeof(cfg));
	memcpy(&cfg, seed, dp_rtcp_seed_size(seed->n_keys));
	ctx = aegw_srtp_stream_create(w->eng, &cfg, err);
	aegw_srtp_config_wipe(&cfg);
	if (ctx) {
		seed_free(seed);
		*slot = (uintptr_t)ctx;
	}
	return ctx;
}

void dp_rtcp_slot_free(dp_rtcp_slot *slot)
{
	struct aegw_srtp_config *seed = slot_seed(*slot);

	if (seed)
		seed_free(seed);
	else
		aegw_srtp_stream_free(slot_ctx(*slot));
	*slot = 0;
}

size_t dp_rtcp_slot_size(dp_rtcp_slot slot)
{
	struct aegw_srtp_config *seed = slot_seed(slot);
	struct aegw_srtp_stream *ctx = slot_ctx(slot);

	if (seed)
		return dp_rtcp_seed_size(seed->n_keys);
	return ctx ? aegw_srtp_stream_size(ctx) : 0;
}

int dp_rtcp_slot_last(dp_rtcp_slot slot, bool sent, uint32_t *ssrc,
		      uint64_t *index)
{
	struct aegw_srtp_config *seed = slot_seed(slot);
	struct aegw_srtp_stream *ctx = slot_ctx(slot);

	if (ctx)
		return sent ? aegw_srtp_stream_last_sent(ctx, ssrc, index) :
			      aegw_srtp_stream_last(ctx, ssrc, index);
	/* Not made yet: what it would resume from, so that a restart
	 * before the first RTCP packet does not lose it. */
	if (!seed || !seed->resume_rtcp_index)
		return -1;
	*ssrc = seed->resume_rtcp_ssrc;
	*index = seed->resume_rtcp_index;
	return 0;
}
