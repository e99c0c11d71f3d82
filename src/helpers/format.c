// SPDX-License-Identifier: MIT
/*
 * The printf subset of bpf_trace_printk, bpf_trace_vprintk and bpf_snprintf, formatted by hand
 * so that a program's format string can never reach the C library's printf: every conversion is
 * parsed here, every argument is taken as a 64-bit value, and strings are read through the
 * platform's fault-free read. It does not decide where output goes (trace.c does).
 */
#include <errno.h>
#include <string.h>

#include "bpfhost/helpers.h"
#include "../platform/platform.h"

struct sink {
	char *out;
	size_t size;
	size_t len; /* full length, even past size */
};

static void put_char(struct sink *s, char c)
{
	if (s->size && s->len + 1 < s->size)
		s->out[s->len] = c;
	s->len++;
}

static void put_padded(struct sink *s, const char *text, size_t n, unsigned width, int left,
		       char pad)
{
	size_t i;

	for (i = n; !left && i < width; i++)
		put_char(s, pad);
	for (i = 0; i < n; i++)
		put_char(s, text[i]);
	for (i = n; left && i < width; i++)
		put_char(s, ' ');
}

/* Digits of v in base (10, 16, 8) into buf (reversed then fixed); returns the length. */
static size_t digits(uint64_t v, unsigned base, int upper, char *buf)
{
	const char *d = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	size_t n = 0, i;

	do {
		buf[n++] = d[v % base];
		v /= base;
	} while (v);
	for (i = 0; i < n / 2; i++) {
		char t = buf[i];

		buf[i] = buf[n - 1 - i];
		buf[n - 1 - i] = t;
	}
	return n;
}

/* A string argument: read it a chunk at a time through the fault-free read, up to max bytes. */
static void put_string(struct sink *s, uint64_t addr, unsigned width, int left, int precision)
{
	char buf[256];
	size_t n = 0, limit = precision >= 0 ? (size_t)precision : sizeof(buf) - 1;

	if (limit > sizeof(buf) - 1)
		limit = sizeof(buf) - 1;
	if (addr == 0) {
		put_padded(s, "(null)", 6, width, left, ' ');
		return;
	}
	while (n < limit) {
		char c;

		if (bpfh_mem_read_safe(&c, (const void *)(uintptr_t)(addr + n), 1) || c == '\0')
			break;
		buf[n++] = c;
	}
	put_padded(s, buf, n, width, left, ' ');
}

int bpfh_format(char *out, size_t size, const char *fmt, size_t fmt_size, const uint64_t *args,
		size_t nargs)
{
	struct sink s = { out, size, 0 };
	size_t i, arg = 0;

	if (!fmt || fmt_size == 0 || fmt[fmt_size - 1] != '\0')
		return -EINVAL;
	for (i = 0; fmt[i]; i++) {
		unsigned width = 0, lng = 0;
		int left = 0, precision = -1, neg = 0;
		char pad = ' ', num[32], c;
		uint64_t v;
		size_t n;

		if (fmt[i] != '%') {
			put_char(&s, fmt[i]);
			continue;
		}
		i++;
		if (fmt[i] == '%') {
			put_char(&s, '%');
			continue;
		}
		for (; fmt[i] == '-' || fmt[i] == '0'; i++) {
			if (fmt[i] == '-')
				left = 1;
			else
				pad = '0';
		}
		for (; fmt[i] >= '0' && fmt[i] <= '9'; i++)
			if (width < 1000)
				width = width * 10 + (unsigned)(fmt[i] - '0');
		if (fmt[i] == '.') {
			precision = 0;
			for (i++; fmt[i] >= '0' && fmt[i] <= '9'; i++)
				if (precision < 1000)
					precision = precision * 10 + (fmt[i] - '0');
		}
		for (; fmt[i] == 'l' || fmt[i] == 'h' || fmt[i] == 'z'; i++)
			lng += fmt[i] != 'h';
		c = fmt[i];
		if (c == '\0' || lng > 2)
			return -EINVAL;
		if (arg >= nargs)
			return -EINVAL;
		v = args[arg++];
		switch (c) {
		case 'd':
		case 'i':
			if (!lng)
				v = (uint64_t)(int64_t)(int32_t)(uint32_t)v;
			if ((int64_t)v < 0) {
				neg = 1;
				v = 0 - v;
			}
			n = digits(v, 10, 0, num + 1);
			if (neg) {
				num[0] = '-';
				put_padded(&s, num, n + 1, width, left, pad == '0' ? ' ' : pad);
			} else {
				put_padded(&s, num + 1, n, width, left, pad);
			}
			break;
		case 'u':
		case 'x':
		case 'X':
		case 'o':
			if (!lng)
				v = (uint32_t)v;
			n = digits(v, c == 'u' ? 10 : c == 'o' ? 8 : 16, c == 'X', num);
			put_padded(&s, num, n, width, left, pad);
			break;
		case 'c':
			num[0] = (char)v;
			put_padded(&s, num, 1, width, left, ' ');
			break;
		case 's':
			put_string(&s, v, width, left, precision);
			break;
		case 'p':
			/* %pK, %px, %pks, %pus: the letters after p choose the variant */
			if (fmt[i + 1] == 'k' || fmt[i + 1] == 'u') {
				i += 1 + (fmt[i + 2] == 's');
				put_string(&s, v, width, left, precision);
				break;
			}
			if (fmt[i + 1] == 'K' || fmt[i + 1] == 'x')
				i++;
			num[0] = '0';
			num[1] = 'x';
			n = digits(v, 16, 0, num + 2);
			put_padded(&s, num, n + 2, width, left, ' ');
			break;
		default:
			return -EINVAL;
		}
	}
	if (size)
		out[s.len < size ? s.len : size - 1] = '\0';
	return s.len > 0x7fffffff ? -EINVAL : (int)s.len;
}
