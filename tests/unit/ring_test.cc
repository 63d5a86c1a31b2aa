// The shared-memory command ring: the object's life (create, attach,
// takeover by a new dataplane, replacement of a bad object), the rings'
// order, backpressure and sequence numbers, key hygiene seen from outside
// (by scanning the object as another process would), two real processes,
// and the table of records the consumer must refuse.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "aegw/counters.h"
#include "aegw/ring.h"

namespace {

// A unique instance per test and process; unlinked when it goes.
struct Instance {
	explicit Instance(const char *tag)
		: name("t" + std::to_string(getpid()) + "-" + tag)
	{
		aegw_shm_unlink(name.c_str());
	}
	~Instance() { aegw_shm_unlink(name.c_str()); }
	const char *c_str() const { return name.c_str(); }
	std::string path() const { return "/dev/shm/aegw-" + name; }
	std::string name;
};

// Writes a value no enumerator has, as a record from a buggy producer
// would carry (a cast would be undefined behaviour in C++).
template <class E> void set_raw(E &e, unsigned v)
{
	static_assert(sizeof(E) == sizeof(v), "enum is an int");
	std::memcpy(&e, &v, sizeof(v));
}

// Bytes no test writes except as a key: finding them in the object
// means a key is there.
void key_pattern(uint8_t *p, size_t n, unsigned salt)
{
	for (size_t j = 0; j < n; j++)
		p[j] = uint8_t(0xc3 ^ (j * 29 + 7 + salt * 101));
}

aegw_srtp_config make_cfg(aegw_suite suite = AEGW_SUITE_AES_CM_128_HMAC_SHA1_80,
			  unsigned salt = 0)
{
	aegw_srtp_config c;
	std::memset(&c, 0, sizeof(c));
	c.kind = AEGW_SRTP_RTP;
	c.suite = suite;
	c.n_keys = 1;
	key_pattern(c.keys[0].key, sizeof(c.keys[0].key), 2 * salt);
	key_pattern(c.keys[0].salt, sizeof(c.keys[0].salt), 2 * salt + 1);
	return c;
}

aegw_endpoint ep4(uint8_t last, uint16_t port)
{
	aegw_endpoint e;
	std::memset(&e, 0, sizeof(e));
	e.family = 4;
	e.port = port;
	e.ip[0] = 10;
	e.ip[3] = last;
	return e;
}

aegw_endpoint ep6(uint8_t last, uint16_t port)
{
	aegw_endpoint e;
	std::memset(&e, 0, sizeof(e));
	e.family = 6;
	e.port = port;
	e.ip[0] = 0x20;
	e.ip[1] = 0x01;
	e.ip[15] = last;
	return e;
}

aegw_cmd make_add(aegw_action action, uint32_t id = 1)
{
	aegw_cmd c;
	std::memset(&c, 0, sizeof(c));
	c.type = AEGW_CMD_ADD_STREAM;
	c.spec.stream_id = id;
	c.spec.action = uint8_t(action);
	c.spec.local = ep4(1, 40000);
	c.spec.remote = ep4(2, 50000);
	c.spec.egress_src = ep4(3, 40002);
	c.spec.egress_dst = ep4(4, 60000);
	c.spec.in_crypto = make_cfg(AEGW_SUITE_AES_CM_128_HMAC_SHA1_80, 1);
	c.spec.out_crypto = make_cfg(AEGW_SUITE_AEAD_AES_128_GCM, 2);
	return c;
}

// Occurrences of pat anywhere in the object, read through a mapping of
// its own, as another process would see it.
size_t count_in_object(const Instance &in, const uint8_t *pat, size_t n)
{
	int fd = open(in.path().c_str(), O_RDONLY);
	struct stat st;
	size_t count = 0;

	if (fd < 0 || fstat(fd, &st) < 0) {
		ADD_FAILURE() << in.path() << ": " << std::strerror(errno);
		if (fd >= 0)
			close(fd);
		return 0;
	}
	void *m = mmap(nullptr, size_t(st.st_size), PROT_READ, MAP_SHARED, fd,
		       0);
	close(fd);
	if (m == MAP_FAILED) {
		ADD_FAILURE() << "mmap: " << std::strerror(errno);
		return 0;
	}
	const uint8_t *p = static_cast<const uint8_t *>(m);
	const uint8_t *end = p + st.st_size;
	while (p < end) {
		const void *hit = memmem(p, size_t(end - p), pat, n);
		if (!hit)
			break;
		count++;
		p = static_cast<const uint8_t *>(hit) + 1;
	}
	munmap(m, size_t(st.st_size));
	return count;
}

bool all_zero(const void *p, size_t n)
{
	const uint8_t *b = static_cast<const uint8_t *>(p);
	for (size_t i = 0; i < n; i++)
		if (b[i])
			return false;
	return true;
}

void write_file(const std::string &path, const std::vector<uint8_t> &bytes)
{
	int fd = open(path.c_str(), O_CREAT | O_WRONLY | O_TRUNC, 0600);
	ASSERT_GE(fd, 0) << path;
	ASSERT_EQ(write(fd, bytes.data(), bytes.size()), ssize_t(bytes.size()));
	close(fd);
}

TEST(Shm, CreateAttachUnlink)
{
	Instance in("basic");
	aegw_shm *dp = nullptr, *ctl = nullptr;

	ASSERT_EQ(aegw_shm_create(in.c_str(), 2, &dp), 0);
	EXPECT_EQ(aegw_shm_n_workers(dp), 2u);
	EXPECT_EQ(aegw_shm_epoch(dp), 1u);
	EXPECT_EQ(aegw_shm_pid(dp), getpid());
	ASSERT_EQ(aegw_shm_attach(in.c_str(), &ctl), 0);
	EXPECT_EQ(aegw_shm_n_workers(ctl), 2u);
	EXPECT_EQ(aegw_shm_epoch(ctl), 1u);
	EXPECT_EQ(aegw_shm_pid(ctl), getpid());

	// The beat is CLOCK_MONOTONIC, comparable across processes.
	uint64_t before = aegw_shm_heartbeat_ns(ctl);
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	uint64_t now = uint64_t(ts.tv_sec) * 1000000000u + uint64_t(ts.tv_nsec);
	EXPECT_GT(before, 0u);
	EXPECT_LE(before, now);
	aegw_shm_heartbeat(dp);
	EXPECT_GE(aegw_shm_heartbeat_ns(ctl), now);

	aegw_shm_detach(ctl);
	aegw_shm_detach(dp);
	EXPECT_EQ(aegw_shm_unlink(in.c_str()), 0);
	EXPECT_EQ(aegw_shm_attach(in.c_str(), &ctl), -ENOENT);
	EXPECT_EQ(ctl, nullptr);
	EXPECT_EQ(aegw_shm_unlink(in.c_str()), -ENOENT);
	aegw_shm_detach(nullptr);
}

TEST(Shm, BadArguments)
{
	aegw_shm *s = nullptr;
	const std::string too_long(AEGW_INSTANCE_MAX + 1, 'a');
	const char *bad[] = { "", "a/b", "a b", "../x", "x\n", "\xc3\xa9",
			      too_long.c_str() };

	for (const char *name : bad) {
		EXPECT_EQ(aegw_shm_create(name, 1, &s), -EINVAL) << name;
		EXPECT_EQ(aegw_shm_attach(name, &s), -EINVAL) << name;
		EXPECT_EQ(aegw_shm_unlink(name), -EINVAL) << name;
	}
	EXPECT_EQ(aegw_shm_create(nullptr, 1, &s), -EINVAL);
	Instance in("args");
	EXPECT_EQ(aegw_shm_create(in.c_str(), 0, &s), -EINVAL);
	EXPECT_EQ(aegw_shm_create(in.c_str(), AEGW_RING_MAX_WORKERS + 1, &s),
		  -EINVAL);
	EXPECT_EQ(aegw_shm_create(in.c_str(), 1, nullptr), -EINVAL);

	// The longest name, every allowed character class.
	std::string longest = in.name + "_.-Az9";
	longest.resize(AEGW_INSTANCE_MAX, 'x');
	ASSERT_EQ(aegw_shm_create(longest.c_str(), AEGW_RING_MAX_WORKERS, &s),
		  0);
	EXPECT_EQ(aegw_ring_cmd_depth(s, AEGW_RING_MAX_WORKERS - 1), 0u);
	aegw_shm_detach(s);
	EXPECT_EQ(aegw_shm_unlink(longest.c_str()), 0);
}

TEST(Shm, Mode0600)
{
	Instance in("mode");
	aegw_shm *s = nullptr;
	struct stat st;

	// Whatever the umask...
	mode_t old = umask(0);
	ASSERT_EQ(aegw_shm_create(in.c_str(), 1, &s), 0);
	umask(old);
	ASSERT_EQ(stat(in.path().c_str(), &st), 0);
	EXPECT_EQ(st.st_mode & 07777, 0600u);
	aegw_shm_detach(s);

	// ...and whatever mode a previous object had.
	ASSERT_EQ(chmod(in.path().c_str(), 0666), 0);
	ASSERT_EQ(aegw_shm_create(in.c_str(), 1, &s), 0);
	ASSERT_EQ(stat(in.path().c_str(), &st), 0);
	EXPECT_EQ(st.st_mode & 07777, 0600u);
	aegw_shm_detach(s);
}

TEST(Shm, GarbageIsRefusedThenReplaced)
{
	Instance in("junk");
	aegw_shm *s = nullptr, *dp = nullptr;

	write_file(in.path(), std::vector<uint8_t>(8192, 0xab));
	EXPECT_EQ(aegw_shm_attach(in.c_str(), &s), -EPROTO);
	write_file(in.path(), { 1, 2, 3 }); // shorter than a header
	EXPECT_EQ(aegw_shm_attach(in.c_str(), &s), -EPROTO);
	write_file(in.path(), {});
	EXPECT_EQ(aegw_shm_attach(in.c_str(), &s), -EPROTO);
	write_file(in.path(), std::vector<uint8_t>(8192, 0xab));

	// The dataplane starts over on it, from epoch 1.
	ASSERT_EQ(aegw_shm_create(in.c_str(), 1, &dp), 0);
	EXPECT_EQ(aegw_shm_epoch(dp), 1u);
	ASSERT_EQ(aegw_shm_attach(in.c_str(), &s), 0);
	EXPECT_EQ(aegw_shm_epoch(s), 1u);
	aegw_shm_detach(s);

	// A right-sized object whose magic is wrong: refused too, and
	// the mapping that sees it so reports epoch 0.
	int fd = open(in.path().c_str(), O_RDWR);
	ASSERT_GE(fd, 0);
	uint64_t junk = 0x0123456789abcdefull, magic;
	ASSERT_EQ(pread(fd, &magic, sizeof(magic), 0), 8);
	EXPECT_EQ(magic, AEGW_SHM_MAGIC);
	ASSERT_EQ(pwrite(fd, &junk, sizeof(junk), 0), 8);
	EXPECT_EQ(aegw_shm_attach(in.c_str(), &s), -EPROTO);
	EXPECT_EQ(aegw_shm_epoch(dp), 0u);
	ASSERT_EQ(pwrite(fd, &magic, sizeof(magic), 0), 8);
	// The layout version follows the magic.
	uint32_t v = AEGW_SHM_LAYOUT_VERSION + 1;
	ASSERT_EQ(pwrite(fd, &v, sizeof(v), 8), 4);
	EXPECT_EQ(aegw_shm_attach(in.c_str(), &s), -EPROTO);
	close(fd);
	aegw_shm_detach(dp);
}

TEST(Shm, TakeoverBumpsEpochEmptiesRingsKeepsSeq)
{
	Instance in("epoch");
	aegw_shm *dp = nullptr, *ctl = nullptr;
	uint8_t key[16];
	std::memcpy(key, make_add(AEGW_ACTION_RECRYPT).spec.in_crypto.keys[0].key,
		    sizeof(key));

	ASSERT_EQ(aegw_shm_create(in.c_str(), 2, &dp), 0);
	ASSERT_EQ(aegw_shm_attach(in.c_str(), &ctl), 0);
	for (uint32_t i = 1; i <= 3; i++) {
		aegw_cmd c = make_add(AEGW_ACTION_RECRYPT, i);
		ASSERT_EQ(aegw_ring_cmd_send(ctl, 1, &c), 0);
		EXPECT_EQ(c.seq, i);
	}
	aegw_evt e;
	std::memset(&e, 0, sizeof(e));
	e.type = AEGW_EVT_ACK;
	ASSERT_EQ(aegw_ring_evt_send(dp, 1, &e), 0);
	ASSERT_EQ(aegw_ring_evt_send(dp, 0, &e), 0);
	EXPECT_EQ(count_in_object(in, key, sizeof(key)), 3u);

	// The dataplane dies with all that unconsumed; a new one takes over
	// while the control stays attached.
	aegw_shm_detach(dp);
	ASSERT_EQ(aegw_shm_create(in.c_str(), 2, &dp), 0);
	EXPECT_EQ(aegw_shm_epoch(dp), 2u);
	EXPECT_EQ(aegw_shm_epoch(ctl), 2u);
	for (unsigned w = 0; w < 2; w++) {
		EXPECT_EQ(aegw_ring_cmd_depth(dp, w), 0u);
		EXPECT_EQ(aegw_ring_cmd_depth(ctl, w), 0u);
		EXPECT_EQ(aegw_ring_evt_depth(ctl, w), 0u);
		EXPECT_EQ(aegw_ring_evt_recv(ctl, w, &e), -EAGAIN);
	}
	EXPECT_EQ(count_in_object(in, key, sizeof(key)), 0u);

	// The control's numbering goes on; the replay arrives.
	aegw_cmd c = make_add(AEGW_ACTION_RECRYPT, 9), got;
	ASSERT_EQ(aegw_ring_cmd_send(ctl, 1, &c), 0);
	EXPECT_EQ(c.seq, 4u);
	ASSERT_EQ(aegw_ring_cmd_recv(dp, 1, &got), 0);
	EXPECT_EQ(got.seq, 4u);
	EXPECT_EQ(got.spec.stream_id, 9u);
	aegw_cmd_wipe(&got);
	EXPECT_EQ(aegw_shm_epoch(dp), 2u);

	aegw_shm_detach(dp);
	ASSERT_EQ(aegw_shm_create(in.c_str(), 2, &dp), 0);
	EXPECT_EQ(aegw_shm_epoch(ctl), 3u);
	aegw_shm_detach(ctl);
	aegw_shm_detach(dp);
}

TEST(Shm, OtherWorkerCountReplacesTheObject)
{
	Instance in("resize");
	aegw_shm *dp = nullptr, *ctl = nullptr;

	ASSERT_EQ(aegw_shm_create(in.c_str(), 2, &dp), 0);
	ASSERT_EQ(aegw_shm_attach(in.c_str(), &ctl), 0);
	aegw_shm_detach(dp);
	ASSERT_EQ(aegw_shm_create(in.c_str(), 3, &dp), 0);
	EXPECT_EQ(aegw_shm_epoch(dp), 1u);
	// The old control mapping still works (no SIGBUS) and says:
	// attach again.
	EXPECT_EQ(aegw_shm_epoch(ctl), 0u);
	EXPECT_EQ(aegw_ring_cmd_depth(ctl, 1), 0u);
	aegw_shm_detach(ctl);
	ASSERT_EQ(aegw_shm_attach(in.c_str(), &ctl), 0);
	EXPECT_EQ(aegw_shm_n_workers(ctl), 3u);
	EXPECT_EQ(aegw_shm_epoch(ctl), 1u);
	aegw_shm_detach(ctl);
	aegw_shm_detach(dp);
}

TEST(Shm, ControlRestartContinuesSeq)
{
	Instance in("ctlrestart");
	aegw_shm *dp = nullptr, *ctl = nullptr;

	ASSERT_EQ(aegw_shm_create(in.c_str(), 1, &dp), 0);
	ASSERT_EQ(aegw_shm_attach(in.c_str(), &ctl), 0);
	aegw_cmd c = make_add(AEGW_ACTION_RELAY);
	ASSERT_EQ(aegw_ring_cmd_send(ctl, 0, &c), 0);
	ASSERT_EQ(aegw_ring_cmd_send(ctl, 0, &c), 0);
	EXPECT_EQ(c.seq, 2u);
	aegw_shm_detach(ctl);
	ASSERT_EQ(aegw_shm_attach(in.c_str(), &ctl), 0);
	ASSERT_EQ(aegw_ring_cmd_send(ctl, 0, &c), 0);
	EXPECT_EQ(c.seq, 3u);
	// What the dead control sent is still there for the worker.
	EXPECT_EQ(aegw_ring_cmd_depth(dp, 0), 3u);
	aegw_shm_detach(ctl);
	aegw_shm_detach(dp);
}

class Ring : public ::testing::Test {
protected:
	void SetUp() override
	{
		ASSERT_EQ(aegw_shm_create(in_.c_str(), 2, &dp_), 0);
		ASSERT_EQ(aegw_shm_attach(in_.c_str(), &ctl_), 0);
	}
	void TearDown() override
	{
		aegw_shm_detach(ctl_);
		aegw_shm_detach(dp_);
	}
	static unsigned next_;
	Instance in_{ ("r" + std::to_string(next_++)).c_str() };
	aegw_shm *dp_ = nullptr, *ctl_ = nullptr;
};

unsigned Ring::next_;

TEST_F(Ring, FifoAndSeqPerWorker)
{
	for (uint32_t i = 1; i <= 10; i++) {
		aegw_cmd c = make_add(AEGW_ACTION_E2AE_IN, 100 + i);
		ASSERT_EQ(aegw_ring_cmd_send(ctl_, i % 2, &c), 0);
		EXPECT_EQ(c.seq, (i + 1) / 2) << "each worker counts from 1";
	}
	EXPECT_EQ(aegw_ring_cmd_depth(dp_, 0), 5u);
	EXPECT_EQ(aegw_ring_cmd_depth(dp_, 1), 5u);
	for (unsigned w = 0; w < 2; w++) {
		for (uint64_t seq = 1; seq <= 5; seq++) {
			aegw_cmd got;
			ASSERT_EQ(aegw_ring_cmd_recv(dp_, w, &got), 0);
			EXPECT_EQ(got.seq, seq);
			EXPECT_EQ(got.spec.stream_id, 100 + 2 * seq - w);
			// The payload, keys included, arrives whole.
			aegw_cmd want = make_add(AEGW_ACTION_E2AE_IN,
						 uint32_t(100 + 2 * seq - w));
			want.seq = seq;
			EXPECT_EQ(std::memcmp(&got, &want, sizeof(got)), 0);
			aegw_cmd_wipe(&got);
		}
		aegw_cmd none;
		EXPECT_EQ(aegw_ring_cmd_recv(dp_, w, &none), -EAGAIN);
	}

	for (uint32_t i = 1; i <= 10; i++) {
		aegw_evt e;
		std::memset(&e, 0, sizeof(e));
		e.type = AEGW_EVT_ACK;
		e.seq = i;
		e.counters[AEGW_WC_COUNT - 1] = i * 1000;
		ASSERT_EQ(aegw_ring_evt_send(dp_, 1, &e), 0);
	}
	EXPECT_EQ(aegw_ring_evt_depth(ctl_, 1), 10u);
	for (uint32_t i = 1; i <= 10; i++) {
		aegw_evt e;
		ASSERT_EQ(aegw_ring_evt_recv(ctl_, 1, &e), 0);
		EXPECT_EQ(e.seq, i);
		EXPECT_EQ(e.counters[AEGW_WC_COUNT - 1], i * 1000);
	}
	aegw_evt e;
	EXPECT_EQ(aegw_ring_evt_recv(ctl_, 1, &e), -EAGAIN);
	EXPECT_EQ(aegw_ring_evt_recv(ctl_, 0, &e), -EAGAIN);
}

TEST_F(Ring, FullRingPushesBackAndLosesNothing)
{
	for (uint32_t i = 1; i <= AEGW_RING_CMD_SLOTS; i++) {
		aegw_cmd c = make_add(AEGW_ACTION_E2AE_OUT, i);
		ASSERT_EQ(aegw_ring_cmd_send(ctl_, 0, &c), 0);
	}
	EXPECT_EQ(aegw_ring_cmd_depth(ctl_, 0), unsigned(AEGW_RING_CMD_SLOTS));

	aegw_cmd c = make_add(AEGW_ACTION_E2AE_OUT, 7777), copy;
	c.seq = 12345;
	std::memcpy(&copy, &c, sizeof(c));
	EXPECT_EQ(aegw_ring_cmd_send(ctl_, 0, &c), -EAGAIN);
	EXPECT_EQ(std::memcmp(&c, &copy, sizeof(c)), 0) << "untouched";
	EXPECT_EQ(aegw_ring_cmd_send(ctl_, 0, &c), -EAGAIN);
	// The other worker's ring is not affected.
	aegw_cmd other = make_add(AEGW_ACTION_RELAY);
	EXPECT_EQ(aegw_ring_cmd_send(ctl_, 1, &other), 0);

	for (uint64_t seq = 1; seq <= AEGW_RING_CMD_SLOTS; seq++) {
		aegw_cmd got;
		ASSERT_EQ(aegw_ring_cmd_recv(dp_, 0, &got), 0);
		ASSERT_EQ(got.seq, seq);
		ASSERT_EQ(got.spec.stream_id, seq);
		aegw_cmd_wipe(&got);
	}
	// The retry gets the next number, as if nothing had happened.
	ASSERT_EQ(aegw_ring_cmd_send(ctl_, 0, &c), 0);
	EXPECT_EQ(c.seq, uint64_t(AEGW_RING_CMD_SLOTS) + 1);
	aegw_cmd got;
	ASSERT_EQ(aegw_ring_cmd_recv(dp_, 0, &got), 0);
	EXPECT_EQ(got.seq, uint64_t(AEGW_RING_CMD_SLOTS) + 1);
	EXPECT_EQ(got.spec.stream_id, 7777u);
	aegw_cmd_wipe(&got);

	// Events the same way.
	aegw_evt e;
	std::memset(&e, 0, sizeof(e));
	for (unsigned i = 0; i < AEGW_RING_EVT_SLOTS; i++) {
		e.seq = i;
		ASSERT_EQ(aegw_ring_evt_send(dp_, 0, &e), 0);
	}
	EXPECT_EQ(aegw_ring_evt_send(dp_, 0, &e), -EAGAIN);
	EXPECT_EQ(aegw_ring_evt_depth(dp_, 0), unsigned(AEGW_RING_EVT_SLOTS));
	for (unsigned i = 0; i < AEGW_RING_EVT_SLOTS; i++) {
		ASSERT_EQ(aegw_ring_evt_recv(ctl_, 0, &e), 0);
		ASSERT_EQ(e.seq, i);
	}
	EXPECT_EQ(aegw_ring_evt_recv(ctl_, 0, &e), -EAGAIN);
}

TEST_F(Ring, KeysWipedOnSendAndOnRecv)
{
	aegw_cmd c = make_add(AEGW_ACTION_RECRYPT, 5);
	uint8_t in_key[16], out_key[16];
	std::memcpy(in_key, c.spec.in_crypto.keys[0].key, sizeof(in_key));
	std::memcpy(out_key, c.spec.out_crypto.keys[0].key, sizeof(out_key));
	EXPECT_EQ(count_in_object(in_, in_key, sizeof(in_key)), 0u);

	ASSERT_EQ(aegw_ring_cmd_send(ctl_, 1, &c), 0);
	// The producer's record keeps no key, only its seq and the rest.
	EXPECT_TRUE(all_zero(&c.spec.in_crypto, sizeof(c.spec.in_crypto)));
	EXPECT_TRUE(all_zero(&c.spec.out_crypto, sizeof(c.spec.out_crypto)));
	EXPECT_EQ(c.seq, 1u);
	EXPECT_EQ(c.spec.stream_id, 5u);
	// In flight, the slot holds them: that is the point of the ring.
	EXPECT_EQ(count_in_object(in_, in_key, sizeof(in_key)), 1u);
	EXPECT_EQ(count_in_object(in_, out_key, sizeof(out_key)), 1u);

	aegw_cmd got;
	ASSERT_EQ(aegw_ring_cmd_recv(dp_, 1, &got), 0);
	EXPECT_EQ(std::memcmp(got.spec.in_crypto.keys[0].key, in_key,
			      sizeof(in_key)),
		  0);
	EXPECT_EQ(count_in_object(in_, in_key, sizeof(in_key)), 0u);
	EXPECT_EQ(count_in_object(in_, out_key, sizeof(out_key)), 0u);
	aegw_cmd_wipe(&got);
	EXPECT_TRUE(all_zero(&got.spec.in_crypto, sizeof(got.spec.in_crypto)));
}

TEST_F(Ring, BadWorker)
{
	aegw_cmd c = make_add(AEGW_ACTION_RELAY), copy;
	std::memcpy(&copy, &c, sizeof(c));
	aegw_evt e;
	std::memset(&e, 0, sizeof(e));
	EXPECT_EQ(aegw_ring_cmd_send(ctl_, 2, &c), -EINVAL);
	EXPECT_EQ(std::memcmp(&c, &copy, sizeof(c)), 0);
	EXPECT_EQ(aegw_ring_cmd_send(ctl_, 0, nullptr), -EINVAL);
	EXPECT_EQ(aegw_ring_cmd_send(nullptr, 0, &c), -EINVAL);
	EXPECT_EQ(aegw_ring_cmd_recv(dp_, 2, &c), -EINVAL);
	EXPECT_EQ(aegw_ring_evt_send(dp_, 99, &e), -EINVAL);
	EXPECT_EQ(aegw_ring_evt_recv(ctl_, 2, &e), -EINVAL);
	EXPECT_EQ(aegw_ring_cmd_depth(ctl_, 2), 0u);
	EXPECT_EQ(aegw_ring_evt_depth(ctl_, 2), 0u);
}

// The command a producer sends as number i of the two-process test: each
// field a function of i, keys included, so the consumer can rebuild it.
aegw_cmd numbered(uint64_t i)
{
	aegw_cmd c = make_add(aegw_action(i % AEGW_ACTION_COUNT),
			      uint32_t(i));
	c.spec.local.port = uint16_t(i);
	c.spec.reverse_id = uint32_t(i * 7);
	for (unsigned j = 0; j < sizeof(c.spec.in_crypto.keys[0].key); j++)
		c.spec.in_crypto.keys[0].key[j] = uint8_t(i + j);
	c.spec.out_crypto.keys[7].salt[13] = uint8_t(i >> 8);
	return c;
}

enum { TWO_PROC_N = 100000, TWO_PROC_SECONDS = 120 };

double elapsed(const struct timespec &t0)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return double(t.tv_sec - t0.tv_sec) + double(t.tv_nsec - t0.tv_nsec) / 1e9;
}

