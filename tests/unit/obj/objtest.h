/* SPDX-License-Identifier: MIT */
/*
 * Helpers of the object-loader tests: where the compiled test objects are ($BUILD/obj-tests,
 * built by tests/data/obj/obj.mk), reading them, opening them with a log, and finding sections,
 * symbols and relocations in their bytes so that a test can corrupt exactly one field. The ELF
 * reading here is deliberately independent of src/obj/elf.c.
 */
#ifndef BPFH_TEST_OBJTEST_H
#define BPFH_TEST_OBJTEST_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfhost/obj.h"

struct test_file {
	uint8_t *data;
	size_t size;
	char path[512];
};

/* Read $BUILD/obj-tests/NAME (BUILD defaults to "build"); 0, or -1 when it is missing. */
static inline int test_file_load(const char *name, struct test_file *f)
{
	const char *build = getenv("BUILD");
	FILE *fp;
	long n;

	memset(f, 0, sizeof(*f));
	snprintf(f->path, sizeof(f->path), "%s/obj-tests/%s", build && *build ? build : "build",
		 name);
	fp = fopen(f->path, "rb");
	if (!fp)
		return -1;
	if (fseek(fp, 0, SEEK_END) || (n = ftell(fp)) < 0 || fseek(fp, 0, SEEK_SET)) {
		fclose(fp);
		return -1;
	}
	f->size = (size_t)n;
	f->data = malloc(f->size ? f->size : 1);
	if (!f->data || fread(f->data, 1, f->size, fp) != f->size) {
		fclose(fp);
		free(f->data);
		f->data = NULL;
		return -1;
	}
	fclose(fp);
	return 0;
}

static inline void test_file_free(struct test_file *f)
{
	free(f->data);
	f->data = NULL;
}

static inline uint16_t t_rd16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static inline uint32_t t_rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline uint64_t t_rd64(const uint8_t *p)
{
	return t_rd32(p) | (uint64_t)t_rd32(p + 4) << 32;
}
static inline void t_wr16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static inline void t_wr32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}
static inline void t_wr64(uint8_t *p, uint64_t v)
{
	t_wr32(p, (uint32_t)v);
	t_wr32(p + 4, (uint32_t)(v >> 32));
}

/* File offset of section header i. */
static inline size_t t_shdr(const struct test_file *f, unsigned i)
{
	return (size_t)t_rd64(f->data + 0x28) + (size_t)i * 64;
}

static inline unsigned t_nsecs(const struct test_file *f)
{
	return t_rd16(f->data + 0x3c);
}

static inline const char *t_sec_name(const struct test_file *f, unsigned i)
{
	size_t strs = (size_t)t_rd64(f->data + t_shdr(f, t_rd16(f->data + 0x3e)) + 24);

	return (const char *)f->data + strs + t_rd32(f->data + t_shdr(f, i));
}

/* Index of the section called name, or 0. */
static inline unsigned t_find_sec(const struct test_file *f, const char *name)
{
	unsigned i;

	for (i = 1; i < t_nsecs(f); i++)
		if (!strcmp(t_sec_name(f, i), name))
			return i;
	return 0;
}

static inline size_t t_sec_off(const struct test_file *f, unsigned i)
{
	return (size_t)t_rd64(f->data + t_shdr(f, i) + 24);
}

static inline size_t t_sec_size(const struct test_file *f, unsigned i)
{
	return (size_t)t_rd64(f->data + t_shdr(f, i) + 32);
}

/* Index of the symbol called name in .symtab, or 0. */
static inline unsigned t_find_sym(const struct test_file *f, const char *name)
{
	unsigned st = t_find_sec(f, ".symtab"), i, n;
	size_t off = t_sec_off(f, st), strs = t_sec_off(f, t_rd32(f->data + t_shdr(f, st) + 40));

	n = (unsigned)(t_sec_size(f, st) / 24);
	for (i = 1; i < n; i++)
		if (!strcmp((const char *)f->data + strs + t_rd32(f->data + off + i * 24), name))
			return i;
	return 0;
}

/* File offset of symbol i. */
static inline size_t t_sym(const struct test_file *f, unsigned i)
{
	return t_sec_off(f, t_find_sec(f, ".symtab")) + (size_t)i * 24;
}

/* A copy of f's bytes (the caller frees it). */
static inline uint8_t *t_copy(const struct test_file *f)
{
	uint8_t *p = malloc(f->size ? f->size : 1);

	if (p)
		memcpy(p, f->data, f->size);
	return p;
}

/* Open bytes as an object named name; the log text goes to logbuf. */
static inline int t_open(const void *data, size_t size, const char *name,
			 const struct bpfh_object_opts *opts, char *logbuf, size_t logsize,
			 struct bpfh_object **out)
{
	struct bpfh_log log;

	bpfh_log_init(&log, logbuf, logsize);
	return bpfh_object_open_opts(data, size, name, opts, &log, out);
}

#endif
