// aegw-control as Kamailio meets it: the real daemon and a real
// aegw-dataplane (net_null ports, two workers), driven over UDP and TCP
// with ng messages, starting with the exact datagrams Kamailio 5.6 sends
// (/work/shared/samples/kamailio-ng.txt). Checked: the replies and the
// SDPs they carry (aegw's addresses and ports, the protocol per leg,
// a=crypto removed toward the core and aegw's own key toward the UE), the
// policy per TS 33.328 mode, the registration store (register, lookup,
// deregister, expiry, malformed requests, e2ae decided from it), the
// retransmission cache, load limit and port exhaustion, errors, a
// dataplane restart (streams replayed),
// `delete delay`, and, with the daemon stopped, the streams as aegw-dpctl
// reads them from the dataplane, then adopted by a new daemon. Then the
// same with short timeouts: silent calls, ringing, --final-timeout,
// --delete-delay, and no dataplane (no timeout).
//
//   test (UDP/TCP client) --ng--> aegw-control --ring--> aegw-dataplane
//                                  access 10.0.0.1       port 0 net_null0
//                                  core 192.168.0.1      port 1 net_null1
//
// The binaries come from the environment (AEGW_DATAPLANE, AEGW_CONTROL,
// AEGW_DPCTL), which meson sets.
#include <gtest/gtest.h>
#include <algorithm>

#include <arpa/inet.h>
#include <signal.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <future>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <thread>

#include "ng_client.h"

extern "C" {
#include <openssl/evp.h>
}

using namespace ngtest;

namespace {

// ---- Kamailio 5.6's datagrams, byte for byte --------------------------

const std::string kPing = "0_18191_0 d7:command4:pinge";
const std::string kOffer =
	"0_18191_1 d8:supportsl10:load limite3:sdp215:v=0\r\n"
	"o=user1 53655765 2353687637 IN IP4 127.0.0.1\r\n"
	"s=-\r\n"
	"c=IN IP4 127.0.0.1\r\n"
	"t=0 0\r\n"
	"m=audio 42010 RTP/SAVP 0\r\n"
	"a=rtpmap:0 PCMU/8000\r\n"
	"a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd\r\n"
	"18:transport-protocol7:RTP/AVP3:ICE6:remove7:replacel6:origin18:session-connectione7:call-id17:1-18259@127.0.0.113:received-froml3:IP49:127.0.0.1e8:from-tag15:18259SIPpTag0017:command5:offere";
const std::string kAnswer =
	"0_18191_2 d8:supportsl10:load limite3:sdp130:v=0\r\n"
	"o=user1 53655765 2353687637 IN IP4 127.0.0.1\r\n"
	"s=-\r\n"
	"c=IN IP4 127.0.0.1\r\n"
	"t=0 0\r\n"
	"m=audio 42000 RTP/AVP 0\r\n"
	"a=rtpmap:0 PCMU/8000\r\n"
	"18:transport-protocol8:RTP/SAVP7:replacel6:origin18:session-connectione7:call-id17:1-18259@127.0.0.113:received-froml3:IP49:127.0.0.1e8:from-tag15:18259SIPpTag0016:to-tag15:18255SIPpTag0117:command6:answere";
const std::string kDelete =
	"0_18191_3 d8:supportsl10:load limite7:call-id17:1-18259@127.0.0.113:received-froml3:IP49:127.0.0.1e8:from-tag15:18259SIPpTag0017:command6:deletee";

const std::string kUeKey = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd";

// ---- SDP and requests -------------------------------------------------

std::string sdp(uint16_t port, const std::string &proto,
		const std::string &media_lines = "", unsigned n_media = 1,
		const std::string &session_lines = "")
{
	std::string s = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\n"
			"c=IN IP4 127.0.0.1\r\nt=0 0\r\n" + session_lines;
	for (unsigned i = 0; i < n_media; i++)
		s += "m=audio " + std::to_string(port + 2 * i) + " " + proto +
		     " 0\r\na=rtpmap:0 PCMU/8000\r\n" + media_lines;
	return s;
}

std::string crypto_line(const std::string &key = kUeKey, unsigned tag = 1)
{
	return "a=crypto:" + std::to_string(tag) +
	       " AES_CM_128_HMAC_SHA1_80 inline:" + key + "\r\n";
}

using KV = std::vector<std::pair<std::string, std::string>>;

std::string offer(const std::string &call, const std::string &body,
		  const std::string &transport = "", KV extra = {})
{
	KV kv = {{"command", S("offer")}, {"call-id", S(call)},
		 {"from-tag", S("ft-" + call)}, {"sdp", S(body)},
		 {"supports", L({"load limit"})}};
	if (!transport.empty())
		kv.push_back({"transport-protocol", S(transport)});
	kv.insert(kv.end(), extra.begin(), extra.end());
	return D(kv);
}

std::string answer(const std::string &call, const std::string &body,
		   const std::string &transport = "", KV extra = {})
{
	KV kv = {{"command", S("answer")}, {"call-id", S(call)},
		 {"from-tag", S("ft-" + call)}, {"to-tag", S("tt-" + call)},
		 {"sdp", S(body)}};
	if (!transport.empty())
		kv.push_back({"transport-protocol", S(transport)});
	kv.insert(kv.end(), extra.begin(), extra.end());
	return D(kv);
}

std::string del(const std::string &call)
{
	return D({{"command", S("delete")}, {"call-id", S(call)},
		  {"from-tag", S("ft-" + call)}});
}

std::string b64decode(const std::string &b64)
{
	unsigned char out[128];
	if (b64.size() > 160)
		return "";
	int n = EVP_DecodeBlock(out, reinterpret_cast<const unsigned char *>(
					     b64.data()),
				int(b64.size()));
	size_t pad = b64.size() - b64.find_last_not_of('=') - 1;
	return n < 0 ? "" : std::string(reinterpret_cast<char *>(out),
					size_t(n) - pad);
}

uint16_t free_port(int type)
{
	sockaddr_in sa{};
	socklen_t sl = sizeof(sa);
	int fd = socket(AF_INET, type, 0);
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	bind(fd, reinterpret_cast<sockaddr *>(&sa), sizeof(sa));
	getsockname(fd, reinterpret_cast<sockaddr *>(&sa), &sl);
	close(fd);
	return ntohs(sa.sin_port);
}

unsigned worker(uint16_t port)
{
	return (port >> 1) % 2;
}

// ---- the daemons ----------------------------------------------------

class Control : public ::testing::Test {
protected:
	static std::string inst, dir;
	static pid_t dp, gw;
	static uint16_t udp_port, tcp_port;
	static std::unique_ptr<NgClient> ng;
	static std::vector<std::string> control_extra; // a fixture's options

	static const char *bin(const char *env)
	{
		const char *p = getenv(env);
		return p && *p ? p : nullptr;
	}

	static void SetUpTestSuite()
	{
		if (!bin("AEGW_DATAPLANE") || !bin("AEGW_CONTROL") ||
		    !bin("AEGW_DPCTL"))
			return;
		inst = "ctlng" + std::to_string(getpid());
		char tmpl[] = "/tmp/aegw-ctl-test.XXXXXX";
		dir = mkdtemp(tmpl);
		udp_port = free_port(SOCK_DGRAM);
		tcp_port = free_port(SOCK_STREAM);
		start_dataplane();
		start_control();
		ng = std::make_unique<NgClient>(udp_port, tcp_port);
		wait_alive();
	}

	static void TearDownTestSuite()
	{
		ng.reset();
		stop(gw);
		stop(dp);
		gw = dp = 0;
		if (!inst.empty())
			unlink(("/dev/shm/aegw-" + inst).c_str());
		if (!dir.empty())
			run("rm -rf " + dir);
	}

	void SetUp() override
	{
		if (!dp)
			GTEST_SKIP() << "AEGW_DATAPLANE, AEGW_CONTROL, AEGW_DPCTL "
					"not set";
	}

	void TearDown() override
	{
		if (HasFailure()) {
			std::cerr << "---- aegw-control log (tail) ----\n"
				  << tail(dir + "/control.log");
			std::cerr << "---- aegw-dataplane log (tail) ----\n"
				  << tail(dir + "/dataplane.log");
		}
	}

	static std::string tail(const std::string &path)
	{
		std::string s = slurp(path);
		return s.size() > 3000 ? s.substr(s.size() - 3000) : s;
	}

	static void start_dataplane()
	{
		dp = spawn({bin("AEGW_DATAPLANE"), "--lcores", "0@0,1@1,2@1",
			    "--no-huge", "-m", "512", "--no-pci", "--file-prefix",
			    inst, "--log-level", "*:warning", "--vdev",
			    "net_null0", "--vdev", "net_null1", "--", "--instance",
			    inst, "--addr", "0:10.0.0.1/24", "--addr",
			    "1:192.168.0.1/24", "--max-streams", "1024"},
			   dir + "/dataplane.log");
		struct stat st;
		for (int i = 0; i < 200; i++) {
			if (stat(("/dev/shm/aegw-" + inst).c_str(), &st) == 0 &&
			    slurp(dir + "/dataplane.log").find("epoch") !=
				    std::string::npos)
				return;
			std::this_thread::sleep_for(std::chrono::milliseconds(50));
		}
		ADD_FAILURE() << "aegw-dataplane did not start:\n"
			      << slurp(dir + "/dataplane.log");
	}

	// Core pool of 4 pairs (2 per worker) and 3 sessions at most: the
	// load-limit and no-ports tests reach both. e2ae: preferred on
	// E-UTRAN, off on WLAN, the default (supported) elsewhere.
	static void start_control()
	{
		std::vector<std::string> argv = control_argv(
			bin("AEGW_CONTROL"), inst, udp_port, tcp_port,
			{"--max-sessions", "3", "--e2ae-policy", "IEEE-802.11=off",
			 // Restarts here test adoption of streams no journal
			 // names; the journal has its own tests
			 // (control_journal, restart).
			 "--journal", "off"});
		argv.insert(argv.end(), control_extra.begin(), control_extra.end());
		gw = spawn(argv, dir + "/control.log");
	}

	static Reply stats()
	{
		return ng->ask(D({{"command", S("statistics")}}));
	}

	static void wait_alive()
	{
		for (int i = 0; i < 100; i++) {
			Reply r = stats();
			if (r.num({"statistics", "dataplane", "alive"}) == 1)
				return;
			std::this_thread::sleep_for(std::chrono::milliseconds(100));
		}
		ADD_FAILURE() << "aegw-control never saw the dataplane:\n"
			      << slurp(dir + "/control.log");
	}

