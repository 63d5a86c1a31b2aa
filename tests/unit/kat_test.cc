// Known-answer tests: the engine against published vectors (RFC 3711
// appendix B, RFC 6188 section 7, RFC 7714 sections 16 and 17) and
// libsrtp's own fixed packets. Differential tests only show that aegw and
// libsrtp2 agree; these show both agree with the documents, which matters
// where libsrtp2 is known to be wrong (AES-192 KDF, cisco/libsrtp#763).
// Every packet vector runs on both backends.
#include <gtest/gtest.h>

#include <cctype>
#include <memory>
#include <string>
#include <vector>

#include "test_util.h"
#include "vectors/srtp_kat.h"

extern "C" {
#include "srtp/internal.h"
}

using namespace testutil;

namespace {

using Bytes = std::vector<uint8_t>;

Bytes unhex(const char *s)
{
	Bytes out;
	std::string digits;
	for (; *s; s++)
		if (!std::isspace((unsigned char)*s))
			digits += *s;
	for (size_t i = 0; i + 1 < digits.size(); i += 2)
		out.push_back(uint8_t(std::stoi(digits.substr(i, 2), nullptr, 16)));
	return out;
}

// Hex for comparisons, so that a failure prints expected and got.
std::string hex(const uint8_t *p, size_t n)
{
	static const char d[] = "0123456789abcdef";
	std::string s;
	for (size_t i = 0; i < n; i++) {
		s += d[p[i] >> 4];
		s += d[p[i] & 15];
	}
	return s;
}

std::string hex(const Bytes &b) { return hex(b.data(), b.size()); }
std::string norm(const char *s) { return hex(unhex(s)); }

Bytes cat(Bytes a, const Bytes &b)
{
	a.insert(a.end(), b.begin(), b.end());
	return a;
}

// ---- key derivation (RFC 3711 4.3.1, RFC 6188 4) -------------------------

Bytes kdf(const char *mkey, const char *msalt, uint8_t label, size_t n)
{
	Bytes k = unhex(mkey), s = unhex(msalt), out(n);
	EXPECT_EQ(aegw_kdf(k.data(), unsigned(k.size()), s.data(),
			   unsigned(s.size()), label, 0, out.data(), unsigned(n)),
		  AEGW_ERR_OK);
	return out;
}

struct KdfVector {
	const char *name, *mkey, *msalt, *enc, *salt, *auth;
};

void check_kdf(const KdfVector &v)
{
	SCOPED_TRACE(v.name);
	size_t auth_len = unhex(v.auth).size();
	EXPECT_EQ(hex(kdf(v.mkey, v.msalt, KDF_RTP_ENC, unhex(v.enc).size())),
		  norm(v.enc));
	EXPECT_EQ(hex(kdf(v.mkey, v.msalt, KDF_RTP_SALT, 14)), norm(v.salt));
	EXPECT_EQ(hex(kdf(v.mkey, v.msalt, KDF_RTP_AUTH, auth_len)),
		  norm(v.auth));
}

// RFC 3711 appendix B.3 (all 94 octets of the auth key, to cover the PRF's
// counter past one block).
TEST(KatKdf, Rfc3711B3)
{
	namespace v = kat::rfc3711_b3;
	check_kdf({ "RFC 3711 B.3", v::master_key, v::master_salt,
		    v::cipher_key, v::cipher_salt, v::auth_key });
}

// RFC 6188 section 7.2: AES_256_CM_PRF.
TEST(KatKdf, Rfc6188Aes256)
{
	namespace v = kat::rfc6188_7_2;
	check_kdf({ "RFC 6188 7.2", v::master_key, v::master_salt,
		    v::cipher_key, v::cipher_salt, v::auth_key });
}

// RFC 6188 section 7.4: AES_192_CM_PRF, the one libsrtp2 2.5 gets wrong.
TEST(KatKdf, Rfc6188Aes192)
{
	namespace v = kat::rfc6188_7_4;
	check_kdf({ "RFC 6188 7.4", v::master_key, v::master_salt,
		    v::cipher_key, v::cipher_salt, v::auth_key });
}

// The KDF is AES-CM over the block (label||r XOR salt) * 2^16: with label
// 0, r 0 and the appendix's salt it yields the whole keystream segment of
// RFC 3711 B.2 / RFC 6188 7.1 and 7.3, first and last blocks included.
void check_segment(const char *name, const char *key, const char *first,
		   const char *last)
{
	SCOPED_TRACE(name);
	const size_t len = 65282 * 16;
	Bytes ks = kdf(key, kat::rfc3711_b2::salt, 0, len);
	EXPECT_EQ(hex(ks.data(), 48), norm(first));
	EXPECT_EQ(hex(ks.data() + len - 48, 48), norm(last));
}

TEST(KatKeystream, Rfc3711B2Aes128)
{
	namespace v = kat::rfc3711_b2;
	check_segment("RFC 3711 B.2", v::key, v::first, v::last);
}

TEST(KatKeystream, Rfc6188Aes256)
{
	namespace v = kat::rfc6188_7_1;
	check_segment("RFC 6188 7.1", v::key, v::first, v::last);
}

TEST(KatKeystream, Rfc6188Aes192)
{
	namespace v = kat::rfc6188_7_3;
	check_segment("RFC 6188 7.3", v::key, v::first, v::last);
}

// RFC 3711 B.2 (and 4.1.1): SSRC 0, index 0 gives the shifted salt as IV.
TEST(KatKeystream, Rfc3711B2Counter)
{
	Bytes salt = unhex(kat::rfc3711_b2::salt);
	uint8_t iv[16];
	aegw_iv_cm(iv, salt.data(), 0, 0);
	EXPECT_EQ(hex(iv, 16), norm(kat::rfc3711_b2::iv));
}

// ---- packet path -----------------------------------------------------

struct EngineDel {
	void operator()(aegw_srtp_engine *e) const { aegw_srtp_engine_free(e); }
};
struct StreamDel {
	void operator()(aegw_srtp_stream *s) const { aegw_srtp_stream_free(s); }
};
using EnginePtr = std::unique_ptr<aegw_srtp_engine, EngineDel>;
using StreamPtr = std::unique_ptr<aegw_srtp_stream, StreamDel>;

// How a vector keys its stream: a master key through the KDF, or session
// keys installed directly (the RFC 7714 and keystream vectors).
struct Keys {
	bool session;
	Bytes key, salt, auth;
};

Keys master(const char *key, const char *salt)
{
	return { false, unhex(key), unhex(salt), {} };
}

Keys session(const char *key, const char *salt)
{
	return { true, unhex(key), unhex(salt), Bytes(AEGW_SRTP_HMAC_KEY_LEN) };
}

struct Vector {
	const char *name;
	aegw_suite suite;
	aegw_srtp_kind kind;
	unsigned params; // session parameters (AEGW_SRTP_UNENCRYPTED_...)
	Keys keys;
	Bytes plain, wire;
	unsigned rtcp_index; // SRTCP index of wire; aegw's sender starts at 0
};

StreamPtr make_stream(aegw_srtp_engine *eng, const Vector &v)
{
	aegw_srtp_config c;
	std::memset(&c, 0, sizeof(c));
	c.kind = v.kind;
	c.suite = v.suite;
	c.session_params = v.params;
	c.n_keys = 1;
	if (!v.keys.session) {
		std::memcpy(c.keys[0].key, v.keys.key.data(), v.keys.key.size());
		std::memcpy(c.keys[0].salt, v.keys.salt.data(),
			    v.keys.salt.size());
	}
	int err;
	StreamPtr s(aegw_srtp_stream_create(eng, &c, &err));
	aegw_srtp_config_wipe(&c);
	EXPECT_TRUE(s) << aegw_strerror(err);
	if (s && v.keys.session) {
		EXPECT_EQ(aegw_stream_install_session_keys(
				  s.get(), 0, v.keys.key.data(),
				  v.keys.auth.data(), v.keys.salt.data()),
			  AEGW_ERR_OK);
	}
	return s;
}

class Kat : public ::testing::TestWithParam<aegw_srtp_backend> {
public:
	void SetUp() override
	{
		int err;
		eng.reset(aegw_srtp_engine_create(GetParam(), &err));
		ASSERT_TRUE(eng) << aegw_strerror(err);
	}

