// SPDX-License-Identifier: MIT
/*
 * CO-RE ("compile once, run everywhere"): the relocations clang records in .BTF.ext for
 * __builtin_preserve_access_index, __builtin_preserve_field_info, __builtin_preserve_type_info,
 * __builtin_preserve_enum_value and __builtin_btf_type_id, resolved against a target BTF (the
 * host's: bpfh_context_btf()) and patched into the code, with libbpf's semantics:
 *
 *  - an access string "0:1:2" is walked through the local type: the first number indexes the
 *    root as an array, the next ones pick members of structs and unions and elements of arrays;
 *  - candidates are the target types of the same kind (ENUM and ENUM64 mixing) whose name
 *    equals the local one with a "___flavor" suffix ignored on both sides;
 *  - a field matches by name, searching anonymous members of the target, if its type is
 *    compatible (both composite; ints without bit offsets; pointers; enums and forward
 *    declarations of the same essential name; arrays of compatible elements); an enumerator
 *    matches by essential name; a type by libbpf's compatibility rules (TYPE_MATCHES: its
 *    stricter "matches" rules);
 *  - every candidate that matches must give the same value; none matching gives the "absent"
 *    answer: 0 for the existence checks, TYPE_ID_TARGET and TYPE_SIZE;
 *  - the instruction must hold the value the local type gives (except for bitfield aspects, as
 *    libbpf) and be of the expected form: an ALU instruction with an immediate, a load or store
 *    (whose offset is patched, and whose size follows the field's when both sizes are of
 *    unsigned integers or pointers), or an lddw of a 64-bit constant.
 *
 * Where libbpf "poisons" an instruction whose relocation cannot be resolved (a field or an
 * enumerator missing from the target; a load that cannot be resized), turning it into a call
 * the verifier refuses unless the code is dead, this loader refuses the object with a message
 * naming the program, the instruction and the access. Relocations are applied to each code
 * section before programs copy their subprograms (link.c), so every copy carries them.
 *
 * This file does not read the target from anywhere: the caller passes it in the open options.
 * It allocates nothing; every type walk is bounded (accessors, anonymous-member nesting, and a
 * step budget for the recursive type comparisons) so that crafted BTF cannot make it slow.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "obj_int.h"

#define SPEC_MAX 64            /* accessors of an access string, as libbpf */
#define COMPAT_LEVELS 32       /* nesting of the recursive type comparisons, as libbpf */
#define ANON_DEPTH 32          /* anonymous members searched into */
#define STEP_BUDGET 100000     /* types visited per relocation by the comparisons */
#define POISON 1               /* a value computation's "cannot be resolved" */

#define CLASS_BPF_LD 0x00
#define CLASS_BPF_LDX 0x01
#define CLASS_BPF_ST 0x02
#define CLASS_BPF_STX 0x03
#define CLASS_BPF_ALU 0x04
#define CLASS_BPF_ALU64 0x07
#define CODE_LDDW 0x18
#define SRC_X 0x08

enum relo_class { CLASS_FIELD, CLASS_TYPE, CLASS_ENUMVAL };

static const char *const relo_names[] = {
	"field byte offset", "field byte size", "field exists", "field signed",
	"field left shift", "field right shift", "local type id", "target type id",
	"type exists", "type size", "enum value exists", "enum value", "type matches",
};

static const char *const kind_words[BPFH_BTF_KIND__COUNT] = {
	"void", "int", "pointer", "array", "struct", "union", "enum", "forward declaration",
	"typedef", "volatile", "const", "restrict", "function", "function prototype", "variable",
	"data section", "float", "declaration tag", "type tag", "enum",
};

/* One step of a walk: a member of a composite (name set) or an element of an array. */
struct acc {
	uint32_t type_id;      /* member: the composite (resolved); element: the element type */
	uint32_t idx;
	const char *name;      /* member or enumerator name; NULL for an element */
};

struct spec {
	const struct bpfh_btf *btf;
	uint32_t root_id;
	struct acc acc[SPEC_MAX];
	uint32_t len;
	uint32_t raw[SPEC_MAX];
	uint32_t raw_len;
	uint64_t bit_offset;
};

struct result {
	uint64_t orig, val;        /* the local value (the instruction's), the target's */
	int poison;
	int validate;              /* the instruction must hold orig */
	int resize_fail;           /* the field's size differs and a load cannot follow it */
	uint32_t orig_sz, new_sz;  /* field byte offsets: the field's size, local and target */
};

/* The relocation being resolved. */
struct relo {
	struct bpfh_oload *ld;
	const struct bpfh_btf *local, *targ;
	uint32_t sec, insn;        /* in the section's code */
	uint32_t type_id, kind;
	const char *access;
	char desc[256];            /* "xdp_md.foo", "struct xdp_md", "enum mode::MODE_B" */
	char why[256];             /* why the first candidate that failed did */
	long budget;
};

static int relo_class(uint32_t kind)
{
	if (kind <= BPFH_CORE_FIELD_RSHIFT_U64)
		return CLASS_FIELD;
	if (kind == BPFH_CORE_ENUMVAL_EXISTS || kind == BPFH_CORE_ENUMVAL_VALUE)
		return CLASS_ENUMVAL;
	return CLASS_TYPE;
}

static void set_why(struct relo *r, const char *fmt, ...) BPFH_PRINTF(2, 3);

static void set_why(struct relo *r, const char *fmt, ...)
{
	va_list ap;

	if (r->why[0])
		return;
	va_start(ap, fmt);
	vsnprintf(r->why, sizeof(r->why), fmt, ap);
	va_end(ap);
}

static int relo_err(const struct relo *r, const char *fmt, ...) BPFH_PRINTF(2, 3);

/* "NAME: section S, offset 0xO: program P: insn N: what", N counted from the function's
 * start: for a program, its index in the program's image. */
