/* Fibers: a stack each (mmap, with a guard page below it), created once
 * and reused for job after job. On x86-64 a switch saves the callee-saved
 * registers and the FP control words and swaps stack pointers (a few ns);
 * elsewhere it is swapcontext, which also saves the signal mask with a
 * syscall (about 1 us on the test VM, as much as the wait it saves). */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

#include "aegw/asan.h"
#include "fiber.h"

#ifdef AEGW_ASAN
/* AddressSanitizer must be told when the stack changes under it. */
void __sanitizer_start_switch_fiber(void **fake_stack_save,
				    const void *bottom, size_t size);
void __sanitizer_finish_switch_fiber(void *fake_stack_save,
				     const void **bottom_old, size_t *size_old);
#endif

#if defined(__x86_64__)
/* ctl_fiber_swap(from, to): pushes what the SysV ABI says a call keeps
 * (rbp, rbx, r12-r15, MXCSR, x87 control word), stores the stack pointer
 * in *from, takes `to` as the stack pointer and pops the same. */
void ctl_fiber_swap(void **from, void *to);
__asm__(".text\n"
	".globl ctl_fiber_swap\n"
	".type ctl_fiber_swap, @function\n"
	"ctl_fiber_swap:\n"
	"\tpushq %rbp\n\tpushq %rbx\n\tpushq %r12\n"
	"\tpushq %r13\n\tpushq %r14\n\tpushq %r15\n"
	"\tsubq $8, %rsp\n\tstmxcsr (%rsp)\n\tfnstcw 4(%rsp)\n"
	"\tmovq %rsp, (%rdi)\n\tmovq %rsi, %rsp\n"
	"\tldmxcsr (%rsp)\n\tfldcw 4(%rsp)\n\taddq $8, %rsp\n"
	"\tpopq %r15\n\tpopq %r14\n\tpopq %r13\n"
	"\tpopq %r12\n\tpopq %rbx\n\tpopq %rbp\n"
	"\tret\n"
	".size ctl_fiber_swap, .-ctl_fiber_swap\n");
typedef void *ctl_ctx;
#else
typedef ucontext_t ctl_ctx;
#endif

struct ctl_fiber {
	ctl_ctx ctx;
	void *map;                /* guard page + stack */
	size_t map_size;
	void *local;
	ctl_fiber_fn *fn;
	void *arg;
	struct ctl_fiber_pool *pool;
	uint64_t ticket;
	uint64_t gate_key;
	bool busy;                /* a job started and not ended */
	bool gated;               /* it named its key at the gate */
	bool at_gate;             /* and waits there */
	bool exclusive;
	void *fake_stack;         /* AddressSanitizer's, while away */
};

struct ctl_fiber_pool {
	struct ctl_fiber *f;
	unsigned n;
};

static ctl_ctx loop_ctx;
static struct ctl_fiber *current;
#ifdef AEGW_ASAN
static const void *loop_stack_bottom;
static size_t loop_stack_size;
#endif

static void *stack_base(const struct ctl_fiber *f)
{
	return (char *)f->map + sysconf(_SC_PAGESIZE);
}

static size_t stack_size(const struct ctl_fiber *f)
{
	return f->map_size - (size_t)sysconf(_SC_PAGESIZE);
}

/* Into f from the loop, until f waits or ends its job. */
static void switch_in(struct ctl_fiber *f)
{
#ifdef AEGW_ASAN
	void *fake = NULL;

	__sanitizer_start_switch_fiber(&fake, stack_base(f), stack_size(f));
#endif
	current = f;
#if defined(__x86_64__)
	ctl_fiber_swap(&loop_ctx, f->ctx);
#else
	swapcontext(&loop_ctx, &f->ctx);
#endif
	current = NULL;
#ifdef AEGW_ASAN
	__sanitizer_finish_switch_fiber(fake, NULL, NULL);
#endif
}

/* Back to the loop from the running fiber. */
static void switch_out(struct ctl_fiber *f)
{
#ifdef AEGW_ASAN
	__sanitizer_start_switch_fiber(&f->fake_stack, loop_stack_bottom,
				       loop_stack_size);
#endif
#if defined(__x86_64__)
	ctl_fiber_swap(&f->ctx, loop_ctx);
#else
	swapcontext(&f->ctx, &loop_ctx);
#endif
#ifdef AEGW_ASAN
	__sanitizer_finish_switch_fiber(f->fake_stack, &loop_stack_bottom,
					&loop_stack_size);
#endif
}

static void trampoline(void)
{
	struct ctl_fiber *f = current;

#ifdef AEGW_ASAN
	__sanitizer_finish_switch_fiber(NULL, &loop_stack_bottom,
					&loop_stack_size);
#endif
	for (;;) {
		f->fn(f->arg);
		f->busy = f->gated = f->at_gate = false;
		switch_out(f);
	}
}

#if defined(__x86_64__)
/* A stack that ctl_fiber_swap pops into trampoline: the six registers
 * (zero), the control words as they are now, trampoline as the return
 * address, and below the top a zero return address of its own, so that
 * trampoline starts with the stack aligned as after a call. */