	// Protect gives the vector's wire bytes; the SRTCP sender first
	// spends the indices below the vector's on copies of the packet.
	void check_protect(const Vector &v)
	{
		SCOPED_TRACE(std::string(v.name) + " protect");
		StreamPtr tx = make_stream(eng.get(), v);
		ASSERT_TRUE(tx);
		for (unsigned i = 0; i < v.rtcp_index; i++) {
			Bytes dummy = v.plain;
			ASSERT_EQ(aegw_run(eng.get(), tx.get(), dummy, true),
				  AEGW_ERR_OK);
		}
		Bytes p = v.plain;
		ASSERT_EQ(aegw_run(eng.get(), tx.get(), p, true), AEGW_ERR_OK);
		EXPECT_EQ(hex(p), hex(v.wire));
	}

	// Unprotect (on a fresh receiver) gives the vector's plaintext.
	void check_unprotect(const Vector &v)
	{
		SCOPED_TRACE(std::string(v.name) + " unprotect");
		StreamPtr rx = make_stream(eng.get(), v);
		ASSERT_TRUE(rx);
		Bytes p = v.wire;
		ASSERT_EQ(aegw_run(eng.get(), rx.get(), p, false), AEGW_ERR_OK);
		EXPECT_EQ(hex(p), hex(v.plain));
	}

