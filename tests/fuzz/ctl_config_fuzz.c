/* aegw-control's configuration file: any bytes as the file, then the
 * options it leaves must be whole (what the daemon would run with), or
 * the load failed with a message that names the file. The file goes
 * through a memfd, since the loader reads a path as the daemon does. */
#define _GNU_SOURCE /* memfd_create */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "options.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	static struct ctl_options o;
	char path[64], err[512] = "", *argv[] = { "aegw-control", "--config",
						  path, NULL };
	int rc;

	if (fd < 0)
		fd = memfd_create("ctl_config_fuzz", 0);
	if (fd < 0 || ftruncate(fd, 0) ||
	    pwrite(fd, data, size, 0) != (ssize_t)size)
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	rc = ctl_options_parse(&o, 3, argv, err, sizeof(err));
	if (rc < 0 && !err[0])
		abort(); /* a failure says why */
	if (rc == 0) {
		if (o.n_ifaces == 0 || o.n_ifaces > CTL_MAX_IFACES ||
		    o.n_udp + o.n_tcp == 0 || o.n_suites == 0 ||
		    o.n_suites > AEGW_SUITE_COUNT ||
		    o.n_ng_allow > CTL_MAX_NG_ALLOW ||
		    o.n_e2ae > CTL_MAX_E2AE_POLICIES)
			abort();
		for (unsigned i = 0; i < o.n_ifaces; i++)
			if (!o.ifaces[i].addr.family ||
			    o.ifaces[i].port_min > o.ifaces[i].port_max)
				abort();
	}
	return 0;
}
