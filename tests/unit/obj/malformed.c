// SPDX-License-Identifier: MIT
/*
 * Malformed objects: the compiled test objects cut at every length, with one field of the ELF
 * header, a section header, a symbol, a relocation, .BTF or .BTF.ext corrupted, and with
 * random bytes flipped. Each must be refused with -EINVAL and a message that names the file,
 * the section and the offset ("NAME: section S, offset 0xO: ..."), checked exactly where the
 * test knows both. Nothing may crash (this test also runs under ASan and UBSan). Skips itself
 * when the objects were not built.
 */
#include <errno.h>

#include "bpfhost/obj.h"
#include "../check.h"
#include "objtest.h"

static char logbuf[8192];

/* Open a corrupted copy; expect -EINVAL and a message starting with prefix and containing
 * what. */
static void expect(const uint8_t *data, size_t size, const char *prefix, const char *what,
		   int line)
{
	struct bpfh_object *obj = NULL;
	int err = t_open(data, size, "bad.o", NULL, logbuf, sizeof(logbuf), &obj);

	check_report(err == -EINVAL && !obj, __FILE__, line, "refused", "got %d", err);
	check_report(!strncmp(logbuf, prefix, strlen(prefix)) && strstr(logbuf, what), __FILE__,
		     line, "message", "\"%s\" should start with \"%s\" and contain \"%s\"",
		     logbuf, prefix, what);
	bpfh_object_destroy(obj);
}

#define EXPECT(d, s, prefix, what) expect((d), (s), (prefix), (what), __LINE__)

/* Any failure names the file, a section and an offset. */
static int well_formed_message(const char *log)
{
	return !strncmp(log, "bad.o: section ", 15) && strstr(log, ", offset 0x") &&
	       log[strlen(log) - 1] == '\n' && strchr(log, '\n') == log + strlen(log) - 1;
}

static void test_truncated(const struct test_file *f)
{
	size_t len;
	unsigned bad = 0, opened = 0;

	for (len = 0; len < f->size; len++) {
		struct bpfh_object *obj = NULL;
		int err = t_open(f->data, len, "bad.o", NULL, logbuf, sizeof(logbuf), &obj);

		if (err == 0) {
			opened++;
			bpfh_object_destroy(obj);
			continue;
		}
		if (err != -EINVAL || !well_formed_message(logbuf)) {
			if (bad++ < 3)
				printf("FAIL truncated to %zu: %d: %s", len, err, logbuf);
		}
	}
	CHECKF(bad == 0, "%u truncations with a bad refusal", bad);
	CHECKF(opened == 0, "%u truncations opened", opened);
	EXPECT(f->data, 0, "bad.o: section <ELF header>, offset 0x0: ", "file of 0 bytes is too "
	       "short");
	EXPECT(f->data, 63, "bad.o: section <ELF header>, offset 0x0: ", "63 bytes");
	EXPECT(f->data, f->size - 1, "bad.o: section <ELF header>, offset 0x3c: ", "section "
	       "headers at");
}

static void test_header(const struct test_file *f)
{
	uint8_t *c = t_copy(f);

	c[0] = 'x';
	EXPECT(c, f->size, "bad.o: section <ELF header>, offset 0x0: ", "not an ELF file");
	c[0] = 0x7f;
	c[4] = 1;
	EXPECT(c, f->size, "bad.o: section <ELF header>, offset 0x4: ", "ELF class 1");
	c[4] = 2;
	c[5] = 2;
	EXPECT(c, f->size, "bad.o: section <ELF header>, offset 0x5: ", "little-endian");
	c[5] = 1;
	t_wr16(c + 16, 2);
	EXPECT(c, f->size, "bad.o: section <ELF header>, offset 0x10: ", "ELF type 2");
	t_wr16(c + 16, 1);
	t_wr16(c + 18, 62);
	EXPECT(c, f->size, "bad.o: section <ELF header>, offset 0x12: ", "machine 62, expected "
	       "247 (BPF)");
	t_wr16(c + 18, 247);
	t_wr16(c + 0x3a, 40);
	EXPECT(c, f->size, "bad.o: section <ELF header>, offset 0x3a: ", "section header size 40");
	t_wr16(c + 0x3a, 64);
	t_wr64(c + 0x28, (uint64_t)f->size);
	EXPECT(c, f->size, "bad.o: section <ELF header>, offset 0x28: ", "past the end");
	t_wr64(c + 0x28, UINT64_MAX - 8);
	EXPECT(c, f->size, "bad.o: section <ELF header>, offset 0x28: ", "past the end");
	t_wr64(c + 0x28, 0);
	EXPECT(c, f->size, "bad.o: section <ELF header>, offset 0x28: ", "no section header");
	memcpy(c, f->data, f->size);
	t_wr16(c + 0x3c, 0xfff0);
	EXPECT(c, f->size, "bad.o: section <ELF header>, offset 0x3c: ", "do not fit");
	memcpy(c, f->data, f->size);
	t_wr16(c + 0x3e, 0xfff0);
	EXPECT(c, f->size, "bad.o: section <ELF header>, offset 0x3e: ", "section name table");
	memcpy(c, f->data, f->size);
	t_wr16(c + 0x3e, (uint16_t)t_find_sec(f, "xdp"));
	EXPECT(c, f->size, "bad.o: section <section headers>, offset 0x", "not STRTAB");
	free(c);
}

