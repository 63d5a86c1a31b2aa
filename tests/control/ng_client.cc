#include "ng_client.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

extern "C" {
#include "aegw/ng.h"
#include "ng_server.h"
}

extern char **environ;

namespace ngtest {

std::vector<std::string> control_argv(const char *bin, const std::string &inst,
				      uint16_t udp, uint16_t tcp,
				      const std::vector<std::string> &extra)
{
	std::vector<std::string> argv = {
		bin, "--listen-ng", "127.0.0.1:" + std::to_string(udp),
		"--listen-tcp-ng", "127.0.0.1:" + std::to_string(tcp),
		"--instance", inst, "--interface",
		"access=10.0.0.1/20000-20999@0", "--interface",
		"core=192.168.0.1/30000-30007@1", "--log-level", "7",
		"--e2ae-policy", "3GPP-E-UTRAN-FDD=preferred"};

	argv.insert(argv.end(), extra.begin(), extra.end());
	return argv;
}

pid_t spawn(const std::vector<std::string> &argv, const std::string &log)
{
	std::vector<char *> a;
	posix_spawn_file_actions_t fa;
	pid_t pid;

	for (const auto &s : argv)
		a.push_back(const_cast<char *>(s.c_str()));
	a.push_back(nullptr);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, log.c_str(),
					 O_WRONLY | O_CREAT | O_APPEND, 0600);
	posix_spawn_file_actions_adddup2(&fa, 1, 2);
	if (posix_spawn(&pid, a[0], &fa, nullptr, a.data(), environ))
		throw std::runtime_error("cannot start " + argv[0]);
	posix_spawn_file_actions_destroy(&fa);
	return pid;
}

