// SPDX-License-Identifier: MIT
/*
 * The object loader on the objects clang builds from tests/data/obj/NAME.bpf.c: programs (names,
 * sections, types, images that decode, calls and function addresses that land on the start of
 * the right subprogram, func info, line info), maps of every origin (BTF, legacy, map-in-map
 * with its inner template and initial slots, prog arrays, global data with its bytes and BTF,
 * .kconfig), CO-RE records, license and version, options, and the refusals that name what is
 * wrong. Skips itself (0 passed, 0 failed) when the objects were not built (no clang).
 */
#include <errno.h>

#include "bpfhost/obj.h"
#include "../check.h"
#include "objtest.h"

static char logbuf[8192];

static struct bpfh_object *open_obj(const char *file, const struct bpfh_object_opts *opts)
{
	struct test_file f;
	struct bpfh_object *obj = NULL;
	int err;

	if (test_file_load(file, &f))
		return NULL;
	err = t_open(f.data, f.size, file, opts, logbuf, sizeof(logbuf), &obj);
	CHECKF(err == 0, "%s: %d: %s", file, err, logbuf);
	test_file_free(&f);
	return obj;
}

/* The refusal of file: its error and log. */
static int open_fail(const char *file, const struct bpfh_object_opts *opts)
{
	struct test_file f;
	struct bpfh_object *obj = NULL;
	int err;

	if (test_file_load(file, &f))
		return 1;
	err = t_open(f.data, f.size, file, opts, logbuf, sizeof(logbuf), &obj);
	CHECKF(err < 0 && !obj, "%s opened", file);
	bpfh_object_destroy(obj);
	test_file_free(&f);
	return err;
}

static const struct bpfh_obj_func *func_at(const struct bpfh_obj_prog *p, uint32_t insn)
{
	size_t k;

	for (k = 0; k < p->nfuncs; k++)
		if (insn >= p->funcs[k].insn && insn < p->funcs[k].insn + p->funcs[k].count)
			return &p->funcs[k];
	return NULL;
}

static const struct bpfh_obj_func *find_func(const struct bpfh_obj_prog *p, const char *name)
{
	size_t k;

	for (k = 0; k < p->nfuncs; k++)
		if (!strcmp(p->funcs[k].name, name))
			return &p->funcs[k];
	return NULL;
}

/* What holds for every program of every object. */
static void check_prog_common(const struct bpfh_object *obj, const struct bpfh_obj_prog *p)
{
	uint8_t *ops = malloc(p->count ? p->count : 1);
	struct bpfh_log log;
	uint32_t covered = 0;
	size_t i, k;

	bpfh_log_init(&log, logbuf, sizeof(logbuf));
	CHECKF(ops && bpfh_isa_decode(p->insns, p->count, ops, &log) == 0, "%s: %s: %s",
	       obj->name, p->name, logbuf);
	/* The functions tile the image, the program's own first. */
	CHECK(p->nfuncs >= 1 && p->funcs[0].insn == 0 && !strcmp(p->funcs[0].name, p->name));
	for (k = 0; k < p->nfuncs; k++) {
		CHECKF(p->funcs[k].insn == covered, "%s: func %s at %u, expected %u", p->name,
		       p->funcs[k].name, p->funcs[k].insn, covered);
		covered += p->funcs[k].count;
		if (obj->btf && p->funcs[k].btf_id) {
			const struct bpfh_btf_type *t = bpfh_btf_type_by_id(obj->btf,
									    p->funcs[k].btf_id);

			CHECK(t && t->kind == BPFH_BTF_KIND_FUNC &&
			      !strcmp(t->name, p->funcs[k].name));
		}
	}
	CHECK(covered == p->count);
	/* Every local call and function address lands on the first instruction of a function. */
	for (i = 0; i < p->count; i++) {
		const struct bpfh_insn *in = &p->insns[i];
		int64_t t;

		if (!((in->code == 0x85 && in->src == 1) || (in->code == 0x18 && in->src == 4))) {
			if (in->code == 0x18)
				i++;
			continue;
		}
		t = (int64_t)i + 1 + in->imm;
		CHECKF(t >= 0 && t < (int64_t)p->count && func_at(p, (uint32_t)t) &&
		       func_at(p, (uint32_t)t)->insn == t, "%s: insn %zu targets %lld, not a "
		       "function start", p->name, i, (long long)t);
		if (in->code == 0x18)
			i++;
	}
	/* lddw map references name maps of this object */
	for (i = 0; i + 1 < p->count; i++) {
		const struct bpfh_insn *in = &p->insns[i];

		if (in->code != 0x18)
			continue;
		if (in->src == BPFH_PSEUDO_MAP_IDX || in->src == BPFH_PSEUDO_MAP_IDX_VALUE)
			CHECKF(in->imm >= 0 && (size_t)in->imm < obj->nmaps &&
			       obj->maps[in->imm].kind != BPFH_OBJ_MAP_INNER,
			       "%s: insn %zu map %d", p->name, i, in->imm);
		if (in->src == BPFH_PSEUDO_MAP_IDX_VALUE && in->imm >= 0 &&
		    (size_t)in->imm < obj->nmaps)
			CHECKF(in[1].imm >= 0 && (uint32_t)in[1].imm <
			       obj->maps[in->imm].def.value_size, "%s: insn %zu offset %d",
			       p->name, i, in[1].imm);
		i++;
	}
	/* Line info: sorted, inside the image, with a file */
	for (i = 0; i < p->nlines; i++) {
		CHECK(p->lines[i].insn < p->count);
		CHECK(p->lines[i].file && p->lines[i].text);
		if (i)
			CHECK(p->lines[i - 1].insn <= p->lines[i].insn);
	}
	for (i = 0; i < p->ncore_relos; i++)
		CHECK(p->core_relos[i].insn < p->count && p->core_relos[i].access);
	free(ops);
}

