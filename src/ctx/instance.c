// SPDX-License-Identifier: MIT
/*
 * Instances: an object's maps created and filled, its programs checked and prepared. This is
 * where lddw map references (by index in the object) become live map addresses, where global
 * data gets its initial bytes and prog arrays and map-in-maps their initial slots. It parses
 * nothing (src/obj did) and runs nothing (src/hooks do).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctx_int.h"
#include "../hooks/hooks.h"
#include "../isa/ops.h"

struct resolve_ctx {
	struct bpfh_instance *inst;
	const char *prog;
	struct bpfh_log *log;
};

/* lddw pseudo forms of an object's program: map by index (5) and map value by index and
 * offset (6). fd-based forms (1, 2) belong to programs loaded through bpf(), not objects. */
static int resolve(void *arg, unsigned src, int32_t imm, int32_t imm2, uint64_t *value)
{
	struct resolve_ctx *rc = arg;
	struct bpfh_map *map;
	uint32_t zero = 0;
	uint8_t *base;

	if ((src != BPFH_PSEUDO_MAP_IDX && src != BPFH_PSEUDO_MAP_IDX_VALUE) || imm < 0 ||
	    (size_t)imm >= rc->inst->nmaps)
		return -EINVAL;
	map = rc->inst->maps[imm];
	if (src == BPFH_PSEUDO_MAP_IDX) {
		*value = (uint64_t)(uintptr_t)map;
		return 0;
	}
	/* One past the end is still an address (of an empty tail, or for a bound check). */
	if (imm2 < 0 || (uint32_t)imm2 > bpfh_map_def(map)->value_size)
		return -ERANGE;
	base = bpfh_map_lookup_ptr(map, &zero);
	if (!base)
		return -EINVAL;
	*value = (uint64_t)(uintptr_t)(base + imm2);
	return 0;
}

/* The JIT inlines lookups in the arrays among the values resolve gave: maps of this host. */
static int array_layout(void *arg, uint64_t value, void **base, uint32_t *stride,
			uint32_t *max)
{
	(void)arg;
	return bpfh_map_array_layout((const struct bpfh_map *)(uintptr_t)value, base, stride,
				     max);
}

static int create_map(struct bpfh_instance *inst, size_t i, unsigned depth, struct bpfh_log *log)
{
	const struct bpfh_obj_map *om = &inst->obj->maps[i];
	const struct bpfh_map *inner = NULL;
	struct bpfh_map_def def = om->def;
	uint32_t zero = 0;
	int err;

	if (inst->maps[i])
		return 0;
	/* libbpf's rule: a perf event array without max_entries gets one slot per CPU */
	if (def.type == BPFH_MAP_TYPE_PERF_EVENT_ARRAY && def.max_entries == 0)
		def.max_entries = bpfh_cpu_possible();
	if (om->inner >= 0) {
		if ((size_t)om->inner >= inst->nmaps || depth > 4) {
			bpfh_log_printf(log, "%s: map %s: bad inner map\n", inst->obj->name, om->name);
			return -EINVAL;
		}
		err = create_map(inst, (size_t)om->inner, depth + 1, log);
		if (err)
			return err;
		inner = inst->maps[om->inner];
	}
	err = bpfh_map_create(&def, inner, log, &inst->maps[i]);
	if (err) {
		bpfh_log_printf(log, "%s: map %s: cannot create (%s)\n", inst->obj->name, om->name,
				strerror(-err));
		return err;
	}
	if (om->init && om->init_size) {
		uint8_t *value = bpfh_map_lookup_ptr(inst->maps[i], &zero);

		if (!value || om->init_size > om->def.value_size) {
			bpfh_log_printf(log, "%s: map %s: initial data does not fit\n",
					inst->obj->name, om->name);
			return -EINVAL;
		}
		memcpy(value, om->init, om->init_size);
	}
	return 0;
}

/* Every helper a program calls must exist here: name it otherwise. */
static int check_helpers(const struct bpfh_instance *inst, const struct bpfh_obj_prog *op,
			 struct bpfh_log *log)
{
	size_t i;

	for (i = 0; i < op->count; i++) {
		const struct bpfh_insn *in = &op->insns[i];
		const char *name;

		if (in->code != 0x85 || in->src != 0 || bpfh_helper_find((uint32_t)in->imm))
			continue;
		name = bpfh_helper_name((uint32_t)in->imm);
		bpfh_log_printf(log, "%s: program %s: insn %zu: helper %s%s (id %d) is not "
				"supported by bpfhost\n", inst->obj->name, op->name, i,
				name ? "bpf_" : "", name ? name : "?", in->imm);
		return -ENOTSUP;
	}
	return 0;
}

/* Nothing unverified runs: the verifier's verdict on the program as it will be prepared. */
static int verify_prog(struct bpfh_instance *inst, const struct bpfh_obj_prog *op,
		       struct bpfh_prog *p, const struct bpfh_load_opts *opts, struct bpfh_log *log)
{
	struct bpfh_object_verify_opts vo;
	struct bpfh_verify_prog_type memtype;

