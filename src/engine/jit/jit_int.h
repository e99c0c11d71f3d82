/* SPDX-License-Identifier: MIT */
/*
 * Private to src/engine/jit: what the architecture-independent driver (jit.c) and a back end
 * (x86_64/) share. The driver analyses the program, runs the back end's emission passes until
 * the code's layout stops changing, copies the code into executable pages and runs it; the back
 * end turns one pass over the program into bytes. Nothing here is visible outside the JIT.
 *
 * Layout of the code of one program:
 *
 *   entry        the C-callable trampoline (struct jit_ctx *, args, start, stack top), for
 *                callbacks and runs the main entry does not take
 *   main entry   programs that are not leaves: their exec->run (bpfh_exec_run's own
 *                arguments), which keeps its context on the native stack
 *   leaf entry   leaf programs only: the tail-call arrival and the run entry (bpfh_exec_run's
 *                own arguments), which falls into slot 0
 *   common code  epilogue, the fault exit, the exit with r0 = 0 of LD_ABS/LD_IND, tail calls
 *   slot code    one sequence per slot, in order (addr[] gives where each starts); a back end
 *                may merge a slot into the one before where no code arrives between them
 *                (entry[]), the merged slot's code then empty, and may pad before a loop's
 *                head (loop_end[]) to align the loop, pad[] recording how much
 *   cold stubs   one per fault site: record the site, then jump to the fault exit
 *
 * Labels: a jump to a slot or a stub is emitted with a placeholder and recorded as a fixup; a
 * jump between slots takes its one-byte form when the previous pass's layout says it reaches
 * (from the end of the jumping slot's code, before the next slot's padding). After a pass, when
 * no long jump between slots could have been short in this pass's own layout, the next pass
 * would make the same sizes: the fixups are filled in from this pass's addresses and the code
 * is final. Sizes only shrink from pass to pass (the first makes every jump long), so this
 * settles, usually after the second pass (the first, for code without jumps); alignment
 * padding can grow as code before it shrinks, so after a few passes it is frozen (each pass
 * pads as the one before), and sizes only shrink again. Padding is decided within each pass,
 * so a pass's code is consistent whatever it is. Jumps to stubs and local calls are always
 * long; jumps to common code are emitted after it, exactly.
 */
#ifndef BPFH_JIT_INT_H
#define BPFH_JIT_INT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../engine_int.h"

/* State of one run of JIT code, kept by the C driver; the generated code reaches it through a
 * register (the back end's context register). The offsets are part of the code's contract. */
struct jit_ctx {
	struct bpfh_run *run;          /* the helpers' last argument */
	const bpfh_helper_fn *helpers;  /* run->helpers, as at the start of the run */
	uint64_t nhelpers;              /* run->nhelpers (0 without a table) */
	uint64_t call_limit;            /* a local call needs r10 >= this (frames left) */
	uint64_t entry_sp;              /* where the entry's call into slot code keeps its return
					 * address: exits that unwind return through it */
	uint64_t r1;                    /* r1 at the last helper call (a tail call's context) */
	uint64_t r0;                    /* out: r0 at the final exit (the C entry) */
	uint64_t *r0_out;               /* where the main entry stores r0 */
	const struct bpfh_exec *fault_exec; /* out: the program of the faulting instruction */
	uint64_t fault_val;             /* out: the value the message prints */
	uint32_t fault_insn;            /* out: its slot */
	uint32_t fault_kind;            /* out: enum jit_fault */
	uint32_t tail_calls;            /* run->tail_calls while code runs (a program that may
					 * tail-call counts here: copied in at the entry and
					 * around helper calls that may tail-call or call back,
					 * out at the exit) */
};

/* Status the entry returns. */
enum { JIT_STATUS_OK = 0, JIT_STATUS_FAULT = 1 };

/* The run's error after a fault (ctx->fault_*), its log line written: for the trampoline's
 * caller, and called by the main entry's code itself. */
int jit_fault_status(struct jit_ctx *ctx);

