/* The registration store's copy in shared memory, /aegw-NAME-regs, so
 * that a restarted control daemon keeps the UEs' TS 33.328 7.1
 * indications until they expire instead of treating every UE as
 * unregistered (a terminating session would lose e2ae until the UE
 * registers again, up to its registration's lifetime).
 *
 * One fixed slot per registration, rewritten in place when the UE
 * registers again: the magic is cleared first and set last, over a
 * checksum, so a daemon killed in the middle of a write loses that one
 * registration, never reads it half-written (the P-CSCF got no reply for
 * it either). Expiry times are CLOCK_MONOTONIC, which the next daemon
 * shares (the object, on tmpfs, does not outlive a reboot). Same rules
 * as the call journal: --journal, mode 0600, owner-checked, out of core
 * dumps. Control thread only. */
#ifndef CTL_REG_STORE_H
#define CTL_REG_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "registry.h"

struct ctl_reg_store {
	uint8_t *base;        /* header, then the slots */
	size_t size;
	unsigned n_slots;
	unsigned *free_slots; /* a stack of free slot numbers (1-based) */
	unsigned n_free;
	uint64_t written, failed;
};

/* Maps (creating if needed) the store of instance NAME for max entries;
 * one of another layout is wiped. 0, or -1 with a message in err. */
int ctl_reg_store_open(struct ctl_reg_store *s, const char *instance,
		       unsigned max, char *err, size_t errlen);
/* Unmaps; the object stays for the next daemon. */
void ctl_reg_store_close(struct ctl_reg_store *s);
void ctl_reg_store_unlink(const char *instance);

/* Takes every live registration the store holds into r (whose store must
 * not be set yet); wipes the expired and the unreadable. Returns how many
 * came back. */
unsigned ctl_reg_store_load(struct ctl_reg_store *s, struct ctl_registry *r,
			    uint64_t now_ns);

/* e's current state into its slot (a new one on its first write); a full
 * store is counted. */
void ctl_reg_store_put(struct ctl_reg_store *s, struct ctl_registration *e);
/* Wipes e's slot. */
void ctl_reg_store_drop(struct ctl_reg_store *s, struct ctl_registration *e);

#endif
