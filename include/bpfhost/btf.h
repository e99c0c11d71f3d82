/* SPDX-License-Identifier: MIT */
/*
 * bpfhost BTF: the BPF Type Format as clang writes it into the ".BTF" section of an object
 * (Linux's Documentation/bpf/btf.rst), parsed and checked once, then read through small
 * accessors: types by id and by name, modifiers and typedefs resolved, sizes, struct members with
 * their bit offsets, enumerators, parameters, variables of data sections, strings.
 *
 * Parsing refuses, with -EINVAL and one log line "NAME: section .BTF, offset 0xO: what", any
 * input that later reads could trip on: a bad header, offsets or lengths outside the data, an
 * unknown kind, a string offset outside the string section or a string that is not terminated,
 * a type id that names no type, a reference of the wrong kind (a member that is a function, an
 * array of void), a type that contains itself (a cycle through modifiers, typedefs, arrays or
 * members; only pointers may close a cycle), sizes that overflow 32 bits, members or variables
 * that do not fit in their struct or section. After a successful parse every accessor is total:
 * ids below bpfh_btf_type_count() are valid and every referenced id is below it.
 *
 * A struct bpfh_btf owns a copy of its data; strings returned point into it and live as long
 * as it does. It is immutable once parsed, except for bpfh_btf_set_datasec(), which the object
 * loader uses to fill in section sizes and variable offsets that clang leaves as zero.
 *
 * A small writer (struct bpfh_btf_builder, at the end) builds BTF from C: bpfhost publishes the
 * types of its contexts with it (bpfh_context_btf() in contexts.h), the target of CO-RE.
 */
#ifndef BPFHOST_BTF_H
#define BPFHOST_BTF_H

#include <stddef.h>
#include <stdint.h>

#include "bpfhost/log.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Type kinds (the values of Linux's BTF_KIND_*). */
enum bpfh_btf_kind {
	BPFH_BTF_KIND_UNKN = 0,   /* id 0: void */
	BPFH_BTF_KIND_INT = 1,
	BPFH_BTF_KIND_PTR = 2,
	BPFH_BTF_KIND_ARRAY = 3,
	BPFH_BTF_KIND_STRUCT = 4,
	BPFH_BTF_KIND_UNION = 5,
	BPFH_BTF_KIND_ENUM = 6,
	BPFH_BTF_KIND_FWD = 7,
	BPFH_BTF_KIND_TYPEDEF = 8,
	BPFH_BTF_KIND_VOLATILE = 9,
	BPFH_BTF_KIND_CONST = 10,
	BPFH_BTF_KIND_RESTRICT = 11,
	BPFH_BTF_KIND_FUNC = 12,
	BPFH_BTF_KIND_FUNC_PROTO = 13,
	BPFH_BTF_KIND_VAR = 14,
	BPFH_BTF_KIND_DATASEC = 15,
	BPFH_BTF_KIND_FLOAT = 16,
	BPFH_BTF_KIND_DECL_TAG = 17,
	BPFH_BTF_KIND_TYPE_TAG = 18,
	BPFH_BTF_KIND_ENUM64 = 19,
	BPFH_BTF_KIND__COUNT
};

/* INT encoding bits. */
#define BPFH_BTF_INT_SIGNED 1u
#define BPFH_BTF_INT_CHAR 2u
#define BPFH_BTF_INT_BOOL 4u

/* Linkage of a VAR (and of a FUNC, held in its vlen). */
#define BPFH_BTF_LINKAGE_STATIC 0u
#define BPFH_BTF_LINKAGE_GLOBAL 1u
#define BPFH_BTF_LINKAGE_EXTERN 2u

/* One type, decoded. */
struct bpfh_btf_type {
	uint32_t kind;      /* enum bpfh_btf_kind */
	uint32_t vlen;      /* members, enumerators, parameters, variables; FUNC: its linkage */
	int kflag;          /* struct/union: bitfield offsets encoded; enum: signed; fwd: union */
	const char *name;   /* "" when anonymous */
	uint32_t size;      /* INT, STRUCT, UNION, ENUM, ENUM64, DATASEC, FLOAT: size in bytes */
	uint32_t type;      /* PTR, TYPEDEF, VOLATILE, CONST, RESTRICT, TYPE_TAG, FUNC, VAR,
			     * DECL_TAG: the referenced id; FUNC_PROTO: the return type */
};

struct bpfh_btf_member {
	const char *name;
	uint32_t type;
	uint32_t bit_offset;     /* from the start of the struct */
	uint32_t bitfield_size;  /* 0 unless a bitfield */
};

struct bpfh_btf_int {
	uint32_t encoding; /* BPFH_BTF_INT_* bits */
	uint32_t offset;   /* bit offset of the value within the storage */
	uint32_t bits;     /* number of bits */
};

struct bpfh_btf_array {
	uint32_t type;        /* element type */
	uint32_t index_type;
	uint32_t nelems;
};

struct bpfh_btf_var_secinfo {
	uint32_t type;    /* a VAR (or FUNC for .ksyms) */
	uint32_t offset;  /* in the section */
	uint32_t size;
};

