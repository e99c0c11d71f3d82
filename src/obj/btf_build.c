// SPDX-License-Identifier: MIT
/*
 * The BTF writer (include/bpfhost/btf.h, struct bpfh_btf_builder): types appended as the
 * little-endian records of Linux's Documentation/bpf/btf.rst into one growing buffer, names
 * into a string area that stores each name once, and on finish a 24-byte header in front.
 *
 * Records with a variable tail (struct and union members, enumerators, parameters) stay open
 * until the next type is added: their members are appended to the end of the buffer, and the
 * count in the record's info word grows. The writer checks only what it must to encode a
 * record (field widths, counts, sizes); whether the types make sense together (ids that exist,
 * members that fit) is bpfh_btf_create's to judge, which bpfh_btf_builder_build runs. The
 * writer covers the kinds a host describes data with; it writes no VAR, DATASEC, DECL_TAG,
 * TYPE_TAG or ENUM64.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "obj_int.h"

#define NAME_MAX_LEN 4095u
#define VLEN_MAX 0xffffu

struct bpfh_btf_builder {
	uint8_t *types;
	size_t types_len, types_cap;
	char *strs;
	size_t strs_len, strs_cap;
	uint32_t count;          /* types added */
	size_t open;             /* offset of the record that takes members, or SIZE_MAX */
	uint32_t open_kind;
	int err;                 /* the first error */
};

struct bpfh_btf_builder *bpfh_btf_builder_create(void)
{
	struct bpfh_btf_builder *b = calloc(1, sizeof(*b));

	if (!b) {
		errno = ENOMEM;
		return NULL;
	}
	b->strs = malloc(256);
	if (!b->strs) {
		free(b);
		errno = ENOMEM;
		return NULL;
	}
	b->strs[0] = '\0';   /* offset 0 is the empty name */
	b->strs_len = 1;
	b->strs_cap = 256;
	b->open = SIZE_MAX;
	return b;
}

void bpfh_btf_builder_destroy(struct bpfh_btf_builder *b)
{
	if (!b)
		return;
	free(b->types);
	free(b->strs);
	free(b);
}

static int fail(struct bpfh_btf_builder *b, int err)
{
	if (!b->err)
		b->err = err;
	return b->err;
}

static int reserve(uint8_t **buf, size_t *cap, size_t len, size_t more)
{
	size_t nc = *cap ? *cap : 256;
	uint8_t *n;

	if (len + more <= *cap)
		return 0;
	if (len + more > UINT32_MAX)
		return -E2BIG;
	while (nc < len + more)
		nc *= 2;
	n = realloc(*buf, nc);
	if (!n)
		return -ENOMEM;
	*buf = n;
	*cap = nc;
	return 0;
}

/* The offset of name in the string area, adding it unless an existing string ends with it
 * (BTF names are read up to the NUL, so a suffix of a stored string serves as well). */
static int add_str(struct bpfh_btf_builder *b, const char *name, uint32_t *off)
{
	size_t n, pos, len;
	uint8_t *strs;
	int err;

	if (!name || !*name) {
		*off = 0;
		return 0;
	}
	n = strlen(name);
	if (n > NAME_MAX_LEN)
		return -EINVAL;
	for (pos = 1; pos < b->strs_len; pos += len + 1) {
		len = strlen(b->strs + pos);
		if (len >= n && !memcmp(b->strs + pos + len - n, name, n)) {
			*off = (uint32_t)(pos + len - n);
			return 0;
		}
	}
	strs = (uint8_t *)b->strs;
	err = reserve(&strs, &b->strs_cap, b->strs_len, n + 1);
	b->strs = (char *)strs;
	if (err)
		return err;
	memcpy(b->strs + b->strs_len, name, n + 1);
	*off = (uint32_t)b->strs_len;
	b->strs_len += n + 1;
	return 0;
}

/* Append words[n] to the type area. */
static int put(struct bpfh_btf_builder *b, const uint32_t *words, size_t n)
{
	size_t i;
	int err = reserve(&b->types, &b->types_cap, b->types_len, 4 * n);

	if (err)
		return err;
	for (i = 0; i < n; i++)
		bpfh_wr32(b->types + b->types_len + 4 * i, words[i]);
	b->types_len += 4 * n;
	return 0;
}

static uint32_t info(uint32_t kind, uint32_t vlen, int kflag)
{
	return (kflag ? 1u << 31 : 0) | kind << 24 | vlen;
}

