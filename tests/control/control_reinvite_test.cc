// A re-INVITE against a fake worker on a real ring: what aegw-control
// sends the dataplane when an answered call is offered and answered
// again. Its streams are updated in place, never removed and added: an
// SRTP context whose key stays keeps its ROC and replay window, the
// stream its counters. Only what changed is in an UPDATE's mask, RTCP-mux
// and the action included. aegw keeps its own key toward each side across
// re-offers and re-answers, since the stream that protects under it goes
// on (so the UE never gets packets under a key it has not seen yet); the
// UE's new key is an IN_KEY update of the stream from it. A delete reads
// the last counters and removes in one batch.
#include <gtest/gtest.h>

#include <unistd.h>

#include <atomic>
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <map>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "ng_client.h"

extern "C" {
#include "aegw/ring.h"
#include "ctl.h"
#include "journal.h"
#include "log.h"
#include "ng_commands.h"
#include "quality.h"
#include "reg_store.h"
#include "secret.h"
#include "streams.h"
#include "timeout.h"
}

using namespace ngtest;

namespace {

struct Seen {
	uint32_t type, mask, id;
	uint64_t resume_in, resume_out; // an ADD's or UPDATE's resume index
	uint64_t rtcp_in, rtcp_out;     // and its SRTCP contexts' 
	uint32_t flags;                 // an ADD's or UPDATE's AEGW_STREAM_*
	uint16_t local_port;
	uint16_t dst_port, rtcp_port;   // egress_dst's, egress_rtcp_port
	uint32_t rtcp_out_start;        // out_crypto.initial_rtcp_index
	aegw_srtp_ssrc_at earlier_out;  // out_crypto.resume_earlier[0]
};

// Worker 0 of a one-worker dataplane that acks everything, answers
// COUNTERS, and remembers what it was sent.
class FakeWorker {
public:
	// COUNTERS reports these as every stream's contexts' highest index
	// (for SSRC 0x1234).
	explicit FakeWorker(const std::string &inst, uint64_t index_in = 0,
			    uint64_t index_out = 0, uint64_t rtcp_out = 60)
		: index_in_(index_in), index_out_(index_out), rtcp_out_(rtcp_out)
	{
		EXPECT_EQ(aegw_shm_create(inst.c_str(), 1, &shm_), 0);
		aegw_shm_heartbeat(shm_);
		thread_ = std::thread([this] { run(); });
	}
	~FakeWorker()
	{
		stop_ = true;
		thread_.join();
		aegw_shm_detach(shm_);
	}
	// The next UPDATE is refused, as a worker out of memory refuses it.
	void refuse_next_update() { refuse_update_ = true; }
	// The next REMOVE fails and leaves the stream (a command that found
	// the worker stalled, say).
	void refuse_next_remove() { refuse_remove_ = true; }
	// What COUNTERS reports of the protect contexts from now on.
	// The SSRC every protect context had before 0x1234, in every
	// reading from now on.
	void set_earlier_out(aegw_srtp_ssrc_at at)
	{
		std::lock_guard<std::mutex> l(mu_);
		earlier_out_ = at;
	}
	// The rx_packets COUNTERS reports for stream id from now on.
	void set_rx(uint32_t id, uint64_t n)
	{
		std::lock_guard<std::mutex> l(mu_);
		rx_[id] = n;
	}
	// DUMP reports its streams without these flags from now on, as a
	// dataplane that got them from an older build has them.
	void dump_without(uint8_t flags) { dump_without_ = flags; }
	void set_out(uint64_t rtp, uint64_t rtcp)
	{
		index_out_ = rtp;
		rtcp_out_ = rtcp;
	}
	// A READING event for stream id, sent by the worker's own thread
	// (the event ring has one producer); returns once it is in the ring.
	void reading(uint32_t id, uint64_t index_out, uint64_t rtcp_out,
		     uint32_t rtcp_ssrc_out = 0x1234)
	{
		unsigned want = ++readings_asked_;
		{
			std::lock_guard<std::mutex> l(mu_);
			readings_.push_back(reading_evt(id, index_out, rtcp_out));
			readings_.back().rtcp_ssrc_out = rtcp_ssrc_out;
		}
		while (readings_sent_ < want)
			std::this_thread::yield();
	}
	// Any spontaneous event (an RTCP report, say), as reading() sends.
	void spontaneous(const aegw_evt &e)
	{
		unsigned want = ++readings_asked_;
		{
			std::lock_guard<std::mutex> l(mu_);
			readings_.push_back(e);
		}
		while (readings_sent_ < want)
			std::this_thread::yield();
	}
	// A READING the worker sends just before it answers the next
	// COUNTERS: one a sample's wait drains.
	void reading_before_counters(uint32_t id, uint64_t index_out,
				     uint64_t rtcp_out)
	{
		std::lock_guard<std::mutex> l(mu_);
		pre_counters_ = reading_evt(id, index_out, rtcp_out);
	}
	std::vector<Seen> take()
	{
		std::lock_guard<std::mutex> l(mu_);
		std::vector<Seen> out;
		out.swap(seen_);
		return out;
	}

private:
	// Under mu_.
	aegw_evt reading_evt(uint32_t id, uint64_t index_out, uint64_t rtcp_out)
	{
		aegw_evt e{};
		e.type = AEGW_EVT_READING;
		e.stream_id = id;
		e.ssrc_in = e.ssrc_out = e.rtcp_ssrc_in = e.rtcp_ssrc_out = 0x1234;
		e.index_in = index_in_;
		e.index_out = index_out;
		e.rtcp_index_in = index_in_ ? 50 : 0;
		e.rtcp_index_out = rtcp_out;
		e.earlier_out[0] = earlier_out_;
		return e;
	}
	void send(const aegw_evt &e)
	{
		while (aegw_ring_evt_send(shm_, 0, &e) && !stop_)
			std::this_thread::yield();
	}
	void send_readings()
	{
		std::vector<aegw_evt> r;
		{
			std::lock_guard<std::mutex> l(mu_);
			r.swap(readings_);
		}
		for (const aegw_evt &e : r) {
			send(e);
			readings_sent_++;
		}
	}
	void run()
	{
		aegw_cmd cmd;
		while (!stop_) {
			aegw_shm_heartbeat(shm_);
			send_readings();
			if (aegw_ring_cmd_recv(shm_, 0, &cmd)) {
				std::this_thread::yield();
				continue;
			}
			bool spec = cmd.type == AEGW_CMD_ADD_STREAM ||
				    cmd.type == AEGW_CMD_UPDATE_STREAM;
			{
				std::lock_guard<std::mutex> l(mu_);
				seen_.push_back({cmd.type, cmd.update_mask,
						 spec ? cmd.spec.stream_id : cmd.stream_id,
						 cmd.spec.in_crypto.resume_index,
						 cmd.spec.out_crypto.resume_index,
						 cmd.spec.in_crypto.resume_rtcp_index,
						 cmd.spec.out_crypto.resume_rtcp_index,
						 cmd.spec.flags, cmd.spec.local.port,
						 cmd.spec.egress_dst.port,
						 cmd.spec.egress_rtcp_port,
						 cmd.spec.out_crypto.initial_rtcp_index,
						 cmd.spec.out_crypto.resume_earlier[0]});
				if (spec && cmd.spec.in_crypto.resume_index) {
					EXPECT_EQ(cmd.spec.in_crypto.resume_ssrc,
						  0x1234u);
				}
			}
			aegw_evt e{};
			e.seq = cmd.seq;
			e.stream_id = cmd.stream_id;
			e.ssrc_in = e.ssrc_out = 0x1234;
			e.index_in = index_in_;
			e.index_out = index_out_;
			e.rtcp_ssrc_in = e.rtcp_ssrc_out = 0x1234;
			e.rtcp_index_in = index_in_ ? 50 : 0;
			e.rtcp_index_out = index_out_ ? rtcp_out_.load() : 0;
			{
				std::lock_guard<std::mutex> l(mu_);
				e.earlier_out[0] = earlier_out_;
			}
			if (cmd.type == AEGW_CMD_ADD_STREAM) {
				aegw_stream_spec &kept = streams_[cmd.spec.stream_id];
				kept = cmd.spec;
				aegw_srtp_config_wipe(&kept.in_crypto);
				aegw_srtp_config_wipe(&kept.out_crypto);
			}
			bool refused_remove =
				cmd.type == AEGW_CMD_REMOVE_STREAM &&
				refuse_remove_.exchange(false);
			if (cmd.type == AEGW_CMD_REMOVE_STREAM && !refused_remove)
				streams_.erase(cmd.stream_id);
			if (cmd.type == AEGW_CMD_COUNTERS) {
				aegw_evt pre{};
				{
					std::lock_guard<std::mutex> l(mu_);
					std::swap(pre, pre_counters_);
				}
				if (pre.type == AEGW_EVT_READING)
					send(pre);
				e.type = AEGW_EVT_COUNTERS;
				{
					std::lock_guard<std::mutex> l(mu_);
					auto r = rx_.find(cmd.stream_id);
					e.counters[AEGW_SC_rx_packets] =
						r == rx_.end() ? 5 : r->second;
				}
				send(e);
			}
			for (auto &st : streams_) {
				if (cmd.type != AEGW_CMD_DUMP)
					break;
				e.type = AEGW_EVT_STREAM;
				e.stream_id = st.first;
				e.action = st.second.action;
				e.flags = st.second.flags & ~dump_without_;
				e.local = st.second.local;
				e.remote = st.second.remote;
				e.egress_src = st.second.egress_src;
				e.egress_dst = st.second.egress_dst;
				send(e);
			}
			e.stream_id = cmd.stream_id;
			e.type = AEGW_EVT_ACK;
			if ((cmd.type == AEGW_CMD_UPDATE_STREAM &&
			     refuse_update_.exchange(false)) || refused_remove)
				e.status = AEGW_ERR_NO_MEMORY;
			send(e);
			aegw_cmd_wipe(&cmd);
		}
	}
	std::atomic<uint64_t> index_in_, index_out_, rtcp_out_;
	std::atomic<uint8_t> dump_without_{0};
	std::map<uint32_t, uint64_t> rx_; // COUNTERS' rx_packets; else 5
	aegw_shm *shm_ = nullptr;
	std::thread thread_;
	std::atomic<bool> stop_{false}, refuse_update_{false},
		refuse_remove_{false};
	std::mutex mu_;
	std::vector<Seen> seen_;
	std::vector<aegw_evt> readings_;
	aegw_evt pre_counters_{};
	aegw_srtp_ssrc_at earlier_out_{};
	// Added, not removed; without their keys.
	std::map<uint32_t, aegw_stream_spec> streams_;
	std::atomic<unsigned> readings_asked_{0}, readings_sent_{0};
};

const std::string kKey1 = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd";
const std::string kKey2 = "HRwbGhkYFxYVFBMSERAPDg0MCwoJCAcGBQQDAgEA";

class ReInvite : public ::testing::Test {
protected:
	std::string inst = "reinv" + std::to_string(getpid());
	std::unique_ptr<FakeWorker> worker;
	ctl c{};
	std::string buf = std::string(CTL_NG_REPLY_MAX, '\0');
	const uint8_t peer[NG_CACHE_PEER_LEN] = {4};
	unsigned n = 0;

