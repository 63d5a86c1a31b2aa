/* A plain driver for the libFuzzer targets, so that the normal test build
 * exercises them without libFuzzer: runs LLVMFuzzerTestOneInput over every
 * file of the corpus directory given as argv[1], then over deterministic
 * pseudo-random inputs (half random bytes behind a random header, half
 * corpus files with a few bytes changed). */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum {
	REPLAY_N_RANDOM = 20000,
	REPLAY_MAX_INPUT = 1 << 16,
	REPLAY_MAX_FILES = 4096,
};

struct input {
	uint8_t *data;
	size_t len;
};

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	/* xorshift64* */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static int read_file(const char *path, struct input *in)
{
	FILE *fp = fopen(path, "rb");
	long n;

	if (!fp)
		return -1;
	if (fseek(fp, 0, SEEK_END) || (n = ftell(fp)) < 0 ||
	    n > REPLAY_MAX_INPUT || fseek(fp, 0, SEEK_SET)) {
		fclose(fp);
		return -1;
	}
	in->len = (size_t)n;
	in->data = malloc(in->len ? in->len : 1);
	if (!in->data || fread(in->data, 1, in->len, fp) != in->len) {
		free(in->data);
		fclose(fp);
		return -1;
	}
	fclose(fp);
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Reads every regular file of dir, in name order (a stable run). */
static size_t load_corpus(const char *dir, struct input *out)
{
	char *names[REPLAY_MAX_FILES];
	size_t n = 0, m = 0;
	struct dirent *e;
	DIR *d = opendir(dir);

	if (!d) {
		perror(dir);
		exit(1);
	}
	while ((e = readdir(d)) != NULL && n < REPLAY_MAX_FILES) {
		if (e->d_name[0] == '.')
			continue;
		names[n] = strdup(e->d_name);
		if (!names[n]) {
			closedir(d);
			exit(1);
		}
		n++;
	}
	closedir(d);
	qsort(names, n, sizeof(names[0]), by_name);
	for (size_t i = 0; i < n; i++) {
		char path[4096];
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (read_file(path, &out[m]) == 0)
			m++;
		free(names[i]);
	}
	return m;
}

int main(int argc, char **argv)
{
	static struct input corpus[REPLAY_MAX_FILES];
	uint8_t buf[2048];
	size_t n_corpus;

	if (argc != 2) {
		fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
		return 2;
	}
	n_corpus = load_corpus(argv[1], corpus);
	if (n_corpus == 0) {
		fprintf(stderr, "%s: no corpus files\n", argv[1]);
		return 1;
	}
	for (size_t i = 0; i < n_corpus; i++)
		LLVMFuzzerTestOneInput(corpus[i].data, corpus[i].len);
	for (unsigned i = 0; i < REPLAY_N_RANDOM; i++) {
		size_t len;

		if (i % 2 == 0) {
			len = (size_t)(rnd() % sizeof(buf));
			if (i % 8 == 0)
				len %= 48; /* many short ones */
			for (size_t j = 0; j < len; j++)
				buf[j] = (uint8_t)rnd();
			/* Mostly V=2 packets behind the 4-byte header and
			 * the first record's header. */
			if (len > 8 && rnd() % 4)
				buf[8] = (uint8_t)(0x80 | (buf[8] & 0x3f));
		} else {
			const struct input *c = &corpus[rnd() % n_corpus];
			len = c->len < sizeof(buf) ? c->len : sizeof(buf);
			memcpy(buf, c->data, len);
			for (unsigned k = 1 + (unsigned)(rnd() % 4); k && len;
			     k--)
				buf[rnd() % len] ^= (uint8_t)(1u << (rnd() % 8));
			if (rnd() % 8 == 0 && len)
				len -= (size_t)(rnd() % len); /* truncate */
		}
		/* Exactly len bytes, so the target's own reads are checked. */
		uint8_t *in = malloc(len ? len : 1);
		if (!in)
			return 1;
		memcpy(in, buf, len);
		LLVMFuzzerTestOneInput(in, len);
		free(in);
	}
	for (size_t i = 0; i < n_corpus; i++)
		free(corpus[i].data);
	printf("fuzz replay: %zu corpus files, %u random inputs: ok\n",
	       n_corpus, REPLAY_N_RANDOM);
	return 0;
}