static void check_all_progs(const struct bpfh_object *obj)
{
	size_t i;

	for (i = 0; i < obj->nprogs; i++)
		check_prog_common(obj, &obj->progs[i]);
}

/* The names of the functions that the calls of function caller in p reach. */
static int calls_from(const struct bpfh_obj_prog *p, const char *caller, const char *callee)
{
	const struct bpfh_obj_func *f = find_func(p, caller);
	uint32_t i;
	int n = 0;

	if (!f)
		return -1;
	for (i = f->insn; i < f->insn + f->count; i++) {
		const struct bpfh_insn *in = &p->insns[i];
		const struct bpfh_obj_func *g;

		if (!((in->code == 0x85 && in->src == 1) || (in->code == 0x18 && in->src == 4)))
			continue;
		g = func_at(p, (uint32_t)((int64_t)i + 1 + in->imm));
		if (g && !strcmp(g->name, callee))
			n++;
	}
	return n;
}

static int has_line(const struct bpfh_obj_prog *p, const char *func, const char *text)
{
	const struct bpfh_obj_func *f = find_func(p, func);
	size_t i;

	for (i = 0; f && i < p->nlines; i++)
		if (p->lines[i].insn >= f->insn && p->lines[i].insn < f->insn + f->count &&
		    strstr(p->lines[i].text, text))
			return 1;
	return 0;
}

/* Each function of p is in the image as the ELF has it: same opcodes, registers and offsets,
 * and same immediates except where a relocation or the linker changed them (calls, lddw). */
static void check_copied(const struct bpfh_obj_prog *p, const char *file)
{
	struct test_file f;
	size_t k;
	uint32_t i;

	if (test_file_load(file, &f))
		return;
	for (k = 0; k < p->nfuncs; k++) {
		unsigned sym = t_find_sym(&f, p->funcs[k].name);
		const uint8_t *code;

		if (!CHECK(sym))
			continue;
		code = f.data + t_sec_off(&f, t_rd16(f.data + t_sym(&f, sym) + 6)) +
		       t_rd64(f.data + t_sym(&f, sym) + 8);
		CHECK(t_rd64(f.data + t_sym(&f, sym) + 16) == (uint64_t)p->funcs[k].count * 8);
		for (i = 0; i < p->funcs[k].count; i++) {
			const struct bpfh_insn *in = &p->insns[p->funcs[k].insn + i];
			const uint8_t *b = code + (size_t)i * 8;
			int patched = b[0] == 0x85 || b[0] == 0x18 || (i && b[-8] == 0x18);

			CHECKF(in->code == b[0] && in->dst == (b[1] & 0xf) &&
			       in->off == (int16_t)t_rd16(b + 2), "%s: %s insn %u", file,
			       p->funcs[k].name, i);
			if (!patched)
				CHECKF(in->src == b[1] >> 4 && in->imm == (int32_t)t_rd32(b + 4),
				       "%s: %s insn %u", file, p->funcs[k].name, i);
		}
	}
	test_file_free(&f);
}

