// SPDX-License-Identifier: MIT
/*
 * Relocations of code (Linux's Documentation/bpf/llvm_reloc.rst). Each executable section is
 * copied into instructions and its relocation section applied:
 *
 *   R_BPF_64_64 on lddw   to a map symbol          src 5 (map by index), imm = map index
 *                         to global data           src 6, imm = map index, second imm = the
 *                                                  symbol's value plus the addend in imm
 *                         to a .kconfig extern     src 6 into the .kconfig map
 *                         to code                  src 4 (function address), target recorded
 *   R_BPF_64_32 on call   to code                  bpf-to-bpf call, target recorded
 *   R_BPF_NONE                                     ignored
 *
 * Calls (src 1) and function-address loads (src 4) that carry no relocation already hold an
 * offset within their own section and are recorded as such. Recorded targets are turned into
 * image offsets by link.c. Relocations of .maps (initial values) are maps.c's; those of .BTF,
 * .BTF.ext and debug sections are for linkers, and ignored as libbpf ignores them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "obj_int.h"

#define CODE_LDDW 0x18
#define CODE_CALL 0x85
#define SRC_CALL_LOCAL 1

struct sec_reloc {
	struct bpfh_oload *ld;
	uint32_t sec;
	struct bpfh_osec *os;
	uint8_t *done;        /* per instruction: a relocation was applied */
	size_t calls_cap;
};

static void load_insns(struct bpfh_insn *out, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++, p += 8) {
		out[i].code = p[0];
		out[i].dst = p[1] & 0xf;
		out[i].src = p[1] >> 4;
		out[i].off = (int16_t)bpfh_rd16(p + 2);
		out[i].imm = (int32_t)bpfh_rd32(p + 4);
	}
}

static int add_call(struct sec_reloc *r, uint32_t insn, uint32_t sec, uint32_t target)
{
	struct bpfh_osec *os = r->os;

	if (os->ncalls == r->calls_cap) {
		size_t nc = r->calls_cap ? r->calls_cap * 2 : 16;
		struct bpfh_ocall *n = realloc(os->calls, nc * sizeof(*n));

		if (!n)
			return -ENOMEM;
		os->calls = n;
		r->calls_cap = nc;
	}
	os->calls[os->ncalls].insn = insn;
	os->calls[os->ncalls].sec = sec;
	os->calls[os->ncalls++].target = target;
	return 0;
}

static const char *sec_name(const struct sec_reloc *r)
{
	return r->ld->elf.secs[r->sec].name;
}

/* Code address (section sec, byte offset off) as a recorded target. */
static int code_target(struct sec_reloc *r, uint32_t insn, const struct bpfh_elf_sym *sym,
		       uint64_t off, const char *what)
{
	uint32_t sec = sym->shndx;

	if (off % 8 || off / 8 >= r->ld->secs[sec].ninsns)
		return bpfh_obj_err(&r->ld->ctx, sec_name(r), (uint64_t)insn * 8, "%s to symbol "
				    "%s + 0x%llx: not an instruction of section %s (0x%zx bytes)",
				    what, sym->name, (unsigned long long)(off - sym->value),
				    r->ld->elf.secs[sec].name, r->ld->secs[sec].ninsns * 8);
	return add_call(r, insn, sec, (uint32_t)(off / 8));
}

