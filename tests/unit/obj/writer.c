// SPDX-License-Identifier: MIT
/*
 * The BTF writer (struct bpfh_btf_builder): every kind it writes, built and read back through
 * the parser's accessors (ids, names, sizes, members with bit offsets and bitfield sizes,
 * enumerators signed and unsigned, parameters, linkage); names stored once; the sticky first
 * error of each misuse (a member with no struct, a bitfield too wide or too far, an enumerator
 * outside 32 bits, a bad modifier kind); and invalid BTF refused by the build with a log line.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bpfhost/btf.h"
#include "../check.h"

static char logbuf[1024];

static void test_kinds(void)
{
	struct bpfh_btf_builder *b = bpfh_btf_builder_create();
	struct bpfh_btf *btf = NULL;
	const struct bpfh_btf_type *t;
	struct bpfh_btf_member m;
	struct bpfh_btf_array a;
	struct bpfh_btf_int in;
	struct bpfh_log log;
	const char *name;
	uint32_t type;
	int64_t v;
	int u32, s8, flt, ptr, arr, st, un, en, fwd, td, cst, proto, fn, err;

	if (!CHECK(b))
		return;
	u32 = bpfh_btf_add_int(b, "unsigned int", 4, 0);
	s8 = bpfh_btf_add_int(b, "signed char", 1, BPFH_BTF_INT_SIGNED | BPFH_BTF_INT_CHAR);
	flt = bpfh_btf_add_float(b, "double", 8);
	ptr = bpfh_btf_add_ptr(b, 0);
	arr = bpfh_btf_add_array(b, (uint32_t)s8, (uint32_t)u32, 3);
	st = bpfh_btf_add_struct(b, "pair", 16);
	CHECK(bpfh_btf_add_member(b, "lo", (uint32_t)u32, 0, 0) == 0);
	CHECK(bpfh_btf_add_member(b, "flags", (uint32_t)u32, 32, 5) == 0);
	CHECK(bpfh_btf_add_member(b, "p", (uint32_t)ptr, 64, 0) == 0);
	un = bpfh_btf_add_union(b, "", 8);
	CHECK(bpfh_btf_add_member(b, "d", (uint32_t)flt, 0, 0) == 0);
	CHECK(bpfh_btf_add_member(b, "c", (uint32_t)arr, 0, 0) == 0);
	en = bpfh_btf_add_enum(b, "sign", 4, 1);
	CHECK(bpfh_btf_add_enumerator(b, "NEG", -7) == 0);
	CHECK(bpfh_btf_add_enumerator(b, "POS", 7) == 0);
	fwd = bpfh_btf_add_fwd(b, "later", 1);
	td = bpfh_btf_add_typedef(b, "pair_t", (uint32_t)st);
	cst = bpfh_btf_add_modifier(b, BPFH_BTF_KIND_CONST, (uint32_t)td);
	proto = bpfh_btf_add_func_proto(b, (uint32_t)u32);
	CHECK(bpfh_btf_add_param(b, "x", (uint32_t)cst) == 0);
	CHECK(bpfh_btf_add_param(b, "", 0) == 0);
	fn = bpfh_btf_add_func(b, "f", (uint32_t)proto, BPFH_BTF_LINKAGE_GLOBAL);
	CHECK(u32 == 1 && s8 == 2 && flt == 3 && ptr == 4 && arr == 5 && st == 6 && un == 7 &&
	      en == 8 && fwd == 9 && td == 10 && cst == 11 && proto == 12 && fn == 13);
	bpfh_log_init(&log, logbuf, sizeof(logbuf));
	err = bpfh_btf_builder_build(b, "built", &log, &btf);
	bpfh_btf_builder_destroy(b);
	if (!CHECKF(err == 0 && btf, "%d: %s", err, logbuf))
		return;
	CHECK(bpfh_btf_type_count(btf) == 14);
	t = bpfh_btf_type_by_id(btf, (uint32_t)s8);
	CHECK(t->kind == BPFH_BTF_KIND_INT && !strcmp(t->name, "signed char") && t->size == 1);
	CHECK(bpfh_btf_int(btf, (uint32_t)s8, &in) == 0 && in.bits == 8 && in.offset == 0 &&
	      in.encoding == (BPFH_BTF_INT_SIGNED | BPFH_BTF_INT_CHAR));
	CHECK(bpfh_btf_type_by_id(btf, (uint32_t)flt)->kind == BPFH_BTF_KIND_FLOAT);
	CHECK(bpfh_btf_type_by_id(btf, (uint32_t)ptr)->type == 0 && bpfh_btf_size(btf, 4) == 8);
	CHECK(bpfh_btf_array(btf, (uint32_t)arr, &a) == 0 && a.type == (uint32_t)s8 &&
	      a.index_type == (uint32_t)u32 && a.nelems == 3 && bpfh_btf_size(btf, 5) == 3);
	t = bpfh_btf_type_by_id(btf, (uint32_t)st);
	CHECK(t->kind == BPFH_BTF_KIND_STRUCT && t->vlen == 3 && t->kflag && t->size == 16);
	CHECK(bpfh_btf_member(btf, (uint32_t)st, 1, &m) == 0 && !strcmp(m.name, "flags") &&
	      m.bit_offset == 32 && m.bitfield_size == 5);
	CHECK(bpfh_btf_member_by_name(btf, (uint32_t)st, "p", &m) == 0 && m.bit_offset == 64 &&
	      m.bitfield_size == 0 && m.type == (uint32_t)ptr);
	CHECK(bpfh_btf_align(btf, (uint32_t)st) == 8);
	t = bpfh_btf_type_by_id(btf, (uint32_t)un);
	CHECK(t->kind == BPFH_BTF_KIND_UNION && !t->kflag && t->vlen == 2 && t->name[0] == '\0');
	t = bpfh_btf_type_by_id(btf, (uint32_t)en);
	CHECK(t->kind == BPFH_BTF_KIND_ENUM && t->kflag && t->vlen == 2);
	CHECK(bpfh_btf_enum_value(btf, (uint32_t)en, 0, &name, &v) == 0 && !strcmp(name, "NEG") &&
	      v == -7);
	CHECK(bpfh_btf_type_by_id(btf, (uint32_t)fwd)->kind == BPFH_BTF_KIND_FWD &&
	      bpfh_btf_type_by_id(btf, (uint32_t)fwd)->kflag);
	CHECK(bpfh_btf_resolve(btf, (uint32_t)cst) == (uint32_t)st);
	CHECK(bpfh_btf_find(btf, "pair_t", BPFH_BTF_KIND_TYPEDEF) == td);
	CHECK(bpfh_btf_param(btf, (uint32_t)proto, 0, &name, &type) == 0 && !strcmp(name, "x") &&
	      type == (uint32_t)cst);
	CHECK(bpfh_btf_param(btf, (uint32_t)proto, 1, &name, &type) == 0 && type == 0);
	t = bpfh_btf_type_by_id(btf, (uint32_t)fn);
	CHECK(t->kind == BPFH_BTF_KIND_FUNC && t->type == (uint32_t)proto &&
	      t->vlen == BPFH_BTF_LINKAGE_GLOBAL);
	bpfh_btf_destroy(btf);
}

/* Names are stored once, and a name that ends another is stored as its tail. */
static void test_strings(void)
{
	struct bpfh_btf_builder *b = bpfh_btf_builder_create();
	void *data;
	size_t size, i;
	int base;

	if (!CHECK(b))
		return;
	base = bpfh_btf_add_int(b, "unsigned int", 4, 0);
	bpfh_btf_add_typedef(b, "__u32", (uint32_t)base);
	bpfh_btf_add_typedef(b, "__u32", (uint32_t)base);
	bpfh_btf_add_typedef(b, "int", (uint32_t)base);     /* the tail of "unsigned int" */
	CHECK(bpfh_btf_builder_finish(b, &data, &size) == 0);
	/* header, 4 types of 16 + 12 + 12 + 12 bytes, strings "\0unsigned int\0__u32\0" */
	CHECK(size == 24 + 52 + 1 + 13 + 6);
	for (i = 0; data && i + 11 <= size; i++)
		CHECK(memcmp((char *)data + i, "__u32\0__u32", 11) != 0);
	free(data);
	bpfh_btf_builder_destroy(b);
	bpfh_btf_builder_destroy(NULL);
}