static void test_calls(void)
{
	struct bpfh_object *obj = open_obj("calls.bpf.o", NULL);
	const struct bpfh_obj_prog *p;
	size_t i;

	if (!obj)
		return;
	check_all_progs(obj);
	for (i = 0; i < obj->nprogs; i++)
		check_copied(&obj->progs[i], "calls.bpf.o");
	CHECK(obj->nprogs == 3);
	CHECK_STR(obj->license, "GPL");
	CHECK_STR(obj->progs[0].name, "first");
	CHECK_STR(obj->progs[1].name, "second");
	CHECK_STR(obj->progs[2].name, "third");
	CHECK_STR(obj->progs[0].section, "xdp");
	CHECK_STR(obj->progs[1].section, "xdp");
	CHECK(obj->progs[0].prog_type == BPFH_PROG_TYPE_XDP);
	CHECK(obj->progs[0].expected_attach_type == BPFH_XDP);
	CHECK(obj->progs[2].prog_type == BPFH_PROG_TYPE_SCHED_CLS);
	CHECK(obj->progs[0].sec_offset == 0 && obj->progs[1].sec_offset > 0);

	p = bpfh_object_find_prog(obj, "first");
	CHECK(p == &obj->progs[0]);
	CHECK(bpfh_object_find_prog(obj, "tc") == &obj->progs[2]);
	CHECK(bpfh_object_find_prog(obj, "xdp") == &obj->progs[0]);
	CHECK(bpfh_object_find_prog(obj, "leaf") == NULL);
	/* first: bpf_loop(loop_body) and global_helper -> middle -> leaf, each copied once */
	CHECK(p->nfuncs == 5);
	CHECK(find_func(p, "loop_body") && find_func(p, "global_helper") &&
	      find_func(p, "middle") && find_func(p, "leaf"));
	CHECK(calls_from(p, "first", "loop_body") == 1);   /* lddw func */
	CHECK(calls_from(p, "first", "global_helper") == 1);
	CHECK(calls_from(p, "global_helper", "middle") == 1);
	CHECK(calls_from(p, "middle", "leaf") == 2);
	CHECK(calls_from(p, "loop_body", "leaf") == 1);
	for (i = 0; i < p->count; i++)
		if (p->insns[i].code == 0x18 && p->insns[i].src == 4)
			break;
	CHECK(i < p->count);
	CHECK(has_line(p, "middle", "return leaf(x) + leaf(x + 1);"));
	CHECK(has_line(p, "first", "bpf_loop(4, loop_body, &acc, 0);"));
	CHECK(p->nlines > 0 && strstr(p->lines[0].file, "calls.bpf.c") && p->lines[0].line > 0);

	/* second: bpf_for_each_map_elem(sum_elem) and middle -> leaf */
	p = &obj->progs[1];
	CHECK(p->nfuncs == 4);
	CHECK(calls_from(p, "second", "sum_elem") == 1);
	CHECK(calls_from(p, "second", "middle") == 1);
	CHECK(calls_from(p, "middle", "leaf") == 2);
	CHECK(find_func(p, "loop_body") == NULL && find_func(p, "global_helper") == NULL);
	CHECK(bpfh_object_find_map(obj, "values") == 0);
	CHECK(bpfh_object_find_map(obj, "nothing") == -1);

	/* third: leaf only */
	p = &obj->progs[2];
	CHECK(p->nfuncs == 2 && !strcmp(p->funcs[1].name, "leaf"));
	CHECK(calls_from(p, "third", "leaf") == 1);
	CHECK(p->count == p->funcs[0].count + p->funcs[1].count);
	bpfh_object_destroy(obj);
}

static const struct bpfh_obj_map *map_named(const struct bpfh_object *obj, const char *name)
{
	int i = bpfh_object_find_map(obj, name);

	CHECKF(i >= 0, "no map %s", name);
	return i >= 0 ? &obj->maps[i] : NULL;
}

