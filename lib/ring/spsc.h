/* A single-producer single-consumer ring of fixed-size records that lives
 * in shared memory, between two processes. Internal to lib/ring.
 *
 * The shared part is two 64-bit counters, each on its own cache line, and
 * the slots: the producer owns head, the consumer owns tail, head - tail
 * is the depth. The counters do not wrap in practice (2^64 records), so
 * full and empty need no spare slot. The process-local part (struct spsc)
 * only says where things are. It caches no index, so every thread of a
 * process can share one view, and a view stays right when the process on
 * the other side restarts. */
#ifndef AEGW_RING_SPSC_H
#define AEGW_RING_SPSC_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { SPSC_CACHE_LINE = 64 };

/* The index words, in shared memory. */
struct spsc_idx {
	_Alignas(SPSC_CACHE_LINE) _Atomic uint64_t head; /* producer's */
	_Alignas(SPSC_CACHE_LINE) _Atomic uint64_t tail; /* consumer's */
};

/* One process's view of one ring. */
struct spsc {
	struct spsc_idx *idx;
	uint8_t *slots;
	uint32_t mask;     /* slots - 1 */
	uint32_t rec_size; /* bytes copied per record */
	uint32_t stride;   /* rec_size rounded up to a cache line */
};

/* Bytes a ring of n_slots records of rec_size bytes takes in shared
 * memory: the index lines, then the slots; a multiple of a cache line. */
size_t aegw_spsc_mem_size(unsigned n_slots, size_t rec_size);

/* Points r at mem (cache-line aligned, aegw_spsc_mem_size bytes). Reads
 * and writes nothing there: the creator zeroes it, an attacher takes it
 * as it is. n_slots is a power of two. */
void aegw_spsc_view(struct spsc *r, void *mem, unsigned n_slots,
		    size_t rec_size);

/* Producer, in two steps, so that the caller can finish the record in its
 * slot (the command ring stamps the sequence number there): the free slot
 * (rec_size writable bytes), or NULL when the ring is full; then publish
 * it. Nothing is visible to the consumer until the publish. */
void *aegw_spsc_reserve(const struct spsc *r);
void aegw_spsc_publish(const struct spsc *r);

/* Producer: copies rec in. 0, or -EAGAIN when full. */
int aegw_spsc_enqueue(const struct spsc *r, const void *rec);

/* Consumer: copies the oldest record out and frees its slot; with wipe
 * set (records that carry keys) the slot is zeroed first. 0, or -EAGAIN
 * when empty. */
int aegw_spsc_dequeue(const struct spsc *r, void *rec, bool wipe);

/* Records in the ring, as either side sees it now (at most n_slots). */
unsigned aegw_spsc_depth(const struct spsc *r);

/* Could a live pair of processes have left the indices so
 * (0 <= head - tail <= n_slots)? A ring whose process died mid-call is
 * sane; a corrupt object may not be. */
bool aegw_spsc_sane(const struct spsc *r);

/* Takeover by a new consumer (a restarted dataplane, on its command
 * rings): zeroes every unconsumed slot and moves tail up to head. A record
 * the live producer publishes meanwhile stays, and is consumed normally. */
void aegw_spsc_consumer_drop(const struct spsc *r);

/* Takeover by a new producer (a restarted dataplane, on its event rings):
 * moves tail up to head although the consumer may be running. Only for
 * rings whose consumer does not wipe: a consumer that loses the race has
 * read a slot the producer may write again, and must not zero it. */
void aegw_spsc_producer_drop(const struct spsc *r);

#endif
