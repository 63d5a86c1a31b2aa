/* The single-producer single-consumer ring in shared memory: index
 * ordering, record copies, and the two ways a restarted process empties a
 * ring it shares with a live one.
 *
 * Ordering: the producer fills a slot, then stores head with release; the
 * consumer loads head with acquire before it reads the slot. The consumer
 * reads (and wipes) a slot, then moves tail with release; the producer
 * loads tail with acquire before it writes the slot again. */
#include <errno.h>
#include <string.h>

#include "aegw/wipe.h"
#include "spsc.h"

/* Between processes C11 atomics mean something only when lock-free: a
 * lock would live in one process's address space. */
_Static_assert(ATOMIC_LONG_LOCK_FREE == 2 && ATOMIC_LLONG_LOCK_FREE == 2,
	       "64-bit atomics must be lock-free to work across processes");

static size_t line_up(size_t v)
{
	return (v + SPSC_CACHE_LINE - 1) & ~(size_t)(SPSC_CACHE_LINE - 1);
}

static uint8_t *slot(const struct spsc *r, uint64_t i)
{
	return r->slots + (size_t)(i & r->mask) * r->stride;
}

size_t aegw_spsc_mem_size(unsigned n_slots, size_t rec_size)
{
	/* A slot per stride of whole cache lines: the producer filling
	 * slot i + 1 never shares a line with the consumer reading i. */
	return sizeof(struct spsc_idx) + (size_t)n_slots * line_up(rec_size);
}

void aegw_spsc_view(struct spsc *r, void *mem, unsigned n_slots,
		    size_t rec_size)
{
	r->idx = mem;
	r->slots = (uint8_t *)mem + sizeof(struct spsc_idx);
	r->mask = n_slots - 1;
	r->rec_size = (uint32_t)rec_size;
	r->stride = (uint32_t)line_up(rec_size);
}

void *aegw_spsc_reserve(const struct spsc *r)
{
	uint64_t h = atomic_load_explicit(&r->idx->head, memory_order_relaxed);
	uint64_t t = atomic_load_explicit(&r->idx->tail, memory_order_acquire);

	if (h - t > r->mask)
		return NULL;
	return slot(r, h);
}

void aegw_spsc_publish(const struct spsc *r)
{
	uint64_t h = atomic_load_explicit(&r->idx->head, memory_order_relaxed);

	atomic_store_explicit(&r->idx->head, h + 1, memory_order_release);
}

int aegw_spsc_enqueue(const struct spsc *r, const void *rec)
{
	void *s = aegw_spsc_reserve(r);

	if (!s)
		return -EAGAIN;
	memcpy(s, rec, r->rec_size);
	aegw_spsc_publish(r);
	return 0;
}

int aegw_spsc_dequeue(const struct spsc *r, void *rec, bool wipe)
{
	uint64_t t = atomic_load_explicit(&r->idx->tail, memory_order_relaxed);

	for (;;) {
		uint64_t h = atomic_load_explicit(&r->idx->head,
						  memory_order_acquire);
		uint8_t *s = slot(r, t);

		if (h == t)
			return -EAGAIN;
		memcpy(rec, s, r->rec_size);
		if (wipe)
			aegw_wipe(s, r->rec_size);
		/* A compare-exchange, not a store, because a restarted
		 * producer may have moved tail (aegw_spsc_producer_drop):
		 * then the copy may be torn, and t is reloaded. Records
		 * are commands and events, never packets: the locked
		 * instruction costs nothing that matters. */
		if (atomic_compare_exchange_strong_explicit(
			    &r->idx->tail, &t, t + 1, memory_order_release,
			    memory_order_relaxed))
			return 0;
	}
}

unsigned aegw_spsc_depth(const struct spsc *r)
{
	/* tail first: head read later is never behind it. */
	uint64_t t = atomic_load_explicit(&r->idx->tail, memory_order_acquire);
	uint64_t h = atomic_load_explicit(&r->idx->head, memory_order_acquire);
	uint64_t d = h - t;

	return d > (uint64_t)r->mask + 1 ? r->mask + 1 : (unsigned)d;
}

bool aegw_spsc_sane(const struct spsc *r)
{
	uint64_t t = atomic_load_explicit(&r->idx->tail, memory_order_acquire);
	uint64_t h = atomic_load_explicit(&r->idx->head, memory_order_acquire);

	return h - t <= (uint64_t)r->mask + 1;
}

void aegw_spsc_consumer_drop(const struct spsc *r)
{
	uint64_t t = atomic_load_explicit(&r->idx->tail, memory_order_relaxed);
	uint64_t h = atomic_load_explicit(&r->idx->head, memory_order_acquire);

	/* Consumed slots were zeroed before tail passed them; a consumer
	 * that died between its copy and its wipe left tail before the
	 * slot, so [t, h) holds every key still in the ring. Indices no
	 * live pair could leave: every slot. */
	if (h - t > (uint64_t)r->mask + 1)
		t = h - r->mask - 1;
	for (uint64_t i = t; i != h; i++)
		aegw_wipe(slot(r, i), r->rec_size);
	atomic_store_explicit(&r->idx->tail, h, memory_order_release);
}

void aegw_spsc_producer_drop(const struct spsc *r)
{
	uint64_t h = atomic_load_explicit(&r->idx->head, memory_order_relaxed);
	uint64_t t = atomic_load_explicit(&r->idx->tail, memory_order_relaxed);

	/* Each failure means the consumer moved on toward h; it cannot
	 * pass h, since nobody publishes while we are here. */
	while (!atomic_compare_exchange_weak_explicit(&r->idx->tail, &t, h,
						      memory_order_release,
						      memory_order_relaxed))
		;
}
