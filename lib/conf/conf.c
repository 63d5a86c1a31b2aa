/* INI files through libinih, with the line number inih's handler does not
 * get: our own reader counts the lines it hands over. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <ini.h>

#include "aegw/conf.h"

struct conf_ctx {
	FILE *f;
	unsigned line;
	bool too_long;
	aegw_conf_handler handler;
	void *user;
	const char *path;
	char *err;
	size_t errlen;
	bool failed;
};

/* inih asks for one line at a time, fgets-style. */
static char *conf_read_line(char *buf, int size, void *stream)
{
	struct conf_ctx *c = stream;
	char *s;
	int ch;

	if (c->failed)
		return NULL;
	s = fgets(buf, size, c->f);
	if (!s)
		return NULL;
	c->line++;
	if (!strchr(s, '\n') && (ch = fgetc(c->f)) != EOF) {
		ungetc(ch, c->f);
		c->too_long = true;
		c->failed = true;
		return NULL;
	}
	return s;
}

static int conf_on_value(void *user, const char *section, const char *key,
			 const char *value)
{
	struct conf_ctx *c = user;
	const char *why;

	if (c->failed)
		return 0;
	why = c->handler(c->user, section, key, value);
	if (!why)
		return 1;
	snprintf(c->err, c->errlen, "%s:%u: [%s] %s = %s: %s", c->path,
		 c->line, section, key, value, why);
	c->failed = true;
	return 0;
}

int aegw_conf_load(const char *path, aegw_conf_handler handler, void *user,
		   char *err, size_t errlen)
{
	struct conf_ctx c = { .handler = handler, .user = user, .path = path,
			      .err = err, .errlen = errlen };
	int rc;

	c.f = fopen(path, "r");
	if (!c.f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	rc = ini_parse_stream(conf_read_line, &c, conf_on_value, &c);
	fclose(c.f);
	if (c.too_long)
		snprintf(err, errlen, "%s:%u: line longer than %d characters",
			 path, c.line, INI_MAX_LINE - 2);
	else if (rc > 0 && !c.failed)
		snprintf(err, errlen, "%s:%d: syntax error: expected "
			 "'[section]' or 'key = value'", path, rc);
	return c.failed || rc ? -1 : 0;
}

int aegw_conf_bool(const char *v)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };

	for (unsigned i = 0; i < 4; i++) {
		if (!strcasecmp(v, yes[i]))
			return 1;
		if (!strcasecmp(v, no[i]))
			return 0;
	}
	return -1;
}
