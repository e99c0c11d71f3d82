/* SPDX-License-Identifier: MIT */
/*
 * The object loader's private view, shared by the files of src/obj/ and by nothing else: the
 * ELF reader (elf.c), .BTF.ext records (btf_ext.c), the loader state that open.c builds step by
 * step (sections, functions, maps, externs), and the one error format of the component.
 *
 * The order of the steps in open.c is: ELF headers and symbols (elf.c), BTF (btf.c) and
 * .BTF.ext (btf_ext.c), license and version (sections.c), functions and programs (link.c),
 * maps and global data (maps.c), .kconfig externs (kconfig.c), relocations of the code
 * (reloc.c), .BTF.ext records indexed (link.c), CO-RE relocations (core.c), then one image per
 * program (link.c).
 */
#ifndef BPFH_OBJ_INT_H
#define BPFH_OBJ_INT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "bpfhost/btf.h"
#include "bpfhost/obj.h"

/* Little-endian reads from bytes already known to be inside the file. */
static inline uint16_t bpfh_rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

static inline uint32_t bpfh_rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
	       ((uint32_t)p[3] << 24);
}

static inline uint64_t bpfh_rd64(const uint8_t *p)
{
	return (uint64_t)bpfh_rd32(p) | ((uint64_t)bpfh_rd32(p + 4) << 32);
}

static inline void bpfh_wr32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* Where messages go and whose they are. */
struct bpfh_obj_ctx {
	const char *name;      /* the file, as the caller named it */
	struct bpfh_log *log;
};

/* Log "NAME: section SEC, offset 0xOFF: what\n" and return -EINVAL. The line is cut at 1023
 * characters and control characters in it (names come from the file) become '?'. */
int bpfh_obj_verr(const struct bpfh_obj_ctx *ctx, const char *sec, uint64_t off,
		  const char *fmt, va_list ap);
BPFH_PRINTF(4, 5)
int bpfh_obj_err(const struct bpfh_obj_ctx *ctx, const char *sec, uint64_t off,
		 const char *fmt, ...);

/* ---- ELF (elf.c) ---- */

#define BPFH_SHT_NULL 0u
#define BPFH_SHT_PROGBITS 1u
#define BPFH_SHT_SYMTAB 2u
#define BPFH_SHT_STRTAB 3u
#define BPFH_SHT_RELA 4u
#define BPFH_SHT_NOBITS 8u
#define BPFH_SHT_REL 9u
#define BPFH_SHF_WRITE 1u
#define BPFH_SHF_ALLOC 2u
#define BPFH_SHF_EXECINSTR 4u
#define BPFH_SHN_UNDEF 0u
#define BPFH_SHN_LORESERVE 0xff00u
#define BPFH_SHN_ABS 0xfff1u
#define BPFH_SHN_COMMON 0xfff2u
#define BPFH_STB_LOCAL 0u
#define BPFH_STB_GLOBAL 1u
#define BPFH_STB_WEAK 2u
#define BPFH_STT_NOTYPE 0u
#define BPFH_STT_OBJECT 1u
#define BPFH_STT_FUNC 2u
#define BPFH_STT_SECTION 3u
#define BPFH_STT_FILE 4u
#define BPFH_STV_HIDDEN 2u
#define BPFH_ELF_SYM_SIZE 24u
#define BPFH_ELF_REL_SIZE 16u
#define BPFH_ELF_SHDR_SIZE 64u
#define BPFH_ELF_EHDR_SIZE 64u

/* Relocation types of machine BPF (Linux's Documentation/bpf/llvm_reloc.rst). */
#define BPFH_R_BPF_NONE 0u
#define BPFH_R_BPF_64_64 1u       /* lddw: imm of both slots */
#define BPFH_R_BPF_64_ABS64 2u    /* 64-bit data */
#define BPFH_R_BPF_64_ABS32 3u    /* 32-bit data */
#define BPFH_R_BPF_64_NODYLD32 4u /* 32-bit data in .BTF and .BTF.ext, for linkers only */
#define BPFH_R_BPF_64_32 10u      /* call: imm */

struct bpfh_elf_sec {
	const char *name;       /* NUL-terminated, inside the section name table */
	uint32_t type;
	uint64_t flags;
	uint64_t offset;        /* in the file */
	uint64_t size;
	uint32_t link, info;
	uint64_t entsize;
	const uint8_t *data;    /* size bytes inside the file; NULL for NOBITS and NULL sections */
};

struct bpfh_elf_sym {
	const char *name;       /* "" when unnamed */
	uint8_t bind, type, vis;
	uint16_t shndx;         /* 0 (undefined), a section below nsecs, or SHN_ABS/SHN_COMMON */
	uint64_t value, size;
};

struct bpfh_elf_rel {
	uint64_t offset;        /* in the target section */
	uint32_t sym;           /* below nsyms */
	uint32_t type;
};

struct bpfh_elf {
	const uint8_t *data;
	size_t size;
	struct bpfh_elf_sec *secs;
	size_t nsecs;
	struct bpfh_elf_sym *syms;
	size_t nsyms;
	size_t symtab;          /* index of the symbol table section */
};

