/* SPDX-License-Identifier: MIT */
/*
 * The caller's log: the library never prints, it appends one line per diagnostic to a buffer
 * the caller owns. A NULL log discards messages. When the buffer fills, further text is dropped
 * and `truncated` is set; the buffer always stays NUL-terminated.
 */
#ifndef BPFHOST_LOG_H
#define BPFHOST_LOG_H

#include <stdarg.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

struct bpfh_log {
	char *buf;     /* caller's storage */
	size_t size;   /* its size in bytes */
	size_t len;    /* bytes written so far, excluding the NUL */
	int truncated; /* set when text was dropped */
};

/* Point log at buf[size] and empty it. */
void bpfh_log_init(struct bpfh_log *log, char *buf, size_t size);

/* Append formatted text (callers end each diagnostic with '\n'). log may be NULL. */
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
void bpfh_log_printf(struct bpfh_log *log, const char *fmt, ...);
void bpfh_log_vprintf(struct bpfh_log *log, const char *fmt, va_list ap);

#ifdef __cplusplus
}
#endif
#endif
