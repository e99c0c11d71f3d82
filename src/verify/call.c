// SPDX-License-Identifier: MIT
/*
 * The analyzer's helper calls: each argument checked against the helper's prototype
 * (src/helpers/helpers.def), maps against the helpers Linux allows on their type, r1-r5
 * clobbered, r0 by the return kind, packet pointers dropped by helpers that change the packet.
 * References (ring buffer records) and bpf_spin_lock are checked through refs.c.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfhost/helpers.h"
#include "bpfhost/map.h"
#include "analyze.h"
#include "refs.h"

static int arg_size(struct actx *a, const struct bpfh_vstate *st, unsigned reg, bool nonzero,
		    uint64_t *size)
{
	const struct bpfh_vreg *r = &st->r[reg];
	int err = use(a, st, reg);

	if (err)
		return err;
	if (r->kind != BPFH_VK_SCALAR)
		return fail(a, "R%u must be a size, not %s", reg, reg_str(r));
	if (r->s.r64.umax > (UINT64_C(1) << 29))
		return fail(a, "R%u is an unbounded size: %s", reg, reg_str(r));
	if (nonzero && r->s.r64.umin == 0)
		return fail(a, "R%u is a size that may be 0: %s", reg, reg_str(r));
	*size = r->s.r64.umax;
	return 0;
}

/*
 * Memory of size bytes a helper reads, or writes (write). A write whose size is known only as a
 * range (not exact) may fill fewer bytes than size: as in Linux, stack memory must then be
 * initialised before the call (its bytes could not be told apart after it).
 */
static int arg_mem(struct actx *a, struct bpfh_vstate *st, unsigned reg, uint64_t size,
		   bool write, bool exact)
{
	struct bpfh_vreg p = st->r[reg];
	size_t slot;
	char b[96];
	int err;

	if (size == 0 && p.kind == BPFH_VK_SCALAR)
		return 0;
	err = bpfh_va_check_region(a, st, reg, &p, 0, size, write ? ACC_HELPER_WRITE : ACC_HELPER_READ,
			   &slot);
	if (err)
		return err;
	if (write && !exact && p.kind == BPFH_VK_STACK &&
	    !bpfh_vstate_stack_init(st, p.map, slot, size))
		return fail(a, "R%u %s: the helper writes up to %" PRIu64 " bytes, maybe fewer (the "
			    "size is not a constant): initialise them all before the call", reg,
			    fmt_reg(&p, b, sizeof(b)), size);
	if (write && p.kind == BPFH_VK_STACK && size)
		bpfh_vstate_stack_write(st, p.map, slot, size);
	return 0;
}

/* A helper that changes the packet: packet pointers of every frame are gone. */
static void drop_packet(struct bpfh_vstate *st)
{
	struct bpfh_vview v[BPFH_VMAX_FRAMES];
	unsigned n = bpfh_vstate_views(st, v);

	for (unsigned f = 0; f < n; f++) {
		for (int i = 0; i < BPFH_REG_COUNT; i++)
			if (bpfh_vkind_is_packet(v[f].regs[i].kind))
				memset(&v[f].regs[i], 0, sizeof(v[f].regs[i]));
		for (size_t s = 0; s < BPFH_VSLOTS; s++)
			if (v[f].stk[s * 8] == BPFH_STK_SPILL &&
			    bpfh_vkind_is_packet(v[f].spill[s].kind))
				bpfh_vstack_unspill(v[f].stk, v[f].spill, s);
	}
	for (unsigned f = 0; f < st->depth; f++) {
		bpfh_zone_forget(&st->frames[f].z, BPFH_VREL_PKT_SIZE);
		bpfh_zone_add_bounds(&st->frames[f].z, BPFH_VREL_PKT_SIZE, 0, BPFH_ZONE_INF);
	}
	st->pkt_range = 0;
}

/* A new lookup at the same instruction: older copies, in every frame, lose the identity (a
 * NULL check of the new one says nothing of them; an id names the value of the latest lookup
 * there: bpf_spin_lock relies on it). */