// The child: the control side. Exit status 0, or where it went wrong.
int control_child(const char *instance)
{
	struct timespec t0;
	aegw_shm *ctl = nullptr;
	uint64_t sent = 0, acked = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (aegw_shm_attach(instance, &ctl) != 0)
		return 2;
	aegw_cmd next = numbered(1);
	while (acked < TWO_PROC_N) {
		if (elapsed(t0) > TWO_PROC_SECONDS)
			return 3;
		bool progress = false;
		if (sent < TWO_PROC_N) {
			int rc = aegw_ring_cmd_send(ctl, 0, &next);
			if (rc == 0) {
				if (next.seq != sent + 1)
					return 4;
				sent++;
				next = numbered(sent + 1);
				progress = true;
			} else if (rc != -EAGAIN) {
				return 5;
			}
		}
		aegw_evt e;
		while (aegw_ring_evt_recv(ctl, 0, &e) == 0) {
			acked++;
			if (e.type != AEGW_EVT_ACK || e.seq != acked ||
			    e.stream_id != uint32_t(acked) || e.status != 0 ||
			    e.counters[0] != acked * 3)
				return 6;
			progress = true;
		}
		if (!progress)
			sched_yield();
	}
	aegw_shm_detach(ctl);
	return 0;
}

TEST(TwoProcesses, HundredThousandCommandsAndTheirAcks)
{
	Instance in("fork");
	aegw_shm *dp = nullptr;
	ASSERT_EQ(aegw_shm_create(in.c_str(), 1, &dp), 0);

	pid_t pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0)
		_exit(control_child(in.c_str()));

	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	uint64_t got_n = 0;
	bool ok = true;
	while (ok && got_n < TWO_PROC_N && elapsed(t0) < TWO_PROC_SECONDS) {
		aegw_cmd got;
		if (aegw_ring_cmd_recv(dp, 0, &got) != 0) {
			sched_yield();
			continue;
		}
		got_n++;
		aegw_cmd want = numbered(got_n);
		want.seq = got_n;
		if (std::memcmp(&got, &want, sizeof(got)) != 0) {
			ADD_FAILURE() << "command " << got_n << " arrived as seq "
				      << got.seq << " with another payload";
			ok = false;
		}
		aegw_cmd_wipe(&got);
		aegw_cmd_wipe(&want);

		aegw_evt e;
		std::memset(&e, 0, sizeof(e));
		e.type = AEGW_EVT_ACK;
		e.seq = got_n;
		e.stream_id = uint32_t(got_n);
		e.counters[0] = got_n * 3;
		while (aegw_ring_evt_send(dp, 0, &e) == -EAGAIN &&
		       elapsed(t0) < TWO_PROC_SECONDS)
			sched_yield();
	}
	EXPECT_EQ(got_n, uint64_t(TWO_PROC_N));
	if (!ok || got_n != TWO_PROC_N)
		kill(pid, SIGKILL);
	int status = 0;
	ASSERT_EQ(waitpid(pid, &status, 0), pid);
	ASSERT_TRUE(WIFEXITED(status)) << "child status " << status;
	EXPECT_EQ(WEXITSTATUS(status), 0) << "see control_child for the code";
	EXPECT_EQ(aegw_ring_cmd_depth(dp, 0), 0u);
	EXPECT_EQ(aegw_ring_evt_depth(dp, 0), 0u);
	aegw_shm_detach(dp);
}

