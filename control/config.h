/* aegw-control's configuration file (INI, docs/CONFIGURATION.md). */
#ifndef CTL_CONFIG_H
#define CTL_CONFIG_H

#include <stddef.h>

struct ctl_options;

/* Applies the file at path to o, over its defaults. 0, or -1 with a
 * message naming the file, line, section and key in err. */
int ctl_config_load(struct ctl_options *o, const char *path, char *err,
		    size_t errlen);

#endif
