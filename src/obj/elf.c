// SPDX-License-Identifier: MIT
/*
 * ELF64 little-endian relocatable files for machine BPF, read without <elf.h>: the header, the
 * section header table with its names, the one symbol table and the headers of relocation
 * sections. Every offset and size is checked against the file before it is used, with
 * overflow-safe arithmetic, so later code reads sections through pointers it can trust.
 *
 * This file knows nothing of BPF: it neither interprets section names nor applies
 * relocations (reloc.c does), and it reads only what an object for BPF needs (no program
 * headers, no extended symbol section indexes).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "obj_int.h"

#define EHDR "<ELF header>"
#define SHDRS "<section headers>"

/* Is [off, off + len) inside a region of size bytes? */
static int fits(uint64_t off, uint64_t len, uint64_t size)
{
	return off <= size && len <= size - off;
}

/* A NUL-terminated string at off of a string table, or NULL. */
static const char *str_at(const struct bpfh_elf_sec *tab, uint64_t off)
{
	if (!tab->data || off >= tab->size)
		return NULL;
	if (!memchr(tab->data + off, '\0', (size_t)(tab->size - off)))
		return NULL;
	return (const char *)tab->data + off;
}

static int read_header(struct bpfh_elf *elf, const struct bpfh_obj_ctx *ctx, uint64_t *shoff,
		       uint64_t *shnum, uint64_t *shstrndx)
{
	const uint8_t *d = elf->data;
	static const uint8_t magic[4] = { 0x7f, 'E', 'L', 'F' };
	uint16_t type, machine, shentsize;

	if (elf->size < BPFH_ELF_EHDR_SIZE)
		return bpfh_obj_err(ctx, EHDR, 0, "file of %zu bytes is too short for an ELF "
				    "header (64 bytes)", elf->size);
	if (memcmp(d, magic, 4))
		return bpfh_obj_err(ctx, EHDR, 0, "not an ELF file (no \\x7fELF magic)");
	if (d[4] != 2)
		return bpfh_obj_err(ctx, EHDR, 4, "ELF class %u, expected 2 (64-bit)", d[4]);
	if (d[5] != 1)
		return bpfh_obj_err(ctx, EHDR, 5, "ELF data encoding %u, expected 1 "
				    "(little-endian)", d[5]);
	if (d[6] != 1)
		return bpfh_obj_err(ctx, EHDR, 6, "ELF version %u, expected 1", d[6]);
	type = bpfh_rd16(d + 16);
	if (type != 1)
		return bpfh_obj_err(ctx, EHDR, 16, "ELF type %u, expected 1 (relocatable object)",
				    type);
	machine = bpfh_rd16(d + 18);
	if (machine != 247)
		return bpfh_obj_err(ctx, EHDR, 18, "machine %u, expected 247 (BPF)", machine);
	*shoff = bpfh_rd64(d + 0x28);
	shentsize = bpfh_rd16(d + 0x3a);
	*shnum = bpfh_rd16(d + 0x3c);
	*shstrndx = bpfh_rd16(d + 0x3e);
	if (*shoff == 0)
		return bpfh_obj_err(ctx, EHDR, 0x28, "no section header table");
	if (shentsize != BPFH_ELF_SHDR_SIZE)
		return bpfh_obj_err(ctx, EHDR, 0x3a, "section header size %u, expected 64",
				    shentsize);
	if (!fits(*shoff, BPFH_ELF_SHDR_SIZE, elf->size))
		return bpfh_obj_err(ctx, EHDR, 0x28, "section header table at 0x%llx is past the "
				    "end of the file (0x%zx bytes)", (unsigned long long)*shoff,
				    elf->size);
	/* More than 0xff00 sections: the count and the name table's index live in section 0. */
	if (*shnum == 0)
		*shnum = bpfh_rd64(d + *shoff + 32);
	if (*shstrndx == 0xffff)
		*shstrndx = bpfh_rd32(d + *shoff + 40);
	if (*shnum == 0 || *shnum > (elf->size - *shoff) / BPFH_ELF_SHDR_SIZE)
		return bpfh_obj_err(ctx, EHDR, 0x3c, "%llu section headers at 0x%llx do not fit "
				    "in the file (0x%zx bytes)", (unsigned long long)*shnum,
				    (unsigned long long)*shoff, elf->size);
	if (*shstrndx == 0 || *shstrndx >= *shnum)
		return bpfh_obj_err(ctx, EHDR, 0x3e, "section name table index %llu is not a "
				    "section (0..%llu)", (unsigned long long)*shstrndx,
				    (unsigned long long)(*shnum - 1));
	return 0;
}

