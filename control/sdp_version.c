/* The o= sess-version of what aegw sends a side (sdp_version.h). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "aegw/wipe.h"
#include "fnv.h"
#include "sdp_version.h"

/* Every line but o=, line ends included. */
uint64_t ctl_sdp_body_hash(const char *s, size_t n)
{
	uint64_t h = CTL_FNV1A64_INIT;
	size_t at = 0;

	while (at < n) {
		const char *nl = memchr(s + at, '\n', n - at);
		size_t end = nl ? (size_t)(nl - s) + 1 : n;

		if (end - at < 2 || s[at] != 'o' || s[at + 1] != '=')
			h = ctl_fnv1a64(h, s + at, end - at);
		at = end;
	}
	return h;
}

static bool number(const struct aegw_sdp_str *v, uint64_t *out)
{
	uint64_t x = 0;

	if (!v->n)
		return false;
	for (size_t i = 0; i < v->n; i++) {
		unsigned d = (unsigned)(v->p[i] - '0');

		if (d > 9 || x > (UINT64_MAX - d) / 10)
			return false;
		x = x * 10 + d;
	}
	*out = x;
	return true;
}

static uint64_t wanted(const struct ctl_sdp_sent *last,
		       const struct ctl_sdp_sent *now, uint64_t v)
{
	if (!last->sent || last->origin != now->origin || v > last->version)
		return v;
	if (now->body == last->body)
		return last->version;
	return last->version == UINT64_MAX ? v : last->version + 1;
}

int ctl_sdp_version(const struct ctl_sdp_sent *last, const struct aegw_sdp *in,
		    struct aegw_sdp_edit *ed, char *out, size_t cap,
		    size_t *out_len, struct ctl_sdp_sent *now, char *err,
		    size_t errlen)
{
	const struct aegw_sdp_origin *og = &in->origin;
	char digits[24];
	size_t first;
	uint64_t v;
	int rc;

	memset(now, 0, sizeof(*now));
	if (ed->origin_bump || !number(&og->sess_version, &v))
		return 0;
	now->sent = true;
	now->origin = ctl_fnv1a64(CTL_FNV1A64_INIT, og->user.p, og->user.n);
	now->origin = ctl_fnv1a64(now->origin, " ", 1);
	now->origin = ctl_fnv1a64(now->origin, og->sess_id.p, og->sess_id.n);
	now->body = ctl_sdp_body_hash(out, *out_len);
	now->version = wanted(last, now, v);
	if (now->version == v)
		return 0;
	snprintf(digits, sizeof(digits), "%" PRIu64, now->version);
	ed->origin_version = digits;
	first = *out_len;
	rc = aegw_sdp_rewrite(in, ed, out, cap, out_len, err, errlen);
	ed->origin_version = NULL;
	/* Keys were in the first writing: none of it may outlive this. */
	if (rc)
		aegw_wipe(out, first);
	else if (*out_len < first)
		aegw_wipe(out + *out_len, first - *out_len);
	return rc ? -1 : 0;
}
