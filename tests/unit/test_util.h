// Test helpers: configs, RTP/RTCP packet builders, running aegw on one
// packet held in a std::vector.
#pragma once

#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

extern "C" {
#include "aegw/srtp.h"
}

namespace testutil {

inline aegw_srtp_config make_config(aegw_suite suite, aegw_srtp_kind kind,
				    std::mt19937 &rng, unsigned n_keys = 1,
				    unsigned mki_len = 0)
{
	aegw_srtp_config c;
	std::memset(&c, 0, sizeof(c));
	c.kind = kind;
	c.suite = suite;
	c.n_keys = n_keys;
	c.mki_len = mki_len;
	for (unsigned i = 0; i < n_keys; i++) {
		for (auto &b : c.keys[i].key)
			b = uint8_t(rng());
		for (auto &b : c.keys[i].salt)
			b = uint8_t(rng());
		for (unsigned j = 0; j < mki_len; j++)
			c.keys[i].mki[j] = uint8_t(i * 17 + j + 1);
	}
	return c;
}

struct RtpShape {
	uint16_t seq = 0;
	uint32_t ts = 0;
	uint32_t ssrc = 0x11223344;
	uint8_t pt = 0;
	bool marker = false;
	unsigned csrcs = 0;      // 0..15
	unsigned ext_words = 0;  // header extension length; 0 with ext=false
	bool ext = false;
	unsigned padding = 0;    // 0: no P bit
	size_t payload = 160;
};

inline std::vector<uint8_t> make_rtp(const RtpShape &s, std::mt19937 &rng)
{
	std::vector<uint8_t> p;
	p.push_back(uint8_t(0x80 | (s.padding ? 0x20 : 0) | (s.ext ? 0x10 : 0) |
			    s.csrcs));
	p.push_back(uint8_t((s.marker ? 0x80 : 0) | s.pt));
	p.push_back(uint8_t(s.seq >> 8));
	p.push_back(uint8_t(s.seq));
	for (int i = 24; i >= 0; i -= 8)
		p.push_back(uint8_t(s.ts >> i));
	for (int i = 24; i >= 0; i -= 8)
		p.push_back(uint8_t(s.ssrc >> i));
	for (unsigned i = 0; i < s.csrcs * 4; i++)
		p.push_back(uint8_t(rng()));
	if (s.ext) {
		p.push_back(0xbe);
		p.push_back(0xde);
		p.push_back(uint8_t(s.ext_words >> 8));
		p.push_back(uint8_t(s.ext_words));
		for (unsigned i = 0; i < s.ext_words * 4; i++)
			p.push_back(uint8_t(rng()));
	}
	for (size_t i = 0; i < s.payload; i++)
		p.push_back(uint8_t(rng()));
	if (s.padding) {
		for (unsigned i = 1; i < s.padding; i++)
			p.push_back(0);
		p.push_back(uint8_t(s.padding));
	}
	return p;
}

// A sender report with one report block, plus random extra bytes.
inline std::vector<uint8_t> make_rtcp(uint32_t ssrc, size_t extra,
				      std::mt19937 &rng)
{
	size_t words = 6 + 6 + (extra + 3) / 4; // SR + 1 block + extra
	std::vector<uint8_t> p(4 * (words + 1));
	p[0] = 0x81;
	p[1] = 200;
	p[2] = uint8_t(words >> 8);
	p[3] = uint8_t(words);
	for (int i = 0; i < 4; i++)
		p[4 + i] = uint8_t(ssrc >> (24 - 8 * i));
	for (size_t i = 8; i < p.size(); i++)
		p[i] = uint8_t(rng());
	return p;
}

// Runs aegw protect/unprotect on a vector (with tailroom added).
inline int aegw_run(aegw_srtp_engine *eng, aegw_srtp_stream *s,
		    std::vector<uint8_t> &v, bool protect)
{
	size_t len = v.size();
	v.resize(len + AEGW_SRTP_MAX_TRAILER + 16);
	aegw_srtp_pkt p = { v.data(), uint32_t(len), uint32_t(v.size()) };
	int rc = protect ? aegw_srtp_protect(eng, s, &p) :
			   aegw_srtp_unprotect(eng, s, &p);
	v.resize(rc == AEGW_ERR_OK ? p.len : len);
	return rc;
}

inline const aegw_srtp_backend kBackends[] = { AEGW_SRTP_BACKEND_IPSECMB,
					       AEGW_SRTP_BACKEND_OPENSSL };

} // namespace testutil
