// SPDX-License-Identifier: MIT
/* Platform calls that plain C11 stdio serves on every host. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "platform.h"

int bpfh_file_read(const char *path, char **data, size_t *size)
{
	FILE *f = (path[0] == '-' && path[1] == '\0') ? stdin : fopen(path, "rb");
	char *buf = NULL, *nb;
	size_t len = 0, cap = 0, n;
	int err = 0;

	*data = NULL;
	*size = 0;
	if (!f)
		return errno ? -errno : -ENOENT;
	for (;;) {
		if (cap - len < 4096) {
			cap = cap ? cap * 2 : 65536;
			nb = realloc(buf, cap + 1);
			if (!nb) {
				err = -ENOMEM;
				break;
			}
			buf = nb;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (n == 0) {
			if (ferror(f))
				err = -EIO;
			break;
		}
	}
	if (f != stdin)
		fclose(f);
	if (err) {
		free(buf);
		return err;
	}
	if (!buf) {
		buf = malloc(1);
		if (!buf)
			return -ENOMEM;
	}
	buf[len] = '\0';
	*data = buf;
	*size = len;
	return 0;
}

int bpfh_file_write(const char *path, const void *data, size_t size)
{
	FILE *f = fopen(path, "wb");
	int err = 0;

	if (!f)
		return errno ? -errno : -EIO;
	if (size && fwrite(data, 1, size, f) != size)
		err = -EIO;
	if (fclose(f) != 0 && !err)
		err = -EIO;
	return err;
}
