// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include "mermaid.h"

int mermaid__write(FILE *out, const struct analysis *a, const struct trace_start *st,
		   char *err, size_t errlen)
{
	snprintf(err, errlen, "the Mermaid picture is not built yet");
	return -ENOSYS;
}
