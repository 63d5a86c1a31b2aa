/* The registration store: a chained hash by UE identity, and a binary
 * min-heap by expiry whose slot each entry remembers (heap_idx), so a
 * refresh or a removal fixes the heap in O(log n) and the sweep pops only
 * what has expired. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fnv.h"
#include "reg_store.h"
#include "registry.h"

static const char *const policy_names[] = {
#define CTL_E2AE_POLICY_NAME(id, name) name,
	CTL_FOREACH_E2AE_POLICY(CTL_E2AE_POLICY_NAME)
#undef CTL_E2AE_POLICY_NAME
};

const char *ctl_e2ae_policy_name(enum ctl_e2ae_policy p)
{
	return (unsigned)p < CTL_E2AE_POLICY_COUNT ? policy_names[p] : "?";
}

int ctl_e2ae_policy_parse(const char *s, size_t len,
			  enum ctl_e2ae_policy *out)
{
	for (unsigned p = 0; p < CTL_E2AE_POLICY_COUNT; p++) {
		if (strlen(policy_names[p]) == len &&
		    !memcmp(policy_names[p], s, len)) {
			*out = (enum ctl_e2ae_policy)p;
			return 0;
		}
	}
	return -1;
}

int ctl_registry_init(struct ctl_registry *r, unsigned max)
{
	unsigned n = 64;

	memset(r, 0, sizeof(*r));
	r->max = max ? max : CTL_DEFAULT_MAX_REGISTRATIONS;
	while (n < r->max && n < (1u << 20))
		n <<= 1;
	r->buckets = calloc(n, sizeof(*r->buckets));
	/* Untouched pages of the heap array cost no memory until used. */
	r->heap = malloc((size_t)r->max * sizeof(*r->heap));
	if (!r->buckets || !r->heap) {
		ctl_registry_fini(r);
		return -1;
	}
	r->n_buckets = n;
	return 0;
}

void ctl_registry_fini(struct ctl_registry *r)
{
	for (unsigned i = 0; i < r->n; i++)
		free(r->heap[i]);
	free(r->heap);
	free(r->buckets);
	r->heap = NULL;
	r->buckets = NULL;
	r->n = 0;
}

static uint32_t hash(const char *id, size_t len)
{
	return ctl_fnv1a(CTL_FNV1A_INIT, id, len);
}

static struct ctl_registration **slot_of(struct ctl_registry *r,
					 const char *id, size_t len)
{
	struct ctl_registration **p =
		&r->buckets[hash(id, len) & (r->n_buckets - 1)];

	while (*p && !((*p)->id_len == len && !memcmp((*p)->id, id, len)))
		p = &(*p)->hash_next;
	return p;
}

/* ---- the heap ---------------------------------------------------------- */

static bool sooner(const struct ctl_registration *a,
		   const struct ctl_registration *b)
{
	return a->info.expires_ns < b->info.expires_ns;
}

static void heap_set(struct ctl_registry *r, unsigned i,
		     struct ctl_registration *e)
{
	r->heap[i] = e;
	e->heap_idx = i;
}

static void sift_up(struct ctl_registry *r, unsigned i)
{
	struct ctl_registration *e = r->heap[i];

	while (i > 0 && sooner(e, r->heap[(i - 1) / 2])) {
		heap_set(r, i, r->heap[(i - 1) / 2]);
		i = (i - 1) / 2;
	}
	heap_set(r, i, e);
}

static void sift_down(struct ctl_registry *r, unsigned i)
{
	struct ctl_registration *e = r->heap[i];

	for (;;) {
		unsigned c = 2 * i + 1;

		if (c >= r->n)
			break;
		if (c + 1 < r->n && sooner(r->heap[c + 1], r->heap[c]))
			c++;
		if (!sooner(r->heap[c], e))
			break;
		heap_set(r, i, r->heap[c]);
		i = c;
	}
	heap_set(r, i, e);
}

/* e's expiry changed: up or down to its place. */
static void heap_fix(struct ctl_registry *r, struct ctl_registration *e)
{
	sift_up(r, e->heap_idx);
	sift_down(r, e->heap_idx);
}

/* ---- entries ----------------------------------------------------------- */

static void unlink_free(struct ctl_registry *r, struct ctl_registration *e)
{
	struct ctl_registration **p = slot_of(r, e->id, e->id_len);
	struct ctl_registration *last = r->heap[--r->n];

	*p = e->hash_next;
	if (r->store)
		ctl_reg_store_drop(r->store, e);
	if (last != e) {
		heap_set(r, e->heap_idx, last);
		heap_fix(r, last);
	}
	free(e);
}

unsigned ctl_registry_expire(struct ctl_registry *r, uint64_t now_ns)
{
	unsigned n = 0;

	while (r->n && r->heap[0]->info.expires_ns <= now_ns) {
		unlink_free(r, r->heap[0]);
		n++;
	}
	r->expired += n;
	return n;
}

static struct ctl_registration *add(struct ctl_registry *r,
				    struct ctl_registration **slot,
				    const char *id, size_t len, char *err,
				    size_t errlen)
{
	struct ctl_registration *e;

	if (r->n >= r->max) {
		r->refused++;
		snprintf(err, errlen, "registration store full (%u entries, "
			 "--max-registrations)", r->max);
		return NULL;
	}
	e = calloc(1, sizeof(*e));
	if (!e) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	memcpy(e->id, id, len);
	e->id_len = (uint16_t)len;
	*slot = e;
	heap_set(r, r->n++, e);
	return e;
}

struct ctl_registration *ctl_registry_put(struct ctl_registry *r,
					  const char *id, size_t len,
					  const struct ctl_reg_info *info,
					  uint64_t now_ns, char *err,
					  size_t errlen)
{
	struct ctl_registration **slot, *e;

	if (len == 0 || len > CTL_REG_ID_MAX) {
		snprintf(err, errlen, "ue-identity must be 1 to %d bytes",
			 CTL_REG_ID_MAX);
		return NULL;
	}
	ctl_registry_expire(r, now_ns);
	slot = slot_of(r, id, len);
	e = *slot ? *slot : add(r, slot, id, len, err, errlen);
	if (!e)
		return NULL;
	e->info = *info;
	e->info.access[CTL_REG_ACCESS_MAX] = 0;
	heap_fix(r, e);
	if (r->store)
		ctl_reg_store_put(r->store, e);
	return e;
}

struct ctl_registration *ctl_registry_find(struct ctl_registry *r,
					   const char *id, size_t len,
					   uint64_t now_ns)
{
	struct ctl_registration *e;

	if (len == 0 || len > CTL_REG_ID_MAX)
		return NULL;
	e = *slot_of(r, id, len);
	/* The tick sweeps every 100 ms; between ticks, the clock decides. */
	if (e && e->info.expires_ns <= now_ns) {
		unlink_free(r, e);
		r->expired++;
		return NULL;
	}
	return e;
}

bool ctl_registry_remove(struct ctl_registry *r, const char *id, size_t len,
			 uint64_t now_ns)
{
	struct ctl_registration *e = ctl_registry_find(r, id, len, now_ns);

	if (e)
		unlink_free(r, e);
	return e != NULL;
}
