/* aegw-bench dataplane: the command-ring client. Installs the streams of
 * a run with sends and ACK reads interleaved (a command ring holds 256
 * records per worker), and asks one stream for its counters when a run
 * drops packets and the worker counters do not say why. */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "dpbench.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void nap_us(long us)
{
	struct timespec ts = { 0, us * 1000 };

	nanosleep(&ts, NULL);
}

struct acks {
	unsigned n;
	int first_err;
	uint32_t first_err_id;
};

/* Reads every event waiting; returns how many ACKs came. */
static unsigned drain(struct aegw_shm *shm, struct acks *a)
{
	struct aegw_evt evt;
	unsigned got = 0;

	for (unsigned w = 0; w < aegw_shm_n_workers(shm); w++)
		while (aegw_ring_evt_recv(shm, w, &evt) == 0) {
			if (evt.type != AEGW_EVT_ACK)
				continue;
			got++;
			if (evt.status && !a->first_err) {
				a->first_err = evt.status;
				a->first_err_id = evt.stream_id;
			}
		}
	a->n += got;
	return got;
}

static int send_one(struct aegw_shm *shm, struct aegw_cmd *cmd,
		    unsigned worker, struct acks *a, double end)
{
	int rc;

	while ((rc = aegw_ring_cmd_send(shm, worker, cmd)) == -EAGAIN) {
		if (dpb_interrupted || now_s() > end)
			return -ETIMEDOUT;
		if (!drain(shm, a))
			nap_us(50);
	}
	return rc;
}

int dpb_ring_install(struct aegw_shm *shm, unsigned n, enum aegw_action a,
		     double timeout_s)
{
	unsigned n_workers = aegw_shm_n_workers(shm);
	double end = now_s() + timeout_s;
	struct acks acks = { 0 };
	struct aegw_cmd cmd;
	int rc = 0;

	for (unsigned s = 0; s < n && !rc; s++) {
		memset(&cmd, 0, sizeof(cmd));
		cmd.type = AEGW_CMD_ADD_STREAM;
		traffic_spec(s, a, &cmd.spec);
		rc = send_one(shm, &cmd, traffic_worker_of(s, n_workers), &acks,
			      end);
		aegw_cmd_wipe(&cmd);
		if ((s & 63) == 63)
			drain(shm, &acks);
	}
	while (!rc && acks.n < n) {
		if (dpb_interrupted || now_s() > end)
			rc = -ETIMEDOUT;
		else if (!drain(shm, &acks))
			nap_us(200);
	}
	if (rc)
		fprintf(stderr, "aegw-bench: installing streams: %s (%u of %u "
				"acknowledged)\n",
			rc == -ETIMEDOUT ? "timed out" : strerror(-rc), acks.n,
			n);
	else if (acks.first_err)
		fprintf(stderr, "aegw-bench: stream %u refused: %s\n",
			acks.first_err_id, aegw_strerror(acks.first_err));
	return rc || acks.first_err ? -1 : 0;
}

int dpb_ring_stream_counters(struct aegw_shm *shm, unsigned s,
			     uint64_t counters[AEGW_SC_COUNT])
{
	unsigned w = traffic_worker_of(s, aegw_shm_n_workers(shm));
	struct aegw_cmd cmd = { .type = AEGW_CMD_COUNTERS, .stream_id = s + 1 };
	struct aegw_evt evt;
	struct acks acks = { 0 };
	double end = now_s() + 5;
	int got = 0;

	if (send_one(shm, &cmd, w, &acks, end))
		return -1;
	while (now_s() < end && !dpb_interrupted) {
		if (aegw_ring_evt_recv(shm, w, &evt)) {
			nap_us(200);
			continue;
		}
		if (evt.seq != cmd.seq)
			continue;
		if (evt.type == AEGW_EVT_COUNTERS) {
			memcpy(counters, evt.counters,
			       AEGW_SC_COUNT * sizeof(*counters));
			got = 1;
		} else if (evt.type == AEGW_EVT_ACK) {
			return got && !evt.status ? 0 : -1;
		}
	}
	return -1;
}
