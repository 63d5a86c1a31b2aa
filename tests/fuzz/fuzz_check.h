/* The fuzz targets' invariant check: a broken one aborts, naming the
 * target's file, line and condition, so that libFuzzer keeps the input. */
#ifndef AEGW_FUZZ_CHECK_H
#define AEGW_FUZZ_CHECK_H

#include <stdio.h>
#include <stdlib.h>

#define FUZZ_CHECK(cond)                                                     \
	do {                                                                 \
		if (!(cond)) {                                               \
			fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__,   \
				#cond);                                      \
			abort();                                             \
		}                                                            \
	} while (0)

#endif