static int reloc_lddw(struct sec_reloc *r, uint32_t i, uint32_t symi)
{
	struct bpfh_oload *ld = r->ld;
	const struct bpfh_elf_sym *sym = &ld->elf.syms[symi];
	struct bpfh_insn *in = &r->os->insns[i];
	uint64_t off = sym->value + (uint64_t)(int64_t)in->imm;
	const struct bpfh_oextern *ext;
	int m;

	if (in->code != CODE_LDDW || i + 1 >= r->os->ninsns)
		return bpfh_obj_err(&ld->ctx, sec_name(r), (uint64_t)i * 8, "R_BPF_64_64 "
				    "against %s applies to an instruction that is not lddw (code "
				    "0x%02x)", sym->name, in->code);
	if (sym->shndx == BPFH_SHN_UNDEF) {
		ext = bpfh_obj_find_extern(ld, symi);
		if (!ext)
			return bpfh_obj_err(&ld->ctx, sec_name(r), (uint64_t)i * 8, "lddw refers "
					    "to extern %s, which is not a .kconfig extern (kernel "
					    "symbols, __ksym, do not exist on this host)",
					    sym->name);
		in->src = BPFH_PSEUDO_MAP_IDX_VALUE;
		in[1].imm = (int32_t)(ext->off + (uint32_t)in->imm);
		in->imm = ld->kconfig_map;
		return 0;
	}
	if (sym->shndx >= ld->elf.nsecs)
		return bpfh_obj_err(&ld->ctx, sec_name(r), (uint64_t)i * 8, "lddw refers to "
				    "symbol %s, which is absolute or common, not a map, data or "
				    "code", sym->name);
	switch (ld->secs[sym->shndx].kind) {
	case BPFH_OSEC_PROG:
		in->src = BPFH_PSEUDO_FUNC;
		in->imm = 0;
		in[1].imm = 0;
		return code_target(r, i, sym, off, "function address");
	case BPFH_OSEC_MAPS:
	case BPFH_OSEC_LEGACY_MAPS:
		m = bpfh_obj_map_at(ld, sym->shndx, off, 0);
		if (m < 0)
			return bpfh_obj_err(&ld->ctx, sec_name(r), (uint64_t)i * 8, "lddw refers "
					    "to %s, offset 0x%llx of section %s, where no map "
					    "starts", sym->name, (unsigned long long)off,
					    ld->elf.secs[sym->shndx].name);
		in->src = BPFH_PSEUDO_MAP_IDX;
		in->imm = m;
		in[1].imm = 0;
		return 0;
	case BPFH_OSEC_DATA:
		m = ld->secs[sym->shndx].map;
		if (m < 0 || off > ld->elf.secs[sym->shndx].size)
			return bpfh_obj_err(&ld->ctx, sec_name(r), (uint64_t)i * 8, "lddw refers "
					    "to %s, offset 0x%llx of section %s (0x%llx bytes), "
					    "outside its data", sym->name, (unsigned long long)off,
					    ld->elf.secs[sym->shndx].name,
					    (unsigned long long)ld->elf.secs[sym->shndx].size);
		in->src = BPFH_PSEUDO_MAP_IDX_VALUE;
		in->imm = m;
		in[1].imm = (int32_t)off;
		return 0;
	default:
		return bpfh_obj_err(&ld->ctx, sec_name(r), (uint64_t)i * 8, "lddw refers to %s "
				    "in section %s, which is neither a map, global data nor code",
				    sym->name, ld->elf.secs[sym->shndx].name);
	}
}

static int reloc_call(struct sec_reloc *r, uint32_t i, uint32_t symi)
{
	struct bpfh_oload *ld = r->ld;
	const struct bpfh_elf_sym *sym = &ld->elf.syms[symi];
	const struct bpfh_insn *in = &r->os->insns[i];
	int64_t target;

	if (in->code != CODE_CALL || in->src != SRC_CALL_LOCAL)
		return bpfh_obj_err(&ld->ctx, sec_name(r), (uint64_t)i * 8, "R_BPF_64_32 against "
				    "%s applies to an instruction that is not a local call (code "
				    "0x%02x, src %u)", sym->name, in->code, in->src);
	if (sym->shndx == BPFH_SHN_UNDEF)
		return bpfh_obj_err(&ld->ctx, sec_name(r), (uint64_t)i * 8, "call to extern "
				    "function %s (a kernel function, kfunc), which this host does "
				    "not have", sym->name);
	if (sym->shndx >= ld->elf.nsecs || ld->secs[sym->shndx].kind != BPFH_OSEC_PROG)
		return bpfh_obj_err(&ld->ctx, sec_name(r), (uint64_t)i * 8, "call to %s, which is "
				    "not in a code section", sym->name);
	/* The callee is at the symbol's instruction plus the offset clang left in imm, counted
	 * from the next instruction (imm + 1). */
	if (sym->value % 8)
		return bpfh_obj_err(&ld->ctx, sec_name(r), (uint64_t)i * 8, "call to %s at "
				    "0x%llx, which is not an instruction boundary", sym->name,
				    (unsigned long long)sym->value);
	target = (int64_t)(sym->value / 8) + in->imm + 1;
	if (target < 0)
		return bpfh_obj_err(&ld->ctx, sec_name(r), (uint64_t)i * 8, "call to %s %+d "
				    "lands before its section", sym->name, in->imm + 1);
	return code_target(r, i, sym, (uint64_t)target * 8, "call");
}

