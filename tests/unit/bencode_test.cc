// lib/bencode: the ng datagrams Kamailio 5.6 sends and rtpengine 10.5
// answers (/work/shared/samples/kamailio-ng.txt), read field by field;
// every one of them cut at every length, each cut in a heap buffer of
// exactly that size (ASan sees a read past it); tables of malformed input
// with the error code and offset each must give; the node and depth
// limits; the encoder's round trips, overflow at every capacity, and the
// ng reply framing.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

extern "C" {
#include "aegw/bencode.h"
#include "aegw/ng.h"
}

namespace {

// ---- the samples, byte for byte -------------------------------------

#define OFFER_SDP                                                            \
	"v=0\r\n"                                                            \
	"o=user1 53655765 2353687637 IN IP4 127.0.0.1\r\n"                   \
	"s=-\r\n"                                                            \
	"c=IN IP4 127.0.0.1\r\n"                                             \
	"t=0 0\r\n"                                                          \
	"m=audio 42010 RTP/SAVP 0\r\n"                                       \
	"a=rtpmap:0 PCMU/8000\r\n"                                           \
	"a=crypto:1 AES_CM_128_HMAC_SHA1_80 "                                \
	"inline:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd\r\n"

#define ANSWER_SDP                                                           \
	"v=0\r\n"                                                            \
	"o=user1 53655765 2353687637 IN IP4 127.0.0.1\r\n"                   \
	"s=-\r\n"                                                            \
	"c=IN IP4 127.0.0.1\r\n"                                             \
	"t=0 0\r\n"                                                          \
	"m=audio 42000 RTP/AVP 0\r\n"                                        \
	"a=rtpmap:0 PCMU/8000\r\n"

#define REPLY_OFFER_SDP                                                      \
	"v=0\r\n"                                                            \
	"o=- 1 1 IN IP4 127.0.0.1\r\n"                                       \
	"s=-\r\n"                                                            \
	"c=IN IP4 127.0.0.1\r\n"                                             \
	"t=0 0\r\n"                                                          \
	"m=audio 35000 RTP/AVP 0\r\n"                                        \
	"a=rtpmap:0 PCMU/8000\r\n"                                           \
	"a=sendrecv\r\n"                                                     \
	"a=rtcp:35001\r\n"

#define REPLY_ANSWER_SDP                                                     \
	"v=0\r\n"                                                            \
	"o=- 2 2 IN IP4 127.0.0.1\r\n"                                       \
	"s=-\r\n"                                                            \
	"c=IN IP4 127.0.0.1\r\n"                                             \
	"t=0 0\r\n"                                                          \
	"m=audio 35022 RTP/SAVP 0\r\n"                                       \
	"a=rtpmap:0 PCMU/8000\r\n"                                           \
	"a=sendrecv\r\n"                                                     \
	"a=rtcp:35023\r\n"                                                   \
	"a=crypto:1 AES_CM_128_HMAC_SHA1_80 "                                \
	"inline:1mbMG0JEbTesCCpSNwLBqc9xrj0iKs80Gp03o6Kb\r\n"

static_assert(sizeof(OFFER_SDP) - 1 == 215, "offer sdp");
static_assert(sizeof(ANSWER_SDP) - 1 == 130, "answer sdp");
static_assert(sizeof(REPLY_OFFER_SDP) - 1 == 136, "reply sdp");
static_assert(sizeof(REPLY_ANSWER_SDP) - 1 == 221, "reply sdp");

struct Sample {
	const char *name;
	const char *bytes;
	size_t len; // the datagram's length as captured
	const char *cookie;
	aegw_ng_command command; // UNKNOWN: a reply (no command)
	const char *sdp;         // nullptr: none
};

#define SAMPLE(name, text, len, cookie, cmd, sdp)                            \
	{ name, text, len, cookie, cmd, sdp }

const Sample kSamples[] = {
	SAMPLE("ping", "0_18191_0 d7:command4:pinge", 27, "0_18191_0",
	       AEGW_NG_CMD_PING, nullptr),
	SAMPLE("offer",
	       "0_18191_1 d8:supportsl10:load limite3:sdp215:" OFFER_SDP
	       "18:transport-protocol7:RTP/AVP"
	       "3:ICE6:remove"
	       "7:replacel6:origin18:session-connectione"
	       "7:call-id17:1-18259@127.0.0.1"
	       "13:received-froml3:IP49:127.0.0.1e"
	       "8:from-tag15:18259SIPpTag001"
	       "7:command5:offere",
	       451, "0_18191_1", AEGW_NG_CMD_OFFER, OFFER_SDP),
	SAMPLE("answer",
	       "0_18191_2 d8:supportsl10:load limite3:sdp130:" ANSWER_SDP
	       "18:transport-protocol8:RTP/SAVP"
	       "7:replacel6:origin18:session-connectione"
	       "7:call-id17:1-18259@127.0.0.1"
	       "13:received-froml3:IP49:127.0.0.1e"
	       "8:from-tag15:18259SIPpTag001"
	       "6:to-tag15:18255SIPpTag011"
	       "7:command6:answere",
	       381, "0_18191_2", AEGW_NG_CMD_ANSWER, ANSWER_SDP),
	SAMPLE("delete",
	       "0_18191_3 d8:supportsl10:load limite"
	       "7:call-id17:1-18259@127.0.0.1"
	       "13:received-froml3:IP49:127.0.0.1e"
	       "8:from-tag15:18259SIPpTag001"
	       "7:command6:deletee",
	       145, "0_18191_3", AEGW_NG_CMD_DELETE, nullptr),
	SAMPLE("reply_offer",
	       "vfy2 d3:sdp136:" REPLY_OFFER_SDP "6:result2:oke", 164, "vfy2",
	       AEGW_NG_CMD_UNKNOWN, REPLY_OFFER_SDP),
	SAMPLE("reply_answer",
	       "vfy3 d3:sdp221:" REPLY_ANSWER_SDP "6:result2:oke", 249, "vfy3",
	       AEGW_NG_CMD_UNKNOWN, REPLY_ANSWER_SDP),
};

std::string S(const aegw_ng_str &s)
{
	return s.p ? std::string(s.p, s.len) : std::string("<absent>");
}

std::string S(const aegw_benc_node *n)
{
	return aegw_benc_is_str(n) ? std::string(n->str, n->len)
				   : std::string("<not a string>");
}

std::vector<std::string> Strings(const aegw_benc_node *list)
{
	std::vector<std::string> v;
	for (auto *it = aegw_benc_list_first(list); it;
	     it = aegw_benc_list_next(it))
		v.push_back(S(it));
	return v;
}

// s as a bencoded string.
std::string Benc(const std::string &s)
{
	return std::to_string(s.size()) + ":" + s;
}

// n items "w0,w1,...", each a word of its own.
std::string Items(unsigned n, char sep = ',')
{
	std::string s;
	for (unsigned i = 0; i < n; i++)
		s += (i ? std::string(1, sep) : "") + "w" + std::to_string(i);
	return s;
}

// A copy in a heap buffer of exactly its length, so ASan sees any read
// past the end (a std::string would have its NUL there).
struct Exact {
	std::unique_ptr<char[]> p;
	size_t n;
	Exact(const char *s, size_t len) : p(new char[len ? len : 1]), n(len)
	{
		if (len)
			std::memcpy(p.get(), s, len);
	}
	explicit Exact(const std::string &s) : Exact(s.data(), s.size()) {}
};

struct Decoded {
	std::vector<aegw_benc_node> nodes;
	const aegw_benc_node *root = nullptr;
	aegw_benc_error err{};
	int rc = -1;
	Exact in;
	Decoded(const std::string &s, unsigned max_nodes = 256)
		: nodes(max_nodes ? max_nodes : 1), in(s)
	{
		rc = aegw_bencode_decode(in.p.get(), in.n, nodes.data(),
					 max_nodes, &root, &err);
	}
};

struct Parsed {
	std::vector<aegw_benc_node> nodes;
	aegw_ng_msg msg{};
	aegw_ng_error err{};
	int rc;
	Exact in;
	Parsed(const char *s, size_t len) : nodes(256), in(s, len)
	{
		rc = aegw_ng_parse(in.p.get(), in.n, nodes.data(),
				   unsigned(nodes.size()), &msg, &err);
	}
	explicit Parsed(const std::string &s) : Parsed(s.data(), s.size()) {}
	std::string Reason() const
	{
		char buf[256];
		return aegw_ng_error_format(&err, buf, sizeof(buf));
	}
};

// ---- the samples ------------------------------------------------------

TEST(BencodeSamples, LengthsMatchTheCapture)
{
	for (const auto &s : kSamples)
		EXPECT_EQ(std::strlen(s.bytes), s.len) << s.name;
}

TEST(BencodeSamples, EveryDatagramParses)
{
	for (const auto &s : kSamples) {
		SCOPED_TRACE(s.name);
		Parsed p(s.bytes, s.len);
		ASSERT_EQ(p.rc, 0) << p.Reason();
		EXPECT_EQ(S(p.msg.cookie), s.cookie);
		ASSERT_TRUE(aegw_benc_is_dict(p.msg.dict));
		// The dictionary is the rest of the datagram.
		EXPECT_EQ(p.msg.dict->raw, p.in.p.get() + p.msg.cookie.len + 1);
		EXPECT_EQ(p.msg.dict->raw_len, s.len - p.msg.cookie.len - 1);
		const aegw_benc_node *sdp = aegw_benc_dict_get(p.msg.dict, "sdp");
		if (s.sdp) {
			EXPECT_EQ(S(sdp), s.sdp);
			// Zero-copy: the bytes are the datagram's.
			EXPECT_GT(sdp->str, p.in.p.get());
			EXPECT_LT(sdp->str, p.in.p.get() + s.len);
		} else {
			EXPECT_EQ(sdp, nullptr);
		}
	}
}

TEST(BencodeSamples, RequestsReadAsKamailioMeantThem)
{
	for (const auto &s : kSamples) {
		if (s.command == AEGW_NG_CMD_UNKNOWN)
			continue;
		SCOPED_TRACE(s.name);
		Parsed p(s.bytes, s.len);
		ASSERT_EQ(p.rc, 0);
		aegw_ng_request r;
		aegw_ng_error err{};
		ASSERT_EQ(aegw_ng_request_view(&p.msg, &r, &err), 0);
		EXPECT_EQ(r.command, s.command);
		EXPECT_EQ(S(r.command_name), aegw_ng_command_name(s.command));
		EXPECT_EQ(S(r.sdp), s.sdp ? s.sdp : "<absent>");
		// Kamailio sends no flags list here (no flags in the script).
		EXPECT_EQ(r.flags, nullptr);
		EXPECT_FALSE(aegw_ng_list_has(r.flags, "trust-address"));
		if (s.command == AEGW_NG_CMD_PING) {
			EXPECT_EQ(r.call_id.p, nullptr);
			EXPECT_EQ(r.supports, nullptr);
			continue;
		}
		EXPECT_EQ(S(r.call_id), "1-18259@127.0.0.1");
		EXPECT_EQ(S(r.from_tag), "18259SIPpTag001");
		EXPECT_EQ(Strings(r.supports),
			  std::vector<std::string>{ "load limit" });
		EXPECT_TRUE(aegw_ng_list_has(r.supports, "load-limit"));
		EXPECT_FALSE(aegw_ng_list_has(r.supports, "load"));
		EXPECT_EQ(S(r.received_from_family), "IP4");
		EXPECT_EQ(S(r.received_from_address), "127.0.0.1");
		EXPECT_EQ(r.via_branch.p, nullptr);
	}
}

TEST(BencodeSamples, OfferAndAnswerDetails)
{
	aegw_ng_request r;
	{
		Parsed p(kSamples[1].bytes, kSamples[1].len);
		ASSERT_EQ(p.rc, 0);
		ASSERT_EQ(aegw_ng_request_view(&p.msg, &r, nullptr), 0);
		EXPECT_EQ(S(r.transport_protocol), "RTP/AVP");
		EXPECT_EQ(S(r.ice), "remove");
		EXPECT_EQ(Strings(r.replace),
			  (std::vector<std::string>{ "origin",
						     "session-connection" }));
		EXPECT_EQ(r.to_tag.p, nullptr);
	}
	{
		Parsed p(kSamples[2].bytes, kSamples[2].len);
		ASSERT_EQ(p.rc, 0);
		ASSERT_EQ(aegw_ng_request_view(&p.msg, &r, nullptr), 0);
		EXPECT_EQ(S(r.transport_protocol), "RTP/SAVP");
		EXPECT_EQ(S(r.to_tag), "18255SIPpTag011");
		EXPECT_EQ(r.ice.p, nullptr);
	}
}

TEST(BencodeSamples, RtpengineRepliesHaveResultAndNoCommand)
{
	for (const auto &s : kSamples) {
		if (s.command != AEGW_NG_CMD_UNKNOWN)
			continue;
		SCOPED_TRACE(s.name);
		Parsed p(s.bytes, s.len);
		ASSERT_EQ(p.rc, 0);
		EXPECT_TRUE(aegw_benc_str_eq(
			aegw_benc_dict_get(p.msg.dict, "result"), "ok"));
		EXPECT_EQ(p.msg.dict->count, 2u);
		aegw_ng_request r;
		aegw_ng_error err{};
		EXPECT_EQ(aegw_ng_request_view(&p.msg, &r, &err),
			  AEGW_NG_ERR_NO_COMMAND);
		EXPECT_EQ(err.offset, p.msg.cookie.len + 1);
	}
}

// Every sample cut short, at every length, in an exact-size buffer: ng
// parsing and plain decoding fail, with an offset inside the cut.
TEST(BencodeSamples, EveryTruncationFailsCleanly)
{
	for (const auto &s : kSamples) {
		SCOPED_TRACE(s.name);
		size_t body = std::strchr(s.bytes, ' ') - s.bytes + 1;
		for (size_t n = 0; n < s.len; n++) {
			Parsed p(s.bytes, n);
			EXPECT_NE(p.rc, 0) << "cut at " << n;
			EXPECT_LE(p.err.offset, n);
			EXPECT_EQ(p.msg.dict, nullptr);
			if (n <= body)
				continue;
			Decoded d(std::string(s.bytes + body, n - body));
			EXPECT_NE(d.rc, 0);
			EXPECT_EQ(d.root, nullptr);
			EXPECT_TRUE(d.err.code == AEGW_BENC_ERR_TRUNCATED ||
				    d.err.code == AEGW_BENC_ERR_STR_PAST_END)
				<< "cut at " << n << ": "
				<< aegw_benc_strerror(d.err.code);
			EXPECT_LE(d.err.offset, n - body);
		}
	}
}

// ---- the decoder ------------------------------------------------------

struct BadCase {
	std::string in;
	aegw_benc_errc code;
	size_t offset;
};

TEST(BencodeDecode, MalformedInputTable)
{
	const BadCase cases[] = {
		{ "", AEGW_BENC_ERR_TRUNCATED, 0 },
		{ "x", AEGW_BENC_ERR_UNEXPECTED, 0 },
		{ "e", AEGW_BENC_ERR_UNEXPECTED, 0 },
		{ " 1:a", AEGW_BENC_ERR_UNEXPECTED, 0 },
		// integers: RFC-style canonical form, int64 range
		{ "i", AEGW_BENC_ERR_TRUNCATED, 1 },
		{ "i-", AEGW_BENC_ERR_TRUNCATED, 2 },
		{ "i12", AEGW_BENC_ERR_TRUNCATED, 3 },
		{ "ie", AEGW_BENC_ERR_BAD_INT, 0 },
		{ "i-e", AEGW_BENC_ERR_BAD_INT, 0 },
		{ "i-0e", AEGW_BENC_ERR_BAD_INT, 0 },
		{ "i00e", AEGW_BENC_ERR_BAD_INT, 0 },
		{ "i03e", AEGW_BENC_ERR_BAD_INT, 0 },
		{ "i-03e", AEGW_BENC_ERR_BAD_INT, 0 },
		{ "i+1e", AEGW_BENC_ERR_BAD_INT, 0 },
		{ "i 1e", AEGW_BENC_ERR_BAD_INT, 0 },
		{ "i1x", AEGW_BENC_ERR_BAD_INT, 0 },
		{ "i1.5e", AEGW_BENC_ERR_BAD_INT, 0 },
		{ "i--1e", AEGW_BENC_ERR_BAD_INT, 0 },
		{ "i9223372036854775808e", AEGW_BENC_ERR_INT_RANGE, 0 },
		{ "i-9223372036854775809e", AEGW_BENC_ERR_INT_RANGE, 0 },
		{ "i18446744073709551616e", AEGW_BENC_ERR_INT_RANGE, 0 },
		{ "i99999999999999999999999999e", AEGW_BENC_ERR_INT_RANGE, 0 },
		// strings: the length fits in what is left, canonical digits
		{ "1", AEGW_BENC_ERR_TRUNCATED, 1 },
		{ "10", AEGW_BENC_ERR_STR_PAST_END, 0 },
		{ "3", AEGW_BENC_ERR_STR_PAST_END, 0 }, // 3 bytes cannot fit
		{ "3:ab", AEGW_BENC_ERR_STR_PAST_END, 0 },
		{ "1:", AEGW_BENC_ERR_STR_PAST_END, 0 },
		{ "4294967296:abc", AEGW_BENC_ERR_STR_PAST_END, 0 },
		{ "18446744073709551616:a", AEGW_BENC_ERR_STR_PAST_END, 0 },
		{ "99999999999999999999999999:", AEGW_BENC_ERR_STR_PAST_END, 0 },
		{ "03:abc", AEGW_BENC_ERR_BAD_STR_LEN, 0 },
		{ "00:", AEGW_BENC_ERR_BAD_STR_LEN, 0 },
		{ "-3:abc", AEGW_BENC_ERR_BAD_STR_LEN, 0 },
		{ "-0:", AEGW_BENC_ERR_BAD_STR_LEN, 0 },
		{ "3abc", AEGW_BENC_ERR_BAD_STR_LEN, 0 },
		{ "3-:abc", AEGW_BENC_ERR_BAD_STR_LEN, 0 },
		{ "l5:abce", AEGW_BENC_ERR_STR_PAST_END, 1 },
		// lists and dictionaries
		{ "l", AEGW_BENC_ERR_TRUNCATED, 1 },
		{ "li1e", AEGW_BENC_ERR_TRUNCATED, 4 },
		{ "lxe", AEGW_BENC_ERR_UNEXPECTED, 1 },
		{ "d", AEGW_BENC_ERR_TRUNCATED, 1 },
		{ "d3:foo", AEGW_BENC_ERR_TRUNCATED, 6 },
		{ "d3:fooi1e", AEGW_BENC_ERR_TRUNCATED, 9 },
		{ "d3:fooe", AEGW_BENC_ERR_NO_VALUE, 6 },
		{ "di1ei2ee", AEGW_BENC_ERR_KEY_NOT_STR, 1 },
		{ "dlee", AEGW_BENC_ERR_KEY_NOT_STR, 1 },
		{ "d1:ad1:bi0ei1eee", AEGW_BENC_ERR_KEY_NOT_STR, 11 },
		{ "d1:a-1:b", AEGW_BENC_ERR_BAD_STR_LEN, 4 },
		// nothing after the top-level value
		{ "dee", AEGW_BENC_ERR_TRAILING, 2 },
		{ "i1ei2e", AEGW_BENC_ERR_TRAILING, 3 },
		{ "4:spamx", AEGW_BENC_ERR_TRAILING, 6 },
		{ "le\n", AEGW_BENC_ERR_TRAILING, 2 },
		{ std::string("de\0", 3), AEGW_BENC_ERR_TRAILING, 2 },
	};
	for (const auto &c : cases) {
		SCOPED_TRACE("input '" + c.in + "'");
		Decoded d(c.in);
		EXPECT_EQ(d.rc, int(c.code)) << aegw_benc_strerror(d.rc);
		EXPECT_EQ(d.err.code, c.code);
		EXPECT_EQ(d.err.offset, c.offset);
		EXPECT_EQ(d.root, nullptr);
	}
}

TEST(BencodeDecode, ValidValues)
{
	Decoded a("i0e");
	ASSERT_EQ(a.rc, 0);
	EXPECT_TRUE(aegw_benc_is_int(a.root));
	EXPECT_EQ(a.root->num, 0);

	Decoded b("i-9223372036854775808e");
	ASSERT_EQ(b.rc, 0);
	EXPECT_EQ(b.root->num, INT64_MIN);
	Decoded c("i9223372036854775807e");
	ASSERT_EQ(c.rc, 0);
	EXPECT_EQ(c.root->num, INT64_MAX);
	Decoded m("i-42e");
	ASSERT_EQ(m.rc, 0);
	EXPECT_EQ(m.root->num, -42);

	Decoded e("0:");
	ASSERT_EQ(e.rc, 0);
	EXPECT_TRUE(aegw_benc_is_str(e.root));
	EXPECT_EQ(e.root->len, 0u);
	EXPECT_TRUE(aegw_benc_str_eq(e.root, ""));

	Decoded l("le");
	ASSERT_EQ(l.rc, 0);
	EXPECT_TRUE(aegw_benc_is_list(l.root));
	EXPECT_EQ(l.root->count, 0u);
	EXPECT_EQ(aegw_benc_list_first(l.root), nullptr);

	Decoded d("de");
	ASSERT_EQ(d.rc, 0);
	EXPECT_TRUE(aegw_benc_is_dict(d.root));
	EXPECT_EQ(aegw_benc_dict_get(d.root, "x"), nullptr);
}

TEST(BencodeDecode, StringsHoldAnyByte)
{
	const std::string in("d3:a\0b5:\0\xff\r\n\x7f" "1:\0i7ee", 20);
	Decoded d(in);
	ASSERT_EQ(d.rc, 0) << aegw_benc_strerror(d.rc);
	const aegw_benc_node *v = aegw_benc_dict_get_n(d.root, "a\0b", 3);
	ASSERT_TRUE(aegw_benc_is_str(v));
	EXPECT_EQ(std::string(v->str, v->len), std::string("\0\xff\r\n\x7f", 5));
	EXPECT_EQ(aegw_benc_dict_get(d.root, "a"), nullptr); // not a prefix
	const aegw_benc_node *w = aegw_benc_dict_get_n(d.root, "\0", 1);
	ASSERT_TRUE(aegw_benc_is_int(w));
	EXPECT_EQ(w->num, 7);
	EXPECT_FALSE(aegw_benc_str_eq(v, "")); // NUL is not the end
}

TEST(BencodeDecode, UnsortedKeysAndFirstDuplicateWins)
{
	Decoded d("d1:zi1e1:ai2e1:zi3e1:mle1:zi4ee");
	ASSERT_EQ(d.rc, 0);
	EXPECT_EQ(d.root->count, 5u);
	int64_t v = 0;
	EXPECT_EQ(aegw_benc_get_int(aegw_benc_dict_get(d.root, "z"), &v), 0);
	EXPECT_EQ(v, 1);
	EXPECT_EQ(aegw_benc_get_int(aegw_benc_dict_get(d.root, "a"), &v), 0);
	EXPECT_EQ(v, 2);
	EXPECT_TRUE(aegw_benc_is_list(aegw_benc_dict_get(d.root, "m")));
	// Iteration sees every entry in wire order, repeats included.
	std::string keys;
	for (auto *k = aegw_benc_dict_first(d.root); k;
	     k = aegw_benc_dict_next(k)) {
		keys += S(k);
		ASSERT_NE(aegw_benc_dict_value(k), nullptr);
	}
	EXPECT_EQ(keys, "zazmz");
}

TEST(BencodeDecode, TreeShapeAndRawSpans)
{
	const std::string in = "d4:listl1:ai-1eli0eee4:dictd1:k1:vee";
	Decoded d(in);
	ASSERT_EQ(d.rc, 0);
	EXPECT_EQ(d.root, &d.nodes[0]);
	EXPECT_EQ(d.root->raw_len, in.size());
	const aegw_benc_node *list = aegw_benc_dict_get(d.root, "list");
	ASSERT_TRUE(aegw_benc_is_list(list));
	EXPECT_EQ(list->count, 3u);
	EXPECT_EQ(std::string(list->raw, list->raw_len), "l1:ai-1eli0eee");
	const aegw_benc_node *it = aegw_benc_list_first(list);
	EXPECT_TRUE(aegw_benc_str_eq(it, "a"));
	it = aegw_benc_list_next(it);
	EXPECT_EQ(std::string(it->raw, it->raw_len), "i-1e");
	it = aegw_benc_list_next(it);
	EXPECT_TRUE(aegw_benc_is_list(it));
	EXPECT_EQ(aegw_benc_list_next(it), nullptr);
	EXPECT_TRUE(aegw_benc_str_eq(
		aegw_benc_dict_get(aegw_benc_dict_get(d.root, "dict"), "k"),
		"v"));
	// NULL and wrong types answer NULL / false / -1 all the way down.
	int64_t v;
	EXPECT_EQ(aegw_benc_dict_get(aegw_benc_dict_get(d.root, "nope"), "k"),
		  nullptr);
	EXPECT_EQ(aegw_benc_dict_get(list, "a"), nullptr);
	EXPECT_EQ(aegw_benc_list_first(d.root), nullptr);
	EXPECT_EQ(aegw_benc_dict_first(list), nullptr);
	EXPECT_FALSE(aegw_benc_str_eq(nullptr, ""));
	EXPECT_EQ(aegw_benc_get_int(list, &v), -1);
	EXPECT_EQ(aegw_benc_get_int(nullptr, &v), -1);
}

TEST(BencodeDecode, ToIntTakesIntsAndDecimalStrings)
{
	Decoded d("l2:42i-7e2:-50:3:0072:-02:4x1:-li1eei0e"
		  "19:922337203685477580820:-9223372036854775808e");
	ASSERT_EQ(d.rc, 0) << aegw_benc_strerror(d.rc) << " at "
			   << d.err.offset;
	std::vector<std::string> got;
	for (auto *it = aegw_benc_list_first(d.root); it; it = it->next) {
		int64_t v = 12345;
		got.push_back(aegw_benc_to_int(it, &v) == 0 ? std::to_string(v)
							    : "fail");
	}
	EXPECT_EQ(got, (std::vector<std::string>{
			       "42", "-7", "-5", "fail", "fail", "fail",
			       "fail", "fail", "fail", "0", "fail",
			       "-9223372036854775808" }));
}

// The depth bomb: only the limit's worth of levels is ever looked at.
TEST(BencodeDecode, DepthLimit)
{
	const unsigned max = AEGW_BENC_MAX_DEPTH;
	Decoded ok(std::string(max, 'l') + std::string(max, 'e'));
	EXPECT_EQ(ok.rc, 0);
	Decoded deep(std::string(max + 1, 'l') + std::string(max + 1, 'e'));
	EXPECT_EQ(deep.rc, AEGW_BENC_ERR_DEPTH);
	EXPECT_EQ(deep.err.offset, max);
	Decoded bomb(std::string(1 << 20, 'l'));
	EXPECT_EQ(bomb.rc, AEGW_BENC_ERR_DEPTH);
	EXPECT_EQ(bomb.err.offset, max);

	std::string dicts;
	for (unsigned i = 0; i <= max; i++)
		dicts += "d1:k";
	dicts += "i0e" + std::string(max + 1, 'e');
	Decoded dd(dicts);
	EXPECT_EQ(dd.rc, AEGW_BENC_ERR_DEPTH);
	EXPECT_EQ(dd.err.offset, size_t(max) * 4);
	// One level less decodes.
	Decoded dd_ok(dicts.substr(4, dicts.size() - 5));
	EXPECT_EQ(dd_ok.rc, 0) << aegw_benc_strerror(dd_ok.rc);
}

TEST(BencodeDecode, NodeLimit)
{
	// A list of three strings is four nodes.
	Decoded ok("l1:a1:b1:ce", 4);
	EXPECT_EQ(ok.rc, 0);
	Decoded short3("l1:a1:b1:ce", 3);
	EXPECT_EQ(short3.rc, AEGW_BENC_ERR_NODES);
	EXPECT_EQ(short3.err.offset, 7u);
	Decoded none("le", 0);
	EXPECT_EQ(none.rc, AEGW_BENC_ERR_NODES);
	EXPECT_EQ(none.err.offset, 0u);
	// Each key is a node too: one pair is three.
	EXPECT_EQ(Decoded("d1:ai1ee", 3).rc, 0);
	EXPECT_EQ(Decoded("d1:ai1ee", 2).rc, AEGW_BENC_ERR_NODES);

	std::string many = "l";
	for (int i = 0; i < 100000; i++)
		many += "i0e";
	many += "e";
	Decoded flood(many, 1024);
	EXPECT_EQ(flood.rc, AEGW_BENC_ERR_NODES);
	EXPECT_EQ(flood.err.offset, 1 + 1023 * 3u);
}

TEST(BencodeDecode, NullInputs)
{
	aegw_benc_node nodes[4];
	const aegw_benc_node *root = &nodes[0];
	aegw_benc_error err{};
	EXPECT_EQ(aegw_bencode_decode(nullptr, 10, nodes, 4, &root, &err),
		  AEGW_BENC_ERR_TRUNCATED);
	EXPECT_EQ(root, nullptr);
	EXPECT_EQ(aegw_bencode_decode("le", 2, nullptr, 4, &root, nullptr),
		  AEGW_BENC_ERR_NODES);
	EXPECT_STREQ(aegw_benc_strerror(-1), "unknown bencode error");
	EXPECT_STREQ(aegw_benc_strerror(AEGW_BENC_ERR_COUNT),
		     "unknown bencode error");
	for (int c = 0; c < AEGW_BENC_ERR_COUNT; c++)
		EXPECT_GT(std::strlen(aegw_benc_strerror(c)), 1u);
}

// ---- the encoder ------------------------------------------------------

std::string Encode(void (*build)(aegw_benc_enc *), size_t cap = 4096)
{
	std::vector<char> buf(cap);
	aegw_benc_enc e;
	aegw_benc_enc_init(&e, buf.data(), buf.size());
	build(&e);
	EXPECT_EQ(aegw_benc_enc_finish(&e), 0);
	return std::string(buf.data(), e.len);
}

void BuildReplyLike(aegw_benc_enc *e)
{
	static const char bin[] = { 'a', '\0', '\xff', 'e' };
	aegw_benc_dict_begin(e);
	aegw_benc_dict_add_cstr(e, "result", "ok");
	aegw_benc_dict_add_str(e, "bin", bin, sizeof(bin));
	aegw_benc_dict_add_int(e, "min", INT64_MIN);
	aegw_benc_dict_add_int(e, "max", INT64_MAX);
	aegw_benc_dict_add_int(e, "zero", 0);
	aegw_benc_add_cstr(e, "list");
	aegw_benc_list_begin(e);
	aegw_benc_add_int(e, -1);
	aegw_benc_add_cstr(e, "");
	aegw_benc_list_begin(e);
	aegw_benc_end(e);
	aegw_benc_dict_begin(e);
	aegw_benc_end(e);
	aegw_benc_end(e);
	aegw_benc_end(e);
}

const std::string kReplyLike = std::string(
	"d6:result2:ok3:bin4:a\0\xff" "e3:mini-9223372036854775808e"
	"3:maxi9223372036854775807e4:zeroi0e4:listli-1e0:ledeee", 105);

TEST(BencodeEncode, ExactBytesAndKeyOrderAsAdded)
{
	EXPECT_EQ(Encode(BuildReplyLike), kReplyLike);
}

TEST(BencodeEncode, RoundTrip)
{
	Decoded d(Encode(BuildReplyLike));
	ASSERT_EQ(d.rc, 0) << aegw_benc_strerror(d.rc);
	int64_t v;
	EXPECT_TRUE(aegw_benc_str_eq(aegw_benc_dict_get(d.root, "result"),
				     "ok"));
	EXPECT_EQ(S(aegw_benc_dict_get(d.root, "bin")),
		  std::string("a\0\xff" "e", 4));
	ASSERT_EQ(aegw_benc_get_int(aegw_benc_dict_get(d.root, "min"), &v), 0);
	EXPECT_EQ(v, INT64_MIN);
	ASSERT_EQ(aegw_benc_get_int(aegw_benc_dict_get(d.root, "max"), &v), 0);
	EXPECT_EQ(v, INT64_MAX);
	const aegw_benc_node *list = aegw_benc_dict_get(d.root, "list");
	ASSERT_TRUE(aegw_benc_is_list(list));
	EXPECT_EQ(list->count, 4u);

	// Decoded, written back node by node: the same bytes, an equal tree.
	std::vector<char> out(kReplyLike.size());
	aegw_benc_enc e;
	aegw_benc_enc_init(&e, out.data(), out.size());
	aegw_benc_add_node(&e, d.root);
	ASSERT_EQ(aegw_benc_enc_finish(&e), 0);
	std::string again(out.data(), e.len);
	EXPECT_EQ(again, kReplyLike);
	Decoded d2(again);
	ASSERT_EQ(d2.rc, 0);
	EXPECT_TRUE(aegw_benc_equal(d.root, d2.root));
}

TEST(BencodeEncode, SamplesReencodeToTheirOwnBytes)
{
	for (const auto &s : kSamples) {
		SCOPED_TRACE(s.name);
		Parsed p(s.bytes, s.len);
		ASSERT_EQ(p.rc, 0);
		std::vector<char> out(s.len);
		aegw_benc_enc e;
		aegw_benc_enc_init(&e, out.data(), out.size());
		aegw_benc_add_node(&e, p.msg.dict);
		ASSERT_EQ(aegw_benc_enc_finish(&e), 0);
		EXPECT_EQ(std::string(out.data(), e.len),
			  std::string(p.msg.dict->raw, p.msg.dict->raw_len));
	}
}

TEST(BencodeEncode, EqualTellsTreesApart)
{
	const char *const v[] = { "i1e", "i2e", "1:a", "1:b", "2:ab", "le",
				  "li1ee", "de", "d1:ai1ee", "d1:bi1ee",
				  "d1:ai2ee", "d1:ai1e1:bi2ee",
				  "d1:bi2e1:ai1ee" };
	for (const char *a : v)
		for (const char *b : v) {
			Decoded da(a), db(b);
			ASSERT_EQ(da.rc, 0);
			ASSERT_EQ(db.rc, 0);
			EXPECT_EQ(aegw_benc_equal(da.root, db.root),
				  std::strcmp(a, b) == 0)
				<< a << " vs " << b;
		}
	EXPECT_TRUE(aegw_benc_equal(nullptr, nullptr));
}

// At every capacity short of the whole value: overflow, never a byte past
// the buffer (exact-size heap buffers), and what was written is a prefix.
TEST(BencodeEncode, OverflowAtEveryCapacity)
{
	for (size_t cap = 0; cap < kReplyLike.size(); cap++) {
		std::unique_ptr<char[]> buf(new char[cap ? cap : 1]);
		aegw_benc_enc e;
		aegw_benc_enc_init(&e, buf.get(), cap);
		BuildReplyLike(&e);
		EXPECT_TRUE(e.overflow) << cap;
		EXPECT_EQ(aegw_benc_enc_finish(&e), -1);
		EXPECT_LE(e.len, cap);
		EXPECT_EQ(std::string(buf.get(), e.len),
			  kReplyLike.substr(0, e.len));
		EXPECT_EQ(e.depth, 0u); // begin/end still balance
	}
	std::unique_ptr<char[]> buf(new char[kReplyLike.size()]);
	aegw_benc_enc e;
	aegw_benc_enc_init(&e, buf.get(), kReplyLike.size());
	BuildReplyLike(&e);
	EXPECT_FALSE(e.overflow);
	EXPECT_EQ(aegw_benc_enc_finish(&e), 0);
	EXPECT_EQ(e.len, kReplyLike.size());
}

TEST(BencodeEncode, UnbalancedIsNotFinished)
{
	char buf[16];
	aegw_benc_enc e;
	aegw_benc_enc_init(&e, buf, sizeof(buf));
	aegw_benc_list_begin(&e);
	EXPECT_EQ(aegw_benc_enc_finish(&e), -1);
	aegw_benc_end(&e);
	EXPECT_EQ(aegw_benc_enc_finish(&e), 0);
	aegw_benc_end(&e);
	EXPECT_TRUE(e.misuse);
	EXPECT_EQ(aegw_benc_enc_finish(&e), -1);
	EXPECT_EQ(std::string(buf, e.len), "le");
}

// ---- ng framing -------------------------------------------------------

TEST(Ng, CookieRules)
{
	const std::string c64(64, 'k'), c65(65, 'k');
	EXPECT_EQ(Parsed(c64 + " de").rc, 0);
	EXPECT_EQ(S(Parsed(c64 + " de").msg.cookie), c64);
	EXPECT_EQ(Parsed("x de").rc, 0);
	EXPECT_EQ(Parsed("!~ de").rc, 0);

	const struct {
		std::string in;
		size_t offset;
	} bad[] = {
		{ "", 0 },
		{ " de", 0 },
		{ "de", 2 },               // no space at all
		{ "abc", 3 },
		{ c65 + " de", 65 },
		{ std::string("a\x01" "b de"), 1 },
		{ std::string("a\x7f de"), 1 },
		{ std::string("a\x80 de"), 1 },
		{ std::string("a\tb de"), 1 },
		{ std::string("a\0b de", 6), 1 },
	};
	for (const auto &b : bad) {
		Parsed p(b.in);
		EXPECT_EQ(p.rc, AEGW_NG_ERR_BAD_COOKIE) << b.in;
		EXPECT_EQ(p.err.offset, b.offset) << b.in;
		EXPECT_EQ(p.msg.cookie.p, nullptr);
	}
}

TEST(Ng, BodyMustBeOneDictionary)
{
	const struct {
		std::string in;
		aegw_ng_errc code;
		aegw_benc_errc benc;
		size_t offset;
	} cases[] = {
		{ "c ", AEGW_NG_ERR_NOT_DICT, AEGW_BENC_ERR_OK, 2 },
		{ "c 4:spam", AEGW_NG_ERR_NOT_DICT, AEGW_BENC_ERR_OK, 2 },
		{ "c li1ee", AEGW_NG_ERR_NOT_DICT, AEGW_BENC_ERR_OK, 2 },
		{ "c i1e", AEGW_NG_ERR_NOT_DICT, AEGW_BENC_ERR_OK, 2 },
		{ "c  de", AEGW_NG_ERR_NOT_DICT, AEGW_BENC_ERR_OK, 2 },
		{ "c d", AEGW_NG_ERR_BENCODE, AEGW_BENC_ERR_TRUNCATED, 3 },
		{ "c de\r\n", AEGW_NG_ERR_BENCODE, AEGW_BENC_ERR_TRAILING, 4 },
		{ "c dede", AEGW_NG_ERR_BENCODE, AEGW_BENC_ERR_TRAILING, 4 },
		{ "c d7:command4:pinge ", AEGW_NG_ERR_BENCODE,
		  AEGW_BENC_ERR_TRAILING, 19 },
		{ "c d3:sdp99:v=0e", AEGW_NG_ERR_BENCODE,
		  AEGW_BENC_ERR_STR_PAST_END, 8 },
		{ "c d3:sdp-3:v=0e", AEGW_NG_ERR_BENCODE,
		  AEGW_BENC_ERR_BAD_STR_LEN, 8 },
		{ "c d1:ai007ee", AEGW_NG_ERR_BENCODE, AEGW_BENC_ERR_BAD_INT,
		  6 },
	};
	for (const auto &c : cases) {
		Parsed p(c.in);
		EXPECT_EQ(p.rc, int(c.code)) << c.in;
		EXPECT_EQ(p.err.code, c.code) << c.in;
		EXPECT_EQ(p.err.benc, c.benc) << c.in;
		EXPECT_EQ(p.err.offset, c.offset) << c.in;
		EXPECT_EQ(p.msg.dict, nullptr);
	}
	EXPECT_EQ(Parsed("c de\r\n").Reason(),
		  "malformed bencode at byte 4: bytes after the top-level "
		  "value");
	EXPECT_EQ(Parsed("c 4:spam").Reason(),
		  "message body is not a bencoded dictionary");
}

TEST(Ng, TooManyNodesForTheArena)
{
	std::string in = "c d7:command4:ping4:listl";
	for (int i = 0; i < 300; i++)
		in += "i0e";
	in += "ee";
	Parsed p(in); // 256 nodes
	EXPECT_EQ(p.rc, AEGW_NG_ERR_BENCODE);
	EXPECT_EQ(p.err.benc, AEGW_BENC_ERR_NODES);
}

TEST(Ng, CommandNames)
{
	for (int c = AEGW_NG_CMD_UNKNOWN + 1; c < AEGW_NG_CMD_COUNT; c++) {
		const char *name = aegw_ng_command_name(aegw_ng_command(c));
		EXPECT_EQ(aegw_ng_command_parse(name, std::strlen(name)), c);
	}
	EXPECT_EQ(aegw_ng_command_parse("register", 8), AEGW_NG_CMD_REGISTER);
	EXPECT_EQ(aegw_ng_command_parse("deregister", 10),
		  AEGW_NG_CMD_DEREGISTER);
	EXPECT_EQ(aegw_ng_command_parse("lookup", 6), AEGW_NG_CMD_LOOKUP);
	EXPECT_EQ(aegw_ng_command_parse("statistics", 10),
		  AEGW_NG_CMD_STATISTICS);
	EXPECT_EQ(aegw_ng_command_parse("Ping", 4), AEGW_NG_CMD_UNKNOWN);
	EXPECT_EQ(aegw_ng_command_parse("pin", 3), AEGW_NG_CMD_UNKNOWN);
	EXPECT_EQ(aegw_ng_command_parse("pingx", 5), AEGW_NG_CMD_UNKNOWN);
	EXPECT_EQ(aegw_ng_command_parse("ping", 5), AEGW_NG_CMD_UNKNOWN);
	EXPECT_EQ(aegw_ng_command_parse("", 0), AEGW_NG_CMD_UNKNOWN);
	EXPECT_STREQ(aegw_ng_command_name(AEGW_NG_CMD_UNKNOWN), "unknown");
	EXPECT_STREQ(aegw_ng_command_name(aegw_ng_command(99)), "unknown");
}

TEST(Ng, ListsOfFlagsAndFriends)
{
	Parsed p("5_1 d7:command5:offer"
		 "5:flagsl13:trust-address13:symmetric ICEe"
		 "9:directionl8:internal8:externale"
		 "8:rtcp-muxl5:demuxe"
		 "4:SDESl3:off26:no-AES_CM_128_HMAC_SHA1_32e"
		 "7:call-id3:c-18:from-tag2:ft10:via-branch3:z9h3:sdp3:v=0e");
	ASSERT_EQ(p.rc, 0) << p.Reason();
	aegw_ng_request r;
	ASSERT_EQ(aegw_ng_request_view(&p.msg, &r, nullptr), 0);
	EXPECT_EQ(r.command, AEGW_NG_CMD_OFFER);
	EXPECT_EQ(Strings(r.flags), (std::vector<std::string>{
					    "trust-address", "symmetric ICE" }));
	EXPECT_TRUE(aegw_ng_list_has(r.flags, "trust-address"));
	EXPECT_TRUE(aegw_ng_list_has(r.flags, "symmetric-ICE"));
	EXPECT_FALSE(aegw_ng_list_has(r.flags, "symmetric ICE"));
	EXPECT_FALSE(aegw_ng_list_has(r.flags, "symmetric-ice"));
	EXPECT_FALSE(aegw_ng_list_has(r.flags, "trust-addres"));
	EXPECT_FALSE(aegw_ng_list_has(r.flags, "trust-address-x"));
	EXPECT_EQ(Strings(r.direction),
		  (std::vector<std::string>{ "internal", "external" }));
	EXPECT_EQ(Strings(r.rtcp_mux), std::vector<std::string>{ "demux" });
	EXPECT_EQ(Strings(r.sdes),
		  (std::vector<std::string>{ "off",
					     "no-AES_CM_128_HMAC_SHA1_32" }));
	EXPECT_EQ(S(r.call_id), "c-1");
	EXPECT_EQ(S(r.from_tag), "ft");
	EXPECT_EQ(S(r.via_branch), "z9h");
	EXPECT_EQ(S(r.sdp), "v=0");
	EXPECT_EQ(r.received_from, nullptr);
	EXPECT_EQ(r.received_from_family.p, nullptr);
	EXPECT_EQ(r.supports, nullptr);
}

TEST(Ng, ViewOfAFailedParseIsAnError)
{
	Parsed p("c 4:spam");
	ASSERT_NE(p.rc, 0);
	aegw_ng_request r;
	EXPECT_EQ(aegw_ng_request_view(&p.msg, &r, nullptr),
		  AEGW_NG_ERR_NOT_DICT);
}

TEST(Ng, UnknownCommandIsNotAnError)
{
	Parsed p("c d7:command10:block DTMF7:call-id1:xe");
	ASSERT_EQ(p.rc, 0);
	aegw_ng_request r;
	ASSERT_EQ(aegw_ng_request_view(&p.msg, &r, nullptr), 0);
	EXPECT_EQ(r.command, AEGW_NG_CMD_UNKNOWN);
	EXPECT_EQ(S(r.command_name), "block DTMF");
	EXPECT_EQ(S(r.call_id), "x");
}

TEST(Ng, DuplicateKeysFirstWins)
{
	Parsed p("c d7:call-id1:a7:command4:ping7:call-id1:b"
		 "7:command5:offere");
	ASSERT_EQ(p.rc, 0);
	aegw_ng_request r;
	ASSERT_EQ(aegw_ng_request_view(&p.msg, &r, nullptr), 0);
	EXPECT_EQ(r.command, AEGW_NG_CMD_PING);
	EXPECT_EQ(S(r.call_id), "a");
}

TEST(Ng, WrongTypesAreNamed)
{
	const struct {
		std::string in;
		aegw_ng_errc code;
		size_t offset;
		const char *reason;
	} cases[] = {
		{ "c d4:calllee", AEGW_NG_ERR_NO_COMMAND, 2,
		  "dictionary has no key 'command'" },
		{ "c d7:commandi1ee", AEGW_NG_ERR_FIELD_TYPE, 12,
		  "key 'command' at byte 12 must be a string" },
		{ "c d7:command4:ping7:call-idi5ee", AEGW_NG_ERR_FIELD_TYPE, 27,
		  "key 'call-id' at byte 27 must be a string" },
		{ "c d7:command4:ping3:sdpl3:v=0ee", AEGW_NG_ERR_FIELD_TYPE, 23,
		  "key 'sdp' at byte 23 must be a string" },
		{ "c d7:command4:ping5:flagsi1ee",
		  AEGW_NG_ERR_FIELD_TYPE, 25,
		  "key 'flags' at byte 25 must be a list of strings, or a "
		  "string" },
		{ "c d7:command4:ping5:flagsl1:ai1eee", AEGW_NG_ERR_FIELD_TYPE,
		  25, "key 'flags' at byte 25 must be a list of strings, or a "
		  "string" },
		{ "c d7:command4:ping7:replaced1:a1:bee", AEGW_NG_ERR_FIELD_TYPE,
		  27, "key 'replace' at byte 27 must be a list of strings, or "
		  "a string" },
		{ "c d7:command4:ping13:received-froml3:IP4i1eee",
		  AEGW_NG_ERR_FIELD_TYPE, 34,
		  "key 'received-from' at byte 34 must be a list of strings, "
		  "or a string" },
		{ "c d7:command4:ping5:flags" + Benc(Items(AEGW_NG_SPLIT_WORDS + 1)) +
			  "e",
		  AEGW_NG_ERR_FIELD_TYPE, 25,
		  "key 'flags' at byte 25 must be " AEGW_NG_SPLIT_WORDS_MAX },
	};
	for (const auto &c : cases) {
		SCOPED_TRACE(c.in);
		Parsed p(c.in);
		ASSERT_EQ(p.rc, 0) << p.Reason();
		aegw_ng_request r;
		ASSERT_EQ(aegw_ng_request_view(&p.msg, &r, &p.err), int(c.code));
		EXPECT_EQ(p.err.offset, c.offset);
		EXPECT_EQ(p.Reason(), c.reason);
	}
}

// A list key sent as one string (Kamailio's and OpenSIPS's flags=...,
// direction=...) is read as its items, split at commas with the blanks
// around them dropped, as rtpengine reads it; received-from takes its
// first two items, and says nothing with fewer.
TEST(Ng, ListKeysSentAsStrings)
{
	Parsed p("c d7:command5:offer5:flags28:loop-protect, ,trust-address"
		 "9:direction6:access13:received-from11:IP4,1.2.3.4"
		 "7:SDES-no0:8:supports10:load limite");
	ASSERT_EQ(p.rc, 0) << p.Reason();
	aegw_ng_request r;
	ASSERT_EQ(aegw_ng_request_view(&p.msg, &r, &p.err), 0) << p.Reason();
	ASSERT_EQ(r.flags->count, 2u);
	EXPECT_TRUE(aegw_ng_list_has(r.flags, "loop-protect"));
	EXPECT_TRUE(aegw_ng_list_has(r.flags, "trust-address"));
	EXPECT_FALSE(aegw_ng_list_has(r.flags, "loop"));
	ASSERT_EQ(r.direction->count, 1u);
	EXPECT_EQ(std::string(r.direction->child->str, r.direction->child->len),
		  "access");
	EXPECT_EQ(std::string(r.received_from_family.p, r.received_from_family.len),
		  "IP4");
	EXPECT_EQ(std::string(r.received_from_address.p,
			      r.received_from_address.len), "1.2.3.4");
	EXPECT_TRUE(aegw_ng_list_has(r.supports, "load-limit")) << "one item";
	EXPECT_EQ(r.n_split_words, 6u);

	for (const char *in : { "c d7:command4:ping13:received-froml3:IP4ee",
				"c d7:command4:ping13:received-from3:IP4e",
				"c d7:command4:ping13:received-from11:IP4 1.2.3.4e" }) {
		Parsed q(in);
		ASSERT_EQ(q.rc, 0) << q.Reason();
		ASSERT_EQ(aegw_ng_request_view(&q.msg, &r, &q.err), 0) << in;
		EXPECT_EQ(r.received_from_family.p, nullptr) << in;
	}
	Parsed three("c d7:command4:ping13:received-froml3:IP41:a1:bee");
	ASSERT_EQ(aegw_ng_request_view(&three.msg, &r, &three.err), 0);
	EXPECT_EQ(std::string(r.received_from_address.p,
			      r.received_from_address.len), "a");
}

// rtpengine reads "delete delay" in three spellings, as an integer or as
// a string holding one (Kamailio's numbers are strings).
TEST(Ng, DeleteDelaySpellingsAndTypes)
{
	const struct {
		std::string in;
		bool have;
		int64_t delay;
	} cases[] = {
		{ "c d7:command6:delete12:delete delayi5ee", true, 5 },
		{ "c d7:command6:delete12:delete-delay2:10e", true, 10 },
		{ "c d7:command6:delete12:delete_delayi0ee", true, 0 },
		{ "c d7:command6:delete12:delete delayi-1ee", true, -1 },
		{ "c d7:command6:delete12:delete delayi3e12:delete-delayi9ee",
		  true, 3 },
		{ "c d7:command6:deletee", false, 0 },
	};
	for (const auto &c : cases) {
		SCOPED_TRACE(c.in);
		Parsed p(c.in);
		ASSERT_EQ(p.rc, 0) << p.Reason();
		aegw_ng_request r;
		ASSERT_EQ(aegw_ng_request_view(&p.msg, &r, nullptr), 0);
		EXPECT_EQ(r.have_delete_delay, c.have);
		EXPECT_EQ(r.delete_delay, c.delay);
	}
	for (const std::string in : { "c d7:command6:delete12:delete delay2:5se",
				      "c d7:command6:delete12:delete-delayli5eee" }) {
		SCOPED_TRACE(in);
		Parsed p(in);
		ASSERT_EQ(p.rc, 0) << p.Reason();
		aegw_ng_request r;
		ASSERT_EQ(aegw_ng_request_view(&p.msg, &r, &p.err),
			  int(AEGW_NG_ERR_FIELD_TYPE));
		EXPECT_NE(p.Reason().find("must be an integer"), std::string::npos)
			<< p.Reason();
	}
}

// Kamailio's rtpengine module (5.8 on), given a function's via-branch
// argument, sends the script's flag string unparsed as "rtpp-flags";
// rtpengine reads it into the same flags as the keys (rtpengine's
// daemon/control_ng_flags_parser.c), after the keys, so that it wins.
struct RtppView {
	Parsed p;
	aegw_ng_request r{};
	int rc;
	explicit RtppView(const std::string &flags,
			  const std::string &keys = "")
		: p("c d7:command5:offer" + keys + "10:rtpp-flags" +
		    Benc(flags) + "e")
	{
		rc = p.rc ? -1 : aegw_ng_request_view(&p.msg, &r, &p.err);
	}
};

TEST(NgRtppFlags, WordsReadAsTheKeys)
{
	RtppView v("trust-address replace-origin  ICE=remove RTP/SAVP\t"
		   "direction=access direction=core "
		   "SDES-no-AES_CM_128_HMAC_SHA1_32 "
		   "SDES=[no-AEAD_AES_128_GCM only-AES_CM_128_HMAC_SHA1_80] "
		   "received-from=[IP4 10.0.0.9] codec-strip=[all] "
		   "codec=[strip=[PCMU G722] mask=[all]] rtcp-mux=demux,accept "
		   "delete-delay=7 to-tag=tt via-branch=1 label=caller",
		   "5:flagsl8:fragmente");
	ASSERT_EQ(v.rc, 0) << v.p.Reason();
	const aegw_ng_request &r = v.r;
	EXPECT_EQ(Strings(r.flags),
		  (std::vector<std::string>{ "fragment", "trust-address",
					     "replace-origin",
					     "SDES-no-AES_CM_128_HMAC_SHA1_32" }))
		<< "the key's list, then the bare words";
	EXPECT_EQ(S(r.ice), "remove");
	EXPECT_EQ(S(r.transport_protocol), "RTP/SAVP");
	EXPECT_EQ(S(r.from_interface), "access");
	EXPECT_EQ(S(r.to_interface), "core");
	EXPECT_EQ(r.direction, nullptr);
	EXPECT_EQ(Strings(r.sdes),
		  (std::vector<std::string>{ "no-AEAD_AES_128_GCM",
					     "only-AES_CM_128_HMAC_SHA1_80" }));
	EXPECT_EQ(S(r.received_from_family), "IP4");
	EXPECT_EQ(S(r.received_from_address), "10.0.0.9");
	EXPECT_EQ(Strings(r.rtcp_mux),
		  (std::vector<std::string>{ "demux", "accept" }));
	EXPECT_TRUE(r.have_delete_delay);
	EXPECT_EQ(r.delete_delay, 7);
	EXPECT_EQ(S(r.to_tag), "tt");
	EXPECT_EQ(S(r.via_branch), "1");
	EXPECT_EQ(r.replace, nullptr) << "replace-origin stays a flag";
	EXPECT_EQ(S(r.rtpp_flags).substr(0, 13), "trust-address");

	// received-from is one family and address: the string's stands
	// over the key's, and an address alone is rtpengine's string form.
	RtppView rf("received-from=192.0.2.7",
		    "13:received-froml3:IP48:10.0.0.1e");
	ASSERT_EQ(rf.rc, 0) << rf.p.Reason();
	EXPECT_EQ(rf.r.received_from_family.p, nullptr);
	EXPECT_EQ(S(rf.r.received_from_address), "192.0.2.7");
	RtppView rf2("received-from=[IP6 ::1]", "13:received-from3:x,y");
	ASSERT_EQ(rf2.rc, 0) << rf2.p.Reason();
	EXPECT_EQ(S(rf2.r.received_from_family), "IP6");
	EXPECT_EQ(S(rf2.r.received_from_address), "::1");
	RtppView ue("ue-identity=sip:a@b offerer-ue-identity=tel:+1");
	ASSERT_EQ(ue.rc, 0) << ue.p.Reason();
	EXPECT_EQ(S(ue.r.ue_identity), "sip:a@b");
	EXPECT_EQ(S(ue.r.offerer_ue_identity), "tel:+1");
}

// The transport as rtpengine builds it from its words, the last word
// standing over the earlier ones and over the key.
TEST(NgRtppFlags, TransportWords)
{
	const struct {
		const char *flags, *want;
	} cases[] = {
		{ "RTP/AVP", "RTP/AVP" },
		{ "RTP/SAVPF", "RTP/SAVPF" },
		{ "UDP/TLS/RTP/SAVP", "UDP/TLS/RTP/SAVP" },
		{ "SRTP AVPF", "RTP/SAVPF" },
		{ "RTP/SAVPF AVP", "RTP/SAVP" },
		{ "RTP/SAVP RTP", "RTP/AVP" },
		{ "RTP", "RTP/AVP" },
		{ "AVPF", "RTP/AVPF" },
		{ "DTLS", "UDP/TLS/RTP/SAVP" },
		{ "DTLS AVPF", "UDP/TLS/RTP/SAVPF" },
		{ "DTLS SRTP", "RTP/SAVPF" }, // none in rtpengine's table
		{ "DTLS SRTP AVPF", "RTP/SAVPF" },
		{ "RTP/AVP RTP/SAVP", "RTP/SAVP" },
		{ "rtp/avp", "RTP/SAVPF" }, // not a transport word: a flag
		{ "transport-protocol=RTP/AVPF", "RTP/AVPF" },
		{ "loop-protect", "RTP/SAVPF" },
	};
	for (const auto &c : cases) {
		RtppView v(c.flags, "18:transport-protocol9:RTP/SAVPF");
		ASSERT_EQ(v.rc, 0) << c.flags << ": " << v.p.Reason();
		EXPECT_EQ(S(v.r.transport_protocol), c.want) << c.flags;
	}
}

// Direction items from the string are from-interface and then
// to-interface (a third is ignored), over the keys' direction.
TEST(NgRtppFlags, DirectionItems)
{
	RtppView words("internal external direction=third access",
		       "9:directionl1:a1:be");
	ASSERT_EQ(words.rc, 0) << words.p.Reason();
	EXPECT_EQ(S(words.r.from_interface), "internal");
	EXPECT_EQ(S(words.r.to_interface), "external");
	EXPECT_EQ(Strings(words.r.direction),
		  (std::vector<std::string>{ "a", "b" }));
	EXPECT_EQ(Strings(words.r.flags), std::vector<std::string>{ "access" })
		<< "only rtpengine's two names are direction words";

	RtppView list("direction=[core access]");
	ASSERT_EQ(list.rc, 0) << list.p.Reason();
	EXPECT_EQ(S(list.r.from_interface), "core");
	EXPECT_EQ(S(list.r.to_interface), "access");

	// A list sets both items whatever the words said before; a word
	// after it is still the first of the words.
	RtppView both("direction=[core access] direction=edge");
	ASSERT_EQ(both.rc, 0) << both.p.Reason();
	EXPECT_EQ(S(both.r.from_interface), "edge");
	EXPECT_EQ(S(both.r.to_interface), "access");

	RtppView one("to-interface=core");
	ASSERT_EQ(one.rc, 0);
	EXPECT_EQ(one.r.from_interface.p, nullptr);
	EXPECT_EQ(S(one.r.to_interface), "core");
}

// Keys in any case and with '_' for '-', as rtpengine matches them; the
// other spellings of the key itself; words that are not key=value.
TEST(NgRtppFlags, SpellingsAndOddWords)
{
	RtppView v("sdes=no-X Delete_Delay=3 ice=force RTCP_MUX=[offer] "
		   "key= =x [a b] Replace=[origin [session-connection]] "
		   "supports=[load limit]");
	ASSERT_EQ(v.rc, 0) << v.p.Reason();
	EXPECT_EQ(Strings(v.r.sdes), std::vector<std::string>{ "no-X" });
	EXPECT_EQ(v.r.delete_delay, 3);
	EXPECT_EQ(S(v.r.ice), "force");
	EXPECT_EQ(Strings(v.r.rtcp_mux), std::vector<std::string>{ "offer" });
	EXPECT_EQ(Strings(v.r.flags), (std::vector<std::string>{ "key", "=x" }))
		<< "\"key=\" is the flag key; a bare list is skipped";
	EXPECT_EQ(Strings(v.r.replace), std::vector<std::string>{ "origin" })
		<< "a nested list is skipped";
	EXPECT_EQ(Strings(v.r.supports),
		  (std::vector<std::string>{ "load", "limit" }))
		<< "a list's items are words";

	for (const char *key : { "rtpp_flags", "rtpp flags" }) {
		Parsed p(std::string("c d7:command4:ping") + Benc(key) +
			 Benc("RTP/AVP") + "e");
		aegw_ng_request r;
		ASSERT_EQ(aegw_ng_request_view(&p.msg, &r, &p.err), 0) << key;
		EXPECT_EQ(S(r.transport_protocol), "RTP/AVP") << key;
	}
	RtppView empty("   ");
	ASSERT_EQ(empty.rc, 0);
	EXPECT_EQ(empty.r.flags, nullptr);
	EXPECT_EQ(empty.r.transport_protocol.p, nullptr);
}

TEST(NgRtppFlags, MalformedStringsAreNamed)
{
	const struct {
		std::string flags;
		const char *reason;
	} cases[] = {
		{ "SDES=[no-X", "words with every '[' closed" },
		{ "a [b [c] d", "words with every '[' closed" },
		{ "delete-delay=soon", "words whose delete-delay is an integer" },
		{ Items(AEGW_NG_SPLIT_WORDS + 1, ' '), AEGW_NG_SPLIT_WORDS_MAX },
		{ "SDES=" + Items(AEGW_NG_SPLIT_WORDS + 1),
		  AEGW_NG_SPLIT_WORDS_MAX },
	};
	for (const auto &c : cases) {
		RtppView v(c.flags);
		EXPECT_EQ(v.rc, int(AEGW_NG_ERR_FIELD_TYPE)) << c.flags;
		EXPECT_EQ(v.p.Reason(), std::string("key 'rtpp-flags' at byte 32 "
						    "must be ") + c.reason);
	}
	Parsed p("c d7:command4:ping10:rtpp-flagsli1eee");
	aegw_ng_request r;
	EXPECT_EQ(aegw_ng_request_view(&p.msg, &r, &p.err),
		  int(AEGW_NG_ERR_FIELD_TYPE));
	EXPECT_EQ(p.Reason(), "key 'rtpp-flags' at byte 31 must be a string");

	// Exactly as many words as fit: the dictionary's list copied in.
	RtppView full(Items(AEGW_NG_SPLIT_WORDS - 1, ' '), "5:flagsl1:ze");
	ASSERT_EQ(full.rc, 0) << full.p.Reason();
	EXPECT_EQ(full.r.flags->count, unsigned(AEGW_NG_SPLIT_WORDS));
}

TEST(Ng, ReplyFraming)
{
	char buf[128];
	aegw_benc_enc e;
	aegw_ng_reply_begin(&e, buf, sizeof(buf), aegw_ng_str{ "vfy2", 4 });
	aegw_benc_dict_add_cstr(&e, "result", "pong");
	size_t n = aegw_ng_reply_end(&e);
	EXPECT_EQ(std::string(buf, n), "vfy2 d6:result4:ponge");

	n = aegw_ng_reply_error(buf, sizeof(buf), aegw_ng_str{ "0_1_2", 5 },
				"No call-id in message");
	const std::string err =
		"0_1_2 d6:result5:error12:error-reason21:No call-id in "
		"messagee";
	EXPECT_EQ(std::string(buf, n), err);

	// The reply to a parsed request carries its cookie and parses back.
	Parsed req(kSamples[3].bytes, kSamples[3].len);
	ASSERT_EQ(req.rc, 0);
	n = aegw_ng_reply_error(buf, sizeof(buf), req.msg.cookie, "nope");
	Parsed back(buf, n);
	ASSERT_EQ(back.rc, 0);
	EXPECT_EQ(S(back.msg.cookie), "0_18191_3");
	EXPECT_TRUE(aegw_benc_str_eq(
		aegw_benc_dict_get(back.msg.dict, "error-reason"), "nope"));

	// Too small, at every size: 0, and nothing written past cap.
	for (size_t cap = 0; cap < err.size(); cap++) {
		std::unique_ptr<char[]> small(new char[cap ? cap : 1]);
		EXPECT_EQ(aegw_ng_reply_error(small.get(), cap,
					      aegw_ng_str{ "0_1_2", 5 },
					      "No call-id in message"),
			  0u)
			<< cap;
	}
	// A list left open is not a reply.
	aegw_ng_reply_begin(&e, buf, sizeof(buf), aegw_ng_str{ "c", 1 });
	aegw_benc_add_cstr(&e, "l");
	aegw_benc_list_begin(&e);
	EXPECT_EQ(aegw_ng_reply_end(&e), 0u);
}

// The result of a reply, read without decoding it: wherever the key is
// among the top-level ones, never a nested "result", never past the end.
TEST(Ng, ReplyResult)
{
	auto result = [](const std::string &r) {
		aegw_ng_str s = aegw_ng_reply_result(r.data(), r.size());
		return s.p ? std::string(s.p, s.len) : std::string("<none>");
	};
	EXPECT_EQ(result("c d6:result4:ponge"), "pong");
	EXPECT_EQ(result("c d6:result5:error12:error-reason4:nopee"), "error");
	EXPECT_EQ(result("c d7:createdi17e5:statsd6:result3:bade4:listl1:x"
			 "d1:ai1eee6:result2:oke"), "ok")
		<< "after a nested one and a list";
	EXPECT_EQ(result("c d5:statsd6:result3:badee"), "<none>");
	EXPECT_EQ(result("c d6:result10:load limite"), "load limit");
	for (const char *bad : {"", "c", "c ", "c l6:result2:oke", "c d6:result",
				"c d6:result2:o", "c d6:resulti3ee",
				"c d6:result99:oke", "c di1e2:oke",
				"c d1:xi12"})
		EXPECT_EQ(result(bad), "<none>") << bad;
	std::string deep = "c d1:x" + std::string(40, 'l') +
			   std::string(40, 'e') + "6:result2:oke";
	EXPECT_EQ(result(deep), "<none>") << "nesting beyond the limit";
}

TEST(Ng, ErrorTextsExist)
{
	char buf[8];
	aegw_ng_error e{};
	e.code = AEGW_NG_ERR_BENCODE;
	e.benc = AEGW_BENC_ERR_DEPTH;
	e.offset = 12345;
	EXPECT_EQ(std::strlen(aegw_ng_error_format(&e, buf, sizeof(buf))), 7u);
	EXPECT_EQ(aegw_ng_error_format(&e, buf, 0), buf);
	e.code = aegw_ng_errc(77);
	char big[64];
	EXPECT_STREQ(aegw_ng_error_format(&e, big, sizeof(big)),
		     "unknown error");
}

} // namespace
