/* SPDX-License-Identifier: MIT */
/*
 * The interpreter loop, written once and compiled twice by interp.c: as the fast interpreter
 * (INTERP_CHECKED 0) and as the checked one (INTERP_CHECKED 1), which validates every memory
 * access against the run's regions and the live stack frames and counts instructions against a
 * budget. INTERP_FN names the function.
 *
 * Semantics follow RFC 9669 on a little-endian host: 32-bit results are zero-extended; division
 * by zero gives 0 and modulo by zero leaves the dividend; signed INT_MIN / -1 gives INT_MIN and
 * INT_MIN % -1 gives 0; shift counts are masked to the operand width. All arithmetic is on
 * unsigned types, so no input can reach undefined behaviour in C. Every row of opcodes.def must
 * have a handler here: the label table below fails to compile otherwise.
 */

static int INTERP_FN(const struct bpfh_exec *exec, struct bpfh_run *run, size_t start,
		     const uint64_t *args, uint64_t *r0, const void *const **labels_out)
{
#if BPFH_THREADED
	static const void *const labels[BPFH_OP__COUNT] = {
		[BPFH_OP_LDDW_HI] = &&L_LDDW_HI,
#define BPFH_OP(ID, CODE, FORM, SEL, MN, SYM) [BPFH_OP_##ID] = &&L_##ID,
#include "../isa/opcodes.def"
#undef BPFH_OP
	};
#define OP(ID) L_##ID:
#define DISPATCH() goto *pc->h.label
#else
#define OP(ID) case BPFH_OP_##ID:
#define DISPATCH() goto dispatch
#endif
#define NEXT() do { pc++; DISPATCH(); } while (0)
#define JUMP(delta) do { pc += (int64_t)(delta) + 1; DISPATCH(); } while (0)
#define DST reg[pc->dst]
#define SRC reg[pc->src]
#define IMM ((uint64_t)(int64_t)pc->imm)
#define IMM32 ((uint32_t)pc->imm)
#define INDEX ((size_t)(pc - code))

	struct frame {
		const struct bpfh_exec *exec; /* the caller's program (a tail call may change it) */
		const struct interp_insn *ret;
		uint64_t saved[5]; /* r6..r10 */
	} frames[BPFH_MAX_FRAMES];
	uint64_t own_stack[BPFH_MAX_FRAMES * BPFH_STACK_SIZE / 8], *stack = own_stack;
	const size_t stack_size = sizeof(own_stack);
	uint64_t reg[BPFH_REG_COUNT];
	const struct interp_insn *code, *pc;
	unsigned depth = 0;
	int err = 0;
#if INTERP_CHECKED
	uint64_t budget;
#endif

#if BPFH_THREADED
	if (labels_out) {
		*labels_out = labels;
		return 0;
	}
#else
	(void)labels_out;
#endif
	code = exec->code;
	pc = code + start;
#if INTERP_CHECKED
	budget = run->insn_limit;
#endif
	memset(reg, 0, sizeof(reg));
	memcpy(&reg[1], args, 5 * sizeof(reg[1]));
	if (run->stack && run->nesting == 0) /* the caller's stack, as it is */
		stack = run->stack;
#if INTERP_CHECKED
	else
		memset(stack, 0, stack_size);
#endif
	reg[10] = (uint64_t)(uintptr_t)stack + stack_size;
#if INTERP_CHECKED
	/* A callback (nesting > 0) may touch the stacks of the runs it is nested in: record
	 * this run's stack for the callbacks it will start. */
	if (run->nesting < BPFH_MAX_FRAMES) {
		run->outer_lo[run->nesting] = (uintptr_t)stack;
		run->outer_hi[run->nesting] = (uintptr_t)stack + stack_size;
	}
	run->nouter = run->nesting;
#endif

#if INTERP_CHECKED
	/* Every instruction passes here once: count it against the budget. */
#define CHECK_BUDGET()                                                          \
	do {                                                                    \
		if (++run->insns_executed > budget && budget) {                 \
			run->insns_executed--; /* the refused one did not run */ \
			err = -ETIMEDOUT;                                       \
			bpfh_exec_fault(exec, run, INDEX, "instruction limit of %llu reached", \
			      (unsigned long long)budget);                     \
			goto out;                                               \
		}                                                               \
	} while (0)
#define MEM(addr, size, write)                                                  \
	do {                                                                    \
		if (!access_ok(run, stack, reg[10], addr, size, write)) {       \
			err = -EFAULT;                                          \
			bpfh_exec_fault(exec, run, INDEX, "%s of %u bytes at 0x%llx is outside the stack " \
			      "frames and every region of this run", write ? "write" : "read", \
			      (unsigned)(size), (unsigned long long)(addr));    \
			goto out;                                               \
		}                                                               \
	} while (0)
#define CHECK_ALIGNED(addr, size)                                                \
	do {                                                                    \
		if ((addr) % (size)) {                                          \
			err = -EFAULT;                                          \
			bpfh_exec_fault(exec, run, INDEX, "atomic access at 0x%llx is not aligned to %u bytes", \
			      (unsigned long long)(addr), (unsigned)(size));    \
			goto out;                                               \
		}                                                               \
	} while (0)
#else
#define CHECK_BUDGET() do { } while (0)
#define MEM(addr, size, write) do { } while (0)
#define CHECK_ALIGNED(addr, size) do { } while (0)
#endif

#if BPFH_THREADED
	DISPATCH();
#else
dispatch:
	switch (pc->h.op) {
#endif

	/* ---- ALU ---- */
#define ALU_BIN(ID, OPER)                                                                 \
	OP(ID##64_K) CHECK_BUDGET(); DST = DST OPER IMM; NEXT();                          \
	OP(ID##64_X) CHECK_BUDGET(); DST = DST OPER SRC; NEXT();                          \
	OP(ID##32_K) CHECK_BUDGET(); DST = (uint32_t)((uint32_t)DST OPER IMM32); NEXT();  \
	OP(ID##32_X) CHECK_BUDGET(); DST = (uint32_t)((uint32_t)DST OPER (uint32_t)SRC); NEXT();
	ALU_BIN(ADD, +)
	ALU_BIN(SUB, -)
	ALU_BIN(MUL, *)
	ALU_BIN(OR, |)
	ALU_BIN(AND, &)
	ALU_BIN(XOR, ^)
#undef ALU_BIN

#define ALU_SHIFT(ID, EXPR64, EXPR32)                                                     \
	OP(ID##64_K) CHECK_BUDGET(); { uint64_t n = IMM & 63; DST = EXPR64; } NEXT();      \
	OP(ID##64_X) CHECK_BUDGET(); { uint64_t n = SRC & 63; DST = EXPR64; } NEXT();      \
	OP(ID##32_K) CHECK_BUDGET(); { uint32_t n = IMM32 & 31; DST = (uint32_t)(EXPR32); } NEXT(); \
	OP(ID##32_X) CHECK_BUDGET(); { uint32_t n = (uint32_t)SRC & 31; DST = (uint32_t)(EXPR32); } NEXT();
	ALU_SHIFT(LSH, DST << n, (uint32_t)DST << n)
	ALU_SHIFT(RSH, DST >> n, (uint32_t)DST >> n)
	ALU_SHIFT(ARSH, (uint64_t)((int64_t)DST >> n), (uint32_t)((int32_t)(uint32_t)DST >> n))
#undef ALU_SHIFT

	/* Division: by zero gives 0, modulo by zero keeps the dividend (RFC 9669 4.1). */
#define ALU_DIV(ID, DIV64, DIV32)                                                         \
	OP(ID##64_K) CHECK_BUDGET(); { uint64_t a = DST, b = IMM; DST = DIV64; } NEXT();   \
	OP(ID##64_X) CHECK_BUDGET(); { uint64_t a = DST, b = SRC; DST = DIV64; } NEXT();   \
	OP(ID##32_K) CHECK_BUDGET(); { uint32_t a = (uint32_t)DST, b = IMM32; DST = (uint32_t)(DIV32); } NEXT(); \
	OP(ID##32_X) CHECK_BUDGET(); { uint32_t a = (uint32_t)DST, b = (uint32_t)SRC; DST = (uint32_t)(DIV32); } NEXT();
	ALU_DIV(DIV, b ? a / b : 0, b ? a / b : 0)
	ALU_DIV(MOD, b ? a % b : a, b ? a % b : a)
	/* Signed: a divisor of -1 is negation (INT_MIN / -1 wraps to INT_MIN, INT_MIN % -1 is 0),
	 * taken apart so that C's signed division never overflows. */
	ALU_DIV(SDIV, sdiv64(a, b), sdiv32(a, b))
	ALU_DIV(SMOD, smod64(a, b), smod32(a, b))
#undef ALU_DIV

	OP(MOV64_K) CHECK_BUDGET(); DST = IMM; NEXT();
	OP(MOV64_X) CHECK_BUDGET(); DST = SRC; NEXT();
	OP(MOV32_K) CHECK_BUDGET(); DST = IMM32; NEXT();
	OP(MOV32_X) CHECK_BUDGET(); DST = (uint32_t)SRC; NEXT();
	OP(NEG64) CHECK_BUDGET(); DST = 0 - DST; NEXT();
	OP(NEG32) CHECK_BUDGET(); DST = (uint32_t)(0 - (uint32_t)DST); NEXT();
	OP(MOVSX8_64) CHECK_BUDGET(); DST = (uint64_t)(int64_t)(int8_t)(uint8_t)SRC; NEXT();
	OP(MOVSX16_64) CHECK_BUDGET(); DST = (uint64_t)(int64_t)(int16_t)(uint16_t)SRC; NEXT();
	OP(MOVSX32_64) CHECK_BUDGET(); DST = (uint64_t)(int64_t)(int32_t)(uint32_t)SRC; NEXT();
	OP(MOVSX8_32) CHECK_BUDGET(); DST = (uint32_t)(int32_t)(int8_t)(uint8_t)SRC; NEXT();
	OP(MOVSX16_32) CHECK_BUDGET(); DST = (uint32_t)(int32_t)(int16_t)(uint16_t)SRC; NEXT();

	/* Byte order, for a little-endian host: "le" only truncates, "be" and bswap swap. */
	OP(LE16) CHECK_BUDGET(); DST = (uint16_t)DST; NEXT();
	OP(LE32) CHECK_BUDGET(); DST = (uint32_t)DST; NEXT();
	OP(LE64) CHECK_BUDGET(); NEXT();
	OP(BE16) OP(BSWAP16) CHECK_BUDGET(); DST = bswap16((uint16_t)DST); NEXT();
	OP(BE32) OP(BSWAP32) CHECK_BUDGET(); DST = bswap32((uint32_t)DST); NEXT();
	OP(BE64) OP(BSWAP64) CHECK_BUDGET(); DST = bswap64(DST); NEXT();

	/* ---- jumps ---- */
	OP(JA) CHECK_BUDGET(); JUMP(pc->off);
	OP(JA32) CHECK_BUDGET(); JUMP(pc->imm);
#define JCOND(ID, T, A, B, CMP)                                                             \
	OP(ID##_K) CHECK_BUDGET(); if ((T)(A DST) CMP (T)(B IMM)) JUMP(pc->off); NEXT();   \
	OP(ID##_X) CHECK_BUDGET(); if ((T)(A DST) CMP (T)(B SRC)) JUMP(pc->off); NEXT();   \
	OP(ID##32_K) CHECK_BUDGET(); if ((T)(A (uint32_t)DST) CMP (T)(B IMM32)) JUMP(pc->off); NEXT(); \
	OP(ID##32_X) CHECK_BUDGET(); if ((T)(A (uint32_t)DST) CMP (T)(B (uint32_t)SRC)) JUMP(pc->off); NEXT();
	JCOND(JEQ, uint64_t, , , ==)
	JCOND(JNE, uint64_t, , , !=)
	JCOND(JGT, uint64_t, , , >)
	JCOND(JGE, uint64_t, , , >=)
	JCOND(JLT, uint64_t, , , <)
	JCOND(JLE, uint64_t, , , <=)
#undef JCOND
	OP(JSET_K) CHECK_BUDGET(); if (DST & IMM) JUMP(pc->off); NEXT();
	OP(JSET_X) CHECK_BUDGET(); if (DST & SRC) JUMP(pc->off); NEXT();
	OP(JSET32_K) CHECK_BUDGET(); if ((uint32_t)DST & IMM32) JUMP(pc->off); NEXT();
	OP(JSET32_X) CHECK_BUDGET(); if ((uint32_t)DST & (uint32_t)SRC) JUMP(pc->off); NEXT();
	/* Signed compares: the 32-bit forms compare the low words as int32. */
#define JSIGNED(ID, CMP)                                                                     \
	OP(ID##_K) CHECK_BUDGET(); if ((int64_t)DST CMP (int64_t)IMM) JUMP(pc->off); NEXT(); \
	OP(ID##_X) CHECK_BUDGET(); if ((int64_t)DST CMP (int64_t)SRC) JUMP(pc->off); NEXT(); \
	OP(ID##32_K) CHECK_BUDGET(); if ((int32_t)(uint32_t)DST CMP (int32_t)IMM32) JUMP(pc->off); NEXT(); \
	OP(ID##32_X) CHECK_BUDGET(); if ((int32_t)(uint32_t)DST CMP (int32_t)(uint32_t)SRC) JUMP(pc->off); NEXT();
	JSIGNED(JSGT, >)
	JSIGNED(JSGE, >=)
	JSIGNED(JSLT, <)
	JSIGNED(JSLE, <=)
#undef JSIGNED

	/* ---- calls ---- */
	OP(CALL) CHECK_BUDGET();
	{
		uint64_t id = (uint32_t)pc->imm;
	call_helper:
		if (id >= run->nhelpers || !run->helpers[id]) {
			err = -ENOENT;
			bpfh_exec_fault(exec, run, INDEX, "call to unknown helper %llu", (unsigned long long)id);
			goto out;
		}
		reg[0] = run->helpers[id](reg[1], reg[2], reg[3], reg[4], reg[5], run);
		if (run->tail_next || run->error)
			goto after_helper;
		NEXT();
	OP(CALLX) CHECK_BUDGET();
		id = DST;
		if ((id & ~0xffffffffull) != BPFH_FUNC_TAG)
			goto call_helper;
		if ((id & 0xffffffffull) >= exec->count || !exec->is_func[id & 0xffffffffull]) {
			err = -EFAULT;
			bpfh_exec_fault(exec, run, INDEX, "callx to 0x%llx, not a function of this program",
			      (unsigned long long)id);
			goto out;
		}
		id &= 0xffffffffull;
		goto call_local;
	OP(CALL_LOCAL) CHECK_BUDGET();
		id = INDEX + 1 + (uint64_t)(int64_t)pc->imm;
	call_local:
		if (depth + 1 >= BPFH_MAX_FRAMES) {
			err = -EOVERFLOW;
			bpfh_exec_fault(exec, run, INDEX, "call depth exceeds %d frames", BPFH_MAX_FRAMES);
			goto out;
		}
		frames[depth].exec = exec;
		frames[depth].ret = pc + 1;
		memcpy(frames[depth].saved, &reg[6], sizeof(frames[depth].saved));
		depth++;
		reg[10] -= BPFH_STACK_SIZE;
		pc = code + id;
		DISPATCH();
	}
	OP(EXIT) CHECK_BUDGET();
	if (depth == 0) {
		*r0 = reg[0];
		goto out;
	}
	depth--;
	memcpy(&reg[6], frames[depth].saved, sizeof(frames[depth].saved));
	exec = frames[depth].exec;
	code = exec->code;
	pc = frames[depth].ret;
	DISPATCH();

	/* The rare outcomes of a helper call: an error in a callback it ran (propagated), or a
	 * tail call, which continues in another program of the same engine, in this frame, with
	 * r1 as it was (the context). */
after_helper:
	if (run->error) {
		err = run->error;
		goto out;
	}
	if (run->tail_next->engine != exec->engine) {
		err = -EINVAL;
		bpfh_exec_fault(exec, run, INDEX, "tail call into a program prepared for another engine");
		goto out;
	}
	exec = run->tail_next;
	run->tail_next = NULL;
	run->current = exec;
	code = exec->code;
	pc = code;
	DISPATCH();

	/* ---- memory ---- */
#define LOAD(ID, T, CAST)                                                        \
	OP(ID) CHECK_BUDGET();                                                   \
	{                                                                        \
		uint64_t addr = SRC + (uint64_t)(int64_t)pc->off;                \
		T v;                                                             \
		MEM(addr, sizeof(T), 0);                                         \
		memcpy(&v, (const void *)(uintptr_t)addr, sizeof(T));           \
		DST = (uint64_t)(CAST v);                                        \
	}                                                                        \
	NEXT();
	LOAD(LDXB, uint8_t, )
	LOAD(LDXH, uint16_t, )
	LOAD(LDXW, uint32_t, )
	LOAD(LDXDW, uint64_t, )
	LOAD(LDXSB, int8_t, (int64_t))
	LOAD(LDXSH, int16_t, (int64_t))
	LOAD(LDXSW, int32_t, (int64_t))
#undef LOAD

#define STORE(ID, T, VAL)                                                        \
	OP(ID) CHECK_BUDGET();                                                   \
	{                                                                        \
		uint64_t addr = DST + (uint64_t)(int64_t)pc->off;                \
		T v = (T)(VAL);                                                  \
		MEM(addr, sizeof(T), 1);                                         \
		memcpy((void *)(uintptr_t)addr, &v, sizeof(T));                  \
	}                                                                        \
	NEXT();
	STORE(STB, uint8_t, IMM)
	STORE(STH, uint16_t, IMM)
	STORE(STW, uint32_t, IMM)
	STORE(STDW, uint64_t, IMM)
	STORE(STXB, uint8_t, SRC)
	STORE(STXH, uint16_t, SRC)
	STORE(STXW, uint32_t, SRC)
	STORE(STXDW, uint64_t, SRC)
#undef STORE

	/* Atomics: the location must be naturally aligned (the checked engine says so). The fetch
	 * forms return the old value in src (zero-extended for 32 bits); cmpxchg compares with r0
	 * and returns the old value in r0. */
#define ATOMIC(ID, T, BODY)                                                      \
	OP(ID) CHECK_BUDGET();                                                   \
	{                                                                        \
		uint64_t addr = DST + (uint64_t)(int64_t)pc->off;                \
		T *p = (T *)(uintptr_t)addr;                                     \
		MEM(addr, sizeof(T), 1);                                         \
		CHECK_ALIGNED(addr, sizeof(T));                                  \
		BODY;                                                            \
	}                                                                        \
	NEXT();
#define ATOMIC_RMW(ID, NAME)                                                     \
	ATOMIC(ID##64, uint64_t, (void)atomic_##NAME##64(p, SRC))                \
	ATOMIC(ID##32, uint32_t, (void)atomic_##NAME##32(p, (uint32_t)SRC))
#define ATOMIC_FETCH(ID, NAME)                                                   \
	ATOMIC(ID##64, uint64_t, SRC = atomic_##NAME##64(p, SRC))                \
	ATOMIC(ID##32, uint32_t, SRC = atomic_##NAME##32(p, (uint32_t)SRC))
	ATOMIC_RMW(AADD, add)
	ATOMIC_RMW(AOR, or)
	ATOMIC_RMW(AAND, and)
	ATOMIC_RMW(AXOR, xor)
	ATOMIC_FETCH(AFADD, add)
	ATOMIC_FETCH(AFOR, or)
	ATOMIC_FETCH(AFAND, and)
	ATOMIC_FETCH(AFXOR, xor)
	ATOMIC_FETCH(AXCHG, xchg)
	ATOMIC(ACMPXCHG64, uint64_t, reg[0] = atomic_cmpxchg64(p, reg[0], SRC))
	ATOMIC(ACMPXCHG32, uint32_t, reg[0] = atomic_cmpxchg32(p, (uint32_t)reg[0], (uint32_t)SRC))
#undef ATOMIC_RMW
#undef ATOMIC_FETCH
#undef ATOMIC

	/* lddw: preparation left the 64-bit value in the imm of both slots (resolved if needed). */
	OP(LDDW) OP(LDDW_MAP_FD) OP(LDDW_MAP_VALUE) OP(LDDW_BTF_ID) OP(LDDW_MAP_IDX)
	OP(LDDW_MAP_IDX_VALUE) OP(LDDW_FUNC) CHECK_BUDGET();
	DST = (uint64_t)(uint32_t)pc[0].imm | (uint64_t)(uint32_t)pc[1].imm << 32;
	pc += 2;
	DISPATCH();

	/* Legacy packet loads: network-order value into r0; out of bounds ends the program with
	 * r0 = 0, as Linux does. The offset is computed in 64 bits so it cannot wrap into range. */
#define LDPKT(ID, N, BASE)                                                       \
	OP(ID) CHECK_BUDGET();                                                   \
	{                                                                        \
		int64_t o = (int64_t)(BASE) + pc->imm;                           \
		if (o < 0 || !run->pkt || (uint64_t)o + N > run->pkt_len) {      \
			*r0 = 0;                                                 \
			goto out;                                                \
		}                                                                \
		reg[0] = load_be(run->pkt + o, N);                               \
	}                                                                        \
	NEXT();
	LDPKT(LDABSB, 1, 0)
	LDPKT(LDABSH, 2, 0)
	LDPKT(LDABSW, 4, 0)
	LDPKT(LDINDB, 1, (int64_t)(uint32_t)SRC)
	LDPKT(LDINDH, 2, (int64_t)(uint32_t)SRC)
	LDPKT(LDINDW, 4, (int64_t)(uint32_t)SRC)
#undef LDPKT

	/* Preparation refuses kfunc calls, and the decoder never lets control reach the second
	 * slot of lddw; these handlers exist for the table's sake. */
	OP(CALL_KFUNC) OP(LDDW_HI)
	err = -ENOTSUP;
	bpfh_exec_fault(exec, run, INDEX, "instruction cannot run on this host");
	goto out;

#if !BPFH_THREADED
	default:
		err = -EINVAL;
		goto out;
	}
#endif

out:
	return err;

#undef OP
#undef DISPATCH
#undef NEXT
#undef JUMP
#undef DST
#undef SRC
#undef IMM
#undef IMM32
#undef INDEX
#undef CHECK_BUDGET
#undef MEM
#undef CHECK_ALIGNED
}