static int def_is(const struct bpfh_obj_map *m, uint32_t type, uint32_t k, uint32_t v,
		  uint32_t max, uint32_t flags)
{
	return m && m->def.type == type && m->def.key_size == k && m->def.value_size == v &&
	       m->def.max_entries == max && m->def.map_flags == flags;
}

static int refers_to_map(const struct bpfh_obj_prog *p, int map, unsigned src)
{
	size_t i;

	for (i = 0; i + 1 < p->count; i++)
		if (p->insns[i].code == 0x18 && p->insns[i].src == src && p->insns[i].imm == map)
			return 1;
	return 0;
}

static void test_maps_btf(void)
{
	struct bpfh_object *obj = open_obj("maps_btf.bpf.o", NULL);
	const struct bpfh_obj_map *m;
	const struct bpfh_btf_type *t;

	if (!obj)
		return;
	check_all_progs(obj);
	CHECK_STR(obj->license, "Dual MIT/GPL");
	m = map_named(obj, "flows");
	CHECK(def_is(m, BPFH_MAP_TYPE_HASH, 16, 16, 1024, 0) && m->kind == BPFH_OBJ_MAP_BTF);
	if (m) {
		t = bpfh_btf_type_by_id(obj->btf, m->btf_key_type_id);
		CHECK(t && t->kind == BPFH_BTF_KIND_STRUCT && !strcmp(t->name, "flow_key"));
		t = bpfh_btf_type_by_id(obj->btf, m->btf_value_type_id);
		CHECK(t && !strcmp(t->name, "flow_stats"));
		CHECK(m->inner == -1 && m->nslots == 0 && m->pinning == BPFH_PIN_NONE && !m->init);
		CHECK_STR(m->def.name, "flows");
	}
	m = map_named(obj, "config");
	CHECK(def_is(m, BPFH_MAP_TYPE_ARRAY, 4, 64, 8, 0) && m->btf_key_type_id == 0);
	m = map_named(obj, "counters");
	CHECK(def_is(m, BPFH_MAP_TYPE_PERCPU_ARRAY, 4, 8, 4, 0));
	m = map_named(obj, "lru");
	CHECK(def_is(m, BPFH_MAP_TYPE_LRU_HASH, 8, 4, 128, BPFH_F_NO_COMMON_LRU) &&
	      m->pinning == BPFH_PIN_BY_NAME);
	m = map_named(obj, "events");
	CHECK(def_is(m, BPFH_MAP_TYPE_RINGBUF, 0, 0, 4096, 0));
	m = map_named(obj, "queue");
	CHECK(def_is(m, BPFH_MAP_TYPE_QUEUE, 0, 4, 16, 0));
	m = map_named(obj, "bloom");
	CHECK(def_is(m, BPFH_MAP_TYPE_BLOOM_FILTER, 0, 4, 100, 0) && m->def.map_extra == 3);
	/* the program refers to the maps it uses, by index */
	CHECK(obj->nprogs == 1);
	CHECK(refers_to_map(&obj->progs[0], bpfh_object_find_map(obj, "flows"),
			    BPFH_PSEUDO_MAP_IDX));
	CHECK(refers_to_map(&obj->progs[0], bpfh_object_find_map(obj, "counters"),
			    BPFH_PSEUDO_MAP_IDX));
	CHECK(refers_to_map(&obj->progs[0], bpfh_object_find_map(obj, "queue"),
			    BPFH_PSEUDO_MAP_IDX));
	CHECK(!refers_to_map(&obj->progs[0], bpfh_object_find_map(obj, "lru"),
			     BPFH_PSEUDO_MAP_IDX));
	CHECK(obj->progs[0].prog_type == BPFH_PROG_TYPE_XDP);
	bpfh_object_destroy(obj);
}

