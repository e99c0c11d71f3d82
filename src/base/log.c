// SPDX-License-Identifier: MIT
/* The caller-owned diagnostic log (include/bpfhost/log.h). */
#include <stdio.h>

#include "bpfhost/log.h"

void bpfh_log_init(struct bpfh_log *log, char *buf, size_t size)
{
	log->buf = buf;
	log->size = size;
	log->len = 0;
	log->truncated = 0;
	if (buf && size)
		buf[0] = '\0';
}

void bpfh_log_vprintf(struct bpfh_log *log, const char *fmt, va_list ap)
{
	size_t room;
	int n;

	if (!log || !log->buf || log->size == 0)
		return;
	if (log->len + 1 >= log->size) {
		log->truncated = 1;
		return;
	}
	room = log->size - log->len;
	n = vsnprintf(log->buf + log->len, room, fmt, ap);
	if (n < 0)
		return;
	if ((size_t)n >= room) {
		log->len = log->size - 1;
		log->truncated = 1;
	} else {
		log->len += (size_t)n;
	}
}

void bpfh_log_printf(struct bpfh_log *log, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	bpfh_log_vprintf(log, fmt, ap);
	va_end(ap);
}
