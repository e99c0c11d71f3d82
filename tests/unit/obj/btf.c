// SPDX-License-Identifier: MIT
/*
 * BTF (include/bpfhost/btf.h) on hand-built type sections: every kind and accessor on a valid
 * set, then malformed sets, each refused with a message naming section .BTF and an offset:
 * header fields, bounds, unknown kinds, bad ids and strings, cycles through typedefs, arrays
 * and members (pointer cycles stay legal), sizes that overflow or do not fit. A chain of
 * 200000 typedefs checks that nothing recurses on the C stack. Needs no compiled objects.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bpfhost/btf.h"
#include "../check.h"

/* A BTF builder: types and strings, then one buffer with the header in front. */
struct bb {
	uint8_t *types;
	size_t tlen, tcap;
	char strs[4096];
	size_t slen;
	uint32_t ntypes;
	uint8_t *out;
	size_t size;
};

static void bb_init(struct bb *b)
{
	memset(b, 0, sizeof(*b));
	b->slen = 1; /* "" at offset 0 */
}

static uint32_t bb_str(struct bb *b, const char *s)
{
	uint32_t off = (uint32_t)b->slen;
	size_t n = strlen(s) + 1;

	if (!*s)
		return 0;
	memcpy(b->strs + b->slen, s, n);
	b->slen += n;
	return off;
}

static void bb_u32(struct bb *b, uint32_t v)
{
	if (b->tlen + 4 > b->tcap) {
		b->tcap = b->tcap ? b->tcap * 2 : 256;
		b->types = realloc(b->types, b->tcap);
	}
	b->types[b->tlen++] = (uint8_t)v;
	b->types[b->tlen++] = (uint8_t)(v >> 8);
	b->types[b->tlen++] = (uint8_t)(v >> 16);
	b->types[b->tlen++] = (uint8_t)(v >> 24);
}

/* Add a type header; returns its id. Kind-specific data follows with bb_u32. */
static uint32_t bb_type(struct bb *b, const char *name, uint32_t kind, uint32_t vlen, int kflag,
			uint32_t size_type)
{
	bb_u32(b, bb_str(b, name));
	bb_u32(b, (kflag ? 1u << 31 : 0) | kind << 24 | vlen);
	bb_u32(b, size_type);
	return ++b->ntypes;
}

static void bb_finish(struct bb *b)
{
	size_t hdr = 24;

	b->size = hdr + b->tlen + b->slen;
	b->out = calloc(1, b->size);
	b->out[0] = 0x9f;
	b->out[1] = 0xeb;
	b->out[2] = 1;
	b->out[4] = (uint8_t)hdr;
	memcpy(b->out + 8, &(uint32_t){ 0 }, 4);
	b->out[12] = (uint8_t)b->tlen;
	b->out[13] = (uint8_t)(b->tlen >> 8);
	b->out[14] = (uint8_t)(b->tlen >> 16);
	b->out[15] = (uint8_t)(b->tlen >> 24);
	b->out[16] = (uint8_t)b->tlen;
	b->out[17] = (uint8_t)(b->tlen >> 8);
	b->out[18] = (uint8_t)(b->tlen >> 16);
	b->out[19] = (uint8_t)(b->tlen >> 24);
	b->out[20] = (uint8_t)b->slen;
	b->out[21] = (uint8_t)(b->slen >> 8);
	if (b->tlen)
		memcpy(b->out + hdr, b->types, b->tlen);
	memcpy(b->out + hdr + b->tlen, b->strs, b->slen);
}

static void bb_free(struct bb *b)
{
	free(b->types);
	free(b->out);
}

static char logbuf[4096];

static int parse(const void *data, size_t size, struct bpfh_btf **out)
{
	struct bpfh_log log;

	bpfh_log_init(&log, logbuf, sizeof(logbuf));
	return bpfh_btf_create(data, size, "t.o", &log, out);
}

