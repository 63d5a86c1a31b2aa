// RFC 4568 inline: key parameters: key||salt per suite, lifetime and MKI
// forms, and what is rejected (with a message naming the fault).
#include <gtest/gtest.h>

#include <cstring>
#include <string>

extern "C" {
#include "aegw/error.h"
#include "aegw/sdes.h"
}

namespace {

// base64 of the bytes 00 01 02 ... (n-1), as RFC 4648 pads them.
const char *b64_of_len(unsigned n)
{
	switch (n) {
	case 30: return "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd";
	case 28: return "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGw==";
	case 38: return "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCU=";
	case 44: return "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKis=";
	case 46: return "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLQ==";
	}
	return nullptr;
}

const char kKey30[] = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd";

struct Parsed {
	int rc;
	aegw_sdes_key k;
	std::string err;
};

Parsed parse(const std::string &v,
	     aegw_suite suite = AEGW_SUITE_AES_CM_128_HMAC_SHA1_80)
{
	Parsed p;
	char err[200] = "";
	p.rc = aegw_sdes_inline_parse(v.c_str(), suite, &p.k, err, sizeof(err));
	p.err = err;
	return p;
}

void expect_counting_key(const aegw_sdes_key &k, aegw_suite suite)
{
	const struct aegw_suite_info *si = aegw_suite_info(suite);
	for (unsigned i = 0; i < si->key_len; i++)
		EXPECT_EQ(k.key[i], i) << si->name << " key byte " << i;
	for (unsigned i = 0; i < si->salt_len; i++)
		EXPECT_EQ(k.salt[i], si->key_len + i)
			<< si->name << " salt byte " << i;
}

TEST(SdesInline, EverySuiteDecodesItsLength)
{
	for (unsigned s = 0; s < AEGW_SUITE_COUNT; s++) {
		aegw_suite suite = aegw_suite(s);
		const struct aegw_suite_info *si = aegw_suite_info(suite);
		const char *b64 = b64_of_len(si->key_len + si->salt_len);
		ASSERT_NE(b64, nullptr) << si->name;
		Parsed p = parse(b64, suite);
		ASSERT_EQ(p.rc, 0) << si->name << ": " << p.err;
		expect_counting_key(p.k, suite);
		EXPECT_EQ(p.k.lifetime, 0u);
		EXPECT_EQ(p.k.mki_len, 0u);
	}
}

TEST(SdesInline, LengthsNamedInTheBrief)
{
	const struct {
		aegw_suite suite;
		unsigned len;
	} rows[] = {
		{ AEGW_SUITE_AES_CM_128_HMAC_SHA1_80, 30 },
		{ AEGW_SUITE_AES_CM_128_HMAC_SHA1_32, 30 },
		{ AEGW_SUITE_AEAD_AES_128_GCM, 28 },
		{ AEGW_SUITE_AES_256_CM_HMAC_SHA1_80, 46 },
		{ AEGW_SUITE_AEAD_AES_256_GCM, 44 },
		{ AEGW_SUITE_AES_192_CM_HMAC_SHA1_80, 38 },
	};
	for (const auto &r : rows) {
		EXPECT_EQ(parse(b64_of_len(r.len), r.suite).rc, 0) << r.len;
		// Every other length is the wrong key for this suite.
		for (unsigned other : { 28u, 30u, 38u, 44u, 46u }) {
			if (other == r.len)
				continue;
			Parsed p = parse(b64_of_len(other), r.suite);
			EXPECT_EQ(p.rc, AEGW_ERR_BAD_KEY) << r.len << " " << other;
			EXPECT_NE(p.err.find("needs"), std::string::npos) << p.err;
		}
	}
}

TEST(SdesInline, UnpaddedBase64IsAccepted)
{
	Parsed p = parse("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGw",
			 AEGW_SUITE_AEAD_AES_128_GCM);
	ASSERT_EQ(p.rc, 0) << p.err;
	expect_counting_key(p.k, AEGW_SUITE_AEAD_AES_128_GCM);
}

TEST(SdesInline, Lifetime)
{
	const struct {
		const char *text;
		uint64_t want;
	} rows[] = {
		{ "|2^31", 1ull << 31 },
		{ "|2^20", 1ull << 20 },
		{ "|2^0", 1 },
		{ "|1048576", 1048576 },
		{ "|1", 1 },
		{ "|281474976710656", 1ull << 48 },
	};
	for (const auto &r : rows) {
		Parsed p = parse(std::string(kKey30) + r.text);
		ASSERT_EQ(p.rc, 0) << r.text << ": " << p.err;
		EXPECT_EQ(p.k.lifetime, r.want) << r.text;
		EXPECT_EQ(p.k.mki_len, 0u) << r.text;
		expect_counting_key(p.k, AEGW_SUITE_AES_CM_128_HMAC_SHA1_80);
	}
}

TEST(SdesInline, Mki)
{
	const struct {
		const char *text;
		unsigned len;
		uint8_t mki[4];
		uint64_t lifetime;
	} rows[] = {
		{ "|1:4", 4, { 0, 0, 0, 1 }, 0 },
		{ "|255:1", 1, { 255 }, 0 },
		{ "|258:2", 2, { 1, 2 }, 0 },
		{ "|4294967295:4", 4, { 255, 255, 255, 255 }, 0 },
		{ "|0:1", 1, { 0 }, 0 },
		{ "|2^31|1:4", 4, { 0, 0, 0, 1 }, 1ull << 31 },
		{ "|1000|65536:3", 3, { 1, 0, 0 }, 1000 },
	};
	for (const auto &r : rows) {
		Parsed p = parse(std::string(kKey30) + r.text);
		ASSERT_EQ(p.rc, 0) << r.text << ": " << p.err;
		EXPECT_EQ(p.k.mki_len, r.len) << r.text;
		EXPECT_EQ(std::memcmp(p.k.mki, r.mki, r.len), 0) << r.text;
		EXPECT_EQ(p.k.lifetime, r.lifetime) << r.text;
	}
}

TEST(SdesInline, Rejects)
{
	const std::string k(kKey30);
	const struct {
		std::string value;
		const char *in_message; // a word the message must carry
	} rows[] = {
		{ "", "base64" },
		{ "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxw!", "invalid base64" },
		{ "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxw-", "invalid base64" },
		{ "AAECAwQFBgcICQoLDA0O DxAREhMUFRYXGBkaGxwd", "invalid base64" },
		{ "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdA", "base64" },
		{ "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaG=wd", "invalid base64" },
		{ "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxw=", "needs" },
		{ "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8g", "needs" },
		{ "AAECAwQFBgcICQoLDA0ODxAREhMUFRYX", "needs" },
		{ k + "|256:1", "MKI value" },
		{ k + "|65536:2", "MKI value" },
		{ k + "|4294967296:4", "MKI value" },
		{ k + "|1:0", "MKI length" },
		{ k + "|1:5", "MKI length" },
		{ k + "|1:", "MKI length" },
		{ k + "|:1", "MKI value" },
		{ k + "|x:1", "MKI value" },
		{ k + "|1:4|2^31", "unexpected" },
		{ k + "|1:4|", "unexpected" },
		{ k + "|1:4junk", "MKI length" },
		{ k + "|2^31|2^31", "MKI:length" },
		{ k + "|", "lifetime" },
		{ k + "|0", "lifetime" },
		{ k + "|2^64", "lifetime" },
		{ k + "|2^", "lifetime" },
		{ k + "|-5", "lifetime" },
		{ k + "|99999999999999999999999", "lifetime" },
		{ k + " ", "base64" },
		{ "inline:" + k, "base64" },
	};
	for (const auto &r : rows) {
		Parsed p = parse(r.value);
		EXPECT_NE(p.rc, 0) << "accepted '" << r.value << "'";
		EXPECT_NE(p.err.find(r.in_message), std::string::npos)
			<< "'" << r.value << "' gave '" << p.err << "'";
		// Nothing of the key survives a failure.
		aegw_sdes_key zero;
		std::memset(&zero, 0, sizeof(zero));
		EXPECT_EQ(std::memcmp(&p.k, &zero, sizeof(zero)), 0) << r.value;
	}
}

TEST(SdesInline, ErrorBufferMayBeEmpty)
{
	aegw_sdes_key k;
	EXPECT_NE(aegw_sdes_inline_parse("!!", AEGW_SUITE_AEAD_AES_128_GCM, &k,
					 nullptr, 0), 0);
	char tiny[8];
	EXPECT_NE(aegw_sdes_inline_parse("!!", AEGW_SUITE_AEAD_AES_128_GCM, &k,
					 tiny, sizeof(tiny)), 0);
	EXPECT_LT(std::strlen(tiny), sizeof(tiny));
	EXPECT_NE(aegw_sdes_inline_parse(kKey30, aegw_suite(AEGW_SUITE_COUNT),
					 &k, nullptr, 0), 0);
}

} // namespace
