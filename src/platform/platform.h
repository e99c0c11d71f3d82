/* SPDX-License-Identifier: MIT */
/*
 * The platform layer: the only code in bpfhost that talks to the operating system. One POSIX
 * implementation (posix.c) and one Windows implementation (win32.c) provide exactly these calls;
 * the core and the tools use nothing else from the OS.
 */
#ifndef BPFH_PLATFORM_H
#define BPFH_PLATFORM_H

#include <stddef.h>
#include <stdint.h>

/* Monotonic clock in nanoseconds. */
uint64_t bpfh_time_ns(void);

/* Read a whole file into a malloc'd, NUL-terminated buffer (*size excludes the NUL).
 * path "-" reads standard input. Returns 0 or a negative errno. */
int bpfh_file_read(const char *path, char **data, size_t *size);

/* Write size bytes to a new or truncated file. Returns 0 or a negative errno. */
int bpfh_file_write(const char *path, const void *data, size_t size);

/* Put standard input and output in binary mode (no CRLF translation on Windows). */
void bpfh_stdio_binary(void);

/* Page-granular memory for generated code: allocate read+write, then flip to read+execute.
 * Never writable and executable at once. Return NULL / negative errno on failure. */
void *bpfh_pages_alloc(size_t size);
int bpfh_pages_protect_exec(void *p, size_t size);
void bpfh_pages_free(void *p, size_t size);

/* Number of online processors (at least 1). */
unsigned bpfh_cpu_count(void);

#endif
