// SPDX-License-Identifier: MIT
/*
 * Functions, programs and their images, as libbpf links them. The functions of an object are
 * its STT_FUNC symbols in executable sections; each global function in a section other than
 * ".text" is a program (and a lone function in ".text" when the object has no other), every
 * other function is a subprogram. A program's image is its own code followed by every
 * function it reaches through bpf-to-bpf calls and function-address loads, transitively, each
 * copied once in the order first reached; the calls and loads are then pointed at the copies.
 * Line info, func info and CO-RE records of each copied function follow it into the image.
 *
 * Relocations against maps and data (reloc.c) and CO-RE relocations (core.c) were applied
 * before to each section as a whole, so every copy of a subprogram carries them. This file
 * does not decode instructions beyond the call and lddw fields it patches; bpfh_isa_decode and
 * the verifier judge the result.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "obj_int.h"

static int cmp_func(const void *a, const void *b)
{
	const struct bpfh_ofunc *x = a, *y = b;

	if (x->sec != y->sec)
		return x->sec < y->sec ? -1 : 1;
	return x->start < y->start ? -1 : x->start > y->start;
}

static void copy_name(char *dst, size_t size, const char *src)
{
	size_t n = strlen(src);

	if (n >= size)
		n = size - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* Collect and check the functions of every executable section. */
static int collect_funcs(struct bpfh_oload *ld)
{
	const struct bpfh_elf *elf = &ld->elf;
	size_t i, n = 0;

	for (i = 0; i < elf->nsyms; i++) {
		const struct bpfh_elf_sym *s = &elf->syms[i];

		if (s->type == BPFH_STT_FUNC && s->shndx && s->shndx < elf->nsecs &&
		    ld->secs[s->shndx].kind == BPFH_OSEC_PROG)
			n++;
	}
	ld->funcs = calloc(n ? n : 1, sizeof(*ld->funcs));
	if (!ld->funcs)
		return -ENOMEM;
	for (i = 0; i < elf->nsyms; i++) {
		const struct bpfh_elf_sym *s = &elf->syms[i];
		const struct bpfh_elf_sec *sec;
		struct bpfh_ofunc *f;

		/* Undefined functions are externs (kfuncs): reloc.c names them if called. */
		if (s->type != BPFH_STT_FUNC || s->shndx == BPFH_SHN_UNDEF)
			continue;
		if (s->shndx >= elf->nsecs ||
		    ld->secs[s->shndx].kind != BPFH_OSEC_PROG)
			return bpfh_obj_err(&ld->ctx, elf->secs[elf->symtab].name,
					    bpfh_elf_sym_off(i), "function %s is not in an "
					    "executable section", s->name);
		sec = &elf->secs[s->shndx];
		if (s->value % 8 || s->size % 8 || s->size == 0 || s->value > sec->size ||
		    s->size > sec->size - s->value)
			return bpfh_obj_err(&ld->ctx, elf->secs[elf->symtab].name,
					    bpfh_elf_sym_off(i) + 8, "function %s at 0x%llx, "
					    "0x%llx bytes, is not a whole number of instructions "
					    "inside section %s (0x%llx bytes)", s->name,
					    (unsigned long long)s->value,
					    (unsigned long long)s->size, sec->name,
					    (unsigned long long)sec->size);
		f = &ld->funcs[ld->nfuncs++];
		f->name = s->name;
		f->sec = s->shndx;
		f->start = (uint32_t)(s->value / 8);
		f->count = (uint32_t)(s->size / 8);
		f->global = s->bind == BPFH_STB_GLOBAL || s->bind == BPFH_STB_WEAK;
		f->prog = -1;
	}
	qsort(ld->funcs, ld->nfuncs, sizeof(*ld->funcs), cmp_func);
	for (i = 0; i < ld->nfuncs; i++) {
		struct bpfh_ofunc *f = &ld->funcs[i];
		struct bpfh_osec *os = &ld->secs[f->sec];

		if (i && f[-1].sec == f->sec && f[-1].start + f[-1].count > f->start)
			return bpfh_obj_err(&ld->ctx, elf->secs[f->sec].name, (uint64_t)f->start * 8,
					    "function %s overlaps function %s", f->name,
					    f[-1].name);
		if (os->nfuncs == 0)
			os->first_func = i;
		os->nfuncs++;
	}
	return 0;
}