	void SetUp() override
	{
		ctl_log_set_level(CTL_LOG_ERR);
		worker = std::make_unique<FakeWorker>(inst);
		start_daemon(c, inst, {}); // attach, and the DUMP of adoption
		worker->take();
	}
	void TearDown() override
	{
		ctl_fini(&c);
		worker.reset();
		aegw_shm_unlink(inst.c_str());
		EXPECT_EQ(ctl_secret_in_use(), 0u);
	}
	Reply ask(std::vector<std::pair<std::string, std::string>> kv,
		  ctl *to = nullptr)
	{
		std::string msg = "r" + std::to_string(n++) + " " + D(kv);
		size_t len = ctl_ng_handle(to ? to : &c, peer, msg.data(),
					   msg.size(), &buf[0], buf.size());
		return Reply(buf.substr(0, len));
	}
	// The UE's SRTP offer (e2ae: RTP/AVP toward the core), then the
	// core's plain answer.
	// Returns aegw's a=crypto line toward the UE in the answer.
	static std::string ue_offer_sdp(uint16_t port, const std::string &key,
					const std::string &extra = "",
					const std::string &version = "1")
	{
		return "v=0\r\no=- 1 " + version + " IN IP4 10.0.0.2\r\ns=-\r\n"
		       "c=IN IP4 10.0.0.2\r\nt=0 0\r\nm=audio " +
		       std::to_string(port) + " RTP/SAVP 0\r\na=crypto:1 "
		       "AES_CM_128_HMAC_SHA1_80 inline:" + key + "\r\n" + extra;
	}
	static std::string core_answer_sdp(uint16_t port,
					   const std::string &extra = "")
	{
		return "v=0\r\no=- 2 1 IN IP4 192.168.0.2\r\ns=-\r\n"
		       "c=IN IP4 192.168.0.2\r\nt=0 0\r\nm=audio " +
		       std::to_string(port) + " RTP/AVP 0\r\n" + extra;
	}
	// The UE's offer (RTP/AVP toward the core) and the core's answer
	// on call id, as Kamailio sends them; the answer's reply.
	Reply ue_call(const std::string &id, const std::string &offer,
		      const std::string &answer, ctl *to = nullptr)
	{
		Reply o = ask({{"command", S("offer")}, {"call-id", S(id)},
			       {"from-tag", S("ue")}, {"sdp", S(offer)},
			       {"transport-protocol", S("RTP/AVP")}}, to);
		EXPECT_EQ(o.result(), "ok") << o.raw();
		Reply a = ask({{"command", S("answer")}, {"call-id", S(id)},
			       {"from-tag", S("ue")}, {"to-tag", S("core")},
			       {"sdp", S(answer)}}, to);
		EXPECT_EQ(a.result(), "ok") << a.raw();
		return a;
	}
	std::string call(uint16_t ue_port, const std::string &key,
			 uint16_t core_port, const std::string &extra = "")
	{
		Reply a = ue_call("re", ue_offer_sdp(ue_port, key, extra),
				  core_answer_sdp(core_port, extra));
		size_t at = a.sdp().find("a=crypto:");
		return at == std::string::npos ? "" :
			a.sdp().substr(at, a.sdp().find('\r', at) - at);
	}
	// The core's offer toward the UE, SRTP asked for (terminating e2ae),
	// and the UE's answer to it.
	Reply core_offer(const std::string &call, const std::string &sdp,
			 const std::vector<std::string> &sdes = {})
	{
		std::vector<std::pair<std::string, std::string>> kv = {
			{"command", S("offer")}, {"call-id", S(call)},
			{"from-tag", S("core")}, {"sdp", S(sdp)},
			{"transport-protocol", S("RTP/SAVP")},
			{"direction", L({"core", "access"})}};
		if (!sdes.empty())
			kv.push_back({"SDES", L(sdes)});
		return ask(kv);
	}
	Reply ue_answer(const std::string &call, const std::string &to_tag,
			const std::string &sdp)
	{
		return ask({{"command", S("answer")}, {"call-id", S(call)},
			    {"from-tag", S("core")}, {"to-tag", S(to_tag)},
			    {"sdp", S(sdp)}, {"transport-protocol", S("RTP/AVP")}});
	}
	// A second daemon with a journal, on instance ji, attached to its
	// dataplane. tick false: it claims the journal's calls from the
	// dump and no more (no walk).
	void start_journaled(ctl &d, const std::string &ji, bool tick = true)
	{
		start_daemon(d, ji, {"--journal", "on"}, tick);
	}
	// A daemon on instance in, attached: two interfaces and extra.
	void start_daemon(ctl &d, const std::string &in,
			  std::vector<const char *> extra, bool tick = true)
	{
		ctl_options o;
		char err[200];
		std::vector<const char *> argv = {
			"aegw-control", "--interface",
			"access=10.0.0.1/20000-20099@0", "--interface",
			"core=192.168.0.1/30000-30099@1", "--instance", in.c_str()};
		argv.insert(argv.end(), extra.begin(), extra.end());
		ASSERT_EQ(ctl_options_parse(&o, int(argv.size()),
					    const_cast<char **>(argv.data()),
					    err, sizeof(err)), 0) << err;
		ASSERT_EQ(ctl_init(&d, &o, err, sizeof(err)), 0) << err;
		if (tick) {
			ctl_tick(&d);
		} else {
			ASSERT_EQ(ctl_ring_poll(&d.ring), CTL_RING_ATTACHED);
			ctl_adopt(&d);
		}
		ASSERT_TRUE(ctl_ring_ready(&d.ring));
	}
	// The call deleted, both daemons gone and their objects unlinked.
	void stop_journaled(ctl &d, std::unique_ptr<FakeWorker> &dp,
			    const std::string &ji, const std::string &call)
	{
		ask({{"command", S("delete")}, {"call-id", S(call)},
		     {"from-tag", S("ue")}}, &d);
		ctl_fini(&d);
		dp.reset();
		ctl_journal_unlink(ji.c_str());
		ctl_reg_store_unlink(ji.c_str());
		aegw_shm_unlink(ji.c_str());
	}
	// Both daemons stop and start again (a new dataplane reporting
	// in/out): what the journal's calls install into it.
	std::vector<Seen> restart_both(ctl &d, std::unique_ptr<FakeWorker> &dp,
				       const std::string &ji, uint64_t in,
				       uint64_t out)
	{
		dp->take();
		ctl_fini(&d);
		dp.reset();
		dp = std::make_unique<FakeWorker>(ji, in, out);
		start_journaled(d, ji);
		return dp->take();
	}
	static unsigned count(const std::vector<Seen> &v, uint32_t type)
	{
		unsigned k = 0;
		for (const Seen &x : v)
			k += x.type == type;
		return k;
	}
};

TEST_F(ReInvite, StreamsAreUpdatedInPlace)
{
	const std::string ours = call(7000, kKey1, 9000);
	ASSERT_NE(ours, "");
	std::vector<Seen> first = worker->take();
	ASSERT_EQ(first.size(), 2u);
	EXPECT_EQ(count(first, AEGW_CMD_ADD_STREAM), 2u);

	// The same session again (a refresh): aegw answers with the key it
	// gave, and the dataplane is not touched.
	EXPECT_EQ(call(7000, kKey1, 9000), ours);
	EXPECT_EQ(worker->take().size(), 0u);

	// The UE moved its port: the stream toward it changes its egress.
	EXPECT_EQ(call(7002, kKey1, 9000), ours);
	std::vector<Seen> moved = worker->take();
	ASSERT_EQ(moved.size(), 1u);
	EXPECT_EQ(moved[0].type, uint32_t(AEGW_CMD_UPDATE_STREAM));
	EXPECT_EQ(moved[0].mask, uint32_t(AEGW_UPDATE_EGRESS));
	const uint32_t toward_ue = moved[0].id;

	// A new key from the UE: the stream from it gets IN_KEY, in place;
	// aegw's toward the UE stays.
	EXPECT_EQ(call(7002, kKey2, 9000), ours);
	std::vector<Seen> rekey = worker->take();
	ASSERT_EQ(rekey.size(), 1u);
	EXPECT_EQ(rekey[0].type, uint32_t(AEGW_CMD_UPDATE_STREAM));
	EXPECT_EQ(rekey[0].mask, uint32_t(AEGW_UPDATE_IN_KEY));
	EXPECT_NE(rekey[0].id, toward_ue);

	// RTCP-mux on, then off: both streams change their RTCP flags in
	// place, so aegw's key toward the UE stays and its context goes on.
	for (bool mux : {true, false}) {
		EXPECT_EQ(call(7002, kKey2, 9000, mux ? "a=rtcp-mux\r\n" : ""),
			  ours);
		std::vector<Seen> flags = worker->take();
		ASSERT_EQ(flags.size(), 2u);
		for (const Seen &u : flags) {
			EXPECT_EQ(u.type, uint32_t(AEGW_CMD_UPDATE_STREAM));
			EXPECT_EQ(u.mask, uint32_t(AEGW_UPDATE_FLAGS));
			EXPECT_EQ(u.flags & AEGW_STREAM_RTCP_MUX,
				  mux ? uint32_t(AEGW_STREAM_RTCP_MUX) : 0u);
		}
	}

	// The delete: last counters, then the streams go, one batch.
	Reply d = ask({{"command", S("delete")}, {"call-id", S("re")},
		       {"from-tag", S("ue")}});
	ASSERT_EQ(d.result(), "ok") << d.raw();
	std::vector<Seen> gone = worker->take();
	ASSERT_EQ(gone.size(), 4u);
	EXPECT_EQ(gone[0].type, uint32_t(AEGW_CMD_COUNTERS));
	EXPECT_EQ(gone[1].type, uint32_t(AEGW_CMD_COUNTERS));
	EXPECT_EQ(gone[2].type, uint32_t(AEGW_CMD_REMOVE_STREAM));
	EXPECT_EQ(gone[3].type, uint32_t(AEGW_CMD_REMOVE_STREAM));
	EXPECT_NE(d.raw().find("7:packetsi5e"), std::string::npos)
		<< "the counters read before the REMOVEs: " << d.raw();
}

// A re-INVITE that takes SRTP off and puts it back: each time both
// streams change their action in place. aegw's key toward the UE goes
// with the SRTP it was for; SRTP again gets a key never used before (the
// dataplane's context of the old one is replaced, never restarted).
TEST_F(ReInvite, ActionChangesInPlace)
{
	auto round = [&](bool srtp) {
		std::string offer = "v=0\r\no=- 1 1 IN IP4 10.0.0.2\r\ns=-\r\n"
				    "c=IN IP4 10.0.0.2\r\nt=0 0\r\n"
				    "m=audio 7000 RTP/" +
				    std::string(srtp ? "SAVP" : "AVP") + " 0\r\n";
		if (srtp)
			offer += "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" +
				 kKey1 + "\r\n";
		Reply a = ue_call("act", offer, core_answer_sdp(9000));
		size_t at = a.sdp().find("inline:");
		return at == std::string::npos ? std::string() :
			a.sdp().substr(at, a.sdp().find('\r', at) - at);
	};
	const std::string key1 = round(true);
	ASSERT_NE(key1, "");
	EXPECT_EQ(count(worker->take(), AEGW_CMD_ADD_STREAM), 2u);

	EXPECT_EQ(round(false), "") << "plain RTP: no key toward the UE";
	std::vector<Seen> plain = worker->take();
	ASSERT_EQ(plain.size(), 2u);
	for (const Seen &u : plain) {
		EXPECT_EQ(u.type, uint32_t(AEGW_CMD_UPDATE_STREAM));
		EXPECT_EQ(u.mask, uint32_t(AEGW_UPDATE_ACTION |
					   AEGW_UPDATE_FLAGS))
			<< "no key goes to an action that does not use it; "
			   "a plain relay's RTCP is read (PLAIN_RTCP)";
	}

	const std::string key2 = round(true);
	ASSERT_NE(key2, "");
	EXPECT_NE(key2, key1) << "a key that left the dataplane's use";
	std::vector<Seen> back = worker->take();
	ASSERT_EQ(back.size(), 2u);
	uint32_t masks = 0;
	for (const Seen &u : back) {
		EXPECT_EQ(u.type, uint32_t(AEGW_CMD_UPDATE_STREAM));
		EXPECT_TRUE(u.mask & AEGW_UPDATE_ACTION);
		masks |= u.mask;
	}
	EXPECT_EQ(masks, uint32_t(AEGW_UPDATE_ACTION | AEGW_UPDATE_IN_KEY |
				  AEGW_UPDATE_OUT_KEY | AEGW_UPDATE_FLAGS));
	ask({{"command", S("delete")}, {"call-id", S("act")},
	     {"from-tag", S("ue")}});
	worker->take();
}

// A peer's a=rtcp (RFC 3605) names where its separate RTCP goes: the
// stream toward it carries that port, RTP's + 1 written out is no port
// (0), and a re-INVITE that changes it updates that port alone, in
// place. An a=rtcp at another address than RTP's is not followed (aegw
// sends RTCP to RTP's address): RTP + 1 there.
TEST_F(ReInvite, PeersRtcpPortReachesTheDataplane)
{
	// The UE's offer with line, the core's answer with a=rtcp at its
	// RTP port + 1; what the dataplane was sent.
	auto round = [&](const std::string &line) {
		std::string offer = "v=0\r\no=- 1 2 IN IP4 10.0.0.2\r\ns=-\r\n"
				    "c=IN IP4 10.0.0.2\r\nt=0 0\r\n"
				    "m=audio 7000 RTP/SAVP 0\r\na=crypto:1 "
				    "AES_CM_128_HMAC_SHA1_80 inline:" + kKey1 +
				    "\r\n" + line;
		EXPECT_EQ(ask({{"command", S("offer")}, {"call-id", S("re")},
			       {"from-tag", S("ue")}, {"sdp", S(offer)},
			       {"transport-protocol", S("RTP/AVP")}}).result(),
			  "ok");
		Reply a = ask({{"command", S("answer")}, {"call-id", S("re")},
			       {"from-tag", S("ue")}, {"to-tag", S("core")},
			       {"sdp", S("v=0\r\no=- 2 1 IN IP4 192.168.0.2\r\n"
					 "s=-\r\nc=IN IP4 192.168.0.2\r\nt=0 0\r\n"
					 "m=audio 9000 RTP/AVP 0\r\n"
					 "a=rtcp:9001\r\n")}});
		EXPECT_EQ(a.result(), "ok") << a.raw();
		return worker->take();
	};
	std::vector<Seen> first = round("a=rtcp:7555\r\n");
	ASSERT_EQ(first.size(), 2u);
	for (const Seen &x : first)
		EXPECT_EQ(x.rtcp_port, x.dst_port == 7000 ? 7555 : 0)
			<< "toward " << x.dst_port;

	const struct {
		const char *line;
		uint16_t want;
	} cases[] = {
		{ "a=rtcp:7557\r\n", 7557 },
		{ "a=rtcp:7557 IN IP4 10.0.0.2\r\n", 7557 },
		{ "a=rtcp:7001\r\n", 0 },
		{ "a=rtcp:7563\r\n", 7563 },
		{ "a=rtcp:7559 IN IP4 10.9.9.9\r\n", 0 },
		{ "a=rtcp:7565\r\n", 7565 },
		{ "a=rtcp:7561 IN IP6 ::1\r\n", 0 },
		{ "", 0 },
	};
	uint16_t was = 7555;
	for (const auto &c : cases) {
		SCOPED_TRACE(c.line);
		std::vector<Seen> now = round(c.line);
		if (c.want == was) {
			EXPECT_EQ(now.size(), 0u) << "nothing changed";
			continue;
		}
		ASSERT_EQ(now.size(), 1u);
		EXPECT_EQ(now[0].type, uint32_t(AEGW_CMD_UPDATE_STREAM));
		EXPECT_EQ(now[0].mask, uint32_t(AEGW_UPDATE_RTCP_PORT))
			<< "not a whole new egress, which would undo a latch";
		EXPECT_EQ(now[0].dst_port, 7000);
		EXPECT_EQ(now[0].rtcp_port, c.want);
		was = c.want;
	}
}

// Hold and resume by re-INVITE (3GPP TS 24.610): each side's direction
// is read from its own SDP, the media-level attribute over the session's,
// and a call whose media are all to be silent is on hold
// (--silent-timeout, timeout.c).
TEST_F(ReInvite, HoldIsReadFromBothSides)
{
	const struct {
		const char *offer_session, *offer_media, *answer_media;
		bool held;
	} rows[] = {
		{"", "", "", false},
		{"", "a=inactive\r\n", "a=inactive\r\n", true},
		{"", "a=sendonly\r\n", "a=recvonly\r\n", false},
		{"", "a=sendonly\r\n", "a=inactive\r\n", true},
		{"a=inactive\r\n", "", "a=inactive\r\n", true},
		{"a=inactive\r\n", "a=sendrecv\r\n", "", false},
		{"", "", "", false},
	};
	for (const auto &r : rows) {
		SCOPED_TRACE(std::string(r.offer_session) + r.offer_media + "/" +
			     r.answer_media);
		std::string offer = std::string("v=0\r\no=- 1 2 IN IP4 10.0.0.2\r\n"
						"s=-\r\nc=IN IP4 10.0.0.2\r\nt=0 0\r\n") +
				    r.offer_session +
				    "m=audio 7000 RTP/SAVP 0\r\na=crypto:1 "
				    "AES_CM_128_HMAC_SHA1_80 inline:" + kKey1 +
				    "\r\n" + r.offer_media;
		ASSERT_EQ(ask({{"command", S("offer")}, {"call-id", S("hold")},
			       {"from-tag", S("ue")}, {"sdp", S(offer)},
			       {"transport-protocol", S("RTP/AVP")}}).result(),
			  "ok");
		Reply a = ask({{"command", S("answer")}, {"call-id", S("hold")},
			       {"from-tag", S("ue")}, {"to-tag", S("core")},
			       {"sdp", S(std::string("v=0\r\no=- 2 1 IN IP4 "
						     "192.168.0.2\r\ns=-\r\nc=IN IP4 "
						     "192.168.0.2\r\nt=0 0\r\n"
						     "m=audio 9000 RTP/AVP 0\r\n") +
					 r.answer_media)}});
		ASSERT_EQ(a.result(), "ok") << a.raw();
		const ctl_call *k = ctl_call_find(&c.calls, "hold", 4);
		ASSERT_NE(k, nullptr);
		EXPECT_EQ(ctl_timeout_held(k), r.held);
		worker->take();
	}
}

// A terminating INVITE forked to two of the UE's devices: the P-CSCF
// offers once per branch, one call-id and from-tag. Both UEs get the same
// key from aegw, so that whichever answers reads what aegw protects; a
// repeated offer that asks for another suite gets a new key. After the
// answer a re-INVITE's offer gets the installed key and its suite, also
// without the SDES flags that chose it, unless it asks for another.
TEST_F(ReInvite, ForkedOfferGivesEveryBranchOneKey)
{
	auto offer = [&](const std::vector<std::string> &sdes) {
		std::string sdp = "v=0\r\no=- 1 1 IN IP4 192.168.0.2\r\ns=-\r\n"
				  "c=IN IP4 192.168.0.2\r\nt=0 0\r\n"
				  "m=audio 9000 RTP/AVP 0\r\n";
		Reply o = core_offer("fork", sdp, sdes);
		EXPECT_EQ(o.result(), "ok") << o.raw();
		size_t at = o.sdp().find("a=crypto:");
		return at == std::string::npos ? std::string() :
			o.sdp().substr(at, o.sdp().find('\r', at) - at);
	};
	const std::string first = offer({}), second = offer({});
	ASSERT_NE(first, "");
	EXPECT_EQ(second, first) << "the second branch gets the first's key";
	const std::string other = offer({"only-AES_CM_128_HMAC_SHA1_32"});
	EXPECT_NE(other.find("AES_CM_128_HMAC_SHA1_32"), std::string::npos)
		<< other;
	EXPECT_NE(other.substr(other.find("inline:")),
		  first.substr(first.find("inline:")))
		<< "another suite, another key";
	const std::string again = offer({"only-AES_CM_128_HMAC_SHA1_32"});
	EXPECT_EQ(again, other);

	std::string ans = "v=0\r\no=- 2 1 IN IP4 10.0.0.2\r\ns=-\r\n"
			  "c=IN IP4 10.0.0.2\r\nt=0 0\r\nm=audio 7000 "
			  "RTP/SAVP 0\r\na=crypto:1 AES_CM_128_HMAC_SHA1_32 "
			  "inline:" + kKey1 + "\r\n";
	Reply a = ue_answer("fork", "ue-b", ans);
	ASSERT_EQ(a.result(), "ok") << a.raw();
	EXPECT_EQ(count(worker->take(), AEGW_CMD_ADD_STREAM), 2u);
	EXPECT_EQ(offer({"only-AES_CM_128_HMAC_SHA1_32"}), again)
		<< "after the answer, a re-INVITE's offer: the installed key";
	EXPECT_EQ(offer({}), again)
		<< "a re-INVITE without the SDES flags keeps the suite agreed";
	const std::string back = offer({"only-AES_CM_128_HMAC_SHA1_80"});
	EXPECT_NE(back.find("AES_CM_128_HMAC_SHA1_80"), std::string::npos);
	EXPECT_NE(back.substr(back.find("inline:")),
		  first.substr(first.find("inline:")))
		<< "the first suite again: its key, never installed, is not";
	ask({{"command", S("delete")}, {"call-id", S("fork")},
	     {"from-tag", S("core")}});
}

// RFC 3264 8: the o= version of what aegw sends a side goes up when that
// SDP changes, and only then. A re-INVITE's offer that the core sends
// unchanged (a session refresh) reaches the UE as it was, aegw's key
// included; another key is another version.
TEST_F(ReInvite, VersionGoesUpWhenTheSdpChanges)
{
	auto version = [](const std::string &sdp) {
		size_t o = sdp.find("o=");
		std::istringstream in(sdp.substr(o, sdp.find('\r', o) - o));
		std::string user, id, v;
		in >> user >> id >> v;
		return v;
	};
	const std::string k32 = "AES_CM_128_HMAC_SHA1_32";
	auto offer = [&](const std::string &v, const std::string &extra = "",
			 const std::string &only = "") {
		std::string sdp = "v=0\r\no=core 77 " + v +
				  " IN IP4 192.168.0.2\r\ns=-\r\n"
				  "c=IN IP4 192.168.0.2\r\nt=0 0\r\n"
				  "m=audio 9000 RTP/AVP 0\r\n" + extra;
		Reply o = only.empty() ? core_offer("ver", sdp) :
					 core_offer("ver", sdp, {"only-" + only});
		EXPECT_EQ(o.result(), "ok") << o.raw();
		return o.sdp();
	};
	auto answer = [&](const std::string &v,
			  const std::string &suite = "AES_CM_128_HMAC_SHA1_80") {
		std::string sdp = "v=0\r\no=ue 5 " + v +
				  " IN IP4 10.0.0.2\r\ns=-\r\n"
				  "c=IN IP4 10.0.0.2\r\nt=0 0\r\nm=audio 7000 "
				  "RTP/SAVP 0\r\na=crypto:1 " + suite +
				  " inline:" + kKey1 + "\r\n";
		Reply a = ue_answer("ver", "ue", sdp);
		EXPECT_EQ(a.result(), "ok") << a.raw();
		return a.sdp();
	};
	const std::string first = offer("1");
	EXPECT_EQ(version(first), "1") << "new to the UE: the core's version";
	EXPECT_EQ(version(offer("1")), "1") << "a fork, the same SDP again";
	EXPECT_EQ(version(answer("1")), "1");

	EXPECT_EQ(offer("1"), first) << "after the answer: the same key";
	EXPECT_EQ(version(answer("1")), "1") << "the core gets what it had";
	EXPECT_EQ(version(offer("1", "", k32)), "2")
		<< "another key, another version";
	answer("1", k32);
	EXPECT_EQ(version(offer("9", "a=sendonly\r\n", k32)), "9")
		<< "the core's own higher version stands";
	EXPECT_EQ(version(answer("2", k32)), "2");
	EXPECT_EQ(version(offer("9", "a=sendonly\r\n", k32)), "9")
		<< "nothing changed";
	EXPECT_EQ(version(offer("9", "a=sendonly\r\n")), "9")
		<< "no SDES flags this time: the suite agreed stays";
	EXPECT_EQ(version(offer("9", "a=sendonly\r\n",
				"AES_CM_128_HMAC_SHA1_80")), "10")
		<< "back to the 80-bit tag: a new key";
	ask({{"command", S("delete")}, {"call-id", S("ver")},
	     {"from-tag", S("core")}});
}

// The answerer cannot take protection off on its own: session parameters
// in its a=crypto that aegw did not offer are refused; ones it offered
// (SDES unencrypted_srtcp) are taken.
TEST_F(ReInvite, AnswerCannotAddUnencrypted)
{
	auto run = [&](const std::string &call, const std::string &params,
		       const std::vector<std::string> &sdes) {
		std::string sdp = "v=0\r\no=core 1 1 IN IP4 192.168.0.2\r\ns=-\r\n"
				  "c=IN IP4 192.168.0.2\r\nt=0 0\r\n"
				  "m=audio 9000 RTP/AVP 0\r\n";
		EXPECT_EQ(core_offer(call, sdp, sdes).result(), "ok");
		std::string ans = "v=0\r\no=ue 1 1 IN IP4 10.0.0.2\r\ns=-\r\n"
				  "c=IN IP4 10.0.0.2\r\nt=0 0\r\nm=audio 7000 "
				  "RTP/SAVP 0\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 "
				  "inline:" + kKey1 + params + "\r\n";
		Reply a = ue_answer(call, "ue", ans);
		ask({{"command", S("delete")}, {"call-id", S(call)},
		     {"from-tag", S("core")}});
		worker->take();
		return a;
	};
	Reply down = run("un1", " UNENCRYPTED_SRTP", {});
	EXPECT_EQ(down.result(), "error") << down.raw();
	EXPECT_NE(down.reason().find("did not offer"), std::string::npos)
		<< down.raw();
	EXPECT_EQ(run("un2", " UNAUTHENTICATED_SRTP", {}).result(), "error");
	EXPECT_EQ(run("un3", " UNENCRYPTED_SRTCP", {"unencrypted_srtcp"}).result(),
		  "ok");
	EXPECT_EQ(run("un4", "", {}).result(), "ok");
}

// A section over TCP (MSRP) passes both ways as it came, and only the
// audio gets streams.
TEST_F(ReInvite, TcpSectionPassesOfferAndAnswer)
{
	const std::string msrp = "m=message 7394 TCP/MSRP *\r\n"
				 "a=path:msrp://10.0.0.2:7394/a;tcp\r\n";
	std::string offer = "v=0\r\no=- 1 1 IN IP4 10.0.0.2\r\ns=-\r\n"
			    "c=IN IP4 10.0.0.2\r\nt=0 0\r\nm=audio 7000 RTP/AVP 0\r\n" +
			    msrp;
	Reply o = ask({{"command", S("offer")}, {"call-id", S("msrp")},
		       {"from-tag", S("ue")}, {"sdp", S(offer)}});
	ASSERT_EQ(o.result(), "ok") << o.raw();
	EXPECT_NE(o.sdp().find("m=message 7394 TCP/MSRP *\r\nc=IN IP4 10.0.0.2\r\n"
			       "a=path:msrp://10.0.0.2:7394/a;tcp\r\n"),
		  std::string::npos) << o.sdp();
	std::string answer = "v=0\r\no=- 2 1 IN IP4 192.168.0.2\r\ns=-\r\nt=0 0\r\n"
			     "m=audio 9000 RTP/AVP 0\r\nc=IN IP4 192.168.0.2\r\n"
			     "m=message 2855 TCP/MSRP *\r\nc=IN IP4 192.168.0.2\r\n"
			     "a=path:msrp://192.168.0.2:2855/b;tcp\r\n";
	Reply a = ask({{"command", S("answer")}, {"call-id", S("msrp")},
		       {"from-tag", S("ue")}, {"to-tag", S("core")},
		       {"sdp", S(answer)}});
	ASSERT_EQ(a.result(), "ok") << a.raw();
	EXPECT_NE(a.sdp().find("m=message 2855 TCP/MSRP *\r\nc=IN IP4 192.168.0.2\r\n"
			       "a=path:msrp://192.168.0.2:2855/b;tcp\r\n"),
		  std::string::npos) << a.sdp();
	EXPECT_EQ(count(worker->take(), AEGW_CMD_ADD_STREAM), 2u) << "audio only";
	ask({{"command", S("delete")}, {"call-id", S("msrp")},
	     {"from-tag", S("ue")}});

	// An answer over UDP to it would lead media around aegw: port 0.
	ASSERT_EQ(ask({{"command", S("offer")}, {"call-id", S("msrp2")},
		       {"from-tag", S("ue")}, {"sdp", S(offer)}}).result(), "ok");
	std::string udp = answer;
	udp.replace(udp.find("2855 TCP/MSRP"), 13, "2855 RTP/AVP");
	Reply b = ask({{"command", S("answer")}, {"call-id", S("msrp2")},
		       {"from-tag", S("ue")}, {"to-tag", S("core")},
		       {"sdp", S(udp)}});
	ASSERT_EQ(b.result(), "ok") << b.raw();
	EXPECT_NE(b.sdp().find("m=message 0 RTP/AVP *"), std::string::npos)
		<< b.sdp();
	worker->take();
	ask({{"command", S("delete")}, {"call-id", S("msrp2")},
	     {"from-tag", S("ue")}});
}

// An answer whose install fails (a worker refuses an UPDATE) removes the
// media's streams, reading where they were in the same round trip. The
// next answer (the 200 after a 183) adds them again under the same keys,
// aegw's toward the UE included: from there, not from index 0, where the
// contexts would protect indices they had protected.
TEST_F(ReInvite, AnswerAfterAFailedInstallResumes)
{
	const uint64_t in = (3ull << 16) + 100, out = (4ull << 16) + 200;
	worker.reset();
	worker = std::make_unique<FakeWorker>(inst, in, out);
	ctl_tick(&c);
	worker->take();
	const std::string ours = call(7000, kKey1, 9000);
	ASSERT_NE(ours, "");
	worker->take();

	const std::string offer = ue_offer_sdp(7002, kKey1, "", "2");
	const std::string answer = core_answer_sdp(9000);
	ASSERT_EQ(ask({{"command", S("offer")}, {"call-id", S("re")},
		       {"from-tag", S("ue")}, {"sdp", S(offer)},
		       {"transport-protocol", S("RTP/AVP")}}).result(), "ok");
	auto answer_it = [&] {
		return ask({{"command", S("answer")}, {"call-id", S("re")},
			    {"from-tag", S("ue")}, {"to-tag", S("core")},
			    {"sdp", S(answer)}});
	};
	worker->refuse_next_update();
	Reply a = answer_it();
	EXPECT_EQ(a.result(), "error") << a.raw();
	std::vector<Seen> failed = worker->take();
	EXPECT_EQ(count(failed, AEGW_CMD_COUNTERS), 2u) << "read, then";
	EXPECT_EQ(count(failed, AEGW_CMD_REMOVE_STREAM), 2u);

	a = answer_it();
	ASSERT_EQ(a.result(), "ok") << a.raw();
	EXPECT_NE(a.sdp().find(ours), std::string::npos) << "the same key";
	std::vector<Seen> again = worker->take();
	ASSERT_EQ(count(again, AEGW_CMD_ADD_STREAM), 2u);
	for (const Seen &x : again) {
		EXPECT_EQ(x.resume_in, in);
		EXPECT_EQ(x.resume_out, out);
		EXPECT_EQ(x.rtcp_out, 60u + 1024);
	}
	ask({{"command", S("delete")}, {"call-id", S("re")},
	     {"from-tag", S("ue")}});
	worker->take();
}

// Both daemons restart on the same boot and build (both killed, both
// services restarted; a reboot empties /dev/shm, an upgrade across a
// layout wipes the journal): the new aegw-control takes the calls back
// from its journal and
// installs them into the new dataplane, under the same keys, from the
// readings the journal has. A sample that moves a reading far enough (a
// first packet, another ROC, SRTCP 512 further) writes the call's record
// again; one that does not, does not.
TEST_F(ReInvite, RestartOfBothResumesFromTheJournal)
{
	const uint64_t in = (3ull << 16) + 100, out = (4ull << 16) + 200;
	const std::string ji = inst + "j";
	auto dataplane = std::make_unique<FakeWorker>(ji, in, out);
	ctl d{};
	auto start = [&] { start_journaled(d, ji); };
	start();
	ASSERT_EQ(ue_call("jr", ue_offer_sdp(7000, kKey1), core_answer_sdp(9000),
			  &d).result(), "ok");
	auto sample = [&] {
		uint64_t before = d.journal.written;
		d.calls.first->next_sample_ns = 0;
		ctl_tick(&d);
		return d.journal.written - before;
	};
	EXPECT_EQ(sample(), 1u) << "the first reading is written";
	EXPECT_EQ(sample(), 0u) << "the same reading is not";
	dataplane->set_out(out + 1000, 60 + 100);
	EXPECT_EQ(sample(), 0u) << "nor one a restart may resume short of";
	dataplane->set_out(out + (1u << 14), 60 + 100);
	EXPECT_EQ(sample(), 1u) << "RTP a step on: written";
	dataplane->set_out(out + (1u << 14), 60 + 600);
	EXPECT_EQ(sample(), 1u) << "SRTCP a step on: written";
	std::vector<Seen> back = restart_both(d, dataplane, ji, in, out);
	ASSERT_EQ(count(back, AEGW_CMD_ADD_STREAM), 2u);
	for (const Seen &x : back) {
		if (x.type != AEGW_CMD_ADD_STREAM)
			continue;
		EXPECT_EQ(x.resume_in, in);
		EXPECT_EQ(x.resume_out, out + (1u << 14));
		EXPECT_EQ(x.rtcp_out, 660u + 1024);
		EXPECT_EQ(x.rtcp_out_start, 660u + 1024);
	}
	stop_journaled(d, dataplane, ji, "jr");
}

// no-rtcp-attribute on an answer: the SDP toward the offerer has no
// a=rtcp (the offer's reply, without the flag, has aegw's).
TEST_F(ReInvite, NoRtcpAttributeOnTheAnswer)
{
	Reply o = ask({{"command", S("offer")}, {"call-id", S("nra")},
		       {"from-tag", S("ue")},
		       {"sdp", S(ue_offer_sdp(7000, kKey1))},
		       {"transport-protocol", S("RTP/AVP")}});
	ASSERT_EQ(o.result(), "ok") << o.raw();
	EXPECT_NE(o.sdp().find("a=rtcp:"), std::string::npos) << o.sdp();
	Reply a = ask({{"command", S("answer")}, {"call-id", S("nra")},
		       {"from-tag", S("ue")}, {"to-tag", S("core")},
		       {"sdp", S(core_answer_sdp(9000, "a=rtcp:9005\r\n"))},
		       {"flags", L({"no-rtcp-attribute"})}});
	ASSERT_EQ(a.result(), "ok") << a.raw();
	EXPECT_EQ(a.sdp().find("a=rtcp:"), std::string::npos) << a.sdp();
}

// A dataplane of another shape (here two workers, then one again)
// replaces the object: the old mapping reads epoch 0. When the new
// object is not there at that moment, the daemon attaches to it later,
// and that attach is to a new dataplane: the calls go in again, they are
// not looked for as a previous control's streams.
TEST_F(ReInvite, ACallIsReplayedWhenTheNewObjectCameLate)
{
	const std::string ri = inst + "r";
	auto dataplane = std::make_unique<FakeWorker>(ri);
	ctl d{};
	start_daemon(d, ri, {"--journal", "off"});
	ASSERT_EQ(ue_call("late", ue_offer_sdp(7000, kKey1),
			  core_answer_sdp(9000), &d).result(), "ok");
	dataplane.reset();
	aegw_shm *other = nullptr;
	ASSERT_EQ(aegw_shm_create(ri.c_str(), 2, &other), 0);
	aegw_shm_detach(other);
	aegw_shm_unlink(ri.c_str()); // the successor is not there yet
	ctl_tick(&d);
	EXPECT_FALSE(ctl_ring_ready(&d.ring));
	dataplane = std::make_unique<FakeWorker>(ri);
	d.ring.next_attach_ns = 0; // no need to wait for the retry
	ctl_tick(&d);
	ASSERT_TRUE(ctl_ring_ready(&d.ring));
	std::vector<Seen> back = dataplane->take();
	EXPECT_EQ(count(back, AEGW_CMD_ADD_STREAM), 2u)
		<< "the call's two streams, installed again";
	EXPECT_EQ(d.stats.replays, 2u);
	ctl_fini(&d);
	dataplane.reset();
	aegw_shm_unlink(ri.c_str());
}

// A daemon that finds streams no journal claims (the previous one ran
// with --journal off, or its journal was lost): a static stream is taken
// back as the static stream it was; a call's two streams are paired, kept
// while either peer sends and removed, their ports freed, once both were
// silent for --timeout. The walk is driven with an injected clock.
TEST_F(ReInvite, StreamsNoCallClaimsGoOnceSilent)
{
	const std::string ai = inst + "a";
	auto dataplane = std::make_unique<FakeWorker>(ai);
	auto start = [&](ctl &d, const char *timeout) {
		start_daemon(d, ai, {"--journal", "off", "--timeout", timeout});
	};
	ctl before{};
	start(before, "60");
	ASSERT_EQ(ue_call("gone", ue_offer_sdp(7000, kKey1),
			  core_answer_sdp(9000), &before).result(), "ok");
	ctl_static_req req{};
	char err[200];
	req.iface = "access";
	req.iface_len = 6;
	req.out_iface = "core";
	req.out_iface_len = 4;
	req.port = 20090;
	req.action = AEGW_ACTION_RELAY;
	req.peer = {4, 0, 4000, {192, 168, 0, 9}};
	req.remote = {4, 0, 5000, {10, 0, 0, 9}};
	req.rtcp_mux = true;
	req.rtcp_out = AEGW_STREAM_RTCP_OUT_SPLIT;
	const ctl_static_stream *st = ctl_static_install(&before, &req, err,
							 sizeof(err));
	ASSERT_NE(st, nullptr) << err;
	const ctl_static_stream kept = *st;
	ctl_fini(&before);

	ctl d{};
	start(d, "3");
	EXPECT_EQ(d.stats.adopted, 3u);
	ASSERT_EQ(d.statics.n, 1u) << "the static stream is one again";
	const ctl_static_stream *back = ctl_static_find(&d, kept.id);
	ASSERT_NE(back, nullptr);
	EXPECT_EQ(back->port, 20090);
	EXPECT_EQ(back->source_port, 20090);
	EXPECT_EQ(back->iface, &d.ifaces[0]);
	EXPECT_EQ(back->out_iface, &d.ifaces[1]);
	EXPECT_EQ(back->action, AEGW_ACTION_RELAY);
	EXPECT_EQ(back->peer.port, 4000);
	EXPECT_EQ(back->remote.port, 5000) << "fixed, not latched";
	EXPECT_TRUE(back->rtcp_mux);
	EXPECT_EQ(back->rtcp_out, AEGW_STREAM_RTCP_OUT_SPLIT);
	EXPECT_TRUE(back->reserved);
	ASSERT_EQ(d.adopted.live, 2u);
	EXPECT_EQ(d.adopted.s[0].reverse, 2u) << "the call's two streams pair";
	EXPECT_EQ(d.adopted.s[1].reverse, 1u);
	EXPECT_EQ(d.ifaces[0].pool.n_used, 2u) << "the call's and the static's";
	EXPECT_EQ(d.ifaces[1].pool.n_used, 1u);

	dataplane->take();
	// The attach's tick read the pair once (rx 5 each): the walk's
	// clock starts there.
	const uint64_t s = 1000000000ull, t0 = d.adopted.s[0].next_sample_ns - s;
	const uint32_t one = d.adopted.s[0].id, other = d.adopted.s[1].id;
	auto walk = [&](uint64_t at) {
		ctl_adopted_walk(&d, at, true);
		return dataplane->take();
	};
	EXPECT_EQ(count(walk(t0 + s / 2), AEGW_CMD_COUNTERS), 0u)
		<< "at most once a second";
	dataplane->set_rx(other, 6);
	std::vector<Seen> moved = walk(t0 + s * 11 / 10);
	EXPECT_EQ(count(moved, AEGW_CMD_COUNTERS), 2u) << "one read of the pair";
	EXPECT_EQ(count(moved, AEGW_CMD_REMOVE_STREAM), 0u)
		<< "one of the two peers sent: both kept";
	EXPECT_EQ(count(walk(t0 + s * 22 / 10), AEGW_CMD_REMOVE_STREAM), 0u)
		<< "silent for 1.1 s of --timeout 3: kept";
	EXPECT_EQ(count(walk(t0 + s * 33 / 10), AEGW_CMD_REMOVE_STREAM), 0u)
		<< "2.2 s";
	EXPECT_EQ(d.adopted.live, 2u);
	dataplane->refuse_next_remove(); // the first of the two fails
	std::vector<Seen> last = walk(t0 + s * 44 / 10);
	EXPECT_EQ(count(last, AEGW_CMD_COUNTERS), 4u)
		<< "the read, then the last counters with the REMOVEs";
	EXPECT_EQ(count(last, AEGW_CMD_REMOVE_STREAM), 2u) << "3.3 s: gone";
	for (const Seen &x : last)
		if (x.type == AEGW_CMD_REMOVE_STREAM) {
			EXPECT_TRUE(x.id == one || x.id == other) << x.id;
		}
	ASSERT_EQ(d.adopted.live, 1u) << "the one whose REMOVE failed stays";
	EXPECT_EQ(d.stats.adopted_reaped, 1u);
	EXPECT_EQ(d.ifaces[0].pool.n_used + d.ifaces[1].pool.n_used, 2u)
		<< "its port stays reserved, beside the static's; the other's "
		   "went back";
	// Judged alone from its next read: that read is a move (the pair's
	// reading no longer fits it), silence counts from there.
	EXPECT_EQ(count(walk(t0 + s * 55 / 10), AEGW_CMD_REMOVE_STREAM), 0u);
	last = walk(t0 + s * 88 / 10);
	EXPECT_EQ(count(last, AEGW_CMD_REMOVE_STREAM), 1u) << "then it goes";
	EXPECT_EQ(d.adopted.live, 0u);
	EXPECT_EQ(d.stats.adopted_reaped, 2u);
	EXPECT_EQ(d.ifaces[0].pool.n_used, 1u) << "the static's pair stays";
	EXPECT_EQ(d.ifaces[1].pool.n_used, 0u);
	EXPECT_NE(ctl_static_find(&d, kept.id), nullptr);
	ctl_fini(&d);
	dataplane.reset();
	aegw_shm_unlink(ai.c_str());
}

// A stream that pairs with no other is no call's (here a static one
// whose flag the dump does not show, as one that did not fit back would
// be adopted): the next daemon keeps it, however silent, and gives its
// port back once when it is removed by hand. Two static streams that
// name each other (a two-way relay by hand) never pair.
TEST_F(ReInvite, AStreamThatPairsWithNoneIsKept)
{
	const std::string ai = inst + "o";
	auto dataplane = std::make_unique<FakeWorker>(ai);
	ctl before{}, d{};
	start_daemon(before, ai, {"--journal", "off"});
	ctl_static_req req{};
	char err[200];
	req.iface = "access";
	req.iface_len = 6;
	req.port = 20094;
	req.action = AEGW_ACTION_RELAY;
	req.peer = {4, 0, 4000, {10, 0, 0, 9}};
	const ctl_static_stream *st = ctl_static_install(&before, &req, err,
							 sizeof(err));
	ASSERT_NE(st, nullptr) << err;
	const uint32_t id = st->id;
	ctl_fini(&before);

	dataplane->dump_without(AEGW_STREAM_STATIC);
	start_daemon(d, ai, {"--journal", "off", "--timeout", "1"});
	EXPECT_EQ(d.statics.n, 0u);
	ASSERT_EQ(d.adopted.live, 1u);
	EXPECT_EQ(d.adopted.s[0].reverse, 0u);
	EXPECT_EQ(d.ifaces[0].pool.n_used, 1u);
	dataplane->take();
	const uint64_t later = ctl_now_ns() + 10 * 1000000000ull;
	ctl_adopted_walk(&d, later, true);
	ctl_adopted_walk(&d, later + 5 * 1000000000ull, true);
	std::vector<Seen> seen = dataplane->take();
	EXPECT_EQ(count(seen, AEGW_CMD_COUNTERS), 0u) << "not even read";
	EXPECT_EQ(count(seen, AEGW_CMD_REMOVE_STREAM), 0u);
	EXPECT_EQ(d.adopted.live, 1u);

	ASSERT_EQ(ctl_static_uninstall(&d, id, err, sizeof(err)), 0) << err;
	EXPECT_EQ(count(dataplane->take(), AEGW_CMD_REMOVE_STREAM), 1u);
	EXPECT_EQ(d.adopted.live, 0u);
	EXPECT_EQ(d.ifaces[0].pool.n_used, 0u) << "its port back";
	ASSERT_TRUE(ctl_pool_reserve(&d.ifaces[0].pool, 20094))
		<< "as a new call would take it";
	EXPECT_NE(ctl_static_uninstall(&d, id, err, sizeof(err)), 0);
	EXPECT_EQ(d.ifaces[0].pool.n_used, 1u) << "and not given back twice";
	ctl_pool_put(&d.ifaces[0].pool, 20094);

	aegw_evt e{};
	e.type = AEGW_EVT_STREAM;
	e.flags = AEGW_STREAM_STATIC;
	e.local = {4, 0, 20096, {10, 0, 0, 1}};
	e.egress_src = {4, 0, 30096, {192, 168, 0, 1}};
	e.stream_id = 901;
	ASSERT_TRUE(ctl_adopted_add(&d, &e));
	std::swap(e.local, e.egress_src);
	e.stream_id = 902;
	ASSERT_TRUE(ctl_adopted_add(&d, &e));
	ctl_adopted_pair(&d.adopted);
	EXPECT_FALSE(ctl_adopted_find(&d.adopted, 901)->paired);
	EXPECT_FALSE(ctl_adopted_find(&d.adopted, 902)->paired);
	ctl_adopted_drop_all(&d);
	e.flags = 0;
	e.stream_id = 903;
	ASSERT_TRUE(ctl_adopted_add(&d, &e));
	std::swap(e.local, e.egress_src);
	e.stream_id = 904;
	ASSERT_TRUE(ctl_adopted_add(&d, &e));
	ctl_adopted_pair(&d.adopted);
	EXPECT_TRUE(ctl_adopted_find(&d.adopted, 903)->paired)
		<< "the same two, not static: a call's";
	ctl_adopted_drop_all(&d);
	EXPECT_EQ(d.ifaces[0].pool.n_used + d.ifaces[1].pool.n_used, 0u)
		<< "the new dataplane has none of them: their ports go back";
	ctl_fini(&d);
	dataplane.reset();
	aegw_shm_unlink(ai.c_str());
}

// The dataplane's readings reach the journal at the next tick, with no
// sample of the walk: a restart of both daemons resumes from them. One
// sent before an answer installed the streams again is dropped (its
// contexts may be gone); one of a stream no call has is counted.
TEST_F(ReInvite, ReadingsReachTheJournalWithoutTheWalk)
{
	const uint64_t in = (3ull << 16) + 100, out = (4ull << 16) + 200;
	const std::string ji = inst + "r";
	auto dataplane = std::make_unique<FakeWorker>(ji, in, out);
	ctl d{};
	auto start = [&](bool tick = true) { start_journaled(d, ji, tick); };
	start();
	ASSERT_EQ(ue_call("rd", ue_offer_sdp(7000, kKey1), core_answer_sdp(9000),
			  &d).result(), "ok");
	ctl_call *call = d.calls.first;
	call->next_sample_ns = UINT64_MAX; // the walk never comes by
	const uint32_t toward_ue = call->media[0].stream_id[1];
	auto results = [&](ctl_reading_result r) {
		return d.readings.results[r];
	};
	// An announcement's SSRC before 0x1234, past its wrap.
	const aegw_srtp_ssrc_at announcement = { 0x4444, 0, (1ull << 16) + 5 };
	dataplane->set_earlier_out(announcement);
	uint64_t written = d.journal.written;

	dataplane->reading(toward_ue, out + 100, 60);
	ctl_tick(&d);
	EXPECT_EQ(results(CTL_READING_JOURNALED), 1u) << "the first one";
	dataplane->reading(toward_ue, out + 200, 70);
	ctl_tick(&d);
	EXPECT_EQ(results(CTL_READING_KEPT), 1u) << "less than a step on";
	const uint64_t far = out + (2u << AEGW_SRTP_READING_STEP_LOG2);
	dataplane->reading(toward_ue, far, 70);
	ctl_tick(&d);
	EXPECT_EQ(results(CTL_READING_JOURNALED), 2u) << "a step on";
	EXPECT_EQ(d.journal.written - written, 2u);

	// Queued by a drain before an answer: into what its install
	// resumes from (a re-INVITE keeps the keys), before it.
	const uint64_t step = 1u << AEGW_SRTP_READING_STEP_LOG2;
	dataplane->reading(toward_ue, far + 4 * step, 70);
	ctl_ring_poll(&d.ring);
	ASSERT_EQ(ask({{"command", S("answer")}, {"call-id", S("rd")},
		       {"from-tag", S("ue")}, {"to-tag", S("core")},
		       {"sdp", S(core_answer_sdp(9000))}}, &d).result(), "ok");
	EXPECT_EQ(results(CTL_READING_JOURNALED), 3u) << "before the install";
	EXPECT_EQ(call->media[0].resume[1].rtp_out.index, far + 4 * step);
	// Sent before the worker answered a sample's COUNTERS: applied
	// after the sample, at the next tick, but of one SSRC the higher
	// index stays.
	dataplane->set_out(far + 5 * step, 80);
	dataplane->reading_before_counters(toward_ue, far + 4 * step + 2, 70);
	call->next_sample_ns = 0;
	ctl_tick(&d);
	call->next_sample_ns = UINT64_MAX;
	uint64_t kept = results(CTL_READING_KEPT);
	ctl_tick(&d);
	EXPECT_EQ(results(CTL_READING_KEPT), kept + 1);
	EXPECT_EQ(call->media[0].resume[1].rtp_out.index, far + 5 * step);
	EXPECT_EQ(call->media[0].resume[1].rtcp_out.index, 80u);
	// Queued before a sample (by another call's wait in the same tick,
	// say): older than the sample, dropped.
	dataplane->reading(toward_ue, far + 4 * step + 3, 70);
	ctl_ring_poll(&d.ring);
	call->next_sample_ns = 0;
	ctl_timeout_tick(&d);
	call->next_sample_ns = UINT64_MAX;
	ctl_tick(&d);
	EXPECT_EQ(results(CTL_READING_STALE), 1u);
	// aegw's SRTCP is read as the highest index it sent for any SSRC:
	// a lower one arriving late does not take it back, whatever its
	// SSRC.
	dataplane->reading(toward_ue, far + 5 * step, 75, 0x9999);
	ctl_tick(&d);
	EXPECT_EQ(call->media[0].resume[1].rtcp_out.index, 80u);
	dataplane->reading(123456, far, 70);
	ctl_tick(&d);
	EXPECT_EQ(results(CTL_READING_UNKNOWN), 1u);
	std::vector<Seen> back = restart_both(d, dataplane, ji, in, out);
	ASSERT_EQ(count(back, AEGW_CMD_ADD_STREAM), 2u);
	for (const Seen &x : back) {
		if (x.type != AEGW_CMD_ADD_STREAM || x.id != toward_ue)
			continue;
		EXPECT_EQ(x.resume_out, far + 5 * step) << "the newest";
		EXPECT_EQ(x.rtcp_out, 80u + 1024);
		EXPECT_EQ(x.earlier_out.ssrc, announcement.ssrc);
		EXPECT_EQ(x.earlier_out.index, announcement.index)
			<< "the SSRC before the last one";
	}

	// Control alone restarts: the dump's readings (the dataplane went
	// on) reach the journal before anything else could.
	const uint64_t later = far + 8 * step;
	dataplane->set_out(later, 2000);
	ctl_fini(&d);
	start(false);
	EXPECT_EQ(count(dataplane->take(), AEGW_CMD_ADD_STREAM), 0u)
		<< "the streams are claimed, not added";
	ctl_fini(&d);
	dataplane.reset();
	dataplane = std::make_unique<FakeWorker>(ji, in, out);
	start();
	back = dataplane->take();
	ASSERT_EQ(count(back, AEGW_CMD_ADD_STREAM), 2u);
	for (const Seen &x : back) {
		if (x.type != AEGW_CMD_ADD_STREAM)
			continue;
		EXPECT_EQ(x.resume_out, later) << "from the dump";
		EXPECT_EQ(x.rtcp_out, 2000u + 1024);
	}
	stop_journaled(d, dataplane, ji, "rd");
}

// A dataplane restart: every stream is installed again under the keys it
// had, its contexts resuming from the highest index the last sample read
// (a sender past a wrap would otherwise fail every packet, and aegw would
// protect indices again). A key that changed since starts afresh.
TEST_F(ReInvite, ReplayResumesWhereTheContextsWere)
{
	const uint64_t in = (3ull << 16) + 100, out = (4ull << 16) + 200;
	worker.reset();
	worker = std::make_unique<FakeWorker>(inst, in, out);
	ctl_tick(&c); // the new dataplane: replay of nothing
	worker->take();
	call(7000, kKey1, 9000);
	std::vector<Seen> first = worker->take();
	ASSERT_EQ(count(first, AEGW_CMD_ADD_STREAM), 2u);
	for (const Seen &a : first)
		EXPECT_EQ(a.rtcp_out_start, 0u) << "a new key counts from 0";

	auto restart = [&] {
		worker.reset();
		worker = std::make_unique<FakeWorker>(inst, in, out);
		ctl_tick(&c);
		return worker->take();
	};
	// Before any reading (a restart within a second of the install):
	// whatever SRTCP aegw protected under its key, it is not sent again.
	// (The fake reports fixed readings: no sample in between here.)
	c.calls.first->next_sample_ns = UINT64_MAX;
	std::vector<Seen> replay = restart();
	ASSERT_EQ(count(replay, AEGW_CMD_ADD_STREAM), 2u);
	for (const Seen &a : replay) {
		if (a.type != AEGW_CMD_ADD_STREAM)
			continue;
		EXPECT_EQ(a.rtcp_out, 0u);
		EXPECT_EQ(a.rtcp_out_start, 1024u)
			<< "every SSRC's SRTCP starts above what it may have used";
	}
	// Again before a reading (a dataplane that restarts in a loop):
	// the next gap above, not the same one.
	c.calls.first->next_sample_ns = UINT64_MAX;
	replay = restart();
	ASSERT_EQ(count(replay, AEGW_CMD_ADD_STREAM), 2u);
	for (const Seen &a : replay) {
		if (a.type != AEGW_CMD_ADD_STREAM)
			continue;
		EXPECT_EQ(a.rtcp_out, 2048u);
		EXPECT_EQ(a.rtcp_out_start, 2048u);
	}

	// aegw's SRTCP went on from the last gap (a reading below it
	// would be one from before the replays, and is not taken).
	worker->set_out(out, 3000);
	c.calls.first->next_sample_ns = 0;
	ctl_tick(&c); // the timeout walk samples the call
	ASSERT_EQ(count(worker->take(), AEGW_CMD_COUNTERS), 2u);
	replay = restart();
	ASSERT_EQ(count(replay, AEGW_CMD_ADD_STREAM), 2u);
	for (const Seen &a : replay) {
		// The fake reports both for every stream; each stream's spec
		// carries them to the contexts it has.
		EXPECT_EQ(a.resume_in, in);
		EXPECT_EQ(a.resume_out, out);
		EXPECT_EQ(a.rtcp_in, 50u);
		EXPECT_EQ(a.rtcp_out, 3000u + 1024)
			<< "aegw numbers what it protects: resumed above a "
			   "reading that may lag";
		EXPECT_EQ(a.rtcp_out_start, 3000u + 1024)
			<< "and an SSRC the reading does not name too";
	}

	// A new UE key (aegw keeps its own): the contexts of the new key
	// start afresh in the next replay (no sample since), those of the
	// kept one resume.
	call(7000, kKey2, 9000);
	std::vector<Seen> rekey = worker->take();
	ASSERT_EQ(rekey.size(), 1u);
	replay = restart();
	ASSERT_EQ(count(replay, AEGW_CMD_ADD_STREAM), 2u);
	for (const Seen &u : rekey) {
		for (const Seen &a : replay) {
			if (a.id != u.id)
				continue;
			EXPECT_EQ(a.resume_in, u.mask & AEGW_UPDATE_IN_KEY ? 0u : in);
			EXPECT_EQ(a.resume_out,
				  u.mask & AEGW_UPDATE_OUT_KEY ? 0u : out);
		}
	}
	for (const Seen &a : replay) {
		if (a.id != rekey[0].id) {
			EXPECT_EQ(a.resume_out, out) << "aegw's kept key goes on";
		}
	}
}

// aegw's first SRTCP packet has index 0 (RFC 3711 3.3.2): a context that
// sent it reads as SSRC and index 0, which is state, not none. A replay
// resumes it above that reading too, or index 0 would be protected again
// under the same key.
TEST_F(ReInvite, ReplayResumesAfterTheFirstSrtcpIndex)
{
	const uint64_t in = 100, out = 200;
	worker.reset();
	worker = std::make_unique<FakeWorker>(inst, in, out, 0);
	ctl_tick(&c);
	worker->take();
	call(7000, kKey1, 9000);
	worker->take();
	c.calls.first->next_sample_ns = 0;
	ctl_tick(&c);
	ASSERT_EQ(count(worker->take(), AEGW_CMD_COUNTERS), 2u);
	worker.reset();
	worker = std::make_unique<FakeWorker>(inst, in, out, 0);
	ctl_tick(&c);
	std::vector<Seen> replay = worker->take();
	ASSERT_EQ(count(replay, AEGW_CMD_ADD_STREAM), 2u);
	for (const Seen &a : replay)
		EXPECT_EQ(a.rtcp_out, 1024u) << "above index 0, which was used";
}

} // namespace

