/* Index estimation (RFC 3711 3.3.1, appendix A), the replay window
 * (3.3.2) and the SSRC slots that hold them.
 *
 * The window is a ring of 64-bit words addressed by index: bit (i % 64) of
 * word ((i / 64) % words). Advancing the highest index clears the words it
 * passes, so a check or commit touches one word. With `words` words the
 * ring always remembers at least (words - 1) * 64 indices, which is why a
 * window of W packets gets W / 64 + 1 words. */
#include <string.h>

#include "internal.h"

static int retired_find(const struct aegw_srtp_stream *s, uint32_t ssrc)
{
	for (int i = 0; i < AEGW_SRTP_SSRC_RETIRED; i++)
		if (s->retired[i].in_use && s->retired[i].ssrc == ssrc)
			return i;
	return -1;
}

int aegw_slot_new_state(const struct aegw_srtp_stream *s, uint32_t ssrc,
			uint64_t *highest)
{
	int r = retired_find(s, ssrc);

	if (r < 0)
		return 0;
	*highest = s->retired[r].highest;
	return 1;
}

/* Gives an SSRC a slot once its first packet has authenticated. The least
 * recently used slot is recycled; its SSRC is remembered (by its highest
 * index) so that its old packets cannot be replayed once it is gone. */
int aegw_slot_adopt(struct aegw_srtp_stream *s, uint32_t ssrc, uint64_t index)
{
	int victim = 0;
	uint64_t floor = 0;
	int had_floor = aegw_slot_new_state(s, ssrc, &floor);
	/* The SSRC a context made again resumes is where its reading says
	 * it is; any other moves the reading (a reading names four SSRCs,
	 * a stream remembers six). */
	int resumed = s->resume_seeded && s->retired[0].in_use &&
		      s->retired[0].ssrc == ssrc;

	for (int i = 0; i < AEGW_SRTP_SSRC_SLOTS; i++) {
		if (!(s->slot_used >> i & 1)) {
			victim = i;
			break;
		}
		if (s->slots[i].last_use < s->slots[victim].last_use)
			victim = i;
	}
	struct ssrc_slot *st = &s->slots[victim];
	if (s->slot_used >> victim & 1) {
		int r = retired_find(s, st->ssrc);
		if (r < 0) {
			r = s->retired_next;
			s->retired_next = (uint8_t)((r + 1) %
						    AEGW_SRTP_SSRC_RETIRED);
		}
		s->retired[r] = (struct ssrc_retired){
			.highest = st->highest, .ssrc = st->ssrc, .in_use = 1
		};
	}
	int r = retired_find(s, ssrc);
	if (r >= 0)
		s->retired[r].in_use = 0;

	uint64_t *w = aegw_slot_window(s, victim);
	st->ssrc = ssrc;
	s->slot_used |= (uint8_t)(1u << victim);
	if (had_floor) {
		/* Everything at or below the old highest counts as seen;
		 * what lies above it in the same word does not. */
		memset(w, 0xff, s->win_words * sizeof(*w));
		if ((floor & 63) != 63)
			w[(floor >> 6) & (s->win_words - 1u)] &=
				(2ull << (floor & 63)) - 1;
		st->highest = floor;
	} else {
		memset(w, 0, s->win_words * sizeof(*w));
		st->highest = index;
	}
	if (!resumed)
		aegw_note_moved(s);
	aegw_replay_commit(s, victim, index);
	return victim;
}

/* Retired entries are a ring: the next to go is retired_next, the most
 * recently retired the one before it. A context made again holds the
 * SSRC it resumes at retired[0] with retired_next 1, so the earlier ones
 * go behind it, most recent first: retired[3], [2], [1]. */
void aegw_slots_seed_earlier(struct aegw_srtp_stream *s,
			     const struct aegw_srtp_config *cfg)
{
	for (unsigned k = 0; k < AEGW_SRTP_RESUME_EARLIER; k++) {
		const struct aegw_srtp_ssrc_at *e = &cfg->resume_earlier[k];

		if (!e->index)
			break;
		if (retired_find(s, e->ssrc) >= 0)
			continue; /* one SSRC, one entry */
		s->retired[AEGW_SRTP_SSRC_RETIRED - 1 - k] = (struct ssrc_retired){
			.highest = e->index, .ssrc = e->ssrc, .in_use = 1
		};
	}
}

static void earlier_add(struct aegw_srtp_ssrc_at out[], unsigned *n,
			uint32_t ssrc, uint64_t index)
{
	if (*n < AEGW_SRTP_RESUME_EARLIER && index)
		out[(*n)++] = (struct aegw_srtp_ssrc_at){ .ssrc = ssrc,
							  .index = index };
}

unsigned aegw_srtp_stream_earlier(const struct aegw_srtp_stream *s,
				  struct aegw_srtp_ssrc_at out[])
{
	uint32_t last;
	uint64_t index;
	unsigned n = 0;

	if (s->kind != AEGW_SRTP_RTP || aegw_srtp_stream_last(s, &last, &index))
		return 0;
	for (int i = 0; i < AEGW_SRTP_SSRC_SLOTS; i++)
		if ((s->slot_used >> i & 1) && s->slots[i].ssrc != last)
			earlier_add(out, &n, s->slots[i].ssrc, s->slots[i].highest);
	for (unsigned k = 1; k <= AEGW_SRTP_SSRC_RETIRED; k++) {
		const struct ssrc_retired *r =
			&s->retired[(s->retired_next + AEGW_SRTP_SSRC_RETIRED - k) %
				    AEGW_SRTP_SSRC_RETIRED];

		if (r->in_use && r->ssrc != last)
			earlier_add(out, &n, r->ssrc, r->highest);
	}
	return n;
}
