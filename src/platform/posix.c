// SPDX-License-Identifier: MIT
/* The platform layer on POSIX systems (Linux): clocks, pages, processors. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "platform.h"

uint64_t bpfh_time_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void bpfh_stdio_binary(void)
{
}

/* The JIT writes its pages at once: mapping them in with the mmap (MAP_POPULATE, one pass in
 * the kernel) costs a third of taking a page fault on each one's first write. */
#ifndef MAP_POPULATE
#define MAP_POPULATE 0
#endif

void *bpfh_pages_alloc(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE,
		       -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

int bpfh_pages_protect_exec(void *p, size_t size)
{
	return mprotect(p, size, PROT_READ | PROT_EXEC) ? -errno : 0;
}

void bpfh_pages_free(void *p, size_t size)
{
	if (p)
		munmap(p, size);
}

unsigned bpfh_cpu_count(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n > 0 ? (unsigned)n : 1;
}

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	if (clock_gettime(id, &ts) != 0)
		clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

uint64_t bpfh_time_boot_ns(void)
{
#ifdef CLOCK_BOOTTIME
	return clock_ns(CLOCK_BOOTTIME);
#else
	return clock_ns(CLOCK_MONOTONIC);
#endif
}

uint64_t bpfh_time_coarse_ns(void)
{
#ifdef CLOCK_MONOTONIC_COARSE
	return clock_ns(CLOCK_MONOTONIC_COARSE);
#else
	return clock_ns(CLOCK_MONOTONIC);
#endif
}

uint64_t bpfh_time_tai_ns(void)
{
#ifdef CLOCK_TAI
	return clock_ns(CLOCK_TAI);
#else
	return clock_ns(CLOCK_REALTIME);
#endif
}

uint32_t bpfh_process_id(void)
{
	return (uint32_t)getpid();
}

uint32_t bpfh_thread_id(void)
{
#ifdef SYS_gettid
	return (uint32_t)syscall(SYS_gettid);
#else
	return (uint32_t)getpid();
#endif
}

uint32_t bpfh_user_id(void)
{
	return (uint32_t)getuid();
}

uint32_t bpfh_group_id(void)
{
	return (uint32_t)getgid();
}

void bpfh_process_name(char name[16])
{
	FILE *f = fopen("/proc/self/comm", "r");
	size_t n = 0;

	memset(name, 0, 16);
	if (f) {
		n = fread(name, 1, 15, f);
		fclose(f);
	}
	while (n && (name[n - 1] == '\n' || name[n - 1] == '\0'))
		name[--n] = '\0';
	if (n == 0)
		strcpy(name, "bpfhost");
}

int bpfh_mem_read_safe(void *dst, const void *src, size_t n)
{
	struct iovec local = { dst, n }, remote = { (void *)(uintptr_t)src, n };
	ssize_t got;

	if (n == 0)
		return 0;
	/* process_vm_readv on ourselves reads through the kernel, which reports an unmapped
	 * address as EFAULT instead of delivering SIGSEGV. */
	got = process_vm_readv(getpid(), &local, 1, &remote, 1, 0);
	if (got == (ssize_t)n)
		return 0;
	memset(dst, 0, n);
	return -EFAULT;
}

void *bpfh_pages_alloc_low(size_t size)
{
	void *p;
#if defined(MAP_32BIT)
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	if (p != MAP_FAILED)
		return p;
#endif
	/* No MAP_32BIT (arm64, or its 2 GiB are full): try hints below 4 GiB. */
	for (uintptr_t hint = 0x10000000u; hint + size <= 0xffffffffu; hint += 0x10000000u) {
		p = mmap((void *)hint, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			 -1, 0);
		if (p == MAP_FAILED)
			continue;
		if ((uintptr_t)p + size <= 0xffffffffu)
			return p;
		munmap(p, size);
	}
	return NULL;
}

int bpfh_perf_map_write(uintptr_t start, size_t size, const char *name)
{
	char path[64], line[256];
	ssize_t w;
	size_t i;
	int fd, n;

	snprintf(path, sizeof(path), "/tmp/perf-%u.map", (unsigned)getpid());
	n = snprintf(line, sizeof(line), "%llx %zx %s\n", (unsigned long long)start, size, name);
	if (n < 0)
		return -EINVAL;
	if ((size_t)n >= sizeof(line)) { /* a long name: cut, still one line */
		n = sizeof(line) - 1;
		line[n - 1] = '\n';
	}
	for (i = 0; i + 1 < (size_t)n; i++) /* one line whatever the name holds */
		if (line[i] == '\n' || line[i] == '\r')
			line[i] = ' ';
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	w = write(fd, line, (size_t)n); /* one write: lines of several threads do not mix */
	if (w < 0) {
		n = -errno;
		close(fd);
		return n;
	}
	close(fd);
	return w == n ? 0 : -EIO;
}