/* Why code stopped (jit_ctx.fault_kind); the driver turns each into interp's message. */
enum jit_fault {
	JIT_FAULT_HELPER = 1,  /* call to an unknown helper (value: the id) */
	JIT_FAULT_CALLX,       /* callx to a tagged value that is not a function (value) */
	JIT_FAULT_DEPTH,       /* a local call past BPFH_MAX_FRAMES */
	JIT_FAULT_TAIL_ENGINE, /* tail call into a program of another engine */
	JIT_FAULT_ERROR,       /* run->error set by a callback: stop with it, nothing to log */
};

/* Common code labels. */
enum jit_label {
	JIT_L_MAIN,     /* the main entry, exec->run of programs that are not leaves */
	JIT_L_FAULT,    /* record the program, unwind, to the entry's fault continuation */
	JIT_L_EXIT0,    /* unwind with r0 = 0 (LD_ABS/LD_IND out of bounds) */
	JIT_L_TAIL,     /* after a helper: run->error or a tail call (site's slot recorded) */
	JIT_L_LEAF_RUN, /* a leaf program's run entry, its exec->run (leaf programs only) */
	JIT_L_LEAF_TAIL, /* a leaf program's tail-call arrival, its jit_start */
	JIT_L__COUNT
};

/* A cold stub: what to record before leaving through JIT_L_FAULT or JIT_L_TAIL. */
enum jit_stub_kind {
	JIT_STUB_FAULT, /* fault of kind `fault`, value from BPF register `reg` or `val` */
	JIT_STUB_TAIL,  /* a helper asked for a tail call or failed: go to JIT_L_TAIL */
};

#define JIT_STUB_NOREG 0xff /* the value is stub.val, not a register */

struct jit_stub {
	uint8_t kind;
	uint8_t fault;
	uint8_t reg;
	uint32_t insn;
	uint64_t val;
};

/* A growing code buffer; err sticks at the first failure (-ENOMEM, or -E2BIG past limit). */
struct jit_buf {
	uint8_t *p;
	size_t len, cap, limit;
	int err;
};

/* A displacement to fill in once the layout is final. */
enum jit_fix_kind {
	JIT_FIX_JUMP, /* to a slot, from the end of slot `from`'s code: may be short */
	JIT_FIX_CALL, /* a call (or the leaf entry's jmp) to a slot, always 32 bits */
	JIT_FIX_STUB, /* to a cold stub, always 32 bits */
};

struct jit_fixup {
	uint32_t pos;    /* the displacement's first byte; the instruction ends after it */
	uint32_t target; /* slot or stub index */
	uint32_t from;   /* JIT_FIX_JUMP: the jumping slot */
	uint8_t kind;
	uint8_t width;   /* 1 or 4 bytes */
	uint8_t margin;  /* JIT_FIX_JUMP: at most this many bytes of the slot's code follow it */
};

/* What a helper call's helper does (bpfh_exec_opts.helper_info), one byte per slot: without
 * JIT_HI_KNOWN, it reads r1..r5 and may do anything. */
#define JIT_HI_NARGS 0x07u /* the arguments it reads */
#define JIT_HI_KNOWN 0x08u
#define JIT_HI_TAIL 0x10u  /* may ask for a tail call */
#define JIT_HI_CB 0x20u    /* may run callbacks (and fail in them) */

/* Whether the helper call or callx at slot i may do what (JIT_HI_TAIL, JIT_HI_CB): hinfo
 * (NULL: nothing known) does not describe it or says so; a callx may call any helper. */
int jit_call_may(const struct bpfh_exec *exec, const uint8_t *hinfo, size_t i, unsigned what);

/* A helper call the back end inlines. JIT_INLINE_ARRAY, bpf_map_lookup_elem: r1 is provably
 * an ARRAY whose value of index i < max is at base + i * stride (stride at most INT32_MAX).
 * JIT_INLINE_TAIL, bpf_tail_call: r2 is provably a PROG_ARRAY whose slot of index i < max is
 * ((void **)base)[i], NULL or an object with its const struct bpfh_exec * at byte offset
 * stride; key_known when r3 provably holds the index, key (a `mov r3, imm` earlier in the
 * block). */
enum { JIT_INLINE_NONE, JIT_INLINE_ARRAY, JIT_INLINE_TAIL };

