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
#include "zone.h"

/* --- CFG --- */

struct bpfh_vblock {
	size_t first, last;   /* slot range [first, last] (last: the final instruction's slot) */
	size_t succ[2];       /* fall-through / taken; SIZE_MAX: none */
	bool loop_head;       /* target of an edge from a later or equal block */
	uint8_t loop_level;   /* loop heads: nesting level (0 outermost) inside the function */
	size_t loop_from;     /* the outermost loop head whose span (head to the last block with
				 an edge back to it) ends at this block; SIZE_MAX: none */
	size_t loop_end;      /* loop heads: the last block of the span */
	size_t loop_outer;    /* loop heads: the head of the loop around it; SIZE_MAX: none */
	size_t loop_in;       /* the innermost loop head whose span holds the block; SIZE_MAX:
				 none (spans nest: cfg.c refuses others) */
	bool reachable;
	uint32_t fn;          /* the function the block belongs to */
	size_t callee;        /* ends with a local call: the callee's function; else SIZE_MAX */
	bool callback_call;   /* ends with a call of a helper that takes a callback */
	bool stored;          /* the analysis keeps a state here: a join point (loop head,
				 function entry, several predecessors); others are analysed
				 straight from their one predecessor's edge */
	uint16_t live_in;     /* r0..r9 (bit n: rn) some path from the block's start may read
				 before writing them; the others are dead there */
};

/* A function: the program (0), a local call's target or a callback (lddw of a function). */
struct bpfh_vfunc {
	size_t entry;         /* first instruction */
	size_t first_block, end_block; /* its blocks [first_block, end_block) */
};

struct bpfh_cfg {
	size_t count;             /* slots */
	const struct bpfh_insn *insns;
	uint8_t *ops;             /* enum bpfh_op per slot */
	size_t *block_of;         /* block index per slot (SIZE_MAX for lddw second slots) */
	struct bpfh_vblock *blocks;
	size_t nblocks;
	struct bpfh_vfunc *funcs;
	size_t nfuncs;
	uint32_t *fn_of;          /* function per slot */
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
	BPFH_VK_FUNC,         /* a function's address (lddw): map is its first instruction */
	BPFH_VK_MAP_KEY,      /* a key of map number map, read-only (for_each_map_elem) */
	BPFH_VK_PKT_META,     /* the packet's metadata start + s (its end is the packet's start) */
	/* refs.c: references and map-in-map */
	BPFH_VK_RINGBUF_MEM_OR_NULL, /* a record of ring buffer map, mem_size bytes, or NULL;
				       * id: the reference (the reserving insn + 1) */
	BPFH_VK_RINGBUF_MEM,  /* the same after the NULL check, offset s */
	BPFH_VK_MAP_PTR_OR_NULL, /* an inner map (map: its description's index) or NULL */
};

struct bpfh_vreg {
	uint8_t kind;      /* enum bpfh_vkind */
	uint8_t null;      /* pointers: or NULL (paths that set it to 0 joined); cleared by
			      a comparison with 0 */
	uint32_t map;
	uint32_t id;       /* copies share it: the value (MAP_VALUE(_OR_NULL), MAP_PTR_OR_NULL)
			      or the reference (RINGBUF_*); 0: none */
	uint32_t mem_size; /* RINGBUF_MEM(_OR_NULL): the record's bytes */
	struct bpfh_scalar s; /* the value (scalar) or the offset (pointers) */
};

/* Stack bytes: never written (or unreadable), data, part of a spilled register, or data of a
 * known value (CONST: the byte at the same place in the slot's spill, a constant scalar that
 * holds the slot's 8 bytes in memory order; the other bytes of that constant mean nothing). */
enum { BPFH_STK_INVALID = 0, BPFH_STK_MISC, BPFH_STK_SPILL, BPFH_STK_CONST };

#define BPFH_VSLOTS (BPFH_STACK_SIZE / 8)

/* Frames: bpf-to-bpf calls and callbacks run in a new frame; the callers' frames wait below. */
#define BPFH_VMAX_FRAMES 8

/* A caller's frame while its callee runs: its stack, its registers at the call and its
 * relations. A stack pointer's map field is the number of its frame (0: the program's). */