	void check_both(const Vector &v)
	{
		check_protect(v);
		check_unprotect(v);
	}

	EnginePtr eng;
};

// RFC 3711 B.2, RFC 6188 7.1 and 7.3 through the packet path: an RTP
// packet of SSRC 0, ROC 0, SEQ 0 with a zero payload encrypts to the
// keystream, so the IV is built as 4.1.1 says. Unauthenticated, so the
// output is the keystream alone.
void keystream_packet(Kat &t, const char *name, aegw_suite suite,
		      const char *key, const char *first)
{
	Bytes hdr = unhex("80000000 00000000 00000000");
	Bytes ks = unhex(first);
	Vector v{ name, suite, AEGW_SRTP_RTP, AEGW_SRTP_UNAUTHENTICATED_SRTP,
		  session(key, kat::rfc3711_b2::salt),
		  cat(hdr, Bytes(ks.size())), cat(hdr, ks), 0 };
	t.check_both(v);
}

TEST_P(Kat, Rfc3711B2KeystreamPacket)
{
	keystream_packet(*this, "RFC 3711 B.2",
			 AEGW_SUITE_AES_CM_128_HMAC_SHA1_80,
			 kat::rfc3711_b2::key, kat::rfc3711_b2::first);
}

TEST_P(Kat, Rfc6188Aes256KeystreamPacket)
{
	keystream_packet(*this, "RFC 6188 7.1",
			 AEGW_SUITE_AES_256_CM_HMAC_SHA1_80,
			 kat::rfc6188_7_1::key, kat::rfc6188_7_1::first);
}

TEST_P(Kat, Rfc6188Aes192KeystreamPacket)
{
	keystream_packet(*this, "RFC 6188 7.3",
			 AEGW_SUITE_AES_192_CM_HMAC_SHA1_80,
			 kat::rfc6188_7_3::key, kat::rfc6188_7_3::first);
}

// libsrtp srtp_validate(): AES_CM_128_HMAC_SHA1_80 SRTP and SRTCP from the
// RFC 3711 B.3 master key.
TEST_P(Kat, LibsrtpAesCm128)
{
	namespace v = kat::libsrtp::cm128;
	Keys k = master(v::master_key, v::master_salt);
	check_both({ "libsrtp srtp_validate RTP",
		     AEGW_SUITE_AES_CM_128_HMAC_SHA1_80, AEGW_SRTP_RTP, 0, k,
		     unhex(v::rtp), unhex(v::srtp), 0 });
	check_both({ "libsrtp srtp_validate RTCP",
		     AEGW_SUITE_AES_CM_128_HMAC_SHA1_80, AEGW_SRTP_RTCP, 0, k,
		     unhex(v::rtcp), unhex(v::srtcp), 1 });
}

// libsrtp srtp_validate_aes_192(): keys from the RFC 6188 7.4 master key.
TEST_P(Kat, LibsrtpAesCm192)
{
	namespace v = kat::libsrtp::cm192;
	namespace m = kat::rfc6188_7_4;
	check_both({ "libsrtp srtp_validate_aes_192",
		     AEGW_SUITE_AES_192_CM_HMAC_SHA1_80, AEGW_SRTP_RTP, 0,
		     master(m::master_key, m::master_salt), unhex(v::rtp),
		     unhex(v::srtp), 0 });
}

// libsrtp srtp_validate_aes_256(): keys from the RFC 6188 7.2 master key.
TEST_P(Kat, LibsrtpAesCm256)
{
	namespace v = kat::libsrtp::cm256;
	namespace m = kat::rfc6188_7_2;
	check_both({ "libsrtp srtp_validate_aes_256",
		     AEGW_SUITE_AES_256_CM_HMAC_SHA1_80, AEGW_SRTP_RTP, 0,
		     master(m::master_key, m::master_salt), unhex(v::rtp),
		     unhex(v::srtp), 0 });
}

// libsrtp srtp_validate_gcm(): AEAD_AES_128_GCM from a master key with a
// 96-bit master salt, SRTP and SRTCP.
TEST_P(Kat, LibsrtpGcm128)
{
	namespace v = kat::libsrtp::gcm128;
	Keys k = master(v::master_key, v::master_salt);
	check_both({ "libsrtp srtp_validate_gcm RTP", AEGW_SUITE_AEAD_AES_128_GCM,
		     AEGW_SRTP_RTP, 0, k, unhex(v::rtp), unhex(v::srtp), 0 });
	check_both({ "libsrtp srtp_validate_gcm RTCP",
		     AEGW_SUITE_AEAD_AES_128_GCM, AEGW_SRTP_RTCP, 0, k,
		     unhex(v::rtcp), unhex(v::srtcp), 1 });
}

// ---- RFC 7714 ----------------------------------------------------------

namespace r = kat::rfc7714;

Vector gcm_rtp(const char *name, aegw_suite suite, const char *key,
	       unsigned params, Bytes wire)
{
	return { name, suite, AEGW_SRTP_RTP, params, session(key, r::salt),
		 unhex(r::rtp), std::move(wire), 0 };
}

Vector gcm_rtcp(const char *name, aegw_suite suite, const char *key,
		unsigned params, Bytes wire)
{
	return { name, suite, AEGW_SRTP_RTCP, params, session(key, r::salt),
		 unhex(r::rtcp), std::move(wire), r::rtcp_index };
}

// RFC 7714 16.1.1 (encryption) and 16.1.2 (decryption).
TEST_P(Kat, Rfc7714Srtp128)
{
	check_both(gcm_rtp("RFC 7714 16.1.1/16.1.2", AEGW_SUITE_AEAD_AES_128_GCM,
			   r::key_128, 0, unhex(r::srtp_128)));
}

// RFC 7714 16.1.3 (tagging) and 16.1.4 (verification): unencrypted SRTP,
// the whole packet is associated data.
TEST_P(Kat, Rfc7714SrtpTagOnly128)
{
	check_both(gcm_rtp("RFC 7714 16.1.3/16.1.4", AEGW_SUITE_AEAD_AES_128_GCM,
			   r::key_128, AEGW_SRTP_UNENCRYPTED_SRTP,
			   cat(unhex(r::rtp), unhex(r::tag_only_128))));
}

// RFC 7714 16.2.1 (encryption) and 16.2.2 (decryption).
TEST_P(Kat, Rfc7714Srtp256)
{
	check_both(gcm_rtp("RFC 7714 16.2.1/16.2.2", AEGW_SUITE_AEAD_AES_256_GCM,
			   r::key_256, 0, unhex(r::srtp_256)));
}

// RFC 7714 16.2.3 (tagging) and 16.2.4 (verification).
TEST_P(Kat, Rfc7714SrtpTagOnly256)
{
	check_both(gcm_rtp("RFC 7714 16.2.3/16.2.4", AEGW_SUITE_AEAD_AES_256_GCM,
			   r::key_256, AEGW_SRTP_UNENCRYPTED_SRTP,
			   cat(unhex(r::rtp), unhex(r::tag_only_256))));
}

// RFC 7714 17.1: SRTCP encryption and tagging, E=1, index 0x5d4.
TEST_P(Kat, Rfc7714Srtcp128)
{
	check_both(gcm_rtcp("RFC 7714 17.1", AEGW_SUITE_AEAD_AES_128_GCM,
			    r::key_128, 0, unhex(r::srtcp_128)));
}

// RFC 7714 17.2: SRTCP verification and decryption, E=1.
TEST_P(Kat, Rfc7714Srtcp256)
{
	check_both(gcm_rtcp("RFC 7714 17.2", AEGW_SUITE_AEAD_AES_256_GCM,
			    r::key_256, 0, unhex(r::srtcp_256)));
}

// The E=0 packet: rtcp || tag || 0 || index (RFC 7714 9.2 layout).
Bytes tagged_rtcp(const char *tag)
{
	return cat(cat(unhex(r::rtcp), unhex(tag)), unhex("000005d4"));
}

// RFC 7714 17.3: SRTCP tagging only, E=0 (UNENCRYPTED_SRTCP).
TEST_P(Kat, Rfc7714SrtcpTagOnly128)
{
	check_both(gcm_rtcp("RFC 7714 17.3", AEGW_SUITE_AEAD_AES_128_GCM,
			    r::key_128, AEGW_SRTP_UNENCRYPTED_SRTCP,
			    tagged_rtcp(r::srtcp_tag_128)));
}

// RFC 7714 17.4: SRTCP tag verification, E=0.
TEST_P(Kat, Rfc7714SrtcpTagOnly256)
{
	check_both(gcm_rtcp("RFC 7714 17.4", AEGW_SUITE_AEAD_AES_256_GCM,
			    r::key_256, AEGW_SRTP_UNENCRYPTED_SRTCP,
			    tagged_rtcp(r::srtcp_tag_256)));
}

// A flipped bit in an RFC 7714 packet must fail: the KATs above would
// also pass against a backend that skipped the tag check.
TEST_P(Kat, Rfc7714TamperedFails)
{
	Vector v = gcm_rtp("RFC 7714 16.1.2 tampered",
			   AEGW_SUITE_AEAD_AES_128_GCM, r::key_128, 0,
			   unhex(r::srtp_128));
	StreamPtr rx = make_stream(eng.get(), v);
	ASSERT_TRUE(rx);
	Bytes p = v.wire;
	p[20] ^= 1;
	EXPECT_EQ(aegw_run(eng.get(), rx.get(), p, false),
		  AEGW_ERR_AUTH_FAILED);
}

std::string backend_label(const ::testing::TestParamInfo<aegw_srtp_backend> &i)
{
	return i.param == AEGW_SRTP_BACKEND_IPSECMB ? "ipsecmb" : "openssl";
}

INSTANTIATE_TEST_SUITE_P(Backends, Kat, ::testing::ValuesIn(kBackends),
			 backend_label);

} // namespace