static void test_section_headers(const struct test_file *f)
{
	uint8_t *c = t_copy(f);
	unsigned text = t_find_sec(f, ".text"), xdp = t_find_sec(f, "xdp");
	unsigned rel = t_find_sec(f, ".relxdp"), st = t_find_sec(f, ".symtab");
	char prefix[128];

	snprintf(prefix, sizeof(prefix), "bad.o: section <section headers>, offset 0x%x: ",
		 text * 64 + 24);
	t_wr64(c + t_shdr(f, text) + 24, (uint64_t)f->size);
	EXPECT(c, f->size, prefix, "is past the end of the file");
	memcpy(c, f->data, f->size);
	t_wr64(c + t_shdr(f, text) + 32, UINT64_MAX);
	EXPECT(c, f->size, prefix, "is past the end of the file");
	memcpy(c, f->data, f->size);
	snprintf(prefix, sizeof(prefix), "bad.o: section <section headers>, offset 0x%x: ",
		 xdp * 64);
	t_wr32(c + t_shdr(f, xdp), 0x7fffffff);
	EXPECT(c, f->size, prefix, "name offset 0x7fffffff");
	memcpy(c, f->data, f->size);
	t_wr64(c + t_shdr(f, xdp) + 32, t_sec_size(f, xdp) - 3);
	EXPECT(c, f->size, "bad.o: section xdp, offset 0x", "not a whole number of 8-byte "
	       "instructions");
	memcpy(c, f->data, f->size);
	snprintf(prefix, sizeof(prefix), "bad.o: section <section headers>, offset 0x%x: ",
		 rel * 64 + 40);
	t_wr32(c + t_shdr(f, rel) + 40, 0);
	EXPECT(c, f->size, prefix, "relocation section .relxdp links to section 0");
	memcpy(c, f->data, f->size);
	snprintf(prefix, sizeof(prefix), "bad.o: section <section headers>, offset 0x%x: ",
		 rel * 64 + 44);
	t_wr32(c + t_shdr(f, rel) + 44, 999);
	EXPECT(c, f->size, prefix, "applies to section 999");
	memcpy(c, f->data, f->size);
	t_wr64(c + t_shdr(f, rel) + 56, 24);
	EXPECT(c, f->size, "bad.o: section .relxdp, offset 0x0: ", "entries of 24 bytes");
	memcpy(c, f->data, f->size);
	t_wr64(c + t_shdr(f, st) + 32, t_sec_size(f, st) - 5);
	EXPECT(c, f->size, "bad.o: section .symtab, offset 0x0: ", "whole entries of 24 bytes");
	memcpy(c, f->data, f->size);
	t_wr32(c + t_shdr(f, st) + 4, 1); /* no symbol table any more */
	EXPECT(c, f->size, "bad.o: section <section headers>, offset 0x0: ", "no symbol table");
	free(c);
}

static void test_symbols(const struct test_file *f)
{
	uint8_t *c = t_copy(f);
	unsigned first = t_find_sym(f, "first");
	size_t so = t_sym(f, first) - t_sec_off(f, t_find_sec(f, ".symtab"));
	char prefix[128];

	snprintf(prefix, sizeof(prefix), "bad.o: section .symtab, offset 0x%zx: ", so + 6);
	t_wr16(c + t_sym(f, first) + 6, 200);
	EXPECT(c, f->size, prefix, "(first): section index 200 is not a section");
	memcpy(c, f->data, f->size);
	snprintf(prefix, sizeof(prefix), "bad.o: section .symtab, offset 0x%zx: ", so);
	t_wr32(c + t_sym(f, first), 0xffffff);
	EXPECT(c, f->size, prefix, "name offset 0xffffff");
	memcpy(c, f->data, f->size);
	snprintf(prefix, sizeof(prefix), "bad.o: section .symtab, offset 0x%zx: ", so + 8);
	t_wr64(c + t_sym(f, first) + 16, 12);
	EXPECT(c, f->size, prefix, "function first at 0x0, 0xc bytes, is not a whole number");
	memcpy(c, f->data, f->size);
	t_wr64(c + t_sym(f, first) + 16, 1u << 20);
	EXPECT(c, f->size, prefix, "inside section xdp");
	memcpy(c, f->data, f->size);
	/* two functions that overlap */
	t_wr64(c + t_sym(f, t_find_sym(f, "second")) + 8, 8);
	EXPECT(c, f->size, "bad.o: section xdp, offset 0x", "overlaps function");
	free(c);
}

