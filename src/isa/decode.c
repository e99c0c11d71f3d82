// SPDX-License-Identifier: MIT
/*
 * The decoder: validates a program image slot by slot against the opcode table and names each
 * slot's row. It checks what the encoding alone decides (opcodes, selector values, reserved
 * fields, registers, lddw pairs, jump targets); whether the program is safe to run is the
 * verifier's question, not this file's.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <string.h>

#include "ops.h"

/* An image is read as an array of these, so the layout is fixed: one 8-byte slot with off at
 * byte 2 and imm at byte 4. Windows compilers lay bit-fields out by Microsoft's rules (GCC's
 * -mms-bitfields, the MinGW default); two uint8_t nibbles still share byte 1 there. */
_Static_assert(sizeof(struct bpfh_insn) == 8, "struct bpfh_insn must be one 8-byte slot");
_Static_assert(offsetof(struct bpfh_insn, off) == 2 && offsetof(struct bpfh_insn, imm) == 4,
	       "struct bpfh_insn: off at byte 2, imm at byte 4");

enum field { F_DST = 1, F_SRC = 2, F_OFF = 4, F_IMM = 8 };

static const char *const field_name[] = { [F_DST] = "dst", [F_SRC] = "src", [F_OFF] = "off",
					  [F_IMM] = "imm" };

/* Per form: the field that selects among rows of one opcode byte (0: none), the fields that must
 * be zero, and whether dst is written (so may not be r10). */
static const struct form_rule {
	unsigned char selector;
	unsigned char zero;
	unsigned char writes_dst;
} form_rules[BPFH_FORM__COUNT] = {
	[BPFH_FORM_ALU_K] = { F_OFF, F_SRC, 1 },
	[BPFH_FORM_ALU_X] = { F_OFF, F_IMM, 1 },
	[BPFH_FORM_NEG] = { 0, F_SRC | F_OFF | F_IMM, 1 },
	[BPFH_FORM_MOVSX] = { F_OFF, F_IMM, 1 },
	[BPFH_FORM_END] = { F_IMM, F_SRC | F_OFF, 1 },
	[BPFH_FORM_JA] = { 0, F_DST | F_SRC | F_IMM, 0 },
	[BPFH_FORM_JA32] = { 0, F_DST | F_SRC | F_OFF, 0 },
	[BPFH_FORM_JMP_K] = { 0, F_SRC, 0 },
	[BPFH_FORM_JMP_X] = { 0, F_IMM, 0 },
	[BPFH_FORM_CALL] = { F_SRC, F_DST | F_OFF, 0 },
	[BPFH_FORM_CALLX] = { 0, F_SRC | F_OFF | F_IMM, 0 },
	[BPFH_FORM_EXIT] = { 0, F_DST | F_SRC | F_OFF | F_IMM, 0 },
	[BPFH_FORM_LDX] = { 0, F_IMM, 1 },
	[BPFH_FORM_ST] = { 0, F_SRC, 0 },
	[BPFH_FORM_STX] = { 0, F_IMM, 0 },
	[BPFH_FORM_ATOMIC] = { F_IMM, 0, 0 },
	[BPFH_FORM_LDDW] = { F_SRC, F_OFF, 1 },
	[BPFH_FORM_LDABS] = { 0, F_DST | F_SRC | F_OFF, 0 },
	[BPFH_FORM_LDIND] = { 0, F_DST | F_OFF, 0 },
};

static int32_t field_value(const struct bpfh_insn *in, unsigned f)
{
	switch (f) {
	case F_DST: return in->dst;
	case F_SRC: return in->src;
	case F_OFF: return in->off;
	default: return in->imm;
	}
}

BPFH_PRINTF(4, 5)
static int fail(struct bpfh_log *log, size_t i, const struct bpfh_insn *in, const char *fmt, ...)
{
	va_list ap;

	bpfh_log_printf(log, "insn %zu (code 0x%02x): ", i, in->code);
	va_start(ap, fmt);
	bpfh_log_vprintf(log, fmt, ap);
	va_end(ap);
	bpfh_log_printf(log, "\n");
	return -EINVAL;
}

/* first[code] is the first row with that opcode byte (0: none). Rows sharing a byte need not be
 * adjacent; decode_one scans on from the first for the selector value. */
static void index_rows(unsigned char first[256])
{
	unsigned op;

	memset(first, 0, 256);
	for (op = BPFH_OP__COUNT - 1; op > 0; op--)
		first[bpfh_op_info(op)->code] = (unsigned char)op;
}

/* The index of index_rows, made once per process: it reads every row of the table, which
 * costs more than decoding a small program. The first caller to finish publishes its copy;
 * callers before that use their own (local), so that nobody waits and nothing races. */
static const unsigned char *row_index(unsigned char local[256])
{
	static unsigned char shared[256];
	static atomic_int state; /* 0: not made, 1: being copied, 2: made */
	int expect = 0;

	if (atomic_load_explicit(&state, memory_order_acquire) == 2)
		return shared;
	index_rows(local);
	if (atomic_compare_exchange_strong(&state, &expect, 1)) {
		memcpy(shared, local, 256);
		atomic_store_explicit(&state, 2, memory_order_release);
	}
	return local;
}

/* Identify one slot: the row whose opcode byte and selector value match. */
static int decode_one(const struct bpfh_insn *in, size_t i, const unsigned char *first,
		      struct bpfh_log *log, uint8_t *op_out)
{
	const struct bpfh_op_info *r;
	const struct form_rule *rule;
	unsigned op, f;