static void test_legacy(void)
{
	struct bpfh_object *obj = open_obj("legacy.bpf.o", NULL);
	const struct bpfh_obj_map *m;

	if (obj) {
		check_all_progs(obj);
		CHECK(obj->nmaps == 2);
		m = map_named(obj, "counts");
		CHECK(def_is(m, BPFH_MAP_TYPE_ARRAY, 4, 8, 256, 0) &&
		      m->kind == BPFH_OBJ_MAP_LEGACY && m->pinning == 0);
		m = map_named(obj, "table");
		CHECK(def_is(m, BPFH_MAP_TYPE_HASH, 8, 16, 32, BPFH_F_NO_PREALLOC));
		CHECK(obj->kern_version == 0x050a00);
		CHECK(refers_to_map(&obj->progs[0], 0, BPFH_PSEUDO_MAP_IDX));
		CHECK(refers_to_map(&obj->progs[0], 1, BPFH_PSEUDO_MAP_IDX));
		CHECK(obj->progs[0].prog_type == BPFH_PROG_TYPE_SOCKET_FILTER);
		bpfh_object_destroy(obj);
	}
	obj = open_obj("legacy_elf.bpf.o", NULL);
	if (obj) {
		check_all_progs(obj);
		m = map_named(obj, "acc");
		CHECK(def_is(m, BPFH_MAP_TYPE_ARRAY, 4, 8, 2, 0) && m->pinning == BPFH_PIN_BY_NAME);
		m = map_named(obj, "scratch");
		CHECK(def_is(m, BPFH_MAP_TYPE_PERCPU_ARRAY, 4, 32, 1, 0) && m->pinning == 0);
		CHECK(obj->progs[0].prog_type == BPFH_PROG_TYPE_SCHED_CLS);
		CHECK_STR(obj->progs[0].section, "classifier");
		bpfh_object_destroy(obj);
	}
}

static void test_mapinmap(void)
{
	struct bpfh_object *obj = open_obj("mapinmap.bpf.o", NULL);
	const struct bpfh_obj_map *m, *in;
	const struct bpfh_obj_prog *two, *three;
	int a, b;

	if (!obj)
		return;
	check_all_progs(obj);
	check_copied(&obj->progs[0], "mapinmap.bpf.o");
	a = bpfh_object_find_map(obj, "inner_a");
	b = bpfh_object_find_map(obj, "inner_b");
	m = map_named(obj, "outer");
	CHECK(def_is(m, BPFH_MAP_TYPE_ARRAY_OF_MAPS, 4, 4, 8, 0));
	if (m && CHECK(m->inner >= 0 && (size_t)m->inner < obj->nmaps)) {
		in = &obj->maps[m->inner];
		CHECK_STR(in->name, "outer.inner");
		CHECK(in->kind == BPFH_OBJ_MAP_INNER);
		CHECK(def_is(in, BPFH_MAP_TYPE_ARRAY, 4, 8, 4, 0));
		CHECK((size_t)m->inner > (size_t)bpfh_object_find_map(obj, "jump"));
	}
	if (m && CHECK(m->nslots == 2)) {
		CHECK(m->slots[0].key == 0 && (int)m->slots[0].index == a);
		CHECK(m->slots[1].key == 5 && (int)m->slots[1].index == b);
	}
	m = map_named(obj, "by_id");
	CHECK(def_is(m, BPFH_MAP_TYPE_HASH_OF_MAPS, 8, 4, 16, 0) && m->nslots == 0);
	if (m && CHECK(m->inner >= 0)) {
		CHECK_STR(obj->maps[m->inner].name, "by_id.inner");
		CHECK(def_is(&obj->maps[m->inner], BPFH_MAP_TYPE_HASH, 4, 4, 64, 0));
	}
	m = map_named(obj, "jump");
	two = bpfh_object_find_prog(obj, "stage_two");
	three = bpfh_object_find_prog(obj, "stage_three");
	CHECK(def_is(m, BPFH_MAP_TYPE_PROG_ARRAY, 4, 4, 4, 0) && m->inner == -1);
	if (m && two && three && CHECK(m->nslots == 2)) {
		CHECK(m->slots[0].key == 1 && m->slots[0].index == (uint32_t)(two - obj->progs));
		CHECK(m->slots[1].key == 3 && m->slots[1].index == (uint32_t)(three - obj->progs));
	}
	CHECK(obj->nprogs == 3);
	bpfh_object_destroy(obj);
}

