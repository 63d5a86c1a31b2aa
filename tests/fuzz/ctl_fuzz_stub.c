/* A stand-in for aegw-dataplane, inside the fuzz target: the consumer
 * of every command ring of the shared-memory object and the producer of
 * every event ring, as the dataplane's workers are. It keeps only what
 * the control side can observe: which stream ids are installed on which
 * worker and under which local address. No packets.
 *
 * It runs in the control thread, not beside it: the target is linked
 * with -Wl,--wrap=aegw_ring_evt_recv, so each time aegw-control looks for
 * an event (while it waits for an ACK, or drains the rings at its tick)
 * the stand-in first serves the commands waiting in the rings. No thread,
 * no timing: an input runs the same way every time, and libFuzzer's
 * coverage counts only what the input caused.
 *
 * It answers as dataplane/command.c does: a record that
 * aegw_cmd_validate refuses gets that status; an ADD of an id already
 * installed gets EXISTS; REMOVE, UPDATE and COUNTERS of an unknown id
 * NOT_FOUND; DUMP and COUNTERS send their events before the ACK. What the
 * real dataplane would also refuse but aegw-control must never send (a
 * stream on a worker that does not own its port, stream id 0, two ids on
 * one local address) fails the run instead. */
#include <stdio.h>
#include <string.h>

#include "aegw/error.h"
#include "aegw/ring.h"
#include "ctl_fuzz.h"

enum {
	/* Per worker. The pools hold 100 port pairs, so at most 200
	 * streams: a DUMP's events always fit the 1024-slot event ring. */
	STUB_MAX_STREAMS = 512,
};

struct stub_stream {
	uint32_t id;
	struct aegw_endpoint local;
};

struct stub_worker {
	struct stub_stream s[STUB_MAX_STREAMS];
	unsigned n;
};

static struct aegw_shm *stub_shm;
static char stub_instance[AEGW_INSTANCE_MAX + 1];
static unsigned stub_n_workers;
static struct stub_worker stub_w[AEGW_RING_MAX_WORKERS];
static unsigned stub_total;

static bool same_endpoint(const struct aegw_endpoint *a,
			  const struct aegw_endpoint *b)
{
	return a->family == b->family && a->port == b->port &&
	       !memcmp(a->ip, b->ip, a->family == 4 ? 4 : 16);
}

static int find_id(const struct stub_worker *w, uint32_t id)
{
	for (unsigned i = 0; i < w->n; i++)
		if (w->s[i].id == id)
			return (int)i;
	return -1;
}

static int find_local(const struct stub_worker *w,
		      const struct aegw_endpoint *local)
{
	for (unsigned i = 0; i < w->n; i++)
		if (same_endpoint(&w->s[i].local, local))
			return (int)i;
	return -1;
}

/* The control side drains the ring before it sends the next command, and
 * no command makes more events than the ring holds. */
static void send_evt(unsigned w, const struct aegw_evt *evt)
{
	CFZ_CHECK(aegw_ring_evt_send(stub_shm, w, evt) == 0);
}

static void stream_evt(unsigned w, uint64_t seq, enum aegw_evt_type type,
		       const struct stub_stream *s)
{
	struct aegw_evt evt = { .seq = seq, .type = type,
				.stream_id = s->id, .local = s->local };

	for (unsigned k = 0; k < AEGW_SC_COUNT; k++)
		evt.counters[k] = s->id + k;
	send_evt(w, &evt);
}

static int stub_add(unsigned wi, const struct aegw_cmd *cmd)
{
	struct stub_worker *w = &stub_w[wi];
	const struct aegw_stream_spec *sp = &cmd->spec;
	int by_local = find_local(w, &sp->local);

	CFZ_CHECK(sp->stream_id != 0);
	CFZ_CHECK(aegw_ring_worker_for_port(sp->local.port, stub_n_workers) ==
		  wi);
	if (find_id(w, sp->stream_id) >= 0)
		return AEGW_ERR_EXISTS;
	/* Ports are handed out once: another id on this address means two
	 * calls (or two media) got the same port. */
	CFZ_CHECK(by_local < 0);
	CFZ_CHECK(w->n < STUB_MAX_STREAMS);
	w->s[w->n++] = (struct stub_stream){ sp->stream_id, sp->local };
	stub_total++;
	return 0;
}

