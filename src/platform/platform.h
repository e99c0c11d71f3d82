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
 * Never writable and executable at once. Return NULL / negative errno on failure. The pages
 * are committed up front where the host can (Linux: mapped in, so that their first writes
 * take no page faults): allocate what will be written soon. */
void *bpfh_pages_alloc(size_t size);
int bpfh_pages_protect_exec(void *p, size_t size);
void bpfh_pages_free(void *p, size_t size);

/* Number of online processors (at least 1). */
unsigned bpfh_cpu_count(void);

/* Clocks for the time helpers, in nanoseconds: since boot including suspend (BOOTTIME), a
 * cheaper coarse monotonic clock, and International Atomic Time (TAI). Hosts without one of
 * them fall back to the nearest clock they have. */
uint64_t bpfh_time_boot_ns(void);
uint64_t bpfh_time_coarse_ns(void);
uint64_t bpfh_time_tai_ns(void);

/* Identity of the calling thread, as Linux's helpers report it: the process id (tgid), the
 * thread id, user and group ids (0 where the host has none), the program's short name (up to
 * 15 characters, NUL-terminated). */
uint32_t bpfh_process_id(void);
uint32_t bpfh_thread_id(void);
uint32_t bpfh_user_id(void);
uint32_t bpfh_group_id(void);
void bpfh_process_name(char name[16]);

/* Copy n bytes from src, an address in this process that may not be mapped, without faulting:
 * 0, or -EFAULT when any byte cannot be read (dst is then zero-filled). */
int bpfh_mem_read_safe(void *dst, const void *src, size_t n);

/* Read+write pages at an address below 4 GiB, so that 32-bit context fields can hold pointers
 * into them as Linux's xdp_md and __sk_buff do (data, data_end, data_meta). NULL if the host
 * has none left. Free with bpfh_pages_free. */
void *bpfh_pages_alloc_low(size_t size);

/* Append "START SIZE NAME" (hex) to /tmp/perf-PID.map, perf's map of JIT code of this process
 * (PID: bpfh_process_id()). 0, or a negative errno; a no-op returning 0 on Windows. */
int bpfh_perf_map_write(uintptr_t start, size_t size, const char *name);

#endif
