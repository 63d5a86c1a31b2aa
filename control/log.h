/* aegw-control's log: one line per event on stderr, with a level. Keys,
 * SDP bodies and ng messages are never logged (they may carry keys);
 * call-ids and tags are. Single-threaded, like the daemon. */
#ifndef CTL_LOG_H
#define CTL_LOG_H

enum ctl_log_level {
	CTL_LOG_ERR,
	CTL_LOG_WARN,
	CTL_LOG_INFO,
	CTL_LOG_DEBUG,
};

void ctl_log_set_level(enum ctl_log_level level);
enum ctl_log_level ctl_log_get_level(void);

void ctl_log(enum ctl_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Writes the info and debug lines held so far. The loop calls it at the
 * end of each turn and the ng server before it sends replies, so a line
 * is out before the reply it goes with; at exit it runs by itself. */
void ctl_log_flush(void);

#endif
