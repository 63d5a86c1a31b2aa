// The call journal (control/journal.c): a daemon's calls, written as they
// change, taken back by the next daemon of the same instance with their
// tags, interfaces, ports, stream ids, media and keys; deleted calls wiped;
// torn, superseded and foreign records refused.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <string>
#include <vector>

extern "C" {
#include "ctl.h"
#include "journal.h"
#include "log.h"
#include "metrics.h"
#include "reg_store.h"
#include "ring_client.h"
#include "secret.h"
}

namespace {

class Journal : public ::testing::Test {
protected:
	std::string inst = "jtest" + std::to_string(getpid());
	ctl c{};
	bool up = false;

	void SetUp() override
	{
		ctl_log_set_level(CTL_LOG_ERR);
		ctl_journal_unlink(inst.c_str());
		ctl_reg_store_unlink(inst.c_str());
		start();
	}
	void TearDown() override
	{
		stop();
		ctl_journal_unlink(inst.c_str());
		ctl_reg_store_unlink(inst.c_str());
		EXPECT_EQ(ctl_secret_in_use(), 0u);
	}
	void start(const char *max_sessions = "64")
	{
		ctl_options o;
		char err[200];
		std::string i = inst;
		const char *argv[] = {"aegw-control", "--interface",
				      "access=10.0.0.1/20000-20099@0", "--interface",
				      "core=192.168.0.1/30000-30099@1", "--instance",
				      i.c_str(), "--journal", "on",
				      "--max-sessions", max_sessions};
		ASSERT_EQ(ctl_options_parse(&o, 11, const_cast<char **>(argv), err,
					    sizeof(err)), 0) << err;
		ASSERT_EQ(ctl_init(&c, &o, err, sizeof(err)), 0) << err;
		up = true;
	}
	// A daemon that dies: everything freed, the journal left as it is.
	void stop()
	{
		if (up)
			ctl_fini(&c);
		up = false;
	}
	void restart()
	{
		stop();
		c = ctl{};
		start();
	}

	static aegw_srtp_config *key(uint8_t fill, unsigned n_keys = 1)
	{
		aegw_srtp_config *k = ctl_secret_alloc();
		k->suite = AEGW_SUITE_AES_CM_128_HMAC_SHA1_80;
		k->n_keys = n_keys;
		k->mki_len = n_keys > 1 ? 1 : 0;
		for (unsigned i = 0; i < n_keys; i++) {
			std::memset(&k->keys[i], fill + i, sizeof(k->keys[i]));
			std::memset(k->keys[i].mki, 0, sizeof(k->keys[i].mki));
			k->keys[i].mki[0] = uint8_t(i);
		}
		return k;
	}

	// An answered e2ae call with one audio media on both interfaces.
	ctl_call *make_call(const std::string &id, uint16_t port)
	{
		ctl_call *k = ctl_call_create(&c.calls, id.data(), id.size(),
					      "ue-tag", 6);
		EXPECT_NE(k, nullptr);
		EXPECT_EQ(ctl_call_set_tag(k, 1, "core-tag", 8), 0);
		EXPECT_EQ(ctl_call_reserve(k, 1), 0);
		k->iface[0] = &c.ifaces[0];
		k->iface[1] = &c.ifaces[1];
		EXPECT_TRUE(ctl_pool_reserve(&c.ifaces[0].pool, port));
		EXPECT_TRUE(ctl_pool_reserve(&c.ifaces[1].pool,
					     uint16_t(port + 10000)));
		k->answered = true;
		k->n_media = 1;
		ctl_media &m = k->media[0];
		m.mode = CTL_MODE_E2AE;
		m.installed = true;
		std::strcpy(m.type_name, "audio");
		m.leg[0].port = port;
		m.leg[1].port = uint16_t(port + 10000);
		m.leg[0].srtp = true;
		m.leg[0].peer_key = key(0x11, 2);
		m.leg[0].our_key = key(0x55);
		m.leg[0].crypto_tag = 7;
		m.leg[0].peer.family = 4;
		m.leg[0].peer.port = 7000;
		m.stream_id[0] = 40 + port % 10;
		m.stream_id[1] = 50 + port % 10;
		k->slot[0].port[0] = m.leg[0].port;
		k->slot[0].port[1] = m.leg[1].port;
		k->slot[0].stream_id[0] = m.stream_id[0];
		k->slot[0].stream_id[1] = m.stream_id[1];
		k->created = 1000;
		k->last_signal = 1001;
		k->sent[0] = ctl_sdp_sent{true, 0x0123456789abcdefull, 42,
					  0xfedcba9876543210ull};
		return k;
	}