/* File offset of the first relocation of relsec with this type. */
static size_t find_rel(const struct test_file *f, const char *relsec, uint32_t type, int nth)
{
	unsigned r = t_find_sec(f, relsec);
	size_t off = t_sec_off(f, r), n = t_sec_size(f, r) / 16, k;

	for (k = 0; k < n; k++)
		if ((uint32_t)t_rd64(f->data + off + k * 16 + 8) == type && nth-- == 0)
			return off + k * 16;
	return 0;
}

static void test_relocations(const struct test_file *f)
{
	uint8_t *c = t_copy(f);
	size_t rel0 = t_sec_off(f, t_find_sec(f, ".relxdp"));
	size_t call = find_rel(f, ".relxdp", 10, 0), lddw_map = find_rel(f, ".relxdp", 1, 1);
	size_t xdp = t_sec_off(f, t_find_sec(f, "xdp")), exit_off = 0, i;
	uint64_t info;
	char prefix[128];

	if (!CHECK(call && lddw_map)) {
		free(c);
		return;
	}
	for (i = 0; i < t_sec_size(f, t_find_sec(f, "xdp")); i += 8)
		if (f->data[xdp + i] == 0x95) {
			exit_off = i;
			break;
		}
	t_wr64(c + rel0 + 8, (uint64_t)9999 << 32 | 1);
	EXPECT(c, f->size, "bad.o: section .relxdp, offset 0x8: ", "relocation 0: symbol index "
	       "9999 is not a symbol");
	memcpy(c, f->data, f->size);
	t_wr64(c + rel0, t_rd64(f->data + rel0) + 3);
	EXPECT(c, f->size, "bad.o: section .relxdp, offset 0x0: ", "is not an instruction of "
	       "section xdp");
	memcpy(c, f->data, f->size);
	t_wr64(c + rel0, 1u << 30);
	EXPECT(c, f->size, "bad.o: section .relxdp, offset 0x0: ", "is not an instruction of "
	       "section xdp");
	memcpy(c, f->data, f->size);
	info = t_rd64(f->data + rel0 + 8);
	t_wr64(c + rel0 + 8, (info & ~0xffffffffull) | 2);
	EXPECT(c, f->size, "bad.o: section .relxdp, offset 0x8: ", "type 2 (R_BPF_64_ABS64) does "
	       "not apply to code");
	t_wr64(c + rel0 + 8, (info & ~0xffffffffull) | 99);
	EXPECT(c, f->size, "bad.o: section .relxdp, offset 0x8: ", "type 99 (unknown)");
	memcpy(c, f->data, f->size);
	/* R_BPF_64_64 on an exit */
	snprintf(prefix, sizeof(prefix), "bad.o: section xdp, offset 0x%zx: ", exit_off);
	t_wr64(c + lddw_map, exit_off);
	EXPECT(c, f->size, prefix, "R_BPF_64_64 against values applies to an instruction that is "
	       "not lddw (code 0x95)");
	memcpy(c, f->data, f->size);
	/* R_BPF_64_32 on an exit */
	t_wr64(c + call, exit_off);
	EXPECT(c, f->size, prefix, "R_BPF_64_32 against global_helper applies to an instruction "
	       "that is not a local call");
	memcpy(c, f->data, f->size);
	/* two relocations of one instruction */
	t_wr64(c + lddw_map, t_rd64(f->data + call));
	EXPECT(c, f->size, "bad.o: section .relxdp, offset 0x", "a second relocation of the "
	       "instruction");
	memcpy(c, f->data, f->size);
	/* a call to a map */
	info = t_rd64(f->data + call + 8);
	t_wr64(c + call + 8, (uint64_t)t_find_sym(f, "values") << 32 | 10);
	EXPECT(c, f->size, "bad.o: section xdp, offset 0x", "call to values, which is not in a "
	       "code section");
	memcpy(c, f->data, f->size);
	/* a map load from the license */
	t_wr64(c + lddw_map + 8, (uint64_t)t_find_sym(f, "LICENSE") << 32 | 1);
	EXPECT(c, f->size, "bad.o: section xdp, offset 0x", "lddw refers to LICENSE in section "
	       "license, which is neither a map, global data nor code");
	memcpy(c, f->data, f->size);
	/* a map load 8 bytes into a map */
	c[xdp + t_rd64(f->data + lddw_map) + 4] = 8;
	EXPECT(c, f->size, "bad.o: section xdp, offset 0x", "offset 0x8 of section .maps, where "
	       "no map starts");
	memcpy(c, f->data, f->size);
	/* a call far past the callee's section */
	t_wr32(c + xdp + t_rd64(f->data + call) + 4, 100000);
	EXPECT(c, f->size, "bad.o: section xdp, offset 0x", "call to symbol global_helper");
	memcpy(c, f->data, f->size);
	/* a call to an undefined function: a kfunc */
	t_wr16(c + t_sym(f, t_find_sym(f, "global_helper")) + 6, 0);
	EXPECT(c, f->size, "bad.o: section xdp, offset 0x", "call to extern function "
	       "global_helper");
	free(c);

	/* calls without relocations (.text) that leave their section */
	c = t_copy(f);
	{
		size_t text = t_sec_off(f, t_find_sec(f, ".text"));

		for (i = 0; i < t_sec_size(f, t_find_sec(f, ".text")); i += 8)
			if (f->data[text + i] == 0x85 && f->data[text + i + 1] == 0x10)
				break;
		t_wr32(c + text + i + 4, (uint32_t)-1000);
		snprintf(prefix, sizeof(prefix), "bad.o: section .text, offset 0x%zx: ", i);
		EXPECT(c, f->size, prefix, "local call with offset -1000 lands outside section "
		       ".text");
	}
	free(c);
}