enum { TAKEOVERS = 2000, CMDS_PER_EPOCH = 64, EVTS_PER_EPOCH = 256 };

// The events of the takeover test: numbered by the dataplane side in the
// order it sends them, every counter a function of that number, so that
// a torn, repeated or reordered event shows.
void stamp(aegw_evt &e, uint64_t n)
{
	for (unsigned i = 0; i < AEGW_EVT_COUNTER_SLOTS; i++)
		e.counters[i] = n * 0x9e3779b97f4a7c15ull + i;
}

bool stamped(const aegw_evt &e)
{
	uint64_t n = (e.counters[0]) * 0xf1de83e19937733dull; // inverse
	for (unsigned i = 0; i < AEGW_EVT_COUNTER_SLOTS; i++)
		if (e.counters[i] != n * 0x9e3779b97f4a7c15ull + i)
			return false;
	return true;
}

uint64_t stamp_of(const aegw_evt &e)
{
	return e.counters[0] * 0xf1de83e19937733dull;
}

// The child of the takeover test: a control that keeps sending and
// reading while dataplanes come and go under it. Its commands must keep
// their numbers; events must come whole and in order (a takeover may drop
// some, never tear, repeat or reorder them); EVT_WORKER ends it.
int live_control_child(const char *instance)
{
	struct timespec t0;
	aegw_shm *ctl = nullptr;
	uint64_t sent = 0, last_ack = 0, last_stamp = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (aegw_shm_attach(instance, &ctl) != 0)
		return 2;
	aegw_cmd next = numbered(1);
	for (;;) {
		if (elapsed(t0) > TWO_PROC_SECONDS)
			return 3;
		bool progress = false;
		int rc = aegw_ring_cmd_send(ctl, 0, &next);
		if (rc == 0) {
			if (next.seq != sent + 1)
				return 4; // the counter survives takeovers
			sent++;
			next = numbered(sent + 1);
			progress = true;
		} else if (rc != -EAGAIN) {
			return 5;
		}
		aegw_evt e;
		while (aegw_ring_evt_recv(ctl, 0, &e) == 0) {
			if (!stamped(e) || stamp_of(e) <= last_stamp)
				return 6;
			last_stamp = stamp_of(e);
			if (e.type == AEGW_EVT_WORKER)
				return 0;
			if (e.type == AEGW_EVT_ACK &&
			    (e.seq <= last_ack || e.seq > sent))
				return 7;
			if (e.type == AEGW_EVT_ACK)
				last_ack = e.seq;
			progress = true;
		}
		if (!progress)
			sched_yield();
	}
}

