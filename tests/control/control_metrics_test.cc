// aegw-control's Prometheus text in-process, with no dataplane and no
// HTTP: the exposition format checked strictly by a parser of its own
// (each family's HELP and TYPE once and before its samples, samples of a
// family together, names and label names of the allowed characters, label
// values escaped, counters ending in _total, no series twice, histograms
// cumulative up to +Inf = _count), the ng requests counted by command
// and result as ctl_ng_handle answers them, and timed,
// and the dataplane's counters summed per interface and worker from DUMPs
// made up here, never going down when streams go or start again.
// The daemon serving it over HTTP, with a real dataplane, is in
// control_ng_test.cc (ControlMetrics).
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "ng_client.h"

extern "C" {
#include "ctl.h"
#include "dp_counters.h"
#include "dp_view.h"
#include "log.h"
#include "metrics.h"
#include "ng_commands.h"
#include "secret.h"
}

using namespace ngtest;

namespace {

// ---- the exposition format, version 0.0.4 -----------------------------

struct Family {
	std::string type;
	int help = 0, types = 0, samples = 0;
};

// A parsed text: series ("name{k=\"v\",...}" with values unescaped and
// written back in the canonical form) to values, and the families.
struct Exposition {
	std::map<std::string, double> series;
	std::map<std::string, Family> families;
	std::vector<std::string> errors;

