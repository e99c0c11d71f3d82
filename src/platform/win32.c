// SPDX-License-Identifier: MIT
/* The platform layer on Windows (MinGW-w64 or MSVC): clocks, pages, processors. */
#include <errno.h>
#include <fcntl.h>
#include <io.h>
#include <stdio.h>
#include <string.h>
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

uint64_t bpfh_time_boot_ns(void)
{
	/* QueryUnbiasedInterruptTime excludes sleep; the performance counter includes it. */
	return bpfh_time_ns();
}

uint64_t bpfh_time_coarse_ns(void)
{
	return (uint64_t)GetTickCount64() * 1000000ull;
}

uint64_t bpfh_time_tai_ns(void)
{
	FILETIME ft;
	ULARGE_INTEGER t;

	/* UTC in 100 ns units since 1601; TAI is UTC plus 37 leap seconds (since 2017). */
	GetSystemTimePreciseAsFileTime(&ft);
	t.LowPart = ft.dwLowDateTime;
	t.HighPart = ft.dwHighDateTime;
	return (t.QuadPart - 116444736000000000ull) * 100ull + 37000000000ull;
}

uint32_t bpfh_process_id(void)
{
	return (uint32_t)GetCurrentProcessId();
}

uint32_t bpfh_thread_id(void)
{
	return (uint32_t)GetCurrentThreadId();
}

uint32_t bpfh_user_id(void)
{
	return 0;
}

uint32_t bpfh_group_id(void)
{
	return 0;
}

void bpfh_process_name(char name[16])
{
	char path[MAX_PATH];
	DWORD n = GetModuleFileNameA(NULL, path, sizeof(path));
	const char *base = path;
	DWORD i;


	memset(name, 0, 16);
	for (i = 0; i < n; i++)
		if (path[i] == '\\' || path[i] == '/')
			base = path + i + 1;
	if (n == 0)
		base = "bpfhost";
	for (i = 0; i < 15 && base[i]; i++)
		name[i] = base[i];
}

int bpfh_mem_read_safe(void *dst, const void *src, size_t n)
{
	SIZE_T got = 0;

	if (n == 0)
		return 0;
	if (ReadProcessMemory(GetCurrentProcess(), src, dst, n, &got) && got == n)
		return 0;
	memset(dst, 0, n);
	return -EFAULT;
}

void *bpfh_pages_alloc_low(size_t size)
{
	uintptr_t hint;

	/* Windows has no "below 4 GiB" flag for VirtualAlloc: try addresses in that range. */
	for (hint = 0x10000000u; hint + size <= 0xffffffffu; hint += 0x1000000u) {
		void *p = VirtualAlloc((void *)hint, size, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE);

		if (p)
			return p;
	}
	return NULL;
}

int bpfh_perf_map_write(uintptr_t start, size_t size, const char *name)
{
	(void)start;
	(void)size;
	(void)name;
	return 0; /* perf maps are a Linux convention */
}
