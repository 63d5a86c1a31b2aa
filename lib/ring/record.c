/* Ring records: validation of a command before the worker trusts it, key
 * wiping, and the names of actions, record types and counters, expanded
 * from the X-macro lists in ring.h and counters.h so that a value and its
 * name live in one place. */
#include <stdbool.h>
#include <string.h>

#include "aegw/counters.h"
#include "aegw/error.h"
#include "aegw/ring.h"

static const char *const action_names[AEGW_ACTION_COUNT] = {
#define AEGW_ACTION_NAME(id, name) [AEGW_ACTION_##id] = name,
	AEGW_FOREACH_ACTION(AEGW_ACTION_NAME)
#undef AEGW_ACTION_NAME
};

static const char *const cmd_names[AEGW_CMD_COUNT] = {
#define AEGW_CMD_NAME(id, name) [AEGW_CMD_##id] = name,
	AEGW_FOREACH_CMD(AEGW_CMD_NAME)
#undef AEGW_CMD_NAME
};

static const char *const evt_names[AEGW_EVT_COUNT] = {
#define AEGW_EVT_NAME(id, name) [AEGW_EVT_##id] = name,
	AEGW_FOREACH_EVT(AEGW_EVT_NAME)
#undef AEGW_EVT_NAME
};

static const char *const stream_counter_names[AEGW_SC_COUNT] = {
#define AEGW_SC_NAME(name, help) [AEGW_SC_##name] = #name,
	AEGW_FOREACH_STREAM_COUNTER(AEGW_SC_NAME)
#undef AEGW_SC_NAME
};

static const char *const stream_counter_helps[AEGW_SC_COUNT] = {
#define AEGW_SC_HELP(name, help) [AEGW_SC_##name] = help,
	AEGW_FOREACH_STREAM_COUNTER(AEGW_SC_HELP)
#undef AEGW_SC_HELP
};

static const char *const worker_counter_names[AEGW_WC_COUNT] = {
#define AEGW_WC_NAME(name, help) [AEGW_WC_##name] = #name,
	AEGW_FOREACH_WORKER_COUNTER(AEGW_WC_NAME)
#undef AEGW_WC_NAME
};

static const char *const worker_counter_helps[AEGW_WC_COUNT] = {
#define AEGW_WC_HELP(name, help) [AEGW_WC_##name] = help,
	AEGW_FOREACH_WORKER_COUNTER(AEGW_WC_HELP)
#undef AEGW_WC_HELP
};

/* names[v], or "unknown" for a value out of range (from a record). */
static const char *lookup(const char *const names[], unsigned n, unsigned v)
{
	return v < n ? names[v] : "unknown";
}

const char *aegw_action_name(enum aegw_action a)
{
	return lookup(action_names, AEGW_ACTION_COUNT, (unsigned)a);
}

int aegw_action_from_name(const char *name, enum aegw_action *a)
{
	for (unsigned i = 0; name && i < AEGW_ACTION_COUNT; i++) {
		if (strcmp(name, action_names[i]) == 0) {
			*a = (enum aegw_action)i;
			return 0;
		}
	}
	return -1;
}

const char *aegw_cmd_type_name(enum aegw_cmd_type t)
{
	return lookup(cmd_names, AEGW_CMD_COUNT, (unsigned)t);
}

const char *aegw_evt_type_name(enum aegw_evt_type t)
{
	return lookup(evt_names, AEGW_EVT_COUNT, (unsigned)t);
}

const char *aegw_stream_counter_name(enum aegw_stream_counter c)
{
	return lookup(stream_counter_names, AEGW_SC_COUNT, (unsigned)c);
}

const char *aegw_stream_counter_help(enum aegw_stream_counter c)
{
	return lookup(stream_counter_helps, AEGW_SC_COUNT, (unsigned)c);
}

const char *aegw_worker_counter_name(enum aegw_worker_counter c)
{
	return lookup(worker_counter_names, AEGW_WC_COUNT, (unsigned)c);
}

const char *aegw_worker_counter_help(enum aegw_worker_counter c)
{
	return lookup(worker_counter_helps, AEGW_WC_COUNT, (unsigned)c);
}

enum aegw_stream_counter aegw_stream_counter_for_err(int err)
{
	switch (err) {
	case AEGW_ERR_TRUNCATED:
	case AEGW_ERR_BAD_VERSION:
	case AEGW_ERR_BAD_HEADER:
		return AEGW_SC_drop_malformed;
	case AEGW_ERR_AUTH_FAILED: return AEGW_SC_drop_auth_failed;
	case AEGW_ERR_REPLAY: return AEGW_SC_drop_replay;
	case AEGW_ERR_TOO_OLD: return AEGW_SC_drop_too_old;
	case AEGW_ERR_KEY_EXPIRED: return AEGW_SC_drop_key_expired;
	case AEGW_ERR_UNKNOWN_MKI: return AEGW_SC_drop_unknown_mki;
	case AEGW_ERR_POLICY: return AEGW_SC_drop_policy;
	case AEGW_ERR_NO_ROOM: return AEGW_SC_drop_no_room;
	default: return AEGW_SC_drop_crypto; /* BACKEND, or a bug */
	}
}

void aegw_cmd_wipe(struct aegw_cmd *cmd)
{
	if (!cmd)
		return;
	aegw_srtp_config_wipe(&cmd->spec.in_crypto);
	aegw_srtp_config_wipe(&cmd->spec.out_crypto);
}