	double get(const std::string &s) const
	{
		auto it = series.find(s);
		return it == series.end() ? -1 : it->second;
	}
	bool has(const std::string &s) const { return series.count(s) > 0; }
	bool has_family(const std::string &f) const
	{
		return families.count(f) > 0;
	}
};

// Names as the exposition format has them: [a-zA-Z_:][a-zA-Z0-9_:]* for
// metrics, the same without ':' for labels. (No std::regex: gcc 12 at -O2
// warns inside it, and the test build turns warnings into errors.)
bool name_like(const std::string &s, bool colon)
{
	auto ok = [colon](char c, bool first) {
		return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		       c == '_' || (colon && c == ':') ||
		       (!first && c >= '0' && c <= '9');
	};
	if (s.empty())
		return false;
	for (size_t i = 0; i < s.size(); i++)
		if (!ok(s[i], i == 0))
			return false;
	return true;
}

// A label value after its opening quote: its bytes unescaped; p ends
// past the closing quote. Only \\, \" and \n are escapes.
bool label_value(const std::string &l, size_t &p, std::string &v)
{
	for (; p < l.size(); p++) {
		if (l[p] == '"') {
			p++;
			return true;
		}
		if (l[p] != '\\') {
			v += l[p];
			continue;
		}
		if (++p == l.size())
			return false;
		if (l[p] == 'n')
			v += '\n';
		else if (l[p] == '\\' || l[p] == '"')
			v += l[p];
		else
			return false;
	}
	return false;
}

// "{k="v",...}" from p; the canonical key of the series.
bool labels(const std::string &l, size_t &p, std::string &key)
{
	std::set<std::string> seen;
	p++; // '{'
	key += '{';
	while (p < l.size() && l[p] != '}') {
		size_t eq = l.find('=', p);
		if (eq == std::string::npos || eq + 1 >= l.size() || l[eq + 1] != '"')
			return false;
		std::string k = l.substr(p, eq - p), v;
		if (!name_like(k, false) || k.rfind("__", 0) == 0 ||
		    !seen.insert(k).second)
			return false;
		p = eq + 2;
		if (!label_value(l, p, v))
			return false;
		key += (seen.size() > 1 ? "," : "") + k + "=\"" + v + "\"";
		if (p < l.size() && l[p] == ',')
			p++;
	}
	if (p == l.size())
		return false;
	p++;
	key += '}';
	return true;
}

void comment(Exposition &e, const std::string &l, const std::string &current)
{
	std::istringstream in(l.substr(2));
	std::string kind, name, rest;
	in >> kind >> name;
	std::getline(in, rest);
	if (kind != "HELP" && kind != "TYPE")
		return; // other comments are allowed
	if (!name_like(name, true))
		e.errors.push_back("bad name: " + l);
	Family &f = e.families[name];
	if (f.samples || (name != current && (f.help || f.types)))
		e.errors.push_back("HELP/TYPE after samples or apart: " + l);
	if (kind == "HELP") {
		f.help++;
		if (rest.size() < 2 || rest[0] != ' ')
			e.errors.push_back("empty HELP: " + l);
		for (size_t i = 0; i + 1 < rest.size(); i++)
			if (rest[i] == '\\' && rest[i + 1] != '\\' &&
			    rest[i + 1] != 'n')
				e.errors.push_back("bad escape in HELP: " + l);
			else if (rest[i] == '\\')
				i++;
		return;
	}
	f.types++;
	f.type = rest.empty() ? "" : rest.substr(1);
	if (f.type != "counter" && f.type != "gauge" && f.type != "histogram")
		e.errors.push_back("type: " + l);
	if (f.type == "counter" &&
	    (name.size() < 6 || name.compare(name.size() - 6, 6, "_total")))
		e.errors.push_back("counter not ending in _total: " + l);
}

// The family a sample's name belongs to: itself, or for a histogram's
// name_bucket, name_sum and name_count, name.
std::string family_of(const Exposition &e, const std::string &name)
{
	for (const char *suffix : {"_bucket", "_sum", "_count"}) {
		size_t n = strlen(suffix);
		if (name.size() <= n || name.compare(name.size() - n, n, suffix))
			continue;
		auto it = e.families.find(name.substr(0, name.size() - n));
		if (it != e.families.end() && it->second.type == "histogram")
			return it->first;
	}
	return name;
}

void sample_line(Exposition &e, const std::string &l, std::string &current)
{
	size_t p = l.find_first_of("{ ");
	std::string name = l.substr(0, p), key = name;
	if (!name_like(name, true) || p == std::string::npos) {
		e.errors.push_back("bad sample: " + l);
		return;
	}
	if (l[p] == '{' && !labels(l, p, key)) {
		e.errors.push_back("bad labels: " + l);
		return;
	}
	if (p >= l.size() || l[p] != ' ') {
		e.errors.push_back("no value: " + l);
		return;
	}
	std::string v = l.substr(p + 1);
	char *end;
	double d = strtod(v.c_str(), &end);
	if (v.empty() || *end)
		e.errors.push_back("bad value: " + l);
	std::string fam = family_of(e, name);
	auto it = e.families.find(fam);
	if (it == e.families.end() || !it->second.help || !it->second.types)
		e.errors.push_back("sample before its HELP and TYPE: " + l);
	else if (fam != current && it->second.samples)
		e.errors.push_back("family's samples apart: " + l);
	else if (it->second.type == "histogram" && fam == name)
		e.errors.push_back("histogram sample without a suffix: " + l);
	else
		it->second.samples++;
	current = fam;
	if (!e.series.emplace(key, d).second)
		e.errors.push_back("series twice: " + l);
}

// A histogram's rules: in each series (its labels less le), buckets
// that never go down as le grows, the last le="+Inf" and equal to
// _count, and a _sum.
void check_histogram(Exposition &e, const std::string &name)
{
	std::map<std::string, std::map<double, double>> series;
	const std::string bucket = name + "_bucket{";

	for (const auto &[key, v] : e.series) {
		if (key.rfind(bucket, 0))
			continue;
		size_t at = key.find("le=\"");
		if (at == std::string::npos) {
			e.errors.push_back("bucket without le: " + key);
			continue;
		}
		size_t end = key.find('"', at + 4);
		std::string le = key.substr(at + 4, end - at - 4);
		std::string rest = key.substr(bucket.size() - 1, at - bucket.size() + 1) +
				   key.substr(end + 1);
		// "{a=\"b\",}" or "{a=\"b\"}" -> the labels less le, as _count has them.
		if (rest.size() >= 2 && rest[rest.size() - 2] == ',')
			rest.erase(rest.size() - 2, 1);
		if (rest.size() >= 2 && rest[1] == ',')
			rest.erase(1, 1);
		if (rest == "{}")
			rest.clear();
		char *stop;
		double bound = le == "+Inf" ? HUGE_VAL : strtod(le.c_str(), &stop);
		series[rest][bound] = v;
	}
	if (series.empty())
		e.errors.push_back(name + ": a histogram without buckets");
	for (const auto &[labels, buckets] : series) {
		double last = 0;
		for (const auto &[bound, v] : buckets) {
			if (v < last)
				e.errors.push_back(name + labels + ": buckets go down");
			last = v;
		}
		if (buckets.rbegin()->first != HUGE_VAL)
			e.errors.push_back(name + labels + ": no +Inf bucket");
		if (e.get(name + "_count" + labels) != last)
			e.errors.push_back(name + labels + ": _count is not +Inf");
		if (!e.has(name + "_sum" + labels))
			e.errors.push_back(name + labels + ": no _sum");
	}
}

Exposition parse(const std::string &text)
{
	Exposition e;
	std::string current;
	size_t at = 0;

	if (text.empty() || text.back() != '\n')
		e.errors.push_back("text does not end with a newline");
	while (at < text.size()) {
		size_t nl = text.find('\n', at);
		std::string l = text.substr(at, nl - at);
		at = nl == std::string::npos ? text.size() : nl + 1;
		if (l.empty())
			continue;
		if (l.rfind("# ", 0) == 0) {
			std::istringstream in(l.substr(2));
			std::string kind, name;
			in >> kind >> name;
			comment(e, l, current);
			current = name;
		} else {
			sample_line(e, l, current);
		}
	}
	for (const auto &[name, f] : e.families) {
		if (f.help != 1 || f.types != 1)
			e.errors.push_back(name + ": HELP and TYPE not once each");
		if (!f.samples)
			e.errors.push_back(name + ": no sample");
		if (name.rfind("aegw_", 0))
			e.errors.push_back(name + ": not aegw_");
	}
	for (const auto &[name, f] : e.families)
		if (f.type == "histogram")
			check_histogram(e, name);
	return e;
}

std::string text_of(const ctl *c, const ctl_dp_counters *dp)
{
	char *buf = nullptr;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	ctl_metrics_text(f, c, dp);
	fclose(f);
	std::string s(buf, len);
	free(buf);
	return s;
}

// The checker itself, on texts that break each rule once.
TEST(Exposition, CheckerRefusesWhatTheFormatForbids)
{
	const char *head = "# HELP aegw_x_total x\n# TYPE aegw_x_total counter\n";
	EXPECT_TRUE(parse(std::string(head) + "aegw_x_total 1\n").errors.empty());
	for (const std::string &bad : {
		     std::string(head) + "aegw_x_total 1", // no final newline
		     std::string(head) + "aegw_x_total{a=\"b\\q\"} 1\n",
		     std::string(head) + "aegw_x_total{a=\"b\"\"} 1\n",
		     std::string(head) + "aegw_x_total{1a=\"b\"} 1\n",
		     std::string(head) + "aegw_x_total 1\naegw_x_total 2\n",
		     std::string(head) + "aegw_x_total one\n",
		     std::string("# HELP aegw_x x\n# TYPE aegw_x counter\naegw_x 1\n"),
		     std::string("aegw_y 1\n# HELP aegw_y y\n# TYPE aegw_y gauge\n"),
		     std::string(head) + head + "aegw_x_total 1\n",
		     std::string(head) + "aegw_x_total 1\n# HELP aegw_z z\n"
					 "# TYPE aegw_z gauge\naegw_z 1\n"
					 "aegw_x_total{a=\"b\"} 1\n",
		     std::string("# HELP 0x y\n# TYPE 0x gauge\n0x 1\n"),
	     })
		EXPECT_FALSE(parse(bad).errors.empty()) << bad;
}

TEST(Exposition, CheckerRefusesABrokenHistogram)
{
	const std::string head = "# HELP aegw_h h\n# TYPE aegw_h histogram\n";
	auto h = [&](const char *b1, const char *inf, const char *count) {
		return head + "aegw_h_bucket{c=\"x\",le=\"0.1\"} " + b1 +
		       "\naegw_h_bucket{c=\"x\",le=\"+Inf\"} " + inf +
		       "\naegw_h_sum{c=\"x\"} 0.5\naegw_h_count{c=\"x\"} " + count +
		       "\n";
	};
	Exposition good = parse(h("1", "2", "2"));
	EXPECT_TRUE(good.errors.empty());
	EXPECT_EQ(good.get("aegw_h_bucket{c=\"x\",le=\"+Inf\"}"), 2);
	for (const std::string &bad : {
		     h("3", "2", "2"),                   // a bucket goes down
		     h("1", "2", "3"),                   // _count is not +Inf
		     head + "aegw_h 1\n",               // no suffix
		     head + "aegw_h_bucket{le=\"0.1\"} 1\naegw_h_count 1\n"
			    "aegw_h_sum 1\n",            // no +Inf
		     head + "aegw_h_bucket{le=\"+Inf\"} 1\naegw_h_count 1\n",
		     head + "aegw_h_sum 1\naegw_h_count 1\n",
	     })
		EXPECT_FALSE(parse(bad).errors.empty()) << bad;
}

// ---- the daemon's state, in-process -----------------------------------

class Metrics : public ::testing::Test {
protected:
	ctl c{};
	ctl_dp_counters dp{};
	std::string buf = std::string(CTL_NG_REPLY_MAX, '\0');
	const uint8_t peer[NG_CACHE_PEER_LEN] = {4, 127, 0, 0, 1};
	unsigned n = 0;

