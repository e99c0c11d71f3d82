// SPDX-License-Identifier: MIT
/* The platform layer on POSIX systems (Linux): clocks, pages, processors. */
#define _GNU_SOURCE
#include <errno.h>
#include <sys/mman.h>
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

void *bpfh_pages_alloc(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

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
