/* The call table: a hash of call-ids with chaining, and a list of every
 * call in creation order (for list and for shutdown). */
#include <stdlib.h>
#include <string.h>

#include "calls.h"
#include "fnv.h"
#include "ports.h"
#include "ring_client.h"
#include "secret.h"

static const char *const mode_names[] = {
#define CTL_MODE_NAME(id, name) [CTL_MODE_##id] = name,
	CTL_FOREACH_MODE(CTL_MODE_NAME)
#undef CTL_MODE_NAME
};

const char *ctl_mode_name(enum ctl_mode m)
{
	return (unsigned)m < CTL_MODE_COUNT ? mode_names[m] : "unknown";
}

/* Call-ids come from the network, but the table only needs them
 * spread, and a P-CSCF is a trusted peer. */
static uint32_t hash(const char *p, size_t n)
{
	return ctl_fnv1a(CTL_FNV1A_INIT, p, n);
}

int ctl_calls_init(struct ctl_calls *t, unsigned expected)
{
	unsigned n = 1024;

	memset(t, 0, sizeof(*t));
	while (n < expected && n < (1u << 22))
		n <<= 1;
	t->buckets = calloc(n, sizeof(*t->buckets));
	if (!t->buckets)
		return -1;
	t->n_buckets = n;
	return 0;
}

void ctl_calls_fini(struct ctl_calls *t)
{
	while (t->first)
		ctl_call_destroy(t, t->first);
	free(t->buckets);
	t->buckets = NULL;
	ctl_id_map_fini(&t->by_stream);
}

struct ctl_call *ctl_call_by_stream(const struct ctl_calls *t, uint32_t id)
{
	return ctl_id_map_get(&t->by_stream, id);
}

int ctl_call_index_slot(struct ctl_calls *t, struct ctl_call *c, unsigned i)
{
	for (unsigned k = 0; k < 2; k++) {
		uint32_t id = c->slot[i].stream_id[k];

		if (id && ctl_id_map_put(&t->by_stream, id, c)) {
			ctl_id_map_del(&t->by_stream, c->slot[i].stream_id[0]);
			return -1;
		}
	}
	return 0;
}

static bool str_is(const char *s, const char *p, size_t n)
{
	return s && strlen(s) == n && memcmp(s, p, n) == 0;
}

struct ctl_call *ctl_call_find(const struct ctl_calls *t, const char *id,
			       size_t len)
{
	struct ctl_call *c = t->buckets[hash(id, len) & (t->n_buckets - 1)];

	while (c && !str_is(c->call_id, id, len))
		c = c->hash_next;
	return c;
}

static char *dup_id(const char *p, size_t n)
{
	char *s;

	if (n == 0 || n > CTL_ID_MAX || memchr(p, 0, n))
		return NULL;
	s = malloc(n + 1);
	if (s) {
		memcpy(s, p, n);
		s[n] = 0;
	}
	return s;
}

struct ctl_call *ctl_call_create(struct ctl_calls *t, const char *id,
				 size_t id_len, const char *tag,
				 size_t tag_len)
{
	struct ctl_call *c = calloc(1, sizeof(*c));
	struct ctl_call **b;

	if (!c)
		return NULL;
	c->call_id = dup_id(id, id_len);
	c->tag[0] = dup_id(tag, tag_len);
	if (!c->call_id || !c->tag[0]) {
		free(c->call_id);
		free(c->tag[0]);
		free(c);
		return NULL;
	}
	c->created = c->last_signal = time(NULL);
	c->created_ns = c->active_ns = ctl_now_ns();
	b = &t->buckets[hash(id, id_len) & (t->n_buckets - 1)];
	c->hash_next = *b;
	*b = c;
	c->prev = t->last;
	if (t->last)
		t->last->next = c;
	else
		t->first = c;
	t->last = c;
	t->n_calls++;
	t->created_total++;
	return c;
}

int ctl_call_reserve(struct ctl_call *c, unsigned n)
{
	struct ctl_media *block;

	if (n <= c->cap && c->media)
		return 0;
	n = n ? n : 1; /* arrays that exist, even for an SDP without m= */
	block = calloc(n, 2 * sizeof(struct ctl_media) +
			  sizeof(struct ctl_media_slot));
	if (!block)
		return -1;
	if (c->media) { /* key slots are pointers: they move with a copy */
		memcpy(block, c->media, c->n_media * sizeof(*c->media));
		memcpy(block + n, c->pending,
		       c->n_pending * sizeof(*c->pending));
		memcpy(block + 2 * n, c->slot, c->cap * sizeof(*c->slot));
		free(c->media);
	}
	c->media = block;
	c->pending = block + n;
	c->slot = (struct ctl_media_slot *)(block + 2 * n);
	c->cap = n;
	return 0;
}