/*
 * Check the ELF header, section headers, section names, the symbol table and every relocation
 * section's header (data[size] stays borrowed). Returns 0, -EINVAL with a message, -ENOMEM.
 */
int bpfh_elf_parse(struct bpfh_elf *elf, const uint8_t *data, size_t size,
		   const struct bpfh_obj_ctx *ctx);
void bpfh_elf_fini(struct bpfh_elf *elf);
/* Index of the first section called name, or -1. */
int bpfh_elf_find_sec(const struct bpfh_elf *elf, const char *name);
/* Entry i of relocation section relsec (checked by bpfh_elf_parse: SHT_REL, whole entries,
 * sh_link the symbol table, sh_info a section). Refuses a symbol index out of range. */
int bpfh_elf_rel(const struct bpfh_elf *elf, size_t relsec, size_t i, struct bpfh_elf_rel *r,
		 const struct bpfh_obj_ctx *ctx);
/* Number of entries of relocation section relsec. */
size_t bpfh_elf_nrels(const struct bpfh_elf *elf, size_t relsec);
/* Offset of symbol i in the symbol table (for messages). */
uint64_t bpfh_elf_sym_off(size_t i);
/* Name of a relocation type for messages ("R_BPF_64_64"), or "unknown". */
const char *bpfh_elf_rel_name(uint32_t type);

/* ---- .BTF.ext (btf_ext.c) ---- */

/* A record's instruction offset and index, for lookups in instruction order. */
struct bpfh_ext_order {
	uint32_t insn_off;
	uint32_t rec;
};

/* The records of one kind for one section, as .BTF.ext lays them out. */
struct bpfh_ext_sec {
	const char *sec_name;
	const uint8_t *recs;   /* nrecs records of rec_size bytes */
	uint32_t nrecs;
	uint32_t rec_size;
	uint32_t off;          /* offset of the first record in .BTF.ext (for messages) */
	struct bpfh_ext_order *order; /* the records sorted by instruction (link.c builds it) */
};

enum { BPFH_EXT_FUNC, BPFH_EXT_LINE, BPFH_EXT_CORE, BPFH_EXT__COUNT };

struct bpfh_btf_ext {
	struct bpfh_ext_sec *secs[BPFH_EXT__COUNT];
	size_t nsecs[BPFH_EXT__COUNT];
};

/* Record sizes as Linux defines them; larger records are accepted and their tails ignored. */
#define BPFH_EXT_FUNC_MIN 8u   /* insn_off, type_id */
#define BPFH_EXT_LINE_MIN 16u  /* insn_off, file_name_off, line_off, line_col */
#define BPFH_EXT_CORE_MIN 16u  /* insn_off, type_id, access_str_off, kind */

/*
 * Parse .BTF.ext data[size] against btf: header, record sizes, section names, and in every
 * record the type ids, string offsets and kinds (instruction offsets are checked by the
 * linker, which knows the sections). Returns 0, -EINVAL, -ENOMEM.
 */
int bpfh_btf_ext_parse(struct bpfh_btf_ext *ext, const uint8_t *data, size_t size,
		       const struct bpfh_btf *btf, const struct bpfh_obj_ctx *ctx);
void bpfh_btf_ext_fini(struct bpfh_btf_ext *ext);
/* The records of kind for the section called name, or NULL. */
const struct bpfh_ext_sec *bpfh_btf_ext_find(const struct bpfh_btf_ext *ext, int kind,
					     const char *name);

/* ---- the loader's state (open.c) ---- */

/* What an ELF section is to the loader. */
enum bpfh_osec_kind {
	BPFH_OSEC_OTHER = 0,   /* ignored (debug info, BTF, symbol tables, ...) */
	BPFH_OSEC_PROG,        /* executable: functions */
	BPFH_OSEC_DATA,        /* global data: one map */
	BPFH_OSEC_MAPS,        /* ".maps": BTF-defined maps */
	BPFH_OSEC_LEGACY_MAPS, /* "maps": struct bpf_map_def */
};

/* A call or function-address load, recorded by reloc.c for link.c: instruction insn of the
 * section refers to instruction target of section sec. */
struct bpfh_ocall {
	uint32_t insn;
	uint32_t sec;
	uint32_t target;
};

struct bpfh_osec {
	enum bpfh_osec_kind kind;
	int map;                       /* DATA: its map index */
	int64_t datasec;               /* its BTF DATASEC, or -1 */
	struct bpfh_insn *insns;       /* PROG: the section's code, relocated */
	size_t ninsns;
	struct bpfh_ocall *calls;      /* PROG: calls and function addresses, sorted by insn */
	size_t ncalls;
	size_t first_func, nfuncs;     /* PROG: its functions in bpfh_oload.funcs */
};

/* A function: an STT_FUNC symbol in an executable section. */
struct bpfh_ofunc {
	const char *name;
	uint32_t sec;
	uint32_t start, count;         /* in instructions */
	int global;
	int prog;                      /* index in obj->progs, or -1 for a subprogram */
};