namespace {

struct MuxRow {
	const char *what;
	std::vector<std::string> flags; // ng rtcp-mux
	bool ue_offers, core_answers;   // a=rtcp-mux in their SDPs
	bool to_core, to_ue;            // ... in what aegw sends them
	uint32_t from_ue, from_core;    // the streams' RTCP flags
};

} // namespace

// rtpengine's rtcp-mux values, leg by leg: what each side is told, and the
// dataplane's flags for the streams from the UE (access) and from the core.
TEST_F(ReInvite, RtcpMuxLegByLeg)
{
	const uint32_t MUX = AEGW_STREAM_RTCP_MUX, SPLIT = AEGW_STREAM_RTCP_OUT_SPLIT,
		       OMUX = AEGW_STREAM_RTCP_OUT_MUX;
	const std::vector<MuxRow> rows = {
		{"as offered and answered", {}, true, true, true, true, MUX, MUX},
		{"not answered", {}, true, false, true, false, 0, 0},
		{"demux", {"demux"}, true, false, false, true, MUX | SPLIT, OMUX},
		{"accept", {"accept"}, true, false, true, true, MUX | SPLIT, OMUX},
		{"offer", {"offer"}, false, true, true, false, OMUX, MUX | SPLIT},
		{"reject", {"reject"}, true, true, false, false, 0, 0},
		{"require", {"require"}, false, false, true, false, OMUX, MUX | SPLIT},
	};
	unsigned k = 0;
	for (const MuxRow &r : rows) {
		SCOPED_TRACE(r.what);
		std::string id = "mux" + std::to_string(k++);
		std::string mux = "a=rtcp-mux\r\n";
		std::string offer = "v=0\r\no=- 1 1 IN IP4 10.0.0.2\r\ns=-\r\n"
				    "c=IN IP4 10.0.0.2\r\nt=0 0\r\n"
				    "m=audio 7000 RTP/SAVP 0\r\na=crypto:1 "
				    "AES_CM_128_HMAC_SHA1_80 inline:" + kKey1 + "\r\n" +
				    (r.ue_offers ? mux : "");
		std::string answer = "v=0\r\no=- 2 1 IN IP4 192.168.0.2\r\ns=-\r\n"
				     "c=IN IP4 192.168.0.2\r\nt=0 0\r\n"
				     "m=audio 9000 RTP/AVP 0\r\n" +
				     (r.core_answers ? mux : "");
		std::vector<std::pair<std::string, std::string>> kv = {
			{"command", S("offer")}, {"call-id", S(id)},
			{"from-tag", S("ue")}, {"sdp", S(offer)},
			{"transport-protocol", S("RTP/AVP")}};
		if (!r.flags.empty())
			kv.push_back({"rtcp-mux", L(r.flags)});
		Reply o = ask(kv);
		ASSERT_EQ(o.result(), "ok") << o.raw();
		EXPECT_EQ(o.sdp().find("a=rtcp-mux") != std::string::npos, r.to_core)
			<< o.sdp();
		Reply a = ask({{"command", S("answer")}, {"call-id", S(id)},
			       {"from-tag", S("ue")}, {"to-tag", S("core")},
			       {"sdp", S(answer)}});
		ASSERT_EQ(a.result(), "ok") << a.raw();
		EXPECT_EQ(a.sdp().find("a=rtcp-mux") != std::string::npos, r.to_ue)
			<< a.sdp();
		std::vector<Seen> adds = worker->take();
		ASSERT_EQ(adds.size(), 2u);
		for (const Seen &x : adds) {
			bool from_ue = x.local_port < 30000;
			uint32_t rtcp = x.flags & (MUX | SPLIT | OMUX);
			EXPECT_EQ(rtcp, from_ue ? r.from_ue : r.from_core)
				<< (from_ue ? "from the UE" : "from the core");
		}
		ask({{"command", S("delete")}, {"call-id", S(id)}, {"from-tag", S("ue")}});
		worker->take();
	}
}