static int relo_err(const struct relo *r, const char *fmt, ...)
{
	const struct bpfh_ofunc *f = bpfh_obj_func_at(r->ld, r->sec, r->insn);
	char what[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (!f)
		return bpfh_obj_err(&r->ld->ctx, r->ld->elf.secs[r->sec].name,
				    (uint64_t)r->insn * 8, "insn %u: %s", r->insn, what);
	return bpfh_obj_err(&r->ld->ctx, r->ld->elf.secs[r->sec].name, (uint64_t)r->insn * 8,
			    "%s %s: insn %u: %s", f->prog >= 0 ? "program" : "function", f->name,
			    r->insn - f->start, what);
}

static const struct bpfh_btf_type *type_of(const struct bpfh_btf *btf, uint32_t id)
{
	return bpfh_btf_type_by_id(btf, id);
}

static const char *name_or_anon(const char *name)
{
	return name && *name ? name : "(anon)";
}

static int is_composite(const struct bpfh_btf_type *t)
{
	return t->kind == BPFH_BTF_KIND_STRUCT || t->kind == BPFH_BTF_KIND_UNION;
}

static int is_enum(const struct bpfh_btf_type *t)
{
	return t->kind == BPFH_BTF_KIND_ENUM || t->kind == BPFH_BTF_KIND_ENUM64;
}

/* "unsigned int", "struct foo", "an anonymous union", "a pointer", for messages. */
static void type_desc(const struct bpfh_btf *btf, uint32_t id, char *buf, size_t size)
{
	const struct bpfh_btf_type *t = type_of(btf, bpfh_btf_resolve(btf, id));

	switch (t->kind) {
	case BPFH_BTF_KIND_INT:
	case BPFH_BTF_KIND_FLOAT:
		snprintf(buf, size, "%s", t->name);
		break;
	case BPFH_BTF_KIND_STRUCT:
	case BPFH_BTF_KIND_UNION:
	case BPFH_BTF_KIND_ENUM:
	case BPFH_BTF_KIND_ENUM64:
	case BPFH_BTF_KIND_FWD:
		if (t->name[0])
			snprintf(buf, size, "%s %s", kind_words[t->kind], t->name);
		else
			snprintf(buf, size, "an anonymous %s", kind_words[t->kind]);
		break;
	case BPFH_BTF_KIND_ARRAY:
		snprintf(buf, size, "an array");
		break;
	default:
		snprintf(buf, size, "a %s", kind_words[t->kind]);
		break;
	}
}

/* Kinds a relocation may cross: the same, or ENUM with ENUM64. */
static int kinds_compat(const struct bpfh_btf_type *a, const struct bpfh_btf_type *b)
{
	return a->kind == b->kind || (is_enum(a) && is_enum(b));
}

/* Length of name without its "___flavor" suffix: the last "X___Y" where X and Y are not
 * underscores ends the essential name at X. */
static size_t essential_len(const char *name)
{
	size_t n = strlen(name), i;

	for (i = n >= 5 ? n - 4 : 0; i-- > 0;)
		if (name[i] != '_' && name[i + 1] == '_' && name[i + 2] == '_' &&
		    name[i + 3] == '_' && name[i + 4] != '_')
			return i + 1;
	return n;
}

static int names_match(const char *a, const char *b)
{
	size_t la = essential_len(a), lb = essential_len(b);

	return la == lb && !strncmp(a, b, la);
}

/* Integer sizes: 0 when they do not fit in the range that keeps offsets sane. */
static int add_bits(uint64_t *bits, uint64_t idx, int64_t size)
{
	if (size < 0 || (size && idx > ((uint64_t)1 << 40) / (uint64_t)size))
		return -1;
	*bits += idx * (uint64_t)size * 8;
	return 0;
}

/* ---- the local side: the access string ---- */

static int is_flex(const struct bpfh_btf *btf, const struct acc *prev, uint32_t nelems)
{
	if (!prev->name || nelems > 0)
		return 0;
	return prev->idx + 1 == type_of(btf, prev->type_id)->vlen;
}

static int bad_access(const struct relo *r, const char *fmt, ...) BPFH_PRINTF(2, 3);

static int bad_access(const struct relo *r, const char *fmt, ...)
{
	const struct bpfh_btf_type *t = type_of(r->local, r->type_id);
	char what[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return relo_err(r, "CO-RE %s relocation with access string \"%s\" of the local %s %s "
			"(type %u) is invalid: %s", relo_names[r->kind], r->access,
			kind_words[t->kind], name_or_anon(t->name), r->type_id, what);
}

static int parse_spec(const struct relo *r, struct spec *s)
{
	const struct bpfh_btf *btf = r->local;
	const struct bpfh_btf_type *t;
	const char *p = r->access;
	struct bpfh_btf_member m;
	struct bpfh_btf_array a;
	uint32_t id, i;
	int64_t sz, v;

	memset(s, 0, sizeof(*s));
	s->btf = btf;
	s->root_id = r->type_id;
	if (relo_class(r->kind) == CLASS_TYPE) {
		if (strcmp(p, "0"))
			return bad_access(r, "a type relocation's access string is \"0\"");
		return 0;
	}
	while (*p) {
		uint64_t n = 0;

		if (s->raw_len == SPEC_MAX)
			return bad_access(r, "more than %d accessors", SPEC_MAX);
		if (*p < '0' || *p > '9')
			return bad_access(r, "not numbers separated by ':'");
		for (; *p >= '0' && *p <= '9'; p++) {
			n = n * 10 + (uint64_t)(*p - '0');
			if (n > INT32_MAX)
				return bad_access(r, "an accessor above %d", INT32_MAX);
		}
		if (*p == ':' && p[1])
			p++;
		else if (*p)
			return bad_access(r, "not numbers separated by ':'");
		s->raw[s->raw_len++] = (uint32_t)n;
	}
	if (!s->raw_len)
		return bad_access(r, "no accessor");
	id = bpfh_btf_resolve(btf, r->type_id);
	t = type_of(btf, id);
	sz = bpfh_btf_size(btf, id);
	if (sz < 0)
		return bad_access(r, "the type (a %s) has no size", kind_words[t->kind]);
	s->acc[0].type_id = id;
	s->acc[0].idx = s->raw[0];
	s->len = 1;
	if (add_bits(&s->bit_offset, s->raw[0], sz))
		return bad_access(r, "offset overflow");
	if (relo_class(r->kind) == CLASS_ENUMVAL) {
		if (!is_enum(t))
			return bad_access(r, "the type is a %s, not an enum", kind_words[t->kind]);
		if (s->raw_len != 1 || s->raw[0] >= t->vlen)
			return bad_access(r, "the enum has %u enumerators", t->vlen);
		bpfh_btf_enum_value(btf, id, s->raw[0], &s->acc[0].name, &v);
		return 0;
	}
	for (i = 1; i < s->raw_len; i++) {
		id = bpfh_btf_resolve(btf, id);
		t = type_of(btf, id);
		if (is_composite(t)) {
			if (s->raw[i] >= t->vlen)
				return bad_access(r, "accessor %u: member %u of %s %s, which "
						  "has %u", i, s->raw[i], kind_words[t->kind],
						  name_or_anon(t->name), t->vlen);
			bpfh_btf_member(btf, id, s->raw[i], &m);
			s->bit_offset += m.bit_offset;
			if (m.name[0]) {
				s->acc[s->len].type_id = id;
				s->acc[s->len].idx = s->raw[i];
				s->acc[s->len++].name = m.name;
			}
			id = m.type;
		} else if (t->kind == BPFH_BTF_KIND_ARRAY) {
			bpfh_btf_array(btf, id, &a);
			id = bpfh_btf_resolve(btf, a.type);
			if (!is_flex(btf, &s->acc[s->len - 1], a.nelems) && s->raw[i] >= a.nelems)
				return bad_access(r, "accessor %u: element %u of an array of %u",
						  i, s->raw[i], a.nelems);
			s->acc[s->len].type_id = id;
			s->acc[s->len].idx = s->raw[i];
			s->acc[s->len++].name = NULL;
			if (add_bits(&s->bit_offset, s->raw[i], bpfh_btf_size(btf, id)))
				return bad_access(r, "accessor %u: offset overflow", i);
		} else {
			return bad_access(r, "accessor %u reaches a %s, not a struct, union or "
					  "array", i, kind_words[t->kind]);
		}
	}
	return 0;
}

/* "xdp_md.foo", "__sk_buff.cb[2]", "struct xdp_md", "enum xdp_action::XDP_PASS". */
static void describe(struct relo *r, const struct spec *s)
{
	const struct bpfh_btf *btf = r->local;
	const struct bpfh_btf_type *t = type_of(btf, r->type_id), *rt;
	struct bpfh_btf_member m;
	struct bpfh_btf_array a;
	size_t n = sizeof(r->desc), len;
	uint32_t id, i;

	id = bpfh_btf_resolve(btf, r->type_id);
	rt = type_of(btf, id);
	switch (relo_class(r->kind)) {
	case CLASS_TYPE:
		snprintf(r->desc, n, "%s %s", kind_words[t->kind], name_or_anon(t->name));
		return;
	case CLASS_ENUMVAL:
		snprintf(r->desc, n, "enum %s::%s", name_or_anon(rt->name), s->acc[0].name);
		return;
	}
	snprintf(r->desc, n, "%s", name_or_anon(t->name[0] ? t->name : rt->name));
	if (s->raw[0]) {
		len = strlen(r->desc);
		snprintf(r->desc + len, n - len, "[%u]", s->raw[0]);
	}
	for (i = 1; i < s->raw_len; i++) {
		id = bpfh_btf_resolve(btf, id);
		t = type_of(btf, id);
		len = strlen(r->desc);
		if (is_composite(t)) {
			bpfh_btf_member(btf, id, s->raw[i], &m);
			if (m.name[0])
				snprintf(r->desc + len, n - len, ".%s", m.name);
			id = m.type;
		} else {
			bpfh_btf_array(btf, id, &a);
			snprintf(r->desc + len, n - len, "[%u]", s->raw[i]);
			id = a.type;
		}
	}
}

/* ---- comparing types ---- */

static int spend(struct relo *r)
{
	return --r->budget >= 0 ? 0 : -ELOOP;
}

/* Can a local field of type lid be read as a target field of type tid? 1, 0, or -ELOOP. */
static int fields_compat(struct relo *r, uint32_t lid, uint32_t tid)
{
	const struct bpfh_btf_type *lt, *tt;
	struct bpfh_btf_array la, ta;
	struct bpfh_btf_int li, ti;

	for (;;) {
		if (spend(r))
			return -ELOOP;
		lid = bpfh_btf_resolve(r->local, lid);
		tid = bpfh_btf_resolve(r->targ, tid);
		lt = type_of(r->local, lid);
		tt = type_of(r->targ, tid);
		if (is_composite(lt) && is_composite(tt))
			return 1;
		if (!kinds_compat(lt, tt))
			return 0;
		switch (lt->kind) {
		case BPFH_BTF_KIND_PTR:
		case BPFH_BTF_KIND_FLOAT:
			return 1;
		case BPFH_BTF_KIND_FWD:
		case BPFH_BTF_KIND_ENUM:
		case BPFH_BTF_KIND_ENUM64:
			return names_match(lt->name, tt->name);
		case BPFH_BTF_KIND_INT:
			/* Integers of any size and sign fit; bitfield-like ones do not. */
			bpfh_btf_int(r->local, lid, &li);
			bpfh_btf_int(r->targ, tid, &ti);
			return li.offset == 0 && ti.offset == 0;
		case BPFH_BTF_KIND_ARRAY:
			bpfh_btf_array(r->local, lid, &la);
			bpfh_btf_array(r->targ, tid, &ta);
			lid = la.type;
			tid = ta.type;
			continue;
		default:
			return 0;
		}
	}
}

/* libbpf's type compatibility (TYPE_EXISTS, TYPE_SIZE, TYPE_ID_TARGET): 1, 0, or an error. */
static int types_compat(struct relo *r, uint32_t lid, uint32_t tid, int level)
{
	const struct bpfh_btf_type *lt, *tt;
	struct bpfh_btf_array la, ta;
	struct bpfh_btf_int li, ti;
	uint32_t i, lp, tp;
	int depth = COMPAT_LEVELS, err;

	for (;;) {
		if (--depth < 0 || spend(r))
			return -ELOOP;
		lid = bpfh_btf_resolve(r->local, lid);
		tid = bpfh_btf_resolve(r->targ, tid);
		lt = type_of(r->local, lid);
		tt = type_of(r->targ, tid);
		if (!kinds_compat(lt, tt))
			return 0;
		switch (lt->kind) {
		case BPFH_BTF_KIND_UNKN:
		case BPFH_BTF_KIND_STRUCT:
		case BPFH_BTF_KIND_UNION:
		case BPFH_BTF_KIND_ENUM:
		case BPFH_BTF_KIND_ENUM64:
		case BPFH_BTF_KIND_FWD:
			return 1;
		case BPFH_BTF_KIND_INT:
			bpfh_btf_int(r->local, lid, &li);
			bpfh_btf_int(r->targ, tid, &ti);
			return li.offset == 0 && ti.offset == 0;
		case BPFH_BTF_KIND_PTR:
			lid = lt->type;
			tid = tt->type;
			continue;
		case BPFH_BTF_KIND_ARRAY:
			bpfh_btf_array(r->local, lid, &la);
			bpfh_btf_array(r->targ, tid, &ta);
			lid = la.type;
			tid = ta.type;
			continue;
		case BPFH_BTF_KIND_FUNC_PROTO:
			if (lt->vlen != tt->vlen)
				return 0;
			for (i = 0; i < lt->vlen; i++) {
				if (level <= 0)
					return -ELOOP;
				bpfh_btf_param(r->local, lid, i, NULL, &lp);
				bpfh_btf_param(r->targ, tid, i, NULL, &tp);
				err = types_compat(r, lp, tp, level - 1);
				if (err <= 0)
					return err;
			}
			lid = lt->type;
			tid = tt->type;
			continue;
		default:
			return 0;
		}
	}
}

static int types_match(struct relo *r, uint32_t lid, uint32_t tid, int behind_ptr, int level);

static int enums_match(const struct relo *r, uint32_t lid, uint32_t tid)
{
	const struct bpfh_btf_type *lt = type_of(r->local, lid), *tt = type_of(r->targ, tid);
	const char *ln, *tn;
	uint32_t i, j;
	int64_t v;

	if (lt->size != tt->size || lt->vlen > tt->vlen)
		return 0;
	for (i = 0; i < lt->vlen; i++) {
		bpfh_btf_enum_value(r->local, lid, i, &ln, &v);
		for (j = 0; j < tt->vlen; j++) {
			bpfh_btf_enum_value(r->targ, tid, j, &tn, &v);
			if (names_match(ln, tn))
				break;
		}
		if (j == tt->vlen)
			return 0;
	}
	return 1;
}

/* Every local member has a target member of the same essential name whose type matches. */
static int composites_match(struct relo *r, uint32_t lid, uint32_t tid, int behind_ptr,
			    int level)
{
	const struct bpfh_btf_type *lt = type_of(r->local, lid), *tt = type_of(r->targ, tid);
	struct bpfh_btf_member lm, tm;
	uint32_t i, j;
	int err;

	if (lt->vlen > tt->vlen)
		return 0;
	for (i = 0; i < lt->vlen; i++) {
		bpfh_btf_member(r->local, lid, i, &lm);
		for (j = 0; j < tt->vlen; j++) {
			bpfh_btf_member(r->targ, tid, j, &tm);
			if (!names_match(lm.name, tm.name))
				continue;
			err = types_match(r, lm.type, tm.type, behind_ptr, level - 1);
			if (err < 0)
				return err;
			if (err > 0)
				break;
		}
		if (j == tt->vlen)
			return 0;
	}
	return 1;
}

/* libbpf's "type matches" (TYPE_MATCHES): 1, 0, or an error. */
static int types_match(struct relo *r, uint32_t lid, uint32_t tid, int behind_ptr, int level)
{
	const struct bpfh_btf_type *lt, *tt;
	struct bpfh_btf_array la, ta;
	struct bpfh_btf_int li, ti;
	uint32_t i, lp, tp;
	int err;

	if (level <= 0)
		return -ELOOP;
	for (;;) {
		if (spend(r))
			return -ELOOP;
		lid = bpfh_btf_resolve(r->local, lid);
		tid = bpfh_btf_resolve(r->targ, tid);
		lt = type_of(r->local, lid);
		tt = type_of(r->targ, tid);
		if (!names_match(lt->name, tt->name))
			return 0;
		switch (lt->kind) {
		case BPFH_BTF_KIND_UNKN:
			return tt->kind == BPFH_BTF_KIND_UNKN;
		case BPFH_BTF_KIND_FWD:
			if (tt->kind == BPFH_BTF_KIND_FWD)
				return lt->kflag == tt->kflag;
			/* behind a pointer, a declaration stands for its struct (kflag 0) or
			 * union */
			return behind_ptr && ((tt->kind == BPFH_BTF_KIND_STRUCT && !lt->kflag) ||
					      (tt->kind == BPFH_BTF_KIND_UNION && lt->kflag));
		case BPFH_BTF_KIND_ENUM:
		case BPFH_BTF_KIND_ENUM64:
			return is_enum(tt) && enums_match(r, lid, tid);
		case BPFH_BTF_KIND_STRUCT:
		case BPFH_BTF_KIND_UNION:
			if (behind_ptr) {
				if (lt->kind == tt->kind)
					return 1;
				return tt->kind == BPFH_BTF_KIND_FWD &&
				       (lt->kind == BPFH_BTF_KIND_UNION) == !!tt->kflag;
			}
			if (lt->kind != tt->kind)
				return 0;
			return composites_match(r, lid, tid, behind_ptr, level);
		case BPFH_BTF_KIND_INT:
			if (tt->kind != BPFH_BTF_KIND_INT)
				return 0;
			bpfh_btf_int(r->local, lid, &li);
			bpfh_btf_int(r->targ, tid, &ti);
			return lt->size == tt->size && (li.encoding & BPFH_BTF_INT_SIGNED) ==
							       (ti.encoding & BPFH_BTF_INT_SIGNED);
		case BPFH_BTF_KIND_PTR:
			if (tt->kind != BPFH_BTF_KIND_PTR)
				return 0;
			behind_ptr = 1;
			lid = lt->type;
			tid = tt->type;
			continue;
		case BPFH_BTF_KIND_ARRAY:
			if (tt->kind != BPFH_BTF_KIND_ARRAY)
				return 0;
			bpfh_btf_array(r->local, lid, &la);
			bpfh_btf_array(r->targ, tid, &ta);
			if (la.nelems != ta.nelems)
				return 0;
			lid = la.type;
			tid = ta.type;
			continue;
		case BPFH_BTF_KIND_FUNC_PROTO:
			if (tt->kind != BPFH_BTF_KIND_FUNC_PROTO || lt->vlen != tt->vlen)
				return 0;
			for (i = 0; i < lt->vlen; i++) {
				bpfh_btf_param(r->local, lid, i, NULL, &lp);
				bpfh_btf_param(r->targ, tid, i, NULL, &tp);
				err = types_match(r, lp, tp, behind_ptr, level - 1);
				if (err <= 0)
					return err;
			}
			lid = lt->type;
			tid = tt->type;
			continue;
		default:
			return 0;
		}
	}
}

/* ---- the target side: matching a local spec in a candidate ---- */

static int push_raw(struct spec *c, uint32_t v)
{
	if (c->raw_len == SPEC_MAX)
		return -E2BIG;
	c->raw[c->raw_len++] = v;
	return 0;
}

/* Find the local member la in the target composite tid, through anonymous members:
 * 1 (appended to c, *next its type), 0, or an error. */
static int match_member(struct relo *r, const struct acc *la, uint32_t tid, struct spec *c,
			uint32_t *next, int depth)
{
	const struct bpfh_btf_type *t;
	struct bpfh_btf_member lm, tm;
	uint32_t i;
	int found;

	bpfh_btf_member(r->local, la->type_id, la->idx, &lm);
	tid = bpfh_btf_resolve(r->targ, tid);
	t = type_of(r->targ, tid);
	if (!is_composite(t)) {
		set_why(r, "the target's %s is a %s, not a struct or union", lm.name,
			kind_words[t->kind]);
		return 0;
	}
	for (i = 0; i < t->vlen; i++) {
		bpfh_btf_member(r->targ, tid, i, &tm);
		if (push_raw(c, i))
			return -E2BIG;
		c->bit_offset += tm.bit_offset;
		if (!tm.name[0]) {
			if (depth >= ANON_DEPTH)
				return -E2BIG;
			found = match_member(r, la, tm.type, c, next, depth + 1);
			if (found)
				return found;
		} else if (!strcmp(lm.name, tm.name)) {
			c->acc[c->len].type_id = tid;
			c->acc[c->len].idx = i;
			c->acc[c->len++].name = tm.name;
			*next = tm.type;
			found = fields_compat(r, lm.type, tm.type);
			if (found == 0) {
				char ld[96], td[96];

				type_desc(r->local, lm.type, ld, sizeof(ld));
				type_desc(r->targ, tm.type, td, sizeof(td));
				set_why(r, "field %s is %s in the target %s %s, and %s here",
					lm.name, td, kind_words[t->kind], name_or_anon(t->name),
					ld);
			}
			return found;
		}
		c->bit_offset -= tm.bit_offset;
		c->raw_len--;
	}
	if (depth == 0)
		set_why(r, "no field %s in the target %s %s", lm.name, kind_words[t->kind],
			name_or_anon(t->name));
	return 0;
}

/* Match local spec l in the target type tid: 1 with c filled, 0, or an error. */
static int spec_match(struct relo *r, const struct spec *l, uint32_t tid, struct spec *c)
{
	const struct bpfh_btf_type *t;
	struct bpfh_btf_array a;
	const char *name;
	uint32_t i;
	int64_t v;
	int err;

	memset(c, 0, sizeof(*c));
	c->btf = r->targ;
	c->root_id = tid;
	switch (relo_class(r->kind)) {
	case CLASS_TYPE:
		if (r->kind == BPFH_CORE_TYPE_MATCHES)
			err = types_match(r, l->root_id, tid, 0, COMPAT_LEVELS);
		else
			err = types_compat(r, l->root_id, tid, COMPAT_LEVELS);
		if (err == 0)
			set_why(r, "the target's %s does not %s the local one",
				name_or_anon(type_of(r->targ, tid)->name),
				r->kind == BPFH_CORE_TYPE_MATCHES ? "match" : "agree with");
		return err;
	case CLASS_ENUMVAL:
		tid = bpfh_btf_resolve(r->targ, tid);
		t = type_of(r->targ, tid);
		if (!is_enum(t)) {
			set_why(r, "the target's %s is a %s", name_or_anon(t->name),
				kind_words[t->kind]);
			return 0;
		}
		for (i = 0; i < t->vlen; i++) {
			bpfh_btf_enum_value(r->targ, tid, i, &name, &v);
			if (names_match(l->acc[0].name, name)) {
				c->acc[0].type_id = tid;
				c->acc[0].idx = i;
				c->acc[0].name = name;
				c->len = 1;
				c->raw[0] = i;
				c->raw_len = 1;
				return 1;
			}
		}
		set_why(r, "no enumerator %s in the target enum %s", l->acc[0].name,
			name_or_anon(t->name));
		return 0;
	}
	for (i = 0; i < l->len; i++) {
		const struct acc *la = &l->acc[i];

		if (la->name) {
			err = match_member(r, la, tid, c, &tid, 0);
			if (err <= 0)
				return err;
			continue;
		}
		/* The root is indexed as if it were an array element; later steps need an
		 * array. */
		if (i > 0) {
			const struct bpfh_btf_type *at;

			tid = bpfh_btf_resolve(r->targ, tid);
			at = type_of(r->targ, tid);
			if (at->kind != BPFH_BTF_KIND_ARRAY) {
				set_why(r, "the target's %s is a %s, not an array",
					c->len ? c->acc[c->len - 1].name : "type",
					kind_words[at->kind]);
				return 0;
			}
			bpfh_btf_array(r->targ, tid, &a);
			if (!is_flex(r->targ, &c->acc[c->len - 1], a.nelems) &&
			    la->idx >= a.nelems) {
				set_why(r, "index %u is past the end of the target's %s (%u "
					"elements)", la->idx, c->acc[c->len - 1].name ?
					c->acc[c->len - 1].name : "array", a.nelems);
				return 0;
			}
			tid = bpfh_btf_resolve(r->targ, a.type);
		}
		if (push_raw(c, la->idx))
			return -E2BIG;
		c->acc[c->len].type_id = tid;
		c->acc[c->len].idx = la->idx;
		c->acc[c->len++].name = NULL;
		if (add_bits(&c->bit_offset, la->idx, bpfh_btf_size(r->targ, tid)))
			return -E2BIG;
	}
	return 1;
}

/* ---- values ---- */

static const char *side(const struct relo *r, const struct spec *s)
{
	return s->btf == r->local ? "local" : "target";
}

/* A field aspect from spec s (NULL: the target has no such field). 0, POISON, or an error
 * (logged). size and type (byte offsets of whole fields) say what a load of it reads. */
static int field_value(const struct relo *r, const struct spec *s, uint64_t *val,
		       uint32_t *size, uint32_t *type, int *validate)
{
	const struct acc *acc;
	const struct bpfh_btf_type *mt;
	struct bpfh_btf_member m;
	struct bpfh_btf_int in;
	uint64_t bit_off, bit_sz, byte_off, byte_sz;
	uint32_t fid;
	int64_t sz;

	if (r->kind == BPFH_CORE_FIELD_EXISTS) {
		*val = s != NULL;
		return 0;
	}
	if (!s)
		return POISON;
	acc = &s->acc[s->len - 1];
	if (!acc->name) {
		/* the root or an array element: only its offset and size make sense */
		sz = bpfh_btf_size(s->btf, acc->type_id);
		if (sz < 0)
			return relo_err(r, "CO-RE relocation of %s (%s): the %s type has no size",
					r->desc, r->access, side(r, s));
		if (r->kind == BPFH_CORE_FIELD_BYTE_OFFSET) {
			*val = s->bit_offset / 8;
			*size = (uint32_t)sz;
			*type = acc->type_id;
		} else if (r->kind == BPFH_CORE_FIELD_BYTE_SIZE) {
			*val = (uint64_t)sz;
		} else {
			return relo_err(r, "CO-RE relocation of %s (%s): a %s relocation does not "
					"apply to an array element", r->desc, r->access,
					relo_names[r->kind]);
		}
		if (validate)
			*validate = 1;
		return 0;
	}
	bpfh_btf_member(s->btf, acc->type_id, acc->idx, &m);
	fid = bpfh_btf_resolve(s->btf, m.type);
	mt = type_of(s->btf, fid);
	bit_off = s->bit_offset;
	bit_sz = m.bitfield_size;
	sz = bpfh_btf_size(s->btf, fid);
	if (sz < 0 || (bit_sz && sz == 0))
		return relo_err(r, "CO-RE relocation of %s (%s): the %s field has no size",
				r->desc, r->access, side(r, s));
	byte_sz = (uint64_t)sz;
	if (bit_sz) {
		/* The smallest aligned load that holds the bitfield. */
		byte_off = bit_off / 8 / byte_sz * byte_sz;
		while (bit_off + bit_sz - byte_off * 8 > byte_sz * 8) {
			if (byte_sz >= 8)
				return relo_err(r, "CO-RE relocation of %s (%s): the %s bitfield "
						"cannot be read with one load of 8 bytes or less",
						r->desc, r->access, side(r, s));
			byte_sz *= 2;
			byte_off = bit_off / 8 / byte_sz * byte_sz;
		}
	} else {
		byte_off = bit_off / 8;
		bit_sz = byte_sz * 8;
	}
	/* clang and the loader may disagree on how to read a bitfield: only its sign and
	 * right shift are checked against the instruction. */
	if (validate)
		*validate = !m.bitfield_size;
	switch (r->kind) {
	case BPFH_CORE_FIELD_BYTE_OFFSET:
		*val = byte_off;
		if (!m.bitfield_size) {
			*size = (uint32_t)byte_sz;
			*type = fid;
		}
		break;
	case BPFH_CORE_FIELD_BYTE_SIZE:
		*val = byte_sz;
		break;
	case BPFH_CORE_FIELD_SIGNED:
		*val = (is_enum(mt) && mt->kflag) ||
		       (mt->kind == BPFH_BTF_KIND_INT && !bpfh_btf_int(s->btf, fid, &in) &&
			(in.encoding & BPFH_BTF_INT_SIGNED));
		if (validate)
			*validate = 1;
		break;
	case BPFH_CORE_FIELD_LSHIFT_U64:
		/* little-endian: the field's top bit to bit 63 */
		*val = 64 - (bit_off + bit_sz - byte_off * 8);
		break;
	case BPFH_CORE_FIELD_RSHIFT_U64:
		*val = 64 - bit_sz;
		if (validate)
			*validate = 1;
		break;
	}
	return 0;
}

static int type_value(const struct relo *r, const struct spec *s, uint64_t *val)
{
	int64_t sz;

	if (!s) {
		*val = 0;
		return 0;
	}
	switch (r->kind) {
	case BPFH_CORE_TYPE_ID_TARGET:
		*val = s->root_id;
		break;
	case BPFH_CORE_TYPE_SIZE:
		sz = bpfh_btf_size(s->btf, s->root_id);
		if (sz < 0)
			return relo_err(r, "CO-RE relocation of %s: the %s type has no size",
					r->desc, side(r, s));
		*val = (uint64_t)sz;
		break;
	default: /* TYPE_EXISTS, TYPE_MATCHES */
		*val = 1;
		break;
	}
	return 0;
}

static int enum_value(const struct relo *r, const struct spec *s, uint64_t *val)
{
	int64_t v;

	if (r->kind == BPFH_CORE_ENUMVAL_EXISTS) {
		*val = s != NULL;
		return 0;
	}
	if (!s)
		return POISON;
	bpfh_btf_enum_value(s->btf, s->acc[0].type_id, s->acc[0].idx, NULL, &v);
	*val = (uint64_t)v;
	return 0;
}

/* The local value (what the instruction holds) and the target's (t NULL: no match). */
static int calc(struct relo *r, const struct spec *l, const struct spec *t, struct result *res)
{
	uint32_t otype = 0, ntype = 0;
	int err;

	memset(res, 0, sizeof(*res));
	res->validate = 1;
	switch (relo_class(r->kind)) {
	case CLASS_FIELD:
		err = field_value(r, l, &res->orig, &res->orig_sz, &otype, &res->validate);
		if (!err)
			err = field_value(r, t, &res->val, &res->new_sz, &ntype, NULL);
		if (!err && res->orig_sz != res->new_sz) {
			const struct bpfh_btf_type *ot = type_of(r->local,
						bpfh_btf_resolve(r->local, otype));
			const struct bpfh_btf_type *nt = type_of(r->targ,
						bpfh_btf_resolve(r->targ, ntype));
			struct bpfh_btf_int oi, ni;

			/* A load may follow the field's size when both are pointers (a 32-bit
			 * kernel's) or both unsigned integers; not when a sign would change. */
			if (ot->kind == BPFH_BTF_KIND_PTR && nt->kind == BPFH_BTF_KIND_PTR)
				break;
			if (!bpfh_btf_int(r->local, bpfh_btf_resolve(r->local, otype), &oi) &&
			    !bpfh_btf_int(r->targ, bpfh_btf_resolve(r->targ, ntype), &ni) &&
			    !(oi.encoding & BPFH_BTF_INT_SIGNED) &&
			    !(ni.encoding & BPFH_BTF_INT_SIGNED))
				break;
			res->resize_fail = 1;
		}
		break;
	case CLASS_TYPE:
		err = type_value(r, l, &res->orig);
		if (!err)
			err = type_value(r, t, &res->val);
		break;
	default:
		err = enum_value(r, l, &res->orig);
		if (!err)
			err = enum_value(r, t, &res->val);
		break;
	}
	if (err == POISON) {
		res->poison = 1;
		err = 0;
	}
	return err;
}

/* ---- one relocation ---- */

static int comparison_error(const struct relo *r, int err)
{
	return relo_err(r, "CO-RE relocation of %s (%s): the types are too %s to compare",
			r->desc, r->access, err == -ELOOP ? "deep" : "large");
}

static int resolve(struct relo *r, const struct spec *l, struct result *res)
{
	const struct bpfh_btf_type *lt = type_of(r->local, r->type_id), *tt;
	struct spec cand;
	struct result cres;
	uint64_t first_bits = 0;
	uint32_t n = bpfh_btf_type_count(r->targ), id, first = 0, ncands = 0, nmatched = 0;
	size_t ess;
	int err;

	if (r->kind == BPFH_CORE_TYPE_ID_LOCAL) {
		memset(res, 0, sizeof(*res));
		res->orig = res->val = r->type_id;
		res->validate = 1;
		return 0;
	}
	if (!lt->name[0])
		return relo_err(r, "CO-RE relocation of %s (%s) cannot be resolved: the local "
				"type is anonymous, and types are found by name", r->desc,
				r->access);
	ess = essential_len(lt->name);
	for (id = 1; id < n; id++) {
		tt = type_of(r->targ, id);
		if (!kinds_compat(lt, tt) || !tt->name[0] || essential_len(tt->name) != ess ||
		    strncmp(tt->name, lt->name, ess))
			continue;
		ncands++;
		err = spec_match(r, l, id, &cand);
		if (err < 0)
			return comparison_error(r, err);
		if (err == 0)
			continue;
		err = calc(r, l, &cand, &cres);
		if (err)
			return err;
		if (!nmatched) {
			*res = cres;
			first = id;
			first_bits = cand.bit_offset;
		} else if (cand.bit_offset != first_bits || cres.poison != res->poison ||
			   cres.val != res->val) {
			return relo_err(r, "CO-RE relocation of %s (%s) is ambiguous: target "
					"types %u (%s) and %u (%s) give %llu and %llu", r->desc,
					r->access, first, type_of(r->targ, first)->name, id,
					tt->name, (unsigned long long)res->val,
					(unsigned long long)cres.val);
		}
		nmatched++;
	}
	if (nmatched)
		return 0;
	if (!ncands)
		set_why(r, "no %s %.*s in the target BTF", kind_words[lt->kind], (int)ess,
			lt->name);
	return calc(r, l, NULL, res);
}

static int insn_size(uint8_t code)
{
	static const int sizes[4] = { 4, 2, 1, 8 };

	return sizes[(code >> 3) & 3];
}

static int size_code(uint32_t bytes)
{
	switch (bytes) {
	case 4:
		return 0x00;
	case 2:
		return 0x08;
	case 1:
		return 0x10;
	case 8:
		return 0x18;
	default:
		return -1;
	}
}

static int patch(const struct relo *r, struct bpfh_insn *insns, size_t n,
		 const struct result *res)
{
	struct bpfh_insn *in = &insns[r->insn];
	uint8_t cls = in->code & 7;
	char dis[96];
	uint64_t imm;
	int sc;

	bpfh_disasm_insn(insns, n, r->insn, BPFH_DISASM_C, dis, sizeof(dis));
	switch (cls) {
	case CLASS_BPF_ALU:
	case CLASS_BPF_ALU64:
		if (in->code & SRC_X)
			break;
		if (res->validate && (uint64_t)(int64_t)in->imm != res->orig &&
		    (uint64_t)(uint32_t)in->imm != res->orig)
			goto mismatch;
		if (res->val > UINT32_MAX && res->val < (uint64_t)INT32_MIN)
			return relo_err(r, "CO-RE relocation of %s (%s): the value %llu does not "
					"fit the 32-bit immediate of %s", r->desc, r->access,
					(unsigned long long)res->val, dis);
		in->imm = (int32_t)(uint32_t)res->val;
		return 0;
	case CLASS_BPF_LDX:
	case CLASS_BPF_ST:
	case CLASS_BPF_STX:
		if (res->validate && (uint64_t)(int64_t)in->off != res->orig)
			goto mismatch;
		if (res->val > INT16_MAX)
			return relo_err(r, "CO-RE relocation of %s (%s): offset %llu does not fit "
					"the 16-bit offset of %s", r->desc, r->access,
					(unsigned long long)res->val, dis);
		if (res->resize_fail)
			return relo_err(r, "CO-RE relocation of %s (%s): the field is %u bytes in "
					"the target and %u here, and not both unsigned integers "
					"or pointers: %s cannot be resized", r->desc, r->access,
					res->new_sz, res->orig_sz, dis);
		if (res->new_sz != res->orig_sz) {
			sc = size_code(res->new_sz);
			if ((uint32_t)insn_size(in->code) != res->orig_sz || sc < 0)
				return relo_err(r, "CO-RE relocation of %s (%s): %s accesses %d "
						"bytes of a %u-byte field, which is %u bytes in "
						"the target", r->desc, r->access, dis,
						insn_size(in->code), res->orig_sz, res->new_sz);
			in->code = (uint8_t)((in->code & ~0x18) | sc);
		}
		in->off = (int16_t)res->val;
		return 0;
	case CLASS_BPF_LD:
		if (in->code != CODE_LDDW || (size_t)r->insn + 1 >= n || in->src || in->off ||
		    in[1].code || in[1].dst || in[1].src || in[1].off)
			break;
		imm = (uint64_t)(uint32_t)in->imm | (uint64_t)(uint32_t)in[1].imm << 32;
		if (res->validate && imm != res->orig)
			goto mismatch;
		in->imm = (int32_t)(uint32_t)res->val;
		in[1].imm = (int32_t)(uint32_t)(res->val >> 32);
		return 0;
	default:
		break;
	}
	return relo_err(r, "CO-RE relocation of %s (%s) applies to %s, which is not an ALU "
			"instruction with an immediate, a load or store, or an lddw of a constant",
			r->desc, r->access, dis);
mismatch:
	return relo_err(r, "CO-RE %s relocation of %s (%s): %s does not hold %llu, the value "
			"the local type gives", relo_names[r->kind], r->desc, r->access, dis,
			(unsigned long long)res->orig);
}

static int apply_one(struct bpfh_oload *ld, uint32_t sec, const uint8_t *rec)
{
	struct relo r;
	struct spec local;
	struct result res;
	int err;

	memset(&r, 0, sizeof(r));
	r.ld = ld;
	r.local = ld->obj->btf;
	r.targ = ld->opts.target_btf;
	r.sec = sec;
	r.insn = bpfh_rd32(rec) / 8;
	r.type_id = bpfh_rd32(rec + 4);
	r.access = bpfh_btf_str(r.local, bpfh_rd32(rec + 8));
	r.kind = bpfh_rd32(rec + 12);
	r.budget = STEP_BUDGET;
	err = parse_spec(&r, &local);
	if (err)
		return err;
	describe(&r, &local);
	err = resolve(&r, &local, &res);
	if (err)
		return err;
	if (res.poison)
		return relo_err(&r, "CO-RE relocation of %s (%s) cannot be resolved: %s", r.desc,
				r.access, r.why[0] ? r.why : "the target has no match");
	return patch(&r, ld->secs[sec].insns, ld->secs[sec].ninsns, &res);
}

int bpfh_obj_core_apply(struct bpfh_oload *ld)
{
	size_t i;
	uint32_t k;
	int err;

	if (!ld->opts.target_btf || !ld->has_ext)
		return 0;
	for (i = 0; i < ld->ext.nsecs[BPFH_EXT_CORE]; i++) {
		const struct bpfh_ext_sec *es = &ld->ext.secs[BPFH_EXT_CORE][i];
		int sec = bpfh_obj_find_sec(ld, es->sec_name);

		/* bpfh_obj_index_ext checked the section and the offsets, and sorted them. */
		for (k = 0; k < es->nrecs; k++) {
			err = apply_one(ld, (uint32_t)sec,
					es->recs + (size_t)es->order[k].rec * es->rec_size);
			if (err)
				return err;
		}
	}
	return 0;
}