	static int64_t ports_used(const std::string &iface)
	{
		Reply r = stats();
		const aegw_benc_node *l = r.node({"statistics", "interfaces"});
		for (auto *it = aegw_benc_list_first(l); it;
		     it = aegw_benc_list_next(it)) {
			const aegw_benc_node *name = aegw_benc_dict_get(it, "name");
			int64_t v = -1;
			if (aegw_benc_str_eq(name, iface.c_str())) {
				aegw_benc_get_int(aegw_benc_dict_get(it, "ports-used"), &v);
				return v;
			}
		}
		return -1;
	}

	static int64_t sessions()
	{
		return stats().num({"statistics", "currentstatistics", "sessionsown"});
	}

	static Reply query(const std::string &call)
	{
		return ng->ask(D({{"command", S("query")}, {"call-id", S(call)}}));
	}

	// Polls query until the call is unknown: the seconds that took, or
	// -1 after limit_s.
	static double seconds_until_gone(const std::string &call, double limit_s)
	{
		auto t0 = std::chrono::steady_clock::now();
		for (;;) {
			double t = std::chrono::duration<double>(
					   std::chrono::steady_clock::now() - t0)
					   .count();
			if (query(call).reason() == "Unknown call-id")
				return t;
			if (t > limit_s)
				return -1;
			std::this_thread::sleep_for(std::chrono::milliseconds(100));
		}
	}

	static int64_t total(const std::string &key)
	{
		return stats().num({"statistics", "totalstatistics", key});
	}

