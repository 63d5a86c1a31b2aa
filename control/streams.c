/* Streams in the dataplane: specs from legs, install, remove, counters,
 * replay and adoption, all through ctl_ring_exec. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "dp_view.h"
#include "log.h"
#include "streams.h"

static enum aegw_action action_of(const struct ctl_leg *in,
				  const struct ctl_leg *out)
{
	if (in->srtp && out->srtp)
		return AEGW_ACTION_RECRYPT;
	if (in->srtp)
		return AEGW_ACTION_E2AE_IN;
	if (out->srtp)
		return AEGW_ACTION_E2AE_OUT;
	return AEGW_ACTION_RELAY;
}

static struct aegw_endpoint endpoint(const struct ctl_iface *ifc,
				     uint16_t port)
{
	struct aegw_endpoint e = ifc->cfg->addr;

	e.port = port;
	return e;
}

void ctl_stream_spec(const struct ctl_call *c, const struct ctl_media *m,
		     unsigned from, struct aegw_stream_spec *spec)
{
	const struct ctl_leg *in = &m->leg[from], *out = &m->leg[1 - from];
	const struct ctl_iface *ifi = c->iface[from], *ifo = c->iface[1 - from];

	memset(spec, 0, sizeof(*spec));
	spec->stream_id = m->stream_id[from];
	spec->reverse_id = m->stream_id[1 - from];
	spec->action = (uint8_t)action_of(in, out);
	spec->flags = AEGW_STREAM_LATCH |
		      (m->rtcp_mux ? AEGW_STREAM_RTCP_MUX : 0);
	spec->in_port = ifi->cfg->dpdk_port;
	spec->out_port = ifo->cfg->dpdk_port;
	spec->local = endpoint(ifi, in->port);
	spec->egress_src = endpoint(ifo, out->port);
	if (out->peer.family == ifo->cfg->addr.family && out->peer.port)
		spec->egress_dst = out->peer;
	if (in->srtp && in->peer_key)
		spec->in_crypto = *in->peer_key;
	if (out->srtp && out->our_key)
		spec->out_crypto = *out->our_key;
}

static unsigned worker_of(const struct ctl *ctl, uint16_t port)
{
	return aegw_ring_worker_for_port(port, ctl->ring.n_workers);
}

static int remove_stream(struct ctl *ctl, uint16_t local_port, uint32_t id)
{
	struct aegw_cmd cmd = { .type = AEGW_CMD_REMOVE_STREAM,
				.stream_id = id };

	if (!ctl->ring.shm)
		return -ENOTCONN;
	return ctl_ring_exec(&ctl->ring, worker_of(ctl, local_port), &cmd,
			     NULL, NULL);
}

/* ADD; a stream left under this id (a command that timed out, a replay
 * racing a restart) is replaced. */
static int add_stream(struct ctl *ctl, const struct aegw_stream_spec *spec)
{
	struct aegw_cmd cmd = { .type = AEGW_CMD_ADD_STREAM };
	int rc;

	if (!ctl->ring.shm)
		return -ENOTCONN;
	cmd.spec = *spec;
	rc = ctl_ring_exec(&ctl->ring, worker_of(ctl, spec->local.port), &cmd,
			   NULL, NULL);
	if (rc == AEGW_ERR_EXISTS) {
		remove_stream(ctl, spec->local.port, spec->stream_id);
		cmd.spec = *spec;
		rc = ctl_ring_exec(&ctl->ring,
				   worker_of(ctl, spec->local.port), &cmd,
				   NULL, NULL);
	}
	OPENSSL_cleanse(&cmd, sizeof(cmd));
	return rc;
}

static void remove_streams(struct ctl *ctl, const struct ctl_media *m)
{
	for (unsigned from = 0; from < 2; from++)
		if (m->leg[from].port && m->stream_id[from])
			remove_stream(ctl, m->leg[from].port,
				      m->stream_id[from]);
}

/* Whether the stream from leg `from` is installed as m would install it. */
static bool unchanged(const struct ctl_call *c, const struct ctl_media *m,
		      const struct ctl_media *old, unsigned from)
{
	struct aegw_stream_spec a, b;
	bool same;

	if (!old || !old->installed || old->rejected)
		return false;
	ctl_stream_spec(c, m, from, &a);
	ctl_stream_spec(c, old, from, &b);
	same = memcmp(&a, &b, sizeof(a)) == 0;
	OPENSSL_cleanse(&a, sizeof(a));
	OPENSSL_cleanse(&b, sizeof(b));
	return same;
}

static int install_one(struct ctl *ctl, const struct ctl_call *c,
		       const struct ctl_media *m, unsigned from)
{
	struct aegw_stream_spec spec;
	int rc;

	ctl_stream_spec(c, m, from, &spec);
	rc = add_stream(ctl, &spec);
	OPENSSL_cleanse(&spec, sizeof(spec));
	return rc;
}

int ctl_media_install(struct ctl *ctl, const struct ctl_call *c,
		      struct ctl_media *m, const struct ctl_media *old,
		      char *err, size_t errlen)
{
	int rc = 0;

	m->installed = false;
	if (m->rejected || !m->leg[0].port || !m->leg[1].port) {
		if (old && old->installed)
			remove_streams(ctl, old);
		return 0;
	}
	for (unsigned from = 0; from < 2 && !rc; from++) {
		if (unchanged(c, m, old, from))
			continue;
		if (old && old->installed)
			remove_stream(ctl, old->leg[from].port,
				      old->stream_id[from]);
		rc = install_one(ctl, c, m, from);
	}
	if (rc) {
		snprintf(err, errlen, "dataplane refused a stream: %s",
			 ctl_ring_strerror(rc));
		ctl_media_uninstall(ctl, m);
		return -1;
	}
	m->installed = true;
	return 0;
}