/* The bytes of variable var in global-data map m, located through the map's DATASEC. */
static const uint8_t *var_bytes(const struct bpfh_object *obj, const struct bpfh_obj_map *m,
				const char *var, uint32_t *size)
{
	const struct bpfh_btf_type *ds = bpfh_btf_type_by_id(obj->btf, m->btf_value_type_id);
	uint32_t i;

	if (!ds || ds->kind != BPFH_BTF_KIND_DATASEC)
		return NULL;
	for (i = 0; i < ds->vlen; i++) {
		struct bpfh_btf_var_secinfo vi;

		bpfh_btf_datasec_var(obj->btf, m->btf_value_type_id, i, &vi);
		if (strcmp(bpfh_btf_type_by_id(obj->btf, vi.type)->name, var))
			continue;
		if (vi.offset + vi.size > m->def.value_size)
			return NULL;
		*size = vi.size;
		return m->init ? m->init + vi.offset : (const uint8_t *)"";
	}
	return NULL;
}

static void test_globals(void)
{
	struct bpfh_object *obj = open_obj("globals.bpf.o", NULL);
	const struct bpfh_obj_map *m;
	const uint8_t *p;
	uint32_t size = 0;
	int i;

	if (!obj)
		return;
	check_all_progs(obj);
	check_copied(&obj->progs[0], "globals.bpf.o");
	m = map_named(obj, ".data");
	CHECK(m && m->kind == BPFH_OBJ_MAP_DATA && m->def.type == BPFH_MAP_TYPE_ARRAY &&
	      m->def.key_size == 4 && m->def.max_entries == 1 && m->def.map_flags == 0 &&
	      m->init && m->init_size == m->def.value_size);
	if (m) {
		CHECK_STR(m->def.name, "globals.data");
		p = var_bytes(obj, m, "hits", &size);
		CHECK(p && size == 4 && p[0] == 7 && p[1] == 0);
		p = var_bytes(obj, m, "static_hits", &size);
		CHECK(p && size == 4 && p[0] == 3);
	}
	m = map_named(obj, ".rodata");
	CHECK(m && m->kind == BPFH_OBJ_MAP_RODATA && m->def.map_flags == BPFH_F_RDONLY_PROG);
	if (m) {
		CHECK_STR(m->def.name, "globals.rodata");
		p = var_bytes(obj, m, "limit", &size);
		CHECK(p && size == 4 && p[0] == 100);
		p = var_bytes(obj, m, "greeting", &size);
		CHECK(p && size == 8 && !memcmp(p, "hello", 6));
	}
	m = map_named(obj, ".bss");
	CHECK(m && m->kind == BPFH_OBJ_MAP_BSS && !m->init && m->init_size == 0 &&
	      m->def.value_size == 24 && m->def.map_flags == 0);
	if (m) {
		CHECK_STR(m->def.name, "globals.bss");
		CHECK(var_bytes(obj, m, "total", &size) && size == 8);
		CHECK(var_bytes(obj, m, "seen", &size) && size == 16);
	}
	m = map_named(obj, ".data.counters");
	CHECK(m && m->kind == BPFH_OBJ_MAP_DATA && m->def.value_size == 4);
	if (m) {
		CHECK_STR(m->def.name, ".data.counters");
		p = var_bytes(obj, m, "custom_counter", &size);
		CHECK(p && p[0] == 42);
	}
	m = map_named(obj, ".rodata.tunables");
	CHECK(m && m->kind == BPFH_OBJ_MAP_RODATA && m->def.map_flags == BPFH_F_RDONLY_PROG);
	if (m) {
		CHECK_STR(m->def.name, ".rodata.tunable"); /* 15 characters, as libbpf cuts it */
		p = var_bytes(obj, m, "tunable", &size);
		CHECK(p && p[0] == 5);
	}
	/* found by the libbpf name too */
	CHECK(bpfh_object_find_map(obj, "globals.bss") == bpfh_object_find_map(obj, ".bss"));
	/* the program reaches each of them through map-value loads */
	for (i = 0; i < (int)obj->nmaps; i++)
		CHECKF(refers_to_map(&obj->progs[0], i, BPFH_PSEUDO_MAP_IDX_VALUE), "map %s",
		       obj->maps[i].name);
	CHECK(obj->progs[0].prog_type == BPFH_PROG_TYPE_CGROUP_SOCK_ADDR &&
	      obj->progs[0].expected_attach_type == BPFH_CGROUP_INET4_BIND);
	bpfh_object_destroy(obj);
}

static int find_u32(const uint8_t *p, size_t size, uint32_t v)
{
	size_t i;

	for (i = 0; i + 4 <= size; i += 4)
		if (t_rd32(p + i) == v)
			return (int)i;
	return -1;
}