static void drop_id(struct bpfh_vstate *st, uint32_t id)
{
	struct bpfh_vview v[BPFH_VMAX_FRAMES];
	unsigned n = bpfh_vstate_views(st, v);

	for (unsigned f = 0; f < n; f++) {
		for (int i = 0; i < BPFH_REG_COUNT; i++) {
			struct bpfh_vreg *x = &v[f].regs[i];

			if (x->kind == BPFH_VK_MAP_VALUE_OR_NULL && x->id == id)
				memset(x, 0, sizeof(*x));
			else if ((x->kind == BPFH_VK_MAP_VALUE || x->kind == BPFH_VK_MAP_PTR_OR_NULL) &&
				 x->id == id)
				x->id = 0;
		}
		for (size_t s = 0; s < BPFH_VSLOTS; s++)
			if (v[f].stk[s * 8] == BPFH_STK_SPILL && v[f].spill[s].id == id)
				v[f].spill[s].id = 0;
	}
}

/* Linux's helper and map numbers the checks below name. */
enum {
	H_MAP_LOOKUP = 1, H_MAP_UPDATE = 2, H_MAP_DELETE = 3, H_TAIL_CALL = 12,
	H_PERF_EVENT_OUTPUT = 25, H_REDIRECT_MAP = 51, H_MAP_PUSH = 87, H_MAP_POP = 88,
	H_MAP_PEEK = 89, H_SPIN_LOCK = 93, H_SPIN_UNLOCK = 94, H_RINGBUF_OUTPUT = 130,
	H_RINGBUF_RESERVE = 131, H_RINGBUF_QUERY = 134, H_FOR_EACH_MAP_ELEM = 164,
	H_MAP_LOOKUP_PERCPU = 195,
};
enum {
	M_HASH = 1, M_ARRAY = 2, M_PROG_ARRAY = 3, M_PERF_EVENT_ARRAY = 4, M_PERCPU_HASH = 5,
	M_PERCPU_ARRAY = 6, M_STACK_TRACE = 7, M_CGROUP_ARRAY = 8, M_LRU_HASH = 9,
	M_LRU_PERCPU_HASH = 10, M_LPM_TRIE = 11, M_ARRAY_OF_MAPS = 12, M_HASH_OF_MAPS = 13,
	M_DEVMAP = 14, M_SOCKMAP = 15, M_CPUMAP = 16, M_XSKMAP = 17, M_SOCKHASH = 18,
	M_CGROUP_STORAGE = 19, M_REUSEPORT_SOCKARRAY = 20, M_PERCPU_CGROUP_STORAGE = 21,
	M_QUEUE = 22, M_STACK = 23, M_SK_STORAGE = 24, M_DEVMAP_HASH = 25, M_STRUCT_OPS = 26,
	M_RINGBUF = 27, M_INODE_STORAGE = 28, M_TASK_STORAGE = 29, M_BLOOM_FILTER = 30,
	M_USER_RINGBUF = 31, M_CGRP_STORAGE = 32,
};

static const char *const map_type_names[] = {
	[M_HASH] = "hash", [M_ARRAY] = "array", [M_PROG_ARRAY] = "prog_array",
	[M_PERF_EVENT_ARRAY] = "perf_event_array", [M_PERCPU_HASH] = "percpu_hash",
	[M_PERCPU_ARRAY] = "percpu_array", [M_STACK_TRACE] = "stack_trace",
	[M_CGROUP_ARRAY] = "cgroup_array", [M_LRU_HASH] = "lru_hash",
	[M_LRU_PERCPU_HASH] = "lru_percpu_hash", [M_LPM_TRIE] = "lpm_trie",
	[M_ARRAY_OF_MAPS] = "array_of_maps", [M_HASH_OF_MAPS] = "hash_of_maps",
	[M_DEVMAP] = "devmap", [M_SOCKMAP] = "sockmap", [M_CPUMAP] = "cpumap",
	[M_XSKMAP] = "xskmap", [M_SOCKHASH] = "sockhash", [M_CGROUP_STORAGE] = "cgroup_storage",
	[M_REUSEPORT_SOCKARRAY] = "reuseport_sockarray",
	[M_PERCPU_CGROUP_STORAGE] = "percpu_cgroup_storage", [M_QUEUE] = "queue",
	[M_STACK] = "stack", [M_SK_STORAGE] = "sk_storage", [M_DEVMAP_HASH] = "devmap_hash",
	[M_STRUCT_OPS] = "struct_ops", [M_RINGBUF] = "ringbuf",
	[M_INODE_STORAGE] = "inode_storage", [M_TASK_STORAGE] = "task_storage",
	[M_BLOOM_FILTER] = "bloom_filter", [M_USER_RINGBUF] = "user_ringbuf",
	[M_CGRP_STORAGE] = "cgrp_storage",
};

