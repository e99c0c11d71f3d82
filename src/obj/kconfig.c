// SPDX-License-Identifier: MIT
/*
 * .kconfig externs: `extern int LINUX_KERNEL_VERSION __kconfig;` and `extern bool
 * CONFIG_X __kconfig;`. clang lists them in BTF (DATASEC ".kconfig") and leaves them undefined
 * in the symbol table; a loader lays them out in one read-only map, fills in their values and
 * points every lddw of one at its place (reloc.c does the pointing).
 *
 * A user-space host has no kernel configuration to read, so it answers only what it can say
 * truthfully: LINUX_KERNEL_VERSION (the caller's choice, by default the Linux release whose BPF
 * interface bpfhost follows), CONFIG_BPF and CONFIG_BPF_SYSCALL (y: this host runs BPF
 * programs and has the bpf() interface). A weak extern it cannot answer reads 0, as libbpf
 * reads a weak extern missing from the configuration; a strong one is refused, naming it.
 * Kernel symbols (.ksyms) do not exist here at all; reloc.c refuses references to them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "obj_int.h"

#define KCONFIG_MAX (1u << 20) /* bytes of .kconfig values; far more than any program uses */

struct kvalue {
	const char *name;
	char tri;              /* 'y', 'n' or 'm' */
};

static const struct kvalue known[] = {
	{ "CONFIG_BPF", 'y' },
	{ "CONFIG_BPF_SYSCALL", 'y' },
};

static void put_le(uint8_t *p, uint64_t v, uint32_t size)
{
	uint32_t i;

	for (i = 0; i < size && i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* Write a y/n/m value into an extern of type type (bool, char, libbpf_tristate, an integer).
 * Returns 0, or -EINVAL when the type cannot hold it. */
static int put_tristate(const struct bpfh_btf *btf, uint32_t type, uint8_t *p, char tri)
{
	uint32_t id = bpfh_btf_resolve(btf, type);
	const struct bpfh_btf_type *t = bpfh_btf_type_by_id(btf, id);
	struct bpfh_btf_int in;

	if (t->kind == BPFH_BTF_KIND_ENUM && !strcmp(t->name, "libbpf_tristate")) {
		put_le(p, tri == 'y' ? 1 : tri == 'm' ? 2 : 0, t->size);
		return 0;
	}
	if (t->kind != BPFH_BTF_KIND_INT || bpfh_btf_int(btf, id, &in))
		return -EINVAL;
	if (in.encoding & BPFH_BTF_INT_CHAR) {
		p[0] = (uint8_t)tri;
		return 0;
	}
	if (tri == 'm')
		return -EINVAL;
	put_le(p, tri == 'y', t->size);
	return 0;
}

static int kernel_version(const struct bpfh_btf *btf, uint32_t type, uint8_t *p, uint32_t v)
{
	uint32_t id = bpfh_btf_resolve(btf, type);
	const struct bpfh_btf_type *t = bpfh_btf_type_by_id(btf, id);

	if (t->kind != BPFH_BTF_KIND_INT || (t->size != 4 && t->size != 8))
		return -EINVAL;
	put_le(p, v, t->size);
	return 0;
}

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) / a * a;
}

