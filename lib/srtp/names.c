/* The suite table and error names, both expanded from the X-macro lists
 * in wire.h and error.h so that a value and its name live in one place. */
#include <string.h>

#include "aegw/error.h"
#include "aegw/wire.h"

static const struct aegw_suite_info suites[AEGW_SUITE_COUNT] = {
#define AEGW_SUITE_ROW(id, name, k, s, t, tc, a) \
	[AEGW_SUITE_##id] = { name, k, s, t, tc, a },
	AEGW_FOREACH_SUITE(AEGW_SUITE_ROW)
#undef AEGW_SUITE_ROW
};

const struct aegw_suite_info *aegw_suite_info(enum aegw_suite suite)
{
	if ((unsigned)suite >= AEGW_SUITE_COUNT)
		return NULL;
	return &suites[suite];
}

int aegw_suite_from_name(const char *name, enum aegw_suite *suite)
{
	for (unsigned i = 0; i < AEGW_SUITE_COUNT; i++) {
		if (strcmp(name, suites[i].name) == 0) {
			*suite = (enum aegw_suite)i;
			return 0;
		}
	}
	return -1;
}

static const char *const err_text[AEGW_ERR_COUNT] = {
#define AEGW_ERR_TEXT(id, text) [AEGW_ERR_##id] = text,
	AEGW_FOREACH_ERROR(AEGW_ERR_TEXT)
#undef AEGW_ERR_TEXT
};

static const char *const err_names[AEGW_ERR_COUNT] = {
#define AEGW_ERR_NAME(id, text) [AEGW_ERR_##id] = #id,
	AEGW_FOREACH_ERROR(AEGW_ERR_NAME)
#undef AEGW_ERR_NAME
};

const char *aegw_strerror(int err)
{
	if (err < 0 || err >= AEGW_ERR_COUNT)
		return "unknown error";
	return err_text[err];
}

const char *aegw_err_name(int err)
{
	if (err < 0 || err >= AEGW_ERR_COUNT)
		return "UNKNOWN";
	return err_names[err];
}