static const char *map_type_name(uint32_t t)
{
	if (t >= sizeof(map_type_names) / sizeof(map_type_names[0]) || !map_type_names[t])
		return "unknown type";
	return map_type_names[t];
}

static bool one_of(uint32_t x, const uint32_t *set, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (set[i] == x)
			return true;
	return false;
}
#define ONE_OF(x, ...) \
	one_of((x), (const uint32_t[]){ __VA_ARGS__ }, \
	       sizeof((const uint32_t[]){ __VA_ARGS__ }) / sizeof(uint32_t))

/* May helper h take a map of type t? Linux's two-way table (check_map_func_compatibility):
 * maps whose type restricts the helpers they go to, and helpers restricted to map types. */
static bool map_compatible(uint32_t h, uint32_t t)
{
	bool ok;

	switch (t) {
	case M_PROG_ARRAY: ok = h == H_TAIL_CALL; break;
	case M_PERF_EVENT_ARRAY: ok = h == H_PERF_EVENT_OUTPUT; break;
	case M_RINGBUF:
		ok = ONE_OF(h, H_RINGBUF_OUTPUT, H_RINGBUF_RESERVE, H_RINGBUF_QUERY);
		break;
	case M_DEVMAP: case M_DEVMAP_HASH: case M_XSKMAP:
		ok = h == H_REDIRECT_MAP || h == H_MAP_LOOKUP;
		break;
	case M_CPUMAP: ok = h == H_REDIRECT_MAP; break;
	case M_ARRAY_OF_MAPS: case M_HASH_OF_MAPS: ok = h == H_MAP_LOOKUP; break;
	case M_QUEUE: case M_STACK: ok = ONE_OF(h, H_MAP_PUSH, H_MAP_POP, H_MAP_PEEK); break;
	case M_BLOOM_FILTER: ok = h == H_MAP_PUSH || h == H_MAP_PEEK; break;
	case M_SOCKMAP: case M_SOCKHASH:
		ok = ONE_OF(h, H_MAP_LOOKUP, H_MAP_UPDATE, H_MAP_DELETE);
		break;
	case M_STACK_TRACE: case M_CGROUP_ARRAY: case M_CGROUP_STORAGE:
	case M_REUSEPORT_SOCKARRAY: case M_PERCPU_CGROUP_STORAGE: case M_SK_STORAGE:
	case M_STRUCT_OPS: case M_INODE_STORAGE: case M_TASK_STORAGE: case M_USER_RINGBUF:
	case M_CGRP_STORAGE:
		ok = false; /* their helpers are not in bpfhost */
		break;
	default: ok = true; break;
	}
	if (!ok)
		return false;
	switch (h) {
	case H_TAIL_CALL: return t == M_PROG_ARRAY;
	case H_PERF_EVENT_OUTPUT: return t == M_PERF_EVENT_ARRAY;
	case H_RINGBUF_OUTPUT: case H_RINGBUF_RESERVE: case H_RINGBUF_QUERY: return t == M_RINGBUF;
	case H_REDIRECT_MAP: return ONE_OF(t, M_DEVMAP, M_DEVMAP_HASH, M_CPUMAP, M_XSKMAP);
	case H_MAP_POP: return t == M_QUEUE || t == M_STACK;
	case H_MAP_PUSH: case H_MAP_PEEK: return ONE_OF(t, M_QUEUE, M_STACK, M_BLOOM_FILTER);
	case H_MAP_LOOKUP_PERCPU:
		return ONE_OF(t, M_PERCPU_ARRAY, M_PERCPU_HASH, M_LRU_PERCPU_HASH);
	case H_FOR_EACH_MAP_ELEM:
		return ONE_OF(t, M_HASH, M_LRU_HASH, M_ARRAY, M_PERCPU_HASH, M_LRU_PERCPU_HASH,
			      M_PERCPU_ARRAY);
	default: return true;
	}
}

/* BPFH_ARG_CONST_MAP_PTR: register reg is a map (lddw, or an inner map after its NULL check)
 * the helper may take. */
