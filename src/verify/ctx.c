// SPDX-License-Identifier: MIT
/*
 * Context accesses: what a load or store of size bytes at offset [lo, hi) of the context may
 * do under the program type's field table (types.c), and what a load gives. The rules are
 * Linux's: one field per access, the offset a constant and a multiple of the size, each field
 * read and written only at the widths its rights allow (verify.h says how). Without a table
 * (plain memory programs) any access inside ctx_size goes.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "verify_int.h"

/* Without a field table: anything inside the context, writes when it is writable. */
static int access_untyped(const struct bpfh_verify_prog_type *type, int64_t lo, int64_t hi,
			  unsigned size, bool write, enum bpfh_vkind *kind, char *why,
			  size_t why_size)
{
	if (lo < 0 || hi > (int64_t)type->ctx_size) {
		snprintf(why, why_size, "context access out of bounds: bytes [%" PRId64 ", %" PRId64
			 ") of %" PRIu32, lo, hi, type->ctx_size);
		return -EACCES;
	}
	if (write && !type->ctx_writable) {
		snprintf(why, why_size, "write into the context");
		return -EACCES;
	}
	if (!write && size == 4 && lo + 4 == hi) {
		if (type->pkt_data_off >= 0 && lo == type->pkt_data_off)
			*kind = BPFH_VK_PKT;
		else if (type->pkt_end_off >= 0 && lo == type->pkt_end_off)
			*kind = BPFH_VK_PKT_END;
	}
	return 0;
}

/* The width a whole-field access has: the field's size, or 4 for arrays of 32-bit words. */
static unsigned field_width(const struct bpfh_verify_ctx_field *f)
{
	return f->size == 1 || f->size == 2 || f->size == 4 || f->size == 8 ? f->size : 4;
}

static bool size_ok(const struct bpfh_verify_ctx_field *f, unsigned n, bool write)
{
	unsigned w = field_width(f);

	if (n == w)
		return true;
	if (n == 8 && (f->rights & BPFH_VFIELD_WIDE))
		return true;
	if (n < w)
		return (f->rights & (write ? BPFH_VFIELD_NARROW_WRITE : BPFH_VFIELD_NARROW)) != 0;
	return false;
}

/* "1, 2 or 4 bytes": the sizes f may be read (written) at. */
static void format_sizes(const struct bpfh_verify_ctx_field *f, bool write, char *buf,
			 size_t size)
{
	static const unsigned sizes[] = { 1, 2, 4, 8 };
	unsigned ok[4];
	size_t i, n = 0, len = 0;

	for (i = 0; i < 4; i++)
		if (size_ok(f, sizes[i], write))
			ok[n++] = sizes[i];
	buf[0] = 0;
	for (i = 0; i < n && len < size; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s%u", i == 0 ? "" : i + 1 == n ?
					" or " : ", ", ok[i]);
}

int bpfh_vctx_access(const struct bpfh_verify_prog_type *type, int64_t lo, int64_t hi,
		     unsigned size, bool write, enum bpfh_vkind *kind, char *why, size_t why_size)
{
	const struct bpfh_verify_ctx_field *f = NULL;
	const char *cn = type->ctx_name ? type->ctx_name : "the context";
	const char *tn = type->name ? type->name : "these";
	char where[96], fname[48], sizes[32];
	size_t i;

	*kind = BPFH_VK_SCALAR;
	if (!type->fields)
		return access_untyped(type, lo, hi, size, write, kind, why, why_size);
	if (lo < 0 || hi > (int64_t)type->ctx_size) {
		snprintf(why, why_size, "context access out of bounds: bytes [%" PRId64 ", %" PRId64
			 ") of %s (%" PRIu32 " bytes)", lo, hi, cn, type->ctx_size);
		return -EACCES;
	}
	snprintf(where, sizeof(where), "%s bytes [%" PRId64 ", %" PRId64 ") of %s",
		 write ? "write into the context at" : "context access to", lo, hi, cn);
	if (size == 0 || hi - lo != (int64_t)size) {
		snprintf(why, why_size, "%s: the offset must be a constant (%u-byte access)", where,
			 size);
		return -EACCES;
	}
	for (i = 0; i < type->nfields; i++) {
		const struct bpfh_verify_ctx_field *c = &type->fields[i];

		if (lo >= c->off && lo < (int64_t)c->off + c->size) {
			f = c;
			break;
		}
	}
	if (!f || !(f->rights & (write ? BPFH_VFIELD_WRITE : BPFH_VFIELD_READ))) {
		if (f && write && (f->rights & BPFH_VFIELD_READ)) {
			snprintf(fname, sizeof(fname), "%s", f->name ? f->name : "at this offset");
			snprintf(why, why_size, "%s: field %s is read-only", where, fname);
		} else {
			snprintf(why, why_size, "%s: not a field of %s that %s programs may %s", where,
				 cn, tn, write ? "write" : "read");
		}
		return -EACCES;
	}
	snprintf(fname, sizeof(fname), "%s", f->name ? f->name : "at this offset");
	if (lo % size) {
		snprintf(why, why_size, "%s: misaligned %u-byte access to field %s (the offset must "
			 "be a multiple of the size)", where, size, fname);
		return -EACCES;
	}
	if (!size_ok(f, size, write)) {
		format_sizes(f, write, sizes, sizeof(sizes));
		snprintf(why, why_size, "%s: field %s may be %s as %s byte%s, not %u", where, fname,
			 write ? "written" : "read", sizes, strcmp(sizes, "1") ? "s" : "", size);
		return -EACCES;
	}
	if (hi > (int64_t)f->off + f->size) {
		snprintf(why, why_size, "%s: crosses the end of field %s (bytes [%u, %u))", where,
			 fname, f->off, f->off + f->size);
		return -EACCES;
	}
	if (!write && f->kind != BPFH_VFIELD_SCALAR && size == f->size) {
		if (f->kind == BPFH_VFIELD_PKT)
			*kind = BPFH_VK_PKT;
		else if (f->kind == BPFH_VFIELD_PKT_END)
			*kind = BPFH_VK_PKT_END;
		else if (f->kind == BPFH_VFIELD_PKT_META)
			*kind = BPFH_VK_PKT_META;
	}
	return 0;
}
