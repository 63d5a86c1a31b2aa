/* sizeof(struct dp_stream) from the dataplane's own header, so that the
 * state aegw-bench reports is the struct the workers allocate. Built as
 * its own library: it needs DPDK's headers, and DPDK's flags
 * (-march=corei7) must not reach the other bench sources. */
#include "dp.h"
#include "dpbench.h"

size_t dpb_dp_stream_size(void)
{
	return sizeof(struct dp_stream);
}