static int arg_map(struct actx *a, const struct bpfh_vstate *st, const struct bpfh_helper *h,
		   unsigned reg, uint32_t *idx)
{
	const struct bpfh_vreg *r = &st->r[reg];
	const struct bpfh_verify_map *m;

	if (r->kind == BPFH_VK_MAP_PTR_OR_NULL)
		return fail(a, "%s: R%u may be NULL: %s (compare it with 0 first)", h->name, reg,
			    reg_str(r));
	if (r->kind != BPFH_VK_MAP_PTR)
		return fail(a, "%s: R%u must be a map (lddw), not %s", h->name, reg, reg_str(r));
	m = &a->in->maps[r->map];
	if (!map_compatible(h->id, m->type))
		return fail(a, "%s cannot be used with R%u %s, a map of type %s", h->name, reg,
			    reg_str(r),
			    map_type_name(m->type));
	if ((m->map_flags & BPFH_F_RDONLY_PROG) &&
	    ONE_OF(h->id, H_MAP_UPDATE, H_MAP_DELETE, H_MAP_PUSH, H_MAP_POP))
		return fail(a, "%s: R%u %s: the map is read-only for programs (BPF_F_RDONLY_PROG)",
			    h->name, reg, reg_str(r));
	*idx = r->map;
	return 0;
}

/* BPFH_ARG_CONST_STR: a NUL-terminated string inside the frozen value of a read-only map. */
static int arg_const_str(struct actx *a, const struct bpfh_vstate *st,
			 const struct bpfh_helper *h, unsigned reg)
{
	const struct bpfh_vreg *r = &st->r[reg];
	const struct bpfh_verify_map *m;
	uint64_t off;

	if (bpfh_vkind_maybe_null(r->kind))
		return fail(a, "%s: R%u may be NULL: %s (compare it with 0 first)", h->name, reg,
			    reg_str(r));
	if (r->kind != BPFH_VK_MAP_VALUE)
		return fail(a, "%s: R%u must be a constant string in a read-only map (.rodata), "
			    "not %s", h->name, reg, reg_str(r));
	m = &a->in->maps[r->map];
	if (!(m->map_flags & BPFH_F_RDONLY_PROG))
		return fail(a, "%s: R%u %s: the string must be in a map read-only for programs "
			    "(BPF_F_RDONLY_PROG)", h->name, reg, reg_str(r));
	if (!bpfh_scalar_is_const(&r->s, &off))
		return fail(a, "%s: R%u %s: the string must be at a constant offset", h->name, reg,
			    reg_str(r));
	if (off >= m->value_size)
		return fail(a, "%s: R%u %s: the string starts past value_size %" PRIu32, h->name,
			    reg, reg_str(r), m->value_size);
	if (!m->frozen)
		return fail(a, "%s: R%u %s: the contents of map %" PRIu32 " are not known (not "
			    "frozen), so the string cannot be checked", h->name, reg, reg_str(r),
			    r->map);
	if (m->max_entries != 1)
		return fail(a, "%s: R%u %s: map %" PRIu32 " has %" PRIu32 " values and only the "
			    "first one's contents are known", h->name, reg, reg_str(r), r->map,
			    m->max_entries);
	if (!memchr(m->frozen + off, 0, m->value_size - off))
		return fail(a, "%s: R%u %s: no NUL terminates the string before the end of the "
			    "value (value_size %" PRIu32 ")", h->name, reg, reg_str(r),
			    m->value_size);
	return 0;
}

/*
 * Linux 6.14's rule: a lookup in an array (per-CPU or not) with a key whose value is known and
 * below max_entries finds an element, never NULL. The key's value is known when every byte of
 * it is, from stores of numbers the analysis knows (bpfh_vstack_known). A map that describes
 * other maps' inner maps describes every map they may hold at run time: an array with
 * BPF_F_INNER_MAP, or a per-CPU array, may be replaced by one of other max_entries
 * (bpfh_map_inner_ok), so their lookups may still give NULL (Linux: the same for
 * BPF_F_INNER_MAP since 2026).
 */