	// aegw-dpctl dump, with the daemon stopped (a ring has one writer).
	static std::string dump()
	{
		stop(gw);
		gw = 0;
		return run(std::string(bin("AEGW_DPCTL")) + " --instance " + inst +
			   " dump 2>&1");
	}
};

std::string Control::inst, Control::dir;
pid_t Control::dp, Control::gw;
uint16_t Control::udp_port, Control::tcp_port;
std::unique_ptr<NgClient> Control::ng;
std::vector<std::string> Control::control_extra;

// ---- tests ------------------------------------------------------------

TEST_F(Control, KamailioPingGetsPong)
{
	EXPECT_EQ(ng->udp(kPing), "0_18191_0 d6:result4:ponge");
}

TEST_F(Control, KamailioOfferAnswerDelete)
{
	Reply o(ng->udp(kOffer));
	ASSERT_EQ(o.cookie(), "0_18191_1");
	ASSERT_EQ(o.result(), "ok") << o.raw();
	Sdp to_core(o.sdp());
	ASSERT_TRUE(to_core.ok) << o.sdp();
	EXPECT_EQ(to_core.conn(), "192.168.0.1");
	EXPECT_EQ(to_core.origin_addr(), "192.168.0.1") << "replace: origin";
	EXPECT_EQ(to_core.proto(), "RTP/AVP");
	EXPECT_EQ(to_core.n_crypto(), 0u) << "no UE key toward the core";
	uint16_t core_port = to_core.port();
	EXPECT_GE(core_port, 30000);
	EXPECT_LE(core_port, 30006);
	EXPECT_EQ(core_port % 2, 0);
	EXPECT_TRUE(to_core.has_line("a=rtcp:" + std::to_string(core_port + 1)));
	EXPECT_TRUE(to_core.has_line("a=rtpmap:0 PCMU/8000"));

	Reply a(ng->udp(kAnswer));
	ASSERT_EQ(a.cookie(), "0_18191_2");
	ASSERT_EQ(a.result(), "ok") << a.raw();
	Sdp to_ue(a.sdp());
	ASSERT_TRUE(to_ue.ok) << a.sdp();
	EXPECT_EQ(to_ue.conn(), "10.0.0.1");
	EXPECT_EQ(to_ue.proto(), "RTP/SAVP");
	uint16_t ue_port = to_ue.port();
	EXPECT_GE(ue_port, 20000);
	EXPECT_LE(ue_port, 20998);
	EXPECT_EQ(worker(ue_port), worker(core_port))
		<< "both legs of a media on one worker";
	ASSERT_EQ(to_ue.n_crypto(), 1u);
	const std::string head = "1 AES_CM_128_HMAC_SHA1_80 inline:";
	std::string c = to_ue.crypto_value();
	ASSERT_EQ(c.substr(0, head.size()), head) << "the UE's tag and suite";
	std::string key = c.substr(head.size());
	EXPECT_EQ(key.size(), 40u) << c;
	EXPECT_NE(key, kUeKey) << "aegw's own key, not the UE's";
	EXPECT_EQ(b64decode(key).size(), 30u);

	Reply q = ng->ask(D({{"command", S("query")},
			     {"call-id", S("1-18259@127.0.0.1")}}));
	ASSERT_EQ(q.result(), "ok") << q.raw();
	const aegw_benc_node *ue_media = aegw_benc_list_first(
		q.node({"tags", "18259SIPpTag001", "medias"}));
	EXPECT_TRUE(aegw_benc_str_eq(aegw_benc_dict_get(ue_media, "mode"), "e2ae"));
	EXPECT_TRUE(aegw_benc_str_eq(aegw_benc_dict_get(ue_media, "protocol"),
				     "RTP/SAVP"));
	EXPECT_EQ(ports_used("core"), 1);

	Reply d(ng->udp(kDelete));
	EXPECT_EQ(d.cookie(), "0_18191_3");
	EXPECT_EQ(d.result(), "ok") << d.raw();
	EXPECT_GE(d.num({"totals", "RTP", "packets"}), 0) << d.raw();
	EXPECT_NE(d.node({"tags", "18255SIPpTag011"}), nullptr) << d.raw();
	EXPECT_EQ(ports_used("core"), 0) << "delete gives the ports back";
	EXPECT_EQ(ports_used("access"), 0);
	EXPECT_EQ(sessions(), 0);
	EXPECT_EQ(stats().num({"statistics", "currentstatistics", "keys-held"}), 0)
		<< "keys wiped and freed with the call";

	Reply again = ng->ask(del("1-18259@127.0.0.1"));
	EXPECT_EQ(again.result(), "ok");
	EXPECT_NE(again.str({"warning"}), "");
}

TEST_F(Control, RetransmissionGetsTheCachedReply)
{
	std::string msg = "rtx1 " + offer("rtx-call", sdp(7000, "RTP/AVP"));
	int64_t before = stats().num({"statistics", "totalstatistics",
				      "retransmissions"});
	std::string r1 = ng->udp(msg), r2 = ng->udp(msg);
	ASSERT_EQ(Reply(r1).result(), "ok") << r1;
	EXPECT_EQ(r1, r2);
	EXPECT_EQ(stats().num({"statistics", "totalstatistics", "retransmissions"}),
		  before + 1);
	EXPECT_EQ(stats().num({"statistics", "totalstatistics",
			       "retransmission-cache-evicted"}), 0)
		<< "64 MiB hold every reply of this test";
	EXPECT_EQ(ports_used("core"), 1) << "executed once";
	// A new cookie is a new request (a re-offer): the same ports.
	Reply r3 = ng->ask(offer("rtx-call", sdp(7000, "RTP/AVP")));
	EXPECT_EQ(Sdp(r3.sdp()).port(), Sdp(Reply(r1).sdp()).port());
	// The delete's retransmission is not a second delete.
	std::string dmsg = "rtx2 " + del("rtx-call");
	Reply d1(ng->udp(dmsg)), d2(ng->udp(dmsg));
	EXPECT_EQ(d1.raw(), d2.raw());
	EXPECT_EQ(d2.str({"warning"}), "");
	EXPECT_EQ(ports_used("core"), 0);
}

// Requests from two P-CSCF sockets, all in flight before a reply is read,
// so that the daemon reads them in batches and runs them side by side
// (each on its fiber while it waits for the dataplane): each reply goes
// to its sender (in the order the replies are ready: UDP, matched by
// cookie); one call's requests run in their order (its query and delete
// see its answer); a retransmission inside the burst gets the cached
// reply and is not executed twice.
TEST_F(Control, BurstsFromTwoPeersAnsweredToEach)
{
	NgClient other(udp_port, tcp_port);
	std::map<std::string, unsigned> want_a, want_b;
	unsigned n_a = 0, n_b = 0;
	for (int i = 0; i < 3; i++) {
		std::string call = "burst-" + std::to_string(i);
		std::string c = "ba" + std::to_string(i);
		std::string o = c + "o " + offer(call, sdp(7200 + 2 * i, "RTP/AVP"));
		ng->udp_send(o);
		ng->udp_send(o);
		ng->udp_send(c + "a " + answer(call, sdp(7300 + 2 * i, "RTP/AVP")));
		ng->udp_send(c + "q " + D({{"command", S("query")},
					   {"call-id", S(call)}}));
		ng->udp_send(c + "d " + del(call));
		want_a[c + "o"] = 2;
		for (const char *k : {"a", "q", "d"})
			want_a[c + k] = 1;
		n_a += 5;
	}
	for (int i = 0; i < 24; i++) {
		std::string c = "bb" + std::to_string(i);
		other.udp_send(c + " " + (i % 2 ? std::string("d7:command4:pinge") :
					    D({{"command", S("query")},
					       {"call-id", S("nowhere")}})));
		want_b[c] = 1;
		n_b++;
	}
	std::map<std::string, std::vector<std::string>> a, b;
	for (const std::string &r : ng->udp_collect(n_a))
		a[Reply(r).cookie()].push_back(r);
	for (const std::string &r : other.udp_collect(n_b))
		b[Reply(r).cookie()].push_back(r);
	for (const auto &[c, n] : want_a) {
		ASSERT_EQ(a[c].size(), n) << c;
		EXPECT_EQ(Reply(a[c][0]).result(), "ok") << a[c][0];
	}
	for (const auto &[c, n] : want_b) {
		ASSERT_EQ(b[c].size(), n) << c;
		int i = std::stoi(c.substr(2));
		EXPECT_EQ(Reply(b[c][0]).result(), i % 2 ? "pong" : "error");
	}
	EXPECT_EQ(a.size(), want_a.size()) << "no reply to a request not sent";
	EXPECT_EQ(b.size(), want_b.size());
	for (int i = 0; i < 3; i++) {
		std::string c = "ba" + std::to_string(i);
		std::string tt = "tt-burst-" + std::to_string(i);
		EXPECT_EQ(a[c + "o"][0], a[c + "o"][1])
			<< "the retransmission's cached reply";
		EXPECT_NE(Reply(a[c + "q"][0]).node({"tags", tt}), nullptr)
			<< "the query ran after the answer: " << a[c + "q"][0];
		EXPECT_NE(Reply(a[c + "d"][0]).node({"tags", tt}), nullptr)
			<< "the delete ran after the answer: " << a[c + "d"][0];
		EXPECT_EQ(Reply(a[c + "d"][0]).str({"warning"}), "");
	}
	EXPECT_TRUE(other.udp_collect(1, 200).empty()) << "nothing twice";
	EXPECT_TRUE(ng->udp_collect(1, 200).empty());
	EXPECT_EQ(ports_used("core"), 0);
	EXPECT_EQ(sessions(), 0);
}

// A request that waits for the dataplane holds up its own reply only: a
// query of a call whose worker is stopped waits for its COUNTERS (the ACK
// timeout), and a ping that comes meanwhile is read and answered at once.
TEST_F(Control, AWaitingRequestHoldsUpOnlyItsOwnReply)
{
	ASSERT_EQ(ng->ask(offer("slow", sdp(7500, "RTP/AVP"))).result(), "ok");
	ASSERT_EQ(ng->ask(answer("slow", sdp(7502, "RTP/AVP"))).result(), "ok");
	ASSERT_TRUE(stop_all_threads(dp));
	auto t0 = std::chrono::steady_clock::now();
	auto since = [&] {
		return std::chrono::duration<double>(
			       std::chrono::steady_clock::now() - t0)
			.count();
	};
	ng->udp_send("slow-q " + D({{"command", S("query")},
				    {"call-id", S("slow")}}));
	std::this_thread::sleep_for(std::chrono::milliseconds(100));
	ng->udp_send("slow-p d7:command4:pinge");
	auto first = ng->udp_collect(1, 3000);
	double t_first = since();
	auto second = ng->udp_collect(1, 3000);
	kill(dp, SIGCONT);
	ASSERT_EQ(first.size(), 1u);
	ASSERT_EQ(second.size(), 1u);
	EXPECT_EQ(Reply(first[0]).cookie(), "slow-p") << "the ping came second";
	EXPECT_LT(t_first, 0.6) << "the ping waited for the query";
	EXPECT_EQ(Reply(second[0]).cookie(), "slow-q");
	// The late COUNTERS' events come in and are dropped.
	std::this_thread::sleep_for(std::chrono::milliseconds(300));
	EXPECT_EQ(ng->ask(del("slow")).result(), "ok");
}

// The same over TCP: a query on a connection waits on a fiber, and the
// UDP socket is read and answered meanwhile.
TEST_F(Control, ATcpRequestWaitingForTheDataplaneLetsUdpThrough)
{
	ASSERT_EQ(ng->ask(offer("slow-tcp", sdp(7520, "RTP/AVP"))).result(), "ok");
	ASSERT_EQ(ng->ask(answer("slow-tcp", sdp(7522, "RTP/AVP"))).result(),
		  "ok");
	ASSERT_TRUE(stop_all_threads(dp));
	auto tcp = std::async(std::launch::async, [] {
		return ng->tcp({"tq " + D({{"command", S("query")},
					   {"call-id", S("slow-tcp")}})},
			       1, 4000);
	});
	std::this_thread::sleep_for(std::chrono::milliseconds(200));
	double took = ng->ping_seconds("tp");
	// More datagrams than one event's share of the socket (64): read on
	// while the query waits, not after it.
	for (int i = 0; i < 100; i++)
		ng->udp_send("tb" + std::to_string(i) + " d7:command4:pinge");
	auto burst = ng->udp_collect(100, 400);
	auto replies = tcp.get();
	kill(dp, SIGCONT);
	EXPECT_GE(took, 0) << "no pong";
	EXPECT_LT(took, 0.4) << "the UDP ping waited for the TCP query";
	EXPECT_EQ(burst.size(), 100u) << "UDP stopped being read during the wait";
	ASSERT_EQ(replies.size(), 1u);
	EXPECT_EQ(Reply(replies[0]).cookie(), "tq");
	std::this_thread::sleep_for(std::chrono::milliseconds(300));
	EXPECT_EQ(ng->ask(del("slow-tcp")).result(), "ok");
}

// The periodic reads of the calls' counters (for the media timeout) are
// best effort: a worker that stops answering holds up the loop, and the
// pings behind it, for a short wait once, not for the ACK timeout at every
// read, and is not read again until it answers. Pings go for 2.5 s of a
// stopped dataplane, long enough for every call to be due for a read (a
// call a second) before the heartbeat goes stale.
TEST_F(Control, AStalledWorkerDoesNotHoldUpPings)
{
	const int calls = 2; // --max-sessions 3
	for (int i = 0; i < calls; i++) {
		std::string id = "stalled-" + std::to_string(i);
		uint16_t port = uint16_t(7600 + 4 * i);
		ASSERT_EQ(ng->ask(offer(id, sdp(port, "RTP/AVP"))).result(), "ok");
		ASSERT_EQ(ng->ask(answer(id, sdp(port + 2, "RTP/AVP"))).result(),
			  "ok");
	}
	int64_t timed_out = stats().num({"statistics", "dataplane",
					 "commands-timed-out"});
	ASSERT_TRUE(stop_all_threads(dp));
	auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(2500);
	double worst = 0;
	int n = 0;
	while (std::chrono::steady_clock::now() < end) {
		double took = ng->ping_seconds("stall-" + std::to_string(n++));
		EXPECT_GE(took, 0) << "no pong";
		worst = std::max(worst, took);
		std::this_thread::sleep_for(std::chrono::milliseconds(20));
	}
	kill(dp, SIGCONT);
	EXPECT_LT(worst, 0.4) << "a ping waited for a read of a stalled worker";
	// Both streams of a media are on one worker: one read per worker,
	// where each call read again a second later would time out twice.
	EXPECT_LE(stats().num({"statistics", "dataplane", "commands-timed-out"}),
		  timed_out + 2 * 2)
		<< "a stalled worker was read again and again";
	std::this_thread::sleep_for(std::chrono::milliseconds(300));
	for (int i = 0; i < calls; i++)
		EXPECT_EQ(ng->ask(del("stalled-" + std::to_string(i))).result(),
			  "ok");
}

TEST_F(Control, ErrorsAreRepliesNotCrashes)
{
	struct Case {
		std::string msg, reason;
	} cases[] = {
		{"e1 d7:command5:hello7:call-id1:xe", "Unrecognized command"},
		{"e2 " + D({{"command", S("offer")}, {"sdp", S(sdp(1, "RTP/AVP"))}}),
		 "No call-id in message"},
		{"e3 " + D({{"command", S("offer")}, {"call-id", S("x")}}),
		 "No from-tag in message"},
		{"e4 " + D({{"command", S("offer")}, {"call-id", S("x")},
			    {"from-tag", S("f")}}), "No SDP body in message"},
		{"e5 " + offer("bad-sdp", "hello"), "Failed to parse SDP"},
		{"e6 " + answer("no-such-call", sdp(1, "RTP/AVP")),
		 "Unknown call-id"},
		{"e7 d7:command5:offer3:sdpi5ee", "key 'sdp'"},
		{"e8 d7:command5:offer3:sdp99:v=0e", "malformed bencode"},
		{"e9 l4:pinge", "not a bencoded dictionary"},
		{"e10 " + offer("no-suite", sdp(7000, "RTP/SAVP",
			"a=crypto:1 F8_128_HMAC_SHA1_80 inline:" + kUeKey + "\r\n"),
			"RTP/AVP"), "no a=crypto line with a suite aegw supports"},
		{"e11 " + D({{"command", S("query")}}), "No call-id in message"},
		{"e12 " + D({{"command", S("register")}}), "No ue-identity in message"},
	};
	int64_t errors = total("errors");
	for (const Case &c : cases) {
		Reply r(ng->udp(c.msg));
		EXPECT_EQ(r.result(), "error") << c.msg << " -> " << r.raw();
		EXPECT_NE(r.reason().find(c.reason), std::string::npos)
			<< c.msg << " -> " << r.raw();
		EXPECT_EQ(r.cookie(), c.msg.substr(0, c.msg.find(' ')));
	}
	EXPECT_EQ(total("errors"), errors + int64_t(std::size(cases)))
		<< "every error reply counted, those a command writes itself "
		   "(query's) too";
	// No cookie: nothing to answer to.
	EXPECT_EQ(ng->udp("d7:command4:pinge", 300), "");
	EXPECT_EQ(ng->udp("", 300), "");
	// Unknown keys and flags are ignored.
	Reply ok = ng->ask(offer("extra-keys", sdp(7000, "RTP/AVP"), "",
				 {{"flags", L({"trust-address", "no-such-flag"})},
				  {"foo", S("bar")}, {"via-branch", S("z9hG4bK1")},
				  {"rtcp-mux", L({"demux"})}, {"num", "i42e"}}));
	EXPECT_EQ(ok.result(), "ok") << ok.raw();
	ng->ask(del("extra-keys"));
	EXPECT_EQ(sessions(), 0);
	EXPECT_EQ(ng->udp(kPing), "0_18191_0 d6:result4:ponge") << "still alive";
}

// e2ae requested by the UE itself (TS 24.229 7.5.2): no transport-protocol
// from the P-CSCF, the core gets plain RTP, the UE gets aegw's key and
// a=3ge2ae:applied.
TEST_F(Control, E2aeRequestedByTheUe)
{
	std::string ue = sdp(7000, "RTP/SAVP", crypto_line() + "a=3ge2ae:requested\r\n");
	Reply o = ng->ask(offer("e2ae-req", ue));
	ASSERT_EQ(o.result(), "ok") << o.raw();
	Sdp oc(o.sdp());
	EXPECT_EQ(oc.proto(), "RTP/AVP");
	EXPECT_EQ(oc.n_crypto(), 0u);
	EXPECT_EQ(o.sdp().find("3ge2ae"), std::string::npos) << o.sdp();
	Reply a = ng->ask(answer("e2ae-req", sdp(9000, "RTP/AVP")));
	ASSERT_EQ(a.result(), "ok") << a.raw();
	Sdp au(a.sdp());
	EXPECT_EQ(au.proto(), "RTP/SAVP");
	EXPECT_EQ(au.n_crypto(), 1u);
	EXPECT_TRUE(au.has_line("a=3ge2ae:applied")) << a.sdp();
	ng->ask(del("e2ae-req"));
}

// SDES off (rtpengine's flag for DTLS-SRTP peers): aegw has no other key
// exchange, so an answer in which aegw would give the UE its key fails
// with the reason, and the call is still there to answer again.
TEST_F(Control, SdesOffWhereAegwMustKeyIsAnError)
{
	std::string ue = sdp(7000, "RTP/SAVP", crypto_line() + "a=3ge2ae:requested\r\n");
	ASSERT_EQ(ng->ask(offer("sdes-off", ue)).result(), "ok");
	Reply bad = ng->ask(answer("sdes-off", sdp(9000, "RTP/AVP"), "",
				   {{"SDES", L({"off"})}}));
	EXPECT_EQ(bad.result(), "error") << bad.raw();
	EXPECT_NE(bad.reason().find("SDES off"), std::string::npos) << bad.raw();
	EXPECT_EQ(bad.raw().find("a=crypto"), std::string::npos);
	Reply good = ng->ask(answer("sdes-off", sdp(9000, "RTP/AVP")));
	EXPECT_EQ(good.result(), "ok") << good.raw();
	ng->ask(del("sdes-off"));
}

// e2e SDES (TS 33.328 7.2.2): SAVP on both legs, no e2ae request: every
// a=crypto line passes unchanged both ways.
TEST_F(Control, E2eSdesPassesCryptoUnchanged)
{
	std::string two = crypto_line() +
			  "a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:" + kUeKey + "|2^20|1:4\r\n";
	Reply o = ng->ask(offer("e2e-sdes", sdp(7000, "RTP/SAVP", two)));
	ASSERT_EQ(o.result(), "ok") << o.raw();
	Sdp oc(o.sdp());
	EXPECT_EQ(oc.proto(), "RTP/SAVP");
	ASSERT_EQ(oc.n_crypto(), 2u);
	EXPECT_NE(o.sdp().find(two), std::string::npos) << o.sdp();
	std::string core_crypto = "a=crypto:1 AES_CM_128_HMAC_SHA1_80 "
				  "inline:HRwbGhkYFxYVFBMSERAPDg0MCwoJCAcGBQQDAgEA\r\n";
	Reply a = ng->ask(answer("e2e-sdes", sdp(9000, "RTP/SAVP", core_crypto)));
	ASSERT_EQ(a.result(), "ok") << a.raw();
	EXPECT_NE(a.sdp().find(core_crypto), std::string::npos) << a.sdp();
	EXPECT_EQ(Sdp(a.sdp()).conn(), "10.0.0.1");
	Reply q = ng->ask(D({{"command", S("query")}, {"call-id", S("e2e-sdes")}}));
	EXPECT_TRUE(aegw_benc_str_eq(aegw_benc_dict_get(aegw_benc_list_first(
		q.node({"tags", "ft-e2e-sdes", "medias"})), "mode"), "e2e-sdes"))
		<< q.raw();
	ng->ask(del("e2e-sdes"));
}

// e2e KMS (7.2.3): a=key-mgmt:mikey passes, even if the P-CSCF asked for
// plain RTP toward the core (the key is not aegw's to strip).
TEST_F(Control, E2eKmsPassesKeyMgmt)
{
	std::string km = "a=key-mgmt:mikey AQAFgM0XflABAAAAAAAAAAAAAAsAyO1hJ\r\n";
	Reply o = ng->ask(offer("e2e-kms", sdp(7000, "RTP/SAVP", km), "RTP/AVP"));
	ASSERT_EQ(o.result(), "ok") << o.raw();
	EXPECT_NE(o.sdp().find(km), std::string::npos);
	EXPECT_EQ(Sdp(o.sdp()).proto(), "RTP/SAVP");
	Reply a = ng->ask(answer("e2e-kms", sdp(9000, "RTP/SAVP", km)));
	ASSERT_EQ(a.result(), "ok") << a.raw();
	EXPECT_NE(a.sdp().find(km), std::string::npos);
	ng->ask(del("e2e-kms"));
}

// A terminating session: the core offers plain RTP and the P-CSCF asks
// for RTP/SAVP toward the UE: aegw offers its own key, the UE answers
// with its key under the same tag, the core gets plain RTP back.
TEST_F(Control, TerminatingE2ae)
{
	Reply o = ng->ask(offer("term", sdp(9000, "RTP/AVP"), "RTP/SAVP",
				{{"direction", L({"core", "access"})}}));
	ASSERT_EQ(o.result(), "ok") << o.raw();
	Sdp ou(o.sdp());
	EXPECT_EQ(ou.conn(), "10.0.0.1") << "toward the UE: the access side";
	EXPECT_EQ(ou.proto(), "RTP/SAVP");
	ASSERT_EQ(ou.n_crypto(), 1u);
	EXPECT_EQ(ou.crypto_value().substr(0, 26), "1 AES_CM_128_HMAC_SHA1_80 ");
	Reply a = ng->ask(answer("term", sdp(7000, "RTP/SAVP", crypto_line()),
				 "RTP/AVP"));
	ASSERT_EQ(a.result(), "ok") << a.raw();
	Sdp ac(a.sdp());
	EXPECT_EQ(ac.conn(), "192.168.0.1");
	EXPECT_EQ(ac.proto(), "RTP/AVP");
	EXPECT_EQ(ac.n_crypto(), 0u);
	// An answer without a key for aegw's tag is refused.
	Reply o2 = ng->ask(offer("term2", sdp(9000, "RTP/AVP"), "RTP/SAVP",
				 {{"direction", L({"core", "access"})}}));
	ASSERT_EQ(o2.result(), "ok");
	Reply a2 = ng->ask(answer("term2", sdp(7000, "RTP/SAVP",
					       crypto_line(kUeKey, 7))));
	EXPECT_EQ(a2.result(), "error");
	EXPECT_NE(a2.reason().find("tag 1"), std::string::npos) << a2.raw();
	ng->ask(del("term"));
	ng->ask(del("term2"));
}

// ---- the registration store (TS 33.328 7.1) ---------------------------

Reply reg(NgClient &c, const std::string &id, const std::string &e2ae,
	  const std::string &access, const std::string &expires)
{
	KV kv = {{"command", S("register")}, {"ue-identity", S(id)},
		 {"expires", expires}};
	if (!e2ae.empty())
		kv.push_back({"e2ae-security", e2ae});
	if (!access.empty())
		kv.push_back({"access-network", S(access)});
	return c.ask(D(kv));
}

Reply lookup(NgClient &c, const std::string &id)
{
	return c.ask(D({{"command", S("lookup")}, {"ue-identity", S(id)}}));
}

TEST_F(Control, RegisterLookupDeregister)
{
	const std::string ue = "sip:+15550001@ims.example.net";
	auto held = [] {
		return stats().num({"statistics", "currentstatistics",
				    "registrations"});
	};
	int64_t before = held(),
		n_reg = stats().num({"statistics", "commands", "register"});
	Reply r = reg(*ng, ue, S("supported"),
		      "3GPP-E-UTRAN-FDD; utran-cell-id-3gpp=0010100010019B01",
		      "i600e");
	ASSERT_EQ(r.result(), "ok") << r.raw();
	EXPECT_EQ(r.str({"e2ae-security-network"}), "supported");
	EXPECT_EQ(r.num({"expires"}), 600);
	EXPECT_EQ(held(), before + 1);
	EXPECT_EQ(stats().num({"statistics", "commands", "register"}), n_reg + 1);

	Reply l = lookup(*ng, ue);
	ASSERT_EQ(l.result(), "ok") << l.raw();
	EXPECT_EQ(l.str({"ue-identity"}), ue);
	EXPECT_EQ(l.str({"access-network"}), "3GPP-E-UTRAN-FDD") << "no cell id";
	EXPECT_EQ(l.str({"e2ae-policy"}), "preferred");
	EXPECT_EQ(l.str({"e2ae-security"}), "supported");
	EXPECT_EQ(l.str({"e2ae-security-network"}), "supported");
	EXPECT_GE(l.num({"expires"}), 599);
	EXPECT_LE(l.num({"expires"}), 600);

	// A re-register refreshes: now on WLAN (off), by the flag, Kamailio's
	// string number for expires.
	r = ng->ask(D({{"command", S("register")}, {"ue-identity", S(ue)},
		       {"flags", L({"e2ae-security-supported"})},
		       {"access-network", S("IEEE-802.11")}, {"expires", S("30")}}));
	ASSERT_EQ(r.result(), "ok") << r.raw();
	EXPECT_EQ(r.str({"e2ae-security-network"}), "not-supported");
	l = lookup(*ng, ue);
	EXPECT_EQ(l.str({"e2ae-security"}), "supported");
	EXPECT_EQ(l.str({"e2ae-policy"}), "off");
	EXPECT_LE(l.num({"expires"}), 30);
	EXPECT_EQ(held(), before + 1);
	// Integer 0: the UE does not support e2ae; the default policy.
	r = reg(*ng, ue, "i0e", "3GPP-NR-FDD", "i30e");
	EXPECT_EQ(r.str({"e2ae-security-network"}), "not-supported");
	EXPECT_EQ(lookup(*ng, ue).str({"e2ae-policy"}), "supported");

	Reply d = ng->ask(D({{"command", S("deregister")}, {"ue-identity", S(ue)}}));
	EXPECT_EQ(d.result(), "ok") << d.raw();
	EXPECT_EQ(d.str({"warning"}), "");
	d = ng->ask(D({{"command", S("deregister")}, {"ue-identity", S(ue)}}));
	EXPECT_EQ(d.result(), "ok");
	EXPECT_EQ(d.str({"warning"}), "Unknown registration");
	l = lookup(*ng, ue);
	EXPECT_EQ(l.result(), "error");
	EXPECT_EQ(l.reason(), "Unknown registration");
	EXPECT_EQ(held(), before);

	// Expires 0 deregisters, as in SIP.
	ASSERT_EQ(reg(*ng, ue, "i1e", "", "i600e").result(), "ok");
	r = reg(*ng, ue, "i1e", "", "i0e");
	EXPECT_EQ(r.result(), "ok");
	EXPECT_EQ(r.num({"expires"}), 0);
	EXPECT_EQ(lookup(*ng, ue).result(), "error");
}

TEST_F(Control, RegistrationsExpire)
{
	auto expired = [] {
		return stats().num({"statistics", "totalstatistics",
				    "registrations-expired"});
	};
	int64_t before = expired();
	ASSERT_EQ(reg(*ng, "sip:short@x", S("supported"), "", "i1e").result(), "ok");
	ASSERT_EQ(lookup(*ng, "sip:short@x").result(), "ok");
	// Swept by the 100 ms tick, without a lookup.
	for (int i = 0; i < 40 && expired() == before; i++)
		std::this_thread::sleep_for(std::chrono::milliseconds(100));
	EXPECT_EQ(expired(), before + 1);
	EXPECT_EQ(lookup(*ng, "sip:short@x").reason(), "Unknown registration");
}

TEST_F(Control, MalformedRegistrationsAreRefused)
{
	const std::string id = S("sip:x@y");
	struct Case {
		std::string dict, reason;
	} cases[] = {
		{D({{"command", S("register")}, {"expires", "i60e"}}),
		 "No ue-identity in message"},
		{D({{"command", S("register")}, {"ue-identity", "i5e"},
		    {"expires", "i60e"}}), "key 'ue-identity' at byte"},
		{D({{"command", S("register")}, {"ue-identity", S("")},
		    {"expires", "i60e"}}), "ue-identity must be 1 to 256 bytes"},
		{D({{"command", S("register")}, {"ue-identity", S(std::string(257, 'u'))},
		    {"expires", "i60e"}}), "ue-identity must be 1 to 256 bytes"},
		{D({{"command", S("register")}, {"ue-identity", id}}),
		 "No expires in message"},
		{D({{"command", S("register")}, {"ue-identity", id},
		    {"expires", "i-1e"}}), "expires must be 0 to"},
		{D({{"command", S("register")}, {"ue-identity", id},
		    {"expires", S("-5")}}), "expires must be 0 to"},
		{D({{"command", S("register")}, {"ue-identity", id},
		    {"expires", "i4294967296e"}}), "expires must be 0 to"},
		{D({{"command", S("register")}, {"ue-identity", id},
		    {"expires", S("soon")}}), "key 'expires' must be an integer"},
		{D({{"command", S("register")}, {"ue-identity", id},
		    {"expires", L({"1"})}}), "key 'expires' must be an integer"},
		{D({{"command", S("register")}, {"ue-identity", id},
		    {"expires", "i60e"}, {"e2ae-security", S("maybe")}}),
		 "key 'e2ae-security' must be"},
		{D({{"command", S("register")}, {"ue-identity", id},
		    {"expires", "i60e"}, {"e2ae-security", "i2e"}}),
		 "key 'e2ae-security' must be"},
		{D({{"command", S("register")}, {"ue-identity", id},
		    {"expires", "i60e"}, {"access-network", "i3e"}}),
		 "key 'access-network' must be a string"},
		{D({{"command", S("register")}, {"ue-identity", id},
		    {"expires", "i60e"}, {"access-network", S(std::string(64, 'a'))}}),
		 "access-network longer than 63 bytes"},
		{D({{"command", S("register")}, {"ue-identity", id},
		    {"expires", "i60e"}, {"access-network", S("a b")}}),
		 "access-network is not a token"},
		{D({{"command", S("lookup")}}), "No ue-identity in message"},
		{D({{"command", S("deregister")}, {"ue-identity", L({"x"})}}),
		 "key 'ue-identity' at byte"},
		{offer("bad-ue", sdp(9000, "RTP/AVP"), "", {{"ue-identity", "i1e"}}),
		 "key 'ue-identity' at byte"},
	};
	int64_t held = stats().num({"statistics", "currentstatistics",
				    "registrations"});
	for (const Case &c : cases) {
		Reply r = ng->ask(c.dict);
		EXPECT_EQ(r.result(), "error") << c.dict << " -> " << r.raw();
		EXPECT_NE(r.reason().find(c.reason), std::string::npos)
			<< c.dict << " -> " << r.raw();
	}
	EXPECT_EQ(stats().num({"statistics", "currentstatistics", "registrations"}),
		  held) << "nothing stored";
	EXPECT_EQ(sessions(), 0);
}

// A terminating session (TS 33.328 7.1/7.2): the core offers plain RTP and
// the P-CSCF names the answering UE. Registered with e2ae on E-UTRAN
// (preferred): aegw offers it RTP/SAVP with aegw's own key, the UE answers
// with its key, the core gets plain RTP. On a `supported` access network,
// without e2ae support, or unregistered: plain RTP as offered.
TEST_F(Control, TerminatingE2aeFromTheStore)
{
	ASSERT_EQ(reg(*ng, "sip:pref@x", S("supported"), "3GPP-E-UTRAN-FDD",
		      "i600e").str({"e2ae-security-network"}), "supported");
	ASSERT_EQ(reg(*ng, "sip:supp@x", S("supported"), "3GPP-NR-FDD",
		      "i600e").str({"e2ae-security-network"}), "supported");
	ASSERT_EQ(reg(*ng, "sip:noue@x", S("not-supported"), "3GPP-E-UTRAN-FDD",
		      "i600e").str({"e2ae-security-network"}), "not-supported");
	auto term = [](const std::string &call, const std::string &ue) {
		return ng->ask(offer(call, sdp(9000, "RTP/AVP"), "",
				     {{"direction", L({"core", "access"})},
				      {"ue-identity", S(ue)}}));
	};

	Reply o = term("store-pref", "sip:pref@x");
	ASSERT_EQ(o.result(), "ok") << o.raw();
	Sdp ou(o.sdp());
	EXPECT_EQ(ou.conn(), "10.0.0.1");
	EXPECT_EQ(ou.proto(), "RTP/SAVP");
	ASSERT_EQ(ou.n_crypto(), 1u) << o.sdp();
	std::string c = ou.crypto_value();
	EXPECT_EQ(c.substr(0, 33), "1 AES_CM_128_HMAC_SHA1_80 inline:");
	EXPECT_EQ(b64decode(c.substr(33)).size(), 30u) << "aegw's own fresh key";
	Reply a = ng->ask(answer("store-pref", sdp(7000, "RTP/SAVP", crypto_line())));
	ASSERT_EQ(a.result(), "ok") << a.raw();
	Sdp ac(a.sdp());
	EXPECT_EQ(ac.proto(), "RTP/AVP");
	EXPECT_EQ(ac.n_crypto(), 0u) << "the UE's key stays at the access edge";
	Reply q = ng->ask(D({{"command", S("query")}, {"call-id", S("store-pref")}}));
	EXPECT_TRUE(aegw_benc_str_eq(aegw_benc_dict_get(aegw_benc_list_first(
		q.node({"tags", "ft-store-pref", "medias"})), "mode"), "e2ae"))
		<< q.raw();
	ng->ask(del("store-pref"));

	for (const char *ue : {"sip:supp@x", "sip:noue@x", "sip:nobody@x"}) {
		Reply p = term("store-plain", ue);
		ASSERT_EQ(p.result(), "ok") << p.raw();
		EXPECT_EQ(Sdp(p.sdp()).proto(), "RTP/AVP") << ue;
		EXPECT_EQ(Sdp(p.sdp()).n_crypto(), 0u) << ue;
		ng->ask(del("store-plain"));
	}
	for (const char *ue : {"sip:pref@x", "sip:supp@x", "sip:noue@x"})
		ng->ask(D({{"command", S("deregister")}, {"ue-identity", S(ue)}}));
	EXPECT_EQ(sessions(), 0);
}

// Originating: a UE whose registration was told "not supported" (WLAN:
// off) asks for e2ae all the same. aegw does what a P-CSCF without e2ae
// would: e2e, the UE's a=crypto on toward the core, no a=3ge2ae there and
// no a=3ge2ae:applied back.
TEST_F(Control, E2aeRequestNotSupportedStaysE2e)
{
	ASSERT_EQ(reg(*ng, "sip:wlan@x", S("supported"), "IEEE-802.11", "i600e")
			  .str({"e2ae-security-network"}), "not-supported");
	std::string ue = sdp(7000, "RTP/SAVP", crypto_line() + "a=3ge2ae:requested\r\n");
	Reply o = ng->ask(offer("off-req", ue, "",
				{{"offerer-ue-identity", S("sip:wlan@x")}}));
	ASSERT_EQ(o.result(), "ok") << o.raw();
	EXPECT_EQ(Sdp(o.sdp()).proto(), "RTP/SAVP");
	EXPECT_NE(o.sdp().find(crypto_line()), std::string::npos) << o.sdp();
	EXPECT_EQ(o.sdp().find("3ge2ae"), std::string::npos) << o.sdp();
	std::string core_crypto = "a=crypto:1 AES_CM_128_HMAC_SHA1_80 "
				  "inline:HRwbGhkYFxYVFBMSERAPDg0MCwoJCAcGBQQDAgEA\r\n";
	Reply a = ng->ask(answer("off-req", sdp(9000, "RTP/SAVP", core_crypto)));
	ASSERT_EQ(a.result(), "ok") << a.raw();
	EXPECT_NE(a.sdp().find(core_crypto), std::string::npos);
	EXPECT_EQ(a.sdp().find("3ge2ae"), std::string::npos) << a.sdp();
	ng->ask(del("off-req"));
	ng->ask(D({{"command", S("deregister")}, {"ue-identity", S("sip:wlan@x")}}));
}

TEST_F(Control, PlainRelayIceRemovedRtcpMuxKept)
{
	std::string ice = "a=ice-ufrag:abcd\r\na=ice-pwd:0123456789abcdef0123456789\r\n"
			  "a=candidate:1 1 UDP 2130706431 127.0.0.1 7000 typ host\r\n"
			  "a=rtcp-mux\r\n";
	Reply o = ng->ask(offer("plain", sdp(7000, "RTP/AVP", ice), "",
				{{"ICE", S("remove")}}));
	ASSERT_EQ(o.result(), "ok") << o.raw();
	EXPECT_EQ(o.sdp().find("ice-"), std::string::npos) << o.sdp();
	EXPECT_EQ(o.sdp().find("candidate"), std::string::npos);
	EXPECT_NE(o.sdp().find("a=rtcp-mux\r\n"), std::string::npos);
	Reply a = ng->ask(answer("plain", sdp(9000, "RTP/AVP", "a=rtcp-mux\r\n")));
	ASSERT_EQ(a.result(), "ok") << a.raw();
	Sdp au(a.sdp());
	EXPECT_TRUE(au.has_line("a=rtcp:" + std::to_string(au.port())))
		<< "RTCP muxed: a=rtcp names the RTP port";
	ng->ask(del("plain"));
}

TEST_F(Control, TcpFramingAcrossPartialReads)
{
	std::string off = "tcp1 " + offer("tcp-call", sdp(7000, "RTP/AVP"));
	// The offer in four pieces (one cut inside the cookie), then a ping
	// and a list in one write.
	std::vector<std::string> pieces = {
		off.substr(0, 2), off.substr(2, 30), off.substr(32, 40),
		off.substr(72) + "tcp2 d7:command4:pingetcp3 d7:command4:liste"};
	std::vector<std::string> r = ng->tcp(pieces, 3);
	ASSERT_EQ(r.size(), 3u);
	EXPECT_EQ(Reply(r[0]).cookie(), "tcp1");
	EXPECT_EQ(Reply(r[0]).result(), "ok") << r[0];
	EXPECT_EQ(r[1], "tcp2 d6:result4:ponge");
	EXPECT_NE(r[2].find("8:tcp-call"), std::string::npos) << r[2];
	// A frame that cannot be a message: an error reply, then the
	// connection closes.
	r = ng->tcp({"tcp4 d7:commandi01ee"}, 2, 1500);
	ASSERT_EQ(r.size(), 1u);
	EXPECT_EQ(Reply(r[0]).result(), "error");
	ng->ask(del("tcp-call"));
}

TEST_F(Control, LoadLimit)
{
	for (int i = 0; i < 3; i++)
		ASSERT_EQ(ng->ask(offer("ll" + std::to_string(i),
					sdp(7000, "RTP/AVP"))).result(), "ok");
	Reply r = ng->ask(offer("ll3", sdp(7000, "RTP/AVP")));
	EXPECT_EQ(r.result(), "load limit") << r.raw();
	EXPECT_NE(r.raw().find("7:message30:Parallel session limit reached"),
		  std::string::npos) << r.raw();
	Reply r2 = ng->ask(D({{"command", S("offer")}, {"call-id", S("ll4")},
			      {"from-tag", S("f")}, {"sdp", S(sdp(1, "RTP/AVP"))}}));
	EXPECT_EQ(r2.result(), "error") << "no 'supports: load limit'";
	EXPECT_EQ(r2.reason(), "Parallel session limit reached")
		<< "the words Kamailio and OpenSIPS fail over on";
	Reply l = ng->ask(D({{"command", S("list")}}));
	EXPECT_NE(l.raw().find("3:ll0"), std::string::npos) << l.raw();
	for (int i = 0; i < 3; i++)
		ng->ask(del("ll" + std::to_string(i)));
	EXPECT_EQ(sessions(), 0);
}

TEST_F(Control, RanOutOfPorts)
{
	ASSERT_EQ(ng->ask(offer("big", sdp(7000, "RTP/AVP", "", 3))).result(), "ok");
	EXPECT_EQ(ports_used("core"), 3);
	Reply r = ng->ask(offer("small", sdp(8000, "RTP/AVP", "", 2)));
	EXPECT_EQ(r.result(), "error");
	EXPECT_EQ(r.reason(), "Ran out of ports");
	EXPECT_EQ(ports_used("core"), 3) << "the failed call gave its pair back";
	EXPECT_EQ(sessions(), 1);
	ng->ask(del("big"));
	EXPECT_EQ(ng->ask(offer("small", sdp(8000, "RTP/AVP", "", 2))).result(), "ok");
	ng->ask(del("small"));
	EXPECT_EQ(ports_used("core"), 0);
	EXPECT_EQ(ports_used("access"), 0);
}

// A dataplane restart: the daemon notices (a new epoch on the same object,
// or a new object with the heartbeat gone from the old one) and installs
// every stream again.
TEST_F(Control, DataplaneRestartReplaysStreams)
{
	ASSERT_EQ(ng->ask(offer("replay", sdp(7000, "RTP/SAVP", crypto_line()),
				"RTP/AVP")).result(), "ok");
	ASSERT_EQ(ng->ask(answer("replay", sdp(9000, "RTP/AVP"))).result(), "ok");
	auto count = [] {
		return stats().num({"statistics", "dataplane", "replayed-streams"});
	};
	int64_t before = count();
	// Takeover: the new dataplane finds the object and bumps the epoch.
	stop(dp);
	start_dataplane();
	for (int i = 0; i < 100 && count() < before + 2; i++)
		std::this_thread::sleep_for(std::chrono::milliseconds(100));
	EXPECT_EQ(count(), before + 2);
	EXPECT_EQ(stats().num({"statistics", "dataplane", "epoch"}), 2);
	// Replaced: the object is gone (--unlink-at-exit), a new one is made.
	stop(dp);
	unlink(("/dev/shm/aegw-" + inst).c_str());
	start_dataplane();
	for (int i = 0; i < 100 && count() < before + 4; i++)
		std::this_thread::sleep_for(std::chrono::milliseconds(100));
	EXPECT_EQ(count(), before + 4);
	EXPECT_EQ(stats().num({"statistics", "dataplane", "alive"}), 1);
	Reply d = ng->ask(del("replay"));
	EXPECT_EQ(d.result(), "ok");
	EXPECT_EQ(stats().num({"statistics", "dataplane", "commands-refused"}), 0)
		<< "counters read and streams removed: they were there";
}

void sleep_s(double s)
{
	std::this_thread::sleep_for(std::chrono::milliseconds(int(s * 1000)));
}

// rtpengine's `delete delay` (a failed fork, then a re-INVITE): the delete
// answers with the counters at once, the call stays (query answers) and
// goes when the delay is over, its ports back in the pool.
TEST_F(Control, DeleteDelayKeepsTheCallThenRemovesIt)
{
	ASSERT_EQ(ng->ask(offer("dd1", sdp(7000, "RTP/AVP"))).result(), "ok");
	ASSERT_EQ(ng->ask(answer("dd1", sdp(9000, "RTP/AVP"))).result(), "ok");
	Reply d = ng->ask(D({{"command", S("delete")}, {"call-id", S("dd1")},
			     {"from-tag", S("ft-dd1")}, {"delete delay", "i1e"}}));
	ASSERT_EQ(d.result(), "ok") << d.raw();
	EXPECT_GE(d.num({"totals", "RTP", "packets"}), 0) << "counters at once";
	EXPECT_EQ(query("dd1").result(), "ok") << "still there during the delay";
	EXPECT_EQ(ports_used("core"), 1);
	double t = seconds_until_gone("dd1", 4);
	EXPECT_GE(t, 0.5) << "gone only once the delay is over";
	EXPECT_GT(t, 0) << "never removed";
	EXPECT_EQ(ports_used("core"), 0) << "ports back in the pool";
	EXPECT_EQ(ports_used("access"), 0);
	EXPECT_EQ(sessions(), 0);
	EXPECT_EQ(stats().num({"statistics", "currentstatistics", "keys-held"}), 0);
	EXPECT_NE(slurp(dir + "/control.log").find("call dd1 deleted: delete "
						   "delay over"),
		  std::string::npos);
}

TEST_F(Control, OfferDuringTheDeleteDelayKeepsTheCall)
{
	ASSERT_EQ(ng->ask(offer("dd2", sdp(7000, "RTP/AVP"))).result(), "ok");
	ASSERT_EQ(ng->ask(answer("dd2", sdp(9000, "RTP/AVP"))).result(), "ok");
	// Kamailio's spelling of numbers: a string.
	Reply d = ng->ask(D({{"command", S("delete")}, {"call-id", S("dd2")},
			     {"from-tag", S("ft-dd2")}, {"delete-delay", S("1")}}));
	ASSERT_EQ(d.result(), "ok") << d.raw();
	Reply o = ng->ask(offer("dd2", sdp(7002, "RTP/AVP")));
	ASSERT_EQ(o.result(), "ok") << o.raw();
	ASSERT_EQ(ng->ask(answer("dd2", sdp(9002, "RTP/AVP"))).result(), "ok");
	sleep_s(2);
	EXPECT_EQ(query("dd2").result(), "ok") << "the re-offer cancelled it";
	EXPECT_EQ(ports_used("core"), 1);
	// A delay of 0 overrides any default: at once.
	Reply d0 = ng->ask(D({{"command", S("delete")}, {"call-id", S("dd2")},
			      {"from-tag", S("ft-dd2")}, {"delete delay", "i0e"}}));
	EXPECT_EQ(d0.result(), "ok");
	EXPECT_EQ(query("dd2").reason(), "Unknown call-id");
	EXPECT_EQ(ports_used("core"), 0);
}

struct DumpLine {
	std::string action, local, egress_src, egress_dst;
};

// "stream ID ACTION local A:P [remote ..] egress-src A:P [egress-dst A:P]
// counters...", by local address.
std::map<std::string, DumpLine> parse_dump(const std::string &out)
{
	std::map<std::string, DumpLine> m;
	std::istringstream lines(out);
	std::string line;

	while (std::getline(lines, line)) {
		std::istringstream w(line);
		std::string word, id, key, val;
		DumpLine d;
		if (!(w >> word >> id >> d.action) || word != "stream")
			continue;
		while (w >> key >> val) {
			if (key == "local")
				d.local = val;
			else if (key == "egress-src")
				d.egress_src = val;
			else if (key == "egress-dst")
				d.egress_dst = val;
		}
		if (!d.local.empty())
			m[d.local] = d;
	}
	return m;
}

// Last: the daemon is stopped so that aegw-dpctl may read the ring. The
// streams are in the dataplane with the actions the policy chose; a new
// daemon adopts them (their ports stay reserved) and goes on.
TEST_F(Control, StreamsInTheDataplaneThenAdopted)
{
	ASSERT_EQ(Reply(ng->udp("dp1" + kOffer.substr(9))).result(), "ok");
	Reply ka(ng->udp("dp2" + kAnswer.substr(9)));
	ASSERT_EQ(ka.result(), "ok");
	Reply so = ng->ask(offer("dump-sdes", sdp(7002, "RTP/SAVP", crypto_line())));
	Reply sa = ng->ask(answer("dump-sdes", sdp(9002, "RTP/SAVP", crypto_line())));
	ASSERT_EQ(sa.result(), "ok");
	Reply to = ng->ask(offer("dump-term", sdp(9004, "RTP/AVP"), "RTP/SAVP",
				 {{"direction", L({"core", "access"})}}));
	Reply ta = ng->ask(answer("dump-term", sdp(7004, "RTP/SAVP", crypto_line())));
	ASSERT_EQ(ta.result(), "ok") << ta.raw();
	std::string ue = "10.0.0.1:" + std::to_string(Sdp(ka.sdp()).port());
	std::string sdes_core = "192.168.0.1:" + std::to_string(Sdp(so.sdp()).port());
	std::string term_ue = "10.0.0.1:" + std::to_string(Sdp(to.sdp()).port());

	std::string out = dump();
	auto m = parse_dump(out);
	ASSERT_EQ(m.size(), 6u) << out;
	ASSERT_TRUE(m.count(ue)) << out;
	EXPECT_EQ(m[ue].action, "e2ae-in");
	EXPECT_EQ(m[ue].egress_dst, "127.0.0.1:42000") << "the core's SDP";
	const std::string core = m[ue].egress_src;
	ASSERT_TRUE(m.count(core)) << out;
	EXPECT_EQ(m[core].action, "e2ae-out");
	EXPECT_EQ(m[core].egress_src, ue);
	EXPECT_EQ(m[core].egress_dst, "127.0.0.1:42010") << "the UE's SDP";
	ASSERT_TRUE(m.count(sdes_core)) << out;
	EXPECT_EQ(m[sdes_core].action, "relay");
	ASSERT_TRUE(m.count(term_ue)) << out;
	EXPECT_EQ(m[term_ue].action, "e2ae-in");
	EXPECT_EQ(m[m[term_ue].egress_src].action, "e2ae-out");

	// A new daemon: 6 streams adopted, 3 core pairs reserved; a new call
	// gets the last pair and installs without a clash.
	start_control();
	wait_alive();
	EXPECT_EQ(stats().num({"statistics", "dataplane", "adopted-streams"}), 6);
	EXPECT_EQ(ports_used("core"), 3);
	ASSERT_EQ(ng->ask(offer("after", sdp(7006, "RTP/SAVP", crypto_line()),
				"RTP/AVP")).result(), "ok");
	Reply aa = ng->ask(answer("after", sdp(9006, "RTP/AVP")));
	ASSERT_EQ(aa.result(), "ok") << aa.raw();
	EXPECT_EQ(parse_dump(dump()).size(), 8u);
	start_control();
	wait_alive();
}

// The same daemons with short limits: calls end by time. net_null carries
// no packet to a call's ports, so these calls are silent; that media keeps
// a call alive is control_veth_test.sh's (real SRTP through veth pairs).
class ControlTimeout : public Control {
protected:
	static void SetUpTestSuite()
	{
		control_extra = {"--timeout", "1", "--offer-timeout", "30",
				 "--final-timeout", "5", "--delete-delay", "1"};
		Control::SetUpTestSuite();
	}

