/* The registration store (TS 33.328 clause 7.1): per UE, what it said at
 * REGISTER ("e2ae-security supported by UE", its access network) and what
 * the network answered ("e2ae-security supported by network"), until the
 * registration expires. The P-CSCF fills it with the ng `register`
 * command; an offer that names a UE reads it (docs/CONTROL.md).
 *
 * UE identities are compared as exact bytes: aegw normalises nothing (no
 * RFC 3261 19.1.4 URI comparison, no case folding, no tel:/sip: mapping),
 * so the P-CSCF must name a UE in offers exactly as it registered it.
 *
 * At most `max` entries; a new one beyond that is refused, never evicted
 * (evicting a live registration would silently change a UE's policy).
 * The registry owns its entries. Control thread only; the clock is the
 * caller's (CLOCK_MONOTONIC ns), so tests inject it. */
#ifndef CTL_REGISTRY_H
#define CTL_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
	CTL_REG_ID_MAX = 256,     /* bytes of a UE identity (SIP/tel URI) */
	CTL_REG_ACCESS_MAX = 63,  /* bytes of an access-network type */
	CTL_DEFAULT_MAX_REGISTRATIONS = 100000,
};

/* The network's e2ae policy for an access network (--e2ae-policy). */
#define CTL_FOREACH_E2AE_POLICY(X)                                           \
	X(OFF, "off")             /* the network does not support e2ae */   \
	X(SUPPORTED, "supported") /* a UE may ask (a=3ge2ae:requested) */   \
	X(PREFERRED, "preferred") /* ... and terminating sessions get it */

enum ctl_e2ae_policy {
#define CTL_E2AE_POLICY_ENUM(id, name) CTL_E2AE_##id,
	CTL_FOREACH_E2AE_POLICY(CTL_E2AE_POLICY_ENUM)
#undef CTL_E2AE_POLICY_ENUM
	CTL_E2AE_POLICY_COUNT
};

const char *ctl_e2ae_policy_name(enum ctl_e2ae_policy p);
/* "off", "supported", "preferred" -> *out; 0, or -1 for anything else. */
int ctl_e2ae_policy_parse(const char *s, size_t len,
			  enum ctl_e2ae_policy *out);

/* What a REGISTER said and what the network answered. */
struct ctl_reg_info {
	bool ue_e2ae;                 /* e2ae-security supported by UE */
	bool net_e2ae;                /* ... supported by network: the
				       * answer the P-CSCF was given */
	enum ctl_e2ae_policy policy;  /* of its access network */
	char access[CTL_REG_ACCESS_MAX + 1]; /* access-type; "": none */
	uint64_t expires_ns;          /* CLOCK_MONOTONIC */
};

struct ctl_registration {
	struct ctl_reg_info info;
	uint16_t id_len;
	char id[CTL_REG_ID_MAX];      /* not NUL-terminated */
	unsigned heap_idx;            /* the registry's */
	unsigned store_slot;          /* reg_store.h; 0: none */
	struct ctl_registration *hash_next;
};

/* A hash by identity for lookups and a binary min-heap by expiry for the
 * sweep: registrations last different times, so, unlike the ng cache,
 * insertion order is not expiry order. */
struct ctl_registry {
	struct ctl_registration **buckets;
	unsigned n_buckets;           /* a power of two */
	struct ctl_registration **heap; /* soonest expiry first */
	unsigned n, max;
	uint64_t expired;             /* total: entries that expired */
	uint64_t refused;             /* total: new entries refused, full */
	/* The copy a restarted daemon takes back (reg_store.h); NULL: memory
	 * only. Every put writes it, every removal wipes its record; fini
	 * leaves it as it is. */
	struct ctl_reg_store *store;
};

/* max 0: CTL_DEFAULT_MAX_REGISTRATIONS. 0, or -1 (no memory). */
int ctl_registry_init(struct ctl_registry *r, unsigned max);
void ctl_registry_fini(struct ctl_registry *r);

/* Inserts id's registration, or refreshes it (a re-register replaces
 * every field, the expiry too). The entry, or NULL with the reason in
 * err: an identity empty or longer than CTL_REG_ID_MAX, the store full,
 * no memory. Expired entries are swept first, so they never fill it. */
struct ctl_registration *ctl_registry_put(struct ctl_registry *r,
					  const char *id, size_t len,
					  const struct ctl_reg_info *info,
					  uint64_t now_ns, char *err,
					  size_t errlen);
/* The live registration of id, or NULL; one found expired is removed.
 * Valid until the next call that changes the registry. */
struct ctl_registration *ctl_registry_find(struct ctl_registry *r,
					   const char *id, size_t len,
					   uint64_t now_ns);
/* Removes id's registration; whether a live one was there. */
bool ctl_registry_remove(struct ctl_registry *r, const char *id, size_t len,
			 uint64_t now_ns);
/* Removes every registration whose expiry is <= now_ns (the daemon's
 * tick). Returns how many. */
unsigned ctl_registry_expire(struct ctl_registry *r, uint64_t now_ns);

#endif
