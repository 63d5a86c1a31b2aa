/* The log: level filter, the line format, and info lines held until
 * the loop's turn ends. */
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* Info and debug lines (a call's set-up and end: one or two a call)
 * wait here for ctl_log_flush, so that a batch of requests costs one
 * write, not one a call; warnings and errors flush at once. */
static char held[PIPE_BUF]; /* one write stays whole on a pipe */
static size_t held_len;

void ctl_log_flush(void)
{
	if (held_len)
		fwrite(held, 1, held_len, stderr);
	held_len = 0;
}

static void emit(enum ctl_log_level level, const char *line, size_t n)
{
	static bool hooked;

	if (level > CTL_LOG_WARN && n <= sizeof(held)) {
		if (!hooked)
			atexit(ctl_log_flush);
		hooked = true;
		if (n > sizeof(held) - held_len)
			ctl_log_flush();
		memcpy(held + held_len, line, n);
		held_len += n;
		return;
	}
	ctl_log_flush();
	fwrite(line, 1, n, stderr);
}

/* One write per line: stderr is unbuffered, and three writes a line
 * were three syscalls (and lines of two processes could interleave). A
 * line longer than the buffer is cut. */
void ctl_log(enum ctl_log_level level, const char *fmt, ...)
{
	char line[1024];
	size_t n = 0;
	va_list ap;
	int k;

	if (level > cur_level)
		return;
	/* Under systemd, stderr is the journal's stream: "<N>" gives the
	 * line its syslog priority there (sd-daemon(3)). */
	if (getenv("JOURNAL_STREAM"))
		n = (size_t)snprintf(line, sizeof(line), "<%d>",
				     syslog_priority[level]);
	n += (size_t)snprintf(line + n, sizeof(line) - n, "aegw-control: %s: ",
			      level_names[level]);
	va_start(ap, fmt);
	k = vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	va_end(ap);
	n = k < 0 ? n : n + (size_t)k < sizeof(line) - 1 ? n + (size_t)k :
							 sizeof(line) - 2;
	line[n++] = '\n';
	emit(level, line, n);
}