static int read_sections(struct bpfh_elf *elf, const struct bpfh_obj_ctx *ctx, uint64_t shoff,
			 uint64_t shstrndx)
{
	const struct bpfh_elf_sec *names;
	size_t i;

	for (i = 0; i < elf->nsecs; i++) {
		const uint8_t *h = elf->data + shoff + i * BPFH_ELF_SHDR_SIZE;
		struct bpfh_elf_sec *s = &elf->secs[i];

		s->type = bpfh_rd32(h + 4);
		s->flags = bpfh_rd64(h + 8);
		s->offset = bpfh_rd64(h + 24);
		s->size = bpfh_rd64(h + 32);
		s->link = bpfh_rd32(h + 40);
		s->info = bpfh_rd32(h + 44);
		s->entsize = bpfh_rd64(h + 56);
		if (i == 0 || s->type == BPFH_SHT_NULL || s->type == BPFH_SHT_NOBITS)
			continue;
		if (!fits(s->offset, s->size, elf->size))
			return bpfh_obj_err(ctx, SHDRS, i * BPFH_ELF_SHDR_SIZE + 24,
					    "section [%zu]: data at 0x%llx, 0x%llx bytes, is past "
					    "the end of the file (0x%zx bytes)", i,
					    (unsigned long long)s->offset,
					    (unsigned long long)s->size, elf->size);
		s->data = elf->data + s->offset;
	}
	names = &elf->secs[shstrndx];
	if (names->type != BPFH_SHT_STRTAB)
		return bpfh_obj_err(ctx, SHDRS, shstrndx * BPFH_ELF_SHDR_SIZE + 4,
				    "section [%llu], the section name table, has type %u, not "
				    "STRTAB (3)", (unsigned long long)shstrndx, names->type);
	for (i = 0; i < elf->nsecs; i++) {
		uint32_t off = bpfh_rd32(elf->data + shoff + i * BPFH_ELF_SHDR_SIZE);

		elf->secs[i].name = str_at(names, off);
		if (!elf->secs[i].name)
			return bpfh_obj_err(ctx, SHDRS, i * BPFH_ELF_SHDR_SIZE,
					    "section [%zu]: name offset 0x%x is outside the "
					    "section name table or not terminated", i, off);
	}
	return 0;
}

static int read_symbols(struct bpfh_elf *elf, const struct bpfh_obj_ctx *ctx)
{
	const struct bpfh_elf_sec *st = NULL, *strs;
	size_t i;

	for (i = 1; i < elf->nsecs; i++) {
		if (elf->secs[i].type != BPFH_SHT_SYMTAB)
			continue;
		if (st)
			return bpfh_obj_err(ctx, elf->secs[i].name, 0, "a second symbol table");
		st = &elf->secs[i];
		elf->symtab = i;
	}
	if (!st)
		return bpfh_obj_err(ctx, SHDRS, 0, "no symbol table (SHT_SYMTAB)");
	if (st->entsize != BPFH_ELF_SYM_SIZE || st->size % BPFH_ELF_SYM_SIZE)
		return bpfh_obj_err(ctx, st->name, 0, "symbol table of 0x%llx bytes with entries "
				    "of %llu bytes; expected whole entries of 24 bytes",
				    (unsigned long long)st->size, (unsigned long long)st->entsize);
	if (st->link == 0 || st->link >= elf->nsecs || elf->secs[st->link].type != BPFH_SHT_STRTAB)
		return bpfh_obj_err(ctx, SHDRS, elf->symtab * BPFH_ELF_SHDR_SIZE + 40,
				    "symbol table links to section %u, which is not a string "
				    "table", st->link);
	strs = &elf->secs[st->link];
	elf->nsyms = (size_t)(st->size / BPFH_ELF_SYM_SIZE);
	if (elf->nsyms == 0)
		return bpfh_obj_err(ctx, st->name, 0, "empty symbol table (not even the null "
				    "symbol)");
	elf->syms = calloc(elf->nsyms, sizeof(*elf->syms));
	if (!elf->syms)
		return -ENOMEM;
	for (i = 0; i < elf->nsyms; i++) {
		const uint8_t *p = st->data + i * BPFH_ELF_SYM_SIZE;
		struct bpfh_elf_sym *s = &elf->syms[i];
		uint32_t name = bpfh_rd32(p);

		s->name = str_at(strs, name);
		if (!s->name)
			return bpfh_obj_err(ctx, st->name, i * BPFH_ELF_SYM_SIZE, "symbol %zu: name "
					    "offset 0x%x is outside the string table or not "
					    "terminated", i, name);
		s->bind = p[4] >> 4;
		s->type = p[4] & 0xf;
		s->vis = p[5] & 0x3;
		s->shndx = bpfh_rd16(p + 6);
		s->value = bpfh_rd64(p + 8);
		s->size = bpfh_rd64(p + 16);
		if (s->shndx >= elf->nsecs && s->shndx != BPFH_SHN_ABS &&
		    s->shndx != BPFH_SHN_COMMON)
			return bpfh_obj_err(ctx, st->name, i * BPFH_ELF_SYM_SIZE + 6, "symbol %zu "
					    "(%s): section index %u is not a section (0..%zu)", i,
					    s->name, s->shndx, elf->nsecs - 1);
	}
	return 0;
}