static bool lookup_finds(struct actx *a, struct bpfh_vstate *st, const struct bpfh_helper *h,
			 uint32_t map_idx, unsigned reg)
{
	const struct bpfh_verify_map *map = &a->in->maps[map_idx];
	const struct bpfh_vreg *k = &st->r[reg];
	struct bpfh_vview v;
	uint8_t bytes[4];
	uint64_t off;
	uint32_t key;

	if (h->id != H_MAP_LOOKUP || (map->type != M_ARRAY && map->type != M_PERCPU_ARRAY) ||
	    map->key_size != 4 || k->kind != BPFH_VK_STACK || !bpfh_scalar_is_const(&k->s, &off))
		return false;
	for (size_t i = 0; i < a->in->nmaps; i++)
		if (a->in->maps[i].has_inner && a->in->maps[i].inner == map_idx &&
		    (map->type != M_ARRAY || (map->map_flags & BPFH_F_INNER_MAP)))
			return false;
	/* the access check has put the key inside the frame */
	v = bpfh_vstate_frame(st, k->map);
	if (!bpfh_vstack_known(v.stk, v.spill, (size_t)((int64_t)off + BPFH_STACK_SIZE), 4, bytes))
		return false;
	memcpy(&key, bytes, 4);
	return key < map->max_entries;
}