	// The raw object, as another process would see it.
	std::string raw()
	{
		std::string name = "/aegw-" + inst + "-calls";
		int fd = shm_open(name.c_str(), O_RDONLY, 0);
		EXPECT_GE(fd, 0);
		struct stat st;
		fstat(fd, &st);
		std::string data(size_t(st.st_size), '\0');
		EXPECT_EQ(pread(fd, &data[0], data.size(), 0), st.st_size);
		close(fd);
		return data;
	}
};

TEST_F(Journal, ObjectIsPrivate)
{
	struct stat st;
	std::string path = "/dev/shm/aegw-" + inst + "-calls";
	ASSERT_EQ(stat(path.c_str(), &st), 0);
	EXPECT_EQ(st.st_mode & 0777, 0600u);
	EXPECT_EQ(st.st_uid, geteuid());
}

TEST_F(Journal, CallsComeBackWithKeysPortsAndStreamIds)
{
	ctl_journal_put(&c, make_call("call-a", 20000));
	ctl_journal_put(&c, make_call("call-b", 20010));
	restart();
	ASSERT_EQ(c.calls.n_calls, 2u);
	ctl_call *k = ctl_call_find(&c.calls, "call-a", 6);
	ASSERT_NE(k, nullptr);
	EXPECT_STREQ(k->tag[0], "ue-tag");
	EXPECT_STREQ(k->tag[1], "core-tag");
	EXPECT_EQ(k->iface[0], &c.ifaces[0]);
	EXPECT_EQ(k->iface[1], &c.ifaces[1]);
	EXPECT_TRUE(k->answered);
	EXPECT_EQ(k->created, 1000);
	ASSERT_EQ(k->n_media, 1u);
	const ctl_media &m = k->media[0];
	EXPECT_EQ(m.mode, CTL_MODE_E2AE);
	EXPECT_TRUE(m.installed);
	EXPECT_STREQ(m.type_name, "audio");
	EXPECT_EQ(m.leg[0].crypto_tag, 7u);
	EXPECT_EQ(m.leg[0].peer.port, 7000);
	ASSERT_NE(m.leg[0].peer_key, nullptr);
	ASSERT_NE(m.leg[0].our_key, nullptr);
	EXPECT_EQ(m.leg[1].peer_key, nullptr);
	EXPECT_EQ(m.leg[0].peer_key->n_keys, 2u);
	aegw_srtp_config *want = key(0x11, 2);
	EXPECT_EQ(std::memcmp(m.leg[0].peer_key, want, sizeof(*want)), 0);
	ctl_secret_free(want);
	EXPECT_EQ(k->slot[0].stream_id[0], 40u);
	// The o= version the UE last got goes on from where it was.
	EXPECT_TRUE(k->sent[0].sent);
	EXPECT_EQ(k->sent[0].origin, 0x0123456789abcdefull);
	EXPECT_EQ(k->sent[0].version, 42u);
	EXPECT_EQ(k->sent[0].body, 0xfedcba9876543210ull);
	EXPECT_FALSE(k->sent[1].sent);
	// Its ports are taken again, and new stream ids start above its own.
	EXPECT_FALSE(ctl_pool_reserve(&c.ifaces[0].pool, 20000));
	EXPECT_FALSE(ctl_pool_reserve(&c.ifaces[1].pool, 30000));
	EXPECT_GT(ctl_stream_id_next(&c), 50u);
}

TEST_F(Journal, DeletedCallIsWipedAndNotTakenBack)
{
	ctl_call *k = make_call("gone", 20000);
	ctl_journal_put(&c, k);
	std::string before = raw();
	const uint8_t key_bytes[4] = {0x55, 0x55, 0x55, 0x55};
	EXPECT_NE(before.find(std::string((const char *)key_bytes, 4)),
		  std::string::npos) << "the record holds the key";
	ctl_journal_drop(&c, k);
	ctl_call_destroy(&c.calls, k);
	std::string after = raw();
	EXPECT_EQ(after.find("gone"), std::string::npos);
	EXPECT_EQ(after.find(std::string((const char *)key_bytes, 4)),
		  std::string::npos) << "no key byte left behind";
	restart();
	EXPECT_EQ(c.calls.n_calls, 0u);
}

// Slots that stay free give their pages back to tmpfs, but for the
// CTL_JOURNAL_HOT next in line: a busy daemon reuses those at once.
TEST_F(Journal, FreeSlotsGiveTheirPagesBackButTheHotOnes)
{
	stop();
	ctl_journal_unlink(inst.c_str());
	start("400");
	std::string path = "/dev/shm/aegw-" + inst + "-calls";
	auto pages = [&] {
		struct stat st;
		EXPECT_EQ(stat(path.c_str(), &st), 0);
		return long(st.st_blocks * 512 / CTL_JOURNAL_SLOT);
	};
	long empty = pages();
	std::vector<ctl_call *> calls;
	for (int i = 0; i < 300; i++) {
		std::string id = "bare-" + std::to_string(i);
		calls.push_back(ctl_call_create(&c.calls, id.data(), id.size(),
						"t", 1));
		ctl_journal_put(&c, calls.back());
	}
	EXPECT_GE(pages(), empty + 300);
	for (ctl_call *k : calls) {
		ctl_journal_drop(&c, k);
		ctl_call_destroy(&c.calls, k);
	}
	EXPECT_GE(pages(), empty + 300) << "kept until the tick";
	ctl_journal_trim(&c.journal);
	EXPECT_LE(pages(), empty + CTL_JOURNAL_HOT);
	EXPECT_GE(pages(), empty + CTL_JOURNAL_HOT - 1) << "the hot ones stay";
	// Taking slots again then trimming gives back no page in use.
	ctl_call *k = ctl_call_create(&c.calls, "again", 5, "t", 1);
	ctl_journal_put(&c, k);
	ctl_journal_trim(&c.journal);
	restart();
	EXPECT_EQ(c.calls.n_calls, 1u);
	EXPECT_NE(ctl_call_find(&c.calls, "again", 5), nullptr);
}

TEST_F(Journal, RewriteKeepsOneRecordAndTheNewestState)
{
	ctl_call *k = make_call("moving", 20000);
	ctl_journal_put(&c, k);
	k->last_signal = 2002;
	ctl_journal_put(&c, k);
	k->last_signal = 3003;
	ctl_journal_put(&c, k);
	restart();
	ASSERT_EQ(c.calls.n_calls, 1u);
	EXPECT_EQ(c.calls.first->last_signal, 3003);
}

// A daemon killed between writing a call's new record and wiping its old
// one: both are there, and the newer wins.
TEST_F(Journal, KillBetweenNewAndOldRecordKeepsTheNewer)
{
	ctl_call *k = make_call("twice", 20000);
	ctl_journal_put(&c, k);
	unsigned old_slot = k->journal_slot;
	std::string old_rec(reinterpret_cast<char *>(c.journal.base) +
			    size_t(old_slot) * CTL_JOURNAL_SLOT, CTL_JOURNAL_SLOT);
	k->last_signal = 4004;
	ctl_journal_put(&c, k);
	// Put the old record back where it was, as if never wiped.
	std::memcpy(c.journal.base + size_t(old_slot) * CTL_JOURNAL_SLOT,
		    old_rec.data(), old_rec.size());
	restart();
	ASSERT_EQ(c.calls.n_calls, 1u);
	EXPECT_EQ(c.calls.first->last_signal, 4004);
	// The superseded record is gone for the next daemon too.
	restart();
	EXPECT_EQ(c.calls.n_calls, 1u);
}

// A full journal (one as large as --max-sessions): a call's new record takes
// the slot of its older one (written after the old one's wipe), rather
// than failing and leaving a state the call has left for a restart. A
// call that finds no slot at all is marked, so that it is tried again.
TEST_F(Journal, FullJournalRewritesACallInItsOwnSlot)
{
	ctl_call *a = make_call("a", 20000), *b = make_call("b", 20010);
	ctl_journal_put(&c, a);
	ctl_journal_put(&c, b);
	c.journal.n_free = 0; // the other slots taken (the next daemon
			      // finds them free again: it reads the slots)
	a->last_signal = 5005;
	ctl_journal_put(&c, a);
	EXPECT_EQ(c.journal.failed, 0u);
	EXPECT_FALSE(a->journal_stale);
	ctl_call *x = make_call("x", 20020);
	ctl_journal_put(&c, x);
	EXPECT_EQ(c.journal.failed, 1u);
	EXPECT_TRUE(x->journal_stale) << "to be tried again";
	restart();
	ASSERT_EQ(c.calls.n_calls, 2u);
	ctl_call *back = ctl_call_find(&c.calls, "a", 1);
	ASSERT_NE(back, nullptr);
	EXPECT_EQ(back->last_signal, 5005);
}

TEST_F(Journal, TornRecordIsRefused)
{
	ctl_call *k = make_call("torn", 20000);
	ctl_journal_put(&c, k);
	ctl_journal_put(&c, make_call("whole", 20010));
	c.journal.base[size_t(k->journal_slot) * CTL_JOURNAL_SLOT + 100] ^= 1;
	restart();
	ASSERT_EQ(c.calls.n_calls, 1u);
	EXPECT_NE(ctl_call_find(&c.calls, "whole", 5), nullptr);
	// Its ports were never taken back.
	EXPECT_TRUE(ctl_pool_reserve(&c.ifaces[0].pool, 20000));
}

// The call a record must hold at its largest in practice: audio and video
// under SRTP on both legs (recrypt: four keys a media) in the middle of
// a re-INVITE (as many media pending). The resume points of installed
// media come back whole, with the SSRCs before the last one.
TEST_F(Journal, RecryptAudioAndVideoInAReInviteFitsASlot)
{
	ctl_call *k = make_call("av", 20000);
	ASSERT_EQ(ctl_call_reserve(k, 2), 0);
	ctl_media &m = k->media[0];
	m.mode = CTL_MODE_RECRYPT;
	m.leg[1].srtp = true;
	m.leg[1].peer_key = key(0x21, 2);
	m.leg[1].our_key = key(0x65);
	for (unsigned from = 0; from < 2; from++) {
		ctl_resume &r = m.resume[from];
		r.rtp_in = { 0x1111u + from, (5ull << 16) + 9 };
		r.rtp_out = { 0x2222u + from, (6ull << 16) + 9 };
		r.rtcp_in = { 0x1111u + from, 300 };
		r.rtcp_out = { 0x2222u + from, 400 };
		for (unsigned e = 0; e < AEGW_SRTP_RESUME_EARLIER; e++) {
			r.earlier_in[e] = { 0x3000u + e, 0, (1ull << 16) + e };
			r.earlier_out[e] = { 0x4000u + e, 0, (2ull << 16) + e };
		}
	}
	ASSERT_EQ(ctl_media_dup(&k->media[1], &m), 0);
	std::strcpy(k->media[1].type_name, "video");
	k->n_media = 2;
	for (unsigned i = 0; i < 2; i++) {
		ASSERT_EQ(ctl_media_dup(&k->pending[i], &k->media[i]), 0);
		k->pending[i].installed = false;
	}
	k->n_pending = 2;
	k->has_pending = true;
	const ctl_resume want = m.resume[1];
	ctl_journal_put(&c, k);
	EXPECT_EQ(c.journal.too_big, 0u);
	ASSERT_NE(k->journal_slot, 0u);
	restart();
	ASSERT_EQ(c.calls.n_calls, 1u);
	ctl_call *back = c.calls.first;
	ASSERT_EQ(back->n_media, 2u);
	ASSERT_EQ(back->n_pending, 2u);
	EXPECT_EQ(std::memcmp(&back->media[1].resume[1], &want, sizeof(want)), 0);
	EXPECT_EQ(back->pending[0].resume[0].rtp_out.index, 0u)
		<< "a pending media's go nowhere";
	ASSERT_NE(back->media[0].leg[1].peer_key, nullptr);
	EXPECT_EQ(back->media[0].leg[1].peer_key->n_keys, 2u);
	EXPECT_EQ(back->media[0].leg[1].peer_key->resume_index, 0u);
}

TEST_F(Journal, CallTooBigForASlotIsCountedNotWritten)
{
	std::string id(CTL_ID_MAX, 'x');
	ctl_call *k = make_call(id, 20000);
	ASSERT_EQ(ctl_call_reserve(k, AEGW_SDP_MAX_MEDIA), 0);
	k->n_media = AEGW_SDP_MAX_MEDIA;
	for (unsigned i = 1; i < AEGW_SDP_MAX_MEDIA; i++)
		ASSERT_EQ(ctl_media_dup(&k->media[i], &k->media[0]), 0);
	ctl_journal_put(&c, k);
	EXPECT_EQ(c.journal.too_big, 1u);
	EXPECT_EQ(k->journal_slot, 0u);
	restart();
	EXPECT_EQ(c.calls.n_calls, 0u);
}

TEST_F(Journal, ForeignLayoutIsWiped)
{
	ctl_journal_put(&c, make_call("old-build", 20000));
	// Another build's layout id in the header.
	reinterpret_cast<uint32_t *>(c.journal.base)[2] ^= 0x5a5a;
	restart();
	EXPECT_EQ(c.calls.n_calls, 0u);
}

// The registration store (TS 33.328 7.1) survives the daemon too: what
// each UE said and was told, until its registration expires; a
// deregistered or expired UE does not come back, a re-registered one
// comes back as it last registered.
TEST_F(Journal, RegistrationsComeBackUntilTheyExpire)
{
	char err[128];
	uint64_t now = ctl_now_ns();
	ctl_reg_info lte = {true, true, CTL_E2AE_PREFERRED, "3GPP-E-UTRAN-FDD",
			    now + 3600000000000ull};
	ctl_reg_info wlan = {true, false, CTL_E2AE_OFF, "IEEE-802.11",
			     now + 3600000000000ull};
	ctl_reg_info brief = lte;
	brief.expires_ns = now + 1000000; // 1 ms

	ASSERT_NE(ctl_registry_put(&c.registry, "sip:a@x", 7, &lte, now, err,
				   sizeof(err)), nullptr) << err;
	ASSERT_NE(ctl_registry_put(&c.registry, "sip:b@x", 7, &lte, now, err,
				   sizeof(err)), nullptr) << err;
	ASSERT_NE(ctl_registry_put(&c.registry, "sip:c@x", 7, &lte, now, err,
				   sizeof(err)), nullptr) << err;
	ASSERT_NE(ctl_registry_put(&c.registry, "sip:gone@x", 10, &brief, now,
				   err, sizeof(err)), nullptr) << err;
	// b moves to WLAN; c deregisters.
	ASSERT_NE(ctl_registry_put(&c.registry, "sip:b@x", 7, &wlan, now, err,
				   sizeof(err)), nullptr) << err;
	EXPECT_TRUE(ctl_registry_remove(&c.registry, "sip:c@x", 7, now));
	EXPECT_EQ(c.reg_store.written, 5u);
	{
		char *text = nullptr;
		size_t len = 0;
		FILE *f = open_memstream(&text, &len);
		ctl_metrics_text(f, &c, nullptr);
		fclose(f);
		EXPECT_NE(std::string(text).find("aegw_journal_writes_total{store="
						 "\"registrations\"} 5\n"),
			  std::string::npos) << text;
		free(text);
	}
	usleep(2000);
	restart();

	uint64_t later = ctl_now_ns();
	EXPECT_EQ(c.registry.n, 2u);
	ctl_registration *a = ctl_registry_find(&c.registry, "sip:a@x", 7, later);
	ASSERT_NE(a, nullptr);
	EXPECT_TRUE(a->info.ue_e2ae);
	EXPECT_TRUE(a->info.net_e2ae);
	EXPECT_EQ(a->info.policy, CTL_E2AE_PREFERRED);
	EXPECT_STREQ(a->info.access, "3GPP-E-UTRAN-FDD");
	EXPECT_EQ(a->info.expires_ns, lte.expires_ns);
	ctl_registration *b = ctl_registry_find(&c.registry, "sip:b@x", 7, later);
	ASSERT_NE(b, nullptr);
	EXPECT_FALSE(b->info.net_e2ae) << "its last registration";
	EXPECT_STREQ(b->info.access, "IEEE-802.11");
	EXPECT_EQ(ctl_registry_find(&c.registry, "sip:c@x", 7, later), nullptr);
	EXPECT_EQ(ctl_registry_find(&c.registry, "sip:gone@x", 10, later), nullptr);

	// What came back is written on as before: a deregistration now
	// wipes the record the previous daemon made.
	EXPECT_TRUE(ctl_registry_remove(&c.registry, "sip:a@x", 7, later));
	restart();
	EXPECT_EQ(c.registry.n, 1u);
	EXPECT_EQ(ctl_registry_find(&c.registry, "sip:a@x", 7, ctl_now_ns()),
		  nullptr);
}

TEST_F(Journal, TornRegistrationIsRefused)
{
	char err[128];
	uint64_t now = ctl_now_ns();
	ctl_reg_info info = {true, true, CTL_E2AE_SUPPORTED, "", now + 60000000000ull};

	ctl_registration *t = ctl_registry_put(&c.registry, "sip:torn@x", 10,
					       &info, now, err, sizeof(err));
	ASSERT_NE(t, nullptr) << err;
	ASSERT_NE(ctl_registry_put(&c.registry, "sip:whole@x", 11, &info, now,
				   err, sizeof(err)), nullptr) << err;
	ASSERT_NE(t->store_slot, 0u);
	c.reg_store.base[size_t(t->store_slot) * 512 + 40] ^= 1;
	restart();
	EXPECT_EQ(c.registry.n, 1u);
	EXPECT_NE(ctl_registry_find(&c.registry, "sip:whole@x", 11, ctl_now_ns()),
		  nullptr);
	struct stat st;
	std::string path = "/dev/shm/aegw-" + inst + "-regs";
	ASSERT_EQ(stat(path.c_str(), &st), 0);
	EXPECT_EQ(st.st_mode & 0777, 0600u);
}

} // namespace
