/* libFuzzer target: a command record as a worker finds it in its ring,
 * written by a producer that may be buggy.
 *
 * Input: up to sizeof(struct aegw_cmd) bytes, copied over a zeroed record
 * (a shorter input leaves the rest zero). aegw_cmd_validate judges it. A
 * record that passes must be safe to act on, so the target does what the
 * worker would with its keys: for each crypto config the command uses
 * (ADD: those of its action; UPDATE: those update_mask names), it creates
 * the RTP and the RTCP stream on an OpenSSL engine, which must succeed,
 * and frees them. Every input, valid or not, also goes round a real
 * shared-memory ring (one object per process, unlinked at exit): it must
 * come out byte for byte with the seq the send gave it, and the sender's
 * copy must have lost its keys.
 *
 * The seeds in tests/fuzz/corpus/ring_cmd are such records as raw bytes
 * (x86-64 layout): a valid ADD for each action, an UPDATE, a REMOVE, a
 * DUMP and a COUNTERS, written once by a throwaway program. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aegw/error.h"
#include "aegw/ring.h"
#include "aegw/srtp.h"

#include "fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char instance[AEGW_INSTANCE_MAX + 1];
static struct aegw_shm *shm;

static void ring_cleanup(void)
{
	aegw_shm_detach(shm);
	aegw_shm_unlink(instance);
}

static struct aegw_shm *ring(void)
{
	if (!shm) {
		snprintf(instance, sizeof(instance), "fuzz-ring-%ld",
			 (long)getpid());
		FUZZ_CHECK(aegw_shm_create(instance, 1, &shm) == 0);
		atexit(ring_cleanup);
	}
	return shm;
}

static struct aegw_srtp_engine *engine(void)
{
	static struct aegw_srtp_engine *eng;
	int err;

	if (!eng) {
		eng = aegw_srtp_engine_create(AEGW_SRTP_BACKEND_OPENSSL, &err);
		FUZZ_CHECK(eng != NULL);
	}
	return eng;
}

static int all_zero(const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i])
			return 0;
	return 1;
}

/* As the worker does: both contexts from one config, whatever its kind. */
static void make_streams(const struct aegw_srtp_config *cfg)
{
	for (int kind = AEGW_SRTP_RTP; kind <= AEGW_SRTP_RTCP; kind++) {
		struct aegw_srtp_config c = *cfg;
		struct aegw_srtp_stream *s;
		int err;

		c.kind = (enum aegw_srtp_kind)kind;
		s = aegw_srtp_stream_create(engine(), &c, &err);
		aegw_srtp_config_wipe(&c);
		FUZZ_CHECK(s != NULL);
		aegw_srtp_stream_free(s);
	}
}

static void act_on(const struct aegw_cmd *cmd)
{
	const struct aegw_stream_spec *sp = &cmd->spec;
	int in = 0, out = 0;

	if (cmd->type == AEGW_CMD_ADD_STREAM) {
		in = aegw_action_unprotects(sp->action);
		out = aegw_action_protects(sp->action);
	} else if (cmd->type == AEGW_CMD_UPDATE_STREAM) {
		in = !!(cmd->update_mask & AEGW_UPDATE_IN_KEY);
		out = !!(cmd->update_mask & AEGW_UPDATE_OUT_KEY);
	}
	if (in)
		make_streams(&sp->in_crypto);
	if (out)
		make_streams(&sp->out_crypto);
}

static void round_trip(const struct aegw_cmd *cmd)
{
	struct aegw_cmd sent = *cmd, got;

	FUZZ_CHECK(aegw_ring_cmd_send(ring(), 0, &sent) == 0);
	FUZZ_CHECK(all_zero(&sent.spec.in_crypto, sizeof(sent.spec.in_crypto)));
	FUZZ_CHECK(all_zero(&sent.spec.out_crypto,
			    sizeof(sent.spec.out_crypto)));
	FUZZ_CHECK(aegw_ring_cmd_recv(ring(), 0, &got) == 0);
	FUZZ_CHECK(got.seq == sent.seq && got.seq != 0);
	got.seq = cmd->seq;
	FUZZ_CHECK(memcmp(&got, cmd, sizeof(got)) == 0);
	FUZZ_CHECK(aegw_ring_cmd_depth(ring(), 0) == 0);
	aegw_cmd_wipe(&got);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct aegw_cmd cmd;
	int rc;

	memset(&cmd, 0, sizeof(cmd));
	if (size)
		memcpy(&cmd, data, size < sizeof(cmd) ? size : sizeof(cmd));
	rc = aegw_cmd_validate(&cmd);
	FUZZ_CHECK(rc >= 0 && rc < AEGW_ERR_COUNT);
	/* Names of hostile values are still strings. */
	FUZZ_CHECK(aegw_cmd_type_name((enum aegw_cmd_type)cmd.type) != NULL);
	FUZZ_CHECK(aegw_action_name((enum aegw_action)cmd.spec.action) != NULL);
	if (rc == AEGW_ERR_OK)
		act_on(&cmd);
	round_trip(&cmd);
	aegw_cmd_wipe(&cmd);
	return 0;
}