	static void TearDownTestSuite()
	{
		Control::TearDownTestSuite();
		control_extra.clear();
	}

	static void call(const std::string &id)
	{
		ASSERT_EQ(ng->ask(offer(id, sdp(7000, "RTP/AVP"))).result(), "ok");
		ASSERT_EQ(ng->ask(answer(id, sdp(9000, "RTP/AVP"))).result(), "ok");
	}
};

TEST_F(ControlTimeout, SilentCallIsDeleted)
{
	int64_t before = total("timeoutsessions");
	call("silent");
	EXPECT_EQ(ports_used("core"), 1);
	double t = seconds_until_gone("silent", 5);
	ASSERT_GT(t, 0) << "--timeout 1: gone within a few seconds";
	EXPECT_GE(t, 0.8) << "not before a second of silence";
	EXPECT_EQ(total("timeoutsessions"), before + 1);
	EXPECT_EQ(ports_used("core"), 0);
	EXPECT_EQ(ports_used("access"), 0);
	EXPECT_EQ(stats().num({"statistics", "currentstatistics", "keys-held"}), 0);
	EXPECT_NE(slurp(dir + "/control.log").find("call silent deleted: media "
						   "timeout"),
		  std::string::npos);
}

// Ringing has no media: an offer alone waits for --offer-timeout (30),
// not --timeout (1); --final-timeout (5) ends it all the same.
TEST_F(ControlTimeout, RingingIsNotSilenceButFinalTimeoutEndsIt)
{
	int64_t media = total("timeoutsessions"), final = total("finaltimeoutsessions");
	ASSERT_EQ(ng->ask(offer("ringing", sdp(7000, "RTP/AVP"))).result(), "ok");
	sleep_s(2.5);
	EXPECT_EQ(query("ringing").result(), "ok") << "2.5 s unanswered";
	double t = seconds_until_gone("ringing", 5);
	ASSERT_GT(t, 0);
	EXPECT_GE(t, 1.5) << "not before 5 s of life";
	EXPECT_EQ(total("finaltimeoutsessions"), final + 1);
	EXPECT_EQ(total("timeoutsessions"), media);
	EXPECT_EQ(total("offertimeoutsessions"), 0);
	EXPECT_EQ(ports_used("core"), 0);
	EXPECT_NE(slurp(dir + "/control.log").find("call ringing deleted: final "
						   "timeout"),
		  std::string::npos);
}

// --delete-delay 1 applies to a delete that names no delay; the call is
// not also timed out while it waits.
TEST_F(ControlTimeout, DaemonDeleteDelay)
{
	int64_t media = total("timeoutsessions");
	call("daemon-delay");
	Reply d = ng->ask(del("daemon-delay"));
	ASSERT_EQ(d.result(), "ok") << d.raw();
	EXPECT_EQ(query("daemon-delay").result(), "ok");
	double t = seconds_until_gone("daemon-delay", 4);
	EXPECT_GT(t, 0.5);
	EXPECT_EQ(total("timeoutsessions"), media);
	EXPECT_EQ(ports_used("core"), 0);
}

// Without a dataplane there are no counters, and no counters is not
// silence: the call outlives its --timeout until the dataplane is back.
TEST_F(ControlTimeout, NoDataplaneIsNotSilence)
{
	int64_t ended = total("timeoutsessions") + total("finaltimeoutsessions");
	call("blind");
	stop(dp);
	sleep_s(3);
	EXPECT_EQ(query("blind").result(), "ok") << "3 s without a dataplane";
	start_dataplane();
	wait_alive();
	double t = seconds_until_gone("blind", 5);
	EXPECT_GT(t, 0) << "silent again once the dataplane is back";
	EXPECT_EQ(total("timeoutsessions") + total("finaltimeoutsessions"),
		  ended + 1);
	EXPECT_EQ(ports_used("core"), 0);
}

// The same daemons with --listen-metrics: /metrics over plain HTTP/1.0
// follows a call set up and torn down over ng; other paths and methods
// are refused; stalled scrapers hold up neither ng nor, once they time
// out, the next scrape; a port already taken stops a second daemon at
// start; an IPv6 listener of a daemon with no dataplane says so.
class ControlMetrics : public Control {
protected:
	static uint16_t http_port;

