/* sizeof(struct dp_stream) and the size of an SRTCP seed from the
 * dataplane's own header, so that the state aegw-bench reports is what the
 * workers allocate. Built as its own library: it needs DPDK's headers, and
 * DPDK's flags (-march=corei7) must not reach the other bench sources. */
#include "dp.h"
#include "dpbench.h"

size_t dpb_dp_stream_size(void)
{
	return sizeof(struct dp_stream);
}

size_t dpb_rtcp_seed_size(const struct aegw_srtp_config *cfg)
{
	struct aegw_srtp_config rtcp = *cfg;
	size_t n;

	rtcp.kind = AEGW_SRTP_RTCP;
	n = aegw_srtp_config_check(&rtcp) ? 0 : dp_rtcp_seed_size(rtcp.n_keys);
	aegw_srtp_config_wipe(&rtcp);
	return n;
}