	op = first[in->code];
	if (op == 0)
		return fail(log, i, in, "unknown opcode");
	rule = &form_rules[bpfh_op_info(op)->form];
	if (rule->selector) {
		for (; op < BPFH_OP__COUNT; op++) {
			r = bpfh_op_info(op);
			if (r->code == in->code && r->sel == field_value(in, rule->selector))
				break;
		}
		if (op == BPFH_OP__COUNT)
			return fail(log, i, in, "invalid %s field %d for this opcode",
				    field_name[rule->selector], (int)field_value(in, rule->selector));
	}
	r = bpfh_op_info(op);
	for (f = F_DST; f <= F_IMM; f <<= 1) {
		if ((rule->zero & f) && field_value(in, f) != 0 &&
		    !(r->form == BPFH_FORM_CALL && r->sel == 2 && f == F_OFF))
			return fail(log, i, in, "reserved field %s is %d, must be 0", field_name[f],
				    (int)field_value(in, f));
	}
	if (in->dst > 10)
		return fail(log, i, in, "invalid dst register r%u", (unsigned)in->dst);
	if (in->src > 10)
		return fail(log, i, in, "invalid src register r%u", (unsigned)in->src);
	if (rule->writes_dst && in->dst == 10)
		return fail(log, i, in, "dst r10 is the read-only frame pointer");
	if (r->form == BPFH_FORM_ATOMIC && (r->sel & 1) && r->sel != 0xf1 && in->src == 10)
		return fail(log, i, in, "fetch into r10, the read-only frame pointer");
	*op_out = (uint8_t)op;
	return 0;
}

int bpfh_isa_decode(const struct bpfh_insn *insns, size_t count, uint8_t *ops,
		    struct bpfh_log *log)
{
	unsigned char local[256];
	const unsigned char *first;
	size_t i;
	unsigned op;
	int err;

	if (count == 0) {
		bpfh_log_printf(log, "empty program: no instructions\n");
		return -EINVAL;
	}
	if (count > BPFH_MAX_INSNS) {
		bpfh_log_printf(log, "program of %zu instructions exceeds the limit of %d\n", count,
				BPFH_MAX_INSNS);
		return -E2BIG;
	}
	first = row_index(local);

	for (i = 0; i < count; i++) {
		const struct bpfh_insn *in = &insns[i];

		err = decode_one(in, i, first, log, &ops[i]);
		if (err)
			return err;
		if (bpfh_op_info(ops[i])->form != BPFH_FORM_LDDW)
			continue;
		if (i + 1 >= count) {
			bpfh_log_printf(log, "insn %zu (code 0x18): lddw is missing its second slot\n", i);
			return -EINVAL;
		}
		in = &insns[i + 1];
		if (in->code || in->dst || in->src || in->off) {
			bpfh_log_printf(log, "insn %zu (code 0x%02x): second slot of lddw at insn %zu "
				        "must have code, dst, src and off 0\n", i + 1, in->code, i);
			return -EINVAL;
		}
		op = ops[i];
		if (in->imm && (op == BPFH_OP_LDDW_MAP_FD || op == BPFH_OP_LDDW_FUNC ||
				op == BPFH_OP_LDDW_MAP_IDX)) {
			bpfh_log_printf(log, "insn %zu (code 0x00): reserved field imm of the second "
				        "slot of lddw is %d, must be 0\n", i + 1, in->imm);
			return -EINVAL;
		}
		ops[++i] = BPFH_OP_LDDW_HI;
	}

	/* Control may not run off the end: the last instruction is exit or an unconditional jump
	 * (the jump's target is checked below). */
	op = ops[count - 1] == BPFH_OP_LDDW_HI ? BPFH_OP_LDDW : ops[count - 1];
	if (op != BPFH_OP_EXIT && op != BPFH_OP_JA && op != BPFH_OP_JA32) {
		i = ops[count - 1] == BPFH_OP_LDDW_HI ? count - 2 : count - 1;
		bpfh_log_printf(log, "insn %zu (code 0x%02x): the last instruction is not exit or ja, "
			        "so control runs off the end of the program\n", i, insns[i].code);
		return -EINVAL;
	}

	for (i = 0; i < count; i++) {
		unsigned form = bpfh_op_info(ops[i])->form;
		int64_t t;

		if (form != BPFH_FORM_JA && form != BPFH_FORM_JA32 && form != BPFH_FORM_JMP_K &&
		    form != BPFH_FORM_JMP_X && ops[i] != BPFH_OP_CALL_LOCAL &&
		    ops[i] != BPFH_OP_LDDW_FUNC)
			continue;
		if (ops[i] == BPFH_OP_LDDW_FUNC)
			t = (int64_t)i + 1 + insns[i].imm;
		else
			t = bpfh_insn_target(&insns[i], i, ops[i]);
		if (t < 0 || t >= (int64_t)count) {
			bpfh_log_printf(log, "insn %zu (code 0x%02x): %s target %lld is outside the "
				        "program (0..%zu)\n", i, insns[i].code,
				        form == BPFH_FORM_CALL || form == BPFH_FORM_LDDW ? "call" : "jump",
				        (long long)t, count - 1);
			return -EINVAL;
		}
		if (ops[t] == BPFH_OP_LDDW_HI) {
			bpfh_log_printf(log, "insn %zu (code 0x%02x): target %lld is the second slot of "
				        "lddw\n", i, insns[i].code, (long long)t);
			return -EINVAL;
		}
	}
	return 0;
}

int bpfh_isa_identify(const struct bpfh_insn *insn, size_t i, uint8_t *op, struct bpfh_log *log)
{
	unsigned char local[256];

	return decode_one(insn, i, row_index(local), log, op);
}
