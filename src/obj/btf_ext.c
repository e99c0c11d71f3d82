// SPDX-License-Identifier: MIT
/*
 * .BTF.ext: the per-instruction side of BTF that clang writes next to .BTF. Three kinds of
 * records, each grouped by the code section they describe: func info (the BTF FUNC of each
 * function's first instruction), line info (file, line, column and source text of an
 * instruction) and CO-RE relocations (an instruction, a local type, an access string and a
 * kind). This file checks the layout and every field that refers to BTF (type ids, kinds,
 * string offsets) and keeps the records in place; link.c sorts them into programs, where
 * instruction offsets are checked against the code.
 *
 * CO-RE relocations are resolved and applied by core.c, when the caller gives a target BTF.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "obj_int.h"

#define SEC ".BTF.ext"
#define EXT_MAGIC 0xeb9f
#define EXT_HDR_MIN 24u     /* up to line info */
#define EXT_HDR_CORE 32u    /* with CO-RE relocations */

static const char *const area_names[BPFH_EXT__COUNT] = { "func info", "line info",
							  "CO-RE relocation" };
static const uint32_t min_rec[BPFH_EXT__COUNT] = { BPFH_EXT_FUNC_MIN, BPFH_EXT_LINE_MIN,
						   BPFH_EXT_CORE_MIN };

static int check_record(const uint8_t *r, uint64_t at, int kind, const struct bpfh_btf *btf,
			const struct bpfh_obj_ctx *ctx)
{
	uint32_t insn_off = bpfh_rd32(r), v;
	const struct bpfh_btf_type *t;

	if (insn_off % 8)
		return bpfh_obj_err(ctx, SEC, at, "%s record: instruction offset 0x%x is not a "
				    "multiple of 8", area_names[kind], insn_off);
	switch (kind) {
	case BPFH_EXT_FUNC:
		v = bpfh_rd32(r + 4);
		t = bpfh_btf_type_by_id(btf, v);
		if (!t || t->kind != BPFH_BTF_KIND_FUNC)
			return bpfh_obj_err(ctx, SEC, at + 4, "func info record: type %u is not a "
					    "FUNC", v);
		break;
	case BPFH_EXT_LINE:
		v = bpfh_rd32(r + 4);
		if (!bpfh_btf_str(btf, v))
			return bpfh_obj_err(ctx, SEC, at + 4, "line info record: file name offset "
					    "0x%x is outside the BTF strings", v);
		v = bpfh_rd32(r + 8);
		if (!bpfh_btf_str(btf, v))
			return bpfh_obj_err(ctx, SEC, at + 8, "line info record: line text offset "
					    "0x%x is outside the BTF strings", v);
		break;
	case BPFH_EXT_CORE:
		v = bpfh_rd32(r + 4);
		if (v >= bpfh_btf_type_count(btf))
			return bpfh_obj_err(ctx, SEC, at + 4, "CO-RE relocation: type %u does not "
					    "exist (the last is %u)", v,
					    bpfh_btf_type_count(btf) - 1);
		v = bpfh_rd32(r + 8);
		if (!bpfh_btf_str(btf, v) || !*bpfh_btf_str(btf, v))
			return bpfh_obj_err(ctx, SEC, at + 8, "CO-RE relocation: access string "
					    "offset 0x%x is outside the BTF strings or empty", v);
		v = bpfh_rd32(r + 12);
		if (v > BPFH_CORE_TYPE_MATCHES)
			return bpfh_obj_err(ctx, SEC, at + 12, "CO-RE relocation: unknown kind %u",
					    v);
		break;
	}
	return 0;
}

