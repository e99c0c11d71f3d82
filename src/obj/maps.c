// SPDX-License-Identifier: MIT
/*
 * Map definitions of an object, in libbpf's order: legacy maps ("maps", struct bpf_map_def),
 * BTF-defined maps (".maps"), global data (.data, .rodata, .bss and their ".name" variants, one
 * single-element ARRAY each), then (kconfig.c) the .kconfig map, then the inner-map templates
 * of map-in-maps. Also the DATASEC fix-up every loader does: clang leaves section sizes and
 * variable offsets 0 in BTF; the ELF section sizes and symbol values hold them.
 *
 * A BTF map is a variable of .maps whose struct type describes it member by member:
 * `__uint(name, N)` is a pointer to an array of N elements, `__type(name, T)` a pointer to T,
 * `__array(values, T)` a flexible array of pointers to T whose initialisers become relocations
 * in .rel.maps (map-in-map: inner maps; PROG_ARRAY: programs). 64-bit values may also come as
 * an enum with one enumerator (libbpf's `__ulong`). Unknown members are refused, as libbpf
 * refuses them.
 *
 * Nothing is created here: a map is a definition, its initial value, its initial slots.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "obj_int.h"

#define LEGACY_DEF_MIN 20u  /* type, key_size, value_size, max_entries, map_flags */