struct jit_inline_call {
	uint64_t base;
	uint32_t stride, max;
	uint8_t kind;
	uint8_t key_known; /* JIT_INLINE_TAIL: r3 (the index) is provably key */
	uint8_t dead;      /* any slot: its code is left out, it only sets an argument (r2, or r3
			    * with key_known) of an inlined tail call, which does not read it */
	uint32_t key;
};

/* One emission pass over the program. */
struct jit_pass {
	const struct bpfh_exec *exec;
	struct jit_buf buf;
	uint32_t *addr;          /* this pass: start of each slot's code; addr[count] = end */
	const uint32_t *prev;    /* the previous pass's addr, NULL in the first pass */
	uint32_t label[JIT_L__COUNT];
	struct jit_stub *stubs;  /* the stubs this pass asked for, in order */
	uint32_t *stub_addr;     /* this pass: where each stub starts */
	size_t nstubs, stub_cap;
	struct jit_fixup *fix;   /* this pass's displacements to fill in */
	size_t nfix, fix_cap;
	const uint8_t *keep;     /* per helper call slot: r1..r5 read later (bit n-1 for rn) */
	const struct jit_inline_call *inl; /* per slot, or NULL: helper calls to inline */
	const uint8_t *entry;    /* per slot: code may arrive there other than from the slot
				  * before (a jump or call target, a function, slot 0) */
	const uint32_t *loop_end; /* per slot: 0, or 1 + the last slot jumping back to it (the
				   * end of the loop it heads) */
	uint8_t *pad;            /* this pass: bytes of padding before each slot's code */
	const uint8_t *prev_pad; /* the previous pass's pad (with prev) */
	int pad_frozen;          /* pad as the previous pass did: the layout then only shrinks */
	int has_local_calls;     /* the program has call local or callx (exits may return) */
	int all_long;            /* every jump long: the fallback that always settles */
	int leaf;                /* needs no context: gets the leaf entries (see below) */
	int may_tail_call;       /* a run may go on in another program's code */
	int counts_tail_calls;   /* the code reads or changes jit_ctx.tail_calls: it may
				  * tail-call or run callbacks (which may) */
	const uint8_t *call_saves; /* per local call or callx slot: which of r6..r9 (bit n - 6
				    * for rn) the code it runs may write, for the call to keep
				    * (NULL: no local call) */
#define JIT_SAVES_ALL 0x0fu          /* all four of r6..r9 */
	unsigned regs_used;      /* BPF registers the program names (bit n for rn) */
	unsigned live_in;        /* BPF registers read before any write, from the entry */
	unsigned arch_flags;     /* the back end's own facts about the program (this pass) */
	/* The last operation whose flags are its result's (on machine register flags_reg, 64 bits
	 * wide when flags_w), ending at flags_end (0: none in this pass): a compare of that
	 * register with 0 right after it may use them. */
	size_t flags_end;
	int flags_reg, flags_w;
	/* The head, the code before slot 0's (entries and common code), is the same in every
	 * pass: it depends on no layout. After the first pass, a back end keeps it where it is
	 * (at the start of buf, its fixups and stubs the first of this pass's) instead of making
	 * it again. 0 until it is made. */
	size_t head_len, head_nfix, head_nstubs;
	const uint8_t *hinfo;    /* per helper call slot, or NULL: what the helper does (JIT_HI_*) */
	const bpfh_helper_fn *helpers; /* bpfh_exec_opts.helpers: calls bound at compile time */
	size_t nhelpers;
	int blind;               /* blind immediates (bpfh_exec_opts.blind) */
	uint64_t blind_seed;     /* drawn once per compilation: every pass makes the same keys */
	uint64_t key;            /* the key of the slot being lowered (blind only) */
};

/* The blinding key of slot i: the same in every pass of one compilation, no byte of it zero (so
 * that every byte of a blinded immediate changes). */
uint64_t jit_blind_key(const struct jit_pass *p, size_t i);

/* Code buffer. The emitters are inline: code is made a byte at a time, several times over. */
void jit_buf_grow(struct jit_buf *b, size_t n);

static inline int jit_room(struct jit_buf *b, size_t n)
{
	if (b->cap - b->len < n) {
		jit_buf_grow(b, n);
		if (b->cap - b->len < n)
			return 0;
	}
	return 1;
}