static void test_kconfig(void)
{
	struct bpfh_object_opts opts = { .sz = sizeof(opts), .kernel_version = 0x050a0f };
	struct bpfh_object *obj = open_obj("kconfig.bpf.o", NULL);
	const struct bpfh_obj_map *m;
	int err;

	if (obj) {
		check_all_progs(obj);
		m = map_named(obj, ".kconfig");
		CHECK(m && m->kind == BPFH_OBJ_MAP_KCONFIG && m->init &&
		      m->def.map_flags == BPFH_F_RDONLY_PROG && m->def.value_size >= 13 &&
		      m->def.value_size <= 16 && m->init_size == m->def.value_size);
		if (m) {
			CHECK_STR(m->def.name, "kconfig.kconfig");
			CHECK(find_u32(m->init, m->init_size, BPFH_KERNEL_VERSION) >= 0);
			CHECK(refers_to_map(&obj->progs[0], (int)(m - obj->maps),
					    BPFH_PSEUDO_MAP_IDX_VALUE));
		}
		bpfh_object_destroy(obj);
	}
	obj = open_obj("kconfig.bpf.o", &opts);
	if (obj) {
		m = map_named(obj, ".kconfig");
		CHECK(m && find_u32(m->init, m->init_size, 0x050a0f) >= 0);
		bpfh_object_destroy(obj);
	}
	err = open_fail("bad_kconfig.bpf.o", NULL);
	if (err != 1) {
		CHECK(err == -EINVAL);
		CHECKF(strstr(logbuf, "bad_kconfig.bpf.o: section .symtab, offset 0x") &&
		       strstr(logbuf, "extern CONFIG_HZ (.kconfig) has no value on this host"),
		       "%s", logbuf);
	}
	err = open_fail("ksym.bpf.o", NULL);
	if (err != 1)
		CHECKF(err == -EINVAL && strstr(logbuf, "ksym.bpf.o: section socket, offset 0x") &&
		       strstr(logbuf, "extern bpf_prog_active"), "%s", logbuf);
}

static void test_core(void)
{
	struct bpfh_object *obj = open_obj("core.bpf.o", NULL);
	const struct bpfh_obj_prog *p;
	unsigned kinds = 0;
	size_t i;

	if (!obj)
		return;
	check_all_progs(obj);
	p = &obj->progs[0];
	CHECK(p->prog_type == BPFH_PROG_TYPE_KPROBE);
	CHECK(p->ncore_relos >= 5);
	for (i = 0; i < p->ncore_relos; i++) {
		const struct bpfh_btf_type *t = bpfh_btf_type_by_id(obj->btf,
								    p->core_relos[i].type_id);

		kinds |= 1u << p->core_relos[i].kind;
		CHECK(t && (!strcmp(t->name, "task") || !strcmp(t->name, "mode")));
		if (p->core_relos[i].kind == BPFH_CORE_FIELD_BYTE_OFFSET)
			CHECK_STR(p->core_relos[i].access, "0:1");
	}
	CHECK(kinds & (1u << BPFH_CORE_FIELD_BYTE_OFFSET));
	CHECK(kinds & (1u << BPFH_CORE_FIELD_EXISTS));
	CHECK(kinds & (1u << BPFH_CORE_FIELD_BYTE_SIZE));
	CHECK(kinds & (1u << BPFH_CORE_TYPE_EXISTS));
	CHECK(kinds & (1u << BPFH_CORE_ENUMVAL_EXISTS));
	CHECK(kinds & (1u << BPFH_CORE_ENUMVAL_VALUE));
	bpfh_object_destroy(obj);
}

