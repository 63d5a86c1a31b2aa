/* The log: level filter and the line format. */
#include <stdarg.h>
#include <stdio.h>

#include "log.h"

static enum ctl_log_level cur_level = CTL_LOG_INFO;

static const char *const level_names[] = {
	[CTL_LOG_ERR] = "error",
	[CTL_LOG_WARN] = "warning",
	[CTL_LOG_INFO] = "info",
	[CTL_LOG_DEBUG] = "debug",
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
	fprintf(stderr, "aegw-control: %s: ", level_names[level]);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