	void SetUp() override
	{
		ctl_options o;
		char err[200];
		std::vector<const char *> argv = {
			"aegw-control", "--interface", "access=10.0.0.1/20000-20099@0",
			"--interface", "core=192.168.0.1/30000-30099@1", "--instance",
			"nosuchmetrics", "--max-sessions", "1",
			"--max-registrations", "77"};
		ctl_log_set_level(CTL_LOG_ERR);
		ASSERT_EQ(ctl_options_parse(&o, int(argv.size()),
					    const_cast<char **>(argv.data()), err,
					    sizeof(err)), 0) << err;
		ASSERT_EQ(ctl_init(&c, &o, err, sizeof(err)), 0) << err;
		c.ring.n_workers = 2; // offers pick ports as with a dataplane
	}

	void TearDown() override
	{
		ctl_dp_counters_free(&dp);
		ctl_fini(&c);
		EXPECT_EQ(ctl_secret_in_use(), 0u);
	}

	Reply ask(const std::string &dict)
	{
		return raw("m" + std::to_string(n++) + " " + dict);
	}

	Reply raw(const std::string &msg)
	{
		size_t len = ctl_ng_handle(&c, peer, msg.data(), msg.size(),
					   &buf[0], buf.size());
		return Reply(buf.substr(0, len));
	}