int bpfh_obj_find_funcs(struct bpfh_oload *ld)
{
	const struct bpfh_elf *elf = &ld->elf;
	struct bpfh_object *obj = ld->obj;
	size_t i, n = 0;
	int text = bpfh_elf_find_sec(elf, ".text"), err;

	err = collect_funcs(ld);
	if (err)
		return err;
	for (i = 0; i < ld->nfuncs; i++) {
		struct bpfh_ofunc *f = &ld->funcs[i];

		if ((int)f->sec == text) {
			/* libbpf: .text holds subprograms, unless it is all there is. */
			if (ld->nfuncs == 1)
				f->prog = (int)n++;
			continue;
		}
		if (!f->global)
			return bpfh_obj_err(&ld->ctx, elf->secs[f->sec].name, (uint64_t)f->start * 8,
					    "static function %s in a program section: programs "
					    "must be global functions, and static subprograms "
					    "belong in .text (libbpf refuses this too)", f->name);
		f->prog = (int)n++;
	}
	obj->progs = calloc(n ? n : 1, sizeof(*obj->progs));
	if (!obj->progs)
		return -ENOMEM;
	obj->nprogs = n;
	for (i = 0; i < ld->nfuncs; i++) {
		const struct bpfh_ofunc *f = &ld->funcs[i];
		struct bpfh_obj_prog *p;
		const char *sec = elf->secs[f->sec].name;

		if (f->prog < 0)
			continue;
		p = &obj->progs[f->prog];
		copy_name(p->name, sizeof(p->name), f->name);
		copy_name(p->section, sizeof(p->section), sec);
		p->sec_offset = f->start * 8;
		if (bpfh_section_prog_type(sec, &p->prog_type, &p->expected_attach_type) == 0)
			continue;
		if (!ld->opts.prog_type)
			return bpfh_obj_err(&ld->ctx, sec, p->sec_offset, "program %s: section name "
					    "\"%s\" gives no program type; name the section as "
					    "libbpf does (xdp, tc, socket, cgroup/bind4, "
					    "kprobe/..., bind, ...) or give the program type "
					    "explicitly (the caller's program-type option, "
					    "prog_type in struct bpfh_object_opts)", f->name, sec);
		p->prog_type = ld->opts.prog_type;
		p->expected_attach_type = ld->opts.expected_attach_type;
	}
	return 0;
}

const struct bpfh_ofunc *bpfh_obj_func_at(const struct bpfh_oload *ld, uint32_t sec,
					  uint32_t insn)
{
	const struct bpfh_osec *os = &ld->secs[sec];
	size_t lo = 0, hi = os->nfuncs;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct bpfh_ofunc *f = &ld->funcs[os->first_func + mid];

		if (insn < f->start)
			hi = mid;
		else if (insn >= f->start + f->count)
			lo = mid + 1;
		else
			return f;
	}
	return NULL;
}

static int cmp_order(const void *a, const void *b)
{
	const struct bpfh_ext_order *x = a, *y = b;

	if (x->insn_off != y->insn_off)
		return x->insn_off < y->insn_off ? -1 : 1;
	return x->rec < y->rec ? -1 : x->rec > y->rec;
}