int bpfh_va_call(struct actx *a, struct bpfh_vstate *st, const struct bpfh_insn *insn)
{
	const struct bpfh_helper *h = bpfh_helper_find((uint32_t)insn->imm);
	const char *name = bpfh_helper_name((uint32_t)insn->imm);
	const struct bpfh_verify_map *map = NULL;
	uint32_t map_idx = 0, release = 0;
	uint64_t alloc_size = 0;
	bool finds = false;
	int err;

	if (!h)
		return fail(a, "unknown helper %s (%" PRId32 ")", name ? name : "?", insn->imm);
	/* A tail call's target starts with r1 only: a type that promises more at entry (plain
	 * memory: r2 = its size) cannot be one. */
	if ((h->flags & BPFH_HELPER_TAIL_CALL) && a->in->type->r2_ctx_size)
		return fail(a, "tail calls are not allowed in %s programs (their target would "
			    "not get r2)", a->in->type->name ? a->in->type->name : "these");
	if (!bpfh_verify_type_allows_helper(a->in->type, h->id))
		return fail(a, "helper bpf_%s (id %" PRIu32 ") cannot be called by %s programs",
			    h->name, h->id, a->in->type->name ? a->in->type->name : "these");
	err = bpfh_va_call_allowed(a, st, h);
	if (err)
		return err;
	for (unsigned k = 0; k < 5 && h->args[k] != BPFH_ARG_NONE; k++) {
		unsigned reg = k + 1;
		const struct bpfh_vreg *r = &st->r[reg];
		uint64_t size = 0;

		/* A format's values are optional: the format says how many it reads. */
		if (h->args[k] == BPFH_ARG_FORMAT_VALUE && r->kind == BPFH_VK_UNINIT &&
		    r->map != BPFH_VREG_RELEASED)
			continue;
		err = bpfh_va_released(a, r, reg);
		if (!err)
			err = use(a, st, reg);
		if (err)
			return err;
		switch (h->args[k]) {
		case BPFH_ARG_ANYTHING:
			if (strict(a) && bpfh_vreg_is_ptr(r))
				return fail(a, "%s: R%u must be a scalar, not %s", h->name, reg,
					    reg_str(r));
			break;
		case BPFH_ARG_ADDRESS:
		case BPFH_ARG_FORMAT_VALUE:
			/* Read through safely by the helper (probe reads, %s): a pointer tells
			 * nothing outside the program. */
			break;
		case BPFH_ARG_CONST:
			if (r->kind != BPFH_VK_SCALAR || !bpfh_scalar_is_const(&r->s, &size))
				return fail(a, "%s: R%u must be a constant, not %s", h->name,
					    reg, reg_str(r));
			break;
		case BPFH_ARG_CONST_MAP_PTR:
			err = arg_map(a, st, h, reg, &map_idx);
			if (err)
				return err;
			map = &a->in->maps[map_idx];
			break;
		case BPFH_ARG_MAP_KEY:
		case BPFH_ARG_MAP_VALUE:
			if (!map)
				return bpfh_va_internal(a, "helper prototype: a key or value "
							"before its map");
			size = h->args[k] == BPFH_ARG_MAP_KEY ? map->key_size : map->value_size;
			err = arg_mem(a, st, reg, size, false, true);
			if (err)
				return err;
			if (h->args[k] == BPFH_ARG_MAP_KEY)
				finds = lookup_finds(a, st, h, map_idx, reg);
			break;
		case BPFH_ARG_UNINIT_MEM:
			if (map && (k == 4 || (h->args[k + 1] != BPFH_ARG_SIZE &&
					       h->args[k + 1] != BPFH_ARG_SIZE_OR_ZERO))) {
				/* pop / peek: a value of the map's value_size, written by the
				 * helper; a bloom filter's peek reads it instead. */
				err = arg_mem(a, st, reg, map->value_size,
					      map->type != M_BLOOM_FILTER, true);
				if (err)
					return err;
				break;
			}
			/* fall through */
		case BPFH_ARG_MEM:
		case BPFH_ARG_MEM_OR_NULL:
		case BPFH_ARG_UNINIT_MEM_OR_NULL:
			if (k == 4 || (h->args[k + 1] != BPFH_ARG_SIZE &&
				       h->args[k + 1] != BPFH_ARG_SIZE_OR_ZERO))
				return bpfh_va_internal(a, "helper prototype: memory without a "
							"size after it");
			err = arg_size(a, st, reg + 1, h->args[k + 1] == BPFH_ARG_SIZE, &size);
			if (err)
				return err;
			/* NULL (or any number) only with a size of 0: arg_mem lets that pass
			 * and refuses a number with a size that may be larger. */
			err = arg_mem(a, st, reg, size, h->args[k] == BPFH_ARG_UNINIT_MEM ||
				      h->args[k] == BPFH_ARG_UNINIT_MEM_OR_NULL,
				      st->r[reg + 1].s.r64.umin == size);
			if (err)
				return err;
			break;
		case BPFH_ARG_SIZE:
		case BPFH_ARG_SIZE_OR_ZERO:
			err = arg_size(a, st, reg, h->args[k] == BPFH_ARG_SIZE, &size);
			if (err)
				return err;
			break;
		case BPFH_ARG_CTX:
			if (r->kind != BPFH_VK_CTX || !bpfh_scalar_is_const(&r->s, &size) || size)
				return fail(a, "%s: R%u must be the context, not %s", h->name,
					    reg, reg_str(r));
			break;
		case BPFH_ARG_LONG_PTR:
			err = arg_mem(a, st, reg, 8, true, true);
			if (err)
				return err;
			break;
		case BPFH_ARG_FUNC:
			if (r->kind != BPFH_VK_FUNC)
				return fail(a, "%s: R%u must be a function (a callback), not %s",
					    h->name, reg, reg_str(r));
			break;
		case BPFH_ARG_STACK_OR_NULL:
			if (r->kind == BPFH_VK_SCALAR && bpfh_scalar_is_const(&r->s, &size) && !size)
				break;
			if (r->kind != BPFH_VK_STACK)
				return fail(a, "%s: R%u must be a stack pointer or NULL, not %s",
					    h->name, reg, reg_str(r));
			break;
		case BPFH_ARG_ALLOC_SIZE:
			if (r->kind != BPFH_VK_SCALAR || !bpfh_scalar_is_const(&r->s, &alloc_size) ||
			    alloc_size == 0 || alloc_size > (UINT64_C(1) << 29))
				return fail(a, "%s: R%u must be a constant size greater than 0, "
					    "not %s", h->name, reg, reg_str(r));
			break;
		case BPFH_ARG_RINGBUF_MEM:
			err = bpfh_va_ref_check_release(a, st, h, reg);
			if (err)
				return err;
			release = r->id;
			break;
		case BPFH_ARG_SPIN_LOCK:
			err = bpfh_va_spin_lock(a, st, h, reg, h->id == H_SPIN_UNLOCK);
			if (err)
				return err;
			break;
		case BPFH_ARG_CONST_STR:
			err = arg_const_str(a, st, h, reg);
			if (err)
				return err;
			break;
		default:
			return bpfh_va_internal(a, "helper prototype: an argument kind the "
						"verifier does not know");
		}
	}
	if (release)
		bpfh_va_ref_release(a, st, release);
	if (h->flags & BPFH_HELPER_PKT_CHANGES)
		drop_packet(st);
	for (int i = 1; i <= 5; i++) {
		memset(&st->r[i], 0, sizeof(st->r[i]));
		st->r[i].map = CLOBBERED;
	}
	switch (h->ret) {
	case BPFH_RET_VOID:
		memset(&st->r[0], 0, sizeof(st->r[0]));
		break;
	case BPFH_RET_MAP_VALUE_OR_NULL: {
		uint32_t id = (uint32_t)a->insn + 1;
		enum bpfh_vkind kind = finds ? BPFH_VK_MAP_VALUE : BPFH_VK_MAP_VALUE_OR_NULL;

		drop_id(st, id);
		if (map && (map->type == M_ARRAY_OF_MAPS || map->type == M_HASH_OF_MAPS)) {
			/* Map-in-map: the inner map, described by maps[inner]. */
			if (!map->has_inner || map->inner >= a->in->nmaps)
				return fail(a, "%s: map %" PRIu32 " (%s) has no inner map "
					    "description", h->name, map_idx,
					    map_type_name(map->type));
			kind = BPFH_VK_MAP_PTR_OR_NULL;
			map_idx = map->inner;
		}
		bpfh_vreg_set_ptr(&st->r[0], kind, 0);
		st->r[0].map = map_idx;
		st->r[0].id = id;
		break;
	}
	case BPFH_RET_RINGBUF_MEM_OR_NULL: {
		uint32_t id = (uint32_t)a->insn + 1;

		err = bpfh_va_ref_acquire(a, st, id);
		if (err)
			return err;
		bpfh_vreg_set_ptr(&st->r[0], BPFH_VK_RINGBUF_MEM_OR_NULL, 0);
		st->r[0].map = map_idx;
		st->r[0].id = id;
		st->r[0].mem_size = (uint32_t)alloc_size;
		break;
	}
	case BPFH_RET_INTEGER:
		bpfh_vreg_set_scalar(&st->r[0], bpfh_scalar_unknown());
		break;
	case BPFH_RET_U32:
		bpfh_vreg_set_scalar(&st->r[0], bpfh_scalar_urange(0, UINT32_MAX));
		break;
	case BPFH_RET_ERRNO:
		bpfh_vreg_set_scalar(&st->r[0], bpfh_scalar_srange(-4095, 0));
		break;
	case BPFH_RET_ACTION: {
		/* XDP_REDIRECT or XDP_ABORTED (or the flags' action); TC_ACT_REDIRECT or
		 * TC_ACT_SHOT */
		const char *type = a->in->type->name ? a->in->type->name : "";

		bpfh_vreg_set_scalar(&st->r[0],
				     bpfh_scalar_urange(0, !strncmp(type, "xdp", 3) ? 4 : 7));
		break;
	}
	default:
		return bpfh_va_internal(a, "helper prototype: a return kind the verifier does "
					"not know");
	}
	return 0;
}

