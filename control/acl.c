/* --ng-allow networks: parsing and matching. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acl.h"

static void cidr_mask(struct ctl_cidr *c)
{
	unsigned bytes = c->family == 4 ? 4 : 16;

	for (unsigned i = 0; i < bytes; i++) {
		unsigned keep = c->prefix > i * 8 ? c->prefix - i * 8 : 0;

		if (keep < 8)
			c->ip[i] &= (uint8_t)(0xff00u >> keep);
	}
}

int ctl_cidr_parse(const char *s, struct ctl_cidr *c, char *err,
		   size_t errlen)
{
	char host[64];
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	unsigned long prefix;
	char *end;

	memset(c, 0, sizeof(*c));
	if (n == 0 || n >= sizeof(host))
		goto bad;
	memcpy(host, s, n);
	host[n] = 0;
	if (inet_pton(AF_INET, host, c->ip) == 1)
		c->family = 4;
	else if (inet_pton(AF_INET6, host, c->ip) == 1)
		c->family = 6;
	else
		goto bad;
	prefix = c->family == 4 ? 32 : 128;
	if (slash) {
		errno = 0;
		if (slash[1] < '0' || slash[1] > '9')
			goto bad;
		prefix = strtoul(slash + 1, &end, 10);
		if (errno || *end || prefix > (c->family == 4 ? 32u : 128u))
			goto bad;
	}
	c->prefix = (uint8_t)prefix;
	cidr_mask(c);
	return 0;
bad:
	snprintf(err, errlen, "network '%s': expected ADDR[/PREFIX]", s);
	return -1;
}

void ctl_cidr_format(const struct ctl_cidr *c, char *out, size_t outlen)
{
	char ip[INET6_ADDRSTRLEN];

	inet_ntop(c->family == 4 ? AF_INET : AF_INET6, c->ip, ip, sizeof(ip));
	snprintf(out, outlen, "%s/%u", ip, c->prefix);
}

static bool cidr_holds(const struct ctl_cidr *c, const uint8_t *ip)
{
	unsigned full = c->prefix / 8, rest = c->prefix % 8;

	if (memcmp(c->ip, ip, full))
		return false;
	return rest == 0 ||
	       (ip[full] & (uint8_t)(0xff00u >> rest)) == c->ip[full];
}

bool ctl_acl_allows(const struct ctl_cidr *list, unsigned n,
		    const struct sockaddr_storage *ss)
{
	static const uint8_t v4mapped[12] = { [10] = 0xff, [11] = 0xff };
	const uint8_t *ip;
	uint8_t family;

	if (n == 0)
		return true;
	if (ss->ss_family == AF_INET) {
		ip = (const uint8_t *)&((const struct sockaddr_in *)ss)->sin_addr;
		family = 4;
	} else if (ss->ss_family == AF_INET6) {
		ip = ((const struct sockaddr_in6 *)ss)->sin6_addr.s6_addr;
		family = 6;
		if (!memcmp(ip, v4mapped, sizeof(v4mapped))) {
			ip += 12;
			family = 4;
		}
	} else {
		return false;
	}
	for (unsigned i = 0; i < n; i++)
		if (list[i].family == family && cidr_holds(&list[i], ip))
			return true;
	return false;
}