/* Every .BTF.ext record must name a code section and an instruction in it. */
int bpfh_obj_index_ext(struct bpfh_oload *ld)
{
	int kind;
	size_t i;
	uint32_t r;

	if (!ld->has_ext)
		return 0;
	for (kind = 0; kind < BPFH_EXT__COUNT; kind++) {
		for (i = 0; i < ld->ext.nsecs[kind]; i++) {
			struct bpfh_ext_sec *es = &ld->ext.secs[kind][i];
			int sec = bpfh_obj_find_sec(ld, es->sec_name);

			if (sec < 0 || ld->secs[sec].kind != BPFH_OSEC_PROG)
				return bpfh_obj_err(&ld->ctx, ".BTF.ext", es->off - 8, "records for "
						    "section %s, which is not a code section",
						    es->sec_name);
			for (r = 0; r < es->nrecs; r++) {
				uint32_t off = bpfh_rd32(es->recs + (size_t)r * es->rec_size);

				if (off / 8 >= ld->secs[sec].ninsns)
					return bpfh_obj_err(&ld->ctx, ".BTF.ext",
							    es->off + (uint64_t)r * es->rec_size,
							    "record for instruction offset 0x%x, "
							    "past the end of section %s (0x%zx "
							    "bytes)", off, es->sec_name,
							    ld->secs[sec].ninsns * 8);
			}
			/* An index in instruction order, so that each function finds its own
			 * records by binary search. */
			es->order = malloc((size_t)es->nrecs * sizeof(*es->order));
			if (!es->order)
				return -ENOMEM;
			for (r = 0; r < es->nrecs; r++) {
				es->order[r].insn_off = bpfh_rd32(es->recs +
								  (size_t)r * es->rec_size);
				es->order[r].rec = r;
			}
			qsort(es->order, es->nrecs, sizeof(*es->order), cmp_order);
		}
	}
	return 0;
}

/* The records of kind in function f: calls fn(ctx, record, index in the image). */
static int for_ext(const struct bpfh_oload *ld, int kind, const struct bpfh_ofunc *f,
		   uint32_t pos, int (*fn)(void *, const uint8_t *, uint32_t), void *arg)
{
	const struct bpfh_ext_sec *es;
	uint32_t r, lo, hi;
	int err;

	if (!ld->has_ext)
		return 0;
	es = bpfh_btf_ext_find(&ld->ext, kind, ld->elf.secs[f->sec].name);
	if (!es)
		return 0;
	/* The first record at or after the function's start. */
	lo = 0;
	hi = es->nrecs;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (es->order[mid].insn_off / 8 < f->start)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (r = lo; r < es->nrecs; r++) {
		const uint8_t *rec = es->recs + (size_t)es->order[r].rec * es->rec_size;
		uint32_t insn = es->order[r].insn_off / 8;

		if (insn >= f->start + f->count)
			break;
		err = fn(arg, rec, pos + insn - f->start);
		if (err)
			return err;
	}
	return 0;
}

struct prog_build {
	const struct bpfh_oload *ld;
	struct bpfh_obj_line *lines;
	size_t nlines, lines_cap;
	struct bpfh_obj_core_relo *core;
	size_t ncore, core_cap;
	uint32_t func_btf;
};

static int grow(void **p, size_t *cap, size_t n, size_t elem)
{
	void *np;
	size_t nc;

	if (n < *cap)
		return 0;
	nc = *cap ? *cap * 2 : 16;
	np = realloc(*p, nc * elem);
	if (!np)
		return -ENOMEM;
	*p = np;
	*cap = nc;
	return 0;
}

static int add_line(void *arg, const uint8_t *rec, uint32_t insn)
{
	struct prog_build *b = arg;
	const struct bpfh_btf *btf = b->ld->obj->btf;
	struct bpfh_obj_line *l;
	uint32_t lc = bpfh_rd32(rec + 12);

	if (grow((void **)&b->lines, &b->lines_cap, b->nlines, sizeof(*b->lines)))
		return -ENOMEM;
	l = &b->lines[b->nlines++];
	l->insn = insn;
	l->file = bpfh_btf_str(btf, bpfh_rd32(rec + 4));
	l->text = bpfh_btf_str(btf, bpfh_rd32(rec + 8));
	l->line = lc >> 10;
	l->col = lc & 0x3ff;
	return 0;
}