/* Each misuse gives its errno, which sticks: later adds and the build return it too. */
static void test_errors(void)
{
	static const struct {
		const char *what;
		int err;
	} cases[] = {
		{ "member without a struct", -EINVAL },
		{ "enumerator without an enum", -EINVAL },
		{ "bitfield of 256 bits", -EINVAL },
		{ "bitfield past 2^24 bits", -EINVAL },
		{ "plain member past 2^24 bits, then a bitfield", -EINVAL },
		{ "enumerator above 32 bits", -ERANGE },
		{ "enumerator below -2^31", -ERANGE },
		{ "modifier of kind INT", -EINVAL },
		{ "INT of 3 bytes", -EINVAL },
		{ "FUNC linkage 3", -EINVAL },
		{ "parameter of a struct", -EINVAL },
	};
	struct bpfh_btf *btf = NULL;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct bpfh_btf_builder *b = bpfh_btf_builder_create();
		int u = b ? bpfh_btf_add_int(b, "u", 4, 0) : -1, err = 0;
		void *data = (void *)1;
		size_t size = 1;

		if (!CHECK(b && u == 1))
			return;
		switch (i) {
		case 0:
			err = bpfh_btf_add_member(b, "m", 1, 0, 0);
			break;
		case 1:
			err = bpfh_btf_add_enumerator(b, "E", 1);
			break;
		case 2:
			bpfh_btf_add_struct(b, "s", 64);
			err = bpfh_btf_add_member(b, "m", 1, 0, 256);
			break;
		case 3:
			bpfh_btf_add_struct(b, "s", 4);
			err = bpfh_btf_add_member(b, "m", 1, 1u << 24, 3);
			break;
		case 4:
			bpfh_btf_add_struct(b, "s", 4);
			bpfh_btf_add_member(b, "m", 1, 1u << 24, 0);
			err = bpfh_btf_add_member(b, "n", 1, 0, 3);
			break;
		case 5:
			bpfh_btf_add_enum(b, "e", 4, 0);
			err = bpfh_btf_add_enumerator(b, "E", (int64_t)UINT32_MAX + 1);
			break;
		case 6:
			bpfh_btf_add_enum(b, "e", 4, 1);
			err = bpfh_btf_add_enumerator(b, "E", (int64_t)INT32_MIN - 1);
			break;
		case 7:
			err = bpfh_btf_add_modifier(b, BPFH_BTF_KIND_INT, 1);
			break;
		case 8:
			err = bpfh_btf_add_int(b, "odd", 3, 0);
			break;
		case 9:
			err = bpfh_btf_add_func(b, "f", 1, 3);
			break;
		case 10:
			bpfh_btf_add_struct(b, "s", 4);
			err = bpfh_btf_add_param(b, "p", 1);
			break;
		}
		CHECKF(err == cases[i].err, "%s: %d", cases[i].what, err);
		CHECKF(bpfh_btf_add_int(b, "v", 4, 0) == cases[i].err, "%s", cases[i].what);
		CHECKF(bpfh_btf_builder_finish(b, &data, &size) == cases[i].err && !data && !size,
		       "%s", cases[i].what);
		CHECKF(bpfh_btf_builder_build(b, "x", NULL, &btf) == cases[i].err && !btf, "%s",
		       cases[i].what);
		bpfh_btf_builder_destroy(b);
	}
}

