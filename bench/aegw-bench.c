/* aegw-bench: benchmarks of aegw, one subcommand per layer. main only
 * dispatches; each subcommand parses its own options. */
#include <stdio.h>
#include <string.h>

#include "bench.h"

struct subcommand {
	const char *name;
	const char *summary;
	int (*main)(int argc, char **argv);
};

static const struct subcommand subcommands[] = {
	{ "engine", "SRTP engine throughput against libsrtp2 and the raw "
		    "ipsec-mb crypto floor", bench_engine_main },
	{ "dataplane", "aegw-dataplane's full path per worker and action, "
		       "next to the engine alone", bench_dataplane_main },
	{ "pcap", "write the benchmark's SRTP traffic as pcaps (for "
		  "pktgen) and its streams", bench_pcap_main },
	{ "install", "install the benchmark's streams into a running "
		     "aegw-dataplane", bench_install_main },
	{ "control", "aegw-control's offer+answer pairs per second and the "
		     "time from an answer to the first packet forwarded",
	  bench_control_main },
};

static void usage(FILE *f)
{
	fprintf(f, "usage: aegw-bench <subcommand> [options]\n"
		   "subcommands:\n");
	for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]);
	     i++)
		fprintf(f, "  %-10s %s\n", subcommands[i].name,
			subcommands[i].summary);
	fprintf(f, "'aegw-bench <subcommand> --help' lists its options.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]);
	     i++)
		if (!strcmp(argv[1], subcommands[i].name))
			return subcommands[i].main(argc - 1, argv + 1);
	fprintf(stderr, "aegw-bench: unknown subcommand '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