static int add_core(void *arg, const uint8_t *rec, uint32_t insn)
{
	struct prog_build *b = arg;
	struct bpfh_obj_core_relo *c;

	if (grow((void **)&b->core, &b->core_cap, b->ncore, sizeof(*b->core)))
		return -ENOMEM;
	c = &b->core[b->ncore++];
	c->insn = insn;
	c->type_id = bpfh_rd32(rec + 4);
	c->access = bpfh_btf_str(b->ld->obj->btf, bpfh_rd32(rec + 8));
	c->kind = bpfh_rd32(rec + 12);
	return 0;
}

/* func info: only the record at the function's first instruction names the function. */
static int take_func(void *arg, const uint8_t *rec, uint32_t insn)
{
	struct prog_build *b = arg;

	(void)insn;
	if (!b->func_btf)
		b->func_btf = bpfh_rd32(rec + 4);
	return 0;
}

static int cmp_line(const void *a, const void *b)
{
	const struct bpfh_obj_line *x = a, *y = b;

	if (x->insn != y->insn)
		return x->insn < y->insn ? -1 : 1;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->col < y->col ? -1 : x->col > y->col;
}

static int cmp_core(const void *a, const void *b)
{
	const struct bpfh_obj_core_relo *x = a, *y = b;

	return x->insn < y->insn ? -1 : x->insn > y->insn;
}

