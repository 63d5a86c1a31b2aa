/* aegw-bench control: the ng side. Requests are Kamailio 5.6's own
 * datagrams (/work/shared/samples/kamailio-ng.txt, the e2ae flags: an
 * SRTP offer from the UE, transport-protocol RTP/AVP toward the core, the
 * core's plain answer, the delete), byte for byte but for the cookie and
 * the call-id, which every call makes unique. Replies are read with
 * lib/bencode's ng parser. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "aegw/ng.h"
#include "ctlbench.h"

/* Each request split around the call-id's value ("17:1-18259@127.0.0.1"
 * in the capture): what comes before it, what after. */
struct ng_template {
	const char *head, *tail;
};

static const struct ng_template templates[] = {
	[CTB_OFFER] = {
		"d8:supportsl10:load limite3:sdp215:v=0\r\n"
		"o=user1 53655765 2353687637 IN IP4 127.0.0.1\r\n"
		"s=-\r\n"
		"c=IN IP4 127.0.0.1\r\n"
		"t=0 0\r\n"
		"m=audio 42010 RTP/SAVP 0\r\n"
		"a=rtpmap:0 PCMU/8000\r\n"
		"a=crypto:1 AES_CM_128_HMAC_SHA1_80 "
		"inline:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd\r\n"
		"18:transport-protocol7:RTP/AVP3:ICE6:remove7:replacel6:origin"
		"18:session-connectione7:call-id",
		"13:received-froml3:IP49:127.0.0.1e8:from-tag15:18259SIPpTag001"
		"7:command5:offere",
	},
	[CTB_ANSWER] = {
		"d8:supportsl10:load limite3:sdp130:v=0\r\n"
		"o=user1 53655765 2353687637 IN IP4 127.0.0.1\r\n"
		"s=-\r\n"
		"c=IN IP4 127.0.0.1\r\n"
		"t=0 0\r\n"
		"m=audio 42000 RTP/AVP 0\r\n"
		"a=rtpmap:0 PCMU/8000\r\n"
		"18:transport-protocol8:RTP/SAVP7:replacel6:origin"
		"18:session-connectione7:call-id",
		"13:received-froml3:IP49:127.0.0.1e8:from-tag15:18259SIPpTag001"
		"6:to-tag15:18255SIPpTag0117:command6:answere",
	},
	[CTB_DELETE] = {
		"d8:supportsl10:load limite7:call-id",
		"13:received-froml3:IP49:127.0.0.1e8:from-tag15:18259SIPpTag001"
		"7:command6:deletee",
	},
};

size_t ctb_ng_request(char *buf, size_t cap, enum ctb_req req,
		      const char *cookie, const char *call_id)
{
	const struct ng_template *t = &templates[req];
	int n = snprintf(buf, cap, "%s %s%zu:%s%s", cookie, t->head,
			 strlen(call_id), call_id, t->tail);

	return n > 0 && (size_t)n < cap ? (size_t)n : 0;
}

/* The port of the first m= line: "m=<media> <port> ...". */
static uint16_t first_media_port(const char *p, size_t n)
{
	for (size_t i = 0; i + 2 < n; i++) {
		unsigned long port = 0;
		size_t j;

		if (p[i] != 'm' || p[i + 1] != '=' || (i && p[i - 1] != '\n'))
			continue;
		for (j = i + 2; j < n && p[j] != ' '; j++)
			;
		for (j++; j < n && p[j] >= '0' && p[j] <= '9'; j++)
			port = port * 10 + (unsigned long)(p[j] - '0');
		return port <= 65535 ? (uint16_t)port : 0;
	}
	return 0;
}

int ctb_ng_reply(const char *buf, size_t len, struct ctb_reply *r)
{
	static struct aegw_benc_node nodes[256];
	const struct aegw_benc_node *res, *sdp, *why;
	struct aegw_ng_msg m;

	memset(r, 0, sizeof(*r));
	if (aegw_ng_parse(buf, len, nodes, 256, &m, NULL) ||
	    m.cookie.len >= sizeof(r->cookie))
		return -1;
	memcpy(r->cookie, m.cookie.p, m.cookie.len);
	res = aegw_benc_dict_get(m.dict, "result");
	r->ok = aegw_benc_str_eq(res, "ok");
	sdp = aegw_benc_dict_get(m.dict, "sdp");
	if (aegw_benc_is_str(sdp))
		r->media_port = first_media_port(sdp->str, sdp->len);
	why = aegw_benc_dict_get(m.dict, "error-reason");
	if (!r->ok)
		snprintf(r->reason, sizeof(r->reason), "%.*s",
			 aegw_benc_is_str(why) ? (int)why->len :
			 aegw_benc_is_str(res) ? (int)res->len : 0,
			 aegw_benc_is_str(why) ? why->str :
			 aegw_benc_is_str(res) ? res->str : "");
	return 0;
}

int ctb_ng_socket(uint16_t port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons(port) };
	/* Replies of a whole window may wait while this process is
	 * descheduled: room for a few hundred. */
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0),
	    rcvbuf = 4 << 20;

	if (fd < 0)
		return -1;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		close(fd);
		return -1;
	}
	return fd;
}

int ctb_ng_ask(int fd, const char *msg, size_t len, struct ctb_reply *r,
	       int timeout_ms)
{
	const char *sp = memchr(msg, ' ', len);
	size_t cl = sp ? (size_t)(sp - msg) : 0;
	double end = ctb_now_s() + timeout_ms / 1000.0;
	char buf[8192];

	memset(r, 0, sizeof(*r));
	if (send(fd, msg, len, 0) != (ssize_t)len)
		return -1;
	while (ctb_now_s() < end) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (poll(&p, 1, 10) < 0 && errno != EINTR)
			return -1;
		n = recv(fd, buf, sizeof(buf), 0);
		if (n <= 0)
			continue;
		/* A late reply to an earlier request is not ours. */
		if (!ctb_ng_reply(buf, (size_t)n, r) &&
		    strlen(r->cookie) == cl && !memcmp(r->cookie, msg, cl))
			return 0;
		memset(r, 0, sizeof(*r));
	}
	return -1;
}