struct bpfh_btf;

/*
 * Parse size bytes of .BTF data. name is used in messages ("NAME: section .BTF, offset 0xO:
 * ..."). On success *out owns a copy of the data. Returns 0, -EINVAL (log says why) or -ENOMEM.
 */
int bpfh_btf_create(const void *data, size_t size, const char *name, struct bpfh_log *log,
		    struct bpfh_btf **out);
void bpfh_btf_destroy(struct bpfh_btf *btf);

/* Number of type ids, counting id 0 (void): valid ids are 0 .. count - 1. */
uint32_t bpfh_btf_type_count(const struct bpfh_btf *btf);
/* The type with this id (id 0 is void, kind UNKN), or NULL when out of range. Borrowed. */
const struct bpfh_btf_type *bpfh_btf_type_by_id(const struct bpfh_btf *btf, uint32_t id);
/* The first type named name, of kind kind (or of any kind when kind is -1): its id, or
 * -ENOENT. */
int64_t bpfh_btf_find(const struct bpfh_btf *btf, const char *name, int kind);
/* The string at offset off of the string section, or NULL when off is outside it. */
const char *bpfh_btf_str(const struct bpfh_btf *btf, uint32_t off);

/* Follow TYPEDEF, CONST, VOLATILE, RESTRICT and TYPE_TAG to the type they stand for: its id
 * (0 for void, and for an id out of range). */
uint32_t bpfh_btf_resolve(const struct bpfh_btf *btf, uint32_t id);
/* Size in bytes of the type (modifiers resolved; PTR is 8; ARRAY nelems times its element; VAR
 * its type's; DATASEC its own), or -EINVAL for types without a size (void, FWD, FUNC,
 * FUNC_PROTO, DECL_TAG) and ids out of range. */
int64_t bpfh_btf_size(const struct bpfh_btf *btf, uint32_t id);
/* Alignment in bytes the type needs (1, 2, 4 or 8), or -EINVAL as for bpfh_btf_size. */
int64_t bpfh_btf_align(const struct bpfh_btf *btf, uint32_t id);

/* Member i of a STRUCT or UNION. Returns 0, or -EINVAL (not a struct/union, i >= vlen). */
int bpfh_btf_member(const struct bpfh_btf *btf, uint32_t id, uint32_t i,
		    struct bpfh_btf_member *m);
/* The member called name of a STRUCT or UNION (direct members only): 0, -ENOENT, -EINVAL. */
int bpfh_btf_member_by_name(const struct bpfh_btf *btf, uint32_t id, const char *name,
			    struct bpfh_btf_member *m);
/* INT details: 0 or -EINVAL. */
int bpfh_btf_int(const struct bpfh_btf *btf, uint32_t id, struct bpfh_btf_int *out);
/* ARRAY details: 0 or -EINVAL. */
int bpfh_btf_array(const struct bpfh_btf *btf, uint32_t id, struct bpfh_btf_array *out);
/* Enumerator i of an ENUM or ENUM64: name and value (sign-extended when the enum is signed).
 * 0 or -EINVAL. */
int bpfh_btf_enum_value(const struct bpfh_btf *btf, uint32_t id, uint32_t i, const char **name,
			int64_t *value);
/* Parameter i of a FUNC_PROTO: name ("" when unnamed) and type (0 for a trailing "..."). */
int bpfh_btf_param(const struct bpfh_btf *btf, uint32_t id, uint32_t i, const char **name,
		   uint32_t *type);
/* Linkage of a VAR (BPFH_BTF_LINKAGE_*): 0 or -EINVAL. */
int bpfh_btf_var_linkage(const struct bpfh_btf *btf, uint32_t id, uint32_t *linkage);
/* Variable i of a DATASEC: 0 or -EINVAL. */
int bpfh_btf_datasec_var(const struct bpfh_btf *btf, uint32_t id, uint32_t i,
			 struct bpfh_btf_var_secinfo *out);
/* Component index of a DECL_TAG (-1: the declaration itself): 0 or -EINVAL. */
int bpfh_btf_decl_tag(const struct bpfh_btf *btf, uint32_t id, int32_t *component_idx);

/*
 * Fill in a DATASEC the way a loader does before it hands BTF to a kernel: the section's size
 * and, for variable i, its offset (clang leaves both 0 in objects; the ELF symbols hold them).
 * Checks that the variable fits in the section. Returns 0 or -EINVAL.
 */
int bpfh_btf_set_datasec(struct bpfh_btf *btf, uint32_t id, uint32_t size);
int bpfh_btf_set_datasec_var(struct bpfh_btf *btf, uint32_t id, uint32_t i, uint32_t offset);

/* The BTF data as parsed (and as bpfh_btf_set_datasec left it): size bytes, borrowed, valid as
 * long as btf is. NULL (and *size 0) for a NULL btf. */
const void *bpfh_btf_raw(const struct bpfh_btf *btf, size_t *size);