/* Expect the blob to be refused with a message that names .BTF and contains what. */
static void expect_bad(const struct bb *b, const char *what, int line)
{
	struct bpfh_btf *btf = NULL;
	int err = parse(b->out, b->size, &btf);

	check_report(err == -EINVAL, __FILE__, line, "refused", "got %d for \"%s\"", err, what);
	check_report(!strncmp(logbuf, "t.o: section .BTF, offset 0x", 28) &&
		     strstr(logbuf, what) != NULL, __FILE__, line, "message", "\"%s\" lacks \"%s\"",
		     logbuf, what);
	bpfh_btf_destroy(btf);
}

#define EXPECT_BAD(b, what) expect_bad((b), (what), __LINE__)

static void test_valid(void)
{
	struct bb b;
	struct bpfh_btf *btf = NULL;
	uint32_t t_int, t_char, t_bool, t_ptr, t_struct, t_arr, t_td, t_const, t_enum, t_enum64;
	uint32_t t_proto, t_func, t_var, t_sec, t_float, t_tag, t_ttag, t_union, t_fwd, t_self;
	uint32_t t_ptr_self, t_vol, t_long;
	struct bpfh_btf_member m;
	struct bpfh_btf_int in;
	struct bpfh_btf_array a;
	struct bpfh_btf_var_secinfo vi;
	const struct bpfh_btf_type *t;
	const char *name;
	int64_t v;
	uint32_t u;
	int32_t ci;

	bb_init(&b);
	t_int = bb_type(&b, "int", BPFH_BTF_KIND_INT, 0, 0, 4);
	bb_u32(&b, 1u << 24 | 32);                        /* signed, 32 bits */
	t_char = bb_type(&b, "char", BPFH_BTF_KIND_INT, 0, 0, 1);
	bb_u32(&b, 2u << 24 | 8);
	t_bool = bb_type(&b, "_Bool", BPFH_BTF_KIND_INT, 0, 0, 1);
	bb_u32(&b, 4u << 24 | 8);
	t_long = bb_type(&b, "long", BPFH_BTF_KIND_INT, 0, 0, 8);
	bb_u32(&b, 1u << 24 | 64);
	/* struct pkt { int a; char c:3, d:5; long l; struct pkt *next; char name[6]; } */
	t_struct = bb_type(&b, "pkt", BPFH_BTF_KIND_STRUCT, 6, 1, 40);
	t_ptr = t_struct + 1;
	t_arr = t_struct + 2;
	bb_u32(&b, bb_str(&b, "a")); bb_u32(&b, t_int); bb_u32(&b, 0);
	bb_u32(&b, bb_str(&b, "c")); bb_u32(&b, t_char); bb_u32(&b, 3u << 24 | 32);
	bb_u32(&b, bb_str(&b, "d")); bb_u32(&b, t_char); bb_u32(&b, 5u << 24 | 35);
	bb_u32(&b, bb_str(&b, "l")); bb_u32(&b, t_long); bb_u32(&b, 64);
	bb_u32(&b, bb_str(&b, "next")); bb_u32(&b, t_ptr); bb_u32(&b, 128);
	bb_u32(&b, bb_str(&b, "name")); bb_u32(&b, t_arr); bb_u32(&b, 192);
	CHECK(bb_type(&b, "", BPFH_BTF_KIND_PTR, 0, 0, t_struct) == t_ptr);
	CHECK(bb_type(&b, "", BPFH_BTF_KIND_ARRAY, 0, 0, 0) == t_arr);
	bb_u32(&b, t_char); bb_u32(&b, t_int); bb_u32(&b, 6);
	t_td = bb_type(&b, "pkt_t", BPFH_BTF_KIND_TYPEDEF, 0, 0, t_struct);
	t_const = bb_type(&b, "", BPFH_BTF_KIND_CONST, 0, 0, t_td);
	t_vol = bb_type(&b, "", BPFH_BTF_KIND_VOLATILE, 0, 0, t_const);
	t_enum = bb_type(&b, "color", BPFH_BTF_KIND_ENUM, 2, 1, 4);
	bb_u32(&b, bb_str(&b, "RED")); bb_u32(&b, (uint32_t)-1);
	bb_u32(&b, bb_str(&b, "BLUE")); bb_u32(&b, 7);
	t_enum64 = bb_type(&b, "big", BPFH_BTF_KIND_ENUM64, 1, 0, 8);
	bb_u32(&b, bb_str(&b, "HUGE")); bb_u32(&b, 0x89abcdef); bb_u32(&b, 0x01234567);
	t_proto = bb_type(&b, "", BPFH_BTF_KIND_FUNC_PROTO, 2, 0, t_int);
	bb_u32(&b, bb_str(&b, "p")); bb_u32(&b, t_ptr);
	bb_u32(&b, 0); bb_u32(&b, 0);                       /* ... */
	t_func = bb_type(&b, "handle", BPFH_BTF_KIND_FUNC, BPFH_BTF_LINKAGE_GLOBAL, 0, t_proto);
	t_var = bb_type(&b, "counter", BPFH_BTF_KIND_VAR, 0, 0, t_vol);
	bb_u32(&b, BPFH_BTF_LINKAGE_GLOBAL);
	t_sec = bb_type(&b, ".data", BPFH_BTF_KIND_DATASEC, 1, 0, 0);
	bb_u32(&b, t_var); bb_u32(&b, 0); bb_u32(&b, 40);
	t_float = bb_type(&b, "double", BPFH_BTF_KIND_FLOAT, 0, 0, 8);
	t_tag = bb_type(&b, "my_tag", BPFH_BTF_KIND_DECL_TAG, 0, 0, t_struct);
	bb_u32(&b, 1);
	t_ttag = bb_type(&b, "user", BPFH_BTF_KIND_TYPE_TAG, 0, 0, t_int);
	t_union = bb_type(&b, "u", BPFH_BTF_KIND_UNION, 2, 0, 8);
	bb_u32(&b, bb_str(&b, "i")); bb_u32(&b, t_ttag); bb_u32(&b, 0);
	bb_u32(&b, bb_str(&b, "f")); bb_u32(&b, t_float); bb_u32(&b, 0);
	t_fwd = bb_type(&b, "opaque", BPFH_BTF_KIND_FWD, 0, 1, 0);
	/* struct self { struct self *p; } through a pointer: legal */
	t_self = bb_type(&b, "self", BPFH_BTF_KIND_STRUCT, 1, 0, 8);
	t_ptr_self = t_self + 1;
	bb_u32(&b, bb_str(&b, "p")); bb_u32(&b, t_ptr_self); bb_u32(&b, 0);
	CHECK(bb_type(&b, "", BPFH_BTF_KIND_PTR, 0, 0, t_self) == t_ptr_self);
	bb_finish(&b);

	if (!CHECKF(parse(b.out, b.size, &btf) == 0, "%s", logbuf)) {
		bb_free(&b);
		return;
	}
	CHECK(bpfh_btf_type_count(btf) == b.ntypes + 1);
	t = bpfh_btf_type_by_id(btf, 0);
	CHECK(t && t->kind == BPFH_BTF_KIND_UNKN);
	CHECK(bpfh_btf_type_by_id(btf, b.ntypes + 1) == NULL);
	t = bpfh_btf_type_by_id(btf, t_struct);
	CHECK(t && t->kind == BPFH_BTF_KIND_STRUCT && t->vlen == 6 && t->kflag && t->size == 40);
	CHECK_STR(t->name, "pkt");
	CHECK(bpfh_btf_find(btf, "pkt", BPFH_BTF_KIND_STRUCT) == t_struct);
	CHECK(bpfh_btf_find(btf, "pkt", -1) == t_struct);
	CHECK(bpfh_btf_find(btf, "pkt", BPFH_BTF_KIND_UNION) == -ENOENT);
	CHECK(bpfh_btf_find(btf, "nothing", -1) == -ENOENT);
	CHECK(bpfh_btf_resolve(btf, t_vol) == t_struct);
	CHECK(bpfh_btf_resolve(btf, t_ttag) == t_int);
	CHECK(bpfh_btf_resolve(btf, t_int) == t_int);
	CHECK(bpfh_btf_resolve(btf, 0) == 0);
	CHECK(bpfh_btf_size(btf, t_struct) == 40);
	CHECK(bpfh_btf_size(btf, t_vol) == 40);
	CHECK(bpfh_btf_size(btf, t_ptr) == 8);
	CHECK(bpfh_btf_size(btf, t_arr) == 6);
	CHECK(bpfh_btf_size(btf, t_var) == 40);
	CHECK(bpfh_btf_size(btf, t_enum64) == 8);
	CHECK(bpfh_btf_size(btf, t_union) == 8);
	CHECK(bpfh_btf_size(btf, t_float) == 8);
	CHECK(bpfh_btf_size(btf, t_func) == -EINVAL);
	CHECK(bpfh_btf_size(btf, t_proto) == -EINVAL);
	CHECK(bpfh_btf_size(btf, t_fwd) == -EINVAL);
	CHECK(bpfh_btf_size(btf, 0) == -EINVAL);
	CHECK(bpfh_btf_size(btf, 100000) == -EINVAL);
	CHECK(bpfh_btf_align(btf, t_struct) == 8);
	CHECK(bpfh_btf_align(btf, t_arr) == 1);
	CHECK(bpfh_btf_align(btf, t_int) == 4);

	CHECK(bpfh_btf_member(btf, t_struct, 0, &m) == 0 && m.type == t_int && m.bit_offset == 0);
	CHECK(bpfh_btf_member(btf, t_struct, 2, &m) == 0 && m.bit_offset == 35 &&
	      m.bitfield_size == 5);
	CHECK_STR(m.name, "d");
	CHECK(bpfh_btf_member_by_name(btf, t_struct, "next", &m) == 0 && m.type == t_ptr &&
	      m.bit_offset == 128 && m.bitfield_size == 0);
	CHECK(bpfh_btf_member_by_name(btf, t_struct, "zzz", &m) == -ENOENT);
	CHECK(bpfh_btf_member(btf, t_struct, 6, &m) == -EINVAL);
	CHECK(bpfh_btf_member(btf, t_int, 0, &m) == -EINVAL);
	CHECK(bpfh_btf_member(btf, t_union, 1, &m) == 0 && m.type == t_float);

	CHECK(bpfh_btf_int(btf, t_int, &in) == 0 && in.encoding == BPFH_BTF_INT_SIGNED &&
	      in.bits == 32 && in.offset == 0);
	CHECK(bpfh_btf_int(btf, t_bool, &in) == 0 && in.encoding == BPFH_BTF_INT_BOOL);
	CHECK(bpfh_btf_int(btf, t_char, &in) == 0 && in.encoding == BPFH_BTF_INT_CHAR);
	CHECK(bpfh_btf_int(btf, t_ptr, &in) == -EINVAL);
	CHECK(bpfh_btf_array(btf, t_arr, &a) == 0 && a.type == t_char && a.index_type == t_int &&
	      a.nelems == 6);
	CHECK(bpfh_btf_enum_value(btf, t_enum, 0, &name, &v) == 0 && v == -1);
	CHECK_STR(name, "RED");
	CHECK(bpfh_btf_enum_value(btf, t_enum, 1, NULL, &v) == 0 && v == 7);
	CHECK(bpfh_btf_enum_value(btf, t_enum, 2, NULL, &v) == -EINVAL);
	CHECK(bpfh_btf_enum_value(btf, t_enum64, 0, &name, &v) == 0 &&
	      v == 0x0123456789abcdefll);
	CHECK(bpfh_btf_param(btf, t_proto, 0, &name, &u) == 0 && u == t_ptr);
	CHECK_STR(name, "p");
	CHECK(bpfh_btf_param(btf, t_proto, 1, &name, &u) == 0 && u == 0);
	CHECK(bpfh_btf_param(btf, t_proto, 2, &name, &u) == -EINVAL);
	CHECK(bpfh_btf_type_by_id(btf, t_func)->vlen == BPFH_BTF_LINKAGE_GLOBAL);
	CHECK(bpfh_btf_var_linkage(btf, t_var, &u) == 0 && u == BPFH_BTF_LINKAGE_GLOBAL);
	CHECK(bpfh_btf_datasec_var(btf, t_sec, 0, &vi) == 0 && vi.type == t_var && vi.size == 40);
	CHECK(bpfh_btf_datasec_var(btf, t_sec, 1, &vi) == -EINVAL);
	CHECK(bpfh_btf_decl_tag(btf, t_tag, &ci) == 0 && ci == 1);
	CHECK(bpfh_btf_type_by_id(btf, t_fwd)->kflag == 1);
	CHECK_STR(bpfh_btf_str(btf, 1), "int");
	CHECK(bpfh_btf_str(btf, (uint32_t)b.slen) == NULL);
	CHECK_STR(bpfh_btf_str(btf, 0), "");

	/* The loader's fix-up of a DATASEC: the size first, then offsets that fit. */
	CHECK(bpfh_btf_set_datasec(btf, t_sec, 64) == 0);
	CHECK(bpfh_btf_type_by_id(btf, t_sec)->size == 64);
	CHECK(bpfh_btf_size(btf, t_sec) == 64);
	CHECK(bpfh_btf_set_datasec_var(btf, t_sec, 0, 24) == 0);
	CHECK(bpfh_btf_datasec_var(btf, t_sec, 0, &vi) == 0 && vi.offset == 24);
	CHECK(bpfh_btf_set_datasec_var(btf, t_sec, 0, 25) == -EINVAL);
	CHECK(bpfh_btf_set_datasec(btf, t_sec, 32) == -EINVAL);
	CHECK(bpfh_btf_set_datasec(btf, t_struct, 32) == -EINVAL);
	bpfh_btf_destroy(btf);
	bpfh_btf_destroy(NULL);
	bb_free(&b);

	/* BTF with no types at all is fine. */
	bb_init(&b);
	bb_finish(&b);
	CHECKF(parse(b.out, b.size, &btf) == 0, "%s", logbuf);
	CHECK(bpfh_btf_type_count(btf) == 1);
	bpfh_btf_destroy(btf);
	bb_free(&b);
}

