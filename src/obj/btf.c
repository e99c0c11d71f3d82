// SPDX-License-Identifier: MIT
/*
 * BTF (include/bpfhost/btf.h): parse the ".BTF" section of an object, check it completely once,
 * then answer questions about types with plain lookups. The checks are those that make every
 * later read safe: bounds of the header, the type and string areas and every record; kinds,
 * sizes and encodings; every string offset; every referenced id; and one depth-first walk over
 * the "contains" relation (modifiers, typedefs, arrays, members, variables, sections; pointers
 * excluded) that refuses cycles and computes each type's size and alignment on the way back.
 *
 * The walk keeps its own stack, so a long chain of types cannot exhaust the C stack. This file
 * does not read .BTF.ext (btf_ext.c does) and does not relate BTF to ELF symbols (maps.c and
 * kconfig.c do, through bpfh_btf_set_datasec).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "obj_int.h"

#define BTF_MAGIC 0xeb9f
#define BTF_HDR_MIN 24u
#define SEC ".BTF"

struct btype {
	struct bpfh_btf_type t;   /* first: bpfh_btf_type_by_id hands out its address */
	uint32_t off;             /* offset of the record in the data */
	const uint8_t *extra;     /* the kind's data after the 12-byte header */
	int64_t size;             /* computed size in bytes, -1 if the type has none */
	uint8_t align;
	uint8_t state;            /* walk: 0 new, 1 on the stack, 2 done */
};

struct bpfh_btf {
	uint8_t *data;
	size_t size;
	const char *strs;
	uint32_t str_len;
	struct btype *types;      /* types[0] is void */
	uint32_t count;
	const char *name;         /* for messages during parsing only */
	struct bpfh_log *log;
};

static const char *const kind_names[BPFH_BTF_KIND__COUNT] = {
	"UNKN", "INT", "PTR", "ARRAY", "STRUCT", "UNION", "ENUM", "FWD", "TYPEDEF", "VOLATILE",
	"CONST", "RESTRICT", "FUNC", "FUNC_PROTO", "VAR", "DATASEC", "FLOAT", "DECL_TAG",
	"TYPE_TAG", "ENUM64",
};

static int err_at(const struct bpfh_btf *btf, uint64_t off, const char *fmt, ...)
	BPFH_PRINTF(3, 4);