static inline void jit_emit8(struct jit_buf *b, uint8_t v)
{
	if (jit_room(b, 1))
		b->p[b->len++] = v;
}

/* n bytes at once (one instruction's, made by the caller). */
static inline void jit_emit_bytes(struct jit_buf *b, const uint8_t *s, size_t n)
{
	if (jit_room(b, n)) {
		memcpy(b->p + b->len, s, n);
		b->len += n;
	}
}

/* Multi-byte values are little-endian whatever the host: the code is x86's or arm64's. */
static inline void jit_emit16(struct jit_buf *b, uint16_t v)
{
	if (jit_room(b, 2)) {
		b->p[b->len++] = (uint8_t)v;
		b->p[b->len++] = (uint8_t)(v >> 8);
	}
}

static inline void jit_emit32(struct jit_buf *b, uint32_t v)
{
	if (jit_room(b, 4)) {
		b->p[b->len++] = (uint8_t)v;
		b->p[b->len++] = (uint8_t)(v >> 8);
		b->p[b->len++] = (uint8_t)(v >> 16);
		b->p[b->len++] = (uint8_t)(v >> 24);
	}
}

static inline void jit_emit64(struct jit_buf *b, uint64_t v)
{
	jit_emit32(b, (uint32_t)v);
	jit_emit32(b, (uint32_t)(v >> 32));
}

static inline size_t jit_pos(const struct jit_buf *b)
{
	return b->len;
}

/* Overwrite one byte already emitted (a short forward jump inside one slot's code). */
static inline void jit_patch8(struct jit_buf *b, size_t at, uint8_t v)
{
	if (at < b->len)
		b->p[at] = v;
}

/* Add a stub to this pass; returns its index (the same in every pass for the same program). */
size_t jit_stub_add(struct jit_pass *p, const struct jit_stub *s);
/* Record the width-byte displacement just emitted (the end of an instruction) as a fixup. */
void jit_fixup(struct jit_pass *p, unsigned kind, unsigned width, size_t target, size_t from);
/* Whether a jump from slot from_slot to slot to may use a one-byte offset, the jump followed
 * by at most margin bytes of the slot's code (0: it ends the slot's code); the fixup then
 * recorded must say the same margin (jit_fixup_margin). */
int jit_slot_near(const struct jit_pass *p, size_t from_slot, size_t to, unsigned margin);
/* Set the margin of the fixup just recorded. */
void jit_fixup_margin(struct jit_pass *p, unsigned margin);

/* The page size of the machines the back ends generate for (x86-64 on Linux and Windows). */
#define JIT_PAGE 4096u

/* Back end interface (one per architecture). */
/* 0 when this host can run the back end's code, else -ENOTSUP and *why says what is missing. */
int jit_arch_supported(const char **why);
/* Emit the whole program once into p->buf, filling p->addr, p->label and the stubs. */
void jit_arch_emit(struct jit_pass *p);

/* Bytes of int3 before the code in its pages, so that nothing before the entry is another
 * function's (or unmapped) should a sanitizer look in front of a called function. */
#define JIT_CODE_PAD 16

/* The entry every program's code starts with (offset 0 of the code). */
typedef int (*jit_entry_fn)(struct jit_ctx *ctx, const uint64_t *args, const void *start,
			    uint64_t *stack_top);

/* The entries of a leaf program (one that needs no struct jit_ctx: no helper call other than
 * inlined array lookups, no local call or callx, no function value, no LD_ABS/LD_IND, so
 * nothing can fault). Each saves only the callee-saved registers the program uses (and t3,
 * where the exits store r0, if the code uses it), and a program that uses r10 reserves
 * BPFH_STACK_SIZE bytes of the native stack, then runs the slot code, whose exits undo it all
 * and store r0 where t3 points. The run entry (a bpfh_exec_run_fn, exec->run) takes
 * bpfh_exec_run's own arguments, so that bpfh_exec_run jumps to it: it sets r10 to the
 * top of the run's stack (or, when the run gives none, of the frame it reserved) and only
 * those of r0..r9 the program reads before writing (r1..r5 from run->args, the others 0),
 * stores r0 in *r0 and returns 0. A tail call arrives through another entry, which leaves
 * the registers as they are and returns r0 (t3 at a word of its own for the exits). */

#endif