// ---- a call's quality from its peers' RTCP ----------------------------

// An EVT_RTCP as a worker sends it: one report of `from`, an SR when
// ntp_mid is not 0, and one block about `about` when lsr or jitter is.
aegw_evt rtcp_evt(uint32_t stream, uint64_t rx_ns, uint32_t from,
		  uint32_t ntp_mid, uint32_t about = 0, uint32_t lsr = 0,
		  double dlsr_s = 0, uint32_t jitter = 0, uint8_t fraction = 0)
{
	aegw_evt e{};
	e.type = AEGW_EVT_RTCP;
	e.stream_id = stream;
	e.rtcp.rx_ns = rx_ns;
	e.rtcp.ssrc = from;
	e.rtcp.has_sr = ntp_mid != 0;
	e.rtcp.sr_ntp_mid = ntp_mid;
	if (about) {
		e.rtcp.n_blocks = 1;
		e.rtcp.block[0].ssrc = about;
		e.rtcp.block[0].lsr = lsr;
		e.rtcp.block[0].dlsr = uint32_t(dlsr_s * 65536 + 0.5);
		e.rtcp.block[0].jitter = jitter;
		e.rtcp.block[0].fraction_lost = fraction;
	}
	return e;
}

// ITU-T G.107's MOS of a rating R, clamped as rtpengine clamps it.
double mos_of_r(double r)
{
	return r < 0 ? 1 : r > 100 ? 4.5 :
	       1 + 0.035 * r + 7e-6 * r * (r - 60) * (100 - r);
}

