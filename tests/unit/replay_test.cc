// Index estimation (RFC 3711 3.3.1 / appendix A) and the replay window
// (3.3.2) as tables of (input, expected verdict), the way WireGuard's
// selftest/counter.c checks its window.
#include <gtest/gtest.h>

#include <random>

extern "C" {
#include "srtp/internal.h"
}
#include "test_util.h"

namespace {

struct EstimateRow {
	uint64_t highest;
	uint16_t seq;
	int err;
	uint64_t index;
};

TEST(IndexEstimate, Table)
{
	const uint64_t R1 = 1ull << 16;
	const EstimateRow rows[] = {
		{ 0, 1, AEGW_ERR_OK, 1 },
		{ 65535, 0, AEGW_ERR_OK, R1 },             // wrap: ROC + 1
		{ R1, 65535, AEGW_ERR_OK, 65535 },         // late, before the wrap
		{ 10, 65530, AEGW_ERR_TOO_OLD, 0 },        // would be ROC -1
		{ R1 | 100, 40000, AEGW_ERR_OK, 40000 },   // s_l < 2^15, far above
		{ R1 | 100, 32868, AEGW_ERR_OK, R1 | 32868 }, // exactly 2^15 away
		{ 40000, 7231, AEGW_ERR_OK, R1 | 7231 },   // s_l >= 2^15, wrapped
		{ 40000, 7232, AEGW_ERR_OK, 7232 },        // boundary, same ROC
		{ 40000, 39999, AEGW_ERR_OK, 39999 },
		{ 0xffffffffull << 16 | 65535, 0, AEGW_ERR_KEY_EXPIRED, 0 },
		{ 0xffffffffull << 16 | 65000, 65001, AEGW_ERR_OK,
		  0xffffffffull << 16 | 65001 },
	};
	for (const auto &r : rows) {
		uint64_t index = 0;
		SCOPED_TRACE(testing::Message() << "highest " << r.highest
						<< " seq " << r.seq);
		EXPECT_EQ(aegw_index_estimate(r.highest, r.seq, &index), r.err);
		if (r.err == AEGW_ERR_OK) {
			EXPECT_EQ(index, r.index);
		}
	}
}

const uint64_t kBase = 1u << 20;

struct WindowRow {
	uint64_t index;
	int verdict; // expected check result; committed when OK
};

class Window : public ::testing::TestWithParam<unsigned> {
protected:
	void SetUp() override
	{
		std::mt19937 rng(1);
		int err;
		eng_ = aegw_srtp_engine_create(AEGW_SRTP_BACKEND_OPENSSL, &err);
		ASSERT_NE(eng_, nullptr);
		auto cfg = testutil::make_config(
			AEGW_SUITE_AES_CM_128_HMAC_SHA1_80, AEGW_SRTP_RTP, rng);
		cfg.window = GetParam();
		s_ = aegw_srtp_stream_create(eng_, &cfg, &err);
		ASSERT_NE(s_, nullptr);
		slot_ = aegw_slot_adopt(s_, 0x1234, kBase);
	}
	void TearDown() override
	{
		aegw_srtp_stream_free(s_);
		aegw_srtp_engine_free(eng_);
	}
	void run(const std::vector<WindowRow> &rows)
	{
		for (size_t i = 0; i < rows.size(); i++) {
			int v = aegw_replay_check(s_, slot_, rows[i].index);
			EXPECT_EQ(v, rows[i].verdict)
				<< "row " << i << " index " << rows[i].index;
			if (v == AEGW_ERR_OK)
				aegw_replay_commit(s_, slot_, rows[i].index);
		}
	}
	aegw_srtp_engine *eng_ = nullptr;
	aegw_srtp_stream *s_ = nullptr;
	int slot_ = -1;
};

TEST_P(Window, Table)
{
	const uint64_t W = GetParam(), B = kBase;
	const int OK = AEGW_ERR_OK, RE = AEGW_ERR_REPLAY, OLD = AEGW_ERR_TOO_OLD;
	run({
		{ B, RE },            // adopted with index B
		{ B + 1, OK }, { B + 1, RE }, { B + 3, OK }, { B + 2, OK },
		{ B + 2, RE },
		{ B - 1, OK },        // before the first, inside the window
		{ B + 200, OK },
		{ B + 200 - (W - 1), OK }, // the oldest index the window keeps
		{ B + 200 - W, OLD },      // one past it
		{ B + 199, OK }, { B + 199, RE },
		{ B + 1000, OK }, { B + 1000 - W, OLD }, { B + 999, OK },
		{ B + 1000, RE },
		{ B + 1448, OK },     // advances seven words at once
		{ B + 1447, OK }, { B + 1448 - (W - 1), OK },
		{ B + 11000, OK }, { B + 1000, OLD }, { B + 10999, OK },
		{ B + 11063, OK }, { B + 11064, OK }, { B + 11065, OK },
		{ B + 11064, RE },
		{ B + 11000, W > 65 ? RE : OLD },
		{ B + 11001, W > 64 ? OK : OLD },
	});
}

// Every index in the window is remembered, in any order.
TEST_P(Window, EveryIndexOnceInAnyOrder)
{
	const unsigned W = GetParam();
	std::vector<uint64_t> idx;
	for (uint64_t i = kBase + 5000; i < kBase + 5000 + W; i++)
		idx.push_back(i);
	std::mt19937 rng(7);
	std::shuffle(idx.begin() + 1, idx.end(), rng);
	aegw_replay_commit(s_, slot_, kBase + 5000 + W - 1); // highest first
	for (uint64_t i : idx) {
		if (i == kBase + 5000 + W - 1)
			continue;
		EXPECT_EQ(aegw_replay_check(s_, slot_, i), AEGW_ERR_OK) << i;
		aegw_replay_commit(s_, slot_, i);
	}
	for (uint64_t i : idx)
		EXPECT_EQ(aegw_replay_check(s_, slot_, i), AEGW_ERR_REPLAY) << i;
	EXPECT_EQ(aegw_replay_check(s_, slot_, kBase + 4999), AEGW_ERR_TOO_OLD);
}

INSTANTIATE_TEST_SUITE_P(Sizes, Window, ::testing::Values(64u, 128u, 1024u,
							  4096u, 100u));

// Which packets move a stream's reading (aegw_srtp_engine_moved): a new
// SSRC, and an SSRC's highest index crossing a multiple of the step; not
// a packet below the highest, nor one that fails.
std::vector<bool> moved_by(aegw_srtp_engine *eng, aegw_srtp_stream *s,
			   const std::vector<std::vector<uint8_t>> &pkts,
			   bool protect)
{
	std::vector<bool> moved;

	for (auto p : pkts) {
		aegw_srtp_stream *const *list;
		testutil::aegw_run(eng, s, p, protect);
		unsigned n = aegw_srtp_engine_moved(eng, &list);
		EXPECT_LE(n, 1u);
		moved.push_back(n == 1 && list[0] == s);
	}
	return moved;
}

class Reading : public ::testing::Test {
protected:
	std::mt19937 rng{3};
	aegw_srtp_engine *eng = nullptr;
	std::vector<aegw_srtp_stream *> made;