int stop(pid_t pid, int sig)
{
	int status = 0;

	if (pid <= 0)
		return -1;
	kill(pid, sig);
	for (int i = 0; i < 1000; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return status;
		std::this_thread::sleep_for(std::chrono::milliseconds(10));
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return status;
}

std::string slurp(const std::string &path)
{
	std::ifstream f(path);
	std::stringstream ss;
	ss << f.rdbuf();
	return ss.str();
}

bool stop_all_threads(pid_t pid)
{
	std::string dir = "/proc/" + std::to_string(pid) + "/task";

	if (kill(pid, SIGSTOP))
		return false;
	for (int tries = 0; tries < 400; tries++) {
		bool all = true;
		for (const auto &t : std::filesystem::directory_iterator(dir)) {
			std::string st = slurp(t.path().string() + "/stat");
			size_t at = st.rfind(") ");
			all &= at != std::string::npos && at + 2 < st.size() &&
			       (st[at + 2] == 'T' || st[at + 2] == 't');
		}
		if (all)
			return true;
		std::this_thread::sleep_for(std::chrono::milliseconds(5));
	}
	kill(pid, SIGCONT); // the suite's other tests share the process
	return false;
}

std::string run(const std::string &cmd)
{
	std::string out;
	char buf[4096];
	FILE *p = popen(cmd.c_str(), "r");
	size_t n;

	if (!p)
		return out;
	while ((n = fread(buf, 1, sizeof(buf), p)) > 0)
		out.append(buf, n);
	pclose(p);
	return out;
}

std::string S(const std::string &s)
{
	return std::to_string(s.size()) + ":" + s;
}

std::string L(const std::vector<std::string> &strings)
{
	std::string r = "l";
	for (const auto &s : strings)
		r += S(s);
	return r + "e";
}

std::string D(const std::vector<std::pair<std::string, std::string>> &kv)
{
	std::string r = "d";
	for (const auto &p : kv)
		r += S(p.first) + p.second;
	return r + "e";
}

Reply::Reply(const std::string &raw) : raw_(raw), nodes_(4096)
{
	aegw_ng_msg m;
	if (aegw_ng_parse(raw_.data(), raw_.size(), nodes_.data(),
			  unsigned(nodes_.size()), &m, nullptr))
		return;
	cookie_.assign(m.cookie.p, m.cookie.len);
	dict_ = m.dict;
	valid_ = true;
}

const aegw_benc_node *Reply::node(const std::vector<std::string> &path) const
{
	const aegw_benc_node *n = dict_;
	for (const auto &k : path)
		n = aegw_benc_dict_get_n(n, k.data(), k.size());
	return n;
}

std::string Reply::str(const std::vector<std::string> &path) const
{
	const aegw_benc_node *n = node(path);
	return aegw_benc_is_str(n) ? std::string(n->str, n->len) : "";
}

int64_t Reply::num(const std::vector<std::string> &path) const
{
	int64_t v = -1;
	aegw_benc_get_int(node(path), &v);
	return v;
}

NgClient::NgClient(uint16_t udp_port, uint16_t tcp_port) : tcp_port_(tcp_port)
{
	sockaddr_in sa{};
	fd_ = socket(AF_INET, SOCK_DGRAM, 0);
	sa.sin_family = AF_INET;
	sa.sin_port = htons(udp_port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	connect(fd_, reinterpret_cast<sockaddr *>(&sa), sizeof(sa));
}

NgClient::~NgClient()
{
	close(fd_);
}

std::string NgClient::udp(const std::string &msg, int timeout_ms)
{
	char buf[65536];
	pollfd p = {fd_, POLLIN, 0};

	send(fd_, msg.data(), msg.size(), 0);
	if (poll(&p, 1, timeout_ms) != 1)
		return "";
	ssize_t n = recv(fd_, buf, sizeof(buf), 0);
	return n > 0 ? std::string(buf, size_t(n)) : "";
}

void NgClient::udp_send(const std::string &msg)
{
	send(fd_, msg.data(), msg.size(), 0);
}

std::vector<std::string> NgClient::udp_collect(unsigned n, int timeout_ms)
{
	std::vector<std::string> out;
	auto end = std::chrono::steady_clock::now() +
		   std::chrono::milliseconds(timeout_ms);
	char buf[65536];

	while (out.size() < n && std::chrono::steady_clock::now() < end) {
		pollfd p = {fd_, POLLIN, 0};
		if (poll(&p, 1, 100) != 1)
			continue;
		ssize_t r = recv(fd_, buf, sizeof(buf), 0);
		if (r > 0)
			out.emplace_back(buf, size_t(r));
	}
	return out;
}

Reply NgClient::ask(const std::string &dict)
{
	std::string cookie = "t" + std::to_string(getpid()) + "_" +
			     std::to_string(next_++);
	return Reply(udp(cookie + " " + dict));
}

double NgClient::ping_seconds(const std::string &cookie, int timeout_ms)
{
	auto t0 = std::chrono::steady_clock::now();
	Reply r(udp(cookie + " d7:command4:pinge", timeout_ms));
	double t = std::chrono::duration<double>(
			   std::chrono::steady_clock::now() - t0).count();

	return r.cookie() == cookie && r.result() == "pong" ? t : -1;
}

std::vector<std::string> NgClient::tcp(const std::vector<std::string> &pieces,
				       unsigned replies, int timeout_ms)
{
	std::vector<std::string> out;
	std::string in;
	sockaddr_in sa{};
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	char buf[65536];

	sa.sin_family = AF_INET;
	sa.sin_port = htons(tcp_port_);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, reinterpret_cast<sockaddr *>(&sa), sizeof(sa))) {
		close(fd);
		return out;
	}
	for (const auto &p : pieces) {
		if (write(fd, p.data(), p.size()) != ssize_t(p.size()))
			break;
		std::this_thread::sleep_for(std::chrono::milliseconds(50));
	}
	auto end = std::chrono::steady_clock::now() +
		   std::chrono::milliseconds(timeout_ms);
	while (out.size() < replies && std::chrono::steady_clock::now() < end) {
		pollfd p = {fd, POLLIN, 0};
		if (poll(&p, 1, 100) != 1)
			continue;
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n <= 0)
			break;
		in.append(buf, size_t(n));
		long len;
		while ((len = ctl_ng_frame_len(in.data(), in.size())) > 0) {
			out.push_back(in.substr(0, size_t(len)));
			in.erase(0, size_t(len));
		}
	}
	close(fd);
	return out;
}

Sdp::Sdp(const std::string &t) : text(t), p(new aegw_sdp)
{
	char err[200];
	ok = aegw_sdp_parse(p, text.data(), text.size(), err, sizeof(err)) == 0;
}

Sdp::~Sdp()
{
	delete p;
}

static std::string str_of(aegw_sdp_str s)
{
	return std::string(s.p ? s.p : "", s.n);
}

std::string Sdp::conn() const
{
	if (p->n_media && p->media[0].s.c.present)
		return str_of(p->media[0].s.c.addr);
	return str_of(p->session.c.addr);
}

std::string Sdp::origin_addr() const
{
	return str_of(p->origin.addr);
}

uint16_t Sdp::port(unsigned m) const
{
	return m < p->n_media ? p->media[m].port : 0;
}

std::string Sdp::proto(unsigned m) const
{
	return m < p->n_media ? str_of(p->media[m].proto) : "";
}

unsigned Sdp::n_crypto(unsigned m) const
{
	return m < p->n_media ? p->media[m].n_crypto : 0;
}

std::string Sdp::crypto_value(unsigned m, unsigned i) const
{
	if (m >= p->n_media || i >= p->media[m].n_crypto)
		return "";
	return str_of(p->media[m].crypto[i].value);
}

bool Sdp::has_line(const std::string &line) const
{
	return ("\n" + text).find("\n" + line + "\r\n") != std::string::npos;
}

} // namespace ngtest
