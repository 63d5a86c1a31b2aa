/* The networks ng requests are taken from (--ng-allow): a P-CSCF's
 * addresses, so that nothing else on the signalling network can create
 * or delete calls. */
#ifndef CTL_ACL_H
#define CTL_ACL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct ctl_cidr {
	uint8_t family;   /* 4 or 6 */
	uint8_t prefix;   /* bits */
	uint8_t ip[16];   /* host bits cleared */
};

/* "ADDR/PREFIX" or a plain ADDR (the host alone), IPv4 or IPv6. 0, or -1
 * with a message in err. */
int ctl_cidr_parse(const char *s, struct ctl_cidr *c, char *err,
		   size_t errlen);

/* The CIDR as text, "ADDR/PREFIX". */
void ctl_cidr_format(const struct ctl_cidr *c, char *out, size_t outlen);

/* Whether ss is inside one of the n networks; every source when n is 0.
 * An IPv4-mapped IPv6 source (a dual-stack listener) counts as IPv4. */
bool ctl_acl_allows(const struct ctl_cidr *list, unsigned n,
		    const struct sockaddr_storage *ss);

#endif