static int apply_rel_section(struct sec_reloc *r, size_t relsec)
{
	struct bpfh_oload *ld = r->ld;
	const char *rname = ld->elf.secs[relsec].name;
	size_t n = bpfh_elf_nrels(&ld->elf, relsec), k;
	int err;

	for (k = 0; k < n; k++) {
		struct bpfh_elf_rel rel;
		uint32_t i;

		err = bpfh_elf_rel(&ld->elf, relsec, k, &rel, &ld->ctx);
		if (err)
			return err;
		if (rel.type == BPFH_R_BPF_NONE)
			continue;
		if (rel.offset % 8 || rel.offset / 8 >= r->os->ninsns)
			return bpfh_obj_err(&ld->ctx, rname, k * BPFH_ELF_REL_SIZE, "relocation %zu: "
					    "offset 0x%llx is not an instruction of section %s "
					    "(0x%zx bytes)", k, (unsigned long long)rel.offset,
					    sec_name(r), r->os->ninsns * 8);
		i = (uint32_t)(rel.offset / 8);
		if (r->done[i])
			return bpfh_obj_err(&ld->ctx, rname, k * BPFH_ELF_REL_SIZE, "relocation %zu: "
					    "a second relocation of the instruction at 0x%llx",
					    k, (unsigned long long)rel.offset);
		r->done[i] = 1;
		switch (rel.type) {
		case BPFH_R_BPF_64_64:
			err = reloc_lddw(r, i, rel.sym);
			break;
		case BPFH_R_BPF_64_32:
			err = reloc_call(r, i, rel.sym);
			break;
		default:
			err = bpfh_obj_err(&ld->ctx, rname, k * BPFH_ELF_REL_SIZE + 8,
					   "relocation %zu: type %u (%s) does not apply to code",
					   k, rel.type, bpfh_elf_rel_name(rel.type));
			break;
		}
		if (err)
			return err;
	}
	return 0;
}

/* Calls and function-address loads without relocations: offsets within the section. */
static int scan_local(struct sec_reloc *r)
{
	const struct bpfh_insn *in = r->os->insns;
	size_t n = r->os->ninsns, i;
	int64_t t;
	int err;

	for (i = 0; i < n; i++) {
		int is_call = in[i].code == CODE_CALL && in[i].src == SRC_CALL_LOCAL;
		int is_func = in[i].code == CODE_LDDW && in[i].src == BPFH_PSEUDO_FUNC;

		if ((is_call || is_func) && !r->done[i]) {
			t = (int64_t)i + 1 + in[i].imm;
			if (t < 0 || t >= (int64_t)n)
				return bpfh_obj_err(&r->ld->ctx, sec_name(r), (uint64_t)i * 8,
						    "%s with offset %d lands outside section %s",
						    is_call ? "local call" : "function address",
						    in[i].imm, sec_name(r));
			err = add_call(r, (uint32_t)i, r->sec, (uint32_t)t);
			if (err)
				return err;
		}
		/* A map index that no relocation wrote must still name a map of this object. */
		if (in[i].code == CODE_LDDW && !r->done[i] &&
		    (in[i].src == BPFH_PSEUDO_MAP_IDX || in[i].src == BPFH_PSEUDO_MAP_IDX_VALUE) &&
		    (in[i].imm < 0 || (size_t)in[i].imm >= r->ld->obj->nmaps ||
		     r->ld->obj->maps[in[i].imm].kind == BPFH_OBJ_MAP_INNER))
			return bpfh_obj_err(&r->ld->ctx, sec_name(r), (uint64_t)i * 8, "lddw of map "
					    "index %d, which is not a map of this object",
					    in[i].imm);
		if (in[i].code == CODE_LDDW)
			i++;
	}
	return 0;
}

static int cmp_call(const void *a, const void *b)
{
	const struct bpfh_ocall *x = a, *y = b;

	return x->insn < y->insn ? -1 : x->insn > y->insn;
}

static int relocate_section(struct bpfh_oload *ld, uint32_t sec)
{
	const struct bpfh_elf *elf = &ld->elf;
	struct sec_reloc r = { .ld = ld, .sec = sec, .os = &ld->secs[sec] };
	size_t i;
	int err = 0;

	r.done = calloc(r.os->ninsns ? r.os->ninsns : 1, 1);
	if (!r.done)
		return -ENOMEM;
	for (i = 1; i < elf->nsecs && !err; i++) {
		if (elf->secs[i].info != sec)
			continue;
		if (elf->secs[i].type == BPFH_SHT_RELA)
			err = bpfh_obj_err(&ld->ctx, elf->secs[i].name, 0, "RELA relocations of "
					   "code; BPF objects use REL");
		else if (elf->secs[i].type == BPFH_SHT_REL)
			err = apply_rel_section(&r, i);
	}
	if (!err)
		err = scan_local(&r);
	if (!err && r.os->ncalls)
		qsort(r.os->calls, r.os->ncalls, sizeof(*r.os->calls), cmp_call);
	free(r.done);
	return err;
}

int bpfh_obj_relocate(struct bpfh_oload *ld)
{
	size_t i;
	int err;

	for (i = 1; i < ld->elf.nsecs; i++) {
		struct bpfh_osec *os = &ld->secs[i];

		if (os->kind != BPFH_OSEC_PROG)
			continue;
		os->insns = malloc((os->ninsns ? os->ninsns : 1) * sizeof(*os->insns));
		if (!os->insns)
			return -ENOMEM;
		load_insns(os->insns, ld->elf.secs[i].data, os->ninsns);
		err = relocate_section(ld, (uint32_t)i);
		if (err)
			return err;
	}
	return 0;
}