static void test_header(void)
{
	struct bb b;
	uint8_t *c;

	bb_init(&b);
	bb_u32(&b, 0); /* placeholder type area, replaced below */
	b.tlen = 0;
	bb_type(&b, "int", BPFH_BTF_KIND_INT, 0, 0, 4);
	bb_u32(&b, 32);
	bb_finish(&b);
	c = b.out;

	{
		struct bpfh_btf *btf;
		CHECK(parse(c, 10, &btf) == -EINVAL && strstr(logbuf, "offset 0x0: 10 bytes are "
							       "too short"));
	}
	c[0] = 0xeb; c[1] = 0x9f;
	EXPECT_BAD(&b, "magic 0x9feb");
	c[0] = 0x9f; c[1] = 0xeb;
	c[2] = 2;
	EXPECT_BAD(&b, "offset 0x2: version 2");
	c[2] = 1;
	c[3] = 1;
	EXPECT_BAD(&b, "offset 0x3: flags");
	c[3] = 0;
	c[4] = 8;
	EXPECT_BAD(&b, "offset 0x4: header length 8");
	c[4] = 24;
	c[8] = 2;
	EXPECT_BAD(&b, "not 4-byte aligned");
	c[8] = 0;
	c[12] = 200;
	EXPECT_BAD(&b, "offset 0x8: type section at 0x0, 0xc8 bytes, is past the end");
	c[12] = 16;
	c[20] = 100;
	EXPECT_BAD(&b, "offset 0x10: string section");
	c[20] = (uint8_t)b.slen;
	c[b.size - 1] = 'x';
	EXPECT_BAD(&b, "start and end with a NUL");
	c[b.size - 1] = 0;
	c[16] = 0;
	EXPECT_BAD(&b, "overlap");
	bb_free(&b);
}

