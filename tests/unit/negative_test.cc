// Negative tables: every way a packet can be wrong gets its own error,
// never a read past the buffer (buffers here are exactly the packet's
// length, so ASan sees any overread), and a failed packet leaves the
// stream as it was.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "test_util.h"

using namespace testutil;

namespace {

using Param = std::tuple<aegw_srtp_backend, aegw_suite>;

class Negative : public ::testing::TestWithParam<Param> {
protected:
	void SetUp() override
	{
		int err;
		eng_ = aegw_srtp_engine_create(std::get<0>(GetParam()), &err);
		ASSERT_NE(eng_, nullptr);
	}
	void TearDown() override
	{
		for (auto *s : streams_)
			aegw_srtp_stream_free(s);
		aegw_srtp_engine_free(eng_);
	}
	aegw_suite suite() const { return std::get<1>(GetParam()); }
	aegw_srtp_stream *stream(const aegw_srtp_config &c)
	{
		int err;
		aegw_srtp_stream *s = aegw_srtp_stream_create(eng_, &c, &err);
		EXPECT_NE(s, nullptr) << aegw_strerror(err);
		streams_.push_back(s);
		return s;
	}
	// Unprotects a copy held in a buffer of exactly its length.
	int unprotect_exact(aegw_srtp_stream *s, const std::vector<uint8_t> &w)
	{
		std::unique_ptr<uint8_t[]> b(new uint8_t[w.size() ? w.size() : 1]);
		std::copy(w.begin(), w.end(), b.get());
		aegw_srtp_pkt p = { b.get(), uint32_t(w.size()),
				    uint32_t(w.size()) };
		return aegw_srtp_unprotect(eng_, s, &p);
	}
	std::vector<uint8_t> protect(aegw_srtp_stream *s, uint16_t seq,
				     size_t payload = 160)
	{
		RtpShape sh;
		sh.seq = seq;
		sh.payload = payload;
		auto v = make_rtp(sh, rng_);
		EXPECT_EQ(aegw_run(eng_, s, v, true), AEGW_ERR_OK);
		return v;
	}
	aegw_srtp_engine *eng_ = nullptr;
	std::vector<aegw_srtp_stream *> streams_;
	std::mt19937 rng_{ 42 };
};

TEST_P(Negative, RtpTable)
{
	auto cfg = make_config(suite(), AEGW_SRTP_RTP, rng_);
	aegw_srtp_stream *tx = stream(cfg), *rx = stream(cfg);
	const unsigned tag = aegw_suite_info(suite())->rtp_tag_len;
	auto good = protect(tx, 10);
	ASSERT_EQ(unprotect_exact(rx, protect(tx, 9)), AEGW_ERR_OK);

	struct Row {
		const char *what;
		std::vector<uint8_t> pkt;
		int err;
	};
	auto flip = [&](size_t at) {
		auto v = good;
		v[at] ^= 0x01;
		return v;
	};
	std::vector<Row> rows = {
		{ "tag", flip(good.size() - 1), AEGW_ERR_AUTH_FAILED },
		{ "marker bit", flip(1), AEGW_ERR_AUTH_FAILED },
		{ "timestamp", flip(5), AEGW_ERR_AUTH_FAILED },
		{ "payload", flip(12 + 3), AEGW_ERR_AUTH_FAILED },
		{ "empty", {}, AEGW_ERR_TRUNCATED },
		{ "one byte", { 0x80 }, AEGW_ERR_TRUNCATED },
		{ "header only", std::vector<uint8_t>(good.begin(),
						      good.begin() + 12),
		  AEGW_ERR_TRUNCATED },
		{ "header + tag - 1",
		  std::vector<uint8_t>(good.begin(), good.begin() + 12 + tag - 1),
		  AEGW_ERR_TRUNCATED },
		{ "version 1", [&] { auto v = good; v[0] = 0x40; return v; }(),
		  AEGW_ERR_BAD_VERSION },
		{ "version 0", [&] { auto v = good; v[0] = 0x00; return v; }(),
		  AEGW_ERR_BAD_VERSION },
		{ "15 CSRCs past the end",
		  [&] { auto v = good; v[0] |= 0x0f; v.resize(12 + 20 + tag); return v; }(),
		  AEGW_ERR_BAD_HEADER },
		{ "extension header past the end",
		  [&] { auto v = good; v[0] |= 0x10; v.resize(12 + 2 + tag); return v; }(),
		  AEGW_ERR_BAD_HEADER },
		{ "extension length past the end",
		  [&] { auto v = good; v[0] |= 0x10; v[14] = 0xff; v[15] = 0xff; return v; }(),
		  AEGW_ERR_BAD_HEADER },
	};
	for (const auto &r : rows)
		EXPECT_EQ(unprotect_exact(rx, r.pkt), r.err) << r.what;
	// None of that moved the stream: the genuine packet still passes,
	// once.
	EXPECT_EQ(unprotect_exact(rx, good), AEGW_ERR_OK);
	EXPECT_EQ(unprotect_exact(rx, good), AEGW_ERR_REPLAY);
}

TEST_P(Negative, WrongKey)
{
	auto a = make_config(suite(), AEGW_SRTP_RTP, rng_);
	auto b = make_config(suite(), AEGW_SRTP_RTP, rng_);
	aegw_srtp_stream *tx = stream(a), *rx = stream(b);
	EXPECT_EQ(unprotect_exact(rx, protect(tx, 1)), AEGW_ERR_AUTH_FAILED);
	// Same key, other salt: also a different key.
	auto c = a;
	c.keys[0].salt[0] ^= 1;
	EXPECT_EQ(unprotect_exact(stream(c), protect(tx, 2)),
		  AEGW_ERR_AUTH_FAILED);
}

TEST_P(Negative, ReplayAndTooOld)
{
	auto cfg = make_config(suite(), AEGW_SRTP_RTP, rng_);
	aegw_srtp_stream *tx = stream(cfg), *rx = stream(cfg);
	std::vector<std::vector<uint8_t>> w;
	for (uint16_t i = 0; i < 300; i++)
		w.push_back(protect(tx, i));
	EXPECT_EQ(unprotect_exact(rx, w[0]), AEGW_ERR_OK);
	EXPECT_EQ(unprotect_exact(rx, w[0]), AEGW_ERR_REPLAY);
	EXPECT_EQ(unprotect_exact(rx, w[299]), AEGW_ERR_OK);
	EXPECT_EQ(unprotect_exact(rx, w[299 - 127]), AEGW_ERR_OK);
	EXPECT_EQ(unprotect_exact(rx, w[299 - 128]), AEGW_ERR_TOO_OLD);
	EXPECT_EQ(unprotect_exact(rx, w[1]), AEGW_ERR_TOO_OLD);
}

TEST_P(Negative, LifetimeExhausted)
{
	auto cfg = make_config(suite(), AEGW_SRTP_RTP, rng_);
	cfg.keys[0].lifetime = 5;
	aegw_srtp_stream *tx = stream(cfg), *rx = stream(cfg);
	std::vector<std::vector<uint8_t>> w;
	for (uint16_t i = 0; i < 5; i++)
		w.push_back(protect(tx, i));
	RtpShape sh;
	sh.seq = 5;
	auto extra = make_rtp(sh, rng_);
	EXPECT_EQ(aegw_run(eng_, tx, extra, true), AEGW_ERR_KEY_EXPIRED);
	for (auto &p : w)
		EXPECT_EQ(unprotect_exact(rx, p), AEGW_ERR_OK);
	EXPECT_EQ(aegw_srtp_stream_key_packets(rx, 0), 5u);
	// A sixth packet under the same key, made by an unlimited sender.
	auto unl = cfg;
	unl.keys[0].lifetime = 0;
	aegw_srtp_stream *tx2 = stream(unl);
	for (uint16_t i = 0; i < 5; i++)
		protect(tx2, i);
	EXPECT_EQ(unprotect_exact(rx, protect(tx2, 5)), AEGW_ERR_KEY_EXPIRED);
}

TEST_P(Negative, UnknownMkiAndNoRoom)
{
	auto cfg = make_config(suite(), AEGW_SRTP_RTP, rng_, 2, 2);
	aegw_srtp_stream *tx = stream(cfg), *rx = stream(cfg);
	auto w = protect(tx, 1);
	const bool aead = aegw_suite_info(suite())->aead;
	// CM: MKI precedes the tag; GCM: it is last.
	size_t mki_at = aead ? w.size() - 2 :
			       w.size() - 2 - aegw_suite_info(suite())->rtp_tag_len;
	w[mki_at] ^= 0x80;
	EXPECT_EQ(unprotect_exact(rx, w), AEGW_ERR_UNKNOWN_MKI);

	RtpShape sh;
	auto p = make_rtp(sh, rng_);
	aegw_srtp_pkt pk = { p.data(), uint32_t(p.size()), uint32_t(p.size()) };
	EXPECT_EQ(aegw_srtp_protect(eng_, tx, &pk), AEGW_ERR_NO_ROOM);
	EXPECT_EQ(pk.len, p.size());
}

TEST_P(Negative, RtcpTable)
{
	auto cfg = make_config(suite(), AEGW_SRTP_RTCP, rng_);
	aegw_srtp_stream *tx = stream(cfg), *rx = stream(cfg);
	auto good = make_rtcp(0xabcdef01, 40, rng_);
	ASSERT_EQ(aegw_run(eng_, tx, good, true), AEGW_ERR_OK);
	const bool aead = aegw_suite_info(suite())->aead;
	const size_t e_at = aead ? good.size() - 4 : good.size() - 14;
	struct Row {
		const char *what;
		std::vector<uint8_t> pkt;
		int err;
	};
	auto flip = [&](size_t at, uint8_t bit) {
		auto v = good;
		v[at] ^= bit;
		return v;
	};
	std::vector<Row> rows = {
		{ "E flag cleared", flip(e_at, 0x80), AEGW_ERR_POLICY },
		{ "index", flip(e_at + 3, 0x01), AEGW_ERR_AUTH_FAILED },
		{ "sender SSRC", flip(4, 0x01), AEGW_ERR_AUTH_FAILED },
		{ "tag", flip(good.size() - 1, 0x01), AEGW_ERR_AUTH_FAILED },
		{ "version", flip(0, 0xc0), AEGW_ERR_BAD_VERSION },
		{ "short", std::vector<uint8_t>(good.begin(), good.begin() + 7),
		  AEGW_ERR_TRUNCATED },
		{ "no room for the trailer",
		  std::vector<uint8_t>(good.begin(), good.begin() + 8 + 4),
		  AEGW_ERR_TRUNCATED },
	};
	for (const auto &r : rows)
		EXPECT_EQ(unprotect_exact(rx, r.pkt), r.err) << r.what;
	EXPECT_EQ(unprotect_exact(rx, good), AEGW_ERR_OK);
	EXPECT_EQ(unprotect_exact(rx, good), AEGW_ERR_REPLAY);
}

// More SSRCs than live slots: an evicted SSRC keeps its highest index,
// so its old packets cannot be replayed, while its new ones still pass.
TEST_P(Negative, EvictedSsrcCannotReplay)
{
	auto cfg = make_config(suite(), AEGW_SRTP_RTP, rng_);
	aegw_srtp_stream *tx = stream(cfg), *rx = stream(cfg);
	auto pkt = [&](uint32_t ssrc, uint16_t seq) {
		RtpShape sh;
		sh.ssrc = ssrc;
		sh.seq = seq;
		auto v = make_rtp(sh, rng_);
		EXPECT_EQ(aegw_run(eng_, tx, v, true), AEGW_ERR_OK);
		return v;
	};
	auto a_old = pkt(0xa, 100), a_mid = pkt(0xa, 101);
	EXPECT_EQ(unprotect_exact(rx, a_old), AEGW_ERR_OK);
	EXPECT_EQ(unprotect_exact(rx, a_mid), AEGW_ERR_OK);
	// B, C ... more SSRCs than slots push A out.
	for (uint32_t ssrc = 0xb; ssrc < 0xb + AEGW_SRTP_SSRC_SLOTS; ssrc++)
		EXPECT_EQ(unprotect_exact(rx, pkt(ssrc, 7)), AEGW_ERR_OK);
	EXPECT_EQ(unprotect_exact(rx, a_old), AEGW_ERR_TOO_OLD);
	EXPECT_EQ(unprotect_exact(rx, a_mid), AEGW_ERR_TOO_OLD);
	auto a_next = pkt(0xa, 103), a_late = pkt(0xa, 102);
	EXPECT_EQ(unprotect_exact(rx, a_next), AEGW_ERR_OK);
	EXPECT_EQ(unprotect_exact(rx, a_late), AEGW_ERR_OK); // reordered
	EXPECT_EQ(unprotect_exact(rx, a_mid), AEGW_ERR_REPLAY);
	EXPECT_EQ(unprotect_exact(rx, a_next), AEGW_ERR_REPLAY);
}

// Protect fits in exactly the room aegw_srtp_stream_overhead() promises,
// for every MKI length and session parameter.
TEST_P(Negative, OverheadIsExact)
{
	for (unsigned sp : { 0u, unsigned(AEGW_SRTP_UNENCRYPTED_SRTP),
			     unsigned(AEGW_SRTP_UNAUTHENTICATED_SRTP) }) {
		for (unsigned mki = 0; mki <= 4; mki++) {
			auto cfg = make_config(suite(), AEGW_SRTP_RTP, rng_,
					       1, mki);
			cfg.session_params = sp;
			int err;
			aegw_srtp_stream *s =
				aegw_srtp_stream_create(eng_, &cfg, &err);
			if (!s) {
				EXPECT_EQ(err, AEGW_ERR_UNSUPPORTED);
				continue;
			}
			streams_.push_back(s);
			RtpShape sh;
			auto v = make_rtp(sh, rng_);
			size_t len = v.size();
			v.resize(len + aegw_srtp_stream_overhead(s));
			aegw_srtp_pkt p = { v.data(), uint32_t(len),
					    uint32_t(v.size()) };
			EXPECT_EQ(aegw_srtp_protect(eng_, s, &p), AEGW_ERR_OK)
				<< "params " << sp << " mki " << mki;
			EXPECT_EQ(p.len, v.size());
		}
	}
}

// Contexts come from the engine's allocator and go back to it, wiped:
// a DPDK worker gives its engine hugepage memory this way.
struct CountingAllocator {
	std::vector<std::pair<void *, size_t>> live;
	unsigned allocs = 0, frees = 0, unwiped = 0;
	static void *alloc(void *arg, size_t size)
	{
		auto *a = static_cast<CountingAllocator *>(arg);
		void *p = aligned_alloc(64, size);
		a->live.emplace_back(p, size);
		a->allocs++;
		return p;
	}
	static void release(void *arg, void *p)
	{
		auto *a = static_cast<CountingAllocator *>(arg);
		auto it = std::find_if(a->live.begin(), a->live.end(),
				       [p](auto &e) { return e.first == p; });
		ASSERT_NE(it, a->live.end()) << "freed what it did not make";
		const uint8_t *b = static_cast<const uint8_t *>(p);
		if (std::any_of(b, b + it->second, [](uint8_t x) { return x; }))
			a->unwiped++;
		a->live.erase(it);
		a->frees++;
		free(p);
	}
};

TEST_P(Negative, ContextsLiveInTheEnginesAllocator)
{
	CountingAllocator counting;
	aegw_srtp_allocator a = { CountingAllocator::alloc,
				  CountingAllocator::release, &counting };
	int err;
	aegw_srtp_engine *eng =
		aegw_srtp_engine_create(std::get<0>(GetParam()), &err);
	ASSERT_NE(eng, nullptr);
	ASSERT_EQ(aegw_srtp_engine_set_allocator(eng, &a), AEGW_ERR_OK);
	auto cfg = make_config(suite(), AEGW_SRTP_RTP, rng_, 3, 2);
	aegw_srtp_stream *tx = aegw_srtp_stream_create(eng, &cfg, &err);
	// A stream must go back where it came from.
	EXPECT_EQ(aegw_srtp_engine_set_allocator(eng, nullptr),
		  AEGW_ERR_INVALID_ARG);
	aegw_srtp_stream *rx = aegw_srtp_stream_create(eng, &cfg, &err);
	cfg.kind = AEGW_SRTP_RTCP;
	aegw_srtp_stream *rtcp = aegw_srtp_stream_create(eng, &cfg, &err);
	ASSERT_TRUE(tx && rx && rtcp);
	ASSERT_EQ(counting.allocs, 3u);
	EXPECT_EQ(counting.live[0].second, aegw_srtp_stream_size(tx));
	RtpShape sh;
	auto v = make_rtp(sh, rng_);
	EXPECT_EQ(aegw_run(eng, tx, v, true), AEGW_ERR_OK);
	EXPECT_EQ(aegw_run(eng, rx, v, false), AEGW_ERR_OK);
	aegw_srtp_stream_free(tx);
	aegw_srtp_stream_free(rx);
	aegw_srtp_stream_free(rtcp);
	EXPECT_EQ(counting.frees, 3u);
	EXPECT_EQ(counting.unwiped, 0u);
	EXPECT_EQ(aegw_srtp_engine_set_allocator(eng, nullptr), AEGW_ERR_OK);
	aegw_srtp_engine_free(eng);
}

// A burst holding the same packet twice accepts it once.
TEST_P(Negative, DuplicateInsideOneBurst)
{
	auto cfg = make_config(suite(), AEGW_SRTP_RTP, rng_);
	aegw_srtp_stream *tx = stream(cfg), *rx = stream(cfg);
	auto w = protect(tx, 77);
	std::vector<uint8_t> a = w, b = w;
	aegw_srtp_pkt pk[2] = { { a.data(), uint32_t(a.size()), uint32_t(a.size()) },
				{ b.data(), uint32_t(b.size()), uint32_t(b.size()) } };
	aegw_srtp_stream *st[2] = { rx, rx };
	int status[2];
	EXPECT_EQ(aegw_srtp_unprotect_burst(eng_, st, pk, status, 2), 1u);
	EXPECT_EQ(status[0], AEGW_ERR_OK);
	EXPECT_EQ(status[1], AEGW_ERR_REPLAY);
}

TEST(NegativeConfig, Rejected)
{
	std::mt19937 rng(3);
	int err;
	aegw_srtp_engine *eng =
		aegw_srtp_engine_create(AEGW_SRTP_BACKEND_OPENSSL, &err);
	ASSERT_NE(eng, nullptr);
	struct Row {
		const char *what;
		void (*mutate)(aegw_srtp_config &);
		int err;
	};
	const Row rows[] = {
		{ "no keys", [](aegw_srtp_config &c) { c.n_keys = 0; },
		  AEGW_ERR_INVALID_ARG },
		{ "two keys without MKI", [](aegw_srtp_config &c) { c.n_keys = 2; },
		  AEGW_ERR_INVALID_ARG },
		{ "MKI of 5 bytes", [](aegw_srtp_config &c) { c.mki_len = 5; },
		  AEGW_ERR_INVALID_ARG },
		{ "window too large", [](aegw_srtp_config &c) { c.window = 8192; },
		  AEGW_ERR_INVALID_ARG },
		{ "KDR 2^25", [](aegw_srtp_config &c) { c.kdr_log2 = 25; },
		  AEGW_ERR_INVALID_ARG },
		{ "bad suite", [](aegw_srtp_config &c) { c.suite = AEGW_SUITE_COUNT; },
		  AEGW_ERR_INVALID_ARG },
		{ "GCM unauthenticated",
		  [](aegw_srtp_config &c) {
			  c.suite = AEGW_SUITE_AEAD_AES_128_GCM;
			  c.session_params = AEGW_SRTP_UNAUTHENTICATED_SRTP;
		  },
		  AEGW_ERR_UNSUPPORTED },
		{ "duplicate MKI",
		  [](aegw_srtp_config &c) {
			  c.n_keys = 2;
			  c.mki_len = 1;
			  c.keys[0].mki[0] = c.keys[1].mki[0] = 9;
		  },
		  AEGW_ERR_INVALID_ARG },
	};
	for (const auto &r : rows) {
		auto cfg = make_config(AEGW_SUITE_AES_CM_128_HMAC_SHA1_80,
				       AEGW_SRTP_RTP, rng);
		r.mutate(cfg);
		EXPECT_EQ(aegw_srtp_stream_create(eng, &cfg, &err), nullptr)
			<< r.what;
		EXPECT_EQ(err, r.err) << r.what;
	}
	aegw_srtp_engine_free(eng);
}

std::string name(const ::testing::TestParamInfo<Param> &info)
{
	std::string be = std::get<0>(info.param) == AEGW_SRTP_BACKEND_IPSECMB ?
				 "ipsecmb_" : "openssl_";
	return be + aegw_suite_info(std::get<1>(info.param))->name;
}

INSTANTIATE_TEST_SUITE_P(
	AllSuites, Negative,
	::testing::Combine(::testing::ValuesIn(kBackends),
			   ::testing::Range(AEGW_SUITE_AES_CM_128_HMAC_SHA1_80,
					    AEGW_SUITE_COUNT)),
	name);

} // namespace
