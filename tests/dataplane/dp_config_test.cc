// aegw-dataplane's configuration file: defaults, the file, the command
// line over both; the EAL's argv from the file unless the command line
// has its own; bad files stop everything with the line named.
#include <gtest/gtest.h>

#include <arpa/inet.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

extern "C" {
#include "dp.h"
}

namespace {

class DpConfig : public ::testing::Test {
protected:
	std::string path = ::testing::TempDir() + "aegw_dp_config_test.conf";
	dp_config cfg{};
	std::vector<std::string> eal;
	int rc = 0;

	// Runs dp_config_argv on ARGS (argv[0] added), then the options after
	// the EAL's part as main() does. Returns false if the file failed.
	bool run(std::vector<std::string> args)
	{
		std::vector<char *> argv{const_cast<char *>("aegw-dataplane")};
		for (auto &a : args)
			argv.push_back(&a[0]);
		argv.push_back(nullptr);
		int n = 0;
		char **out = dp_config_argv(int(argv.size() - 1), argv.data(),
					    &cfg, &n);
		if (!out)
			return false;
		eal.assign(out, out + n);
		int dd = 0;
		while (dd < n && eal[dd] != "--")
			dd++;
		std::vector<char *> app{out[0]};
		for (int i = dd + 1; i < n; i++)
			app.push_back(out[i]);
		app.push_back(nullptr);
		rc = dp_options_parse(int(app.size() - 1), app.data(), &cfg);
		free(out);
		return true;
	}
	void write(const std::string &text) { std::ofstream(path) << text; }
	void TearDown() override { std::remove(path.c_str()); }
};

const char kFile[] =
	"[eal]\n"
	"args = -l 0,1 --no-huge\n"
	"args = --vdev net_null0\n"
	"[dataplane]\n"
	"instance = gw1\n"
	"max-streams = 4096\n"
	"unlink-at-exit = yes\n"
	"[port 1]\n"
	"addr = 192.168.0.1/24\n"
	"addr = fd00::1/64\n"
	"vlan = 100\n"
	"neigh = 192.168.0.2,02:00:00:00:00:02\n";

TEST_F(DpConfig, DefaultsWithoutAFile)
{
	ASSERT_TRUE(run({"-l", "0,1", "--", "--addr", "0:10.0.0.1/24"}));
	EXPECT_EQ(rc, 0);
	EXPECT_STREQ(cfg.instance, "aegw");
	EXPECT_EQ(cfg.max_streams, 65536u);
	EXPECT_EQ(cfg.ports[0].ip4.family, 4);
	EXPECT_EQ(eal, (std::vector<std::string>{"aegw-dataplane", "-l", "0,1",
		  "--", "--addr", "0:10.0.0.1/24"}));
}

TEST_F(DpConfig, FileGivesEalArgsAndOptions)
{
	write(kFile);
	ASSERT_TRUE(run({"--config", path}));
	EXPECT_EQ(rc, 0);
	EXPECT_EQ(eal, (std::vector<std::string>{"aegw-dataplane", "-l", "0,1",
		  "--no-huge", "--vdev", "net_null0"}));
	EXPECT_STREQ(cfg.instance, "gw1");
	EXPECT_EQ(cfg.max_streams, 4096u);
	EXPECT_TRUE(cfg.unlink_at_exit);
	EXPECT_EQ(cfg.ports[1].ip4.family, 4);
	EXPECT_EQ(cfg.ports[1].prefix4, 24);
	EXPECT_EQ(cfg.ports[1].ip6.family, 6);
	EXPECT_EQ(cfg.ports[1].prefix6, 64);
	EXPECT_EQ(cfg.ports[1].vlan_tci, 100);
	EXPECT_EQ(cfg.n_static, 1u);
	EXPECT_EQ(cfg.statics[0].port, 1);
}

TEST_F(DpConfig, CommandLineOverridesTheFile)
{
	write(kFile);
	ASSERT_TRUE(run({"-l", "0-2", "--config", path, "--", "--instance",
			 "other", "--max-streams", "8"}));
	EXPECT_EQ(rc, 0);
	// EAL arguments on the command line replace the file's as a whole.
	EXPECT_EQ(eal[1], "-l");
	EXPECT_EQ(eal[2], "0-2");
	EXPECT_EQ(eal[3], "--");
	EXPECT_STREQ(cfg.instance, "other");
	EXPECT_EQ(cfg.max_streams, 8u);
	EXPECT_EQ(cfg.ports[1].vlan_tci, 100) << "the rest of the file stays";
}

TEST_F(DpConfig, BadFilesStopEverything)
{
	const char *bad[] = {
		"[dataplane]\nmax-streams = 0\n",
		"[dataplane]\nmax_streams = 5\n",
		"[dataplane]\nhelp = yes\n",
		"[dataplane]\nunlink-at-exit = maybe\n",
		"[port 16]\naddr = 10.0.0.1/24\n",
		"[port x]\naddr = 10.0.0.1/24\n",
		"[port 0]\naddr = 10.0.0.1\n",
		"[port 0]\nvlan = 4095\n",
		"[port 0]\nmtu = 1500\n",
		"[eal]\nlcores = 0,1\n",
		"[nonsense]\na = b\n",
		"not ini at all\n",
	};
	for (const char *text : bad) {
		write(text);
		EXPECT_FALSE(run({"--config", path})) << text;
	}
	EXPECT_FALSE(run({"--config"})) << "--config without a file";
	EXPECT_FALSE(run({"--config", "/nonexistent/dp.conf"}));
}

TEST_F(DpConfig, BadCommandLineValueIsRefused)
{
	ASSERT_TRUE(run({"--", "--vlan", "0:0"}));
	EXPECT_LT(rc, 0);
	ASSERT_TRUE(run({"--", "--help"}));
	EXPECT_EQ(rc, 1);
}

} // namespace
