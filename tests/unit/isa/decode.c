// SPDX-License-Identifier: MIT
/*
 * The decoder's refusals and their messages, exhaustively over the opcode table: every opcode
 * byte no row has; for every row, each field its form reserves set non-zero, a selector value
 * no row has, registers above r10, writes to r10, jumps outside the program or into lddw. Each
 * refusal must be -EINVAL with a line that starts "insn N (code 0xCC): " for the right index N
 * and names the field, whether the bad slot is first, third or the 1001st. Also whole-image
 * refusals (empty, too long) and that the first bad slot is the one reported.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfhost/isa.h"
#include "../check.h"
#include "rows.h"

enum { F_DST = 1, F_SRC = 2, F_OFF = 4, F_IMM = 8 };

/* The fields each form reserves (must be zero), from RFC 9669's encodings. */
static unsigned reserved_of(unsigned op)
{
	switch (bpfh_op_info(op)->form) {
	case BPFH_FORM_ALU_K: return F_SRC;
	case BPFH_FORM_ALU_X: return F_IMM;
	case BPFH_FORM_NEG: return F_SRC | F_OFF | F_IMM;
	case BPFH_FORM_MOVSX: return F_IMM;
	case BPFH_FORM_END: return F_SRC | F_OFF;
	case BPFH_FORM_JA: return F_DST | F_SRC | F_IMM;
	case BPFH_FORM_JA32: return F_DST | F_SRC | F_OFF;
	case BPFH_FORM_JMP_K: return F_SRC;
	case BPFH_FORM_JMP_X: return F_IMM;
	case BPFH_FORM_CALL: return op == BPFH_OP_CALL_KFUNC ? F_DST : F_DST | F_OFF;
	case BPFH_FORM_CALLX: return F_SRC | F_OFF | F_IMM;
	case BPFH_FORM_EXIT: return F_DST | F_SRC | F_OFF | F_IMM;
	case BPFH_FORM_LDX: return F_IMM;
	case BPFH_FORM_ST: return F_SRC;
	case BPFH_FORM_STX: return F_IMM;
	case BPFH_FORM_LDDW: return F_OFF;
	case BPFH_FORM_LDABS: return F_DST | F_SRC | F_OFF;
	case BPFH_FORM_LDIND: return F_DST | F_OFF;
	default: return 0; /* ATOMIC: every field is an operand or the selector */
	}
}

static const char *field_name(unsigned f)
{
	return f == F_DST ? "dst" : f == F_SRC ? "src" : f == F_OFF ? "off" : "imm";
}

static int writes_dst(unsigned op)
{
	switch (bpfh_op_info(op)->form) {
	case BPFH_FORM_ALU_K: case BPFH_FORM_ALU_X: case BPFH_FORM_NEG: case BPFH_FORM_MOVSX:
	case BPFH_FORM_END: case BPFH_FORM_LDX: case BPFH_FORM_LDDW:
		return 1;
	default:
		return 0;
	}
}

/* A program of `at` movs, then row op's program (see rows.h), for bad-slot tests. */
struct image {
	struct bpfh_insn *insns;
	size_t count;
	size_t at;
};

static int image_make(struct image *im, unsigned op, size_t at)
{
	struct bpfh_insn tail[BUILD_MAX];
	size_t n = build(op, tail), i;

	im->insns = calloc(at + n, sizeof(*im->insns));
	if (!im->insns)
		return -1;
	for (i = 0; i < at; i++)
		im->insns[i].code = 0xb7; /* mov r0, 0 */
	memcpy(&im->insns[at], tail, n * sizeof(*tail));
	im->count = at + n;
	im->at = at;
	return 0;
}

/* Decode im; the refusal must be -EINVAL with a line starting "insn N (code 0xCC): " that
 * contains want. */
static void expect(const struct image *im, size_t bad_slot, const char *want, const char *what)
{
	char logbuf[512], prefix[64];
	struct bpfh_log log;
	uint8_t *ops = malloc(im->count);
	int err;

	if (!CHECK(ops != NULL))
		return;
	bpfh_log_init(&log, logbuf, sizeof(logbuf));
	err = bpfh_isa_decode(im->insns, im->count, ops, &log);
	snprintf(prefix, sizeof(prefix), "insn %zu (code 0x%02x): ", bad_slot,
		 im->insns[bad_slot].code);
	CHECKF(err == -EINVAL && !strncmp(logbuf, prefix, strlen(prefix)) && strstr(logbuf, want) &&
	       !log.truncated, "%s: decode %d, log '%s', want '%s...%s'", what, err, logbuf,
	       prefix, want);
	/* the same verdict without a log */
	CHECKF(bpfh_isa_decode(im->insns, im->count, ops, NULL) == err, "%s: NULL log", what);
	free(ops);
}

