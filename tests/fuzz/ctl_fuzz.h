/* What the aegw-control fuzz targets (ng_fuzz.c, offer_answer_fuzz.c)
 * share: a struct ctl set up as aegw-control sets itself up, attached to
 * an in-process stand-in for aegw-dataplane (ctl_fuzz_stub.c), the checks
 * every ng reply must pass, and the clean-up after each input, which must
 * leave no call, port, key slot or dataplane stream behind.
 *
 * Each input gets a fresh struct ctl, so that what an input does never
 * depends on the inputs before it (the retransmission cache, the port
 * pools' cursors and the registrations start over): a crash found by
 * libFuzzer replays from its one input. The stand-in dataplane lives for
 * the whole process. One thread drives the ctl, as in the daemon. */
#ifndef AEGW_CTL_FUZZ_H
#define AEGW_CTL_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ctl.h"

/* Aborts, after removing the stand-in's shared memory, with the failed
 * condition: libFuzzer keeps the input that got here. */
#define CFZ_CHECK(cond)                                                      \
	do {                                                                 \
		if (!(cond))                                                 \
			cfz_fail(__FILE__, __LINE__, #cond);                 \
	} while (0)

void cfz_fail(const char *file, int line, const char *what)
	__attribute__((noreturn));

/* ---- the daemon's state (ctl_fuzz_common.c) ---------------------------- */

/* The interfaces every input sees: IPv4 access and core, IPv6 core. Small
 * pools, so that "Ran out of ports" is reachable with a few m= lines. */
#define CFZ_IFACE_ACCESS "access=10.0.0.1/20000-20099@0"
#define CFZ_IFACE_CORE "core=192.168.0.1/30000-30049@1"
#define CFZ_IFACE_CORE6 "core6=fd00::1/40000-40049@1"

/* A fresh ctl attached to the stand-in (set up on the first call). */
struct ctl *cfz_begin(void);

/* One ng datagram into ctl_ng_handle, as aegw-control's UDP listener
 * hands it over, and the checks on its reply: there is one exactly when
 * the message starts with a cookie (1..64 bytes of 0x21..0x7e and a
 * space); it is a framed dictionary under that cookie, whose result is
 * ok, pong, error (with an error-reason) or load limit; an sdp in it
 * parses and names only aegw's ports. The same datagram again must get
 * the same bytes (parse errors are deterministic, the rest is cached).
 * Returns the reply's result ("" when there is no reply). */
const char *cfz_handle(const char *msg, size_t len);
/* A request built by the encoder: cookie, then the dictionary the
 * caller fills between cfz_req_begin and cfz_req_send. */
struct aegw_benc_enc;
struct aegw_benc_enc *cfz_req_begin(const char *cookie);
const char *cfz_req_send(void);
/* The sdp of the last reply (NULL when it had none). */
const char *cfz_last_sdp(size_t *len);

/* The dataplane holds exactly two streams (one per direction) for each
 * media the calls say is installed. */
void cfz_check_installed(void);

/* Deletes every call left (through ng delete), checks that no call, port,
 * key slot or dataplane stream is left, and frees the ctl. */
void cfz_end(void);

/* ---- the stand-in dataplane (ctl_fuzz_stub.c) --------------------------- */

/* Makes /aegw-<instance> with n_workers workers, served as aegw-dataplane
 * would serve it each time the control side reads an event (the target
 * links with -Wl,--wrap=aegw_ring_evt_recv): commands checked the way the
 * dataplane checks them (aegw_cmd_validate), and each stream on the
 * worker owning its port; the installed streams kept; ADD, UPDATE,
 * REMOVE, DUMP and COUNTERS answered with the dataplane's statuses and
 * events. 0 or -errno. */
int cfz_stub_start(const char *instance, unsigned n_workers);
/* A heartbeat now (also one at every event read). */
void cfz_stub_beat(void);
/* Streams installed right now, every worker. */
unsigned cfz_stub_streams(void);
/* Removes the shared-memory object (atexit and on failure). */
void cfz_stub_unlink(void);

#endif
