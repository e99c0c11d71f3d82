/* SPDX-License-Identifier: MIT */
/*
 * Private to the analyzer (analyze.c, alu.c, mem.c, call.c, branch.c): the analysis context,
 * the rejection helper and the transfer functions each file gives. A transfer function updates
 * the abstract state of one instruction in place, or rejects with one log line (fail) naming
 * the instruction and the abstract values involved.
 */
#ifndef BPFH_VERIFY_ANALYZE_H
#define BPFH_VERIFY_ANALYZE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../platform/platform.h"
#include "verify_int.h"

#define CLOBBERED 1u /* map field of an UNINIT register: r1-r5 after a call */
#define OFF_LIMIT (INT64_C(1) << 40)
#define MAX_THRESHOLDS 256

struct actx {
	const struct bpfh_verify_input *in;
	const struct bpfh_cfg *cfg;
	struct bpfh_log *log;
	int64_t thr[MAX_THRESHOLDS];
	size_t nthr;
	size_t insn;
	size_t reject_insn;
	bool have_r0;      /* r0 at the exits seen so far: [r0_min, r0_max] */
	int64_t r0_min, r0_max;
	size_t zext_insn;  /* the rsh of a "<<= 32, >>= 32" pair that keeps its relations */
};


/* Reject at a->insn: "insn N (disassembly): " and the formatted cause; returns -EACCES. */
BPFH_PRINTF(2, 3)
int bpfh_va_fail(struct actx *a, const char *fmt, ...);
#define fail(...) bpfh_va_fail(__VA_ARGS__)

/* A case that cannot happen (a bug in bpfhost, not in the program: the decoder, the CFG or the
 * helper table rules it out): "insn N (disassembly): internal error: what"; returns -EFAULT.
 * Not one of the verifier's messages (tests/unit/verify/messages.c checks those). */
int bpfh_va_internal(struct actx *a, const char *what);

static inline const char *fmt_reg(const struct bpfh_vreg *r, char *buf, size_t size)
{
	bpfh_vreg_format(r, buf, size);
	return buf;
}
/* A register's value as text, in a buffer that lives until the end of the enclosing block:
 * for messages, formatted only when one is written (failures are rare, checks are not). */
#define reg_str(r) fmt_reg((r), (char[96]){0}, 96)

/* A register read: it must hold a value. */
int bpfh_va_use(struct actx *a, const struct bpfh_vstate *st, unsigned reg);
#define use(a, st, reg) bpfh_va_use(a, st, reg)

static inline bool strict(const struct actx *a)
{
	return !a->in->opts.privileged;
}

/* alu.c */
int bpfh_va_alu(struct actx *a, struct bpfh_vstate *st, const struct bpfh_insn *insn,
		unsigned op);

/* mem.c. ACC_LOAD: an instruction's read, whose stack bytes do_load checks itself (fills of
 * spilled pointers are reads of bytes that are not data). */
enum access { ACC_READ, ACC_LOAD, ACC_WRITE, ACC_HELPER_READ, ACC_HELPER_WRITE,
	      ACC_STORE /* an instruction's store: a variable stack offset is allowed */ };
/* Check an access of size bytes at p + off (p the value of register reg). For the stack,
 * *slot receives the byte index of the lowest byte when the offset is a constant (else
 * SIZE_MAX). Returns 0 or a rejection. */
int bpfh_va_check_region(struct actx *a, const struct bpfh_vstate *st, unsigned reg,
			 const struct bpfh_vreg *p, int64_t off, uint64_t size, enum access acc,
			 size_t *slot);
/* What a load of size bytes by op gives. */
struct bpfh_scalar bpfh_va_loaded(unsigned op, unsigned size);
int bpfh_va_load(struct actx *a, struct bpfh_vstate *st, const struct bpfh_insn *insn,
		 unsigned op);
int bpfh_va_store(struct actx *a, struct bpfh_vstate *st, const struct bpfh_insn *insn,
		  unsigned op);
int bpfh_va_atomic(struct actx *a, struct bpfh_vstate *st, const struct bpfh_insn *insn,
		   unsigned op);
int bpfh_va_lddw(struct actx *a, struct bpfh_vstate *st, const struct bpfh_insn *insn,
		 unsigned op);
int bpfh_va_ldabs(struct actx *a, struct bpfh_vstate *st, const struct bpfh_insn *insn,
		  unsigned op);

/* call.c */
int bpfh_va_call(struct actx *a, struct bpfh_vstate *st, const struct bpfh_insn *insn);
/* callx: a helper whose id the register holds as a known constant, checked as that call. */
int bpfh_va_callx(struct actx *a, struct bpfh_vstate *st, const struct bpfh_insn *insn);

/* branch.c: exit, and the two edges of a conditional jump. */
int bpfh_va_exit(struct actx *a, const struct bpfh_vstate *st);
int bpfh_va_branch(struct actx *a, const struct bpfh_vstate *st, const struct bpfh_insn *insn,
		   unsigned op, struct bpfh_vstate *fall, struct bpfh_vstate *taken);

#endif