static void copy_name(char *dst, size_t size, const char *src)
{
	size_t n = strlen(src);

	if (n >= size)
		n = size - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

int bpfh_obj_add_map(struct bpfh_oload *ld, const char *name, enum bpfh_obj_map_kind kind)
{
	struct bpfh_object *obj = ld->obj;
	struct bpfh_obj_map *m;

	if (obj->nmaps == ld->maps_cap) {
		size_t nc = ld->maps_cap ? ld->maps_cap * 2 : 8;
		struct bpfh_obj_map *nm = realloc(obj->maps, nc * sizeof(*nm));
		struct bpfh_omap *no;

		if (!nm)
			return -ENOMEM;
		obj->maps = nm;
		no = realloc(ld->omaps, nc * sizeof(*no));
		if (!no)
			return -ENOMEM;
		ld->omaps = no;
		ld->maps_cap = nc;
	}
	m = &obj->maps[obj->nmaps];
	memset(m, 0, sizeof(*m));
	memset(&ld->omaps[obj->nmaps], 0, sizeof(ld->omaps[0]));
	copy_name(m->name, sizeof(m->name), name);
	copy_name(m->def.name, sizeof(m->def.name), name);
	m->kind = kind;
	m->inner = -1;
	return (int)obj->nmaps++;
}

/* ---- BTF DATASEC fix-up ---- */

static int fixup_datasecs(struct bpfh_oload *ld)
{
	struct bpfh_btf *btf = ld->obj->btf;
	uint32_t id, n = bpfh_btf_type_count(btf), v;

	for (id = 1; id < n; id++) {
		const struct bpfh_btf_type *t = bpfh_btf_type_by_id(btf, id);
		const struct bpfh_elf_sec *sec;
		int si;

		if (t->kind != BPFH_BTF_KIND_DATASEC)
			continue;
		si = bpfh_obj_find_sec(ld, t->name);
		if (si <= 0)
			continue; /* .kconfig, .ksyms: externs, laid out by kconfig.c */
		sec = &ld->elf.secs[si];
		if (ld->secs[si].datasec < 0)
			ld->secs[si].datasec = id;
		if (sec->size > UINT32_MAX || bpfh_btf_set_datasec(btf, id, (uint32_t)sec->size))
			return bpfh_obj_err(&ld->ctx, ".BTF", 0, "DATASEC %s: a variable does not "
					    "fit in section %s (0x%llx bytes)", t->name, t->name,
					    (unsigned long long)sec->size);
		for (v = 0; v < t->vlen; v++) {
			struct bpfh_btf_var_secinfo vi;
			const struct bpfh_btf_type *var;
			int s;

			bpfh_btf_datasec_var(btf, id, v, &vi);
			var = bpfh_btf_type_by_id(btf, vi.type);
			s = bpfh_obj_find_sym(ld, (uint32_t)si, var->name);
			if (s < 0)
				return bpfh_obj_err(&ld->ctx, t->name, 0, "BTF variable %s has no "
						    "symbol in this section", var->name);
			if (ld->elf.syms[s].value > UINT32_MAX ||
			    bpfh_btf_set_datasec_var(btf, id, v, (uint32_t)ld->elf.syms[s].value))
				return bpfh_obj_err(&ld->ctx, t->name, ld->elf.syms[s].value,
						    "variable %s (%u bytes) does not fit in the "
						    "section (0x%llx bytes)", var->name, vi.size,
						    (unsigned long long)sec->size);
		}
	}
	return 0;
}

/* ---- legacy maps: struct bpf_map_def in "maps" ---- */

static int legacy_maps(struct bpfh_oload *ld, int sec)
{
	const struct bpfh_elf *elf = &ld->elf;
	const struct bpfh_elf_sec *s = &elf->secs[sec];
	const char *symtab = elf->secs[elf->symtab].name;
	size_t i, n = 0;
	uint64_t def_size;

	for (i = 1; i < elf->nsyms; i++)
		if (elf->syms[i].shndx == sec && elf->syms[i].type != BPFH_STT_SECTION)
			n++;
	if (n == 0)
		return 0;
	/* Every definition has the same size: the section divided by the number of maps. */
	if (!s->data || s->size % n || s->size / n < LEGACY_DEF_MIN)
		return bpfh_obj_err(&ld->ctx, s->name, 0, "0x%llx bytes do not hold %zu map "
				    "definitions of equal size, at least %u bytes each",
				    (unsigned long long)s->size, n, LEGACY_DEF_MIN);
	def_size = s->size / n;
	for (i = 1; i < elf->nsyms; i++) {
		const struct bpfh_elf_sym *sym = &elf->syms[i];
		struct bpfh_obj_map *m;
		const uint8_t *d;
		int idx;

		if (sym->shndx != sec || sym->type == BPFH_STT_SECTION)
			continue;
		if (sym->value % 4 || sym->value > s->size || def_size > s->size - sym->value)
			return bpfh_obj_err(&ld->ctx, symtab, bpfh_elf_sym_off(i) + 8, "map %s at "
					    "0x%llx: its %llu-byte definition does not fit in "
					    "section %s (0x%llx bytes)", sym->name,
					    (unsigned long long)sym->value,
					    (unsigned long long)def_size, s->name,
					    (unsigned long long)s->size);
		idx = bpfh_obj_add_map(ld, sym->name, BPFH_OBJ_MAP_LEGACY);
		if (idx < 0)
			return idx;
		m = &ld->obj->maps[idx];
		d = s->data + sym->value;
		m->def.type = bpfh_rd32(d);
		m->def.key_size = bpfh_rd32(d + 4);
		m->def.value_size = bpfh_rd32(d + 8);
		m->def.max_entries = bpfh_rd32(d + 12);
		m->def.map_flags = bpfh_rd32(d + 16);
		/* iproute2's struct bpf_elf_map goes on with id and pinning. */
		if (def_size >= 28 && bpfh_rd32(d + 24))
			m->pinning = BPFH_PIN_BY_NAME;
		m->sec_offset = (uint32_t)sym->value;
		ld->omaps[idx].sec = (uint32_t)sec;
		ld->omaps[idx].off = sym->value;
		ld->omaps[idx].size = def_size;
	}
	return 0;
}

/* ---- BTF-defined maps in ".maps" ---- */

struct map_parse {
	struct bpfh_oload *ld;
	const char *map;         /* its name, for messages */
	uint64_t at;             /* offset of the definition in .maps, for messages */
	int idx;
	int is_inner;
	uint32_t values_type;    /* the T of __array(values, T), 0 if none */
};

static int map_err(const struct map_parse *mp, const char *field, const char *what)
{
	return bpfh_obj_err(&mp->ld->ctx, ".maps", mp->at, "map %s: field %s: %s", mp->map,
			    field, what);
}

/* The number a `__uint(name, N)` (int (*name)[N]) or `__ulong` (enum { x = N } name) holds. */
static int field_value(const struct map_parse *mp, const struct bpfh_btf_member *m,
		       uint64_t *v)
{
	const struct bpfh_btf *btf = mp->ld->obj->btf;
	uint32_t id = bpfh_btf_resolve(btf, m->type);
	const struct bpfh_btf_type *t = bpfh_btf_type_by_id(btf, id);
	struct bpfh_btf_array a;
	int64_t e;

	if (t->kind == BPFH_BTF_KIND_PTR) {
		id = bpfh_btf_resolve(btf, t->type);
		if (bpfh_btf_array(btf, id, &a) == 0) {
			*v = a.nelems;
			return 0;
		}
	} else if ((t->kind == BPFH_BTF_KIND_ENUM || t->kind == BPFH_BTF_KIND_ENUM64) &&
		   t->vlen == 1) {
		bpfh_btf_enum_value(btf, id, 0, NULL, &e);
		*v = (uint64_t)e;
		return 0;
	}
	return map_err(mp, m->name, "expected __uint(name, N): a pointer to an array of N "
		       "elements");
}

/* The T of `__type(name, T)` (T *name) and its size. */
static int field_type(const struct map_parse *mp, const struct bpfh_btf_member *m,
		      uint32_t *type, uint32_t *size)
{
	const struct bpfh_btf *btf = mp->ld->obj->btf;
	const struct bpfh_btf_type *t = bpfh_btf_type_by_id(btf, bpfh_btf_resolve(btf, m->type));
	int64_t sz;

	if (t->kind != BPFH_BTF_KIND_PTR)
		return map_err(mp, m->name, "expected __type(name, T): a pointer to T");
	sz = bpfh_btf_size(btf, t->type);
	if (sz <= 0 || sz > UINT32_MAX)
		return map_err(mp, m->name, "its type has no size");
	*type = t->type;
	*size = (uint32_t)sz;
	return 0;
}

static int set_u32(const struct map_parse *mp, const char *field, uint32_t *dst, uint64_t v,
		   int *seen)
{
	char buf[96];

	if (v > UINT32_MAX) {
		snprintf(buf, sizeof(buf), "value %llu does not fit in 32 bits",
			 (unsigned long long)v);
		return map_err(mp, field, buf);
	}
	if (*seen && *dst != v) {
		snprintf(buf, sizeof(buf), "%llu conflicts with %u given before",
			 (unsigned long long)v, *dst);
		return map_err(mp, field, buf);
	}
	*dst = (uint32_t)v;
	*seen = 1;
	return 0;
}

static int is_map_in_map(uint32_t type)
{
	return type == BPFH_MAP_TYPE_ARRAY_OF_MAPS || type == BPFH_MAP_TYPE_HASH_OF_MAPS;
}

static int parse_map_def(struct map_parse *mp, uint32_t struct_id)
{
	struct bpfh_oload *ld = mp->ld;
	const struct bpfh_btf *btf = ld->obj->btf;
	const struct bpfh_btf_type *st = bpfh_btf_type_by_id(btf, struct_id);
	struct bpfh_obj_map *m = &ld->obj->maps[mp->idx];
	int seen_key = 0, seen_value = 0, seen_type = 0, seen_max = 0, seen_flags = 0;
	int seen_pin = 0;
	uint32_t i, dummy;
	int err;

	if (st->kind != BPFH_BTF_KIND_STRUCT)
		return bpfh_obj_err(&ld->ctx, ".maps", mp->at, "map %s: its type is a %s, not a "
				    "struct", mp->map, st->kind == BPFH_BTF_KIND_UNION ? "union" :
				    "non-struct");
	for (i = 0; i < st->vlen; i++) {
		struct bpfh_btf_member mb;
		uint64_t v = 0;
		uint32_t type = 0, size = 0;

		bpfh_btf_member(btf, struct_id, i, &mb);
		if (!strcmp(mb.name, "type")) {
			err = field_value(mp, &mb, &v);
			if (!err)
				err = set_u32(mp, mb.name, &m->def.type, v, &seen_type);
		} else if (!strcmp(mb.name, "max_entries")) {
			err = field_value(mp, &mb, &v);
			if (!err)
				err = set_u32(mp, mb.name, &m->def.max_entries, v, &seen_max);
		} else if (!strcmp(mb.name, "map_flags")) {
			err = field_value(mp, &mb, &v);
			if (!err)
				err = set_u32(mp, mb.name, &m->def.map_flags, v, &seen_flags);
		} else if (!strcmp(mb.name, "numa_node")) {
			err = field_value(mp, &mb, &v); /* no NUMA nodes here */
		} else if (!strcmp(mb.name, "key_size")) {
			err = field_value(mp, &mb, &v);
			if (!err)
				err = set_u32(mp, mb.name, &m->def.key_size, v, &seen_key);
		} else if (!strcmp(mb.name, "value_size")) {
			err = field_value(mp, &mb, &v);
			if (!err)
				err = set_u32(mp, mb.name, &m->def.value_size, v, &seen_value);
		} else if (!strcmp(mb.name, "key")) {
			err = field_type(mp, &mb, &type, &size);
			if (!err)
				err = set_u32(mp, mb.name, &m->def.key_size, size, &seen_key);
			m->btf_key_type_id = type;
		} else if (!strcmp(mb.name, "value")) {
			err = field_type(mp, &mb, &type, &size);
			if (!err)
				err = set_u32(mp, mb.name, &m->def.value_size, size, &seen_value);
			m->btf_value_type_id = type;
		} else if (!strcmp(mb.name, "pinning")) {
			err = field_value(mp, &mb, &v);
			if (!err && v != BPFH_PIN_NONE && v != BPFH_PIN_BY_NAME)
				err = map_err(mp, mb.name, "only LIBBPF_PIN_NONE (0) and "
					      "LIBBPF_PIN_BY_NAME (1) exist");
			if (!err)
				err = set_u32(mp, mb.name, &m->pinning, v, &seen_pin);
		} else if (!strcmp(mb.name, "map_extra")) {
			err = field_value(mp, &mb, &v);
			m->def.map_extra = v;
		} else if (!strcmp(mb.name, "values")) {
			const struct bpfh_btf_type *at, *pt;
			struct bpfh_btf_array a;
			uint32_t aid = bpfh_btf_resolve(btf, mb.type);

			at = bpfh_btf_type_by_id(btf, aid);
			err = 0;
			if (mp->is_inner)
				err = map_err(mp, mb.name, "an inner map cannot hold maps itself "
					      "(multi-level map-in-map)");
			else if (at->kind != BPFH_BTF_KIND_ARRAY || bpfh_btf_array(btf, aid, &a) ||
				 a.nelems != 0)
				err = map_err(mp, mb.name, "expected __array(values, T): a "
					      "flexible array of pointers to T");
			else if (i + 1 != st->vlen)
				err = map_err(mp, mb.name, "must be the last field");
			if (err)
				return err;
			pt = bpfh_btf_type_by_id(btf, bpfh_btf_resolve(btf, a.type));
			if (pt->kind != BPFH_BTF_KIND_PTR)
				return map_err(mp, mb.name, "expected __array(values, T): the "
					       "elements must be pointers");
			if (mb.bit_offset % 64)
				return map_err(mp, mb.name, "not 8-byte aligned");
			mp->values_type = bpfh_btf_resolve(btf, pt->type);
			ld->omaps[mp->idx].values_off = mb.bit_offset / 8;
			ld->omaps[mp->idx].has_values = 1;
		} else {
			return map_err(mp, mb.name, "unknown field (libbpf refuses it too)");
		}
		if (err)
			return err;
	}
	if (!ld->omaps[mp->idx].has_values)
		return 0;
	/* With `values`, the value is a map or program id: 4 bytes. */
	dummy = 4;
	err = set_u32(mp, "values", &m->def.value_size, dummy, &seen_value);
	if (err)
		return err;
	if (m->def.type == BPFH_MAP_TYPE_PROG_ARRAY) {
		if (bpfh_btf_type_by_id(btf, mp->values_type)->kind != BPFH_BTF_KIND_FUNC_PROTO)
			return map_err(mp, "values", "a prog array holds functions: "
				       "__array(values, int (void *))");
	} else if (is_map_in_map(m->def.type)) {
		if (bpfh_btf_type_by_id(btf, mp->values_type)->kind != BPFH_BTF_KIND_STRUCT)
			return map_err(mp, "values", "a map-in-map holds maps: "
				       "__array(values, struct { ... })");
	} else {
		return map_err(mp, "values", "only map-in-map types and prog arrays have values");
	}
	return 0;
}

static int btf_maps(struct bpfh_oload *ld, int sec)
{
	struct bpfh_btf *btf = ld->obj->btf;
	const struct bpfh_elf_sec *s = &ld->elf.secs[sec];
	const struct bpfh_btf_type *ds;
	int64_t dsid;
	uint32_t v;
	int err;

	if (!btf)
		return bpfh_obj_err(&ld->ctx, ".maps", 0, "BTF-defined maps need BTF (.BTF); "
				    "build the object with clang -g");
	dsid = bpfh_btf_find(btf, ".maps", BPFH_BTF_KIND_DATASEC);
	if (dsid < 0)
		return s->size ? bpfh_obj_err(&ld->ctx, ".maps", 0, "no DATASEC .maps in BTF "
					      "describes this section") : 0;
	ds = bpfh_btf_type_by_id(btf, (uint32_t)dsid);
	/* Maps in the DATASEC's order, as libbpf numbers them. */
	for (v = 0; v < ds->vlen; v++) {
		struct bpfh_btf_var_secinfo vi;
		const struct bpfh_btf_type *var;
		struct map_parse mp = { .ld = ld };
		int symi;
		int64_t size;

		bpfh_btf_datasec_var(btf, (uint32_t)dsid, v, &vi);
		var = bpfh_btf_type_by_id(btf, vi.type);
		if (var->kind != BPFH_BTF_KIND_VAR)
			return bpfh_obj_err(&ld->ctx, ".maps", 0, "DATASEC .maps lists %s, which is "
					    "not a variable", var->name);
		symi = bpfh_obj_find_sym(ld, (uint32_t)sec, var->name);
		if (symi < 0)
			return bpfh_obj_err(&ld->ctx, ".maps", 0, "map %s has no symbol",
					    var->name);
		size = bpfh_btf_size(btf, var->type);
		/* Initialised `values` make the object longer than its type: the symbol says. */
		if (size >= 0 && ld->elf.syms[symi].size > (uint64_t)size)
			size = ld->elf.syms[symi].size > s->size ? -1 :
								    (int64_t)ld->elf.syms[symi].size;
		mp.at = ld->elf.syms[symi].value;
		mp.map = var->name;
		if (size < 0 || mp.at > s->size || (uint64_t)size > s->size - mp.at)
			return bpfh_obj_err(&ld->ctx, ".maps", mp.at, "map %s: its definition "
					    "(%lld bytes) does not fit in the section (0x%llx "
					    "bytes)", var->name, (long long)size,
					    (unsigned long long)s->size);
		mp.idx = bpfh_obj_add_map(ld, var->name, BPFH_OBJ_MAP_BTF);
		if (mp.idx < 0)
			return mp.idx;
		ld->omaps[mp.idx].sec = (uint32_t)sec;
		ld->omaps[mp.idx].off = mp.at;
		ld->omaps[mp.idx].size = (uint64_t)size;
		ld->obj->maps[mp.idx].sec_offset = (uint32_t)mp.at;
		err = parse_map_def(&mp, bpfh_btf_resolve(btf, var->type));
		if (err)
			return err;
		ld->omaps[mp.idx].values_type = mp.values_type;
	}
	return 0;
}

/* Initial values of map-in-maps and prog arrays: relocations at the elements of `values`. */
struct slot_list {
	struct bpfh_obj_slot *v;
	size_t n, cap;
};

static int cmp_slot(const void *a, const void *b)
{
	const struct bpfh_obj_slot *x = a, *y = b;

	return x->key < y->key ? -1 : x->key > y->key;
}

static int map_slot(struct bpfh_oload *ld, int sec, size_t relsec, size_t k,
		    struct slot_list *lists)
{
	const struct bpfh_elf *elf = &ld->elf;
	const char *rname = elf->secs[relsec].name;
	struct bpfh_elf_rel rel;
	const struct bpfh_elf_sym *sym;
	struct bpfh_obj_map *m = NULL;
	struct slot_list *l;
	uint64_t slot_off;
	uint32_t slot, index = 0;
	size_t i;
	int err, mi, j;

	err = bpfh_elf_rel(elf, relsec, k, &rel, &ld->ctx);
	if (err)
		return err;
	if (rel.type == BPFH_R_BPF_NONE)
		return 0;
	if (rel.type != BPFH_R_BPF_64_ABS64 && rel.type != BPFH_R_BPF_64_64)
		return bpfh_obj_err(&ld->ctx, rname, k * BPFH_ELF_REL_SIZE + 8, "relocation %zu: "
				    "type %u (%s) cannot set an initial value in .maps", k,
				    rel.type, bpfh_elf_rel_name(rel.type));
	mi = bpfh_obj_map_at(ld, (uint32_t)sec, rel.offset, 1);
	if (mi >= 0)
		m = &ld->obj->maps[mi];
	i = (size_t)mi;
	if (!m || !ld->omaps[i].has_values ||
	    rel.offset - ld->omaps[i].off < ld->omaps[i].values_off ||
	    (rel.offset - ld->omaps[i].off - ld->omaps[i].values_off) % 8)
		return bpfh_obj_err(&ld->ctx, ".maps", rel.offset, "relocation %zu of %s is not at "
				    "an element of a map's values", k, rname);
	slot_off = rel.offset - ld->omaps[i].off - ld->omaps[i].values_off;
	slot = (uint32_t)(slot_off / 8);
	if (slot >= m->def.max_entries)
		return bpfh_obj_err(&ld->ctx, ".maps", rel.offset, "map %s: initial value for "
				    "slot %u, beyond max_entries %u", m->name, slot,
				    m->def.max_entries);
	sym = &elf->syms[rel.sym];
	if (m->def.type == BPFH_MAP_TYPE_PROG_ARRAY) {
		const struct bpfh_ofunc *f = NULL;

		if (sym->type == BPFH_STT_FUNC && sym->shndx && sym->shndx < elf->nsecs &&
		    ld->secs[sym->shndx].kind == BPFH_OSEC_PROG && sym->value % 8 == 0)
			f = bpfh_obj_func_at(ld, sym->shndx, (uint32_t)(sym->value / 8));
		if (!f || f->prog < 0 || f->start * 8 != sym->value)
			return bpfh_obj_err(&ld->ctx, ".maps", rel.offset, "prog array %s: slot "
					    "%u holds %s, which is not a program", m->name, slot,
					    sym->name);
		index = (uint32_t)f->prog;
	} else {
		j = sym->shndx == sec ? bpfh_obj_map_at(ld, (uint32_t)sec, sym->value, 0) : -1;
		if (j < 0)
			return bpfh_obj_err(&ld->ctx, ".maps", rel.offset, "map %s: slot %u holds "
					    "%s, which is not a map of .maps", m->name, slot,
					    sym->name);
		index = (uint32_t)j;
	}
	l = &lists[i];
	for (i = 0; i < l->n; i++)
		if (l->v[i].key == slot)
			return bpfh_obj_err(&ld->ctx, ".maps", rel.offset, "map %s: two initial "
					    "values for slot %u", m->name, slot);
	if (l->n == l->cap) {
		size_t nc = l->cap ? l->cap * 2 : 4;
		struct bpfh_obj_slot *nv = realloc(l->v, nc * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		l->v = nv;
		l->cap = nc;
	}
	l->v[l->n].key = slot;
	l->v[l->n++].index = index;
	return 0;
}

static int map_slots(struct bpfh_oload *ld, int sec)
{
	const struct bpfh_elf *elf = &ld->elf;
	struct slot_list *lists;
	size_t r, k, i;
	int err = 0;

	lists = calloc(ld->obj->nmaps ? ld->obj->nmaps : 1, sizeof(*lists));
	if (!lists)
		return -ENOMEM;
	for (r = 1; r < elf->nsecs && !err; r++) {
		if (elf->secs[r].info != (uint32_t)sec)
			continue;
		if (elf->secs[r].type == BPFH_SHT_RELA)
			err = bpfh_obj_err(&ld->ctx, elf->secs[r].name, 0, "RELA relocations of "
					   ".maps; BPF objects use REL");
		if (elf->secs[r].type != BPFH_SHT_REL)
			continue;
		for (k = 0; k < bpfh_elf_nrels(elf, r) && !err; k++)
			err = map_slot(ld, sec, r, k, lists);
	}
	for (i = 0; i < ld->obj->nmaps; i++) {
		if (!err && lists[i].n) {
			qsort(lists[i].v, lists[i].n, sizeof(*lists[i].v), cmp_slot);
			ld->obj->maps[i].slots = lists[i].v;
			ld->obj->maps[i].nslots = lists[i].n;
		} else {
			free(lists[i].v);
		}
	}
	free(lists);
	return err;
}

/* ---- global data ---- */

/* libbpf's name for an internal map: up to 8 characters of the object's name (its file name
 * up to the first dot) and the section name, 15 characters at most, other characters than
 * letters, digits, '_' and '.' made '_'. A section name with a second dot (".rodata.str1.1")
 * is used alone. */
void bpfh_obj_internal_name(char *out, size_t size, const char *path, const char *sec)
{
	const char *base = path, *p;
	size_t pfx = 0, sfx = strlen(sec), i;
	char name[16];

	for (p = path; *p; p++)
		if (*p == '/' || *p == '\\')
			base = p + 1;
	while (base[pfx] && base[pfx] != '.')
		pfx++;
	if (sfx < 7)
		sfx = 7;
	if (sfx > 15)
		sfx = 15;
	if (strchr(sec + 1, '.'))
		pfx = 0;
	else if (pfx > 16 - sfx - 1)
		pfx = 16 - sfx - 1;
	snprintf(name, sizeof(name), "%.*s%.*s", (int)pfx, base, (int)sfx, sec);
	for (i = 0; name[i]; i++)
		if (!isalnum((unsigned char)name[i]) && name[i] != '_' && name[i] != '.')
			name[i] = '_';
	copy_name(out, size, name);
}

static int data_maps(struct bpfh_oload *ld)
{
	const struct bpfh_elf *elf = &ld->elf;
	size_t i;

	for (i = 1; i < elf->nsecs; i++) {
		const struct bpfh_elf_sec *s = &elf->secs[i];
		enum bpfh_obj_map_kind kind;
		struct bpfh_obj_map *m;
		int idx;

		if (ld->secs[i].kind != BPFH_OSEC_DATA)
			continue;
		ld->secs[i].map = -1;
		if (s->size == 0)
			continue; /* no map; a reference to it is refused in reloc.c */
		if (s->size > INT32_MAX)
			return bpfh_obj_err(&ld->ctx, s->name, 0, "0x%llx bytes of global data are "
					    "too many for one map value",
					    (unsigned long long)s->size);
		if (!strncmp(s->name, ".rodata", 7))
			kind = BPFH_OBJ_MAP_RODATA;
		else if (!strncmp(s->name, ".bss", 4))
			kind = BPFH_OBJ_MAP_BSS;
		else
			kind = BPFH_OBJ_MAP_DATA;
		idx = bpfh_obj_add_map(ld, s->name, kind);
		if (idx < 0)
			return idx;
		ld->secs[i].map = idx;
		ld->omaps[idx].sec = (uint32_t)i;
		ld->omaps[idx].size = s->size;
		m = &ld->obj->maps[idx];
		bpfh_obj_internal_name(m->def.name, sizeof(m->def.name), ld->ctx.name, s->name);
		m->def.type = BPFH_MAP_TYPE_ARRAY;
		m->def.key_size = 4;
		m->def.value_size = (uint32_t)s->size;
		m->def.max_entries = 1;
		m->def.map_flags = kind == BPFH_OBJ_MAP_RODATA ? BPFH_F_RDONLY_PROG : 0;
		m->init = s->data;
		m->init_size = s->data ? (size_t)s->size : 0;
		if (ld->secs[i].datasec > 0)
			m->btf_value_type_id = (uint32_t)ld->secs[i].datasec;
	}
	return 0;
}

static int cmp_map_key(const void *a, const void *b)
{
	const struct bpfh_omap_key *x = a, *y = b;

	if (x->sec != y->sec)
		return x->sec < y->sec ? -1 : 1;
	if (x->off != y->off)
		return x->off < y->off ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* Sort the BTF and legacy maps by place, and refuse BTF maps that overlap: a relocation
 * could not tell them apart. */
static int index_maps(struct bpfh_oload *ld)
{
	size_t i, n = 0;

	ld->map_order = malloc((ld->obj->nmaps ? ld->obj->nmaps : 1) * sizeof(*ld->map_order));
	if (!ld->map_order)
		return -ENOMEM;
	for (i = 0; i < ld->obj->nmaps; i++) {
		if (ld->obj->maps[i].kind != BPFH_OBJ_MAP_BTF &&
		    ld->obj->maps[i].kind != BPFH_OBJ_MAP_LEGACY)
			continue;
		ld->map_order[n].sec = ld->omaps[i].sec;
		ld->map_order[n].off = ld->omaps[i].off;
		ld->map_order[n++].idx = (uint32_t)i;
	}
	qsort(ld->map_order, n, sizeof(*ld->map_order), cmp_map_key);
	ld->nmap_order = n;
	for (i = 1; i < n; i++) {
		const struct bpfh_omap_key *x = &ld->map_order[i - 1], *y = &ld->map_order[i];
		uint64_t xsize = ld->omaps[x->idx].size ? ld->omaps[x->idx].size : 1;

		if (x->sec == y->sec && y->off - x->off < xsize &&
		    ld->obj->maps[y->idx].kind == BPFH_OBJ_MAP_BTF)
			return bpfh_obj_err(&ld->ctx, ld->elf.secs[y->sec].name, y->off,
					    "maps %s and %s overlap", ld->obj->maps[x->idx].name,
					    ld->obj->maps[y->idx].name);
	}
	return 0;
}

int bpfh_obj_map_at(const struct bpfh_oload *ld, uint32_t sec, uint64_t off, int contains)
{
	size_t lo = 0, hi = ld->nmap_order;
	const struct bpfh_omap_key *k;

	/* The first map at or after (sec, off). */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		k = &ld->map_order[mid];
		if (k->sec < sec || (k->sec == sec && k->off < off))
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < ld->nmap_order && ld->map_order[lo].sec == sec && ld->map_order[lo].off == off)
		return (int)ld->map_order[lo].idx;
	if (!contains || lo == 0)
		return -1;
	k = &ld->map_order[lo - 1];
	if (k->sec == sec && ld->obj->maps[k->idx].kind == BPFH_OBJ_MAP_BTF &&
	    off - k->off < ld->omaps[k->idx].size)
		return (int)k->idx;
	return -1;
}

/* The inner templates of map-in-maps, last, so that every other map keeps libbpf's index. */
int bpfh_obj_add_inner_maps(struct bpfh_oload *ld)
{
	size_t i, n = ld->obj->nmaps;
	int err;

	for (i = 0; i < n; i++) {
		struct map_parse ip = { .ld = ld, .is_inner = 1 };
		char name[BPFH_MAP_NAME_LEN];

		if (ld->obj->maps[i].kind != BPFH_OBJ_MAP_BTF || !ld->omaps[i].values_type ||
		    !is_map_in_map(ld->obj->maps[i].def.type))
			continue;
		snprintf(name, sizeof(name), "%.57s.inner", ld->obj->maps[i].name);
		ip.map = name;
		ip.at = ld->omaps[i].off;
		ip.idx = bpfh_obj_add_map(ld, name, BPFH_OBJ_MAP_INNER);
		if (ip.idx < 0)
			return ip.idx;
		ld->omaps[ip.idx].sec = ld->omaps[i].sec;
		ld->obj->maps[i].inner = ip.idx;
		err = parse_map_def(&ip, ld->omaps[i].values_type);
		if (err)
			return err;
	}
	return 0;
}

int bpfh_obj_collect_maps(struct bpfh_oload *ld)
{
	int legacy = -1, btf = -1, err;
	size_t i;

	if (ld->obj->btf) {
		err = fixup_datasecs(ld);
		if (err)
			return err;
	}
	for (i = 1; i < ld->elf.nsecs; i++) {
		if (ld->secs[i].kind == BPFH_OSEC_LEGACY_MAPS && legacy < 0)
			legacy = (int)i;
		if (ld->secs[i].kind == BPFH_OSEC_MAPS && btf < 0)
			btf = (int)i;
	}
	if (legacy > 0) {
		err = legacy_maps(ld, legacy);
		if (err)
			return err;
	}
	if (btf > 0) {
		err = btf_maps(ld, btf);
		if (err)
			return err;
	}
	err = index_maps(ld);
	if (!err && btf > 0)
		err = map_slots(ld, btf);
	if (err)
		return err;
	return data_maps(ld);
}