static int stub_remove(unsigned wi, uint32_t id)
{
	struct stub_worker *w = &stub_w[wi];
	int i = find_id(w, id);

	if (i < 0)
		return AEGW_ERR_NOT_FOUND;
	w->s[i] = w->s[--w->n];
	stub_total--;
	return 0;
}

/* COUNTERS of one id, or of every stream (id 0); DUMP of every stream. */
static int stub_walk(unsigned wi, const struct aegw_cmd *cmd)
{
	const struct stub_worker *w = &stub_w[wi];
	enum aegw_evt_type t = cmd->type == AEGW_CMD_DUMP ? AEGW_EVT_STREAM :
							    AEGW_EVT_COUNTERS;
	int i;

	if (cmd->type == AEGW_CMD_COUNTERS && cmd->stream_id) {
		if ((i = find_id(w, cmd->stream_id)) < 0)
			return AEGW_ERR_NOT_FOUND;
		stream_evt(wi, cmd->seq, t, &w->s[i]);
		return 0;
	}
	for (unsigned k = 0; k < w->n; k++)
		stream_evt(wi, cmd->seq, t, &w->s[k]);
	return 0;
}

static int stub_exec(unsigned wi, const struct aegw_cmd *cmd)
{
	int rc = aegw_cmd_validate(cmd);

	if (rc)
		return rc;
	switch (cmd->type) {
	case AEGW_CMD_ADD_STREAM:
		return stub_add(wi, cmd);
	case AEGW_CMD_UPDATE_STREAM:
		CFZ_CHECK(aegw_ring_worker_for_port(cmd->spec.local.port,
						    stub_n_workers) == wi);
		return find_id(&stub_w[wi], cmd->spec.stream_id) < 0 ?
			       AEGW_ERR_NOT_FOUND : 0;
	case AEGW_CMD_REMOVE_STREAM:
		return stub_remove(wi, cmd->stream_id);
	default:
		return stub_walk(wi, cmd);
	}
}

static void serve(unsigned wi)
{
	struct aegw_cmd cmd;

	while (aegw_ring_cmd_recv(stub_shm, wi, &cmd) == 0) {
		struct aegw_evt ack = { .seq = cmd.seq, .type = AEGW_EVT_ACK };

		ack.status = stub_exec(wi, &cmd);
		aegw_cmd_wipe(&cmd);
		send_evt(wi, &ack);
	}
}

int __real_aegw_ring_evt_recv(struct aegw_shm *shm, unsigned worker,
			      struct aegw_evt *evt);
int __wrap_aegw_ring_evt_recv(struct aegw_shm *shm, unsigned worker,
			      struct aegw_evt *evt);

/* Every event read of the control side, through the linker's --wrap. */
int __wrap_aegw_ring_evt_recv(struct aegw_shm *shm, unsigned worker,
			      struct aegw_evt *evt)
{
	if (stub_shm) {
		aegw_shm_heartbeat(stub_shm);
		for (unsigned w = 0; w < stub_n_workers; w++)
			serve(w);
	}
	return __real_aegw_ring_evt_recv(shm, worker, evt);
}

int cfz_stub_start(const char *instance, unsigned n_workers)
{
	int rc;

	snprintf(stub_instance, sizeof(stub_instance), "%s", instance);
	stub_n_workers = n_workers;
	rc = aegw_shm_create(instance, n_workers, &stub_shm);
	if (rc == 0)
		aegw_shm_heartbeat(stub_shm);
	return rc;
}

void cfz_stub_beat(void)
{
	aegw_shm_heartbeat(stub_shm);
}

unsigned cfz_stub_streams(void)
{
	return stub_total;
}

void cfz_stub_unlink(void)
{
	if (stub_instance[0])
		aegw_shm_unlink(stub_instance);
}