static void check_row(unsigned op, size_t at)
{
	const struct bpfh_op_info *r = bpfh_op_info(op);
	unsigned reserved = reserved_of(op), f;
	struct bpfh_insn *in;
	struct image im;
	char want[128], what[128];

	if (image_make(&im, op, at))
		return;
	in = &im.insns[at];
	for (f = F_DST; f <= F_IMM; f <<= 1) {
		struct bpfh_insn keep = *in;
		int v = f == F_OFF ? -1 : f == F_IMM ? 77 : 1;

		if (!(reserved & f))
			continue;
		if (f == F_DST)
			in->dst = 1;
		else if (f == F_SRC)
			in->src = 1;
		else if (f == F_OFF)
			in->off = -1;
		else
			in->imm = 77;
		snprintf(want, sizeof(want), "reserved field %s is %d, must be 0", field_name(f), v);
		snprintf(what, sizeof(what), "%s with %s set, at %zu", r->name, field_name(f), at);
		expect(&im, at, want, what);
		*in = keep;
	}

	if (selector_of(r->form) != SEL_NONE) {
		struct bpfh_insn keep = *in;
		const char *name = "src";
		int v = 9;

		if (selector_of(r->form) == SEL_OFF) {
			name = "off";
			v = 99;
			in->off = 99;
		} else if (selector_of(r->form) == SEL_IMM) {
			name = "imm";
			v = 99;
			in->imm = 99;
		} else {
			in->src = 9;
		}
		snprintf(want, sizeof(want), "invalid %s field %d for this opcode", name, v);
		snprintf(what, sizeof(what), "%s with selector %s %d", r->name, name, v);
		expect(&im, at, want, what);
		*in = keep;
	}

	if (!(reserved & F_DST)) {
		struct bpfh_insn keep = *in;

		in->dst = 11;
		snprintf(what, sizeof(what), "%s with dst r11", r->name);
		expect(&im, at, "invalid dst register r11", what);
		if (writes_dst(op)) {
			in->dst = 10;
			snprintf(what, sizeof(what), "%s writing r10", r->name);
			expect(&im, at, "dst r10 is the read-only frame pointer", what);
		}
		*in = keep;
	}
	if (!(reserved & F_SRC) && selector_of(r->form) != SEL_SRC) {
		struct bpfh_insn keep = *in;

		in->src = 15;
		snprintf(what, sizeof(what), "%s with src r15", r->name);
		expect(&im, at, "invalid src register r15", what);
		if (r->form == BPFH_FORM_ATOMIC && (r->sel & 1) && op != BPFH_OP_ACMPXCHG64 &&
		    op != BPFH_OP_ACMPXCHG32) {
			in->src = 10;
			snprintf(what, sizeof(what), "%s fetching into r10", r->name);
			expect(&im, at, "fetch into r10", what);
		}
		*in = keep;
	}
	free(im.insns);
}

/* Jumps and calls whose target is outside the program or the second slot of an lddw. */
static void check_targets(unsigned op)
{
	const struct bpfh_op_info *r = bpfh_op_info(op);
	int in_imm = r->form == BPFH_FORM_JA32 || op == BPFH_OP_CALL_LOCAL;
	const char *kind = r->form == BPFH_FORM_CALL ? "call" : "jump";
	struct bpfh_insn prog[6], row[BUILD_MAX];
	struct image im = { prog, 6, 0 };
	char want[128], what[128];
	size_t i;

	/* slot 2 holds the jump; slots 3-4 an lddw; 5 an exit */
	memset(prog, 0, sizeof(prog));
	prog[0].code = prog[1].code = 0xb7;
	build(op, row);
	prog[2] = row[0];
	prog[3].code = 0x18;
	prog[4].code = 0;
	prog[5].code = 0x95;
	for (i = 0; i < 3; i++) {
		/* to 6 (past the end), to -1, to 4 (the second slot of the lddw) */
		static const int delta[3] = { 3, -4, 1 };
		int32_t d = delta[i];

		if (in_imm)
			prog[2].imm = d;
		else
			prog[2].off = (int16_t)d;
		if (i < 2)
			snprintf(want, sizeof(want), "%s target %d is outside the program (0..5)",
				 kind, 3 + d);
		else
			snprintf(want, sizeof(want), "target 4 is the second slot of lddw");
		snprintf(what, sizeof(what), "%s by %d", r->name, d);
		expect(&im, 2, want, what);
	}
}