static void test_map_relocations(const struct test_file *f)
{
	uint8_t *c = t_copy(f);
	size_t r0 = t_sec_off(f, t_find_sec(f, ".rel.maps")), n, k, prog_slot = 0;
	uint64_t outer = t_rd64(f->data + t_sym(f, t_find_sym(f, "outer")) + 8);

	n = t_sec_size(f, t_find_sec(f, ".rel.maps")) / 16;
	for (k = 0; k < n; k++) {
		uint32_t sym = (uint32_t)(t_rd64(f->data + r0 + k * 16 + 8) >> 32);

		if (sym == t_find_sym(f, "stage_two"))
			prog_slot = r0 + k * 16;
	}
	t_wr64(c + r0, outer);
	EXPECT(c, f->size, "bad.o: section .maps, offset 0x", "relocation 0 of .rel.maps is not "
	       "at an element of a map's values");
	memcpy(c, f->data, f->size);
	t_wr64(c + r0 + 8, (t_rd64(f->data + r0 + 8) & ~0xffffffffull) | 3);
	EXPECT(c, f->size, "bad.o: section .rel.maps, offset 0x8: ", "type 3 (R_BPF_64_ABS32) "
	       "cannot set an initial value in .maps");
	memcpy(c, f->data, f->size);
	if (CHECK(prog_slot)) {
		t_wr64(c + prog_slot + 8, (uint64_t)t_find_sym(f, "inner_a") << 32 | 2);
		EXPECT(c, f->size, "bad.o: section .maps, offset 0x", "prog array jump: slot 1 holds "
		       "inner_a, which is not a program");
		memcpy(c, f->data, f->size);
	}
	t_wr64(c + r0 + 8, (uint64_t)t_find_sym(f, "stage_two") << 32 | 2);
	EXPECT(c, f->size, "bad.o: section .maps, offset 0x", "map outer: slot 0 holds "
	       "stage_two, which is not a map of .maps");
	memcpy(c, f->data, f->size);
	/* two initial values for one slot */
	t_wr64(c + r0 + 16, t_rd64(f->data + r0));
	EXPECT(c, f->size, "bad.o: section .maps, offset 0x", "two initial values for slot");
	free(c);
}