void ctl_media_uninstall(struct ctl *ctl, struct ctl_media *m)
{
	remove_streams(ctl, m);
	m->installed = false;
}

struct counters_arg {
	uint32_t id;
	uint64_t *out;
	bool *have;
};

static void on_counters(void *arg, const struct aegw_evt *evt)
{
	struct counters_arg *a = arg;

	if (evt->type != AEGW_EVT_COUNTERS || evt->stream_id != a->id)
		return;
	memcpy(a->out, evt->counters, sizeof(uint64_t) * AEGW_SC_COUNT);
	*a->have = true;
}

void ctl_media_counters(struct ctl *ctl, const struct ctl_media *m,
			struct ctl_counts *out)
{
	memset(out, 0, sizeof(*out));
	if (!m->installed || !ctl->ring.shm)
		return;
	for (unsigned from = 0; from < 2; from++) {
		struct aegw_cmd cmd = { .type = AEGW_CMD_COUNTERS,
					.stream_id = m->stream_id[from] };
		struct counters_arg a = { m->stream_id[from], out->c[from],
					  &out->have[from] };

		if (ctl_ring_exec(&ctl->ring, worker_of(ctl, m->leg[from].port),
				  &cmd, on_counters, &a))
			out->have[from] = false;
	}
}

void ctl_replay(struct ctl *ctl)
{
	unsigned ok = 0, failed = 0;

	for (struct ctl_call *c = ctl->calls.first; c; c = c->next) {
		for (unsigned i = 0; i < c->n_media; i++) {
			struct ctl_media *m = &c->media[i];

			if (!m->installed)
				continue;
			for (unsigned from = 0; from < 2; from++) {
				if (install_one(ctl, c, m, from))
					failed++;
				else
					ok++;
			}
		}
	}
	ctl->stats.replays += ok;
	if (ok + failed)
		ctl_log(failed ? CTL_LOG_ERR : CTL_LOG_INFO,
			"replayed %u stream(s) into the new dataplane, %u "
			"failed", ok, failed);
}

static void adopt_one(struct ctl *ctl, const struct aegw_evt *evt)
{
	if (evt->stream_id >= ctl->next_stream_id)
		ctl->next_stream_id = evt->stream_id + 1;
	for (unsigned i = 0; i < ctl->n_ifaces; i++) {
		const struct aegw_endpoint *a = &ctl->ifaces[i].cfg->addr;

		if (a->family == evt->local.family &&
		    !memcmp(a->ip, evt->local.ip, 16))
			ctl_pool_reserve(&ctl->ifaces[i].pool, evt->local.port);
	}
	ctl->stats.adopted++;
}

/* The calls a journal gave back (journal.h) find their streams in the
 * dump, marked as theirs; a stream the dataplane lost meanwhile (it
 * restarted too) is installed again. Returns how many were. */
static unsigned claim_recovered(struct ctl *ctl, const struct ctl_dp_view *v,
				bool *theirs)
{
	unsigned again = 0;

	for (struct ctl_call *c = ctl->calls.first; c; c = c->next) {
		for (unsigned i = 0; i < c->n_media; i++) {
			const struct ctl_media *m = &c->media[i];

			for (unsigned from = 0; m->installed && from < 2; from++) {
				const struct aegw_evt *e =
					ctl_dp_view_find(v, m->stream_id[from]);

				if (e)
					theirs[e - v->evt] = true;
				else if (!install_one(ctl, c, m, from))
					again++;
			}
		}
	}
	return again;
}

void ctl_adopt(struct ctl *ctl)
{
	struct ctl_dp_view v = { 0 };
	uint64_t before = ctl->stats.adopted;
	bool *theirs;
	unsigned again;
	int rc = ctl_dp_view_read(ctl, &v);

	if (rc)
		ctl_log(CTL_LOG_WARN, "dump of the dataplane: %s",
			ctl_ring_strerror(rc));
	theirs = calloc(v.n ? v.n : 1, sizeof(*theirs));
	if (!theirs) {
		ctl_dp_view_free(&v);
		return;
	}
	/* Only right after the journal gave calls back: any other attach
	 * is to a dataplane that never had this daemon's streams. */
	again = ctl->journal.recovered ? claim_recovered(ctl, &v, theirs) : 0;
	ctl->journal.recovered = 0;
	for (size_t i = 0; i < v.n; i++)
		if (!theirs[i])
			adopt_one(ctl, &v.evt[i]);
	if (v.n - (ctl->stats.adopted - before) || again)
		ctl_log(CTL_LOG_INFO, "%zu stream(s) of the journal's calls "
			"found in the dataplane, %u installed again",
			(size_t)(v.n - (ctl->stats.adopted - before)), again);
	if (ctl->stats.adopted != before)
		ctl_log(CTL_LOG_WARN, "%llu stream(s) from a previous control "
			"left in place; their ports stay reserved",
			(unsigned long long)(ctl->stats.adopted - before));
	free(theirs);
	ctl_dp_view_free(&v);
}

int ctl_stream_add(struct ctl *ctl, const struct aegw_stream_spec *spec)
{
	return add_stream(ctl, spec);
}

int ctl_stream_remove(struct ctl *ctl, uint16_t local_port, uint32_t id)
{
	return remove_stream(ctl, local_port, id);
}
