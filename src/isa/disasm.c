// SPDX-License-Identifier: MIT
/*
 * The disassembler, in two styles drawn from the opcode table: the conformance suite's assembly
 * (which the assembler reads back to the same bytes) and the C-like syntax of llvm-objdump and
 * bpftool. Jump and call targets print as relative offsets ("+3"), which both styles accept.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include "ops.h"

struct out {
	char *buf;
	size_t size;
	size_t len;
};

BPFH_PRINTF(2, 3)
static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->size == 0 || o->len + 1 >= o->size)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->len, o->size - o->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->len = (o->len + (size_t)n < o->size) ? o->len + (size_t)n : o->size - 1;
}

/* "(r1 + 4)" / "(r10 - 8)" for the C style; "[%r1+4]" / "[%r1]" for the conformance style. */
static void put_c_addr(struct out *o, unsigned reg, int off)
{
	if (off < 0)
		put(o, "r%u - %d", reg, -off);
	else
		put(o, "r%u + %d", reg, off);
}

static void put_conf_addr(struct out *o, unsigned reg, int off)
{
	if (off)
		put(o, "[%%r%u%+d]", reg, off);
	else
		put(o, "[%%r%u]", reg);
}

static uint64_t lddw_value(const struct bpfh_insn *in)
{
	return (uint64_t)(uint32_t)in[0].imm | (uint64_t)(uint32_t)in[1].imm << 32;
}

static void conf_style(struct out *o, const struct bpfh_insn *in, unsigned op,
		       const struct bpfh_op_info *r)
{
	switch (r->form) {
	case BPFH_FORM_ALU_K: put(o, "%s %%r%u, %d", r->mnemonic, in->dst, in->imm); break;
	case BPFH_FORM_ALU_X:
	case BPFH_FORM_MOVSX: put(o, "%s %%r%u, %%r%u", r->mnemonic, in->dst, in->src); break;
	case BPFH_FORM_NEG:
	case BPFH_FORM_END: put(o, "%s %%r%u", r->mnemonic, in->dst); break;
	case BPFH_FORM_JA: put(o, "ja %+d", in->off); break;
	case BPFH_FORM_JA32: put(o, "ja32 %+d", in->imm); break;
	case BPFH_FORM_JMP_K:
		put(o, "%s %%r%u, %d, %+d", r->mnemonic, in->dst, in->imm, in->off);
		break;
	case BPFH_FORM_JMP_X:
		put(o, "%s %%r%u, %%r%u, %+d", r->mnemonic, in->dst, in->src, in->off);
		break;
	case BPFH_FORM_CALL:
		if (op == BPFH_OP_CALL_LOCAL)
			put(o, "call local %+d", in->imm);
		else if (op == BPFH_OP_CALL_KFUNC && in->off)
			put(o, "call kfunc %d, %d", in->imm, in->off);
		else
			put(o, "%s %d", r->mnemonic, in->imm);
		break;
	case BPFH_FORM_CALLX: put(o, "call %%r%u", in->dst); break;
	case BPFH_FORM_EXIT: put(o, "exit"); break;
	case BPFH_FORM_LDX:
		put(o, "%s %%r%u, ", r->mnemonic, in->dst);
		put_conf_addr(o, in->src, in->off);
		break;
	case BPFH_FORM_ST:
		put(o, "%s ", r->mnemonic);
		put_conf_addr(o, in->dst, in->off);
		put(o, ", %d", in->imm);
		break;
	case BPFH_FORM_STX:
	case BPFH_FORM_ATOMIC:
		put(o, "%s ", r->mnemonic);
		put_conf_addr(o, in->dst, in->off);
		put(o, ", %%r%u", in->src);
		break;
	case BPFH_FORM_LDDW:
		if (op == BPFH_OP_LDDW)
			put(o, "lddw %%r%u, 0x%llx", in->dst, (unsigned long long)lddw_value(in));
		else if (op == BPFH_OP_LDDW_FUNC)
			put(o, "lddw %%r%u, func %+d", in->dst, in->imm);
		else if (op == BPFH_OP_LDDW_MAP_FD || op == BPFH_OP_LDDW_MAP_IDX)
			put(o, "lddw %%r%u, %s %d", in->dst, r->sym, in->imm);
		else
			put(o, "lddw %%r%u, %s %d, %d", in->dst, r->sym, in->imm, in[1].imm);
		break;
	case BPFH_FORM_LDABS: put(o, "%s %d", r->mnemonic, in->imm); break;
	case BPFH_FORM_LDIND: put(o, "%s %%r%u, %d", r->mnemonic, in->src, in->imm); break;
	default: break;
	}
}