struct bpfh_vframe {
	uint8_t stk[BPFH_STACK_SIZE];
	struct bpfh_vreg spill[BPFH_VSLOTS];
	struct bpfh_vreg saved[BPFH_REG_COUNT];
	struct bpfh_zone z;
};

/* The state of the running frame, number depth, and the frames of its callers. States of one
 * program point all have the same depth; copy them with bpfh_vstate_copy (struct assignment
 * would not copy the callers' frames). */
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
	struct bpfh_zone z;                    /* relations (rel.c) */
	bool bottom;                           /* unreachable */
	struct bpfh_vrefs refs;                /* references and the lock held (refs.c) */
	uint8_t depth;                         /* callers: frames[0 .. depth) */
	struct bpfh_vframe frames[];
};

/* One frame's stack and registers, the running one's or a caller's. */
struct bpfh_vview {
	uint8_t *stk;
	struct bpfh_vreg *spill;
	struct bpfh_vreg *regs;
};

size_t bpfh_vstate_size(unsigned depth);
void bpfh_vstate_copy(struct bpfh_vstate *dst, const struct bpfh_vstate *src);
/* Every frame of st, the running one last; returns how many (depth + 1). */
unsigned bpfh_vstate_views(struct bpfh_vstate *st, struct bpfh_vview *v);
/* The frame a stack pointer points into. */
struct bpfh_vview bpfh_vstate_frame(struct bpfh_vstate *st, unsigned frame);
/* Stack bytes of one frame: forget [lo, lo + n) into initialised data; whether all are
 * initialised. */
void bpfh_vstack_write(uint8_t *stk, struct bpfh_vreg *spill, size_t lo, size_t n);
/* Break the spill in slot: a scalar's bytes stay initialised data, a pointer's unreadable. */
void bpfh_vstack_unspill(uint8_t *stk, struct bpfh_vreg *spill, size_t slot);
bool bpfh_vstack_init(const uint8_t *stk, const struct bpfh_vreg *spill, size_t lo, size_t n);
/* Stack bytes of one frame: [lo, lo + n) become data of the known value bytes[0 .. n). */
void bpfh_vstack_write_const(uint8_t *stk, struct bpfh_vreg *spill, size_t lo, size_t n,
			     const uint8_t *bytes);
/* Whether every byte of [lo, lo + n) has a known value (a CONST byte, or a byte of a spilled
 * constant); if so, the values into bytes[0 .. n). */
bool bpfh_vstack_known(const uint8_t *stk, const struct bpfh_vreg *spill, size_t lo, size_t n,
		       uint8_t *bytes);

/* The packet's pointers (start, end, metadata): their relational variable is their address
 * minus the packet's start, so any two compare and subtract in the zone. */
static inline bool bpfh_vkind_is_packet(unsigned kind)
{
	return kind == BPFH_VK_PKT || kind == BPFH_VK_PKT_END || kind == BPFH_VK_PKT_META;
}

void bpfh_vreg_set_scalar(struct bpfh_vreg *r, struct bpfh_scalar s);
void bpfh_vreg_set_ptr(struct bpfh_vreg *r, enum bpfh_vkind kind, int64_t off);
bool bpfh_vreg_is_ptr(const struct bpfh_vreg *r);
/* The value for messages: "scalar [0, 10]", "map_value(map 0, off 4, size 8)", ... */
void bpfh_vreg_format(const struct bpfh_vreg *r, char *buf, size_t size);
const char *bpfh_vkind_name(unsigned kind);
/* The registers and spilled stack slots of a state, for --verbose. */
void bpfh_vstate_format(const struct bpfh_vstate *st, char *buf, size_t size);

void bpfh_vstate_init(struct bpfh_vstate *st, unsigned levels);
bool bpfh_vstate_leq(const struct bpfh_vstate *a, const struct bpfh_vstate *b);
/* *a := a join b, or a widen b (b's thresholds thr[0..nthr)). */
void bpfh_vstate_join(struct bpfh_vstate *a, const struct bpfh_vstate *b, bool widen,
		      const int64_t *thr, size_t nthr);
/* *a := a widen b where a's zone is the closure of *wide, the zone of the last widening's result
 * as it is (or, at the first widening, a's zone): the same as bpfh_vstate_join with *wide as a's
 * zone, but the zone's join reads the closure at hand; *wide becomes the new result and a's zone
 * its closure (the next widening starts from *wide: closing could undo it). */
