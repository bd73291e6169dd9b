// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include "perfetto.h"

int perfetto__write(FILE *out, struct reader *r, struct analysis *a, char *err, size_t errlen)
{
	snprintf(err, errlen, "the Perfetto export is not built yet");
	return -ENOSYS;
}
