// A non-zero key derivation rate (RFC 3711 4.3.1, RFC 4568 "KDR=n"): the
// session keys of the packet with index i are derived for r = i DIV kdr.
// libsrtp2 has no KDR, so the check is independent arithmetic: derive the
// keys for r with the KDF (pinned by the RFC known-answer tests), decrypt
// the payload with plain OpenSSL AES-CTR and recompute the HMAC.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include <openssl/evp.h>
#include <openssl/hmac.h>

extern "C" {
#include "srtp/internal.h"
}
#include "test_util.h"

using namespace testutil;

namespace {

std::vector<uint8_t> kdf(const aegw_srtp_config &c, uint8_t label, uint64_t r,
			 unsigned n)
{
	const struct aegw_suite_info *si = aegw_suite_info(c.suite);
	std::vector<uint8_t> out(n);
	EXPECT_EQ(aegw_kdf(c.keys[0].key, si->key_len, c.keys[0].salt,
			   si->salt_len, label, r, out.data(), n),
		  AEGW_ERR_OK);
	return out;
}

// Decrypts an AES_CM_128_HMAC_SHA1_80 SRTP packet (12-byte header, ROC 0)
// with keys for r, checking its tag; returns the plaintext.
std::vector<uint8_t> reference_unprotect(const aegw_srtp_config &c,
					 const std::vector<uint8_t> &w,
					 uint64_t r)
{
	auto ke = kdf(c, KDF_RTP_ENC, r, 16), ka = kdf(c, KDF_RTP_AUTH, r, 20),
	     ks = kdf(c, KDF_RTP_SALT, r, 14);
	size_t end = w.size() - 10;
	std::vector<uint8_t> auth(w.begin(), w.begin() + long(end));
	auth.insert(auth.end(), { 0, 0, 0, 0 }); // ROC
	uint8_t mac[20];
	unsigned mlen = 0;
	HMAC(EVP_sha1(), ka.data(), 20, auth.data(), auth.size(), mac, &mlen);
	EXPECT_TRUE(std::equal(mac, mac + 10, w.begin() + long(end)));

	uint8_t iv[16] = { 0 };
	std::copy(ks.begin(), ks.end(), iv);
	for (int i = 0; i < 4; i++)
		iv[4 + i] ^= w[8 + i];  // SSRC
	iv[12] ^= w[2];                 // SEQ (index, ROC 0)
	iv[13] ^= w[3];
	std::vector<uint8_t> out(w.begin(), w.begin() + long(end));
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int n;
	EVP_EncryptInit_ex(ctx, EVP_aes_128_ctr(), nullptr, ke.data(), iv);
	EVP_EncryptUpdate(ctx, out.data() + 12, &n, out.data() + 12,
			  int(out.size() - 12));
	EVP_CIPHER_CTX_free(ctx);
	return out;
}

class Kdr : public ::testing::TestWithParam<aegw_srtp_backend> {};

TEST_P(Kdr, KeysChangeEveryKdrPackets)
{
	std::mt19937 rng(11);
	int err;
	aegw_srtp_engine *eng = aegw_srtp_engine_create(GetParam(), &err);
	ASSERT_NE(eng, nullptr);
	auto cfg = make_config(AEGW_SUITE_AES_CM_128_HMAC_SHA1_80,
			       AEGW_SRTP_RTP, rng);
	cfg.kdr_log2 = 2; // KDR = 4
	aegw_srtp_stream *tx = aegw_srtp_stream_create(eng, &cfg, &err);
	aegw_srtp_stream *rx = aegw_srtp_stream_create(eng, &cfg, &err);
	ASSERT_TRUE(tx && rx);

	std::vector<std::vector<uint8_t>> plain, wire;
	for (uint16_t seq = 0; seq < 40; seq++) {
		RtpShape s;
		s.seq = seq;
		s.payload = 1 + rng() % 300;
		plain.push_back(make_rtp(s, rng));
		wire.push_back(plain.back());
		ASSERT_EQ(aegw_run(eng, tx, wire.back(), true), AEGW_ERR_OK);
		EXPECT_EQ(reference_unprotect(cfg, wire.back(), seq >> 2),
			  plain.back())
			<< "seq " << seq;
	}
	// Reordered across r boundaries: late packets get keys of their own r.
	std::vector<size_t> order(plain.size());
	for (size_t i = 0; i < order.size(); i++)
		order[i] = i;
	for (size_t i = 0; i + 5 < order.size(); i += 5)
		std::swap(order[i + 1], order[i + 4]);
	for (size_t i : order) {
		auto p = wire[i];
		ASSERT_EQ(aegw_run(eng, rx, p, false), AEGW_ERR_OK) << i;
		EXPECT_EQ(p, plain[i]);
	}
	aegw_srtp_stream_free(tx);
	aegw_srtp_stream_free(rx);
	aegw_srtp_engine_free(eng);
}

INSTANTIATE_TEST_SUITE_P(Backends, Kdr, ::testing::ValuesIn(kBackends));

} // namespace
