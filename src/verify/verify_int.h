/* SPDX-License-Identifier: MIT */
/*
 * Private to src/verify: the control-flow graph (cfg.c), the abstract state of one program
 * point (state.c) and the analyzer's entry (analyze.c). The CFG only knows instructions and
 * edges; the state only knows lattice operations on registers and the stack; the analyzer
 * gives instructions their meaning and checks safety.
 */
#ifndef BPFH_VERIFY_INT_H
#define BPFH_VERIFY_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpfhost/verify.h"
#include "../isa/ops.h"
#include "scalar.h"

/* --- CFG --- */

struct bpfh_vblock {
	size_t first, last;   /* slot range [first, last] (last: the final instruction's slot) */
	size_t succ[2];       /* fall-through / taken; SIZE_MAX: none */
	bool loop_head;       /* target of an edge from a later or equal block */
	bool reachable;
};

struct bpfh_cfg {
	size_t count;             /* slots */
	const struct bpfh_insn *insns;
	uint8_t *ops;             /* enum bpfh_op per slot */
	size_t *block_of;         /* block index per slot (SIZE_MAX for lddw second slots) */
	struct bpfh_vblock *blocks;
	size_t nblocks;
};

/* Decode and build the CFG; refuses (with a log line, -EACCES) jumps into a second lddw slot,
 * control falling off the end, unsupported calls, paths that never reach exit and, unless
 * allowed, unreachable code. -EINVAL when the image does not decode. */
int bpfh_cfg_build(struct bpfh_cfg *cfg, const struct bpfh_insn *insns, size_t count,
		   bool allow_unreachable, struct bpfh_log *log);
void bpfh_cfg_free(struct bpfh_cfg *cfg);

/* "insn N (disassembly): " into the log, for the analyzer's and CFG's messages. */
void bpfh_verify_log_insn(struct bpfh_log *log, const struct bpfh_insn *insns, size_t count,
			  size_t i);

/* --- Abstract state --- */

enum bpfh_vkind {
	BPFH_VK_UNINIT = 0,   /* never written, or different kinds on joining paths */
	BPFH_VK_SCALAR,       /* a number: s */
	BPFH_VK_CTX,          /* the context, offset s */
	BPFH_VK_STACK,        /* the frame: offset s from r10 (accesses in [-512, 0)) */
	BPFH_VK_MAP_PTR,      /* map number map (from lddw) */
	BPFH_VK_MAP_VALUE,    /* a value of map number map, offset s */
	BPFH_VK_MAP_VALUE_OR_NULL, /* the same or NULL (id: the null check's identity) */
	BPFH_VK_PKT,          /* the packet's start + s */
	BPFH_VK_PKT_END,      /* the packet's end + s (s 0) */
	/* refs.c: references and map-in-map */
	BPFH_VK_RINGBUF_MEM_OR_NULL, /* a record of ring buffer map, mem_size bytes, or NULL;
				       * id: the reference (the reserving insn + 1) */
	BPFH_VK_RINGBUF_MEM,  /* the same after the NULL check, offset s */
	BPFH_VK_MAP_PTR_OR_NULL, /* an inner map (map: its description's index) or NULL */
};

struct bpfh_vreg {
	uint8_t kind;      /* enum bpfh_vkind */
	uint32_t map;
	uint32_t id;       /* copies share it: the value (MAP_VALUE(_OR_NULL), MAP_PTR_OR_NULL)
			      or the reference (RINGBUF_*); 0: none */
	struct bpfh_scalar s; /* the value (scalar) or the offset (pointers) */
	uint32_t mem_size; /* RINGBUF_MEM(_OR_NULL): the record's bytes */
};

/* Stack bytes. */
enum { BPFH_STK_INVALID = 0, BPFH_STK_MISC, BPFH_STK_SPILL };

#define BPFH_VSLOTS (BPFH_STACK_SIZE / 8)

/* References the program may hold (ring buffer records), by id: the acquiring instruction +
 * 1, sorted, "possibly held" (joins take the union); and the bpf_spin_lock held. */
#define BPFH_VMAX_REFS 8
enum { BPFH_LOCK_NONE = 0, BPFH_LOCK_HELD, BPFH_LOCK_UNKNOWN /* paths disagree */ };