// The two formulas of rtpengine (daemon/ssrc.c) in floating point: the
// integer arithmetic of quality.c must come within a tenth of them.
// rtpengine 13.1's: the narrowband E-model.
int g107_mos10(double rtt_ms, double jitter_ms, double loss_pct)
{
	double d = rtt_ms / 2 + jitter_ms;
	double id = 0.024 * d + (d > 177.3 ? 0.11 * (d - 177.3) : 0);
	double r = loss_pct <= 93 ? 93.2 - loss_pct : 0;
	return int(mos_of_r(0.18 * r * r - 27.9 * r + 1126.62 - id) * 10);
}

// rtpengine up to 13.0's (PingPlotter's), in floating point as 10.5 has
// it: the round trip in whole ms, no clamp above, and under 1.0 from an
// R above 0 is no MOS (0).
int legacy_mos10(double rtt_ms, double jitter_ms, double loss_pct)
{
	double eff = std::floor(rtt_ms) + 2 * jitter_ms + 10;
	double r = eff < 160 ? 93.2 - eff / 40 : 93.2 - (eff - 120) / 10;
	r -= 2.5 * loss_pct;
	if (r < 0)
		return 10;
	int mos = int((1 + 0.035 * r + 7e-6 * r * (r - 60) * (100 - r)) * 10);
	return mos < 10 ? 0 : mos;
}