static void test_types(void)
{
	struct bb b;
	uint32_t a, p, s, i;

	/* unknown kind */
	bb_init(&b);
	bb_type(&b, "x", 25, 0, 0, 4);
	bb_finish(&b);
	EXPECT_BAD(&b, "offset 0x1c: type [1]: unknown kind 25");
	bb_free(&b);

	/* truncated record: a struct that claims two members and has one */
	bb_init(&b);
	bb_type(&b, "int", BPFH_BTF_KIND_INT, 0, 0, 4);
	bb_u32(&b, 32);
	bb_type(&b, "s", BPFH_BTF_KIND_STRUCT, 2, 0, 8);
	bb_u32(&b, 0); bb_u32(&b, 1); bb_u32(&b, 0);
	bb_finish(&b);
	EXPECT_BAD(&b, "type [2] STRUCT: its 24 bytes of data run past the end");
	bb_free(&b);

	/* header cut short */
	bb_init(&b);
	bb_type(&b, "int", BPFH_BTF_KIND_INT, 0, 0, 4);
	bb_u32(&b, 32);
	b.tlen -= 2;
	bb_finish(&b);
	EXPECT_BAD(&b, "type [1] INT: its 4 bytes of data run past the end");
	bb_free(&b);

	/* name offset outside the strings */
	bb_init(&b);
	bb_u32(&b, 5000); bb_u32(&b, BPFH_BTF_KIND_INT << 24); bb_u32(&b, 4); bb_u32(&b, 32);
	b.ntypes = 1;
	bb_finish(&b);
	EXPECT_BAD(&b, "string offset 0x1388 is outside the string section");
	bb_free(&b);

	/* reference to a missing type */
	bb_init(&b);
	bb_type(&b, "", BPFH_BTF_KIND_PTR, 0, 0, 7);
	bb_finish(&b);
	EXPECT_BAD(&b, "type [1] PTR '': it refers to type 7; the last type is 1");
	bb_free(&b);

	/* member of a missing type, with the member's offset in the message */
	bb_init(&b);
	bb_type(&b, "s", BPFH_BTF_KIND_STRUCT, 1, 0, 4);
	bb_u32(&b, 0); bb_u32(&b, 9); bb_u32(&b, 0);
	bb_finish(&b);
	EXPECT_BAD(&b, "offset 0x28: type [1] STRUCT 's': a member refers to type 9");
	bb_free(&b);

	/* typedef loop a -> b -> a */
	bb_init(&b);
	bb_type(&b, "a", BPFH_BTF_KIND_TYPEDEF, 0, 0, 2);
	bb_type(&b, "b", BPFH_BTF_KIND_CONST, 0, 0, 1);
	bb_finish(&b);
	EXPECT_BAD(&b, "contains itself");
	bb_free(&b);

	/* a modifier that refers to itself */
	bb_init(&b);
	bb_type(&b, "", BPFH_BTF_KIND_VOLATILE, 0, 0, 1);
	bb_finish(&b);
	EXPECT_BAD(&b, "type [1] VOLATILE '': contains itself through type 1");
	bb_free(&b);

	/* a struct that contains itself by value, through an array */
	bb_init(&b);
	s = bb_type(&b, "s", BPFH_BTF_KIND_STRUCT, 1, 0, 16);
	bb_u32(&b, bb_str(&b, "inner")); bb_u32(&b, 2); bb_u32(&b, 0);
	a = bb_type(&b, "", BPFH_BTF_KIND_ARRAY, 0, 0, 0);
	bb_u32(&b, s); bb_u32(&b, s); bb_u32(&b, 2);
	(void)a;
	bb_finish(&b);
	EXPECT_BAD(&b, "contains itself");
	bb_free(&b);

	/* pointer cycles without a value cycle are fine: ptr -> ptr -> ptr */
	bb_init(&b);
	p = bb_type(&b, "", BPFH_BTF_KIND_PTR, 0, 0, 2);
	bb_type(&b, "", BPFH_BTF_KIND_PTR, 0, 0, p);
	bb_finish(&b);
	{
		struct bpfh_btf *btf = NULL;

		CHECKF(parse(b.out, b.size, &btf) == 0, "%s", logbuf);
		CHECK(bpfh_btf_size(btf, p) == 8);
		bpfh_btf_destroy(btf);
	}
	bb_free(&b);

	/* bad INT sizes and bit counts */
	bb_init(&b);
	bb_type(&b, "i3", BPFH_BTF_KIND_INT, 0, 0, 3);
	bb_u32(&b, 24);
	bb_finish(&b);
	EXPECT_BAD(&b, "offset 0x20: type [1] INT 'i3': size 3 is not 1, 2, 4, 8 or 16");
	bb_free(&b);
	bb_init(&b);
	bb_type(&b, "i", BPFH_BTF_KIND_INT, 0, 0, 4);
	bb_u32(&b, 8u << 16 | 30);
	bb_finish(&b);
	EXPECT_BAD(&b, "30 bits at bit 8 do not fit in 4 bytes");
	bb_free(&b);

	/* array whose size overflows 32 bits */
	bb_init(&b);
	i = bb_type(&b, "long", BPFH_BTF_KIND_INT, 0, 0, 8);
	bb_u32(&b, 64);
	bb_type(&b, "", BPFH_BTF_KIND_ARRAY, 0, 0, 0);
	bb_u32(&b, i); bb_u32(&b, i); bb_u32(&b, 0x40000000);
	bb_finish(&b);
	EXPECT_BAD(&b, "overflow 32 bits");
	bb_free(&b);

	/* array of functions, member of void */
	bb_init(&b);
	bb_type(&b, "", BPFH_BTF_KIND_FUNC_PROTO, 0, 0, 0);
	bb_type(&b, "", BPFH_BTF_KIND_ARRAY, 0, 0, 0);
	bb_u32(&b, 1); bb_u32(&b, 1); bb_u32(&b, 2);
	bb_finish(&b);
	EXPECT_BAD(&b, "element type 1 is a FUNC_PROTO");
	bb_free(&b);
	bb_init(&b);
	bb_type(&b, "s", BPFH_BTF_KIND_STRUCT, 1, 0, 4);
	bb_u32(&b, 0); bb_u32(&b, 0); bb_u32(&b, 0);
	bb_finish(&b);
	EXPECT_BAD(&b, "member 0 has type 0, a UNKN");
	bb_free(&b);

	/* member past the end of its struct; a bitfield past it */
	bb_init(&b);
	i = bb_type(&b, "int", BPFH_BTF_KIND_INT, 0, 0, 4);
	bb_u32(&b, 32);
	bb_type(&b, "s", BPFH_BTF_KIND_STRUCT, 1, 0, 4);
	bb_u32(&b, bb_str(&b, "x")); bb_u32(&b, i); bb_u32(&b, 8);
	bb_finish(&b);
	EXPECT_BAD(&b, "member 0 'x' (bit 8, 4 bytes) does not fit in 4 bytes");
	bb_free(&b);
	bb_init(&b);
	i = bb_type(&b, "int", BPFH_BTF_KIND_INT, 0, 0, 4);
	bb_u32(&b, 32);
	bb_type(&b, "s", BPFH_BTF_KIND_STRUCT, 1, 1, 4);
	bb_u32(&b, bb_str(&b, "x")); bb_u32(&b, i); bb_u32(&b, 4u << 24 | 30);
	bb_finish(&b);
	EXPECT_BAD(&b, "does not fit in 4 bytes");
	bb_free(&b);

	/* member of a forward-declared (size-less) struct */
	bb_init(&b);
	bb_type(&b, "f", BPFH_BTF_KIND_FWD, 0, 0, 0);
	bb_type(&b, "s", BPFH_BTF_KIND_STRUCT, 1, 0, 4);
	bb_u32(&b, 0); bb_u32(&b, 1); bb_u32(&b, 0);
	bb_finish(&b);
	EXPECT_BAD(&b, "of no size");
	bb_free(&b);

	/* FUNC that is not a FUNC_PROTO; bad linkage */
	bb_init(&b);
	i = bb_type(&b, "int", BPFH_BTF_KIND_INT, 0, 0, 4);
	bb_u32(&b, 32);
	bb_type(&b, "f", BPFH_BTF_KIND_FUNC, 0, 0, i);
	bb_finish(&b);
	EXPECT_BAD(&b, "type [2] FUNC 'f': refers to type 1, a INT, not a FUNC_PROTO");
	bb_free(&b);
	bb_init(&b);
	bb_type(&b, "", BPFH_BTF_KIND_FUNC_PROTO, 0, 0, 0);
	bb_type(&b, "f", BPFH_BTF_KIND_FUNC, 7, 0, 1);
	bb_finish(&b);
	EXPECT_BAD(&b, "linkage 7");
	bb_free(&b);

	/* void parameter before the last; DATASEC entry that is not a VAR; past its end */
	bb_init(&b);
	i = bb_type(&b, "int", BPFH_BTF_KIND_INT, 0, 0, 4);
	bb_u32(&b, 32);
	bb_type(&b, "", BPFH_BTF_KIND_FUNC_PROTO, 2, 0, 0);
	bb_u32(&b, 0); bb_u32(&b, 0); bb_u32(&b, 0); bb_u32(&b, i);
	bb_finish(&b);
	EXPECT_BAD(&b, "parameter 0 is void but not the last");
	bb_free(&b);
	bb_init(&b);
	i = bb_type(&b, "int", BPFH_BTF_KIND_INT, 0, 0, 4);
	bb_u32(&b, 32);
	bb_type(&b, ".data", BPFH_BTF_KIND_DATASEC, 1, 0, 4);
	bb_u32(&b, i); bb_u32(&b, 0); bb_u32(&b, 4);
	bb_finish(&b);
	EXPECT_BAD(&b, "entry 0 is type 1, a INT, not a VAR or FUNC");
	bb_free(&b);
	bb_init(&b);
	i = bb_type(&b, "int", BPFH_BTF_KIND_INT, 0, 0, 4);
	bb_u32(&b, 32);
	bb_type(&b, "v", BPFH_BTF_KIND_VAR, 0, 0, i);
	bb_u32(&b, 1);
	bb_type(&b, ".data", BPFH_BTF_KIND_DATASEC, 1, 0, 4);
	bb_u32(&b, 2); bb_u32(&b, 2); bb_u32(&b, 4);
	bb_finish(&b);
	EXPECT_BAD(&b, "variable 0 at 0x2, 4 bytes, is past the section's end (4 bytes)");
	bb_free(&b);
}

