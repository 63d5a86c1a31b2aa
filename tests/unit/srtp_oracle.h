// libsrtp2 as the test oracle: one session per direction, configured to
// match an aegw_srtp_config (suite, session parameters, MKIs).
#pragma once

#include <cstdint>
#include <vector>

extern "C" {
#include "aegw/srtp.h"
}

struct srtp_ctx_t_;

class SrtpOracle {
public:
	// outbound: protects; otherwise unprotects. roc_ssrc/roc: when roc is
	// non-zero, a specific-SSRC stream starting at that ROC.
	SrtpOracle(const aegw_srtp_config &cfg, bool outbound,
		   uint32_t roc_ssrc = 0, uint32_t roc = 0);
	~SrtpOracle();
	SrtpOracle(const SrtpOracle &) = delete;
	SrtpOracle &operator=(const SrtpOracle &) = delete;

	// Returns libsrtp2's srtp_err_status_t; pkt is resized to the result.
	// mki_index picks the master key when the config has MKIs.
	int protect(std::vector<uint8_t> &pkt, unsigned mki_index = 0);
	int unprotect(std::vector<uint8_t> &pkt);
	bool ok() const { return ctx_ != nullptr; }

private:
	srtp_ctx_t_ *ctx_ = nullptr;
	bool rtcp_;
	bool use_mki_;
};
