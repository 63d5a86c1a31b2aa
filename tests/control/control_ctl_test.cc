// aegwctl and aegw-control's control socket: the real daemon and a real
// aegw-dataplane (net_null ports, two workers), a call set up over UDP as
// Kamailio would, then read and deleted through the real aegwctl binary
// over the socket, as text and as JSON; static streams installed and
// uninstalled by hand; the admin commands refused over UDP and TCP;
// malformed, huge and keyless messages on the socket; the socket file's
// mode, stale files and a second daemon; aegwctl's exit codes.
//
//   aegwctl --unix seqpacket--> aegw-control --ring--> aegw-dataplane
//   test (UDP/TCP ng) ------------^   access 10.0.0.1   port 0 net_null0
//                                     core 192.168.0.1  port 1 net_null1
//
// The binaries come from the environment (AEGW_DATAPLANE, AEGW_CONTROL,
// AEGWCTL), which meson sets. JSON is checked with python3's json module
// (those checks are skipped without python3).
#include <gtest/gtest.h>

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <future>
#include <memory>
#include <thread>

#include "ng_client.h"

using namespace ngtest;

namespace {

const std::string kUeKey = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd";
const std::string kStaticKey = "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVpbXF1e";

std::string sdp(uint16_t port, const std::string &proto,
		const std::string &lines = "")
{
	return "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\n"
	       "t=0 0\r\nm=audio " + std::to_string(port) + " " + proto +
	       " 0\r\na=rtpmap:0 PCMU/8000\r\n" + lines;
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

sockaddr_un unix_addr(const std::string &path)
{
	sockaddr_un sa{};
	sa.sun_family = AF_UNIX;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path.c_str());
	return sa;
}

int unix_connect(const std::string &path)
{
	sockaddr_un sa = unix_addr(path);
	int fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	if (connect(fd, reinterpret_cast<sockaddr *>(&sa), sizeof(sa))) {
		close(fd);
		return -1;
	}
	return fd;
}

// One packet on fd, its reply ("" when none came in timeout_ms).
std::string talk(int fd, const std::string &msg, int timeout_ms = 5000)
{
	static char buf[1 << 20];
	pollfd p = {fd, POLLIN, 0};

	if (send(fd, msg.data(), msg.size(), MSG_NOSIGNAL) != ssize_t(msg.size()))
		return "";
	if (poll(&p, 1, timeout_ms) != 1)
		return "";
	ssize_t n = recv(fd, buf, sizeof(buf), 0);
	return n > 0 ? std::string(buf, size_t(n)) : "";
}

struct Out {
	int rc;
	std::string out, err;
};

// ---- the daemons ----------------------------------------------------

class Ctl : public ::testing::Test {
protected:
	static std::string inst, dir, sock;
	static pid_t dp, gw;
	static uint16_t udp_port, tcp_port;
	static std::unique_ptr<NgClient> ng;
	static bool have_python;

	static const char *bin(const char *env)
	{
		const char *p = getenv(env);
		return p && *p ? p : nullptr;
	}

	static void SetUpTestSuite()
	{
		if (!bin("AEGW_DATAPLANE") || !bin("AEGW_CONTROL") || !bin("AEGWCTL"))
			return;
		inst = "ctlsock" + std::to_string(getpid());
		char tmpl[] = "/tmp/aegw-ctlsock-test.XXXXXX";
		dir = mkdtemp(tmpl);
		sock = dir + "/run/ctl.sock"; // run/ is made by the daemon
		udp_port = free_port(SOCK_DGRAM);
		tcp_port = free_port(SOCK_STREAM);
		have_python = !run("command -v python3").empty();
		start_dataplane();
		start_control();
		ng = std::make_unique<NgClient>(udp_port, tcp_port);
		wait_alive();
	}

	static void start_control(const std::vector<std::string> &extra = {})
	{
		std::vector<std::string> argv = control_argv(
			bin("AEGW_CONTROL"), inst, udp_port, tcp_port,
			{"--ctl-socket", sock});
		argv.insert(argv.end(), extra.begin(), extra.end());
		gw = spawn(argv, dir + "/control.log");
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
			GTEST_SKIP() << "AEGW_DATAPLANE, AEGW_CONTROL, AEGWCTL not set";
	}