/* Append a type record: the 12-byte header (name, info, size or type) and its tail words. */
static int add_type(struct bpfh_btf_builder *b, const char *name, uint32_t kind, int kflag,
		    uint32_t size_or_type, const uint32_t *tail, size_t ntail)
{
	uint32_t hdr[3];
	size_t at;
	int err;

	if (b->err)
		return b->err;
	if (b->count >= 0x7fffffffu)
		return fail(b, -E2BIG);
	err = add_str(b, name, &hdr[0]);
	if (err)
		return fail(b, err);
	hdr[1] = info(kind, 0, kflag);
	hdr[2] = size_or_type;
	at = b->types_len;
	err = put(b, hdr, 3);
	if (!err && ntail)
		err = put(b, tail, ntail);
	if (err)
		return fail(b, err);
	b->open = SIZE_MAX;
	if (kind == BPFH_BTF_KIND_STRUCT || kind == BPFH_BTF_KIND_UNION ||
	    kind == BPFH_BTF_KIND_ENUM || kind == BPFH_BTF_KIND_FUNC_PROTO) {
		b->open = at;
		b->open_kind = kind;
	}
	return (int)++b->count;
}

int bpfh_btf_add_int(struct bpfh_btf_builder *b, const char *name, uint32_t size,
		     uint32_t encoding)
{
	uint32_t word = (encoding & 0xf) << 24 | size * 8;  /* offset 0, all bits */

	if (size != 1 && size != 2 && size != 4 && size != 8 && size != 16)
		return fail(b, -EINVAL);
	return add_type(b, name, BPFH_BTF_KIND_INT, 0, size, &word, 1);
}

int bpfh_btf_add_float(struct bpfh_btf_builder *b, const char *name, uint32_t size)
{
	return add_type(b, name, BPFH_BTF_KIND_FLOAT, 0, size, NULL, 0);
}

int bpfh_btf_add_ptr(struct bpfh_btf_builder *b, uint32_t type)
{
	return add_type(b, NULL, BPFH_BTF_KIND_PTR, 0, type, NULL, 0);
}

int bpfh_btf_add_array(struct bpfh_btf_builder *b, uint32_t elem, uint32_t index_type,
		       uint32_t nelems)
{
	uint32_t tail[3] = { elem, index_type, nelems };

	return add_type(b, NULL, BPFH_BTF_KIND_ARRAY, 0, 0, tail, 3);
}

int bpfh_btf_add_struct(struct bpfh_btf_builder *b, const char *name, uint32_t size)
{
	return add_type(b, name, BPFH_BTF_KIND_STRUCT, 0, size, NULL, 0);
}

int bpfh_btf_add_union(struct bpfh_btf_builder *b, const char *name, uint32_t size)
{
	return add_type(b, name, BPFH_BTF_KIND_UNION, 0, size, NULL, 0);
}

int bpfh_btf_add_enum(struct bpfh_btf_builder *b, const char *name, uint32_t size,
		      int is_signed)
{
	return add_type(b, name, BPFH_BTF_KIND_ENUM, is_signed, size, NULL, 0);
}

int bpfh_btf_add_fwd(struct bpfh_btf_builder *b, const char *name, int is_union)
{
	return add_type(b, name, BPFH_BTF_KIND_FWD, is_union, 0, NULL, 0);
}

int bpfh_btf_add_typedef(struct bpfh_btf_builder *b, const char *name, uint32_t type)
{
	return add_type(b, name, BPFH_BTF_KIND_TYPEDEF, 0, type, NULL, 0);
}

int bpfh_btf_add_modifier(struct bpfh_btf_builder *b, uint32_t kind, uint32_t type)
{
	if (kind != BPFH_BTF_KIND_CONST && kind != BPFH_BTF_KIND_VOLATILE &&
	    kind != BPFH_BTF_KIND_RESTRICT)
		return fail(b, -EINVAL);
	return add_type(b, NULL, kind, 0, type, NULL, 0);
}

int bpfh_btf_add_func_proto(struct bpfh_btf_builder *b, uint32_t ret)
{
	return add_type(b, NULL, BPFH_BTF_KIND_FUNC_PROTO, 0, ret, NULL, 0);
}

int bpfh_btf_add_func(struct bpfh_btf_builder *b, const char *name, uint32_t proto,
		      uint32_t linkage)
{
	int id;

	if (linkage > BPFH_BTF_LINKAGE_EXTERN)
		return fail(b, -EINVAL);
	id = add_type(b, name, BPFH_BTF_KIND_FUNC, 0, proto, NULL, 0);
	if (id > 0)	/* a FUNC keeps its linkage in vlen */
		bpfh_wr32(b->types + b->types_len - 8,
			  info(BPFH_BTF_KIND_FUNC, linkage, 0));
	return id;
}

