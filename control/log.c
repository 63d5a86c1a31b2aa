/* The log: level filter and the line format. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "log.h"

static enum ctl_log_level cur_level = CTL_LOG_INFO;

static const char *const level_names[] = {
	[CTL_LOG_ERR] = "error",
	[CTL_LOG_WARN] = "warning",
	[CTL_LOG_INFO] = "info",
	[CTL_LOG_DEBUG] = "debug",
};

static const int syslog_priority[] = {
	[CTL_LOG_ERR] = 3, [CTL_LOG_WARN] = 4, [CTL_LOG_INFO] = 6,
	[CTL_LOG_DEBUG] = 7,
};

void ctl_log_set_level(enum ctl_log_level level)
{
	cur_level = level;
}

enum ctl_log_level ctl_log_get_level(void)
{
	return cur_level;
}

void ctl_log(enum ctl_log_level level, const char *fmt, ...)
{
	va_list ap;

	if (level > cur_level)
		return;
	/* Under systemd, stderr is the journal's stream: "<N>" gives the
	 * line its syslog priority there (sd-daemon(3)). */
	if (getenv("JOURNAL_STREAM"))
		fprintf(stderr, "<%d>", syslog_priority[level]);
	fprintf(stderr, "aegw-control: %s: ", level_names[level]);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