/* Where a map came from, beside what struct bpfh_obj_map says. */
struct bpfh_omap {
	uint32_t sec;                  /* ELF section (maps, .maps or the data section) */
	uint64_t off, size;            /* its definition's place in that section */
	uint32_t values_off;           /* BTF map-in-map / prog array: offset of `values` */
	uint32_t values_type;          /* the T of __array(values, T), resolved */
	int has_values;
};

struct bpfh_omap_key {
	uint64_t off;
	uint32_t sec, idx;
};

/* A .kconfig extern. */
struct bpfh_oextern {
	const char *name;
	uint32_t sym;                  /* ELF symbol */
	uint32_t off;                  /* in the .kconfig map's value */
};

/* What an object keeps from loading: the copy of the file that names, strings and initial
 * values point into, and the .kconfig map's value. */
struct bpfh_opriv {
	uint8_t *buf;
	size_t size;
	uint8_t *kconfig;
};

struct bpfh_oload {
	struct bpfh_obj_ctx ctx;
	struct bpfh_object *obj;
	struct bpfh_object_opts opts;
	struct bpfh_opriv *priv;       /* what the object keeps (obj->priv) */
	struct bpfh_elf elf;
	struct bpfh_btf_ext ext;
	int has_ext;
	struct bpfh_osec *secs;        /* one per ELF section */
	struct bpfh_ofunc *funcs;      /* sorted by section, then start */
	size_t nfuncs;
	struct bpfh_omap *omaps;       /* parallel to obj->maps */
	size_t maps_cap;
	struct bpfh_oextern *externs;
	size_t nexterns;
	int32_t *sym_extern;           /* per symbol: its index in externs, or -1 */
	int kconfig_map;               /* index of the .kconfig map, or -1 */
	/* indexes for lookups that would otherwise be quadratic on crafted files */
	uint32_t *sec_order;           /* section indices sorted by name */
	uint32_t *sym_order;           /* symbol indices sorted by section, then name */
	struct bpfh_omap_key *map_order; /* BTF and legacy maps sorted by section, offset */
	size_t nmap_order;
};

/* open.c: the first section called name (binary search), or -1. */
int bpfh_obj_find_sec(const struct bpfh_oload *ld, const char *name);
/* open.c: a symbol of section sec called name, not a section symbol (binary search), or -1. */
int bpfh_obj_find_sym(const struct bpfh_oload *ld, uint32_t sec, const char *name);
/* maps.c: the BTF or legacy map whose definition starts at off of section sec (exact), or
 * whose definition contains off (contains = 1; BTF maps only); its index or -1. */
int bpfh_obj_map_at(const struct bpfh_oload *ld, uint32_t sec, uint64_t off, int contains);

/* Instructions of all programs of an object together, subprogram copies included. */
#define BPFH_OBJ_MAX_INSNS (8u * BPFH_MAX_INSNS)

/* sections.c: license and version. */
int bpfh_obj_read_meta(struct bpfh_oload *ld);
/* link.c: find the functions and decide which are programs (fills obj->progs' names, sections
 * and types, not their code). */
int bpfh_obj_find_funcs(struct bpfh_oload *ld);
/* maps.c: legacy maps, BTF maps (with inner templates and initial slots), global data. */
int bpfh_obj_collect_maps(struct bpfh_oload *ld);
/* maps.c: the inner templates of map-in-maps, after every other map. */
int bpfh_obj_add_inner_maps(struct bpfh_oload *ld);
/* maps.c: libbpf's name for the internal map of section sec of the object called path. */
void bpfh_obj_internal_name(char *out, size_t size, const char *path, const char *sec);
/* maps.c: append a map; returns its index or a negative errno. */
int bpfh_obj_add_map(struct bpfh_oload *ld, const char *name, enum bpfh_obj_map_kind kind);
/* kconfig.c: lay out the .kconfig externs and fill in their values. */
int bpfh_obj_collect_kconfig(struct bpfh_oload *ld);
/* kconfig.c: the extern for ELF symbol sym, or NULL. */
const struct bpfh_oextern *bpfh_obj_find_extern(const struct bpfh_oload *ld, uint32_t sym);
/* reloc.c: copy each executable section's code and apply its relocations. */
int bpfh_obj_relocate(struct bpfh_oload *ld);
/* link.c: check that every .BTF.ext record names an instruction of a code section, and sort
 * each section's records by instruction (bpfh_ext_sec.order). */
int bpfh_obj_index_ext(struct bpfh_oload *ld);
/* core.c: resolve the CO-RE relocations against opts.target_btf (if any) and patch each code
 * section's instructions. */
int bpfh_obj_core_apply(struct bpfh_oload *ld);
/* link.c: one image per program, with its subprograms, line info, func info, CO-RE records. */
int bpfh_obj_link(struct bpfh_oload *ld);
/* link.c: the function of section sec that contains instruction insn, or NULL. */
const struct bpfh_ofunc *bpfh_obj_func_at(const struct bpfh_oload *ld, uint32_t sec,
					  uint32_t insn);

#endif