	void SetUp() override
	{
		int err;
		eng = aegw_srtp_engine_create(AEGW_SRTP_BACKEND_OPENSSL, &err);
		ASSERT_NE(eng, nullptr);
	}
	void TearDown() override
	{
		for (auto *s : made)
			aegw_srtp_stream_free(s);
		aegw_srtp_engine_free(eng);
	}
	aegw_srtp_config config(aegw_srtp_kind kind)
	{
		return testutil::make_config(AEGW_SUITE_AES_CM_128_HMAC_SHA1_80,
					     kind, rng);
	}
	aegw_srtp_stream *stream(const aegw_srtp_config &cfg)
	{
		int err;
		aegw_srtp_stream *s = aegw_srtp_stream_create(eng, &cfg, &err);
		EXPECT_NE(s, nullptr);
		made.push_back(s);
		return s;
	}
	std::vector<uint8_t> rtp(uint32_t ssrc, uint16_t seq)
	{
		testutil::RtpShape sh;
		sh.ssrc = ssrc;
		sh.seq = seq;
		return testutil::make_rtp(sh, rng);
	}
};

TEST_F(Reading, MovesAtNewSsrcsAndSteps)
{
	auto cfg = config(AEGW_SRTP_RTP);
	aegw_srtp_stream *tx = stream(cfg), *rx = stream(cfg);
	const unsigned step = 1u << AEGW_SRTP_READING_STEP_LOG2;
	struct Row {
		uint32_t ssrc;
		uint16_t seq;
		bool moves;
	} rows[] = {
		{ 1, uint16_t(step - 2), true },  // a new SSRC
		{ 1, uint16_t(step - 1), false },
		{ 1, uint16_t(step), true },      // crosses a step
		{ 1, uint16_t(step - 3), false }, // late, below the highest
		{ 1, uint16_t(step + 1), false },
		{ 2, 100, true },                 // another SSRC
		{ 1, uint16_t(2 * step), true },  // back to 1, a step on
		{ 1, 40000, true },
		{ 1, 65535, true },
		{ 1, 3, true },                   // the wrap is a step too
		{ 1, 4, false },
		{ 3, 7, true },                   // a third: 2 is evicted
		{ 2, 101, true },                 // back from eviction
		{ 2, 102, false },
		{ 2, uint16_t(step), true },      // a step on
	};
	std::vector<std::vector<uint8_t>> plain, wire;
	std::vector<bool> want;
	for (const auto &r : rows) {
		plain.push_back(rtp(r.ssrc, r.seq));
		want.push_back(r.moves);
	}
	EXPECT_EQ(moved_by(eng, tx, plain, true), want) << "protect";
	// The same packets as a sender's, through a receiver.
	aegw_srtp_stream *sender = stream(cfg);
	for (auto p : plain) {
		ASSERT_EQ(testutil::aegw_run(eng, sender, p, true), 0);
		wire.push_back(p);
	}
	auto forged = wire[2];
	forged[forged.size() - 1] ^= 1;
	EXPECT_EQ(moved_by(eng, rx, { forged }, false),
		  std::vector<bool>{ false })
		<< "a packet that fails moves nothing";
	EXPECT_EQ(moved_by(eng, rx, wire, false), want) << "unprotect";
	EXPECT_EQ(moved_by(eng, rx, wire, false),
		  std::vector<bool>(wire.size(), false))
		<< "replays move nothing";
}

// A context made again: its resumed SSRC's first packet goes on from the
// reading (were it a move, every stream would report at once after a
// restart); an SSRC it had before moves the reading.
TEST_F(Reading, ResumedSsrcMovesOnlyAtSteps)
{
	auto cfg = config(AEGW_SRTP_RTP);
	cfg.resume_ssrc = 9;
	cfg.resume_index = 500;
	cfg.resume_earlier[0] = { 8, 0, 300 };
	aegw_srtp_stream *tx = stream(cfg);
	EXPECT_EQ(moved_by(eng, tx, { rtp(9, 501), rtp(9, 8192), rtp(8, 301) },
			   true),
		  (std::vector<bool>{ false, true, true }));
}

TEST_F(Reading, SrtcpMovesAtItsStep)
{
	aegw_srtp_stream *tx = stream(config(AEGW_SRTP_RTCP));
	const unsigned step = 1u << AEGW_SRTCP_READING_STEP_LOG2;
	std::vector<std::vector<uint8_t>> pkts(2 * step + 1);
	for (auto &p : pkts)
		p = testutil::make_rtcp(7, 8, rng);
	auto moved = moved_by(eng, tx, pkts, true);
	for (unsigned i = 0; i < moved.size(); i++)
		EXPECT_EQ(moved[i], i % step == 0) << "SRTCP index " << i;
}

} // namespace