/* The first recorded call of section os at or after instruction insn. */
static size_t first_call(const struct bpfh_osec *os, uint32_t insn)
{
	size_t lo = 0, hi = os->ncalls;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (os->calls[mid].insn < insn)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Build program p from function main. order/pos are scratch arrays of nfuncs entries. */
static int link_prog(struct bpfh_oload *ld, struct bpfh_obj_prog *p, size_t main,
		     size_t *order, int64_t *pos)
{
	struct prog_build b = { .ld = ld };
	struct bpfh_obj_func *funcs = NULL;
	size_t norder = 0, k, c;
	uint64_t total;
	int err = 0;

	order[norder++] = main;
	pos[main] = 0;
	total = ld->funcs[main].count;
	/* Append, breadth-first, every function that an appended one reaches. */
	for (k = 0; k < norder; k++) {
		const struct bpfh_ofunc *g = &ld->funcs[order[k]];
		const struct bpfh_osec *os = &ld->secs[g->sec];

		for (c = first_call(os, g->start); c < os->ncalls; c++) {
			const struct bpfh_ocall *call = &os->calls[c];
			const struct bpfh_ofunc *h;
			size_t hi;

			if (call->insn >= g->start + g->count)
				break;
			h = bpfh_obj_func_at(ld, call->sec, call->target);
			if (!h)
				return bpfh_obj_err(&ld->ctx, ld->elf.secs[g->sec].name,
						    (uint64_t)call->insn * 8, "function %s: call or "
						    "function address targets instruction %u of "
						    "section %s, which is in no function", g->name,
						    call->target, ld->elf.secs[call->sec].name);
			hi = (size_t)(h - ld->funcs);
			if (pos[hi] >= 0)
				continue;
			pos[hi] = (int64_t)total;
			order[norder++] = hi;
			total += h->count;
			if (total > BPFH_MAX_INSNS) {
				bpfh_obj_err(&ld->ctx, ld->elf.secs[g->sec].name,
					     (uint64_t)call->insn * 8, "program %s with its "
					     "subprograms exceeds %d instructions", p->name,
					     BPFH_MAX_INSNS);
				return -E2BIG;
			}
		}
	}
	p->insns = malloc((size_t)total * sizeof(*p->insns));
	funcs = calloc(norder, sizeof(*funcs));
	if (!p->insns || !funcs) {
		err = -ENOMEM;
		goto out;
	}
	p->count = (size_t)total;
	for (k = 0; k < norder; k++) {
		const struct bpfh_ofunc *g = &ld->funcs[order[k]];

		memcpy(p->insns + pos[order[k]], ld->secs[g->sec].insns + g->start,
		       g->count * sizeof(*p->insns));
	}
	/* Point calls and function addresses at the copies: imm = target - (insn + 1). */
	for (k = 0; k < norder; k++) {
		const struct bpfh_ofunc *g = &ld->funcs[order[k]];
		const struct bpfh_osec *os = &ld->secs[g->sec];

		for (c = first_call(os, g->start); c < os->ncalls; c++) {
			const struct bpfh_ocall *call = &os->calls[c];
			const struct bpfh_ofunc *h;
			int64_t at, to;

			if (call->insn >= g->start + g->count)
				break;
			h = bpfh_obj_func_at(ld, call->sec, call->target);
			at = pos[order[k]] + (call->insn - g->start);
			to = pos[h - ld->funcs] + (call->target - h->start);
			p->insns[at].imm = (int32_t)(to - (at + 1));
		}
		b.func_btf = 0;
		err = for_ext(ld, BPFH_EXT_FUNC, g, (uint32_t)pos[order[k]], take_func, &b);
		if (!err)
			err = for_ext(ld, BPFH_EXT_LINE, g, (uint32_t)pos[order[k]], add_line, &b);
		if (!err)
			err = for_ext(ld, BPFH_EXT_CORE, g, (uint32_t)pos[order[k]], add_core, &b);
		if (err)
			goto out;
		funcs[k].insn = (uint32_t)pos[order[k]];
		funcs[k].count = g->count;
		funcs[k].name = g->name;
		funcs[k].btf_id = b.func_btf;
	}
	if (b.nlines)
		qsort(b.lines, b.nlines, sizeof(*b.lines), cmp_line);
	if (b.ncore)
		qsort(b.core, b.ncore, sizeof(*b.core), cmp_core);
	p->funcs = funcs;
	p->nfuncs = norder;
	p->lines = b.lines;
	p->nlines = b.nlines;
	p->core_relos = b.core;
	p->ncore_relos = b.ncore;
	/* Leave pos as found (all -1) for the next program. */
	for (k = 0; k < norder; k++)
		pos[order[k]] = -1;
	return 0;
out:
	free(funcs);
	free(b.lines);
	free(b.core);
	return err;
}

int bpfh_obj_link(struct bpfh_oload *ld)
{
	uint64_t total = 0;
	size_t *order, i;
	int64_t *pos;
	int err = 0;

	order = malloc((ld->nfuncs ? ld->nfuncs : 1) * sizeof(*order));
	pos = malloc((ld->nfuncs ? ld->nfuncs : 1) * sizeof(*pos));
	if (!order || !pos) {
		err = -ENOMEM;
		goto out;
	}
	for (i = 0; i < ld->nfuncs; i++)
		pos[i] = -1;
	for (i = 0; i < ld->nfuncs && !err; i++) {
		struct bpfh_obj_prog *p;

		if (ld->funcs[i].prog < 0)
			continue;
		p = &ld->obj->progs[ld->funcs[i].prog];
		err = link_prog(ld, p, i, order, pos);
		/* Each program copies the subprograms it reaches: bound the sum, so that a small
		 * file cannot ask for gigabytes. */
		total += p->count;
		if (!err && total > BPFH_OBJ_MAX_INSNS) {
			bpfh_obj_err(&ld->ctx, ld->elf.secs[ld->funcs[i].sec].name,
				     (uint64_t)ld->funcs[i].start * 8, "the programs with their "
				     "subprograms exceed %u instructions in all",
				     BPFH_OBJ_MAX_INSNS);
			err = -E2BIG;
		}
	}
out:
	free(order);
	free(pos);
	return err;
}
