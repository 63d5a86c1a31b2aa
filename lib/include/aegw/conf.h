/* Configuration files (INI, parsed by libinih) for both daemons: one
 * reader that knows the line it is on, so that every error names the
 * file, the line, the section and the key. */
#ifndef AEGW_CONF_H
#define AEGW_CONF_H

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Called once per "key = value" in order; returns NULL when the value is
 * taken, or why it is not (the message needs to live only until the
 * handler is called again). */
typedef const char *(*aegw_conf_handler)(void *user, const char *section,
					 const char *key, const char *value);

/* Reads PATH. Stops at the first error with "PATH:LINE: [SECTION] KEY:
 * WHY" (or a syntax error, or why the file cannot be read) in err, and
 * returns -1; 0 when every line was taken. */
int aegw_conf_load(const char *path, aegw_conf_handler handler, void *user,
		   char *err, size_t errlen);

/* "yes"/"true"/"on"/"1" and "no"/"false"/"off"/"0"; -1 for anything else. */
int aegw_conf_bool(const char *value);

#ifdef __cplusplus
}
#endif

#endif