static int context_init(struct ctl_fiber *f)
{
	uint64_t *top = (uint64_t *)((uintptr_t)((char *)stack_base(f) +
						 stack_size(f)) & ~(uintptr_t)15);
	uint64_t *sp = top - 9;
	uint32_t mxcsr;
	uint16_t fpucw;

	__asm__ volatile("stmxcsr %0" : "=m"(mxcsr));
	__asm__ volatile("fnstcw %0" : "=m"(fpucw));
	memset(sp, 0, 9 * sizeof(*sp));
	memcpy(sp, &mxcsr, 4);
	memcpy((char *)sp + 4, &fpucw, 2);
	sp[7] = (uint64_t)(uintptr_t)trampoline;
	f->ctx = sp;
	return 0;
}
#else
static int context_init(struct ctl_fiber *f)
{
	if (getcontext(&f->ctx))
		return -1;
	f->ctx.uc_stack.ss_sp = stack_base(f);
	f->ctx.uc_stack.ss_size = stack_size(f);
	f->ctx.uc_link = NULL;
	makecontext(&f->ctx, trampoline, 0);
	return 0;
}
#endif

static int fiber_init(struct ctl_fiber *f, size_t stack, size_t local_size)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);

	f->map_size = page + (stack + page - 1) / page * page;
	f->map = mmap(NULL, f->map_size, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (f->map == MAP_FAILED) {
		f->map = NULL;
		return -1;
	}
	mprotect(f->map, page, PROT_NONE); /* an overflow faults, loudly */
	if (local_size && !(f->local = calloc(1, local_size)))
		return -1;
	return context_init(f);
}

struct ctl_fiber_pool *ctl_fiber_pool_new(unsigned n, size_t stack,
					  size_t local_size)
{
	struct ctl_fiber_pool *p = calloc(1, sizeof(*p));

	if (!p || !(p->f = calloc(n, sizeof(*p->f)))) {
		free(p);
		return NULL;
	}
	p->n = n;
	for (unsigned i = 0; i < n; i++) {
		p->f[i].pool = p;
		if (fiber_init(&p->f[i], stack, local_size)) {
			ctl_fiber_pool_free(p);
			return NULL;
		}
	}
	return p;
}

/* Every job must have ended: a fiber waiting in the middle of one would
 * leave its state half done. */
void ctl_fiber_pool_free(struct ctl_fiber_pool *p)
{
	if (!p)
		return;
	for (unsigned i = 0; i < p->n; i++) {
		if (p->f[i].map)
			munmap(p->f[i].map, p->f[i].map_size);
		free(p->f[i].local);
	}
	free(p->f);
	free(p);
}

struct ctl_fiber *ctl_fiber_run(struct ctl_fiber_pool *p, ctl_fiber_fn *fn,
				void *arg, uint64_t ticket)
{
	for (unsigned i = 0; i < p->n; i++) {
		struct ctl_fiber *f = &p->f[i];

		if (f->busy)
			continue;
		f->fn = fn;
		f->arg = arg;
		f->ticket = ticket;
		f->busy = true;
		f->gated = f->at_gate = f->exclusive = false;
		switch_in(f);
		return f;
	}
	return NULL;
}

struct ctl_fiber *ctl_fiber_self(void)
{
	return current;
}

void *ctl_fiber_local(void)
{
	return current ? current->local : NULL;
}

void ctl_fiber_wait(void)
{
	if (current)
		switch_out(current);
}

void ctl_fiber_resume(struct ctl_fiber *f)
{
	if (f->busy)
		switch_in(f);
}

unsigned ctl_fiber_busy(const struct ctl_fiber_pool *p)
{
	unsigned n = 0;

	for (unsigned i = 0; i < p->n; i++)
		n += p->f[i].busy;
	return n;
}

/* Whether a request that arrived before f, still running, keeps f out. */
static bool holds_back(const struct ctl_fiber *g, const struct ctl_fiber *f)
{
	if (g == f || !g->busy || g->ticket >= f->ticket)
		return false;
	if (f->exclusive)
		return true;
	return g->gated && (g->exclusive || g->gate_key == f->gate_key);
}

/* Requests of one pool only: a pool is one stream of requests. */
static bool gate_open(const struct ctl_fiber *f)
{
	const struct ctl_fiber_pool *p = f->pool;

	for (unsigned i = 0; i < p->n; i++)
		if (holds_back(&p->f[i], f))
			return false;
	return true;
}

void ctl_fiber_gate(uint64_t key, bool exclusive)
{
	struct ctl_fiber *f = current;

	if (!f)
		return;
	f->gate_key = key;
	f->exclusive = exclusive;
	f->gated = f->at_gate = true;
	while (!gate_open(f))
		switch_out(f);
	f->at_gate = false;
}

bool ctl_fiber_gate_kick(struct ctl_fiber_pool *p)
{
	bool moved = false;

	for (;;) {
		struct ctl_fiber *next = NULL;

		for (unsigned i = 0; i < p->n; i++) {
			struct ctl_fiber *f = &p->f[i];

			if (f->busy && f->at_gate && gate_open(f) &&
			    (!next || f->ticket < next->ticket))
				next = f;
		}
		if (!next)
			return moved;
		switch_in(next);
		moved = true;
	}
}
