// lib/conf: INI files through libinih, every error with its file and line.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "aegw/conf.h"

namespace {

struct Seen {
	std::vector<std::string> got; // "section/key=value"
	std::string refuse_key;       // the handler refuses this key
};

const char *collect(void *user, const char *section, const char *key,
		    const char *value)
{
	auto *s = static_cast<Seen *>(user);
	if (s->refuse_key == key)
		return "not today";
	s->got.push_back(std::string(section) + "/" + key + "=" + value);
	return nullptr;
}

class Conf : public ::testing::Test {
protected:
	std::string path = ::testing::TempDir() + "aegw_conf_test.ini";
	char err[512] = "";
	Seen seen;

	int load(const std::string &text)
	{
		std::ofstream(path) << text;
		return aegw_conf_load(path.c_str(), collect, &seen, err,
				      sizeof(err));
	}
	void TearDown() override { std::remove(path.c_str()); }
};

TEST_F(Conf, ValuesInOrderWithCommentsAndRepeats)
{
	ASSERT_EQ(load("# a comment\n; another\n[a]\nx = 1\n\n[b]\ny=two words\n"
		       "y = again ; inline comment\n"), 0) << err;
	std::vector<std::string> want = {"a/x=1", "b/y=two words", "b/y=again"};
	EXPECT_EQ(seen.got, want);
}

TEST_F(Conf, RefusedValueNamesFileLineSectionAndKey)
{
	seen.refuse_key = "bad";
	ASSERT_EQ(load("[s]\nok = 1\n\n# x\nbad = 7\nafter = 1\n"), -1);
	EXPECT_EQ(std::string(err), path + ":5: [s] bad = 7: not today");
	// Nothing after the first error is taken.
	EXPECT_EQ(seen.got, std::vector<std::string>{"s/ok=1"});
}

TEST_F(Conf, SyntaxErrorNamesTheLine)
{
	ASSERT_EQ(load("[s]\nok = 1\nno equals sign here\n"), -1);
	EXPECT_EQ(std::string(err),
		  path + ":3: syntax error: expected '[section]' or 'key = value'");
	ASSERT_EQ(load("[unterminated\n"), -1);
	EXPECT_NE(std::string(err).find(":1: syntax error"), std::string::npos);
}

TEST_F(Conf, OverlongLineIsAnErrorNotASilentCut)
{
	ASSERT_EQ(load("[s]\nk = " + std::string(400, 'v') + "\nz = 1\n"), -1);
	EXPECT_NE(std::string(err).find(":2: line longer than"),
		  std::string::npos) << err;
	EXPECT_TRUE(seen.got.empty());
}

TEST_F(Conf, MissingFile)
{
	EXPECT_EQ(aegw_conf_load("/nonexistent/aegw.conf", collect, &seen, err,
				 sizeof(err)), -1);
	EXPECT_EQ(std::string(err),
		  "/nonexistent/aegw.conf: No such file or directory");
}

TEST_F(Conf, EmptyFileIsFine)
{
	EXPECT_EQ(load(""), 0) << err;
	EXPECT_TRUE(seen.got.empty());
}

TEST(ConfBool, Words)
{
	for (const char *y : {"yes", "TRUE", "on", "1"})
		EXPECT_EQ(aegw_conf_bool(y), 1) << y;
	for (const char *n : {"no", "False", "off", "0"})
		EXPECT_EQ(aegw_conf_bool(n), 0) << n;
	for (const char *x : {"", "2", "yess", "enable"})
		EXPECT_EQ(aegw_conf_bool(x), -1) << x;
}

} // namespace