static void c_style(struct out *o, const struct bpfh_insn *in, unsigned op,
		    const struct bpfh_op_info *r)
{
	char w = bpfh_op_is_32(op) ? 'w' : 'r';
	unsigned size = bpfh_op_mem_size(op);

	switch (r->form) {
	case BPFH_FORM_ALU_K: put(o, "%c%u %s %d", w, in->dst, r->sym, in->imm); break;
	case BPFH_FORM_ALU_X: put(o, "%c%u %s %c%u", w, in->dst, r->sym, w, in->src); break;
	case BPFH_FORM_NEG: put(o, "%c%u = -%c%u", w, in->dst, w, in->dst); break;
	case BPFH_FORM_MOVSX: put(o, "%c%u = (%s)%c%u", w, in->dst, r->sym, w, in->src); break;
	case BPFH_FORM_END: put(o, "r%u = %s r%u", in->dst, r->sym, in->dst); break;
	case BPFH_FORM_JA: put(o, "goto %+d", in->off); break;
	case BPFH_FORM_JA32: put(o, "gotol %+d", in->imm); break;
	case BPFH_FORM_JMP_K:
		put(o, "if %c%u %s %d goto %+d", w, in->dst, r->sym, in->imm, in->off);
		break;
	case BPFH_FORM_JMP_X:
		put(o, "if %c%u %s %c%u goto %+d", w, in->dst, r->sym, w, in->src, in->off);
		break;
	case BPFH_FORM_CALL:
		if (op == BPFH_OP_CALL_LOCAL)
			put(o, "call pc%+d", in->imm);
		else if (op == BPFH_OP_CALL_KFUNC)
			put(o, "call kfunc#%d", in->imm);
		else
			put(o, "call %d", in->imm);
		break;
	case BPFH_FORM_CALLX: put(o, "callx r%u", in->dst); break;
	case BPFH_FORM_EXIT: put(o, "exit"); break;
	case BPFH_FORM_LDX:
		put(o, "r%u = *(%s *)(", in->dst, r->sym);
		put_c_addr(o, in->src, in->off);
		put(o, ")");
		break;
	case BPFH_FORM_ST:
	case BPFH_FORM_STX:
		put(o, "*(%s *)(", r->sym);
		put_c_addr(o, in->dst, in->off);
		if (r->form == BPFH_FORM_ST)
			put(o, ") = %d", in->imm);
		else
			put(o, ") = r%u", in->src);
		break;
	case BPFH_FORM_ATOMIC:
		if (!(r->sel & 1)) { /* no fetch: lock *(u64 *)(r10 - 8) += r1 */
			put(o, "lock *(u%u *)(", size * 8);
			put_c_addr(o, in->dst, in->off);
			put(o, ") %s %c%u", r->sym, w, in->src);
		} else if (r->sel == 0xe1 || r->sel == 0xf1) { /* xchg_64(r10 - 8, r1) */
			unsigned dst = r->sel == 0xf1 ? 0 : in->src;

			put(o, "%c%u = %s%s(", w, dst, r->sym, size == 4 ? "32_32" : "_64");
			put_c_addr(o, in->dst, in->off);
			if (r->sel == 0xf1)
				put(o, ", %c0", w);
			put(o, ", %c%u)", w, in->src);
		} else { /* r1 = atomic_fetch_add((u64 *)(r10 - 8), r1) */
			put(o, "%c%u = %s((u%u *)(", w, in->src, r->sym, size * 8);
			put_c_addr(o, in->dst, in->off);
			put(o, "), %c%u)", w, in->src);
		}
		break;
	case BPFH_FORM_LDDW:
		switch (op) {
		case BPFH_OP_LDDW:
			put(o, "r%u = 0x%llx ll", in->dst, (unsigned long long)lddw_value(in));
			break;
		case BPFH_OP_LDDW_MAP_FD: put(o, "r%u = map[fd:%d]", in->dst, in->imm); break;
		case BPFH_OP_LDDW_MAP_IDX: put(o, "r%u = map[idx:%d]", in->dst, in->imm); break;
		case BPFH_OP_LDDW_MAP_VALUE:
			put(o, "r%u = map[fd:%d][0]+%d", in->dst, in->imm, in[1].imm);
			break;
		case BPFH_OP_LDDW_MAP_IDX_VALUE:
			put(o, "r%u = map[idx:%d][0]+%d", in->dst, in->imm, in[1].imm);
			break;
		case BPFH_OP_LDDW_BTF_ID: put(o, "r%u = btf_id[%d]", in->dst, in->imm); break;
		default: put(o, "r%u = func[pc%+d]", in->dst, in->imm); break;
		}
		break;
	case BPFH_FORM_LDABS: put(o, "r0 = *(%s *)skb[%d]", r->sym, in->imm); break;
	case BPFH_FORM_LDIND: put(o, "r0 = *(%s *)skb[r%u + %d]", r->sym, in->src, in->imm); break;
	default: break;
	}
}

int bpfh_disasm_insn(const struct bpfh_insn *insns, size_t count, size_t i,
		     enum bpfh_disasm_style style, char *buf, size_t size)
{
	struct out o = { buf, size, 0 };
	const struct bpfh_insn *in;
	const struct bpfh_op_info *r;
	uint8_t op;

	if (size)
		buf[0] = '\0';
	if (i >= count)
		return -EINVAL;
	in = &insns[i];
	if (bpfh_isa_identify(in, i, &op, NULL) != 0) {
		put(&o, "(bad) code 0x%02x dst %u src %u off %d imm %d", in->code, in->dst, in->src,
		    in->off, in->imm);
		return -EINVAL;
	}
	r = bpfh_op_info(op);
	if (r->form == BPFH_FORM_LDDW && i + 1 >= count) {
		put(&o, "(bad) lddw without its second slot");
		return -EINVAL;
	}
	if (style == BPFH_DISASM_C)
		c_style(&o, in, op, r);
	else
		conf_style(&o, in, op, r);
	return r->form == BPFH_FORM_LDDW ? 2 : 1;
}