	static void SetUpTestSuite()
	{
		http_port = free_port(SOCK_STREAM);
		control_extra = {"--listen-metrics",
				 "127.0.0.1:" + std::to_string(http_port)};
		Control::SetUpTestSuite();
	}

	static void TearDownTestSuite()
	{
		Control::TearDownTestSuite();
		control_extra.clear();
	}

	struct Http {
		int status = 0;
		std::string head, body;
	};

	static int connect_to(const std::string &ip, uint16_t port,
			      int timeout_s = 1)
	{
		sockaddr_storage ss{};
		auto *a4 = reinterpret_cast<sockaddr_in *>(&ss);
		auto *a6 = reinterpret_cast<sockaddr_in6 *>(&ss);
		bool v6 = ip.find(':') != std::string::npos;
		int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
		timeval tv{timeout_s, 0};

		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		if (v6) {
			a6->sin6_family = AF_INET6;
			a6->sin6_port = htons(port);
			inet_pton(AF_INET6, ip.c_str(), &a6->sin6_addr);
		} else {
			a4->sin_family = AF_INET;
			a4->sin_port = htons(port);
			inet_pton(AF_INET, ip.c_str(), &a4->sin_addr);
		}
		if (connect(fd, reinterpret_cast<sockaddr *>(&ss),
			    v6 ? sizeof(sockaddr_in6) : sizeof(sockaddr_in))) {
			close(fd);
			return -1;
		}
		return fd;
	}

