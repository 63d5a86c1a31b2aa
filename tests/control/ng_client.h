// Test helpers for aegw-control: child processes (aegw-dataplane on
// net_null, aegw-control, aegw-dpctl), an ng client over UDP and TCP,
// bencode building for requests and reading of replies, SDP inspection.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

extern "C" {
#include "aegw/bencode.h"
#include "aegw/sdp.h"
}

namespace ngtest {

// ---- processes ------------------------------------------------------

// Starts argv[0] with stdout and stderr into log; returns the pid.
pid_t spawn(const std::vector<std::string> &argv, const std::string &log);
// SIGTERM (or sig), then waits up to 10 s (then SIGKILL). Exit status.
int stop(pid_t pid, int sig = 15);
std::string slurp(const std::string &path);
// SIGSTOP, then waits until every thread of pid is stopped (a worker
// still in its loop would answer a command sent right after the kill).
// False (and the process continued) when they did not all stop within
// 2 s.
bool stop_all_threads(pid_t pid);
// Runs a shell command, returns its stdout.
std::string run(const std::string &cmd);
// The command line the control tests start aegw-control with: ng on
// 127.0.0.1 udp and tcp, instance inst, interfaces access
// (10.0.0.1/20000-20999@0) and core (192.168.0.1/30000-30007@1: four
// pairs), debug log, e2ae preferred on E-UTRAN; then extra.
std::vector<std::string> control_argv(const char *bin, const std::string &inst,
				      uint16_t udp, uint16_t tcp,
				      const std::vector<std::string> &extra);

// ---- bencode for requests -------------------------------------------

std::string S(const std::string &s);                        // "3:abc"
std::string L(const std::vector<std::string> &strings);     // list of strings
// A dictionary from (key, already-encoded value) pairs, in this order.
std::string D(const std::vector<std::pair<std::string, std::string>> &kv);

// ---- replies ----------------------------------------------------------

// A decoded reply: the cookie and the dictionary. Lookups by a path of
// dictionary keys; "" / -1 when absent.
class Reply {
public:
	explicit Reply(const std::string &raw);
	bool ok() const { return valid_; }
	const std::string &raw() const { return raw_; }
	std::string cookie() const { return cookie_; }
	std::string str(const std::vector<std::string> &path) const;
	int64_t num(const std::vector<std::string> &path) const;
	const aegw_benc_node *node(const std::vector<std::string> &path) const;
	std::string result() const { return str({"result"}); }
	std::string reason() const { return str({"error-reason"}); }
	std::string sdp() const { return str({"sdp"}); }

private:
	std::string raw_, cookie_;
	std::vector<aegw_benc_node> nodes_;
	const aegw_benc_node *dict_ = nullptr;
	bool valid_ = false;
};

// ---- the ng client ----------------------------------------------------

class NgClient {
public:
	NgClient(uint16_t udp_port, uint16_t tcp_port);
	~NgClient();
	// One datagram, its reply ("" after timeout_ms).
	std::string udp(const std::string &msg, int timeout_ms = 5000);
	// A burst, as a loaded P-CSCF sends: datagrams sent before any
	// reply is read, then up to n replies collected in arrival order.
	void udp_send(const std::string &msg);
	std::vector<std::string> udp_collect(unsigned n, int timeout_ms = 5000);
	// A new cookie for the dictionary d.
	Reply ask(const std::string &dict);
	// A ping under cookie: seconds until its pong came, or -1 when none
	// came within timeout_ms.
	double ping_seconds(const std::string &cookie, int timeout_ms = 3000);
	// TCP: connects, writes the pieces with pauses, reads until `replies`
	// replies (by framing) arrived or the time is up.
	std::vector<std::string> tcp(const std::vector<std::string> &pieces,
				     unsigned replies, int timeout_ms = 5000);

private:
	int fd_ = -1;
	uint16_t tcp_port_;
	unsigned next_ = 0;
};

// ---- SDP --------------------------------------------------------------

struct Sdp {
	explicit Sdp(const std::string &text);
	bool ok = false;
	std::string text;
	aegw_sdp *p = nullptr; // heap: 40 KiB
	~Sdp();
	Sdp(const Sdp &) = delete;
	std::string conn() const;            // c= address, session or media 0
	std::string origin_addr() const;
	uint16_t port(unsigned m = 0) const;
	std::string proto(unsigned m = 0) const;
	unsigned n_crypto(unsigned m = 0) const;
	std::string crypto_value(unsigned m = 0, unsigned i = 0) const;
	bool has_line(const std::string &line) const;
};

} // namespace ngtest