enum {
	STREAM_FLAGS_KNOWN = AEGW_STREAM_RTCP_FLAGS | AEGW_STREAM_LATCH |
			     AEGW_STREAM_NO_REPLAY | AEGW_STREAM_STATIC,
	STREAM_RTCP_OUT_BOTH = AEGW_STREAM_RTCP_OUT_MUX |
			       AEGW_STREAM_RTCP_OUT_SPLIT,
	UPDATE_MASK_KNOWN = AEGW_UPDATE_IN_KEY | AEGW_UPDATE_OUT_KEY |
			    AEGW_UPDATE_REMOTE | AEGW_UPDATE_EGRESS |
			    AEGW_UPDATE_ACTION | AEGW_UPDATE_RTCP_PORT |
			    AEGW_UPDATE_FLAGS,
};

/* The worker makes both the RTP and the RTCP context from one config and
 * ignores its kind, so the config is judged with kind RTP, on a copy that
 * is wiped at once: it holds the keys. */
static int crypto_check(const struct aegw_srtp_config *cfg)
{
	struct aegw_srtp_config c = *cfg;
	int rc;

	c.kind = AEGW_SRTP_RTP;
	rc = aegw_srtp_config_check(&c);
	aegw_srtp_config_wipe(&c);
	return rc;
}

/* A set endpoint: a family and a port other than 0, which UDP can
 * neither send to nor come from. */
static bool ep_set(const struct aegw_endpoint *e)
{
	return (e->family == 4 || e->family == 6) && e->port != 0;
}

/* Unset, or set in the family the other end of the hop uses. */
static bool ep_unset_or(const struct aegw_endpoint *e, uint8_t family)
{
	return e->family == 0 || (ep_set(e) && e->family == family);
}

/* egress_src is always set: aegw sends from one of its own addresses.
 * egress_dst may be unset while a reverse stream has to latch it. */
static bool egress_ok(const struct aegw_stream_spec *sp)
{
	return ep_set(&sp->egress_src) &&
	       ep_unset_or(&sp->egress_dst, sp->egress_src.family);
}

static int check_add(const struct aegw_stream_spec *sp)
{
	int rc = AEGW_ERR_OK;

	if (sp->stream_id == 0 || sp->action >= AEGW_ACTION_COUNT ||
	    (sp->flags & ~STREAM_FLAGS_KNOWN) ||
	    (sp->flags & STREAM_RTCP_OUT_BOTH) == STREAM_RTCP_OUT_BOTH)
		return AEGW_ERR_BAD_RECORD;
	/* A packet comes to local from remote: one IP version. */
	if (!ep_set(&sp->local) ||
	    !ep_unset_or(&sp->remote, sp->local.family) || !egress_ok(sp))
		return AEGW_ERR_BAD_RECORD;
	if (aegw_action_unprotects(sp->action))
		rc = crypto_check(&sp->in_crypto);
	if (!rc && aegw_action_protects(sp->action))
		rc = crypto_check(&sp->out_crypto);
	return rc;
}

/* Only what update_mask names is read, so only that must be valid. What
 * needs the stream as it is (that a new action has the keys it uses, that
 * a new remote is in local's family) is the worker's to check. */
static int check_update(const struct aegw_stream_spec *sp, uint32_t mask)
{
	int rc = AEGW_ERR_OK;

	if (sp->stream_id == 0 || (mask & ~(uint32_t)UPDATE_MASK_KNOWN) ||
	    (sp->flags & ~STREAM_FLAGS_KNOWN) ||
	    (sp->flags & STREAM_RTCP_OUT_BOTH) == STREAM_RTCP_OUT_BOTH)
		return AEGW_ERR_BAD_RECORD;
	if ((mask & AEGW_UPDATE_ACTION) && sp->action >= AEGW_ACTION_COUNT)
		return AEGW_ERR_BAD_RECORD;
	if ((mask & AEGW_UPDATE_REMOTE) && sp->remote.family != 0 &&
	    !ep_set(&sp->remote))
		return AEGW_ERR_BAD_RECORD;
	if ((mask & AEGW_UPDATE_EGRESS) && !egress_ok(sp))
		return AEGW_ERR_BAD_RECORD;
	if (mask & AEGW_UPDATE_IN_KEY)
		rc = crypto_check(&sp->in_crypto);
	if (!rc && (mask & AEGW_UPDATE_OUT_KEY))
		rc = crypto_check(&sp->out_crypto);
	return rc;
}

int aegw_cmd_validate(const struct aegw_cmd *cmd)
{
	if (!cmd)
		return AEGW_ERR_INVALID_ARG;
	switch (cmd->type) {
	case AEGW_CMD_ADD_STREAM:
		return check_add(&cmd->spec);
	case AEGW_CMD_UPDATE_STREAM:
		return check_update(&cmd->spec, cmd->update_mask);
	case AEGW_CMD_REMOVE_STREAM:
		return cmd->stream_id ? AEGW_ERR_OK : AEGW_ERR_BAD_RECORD;
	case AEGW_CMD_DUMP:
	case AEGW_CMD_COUNTERS: /* stream_id 0: every stream */
		return AEGW_ERR_OK;
	default:
		return AEGW_ERR_BAD_RECORD;
	}
}
