#include "srtp_oracle.h"

#include <cstring>
#include <stdexcept>

#include <srtp2/crypto_types.h>
#include <srtp2/srtp.h>

namespace {

void set_policy(srtp_crypto_policy_t *rtp, srtp_crypto_policy_t *rtcp,
		aegw_suite suite)
{
	switch (suite) {
	case AEGW_SUITE_AES_CM_128_HMAC_SHA1_80:
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(rtp);
		break;
	case AEGW_SUITE_AES_CM_128_HMAC_SHA1_32:
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(rtp);
		break;
	case AEGW_SUITE_AES_192_CM_HMAC_SHA1_80:
		srtp_crypto_policy_set_aes_cm_192_hmac_sha1_80(rtp);
		break;
	case AEGW_SUITE_AES_192_CM_HMAC_SHA1_32:
		srtp_crypto_policy_set_aes_cm_192_hmac_sha1_32(rtp);
		break;
	case AEGW_SUITE_AES_256_CM_HMAC_SHA1_80:
		srtp_crypto_policy_set_aes_cm_256_hmac_sha1_80(rtp);
		break;
	case AEGW_SUITE_AES_256_CM_HMAC_SHA1_32:
		srtp_crypto_policy_set_aes_cm_256_hmac_sha1_32(rtp);
		break;
	case AEGW_SUITE_AEAD_AES_128_GCM:
		srtp_crypto_policy_set_aes_gcm_128_16_auth(rtp);
		break;
	case AEGW_SUITE_AEAD_AES_256_GCM:
		srtp_crypto_policy_set_aes_gcm_256_16_auth(rtp);
		break;
	default:
		throw std::invalid_argument("suite");
	}
	*rtcp = *rtp;
	// RFC 4568 6.2: the _32 suites still use an 80-bit SRTCP tag.
	if (rtcp->auth_tag_len == 4)
		rtcp->auth_tag_len = 10;
}

} // namespace

SrtpOracle::SrtpOracle(const aegw_srtp_config &cfg, bool outbound,
		       uint32_t roc_ssrc, uint32_t roc)
	: rtcp_(cfg.kind == AEGW_SRTP_RTCP), use_mki_(cfg.mki_len > 0)
{
	static bool inited = (srtp_init() == srtp_err_status_ok);
	if (!inited)
		throw std::runtime_error("srtp_init");
	const struct aegw_suite_info *si = aegw_suite_info(cfg.suite);

	srtp_policy_t p;
	std::memset(&p, 0, sizeof(p));
	set_policy(&p.rtp, &p.rtcp, cfg.suite);
	if (cfg.session_params & AEGW_SRTP_UNENCRYPTED_SRTP)
		p.rtp.sec_serv = sec_serv_auth;
	if (cfg.session_params & AEGW_SRTP_UNENCRYPTED_SRTCP)
		p.rtcp.sec_serv = sec_serv_auth;
	if (cfg.session_params & AEGW_SRTP_UNAUTHENTICATED_SRTP) {
		p.rtp.sec_serv = srtp_sec_serv_t(p.rtp.sec_serv & ~sec_serv_auth);
		p.rtp.auth_type = SRTP_NULL_AUTH;
		p.rtp.auth_key_len = 0;
		p.rtp.auth_tag_len = 0;
	}
	if (roc) {
		p.ssrc.type = ssrc_specific;
		p.ssrc.value = roc_ssrc;
	} else {
		p.ssrc.type = outbound ? ssrc_any_outbound : ssrc_any_inbound;
	}
	p.window_size = cfg.window ? cfg.window : 128;

	std::vector<std::vector<uint8_t>> keys(cfg.n_keys);
	std::vector<srtp_master_key_t> mks(cfg.n_keys);
	std::vector<srtp_master_key_t *> mkp(cfg.n_keys);
	for (unsigned i = 0; i < cfg.n_keys; i++) {
		keys[i].assign(cfg.keys[i].key, cfg.keys[i].key + si->key_len);
		keys[i].insert(keys[i].end(), cfg.keys[i].salt,
			       cfg.keys[i].salt + si->salt_len);
		mks[i].key = keys[i].data();
		mks[i].mki_id = const_cast<uint8_t *>(cfg.keys[i].mki);
		mks[i].mki_size = cfg.mki_len;
		mkp[i] = &mks[i];
	}
	if (use_mki_) {
		p.keys = mkp.data();
		p.num_master_keys = cfg.n_keys;
	} else {
		p.key = keys[0].data();
	}
	srtp_t s;
	if (srtp_create(&s, &p) == srtp_err_status_ok)
		ctx_ = s;
	if (ctx_ && roc)
		srtp_set_stream_roc(ctx_, roc_ssrc, roc);
}

SrtpOracle::~SrtpOracle()
{
	if (ctx_)
		srtp_dealloc(ctx_);
}

int SrtpOracle::protect(std::vector<uint8_t> &pkt, unsigned mki_index)
{
	int len = int(pkt.size());
	pkt.resize(pkt.size() + SRTP_MAX_TRAILER_LEN + 16);
	srtp_err_status_t st =
		rtcp_ ? srtp_protect_rtcp_mki(ctx_, pkt.data(), &len, use_mki_,
					      mki_index) :
			srtp_protect_mki(ctx_, pkt.data(), &len, use_mki_,
					 mki_index);
	pkt.resize(st == srtp_err_status_ok ? size_t(len) : 0);
	return st;
}

int SrtpOracle::unprotect(std::vector<uint8_t> &pkt)
{
	int len = int(pkt.size());
	srtp_err_status_t st =
		rtcp_ ? srtp_unprotect_rtcp_mki(ctx_, pkt.data(), &len, use_mki_) :
			srtp_unprotect_mki(ctx_, pkt.data(), &len, use_mki_);
	if (st == srtp_err_status_ok)
		pkt.resize(size_t(len));
	return st;
}