	memset(&vo, 0, sizeof(vo));
	vo.sz = sizeof(vo);
	vo.options.privileged = opts && opts->privileged;
	p->mem_size = opts && opts->mem_size ? opts->mem_size : BPFH_MEMORY_SIZE;
	vo.mem_size = p->mem_size;
	if (p->type == BPFH_PROG_TYPE_MEMORY) {
		memtype = bpfh_verify_type_memory(p->mem_size);
		vo.type = &memtype;
	} else if (p->type != op->prog_type) {
		vo.type = bpfh_verify_type_of(p->type, p->attach_type);
		if (!vo.type) {
			bpfh_log_printf(log, "%s: program %s: program type %u has no verifier "
					"description\n", inst->obj->name, op->name, p->type);
			return -ENOTSUP;
		}
	}
	return bpfh_object_verify_prog(inst->obj, op, &vo, NULL, log);
}

/* A PROG_ARRAY's slots hold struct bpfh_prog (see tail_target). */
static int prog_array_layout(void *arg, uint64_t value, void *const **slots, uint32_t *max,
			     size_t *exec_off)
{
	(void)arg;
	*exec_off = offsetof(struct bpfh_prog, exec);
	return bpfh_map_prog_array_layout((const struct bpfh_map *)(uintptr_t)value, slots, max);
}

/* What the helper table's rows say of each helper, for the JIT. */
static int load_prog(struct bpfh_instance *inst, size_t i, const struct bpfh_load_opts *opts,
		     struct bpfh_log *log)
{
	const struct bpfh_obj_prog *op = &inst->obj->progs[i];
	struct bpfh_prog *p = &inst->progs[i];
	struct resolve_ctx rc = { inst, op->name, log };
	struct bpfh_exec_opts eo;
	char name[sizeof(inst->obj->name) + sizeof(op->name) + 2];
	int err;

	snprintf(p->name, sizeof(p->name), "%s", op->name);
	snprintf(p->section, sizeof(p->section), "%s", op->section);
	p->type = opts && opts->prog_type ? opts->prog_type : op->prog_type;
	p->attach_type = op->expected_attach_type;
	p->inst = inst;
	err = check_helpers(inst, op, log);
	if (!err)
		err = verify_prog(inst, op, p, opts, log);
	if (err)
		return err;
	snprintf(name, sizeof(name), "%s:%s", inst->obj->name, op->name);
	memset(&eo, 0, sizeof(eo));
	eo.sz = sizeof(eo);
	eo.resolve = resolve;
	eo.resolve_ctx = &rc;
	eo.name = name;
	eo.array_layout = array_layout;
	eo.prog_array_layout = prog_array_layout;
	eo.helpers = bpfh_helper_table(&eo.nhelpers);
	eo.helper_info = bpfh_helper_table_info;
	eo.verdict = BPFH_EXEC_VERIFIED; /* verify_prog accepted it */
	return bpfh_exec_create(inst->engine, op->insns, op->count, &eo, log, &p->exec);
}

/* Initial slots of prog arrays and map-in-maps, once every program and map exists. */
static int fill_slots(struct bpfh_instance *inst, struct bpfh_log *log)
{
	size_t i, j;

	for (i = 0; i < inst->nmaps; i++) {
		const struct bpfh_obj_map *om = &inst->obj->maps[i];

		for (j = 0; j < om->nslots; j++) {
			const struct bpfh_obj_slot *s = &om->slots[j];
			int is_prog = om->def.type == BPFH_MAP_TYPE_PROG_ARRAY;
			void *obj;
			int err;

			if (s->index >= (is_prog ? inst->nprogs : inst->nmaps)) {
				bpfh_log_printf(log, "%s: map %s: slot %u refers to a missing %s\n",
						inst->obj->name, om->name, s->key,
						is_prog ? "program" : "map");
				return -EINVAL;
			}
			obj = is_prog ? (void *)&inst->progs[s->index] : (void *)inst->maps[s->index];
			err = bpfh_map_update_obj(inst->maps[i], &s->key, obj, BPFH_ANY);
			if (err) {
				bpfh_log_printf(log, "%s: map %s: cannot set slot %u (%s)\n",
						inst->obj->name, om->name, s->key, strerror(-err));
				return err;
			}
		}
	}
	return 0;
}

