// aegw-control's configuration file and the command line over it; the
// --ng-allow networks; --srtp-suites. In-process, no daemon.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

extern "C" {
#include "acl.h"
#include "options.h"
}

namespace {

class Config : public ::testing::Test {
protected:
	std::string path = ::testing::TempDir() + "aegw_ctl_config_test.conf";
	ctl_options o{};
	std::string err;

	int parse(std::vector<std::string> args)
	{
		std::vector<char *> argv{const_cast<char *>("aegw-control")};
		for (auto &a : args)
			argv.push_back(&a[0]);
		char msg[512] = "";
		int rc = ctl_options_parse(&o, int(argv.size()), argv.data(), msg,
					   sizeof(msg));
		err = msg;
		return rc;
	}
	int load(const std::string &text, std::vector<std::string> args = {})
	{
		std::ofstream(path) << text;
		args.insert(args.begin(), {"--config", path});
		return parse(args);
	}
	void TearDown() override { std::remove(path.c_str()); }
};

const char kFile[] =
	"; every section once\n"
	"[control]\n"
	"instance = gw1\n"
	"listen-ng = 127.0.0.1:2223\n"
	"listen-ng = [::1]:2223\n"
	"listen-tcp-ng = 127.0.0.1:2224\n"
	"ng-allow = 10.1.0.0/16\n"
	"ng-allow = 127.0.0.1\n"
	"listen-metrics = 127.0.0.1:9109\n"
	"srtp-suites = AEAD_AES_256_GCM, AES_CM_128_HMAC_SHA1_80\n"
	"max-sessions = 5000\n"
	"max-registrations = 200\n"
	"timeout = 30\n"
	"offer-timeout = 120\n"
	"final-timeout = 7200\n"
	"delete-delay = 2\n"
	"journal = off\n"
	"ctl-socket = none\n"
	"log-level = 7\n"
	"\n"
	"[interface access]\n"
	"addr = 10.0.0.1\n"
	"ports = 20000-29999\n"
	"dpdk-port = 1\n"
	"\n"
	"[interface core]\n"
	"addr = fd00:c::1\n"
	"advertised = 2001:db8::1\n"
	"\n"
	"[e2ae-policy]\n"
	"3GPP-E-UTRAN-FDD = preferred\n"
	"IEEE-802.11 = off\n"
	"default = supported\n";

TEST_F(Config, EveryKeyApplies)
{
	ASSERT_EQ(load(kFile), 0) << err;
	EXPECT_STREQ(o.instance, "gw1");
	EXPECT_EQ(o.n_udp, 2u);
	EXPECT_EQ(o.n_tcp, 1u);
	EXPECT_EQ(o.n_ng_allow, 2u);
	EXPECT_TRUE(o.metrics_on);
	EXPECT_STREQ(o.metrics.text, "127.0.0.1:9109");
	ASSERT_EQ(o.n_suites, 2u);
	EXPECT_EQ(o.suites[0], AEGW_SUITE_AEAD_AES_256_GCM);
	EXPECT_EQ(o.suites[1], AEGW_SUITE_AES_CM_128_HMAC_SHA1_80);
	EXPECT_EQ(o.max_sessions, 5000u);
	EXPECT_EQ(o.max_registrations, 200u);
	EXPECT_EQ(o.timeout_s, 30u);
	EXPECT_EQ(o.offer_timeout_s, 120u);
	EXPECT_EQ(o.final_timeout_s, 7200u);
	EXPECT_EQ(o.delete_delay_s, 2u);
	EXPECT_EQ(o.journal, 0);
	EXPECT_STREQ(o.ctl_socket, "");
	ASSERT_EQ(o.n_ifaces, 2u);
	EXPECT_STREQ(o.ifaces[0].name, "access");
	EXPECT_STREQ(o.ifaces[0].addr_text, "10.0.0.1");
	EXPECT_EQ(o.ifaces[0].port_min, 20000);
	EXPECT_EQ(o.ifaces[0].port_max, 29999);
	EXPECT_EQ(o.ifaces[0].dpdk_port, 1);
	EXPECT_STREQ(o.ifaces[1].addr_text, "fd00:c::1");
	EXPECT_EQ(o.ifaces[0].advertised.family, 0);
	EXPECT_STREQ(o.ifaces[1].advertised_text, "2001:db8::1");
	EXPECT_STREQ(ctl_iface_sdp_addr(&o.ifaces[1]), "2001:db8::1");
	EXPECT_STREQ(ctl_iface_sdp_addr(&o.ifaces[0]), "10.0.0.1");
	EXPECT_EQ(o.ifaces[1].port_min, CTL_DEFAULT_PORT_MIN);
	EXPECT_EQ(o.ifaces[1].dpdk_port, 1) << "its position, by default";
	EXPECT_EQ(ctl_e2ae_policy_for(&o, "3GPP-E-UTRAN-FDD", 16),
		  CTL_E2AE_PREFERRED);
	EXPECT_EQ(ctl_e2ae_policy_for(&o, "IEEE-802.11", 11), CTL_E2AE_OFF);
}

// The example installed as /etc/aegw/control.conf loads as it is.
TEST_F(Config, TheShippedExampleLoads)
{
	const char *etc = getenv("AEGW_ETC_DIR");
	if (!etc)
		GTEST_SKIP() << "AEGW_ETC_DIR not set";
	ASSERT_EQ(parse({"--config", std::string(etc) + "/control.conf"}), 0)
		<< err;
	EXPECT_EQ(o.n_ifaces, 2u);
	EXPECT_GE(o.n_e2ae, 2u);
	EXPECT_TRUE(o.metrics_on);
}

TEST_F(Config, DefaultsWithoutAFile)
{
	ASSERT_EQ(parse({"--interface", "a=10.0.0.1"}), 0) << err;
	EXPECT_EQ(o.n_ng_allow, 0u) << "any source";
	EXPECT_FALSE(o.metrics_on);
	ASSERT_EQ(o.n_suites, unsigned(AEGW_SUITE_COUNT));
	EXPECT_EQ(o.suites[0], AEGW_SUITE_AES_CM_128_HMAC_SHA1_80);
}

TEST_F(Config, CommandLineOverridesTheFile)
{
	ASSERT_EQ(load(kFile, {"--timeout", "9", "--instance", "gw2",
			       "--listen-metrics", "none"}), 0) << err;
	EXPECT_EQ(o.timeout_s, 9u);
	EXPECT_STREQ(o.instance, "gw2");
	EXPECT_FALSE(o.metrics_on);
	EXPECT_EQ(o.n_udp, 2u) << "lists the command line does not name stay";
	// A repeatable option replaces the file's list of its kind, whole.
	ASSERT_EQ(load(kFile, {"--interface", "x=10.9.9.9", "--ng-allow",
			       "::1", "--listen-ng", "127.0.0.1:5000",
			       "--e2ae-policy", "xDSL=preferred"}), 0) << err;
	ASSERT_EQ(o.n_ifaces, 1u);
	EXPECT_STREQ(o.ifaces[0].name, "x");
	EXPECT_EQ(o.ifaces[0].dpdk_port, 0);
	EXPECT_EQ(o.n_ng_allow, 1u);
	EXPECT_EQ(o.n_udp, 1u);
	EXPECT_EQ(o.n_tcp, 1u) << "TCP listeners are a kind of their own";
	EXPECT_EQ(ctl_e2ae_policy_for(&o, "3GPP-E-UTRAN-FDD", 16),
		  CTL_E2AE_SUPPORTED) << "the file's policy is gone";
	EXPECT_EQ(ctl_e2ae_policy_for(&o, "xdsl", 4), CTL_E2AE_PREFERRED);
}

// Bad files: the message names the file, the line, the section and key.
TEST_F(Config, BadFilesNameTheLine)
{
	struct Case {
		std::string text, want;
	} cases[] = {
		{"[control]\ntimeout = soon\n", ":2: [control] timeout = soon"},
		{"[control]\nmax-stream = 5\n", ":2: [control] max-stream = 5: unknown key"},
		{"[control]\nhelp = yes\n", "unknown key"},
		{"[control]\nconfig = /etc/x\n", "unknown key"},
		{"[control]\ninterface = a=10.0.0.1\n", "[interface NAME]"},
		{"[control]\ne2ae-policy = x=off\n", "[e2ae-policy]"},
		{"[nope]\na = b\n", ":2: [nope] a = b: unknown section"},
		{"timeout = 5\n", ":1: [] timeout = 5: unknown section"},
		{"[control]\njunk\n", ":2: syntax error"},
		{"[interface a]\naddr = 10.0.0.300\n", ":2: [interface a] addr"},
		{"[interface a]\naddr = 10.0.0.1\nports = 3-2\n", ":3:"},
		{"[interface a]\naddr = 10.0.0.1\nports = 100-100\n", "pair"},
		{"[interface a]\naddr = 10.0.0.1\ndpdk-port = x\n", "DPDK port"},
		{"[interface a]\naddr = 10.0.0.1\nvlan = 5\n", "unknown key"},
		{"[interface a b]\naddr = 10.0.0.1\n", "interface name"},
		{"[interface a]\nports = 20000-20099\n", "interface 'a' has no addr"},
		{"[e2ae-policy]\nIEEE-802.11 = maybe\n", ":2: [e2ae-policy]"},
		{"[control]\nsrtp-suites = AES_CM_128_HMAC_SHA1_80 F8_128_HMAC_SHA1_80\n",
		 "F8_128_HMAC_SHA1_80' is no suite"},
		{"[control]\nsrtp-suites = AEAD_AES_128_GCM,AEAD_AES_128_GCM\n", "twice"},
		{"[control]\nsrtp-suites = ,\n", "one suite"},
		{"[control]\nng-allow = 10.0.0.0/33\n", "ADDR[/PREFIX]"},
		{"[control]\nng-allow = example.net\n", "ADDR[/PREFIX]"},
		{"[control]\nlisten-metrics = 9109\n", "ADDR:PORT"},
	};
	for (const Case &c : cases) {
		std::string text = c.text;
		if (text.find("[interface") == std::string::npos)
			text += "[interface a]\naddr = 10.0.0.1\n";
		EXPECT_EQ(load(text), -1) << c.text;
		EXPECT_NE(err.find(c.want), std::string::npos)
			<< c.text << " -> " << err;
	}
	EXPECT_EQ(parse({"--config", "/nonexistent/aegw.conf"}), -1);
	EXPECT_NE(err.find("/nonexistent/aegw.conf"), std::string::npos) << err;
	EXPECT_EQ(parse({"--config"}), -1) << "a missing argument";
}

ctl_cidr cidr(const char *s)
{
	ctl_cidr c{};
	char err[128];
	EXPECT_EQ(ctl_cidr_parse(s, &c, err, sizeof(err)), 0) << s << ": " << err;
	return c;
}

sockaddr_storage addr(const char *ip)
{
	sockaddr_storage ss{};
	auto *v4 = reinterpret_cast<sockaddr_in *>(&ss);
	auto *v6 = reinterpret_cast<sockaddr_in6 *>(&ss);
	if (inet_pton(AF_INET, ip, &v4->sin_addr) == 1)
		v4->sin_family = AF_INET;
	else if (inet_pton(AF_INET6, ip, &v6->sin6_addr) == 1)
		v6->sin6_family = AF_INET6;
	return ss;
}

TEST(Acl, NetworksAndHosts)
{
	ctl_cidr list[] = {cidr("10.1.255.255/16"), cidr("192.0.2.7"),
			   cidr("fd00:a::/33")};
	char text[64];

	ctl_cidr_format(&list[0], text, sizeof(text));
	EXPECT_STREQ(text, "10.1.0.0/16") << "host bits cleared";
	ctl_cidr_format(&list[2], text, sizeof(text));
	EXPECT_STREQ(text, "fd00:a::/33");
	for (const char *ok : {"10.1.0.1", "10.1.200.9", "192.0.2.7",
			       "fd00:a::1", "fd00:a:7fff::1", "::ffff:10.1.2.3"}) {
		sockaddr_storage ss = addr(ok);
		EXPECT_TRUE(ctl_acl_allows(list, 3, &ss)) << ok;
	}
	for (const char *no : {"10.2.0.1", "192.0.2.8", "fd00:a:8000::1",
			       "fd00:b::1", "::1", "::ffff:10.2.0.1"}) {
		sockaddr_storage ss = addr(no);
		EXPECT_FALSE(ctl_acl_allows(list, 3, &ss)) << no;
	}
	sockaddr_storage any = addr("203.0.113.9");
	EXPECT_TRUE(ctl_acl_allows(list, 0, &any)) << "no list: any source";
	ctl_cidr all = cidr("0.0.0.0/0");
	EXPECT_TRUE(ctl_acl_allows(&all, 1, &any));
	sockaddr_storage v6 = addr("2001:db8::1");
	EXPECT_FALSE(ctl_acl_allows(&all, 1, &v6)) << "an IPv4 net holds no IPv6";
	ctl_cidr c;
	char err[128];
	for (const char *bad : {"", "/8", "10.0.0.0/", "10.0.0.0/x", "10.0.0.0/-1",
				"10.0.0.0/33", "::/129", "10.0.0", "host.example",
				"10.0.0.0/8/9"})
		EXPECT_EQ(ctl_cidr_parse(bad, &c, err, sizeof(err)), -1) << bad;
}

} // namespace
