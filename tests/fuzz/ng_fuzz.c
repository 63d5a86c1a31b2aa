/* libFuzzer target: one ng datagram, arbitrary bytes, into
 * ctl_ng_handle(), the function aegw-control's UDP listener calls
 * (control/ng_server.c udp_read), with the daemon's state in-process and
 * a stand-in dataplane behind the command ring (ctl_fuzz.h).
 *
 * Before the input, the ctl holds one call: Kamailio's offer from
 * /work/shared/samples/kamailio-ng.txt (call-id 1-18259@127.0.0.1), so
 * that an answer, query or delete in the input finds a call to act on and
 * an answer installs streams. Then the input, twice (the second time is a
 * retransmission). Checked (ctl_fuzz_common.c): a reply exactly when the
 * datagram has a cookie, a framed dictionary under that cookie with a
 * result (and an error-reason for an error), an SDP in it that parses
 * and names only aegw's ports, the same bytes for the retransmission;
 * then, once every call is deleted, no port, key slot or dataplane stream
 * left, and every command the ring carried valid for the dataplane.
 *
 * The seeds in tests/fuzz/corpus/ng are Kamailio 5.6's datagrams of the
 * samples file, one per file, and requests for the other commands and
 * keys aegw reads. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { NG_FUZZ_MAX = 65536 }; /* aegw-control reads datagrams into 64 KiB */

/* Kamailio 5.6's offer, byte for byte but for the cookie. */
static const char kamailio_offer[] =
	"preload d8:supportsl10:load limite3:sdp215:v=0\r\n"
	"o=user1 53655765 2353687637 IN IP4 127.0.0.1\r\n"
	"s=-\r\n"
	"c=IN IP4 127.0.0.1\r\n"
	"t=0 0\r\n"
	"m=audio 42010 RTP/SAVP 0\r\n"
	"a=rtpmap:0 PCMU/8000\r\n"
	"a=crypto:1 AES_CM_128_HMAC_SHA1_80 "
	"inline:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd\r\n"
	"18:transport-protocol7:RTP/AVP3:ICE6:remove7:replacel6:origin"
	"18:session-connectione7:call-id17:1-18259@127.0.0.113:received-from"
	"l3:IP49:127.0.0.1e8:from-tag15:18259SIPpTag0017:command5:offere";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *msg;

	if (size > NG_FUZZ_MAX)
		return 0;
	cfz_begin();
	CFZ_CHECK(!strcmp(cfz_handle(kamailio_offer,
				     sizeof(kamailio_offer) - 1), "ok"));
	/* Exactly size bytes on the heap: ASan sees any read past them. */
	msg = malloc(size ? size : 1);
	CFZ_CHECK(msg);
	if (size)
		memcpy(msg, data, size);
	cfz_handle(msg, size);
	free(msg);
	cfz_end();
	return 0;
}