	void TearDown() override
	{
		if (HasFailure())
			std::cerr << "---- aegw-control log (tail) ----\n"
				  << tail(dir + "/control.log");
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

	static Reply stats()
	{
		return ng->ask(D({{"command", S("statistics")}}));
	}

	static void wait_alive()
	{
		for (int i = 0; i < 100; i++) {
			if (stats().num({"statistics", "dataplane", "alive"}) == 1)
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
			int64_t v = -1;
			if (aegw_benc_str_eq(aegw_benc_dict_get(it, "name"),
					     iface.c_str())) {
				aegw_benc_get_int(aegw_benc_dict_get(it, "ports-used"),
						  &v);
				return v;
			}
		}
		return -1;
	}

	// The real aegwctl on the test's socket; input goes to its stdin.
	static Out aegwctl(const std::string &args, const std::string &input = "",
			   const std::string &socket_opt = "")
	{
		std::string in = dir + "/ctl.in", o = dir + "/ctl.out",
			    e = dir + "/ctl.err";
		std::ofstream(in) << input;
		std::string cmd = std::string(bin("AEGWCTL")) + " " +
				  (socket_opt.empty() ? "--socket " + sock
						      : socket_opt) +
				  " " + args + " <" + in + " >" + o + " 2>" + e +
				  "; echo $?";
		std::string rc = run(cmd);
		return {atoi(rc.c_str()), slurp(o), slurp(e)};
	}

	// A Python expression over d, the JSON document aegwctl printed;
	// "" without python3 (the caller then skips its check).
	static std::string json(const std::string &text, const std::string &expr)
	{
		if (!have_python)
			return "";
		std::string path = dir + "/out.json";
		std::ofstream(path) << text;
		std::string r = run("python3 -c 'import json,sys; d=json.load("
				    "open(sys.argv[1])); print(" + expr + ")' " +
				    path + " 2>&1");
		while (!r.empty() && r.back() == '\n')
			r.pop_back();
		return r;
	}

	static std::string ctl_ask(const std::string &msg, int timeout_ms = 5000)
	{
		int fd = unix_connect(sock);
		if (fd < 0)
			return "";
		std::string r = talk(fd, msg, timeout_ms);
		close(fd);
		return r;
	}

	// An e2ae call over UDP (SRTP toward the UE, plain toward the core);
	// aegw's key toward the UE and the two ports through *ue_port,
	// *core_port.
	static std::string e2ae_call(const std::string &call, uint16_t *ue_port,
				     uint16_t *core_port)
	{
		Reply o = ng->ask(D({{"command", S("offer")}, {"call-id", S(call)},
				     {"from-tag", S("ft-" + call)},
				     {"sdp", S(sdp(7000, "RTP/SAVP",
						   "a=crypto:1 AES_CM_128_HMAC_SHA1_80 "
						   "inline:" + kUeKey + "\r\n"))},
				     {"transport-protocol", S("RTP/AVP")}}));
		EXPECT_EQ(o.result(), "ok") << o.raw();
		Reply a = ng->ask(D({{"command", S("answer")}, {"call-id", S(call)},
				     {"from-tag", S("ft-" + call)},
				     {"to-tag", S("tt-" + call)},
				     {"sdp", S(sdp(9000, "RTP/AVP"))},
				     {"transport-protocol", S("RTP/SAVP")}}));
		EXPECT_EQ(a.result(), "ok") << a.raw();
		Sdp to_core(o.sdp()), to_ue(a.sdp());
		*core_port = to_core.port();
		*ue_port = to_ue.port();
		std::string c = to_ue.crypto_value();
		size_t at = c.find("inline:");
		return at == std::string::npos ? "" : c.substr(at + 7, 40);
	}
};

std::string Ctl::inst, Ctl::dir, Ctl::sock;
pid_t Ctl::dp, Ctl::gw;
uint16_t Ctl::udp_port, Ctl::tcp_port;
std::unique_ptr<NgClient> Ctl::ng;
bool Ctl::have_python;

// ---- tests ------------------------------------------------------------

TEST_F(Ctl, SocketIsSeqpacketMode0660InADirectoryMade0750)
{
	struct stat st, dst;
	ASSERT_EQ(lstat(sock.c_str(), &st), 0) << sock;
	EXPECT_TRUE(S_ISSOCK(st.st_mode));
	EXPECT_EQ(st.st_mode & 07777, 0660u);
	ASSERT_EQ(stat((dir + "/run").c_str(), &dst), 0);
	EXPECT_EQ(dst.st_mode & 07777, 0750u);
	EXPECT_EQ(ctl_ask("p1 d7:command4:pinge"), "p1 d6:result4:ponge");
}

TEST_F(Ctl, Ping)
{
	Out r = aegwctl("ping");
	EXPECT_EQ(r.rc, 0) << r.err;
	EXPECT_EQ(r.out, "pong\n");
	r = aegwctl("--json ping");
	EXPECT_EQ(r.rc, 0) << r.err;
	EXPECT_NE(r.out.find("\"result\": \"pong\""), std::string::npos) << r.out;
	if (have_python) {
		EXPECT_EQ(json(r.out, "d[\"result\"]"), "pong") << r.out;
	}
}

// Set up over UDP as Kamailio does, read and deleted through aegwctl: the
// same list, query and delete code. No output carries a key.
TEST_F(Ctl, CallOverUdpThenListShowStreamsCountersDelete)
{
	uint16_t ue_port, core_port;
	std::string key = e2ae_call("ctl-call-1", &ue_port, &core_port);
	ASSERT_EQ(key.size(), 40u);
	std::string all;

	Out r = aegwctl("list");
	EXPECT_EQ(r.rc, 0) << r.err;
	EXPECT_NE(r.out.find("ctl-call-1\n"), std::string::npos) << r.out;
	all += r.out;
	r = aegwctl("--json list");
	EXPECT_EQ(r.rc, 0);
	if (have_python) {
		EXPECT_EQ(json(r.out, "\"ctl-call-1\" in d[\"calls\"]"), "True")
			<< r.out;
	}

	r = aegwctl("show ctl-call-1");
	EXPECT_EQ(r.rc, 0) << r.err;
	EXPECT_NE(r.out.find("call ctl-call-1"), std::string::npos) << r.out;
	EXPECT_NE(r.out.find("tag ft-ctl-call-1"), std::string::npos) << r.out;
	EXPECT_NE(r.out.find("media 1 audio e2ae RTP/SAVP"), std::string::npos)
		<< r.out;
	all += r.out;
	r = aegwctl("--json show ctl-call-1");
	EXPECT_EQ(r.rc, 0);
	if (have_python) {
		EXPECT_EQ(json(r.out, "d[\"tags\"][\"ft-ctl-call-1\"][\"medias\"]"
				      "[0][\"mode\"]"), "e2ae") << r.out;
	}
	all += r.out;

	r = aegwctl("streams");
	EXPECT_EQ(r.rc, 0) << r.err;
	std::string ue_local = "10.0.0.1:" + std::to_string(ue_port);
	std::string core_local = "192.168.0.1:" + std::to_string(core_port);
	EXPECT_NE(r.out.find(ue_local), std::string::npos) << r.out;
	EXPECT_NE(r.out.find(core_local), std::string::npos) << r.out;
	EXPECT_NE(r.out.find("e2ae-in"), std::string::npos) << r.out;
	EXPECT_NE(r.out.find("e2ae-out"), std::string::npos) << r.out;
	EXPECT_NE(r.out.find("ctl-call-1/1"), std::string::npos) << r.out;
	all += r.out;
	r = aegwctl("--json streams");
	EXPECT_EQ(r.rc, 0) << r.err;
	if (have_python) {
		EXPECT_EQ(json(r.out, "len([s for s in d[\"streams\"] if "
				      "s.get(\"call-id\") == \"ctl-call-1\" and "
				      "s[\"in-dataplane\"] == 1])"), "2") << r.out;
		EXPECT_EQ(json(r.out, "d[\"dataplane\"]"), "ok");
	}
	all += r.out;

	r = aegwctl("counters");
	EXPECT_EQ(r.rc, 0) << r.err;
	EXPECT_NE(r.out.find("commands.offer "), std::string::npos) << r.out;
	EXPECT_NE(r.out.find("interfaces.access.ports-used 1"), std::string::npos)
		<< r.out;
	r = aegwctl("--json counters");
	if (have_python) {
		EXPECT_EQ(json(r.out, "d[\"statistics\"][\"currentstatistics\"]"
				      "[\"sessionsown\"]"), "1") << r.out;
	}

	EXPECT_EQ(all.find(kUeKey), std::string::npos) << "the UE's key printed";
	EXPECT_EQ(all.find(key), std::string::npos) << "aegw's key printed";

	r = aegwctl("delete ctl-call-1");
	EXPECT_EQ(r.rc, 0) << r.err;
	EXPECT_NE(r.out.find("deleted"), std::string::npos) << r.out;
	EXPECT_EQ(ports_used("core"), 0);
	r = aegwctl("show ctl-call-1");
	EXPECT_EQ(r.rc, 1);
	EXPECT_NE(r.err.find("Unknown call-id"), std::string::npos) << r.err;
	r = aegwctl("delete ctl-call-1");
	EXPECT_EQ(r.rc, 0) << "rtpengine's answer: ok with a warning";
	EXPECT_NE(r.err.find("not found"), std::string::npos) << r.err;
	r = aegwctl("streams");
	EXPECT_EQ(r.out.find("ctl-call-1"), std::string::npos) << r.out;
}

// aegwctl reading a stopped dataplane waits out the ring's timeouts; the
// ng requests of the P-CSCF are read and answered meanwhile.
TEST_F(Ctl, AnAegwctlRequestWaitingForTheDataplaneLetsNgThrough)
{
	uint16_t ue_port, core_port;
	ASSERT_EQ(e2ae_call("ctl-slow", &ue_port, &core_port).size(), 40u);
	ASSERT_TRUE(stop_all_threads(dp));
	auto listing = std::async(std::launch::async,
				  [] { return aegwctl("streams"); });
	std::this_thread::sleep_for(std::chrono::milliseconds(200));
	double took = ng->ping_seconds("cp");
	Out r = listing.get();
	kill(dp, SIGCONT);
	EXPECT_GE(took, 0) << "no pong";
	EXPECT_LT(took, 0.4) << "the ng ping waited for aegwctl";
	EXPECT_NE(r.out.find(std::to_string(ue_port)), std::string::npos)
		<< r.out << r.err;
	std::this_thread::sleep_for(std::chrono::milliseconds(300));
	Reply d = ng->ask(D({{"command", S("delete")}, {"call-id", S("ctl-slow")},
			     {"from-tag", S("ft-ctl-slow")}}));
	EXPECT_EQ(d.result(), "ok") << d.raw();
}

TEST_F(Ctl, AdminCommandsRefusedOverUdpAndTcp)
{
	for (const char *cmd :
	     {"streams", "registrations", "policy", "install", "uninstall"}) {
		Reply r = ng->ask(D({{"command", S(cmd)}}));
		EXPECT_EQ(r.result(), "error") << cmd;
		EXPECT_EQ(r.reason(), "command only on the control socket") << cmd;
		auto t = ng->tcp({"t1 " + D({{"command", S(cmd)}})}, 1);
		ASSERT_EQ(t.size(), 1u) << cmd;
		EXPECT_EQ(Reply(t[0]).reason(), "command only on the control socket");
	}
	// ... and still an unknown command on the socket, as over UDP.
	EXPECT_EQ(Reply(ctl_ask("u1 d7:command5:helloe")).reason(),
		  "Unrecognized command");
}

TEST_F(Ctl, InstallUninstallStaticStreams)
{
	int64_t before = ports_used("access");
	Out r = aegwctl("install --interface access --port 20500 --action relay "
			"--out-interface core --peer 192.168.0.9:4000");
	ASSERT_EQ(r.rc, 0) << r.err;
	unsigned id = 0;
	ASSERT_EQ(sscanf(r.out.c_str(), "stream %u installed on access port 20500",
			 &id), 1) << r.out;
	EXPECT_EQ(ports_used("access"), before + 1) << "its pair is reserved";

	r = aegwctl("streams");
	std::string line;
	for (size_t at = 0; at < r.out.size();) {
		size_t nl = r.out.find('\n', at);
		std::string l = r.out.substr(at, nl - at);
		if (l.rfind(std::to_string(id) + " ", 0) == 0)
			line = l;
		at = nl == std::string::npos ? r.out.size() : nl + 1;
	}
	EXPECT_NE(line.find("static"), std::string::npos) << r.out;
	EXPECT_NE(line.find("relay"), std::string::npos) << line;
	EXPECT_NE(line.find("10.0.0.1:20500"), std::string::npos) << line;
	EXPECT_NE(line.find("192.168.0.9:4000"), std::string::npos) << line;
	EXPECT_EQ(line.find("not in the dataplane"), std::string::npos) << line;

	// The port is taken: by the static stream, not by the next call.
	r = aegwctl("install --interface access --port 20500 --action relay "
		    "--peer 10.0.0.9:4000");
	EXPECT_EQ(r.rc, 1);
	EXPECT_NE(r.err.find("already"), std::string::npos) << r.err;
	r = aegwctl("install --interface access --port 20501 --action relay "
		    "--peer 10.0.0.9:4000");
	EXPECT_EQ(r.rc, 1) << "20501 is 20500's RTCP port, its pair";
	EXPECT_NE(r.err.find("in use"), std::string::npos) << r.err;

	// e2ae-in with its key on stdin, e2ae-out with it in a file: the
	// output names the stream, never the key. Port 25000 is outside the
	// pool: nothing to reserve.
	r = aegwctl("install --interface access --port 25000 --action e2ae-in "
		    "--out-interface core --peer 192.168.0.9:4002 --in-key -",
		    "AES_CM_128_HMAC_SHA1_80:inline:" + kStaticKey + "\n");
	ASSERT_EQ(r.rc, 0) << r.err;
	unsigned id2 = 0;
	sscanf(r.out.c_str(), "stream %u", &id2);
	std::ofstream(dir + "/key") << "AES_CM_128_HMAC_SHA1_32:" << kStaticKey
				    << "\n";
	r = aegwctl("--json install --interface core --port 30100 --action "
		    "e2ae-out --out-interface access --peer 10.0.0.9:4004 "
		    "--out-key @" + dir + "/key --rtcp-mux");
	ASSERT_EQ(r.rc, 0) << r.err;
	std::string id3 = json(r.out, "d[\"id\"]");
	// RTCP leg by leg: multiplexed in, on port + 1 toward the peer; and
	// the reverse. The dataplane's own flags are what the listing shows.
	r = aegwctl("--json install --interface access --port 20700 --action "
		    "relay --peer 10.0.0.9:4010 --rtcp-mux --rtcp-out split");
	ASSERT_EQ(r.rc, 0) << r.err;
	std::string id4 = json(r.out, "d[\"id\"]");
	r = aegwctl("--json install --interface access --port 20702 --action "
		    "relay --peer 10.0.0.9:4012 --rtcp-out mux");
	ASSERT_EQ(r.rc, 0) << r.err;
	std::string id5 = json(r.out, "d[\"id\"]");
	std::string js4 = aegwctl("--json streams").out;
	auto rtcp_of = [&](const std::string &sid) {
		return json(js4, "[s[\"rtcp-in\"] + \" \" + s[\"rtcp-out\"] for s "
				 "in d[\"streams\"] if s[\"id\"] == " + sid + "][0]");
	};
	EXPECT_EQ(rtcp_of(id3), "mux mux");
	EXPECT_EQ(rtcp_of(id4), "mux port+1");
	EXPECT_EQ(rtcp_of(id5), "port+1 mux");
	auto rtcp_to = [&](const std::string &sid) {
		return json(js4, "[s[\"rtcp-destination\"] for s in "
				 "d[\"streams\"] if s[\"id\"] == " + sid + "][0]");
	};
	EXPECT_EQ(rtcp_to(id4), "10.0.0.9:4011");
	EXPECT_EQ(rtcp_to(id5), "10.0.0.9:4012");
	r = aegwctl("install --interface access --port 20704 --action relay "
		    "--peer 10.0.0.9:4014 --rtcp-out both");
	EXPECT_EQ(r.rc, 2) << "mux or split only";
	Reply both(ctl_ask("rb1 " + D({{"command", S("install")},
				      {"interface", S("access")},
				      {"port", "i20704e"}, {"action", S("relay")},
				      {"peer", S("10.0.0.9:4014")},
				      {"flags", L({"rtcp-out-mux",
						   "rtcp-out-split"})}})));
	EXPECT_EQ(both.result(), "error");
	EXPECT_NE(both.reason().find("exclude each other"), std::string::npos)
		<< both.raw();
	aegwctl("uninstall " + id4);
	aegwctl("uninstall " + id5);
	std::string listing = aegwctl("streams").out + aegwctl("--json streams").out;
	EXPECT_EQ((r.out + listing).find(kStaticKey), std::string::npos);
	EXPECT_NE(listing.find("e2ae-in"), std::string::npos) << listing;

	// Keys that do not fit the action; a call's stream is not static.
	r = aegwctl("install --interface access --port 20600 --action relay "
		    "--peer 10.0.0.9:4000 --in-key AES_CM_128_HMAC_SHA1_80:" +
		    kStaticKey);
	EXPECT_EQ(r.rc, 1);
	EXPECT_NE(r.err.find("relay takes no in-key"), std::string::npos) << r.err;
	r = aegwctl("install --interface access --port 20600 --action recrypt "
		    "--peer 10.0.0.9:4000 --in-key AES_CM_128_HMAC_SHA1_80:" +
		    kStaticKey);
	EXPECT_NE(r.err.find("recrypt needs an out-key"), std::string::npos)
		<< r.err;
	r = aegwctl("install --interface nowhere --port 20600 --action relay "
		    "--peer 10.0.0.9:4000");
	EXPECT_NE(r.err.find("no interface 'nowhere'"), std::string::npos) << r.err;
	r = aegwctl("install --interface access --port 20600 --action relay "
		    "--peer [::1]:4000");
	EXPECT_NE(r.err.find("family"), std::string::npos) << r.err;
	uint16_t ue_port, core_port;
	e2ae_call("ctl-call-2", &ue_port, &core_port);
	Reply q = ng->ask(D({{"command", S("query")}, {"call-id", S("ctl-call-2")}}));
	ASSERT_EQ(q.result(), "ok");
	std::string js = aegwctl("--json streams").out;
	std::string call_id =
		json(js, "[s[\"id\"] for s in d[\"streams\"] if "
			 "s.get(\"call-id\") == \"ctl-call-2\"][0]");
	if (!call_id.empty()) {
		r = aegwctl("uninstall " + call_id);
		EXPECT_EQ(r.rc, 1);
		EXPECT_NE(r.err.find("belongs to call ctl-call-2"),
			  std::string::npos) << r.err;
	}
	aegwctl("delete ctl-call-2");

	// Pages: one stream at a time, each naming where the next starts.
	Reply p1(ctl_ask("pg1 d7:command7:streams5:limiti1ee"));
	ASSERT_EQ(p1.result(), "ok") << p1.raw();
	int64_t next = p1.num({"next"});
	EXPECT_GT(next, 0) << p1.raw();
	Reply p2(ctl_ask("pg2 " + D({{"command", S("streams")}, {"limit", "i1e"},
				     {"after", "i" + std::to_string(next) + "e"}})));
	const aegw_benc_node *s2 = aegw_benc_list_first(p2.node({"streams"}));
	int64_t id_p2 = -1;
	aegw_benc_get_int(aegw_benc_dict_get(s2, "id"), &id_p2);
	EXPECT_GT(id_p2, next) << p2.raw();

	// Uninstalled: gone from the dataplane and the listing, port back.
	r = aegwctl("uninstall " + std::to_string(id));
	EXPECT_EQ(r.rc, 0) << r.err;
	EXPECT_EQ(r.out, "stream " + std::to_string(id) + " uninstalled\n");
	EXPECT_EQ(ports_used("access"), before);
	r = aegwctl("uninstall " + std::to_string(id));
	EXPECT_EQ(r.rc, 1);
	EXPECT_NE(r.err.find("no stream"), std::string::npos) << r.err;
	EXPECT_EQ(aegwctl("uninstall " + std::to_string(id2)).rc, 0);
	if (!id3.empty()) {
		EXPECT_EQ(aegwctl("uninstall " + id3).rc, 0);
	}
	r = aegwctl("streams");
	EXPECT_EQ(r.out.find("static"), std::string::npos) << r.out;
	EXPECT_EQ(ports_used("core"), 0);
}

TEST_F(Ctl, RegistrationsLookupPolicy)
{
	Reply reg = ng->ask(D({{"command", S("register")},
			       {"ue-identity", S("sip:alice@ims.example")},
			       {"e2ae-security", S("supported")},
			       {"access-network", S("3GPP-E-UTRAN-FDD")},
			       {"expires", "i600e"}}));
	ASSERT_EQ(reg.result(), "ok") << reg.raw();
	Out r = aegwctl("registrations");
	EXPECT_EQ(r.rc, 0) << r.err;
	EXPECT_NE(r.out.find("sip:alice@ims.example"), std::string::npos) << r.out;
	EXPECT_NE(r.out.find("preferred"), std::string::npos) << r.out;
	EXPECT_NE(r.out.find("1 of 1 registration(s)"), std::string::npos) << r.out;
	r = aegwctl("--json registrations --limit 5");
	if (have_python) {
		EXPECT_EQ(json(r.out, "d[\"registrations\"][0][\"e2ae-security-"
				      "network\"]"), "supported") << r.out;
	}
	r = aegwctl("lookup sip:alice@ims.example");
	EXPECT_EQ(r.rc, 0) << r.err;
	EXPECT_NE(r.out.find("e2ae-policy preferred"), std::string::npos) << r.out;
	r = aegwctl("lookup sip:nobody@ims.example");
	EXPECT_EQ(r.rc, 1);
	EXPECT_NE(r.err.find("Unknown registration"), std::string::npos);

	r = aegwctl("policy");
	EXPECT_EQ(r.rc, 0) << r.err;
	EXPECT_NE(r.out.find("3GPP-E-UTRAN-FDD"), std::string::npos) << r.out;
	EXPECT_NE(r.out.find("AES_CM_128_HMAC_SHA1_80"), std::string::npos);
	EXPECT_NE(r.out.find("ports 20000-20999"), std::string::npos) << r.out;
	EXPECT_NE(r.out.find("ng requests taken from: any source"),
		  std::string::npos) << r.out;
	EXPECT_NE(r.out.find("ng-cache-mb"), std::string::npos) << r.out;
	r = aegwctl("--json policy");
	if (have_python) {
		EXPECT_EQ(json(r.out, "d[\"limits\"][\"ng-cache-mb\"]"), "64")
			<< r.out;
		EXPECT_EQ(json(r.out, "[p[\"policy\"] for p in d[\"e2ae-policy\"] "
				      "if p[\"access-network\"] == \"*\"][0]"),
			  "supported") << r.out;
		EXPECT_EQ(json(r.out, "d[\"interfaces\"][1][\"name\"]"), "core");
	}
	ng->ask(D({{"command", S("deregister")},
		   {"ue-identity", S("sip:alice@ims.example")}}));
}

// Whatever arrives on the socket, the daemon answers with an error under
// the cookie, or drops what has none; it never goes down.
TEST_F(Ctl, MalformedMessagesOnTheSocket)
{
	int fd = unix_connect(sock);
	ASSERT_GE(fd, 0);
	EXPECT_EQ(talk(fd, "d7:command4:pinge", 300), "") << "no cookie";
	EXPECT_EQ(talk(fd, std::string("\x01\x02\xff garbage", 11), 300), "");
	Reply g(talk(fd, "m1 not bencode"));
	EXPECT_EQ(g.result(), "error");
	EXPECT_EQ(g.cookie(), "m1");
	Reply l(talk(fd, "m2 l4:pinge"));
	EXPECT_NE(l.reason().find("not a bencoded dictionary"), std::string::npos);
	Reply t(talk(fd, "m3 d7:command7:install4:porti99999ee"));
	EXPECT_EQ(t.result(), "error") << t.raw();
	Reply u(talk(fd, "m4 d7:command9:uninstall2:id3:abce"));
	EXPECT_EQ(u.reason(), "No stream id in message") << u.raw();
	Reply k2(talk(fd, "m5 " + D({{"command", S("install")},
					{"interface", S("access")},
					{"port", "i20700e"},
					{"action", S("e2ae-in")},
					{"peer", S("10.0.0.9:1")},
					{"in-key", S("AES_CM_128_HMAC_SHA1_80:short")}})));
	EXPECT_EQ(k2.result(), "error");
	EXPECT_NE(k2.reason().find("in-key"), std::string::npos) << k2.raw();

	// Larger than any request: refused under its cookie (or, where the
	// kernel will not send that much, not sent at all).
	int big = 1 << 19;
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
	std::string huge = "m6 d7:command4:ping3:pad" +
			   std::to_string(250000) + ":" + std::string(250000, 'x') +
			   "e";
	std::string hr = talk(fd, huge, 2000);
	if (!hr.empty()) {
		EXPECT_EQ(Reply(hr).reason(), "message too large") << hr.substr(0, 200);
	}
	EXPECT_EQ(talk(fd, "m7 d7:command4:pinge"), "m7 d6:result4:ponge");
	close(fd);

	// An empty packet is the end of a connection; more connections than
	// the daemon serves are closed, the others keep working.
	fd = unix_connect(sock);
	send(fd, "", 0, 0);
	close(fd);
	std::vector<int> fds;
	for (int i = 0; i < 20; i++)
		fds.push_back(unix_connect(sock));
	unsigned answered = 0;
	for (int f : fds)
		answered += talk(f, "m8 d7:command4:pinge", 500) ==
			    "m8 d6:result4:ponge";
	EXPECT_GE(answered, 1u);
	EXPECT_LE(answered, 16u);
	for (int f : fds)
		close(f);
	EXPECT_EQ(aegwctl("ping").out, "pong\n") << "still alive";
	EXPECT_EQ(ng->ask(D({{"command", S("ping")}})).result(), "pong");
}

TEST_F(Ctl, ExitCodes)
{
	EXPECT_EQ(aegwctl("ping").rc, 0);
	EXPECT_EQ(aegwctl("show no-such-call").rc, 1);
	EXPECT_EQ(aegwctl("").rc, 2) << "no command";
	EXPECT_EQ(aegwctl("frobnicate").rc, 2);
	EXPECT_EQ(aegwctl("show").rc, 2);
	EXPECT_EQ(aegwctl("install --port 20000").rc, 2);
	EXPECT_EQ(aegwctl("install --interface a --port 70000 --action relay "
			  "--peer 1.2.3.4:5").rc, 2);
	EXPECT_EQ(aegwctl("uninstall x").rc, 2);
	EXPECT_EQ(aegwctl("--timeout").rc, 2);
	Out h = aegwctl("--help");
	EXPECT_EQ(h.rc, 0);
	EXPECT_NE(h.out.find("--instance"), std::string::npos);

	// No daemon: 3, whether the socket is missing or never answers.
	Out r = aegwctl("ping", "", "--socket " + dir + "/nothing.sock");
	EXPECT_EQ(r.rc, 3);
	EXPECT_NE(r.err.find("nothing.sock"), std::string::npos) << r.err;
	EXPECT_EQ(aegwctl("ping", "", "--instance no-such-" + inst).rc, 3);
	std::string mute = dir + "/mute.sock";
	sockaddr_un sa = unix_addr(mute);
	int lfd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	ASSERT_EQ(bind(lfd, reinterpret_cast<sockaddr *>(&sa), sizeof(sa)), 0);
	listen(lfd, 4);
	r = aegwctl("ping", "", "--timeout 1 --socket " + mute);
	EXPECT_EQ(r.rc, 3);
	EXPECT_NE(r.err.find("no reply"), std::string::npos) << r.err;
	close(lfd);
}

// A daemon whose journal is lost finds what the last one left in the
// dataplane: a static stream comes back as one (listed `static`, its
// port reserved, uninstall as before); a call's two streams, which no
// call claims now, are listed `adopted`, kept under --timeout 0, and go,
// their ports with them, once silent for --timeout (net_null carries no
// packet).
TEST_F(Ctl, AfterALostJournalStaticStaysAndCallStreamsTimeOut)
{
	int64_t access0 = ports_used("access"), core0 = ports_used("core");
	Out r = aegwctl("--json install --interface access --port 20520 "
			"--action relay --out-interface core --peer "
			"192.168.0.9:4020 --remote 10.0.0.9:5020 --rtcp-mux "
			"--rtcp-out split");
	ASSERT_EQ(r.rc, 0) << r.err;
	std::string sid = json(r.out, "d[\"id\"]");
	uint16_t ue_port, core_port;
	e2ae_call("left-behind", &ue_port, &core_port);
	auto listing = [&] { return aegwctl("--json streams").out; };
	auto owners = [&](const std::string &js) {
		return json(js, "sorted(s[\"owner\"] for s in d[\"streams\"])");
	};
	auto static_line = [&](const std::string &js) {
		return json(js, "[(s[\"owner\"], s[\"action\"], s[\"local\"], "
				"s[\"peer\"], s[\"rtcp-in\"], s[\"rtcp-out\"]) "
				"for s in d[\"streams\"] if s[\"id\"] == " +
				(sid.empty() ? "0" : sid) + "]");
	};
	std::string was = listing();
	EXPECT_EQ(owners(was).find("adopted"), std::string::npos) << was;

	// First with --timeout 0: nothing ends them.
	stop(gw);
	unlink(("/dev/shm/aegw-" + inst + "-calls").c_str());
	start_control({"--timeout", "0"});
	wait_alive();
	std::string now = listing();
	if (have_python) {
		EXPECT_EQ(owners(now), "['adopted', 'adopted', 'static']") << now;
		EXPECT_EQ(static_line(now), static_line(was));
		EXPECT_NE(static_line(now).find("10.0.0.1:20520"),
			  std::string::npos) << now;
	}
	EXPECT_EQ(stats().num({"statistics", "dataplane", "adopted-streams"}), 3);
	EXPECT_EQ(ports_used("core"), core0 + 1) << "the call's, kept";

	// Then --timeout 1: the next daemon finds them again, and they go.
	stop(gw);
	start_control({"--timeout", "1"});
	wait_alive();
	int64_t reaped = 0;
	for (int i = 0; i < 60 && reaped < 2; i++) {
		std::this_thread::sleep_for(std::chrono::milliseconds(100));
		reaped = stats().num({"statistics", "dataplane",
				      "adopted-streams-reaped"});
	}
	EXPECT_EQ(reaped, 2) << "--timeout 1: gone within a few seconds";
	EXPECT_EQ(ports_used("core"), core0);
	EXPECT_EQ(ports_used("access"), access0 + 1) << "the static's only";
	if (have_python) {
		EXPECT_EQ(owners(listing()), "['static']");
	}
	EXPECT_NE(slurp(dir + "/control.log").find("of a previous control "
						   "removed: media timeout"),
		  std::string::npos);
	if (!sid.empty()) {
		EXPECT_EQ(aegwctl("uninstall " + sid).rc, 0);
	}
	EXPECT_EQ(ports_used("access"), access0);
	stop(gw);
	start_control();
	wait_alive();
}

// A second daemon on the same socket is refused; a socket file nothing
// answers on (a daemon killed with SIGKILL) is taken over; none: no file.
TEST_F(Ctl, StaleSocketsAndASecondDaemon)
{
	auto control = [&](const std::string &path, const std::string &log) {
		return spawn({bin("AEGW_CONTROL"), "--listen-ng",
			      "127.0.0.1:" + std::to_string(free_port(SOCK_DGRAM)),
			      "--instance", "nodp" + inst, "--interface",
			      "access=10.0.0.1/20000-20999@0", "--ctl-socket",
			      path},
			     log);
	};
	pid_t second = control(sock, dir + "/second.log");
	int status = -1;
	for (int i = 0; i < 100 && waitpid(second, &status, WNOHANG) != second;
	     i++)
		std::this_thread::sleep_for(std::chrono::milliseconds(50));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 1)
		<< slurp(dir + "/second.log");
	EXPECT_NE(slurp(dir + "/second.log").find("another daemon answers"),
		  std::string::npos);
	EXPECT_EQ(aegwctl("ping").out, "pong\n") << "the first is untouched";

	std::string stale = dir + "/stale.sock";
	sockaddr_un sa = unix_addr(stale);
	int fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr *>(&sa), sizeof(sa)), 0);
	close(fd); // the file stays, nothing answers
	pid_t third = control(stale, dir + "/third.log");
	std::string pong;
	for (int i = 0; i < 100 && pong.empty(); i++) {
		std::this_thread::sleep_for(std::chrono::milliseconds(50));
		pong = aegwctl("ping", "", "--timeout 2 --socket " + stale).out;
	}
	EXPECT_EQ(pong, "pong\n") << slurp(dir + "/third.log");
	stop(third);
	struct stat st;
	EXPECT_NE(lstat(stale.c_str(), &st), 0) << "removed at exit";

	std::string none_log = dir + "/none.log";
	pid_t fourth = control("none", none_log);
	std::this_thread::sleep_for(std::chrono::milliseconds(300));
	EXPECT_EQ(slurp(none_log).find("control socket"), std::string::npos)
		<< slurp(none_log);
	stop(fourth);
}

} // namespace
