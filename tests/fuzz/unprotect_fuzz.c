/* libFuzzer target: aegw_srtp_unprotect (and protect) on arbitrary bytes.
 *
 * Input: a 4-byte configuration header, then records.
 *   byte 0: suite, modulo AEGW_SUITE_COUNT
 *   byte 1: bit 0 SRTCP, bit 1 OpenSSL backend (else ipsec-mb), bits 2-4
 *           session parameters, bits 5-7 KDR (0-4: none, 5: 2^1, 6: 2^8,
 *           7: 2^16)
 *   byte 2: mki_len = b % 5; with an MKI n_keys = 1 + (b / 5) % 8, else 1;
 *           active key (b / 40) % n_keys
 *   byte 3: bits 0-1 replay window (default, 64, 1000, 4096), bits 2-3
 *           initial ROC (0, 1, 0xffff, 0xffffffff), bits 4-5 master key
 *           lifetime (RFC maximum, RFC maximum, 3, 40 packets)
 * A record is ctl, len (16 bits, big-endian), aux and len bytes (fewer if
 * the input ends first); fewer than 4 bytes left are one last packet for
 * unprotect. By ctl % 4:
 *   0: unprotect the bytes in a heap buffer of exactly their length (size
 *      == len, no tailroom: ASan sees any read past the packet);
 *   1: the same, as a burst of two identical copies (a replay in one burst);
 *   2: protect the bytes on a sender stream of the same configuration,
 *      flip bit aux % 8 of byte aux / 8 counted from the end (aux 0: no
 *      flip), unprotect the result from an exact-length copy;
 *   3: protect only.
 * Protect's tailroom is ctl bits 2-3: the stream's overhead, overhead + 16,
 * overhead - 1, none.
 *
 * Each input gets fresh streams (fixed master keys), so a run depends on
 * the input alone; the two engines are created once.
 *
 * Besides ASan/UBSan, the target aborts when the engine breaks a promise:
 * a successful unprotect that grows the packet, a successful protect whose
 * length is not len + overhead, a round trip that authenticates but does
 * not give the plaintext back, a flipped bit that still authenticates, or
 * one packet accepted twice in a burst.
 *
 * The seeds in tests/fuzz/corpus/unprotect were written by this file built
 * with -DAEGW_FUZZ_SEED_GEN (a main() that takes the output directory). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aegw/error.h"
#include "aegw/srtp.h"

#include "fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { HDR_LEN = 4, REC_LEN = 4 };

struct fuzz_cfg {
	struct aegw_srtp_config cfg;
	enum aegw_srtp_backend backend;
	int auth;    /* the receiver authenticates */
	int encrypt; /* the payload is encrypted */
};

static void decode_cfg(const uint8_t h[HDR_LEN], struct fuzz_cfg *f)
{
	static const unsigned windows[4] = { 0, 64, 1000, 4096 };
	static const uint32_t rocs[4] = { 0, 1, 0xffff, 0xffffffff };
	static const uint64_t lifetimes[4] = { 0, 0, 3, 40 };
	static const unsigned kdrs[8] = { 0, 0, 0, 0, 0, 1, 8, 16 };
	struct aegw_srtp_config *c = &f->cfg;
	unsigned sp;

	memset(f, 0, sizeof(*f));
	c->suite = (enum aegw_suite)(h[0] % AEGW_SUITE_COUNT);
	c->kind = (h[1] & 1) ? AEGW_SRTP_RTCP : AEGW_SRTP_RTP;
	f->backend = (h[1] & 2) ? AEGW_SRTP_BACKEND_OPENSSL :
				  AEGW_SRTP_BACKEND_IPSECMB;
	c->session_params = sp = (h[1] >> 2) & 7u;
	c->kdr_log2 = kdrs[h[1] >> 5];
	c->mki_len = h[2] % 5u;
	c->n_keys = c->mki_len ? 1 + (h[2] / 5u) % AEGW_SRTP_MAX_KEYS : 1;
	c->active_key = (h[2] / 40u) % c->n_keys;
	c->window = windows[h[3] & 3];
	c->initial_roc = rocs[(h[3] >> 2) & 3];
	for (unsigned i = 0; i < c->n_keys; i++) {
		struct aegw_srtp_master_key *k = &c->keys[i];
		for (unsigned j = 0; j < sizeof(k->key); j++)
			k->key[j] = (uint8_t)(0x2b + 17 * i + 3 * j);
		for (unsigned j = 0; j < sizeof(k->salt); j++)
			k->salt[j] = (uint8_t)(0xc1 ^ (31 * i + j));
		/* Shared prefix, distinct last byte. */
		for (unsigned j = 0; j < c->mki_len; j++)
			k->mki[j] = j + 1 == c->mki_len ? (uint8_t)(0xa0 + i) :
							  0x5c;
		k->lifetime = lifetimes[(h[3] >> 4) & 3];
	}
	f->auth = !(c->kind == AEGW_SRTP_RTP &&
		    (sp & AEGW_SRTP_UNAUTHENTICATED_SRTP));
	f->encrypt = !(sp & (c->kind == AEGW_SRTP_RTP ?
				     AEGW_SRTP_UNENCRYPTED_SRTP :
				     AEGW_SRTP_UNENCRYPTED_SRTCP));
}