/* callx rX: bpfhost runs a helper id or a function value (lddw rX, func). Only the first is
 * verified, where rX is a known number: the call is then that helper's, checked as `call id`.
 * Helpers that take a callback, tail call or change the packet need their call site known
 * before the analysis, so they must be called directly. */
int bpfh_va_callx(struct actx *a, struct bpfh_vstate *st, const struct bpfh_insn *insn)
{
	const struct bpfh_vreg *r = &st->r[insn->dst];
	struct bpfh_insn call = { .code = bpfh_op_info(BPFH_OP_CALL)->code };
	const struct bpfh_helper *h;
	char b[96];

	if (r->kind == BPFH_VK_FUNC)
		return fail(a, "callx to a function value is not supported (call the function by "
			    "name)");
	if (r->kind != BPFH_VK_SCALAR || r->s.r64.smin != r->s.r64.smax)
		return fail(a, "callx needs a known helper id in r%u, not %s", insn->dst,
			    fmt_reg(r, b, sizeof(b)));
	if (r->s.r64.smin < 0 || r->s.r64.smin > INT32_MAX ||
	    !(h = bpfh_helper_find((uint32_t)r->s.r64.smin)))
		return fail(a, "callx to r%u = %" PRId64 ", which is no helper", insn->dst,
			    r->s.r64.smin);
	if (bpfh_helper_takes_callback(h))
		return fail(a, "callx to helper bpf_%s, which takes a callback: call it directly",
			    h->name);
	if (h->flags & (BPFH_HELPER_TAIL_CALL | BPFH_HELPER_PKT_CHANGES))
		return fail(a, "callx to helper bpf_%s, which %s: call it directly", h->name,
			    (h->flags & BPFH_HELPER_TAIL_CALL) ? "tail calls" :
			    "changes the packet");
	call.imm = (int32_t)h->id;
	return bpfh_va_call(a, st, &call);
}