/* The writer encodes; the parser judges: a member that does not fit, a missing id. */
static void test_invalid(void)
{
	struct bpfh_btf_builder *b = bpfh_btf_builder_create();
	struct bpfh_btf *btf = NULL;
	struct bpfh_log log;

	if (!CHECK(b))
		return;
	bpfh_btf_add_int(b, "u", 4, 0);
	bpfh_btf_add_struct(b, "s", 4);
	bpfh_btf_add_member(b, "a", 1, 0, 0);
	bpfh_btf_add_member(b, "b", 1, 32, 0);
	bpfh_log_init(&log, logbuf, sizeof(logbuf));
	CHECK(bpfh_btf_builder_build(b, "bad.btf", &log, &btf) == -EINVAL && !btf);
	CHECKF(strstr(logbuf, "bad.btf: section .BTF, offset 0x") &&
	       strstr(logbuf, "member 1 'b' (bit 32, 4 bytes) does not fit in 4 bytes"), "%s",
	       logbuf);
	bpfh_btf_builder_destroy(b);
	b = bpfh_btf_builder_create();
	if (!CHECK(b))
		return;
	bpfh_btf_add_ptr(b, 7);
	bpfh_log_init(&log, logbuf, sizeof(logbuf));
	CHECK(bpfh_btf_builder_build(b, "bad.btf", &log, &btf) == -EINVAL && !btf);
	CHECKF(strstr(logbuf, "refers to type 7; the last type is 1"), "%s", logbuf);
	bpfh_btf_builder_destroy(b);
}

int main(void)
{
	test_kinds();
	test_strings();
	test_errors();
	test_invalid();
	return check_summary("obj-writer");
}
