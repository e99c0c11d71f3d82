// SPDX-License-Identifier: MIT
/* The platform layer on Windows (MinGW-w64 or MSVC): clocks, pages, processors. */
#include <errno.h>
#include <fcntl.h>
#include <io.h>
#include <stdio.h>
#include <windows.h>

#include "platform.h"

uint64_t bpfh_time_ns(void)
{
	static LARGE_INTEGER freq;
	LARGE_INTEGER now;

	if (!freq.QuadPart)
		QueryPerformanceFrequency(&freq);
	QueryPerformanceCounter(&now);
	return (uint64_t)((double)now.QuadPart * 1e9 / (double)freq.QuadPart);
}

void bpfh_stdio_binary(void)
{
	_setmode(_fileno(stdin), _O_BINARY);
	_setmode(_fileno(stdout), _O_BINARY);
}

void *bpfh_pages_alloc(size_t size)
{
	return VirtualAlloc(NULL, size, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE);
}

int bpfh_pages_protect_exec(void *p, size_t size)
{
	DWORD old;

	if (!VirtualProtect(p, size, PAGE_EXECUTE_READ, &old))
		return -EACCES;
	FlushInstructionCache(GetCurrentProcess(), p, size);
	return 0;
}

void bpfh_pages_free(void *p, size_t size)
{
	(void)size;
	if (p)
		VirtualFree(p, 0, MEM_RELEASE);
}

unsigned bpfh_cpu_count(void)
{
	SYSTEM_INFO si;

	GetSystemInfo(&si);
	return si.dwNumberOfProcessors ? si.dwNumberOfProcessors : 1;
}
