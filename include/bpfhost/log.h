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

/*
 * printf-style format checking. The library formats with C99 printf (on MinGW-w64 it is built
 * with __USE_MINGW_ANSI_STDIO=1), where GCC's plain "printf" archetype would mean Microsoft's
 * dialect (no %zu) on Windows targets; gnu_printf names the C99 one there.
 */
#if defined(__MINGW32__) && defined(__GNUC__)
#define BPFH_PRINTF(fmt, args) __attribute__((format(gnu_printf, fmt, args)))
#elif defined(__GNUC__)
#define BPFH_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define BPFH_PRINTF(fmt, args)
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
BPFH_PRINTF(2, 3)
void bpfh_log_printf(struct bpfh_log *log, const char *fmt, ...);
void bpfh_log_vprintf(struct bpfh_log *log, const char *fmt, va_list ap);

#ifdef __cplusplus
}
#endif
#endif