TEST(Quality, MosAsRtpengineFiguresIt)
{
	struct { uint32_t rtt_us, jitter_ms, loss; } cases[] = {
		{ 1000, 0, 0 },    { 70000, 10, 0 },  { 70000, 20, 10 },
		{ 300000, 40, 2 }, { 500000, 100, 5 }, { 40000, 5, 50 },
		{ 20000, 0, 93 },  { 20000, 0, 100 }, { 2000000, 300, 0 },
		{ 150000, 0, 0 },  { 1944, 20, 10 },  { 8000, 0, 0 },
		{ 2000, 0, 36 },   { 19000, 0, 20 }, { 18000, 0, 9 },
	};
	for (const auto &k : cases) {
		SCOPED_TRACE(std::to_string(k.rtt_us) + " us, " +
			     std::to_string(k.jitter_ms) + " ms, " +
			     std::to_string(k.loss) + "%");
		// rtpengine 13.1's integers come within a tenth of the
		// E-model; 10.5's floating point is the legacy formula.
		int want = g107_mos10(k.rtt_us / 1000.0, k.jitter_ms, k.loss);
		int got = int(ctl_quality_mos(CTL_MOS_G107, k.rtt_us,
					      k.jitter_ms, k.loss));
		EXPECT_LE(std::abs(got - want), 1) << got << " vs " << want;
		EXPECT_GE(got, 10);
		EXPECT_LE(got, 45);
		EXPECT_EQ(int(ctl_quality_mos(CTL_MOS_LEGACY, k.rtt_us,
					      k.jitter_ms, k.loss)),
			  legacy_mos10(k.rtt_us / 1000.0, k.jitter_ms, k.loss));
	}
	EXPECT_EQ(ctl_quality_mos(CTL_MOS_LEGACY, 8000, 0, 0), 44u)
		<< "a LAN call, as 10.5 says it";
	EXPECT_EQ(ctl_quality_mos(CTL_MOS_LEGACY, 2000, 0, 36), 0u)
		<< "R just above 0: no MOS in 10.5";
	// Debian 12's rtpengine 10.5 (userspace, PCMU), fed RTCP with these
	// figures on 2026-11-29, said 3.4 and 4.3.
	EXPECT_EQ(ctl_quality_mos(CTL_MOS_LEGACY, 1944, 20, 10), 34u);
	EXPECT_EQ(ctl_quality_mos(CTL_MOS_LEGACY, 559, 10, 0), 43u);
	EXPECT_EQ(ctl_quality_mos(CTL_MOS_G107, 1000, 0, 0), 43u)
		<< "no impairment but the codec's";
	EXPECT_EQ(ctl_quality_mos(CTL_MOS_G107, 1944, 20, 10), 26u)
		<< "the E-model weighs loss more";
}

