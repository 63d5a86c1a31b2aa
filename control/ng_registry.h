/* aegw's ng extension commands for the registration store (TS 33.328
 * clause 7.1): register, deregister, lookup (docs/CONTROL.md). Each
 * returns the reply's length, or 0 with the reason in err: the caller
 * answers with result: error and counts it. Control thread only. */
#ifndef CTL_NG_REGISTRY_H
#define CTL_NG_REGISTRY_H

#include <stddef.h>

#include "aegw/ng.h"
#include "ctl.h"

typedef size_t ctl_ng_reg_fn(struct ctl *ctl, const struct aegw_ng_msg *msg,
			     const struct aegw_ng_request *req, char *out,
			     size_t cap, char *err, size_t errlen);

/* ue-identity, e2ae-security (or the flag e2ae-security-supported),
 * access-network, expires (0: deregister, as in SIP). The reply says
 * e2ae-security-network: supported or not-supported. */
ctl_ng_reg_fn ctl_ng_register;
/* ue-identity; ok, with a warning when it was not registered. */
ctl_ng_reg_fn ctl_ng_deregister;
/* ue-identity; the registration, its remaining expiry. */
ctl_ng_reg_fn ctl_ng_lookup;

#endif
