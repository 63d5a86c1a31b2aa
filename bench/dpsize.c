/* sizeof(struct dp_stream) from the dataplane's own header, and the
 * size of an SRTCP seed from its own code (rtcp_slot.c is compiled in),
 * so that the state aegw-bench reports is what the workers allocate. Built as
 * its own library: it needs DPDK's headers, and DPDK's flags
 * (-march=corei7) must not reach the other bench sources. */
#include "dp.h"
#include "dpbench.h"

size_t dpb_dp_stream_size(void)
{
	return sizeof(struct dp_stream);
}

size_t dpb_rtcp_seed_size(const struct aegw_srtp_config *cfg)
{
	dp_rtcp_slot slot = 0;
	size_t n;

	if (dp_rtcp_slot_seed(&slot, cfg))
		return 0;
	n = dp_rtcp_slot_size(slot);
	dp_rtcp_slot_free(&slot);
	return n;
}