// The dataplane side of one epoch: acks what commands are there, then
// fills the event ring, so that the control is likely reading when the
// next takeover comes. false if a command came wrong.
bool live_epoch(aegw_shm *dp, uint64_t &last_seq, uint64_t &n_evt)
{
	aegw_cmd got;
	aegw_evt e;

	for (unsigned n = 0; n < CMDS_PER_EPOCH &&
			     aegw_ring_cmd_recv(dp, 0, &got) == 0;
	     n++) {
		aegw_cmd want = numbered(got.seq);
		want.seq = got.seq;
		bool good = got.seq > last_seq &&
			    std::memcmp(&got, &want, sizeof(got)) == 0;
		aegw_cmd_wipe(&got);
		aegw_cmd_wipe(&want);
		if (!good) {
			ADD_FAILURE() << "seq " << got.seq << " after "
				      << last_seq << ", or torn";
			return false;
		}
		last_seq = got.seq;
		std::memset(&e, 0, sizeof(e));
		e.type = AEGW_EVT_ACK;
		e.seq = got.seq;
		stamp(e, ++n_evt);
		(void)aegw_ring_evt_send(dp, 0, &e); // full: lost, as in a takeover
	}
	for (unsigned n = 0; n < EVTS_PER_EPOCH; n++) {
		std::memset(&e, 0, sizeof(e));
		e.type = AEGW_EVT_COUNTERS;
		stamp(e, n_evt + 1);
		if (aegw_ring_evt_send(dp, 0, &e) != 0)
			break;
		n_evt++;
	}
	return true;
}