/* 200000 typedefs in a chain, resolved without recursion. */
static void test_deep_chain(void)
{
	struct bb b;
	struct bpfh_btf *btf = NULL;
	uint32_t i, n = 200000;

	bb_init(&b);
	bb_type(&b, "int", BPFH_BTF_KIND_INT, 0, 0, 4);
	bb_u32(&b, 32);
	for (i = 2; i <= n; i++)
		bb_type(&b, "", BPFH_BTF_KIND_TYPEDEF, 0, 0, i - 1);
	bb_finish(&b);
	if (CHECKF(parse(b.out, b.size, &btf) == 0, "%s", logbuf)) {
		CHECK(bpfh_btf_resolve(btf, n) == 1);
		CHECK(bpfh_btf_size(btf, n) == 4);
	}
	bpfh_btf_destroy(btf);
	bb_free(&b);

	/* The same chain closed into a loop at its end. */
	bb_init(&b);
	for (i = 1; i <= n; i++)
		bb_type(&b, "", BPFH_BTF_KIND_TYPEDEF, 0, 0, i == n ? 1 : i + 1);
	bb_finish(&b);
	EXPECT_BAD(&b, "contains itself");
	bb_free(&b);
}

int main(void)
{
	test_valid();
	test_header();
	test_types();
	test_deep_chain();
	return check_summary("obj-btf");
}
