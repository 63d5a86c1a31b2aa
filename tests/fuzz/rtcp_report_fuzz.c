/* libFuzzer target: aegw_rtcp_report_parse on arbitrary bytes, as the
 * dataplane hands it the RTCP it authenticated (or plain RTCP).
 *
 * The input is copied to a heap buffer of exactly its length (ASan sees a
 * read past it). Checked: the result is one of the documented values; a
 * report holds at most AEGW_RTCP_REPORT_BLOCKS blocks, and counts those
 * dropped only once it is full; every 4-byte-aligned prefix parses too (a compound cut at any
 * word). Seeds in tests/fuzz/corpus/rtcp_report: an SR ffmpeg sent, an
 * RR + SDES compound, an SR with more blocks than kept, a feedback
 * packet before an RR (RFC 5506), each written by hand from RFC 3550's
 * layout. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aegw/error.h"
#include "aegw/rtcp.h"

#include "fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { FUZZ_MAX = 1 << 16 };

static void check(const uint8_t *p, uint32_t len)
{
	struct aegw_rtcp_report r;
	int rc = aegw_rtcp_report_parse(p, len, &r);

	FUZZ_CHECK(rc == 0 || rc == AEGW_ERR_TRUNCATED ||
		   rc == AEGW_ERR_BAD_VERSION);
	if (rc)
		return;
	FUZZ_CHECK(r.n_blocks <= AEGW_RTCP_REPORT_BLOCKS);
	FUZZ_CHECK(r.has_sr <= 1);
	FUZZ_CHECK(!r.blocks_dropped || r.n_blocks == AEGW_RTCP_REPORT_BLOCKS);
	FUZZ_CHECK(r.rx_ns == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf;

	if (size > FUZZ_MAX)
		return 0;
	buf = malloc(size ? size : 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	check(buf, (uint32_t)size);
	for (uint32_t n = 4; n < size; n += 4)
		check(buf, n);
	free(buf);
	return 0;
}