static void test_sections(void)
{
	struct bpfh_object *obj = open_obj("sections.bpf.o", NULL);
	size_t i;

	if (!obj)
		return;
	check_all_progs(obj);
	CHECK(obj->nprogs == 45);
	for (i = 0; i < obj->nprogs; i++) {
		const struct bpfh_obj_prog *p = &obj->progs[i];
		uint32_t t, a;

		CHECK(bpfh_section_prog_type(p->section, &t, &a) == 0);
		CHECKF(p->prog_type == t && p->expected_attach_type == a, "%s", p->section);
		CHECK(p->count == 2 && p->nfuncs == 1);
		CHECK(!strncmp(p->name, "p_", 2));
	}
	CHECK(bpfh_object_find_prog(obj, "bind")->prog_type == BPFH_PROG_TYPE_BIND);
	CHECK(bpfh_object_find_prog(obj, "cgroup/connect6")->expected_attach_type ==
	      BPFH_CGROUP_INET6_CONNECT);
	CHECK(bpfh_object_find_prog(obj, "uprobe/bin/true:main")->prog_type ==
	      BPFH_PROG_TYPE_KPROBE);
	CHECK(bpfh_object_find_prog(obj, "p_tp_btf")->prog_type == BPFH_PROG_TYPE_TRACING);
	bpfh_object_destroy(obj);
}

static void test_explicit_type(void)
{
	struct bpfh_object_opts opts = { .sz = sizeof(opts), .prog_type = BPFH_PROG_TYPE_MEMORY };
	struct bpfh_object *obj;
	int err;

	err = open_fail("text_only.bpf.o", NULL);
	if (err == 1)
		return;
	CHECK(err == -EINVAL);
	CHECKF(strstr(logbuf, "text_only.bpf.o: section .text, offset 0x0: program add_one: "
			      "section name \".text\" gives no program type") &&
	       strstr(logbuf, "give the program type explicitly"), "%s", logbuf);
	obj = open_obj("text_only.bpf.o", &opts);
	if (obj) {
		check_all_progs(obj);
		CHECK(obj->nprogs == 1 && obj->progs[0].prog_type == BPFH_PROG_TYPE_MEMORY);
		CHECK_STR(obj->progs[0].name, "add_one");
		CHECK(obj->nmaps == 0 && obj->license[0] == '\0');
		bpfh_object_destroy(obj);
	}
	err = open_fail("bad_section.bpf.o", NULL);
	CHECKF(err == -EINVAL && strstr(logbuf, "bad_section.bpf.o: section my_hook/entry, "
					"offset 0x0: program hooked: section name "
					"\"my_hook/entry\" gives no program type"), "%s", logbuf);
	opts.prog_type = BPFH_PROG_TYPE_XDP;
	opts.expected_attach_type = BPFH_XDP;
	obj = open_obj("bad_section.bpf.o", &opts);
	if (obj) {
		CHECK(obj->progs[0].prog_type == BPFH_PROG_TYPE_XDP &&
		      obj->progs[0].expected_attach_type == BPFH_XDP);
		CHECK_STR(obj->progs[0].section, "my_hook/entry");
		bpfh_object_destroy(obj);
	}
	/* opts with a size that stops before prog_type: the defaults */
	opts.sz = sizeof(size_t);
	err = open_fail("bad_section.bpf.o", &opts);
	CHECK(err == -EINVAL);
}

static void test_file_api(void)
{
	struct test_file f;
	struct bpfh_object *obj = NULL;
	struct bpfh_log log;
	int err;

	bpfh_log_init(&log, logbuf, sizeof(logbuf));
	err = bpfh_object_open_file("/nonexistent/dir/x.bpf.o", &log, &obj);
	CHECK(err < 0 && !obj && strstr(logbuf, "/nonexistent/dir/x.bpf.o: cannot read"));
	if (test_file_load("calls.bpf.o", &f))
		return;
	bpfh_log_init(&log, logbuf, sizeof(logbuf));
	err = bpfh_object_open_file(f.path, &log, &obj);
	CHECKF(err == 0 && obj && obj->nprogs == 3, "%s", logbuf);
	if (obj)
		CHECK_STR(obj->name, f.path);
	bpfh_object_destroy(obj);
	bpfh_object_destroy(NULL);
	CHECK(bpfh_object_open_mem(f.data, f.size, "x", NULL, NULL) == -EINVAL);
	test_file_free(&f);
}

int main(void)
{
	struct test_file f;

	if (test_file_load("calls.bpf.o", &f)) {
		printf("# obj-objects: skipped, %s not built (no clang?)\n", f.path);
		return check_summary("obj-objects");
	}
	test_file_free(&f);
	test_calls();
	test_maps_btf();
	test_legacy();
	test_mapinmap();
	test_globals();
	test_kconfig();
	test_core();
	test_sections();
	test_explicit_type();
	test_file_api();
	return check_summary("obj-objects");
}