	// One request; HTTP/1.0, so the reply ends when the server closes.
	// Status 0: no reply within a second.
	static Http http(const std::string &method, const std::string &path,
			 const std::string &ip = "127.0.0.1", uint16_t port = 0,
			 int timeout_s = 1)
	{
		Http h;
		std::string req = method + " " + path + " HTTP/1.0\r\n"
				  "Host: aegw\r\n\r\n", in;
		char buf[65536];
		ssize_t n;
		int fd = connect_to(ip, port ? port : http_port, timeout_s);

		if (fd < 0)
			return h;
		if (send(fd, req.data(), req.size(), MSG_NOSIGNAL) > 0)
			while ((n = recv(fd, buf, sizeof(buf), 0)) > 0)
				in.append(buf, size_t(n));
		close(fd);
		size_t end = in.find("\r\n\r\n");
		if (in.rfind("HTTP/1.", 0) || end == std::string::npos)
			return h;
		h.status = atoi(in.c_str() + 9);
		h.head = in.substr(0, end + 2);
		h.body = in.substr(end + 4);
		return h;
	}

	// The value of one series as the text prints it; -1 when absent.
	static double value(const std::string &body, const std::string &series)
	{
		std::string text = "\n" + body, key = "\n" + series + " ";
		size_t at = text.find(key);
		return at == std::string::npos ?
			       -1 : atof(text.c_str() + at + key.size());
	}