void bpfh_vstate_widen(struct bpfh_vstate *a, const struct bpfh_vstate *b,
		       struct bpfh_zone *wide, const int64_t *thr, size_t nthr);
/* Forget a stack range [lo, lo + n) (byte indices) of a frame (a stack pointer's map field)
 * into initialised scalar data. */
void bpfh_vstate_stack_write(struct bpfh_vstate *st, unsigned frame, size_t lo, size_t n);
/* True when bytes [lo, lo + n) of the frame are all initialised. */
bool bpfh_vstate_stack_init(const struct bpfh_vstate *st, unsigned frame, size_t lo, size_t n);

/* --- Relations (rel.c) --- */

/* Zone variables: 1..11 the registers r0..r10 (a number, a pointer's offset, or for the packet's
 * pointers their address minus the packet's start: data + offset, end = size, meta = ...), then the packet's
 * size, then per loop-nesting level an iteration counter counting up and its negation (a zone
 * relates a counter to a register stepping the same way only: loops counting down need the
 * second). */
#define BPFH_VREL_PKT_SIZE 12u
#define BPFH_VREL_MAX_LEVELS 3u
#define BPFH_VREL_COUNTER(level) (13u + 2u * (level))
#define BPFH_VREL_DOWN(level) (14u + 2u * (level))
/* Variables of a program whose loops nest `levels` deep (a zone's cost grows as n^3). */
#define BPFH_VREL_VARS(levels) (12u + 2u * (levels))

enum { BPFH_VREL_NONE, BPFH_VREL_FORGET, BPFH_VREL_ASSIGN, BPFH_VREL_CALL };
/* What an instruction does to the relations, decided before it runs (on the old values). */
struct bpfh_vrel_plan {
	unsigned kind;
	unsigned reg;      /* the register written */
	unsigned from;     /* ASSIGN: reg := from + [lo, hi] (a zone variable) */
	int64_t lo, hi;
};

/* The relations at entry, with counters for loops nested up to levels deep. */
void bpfh_vrel_init(struct bpfh_vstate *st, unsigned levels);
void bpfh_vrel_plan(const struct bpfh_vstate *st, const struct bpfh_insn *insn, unsigned op,
		    struct bpfh_vrel_plan *p);
void bpfh_vrel_apply(struct bpfh_vstate *st, const struct bpfh_vrel_plan *p);
/* reg := the packet's end (its variable is the packet's size). */
void bpfh_vrel_pkt_end(struct bpfh_vstate *st, unsigned reg);
void bpfh_vrel_forget_reg(struct bpfh_vstate *st, unsigned reg);
/* reg := the metadata's start (at or before the packet's start). */
void bpfh_vrel_pkt_meta(struct bpfh_vstate *st, unsigned reg);
/* Whether a metadata pointer's address + end <= the packet's start holds. */
bool bpfh_vrel_meta_within(struct bpfh_vstate *st, unsigned reg, int64_t end);
/* A conditional jump's edge (taken or not) on numbers: relations and bounds, and the registers'
 * intervals tightened from them (st->bottom when the edge is impossible). src -1: a constant. */
void bpfh_vrel_cond(struct bpfh_vstate *st, enum bpfh_cond c, unsigned width, unsigned dst,
		    int src, bool taken);
/* lo <= off(pkt) - (size + off(end)) <= hi on an edge of a packet against packet-end test. */
void bpfh_vrel_pkt_cmp(struct bpfh_vstate *st, unsigned pkt, unsigned end, int64_t lo,
		       int64_t hi);
/* The bounds of var(x) - var(y) the relations prove (INT64_MIN / INT64_MAX: none). */
void bpfh_vrel_diff(struct bpfh_vstate *st, unsigned x, unsigned y, int64_t *lo, int64_t *hi);
/* Whether off(reg) + end <= the packet's size holds. */
bool bpfh_vrel_pkt_within(struct bpfh_vstate *st, unsigned reg, int64_t end);
/* The counter of a loop level on an edge into its head: back edge +1, entry := 0. */
void bpfh_vrel_loop_edge(struct bpfh_vstate *st, unsigned level, bool back);
/* The counter's upper bound (BPFH_ZONE_INF: none), on a back edge before it is counted. */
int64_t bpfh_vrel_loop_bound(struct bpfh_vstate *st, unsigned level);

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