void ctl_call_unmark_deleting(struct ctl_calls *t, struct ctl_call *c)
{
	if (!c->delete_ns)
		return;
	if (c->del_prev)
		c->del_prev->del_next = c->del_next;
	else
		t->del_first = c->del_next;
	if (c->del_next)
		c->del_next->del_prev = c->del_prev;
	else
		t->del_last = c->del_prev;
	c->del_prev = c->del_next = NULL;
	c->delete_ns = 0;
}

/* Sought from the tail: delays are mostly the daemon's one default, so a
 * new deadline is mostly the latest and the insert costs one step. */
void ctl_call_mark_deleting(struct ctl_calls *t, struct ctl_call *c,
			    uint64_t at_ns)
{
	struct ctl_call *after;

	ctl_call_unmark_deleting(t, c); /* before: c may be the last */
	after = t->del_last;
	while (after && after->delete_ns > at_ns)
		after = after->del_prev;
	c->delete_ns = at_ns;
	c->del_prev = after;
	c->del_next = after ? after->del_next : t->del_first;
	if (c->del_next)
		c->del_next->del_prev = c;
	else
		t->del_last = c;
	if (after)
		after->del_next = c;
	else
		t->del_first = c;
}

static void unlink_call(struct ctl_calls *t, struct ctl_call *c)
{
	struct ctl_call **p = &t->buckets[hash(c->call_id, strlen(c->call_id)) &
					  (t->n_buckets - 1)];

	while (*p && *p != c)
		p = &(*p)->hash_next;
	if (*p)
		*p = c->hash_next;
	if (t->cursor == c)
		t->cursor = c->next;
	ctl_call_unmark_deleting(t, c);
	if (c->prev)
		c->prev->next = c->next;
	else
		t->first = c->next;
	if (c->next)
		c->next->prev = c->prev;
	else
		t->last = c->prev;
	t->n_calls--;
}

void ctl_media_drop_keys(struct ctl_media *m, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		for (unsigned k = 0; k < 2; k++) {
			ctl_secret_free(m[i].leg[k].peer_key);
			ctl_secret_free(m[i].leg[k].our_key);
			m[i].leg[k].peer_key = m[i].leg[k].our_key = NULL;
		}
	}
}

struct aegw_srtp_config *ctl_key_dup(const struct aegw_srtp_config *k)
{
	struct aegw_srtp_config *d = ctl_secret_alloc();

	if (d)
		*d = *k;
	return d;
}

static struct aegw_srtp_config *key_dup(const struct aegw_srtp_config *k,
					bool *failed)
{
	struct aegw_srtp_config *d;

	if (!k)
		return NULL;
	d = ctl_key_dup(k);
	if (!d)
		*failed = true;
	return d;
}

int ctl_media_dup(struct ctl_media *dst, const struct ctl_media *src)
{
	bool failed = false;

	*dst = *src;
	for (unsigned k = 0; k < 2; k++) {
		dst->leg[k].peer_key = key_dup(src->leg[k].peer_key, &failed);
		dst->leg[k].our_key = key_dup(src->leg[k].our_key, &failed);
	}
	if (failed)
		ctl_media_drop_keys(dst, 1);
	return failed ? -1 : 0;
}

void ctl_call_destroy(struct ctl_calls *t, struct ctl_call *c)
{
	unlink_call(t, c);
	ctl_media_drop_keys(c->media, c->n_media);
	ctl_media_drop_keys(c->pending, c->n_pending);
	for (unsigned i = 0; i < c->cap; i++) {
		for (unsigned k = 0; k < 2; k++) {
			if (c->slot[i].port[k] && c->iface[k])
				ctl_pool_put(&c->iface[k]->pool,
					     c->slot[i].port[k]);
			ctl_id_map_del(&t->by_stream, c->slot[i].stream_id[k]);
		}
	}
	free(c->media);
	free(c->quality);
	free(c->call_id);
	free(c->tag[0]);
	free(c->tag[1]);
	free(c);
}

int ctl_call_side(const struct ctl_call *c, const char *tag, size_t len)
{
	for (int i = 0; i < 2; i++)
		if (str_is(c->tag[i], tag, len))
			return i;
	return -1;
}

int ctl_call_set_tag(struct ctl_call *c, unsigned side, const char *tag,
		     size_t len)
{
	char *s = dup_id(tag, len);

	if (!s)
		return -1;
	free(c->tag[side]);
	c->tag[side] = s;
	return 0;
}