static int row_has_code(unsigned code)
{
	unsigned op;

	for (op = 1; op < BPFH_OP__COUNT; op++)
		if (bpfh_op_info(op)->code == code)
			return 1;
	return 0;
}

int main(void)
{
	struct bpfh_insn prog[4], *big;
	char logbuf[256];
	struct bpfh_log log;
	uint8_t ops[4], *bops;
	unsigned op, code;

	for (op = 1; op < BPFH_OP__COUNT; op++) {
		unsigned form = bpfh_op_info(op)->form;

		check_row(op, 0);
		check_row(op, 2);
		if (form == BPFH_FORM_JA || form == BPFH_FORM_JA32 || form == BPFH_FORM_JMP_K ||
		    form == BPFH_FORM_JMP_X || op == BPFH_OP_CALL_LOCAL)
			check_targets(op);
	}
	check_row(BPFH_OP_ADD64_X, 1000);
	check_row(BPFH_OP_LDDW, 1000);

	/* every opcode byte that no row has */
	for (code = 0; code < 256; code++) {
		struct image im;

		if (row_has_code(code) || image_make(&im, BPFH_OP_EXIT, 3))
			continue;
		im.insns[3].code = (uint8_t)code;
		im.insns[3].dst = 1;
		expect(&im, 3, "unknown opcode", "an unknown opcode");
		free(im.insns);
	}

	/* lddw pairs */
	memset(prog, 0, sizeof(prog));
	prog[0].code = 0x95;
	prog[1].code = 0x95;
	prog[2].code = 0x18;
	{
		struct image im = { prog, 3, 0 };

		expect(&im, 2, "lddw is missing its second slot", "a truncated lddw");
	}
	memset(prog, 0, sizeof(prog));
	prog[0].code = 0x18;
	prog[2].code = 0x95;
	prog[3].code = 0x95;
	{
		struct image im = { prog, 4, 0 };

		prog[1].src = 1;
		expect(&im, 1, "second slot of lddw at insn 0 must have code, dst, src and off 0",
		       "lddw's second slot with src 1");
		prog[1].src = 0;
		prog[1].off = 1;
		expect(&im, 1, "second slot of lddw at insn 0", "lddw's second slot with off 1");
		prog[1].off = 0;
		prog[0].src = 4; /* func: the second imm is reserved */
		prog[0].imm = 1;
		prog[1].imm = 1;
		expect(&im, 1, "reserved field imm of the second slot of lddw is 1",
		       "lddw func with a second imm");
	}

	/* the first bad slot is the one named */
	memset(prog, 0, sizeof(prog));
	prog[0].code = 0xb7;
	prog[1].code = 0x95;
	prog[1].dst = 1;
	prog[2].code = 0x95;
	prog[2].imm = 1;
	prog[3].code = 0x95;
	{
		struct image im = { prog, 4, 0 };

		expect(&im, 1, "reserved field dst is 1", "two bad slots");
	}

	/* call kfunc keeps an offset (the kernel's BTF fd index) in off: not reserved */
	memset(prog, 0, sizeof(prog));
	prog[0].code = 0x85;
	prog[0].src = 2;
	prog[0].off = 3;
	prog[0].imm = 7;
	prog[1].code = 0x95;
	CHECK(bpfh_isa_decode(prog, 2, ops, NULL) == 0 && ops[0] == BPFH_OP_CALL_KFUNC);

	/* whole images */
	bpfh_log_init(&log, logbuf, sizeof(logbuf));
	CHECK(bpfh_isa_decode(prog, 0, ops, &log) == -EINVAL && strstr(logbuf, "empty program"));
	big = calloc((size_t)BPFH_MAX_INSNS + 1, sizeof(*big));
	bops = malloc((size_t)BPFH_MAX_INSNS + 1);
	if (CHECK(big != NULL && bops != NULL)) {
		size_t i;

		for (i = 0; i <= BPFH_MAX_INSNS; i++)
			big[i].code = 0x95;
		bpfh_log_init(&log, logbuf, sizeof(logbuf));
		CHECK(bpfh_isa_decode(big, (size_t)BPFH_MAX_INSNS + 1, bops, &log) == -E2BIG &&
		      strstr(logbuf, "exceeds the limit of 1000000"));
		/* the limit itself is fine */
		CHECK(bpfh_isa_decode(big, BPFH_MAX_INSNS, bops, NULL) == 0 &&
		      bops[BPFH_MAX_INSNS - 1] == BPFH_OP_EXIT);
	}
	free(big);
	free(bops);
	return check_summary("isa-decode");
}