/* Grow the open record of kind k (or k2) by one entry of words[n]; the info word counts it. */
static int add_entry(struct bpfh_btf_builder *b, uint32_t k, uint32_t k2, const char *name,
		     uint32_t *words, size_t n)
{
	uint32_t inf, off;
	int err;

	if (b->err)
		return b->err;
	if (b->open == SIZE_MAX || (b->open_kind != k && b->open_kind != k2))
		return fail(b, -EINVAL);
	inf = bpfh_rd32(b->types + b->open + 4);
	if ((inf & 0xffff) == VLEN_MAX)
		return fail(b, -E2BIG);
	err = add_str(b, name, &off);
	if (err)
		return fail(b, err);
	words[0] = off;
	err = put(b, words, n);
	if (err)
		return fail(b, err);
	bpfh_wr32(b->types + b->open + 4, inf + 1);
	return 0;
}

int bpfh_btf_add_member(struct bpfh_btf_builder *b, const char *name, uint32_t type,
			uint32_t bit_offset, uint32_t bitfield_size)
{
	uint32_t words[3] = { 0, type, bit_offset }, inf, i, vlen;
	uint8_t *rec;

	if (b->err)
		return b->err;
	if (b->open == SIZE_MAX || (b->open_kind != BPFH_BTF_KIND_STRUCT &&
				    b->open_kind != BPFH_BTF_KIND_UNION))
		return fail(b, -EINVAL);
	rec = b->types + b->open;
	inf = bpfh_rd32(rec + 4);
	if (bitfield_size > 255)
		return fail(b, -EINVAL);
	if (bitfield_size && !(inf >> 31)) {
		/* The first bitfield: from now on every member's offset word also holds a
		 * bitfield size (0 for plain members) in its top byte. */
		vlen = inf & 0xffff;
		for (i = 0; i < vlen; i++)
			if (bpfh_rd32(rec + 12 + 12 * i + 8) > 0xffffff)
				return fail(b, -EINVAL);
		bpfh_wr32(rec + 4, inf | 1u << 31);
		inf |= 1u << 31;
	}
	if (inf >> 31) {
		if (bit_offset > 0xffffff)
			return fail(b, -EINVAL);
		words[2] = bitfield_size << 24 | bit_offset;
	}
	return add_entry(b, BPFH_BTF_KIND_STRUCT, BPFH_BTF_KIND_UNION, name, words, 3);
}

int bpfh_btf_add_enumerator(struct bpfh_btf_builder *b, const char *name, int64_t value)
{
	uint32_t words[2] = { 0, (uint32_t)value };

	if (b->err)
		return b->err;
	if (value < INT32_MIN || value > (int64_t)UINT32_MAX)
		return fail(b, -ERANGE);
	return add_entry(b, BPFH_BTF_KIND_ENUM, BPFH_BTF_KIND_ENUM, name, words, 2);
}

int bpfh_btf_add_param(struct bpfh_btf_builder *b, const char *name, uint32_t type)
{
	uint32_t words[2] = { 0, type };

	return add_entry(b, BPFH_BTF_KIND_FUNC_PROTO, BPFH_BTF_KIND_FUNC_PROTO, name, words, 2);
}

int bpfh_btf_builder_finish(const struct bpfh_btf_builder *b, void **data, size_t *size)
{
	uint8_t *out;
	size_t total;

	*data = NULL;
	*size = 0;
	if (b->err)
		return b->err;
	total = 24 + b->types_len + b->strs_len;
	if (total > UINT32_MAX)
		return -E2BIG;
	out = malloc(total);
	if (!out)
		return -ENOMEM;
	out[0] = 0x9f;          /* magic 0xeb9f, little-endian */
	out[1] = 0xeb;
	out[2] = 1;             /* version */
	out[3] = 0;             /* flags */
	bpfh_wr32(out + 4, 24);                                /* header length */
	bpfh_wr32(out + 8, 0);                                 /* types at 0 */
	bpfh_wr32(out + 12, (uint32_t)b->types_len);
	bpfh_wr32(out + 16, (uint32_t)b->types_len);           /* strings follow */
	bpfh_wr32(out + 20, (uint32_t)b->strs_len);
	if (b->types_len)
		memcpy(out + 24, b->types, b->types_len);
	memcpy(out + 24 + b->types_len, b->strs, b->strs_len);
	*data = out;
	*size = total;
	return 0;
}

int bpfh_btf_builder_build(const struct bpfh_btf_builder *b, const char *name,
			   struct bpfh_log *log, struct bpfh_btf **out)
{
	void *data;
	size_t size;
	int err;

	*out = NULL;
	err = bpfh_btf_builder_finish(b, &data, &size);
	if (err)
		return err;
	err = bpfh_btf_create(data, size, name, log, out);
	free(data);
	return err;
}