struct bpfh_vrefs {
	uint32_t id[BPFH_VMAX_REFS];
	uint8_t n;
	uint8_t lost;       /* more than BPFH_VMAX_REFS: unknown references may be held */
	uint8_t lock;       /* BPFH_LOCK_* */
	uint32_t lock_map;  /* HELD: the lock's map value: map index and value id */
	uint32_t lock_id;
	uint32_t lock_insn; /* where it was taken */
};

struct bpfh_vstate {
	struct bpfh_vreg r[BPFH_REG_COUNT];
	uint8_t stk[BPFH_STACK_SIZE];          /* byte i: r10 - 512 + i */
	struct bpfh_vreg spill[BPFH_VSLOTS];   /* valid when the slot's 8 bytes are SPILL */
	uint64_t pkt_range;                    /* packet bytes proven to exist */
	bool bottom;                           /* unreachable */
	struct bpfh_vrefs refs;                /* references and the lock held (refs.c) */
};

void bpfh_vreg_set_scalar(struct bpfh_vreg *r, struct bpfh_scalar s);
void bpfh_vreg_set_ptr(struct bpfh_vreg *r, enum bpfh_vkind kind, int64_t off);
bool bpfh_vreg_is_ptr(const struct bpfh_vreg *r);
/* The value for messages: "scalar [0, 10]", "map_value(map 0, off 4, size 8)", ... */
void bpfh_vreg_format(const struct bpfh_vreg *r, char *buf, size_t size);
const char *bpfh_vkind_name(unsigned kind);

void bpfh_vstate_init(struct bpfh_vstate *st);
bool bpfh_vstate_leq(const struct bpfh_vstate *a, const struct bpfh_vstate *b);
/* *a := a join b, or a widen b (b's thresholds thr[0..nthr)). */
void bpfh_vstate_join(struct bpfh_vstate *a, const struct bpfh_vstate *b, bool widen,
		      const int64_t *thr, size_t nthr);
/* Forget a stack range [lo, lo + n) (byte indices) or mark it initialised scalar data. */
void bpfh_vstate_stack_write(struct bpfh_vstate *st, size_t lo, size_t n);
/* True when bytes [lo, lo + n) are all initialised. */
bool bpfh_vstate_stack_init(const struct bpfh_vstate *st, size_t lo, size_t n);

/* refs.c: the lattice of struct bpfh_vrefs and of struct bpfh_vreg's mem_size. */
bool bpfh_vrefs_leq(const struct bpfh_vrefs *a, const struct bpfh_vrefs *b);
void bpfh_vrefs_join(struct bpfh_vrefs *a, const struct bpfh_vrefs *b);
bool bpfh_vreg_ext_leq(const struct bpfh_vreg *a, const struct bpfh_vreg *b);
void bpfh_vreg_ext_join(struct bpfh_vreg *a, const struct bpfh_vreg *b);
/* Ids of copies name values per path; before comparing or joining two states, the second
 * (for leq: the first) is renamed into the other's ids where they correspond one to one
 * (refs.c). *tmp receives the renamed state; false when no renaming is needed. */
bool bpfh_vids_for_leq(const struct bpfh_vstate *a, const struct bpfh_vstate *b,
		       struct bpfh_vstate *tmp);
bool bpfh_vids_for_join(struct bpfh_vstate *a, const struct bpfh_vstate *b,
			struct bpfh_vstate *tmp);
/* "refs=[3 9] lock=map 0 id 5" for traces; "" when nothing is held. */
void bpfh_vrefs_format(const struct bpfh_vrefs *r, char *buf, size_t size);

/* --- Context (ctx.c) --- */

/* May a load (or store, write) of size bytes at context bytes [lo, hi) be made? hi - lo is size
 * when the offset is a constant, more when it varies. 0 and *kind (what a load gives: SCALAR,
 * PKT, PKT_END, PKT_META), or -EACCES with the reason in why (a message fragment: "context
 * access out of bounds: ...", "write into the context field ..."). */
int bpfh_vctx_access(const struct bpfh_verify_prog_type *type, int64_t lo, int64_t hi,
		     unsigned size, bool write, enum bpfh_vkind *kind, char *why, size_t why_size);

/* --- Analysis --- */

int bpfh_analyze(const struct bpfh_verify_input *in, const struct bpfh_cfg *cfg,
		 struct bpfh_verify_result *out, struct bpfh_log *log);

#endif