// A new dataplane takes the object over while the control is sending
// and reading, again and again; the epoch counts the takeovers.
TEST(TwoProcesses, TakeoverUnderALiveControl)
{
	Instance in("live");
	aegw_shm *dp = nullptr;
	ASSERT_EQ(aegw_shm_create(in.c_str(), 1, &dp), 0);

	pid_t pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0)
		_exit(live_control_child(in.c_str()));

	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	uint64_t last_seq = 0, n_evt = 0;
	bool ok = true;
	for (unsigned round = 0; ok && round <= TAKEOVERS; round++) {
		uint64_t before = last_seq;

		if (round) {
			aegw_shm_detach(dp); // dies with records in flight
			ASSERT_EQ(aegw_shm_create(in.c_str(), 1, &dp), 0);
		}
		ok = aegw_shm_epoch(dp) == round + 1u;
		// Each epoch waits for a command of the control's, so that
		// every takeover comes under a control that is live, even on
		// a host that leaves the child no CPU for a while.
		while (ok && (ok = live_epoch(dp, last_seq, n_evt)) &&
		       last_seq == before && elapsed(t0) < TWO_PROC_SECONDS)
			sched_yield();
		ok = ok && elapsed(t0) < TWO_PROC_SECONDS;
	}
	EXPECT_TRUE(ok);
	EXPECT_GT(last_seq, uint64_t(TAKEOVERS)) << "the control got through";
	aegw_evt done;
	std::memset(&done, 0, sizeof(done));
	done.type = AEGW_EVT_WORKER;
	stamp(done, n_evt + 1);
	while (ok && aegw_ring_evt_send(dp, 0, &done) == -EAGAIN &&
	       elapsed(t0) < TWO_PROC_SECONDS)
		sched_yield();
	if (!ok)
		kill(pid, SIGKILL);
	int status = 0;
	ASSERT_EQ(waitpid(pid, &status, 0), pid);
	ASSERT_TRUE(WIFEXITED(status)) << "child status " << status;
	EXPECT_EQ(WEXITSTATUS(status), 0) << "see live_control_child";
	aegw_shm_detach(dp);
}

