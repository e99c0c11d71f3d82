// SPDX-License-Identifier: MIT
/*
 * The assembler for the conformance suite's syntax (../shared/conformance/README.md), driven by
 * the opcode table: a line's mnemonic names the candidate rows, its operands pick one (register
 * or immediate source, lddw's pseudo keyword) and fill the fields. Labels may be used before
 * they are defined; a reference to `exit` with no such label means the first exit instruction.
 * Every error is "NAME:LINE: message"; assembly goes on to report later errors too.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "ops.h"

#define MAX_OPERANDS 4
#define MAX_LINE 512

struct label {
	char name[64];
	size_t slot;
};

struct fixup {
	char name[64];
	size_t slot;
	unsigned line;
	int in_imm; /* the target goes to imm (ja32, call local, lddw func), else to off */
};

struct asm_state {
	const char *fname;
	unsigned line;
	struct bpfh_log *log;
	int errors;
	struct bpfh_insn *insns;
	size_t count, cap;
	struct label *labels;
	size_t nlabels, cap_labels;
	struct fixup *fixups;
	size_t nfixups, cap_fixups;
	int oom;
};

BPFH_PRINTF(2, 3)
static void error(struct asm_state *st, const char *fmt, ...)
{
	va_list ap;

	bpfh_log_printf(st->log, "%s:%u: ", st->fname, st->line);
	va_start(ap, fmt);
	bpfh_log_vprintf(st->log, fmt, ap);
	va_end(ap);
	bpfh_log_printf(st->log, "\n");
	st->errors++;
}

/* Grow *arr (of elements of size sz) to hold at least n; 0 or -ENOMEM. */
static int grow(void **arr, size_t *cap, size_t n, size_t sz)
{
	void *p;
	size_t c = *cap ? *cap : 16;

	if (n <= *cap)
		return 0;
	while (c < n)
		c *= 2;
	p = realloc(*arr, c * sz);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = c;
	return 0;
}

static struct bpfh_insn *emit(struct asm_state *st)
{
	struct bpfh_insn *in;

	if (grow((void **)&st->insns, &st->cap, st->count + 1, sizeof(*st->insns))) {
		st->oom = 1;
		return NULL;
	}
	in = &st->insns[st->count++];
	memset(in, 0, sizeof(*in));
	return in;
}

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

static int is_ident(const char *s)
{
	if (!*s || !(isalpha((unsigned char)*s) || *s == '_' || *s == '.'))
		return 0;
	for (; *s; s++)
		if (!(isalnum((unsigned char)*s) || *s == '_' || *s == '.'))
			return 0;
	return 1;
}

/* Register "%rN" or "rN", N in 0..10; -1 if s is not one. */
static int parse_reg(const char *s)
{
	char *end;
	long n;

	if (*s == '%')
		s++;
	if (*s != 'r' || !isdigit((unsigned char)s[1]))
		return -1;
	n = strtol(s + 1, &end, 10);
	if (*end || n < 0 || n > 10)
		return -1;
	return (int)n;
}