	static double sum(const std::string &body, const std::string &family,
			  const std::string &label, unsigned n)
	{
		double s = 0;
		for (unsigned i = 0; i < n; i++)
			s += value(body, family + "{" + label + "=\"" +
					 std::to_string(i) + "\"}");
		return s;
	}

	static std::string requests(const std::string &cmd, const std::string &res)
	{
		return "aegw_ng_requests_total{command=\"" + cmd +
		       "\",result=\"" + res + "\"}";
	}

	// The dataplane's series are read at most once a second.
	static std::string fresh_scrape()
	{
		sleep_s(1.1);
		Http h = http("GET", "/metrics");
		EXPECT_EQ(h.status, 200) << h.head;
		return h.body;
	}
};

uint16_t ControlMetrics::http_port;

// A scrape waits for the dataplane's DUMP on a fiber of its own, and ng
// requests are answered meanwhile. A stopped dataplane makes the wait long
// enough to see: the ping is answered at once, the scrape after the ACK
// timeout (saying the dataplane is not up), and the next one is up again.
TEST_F(ControlMetrics, NgIsAnsweredWhileAScrapeWaits)
{
	Http got;
	sleep_s(1.1); // the last reading is old enough for a new one
	ASSERT_TRUE(stop_all_threads(dp));
	std::thread scraper(
		[&] { got = http("GET", "/metrics", "127.0.0.1", 0, 5); });
	sleep_s(0.2); // the scrape is in, its DUMP out
	double t = ng->ping_seconds("wait-ping");
	scraper.join();
	kill(dp, SIGCONT);
	EXPECT_GE(t, 0) << "no pong";
	EXPECT_LT(t, 0.5) << "the ping waited for the scrape";
	EXPECT_EQ(got.status, 200) << got.head;
	EXPECT_EQ(value(got.body, "aegw_dataplane_up"), 0)
		<< "no DUMP came back: " << got.body;
	EXPECT_EQ(value(fresh_scrape(), "aegw_dataplane_up"), 1);
}

TEST_F(ControlMetrics, ScrapeFollowsACall)
{
	Http h = http("GET", "/metrics");
	ASSERT_EQ(h.status, 200) << h.head;
	EXPECT_NE(h.head.find("\r\nContent-Type: text/plain; version=0.0.4; "
			      "charset=utf-8\r\n"), std::string::npos) << h.head;
	EXPECT_EQ(value(h.body, "aegw_dataplane_up"), 1) << h.body;
	EXPECT_EQ(value(h.body, "aegw_dataplane_workers"), 2);
	EXPECT_EQ(value(h.body, "aegw_calls"), 0);
	double offers = value(h.body, requests("offer", "ok")),
	       answers = value(h.body, requests("answer", "ok")),
	       deletes = value(h.body, requests("delete", "ok"));
	ASSERT_GE(offers, 0) << h.body;

	std::string ue = sdp(7000, "RTP/SAVP", crypto_line());
	ASSERT_EQ(ng->ask(offer("metrics", ue, "RTP/AVP")).result(), "ok");
	ASSERT_EQ(ng->ask(answer("metrics", sdp(9000, "RTP/AVP"))).result(), "ok");
	std::string b = fresh_scrape();
	EXPECT_EQ(value(b, "aegw_calls"), 1) << b;
	EXPECT_EQ(value(b, requests("offer", "ok")), offers + 1);
	EXPECT_EQ(value(b, requests("answer", "ok")), answers + 1);
	EXPECT_EQ(value(b, "aegw_streams{mode=\"e2ae\"}"), 2);
	EXPECT_EQ(sum(b, "aegw_dataplane_streams", "worker", 2), 2)
		<< "the call's two streams, read from the dataplane";
	EXPECT_EQ(value(b, "aegw_interface_rx_packets_total{interface=\"access\"}"),
		  0) << "net_null sends nothing";
	EXPECT_EQ(value(b, "aegw_interface_port_pairs{interface=\"core\","
			   "state=\"used\"}"), 1);
	EXPECT_GE(value(b, "aegw_worker_rx_packets_total{worker=\"1\"}"), 0);
	EXPECT_GE(value(b, "aegw_interface_drops_total{interface=\"core\","
			   "reason=\"auth_failed\"}"), 0);
	EXPECT_GE(value(b, "aegw_ring_commands_total"), 2);

	ASSERT_EQ(ng->ask(del("metrics")).result(), "ok");
	b = fresh_scrape();
	EXPECT_EQ(value(b, "aegw_calls"), 0);
	EXPECT_EQ(value(b, requests("delete", "ok")), deletes + 1);
	EXPECT_EQ(value(b, "aegw_streams{mode=\"e2ae\"}"), 0);
	EXPECT_EQ(sum(b, "aegw_dataplane_streams", "worker", 2), 0);
}

TEST_F(ControlMetrics, OtherPathsAndMethodsAreRefused)
{
	EXPECT_EQ(http("GET", "/nope").status, 404);
	EXPECT_EQ(http("GET", "/").status, 404);
	Http h = http("POST", "/metrics");
	EXPECT_EQ(h.status, 405);
	EXPECT_NE(h.head.find("\r\nAllow: GET, HEAD\r\n"), std::string::npos)
		<< h.head;
	h = http("HEAD", "/metrics");
	EXPECT_EQ(h.status, 200);
	EXPECT_EQ(h.body, "");
	EXPECT_EQ(http("GET", "/metrics?x=1").status, 200);
	EXPECT_EQ(ng->ask(D({{"command", S("ping")}})).result(), "pong");
}

// More connections than the server takes (16), at once, each stalled in
// its request line: ng is answered at once all the same, and once they
// time out together (5 s) the next scrape gets its reply: at its limit
// MHD stops listening, and only a later run of it listens again.
TEST_F(ControlMetrics, StalledScrapersDoNotHoldUpTheDaemon)
{
	std::vector<int> stalled;
	for (int i = 0; i < 24; i++) {
		int fd = connect_to("127.0.0.1", http_port);
		if (fd >= 0 && send(fd, "GET /metr", 9, MSG_NOSIGNAL) == 9)
			stalled.push_back(fd);
		else if (fd >= 0)
			close(fd);
	}
	EXPECT_GT(stalled.size(), 16u);
	auto t0 = std::chrono::steady_clock::now();
	EXPECT_EQ(ng->ask(D({{"command", S("ping")}})).result(), "pong");
	EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() -
						t0).count(), 0.5);
	int status = 0;
	for (int i = 0; i < 12 && status != 200; i++)
		status = http("GET", "/metrics").status;
	EXPECT_EQ(status, 200) << "served again once the stalled ones timed out";
	EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() -
						t0).count(), 12);
	for (int fd : stalled)
		close(fd);
}

