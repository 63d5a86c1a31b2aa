/* aegw-dataplane's configuration file (INI, docs/CONFIGURATION.md): the
 * EAL's arguments and every option of the command line, which overrides
 * the file. Read before the EAL starts, since it holds the EAL's own. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aegw/conf.h"
#include "dp.h"

#define DP_EAL_ARGS_MAX 2048

struct dp_file {
	struct dp_config *cfg;
	char eal[DP_EAL_ARGS_MAX];
	char buf[256];
};

static const char *port_value(struct dp_file *f, const char *section,
			      const char *key, const char *value)
{
	static const char *const keys[] = { "addr", "gw", "vlan", "neigh" };
	char *end;
	unsigned long port = strtoul(section + 5, &end, 10);

	if (end == section + 5 || *end || port >= DP_MAX_PORTS) {
		snprintf(f->buf, sizeof(f->buf), "a port section is [port N], "
			 "N from 0 to %d", DP_MAX_PORTS - 1);
		return f->buf;
	}
	for (unsigned i = 0; i < 4; i++) {
		if (strcmp(key, keys[i]))
			continue;
		snprintf(f->buf, sizeof(f->buf), "%lu:%s", port, value);
		return dp_option_set(f->cfg, key, f->buf);
	}
	return "unknown key (a port takes addr, gw, vlan, neigh)";
}

static const char *file_value(void *user, const char *section,
			      const char *key, const char *value)
{
	struct dp_file *f = user;
	size_t have = strlen(f->eal);

	if (!strcmp(section, "dataplane"))
		return dp_option_set(f->cfg, key, value);
	if (!strncmp(section, "port ", 5))
		return port_value(f, section, key, value);
	if (strcmp(section, "eal"))
		return "unknown section (eal, dataplane, port N)";
	if (strcmp(key, "args"))
		return "unknown key (the EAL's arguments go in 'args')";
	if (have + strlen(value) + 2 > sizeof(f->eal))
		return "EAL arguments too long";
	snprintf(f->eal + have, sizeof(f->eal) - have, "%s%s", have ? " " : "",
		 value);
	return NULL;
}

/* The EAL's argv: argv[0], the file's [eal] args unless the command line
 * has EAL arguments of its own, then the command line without --config. */
static char **eal_argv(int argc, char **argv, int cfg_at, char *eal,
		       int *out_argc)
{
	char **out = calloc((size_t)argc + DP_EAL_ARGS_MAX / 2 + 1,
			    sizeof(*out));
	int n = 0, cli_eal = 0;

	if (!out)
		return NULL;
	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
		cli_eal += i != cfg_at && i != cfg_at + 1;
	out[n++] = argv[0];
	if (!cli_eal)
		for (char *t = strtok(eal, " \t"); t; t = strtok(NULL, " \t"))
			out[n++] = t;
	for (int i = 1; i < argc; i++)
		if (i != cfg_at && i != cfg_at + 1)
			out[n++] = argv[i];
	*out_argc = n;
	return out;
}

char **dp_config_argv(int argc, char **argv, struct dp_config *cfg,
		      int *out_argc)
{
	static struct dp_file f;
	char err[512];
	int at = 0;

	dp_options_defaults(cfg);
	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "--config"))
			at = i;
	if (at && at + 1 >= argc) {
		fprintf(stderr, "aegw-dataplane: --config needs a file\n");
		return NULL;
	}
	f.cfg = cfg;
	if (at && aegw_conf_load(argv[at + 1], file_value, &f, err,
				 sizeof(err))) {
		fprintf(stderr, "aegw-dataplane: %s\n", err);
		return NULL;
	}
	return eal_argv(argc, argv, at ? at : -2, f.eal, out_argc);
}