int bpfh_obj_collect_kconfig(struct bpfh_oload *ld)
{
	const struct bpfh_btf *btf = ld->obj->btf;
	const char *symtab = ld->elf.secs[ld->elf.symtab].name;
	const struct bpfh_btf_type *ds;
	struct bpfh_obj_map *m;
	uint64_t size = 0;
	int64_t dsid;
	uint32_t v, *offs;
	size_t i;
	int idx, err = 0;

	ld->kconfig_map = -1;
	ld->sym_extern = malloc(ld->elf.nsyms * sizeof(*ld->sym_extern));
	if (!ld->sym_extern)
		return -ENOMEM;
	for (i = 0; i < ld->elf.nsyms; i++)
		ld->sym_extern[i] = -1;
	dsid = bpfh_btf_find(btf, ".kconfig", BPFH_BTF_KIND_DATASEC);
	if (dsid < 0)
		return 0;
	ds = bpfh_btf_type_by_id(btf, (uint32_t)dsid);
	if (ds->vlen == 0)
		return 0;
	offs = calloc(ds->vlen, sizeof(*offs));
	ld->externs = calloc(ds->vlen, sizeof(*ld->externs));
	if (!offs || !ld->externs) {
		free(offs);
		return -ENOMEM;
	}
	/* Layout: in the DATASEC's order, each at its natural alignment. */
	for (v = 0; v < ds->vlen; v++) {
		struct bpfh_btf_var_secinfo vi;
		const struct bpfh_btf_type *var;
		int64_t sz, al;

		bpfh_btf_datasec_var(btf, (uint32_t)dsid, v, &vi);
		var = bpfh_btf_type_by_id(btf, vi.type);
		sz = var->kind == BPFH_BTF_KIND_VAR ? bpfh_btf_size(btf, var->type) : -1;
		al = var->kind == BPFH_BTF_KIND_VAR ? bpfh_btf_align(btf, var->type) : -1;
		if (sz <= 0 || al <= 0) {
			err = bpfh_obj_err(&ld->ctx, ".BTF", 0, "extern %s in .kconfig is not a "
					   "variable with a size", var->name);
			goto out;
		}
		size = align_up(size, (uint64_t)al);
		offs[v] = (uint32_t)size;
		size += (uint64_t)sz;
		if (size > KCONFIG_MAX) {
			err = bpfh_obj_err(&ld->ctx, ".BTF", 0, ".kconfig externs take more than "
					   "%u bytes", KCONFIG_MAX);
			goto out;
		}
	}
	ld->priv->kconfig = calloc(1, (size_t)size);
	if (!ld->priv->kconfig) {
		err = -ENOMEM;
		goto out;
	}
	for (v = 0; v < ds->vlen; v++) {
		struct bpfh_btf_var_secinfo vi;
		const struct bpfh_btf_type *var;
		uint8_t *p = ld->priv->kconfig + offs[v];
		int sym, weak, answered = 0;
		size_t k;

		bpfh_btf_datasec_var(btf, (uint32_t)dsid, v, &vi);
		var = bpfh_btf_type_by_id(btf, vi.type);
		sym = bpfh_obj_find_sym(ld, BPFH_SHN_UNDEF, var->name);
		weak = sym >= 0 && ld->elf.syms[sym].bind == BPFH_STB_WEAK;
		if (!strcmp(var->name, "LINUX_KERNEL_VERSION")) {
			if (kernel_version(btf, var->type, p, ld->opts.kernel_version ?
					   ld->opts.kernel_version : BPFH_KERNEL_VERSION)) {
				err = bpfh_obj_err(&ld->ctx, sym >= 0 ? symtab : ".BTF",
						   sym >= 0 ? bpfh_elf_sym_off((size_t)sym) : 0,
						   "extern LINUX_KERNEL_VERSION must be a 32- or "
						   "64-bit integer");
				goto out;
			}
			answered = 1;
		}
		for (k = 0; k < sizeof(known) / sizeof(known[0]) && !answered; k++) {
			if (strcmp(var->name, known[k].name))
				continue;
			if (put_tristate(btf, var->type, p, known[k].tri)) {
				err = bpfh_obj_err(&ld->ctx, sym >= 0 ? symtab : ".BTF",
						   sym >= 0 ? bpfh_elf_sym_off((size_t)sym) : 0,
						   "extern %s (.kconfig) must be a bool, char, enum "
						   "libbpf_tristate or integer to hold '%c'",
						   var->name, known[k].tri);
				goto out;
			}
			answered = 1;
		}
		if (!answered && !weak) {
			err = bpfh_obj_err(&ld->ctx, sym >= 0 ? symtab : ".BTF",
					   sym >= 0 ? bpfh_elf_sym_off((size_t)sym) : 0,
					   "extern %s (.kconfig) has no value on this host, which "
					   "answers LINUX_KERNEL_VERSION, CONFIG_BPF and "
					   "CONFIG_BPF_SYSCALL; declare it __weak to read 0",
					   var->name);
			goto out;
		}
		if (sym < 0)
			continue;
		ld->externs[ld->nexterns].name = var->name;
		ld->externs[ld->nexterns].sym = (uint32_t)sym;
		ld->externs[ld->nexterns].off = offs[v];
		ld->sym_extern[sym] = (int32_t)ld->nexterns++;
	}
	idx = bpfh_obj_add_map(ld, ".kconfig", BPFH_OBJ_MAP_KCONFIG);
	if (idx < 0) {
		err = idx;
		goto out;
	}
	ld->kconfig_map = idx;
	m = &ld->obj->maps[idx];
	bpfh_obj_internal_name(m->def.name, sizeof(m->def.name), ld->ctx.name, ".kconfig");
	m->def.type = BPFH_MAP_TYPE_ARRAY;
	m->def.key_size = 4;
	m->def.value_size = (uint32_t)size;
	m->def.max_entries = 1;
	m->def.map_flags = BPFH_F_RDONLY_PROG;
	m->init = ld->priv->kconfig;
	m->init_size = (size_t)size;
	m->btf_value_type_id = (uint32_t)dsid;
out:
	free(offs);
	return err;
}

const struct bpfh_oextern *bpfh_obj_find_extern(const struct bpfh_oload *ld, uint32_t sym)
{
	if (!ld->sym_extern || sym >= ld->elf.nsyms || ld->sym_extern[sym] < 0)
		return NULL;
	return &ld->externs[ld->sym_extern[sym]];
}
