/* aegw-control's configuration file: [control] takes every command-line
 * option by its name, [interface NAME] one media interface, [e2ae-policy]
 * the TS 33.328 policy per access network. The command line, read after,
 * overrides it (options.c). */
#include <stdio.h>
#include <string.h>

#include "aegw/conf.h"
#include "config.h"
#include "options.h"

struct ctl_file {
	struct ctl_options *o;
	char err[256];
};

static const char *control_value(struct ctl_file *f, const char *key,
				 const char *value)
{
	if (!strcmp(key, "interface"))
		return "interfaces go in [interface NAME] sections";
	if (!strcmp(key, "e2ae-policy"))
		return "the policy goes in an [e2ae-policy] section";
	return ctl_option_set(f->o, key, value, f->err, sizeof(f->err)) ?
		       f->err : NULL;
}

/* The section's interface, made on its first key. */
static const char *iface_value(struct ctl_file *f, const char *name,
			       const char *key, const char *value)
{
	struct ctl_options *o = f->o;
	struct ctl_iface_cfg *ifc = NULL;

	for (unsigned i = 0; i < o->n_ifaces && !ifc; i++)
		if (!strcmp(o->ifaces[i].name, name))
			ifc = &o->ifaces[i];
	if (!ifc) {
		if (o->n_ifaces == CTL_MAX_IFACES)
			return "too many interfaces";
		ifc = &o->ifaces[o->n_ifaces];
		if (ctl_iface_init(ifc, name, strlen(name), o->n_ifaces))
			return "an interface name is 1 to 31 of [A-Za-z0-9_.-]";
		o->n_ifaces++;
	}
	return ctl_iface_field(ifc, key, value, strlen(value));
}

static const char *e2ae_value(struct ctl_file *f, const char *access,
			      const char *value)
{
	char spec[128];

	snprintf(spec, sizeof(spec), "%s=%s", access, value);
	return ctl_e2ae_policy_add(f->o, spec, f->err, sizeof(f->err)) ?
		       f->err : NULL;
}

static const char *file_value(void *user, const char *section,
			      const char *key, const char *value)
{
	struct ctl_file *f = user;

	if (!strcmp(section, "control"))
		return control_value(f, key, value);
	if (!strncmp(section, "interface ", 10))
		return iface_value(f, section + 10, key, value);
	if (!strcmp(section, "e2ae-policy"))
		return e2ae_value(f, key, value);
	return "unknown section (control, interface NAME, e2ae-policy)";
}

int ctl_config_load(struct ctl_options *o, const char *path, char *err,
		    size_t errlen)
{
	struct ctl_file f = { .o = o };

	return aegw_conf_load(path, file_value, &f, err, errlen);
}