/* One area: a record size, then groups of (section name, count, records). */
static int parse_area(struct bpfh_btf_ext *ext, int kind, const uint8_t *data, uint64_t at,
		      uint64_t len, const struct bpfh_btf *btf, const struct bpfh_obj_ctx *ctx)
{
	uint64_t pos, end = at + len;
	uint32_t rec_size;
	size_t n = 0, cap = 0;

	if (len < 4)
		return bpfh_obj_err(ctx, SEC, at, "%s: %llu bytes are too few for a record size",
				    area_names[kind], (unsigned long long)len);
	rec_size = bpfh_rd32(data + at);
	if (rec_size < min_rec[kind] || rec_size % 4)
		return bpfh_obj_err(ctx, SEC, at, "%s: record size %u (at least %u, a multiple "
				    "of 4)", area_names[kind], rec_size, min_rec[kind]);
	for (pos = at + 4; pos < end;) {
		struct bpfh_ext_sec *s;
		uint32_t name_off, nrecs, i;
		const char *name;

		if (end - pos < 8)
			return bpfh_obj_err(ctx, SEC, pos, "%s: truncated section header",
					    area_names[kind]);
		name_off = bpfh_rd32(data + pos);
		nrecs = bpfh_rd32(data + pos + 4);
		name = bpfh_btf_str(btf, name_off);
		if (!name || !*name)
			return bpfh_obj_err(ctx, SEC, pos, "%s: section name offset 0x%x is outside "
					    "the BTF strings or empty", area_names[kind], name_off);
		if (nrecs == 0)
			return bpfh_obj_err(ctx, SEC, pos + 4, "%s: section %s has no records",
					    area_names[kind], name);
		if ((uint64_t)nrecs * rec_size > end - pos - 8)
			return bpfh_obj_err(ctx, SEC, pos + 4, "%s: %u records of %u bytes for "
					    "section %s run past the end", area_names[kind], nrecs,
					    rec_size, name);
		pos += 8;
		for (i = 0; i < nrecs; i++)
			if (check_record(data + pos + (uint64_t)i * rec_size,
					 pos + (uint64_t)i * rec_size, kind, btf, ctx))
				return -EINVAL;
		if (n == cap) {
			size_t nc = cap ? cap * 2 : 8;
			struct bpfh_ext_sec *ns = realloc(ext->secs[kind], nc * sizeof(*ns));

			if (!ns)
				return -ENOMEM;
			ext->secs[kind] = ns;
			cap = nc;
		}
		s = &ext->secs[kind][n++];
		ext->nsecs[kind] = n;
		s->sec_name = name;
		s->recs = data + pos;
		s->nrecs = nrecs;
		s->rec_size = rec_size;
		s->off = (uint32_t)pos;
		s->order = NULL;
		pos += (uint64_t)nrecs * rec_size;
	}
	return 0;
}

int bpfh_btf_ext_parse(struct bpfh_btf_ext *ext, const uint8_t *data, size_t size,
		       const struct bpfh_btf *btf, const struct bpfh_obj_ctx *ctx)
{
	uint32_t hdr_len, off, len;
	int kind, err;

	memset(ext, 0, sizeof(*ext));
	if (size < EXT_HDR_MIN)
		return bpfh_obj_err(ctx, SEC, 0, "%zu bytes are too short for a header (24 bytes)",
				    size);
	if (bpfh_rd16(data) != EXT_MAGIC)
		return bpfh_obj_err(ctx, SEC, 0, "magic 0x%04x, expected 0xeb9f", bpfh_rd16(data));
	if (data[2] != 1)
		return bpfh_obj_err(ctx, SEC, 2, "version %u, expected 1", data[2]);
	if (data[3] != 0)
		return bpfh_obj_err(ctx, SEC, 3, "flags 0x%x, expected 0", data[3]);
	hdr_len = bpfh_rd32(data + 4);
	if (hdr_len < EXT_HDR_MIN || hdr_len > size)
		return bpfh_obj_err(ctx, SEC, 4, "header length %u is outside 24..%zu", hdr_len,
				    size);
	for (kind = 0; kind < BPFH_EXT__COUNT; kind++) {
		uint32_t field = 8 + 8 * (uint32_t)kind;

		if (field + 8 > hdr_len)
			break;
		off = bpfh_rd32(data + field);
		len = bpfh_rd32(data + field + 4);
		if (len == 0)
			continue;
		if (off % 4 || (uint64_t)hdr_len + off + len > size)
			return bpfh_obj_err(ctx, SEC, field, "%s at 0x%x, 0x%x bytes, is misaligned "
					    "or past the end (0x%zx bytes after a 0x%x-byte "
					    "header)", area_names[kind], off, len, size - hdr_len,
					    hdr_len);
		err = parse_area(ext, kind, data, (uint64_t)hdr_len + off, len, btf, ctx);
		if (err)
			return err;
	}
	return 0;
}

void bpfh_btf_ext_fini(struct bpfh_btf_ext *ext)
{
	int kind;

	size_t i;

	for (kind = 0; kind < BPFH_EXT__COUNT; kind++) {
		for (i = 0; i < ext->nsecs[kind]; i++)
			free(ext->secs[kind][i].order);
		free(ext->secs[kind]);
	}
	memset(ext, 0, sizeof(*ext));
}

const struct bpfh_ext_sec *bpfh_btf_ext_find(const struct bpfh_btf_ext *ext, int kind,
					     const char *name)
{
	size_t i;

	for (i = 0; i < ext->nsecs[kind]; i++)
		if (!strcmp(ext->secs[kind][i].sec_name, name))
			return &ext->secs[kind][i];
	return NULL;
}