static void test_btf(const struct test_file *f)
{
	uint8_t *c = t_copy(f);
	unsigned btf = t_find_sec(f, ".BTF"), ext = t_find_sec(f, ".BTF.ext");
	size_t b = t_sec_off(f, btf), e = t_sec_off(f, ext);
	char prefix[128];

	c[b] = 0;
	EXPECT(c, f->size, "bad.o: section .BTF, offset 0x0: ", "magic");
	memcpy(c, f->data, f->size);
	t_wr32(c + b + 12, 0xfffffff0);
	EXPECT(c, f->size, "bad.o: section .BTF, offset 0x8: ", "type section at");
	memcpy(c, f->data, f->size);
	/* the first type's kind */
	c[b + 24 + 7] = 0x1f;
	EXPECT(c, f->size, "bad.o: section .BTF, offset 0x1c: ", "type [1]: unknown kind 31");
	memcpy(c, f->data, f->size);
	/* the first type refers to itself */
	t_wr32(c + b + 24 + 4, 8u << 24);
	t_wr32(c + b + 24 + 8, 1);
	EXPECT(c, f->size, "bad.o: section .BTF, offset 0x18: ", "contains itself");
	memcpy(c, f->data, f->size);
	c[e + 3] = 1;
	EXPECT(c, f->size, "bad.o: section .BTF.ext, offset 0x3: ", "flags");
	memcpy(c, f->data, f->size);
	/* func info record size */
	snprintf(prefix, sizeof(prefix), "bad.o: section .BTF.ext, offset 0x%x: ",
		 t_rd32(f->data + e + 4) + t_rd32(f->data + e + 8));
	t_wr32(c + e + t_rd32(f->data + e + 4) + t_rd32(f->data + e + 8), 6);
	EXPECT(c, f->size, prefix, "func info: record size 6");
	memcpy(c, f->data, f->size);
	/* the first func info record names a type that is no FUNC */
	snprintf(prefix, sizeof(prefix), "bad.o: section .BTF.ext, offset 0x%x: ",
		 t_rd32(f->data + e + 4) + t_rd32(f->data + e + 8) + 16);
	t_wr32(c + e + t_rd32(f->data + e + 4) + t_rd32(f->data + e + 8) + 16, 1);
	EXPECT(c, f->size, prefix, "func info record: type 1 is not a FUNC");
	memcpy(c, f->data, f->size);
	/* the first line info record points past its section */
	snprintf(prefix, sizeof(prefix), "bad.o: section .BTF.ext, offset 0x%x: ",
		 t_rd32(f->data + e + 4) + t_rd32(f->data + e + 16) + 12);
	t_wr32(c + e + t_rd32(f->data + e + 4) + t_rd32(f->data + e + 16) + 12, 0x100000);
	EXPECT(c, f->size, prefix, "record for instruction offset 0x100000, past the end of "
	       "section");
	free(c);
}

/* Random damage: refused with a well-formed message, or opened; never a crash. */
static void test_flips(const struct test_file *f, unsigned rounds, uint32_t seed)
{
	uint8_t *c = t_copy(f);
	unsigned r, bad = 0;

	for (r = 0; r < rounds; r++) {
		struct bpfh_object *obj = NULL;
		unsigned k, nflips = 1 + r % 4;
		int err;

		memcpy(c, f->data, f->size);
		for (k = 0; k < nflips; k++) {
			seed = seed * 1103515245u + 12345u;
			c[(seed >> 8) % f->size] ^= (uint8_t)(1u << ((seed >> 4) & 7));
		}
		err = t_open(c, f->size, "bad.o", NULL, logbuf, sizeof(logbuf), &obj);
		if (err && (err != -EINVAL || !well_formed_message(logbuf)) && bad++ < 3)
			printf("FAIL %s flip round %u: %d: %s", f->path, r, err, logbuf);
		bpfh_object_destroy(obj);
	}
	CHECKF(bad == 0, "%s: %u refusals without a well-formed message", f->path, bad);
	free(c);
}

int main(void)
{
	static const char *const all[] = { "calls.bpf.o", "maps_btf.bpf.o", "legacy.bpf.o",
					   "legacy_elf.bpf.o", "mapinmap.bpf.o", "globals.bpf.o",
					   "kconfig.bpf.o", "core.bpf.o", "sections.bpf.o" };
	struct test_file f;
	size_t i;

	if (test_file_load("calls.bpf.o", &f)) {
		printf("# obj-malformed: skipped, %s not built (no clang?)\n", f.path);
		return check_summary("obj-malformed");
	}
	test_truncated(&f);
	test_header(&f);
	test_section_headers(&f);
	test_symbols(&f);
	test_relocations(&f);
	test_btf(&f);
	test_file_free(&f);
	if (!test_file_load("mapinmap.bpf.o", &f)) {
		test_map_relocations(&f);
		test_file_free(&f);
	}
	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		if (test_file_load(all[i], &f))
			continue;
		test_flips(&f, 400, (uint32_t)i * 7919u + 1);
		test_file_free(&f);
	}
	return check_summary("obj-malformed");
}