// Both peers send SRs and RRs through an e2ae call. Each RR's round trip
// is its leg's (the SR aegw saw go toward the reporter, and its DLSR);
// a sample has a MOS once both legs' are known; one a second per
// reporter; the delete's reply gives rtpengine's per-SSRC figures, which
// Kamailio's mos_*_pv variables read, and each tag's "ingress SSRCs".
TEST_F(ReInvite, PeersRtcpReportsGiveTheCallsMos)
{
	ASSERT_EQ(ue_call("q", ue_offer_sdp(7000, kKey1),
			  core_answer_sdp(9000)).result(), "ok");
	const ctl_call *call = ctl_call_find(&c.calls, "q", 1);
	ASSERT_NE(call, nullptr);
	const uint32_t from_ue = call->media[0].stream_id[0];
	const uint32_t from_core = call->media[0].stream_id[1];
	const uint32_t ue = 0xe0, core = 0xc0e; // "224", "3086"
	const uint64_t t = 5000000000ull, s = 1000000000ull;
	auto send = [&](const aegw_evt &e) {
		worker->spontaneous(e);
		ctl_tick(&c); // drains the ring
	};
	send(rtcp_evt(from_core, t, core, 0x11110000));
	send(rtcp_evt(from_ue, t + s / 100, ue, 0x22220000));
	// The UE: 50 ms to it and back; the core's leg not known yet.
	send(rtcp_evt(from_ue, t + s, ue, 0, core, 0x11110000, 0.95, 80));
	Reply early = ask({{"command", S("query")}, {"call-id", S("q")}});
	EXPECT_EQ(early.node({"SSRC", "224"}), nullptr)
		<< "listed once a sample had a MOS, as rtpengine 10.5";
	// The core: 20 ms, 10% lost (26/256), 20 ms of jitter at 8 kHz.
	send(rtcp_evt(from_core, t + 3 * s / 2, core, 0, ue, 0x22220000,
		      1.47, 160, 26));
	// The UE again within a second of its last sample: not a sample.
	send(rtcp_evt(from_ue, t + 3 * s / 2, ue, 0, core, 0x11110000, 1.45, 8));
	// ... and after it: 50 ms again (an LSR aegw knows), 10 ms jitter.
	send(rtcp_evt(from_ue, t + 22 * s / 10, ue, 0, core, 0x11110000,
		      2.15, 80));
	// A stream no call has, and a block that echoes no SR (LSR 0), a
	// second after the UE's last sample: nothing.
	aegw_evt stray = rtcp_evt(123456, t + 3 * s, ue, 0, core, 0x11110000, 1, 8);
	stray.rtcp.blocks_dropped = 2; // a report of six blocks
	send(stray);
	send(rtcp_evt(from_ue, t + 4 * s, ue, 0, core, 0, 0, 800));

	Reply q = ask({{"command", S("query")}, {"call-id", S("q")}});
	ASSERT_EQ(q.result(), "ok") << q.raw();
	auto fig = [&](const char *ssrc, const char *which, const char *key) {
		return q.num({"SSRC", ssrc, which, key});
	};
	const time_t now = time(nullptr);
	EXPECT_EQ(fig("224", "average MOS", "samples"), 1)
		<< "the first RR had no MOS, the second is dropped";
	EXPECT_EQ(fig("224", "average MOS", "MOS"), legacy_mos10(70, 10, 0))
		<< "--mos-formula legacy, the default";
	// Within DLSR's resolution (1/65536 s), twice.
	auto near_us = [](int64_t got, int64_t want) {
		return std::abs(got - want) <= 32;
	};
	EXPECT_PRED2(near_us, fig("224", "average MOS", "round-trip time"),
		     70000);
	EXPECT_PRED2(near_us, fig("224", "average MOS", "round-trip time leg"),
		     50000);
	EXPECT_EQ(fig("224", "average MOS", "jitter"), 10);
	EXPECT_EQ(fig("224", "average MOS", "packet loss"), 0);
	EXPECT_EQ(fig("224", "lowest MOS", "MOS"), fig("224", "highest MOS", "MOS"));
	EXPECT_LE(std::abs(fig("224", "lowest MOS", "reported at") - now), 5);
	const int64_t core_mos = fig("3086", "average MOS", "MOS");
	EXPECT_LE(std::abs(core_mos - legacy_mos10(70, 20, 10)), 1) << core_mos;
	EXPECT_LT(core_mos, fig("224", "average MOS", "MOS"));
	EXPECT_PRED2(near_us, fig("3086", "highest MOS", "round-trip time leg"),
		     20000);
	EXPECT_EQ(fig("3086", "highest MOS", "packet loss"), 10);
	EXPECT_EQ(fig("3086", "highest MOS", "jitter"), 20);
	EXPECT_NE(q.raw().find("13:ingress SSRCsld4:SSRCi224eee"),
		  std::string::npos) << "the UE's tag: " << q.raw();
	EXPECT_NE(q.raw().find("13:ingress SSRCsld4:SSRCi3086eee"),
		  std::string::npos) << "the core's tag";
	// A stream's SSRC: Kamailio 5.6's and OpenSIPS's way from a tag to
	// its figures in the SSRC dictionary.
	EXPECT_NE(q.raw().find("ld4:SSRCi224e8:endpoint"), std::string::npos);
	EXPECT_NE(q.raw().find("ld4:SSRCi3086e8:endpoint"), std::string::npos);

	Reply d = ask({{"command", S("delete")}, {"call-id", S("q")},
		       {"from-tag", S("ue")}});
	ASSERT_EQ(d.result(), "ok");
	EXPECT_EQ(d.num({"SSRC", "3086", "lowest MOS", "MOS"}), core_mos)
		<< "the delete gives the same";

	// The metrics' counts: every block once, by what became of it.
	const ctl_quality_stats &st = c.stats.quality;
	EXPECT_EQ(st.blocks[CTL_RTCP_BLOCK_MOS], 2u);
	EXPECT_EQ(st.blocks[CTL_RTCP_BLOCK_NO_MOS], 1u);
	EXPECT_EQ(st.blocks[CTL_RTCP_BLOCK_TOO_SOON], 1u);
	EXPECT_EQ(st.blocks[CTL_RTCP_BLOCK_NO_CALL], 1u);
	EXPECT_EQ(st.blocks[CTL_RTCP_BLOCK_NO_SR], 1u);
	EXPECT_EQ(st.blocks[CTL_RTCP_BLOCK_NO_CLOCK], 0u);
	EXPECT_EQ(st.blocks[CTL_RTCP_BLOCK_EXTRA], 2u);
	EXPECT_EQ(st.mos_sum10, uint64_t(core_mos + legacy_mos10(70, 10, 0)));
	uint64_t in_buckets = 0;
	for (uint64_t b : st.mos_bucket)
		in_buckets += b;
	EXPECT_EQ(in_buckets, 2u);
	// ... and the statistics reply's, under rtpengine 10.5's keys.
	const int ue_mos = legacy_mos10(70, 10, 0);
	auto six = [](double v) {
		char b[32];
		snprintf(b, sizeof(b), "%.6f", v);
		return std::string(b);
	};
	Reply stats = ask({{"command", S("statistics")}});
	EXPECT_EQ(stats.num({"statistics", "mos", "mos_samples_total"}), 2);
	EXPECT_EQ(stats.str({"statistics", "mos", "mos_total"}),
		  six((core_mos + ue_mos) / 10.0));
	EXPECT_EQ(stats.str({"statistics", "mos", "mos2_total"}),
		  six((core_mos * core_mos + ue_mos * ue_mos) / 100.0));
	EXPECT_EQ(stats.str({"statistics", "mos", "mos_average"}),
		  six((core_mos + ue_mos) / 20.0));
}