static struct aegw_srtp_engine *engine(enum aegw_srtp_backend be)
{
	static struct aegw_srtp_engine *engines[2];
	static int failed[2];
	unsigned i = be == AEGW_SRTP_BACKEND_OPENSSL;
	int err;

	if (!engines[i] && !failed[i]) {
		engines[i] = aegw_srtp_engine_create(be, &err);
		failed[i] = engines[i] == NULL;
	}
	return engines[i];
}

/* A heap copy of exactly len bytes, so that ASan reports any access past
 * the packet (for len 0, a 1-byte block: malloc(0) may return NULL). */
static uint8_t *exact_copy(const uint8_t *src, size_t len)
{
	uint8_t *b = malloc(len ? len : 1);

	FUZZ_CHECK(b != NULL);
	if (len)
		memcpy(b, src, len);
	return b;
}

static void unprotect_raw(struct aegw_srtp_engine *eng,
			  struct aegw_srtp_stream *rx, const struct fuzz_cfg *f,
			  const uint8_t *src, size_t len, int burst)
{
	uint8_t *b[2] = { exact_copy(src, len), NULL };
	struct aegw_srtp_pkt p[2] = {
		{ b[0], (uint32_t)len, (uint32_t)len },
	};
	struct aegw_srtp_stream *const ss[2] = { rx, rx };
	int st[2];
	unsigned n = 1;

	if (burst) {
		b[1] = exact_copy(src, len);
		p[1] = (struct aegw_srtp_pkt){ b[1], (uint32_t)len,
					       (uint32_t)len };
		n = 2;
		aegw_srtp_unprotect_burst(eng, ss, p, st, n);
		/* One index, one acceptance. */
		if (f->auth)
			FUZZ_CHECK(st[0] != AEGW_ERR_OK || st[1] != AEGW_ERR_OK);
	} else {
		st[0] = aegw_srtp_unprotect(eng, rx, &p[0]);
	}
	for (unsigned i = 0; i < n; i++) {
		FUZZ_CHECK(st[i] >= 0 && st[i] < AEGW_ERR_COUNT);
		if (st[i] == AEGW_ERR_OK)
			FUZZ_CHECK(p[i].len <= len && p[i].size == len &&
				   p[i].data == b[i]);
		free(b[i]);
	}
}

/* Protects a copy of src with the given tailroom selector. Returns the
 * buffer (caller frees) with *out_len set, or NULL if protect failed. */
static uint8_t *protect(struct aegw_srtp_engine *eng,
			struct aegw_srtp_stream *tx, const uint8_t *src,
			size_t len, unsigned tail_sel, uint32_t *out_len)
{
	unsigned over = aegw_srtp_stream_overhead(tx);
	size_t tail = tail_sel == 0 ? over :
		      tail_sel == 1 ? over + 16u :
		      tail_sel == 2 ? (over ? over - 1u : 0) :
				      0;
	uint8_t *b = malloc(len + tail ? len + tail : 1);
	struct aegw_srtp_pkt p = { b, (uint32_t)len, (uint32_t)(len + tail) };
	int st;

	FUZZ_CHECK(b != NULL);
	if (len)
		memcpy(b, src, len);
	st = aegw_srtp_protect(eng, tx, &p);
	FUZZ_CHECK(st >= 0 && st < AEGW_ERR_COUNT);
	if (st != AEGW_ERR_OK) {
		free(b);
		return NULL;
	}
	FUZZ_CHECK(p.len == len + over && p.len <= p.size && p.data == b);
	*out_len = p.len;
	return b;
}