	Reply offer(const std::string &call)
	{
		return ask(D({{"command", S("offer")}, {"call-id", S(call)},
			      {"from-tag", S("f")},
			      {"supports", L({"load limit"})},
			      {"sdp", S("v=0\r\no=- 1 1 IN IP4 10.0.0.9\r\ns=-\r\n"
					"c=IN IP4 10.0.0.9\r\nt=0 0\r\n"
					"m=audio 7000 RTP/AVP 0\r\n")}}));
	}

	Exposition checked(const ctl_dp_counters *d)
	{
		std::string t = text_of(&c, d);
		Exposition e = parse(t);
		for (const auto &err : e.errors)
			ADD_FAILURE() << err;
		if (!e.errors.empty())
			std::cerr << t;
		return e;
	}
};

TEST_F(Metrics, FormatWithoutDataplane)
{
	c.stats.ng_denied = 3;
	c.stats.timeouts[CTL_TIMEOUT_OFFER] = 2;
	c.stats.load_limit = 4;
	Exposition e = checked(nullptr);
	EXPECT_EQ(e.get("aegw_dataplane_up"), 0);
	EXPECT_EQ(e.get("aegw_build_info{version=\"" AEGW_TEST_VERSION "\"}"), 1);
	EXPECT_GT(e.get("aegw_process_start_time_seconds"), 1.5e9);
	EXPECT_EQ(e.get("aegw_calls"), 0);
	EXPECT_EQ(e.get("aegw_ng_denied_total"), 3);
	EXPECT_EQ(e.get("aegw_call_timeouts_total{kind=\"offer\"}"), 2);
	EXPECT_EQ(e.get("aegw_call_timeouts_total{kind=\"media\"}"), 0);
	EXPECT_EQ(e.get("aegw_call_timeouts_total{kind=\"final\"}"), 0);
	EXPECT_EQ(e.get("aegw_calls_rejected_total{reason=\"load_limit\"}"), 4);
	EXPECT_EQ(e.get("aegw_registrations_max"), 77);
	EXPECT_EQ(e.get("aegw_interface_port_pairs{interface=\"core\",state=\"free\"}"),
		  50);
	for (const char *mode : {"relay", "e2e-sdes", "e2e-kms", "e2ae",
				 "recrypt", "static"})
		EXPECT_EQ(e.get(std::string("aegw_streams{mode=\"") + mode + "\"}"),
			  0) << mode;
	// No dataplane: none of its series, not even at 0.
	for (const char *f : {"aegw_interface_rx_packets_total",
			      "aegw_worker_rx_packets_total",
			      "aegw_worker_drops_total", "aegw_dataplane_streams",
			      "aegw_dataplane_epoch", "aegw_ring_depth"})
		EXPECT_FALSE(e.has_family(f)) << f;
}

// The peers' RTCP: blocks by result, and the MOS histogram in MOS, its
// buckets cumulative (the checker holds every histogram to that).
TEST_F(Metrics, RtcpBlocksAndMos)
{
	c.stats.quality.blocks[CTL_RTCP_BLOCK_MOS] = 3;
	c.stats.quality.blocks[CTL_RTCP_BLOCK_NO_SR] = 5;
	c.stats.quality.mos_bucket[0] = 1; // 1.0: the worst
	c.stats.quality.mos_bucket[5] = 1; // (3.5, 4.0]
	c.stats.quality.mos_bucket[7] = 1; // above 4.3
	c.stats.quality.mos_sum10 = 10 + 38 + 44;
	Exposition e = checked(nullptr);
	EXPECT_EQ(e.get("aegw_rtcp_report_blocks_total{result=\"mos\"}"), 3);
	EXPECT_EQ(e.get("aegw_rtcp_report_blocks_total{result=\"no_sr\"}"), 5);
	EXPECT_EQ(e.get("aegw_rtcp_report_blocks_total{result=\"no_call\"}"), 0);
	EXPECT_EQ(e.get("aegw_call_mos_bucket{le=\"1.0\"}"), 1);
	EXPECT_EQ(e.get("aegw_call_mos_bucket{le=\"3.5\"}"), 1);
	EXPECT_EQ(e.get("aegw_call_mos_bucket{le=\"4.0\"}"), 2);
	EXPECT_EQ(e.get("aegw_call_mos_bucket{le=\"4.3\"}"), 2);
	EXPECT_EQ(e.get("aegw_call_mos_bucket{le=\"+Inf\"}"), 3);
	EXPECT_EQ(e.get("aegw_call_mos_count"), 3);
	EXPECT_DOUBLE_EQ(e.get("aegw_call_mos_sum"), 9.2);
}

// Interface names are checked by the option parser; the text does not
// rely on it.
TEST_F(Metrics, LabelValuesAreEscaped)
{
	const std::string odd = "a\"b\\c\nd";
	snprintf(c.opt.ifaces[0].name, sizeof(c.opt.ifaces[0].name), "%s",
		 odd.c_str());
	std::string t = text_of(&c, nullptr);
	EXPECT_NE(t.find("interface=\"a\\\"b\\\\c\\nd\""), std::string::npos) << t;
	Exposition e = checked(nullptr);
	EXPECT_EQ(e.get("aegw_interface_port_pairs{interface=\"" + odd +
			"\",state=\"used\"}"), 0);
}

TEST_F(Metrics, NgRequestsByCommandAndResult)
{
	EXPECT_EQ(ask(D({{"command", S("ping")}})).result(), "pong");
	EXPECT_EQ(offer("a").result(), "ok");
	EXPECT_EQ(offer("b").result(), "load limit") << "--max-sessions 1";
	EXPECT_EQ(ask(D({{"command", S("offer")}})).result(), "error");
	EXPECT_EQ(ask(D({{"command", S("nosuch")}})).result(), "error");
	EXPECT_EQ(ask(D({{"command", S("delete")}, {"call-id", S("zz")}})).result(),
		  "ok") << "unknown call: ok with a warning";
	EXPECT_EQ(ask(D({{"command", S("query")}, {"call-id", S("zz")}})).result(),
		  "error");
	raw("m99 d7:command4:liste"); // then its retransmission: not run
	raw("m99 d7:command4:liste");
	EXPECT_EQ(raw("bad dxe").result(), "error");
	raw("no-cookie-at-all");

	Exposition e = checked(nullptr);
	auto req = [&](const char *cmd, const char *res) {
		return e.get(std::string("aegw_ng_requests_total{command=\"") + cmd +
			     "\",result=\"" + res + "\"}");
	};
	EXPECT_EQ(req("ping", "ok"), 1) << "pong is ok";
	EXPECT_EQ(req("list", "ok"), 1);
	EXPECT_EQ(e.get("aegw_ng_retransmits_total"), 1);
	EXPECT_GT(e.get("aegw_ng_cache_bytes"), 128) << "the replies kept";
	EXPECT_EQ(e.get("aegw_ng_cache_evicted_total"), 0);
	EXPECT_EQ(req("offer", "ok"), 1);
	EXPECT_EQ(req("offer", "load_limit"), 1);
	EXPECT_EQ(req("offer", "error"), 1);
	EXPECT_EQ(req("unknown", "error"), 1);
	EXPECT_EQ(req("delete", "ok"), 1);
	EXPECT_EQ(req("query", "error"), 1);
	EXPECT_EQ(req("answer", "ok"), 0);
	EXPECT_EQ(e.get("aegw_ng_malformed_total"), 2);
	// Every request run has its duration; the retransmission and the
	// malformed ones have none.
	auto took = [&](const char *cmd, const char *suffix, const char *le) {
		std::string k = std::string("aegw_ng_request_duration_seconds_") +
				suffix + "{command=\"" + cmd + "\"";
		return e.get(k + (le ? std::string(",le=\"") + le + "\"}" : "}"));
	};
	EXPECT_EQ(took("offer", "count", nullptr), 3);
	EXPECT_EQ(took("offer", "bucket", "+Inf"), 3);
	EXPECT_EQ(took("list", "count", nullptr), 1) << "not its retransmission";
	EXPECT_EQ(took("unknown", "count", nullptr), 1);
	EXPECT_EQ(took("answer", "count", nullptr), 0);
	EXPECT_GT(took("offer", "sum", nullptr), 0);
	EXPECT_LT(took("offer", "sum", nullptr), 3.0);
	EXPECT_LE(took("offer", "bucket", "1e-05"), took("offer", "bucket", "1"));
	EXPECT_EQ(e.get("aegw_calls"), 1);
	EXPECT_EQ(e.get("aegw_calls_created_total"), 1);
	EXPECT_EQ(e.get("aegw_calls_rejected_total{reason=\"load_limit\"}"), 1);
	EXPECT_EQ(e.get("aegw_interface_port_pairs{interface=\"access\",state=\"used\"}"),
		  1);
	// statistics still counts by command, as before.
	Reply s = ask(D({{"command", S("statistics")}}));
	EXPECT_EQ(s.num({"statistics", "commands", "offer"}), 3);
	EXPECT_EQ(s.num({"statistics", "commands", "ping"}), 1);
	EXPECT_EQ(s.num({"statistics", "commands", "list"}), 1);
	ask(D({{"command", S("delete")}, {"call-id", S("a")}}));
}

// A dataplane's object attached (made here, no worker behind it): the
// ring's series, its heartbeat's age a fraction of seconds.
TEST_F(Metrics, AttachedDataplane)
{
	std::string inst = "metrics" + std::to_string(getpid());
	aegw_shm *shm = nullptr;
	ASSERT_EQ(aegw_shm_create(inst.c_str(), 2, &shm), 0);
	aegw_shm_heartbeat(shm);
	ctl_ring_fini(&c.ring);
	ctl_ring_init(&c.ring, inst.c_str());
	EXPECT_EQ(ctl_ring_poll(&c.ring), CTL_RING_ATTACHED);
	aegw_cmd cmd{};
	cmd.type = AEGW_CMD_DUMP;
	ASSERT_EQ(aegw_ring_cmd_send(shm, 1, &cmd), 0); // waits in worker 1's ring

	Exposition e = checked(nullptr);
	EXPECT_EQ(e.get("aegw_dataplane_up"), 0) << "not read";
	EXPECT_EQ(e.get("aegw_dataplane_epoch"), 1);
	EXPECT_EQ(e.get("aegw_dataplane_workers"), 2);
	EXPECT_GE(e.get("aegw_dataplane_heartbeat_age_seconds"), 0);
	EXPECT_LT(e.get("aegw_dataplane_heartbeat_age_seconds"), 2);
	EXPECT_EQ(e.get("aegw_ring_depth{worker=\"1\",ring=\"command\"}"), 1);
	EXPECT_EQ(e.get("aegw_ring_depth{worker=\"0\",ring=\"event\"}"), 0);
	EXPECT_FALSE(e.has_family("aegw_interface_rx_packets_total"));
	ctl_ring_fini(&c.ring);
	aegw_shm_detach(shm);
	aegw_shm_unlink(inst.c_str());
}

TEST(NgResult, Names)
{
	EXPECT_STREQ(ctl_ng_result_name(CTL_NG_RESULT_OK), "ok");
	EXPECT_STREQ(ctl_ng_result_name(CTL_NG_RESULT_ERROR), "error");
	EXPECT_STREQ(ctl_ng_result_name(CTL_NG_RESULT_LOAD_LIMIT), "load_limit");
	EXPECT_STREQ(ctl_ng_result_name(CTL_NG_RESULT_COUNT), "unknown");
}

// ---- the dataplane's counters -------------------------------------------

aegw_endpoint v4(uint8_t a, uint8_t b, uint8_t c3, uint8_t d, uint16_t port)
{
	aegw_endpoint e{};
	e.family = 4;
	e.ip[0] = a, e.ip[1] = b, e.ip[2] = c3, e.ip[3] = d;
	e.port = port;
	return e;
}

// A stream as a worker's DUMP gives it.
aegw_evt stream(uint32_t id, aegw_endpoint local, aegw_endpoint src,
		uint64_t rx, uint64_t bytes, uint64_t auth_failed = 0)
{
	aegw_evt e{};
	e.type = AEGW_EVT_STREAM;
	e.stream_id = id;
	e.local = local;
	e.egress_src = src;
	e.counters[AEGW_SC_rx_packets] = rx;
	e.counters[AEGW_SC_rx_bytes] = bytes;
	e.counters[AEGW_SC_tx_packets] = rx - auth_failed;
	e.counters[AEGW_SC_tx_bytes] = bytes;
	e.counters[AEGW_SC_drop_auth_failed] = auth_failed;
	return e;
}

const aegw_endpoint kAccess = v4(10, 0, 0, 1, 20000);
const aegw_endpoint kCore = v4(192, 168, 0, 1, 30002);
const aegw_endpoint kElsewhere = v4(172, 16, 0, 1, 4000);

class DpCounters : public Metrics {
protected:
	// Folds one DUMP of these streams (sorted by id) with 2 workers.
	void fold(std::vector<aegw_evt> streams, uint64_t worker0_rx = 0)
	{
		ctl_dp_view v{};
		v.evt = streams.data();
		v.n = streams.size();
		v.complete = true;
		v.n_workers = 2;
		v.worker[0][AEGW_WC_rx_packets] = worker0_rx;
		v.worker[1][AEGW_WC_drop_not_udp] = 7;
		ASSERT_EQ(ctl_dp_counters_fold(&dp, &c, &v), 0);
		dp.up = true;
	}