/*
 * Building BTF: a writer for hosts that publish types of their own (bpfh_context_btf() builds
 * the contexts' types with it) and for tests. Types get ids 1, 2, 3, ... in the order they are
 * added; a type may refer to ids not added yet (a pointer to a struct defined later), and the
 * references are checked when the result is parsed. Members are added to the struct or union
 * added last, enumerators to the enum added last, parameters to the FUNC_PROTO added last.
 *
 * Every add returns the new id (or 0 for members, enumerators and parameters) or a negative
 * errno: -ENOMEM, -EINVAL (a member with no struct or union open, a name longer than 4095
 * characters, a bitfield wider than 255 bits or an offset past 2^24 - 1 bits in a struct with
 * bitfields, a modifier kind that is not CONST, VOLATILE or RESTRICT), -E2BIG (more than 65535
 * members or enumerators, or data past 4 GiB), -ERANGE (an enumerator outside 32 bits). The
 * first error is kept: later adds do nothing and return it, and so do bpfh_btf_builder_finish
 * and bpfh_btf_builder_build, so a caller may check only at the end.
 */
struct bpfh_btf_builder;

/* A new, empty builder; NULL (errno ENOMEM) on allocation failure. */
struct bpfh_btf_builder *bpfh_btf_builder_create(void);
/* Free a builder; NULL does nothing. */
void bpfh_btf_builder_destroy(struct bpfh_btf_builder *b);

/* An INT of size bytes (1, 2, 4, 8 or 16) using all its bits; encoding: BPFH_BTF_INT_* bits. */
int bpfh_btf_add_int(struct bpfh_btf_builder *b, const char *name, uint32_t size,
		     uint32_t encoding);
/* A FLOAT of size bytes. */
int bpfh_btf_add_float(struct bpfh_btf_builder *b, const char *name, uint32_t size);
/* A pointer to type (0: void *). */
int bpfh_btf_add_ptr(struct bpfh_btf_builder *b, uint32_t type);
/* An array of nelems elements of type elem, indexed by index_type (an INT). */
int bpfh_btf_add_array(struct bpfh_btf_builder *b, uint32_t elem, uint32_t index_type,
		       uint32_t nelems);
/* A struct or union of size bytes ("" for an anonymous one), with no members yet. */
int bpfh_btf_add_struct(struct bpfh_btf_builder *b, const char *name, uint32_t size);
int bpfh_btf_add_union(struct bpfh_btf_builder *b, const char *name, uint32_t size);
/* A member of the struct or union added last, at bit_offset bits from its start; bitfield_size
 * 0 for a plain member, else the bitfield's width in bits (the struct then records bitfield
 * sizes, BTF's kind flag). Returns 0 or a negative errno. */
int bpfh_btf_add_member(struct bpfh_btf_builder *b, const char *name, uint32_t type,
			uint32_t bit_offset, uint32_t bitfield_size);
/* An ENUM of size bytes (1, 2, 4 or 8), signed or not, with no enumerators yet. */
int bpfh_btf_add_enum(struct bpfh_btf_builder *b, const char *name, uint32_t size,
		      int is_signed);
/* An enumerator of the enum added last; value must fit 32 bits (signed, or unsigned).
 * Returns 0 or a negative errno. */
int bpfh_btf_add_enumerator(struct bpfh_btf_builder *b, const char *name, int64_t value);
/* A forward declaration of a struct (is_union 0) or union. */
int bpfh_btf_add_fwd(struct bpfh_btf_builder *b, const char *name, int is_union);
/* A typedef of type. */
int bpfh_btf_add_typedef(struct bpfh_btf_builder *b, const char *name, uint32_t type);
/* A CONST, VOLATILE or RESTRICT (kind) of type. */
int bpfh_btf_add_modifier(struct bpfh_btf_builder *b, uint32_t kind, uint32_t type);
/* A FUNC_PROTO returning ret (0: void), with no parameters yet; then its parameters (type 0
 * last: "..."), returning 0 or a negative errno. */
int bpfh_btf_add_func_proto(struct bpfh_btf_builder *b, uint32_t ret);
int bpfh_btf_add_param(struct bpfh_btf_builder *b, const char *name, uint32_t type);
/* A FUNC named name of type proto (a FUNC_PROTO), with linkage BPFH_BTF_LINKAGE_*. */
int bpfh_btf_add_func(struct bpfh_btf_builder *b, const char *name, uint32_t proto,
		      uint32_t linkage);

/* The .BTF data of the types added so far (header, types, strings; names stored once): a
 * malloc'd buffer the caller frees, in *data, and its size. 0 or a negative errno (the first
 * error of the adds). */
int bpfh_btf_builder_finish(const struct bpfh_btf_builder *b, void **data, size_t *size);
/* The same, parsed by bpfh_btf_create (name and log as there): 0 or a negative errno; -EINVAL
 * with a log line when the types do not make valid BTF (a reference to a missing id, a
 * member that does not fit its struct, ...). */
int bpfh_btf_builder_build(const struct bpfh_btf_builder *b, const char *name,
			   struct bpfh_log *log, struct bpfh_btf **out);

#ifdef __cplusplus
}
#endif
#endif
