/* Fibers for ng requests, so that the requests of one batch overlap
 * their waits for the dataplane's ACKs instead of taking turns: a request
 * runs on a fiber of its own until it ends or must wait (a ring command
 * out, or another request of the same call ahead of it), and the loop
 * goes on with the next. Only the loop resumes fibers, and every fiber of
 * a batch has ended before the loop does anything else (ticks, other
 * sockets). Control thread only. */
#ifndef CTL_FIBER_H
#define CTL_FIBER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { CTL_FIBER_STACK = 256 << 10 }; /* a request's stack, bytes */

struct ctl_fiber;
struct ctl_fiber_pool;

typedef void ctl_fiber_fn(void *arg);

/* n fibers with stacks of stack bytes and local_size bytes of zeroed
 * fiber-local memory each (ctl_fiber_local). NULL when out of memory. */
struct ctl_fiber_pool *ctl_fiber_pool_new(unsigned n, size_t stack,
					  size_t local_size);
void ctl_fiber_pool_free(struct ctl_fiber_pool *p);

/* Runs fn(arg) on a free fiber until it ends or waits; NULL (and nothing
 * run) when every fiber is busy. `ticket` orders the gate (below): the
 * order in which requests arrived. */
struct ctl_fiber *ctl_fiber_run(struct ctl_fiber_pool *p, ctl_fiber_fn *fn,
				void *arg, uint64_t ticket);
/* The fiber running now; NULL on the loop's own stack. */
struct ctl_fiber *ctl_fiber_self(void);
/* The running fiber's local memory, or NULL on the loop's stack. */
void *ctl_fiber_local(void);
/* From a fiber: back to the loop, until it resumes this one. */
void ctl_fiber_wait(void);
/* From the loop: runs f until it ends or waits again. */
void ctl_fiber_resume(struct ctl_fiber *f);
/* Fibers running a job, waiting included. */
unsigned ctl_fiber_busy(const struct ctl_fiber_pool *p);

/* The gate keeps one call's requests in their order: a request enters
 * once no request that arrived before it and is still running has the
 * same key (its call-id's hash), and an exclusive one (a command that
 * reads or changes more than one call) once none before it runs at all;
 * those after an exclusive one wait for it. On the loop's stack it is
 * always open. A fiber leaves its gate when its job ends. */
void ctl_fiber_gate(uint64_t key, bool exclusive);
/* From the loop: lets the fibers waiting at the gate look again; true
 * when one went in (and ran until it ended or waited). */
bool ctl_fiber_gate_kick(struct ctl_fiber_pool *p);

#endif