static void round_trip(struct aegw_srtp_engine *eng,
		       struct aegw_srtp_stream *tx,
		       struct aegw_srtp_stream *rx, const struct fuzz_cfg *f,
		       const uint8_t *src, size_t len, unsigned tail_sel,
		       uint8_t aux)
{
	uint32_t plen;
	uint8_t *w = protect(eng, tx, src, len, tail_sel, &plen), *r;
	struct aegw_srtp_pkt p;
	int st;

	if (!w)
		return;
	if (aux && plen) {
		uint32_t pos = plen - 1 - (uint32_t)(aux / 8u) % plen;
		w[pos] ^= (uint8_t)(1u << (aux % 8u));
	}
	r = exact_copy(w, plen);
	free(w);
	p = (struct aegw_srtp_pkt){ r, plen, plen };
	st = aegw_srtp_unprotect(eng, rx, &p);
	FUZZ_CHECK(st >= 0 && st < AEGW_ERR_COUNT);
	if (st == AEGW_ERR_OK) {
		/* A tag stops any flipped bit; without one, only an
		 * unencrypted packet is sure to come back intact (the
		 * receiver may guess another ROC). */
		if (f->auth)
			FUZZ_CHECK(aux == 0);
		FUZZ_CHECK(p.len == len);
		if (!aux && (f->auth || !f->encrypt))
			FUZZ_CHECK(len == 0 || memcmp(r, src, len) == 0);
	}
	free(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_cfg f;
	struct aegw_srtp_engine *eng;
	struct aegw_srtp_stream *rx, *tx;
	int err;

	if (size < HDR_LEN)
		return 0;
	decode_cfg(data, &f);
	data += HDR_LEN;
	size -= HDR_LEN;
	eng = engine(f.backend);
	if (!eng)
		return 0;
	rx = aegw_srtp_stream_create(eng, &f.cfg, &err);
	tx = rx ? aegw_srtp_stream_create(eng, &f.cfg, &err) : NULL;
	aegw_srtp_config_wipe(&f.cfg);
	if (!tx) {
		/* Only configurations the engine refuses by design. */
		FUZZ_CHECK(err == AEGW_ERR_UNSUPPORTED);
		aegw_srtp_stream_free(rx);
		return 0;
	}
	do {
		uint8_t ctl = 0, aux = 0;
		size_t len = size;

		if (size >= REC_LEN) {
			ctl = data[0];
			len = (size_t)data[1] << 8 | data[2];
			aux = data[3];
			data += REC_LEN;
			size -= REC_LEN;
			if (len > size)
				len = size;
		}
		switch (ctl % 4) {
		case 0:
		case 1:
			unprotect_raw(eng, rx, &f, data, len, ctl % 4 == 1);
			break;
		case 2:
			round_trip(eng, tx, rx, &f, data, len, (ctl >> 2) & 3,
				   aux);
			break;
		case 3: {
			uint32_t plen;
			free(protect(eng, tx, data, len, (ctl >> 2) & 3, &plen));
			break;
		}
		}
		data += len;
		size -= len;
	} while (size > 0);
	aegw_srtp_stream_free(tx);
	aegw_srtp_stream_free(rx);
	return 0;
}

#ifdef AEGW_FUZZ_SEED_GEN
/* Writes the seed corpus: valid protected packets for a few
 * configurations, each behind the header that selects its configuration. */
int main(int argc, char **argv);

struct seed_pkt {
	uint8_t op;        /* record ctl */
	uint8_t aux;
	unsigned key;      /* master key protect uses */
	uint8_t raw[64];   /* plaintext */
	size_t len;
};

static size_t seed_record(struct aegw_srtp_engine *eng,
			  struct aegw_srtp_stream *tx,
			  const struct seed_pkt *sp, uint8_t *out)
{
	uint8_t buf[128];
	struct aegw_srtp_pkt p = { buf, (uint32_t)sp->len, sizeof(buf) };

	memcpy(buf, sp->raw, sp->len);
	if (sp->op % 4 == 0 || sp->op % 4 == 1) {
		FUZZ_CHECK(aegw_srtp_stream_set_active_key(tx, sp->key) == 0);
		FUZZ_CHECK(aegw_srtp_protect(eng, tx, &p) == AEGW_ERR_OK);
	}
	out[0] = sp->op;
	out[1] = (uint8_t)(p.len >> 8);
	out[2] = (uint8_t)p.len;
	out[3] = sp->aux;
	memcpy(out + REC_LEN, buf, p.len);
	return REC_LEN + p.len;
}

/* The raw records of a seed must unprotect on a fresh receiver. */
static void seed_verify(const struct fuzz_cfg *f, const uint8_t *rec,
			size_t n)
{
	struct aegw_srtp_engine *eng = engine(f->backend);
	struct aegw_srtp_stream *rx;
	int err;

	rx = aegw_srtp_stream_create(eng, &f->cfg, &err);
	FUZZ_CHECK(rx != NULL);
	while (n >= REC_LEN) {
		uint32_t len = (uint32_t)rec[1] << 8 | rec[2];
		uint8_t *b = exact_copy(rec + REC_LEN, len);
		struct aegw_srtp_pkt p = { b, len, len };

		if (rec[0] % 4 < 2)
			FUZZ_CHECK(aegw_srtp_unprotect(eng, rx, &p) ==
				   AEGW_ERR_OK);
		free(b);
		rec += REC_LEN + len;
		n -= REC_LEN + len;
	}
	aegw_srtp_stream_free(rx);
}

int main(int argc, char **argv)
{
	/* RTP: V=2, PT 0, seq, ts, SSRC; one with a CSRC and an extension. */
#define RTP(seq) 0x80, 0x00, 0x00, seq, 0, 0, 0x01, 0x40, 0x11, 0x22, 0x33, 0x44
#define RTCP_SR 0x80, 200, 0x00, 0x06, 0xde, 0xad, 0xbe, 0xef
	static const struct {
		const char *name;
		uint8_t hdr[HDR_LEN];
		struct seed_pkt pkts[3];
		unsigned n;
	} seeds[] = {
		{ "rtp_cm80_ipsecmb", { 0, 0x00, 0, 0x00 },
		  { { 0, 0, 0, { RTP(1), 1, 2, 3, 4, 5, 6, 7, 8 }, 20 },
		    { 0, 0, 0, { RTP(2), 9, 9, 9, 9 }, 16 },
		    { 2, 0, 0, { RTP(3), 1, 2, 3, 4, 5, 6, 7, 8 }, 20 } }, 3 },
		{ "rtcp_cm32_mki1x3_openssl", { 1, 0x03, 11, 0x01 },
		  { { 0, 0, 1, { RTCP_SR, 1, 2, 3, 4, 5, 6, 7, 8 }, 16 },
		    { 0, 0, 0, { RTCP_SR, 0, 0, 0, 0 }, 12 } }, 2 },
		{ "rtp_gcm128_mki4x2_openssl", { 6, 0x02, 9, 0x00 },
		  { { 0, 0, 1,
		      { 0x91, 0x7f, 0xff, 0xff, 0, 0, 0, 1, 0x55, 0x66, 0x77,
			0x88, 0xca, 0xfe, 0xba, 0xbe, 0xbe, 0xde, 0x00, 0x01,
			0x10, 0xaa, 0x00, 0x00, 1, 2, 3, 4 }, 28 },
		    { 2, 0x29, 0, { RTP(5), 7, 7 }, 14 } }, 2 },
		{ "rtcp_gcm256_unenc_kdr8_ipsecmb",
		  { 7, 0x01 | 0x02 << 2 | 6 << 5, 0, 0x00 },
		  { { 0, 0, 0, { RTCP_SR, 1, 2, 3, 4 }, 12 },
		    { 1, 0, 0, { RTCP_SR, 5, 6, 7, 8 }, 12 } }, 2 },
	};
#undef RTP
#undef RTCP_SR
	if (argc != 2) {
		fprintf(stderr, "usage: %s OUTPUT_DIR\n", argv[0]);
		return 2;
	}
	for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
		struct fuzz_cfg f;
		struct aegw_srtp_engine *eng;
		struct aegw_srtp_stream *tx;
		uint8_t out[1024];
		size_t n = HDR_LEN;
		char path[4096];
		FILE *fp;
		int err;

		decode_cfg(seeds[i].hdr, &f);
		eng = engine(f.backend);
		FUZZ_CHECK(eng != NULL);
		tx = aegw_srtp_stream_create(eng, &f.cfg, &err);
		FUZZ_CHECK(tx != NULL);
		memcpy(out, seeds[i].hdr, HDR_LEN);
		for (unsigned j = 0; j < seeds[i].n; j++)
			n += seed_record(eng, tx, &seeds[i].pkts[j], out + n);
		aegw_srtp_stream_free(tx);
		seed_verify(&f, out + HDR_LEN, n - HDR_LEN);
		snprintf(path, sizeof(path), "%s/%s", argv[1], seeds[i].name);
		fp = fopen(path, "wb");
		FUZZ_CHECK(fp != NULL);
		FUZZ_CHECK(fwrite(out, 1, n, fp) == n);
		fclose(fp);
		/* Every seed must unprotect cleanly through the target. */
		LLVMFuzzerTestOneInput(out, n);
	}
	return 0;
}
#endif
