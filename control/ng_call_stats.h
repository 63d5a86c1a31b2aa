/* The ng replies that report counters: delete and query (a call's streams
 * from the dataplane, per monologue and in total, as rtpengine lays them
 * out for Kamailio's $rtpstat) and statistics (the daemon's own). Control
 * thread only. */
#ifndef CTL_NG_CALL_STATS_H
#define CTL_NG_CALL_STATS_H

#include <stdbool.h>
#include <stddef.h>

#include "aegw/ng.h"
#include "ctl.h"

size_t ctl_ng_delete(struct ctl *ctl, const struct aegw_ng_request *req,
		     struct aegw_ng_str cookie, char *out, size_t cap);
size_t ctl_ng_query(struct ctl *ctl, const struct aegw_ng_request *req,
		    struct aegw_ng_str cookie, char *out, size_t cap);
size_t ctl_ng_statistics(struct ctl *ctl, struct aegw_ng_str cookie,
			 char *out, size_t cap);
/* "interfaces": per interface its address, name and pool use; with
 * with_config, its DPDK port and port range too (aegwctl policy). */
void ctl_ng_add_interfaces(struct aegw_benc_enc *e, const struct ctl *ctl,
			   bool with_config);

#endif
