// SPDX-License-Identifier: MIT
/*
 * Memory and string helpers: the probe_read family (reads of the host process's own memory,
 * bounded and fault-free: an unreadable address gives -EFAULT and a zeroed buffer, never a
 * crash), strncmp, strtol and strtoul as Linux defines them.
 */
#include <string.h>

#include "helpers_int.h"
#include "../platform/platform.h"

static uint64_t probe_read(uint64_t dst, uint64_t size, uint64_t src)
{
	return (uint64_t)(int64_t)bpfh_mem_read_safe(PTR(dst), PTR(src), (size_t)(uint32_t)size);
}

/* Copy a string of at most size - 1 bytes and a NUL; returns its length with the NUL. */
static uint64_t probe_read_str(uint64_t dst, uint64_t size, uint64_t src)
{
	char *d = PTR(dst);
	uint32_t n = (uint32_t)size, i;

	if (n == 0)
		return 0;
	for (i = 0; i + 1 < n; i++) {
		if (bpfh_mem_read_safe(&d[i], (const char *)PTR(src) + i, 1)) {
			memset(d, 0, n);
			return ERR(EFAULT);
		}
		if (d[i] == '\0')
			return i + 1;
	}
	d[i] = '\0';
	return i + 1;
}

BPFH_HELPER_IMPL(probe_read) { return probe_read(r1, r2, r3); }
BPFH_HELPER_IMPL(probe_read_user) { return probe_read(r1, r2, r3); }
BPFH_HELPER_IMPL(probe_read_kernel) { return probe_read(r1, r2, r3); }
BPFH_HELPER_IMPL(probe_read_str) { return probe_read_str(r1, r2, r3); }
BPFH_HELPER_IMPL(probe_read_user_str) { return probe_read_str(r1, r2, r3); }
BPFH_HELPER_IMPL(probe_read_kernel_str) { return probe_read_str(r1, r2, r3); }

/* bpf_strncmp(s1, s1_sz, s2): s2 is a NUL-terminated constant; compares at most s1_sz bytes. */
BPFH_HELPER_IMPL(strncmp)
{
	const unsigned char *a = PTR(r1), *b = PTR(r3);
	uint32_t n = (uint32_t)r2, i;

	for (i = 0; i < n; i++) {
		if (a[i] != b[i])
			return (uint64_t)(int64_t)(a[i] < b[i] ? -1 : 1);
		if (a[i] == '\0')
			return 0;
	}
	return 0;
}

/*
 * bpf_strtol / bpf_strtoul(buf, buf_len, flags, res): flags is the base (0, 8, 10 or 16; 0
 * detects 0x and 0 prefixes). Leading white space and (for strtol) one sign are accepted.
 * Returns the number of characters consumed, -EINVAL when there is no number, -ERANGE on
 * overflow; *res is written only on success.
 */
static int64_t parse_number(const char *buf, uint32_t len, uint64_t flags, int is_signed,
			    uint64_t *out)
{
	uint32_t i = 0, base = (uint32_t)flags, start;
	uint64_t v = 0, limit;
	int neg = 0;

	if (flags & ~0x1full || (base != 0 && base != 8 && base != 10 && base != 16) || len == 0)
		return -EINVAL;
	while (i < len && (buf[i] == ' ' || (buf[i] >= '\t' && buf[i] <= '\r')))
		i++;
	if (is_signed && i < len && buf[i] == '-') {
		neg = 1;
		i++;
	} else if (i < len && buf[i] == '+') {
		i++;
	}
	if ((base == 0 || base == 16) && i + 1 < len && buf[i] == '0' &&
	    (buf[i + 1] == 'x' || buf[i + 1] == 'X')) {
		base = 16;
		i += 2;
	} else if (base == 0) {
		base = (i < len && buf[i] == '0') ? 8 : 10;
	}
	start = i;
	for (; i < len; i++) {
		char c = buf[i];
		uint32_t d;

		if (c >= '0' && c <= '9')
			d = (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (uint32_t)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			d = (uint32_t)(c - 'A' + 10);
		else
			break;
		if (d >= base)
			break;
		if (v > (UINT64_MAX - d) / base)
			return -ERANGE;
		v = v * base + d;
	}
	if (i == start)
		return -EINVAL;
	if (is_signed) {
		limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
		if (v > limit)
			return -ERANGE;
	}
	*out = neg ? 0 - v : v;
	return i;
}

/* The result goes to *res only on success. */
static uint64_t strto(uint64_t buf, uint64_t len, uint64_t flags, uint64_t res, int is_signed)
{
	uint64_t v;
	int64_t n = parse_number(PTR(buf), (uint32_t)len, flags, is_signed, &v);

	if (n >= 0)
		memcpy(PTR(res), &v, sizeof(v));
	return (uint64_t)n;
}

BPFH_HELPER_IMPL(strtol) { return strto(r1, r2, r3, r4, 1); }
BPFH_HELPER_IMPL(strtoul) { return strto(r1, r2, r3, r4, 0); }