struct ValidateRow {
	const char *what;
	std::function<void(aegw_cmd &)> change;
	int err;
};

void run_rows(const aegw_cmd &base, const std::vector<ValidateRow> &rows)
{
	for (const auto &r : rows) {
		aegw_cmd c;
		std::memcpy(&c, &base, sizeof(c));
		r.change(c);
		EXPECT_EQ(aegw_cmd_validate(&c), r.err)
			<< r.what << ": " << aegw_strerror(aegw_cmd_validate(&c));
	}
}

TEST(Validate, GoodRecords)
{
	for (unsigned a = 0; a < AEGW_ACTION_COUNT; a++) {
		aegw_cmd c = make_add(aegw_action(a));
		EXPECT_EQ(aegw_cmd_validate(&c), 0) << aegw_action_name(aegw_action(a));
	}
	aegw_cmd c;
	std::memset(&c, 0, sizeof(c));
	c.type = AEGW_CMD_DUMP;
	EXPECT_EQ(aegw_cmd_validate(&c), 0);
	c.type = AEGW_CMD_COUNTERS;
	EXPECT_EQ(aegw_cmd_validate(&c), 0) << "0: every stream";
	c.stream_id = 42;
	EXPECT_EQ(aegw_cmd_validate(&c), 0);
	c.type = AEGW_CMD_REMOVE_STREAM;
	EXPECT_EQ(aegw_cmd_validate(&c), 0);
	EXPECT_EQ(aegw_cmd_validate(nullptr), AEGW_ERR_INVALID_ARG);
}

