/* aegw-control: the ng-protocol daemon in front of aegw-dataplane. main
 * parses the options, builds the state and runs the loop; the rest lives
 * in its own files (docs/CONTROL.md). */
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>

#include "ctl.h"
#include "log.h"
#include "loop.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* A call is a 10 KB calloc. With the default 128 KB trim threshold the
 * heap's top grew and shrank with the calls in flight, a brk and a TLB
 * flush every few dozen calls (5% of the daemon under load). Freed memory
 * stays for the next call; what is mapped follows the peak. */
static void malloc_keep_freed(void)
{
	mallopt(M_TRIM_THRESHOLD, 64 << 20);
	mallopt(M_MMAP_THRESHOLD, 1 << 20);
}

static void signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

int main(int argc, char **argv)
{
	static struct ctl ctl;
	struct ctl_options opt;
	char err[256];
	int rc;

	rc = ctl_options_parse(&opt, argc, argv, err, sizeof(err));
	if (rc == 1) {
		ctl_options_usage(stdout, argv[0]);
		return 0;
	}
	if (rc) {
		fprintf(stderr, "aegw-control: %s\n", err);
		return 2;
	}
	ctl_log_set_level((enum ctl_log_level)opt.log_level);
	malloc_keep_freed();
	if (opt.journal < 0)
		opt.journal = 1;
	/* Keys live in this process: no core dumps, no ptrace by others. */
	prctl(PR_SET_DUMPABLE, 0);
	if (ctl_init(&ctl, &opt, err, sizeof(err))) {
		fprintf(stderr, "aegw-control: %s\n", err);
		return 1;
	}
	signals();
	ctl_log(CTL_LOG_INFO, "dataplane instance '%s', %u interface(s)",
		opt.instance, opt.n_ifaces);
	rc = ctl_loop_run(&ctl, &stop);
	/* A clean stop with no call left has nothing for a successor. */
	if (ctl.calls.n_calls == 0 && ctl.journal.base)
		ctl_journal_unlink(opt.instance);
	if (ctl.registry.n == 0 && ctl.reg_store.base)
		ctl_reg_store_unlink(opt.instance);
	ctl_fini(&ctl);
	return rc ? 1 : 0;
}
