/* The call journal: what a control daemon killed with SIGKILL needs to
 * take its calls back (docs/CONTROL.md, Restarts). One POSIX shared-memory
 * object per instance, /aegw-NAME-calls: mode 0600, owner-checked, out of
 * core dumps, in memory only (tmpfs). A call's record lives in one 4 KiB
 * slot and holds its tags, interfaces, ports, stream ids, media and keys;
 * it is rewritten after every change into a fresh slot (the old one is
 * wiped after), so that a kill in the middle of a write leaves the last
 * complete record. A deleted call's slot is wiped. Control thread only. */
#ifndef CTL_JOURNAL_H
#define CTL_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ctl;
struct ctl_call;

enum {
	CTL_JOURNAL_SLOT = 4096,
	CTL_JOURNAL_HOT = 64,     /* free slots whose pages are kept */
	/* Slots without --max-sessions; tmpfs holds only the pages of live
	 * calls (and of CTL_JOURNAL_HOT free slots), so a large default
	 * costs address space, not memory. */
	CTL_DEFAULT_JOURNAL_CALLS = 262144,
};

struct ctl_journal {
	uint8_t *base;            /* header page, then the slots */
	size_t size;
	unsigned n_slots;
	unsigned *free_slots;     /* a stack of free slot numbers */
	unsigned n_free;
	unsigned trimmed;         /* free_slots[0..trimmed): pages given back */
	unsigned *used;           /* slots with a record, until recovered */
	unsigned n_used;
	uint64_t seq;             /* of the newest record */
	uint64_t written, too_big, failed;
	unsigned recovered;       /* calls taken back, until the first attach
				   * claims their streams (ctl_adopt) */
};

/* Maps (creating if needed) the journal of instance NAME for up to
 * max_calls calls. An object of another layout (another build) is wiped:
 * its calls cannot be read back. 0, or -1 with a message in err. */
int ctl_journal_open(struct ctl_journal *j, const char *instance,
		     unsigned max_calls, char *err, size_t errlen);
/* Unmaps; the object stays for the next daemon. */
void ctl_journal_close(struct ctl_journal *j);
/* Removes the object of instance NAME (wiping it first). */
void ctl_journal_unlink(const char *instance);

/* Gives back to tmpfs the pages of the slots that stayed free, but for
 * the CTL_JOURNAL_HOT next to be taken: the object holds live calls, and
 * a busy daemon does not fault a page in and out for every write. Once a
 * tick. */
void ctl_journal_trim(struct ctl_journal *j);

/* Writes c's current state. A call too big for a slot, or a full
 * journal, is counted and logged, and its older record wiped (a restart
 * must not take back a state the call has left): it would not survive a
 * restart, and c->journal_stale asks for another try. */
void ctl_journal_put(struct ctl *ctl, struct ctl_call *c);
/* Wipes c's record. */
void ctl_journal_drop(struct ctl *ctl, struct ctl_call *c);

/* Takes back every call the journal holds: calls, tags, key slots, ports
 * reserved, stream ids. Returns how many; records that do not read back
 * (torn, unknown interface, no memory) are wiped and logged. */
unsigned ctl_journal_recover(struct ctl *ctl);

#endif