/* Integer literal with optional sign, decimal or 0x hex. *hex tells which. 0 or -1. */
static int parse_int(const char *s, int *neg, int *hex, uint64_t *mag)
{
	char *end;

	*neg = 0;
	errno = 0;
	if (*s == '-' || *s == '+')
		*neg = (*s++ == '-');
	if (!isdigit((unsigned char)*s))
		return -1;
	*hex = (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'));
	errno = 0;
	*mag = strtoull(s, &end, *hex ? 16 : 10);
	if (*end || errno == ERANGE || (*hex && s[2] == '\0'))
		return -1;
	return 0;
}

/* A 32-bit immediate: decimal in the signed range, hex as a bit pattern up to 0xffffffff (or
 * negative down to -0x80000000). */
static int parse_imm32(struct asm_state *st, const char *s, int32_t *out)
{
	uint64_t mag;
	int neg, hex;

	if (parse_int(s, &neg, &hex, &mag)) {
		error(st, "invalid immediate '%s'", s);
		return -1;
	}
	if (neg ? mag > 0x80000000ull : mag > (hex ? 0xffffffffull : 0x7fffffffull)) {
		error(st, "immediate '%s' is out of the 32-bit range", s);
		return -1;
	}
	*out = neg ? (int32_t)(uint32_t)(0u - (uint32_t)mag) : (int32_t)(uint32_t)mag;
	return 0;
}

static int parse_imm64(struct asm_state *st, const char *s, uint64_t *out)
{
	uint64_t mag;
	int neg, hex;

	if (parse_int(s, &neg, &hex, &mag)) {
		if (errno == ERANGE)
			error(st, "immediate '%s' is out of the 64-bit range", s);
		else
			error(st, "invalid immediate '%s'", s);
		return -1;
	}
	if (neg && mag > 0x8000000000000000ull) {
		error(st, "immediate '%s' is out of the 64-bit range", s);
		return -1;
	}
	*out = neg ? 0 - mag : mag;
	return 0;
}

static int parse_off16(struct asm_state *st, const char *s, int16_t *out)
{
	uint64_t mag;
	int neg, hex;

	if (parse_int(s, &neg, &hex, &mag) || mag > (neg ? 32768u : 32767u)) {
		error(st, "offset '%s' is not in -32768..32767", s);
		return -1;
	}
	*out = (int16_t)(neg ? -(int32_t)mag : (int32_t)mag);
	return 0;
}

/* "[%rN]", "[%rN+off]", "[%rN-off]" */
static int parse_mem(struct asm_state *st, const char *s, unsigned *reg, int16_t *off)
{
	char buf[MAX_LINE], *p, *sign;
	size_t n = strlen(s);
	int r;

	if (n < 3 || s[0] != '[' || s[n - 1] != ']' || n >= sizeof(buf)) {
		error(st, "invalid memory operand '%s', expected [%%rN+offset]", s);
		return -1;
	}
	memcpy(buf, s + 1, n - 2);
	buf[n - 2] = '\0';
	p = trim(buf);
	sign = strpbrk(p, "+-");
	*off = 0;
	if (sign) {
		char offs[MAX_LINE];

		strcpy(offs, sign);
		*sign = '\0';
		if (parse_off16(st, trim(offs), off))
			return -1;
	}
	r = parse_reg(trim(p));
	if (r < 0) {
		error(st, "invalid register '%s'", trim(p));
		return -1;
	}
	*reg = (unsigned)r;
	return 0;
}

static int reg_operand(struct asm_state *st, const char *s, unsigned *out)
{
	int r = parse_reg(s);

	if (r < 0) {
		error(st, "invalid register '%s'", s);
		return -1;
	}
	*out = (unsigned)r;
	return 0;
}

/* A jump or call target: "+N"/"-N" now, or a label resolved at the end. */
static int target_operand(struct asm_state *st, const char *s, struct bpfh_insn *in, int in_imm)
{
	struct fixup *f;

	if (*s == '+' || *s == '-') {
		if (in_imm)
			return parse_imm32(st, s, &in->imm);
		return parse_off16(st, s, &in->off);
	}
	if (!is_ident(s) || strlen(s) >= sizeof(f->name)) {
		error(st, "invalid jump target '%s'", s);
		return -1;
	}
	if (grow((void **)&st->fixups, &st->cap_fixups, st->nfixups + 1, sizeof(*st->fixups))) {
		st->oom = 1;
		return -1;
	}
	f = &st->fixups[st->nfixups++];
	strcpy(f->name, s);
	f->slot = st->count - 1;
	f->line = st->line;
	f->in_imm = in_imm;
	return 0;
}

static int add_label(struct asm_state *st, const char *name)
{
	size_t i;

	if (!is_ident(name) || strlen(name) >= sizeof(st->labels->name)) {
		error(st, "invalid label '%s'", name);
		return -1;
	}
	for (i = 0; i < st->nlabels; i++) {
		if (!strcmp(st->labels[i].name, name)) {
			error(st, "label '%s' is defined twice", name);
			return -1;
		}
	}
	if (grow((void **)&st->labels, &st->cap_labels, st->nlabels + 1, sizeof(*st->labels))) {
		st->oom = 1;
		return -1;
	}
	strcpy(st->labels[st->nlabels].name, name);
	st->labels[st->nlabels++].slot = st->count;
	return 0;
}

/* How many operands each form takes. lddw takes 2 or 3, call kfunc 1 or 2. */
static const unsigned char form_operands[BPFH_FORM__COUNT] = {
	[BPFH_FORM_ALU_K] = 2, [BPFH_FORM_ALU_X] = 2, [BPFH_FORM_NEG] = 1, [BPFH_FORM_MOVSX] = 2,
	[BPFH_FORM_END] = 1, [BPFH_FORM_JA] = 1, [BPFH_FORM_JA32] = 1, [BPFH_FORM_JMP_K] = 3,
	[BPFH_FORM_JMP_X] = 3, [BPFH_FORM_CALL] = 1, [BPFH_FORM_CALLX] = 1, [BPFH_FORM_EXIT] = 0,
	[BPFH_FORM_LDX] = 2, [BPFH_FORM_ST] = 2, [BPFH_FORM_STX] = 2, [BPFH_FORM_ATOMIC] = 2,
	[BPFH_FORM_LDDW] = 2, [BPFH_FORM_LDABS] = 1, [BPFH_FORM_LDIND] = 2,
};

/* Mnemonics the suite also uses for a row's name. */
static const char *alias(const char *mn)
{
	static const struct { const char *from, *to; } aliases[] = {
		{ "swap16", "bswap16" }, { "swap32", "bswap32" }, { "swap64", "bswap64" },
		{ "gotol", "ja32" }, { "callx", "call" },
	};
	size_t i;

	for (i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
		if (!strcmp(mn, aliases[i].from))
			return aliases[i].to;
	return mn;
}

/* Whether s is written as a register ("%..." or "rN..."), valid or not: the row is chosen by
 * what the operand means, so that "%r11" is reported as a bad register, not a bad immediate. */
static int looks_like_reg(const char *s)
{
	return s[0] == '%' || (s[0] == 'r' && isdigit((unsigned char)s[1]));
}

/* The row for mnemonic mn whose operand kinds fit: a register where the row wants one (second
 * operand of ALU, third of conditional jumps, the only one of callx), lddw's keyword. */
static unsigned pick_row(const char *mn, char **opnd, unsigned nopnd)
{
	unsigned op, fallback = 0;

	for (op = 1; op < BPFH_OP__COUNT; op++) {
		const struct bpfh_op_info *r = bpfh_op_info(op);

		if (strcmp(r->mnemonic, mn) != 0)
			continue;
		switch (r->form) {
		case BPFH_FORM_ALU_K:
		case BPFH_FORM_ALU_X:
			if (nopnd == 2 && looks_like_reg(opnd[1]) != (r->form == BPFH_FORM_ALU_X))
				continue;
			break;
		case BPFH_FORM_JMP_K:
		case BPFH_FORM_JMP_X:
			if (nopnd == 3 && looks_like_reg(opnd[1]) != (r->form == BPFH_FORM_JMP_X))
				continue;
			break;
		case BPFH_FORM_CALL:
		case BPFH_FORM_CALLX:
			if (nopnd == 1 && looks_like_reg(opnd[0]) != (r->form == BPFH_FORM_CALLX))
				continue;
			break;
		case BPFH_FORM_LDDW:
			if (nopnd >= 2) {
				size_t n = strlen(r->sym);

				if (n == 0 ? isalpha((unsigned char)opnd[1][0])
					   : strncmp(opnd[1], r->sym, n) != 0 ||
						     !isspace((unsigned char)opnd[1][n]))
					continue;
			}
			break;
		default:
			break;
		}
		return op;
	}
	return fallback;
}

static void assemble_line(struct asm_state *st, char *text)
{
	char mn[64], *opnd[MAX_OPERANDS + 1], *rest, *p;
	const struct bpfh_op_info *r;
	struct bpfh_insn *in;
	unsigned nopnd = 0, want, op, reg;
	size_t n;

	/* Mnemonic: one word, or "lock [fetch] OP", "call local", "call kfunc". */
	n = strcspn(text, " \t");
	if (n >= sizeof(mn)) {
		error(st, "invalid mnemonic '%.*s'", (int)n, text);
		return;
	}
	memcpy(mn, text, n);
	mn[n] = '\0';
	rest = trim(text + n);
	while ((!strcmp(mn, "lock") || !strcmp(mn, "lock fetch") || !strcmp(mn, "call")) &&
	       isalpha((unsigned char)*rest)) {
		size_t m = strcspn(rest, " \t");

		if (!strcmp(mn, "call") && !(m == 5 && !strncmp(rest, "local", 5)) &&
		    !(m == 5 && !strncmp(rest, "kfunc", 5)))
			break;
		if (strlen(mn) + 1 + m >= sizeof(mn))
			break;
		strcat(mn, " ");
		strncat(mn, rest, m);
		rest = trim(rest + m);
	}
	if (!strcmp(mn, "lock") || !strcmp(mn, "lock fetch")) {
		error(st, "Invalid number of operands for lock: expected 'lock [fetch] OP [%%rD+off], %%rS'");
		return;
	}

	if (*rest) {
		for (p = rest;;) {
			char *comma = strchr(p, ',');

			if (nopnd == MAX_OPERANDS) {
				error(st, "too many operands for %s", mn);
				return;
			}
			if (comma)
				*comma = '\0';
			opnd[nopnd++] = trim(p);
			if (!comma)
				break;
			p = comma + 1;
		}
	}

	op = pick_row(alias(mn), opnd, nopnd);
	if (!op) {
		size_t len = strlen(mn);

		/* The 64-bit ALU ops are also spelt with a "64" suffix. */
		if (len > 2 && !strcmp(mn + len - 2, "64") && strncmp(mn, "movsx", 5) &&
		    strncmp(mn, "le", 2) && strncmp(mn, "be", 2) && strncmp(mn, "bswap", 5) &&
		    strncmp(mn, "swap", 4)) {
			mn[len - 2] = '\0';
			op = pick_row(mn, opnd, nopnd);
			if (op && !(bpfh_op_info(op)->form == BPFH_FORM_ALU_K ||
				    bpfh_op_info(op)->form == BPFH_FORM_ALU_X ||
				    bpfh_op_info(op)->form == BPFH_FORM_NEG))
				op = 0;
			mn[len - 2] = '6';
		}
		if (!op) {
			error(st, "unknown mnemonic '%s'", mn);
			return;
		}
	}
	r = bpfh_op_info(op);
	want = form_operands[r->form];
	if (!(nopnd == want || (r->form == BPFH_FORM_LDDW && nopnd == 3 && r->sel != 0) ||
	      (op == BPFH_OP_CALL_KFUNC && nopnd == 2))) {
		error(st, "Invalid number of operands for %s: %u given, %u expected", mn, nopnd,
		      want);
		return;
	}
	in = emit(st);
	if (!in)
		return;
	in->code = r->code;
	switch (r->form) {
	case BPFH_FORM_ALU_K:
	case BPFH_FORM_ALU_X:
	case BPFH_FORM_MOVSX:
		if (reg_operand(st, opnd[0], &reg))
			return;
		in->dst = reg & 0xf;
		if (r->form != BPFH_FORM_ALU_K) {
			if (reg_operand(st, opnd[1], &reg))
				return;
			in->src = reg & 0xf;
		} else if (parse_imm32(st, opnd[1], &in->imm)) {
			return;
		}
		in->off = (int16_t)r->sel;
		break;
	case BPFH_FORM_NEG:
	case BPFH_FORM_END:
	case BPFH_FORM_CALLX:
		if (reg_operand(st, opnd[0], &reg))
			return;
		in->dst = reg & 0xf;
		if (r->form == BPFH_FORM_END)
			in->imm = r->sel;
		break;
	case BPFH_FORM_JA:
	case BPFH_FORM_JA32:
		target_operand(st, opnd[0], in, r->form == BPFH_FORM_JA32);
		break;
	case BPFH_FORM_JMP_K:
	case BPFH_FORM_JMP_X:
		if (reg_operand(st, opnd[0], &reg))
			return;
		in->dst = reg & 0xf;
		if (r->form == BPFH_FORM_JMP_X) {
			if (reg_operand(st, opnd[1], &reg))
				return;
			in->src = reg & 0xf;
		} else if (parse_imm32(st, opnd[1], &in->imm)) {
			return;
		}
		target_operand(st, opnd[2], in, 0);
		break;
	case BPFH_FORM_CALL:
		in->src = (uint8_t)r->sel & 0xf;
		if (op == BPFH_OP_CALL_LOCAL) {
			target_operand(st, opnd[0], in, 1);
		} else if (!parse_imm32(st, opnd[0], &in->imm) && nopnd == 2) {
			parse_off16(st, opnd[1], &in->off);
		}
		break;
	case BPFH_FORM_EXIT:
		break;
	case BPFH_FORM_LDX:
		if (reg_operand(st, opnd[0], &reg))
			return;
		in->dst = reg & 0xf;
		if (parse_mem(st, opnd[1], &reg, &in->off))
			return;
		in->src = reg & 0xf;
		break;
	case BPFH_FORM_ST:
	case BPFH_FORM_STX:
	case BPFH_FORM_ATOMIC:
		if (parse_mem(st, opnd[0], &reg, &in->off))
			return;
		in->dst = reg & 0xf;
		if (r->form == BPFH_FORM_ST) {
			parse_imm32(st, opnd[1], &in->imm);
		} else {
			if (reg_operand(st, opnd[1], &reg))
				return;
			in->src = reg & 0xf;
			if (r->form == BPFH_FORM_ATOMIC)
				in->imm = r->sel;
		}
		break;
	case BPFH_FORM_LDDW: {
		struct bpfh_insn *hi;
		uint64_t v = 0;
		int32_t imm2 = 0;

		if (reg_operand(st, opnd[0], &reg))
			return;
		in->dst = reg & 0xf;
		in->src = (uint8_t)r->sel & 0xf;
		hi = emit(st);
		if (!hi)
			return;
		in = hi - 1; /* emit may have moved the array */
		if (op == BPFH_OP_LDDW) {
			if (parse_imm64(st, opnd[1], &v))
				return;
			in->imm = (int32_t)(uint32_t)v;
			hi->imm = (int32_t)(uint32_t)(v >> 32);
			break;
		}
		p = trim(opnd[1] + strlen(r->sym));
		if (op == BPFH_OP_LDDW_FUNC) {
			st->count--; /* the fixup refers to the first slot */
			target_operand(st, p, in, 1);
			st->count++;
		} else if (parse_imm32(st, p, &in->imm)) {
			return;
		}
		if (nopnd == 3 && !parse_imm32(st, opnd[2], &imm2))
			hi->imm = imm2;
		break;
	}
	case BPFH_FORM_LDABS:
		parse_imm32(st, opnd[0], &in->imm);
		break;
	case BPFH_FORM_LDIND:
		if (reg_operand(st, opnd[0], &reg))
			return;
		in->src = reg & 0xf;
		parse_imm32(st, opnd[1], &in->imm);
		break;
	default:
		break;
	}
}

static void resolve_fixups(struct asm_state *st)
{
	size_t i, j;

	for (i = 0; i < st->nfixups; i++) {
		struct fixup *f = &st->fixups[i];
		struct bpfh_insn *in = &st->insns[f->slot];
		int64_t target = -1, delta;

		for (j = 0; j < st->nlabels; j++)
			if (!strcmp(st->labels[j].name, f->name))
				target = (int64_t)st->labels[j].slot;
		if (target < 0 && !strcmp(f->name, "exit")) {
			for (j = 0; j < st->count; j++) {
				if (st->insns[j].code == 0x95 && (j == 0 || st->insns[j - 1].code != 0x18)) {
					target = (int64_t)j;
					break;
				}
			}
		}
		st->line = f->line;
		if (target < 0) {
			error(st, "unknown label '%s'", f->name);
			continue;
		}
		delta = target - (int64_t)f->slot - 1;
		if (f->in_imm) {
			in->imm = (int32_t)delta;
		} else if (delta < INT16_MIN || delta > INT16_MAX) {
			error(st, "jump to '%s' is too far for a 16-bit offset (%" PRId64 ")", f->name,
			      delta);
		} else {
			in->off = (int16_t)delta;
		}
	}
}

int bpfh_asm(const char *text, const char *name, unsigned first_line, struct bpfh_insn **out,
	     size_t *count, struct bpfh_log *log)
{
	struct asm_state st;
	const char *p = text;
	char line[MAX_LINE];

	memset(&st, 0, sizeof(st));
	st.fname = name ? name : "<input>";
	st.log = log;
	st.line = first_line ? first_line - 1 : 0;
	*out = NULL;
	*count = 0;

	while (*p && !st.oom) {
		size_t n = strcspn(p, "\n");
		char *s, *hash, *colon;

		st.line++;
		if (n >= sizeof(line)) {
			error(&st, "line longer than %d characters", MAX_LINE - 1);
			n = sizeof(line) - 1;
		}
		memcpy(line, p, n);
		line[n] = '\0';
		p += strcspn(p, "\n");
		if (*p)
			p++;
		hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		s = trim(line);
		if (!*s)
			continue;
		colon = strchr(s, ':');
		if (colon && colon[1] == '\0') {
			*colon = '\0';
			add_label(&st, trim(s));
			continue;
		}
		if (!strncmp(s, "--", 2)) {
			error(&st, "unknown directive '%s'", s);
			continue;
		}
		assemble_line(&st, s);
	}
	if (!st.oom)
		resolve_fixups(&st);
	if (!st.oom && st.count == 0 && st.errors == 0) {
		error(&st, "no instructions");
	}
	free(st.labels);
	free(st.fixups);
	if (st.oom) {
		bpfh_log_printf(log, "%s: out of memory\n", st.fname);
		free(st.insns);
		return -ENOMEM;
	}
	if (st.errors) {
		free(st.insns);
		return -EINVAL;
	}
	*out = st.insns;
	*count = st.count;
	return 0;
}