/* Global data values as regions the checked engine lets the programs touch. */
static int data_regions(struct bpfh_instance *inst)
{
	size_t i;
	uint32_t zero = 0;

	inst->regions = calloc(inst->nmaps + 1, sizeof(*inst->regions));
	if (!inst->regions)
		return -ENOMEM;
	for (i = 0; i < inst->nmaps; i++) {
		const struct bpfh_obj_map *om = &inst->obj->maps[i];
		struct bpfh_region *r = &inst->regions[inst->nregions];

		if (om->kind != BPFH_OBJ_MAP_DATA && om->kind != BPFH_OBJ_MAP_RODATA &&
		    om->kind != BPFH_OBJ_MAP_BSS && om->kind != BPFH_OBJ_MAP_KCONFIG)
			continue;
		r->base = (uintptr_t)bpfh_map_lookup_ptr(inst->maps[i], &zero);
		r->size = om->def.value_size;
		r->writable = om->kind != BPFH_OBJ_MAP_RODATA && om->kind != BPFH_OBJ_MAP_KCONFIG;
		if (r->base)
			inst->nregions++;
	}
	return 0;
}

int bpfh_instance_create(const struct bpfh_object *obj, const struct bpfh_load_opts *opts,
			 struct bpfh_log *log, struct bpfh_instance **out)
{
	struct bpfh_instance *inst;
	size_t i;
	int err = -ENOMEM;

	*out = NULL;
	inst = calloc(1, sizeof(*inst));
	if (!inst)
		return -ENOMEM;
	inst->obj = obj;
	inst->engine = opts ? opts->engine : BPFH_ENGINE_INTERP;
	inst->nmaps = obj->nmaps;
	inst->nprogs = obj->nprogs;
	inst->maps = calloc(obj->nmaps + 1, sizeof(*inst->maps));
	inst->progs = calloc(obj->nprogs + 1, sizeof(*inst->progs));
	if (!inst->maps || !inst->progs)
		goto fail;
	for (i = 0; i < obj->nmaps; i++) {
		err = create_map(inst, i, 0, log);
		if (err)
			goto fail;
	}
	for (i = 0; i < obj->nprogs; i++) {
		err = load_prog(inst, i, opts, log);
		if (err)
			goto fail;
	}
	err = fill_slots(inst, log);
	if (err)
		goto fail;
	err = data_regions(inst);
	if (err)
		goto fail;
	*out = inst;
	return 0;
fail:
	bpfh_instance_destroy(inst);
	return err;
}

void bpfh_instance_destroy(struct bpfh_instance *inst)
{
	size_t i;

	if (!inst)
		return;
	/* Maps first: prog arrays drop their program references, then programs go. */
	for (i = 0; inst->maps && i < inst->nmaps; i++)
		bpfh_map_put(inst->maps[i]);
	for (i = 0; inst->progs && i < inst->nprogs; i++)
		bpfh_exec_destroy(inst->progs[i].exec);
	free(inst->maps);
	free(inst->progs);
	free(inst->regions);
	free(inst);
}

struct bpfh_prog *bpfh_instance_prog(struct bpfh_instance *inst, const char *name_or_section)
{
	size_t i;

	for (i = 0; i < inst->nprogs; i++)
		if (!strcmp(inst->progs[i].name, name_or_section))
			return &inst->progs[i];
	for (i = 0; i < inst->nprogs; i++)
		if (!strcmp(inst->progs[i].section, name_or_section))
			return &inst->progs[i];
	return NULL;
}

struct bpfh_prog *bpfh_instance_prog_at(struct bpfh_instance *inst, size_t i)
{
	return i < inst->nprogs ? &inst->progs[i] : NULL;
}

size_t bpfh_instance_nprogs(const struct bpfh_instance *inst)
{
	return inst->nprogs;
}

struct bpfh_map *bpfh_instance_map(struct bpfh_instance *inst, const char *name)
{
	int i = bpfh_object_find_map(inst->obj, name);

	return i >= 0 ? inst->maps[i] : NULL;
}

struct bpfh_map *bpfh_instance_map_at(struct bpfh_instance *inst, size_t i)
{
	return i < inst->nmaps ? inst->maps[i] : NULL;
}

size_t bpfh_instance_nmaps(const struct bpfh_instance *inst)
{
	return inst->nmaps;
}

/* A PROG_ARRAY slot holds a struct bpfh_prog; the engine refuses a target prepared for
 * another engine than the caller's. */
static const struct bpfh_exec *tail_target(void *slot, const struct bpfh_exec *from)
{
	(void)from;
	return slot ? ((const struct bpfh_prog *)slot)->exec : NULL;
}

void bpfh_prog_runner(const struct bpfh_prog *prog, struct bpfh_runner *runner)
{
	runner->exec = prog->exec;
	runner->tail_target = tail_target;
	runner->regions = prog->inst->regions;
	runner->nregions = prog->inst->nregions;
	runner->mem_size = prog->mem_size;
}

const char *bpfh_prog_name(const struct bpfh_prog *prog)
{
	return prog->name;
}

const char *bpfh_prog_section(const struct bpfh_prog *prog)
{
	return prog->section;
}

uint32_t bpfh_prog_type(const struct bpfh_prog *prog)
{
	return prog->type;
}

const struct bpfh_exec *bpfh_prog_exec(const struct bpfh_prog *prog)
{
	return prog->exec;
}