TEST(Validate, AddTable)
{
	const int BAD = AEGW_ERR_BAD_RECORD, INVAL = AEGW_ERR_INVALID_ARG;
	auto in = [](aegw_cmd &c) -> aegw_srtp_config & {
		return c.spec.in_crypto;
	};
	std::vector<ValidateRow> rows = {
		{ "type past the end", [](aegw_cmd &c) { c.type = AEGW_CMD_COUNT; }, BAD },
		{ "type ~0", [](aegw_cmd &c) { c.type = ~0u; }, BAD },
		{ "stream_id 0", [](aegw_cmd &c) { c.spec.stream_id = 0; }, BAD },
		{ "action past the end", [](aegw_cmd &c) { c.spec.action = AEGW_ACTION_COUNT; }, BAD },
		{ "action 255", [](aegw_cmd &c) { c.spec.action = 255; }, BAD },
		{ "unknown flag", [](aegw_cmd &c) { c.spec.flags = 1u << 7; }, BAD },
		{ "both RTCP egress flags", [](aegw_cmd &c) {
			  c.spec.flags = AEGW_STREAM_RTCP_OUT_MUX |
					 AEGW_STREAM_RTCP_OUT_SPLIT;
		  }, BAD },
		{ "every known flag", [](aegw_cmd &c) {
			  c.spec.flags = AEGW_STREAM_RTCP_MUX | AEGW_STREAM_LATCH |
					 AEGW_STREAM_NO_REPLAY;
		  }, 0 },
		{ "local unset", [](aegw_cmd &c) { c.spec.local.family = 0; }, BAD },
		{ "local family 5", [](aegw_cmd &c) { c.spec.local.family = 5; }, BAD },
		{ "local port 0", [](aegw_cmd &c) { c.spec.local.port = 0; }, BAD },
		{ "remote unset", [](aegw_cmd &c) { c.spec.remote.family = 0; }, 0 },
		{ "remote unset, latch", [](aegw_cmd &c) {
			  c.spec.remote.family = 0;
			  c.spec.flags = AEGW_STREAM_LATCH;
		  }, 0 },
		{ "remote family 7", [](aegw_cmd &c) { c.spec.remote.family = 7; }, BAD },
		{ "remote port 0", [](aegw_cmd &c) { c.spec.remote.port = 0; }, BAD },
		{ "remote v6 to local v4", [](aegw_cmd &c) { c.spec.remote = ep6(2, 5); }, BAD },
		{ "both v6", [](aegw_cmd &c) {
			  c.spec.local = ep6(1, 5);
			  c.spec.remote = ep6(2, 6);
		  }, 0 },
		{ "egress_src unset", [](aegw_cmd &c) { c.spec.egress_src.family = 0; }, BAD },
		{ "egress_src port 0", [](aegw_cmd &c) { c.spec.egress_src.port = 0; }, BAD },
		{ "egress_dst unset (latched later)", [](aegw_cmd &c) {
			  std::memset(&c.spec.egress_dst, 0, sizeof(c.spec.egress_dst));
		  }, 0 },
		{ "egress_dst family 9", [](aegw_cmd &c) { c.spec.egress_dst.family = 9; }, BAD },
		{ "egress_dst port 0", [](aegw_cmd &c) { c.spec.egress_dst.port = 0; }, BAD },
		{ "egress v4 to v6", [](aegw_cmd &c) { c.spec.egress_dst = ep6(4, 9); }, BAD },
		{ "egress both v6, access v4", [](aegw_cmd &c) {
			  c.spec.egress_src = ep6(3, 9);
			  c.spec.egress_dst = ep6(4, 9);
		  }, 0 },
		{ "in: suite out of range", [&](aegw_cmd &c) { set_raw(in(c).suite, 99); }, INVAL },
		{ "in: no key", [&](aegw_cmd &c) { in(c).n_keys = 0; }, INVAL },
		{ "in: 9 keys", [&](aegw_cmd &c) { in(c).n_keys = 9; in(c).mki_len = 1; }, INVAL },
		{ "in: 2 keys without MKI", [&](aegw_cmd &c) { in(c).n_keys = 2; }, INVAL },
		{ "in: 2 keys, same MKI", [&](aegw_cmd &c) {
			  in(c).n_keys = 2;
			  in(c).mki_len = 1;
		  }, INVAL },
		{ "in: 2 keys, MKIs 1 and 2", [&](aegw_cmd &c) {
			  in(c).n_keys = 2;
			  in(c).mki_len = 1;
			  in(c).keys[0].mki[0] = 1;
			  in(c).keys[1].mki[0] = 2;
		  }, 0 },
		{ "in: MKI of 5", [&](aegw_cmd &c) { in(c).mki_len = 5; }, INVAL },
		{ "in: active key past n_keys", [&](aegw_cmd &c) { in(c).active_key = 1; }, INVAL },
		{ "in: window 10", [&](aegw_cmd &c) { in(c).window = 10; }, INVAL },
		{ "in: window 8192", [&](aegw_cmd &c) { in(c).window = 8192; }, INVAL },
		{ "in: KDR 2^25", [&](aegw_cmd &c) { in(c).kdr_log2 = 25; }, INVAL },
		{ "in: unknown session parameter", [&](aegw_cmd &c) { in(c).session_params = 1u << 7; }, INVAL },
		{ "in: GCM unauthenticated", [&](aegw_cmd &c) {
			  in(c).suite = AEGW_SUITE_AEAD_AES_256_GCM;
			  in(c).session_params = AEGW_SRTP_UNAUTHENTICATED_SRTP;
		  }, AEGW_ERR_UNSUPPORTED },
		{ "in: kind is ignored", [&](aegw_cmd &c) { set_raw(in(c).kind, 77); }, 0 },
		{ "in: kind RTCP", [&](aegw_cmd &c) { in(c).kind = AEGW_SRTP_RTCP; }, 0 },
		{ "out: no key", [](aegw_cmd &c) { c.spec.out_crypto.n_keys = 0; }, INVAL },
	};
	run_rows(make_add(AEGW_ACTION_RECRYPT), rows);
}

// Only the config the action uses is judged.
TEST(Validate, CryptoByAction)
{
	struct Row {
		aegw_action action;
		bool bad_in, bad_out;
		int err;
	};
	const Row rows[] = {
		{ AEGW_ACTION_E2AE_IN, true, false, AEGW_ERR_INVALID_ARG },
		{ AEGW_ACTION_E2AE_IN, false, true, 0 },
		{ AEGW_ACTION_E2AE_OUT, true, false, 0 },
		{ AEGW_ACTION_E2AE_OUT, false, true, AEGW_ERR_INVALID_ARG },
		{ AEGW_ACTION_RECRYPT, true, false, AEGW_ERR_INVALID_ARG },
		{ AEGW_ACTION_RECRYPT, false, true, AEGW_ERR_INVALID_ARG },
		{ AEGW_ACTION_RELAY, true, true, 0 },
	};
	for (const auto &r : rows) {
		aegw_cmd c = make_add(r.action);
		if (r.bad_in)
			c.spec.in_crypto.n_keys = 0;
		if (r.bad_out)
			set_raw(c.spec.out_crypto.suite, ~0u);
		EXPECT_EQ(aegw_cmd_validate(&c), r.err)
			<< aegw_action_name(r.action) << " in " << r.bad_in
			<< " out " << r.bad_out;
	}
}