TEST_F(ControlMetrics, PortTakenStopsTheDaemonAtStart)
{
	std::string log = dir + "/second.log", port = std::to_string(http_port);
	pid_t p = spawn({bin("AEGW_CONTROL"), "--listen-ng",
			 "127.0.0.1:" + std::to_string(free_port(SOCK_DGRAM)),
			 "--instance", inst + "x", "--interface", "access=10.0.0.1",
			 "--ctl-socket", "none", "--journal", "off",
			 "--listen-metrics", "127.0.0.1:" + port},
			log);
	int status = -1;
	for (int i = 0; i < 100 && waitpid(p, &status, WNOHANG) != p; i++) {
		status = -1;
		sleep_s(0.05);
	}
	if (status == -1)
		status = stop(p);
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 1) << status;
	EXPECT_NE(slurp(log).find("metrics listener 127.0.0.1:" + port + ": "),
		  std::string::npos) << slurp(log);
	EXPECT_NE(slurp(log).find("Address already in use"), std::string::npos);
	EXPECT_EQ(http("GET", "/metrics").status, 200) << "the first one serves on";
}

TEST_F(ControlMetrics, Ipv6ListenerWithoutDataplane)
{
	uint16_t port = free_port(SOCK_STREAM);
	pid_t p = spawn({bin("AEGW_CONTROL"), "--listen-ng",
			 "127.0.0.1:" + std::to_string(free_port(SOCK_DGRAM)),
			 "--instance", inst + "none", "--interface",
			 "access=10.0.0.1", "--ctl-socket", "none", "--journal",
			 "off", "--listen-metrics", "[::1]:" + std::to_string(port)},
			dir + "/v6.log");
	Http h;
	for (int i = 0; i < 50 && h.status != 200; i++) {
		sleep_s(0.1);
		h = http("GET", "/metrics", "::1", port);
	}
	EXPECT_EQ(stop(p), 0);
	ASSERT_EQ(h.status, 200) << slurp(dir + "/v6.log");
	EXPECT_EQ(value(h.body, "aegw_dataplane_up"), 0);
	EXPECT_EQ(h.body.find("aegw_interface_rx_packets_total"), std::string::npos);
	EXPECT_EQ(h.body.find("aegw_dataplane_epoch"), std::string::npos);
}

// The same daemons, aegw-control reading a configuration file under its
// command line: --ng-allow from the file keeps every other source out,
// --srtp-suites from the file orders aegw's keys, and the command line's
// --max-sessions wins over the file's.
class ControlConfigFile : public Control {
protected:
	static std::string file;

	static void SetUpTestSuite()
	{
		file = "/tmp/aegw-ctl-config-" + std::to_string(getpid()) + ".conf";
		std::ofstream(file) << "[control]\n"
				       "ng-allow = 127.0.0.1\n"
				       "ng-allow = ::1\n"
				       "srtp-suites = AEAD_AES_256_GCM AES_CM_128_HMAC_SHA1_80\n"
				       "max-sessions = 100\n"
				       "[interface ignored]\n"
				       "addr = 10.9.9.9\n";
		control_extra = {"--config", file};
		Control::SetUpTestSuite();
	}

	static void TearDownTestSuite()
	{
		Control::TearDownTestSuite();
		control_extra.clear();
		unlink(file.c_str());
	}

	// A datagram from 127.0.0.2 (loopback too, outside --ng-allow): its
	// reply, "" if none came within timeout_ms.
	static std::string udp_from_outside(const std::string &msg, int timeout_ms)
	{
		int fd = socket(AF_INET, SOCK_DGRAM, 0);
		sockaddr_in src{}, dst{};
		src.sin_family = dst.sin_family = AF_INET;
		src.sin_addr.s_addr = htonl(0x7f000002);
		dst.sin_addr.s_addr = htonl(0x7f000001);
		dst.sin_port = htons(udp_port);
		timeval tv{timeout_ms / 1000, (timeout_ms % 1000) * 1000};
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		std::string out(65536, '\0');
		ssize_t n = -1;
		if (bind(fd, reinterpret_cast<sockaddr *>(&src), sizeof(src)) == 0 &&
		    sendto(fd, msg.data(), msg.size(), 0,
			   reinterpret_cast<sockaddr *>(&dst), sizeof(dst)) >= 0)
			n = recv(fd, &out[0], out.size(), 0);
		close(fd);
		return n > 0 ? out.substr(0, size_t(n)) : "";
	}
};

std::string ControlConfigFile::file;

TEST_F(ControlConfigFile, NgAllowDropsOtherSources)
{
	std::string ping = "out1 " + D({{"command", S("ping")}});
	EXPECT_EQ(udp_from_outside(ping, 500), "") << "no reply outside";
	EXPECT_EQ(Reply(ng->udp(ping)).str({"result"}), "pong") << "127.0.0.1 is in";
	std::string offer_msg = "out2 " + offer("outsider", sdp(7000, "RTP/AVP"));
	EXPECT_EQ(udp_from_outside(offer_msg, 300), "");
	EXPECT_EQ(query("outsider").reason(), "Unknown call-id")
		<< "a refused offer made no call";
	EXPECT_NE(slurp(dir + "/control.log").find("from 127.0.0.2 refused"),
		  std::string::npos);
}

TEST_F(ControlConfigFile, FileSettingsUnderTheCommandLine)
{
	// A plain offer from the core made SRTP toward the UE: the file's
	// first suite; the file's [interface] gave way to the command line's.
	Reply r = ng->ask(offer("suites", sdp(9000, "RTP/AVP"), "RTP/SAVP",
				{{"direction", L({"core", "access"})}}));
	ASSERT_EQ(r.result(), "ok") << r.raw();
	EXPECT_NE(r.sdp().find("a=crypto:1 AEAD_AES_256_GCM inline:"),
		  std::string::npos) << r.sdp();
	EXPECT_NE(r.sdp().find("c=IN IP4 10.0.0.1"), std::string::npos) << r.sdp();
	// --max-sessions 3 from the command line, not the file's 100.
	for (int i = 0; i < 2; i++)
		EXPECT_EQ(ng->ask(offer("more" + std::to_string(i),
					sdp(7000, "RTP/AVP"))).result(), "ok");
	EXPECT_EQ(ng->ask(offer("one-too-many", sdp(7000, "RTP/AVP"))).result(),
		  "load limit");
	for (const char *c : {"suites", "more0", "more1"})
		ng->ask(del(c));
}

} // namespace