static int check_rel_sections(struct bpfh_elf *elf, const struct bpfh_obj_ctx *ctx)
{
	size_t i;

	for (i = 1; i < elf->nsecs; i++) {
		const struct bpfh_elf_sec *s = &elf->secs[i];

		if (s->type != BPFH_SHT_REL)
			continue;
		if (s->entsize != BPFH_ELF_REL_SIZE || s->size % BPFH_ELF_REL_SIZE)
			return bpfh_obj_err(ctx, s->name, 0, "relocation section of 0x%llx bytes "
					    "with entries of %llu bytes; expected whole entries of "
					    "16 bytes", (unsigned long long)s->size,
					    (unsigned long long)s->entsize);
		if (s->link != elf->symtab)
			return bpfh_obj_err(ctx, SHDRS, i * BPFH_ELF_SHDR_SIZE + 40,
					    "relocation section %s links to section %u, not the "
					    "symbol table (%zu)", s->name, s->link, elf->symtab);
		if (s->info == 0 || s->info >= elf->nsecs)
			return bpfh_obj_err(ctx, SHDRS, i * BPFH_ELF_SHDR_SIZE + 44,
					    "relocation section %s applies to section %u, which "
					    "does not exist", s->name, s->info);
	}
	return 0;
}

int bpfh_elf_parse(struct bpfh_elf *elf, const uint8_t *data, size_t size,
		   const struct bpfh_obj_ctx *ctx)
{
	uint64_t shoff = 0, shnum = 0, shstrndx = 0;
	int err;

	memset(elf, 0, sizeof(*elf));
	elf->data = data;
	elf->size = size;
	err = read_header(elf, ctx, &shoff, &shnum, &shstrndx);
	if (err)
		return err;
	elf->nsecs = (size_t)shnum;
	elf->secs = calloc(elf->nsecs, sizeof(*elf->secs));
	if (!elf->secs)
		return -ENOMEM;
	err = read_sections(elf, ctx, shoff, shstrndx);
	if (!err)
		err = read_symbols(elf, ctx);
	if (!err)
		err = check_rel_sections(elf, ctx);
	return err;
}

void bpfh_elf_fini(struct bpfh_elf *elf)
{
	free(elf->secs);
	free(elf->syms);
	memset(elf, 0, sizeof(*elf));
}

int bpfh_elf_find_sec(const struct bpfh_elf *elf, const char *name)
{
	size_t i;

	for (i = 1; i < elf->nsecs; i++)
		if (!strcmp(elf->secs[i].name, name))
			return (int)i;
	return -1;
}

size_t bpfh_elf_nrels(const struct bpfh_elf *elf, size_t relsec)
{
	return (size_t)(elf->secs[relsec].size / BPFH_ELF_REL_SIZE);
}

int bpfh_elf_rel(const struct bpfh_elf *elf, size_t relsec, size_t i, struct bpfh_elf_rel *r,
		 const struct bpfh_obj_ctx *ctx)
{
	const struct bpfh_elf_sec *s = &elf->secs[relsec];
	const uint8_t *p = s->data + i * BPFH_ELF_REL_SIZE;
	uint64_t info = bpfh_rd64(p + 8);

	r->offset = bpfh_rd64(p);
	r->type = (uint32_t)info;
	if ((info >> 32) >= elf->nsyms)
		return bpfh_obj_err(ctx, s->name, i * BPFH_ELF_REL_SIZE + 8, "relocation %zu: "
				    "symbol index %llu is not a symbol (0..%zu)", i,
				    (unsigned long long)(info >> 32), elf->nsyms - 1);
	r->sym = (uint32_t)(info >> 32);
	return 0;
}

uint64_t bpfh_elf_sym_off(size_t i)
{
	return (uint64_t)i * BPFH_ELF_SYM_SIZE;
}

const char *bpfh_elf_rel_name(uint32_t type)
{
	switch (type) {
	case BPFH_R_BPF_NONE: return "R_BPF_NONE";
	case BPFH_R_BPF_64_64: return "R_BPF_64_64";
	case BPFH_R_BPF_64_ABS64: return "R_BPF_64_ABS64";
	case BPFH_R_BPF_64_ABS32: return "R_BPF_64_ABS32";
	case BPFH_R_BPF_64_NODYLD32: return "R_BPF_64_NODYLD32";
	case BPFH_R_BPF_64_32: return "R_BPF_64_32";
	default: return "unknown";
	}
}