	uint64_t in(unsigned iface, aegw_stream_counter k) { return dp.in[iface][k]; }
	uint64_t out(unsigned iface, aegw_stream_counter k) { return dp.out[iface][k]; }
};

TEST_F(DpCounters, PerInterfaceAndWorker)
{
	// A call's two streams (access -> core, core -> access) and one on
	// an address no interface has (a previous daemon's).
	fold({stream(1, kAccess, kCore, 10, 1000, 2),
	      stream(2, kCore, kAccess, 20, 3000),
	      stream(3, kElsewhere, kElsewhere, 5, 500)}, 99);
	EXPECT_EQ(in(0, AEGW_SC_rx_packets), 10u);
	EXPECT_EQ(in(1, AEGW_SC_rx_packets), 20u);
	EXPECT_EQ(out(1, AEGW_SC_tx_packets), 8u) << "stream 1 leaves by core";
	EXPECT_EQ(out(0, AEGW_SC_tx_bytes), 3000u);
	EXPECT_EQ(in(CTL_DP_NO_IFACE, AEGW_SC_rx_packets), 5u);
	// Ports 20000 and 4000 are worker 0's, 30002 worker 1's.
	EXPECT_EQ(dp.by_worker[0][AEGW_SC_rx_packets], 15u);
	EXPECT_EQ(dp.by_worker[1][AEGW_SC_rx_packets], 20u);
	EXPECT_EQ(dp.streams[0], 2u);

	Exposition e = checked(&dp);
	EXPECT_EQ(e.get("aegw_dataplane_up"), 1);
	EXPECT_EQ(e.get("aegw_interface_rx_packets_total{interface=\"access\"}"), 10);
	EXPECT_EQ(e.get("aegw_interface_rx_bytes_total{interface=\"core\"}"), 3000);
	EXPECT_EQ(e.get("aegw_interface_tx_packets_total{interface=\"core\"}"), 8);
	EXPECT_EQ(e.get("aegw_interface_drops_total{interface=\"access\","
			"reason=\"auth_failed\"}"), 2);
	EXPECT_EQ(e.get("aegw_interface_drops_total{interface=\"core\","
			"reason=\"wrong_source\"}"), 0);
	EXPECT_EQ(e.get("aegw_worker_rx_packets_total{worker=\"0\"}"), 99);
	EXPECT_EQ(e.get("aegw_worker_drops_total{worker=\"1\",reason=\"not_udp\"}"), 7);
	EXPECT_EQ(e.get("aegw_worker_handoff_out_total{worker=\"1\"}"), 0);
	EXPECT_EQ(e.get("aegw_dataplane_streams{worker=\"0\"}"), 2);
	EXPECT_EQ(e.get("aegw_dataplane_streams{worker=\"1\"}"), 1);
	EXPECT_EQ(e.get("aegw_worker_stream_rx_packets_total{worker=\"1\"}"), 20);
	EXPECT_EQ(e.get("aegw_worker_stream_tx_bytes_total{worker=\"0\"}"), 1500);
	for (const auto &[s, v] : e.series)
		EXPECT_EQ(s.find("interface=\"\""), std::string::npos) << s;
}

// A sum over the live streams would fall when a call ends; the totals
// keep what the gone streams had counted, and a stream counting from 0
// again (installed anew, a new dataplane) adds to what it had.
TEST_F(DpCounters, TotalsNeverGoDown)
{
	fold({stream(1, kAccess, kCore, 10, 1000), stream(2, kCore, kAccess, 4, 400)});
	EXPECT_EQ(in(0, AEGW_SC_rx_packets), 10u);
	fold({stream(1, kAccess, kCore, 15, 1500)}); // 2 is gone
	EXPECT_EQ(in(0, AEGW_SC_rx_packets), 15u);
	EXPECT_EQ(in(1, AEGW_SC_rx_packets), 4u) << "stream 2's count stays";
	EXPECT_EQ(out(0, AEGW_SC_tx_bytes), 400u);
	fold({stream(1, kAccess, kCore, 3, 300), stream(4, kCore, kAccess, 1, 100)});
	EXPECT_EQ(in(0, AEGW_SC_rx_packets), 18u) << "15 before the restart, 3 since";
	EXPECT_EQ(in(1, AEGW_SC_rx_packets), 5u);
	// Stream 1's id now on the core side: another stream.
	fold({stream(1, kCore, kAccess, 6, 600), stream(4, kCore, kAccess, 2, 200)});
	EXPECT_EQ(in(0, AEGW_SC_rx_packets), 18u);
	EXPECT_EQ(in(1, AEGW_SC_rx_packets), 4u + 6 + 2);
	fold({});
	EXPECT_EQ(in(0, AEGW_SC_rx_packets), 18u);
	EXPECT_EQ(in(1, AEGW_SC_rx_packets), 12u);
	EXPECT_EQ(dp.streams[0] + dp.streams[1], 0u);
	uint64_t w = 0;
	for (unsigned i = 0; i < 2; i++)
		w += dp.by_worker[i][AEGW_SC_rx_packets];
	EXPECT_EQ(w, 30u) << "per worker likewise";
}

// A delete reads its streams as it removes them: that last reading
// counts, whether the stream was read before or never was.
TEST_F(DpCounters, ALastReadingAtDeleteCountsWhole)
{
	c.ring.n_workers = 2; // as the dump's
	fold({stream(1, kAccess, kCore, 10, 1000), stream(2, kCore, kAccess, 4, 400)});
	aegw_evt last = stream(1, kAccess, kCore, 25, 2500);
	ctl_dp_counters_final(&dp, &c, &last);
	EXPECT_EQ(in(0, AEGW_SC_rx_packets), 25u);
	fold({stream(2, kCore, kAccess, 5, 500)}); // 1 is gone now
	EXPECT_EQ(in(0, AEGW_SC_rx_packets), 25u) << "kept, not counted twice";
	EXPECT_EQ(in(1, AEGW_SC_rx_packets), 5u);
	aegw_evt brief = stream(7, kAccess, kCore, 3, 300); // never dumped
	ctl_dp_counters_final(&dp, &c, &brief);
	EXPECT_EQ(in(0, AEGW_SC_rx_packets), 28u);
	fold({stream(2, kCore, kAccess, 6, 600)});
	EXPECT_EQ(in(0, AEGW_SC_rx_packets), 28u);
	// Stream 2 counting anew (a replay) before its delete's reading.
	aegw_evt again = stream(2, kCore, kAccess, 2, 200);
	ctl_dp_counters_final(&dp, &c, &again);
	EXPECT_EQ(in(1, AEGW_SC_rx_packets), 6u + 2) << "in place, at once";
	EXPECT_EQ(dp.by_worker[1][AEGW_SC_rx_packets], 6u + 2);
	fold({});
	EXPECT_EQ(in(1, AEGW_SC_rx_packets), 6u + 2);
}

// A reading comes in the order the workers' hash tables walk, not by id,
// and a big one grows the table of last readings several times: each
// stream is still matched with its own last reading, and the ones a
// reading no longer has keep their counts.
TEST_F(DpCounters, ThousandsOfStreamsInAnyOrder)
{
	const uint32_t n = 5000;
	std::vector<aegw_evt> first, second;
	for (uint32_t id = 1; id <= n; id++) {
		first.push_back(stream(id * 7919, kAccess, kCore, id, 10 * id));
		if (id % 10)
			second.push_back(stream(id * 7919, kAccess, kCore, id + 1,
						10 * id));
	}
	std::mt19937 rng(42);
	std::shuffle(first.begin(), first.end(), rng);
	std::shuffle(second.begin(), second.end(), rng);
	uint64_t all = uint64_t(n) * (n + 1) / 2;
	fold(first);
	EXPECT_EQ(in(0, AEGW_SC_rx_packets), all);
	EXPECT_EQ(dp.streams[0], n);
	fold(second); // every tenth stream gone, the others one packet more
	EXPECT_EQ(in(0, AEGW_SC_rx_packets), all + second.size())
		<< "the gone streams' counts stay, the others move on";
	EXPECT_EQ(dp.streams[0], second.size());
	fold(second);
	EXPECT_EQ(in(0, AEGW_SC_rx_packets), all + second.size())
		<< "the same reading again adds nothing";
}

// Two interfaces on one address: the port range tells them apart.
TEST_F(DpCounters, SharedAddressByPortRange)
{
	ctl_dp_counters_free(&dp);
	ctl_fini(&c);
	ctl_options o;
	char err[200];
	std::vector<const char *> argv = {
		"aegw-control", "--interface", "a=10.0.0.1/20000-20099@0",
		"--interface", "b=10.0.0.1/20100-20199@0", "--instance", "nosuch"};
	ASSERT_EQ(ctl_options_parse(&o, int(argv.size()),
				    const_cast<char **>(argv.data()), err,
				    sizeof(err)), 0) << err;
	ASSERT_EQ(ctl_init(&c, &o, err, sizeof(err)), 0) << err;
	dp = ctl_dp_counters{};
	fold({stream(1, v4(10, 0, 0, 1, 20150), v4(10, 0, 0, 1, 20010), 9, 90)});
	EXPECT_EQ(in(1, AEGW_SC_rx_packets), 9u);
	EXPECT_EQ(out(0, AEGW_SC_tx_packets), 9u);
}

} // namespace
