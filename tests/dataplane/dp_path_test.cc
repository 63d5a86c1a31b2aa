// The packet path end to end in one process: each action in both
// directions against libsrtp2, RTCP (port+1 and RFC 5761 mux), re-key,
// latching, and every drop counted and never forwarded.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <random>

#include "dataplane/dp_harness.h"
extern "C" {
#include "srtp/internal.h"
}
#include "unit/srtp_oracle.h"
#include "unit/test_util.h"

using namespace dptest;
using Bytes = std::vector<uint8_t>;

namespace {

// Worker 0 owns ports whose (port >> 1) is even, worker 1 the others.
constexpr uint16_t kUePort = 4000, kCorePort = 5000;

struct Leg {
	aegw_endpoint local, peer;
};

// What a parsed output frame says.
struct Out {
	aegw_pkt_info pi;
	Bytes payload;
};

Out parse_out(const Bytes &f)
{
	Out o{};
	EXPECT_EQ(aegw_pkt_parse(f.data(), uint32_t(f.size()), &o.pi),
		  AEGW_PKT_UDP);
	EXPECT_EQ(aegw_pkt_udp_csum_ok(f.data(), &o.pi), 1);
	o.payload.assign(f.begin() + o.pi.payload_off,
			 f.begin() + o.pi.payload_off + o.pi.payload_len);
	return o;
}

// RFC 1071, byte by byte: independent of lib/pkt's checksum code.
void fix_ipv4_csum(Bytes &f)
{
	uint32_t sum = 0;
	f[24] = f[25] = 0;
	for (unsigned i = 14; i < 34; i += 2)
		sum += unsigned(f[i]) << 8 | f[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	f[24] = uint8_t(~sum >> 8);
	f[25] = uint8_t(~sum);
}

uint16_t rfc1071(const Bytes &b)
{
	uint32_t sum = 0;
	for (size_t i = 0; i + 1 < b.size(); i += 2)
		sum += unsigned(b[i]) << 8 | b[i + 1];
	if (b.size() % 2)
		sum += unsigned(b.back()) << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return uint16_t(sum);
}

// An ICMP echo request with 32 bytes of data, checksums by hand.
Bytes icmp_echo_frame(const uint8_t *dst_mac, const char *src, const char *dst)
{
	Bytes f(14 + 20 + 8 + 32, 0);
	std::memcpy(f.data(), dst_mac, 6);
	std::memcpy(f.data() + 6, kUeMac, 6);
	f[12] = 0x08;
	f[14] = 0x45;
	f[17] = uint8_t(f.size() - 14);
	f[22] = 64;
	f[23] = 1; // ICMP
	std::memcpy(f.data() + 26, ep4(src, 0).ip, 4);
	std::memcpy(f.data() + 30, ep4(dst, 0).ip, 4);
	fix_ipv4_csum(f);
	f[34] = 8; // echo request
	f[39] = 7; // sequence 7
	for (unsigned i = 42; i < f.size(); i++)
		f[i] = uint8_t(i);
	uint16_t c = uint16_t(~rfc1071(Bytes(f.begin() + 34, f.end())));
	f[36] = uint8_t(c >> 8);
	f[37] = uint8_t(c);
	return f;
}

bool same_ep(const aegw_endpoint &a, const aegw_endpoint &b)
{
	return a.family == b.family && a.port == b.port &&
	       std::memcmp(a.ip, b.ip, a.family == 6 ? 16 : 4) == 0;
}

aegw_stream_spec spec_for(uint32_t id, aegw_action action,
			  const aegw_endpoint &local, uint16_t in_port,
			  const aegw_endpoint &egress_src,
			  const aegw_endpoint &egress_dst, uint16_t out_port)
{
	aegw_stream_spec s{};
	s.stream_id = id;
	s.action = uint8_t(action);
	s.flags = AEGW_STREAM_LATCH;
	s.in_port = in_port;
	s.out_port = out_port;
	s.local = local;
	s.egress_src = egress_src;
	s.egress_dst = egress_dst;
	return s;
}

class DpPath : public ::testing::Test {
protected:
	std::mt19937 rng{1234};
	std::vector<uint32_t> ids;

	void TearDown() override
	{
		for (uint32_t id : ids)
			EXPECT_EQ(remove_stream(id), 0);
		collect(0);
		collect(1);
	}
	void add(const aegw_stream_spec &s)
	{
		ASSERT_EQ(add_stream(s), 0);
		ids.push_back(s.stream_id);
	}
	Bytes rtp(uint16_t seq, size_t payload = 160, uint32_t ssrc = 0x1234)
	{
		testutil::RtpShape sh;
		sh.seq = seq;
		sh.ts = seq * 160u;
		sh.ssrc = ssrc;
		sh.payload = payload;
		return testutil::make_rtp(sh, rng);
	}
	aegw_srtp_config key(aegw_suite suite = AEGW_SUITE_AES_CM_128_HMAC_SHA1_80,
			     aegw_srtp_kind kind = AEGW_SRTP_RTP)
	{
		return testutil::make_config(suite, kind, rng);
	}
};

const aegw_endpoint kUe = ep4("10.0.0.2", 7078);
const aegw_endpoint kCore = ep4("192.168.0.2", 9000);

TEST_F(DpPath, E2aeInDecryptsForTheCoreLeg)
{
	for (aegw_suite suite : {AEGW_SUITE_AES_CM_128_HMAC_SHA1_80,
				 AEGW_SUITE_AES_CM_128_HMAC_SHA1_32,
				 AEGW_SUITE_AES_256_CM_HMAC_SHA1_80,
				 AEGW_SUITE_AEAD_AES_128_GCM,
				 AEGW_SUITE_AEAD_AES_256_GCM}) {
		SCOPED_TRACE(aegw_suite_info(suite)->name);
		aegw_endpoint local = ep4("10.0.0.1", kUePort);
		aegw_endpoint esrc = ep4("192.168.0.1", kCorePort);
		auto s = spec_for(1, AEGW_ACTION_E2AE_IN, local, 0, esrc, kCore, 1);
		s.in_crypto = key(suite);
		SrtpOracle ue(s.in_crypto, true);
		add(s);
		std::vector<Bytes> sent;
		for (uint16_t i = 0; i < 40; i++) {
			Bytes p = rtp(uint16_t(65500 + i), 20 + i * 30);
			sent.push_back(p);
			ASSERT_EQ(ue.protect(p), 0);
			inject(0, i % 2, udp_frame(kUe, local, p, 0));
			if (i % 8 == 7)
				poll();
		}
		poll();
		poll();
		// Half came in on worker 1's queue and were handed over:
		// order across RX queues is not kept (nor is it by RSS).
		auto out = collect(1);
		ASSERT_EQ(out.size(), sent.size());
		std::vector<Bytes> got;
		for (size_t i = 0; i < out.size(); i++) {
			Out o = parse_out(out[i]);
			EXPECT_TRUE(same_ep(o.pi.src, esrc));
			EXPECT_TRUE(same_ep(o.pi.dst, kCore));
			EXPECT_EQ(std::memcmp(o.pi.dst_mac, kCoreMac, 6), 0);
			got.push_back(o.payload);
		}
		std::sort(got.begin(), got.end());
		std::sort(sent.begin(), sent.end());
		EXPECT_EQ(got, sent);
		auto c = counters(1);
		EXPECT_EQ(c[AEGW_SC_rx_packets], 40u);
		EXPECT_EQ(c[AEGW_SC_tx_packets], 40u);
		EXPECT_EQ(c[AEGW_SC_latched], 1u);
		ASSERT_EQ(remove_stream(1), 0);
		ids.clear();
	}
}

TEST_F(DpPath, E2aeOutEncryptsTowardTheUe)
{
	aegw_endpoint local = ep4("192.168.0.1", kCorePort);
	aegw_endpoint esrc = ep4("10.0.0.1", kUePort);
	auto s = spec_for(2, AEGW_ACTION_E2AE_OUT, local, 1, esrc, kUe, 0);
	s.out_crypto = key();
	SrtpOracle ue(s.out_crypto, false);
	add(s);
	std::vector<Bytes> sent;
	for (uint16_t i = 0; i < 20; i++) {
		sent.push_back(rtp(i));
		inject(1, 0, udp_frame(kCore, local, sent.back(), 1));
	}
	poll();
	auto out = collect(0);
	ASSERT_EQ(out.size(), sent.size());
	for (size_t i = 0; i < out.size(); i++) {
		Out o = parse_out(out[i]);
		EXPECT_TRUE(same_ep(o.pi.src, esrc));
		EXPECT_TRUE(same_ep(o.pi.dst, kUe));
		ASSERT_EQ(ue.unprotect(o.payload), 0) << "packet " << i;
		EXPECT_EQ(o.payload, sent[i]);
	}
}

// Control hears where a stream's contexts are as they move a step (a new
// SSRC, RTP 2^13 on, SRTCP 2^8 on), not only when its walk comes by: a
// restart resumes them from there (RFC 3711 3.3.1 gets the ROC right
// within 2^15).
TEST_F(DpPath, ContextsThatMoveAStepAreReported)
{
	aegw_endpoint local = ep4("192.168.0.1", 5140);
	aegw_endpoint esrc = ep4("10.0.0.1", 4140);
	auto s = spec_for(140, AEGW_ACTION_E2AE_OUT, local, 1, esrc, kUe, 0);
	s.out_crypto = key();
	add(s);
	unsigned w = aegw_ring_worker_for_port(local.port, harness()->n_workers);
	const uint16_t step = 1u << AEGW_SRTP_READING_STEP_LOG2;
	uint64_t sent0 = worker_counter(w, AEGW_WC_readings_sent);
	// One packet per loop turn: a turn sends what the one before noted.
	auto turn = [&](uint16_t seq) {
		inject(1, 0, udp_frame(kCore, local, rtp(seq, 160, 0x77), 1));
		poll();
		poll();
		std::vector<aegw_evt> ev;
		aegw_cmd c{};
		c.type = AEGW_CMD_COUNTERS;
		c.stream_id = 140;
		EXPECT_EQ(command(w, c, &ev), 0);
		std::vector<aegw_evt> readings;
		for (auto &e : ev)
			if (e.type == AEGW_EVT_READING && e.stream_id == 140)
				readings.push_back(e);
		return readings;
	};
	auto r = turn(uint16_t(step - 2));
	ASSERT_EQ(r.size(), 1u) << "a new SSRC";
	EXPECT_EQ(r[0].ssrc_out, 0x77u);
	EXPECT_EQ(r[0].index_out, uint64_t(step - 2));
	EXPECT_EQ(r[0].seq, 0u) << "spontaneous";
	EXPECT_EQ(turn(uint16_t(step - 1)).size(), 0u);
	r = turn(step);
	ASSERT_EQ(r.size(), 1u) << "a step on";
	EXPECT_EQ(r[0].index_out, uint64_t(step));
	EXPECT_EQ(r[0].counters[AEGW_SC_tx_packets], 3u) << "as COUNTERS";
	EXPECT_EQ(turn(uint16_t(step + 1)).size(), 0u);
	EXPECT_EQ(worker_counter(w, AEGW_WC_readings_sent) - sent0, 2u);
	// New SSRCs at every packet: one reading waits per stream.
	for (uint32_t ssrc = 0x100; ssrc < 0x108; ssrc++)
		inject(1, 0, udp_frame(kCore, local, rtp(1, 160, ssrc), 1));
	r = turn(uint16_t(step + 2));
	ASSERT_EQ(r.size(), 1u) << "one per stream, however many moves";
	EXPECT_EQ(r[0].ssrc_out, 0x77u) << "as the stream is when it goes";
	EXPECT_EQ(worker_counter(w, AEGW_WC_readings_lost), 0u);
	EXPECT_EQ(collect(0).size(), 4u + 8u + 1u);
}

TEST_F(DpPath, RecryptChangesKeysAndIpv6ToIpv4)
{
	aegw_endpoint ue6 = ep6("fd00:a::2", 7078);
	aegw_endpoint local = ep6("fd00:a::1", kUePort);
	aegw_endpoint esrc = ep4("192.168.0.1", kCorePort);
	auto s = spec_for(3, AEGW_ACTION_RECRYPT, local, 0, esrc, kCore, 1);
	s.in_crypto = key(AEGW_SUITE_AEAD_AES_128_GCM);
	s.out_crypto = key(AEGW_SUITE_AES_CM_128_HMAC_SHA1_80);
	SrtpOracle ue(s.in_crypto, true), core(s.out_crypto, false);
	add(s);
	std::vector<Bytes> sent;
	for (uint16_t i = 0; i < 10; i++) {
		Bytes p = rtp(i, 1200);
		sent.push_back(p);
		ASSERT_EQ(ue.protect(p), 0);
		inject(0, 0, udp_frame(ue6, local, p, 0));
	}
	poll();
	auto out = collect(1);
	ASSERT_EQ(out.size(), sent.size());
	for (size_t i = 0; i < out.size(); i++) {
		Out o = parse_out(out[i]);
		EXPECT_EQ(o.pi.family, 4);
		ASSERT_EQ(core.unprotect(o.payload), 0);
		EXPECT_EQ(o.payload, sent[i]);
	}
}

TEST_F(DpPath, RelayPassesSrtpUntouched)
{
	aegw_endpoint local = ep4("10.0.0.1", kUePort);
	aegw_endpoint esrc = ep4("192.168.0.1", kCorePort);
	auto s = spec_for(4, AEGW_ACTION_RELAY, local, 0, esrc, kCore, 1);
	add(s);
	Bytes p = rtp(1, 172);
	SrtpOracle ue(key(), true);
	ASSERT_EQ(ue.protect(p), 0);
	inject(0, 0, udp_frame(kUe, local, p, 0));
	poll();
	auto out = collect(1);
	ASSERT_EQ(out.size(), 1u);
	EXPECT_EQ(parse_out(out[0]).payload, p);
}

// RTCP on port+1 (and from the peer's port+1), then RFC 5761 mux on one
// port: SRTCP in, plain RTCP out on the egress port+1 / the same port.
// RTCP on the RTP port + 1 or multiplexed (RFC 5761), leg by leg: taken
// where the ingress leg has it, sent where the egress leg wants it
// (rtpengine's rtcp-mux demux / accept leave one leg muxed). Both egress
// flags at once are a bad record.
TEST_F(DpPath, RtcpOnNextPortOrMultiplexedLegByLeg)
{
	const struct {
		bool in, out;
		uint8_t flags;
	} rows[] = {
		{false, false, 0},
		{true, true, AEGW_STREAM_RTCP_MUX},
		{true, false, AEGW_STREAM_RTCP_MUX | AEGW_STREAM_RTCP_OUT_SPLIT},
		{false, true, AEGW_STREAM_RTCP_OUT_MUX},
	};
	uint32_t id = 10;
	for (const auto &r : rows) {
		SCOPED_TRACE(std::string(r.in ? "muxed" : "port+1") + " in, " +
			     (r.out ? "muxed" : "port+1") + " out");
		uint16_t lp = uint16_t(4100 + 4 * (id - 10));
		aegw_endpoint local = ep4("10.0.0.1", lp);
		aegw_endpoint esrc = ep4("192.168.0.1", 5100);
		auto s = spec_for(id, AEGW_ACTION_E2AE_IN, local, 0, esrc, kCore, 1);
		s.flags = r.flags;
		s.remote = kUe;
		s.in_crypto = key();
		aegw_srtp_config rc = s.in_crypto;
		rc.kind = AEGW_SRTP_RTCP;
		SrtpOracle ue_rtp(s.in_crypto, true), ue_rtcp(rc, true);
		add(s);
		Bytes p = rtp(7), c = testutil::make_rtcp(0x1234, 40, rng);
		Bytes pr = p, pc = c;
		ASSERT_EQ(ue_rtp.protect(pr), 0);
		ASSERT_EQ(ue_rtcp.protect(pc), 0);
		aegw_endpoint ue_rtcp_src = kUe, rtcp_local = local;
		if (!r.in) {
			ue_rtcp_src.port++;
			rtcp_local.port++;
		}
		inject(0, 0, udp_frame(kUe, local, pr, 0));
		inject(0, 0, udp_frame(ue_rtcp_src, rtcp_local, pc, 0));
		poll();
		auto out = collect(1);
		ASSERT_EQ(out.size(), 2u);
		Out o0 = parse_out(out[0]), o1 = parse_out(out[1]);
		EXPECT_EQ(o0.payload, p);
		EXPECT_EQ(o1.payload, c);
		EXPECT_EQ(o0.pi.dst.port, kCore.port);
		EXPECT_EQ(o1.pi.dst.port, r.out ? kCore.port : kCore.port + 1);
		EXPECT_EQ(o1.pi.src.port, r.out ? esrc.port : esrc.port + 1);
		auto cnt = counters(id);
		EXPECT_EQ(cnt[AEGW_SC_rtcp_rx_packets], 1u);
		EXPECT_EQ(cnt[AEGW_SC_rtcp_tx_packets], 1u);
		ASSERT_EQ(remove_stream(id), 0);
		ids.clear();
		id++;
	}
	aegw_cmd cmd{};
	cmd.type = AEGW_CMD_ADD_STREAM;
	cmd.spec = spec_for(20, AEGW_ACTION_RELAY, ep4("10.0.0.1", 4140), 0,
			    ep4("192.168.0.1", 5140), kCore, 1);
	cmd.spec.flags = AEGW_STREAM_RTCP_OUT_MUX | AEGW_STREAM_RTCP_OUT_SPLIT;
	EXPECT_EQ(aegw_cmd_validate(&cmd), AEGW_ERR_BAD_RECORD);
}

// The stream, as the worker that owns its port holds it.
dp_stream *owned_stream(uint32_t id, uint16_t local_port)
{
	struct dp *dp = harness();
	unsigned w = aegw_ring_worker_for_port(local_port, dp->n_workers);

	return dp_stream_find_id(&dp->workers[w], id);
}

// Sends an UPDATE of spec s with mask to the worker of its port.
int update(const aegw_stream_spec &s, uint32_t mask)
{
	aegw_cmd cmd{};
	cmd.type = AEGW_CMD_UPDATE_STREAM;
	cmd.update_mask = mask;
	cmd.spec = s;
	return command(aegw_ring_worker_for_port(s.local.port,
						 harness()->n_workers),
		       cmd);
}

// Gives stream s a new in-key, as an SDES re-offer does.
int update_in_key(const aegw_stream_spec &s, const aegw_srtp_config &k)
{
	aegw_stream_spec t = s;
	t.in_crypto = k;
	return update(t, AEGW_UPDATE_IN_KEY);
}

// The peer switches keys (SDES re-offer): packets under the old key that
// arrive after the update still pass, as do those under the new one.
TEST_F(DpPath, RekeyMidStreamLosesNothing)
{
	aegw_endpoint local = ep4("10.0.0.1", 4200);
	aegw_endpoint esrc = ep4("192.168.0.1", 5200);
	auto s = spec_for(20, AEGW_ACTION_E2AE_IN, local, 0, esrc, kCore, 1);
	s.in_crypto = key();
	auto k2 = key();
	SrtpOracle old_tx(s.in_crypto, true), new_tx(k2, true);
	add(s);
	unsigned sent = 0;
	for (uint16_t i = 0; i < 10; i++, sent++) {
		Bytes p = rtp(i);
		ASSERT_EQ(old_tx.protect(p), 0);
		inject(0, 0, udp_frame(kUe, local, p, 0));
	}
	poll();
	// In flight under the old key while the re-key is applied.
	std::vector<Bytes> late;
	for (uint16_t i = 10; i < 15; i++) {
		Bytes p = rtp(i);
		ASSERT_EQ(old_tx.protect(p), 0);
		late.push_back(p);
	}
	ASSERT_EQ(update_in_key(s, k2), 0);
	for (auto &p : late) {
		inject(0, 0, udp_frame(kUe, local, p, 0));
		sent++;
	}
	for (uint16_t i = 15; i < 30; i++, sent++) {
		Bytes p = rtp(i);
		ASSERT_EQ(new_tx.protect(p), 0);
		inject(0, 0, udp_frame(kUe, local, p, 0));
	}
	poll();
	poll();
	EXPECT_EQ(collect(1).size(), sent);
	auto c = counters(20);
	EXPECT_EQ(c[AEGW_SC_tx_packets], sent);
	EXPECT_EQ(c[AEGW_SC_drop_auth_failed], 0u);
}

// A re-INVITE that turns rtcp-mux on, then off again: the stream lets go
// of its RTCP port and takes it back, and its contexts go on. The SRTCP
// aegw numbers itself shows it: a context made anew would send index 0
// again under the same key, which the UE's libsrtp2 refuses as a replay.
TEST_F(DpPath, RtcpMuxChangesInPlace)
{
	aegw_endpoint local = ep4("192.168.0.1", 5260);
	aegw_endpoint esrc = ep4("10.0.0.1", 4260);
	aegw_endpoint core_rtcp = kCore, rtcp_local = local;
	core_rtcp.port++;
	rtcp_local.port++;
	auto s = spec_for(126, AEGW_ACTION_E2AE_OUT, local, 1, esrc, kUe, 0);
	s.flags = 0;
	s.remote = kCore;
	s.out_crypto = key();
	aegw_srtp_config rc = s.out_crypto;
	rc.kind = AEGW_SRTP_RTCP;
	SrtpOracle ue_rtp(s.out_crypto, false), ue_rtcp(rc, false);
	add(s);
	auto send = [&](uint16_t seq, bool rtcp_on_next_port) {
		inject(1, 0, udp_frame(kCore, local, rtp(seq), 1));
		Bytes c = testutil::make_rtcp(0x1234, 8, rng);
		if (rtcp_on_next_port)
			inject(1, 0, udp_frame(core_rtcp, rtcp_local, c, 1));
		else
			inject(1, 0, udp_frame(kCore, local, c, 1));
		poll();
		return collect(0);
	};
	auto expect_srtp = [&](const std::vector<Bytes> &out, uint16_t rtcp_dst) {
		ASSERT_EQ(out.size(), 2u);
		Out o0 = parse_out(out[0]), o1 = parse_out(out[1]);
		EXPECT_EQ(ue_rtp.unprotect(o0.payload), 0);
		EXPECT_EQ(o1.pi.dst.port, rtcp_dst);
		EXPECT_EQ(ue_rtcp.unprotect(o1.payload), 0)
			<< "an SRTCP index protected twice";
	};
	expect_srtp(send(1, true), uint16_t(kUe.port + 1));

	s.flags = AEGW_STREAM_RTCP_MUX;
	ASSERT_EQ(update(s, AEGW_UPDATE_FLAGS), 0);
	expect_srtp(send(2, false), kUe.port);
	EXPECT_EQ(send(3, true).size(), 1u) << "port + 1 is no stream's now";

	s.flags = 0;
	ASSERT_EQ(update(s, AEGW_UPDATE_FLAGS), 0);
	expect_srtp(send(4, true), uint16_t(kUe.port + 1));
	auto c = counters(126);
	EXPECT_EQ(c[AEGW_SC_tx_packets], 7u) << "RTP and RTCP, one stream";
	EXPECT_EQ(c[AEGW_SC_rtcp_tx_packets], 3u);

	// Port + 1 held by another stream: the update is refused and the
	// stream stays as it was, multiplexed.
	s.flags = AEGW_STREAM_RTCP_MUX;
	ASSERT_EQ(update(s, AEGW_UPDATE_FLAGS), 0);
	auto other = spec_for(127, AEGW_ACTION_RELAY, rtcp_local, 1, esrc, kUe,
			      0);
	other.flags = AEGW_STREAM_RTCP_MUX;
	add(other);
	s.flags = 0;
	EXPECT_EQ(update(s, AEGW_UPDATE_FLAGS), AEGW_ERR_EXISTS);
	expect_srtp(send(5, false), kUe.port);
	inject(1, 0, udp_frame(kCore, rtcp_local, rtp(6), 1));
	poll();
	EXPECT_EQ(collect(0).size(), 1u);
	EXPECT_EQ(counters(127)[AEGW_SC_tx_packets], 1u)
		<< "port + 1 stays the other stream's";
}

// The state a stream holds now, as the worker that owns it counts it.
size_t stream_state(uint32_t id, uint16_t local_port)
{
	const dp_stream *s = owned_stream(id, local_port);
	return s ? dp_stream_state_size(s) : 0;
}

// A re-INVITE to plain RTP: the stream relays, and the contexts of the
// key it no longer uses go (wiped), seed and all. Protecting again needs
// a key in the same update: the old one is not there to go on.
TEST_F(DpPath, ActionThatDropsAKeyDropsItsContexts)
{
	aegw_endpoint local = ep4("192.168.0.1", 5280);
	aegw_endpoint esrc = ep4("10.0.0.1", 4280);
	auto s = spec_for(28, AEGW_ACTION_E2AE_OUT, local, 1, esrc, kUe, 0);
	s.out_crypto = key();
	add(s);
	EXPECT_GT(stream_state(28, local.port), sizeof(dp_stream));

	s.action = AEGW_ACTION_RELAY;
	ASSERT_EQ(update(s, AEGW_UPDATE_ACTION), 0);
	EXPECT_EQ(stream_state(28, local.port), sizeof(dp_stream));
	Bytes p = rtp(1);
	inject(1, 0, udp_frame(kCore, local, p, 1));
	poll();
	auto out = collect(0);
	ASSERT_EQ(out.size(), 1u);
	EXPECT_EQ(parse_out(out[0]).payload, p) << "relayed as it came";

	s.action = AEGW_ACTION_E2AE_OUT;
	EXPECT_EQ(update(s, AEGW_UPDATE_ACTION), AEGW_ERR_INVALID_ARG);
	s.out_crypto = key();
	ASSERT_EQ(update(s, AEGW_UPDATE_ACTION | AEGW_UPDATE_OUT_KEY), 0);
	SrtpOracle ue(s.out_crypto, false);
	inject(1, 0, udp_frame(kCore, local, rtp(2), 1));
	poll();
	out = collect(0);
	ASSERT_EQ(out.size(), 1u);
	Bytes got = parse_out(out[0]).payload;
	EXPECT_EQ(ue.unprotect(got), 0);

	// The unprotect side alike, the old key a re-key keeps for its
	// grace period included.
	aegw_endpoint in_local = ep4("10.0.0.1", 4282);
	auto up = spec_for(29, AEGW_ACTION_E2AE_IN, in_local, 0, local, kCore,
			   1);
	up.in_crypto = key();
	add(up);
	ASSERT_EQ(update_in_key(up, key()), 0);
	EXPECT_GE(stream_state(29, in_local.port),
		  sizeof(dp_stream) + 2 * aegw_srtp_stream_size(
			  owned_stream(29, in_local.port)->rtp_in))
		<< "the new key's context and the old one's";
	up.action = AEGW_ACTION_RELAY;
	ASSERT_EQ(update(up, AEGW_UPDATE_ACTION), 0);
	EXPECT_EQ(stream_state(29, in_local.port), sizeof(dp_stream));
}

// A stream direction holds an SRTCP context only once RTCP needs it:
// until then the config it is made from, a quarter of the size.
TEST_F(DpPath, SrtcpContextIsMadeByTheFirstRtcpPacket)
{
	aegw_endpoint local = ep4("10.0.0.1", 4240);
	aegw_endpoint esrc = ep4("192.168.0.1", 5240);
	auto s = spec_for(24, AEGW_ACTION_E2AE_IN, local, 0, esrc, kCore, 1);
	s.in_crypto = key();
	aegw_srtp_config rc = s.in_crypto;
	rc.kind = AEGW_SRTP_RTCP;
	SrtpOracle ue_rtp(s.in_crypto, true), ue_rtcp(rc, true);
	add(s);
	const size_t seed = offsetof(aegw_srtp_config, keys) +
			    sizeof(aegw_srtp_master_key);
	const size_t before = stream_state(24, local.port);
	const dp_stream *ds = owned_stream(24, local.port);
	ASSERT_NE(ds, nullptr);
	const size_t ctx = aegw_srtp_stream_size(ds->rtp_in);
	EXPECT_EQ(before, sizeof(dp_stream) + ctx + seed);

	Bytes p = rtp(1), pr = p;
	ASSERT_EQ(ue_rtp.protect(pr), 0);
	inject(0, 0, udp_frame(kUe, local, pr, 0));
	poll();
	ASSERT_EQ(collect(1).size(), 1u);
	EXPECT_EQ(stream_state(24, local.port), before) << "RTP made it";

	aegw_endpoint rtcp_src = kUe, rtcp_local = local;
	rtcp_src.port++;
	rtcp_local.port++;
	std::vector<Bytes> sent;
	for (int i = 0; i < 3; i++) {
		Bytes c = testutil::make_rtcp(0x1234, 40, rng), pc = c;
		ASSERT_EQ(ue_rtcp.protect(pc), 0);
		inject(0, 0, udp_frame(rtcp_src, rtcp_local, pc, 0));
		sent.push_back(c);
		poll();
		// The SRTCP context (same suite: an RTP context's size) took
		// the seed's place.
		EXPECT_EQ(stream_state(24, local.port),
			  sizeof(dp_stream) + 2 * ctx);
	}
	auto out = collect(1);
	ASSERT_EQ(out.size(), sent.size());
	for (size_t i = 0; i < out.size(); i++)
		EXPECT_EQ(parse_out(out[i]).payload, sent[i]);
	auto c = counters(24);
	EXPECT_EQ(c[AEGW_SC_rtcp_tx_packets], 3u);
	EXPECT_EQ(c[AEGW_SC_drop_auth_failed], 0u);
}

// What a peer's RTCP reports goes to control as an RTCP event, read where
// the RTCP is plain: the UE's SRTCP once it authenticated (e2ae-in), the
// core's RTCP before it is protected (e2ae-out), a relay's between plain
// legs (PLAIN_RTCP); forwarded all the same. Any other relay's RTCP
// (encrypted, as far as aegw knows) and SRTCP that fails authentication
// are not read.
TEST_F(DpPath, PeersRtcpReportsGoToControl)
{
	const aegw_endpoint ue_side = ep4("10.0.0.1", 4260);
	const aegw_endpoint core_side = ep4("192.168.0.1", 5260);
	auto in = spec_for(30, AEGW_ACTION_E2AE_IN, ue_side, 0, core_side,
			   kCore, 1);
	in.in_crypto = key();
	aegw_srtp_config rc = in.in_crypto;
	rc.kind = AEGW_SRTP_RTCP;
	SrtpOracle ue_rtcp(rc, true);
	auto out = spec_for(31, AEGW_ACTION_E2AE_OUT, core_side, 1, ue_side,
			    kUe, 0);
	out.out_crypto = key();
	const aegw_endpoint relay_side = ep4("10.0.0.1", 4262);
	auto relay = spec_for(32, AEGW_ACTION_RELAY, relay_side, 0,
			      ep4("192.168.0.1", 5262), kCore, 1);
	const aegw_endpoint plain_side = ep4("10.0.0.1", 4264);
	auto plain = spec_for(33, AEGW_ACTION_RELAY, plain_side, 0,
			      ep4("192.168.0.1", 5264), kCore, 1);
	plain.flags |= AEGW_STREAM_PLAIN_RTCP;
	add(in);
	add(out);
	add(relay);
	add(plain);
	auto plus1 = [](aegw_endpoint e) {
		e.port++;
		return e;
	};
	auto sent = [&] {
		uint64_t n = 0;
		for (unsigned w = 0; w < harness()->n_workers; w++)
			n += worker_counter(w, AEGW_WC_rtcp_reports);
		return n;
	};
	const uint64_t sent0 = sent();
	// Every worker's events, drained with a command each.
	std::vector<aegw_evt> ev;
	auto reports = [&](uint32_t id) {
		std::vector<aegw_evt> r;
		for (unsigned w = 0; w < harness()->n_workers; w++) {
			aegw_cmd c{};
			c.type = AEGW_CMD_COUNTERS;
			c.stream_id = 0;
			EXPECT_EQ(command(w, c, &ev), 0);
		}
		for (auto &e : ev)
			if (e.type == AEGW_EVT_RTCP && e.stream_id == id)
				r.push_back(e);
		return r;
	};
	auto be32 = [](const Bytes &b, size_t o) {
		return uint32_t(b[o]) << 24 | uint32_t(b[o + 1]) << 16 |
		       uint32_t(b[o + 2]) << 8 | b[o + 3];
	};
	timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	const uint64_t t0 = uint64_t(ts.tv_sec) * 1000000000ull +
			    uint64_t(ts.tv_nsec);

	// An SR with one block (test_util's make_rtcp: the rest random).
	Bytes ue_sr = testutil::make_rtcp(0x1234, 8, rng), pc = ue_sr;
	ASSERT_EQ(ue_rtcp.protect(pc), 0);
	inject(0, 0, udp_frame(plus1(kUe), plus1(ue_side), pc, 0));
	Bytes forged = pc;
	forged[20] ^= 1;
	inject(0, 0, udp_frame(plus1(kUe), plus1(ue_side), forged, 0));
	Bytes core_sr = testutil::make_rtcp(0x5678, 0, rng);
	inject(1, 0, udp_frame(plus1(kCore), plus1(core_side), core_sr, 1));
	Bytes relayed = testutil::make_rtcp(0x9abc, 0, rng);
	inject(0, 0, udp_frame(plus1(kUe), plus1(relay_side), relayed, 0));
	Bytes plain_sr = testutil::make_rtcp(0xdef0, 0, rng);
	inject(0, 0, udp_frame(plus1(kUe), plus1(plain_side), plain_sr, 0));
	poll();

	auto r = reports(30);
	ASSERT_EQ(r.size(), 1u) << "the authentic SR only";
	const aegw_rtcp_report &u = r[0].rtcp;
	EXPECT_EQ(r[0].stream_id, 30u);
	EXPECT_EQ(r[0].seq, 0u) << "spontaneous";
	EXPECT_EQ(u.ssrc, 0x1234u);
	EXPECT_EQ(u.has_sr, 1);
	EXPECT_EQ(u.sr_ntp_mid, be32(ue_sr, 10));
	ASSERT_EQ(u.n_blocks, 1);
	EXPECT_EQ(u.block[0].ssrc, be32(ue_sr, 28));
	EXPECT_EQ(u.block[0].fraction_lost, ue_sr[32]);
	EXPECT_EQ(u.block[0].jitter, be32(ue_sr, 40));
	EXPECT_EQ(u.block[0].lsr, be32(ue_sr, 44));
	EXPECT_EQ(u.block[0].dlsr, be32(ue_sr, 48));
	EXPECT_GE(u.rx_ns, t0);
	EXPECT_LT(u.rx_ns, t0 + 10000000000ull);
	r = reports(31);
	ASSERT_EQ(r.size(), 1u) << "the core's plain RTCP";
	EXPECT_EQ(r[0].stream_id, 31u);
	EXPECT_EQ(r[0].rtcp.ssrc, 0x5678u);
	EXPECT_EQ(r[0].rtcp.sr_ntp_mid, be32(core_sr, 10));
	EXPECT_EQ(reports(32).size(), 0u) << "a relay's RTCP is not read";
	r = reports(33);
	ASSERT_EQ(r.size(), 1u) << "... but for a relay between plain legs";
	EXPECT_EQ(r[0].rtcp.ssrc, 0xdef0u);
	EXPECT_EQ(sent() - sent0, 3u);

	auto fwd = collect(1);
	ASSERT_EQ(fwd.size(), 3u) << "the UE's SR, and both relayed";
	EXPECT_EQ(parse_out(fwd[0]).payload, ue_sr);
	fwd = collect(0);
	ASSERT_EQ(fwd.size(), 1u) << "the core's SR, protected";
	Bytes back = parse_out(fwd[0]).payload;
	EXPECT_GT(back.size(), core_sr.size());
	EXPECT_EQ(counters(30)[AEGW_SC_drop_auth_failed], 1u);
}

// A re-key before the stream's first RTCP packet: RTCP the peer protected
// under the old key during the grace period still passes (its context is
// made from the old key's seed), as does RTCP under the new key.
TEST_F(DpPath, RekeyBeforeAnyRtcpKeepsTheOldKeysRtcp)
{
	aegw_endpoint local = ep4("10.0.0.1", 4244);
	aegw_endpoint esrc = ep4("192.168.0.1", 5244);
	auto s = spec_for(25, AEGW_ACTION_E2AE_IN, local, 0, esrc, kCore, 1);
	s.flags |= AEGW_STREAM_RTCP_MUX;
	s.in_crypto = key();
	auto k2 = key();
	aegw_srtp_config rc1 = s.in_crypto, rc2 = k2;
	rc1.kind = rc2.kind = AEGW_SRTP_RTCP;
	SrtpOracle old_rtp(s.in_crypto, true), old_rtcp(rc1, true),
		new_rtcp(rc2, true);
	add(s);
	Bytes p = rtp(1);
	ASSERT_EQ(old_rtp.protect(p), 0);
	inject(0, 0, udp_frame(kUe, local, p, 0));
	poll();
	ASSERT_EQ(collect(1).size(), 1u);

	ASSERT_EQ(update_in_key(s, k2), 0);
	Bytes late = testutil::make_rtcp(0x1234, 40, rng), pl = late;
	Bytes fresh = testutil::make_rtcp(0x1234, 44, rng), pf = fresh;
	ASSERT_EQ(old_rtcp.protect(pl), 0);
	ASSERT_EQ(new_rtcp.protect(pf), 0);
	inject(0, 0, udp_frame(kUe, local, pl, 0));
	inject(0, 0, udp_frame(kUe, local, pf, 0));
	poll();
	auto out = collect(1);
	ASSERT_EQ(out.size(), 2u);
	EXPECT_EQ(parse_out(out[0]).payload, late);
	EXPECT_EQ(parse_out(out[1]).payload, fresh);
	EXPECT_EQ(counters(25)[AEGW_SC_drop_auth_failed], 0u);

	// Once the grace period is over, the first packet lets the old
	// key's contexts go: its RTCP no longer passes.
	dp_stream *ds = owned_stream(25, local.port);
	ASSERT_NE(ds, nullptr);
	ASSERT_NE(ds->prev_rtp_in, nullptr);
	const size_t with_prev = stream_state(25, local.port);
	ds->prev_until_tsc = 0;
	Bytes again = testutil::make_rtcp(0x1234, 40, rng);
	ASSERT_EQ(old_rtcp.protect(again), 0);
	inject(0, 0, udp_frame(kUe, local, again, 0));
	poll();
	EXPECT_EQ(collect(1).size(), 0u);
	EXPECT_EQ(ds->prev_rtp_in, nullptr);
	EXPECT_EQ(ds->prev_rtcp_in, 0u);
	EXPECT_LT(stream_state(25, local.port), with_prev);
	EXPECT_EQ(counters(25)[AEGW_SC_drop_auth_failed], 1u);
}

// A stream replayed after a dataplane restart carries the SRTCP index it
// had reached. Until its first RTCP packet the seed keeps it: a DUMP
// reports it (a second restart must not lose it), and RTCP at or below it
// is refused.
TEST_F(DpPath, SrtcpResumeIndexOutlivesTheWaitForRtcp)
{
	aegw_endpoint local = ep4("10.0.0.1", 4248);
	aegw_endpoint esrc = ep4("192.168.0.1", 5248);
	auto s = spec_for(26, AEGW_ACTION_E2AE_IN, local, 0, esrc, kCore, 1);
	s.flags |= AEGW_STREAM_RTCP_MUX;
	s.remote = kUe;
	s.in_crypto = key();
	s.in_crypto.resume_rtcp_ssrc = 0x1234;
	s.in_crypto.resume_rtcp_index = 5;
	aegw_srtp_config rc = s.in_crypto;
	rc.kind = AEGW_SRTP_RTCP;
	SrtpOracle ue_rtcp(rc, true);
	add(s);

	aegw_cmd dump{};
	dump.type = AEGW_CMD_DUMP;
	std::vector<aegw_evt> ev;
	ASSERT_EQ(command(aegw_ring_worker_for_port(local.port,
						    harness()->n_workers),
			  dump, &ev),
		  0);
	bool seen = false;
	for (auto &e : ev) {
		if (e.type != AEGW_EVT_STREAM || e.stream_id != 26)
			continue;
		seen = true;
		EXPECT_EQ(e.rtcp_ssrc_in, 0x1234u);
		EXPECT_EQ(e.rtcp_index_in, 5u);
	}
	EXPECT_TRUE(seen);

	// libsrtp2 numbers its SRTCP packets from 1: 1 to 5 are replays
	// of what the context had seen before the restart.
	for (int i = 1; i <= 6; i++) {
		Bytes c = testutil::make_rtcp(0x1234, 40, rng);
		ASSERT_EQ(ue_rtcp.protect(c), 0);
		inject(0, 0, udp_frame(kUe, local, c, 0));
	}
	poll();
	EXPECT_EQ(collect(1).size(), 1u);
	auto c = counters(26);
	// Too old rather than replayed: a resumed context knows the highest
	// index it had, not which ones below it came.
	EXPECT_EQ(c[AEGW_SC_drop_too_old] + c[AEGW_SC_drop_replay], 5u);
	EXPECT_EQ(c[AEGW_SC_rtcp_tx_packets], 1u);
}

// A backend whose key set-up fails when told to, as it would when out of
// memory: the worker's engine runs on it for one update.
backend_ops g_failing_ops;
const backend_ops *g_real_ops;
int g_key_inits_left = -1; // -1: never fail

int failing_key_init(aegw_srtp_engine *eng, void *ks,
		     const struct aegw_suite_info *si, const uint8_t *enc_key,
		     const uint8_t *auth_key)
{
	if (g_key_inits_left == 0)
		return AEGW_ERR_NO_MEMORY;
	if (g_key_inits_left > 0)
		g_key_inits_left--;
	return g_real_ops->key_init(eng, ks, si, enc_key, auth_key);
}

// An update with both keys whose out-key cannot be set up changes nothing:
// not the in-key either, which was made first.
TEST_F(DpPath, UpdateThatFailsHalfwayLeavesTheStreamAsItWas)
{
	aegw_endpoint local = ep4("10.0.0.1", 4252);
	aegw_endpoint esrc = ep4("192.168.0.1", 5252);
	auto s = spec_for(27, AEGW_ACTION_RECRYPT, local, 0, esrc, kCore, 1);
	s.in_crypto = key();
	s.out_crypto = key();
	SrtpOracle ue(s.in_crypto, true), core(s.out_crypto, false);
	add(s);
	dp_stream *ds = owned_stream(27, local.port);
	ASSERT_NE(ds, nullptr);
	aegw_srtp_stream *in_before = ds->rtp_in, *out_before = ds->rtp_out;

	aegw_srtp_engine *eng = harness()->workers[aegw_ring_worker_for_port(
		local.port, harness()->n_workers)].eng;
	g_real_ops = eng->be;
	g_failing_ops = *eng->be;
	g_failing_ops.key_init = failing_key_init;
	eng->be = &g_failing_ops;
	g_key_inits_left = 1; // the in-key's SRTP context, then fail
	aegw_stream_spec both = s;
	both.in_crypto = key();
	both.out_crypto = key();
	int rc = update(both, AEGW_UPDATE_IN_KEY | AEGW_UPDATE_OUT_KEY);
	eng->be = g_real_ops;
	g_key_inits_left = -1;
	EXPECT_EQ(rc, AEGW_ERR_NO_MEMORY);
	EXPECT_EQ(ds->rtp_in, in_before);
	EXPECT_EQ(ds->rtp_out, out_before);
	EXPECT_EQ(ds->prev_rtp_in, nullptr);

	// And media goes on under the keys it had.
	Bytes p = rtp(1), pr = p;
	ASSERT_EQ(ue.protect(pr), 0);
	inject(0, 0, udp_frame(kUe, local, pr, 0));
	poll();
	auto out = collect(1);
	ASSERT_EQ(out.size(), 1u);
	Bytes got = parse_out(out[0]).payload;
	ASSERT_EQ(core.unprotect(got), 0);
	EXPECT_EQ(got, p);
}

// Every bad frame is dropped, counted with its reason, never forwarded.
TEST_F(DpPath, DropsAreCountedNeverForwarded)
{
	aegw_endpoint local = ep4("10.0.0.1", 4300);
	aegw_endpoint esrc = ep4("192.168.0.1", 5300);
	auto s = spec_for(30, AEGW_ACTION_E2AE_IN, local, 0, esrc, kCore, 1);
	s.in_crypto = key();
	SrtpOracle ue(s.in_crypto, true);
	add(s);
	Bytes good = rtp(1);
	ASSERT_EQ(ue.protect(good), 0);
	Bytes f = udp_frame(kUe, local, good, 0);
	inject(0, 0, f);
	poll();
	ASSERT_EQ(collect(1).size(), 1u); // latched to kUe

	inject(0, 0, f); // replayed
	Bytes forged = rtp(4);
	ASSERT_EQ(ue.protect(forged), 0);
	forged[20] ^= 1;
	Bytes p2 = rtp(2);
	ASSERT_EQ(ue.protect(p2), 0);
	Bytes forged_src = p2;
	forged_src.back() ^= 0x80;
	aegw_endpoint attacker = ep4("10.0.0.66", 6666);
	inject(0, 0, udp_frame(kUe, local, forged, 0));
	inject(0, 0, udp_frame(attacker, local, forged_src, 0));
	inject(0, 0, udp_frame(kUe, local, Bytes(5, 0x80), 0)); // truncated RTP
	inject(0, 0, udp_frame(kUe, ep4("10.0.0.1", 4302), good, 0)); // no stream
	Bytes frag = f;
	frag[14 + 6] |= 0x20; // IPv4 MF
	fix_ipv4_csum(frag);
	inject(0, 0, frag);
	Bytes cut(f.begin(), f.begin() + 30); // frame cut inside the IP header
	inject(0, 0, cut);
	poll();
	EXPECT_TRUE(collect(1).empty());
	auto c = counters(30);
	EXPECT_EQ(c[AEGW_SC_drop_replay], 1u);
	EXPECT_EQ(c[AEGW_SC_drop_auth_failed], 2u);
	EXPECT_EQ(c[AEGW_SC_drop_malformed], 1u);
	EXPECT_EQ(c[AEGW_SC_latched], 1u); // the forged source did not move it
	EXPECT_GE(worker_counter(0, AEGW_WC_drop_unknown_stream) +
			  worker_counter(1, AEGW_WC_drop_unknown_stream),
		  1u);
	EXPECT_GE(worker_counter(0, AEGW_WC_drop_ip_fragment), 1u);
	EXPECT_GE(worker_counter(0, AEGW_WC_drop_truncated) +
			  worker_counter(0, AEGW_WC_drop_bad_ip_header),
		  1u);

	// An authentic packet from a new address moves the stream (NAT
	// rebinding); a packet from the old one then is the wrong source
	// only for legs that do not latch.
	Bytes p3 = rtp(3);
	ASSERT_EQ(ue.protect(p3), 0);
	aegw_endpoint moved = ep4("10.0.0.2", 7090);
	inject(0, 0, udp_frame(moved, local, p3, 0));
	poll();
	EXPECT_EQ(collect(1).size(), 1u);
	EXPECT_EQ(counters(30)[AEGW_SC_latched], 2u);
}

TEST_F(DpPath, WrongSourceOnAFixedPeerIsDropped)
{
	aegw_endpoint local = ep4("192.168.0.1", 5400);
	aegw_endpoint esrc = ep4("10.0.0.1", 4400);
	auto s = spec_for(40, AEGW_ACTION_RELAY, local, 1, esrc, kUe, 0);
	s.flags = 0;
	s.remote = kCore;
	add(s);
	inject(1, 0, udp_frame(ep4("192.168.0.9", 9000), local, rtp(1), 1));
	inject(1, 0, udp_frame(kCore, local, rtp(2), 1));
	Bytes bad = udp_frame(kCore, local, rtp(3), 1);
	bad.back() ^= 0xff; // UDP checksum no longer matches
	inject(1, 0, bad);
	poll();
	EXPECT_EQ(collect(0).size(), 1u);
	auto c = counters(40);
	EXPECT_EQ(c[AEGW_SC_drop_wrong_source], 1u);
	EXPECT_EQ(c[AEGW_SC_drop_malformed], 1u);
}

// A frame for worker 1's port received by worker 0 is handed over.
TEST_F(DpPath, HandoffToTheOwningWorker)
{
	uint16_t lp = 4502; // (4502 >> 1) % 2 == 1
	ASSERT_EQ(aegw_ring_worker_for_port(lp, 2), 1u);
	aegw_endpoint local = ep4("10.0.0.1", lp);
	auto s = spec_for(50, AEGW_ACTION_RELAY, local, 0,
			  ep4("192.168.0.1", 5502), kCore, 1);
	add(s);
	uint64_t before = worker_counter(0, AEGW_WC_handoff_out);
	inject(0, 0, udp_frame(kUe, local, rtp(1), 0));
	poll(0);
	EXPECT_EQ(worker_counter(0, AEGW_WC_handoff_out), before + 1);
	EXPECT_TRUE(collect(1).empty());
	poll(1);
	EXPECT_EQ(collect(1).size(), 1u);
}

TEST_F(DpPath, CommandsAreValidatedAndAcknowledged)
{
	aegw_endpoint local = ep4("10.0.0.1", 4600);
	auto s = spec_for(60, AEGW_ACTION_RELAY, local, 0,
			  ep4("192.168.0.1", 5600), kCore, 1);
	add(s);
	EXPECT_EQ(add_stream(s), AEGW_ERR_EXISTS);
	auto dup = s;
	dup.stream_id = 61;
	EXPECT_EQ(add_stream(dup), AEGW_ERR_EXISTS); // same local address
	auto wrong = s;
	wrong.stream_id = 62;
	wrong.local.port = 4602;
	aegw_cmd cmd{};
	cmd.type = AEGW_CMD_ADD_STREAM;
	cmd.spec = wrong;
	EXPECT_EQ(command(0, cmd), AEGW_ERR_WRONG_WORKER);
	EXPECT_EQ(remove_stream(99999), AEGW_ERR_NOT_FOUND);
	auto nokey = s;
	nokey.stream_id = 63;
	nokey.local.port = 4604;
	nokey.action = AEGW_ACTION_E2AE_IN; // with an all-zero (invalid) config
	nokey.in_crypto.n_keys = 0;
	EXPECT_NE(add_stream(nokey), 0);
	aegw_cmd dump{};
	dump.type = AEGW_CMD_DUMP;
	std::vector<aegw_evt> ev;
	ASSERT_EQ(command(0, dump, &ev), 0);
	bool seen = false;
	for (auto &e : ev)
		seen |= e.type == AEGW_EVT_STREAM && e.stream_id == 60 &&
			same_ep(e.local, local);
	EXPECT_TRUE(seen);
}

// A DUMP of many streams takes many loop turns; commands run between its
// steps (a call set up during a metrics scrape is not held up), a second
// DUMP waits for the first, and every stream that stays for the whole
// walk is reported exactly once, whatever was added and removed meanwhile.
TEST_F(DpPath, CommandsRunDuringADump)
{
	struct dp *dp = harness();
	std::vector<uint32_t> mine;
	for (uint16_t port = 20000; mine.size() < 3000; port += 2) {
		if (aegw_ring_worker_for_port(port, dp->n_workers) != 0)
			continue;
		uint32_t id = 100000 + uint32_t(mine.size());
		add(spec_for(id, AEGW_ACTION_RELAY, ep4("10.0.0.1", port), 0,
			     ep4("192.168.0.1", port), kCore, 1));
		mine.push_back(id);
	}
	aegw_cmd dump{}, dump2{}, rm{}, cnt{};
	dump.type = dump2.type = AEGW_CMD_DUMP;
	ASSERT_EQ(aegw_ring_cmd_send(dp->shm, 0, &dump), 0);
	poll(0); // the walk starts: a first ringful of streams
	rm.type = AEGW_CMD_REMOVE_STREAM;
	rm.stream_id = mine[1500];
	cnt.type = AEGW_CMD_COUNTERS;
	cnt.stream_id = mine[10];
	ASSERT_EQ(aegw_ring_cmd_send(dp->shm, 0, &rm), 0);
	ASSERT_EQ(aegw_ring_cmd_send(dp->shm, 0, &cnt), 0);
	ASSERT_EQ(aegw_ring_cmd_send(dp->shm, 0, &dump2), 0);

	std::map<uint64_t, int> acked_at; // seq -> order of its ACK
	std::map<uint32_t, int> in_dump, in_dump2;
	int order = 0;
	for (int turn = 0; turn < 10000 && acked_at.size() < 4; turn++) {
		poll(0);
		aegw_evt e;
		while (aegw_ring_evt_recv(dp->shm, 0, &e) == 0) {
			if (e.type == AEGW_EVT_ACK) {
				EXPECT_EQ(e.status, 0) << "command " << e.seq;
				acked_at[e.seq] = order++;
			} else if (e.type == AEGW_EVT_STREAM) {
				(e.seq == dump.seq ? in_dump : in_dump2)[e.stream_id]++;
			}
		}
	}
	ASSERT_EQ(acked_at.size(), 4u);
	EXPECT_LT(acked_at[rm.seq], acked_at[dump.seq])
		<< "the REMOVE ran while the DUMP was walking";
	EXPECT_LT(acked_at[cnt.seq], acked_at[dump.seq]);
	EXPECT_LT(acked_at[dump.seq], acked_at[dump2.seq]);
	for (size_t i = 0; i < mine.size(); i++) {
		if (i == 1500)
			continue;
		EXPECT_EQ(in_dump[mine[i]], 1) << "stream " << mine[i];
		EXPECT_EQ(in_dump2[mine[i]], 1) << "stream " << mine[i];
	}
	EXPECT_EQ(in_dump2.count(mine[1500]), 0u) << "removed before it began";
	ids.erase(std::find(ids.begin(), ids.end(), mine[1500]));
}

// ARP for aegw's address, ICMP echo, IPv6 neighbour solicitation.
TEST_F(DpPath, AnswersArpPingAndNeighbourSolicitation)
{
	struct dp_port *p0 = &harness()->cfg.ports[0];
	uint8_t buf[128];
	aegw_pkt_l2 l2{};
	std::memcpy(l2.src_mac, kUeMac, 6);
	uint32_t n = aegw_pkt_arp_request(buf, sizeof(buf), &l2,
					  ep4("10.0.0.2", 0).ip,
					  ep4("10.0.0.1", 0).ip);
	ASSERT_GT(n, 0u);
	inject(0, 0, Bytes(buf, buf + n));
	n = aegw_pkt_nd_solicit(buf, sizeof(buf), &l2, ep6("fd00:a::2", 0).ip,
				ep6("fd00:a::1", 0).ip);
	ASSERT_GT(n, 0u);
	inject(0, 0, Bytes(buf, buf + n));
	inject(0, 0, icmp_echo_frame(p0->mac, "10.0.0.2", "10.0.0.1"));
	inject(0, 0, icmp_echo_frame(p0->mac, "10.0.0.2", "10.0.0.9"));
	poll(0);
	auto out = collect(0);
	ASSERT_EQ(out.size(), 3u); // the ping to 10.0.0.9 is not ours
	aegw_pkt_info pi;
	EXPECT_EQ(aegw_pkt_parse(out[0].data(), uint32_t(out[0].size()), &pi),
		  AEGW_PKT_ARP);
	EXPECT_EQ(std::memcmp(pi.src_mac, p0->mac, 6), 0);
	EXPECT_EQ(aegw_pkt_parse(out[1].data(), uint32_t(out[1].size()), &pi),
		  AEGW_PKT_ICMP6_NA);
	ASSERT_EQ(out[2].size(), 14u + 20 + 8 + 32);
	EXPECT_EQ(out[2][14 + 20], 0); // echo reply
	EXPECT_EQ(std::memcmp(out[2].data() + 26, ep4("10.0.0.1", 0).ip, 4), 0);
	EXPECT_EQ(std::memcmp(out[2].data() + 30, ep4("10.0.0.2", 0).ip, 4), 0);
	Bytes icmp(out[2].begin() + 34, out[2].end());
	EXPECT_EQ(rfc1071(icmp), 0xffff) << "ICMP checksum";
	EXPECT_EQ(worker_counter(0, AEGW_WC_icmp_echo_replies), 1u);
	EXPECT_EQ(worker_counter(0, AEGW_WC_arp_replies), 1u);
	EXPECT_EQ(worker_counter(0, AEGW_WC_nd_replies), 1u);
}

// No static entry for the next hop: the ARP request goes out as the stream
// is installed, before any media; a packet that comes before the reply is
// dropped (counted) without a second request; once the reply is in, media
// flows.
TEST_F(DpPath, ResolvesTheNextHopByArp)
{
	aegw_endpoint peer = ep4("192.168.0.77", 9000);
	aegw_endpoint local = ep4("10.0.0.1", 4700);
	auto s = spec_for(70, AEGW_ACTION_RELAY, local, 0,
			  ep4("192.168.0.1", 5700), peer, 1);
	add(s);
	poll(0);
	auto out = collect(1);
	ASSERT_EQ(out.size(), 1u) << "the request goes out at install";
	aegw_pkt_info pi;
	ASSERT_EQ(aegw_pkt_parse(out[0].data(), uint32_t(out[0].size()), &pi),
		  AEGW_PKT_ARP);
	inject(0, 0, udp_frame(kUe, local, rtp(1), 0));
	poll(0);
	EXPECT_TRUE(collect(1).empty()) << "one request a second at most";
	EXPECT_EQ(counters(70)[AEGW_SC_drop_no_neighbour], 1u);
	// The peer answers (built by hand: ARP reply to aegw).
	const uint8_t peer_mac[6] = {0x02, 0, 0, 0, 0x77, 0x77};
	Bytes reply = out[0];
	std::memcpy(reply.data(), harness()->cfg.ports[1].mac, 6);
	std::memcpy(reply.data() + 6, peer_mac, 6);
	reply[21] = 2; // op: reply
	std::memcpy(reply.data() + 32, reply.data() + 22, 10); // target := aegw
	std::memcpy(reply.data() + 22, peer_mac, 6);
	std::memcpy(reply.data() + 28, peer.ip, 4);
	inject(1, 0, reply);
	poll(0);
	inject(0, 0, udp_frame(kUe, local, rtp(2), 0));
	poll(0);
	out = collect(1);
	ASSERT_EQ(out.size(), 1u);
	Out o = parse_out(out[0]);
	EXPECT_EQ(std::memcmp(o.pi.dst_mac, peer_mac, 6), 0);
}

// 802.1Q: an untagged port takes priority-tagged frames (VID 0) but not
// another VLAN's; a port with a VLAN sends tagged.
TEST_F(DpPath, VlanTagsInAndOut)
{
	aegw_endpoint local = ep4("10.0.0.1", 4800);
	auto s = spec_for(80, AEGW_ACTION_RELAY, local, 0,
			  ep4("192.168.0.1", 5800), kCore, 1);
	add(s);
	Bytes f = udp_frame(kUe, local, rtp(1), 0);
	auto tag = [&](uint8_t pcp_vid_hi, uint8_t vid_lo) {
		Bytes t(f.begin(), f.begin() + 12);
		for (uint8_t b : {uint8_t(0x81), uint8_t(0), pcp_vid_hi, vid_lo})
			t.push_back(b);
		t.insert(t.end(), f.begin() + 12, f.end());
		return t;
	};
	struct dp_port *p1 = &harness()->cfg.ports[1];
	p1->has_vlan = 1;
	p1->vlan_tci = 100;
	uint64_t wrong = worker_counter(0, AEGW_WC_drop_wrong_vlan);
	inject(0, 0, tag(0x00, 42));  // VLAN 42: not this port's
	inject(0, 0, tag(0xa0, 0));   // priority 5, VID 0: fine
	poll(0);
	EXPECT_EQ(worker_counter(0, AEGW_WC_drop_wrong_vlan), wrong + 1);
	p1->has_vlan = 0;
	p1->vlan_tci = 0;
	auto out = collect(1);
	ASSERT_EQ(out.size(), 1u);
	Out o = parse_out(out[0]);
	EXPECT_EQ(o.pi.has_vlan, 1);
	EXPECT_EQ(o.pi.vlan_tci & 0x0fff, 100);
	EXPECT_EQ(o.payload, parse_out(f).payload);
}

// Separate RTCP may come from another port than RTP + 1 (RFC 3605
// a=rtcp): the peer's address is what counts, and RTCP never moves the
// stream's RTP peer.
TEST_F(DpPath, SeparateRtcpFromAnyPortOfThePeer)
{
	aegw_endpoint local = ep4("192.168.0.1", 5900);
	auto s = spec_for(90, AEGW_ACTION_RELAY, local, 1,
			  ep4("10.0.0.1", 4900), kUe, 0);
	s.flags = 0;
	s.remote = kCore;
	add(s);
	aegw_endpoint rtcp_local = local, odd_port = kCore, stranger = kCore;
	rtcp_local.port++;
	odd_port.port = 9555;
	stranger.ip[3] = 99;
	Bytes c = testutil::make_rtcp(0x77, 8, rng);
	inject(1, 0, udp_frame(odd_port, rtcp_local, c, 1));
	inject(1, 0, udp_frame(stranger, rtcp_local, c, 1));
	poll();
	auto out = collect(0);
	ASSERT_EQ(out.size(), 1u);
	EXPECT_EQ(parse_out(out[0]).pi.dst.port, kUe.port + 1);
	auto cnt = counters(90);
	EXPECT_EQ(cnt[AEGW_SC_drop_wrong_source], 1u);
	EXPECT_EQ(cnt[AEGW_SC_latched], 0u);
}

// The peer's a=rtcp port (RFC 3605) is where its separate RTCP goes,
// until its RTP latches at another endpoint than it signalled (a NAT
// moved it): then RTP + 1 is the better guess. aegw's own RTCP port is
// always its RTP port + 1.
TEST_F(DpPath, SeparateRtcpGoesToThePeersRtcpPort)
{
	for (uint16_t ue_port : { kUe.port, uint16_t(7080) }) {
		SCOPED_TRACE(ue_port);
		const bool moved = ue_port != kUe.port;
		const uint32_t id = moved ? 94 : 92;
		aegw_endpoint core_local = ep4("192.168.0.1", moved ? 5908 : 5904);
		aegw_endpoint ue_local = ep4("10.0.0.1", moved ? 4908 : 4904);
		auto down = spec_for(id, AEGW_ACTION_RELAY, core_local, 1,
				     ue_local, kUe, 0);
		down.flags = 0;
		down.remote = kCore;
		down.reverse_id = id + 1;
		down.egress_rtcp_port = 7555;
		auto up = spec_for(id + 1, AEGW_ACTION_RELAY, ue_local, 0,
				   core_local, kCore, 1);
		up.reverse_id = id;
		add(down);
		add(up);
		aegw_endpoint rtcp_in = core_local, core_rtcp = kCore, ue = kUe;
		rtcp_in.port++;
		core_rtcp.port++;
		ue.port = ue_port;
		Bytes c = testutil::make_rtcp(0x77, 8, rng);

		inject(1, 0, udp_frame(core_rtcp, rtcp_in, c, 1));
		poll();
		auto out = collect(0);
		ASSERT_EQ(out.size(), 1u);
		EXPECT_EQ(parse_out(out[0]).pi.dst.port, 7555);
		EXPECT_EQ(parse_out(out[0]).pi.src.port, ue_local.port + 1);

		inject(0, 0, udp_frame(ue, ue_local, rtp(1), 0));
		poll();
		ASSERT_EQ(collect(1).size(), 1u);
		EXPECT_EQ(counters(id + 1)[AEGW_SC_latched], 1u);
		inject(1, 0, udp_frame(core_rtcp, rtcp_in, c, 1));
		poll();
		out = collect(0);
		ASSERT_EQ(out.size(), 1u);
		EXPECT_EQ(parse_out(out[0]).pi.dst.port, moved ? 7081 : 7555);

		// A re-INVITE with a new a=rtcp port only: taken where the
		// stream still sends to the SDP's endpoint; a peer latched
		// elsewhere keeps its RTP and RTCP destinations.
		aegw_stream_spec port_only = down;
		port_only.egress_rtcp_port = 7777;
		ASSERT_EQ(update(port_only, AEGW_UPDATE_RTCP_PORT), 0);
		inject(1, 0, udp_frame(core_rtcp, rtcp_in, c, 1));
		poll();
		out = collect(0);
		ASSERT_EQ(out.size(), 1u);
		EXPECT_EQ(parse_out(out[0]).pi.dst.port, moved ? 7081 : 7777);
		EXPECT_EQ(parse_out(out[0]).pi.dst.ip[3], 2);
	}
}

// Symmetric RTCP (RFC 4961): the port the UE's SRTCP authenticated from
// is where its RTCP goes back, over its a=rtcp port; SRTCP that fails
// authentication, or comes from another address than the one RTP goes
// to, teaches nothing.
TEST_F(DpPath, AuthenticatedRtcpTeachesThePeersRtcpPort)
{
	aegw_endpoint ue_local = ep4("10.0.0.1", 4912);
	aegw_endpoint core_local = ep4("192.168.0.1", 5912);
	auto up = spec_for(96, AEGW_ACTION_E2AE_IN, ue_local, 0, core_local,
			   kCore, 1);
	up.remote = kUe;
	up.reverse_id = 97;
	up.in_crypto = key();
	auto down = spec_for(97, AEGW_ACTION_E2AE_OUT, core_local, 1, ue_local,
			     kUe, 0);
	down.flags = 0;
	down.remote = kCore;
	down.reverse_id = 96;
	down.out_crypto = key();
	down.egress_rtcp_port = 7555;
	add(up);
	add(down);
	aegw_srtp_config rc = up.in_crypto;
	rc.kind = AEGW_SRTP_RTCP;
	SrtpOracle ue_rtcp(rc, true);
	aegw_endpoint up_rtcp = ue_local, down_rtcp = core_local;
	up_rtcp.port++;
	down_rtcp.port++;
	aegw_endpoint core_rtcp = kCore;
	core_rtcp.port++;
	// From the core: plain RTCP protected toward the UE; where to?
	auto rtcp_to_ue = [&]() {
		Bytes c = testutil::make_rtcp(0x5678, 8, rng);
		inject(1, 0, udp_frame(core_rtcp, down_rtcp, c, 1));
		poll();
		auto out = collect(0);
		EXPECT_EQ(out.size(), 1u);
		return out.empty() ? 0 : parse_out(out[0]).pi.dst.port;
	};
	// From the UE's address at port: SRTCP, tampered or not.
	auto rtcp_from = [&](const aegw_endpoint &ue, bool forged) {
		Bytes c = testutil::make_rtcp(0x1234, 8, rng);
		EXPECT_EQ(ue_rtcp.protect(c), 0);
		if (forged)
			c.back() ^= 1;
		inject(0, 0, udp_frame(ue, up_rtcp, c, 0));
		poll();
		collect(1);
	};
	EXPECT_EQ(rtcp_to_ue(), 7555) << "its a=rtcp port";
	aegw_endpoint natted = kUe, elsewhere = ep4("10.0.0.99", 7777);
	natted.port = 40001;
	rtcp_from(natted, true);
	EXPECT_EQ(rtcp_to_ue(), 7555) << "forged";
	rtcp_from(elsewhere, false);
	EXPECT_EQ(rtcp_to_ue(), 7555) << "another address than RTP's";
	rtcp_from(natted, false);
	EXPECT_EQ(rtcp_to_ue(), 40001) << "learned";
	EXPECT_EQ(counters(96)[AEGW_SC_drop_auth_failed], 1u);
	EXPECT_EQ(counters(96)[AEGW_SC_latched], 0u) << "RTCP moves no RTP";
}

} // namespace