// A relay's RTCP is read for the call's figures only between two plain
// RTP legs whose SDP named no key: e2e SDES is SRTCP, and a peer that
// put a=crypto on RTP/AVP, or that keys by ZRTP, may send SRTCP too. A re-INVITE that turns a
// plain call into e2e SDES stops it in place.
TEST_F(ReInvite, OnlyPlainRelaysHaveTheirRtcpRead)
{
	auto sdp = [](const char *o, uint16_t port, const char *proto,
		      const std::string &extra, const char *version = "1") {
		return std::string("v=0\r\no=- 1 ") + version + " IN IP4 " + o +
		       "\r\ns=-\r\nc=IN IP4 " + o + "\r\nt=0 0\r\nm=audio " +
		       std::to_string(port) + " " + proto + " 0\r\n" + extra;
	};
	const std::string crypto = "a=crypto:1 AES_CM_128_HMAC_SHA1_80 "
				   "inline:" + kKey1 + "\r\n";
	std::vector<uint32_t> types;
	auto call = [&](const std::string &id, const char *proto,
			const std::string &extra, const char *version = "1",
			const char *answer_extra = nullptr) {
		Reply o = ask({{"command", S("offer")}, {"call-id", S(id)},
			       {"from-tag", S("ue")},
			       {"sdp", S(sdp("10.0.0.2", 7000, proto, extra,
					     version))}});
		EXPECT_EQ(o.result(), "ok") << o.raw();
		Reply a = ask({{"command", S("answer")}, {"call-id", S(id)},
			       {"from-tag", S("ue")}, {"to-tag", S("core")},
			       {"sdp", S(sdp("192.168.0.2", 9000, proto,
					     answer_extra ? answer_extra :
					     extra.empty() ? "" : crypto,
					     version))}});
		EXPECT_EQ(a.result(), "ok") << a.raw();
		std::vector<uint32_t> flags;
		types.clear();
		for (const Seen &s : worker->take())
			if (s.type == AEGW_CMD_ADD_STREAM ||
			    s.type == AEGW_CMD_UPDATE_STREAM) {
				flags.push_back(s.flags & AEGW_STREAM_PLAIN_RTCP);
				types.push_back(s.type);
			}
		return flags;
	};
	const std::vector<uint32_t> read(2, AEGW_STREAM_PLAIN_RTCP), not_read(2, 0);
	EXPECT_EQ(call("plain", "RTP/AVP", ""), read);
	EXPECT_EQ(call("avp-key", "RTP/AVP", crypto), not_read);
	EXPECT_EQ(call("zrtp", "RTP/AVP", "a=zrtp-hash:1.10 0123abcd\r\n", "1",
		       ""), not_read) << "ZRTP keys SRTP in the media path";
	EXPECT_EQ(call("sdes", "RTP/SAVP", crypto), not_read);
	EXPECT_EQ(call("plain", "RTP/SAVP", crypto, "2"), not_read)
		<< "the flag cleared";
	EXPECT_EQ(types, std::vector<uint32_t>(2, AEGW_CMD_UPDATE_STREAM))
		<< "in place";
	const ctl_call *c1 = ctl_call_find(&c.calls, "plain", 5);
	ASSERT_NE(c1, nullptr);
	EXPECT_EQ(c1->media[0].mode, CTL_MODE_E2E_SDES);
}