static int err_at(const struct bpfh_btf *btf, uint64_t off, const char *fmt, ...)
{
	struct bpfh_obj_ctx ctx = { .name = btf->name, .log = btf->log };
	va_list ap;

	va_start(ap, fmt);
	bpfh_obj_verr(&ctx, SEC, off, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* "type [7] STRUCT 'foo'" for messages. */
#define TFMT "type [%u] %s '%s'"
#define TARGS(b, id) (unsigned)(id), kind_names[(b)->types[id].t.kind], (b)->types[id].t.name

/* Bytes of kind-specific data after the header. */
static uint64_t extra_size(uint32_t kind, uint32_t vlen)
{
	switch (kind) {
	case BPFH_BTF_KIND_INT:
	case BPFH_BTF_KIND_VAR:
	case BPFH_BTF_KIND_DECL_TAG:
		return 4;
	case BPFH_BTF_KIND_ARRAY:
		return 12;
	case BPFH_BTF_KIND_STRUCT:
	case BPFH_BTF_KIND_UNION:
	case BPFH_BTF_KIND_DATASEC:
	case BPFH_BTF_KIND_ENUM64:
		return (uint64_t)vlen * 12;
	case BPFH_BTF_KIND_ENUM:
	case BPFH_BTF_KIND_FUNC_PROTO:
		return (uint64_t)vlen * 8;
	default:
		return 0;
	}
}

static const char *str_or_null(const struct bpfh_btf *btf, uint32_t off)
{
	/* The area ends with a NUL (checked), so every offset inside it starts a string. */
	return off < btf->str_len ? btf->strs + off : NULL;
}

const char *bpfh_btf_str(const struct bpfh_btf *btf, uint32_t off)
{
	return btf ? str_or_null(btf, off) : NULL;
}

static int check_str(const struct bpfh_btf *btf, uint64_t at, uint32_t off, const char *what)
{
	if (!str_or_null(btf, off))
		return err_at(btf, at, "%s: string offset 0x%x is outside the string section "
			      "(0x%x bytes)", what, off, btf->str_len);
	return 0;
}

static int check_ref(const struct bpfh_btf *btf, uint64_t at, uint32_t id, uint32_t ref,
		     const char *what)
{
	if (ref >= btf->count)
		return err_at(btf, at, TFMT ": %s refers to type %u; the last type is %u",
			      TARGS(btf, id), what, ref, btf->count - 1);
	return 0;
}

static int read_header(struct bpfh_btf *btf, uint32_t *types_at, uint32_t *types_len)
{
	const uint8_t *d = btf->data;
	uint32_t hdr_len, type_off, type_len, str_off, str_len;

	if (btf->size < BTF_HDR_MIN)
		return err_at(btf, 0, "%zu bytes are too short for a BTF header (24 bytes)",
			      btf->size);
	if (bpfh_rd16(d) != BTF_MAGIC)
		return err_at(btf, 0, "magic 0x%04x, expected 0xeb9f (little-endian BTF)",
			      bpfh_rd16(d));
	if (d[2] != 1)
		return err_at(btf, 2, "version %u, expected 1", d[2]);
	if (d[3] != 0)
		return err_at(btf, 3, "flags 0x%x, expected 0", d[3]);
	hdr_len = bpfh_rd32(d + 4);
	type_off = bpfh_rd32(d + 8);
	type_len = bpfh_rd32(d + 12);
	str_off = bpfh_rd32(d + 16);
	str_len = bpfh_rd32(d + 20);
	if (hdr_len < BTF_HDR_MIN || hdr_len > btf->size)
		return err_at(btf, 4, "header length %u is outside 24..%zu", hdr_len, btf->size);
	if (type_off % 4)
		return err_at(btf, 8, "type section offset 0x%x is not 4-byte aligned", type_off);
	if ((uint64_t)hdr_len + type_off + type_len > btf->size)
		return err_at(btf, 8, "type section at 0x%x, 0x%x bytes, is past the end (0x%zx "
			      "bytes after a 0x%x-byte header)", type_off, type_len,
			      btf->size - hdr_len, hdr_len);
	if ((uint64_t)hdr_len + str_off + str_len > btf->size)
		return err_at(btf, 16, "string section at 0x%x, 0x%x bytes, is past the end "
			      "(0x%zx bytes after a 0x%x-byte header)", str_off, str_len,
			      btf->size - hdr_len, hdr_len);
	if (type_len && (type_off < str_off ? (uint64_t)type_off + type_len > str_off :
				 (uint64_t)str_off + str_len > type_off))
		return err_at(btf, 8, "the type and string sections overlap");
	if (str_len == 0 || d[hdr_len + str_off] != '\0' ||
	    d[hdr_len + str_off + str_len - 1] != '\0')
		return err_at(btf, (uint64_t)hdr_len + str_off, "the string section must start "
			      "and end with a NUL byte");
	btf->strs = (const char *)d + hdr_len + str_off;
	btf->str_len = str_len;
	*types_at = hdr_len + type_off;
	*types_len = type_len;
	return 0;
}

/* Walk the type records twice: count them, then decode them. */
static int read_types(struct bpfh_btf *btf, uint32_t at, uint32_t len)
{
	uint64_t pos, end = (uint64_t)at + len;
	uint32_t n = 0, i;

	for (pos = at; pos < end; n++) {
		uint32_t info;
		uint64_t ext;

		if (end - pos < 12)
			return err_at(btf, pos, "type [%u]: truncated header (%llu of 12 bytes)",
				      n + 1, (unsigned long long)(end - pos));
		info = bpfh_rd32(btf->data + pos + 4);
		if (((info >> 24) & 0x1f) >= BPFH_BTF_KIND__COUNT ||
		    ((info >> 24) & 0x1f) == BPFH_BTF_KIND_UNKN)
			return err_at(btf, pos + 4, "type [%u]: unknown kind %u", n + 1,
				      (info >> 24) & 0x1f);
		ext = extra_size((info >> 24) & 0x1f, info & 0xffff);
		if (end - pos - 12 < ext)
			return err_at(btf, pos, "type [%u] %s: its %llu bytes of data run past the "
				      "end of the type section", n + 1,
				      kind_names[(info >> 24) & 0x1f], (unsigned long long)ext);
		pos += 12 + ext;
	}
	btf->count = n + 1;
	btf->types = calloc(btf->count, sizeof(*btf->types));
	if (!btf->types)
		return -ENOMEM;
	btf->types[0].t.name = "";
	btf->types[0].size = -1;
	btf->types[0].state = 2;
	for (pos = at, i = 1; i < btf->count; i++) {
		struct btype *b = &btf->types[i];
		const uint8_t *p = btf->data + pos;
		uint32_t name_off = bpfh_rd32(p), info = bpfh_rd32(p + 4);
		uint32_t st = bpfh_rd32(p + 8);

		b->off = (uint32_t)pos;
		b->t.kind = (info >> 24) & 0x1f;
		b->t.vlen = info & 0xffff;
		b->t.kflag = (int)(info >> 31);
		b->extra = p + 12;
		b->size = -1;
		if (check_str(btf, pos, name_off, "name"))
			return -EINVAL;
		b->t.name = btf->strs + name_off;
		switch (b->t.kind) {
		case BPFH_BTF_KIND_INT:
		case BPFH_BTF_KIND_STRUCT:
		case BPFH_BTF_KIND_UNION:
		case BPFH_BTF_KIND_ENUM:
		case BPFH_BTF_KIND_ENUM64:
		case BPFH_BTF_KIND_DATASEC:
		case BPFH_BTF_KIND_FLOAT:
			b->t.size = st;
			break;
		case BPFH_BTF_KIND_FWD:
			break;
		default:
			b->t.type = st;
			break;
		}
		pos += 12 + extra_size(b->t.kind, b->t.vlen);
	}
	return 0;
}

/* Kinds that a value can have: what members, elements and variables may be. */
static int is_value_kind(uint32_t kind)
{
	return kind != BPFH_BTF_KIND_UNKN && kind != BPFH_BTF_KIND_FUNC &&
	       kind != BPFH_BTF_KIND_FUNC_PROTO && kind != BPFH_BTF_KIND_DATASEC &&
	       kind != BPFH_BTF_KIND_VAR && kind != BPFH_BTF_KIND_DECL_TAG;
}

/* Checks of one type that need no other type's size: encodings, ids, strings. */
static int check_type(struct bpfh_btf *btf, uint32_t id)
{
	struct btype *b = &btf->types[id];
	const uint8_t *x = b->extra;
	uint64_t at = b->off, xat = b->off + 12;
	uint32_t i, v, kind = b->t.kind, vlen = b->t.vlen;

	switch (kind) {
	case BPFH_BTF_KIND_INT:
		v = bpfh_rd32(x);
		if (b->t.size != 1 && b->t.size != 2 && b->t.size != 4 && b->t.size != 8 &&
		    b->t.size != 16)
			return err_at(btf, at + 8, TFMT ": size %u is not 1, 2, 4, 8 or 16",
				      TARGS(btf, id), b->t.size);
		if ((v & 0xff) > 128 || ((v >> 16) & 0xff) + (v & 0xff) > b->t.size * 8)
			return err_at(btf, xat, TFMT ": %u bits at bit %u do not fit in %u bytes",
				      TARGS(btf, id), v & 0xff, (v >> 16) & 0xff, b->t.size);
		if ((v >> 24) & 0xf8)
			return err_at(btf, xat, TFMT ": unknown encoding 0x%x", TARGS(btf, id),
				      v >> 24);
		break;
	case BPFH_BTF_KIND_ARRAY:
		for (i = 0; i < 2; i++)
			if (check_ref(btf, xat + 4 * i, id, bpfh_rd32(x + 4 * i),
				      i ? "its index type" : "its element type"))
				return -EINVAL;
		if (!is_value_kind(btf->types[bpfh_rd32(x)].t.kind))
			return err_at(btf, xat, TFMT ": element type %u is a %s",
				      TARGS(btf, id), bpfh_rd32(x),
				      kind_names[btf->types[bpfh_rd32(x)].t.kind]);
		break;
	case BPFH_BTF_KIND_STRUCT:
	case BPFH_BTF_KIND_UNION:
		for (i = 0; i < vlen; i++) {
			const uint8_t *m = x + 12 * i;
			uint32_t mt = bpfh_rd32(m + 4);

			if (check_str(btf, xat + 12 * i, bpfh_rd32(m), "member name") ||
			    check_ref(btf, xat + 12 * i + 4, id, mt, "a member"))
				return -EINVAL;
			if (!is_value_kind(btf->types[mt].t.kind))
				return err_at(btf, xat + 12 * i + 4, TFMT ": member %u has type %u, "
					      "a %s", TARGS(btf, id), i, mt,
					      kind_names[btf->types[mt].t.kind]);
		}
		break;
	case BPFH_BTF_KIND_ENUM:
	case BPFH_BTF_KIND_ENUM64:
		if (b->t.size != 1 && b->t.size != 2 && b->t.size != 4 && b->t.size != 8)
			return err_at(btf, at + 8, TFMT ": size %u is not 1, 2, 4 or 8",
				      TARGS(btf, id), b->t.size);
		for (i = 0; i < vlen; i++) {
			uint32_t step = kind == BPFH_BTF_KIND_ENUM ? 8 : 12;

			if (check_str(btf, xat + step * i, bpfh_rd32(x + step * i),
				      "enumerator name"))
				return -EINVAL;
		}
		break;
	case BPFH_BTF_KIND_FWD:
		if (vlen)
			return err_at(btf, at + 4, TFMT ": vlen %u, expected 0", TARGS(btf, id),
				      vlen);
		break;
	case BPFH_BTF_KIND_PTR:
	case BPFH_BTF_KIND_TYPEDEF:
	case BPFH_BTF_KIND_VOLATILE:
	case BPFH_BTF_KIND_CONST:
	case BPFH_BTF_KIND_RESTRICT:
	case BPFH_BTF_KIND_TYPE_TAG:
		if (vlen)
			return err_at(btf, at + 4, TFMT ": vlen %u, expected 0", TARGS(btf, id),
				      vlen);
		if (check_ref(btf, at + 8, id, b->t.type, "it"))
			return -EINVAL;
		if (btf->types[b->t.type].t.kind == BPFH_BTF_KIND_FUNC ||
		    btf->types[b->t.type].t.kind == BPFH_BTF_KIND_VAR ||
		    btf->types[b->t.type].t.kind == BPFH_BTF_KIND_DATASEC ||
		    btf->types[b->t.type].t.kind == BPFH_BTF_KIND_DECL_TAG)
			return err_at(btf, at + 8, TFMT ": refers to type %u, a %s",
				      TARGS(btf, id), b->t.type,
				      kind_names[btf->types[b->t.type].t.kind]);
		break;
	case BPFH_BTF_KIND_FUNC:
		if (vlen > BPFH_BTF_LINKAGE_EXTERN)
			return err_at(btf, at + 4, TFMT ": linkage %u is not 0, 1 or 2",
				      TARGS(btf, id), vlen);
		if (check_ref(btf, at + 8, id, b->t.type, "it"))
			return -EINVAL;
		if (btf->types[b->t.type].t.kind != BPFH_BTF_KIND_FUNC_PROTO)
			return err_at(btf, at + 8, TFMT ": refers to type %u, a %s, not a "
				      "FUNC_PROTO", TARGS(btf, id), b->t.type,
				      kind_names[btf->types[b->t.type].t.kind]);
		break;
	case BPFH_BTF_KIND_FUNC_PROTO:
		if (check_ref(btf, at + 8, id, b->t.type, "its return type"))
			return -EINVAL;
		if (b->t.type && !is_value_kind(btf->types[b->t.type].t.kind))
			return err_at(btf, at + 8, TFMT ": return type %u is a %s", TARGS(btf, id),
				      b->t.type, kind_names[btf->types[b->t.type].t.kind]);
		for (i = 0; i < vlen; i++) {
			uint32_t pt = bpfh_rd32(x + 8 * i + 4);

			if (check_str(btf, xat + 8 * i, bpfh_rd32(x + 8 * i), "parameter name") ||
			    check_ref(btf, xat + 8 * i + 4, id, pt, "a parameter"))
				return -EINVAL;
			if (pt == 0 && i + 1 != vlen)
				return err_at(btf, xat + 8 * i + 4, TFMT ": parameter %u is void "
					      "but not the last (\"...\")", TARGS(btf, id), i);
			if (pt && !is_value_kind(btf->types[pt].t.kind))
				return err_at(btf, xat + 8 * i + 4, TFMT ": parameter %u has type "
					      "%u, a %s", TARGS(btf, id), i, pt,
					      kind_names[btf->types[pt].t.kind]);
		}
		break;
	case BPFH_BTF_KIND_VAR:
		if (vlen)
			return err_at(btf, at + 4, TFMT ": vlen %u, expected 0", TARGS(btf, id),
				      vlen);
		if (check_ref(btf, at + 8, id, b->t.type, "it"))
			return -EINVAL;
		if (!is_value_kind(btf->types[b->t.type].t.kind))
			return err_at(btf, at + 8, TFMT ": has type %u, a %s", TARGS(btf, id),
				      b->t.type, kind_names[btf->types[b->t.type].t.kind]);
		if (bpfh_rd32(x) > BPFH_BTF_LINKAGE_EXTERN)
			return err_at(btf, xat, TFMT ": linkage %u is not 0, 1 or 2",
				      TARGS(btf, id), bpfh_rd32(x));
		break;
	case BPFH_BTF_KIND_DATASEC:
		for (i = 0; i < vlen; i++) {
			const uint8_t *e = x + 12 * i;
			uint32_t vt = bpfh_rd32(e), off = bpfh_rd32(e + 4), sz = bpfh_rd32(e + 8);

			if (check_ref(btf, xat + 12 * i, id, vt, "a variable"))
				return -EINVAL;
			if (btf->types[vt].t.kind != BPFH_BTF_KIND_VAR &&
			    btf->types[vt].t.kind != BPFH_BTF_KIND_FUNC)
				return err_at(btf, xat + 12 * i, TFMT ": entry %u is type %u, a %s, "
					      "not a VAR or FUNC", TARGS(btf, id), i, vt,
					      kind_names[btf->types[vt].t.kind]);
			/* clang leaves the section's size 0 until a loader fills it in. */
			if (b->t.size && (uint64_t)off + sz > b->t.size)
				return err_at(btf, xat + 12 * i + 4, TFMT ": variable %u at 0x%x, "
					      "%u bytes, is past the section's end (%u bytes)",
					      TARGS(btf, id), i, off, sz, b->t.size);
		}
		break;
	case BPFH_BTF_KIND_FLOAT:
		if (b->t.size != 2 && b->t.size != 4 && b->t.size != 8 && b->t.size != 12 &&
		    b->t.size != 16)
			return err_at(btf, at + 8, TFMT ": size %u is not 2, 4, 8, 12 or 16",
				      TARGS(btf, id), b->t.size);
		break;
	case BPFH_BTF_KIND_DECL_TAG:
		if (check_ref(btf, at + 8, id, b->t.type, "it"))
			return -EINVAL;
		if ((int32_t)bpfh_rd32(x) < -1)
			return err_at(btf, xat, TFMT ": component index %d is below -1",
				      TARGS(btf, id), (int32_t)bpfh_rd32(x));
		break;
	}
	return 0;
}

/* The c-th type that type id contains (by value), or UINT32_MAX after the last. Pointers
 * contain nothing: they are what may close a cycle. */
static uint32_t child(const struct bpfh_btf *btf, uint32_t id, uint32_t c)
{
	const struct btype *b = &btf->types[id];

	switch (b->t.kind) {
	case BPFH_BTF_KIND_TYPEDEF:
	case BPFH_BTF_KIND_VOLATILE:
	case BPFH_BTF_KIND_CONST:
	case BPFH_BTF_KIND_RESTRICT:
	case BPFH_BTF_KIND_TYPE_TAG:
	case BPFH_BTF_KIND_VAR:
	case BPFH_BTF_KIND_FUNC:
	case BPFH_BTF_KIND_DECL_TAG:
		return c == 0 ? b->t.type : UINT32_MAX;
	case BPFH_BTF_KIND_ARRAY:
		return c == 0 ? bpfh_rd32(b->extra) : UINT32_MAX;
	case BPFH_BTF_KIND_STRUCT:
	case BPFH_BTF_KIND_UNION:
		return c < b->t.vlen ? bpfh_rd32(b->extra + 12 * c + 4) : UINT32_MAX;
	case BPFH_BTF_KIND_DATASEC:
		return c < b->t.vlen ? bpfh_rd32(b->extra + 12 * c) : UINT32_MAX;
	case BPFH_BTF_KIND_FUNC_PROTO:
		if (c == 0)
			return b->t.type;
		return c <= b->t.vlen ? bpfh_rd32(b->extra + 8 * (c - 1) + 4) : UINT32_MAX;
	default:
		return UINT32_MAX;
	}
}

static uint8_t natural_align(uint64_t size)
{
	return size >= 8 ? 8 : size >= 4 ? 4 : size >= 2 ? 2 : 1;
}

/* Size and alignment of type id, whose children are all done. */
static int finish_type(struct bpfh_btf *btf, uint32_t id)
{
	struct btype *b = &btf->types[id];
	const struct btype *c;
	uint32_t i, kind = b->t.kind;
	uint64_t sz;

	switch (kind) {
	case BPFH_BTF_KIND_INT:
	case BPFH_BTF_KIND_ENUM:
	case BPFH_BTF_KIND_ENUM64:
	case BPFH_BTF_KIND_FLOAT:
		b->size = b->t.size;
		b->align = natural_align(b->t.size);
		break;
	case BPFH_BTF_KIND_PTR:
		b->size = 8;
		b->align = 8;
		break;
	case BPFH_BTF_KIND_TYPEDEF:
	case BPFH_BTF_KIND_VOLATILE:
	case BPFH_BTF_KIND_CONST:
	case BPFH_BTF_KIND_RESTRICT:
	case BPFH_BTF_KIND_TYPE_TAG:
	case BPFH_BTF_KIND_VAR:
		c = &btf->types[b->t.type];
		b->size = c->size;
		b->align = c->align;
		break;
	case BPFH_BTF_KIND_ARRAY:
		c = &btf->types[bpfh_rd32(b->extra)];
		if (c->size < 0)
			return err_at(btf, b->off + 12, TFMT ": its element type %u (%s) has no "
				      "size", TARGS(btf, id), bpfh_rd32(b->extra),
				      kind_names[c->t.kind]);
		sz = (uint64_t)c->size * bpfh_rd32(b->extra + 8);
		if (sz > UINT32_MAX)
			return err_at(btf, b->off + 20, TFMT ": %u elements of %lld bytes "
				      "overflow 32 bits", TARGS(btf, id), bpfh_rd32(b->extra + 8),
				      (long long)c->size);
		b->size = (int64_t)sz;
		b->align = c->align;
		break;
	case BPFH_BTF_KIND_STRUCT:
	case BPFH_BTF_KIND_UNION:
		b->size = b->t.size;
		b->align = 1;
		for (i = 0; i < b->t.vlen; i++) {
			struct bpfh_btf_member m;
			uint64_t at = b->off + 12 + 12 * i;

			bpfh_btf_member(btf, id, i, &m);
			c = &btf->types[m.type];
			if (c->size < 0)
				return err_at(btf, at + 4, TFMT ": member %u '%s' has type %u (%s) "
					      "of no size", TARGS(btf, id), i, m.name, m.type,
					      kind_names[c->t.kind]);
			if (m.bitfield_size)
				sz = (uint64_t)m.bit_offset + m.bitfield_size;
			else if (m.bit_offset % 8)
				sz = (uint64_t)m.bit_offset + 1; /* an old-style bitfield */
			else
				sz = (uint64_t)m.bit_offset + (uint64_t)c->size * 8;
			if (sz > (uint64_t)b->t.size * 8)
				return err_at(btf, at + 8, TFMT ": member %u '%s' (bit %u, %lld "
					      "bytes) does not fit in %u bytes", TARGS(btf, id), i,
					      m.name, m.bit_offset, (long long)c->size, b->t.size);
			if (c->align > b->align)
				b->align = c->align;
		}
		break;
	case BPFH_BTF_KIND_DATASEC:
		b->size = b->t.size;
		b->align = 1;
		break;
	default: /* FWD, FUNC, FUNC_PROTO, DECL_TAG: no size */
		break;
	}
	return 0;
}

/* Depth-first over the contains relation, from every type: refuse cycles, finish types in
 * post-order. */
static int walk(struct bpfh_btf *btf)
{
	struct frame { uint32_t id, next; } *stack;
	uint32_t root, depth;
	int err = 0;

	stack = malloc(sizeof(*stack) * btf->count);
	if (!stack)
		return -ENOMEM;
	for (root = 1; root < btf->count && !err; root++) {
		if (btf->types[root].state)
			continue;
		depth = 0;
		stack[depth].id = root;
		stack[depth++].next = 0;
		btf->types[root].state = 1;
		while (depth && !err) {
			struct frame *f = &stack[depth - 1];
			uint32_t c = child(btf, f->id, f->next);

			if (c == UINT32_MAX) {
				err = finish_type(btf, f->id);
				btf->types[f->id].state = 2;
				depth--;
				continue;
			}
			f->next++;
			if (btf->types[c].state == 2)
				continue;
			if (btf->types[c].state == 1) {
				err = err_at(btf, btf->types[f->id].off, TFMT ": contains itself "
					     "through type %u (a cycle that no pointer breaks)",
					     TARGS(btf, f->id), c);
				break;
			}
			btf->types[c].state = 1;
			stack[depth].id = c;
			stack[depth++].next = 0;
		}
	}
	free(stack);
	return err;
}

int bpfh_btf_create(const void *data, size_t size, const char *name, struct bpfh_log *log,
		    struct bpfh_btf **out)
{
	struct bpfh_btf *btf;
	uint32_t at = 0, len = 0, i;
	int err;

	*out = NULL;
	btf = calloc(1, sizeof(*btf));
	if (!btf)
		return -ENOMEM;
	btf->name = name ? name : "BTF";
	btf->log = log;
	btf->size = size;
	btf->data = malloc(size ? size : 1);
	if (!btf->data) {
		err = -ENOMEM;
		goto fail;
	}
	if (size)
		memcpy(btf->data, data, size);
	err = read_header(btf, &at, &len);
	if (err)
		goto fail;
	err = read_types(btf, at, len);
	if (err)
		goto fail;
	for (i = 1; i < btf->count; i++) {
		err = check_type(btf, i);
		if (err)
			goto fail;
	}
	err = walk(btf);
	if (err)
		goto fail;
	btf->name = NULL;
	btf->log = NULL;
	*out = btf;
	return 0;
fail:
	bpfh_btf_destroy(btf);
	return err;
}

void bpfh_btf_destroy(struct bpfh_btf *btf)
{
	if (!btf)
		return;
	free(btf->types);
	free(btf->data);
	free(btf);
}

uint32_t bpfh_btf_type_count(const struct bpfh_btf *btf)
{
	return btf ? btf->count : 0;
}

const struct bpfh_btf_type *bpfh_btf_type_by_id(const struct bpfh_btf *btf, uint32_t id)
{
	return btf && id < btf->count ? &btf->types[id].t : NULL;
}

int64_t bpfh_btf_find(const struct bpfh_btf *btf, const char *name, int kind)
{
	uint32_t i;

	if (!btf || !name)
		return -ENOENT;
	for (i = 1; i < btf->count; i++)
		if ((kind < 0 || btf->types[i].t.kind == (uint32_t)kind) &&
		    !strcmp(btf->types[i].t.name, name))
			return i;
	return -ENOENT;
}

uint32_t bpfh_btf_resolve(const struct bpfh_btf *btf, uint32_t id)
{
	/* No cycles (checked), so this ends within count steps. */
	while (btf && id && id < btf->count) {
		switch (btf->types[id].t.kind) {
		case BPFH_BTF_KIND_TYPEDEF:
		case BPFH_BTF_KIND_VOLATILE:
		case BPFH_BTF_KIND_CONST:
		case BPFH_BTF_KIND_RESTRICT:
		case BPFH_BTF_KIND_TYPE_TAG:
			id = btf->types[id].t.type;
			break;
		default:
			return id;
		}
	}
	return btf && id < btf->count ? id : 0;
}

int64_t bpfh_btf_size(const struct bpfh_btf *btf, uint32_t id)
{
	if (!btf || id >= btf->count || btf->types[id].size < 0)
		return -EINVAL;
	return btf->types[id].size;
}

int64_t bpfh_btf_align(const struct bpfh_btf *btf, uint32_t id)
{
	if (!btf || id >= btf->count || btf->types[id].size < 0)
		return -EINVAL;
	return btf->types[id].align ? btf->types[id].align : 1;
}

static const struct btype *of_kind(const struct bpfh_btf *btf, uint32_t id, uint32_t k1,
				   uint32_t k2)
{
	if (!btf || id >= btf->count)
		return NULL;
	if (btf->types[id].t.kind != k1 && btf->types[id].t.kind != k2)
		return NULL;
	return &btf->types[id];
}

int bpfh_btf_member(const struct bpfh_btf *btf, uint32_t id, uint32_t i,
		    struct bpfh_btf_member *m)
{
	const struct btype *b = of_kind(btf, id, BPFH_BTF_KIND_STRUCT, BPFH_BTF_KIND_UNION);
	const uint8_t *p;
	uint32_t off;

	if (!b || i >= b->t.vlen)
		return -EINVAL;
	p = b->extra + 12 * i;
	off = bpfh_rd32(p + 8);
	m->name = btf->strs + bpfh_rd32(p);
	m->type = bpfh_rd32(p + 4);
	if (b->t.kflag) {
		m->bit_offset = off & 0xffffff;
		m->bitfield_size = off >> 24;
	} else {
		m->bit_offset = off;
		m->bitfield_size = 0;
	}
	return 0;
}

int bpfh_btf_member_by_name(const struct bpfh_btf *btf, uint32_t id, const char *name,
			    struct bpfh_btf_member *m)
{
	const struct btype *b = of_kind(btf, id, BPFH_BTF_KIND_STRUCT, BPFH_BTF_KIND_UNION);
	uint32_t i;

	if (!b)
		return -EINVAL;
	for (i = 0; i < b->t.vlen; i++) {
		bpfh_btf_member(btf, id, i, m);
		if (!strcmp(m->name, name))
			return 0;
	}
	return -ENOENT;
}

int bpfh_btf_int(const struct bpfh_btf *btf, uint32_t id, struct bpfh_btf_int *out)
{
	const struct btype *b = of_kind(btf, id, BPFH_BTF_KIND_INT, BPFH_BTF_KIND_INT);
	uint32_t v;

	if (!b)
		return -EINVAL;
	v = bpfh_rd32(b->extra);
	out->encoding = (v >> 24) & 0xf;
	out->offset = (v >> 16) & 0xff;
	out->bits = v & 0xff;
	return 0;
}

int bpfh_btf_array(const struct bpfh_btf *btf, uint32_t id, struct bpfh_btf_array *out)
{
	const struct btype *b = of_kind(btf, id, BPFH_BTF_KIND_ARRAY, BPFH_BTF_KIND_ARRAY);

	if (!b)
		return -EINVAL;
	out->type = bpfh_rd32(b->extra);
	out->index_type = bpfh_rd32(b->extra + 4);
	out->nelems = bpfh_rd32(b->extra + 8);
	return 0;
}

int bpfh_btf_enum_value(const struct bpfh_btf *btf, uint32_t id, uint32_t i, const char **name,
			int64_t *value)
{
	const struct btype *b = of_kind(btf, id, BPFH_BTF_KIND_ENUM, BPFH_BTF_KIND_ENUM64);
	const uint8_t *p;

	if (!b || i >= b->t.vlen)
		return -EINVAL;
	if (b->t.kind == BPFH_BTF_KIND_ENUM) {
		p = b->extra + 8 * i;
		*value = b->t.kflag ? (int64_t)(int32_t)bpfh_rd32(p + 4) :
				      (int64_t)bpfh_rd32(p + 4);
	} else {
		p = b->extra + 12 * i;
		*value = (int64_t)((uint64_t)bpfh_rd32(p + 4) | ((uint64_t)bpfh_rd32(p + 8) << 32));
	}
	if (name)
		*name = btf->strs + bpfh_rd32(p);
	return 0;
}

int bpfh_btf_param(const struct bpfh_btf *btf, uint32_t id, uint32_t i, const char **name,
		   uint32_t *type)
{
	const struct btype *b = of_kind(btf, id, BPFH_BTF_KIND_FUNC_PROTO,
					BPFH_BTF_KIND_FUNC_PROTO);

	if (!b || i >= b->t.vlen)
		return -EINVAL;
	if (name)
		*name = btf->strs + bpfh_rd32(b->extra + 8 * i);
	if (type)
		*type = bpfh_rd32(b->extra + 8 * i + 4);
	return 0;
}

int bpfh_btf_var_linkage(const struct bpfh_btf *btf, uint32_t id, uint32_t *linkage)
{
	const struct btype *b = of_kind(btf, id, BPFH_BTF_KIND_VAR, BPFH_BTF_KIND_VAR);

	if (!b)
		return -EINVAL;
	*linkage = bpfh_rd32(b->extra);
	return 0;
}

int bpfh_btf_datasec_var(const struct bpfh_btf *btf, uint32_t id, uint32_t i,
			 struct bpfh_btf_var_secinfo *out)
{
	const struct btype *b = of_kind(btf, id, BPFH_BTF_KIND_DATASEC, BPFH_BTF_KIND_DATASEC);

	if (!b || i >= b->t.vlen)
		return -EINVAL;
	out->type = bpfh_rd32(b->extra + 12 * i);
	out->offset = bpfh_rd32(b->extra + 12 * i + 4);
	out->size = bpfh_rd32(b->extra + 12 * i + 8);
	return 0;
}

int bpfh_btf_decl_tag(const struct bpfh_btf *btf, uint32_t id, int32_t *component_idx)
{
	const struct btype *b = of_kind(btf, id, BPFH_BTF_KIND_DECL_TAG, BPFH_BTF_KIND_DECL_TAG);

	if (!b)
		return -EINVAL;
	*component_idx = (int32_t)bpfh_rd32(b->extra);
	return 0;
}

int bpfh_btf_set_datasec(struct bpfh_btf *btf, uint32_t id, uint32_t size)
{
	struct btype *b;
	uint32_t i;

	if (!of_kind(btf, id, BPFH_BTF_KIND_DATASEC, BPFH_BTF_KIND_DATASEC))
		return -EINVAL;
	b = &btf->types[id];
	for (i = 0; i < b->t.vlen; i++)
		if ((uint64_t)bpfh_rd32(b->extra + 12 * i + 4) +
		    bpfh_rd32(b->extra + 12 * i + 8) > size)
			return -EINVAL;
	bpfh_wr32(btf->data + b->off + 8, size);
	b->t.size = size;
	b->size = size;
	return 0;
}

int bpfh_btf_set_datasec_var(struct bpfh_btf *btf, uint32_t id, uint32_t i, uint32_t offset)
{
	struct btype *b;

	if (!of_kind(btf, id, BPFH_BTF_KIND_DATASEC, BPFH_BTF_KIND_DATASEC))
		return -EINVAL;
	b = &btf->types[id];
	if (i >= b->t.vlen || (uint64_t)offset + bpfh_rd32(b->extra + 12 * i + 8) > b->t.size)
		return -EINVAL;
	bpfh_wr32(btf->data + b->off + 12 + 12 * i + 4, offset);
	return 0;
}

const void *bpfh_btf_raw(const struct bpfh_btf *btf, size_t *size)
{
	if (!btf) {
		if (size)
			*size = 0;
		return NULL;
	}
	if (size)
		*size = btf->size;
	return btf->data;
}