TEST(Validate, UpdateTable)
{
	const int BAD = AEGW_ERR_BAD_RECORD, INVAL = AEGW_ERR_INVALID_ARG;
	aegw_cmd base;
	std::memset(&base, 0, sizeof(base));
	base.type = AEGW_CMD_UPDATE_STREAM;
	base.spec.stream_id = 3;
	base.spec.in_crypto = make_cfg();
	base.spec.out_crypto = make_cfg();
	// Everything else is zero: not read unless update_mask says so.
	std::vector<ValidateRow> rows = {
		{ "empty mask", [](aegw_cmd &) {}, 0 },
		{ "stream_id 0", [](aegw_cmd &c) { c.spec.stream_id = 0; }, BAD },
		{ "unknown mask bit", [](aegw_cmd &c) { c.update_mask = 1u << 7; }, BAD },
		{ "RTCP-mux on", [](aegw_cmd &c) {
			  c.update_mask = AEGW_UPDATE_FLAGS;
			  c.spec.flags = AEGW_STREAM_RTCP_MUX;
		  }, 0 },
		{ "RTCP out both ways", [](aegw_cmd &c) {
			  c.update_mask = AEGW_UPDATE_FLAGS;
			  c.spec.flags = AEGW_STREAM_RTCP_OUT_MUX |
					 AEGW_STREAM_RTCP_OUT_SPLIT;
		  }, BAD },
		{ "RTCP port alone", [](aegw_cmd &c) {
			  c.update_mask = AEGW_UPDATE_RTCP_PORT;
			  c.spec.egress_rtcp_port = 9999;
		  }, 0 },
		{ "mask ~0", [](aegw_cmd &c) { c.update_mask = ~0u; }, BAD },
		{ "unknown flag", [](aegw_cmd &c) { c.spec.flags = 0x80; }, BAD },
		{ "in key", [](aegw_cmd &c) { c.update_mask = AEGW_UPDATE_IN_KEY; }, 0 },
		{ "bad in key", [](aegw_cmd &c) {
			  c.update_mask = AEGW_UPDATE_IN_KEY;
			  c.spec.in_crypto.window = 1;
		  }, INVAL },
		{ "bad in key, not in the mask", [](aegw_cmd &c) {
			  c.update_mask = AEGW_UPDATE_OUT_KEY;
			  c.spec.in_crypto.window = 1;
		  }, 0 },
		{ "bad out key", [](aegw_cmd &c) {
			  c.update_mask = AEGW_UPDATE_IN_KEY | AEGW_UPDATE_OUT_KEY;
			  c.spec.out_crypto.n_keys = 0;
		  }, INVAL },
		{ "action past the end", [](aegw_cmd &c) {
			  c.update_mask = AEGW_UPDATE_ACTION;
			  c.spec.action = AEGW_ACTION_COUNT;
		  }, BAD },
		{ "action past the end, not in the mask", [](aegw_cmd &c) {
			  c.spec.action = AEGW_ACTION_COUNT;
		  }, 0 },
		{ "action relay", [](aegw_cmd &c) {
			  c.update_mask = AEGW_UPDATE_ACTION;
			  c.spec.action = AEGW_ACTION_RELAY;
		  }, 0 },
		{ "remote unset", [](aegw_cmd &c) { c.update_mask = AEGW_UPDATE_REMOTE; }, 0 },
		{ "remote v6", [](aegw_cmd &c) {
			  c.update_mask = AEGW_UPDATE_REMOTE;
			  c.spec.remote = ep6(1, 1);
		  }, 0 },
		{ "remote family 3", [](aegw_cmd &c) {
			  c.update_mask = AEGW_UPDATE_REMOTE;
			  c.spec.remote.family = 3;
		  }, BAD },
		{ "remote port 0", [](aegw_cmd &c) {
			  c.update_mask = AEGW_UPDATE_REMOTE;
			  c.spec.remote = ep4(1, 0);
		  }, BAD },
		{ "egress unset", [](aegw_cmd &c) { c.update_mask = AEGW_UPDATE_EGRESS; }, BAD },
		{ "egress", [](aegw_cmd &c) {
			  c.update_mask = AEGW_UPDATE_EGRESS;
			  c.spec.egress_src = ep4(1, 1);
			  c.spec.egress_dst = ep4(2, 2);
		  }, 0 },
		{ "egress across families", [](aegw_cmd &c) {
			  c.update_mask = AEGW_UPDATE_EGRESS;
			  c.spec.egress_src = ep4(1, 1);
			  c.spec.egress_dst = ep6(2, 2);
		  }, BAD },
	};
	run_rows(base, rows);
}

TEST(Validate, RemoveCountersDump)
{
	aegw_cmd c;
	std::memset(&c, 0xee, sizeof(c)); // spec is never read
	c.type = AEGW_CMD_REMOVE_STREAM;
	c.stream_id = 0;
	EXPECT_EQ(aegw_cmd_validate(&c), AEGW_ERR_BAD_RECORD);
	c.stream_id = 1;
	EXPECT_EQ(aegw_cmd_validate(&c), 0);
	c.type = AEGW_CMD_COUNTERS;
	c.stream_id = 0;
	EXPECT_EQ(aegw_cmd_validate(&c), 0);
	c.type = AEGW_CMD_DUMP;
	EXPECT_EQ(aegw_cmd_validate(&c), 0);
}

TEST(Names, FromTheLists)
{
	for (unsigned a = 0; a < AEGW_ACTION_COUNT; a++) {
		aegw_action back = AEGW_ACTION_COUNT;
		const char *n = aegw_action_name(aegw_action(a));
		ASSERT_EQ(aegw_action_from_name(n, &back), 0) << n;
		EXPECT_EQ(unsigned(back), a);
	}
	aegw_action x;
	EXPECT_EQ(aegw_action_from_name("e2ae", &x), -1);
	EXPECT_EQ(aegw_action_from_name(nullptr, &x), -1);
	EXPECT_STREQ(aegw_action_name(AEGW_ACTION_RECRYPT), "recrypt");
	EXPECT_STREQ(aegw_action_name(AEGW_ACTION_COUNT), "unknown");
	EXPECT_STREQ(aegw_cmd_type_name(AEGW_CMD_UPDATE_STREAM), "update");
	EXPECT_STREQ(aegw_cmd_type_name(AEGW_CMD_COUNT), "unknown");
	EXPECT_STREQ(aegw_evt_type_name(AEGW_EVT_LATCHED), "latched");
	EXPECT_STREQ(aegw_stream_counter_name(AEGW_SC_drop_replay), "drop_replay");
	EXPECT_STREQ(aegw_stream_counter_help(AEGW_SC_drop_replay), "replayed index");
	EXPECT_STREQ(aegw_stream_counter_name(AEGW_SC_COUNT), "unknown");
	EXPECT_STREQ(aegw_worker_counter_name(AEGW_WC_handoff_in), "handoff_in");
	EXPECT_STREQ(aegw_worker_counter_name(AEGW_WC_COUNT), "unknown");
	EXPECT_STRNE(aegw_worker_counter_help(AEGW_WC_commands), "unknown");
	for (unsigned i = 0; i < AEGW_SC_COUNT; i++)
		EXPECT_STRNE(aegw_stream_counter_name(aegw_stream_counter(i)), "unknown");
	for (unsigned i = 0; i < AEGW_WC_COUNT; i++)
		EXPECT_STRNE(aegw_worker_counter_name(aegw_worker_counter(i)), "unknown");
}

TEST(Names, DropCounterForEachError)
{
	const struct {
		int err;
		aegw_stream_counter c;
	} rows[] = {
		{ AEGW_ERR_TRUNCATED, AEGW_SC_drop_malformed },
		{ AEGW_ERR_BAD_VERSION, AEGW_SC_drop_malformed },
		{ AEGW_ERR_BAD_HEADER, AEGW_SC_drop_malformed },
		{ AEGW_ERR_AUTH_FAILED, AEGW_SC_drop_auth_failed },
		{ AEGW_ERR_REPLAY, AEGW_SC_drop_replay },
		{ AEGW_ERR_TOO_OLD, AEGW_SC_drop_too_old },
		{ AEGW_ERR_KEY_EXPIRED, AEGW_SC_drop_key_expired },
		{ AEGW_ERR_UNKNOWN_MKI, AEGW_SC_drop_unknown_mki },
		{ AEGW_ERR_POLICY, AEGW_SC_drop_policy },
		{ AEGW_ERR_NO_ROOM, AEGW_SC_drop_no_room },
		{ AEGW_ERR_BACKEND, AEGW_SC_drop_crypto },
		{ AEGW_ERR_INVALID_ARG, AEGW_SC_drop_crypto },
		{ -1, AEGW_SC_drop_crypto },
		{ 1000, AEGW_SC_drop_crypto },
	};
	for (const auto &r : rows)
		EXPECT_EQ(aegw_stream_counter_for_err(r.err), r.c)
			<< aegw_err_name(r.err);
}

} // namespace
