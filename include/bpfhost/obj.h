/* SPDX-License-Identifier: MIT */
/*
 * bpfhost objects: the ELF files clang builds with -target bpf, parsed into programs, map
 * definitions and global data, with every relocation applied that does not need a live map.
 * An object is immutable once opened; it allocates no maps and runs nothing.
 *
 * Map references in the programs are left as lddw pseudo forms that name a map by its index in
 * the object: src BPFH_PSEUDO_MAP_IDX (5) with imm = map index, or BPFH_PSEUDO_MAP_IDX_VALUE (6)
 * with imm = map index and the second slot's imm = offset into the value (global data). The
 * engine's lddw resolver turns them into live map addresses at load.
 */
#ifndef BPFHOST_OBJ_H
#define BPFHOST_OBJ_H

#include <stddef.h>
#include <stdint.h>

#include "bpfhost/isa.h"
#include "bpfhost/log.h"
#include "bpfhost/map.h"

#ifdef __cplusplus
extern "C" {
#endif

#define BPFH_PSEUDO_MAP_FD 1
#define BPFH_PSEUDO_MAP_VALUE 2
#define BPFH_PSEUDO_BTF_ID 3
#define BPFH_PSEUDO_FUNC 4
#define BPFH_PSEUDO_MAP_IDX 5
#define BPFH_PSEUDO_MAP_IDX_VALUE 6

/* Where a map of an object comes from. */
enum bpfh_obj_map_kind {
	BPFH_OBJ_MAP_BTF,     /* a BTF-defined map in ".maps" */
	BPFH_OBJ_MAP_LEGACY,  /* a struct bpf_map_def in "maps" */
	BPFH_OBJ_MAP_DATA,    /* ".data*": a one-element array holding the section */
	BPFH_OBJ_MAP_RODATA,  /* ".rodata*": the same, BPF_F_RDONLY_PROG */
	BPFH_OBJ_MAP_BSS,     /* ".bss": zero-filled */
	BPFH_OBJ_MAP_KCONFIG, /* ".kconfig": the externs a user-space host answers */
};

/* Initial contents of one slot of a PROG_ARRAY or map-in-map (`__array(values, ...)` with
 * initialisers): key index and the program or map index in the same object. */
struct bpfh_obj_slot {
	uint32_t key;
	uint32_t index;
};

struct bpfh_obj_map {
	char name[BPFH_MAP_NAME_LEN];      /* the symbol, or ".data", ".rodata.str1.1", ... */
	enum bpfh_obj_map_kind kind;
	struct bpfh_map_def def;
	int inner;                         /* map-in-map: index of the inner template map, or -1 */
	uint32_t pinning;                  /* LIBBPF_PIN_NONE 0, LIBBPF_PIN_BY_NAME 1 */
	const uint8_t *init;               /* global data: the section bytes (NULL for .bss) */
	size_t init_size;
	const struct bpfh_obj_slot *slots; /* prog array / map-in-map initial values */
	size_t nslots;
	uint32_t btf_key_type_id, btf_value_type_id; /* in the object's BTF, 0 if none */
};

/* One source line, from .BTF.ext line info. */
struct bpfh_obj_line {
	uint32_t insn;        /* instruction index in the program */
	const char *file;     /* file name as BTF records it */
	const char *text;     /* the source line's text, or "" */
	uint32_t line, col;
};

struct bpfh_obj_prog {
	char name[BPFH_MAP_NAME_LEN];   /* the global function's name */
	char section[128];              /* its ELF section, e.g. "xdp" or "cgroup/bind4" */
	uint32_t prog_type;             /* Linux enum bpf_prog_type, or a bpfhost type */
	uint32_t expected_attach_type;  /* Linux enum bpf_attach_type, where the section says */
	/* Instructions: the function, followed by every subprogram it calls (directly or through
	 * other subprograms, or by address), with bpf-to-bpf calls and lddw of functions
	 * relocated into this one image, as libbpf links them. */
	struct bpfh_insn *insns;
	size_t count;
	const struct bpfh_obj_line *lines; /* sorted by insn */
	size_t nlines;
	uint32_t sec_offset;            /* the function's offset in its section, in bytes */
};

struct bpfh_object {
	char name[256];                 /* the file name given at open */
	char license[128];
	uint32_t kern_version;
	struct bpfh_obj_prog *progs;
	size_t nprogs;
	struct bpfh_obj_map *maps;
	size_t nmaps;
	struct bpfh_btf *btf;           /* the object's BTF, or NULL */
	void *priv;                     /* the parser's storage */
};

/*
 * Parse an ELF object from memory (the object keeps its own copy of what it needs). name is used
 * in messages, which read "NAME: section S, offset O: what is wrong". Refuses, with -EINVAL, any
 * malformed input: not ELF64 little-endian relocatable for machine BPF (247), offsets or sizes
 * outside the file, bad symbol or relocation entries, bad BTF, a call or map reference that
 * cannot be resolved, a section whose name gives no program type. -ENOMEM on allocation failure.
 */
int bpfh_object_open_mem(const void *data, size_t size, const char *name, struct bpfh_log *log,
			 struct bpfh_object **out);
/* The same, reading the file at path (messages name path). */
int bpfh_object_open_file(const char *path, struct bpfh_log *log, struct bpfh_object **out);
void bpfh_object_destroy(struct bpfh_object *obj);

/* Find a program by name or by section name; NULL if none. */
const struct bpfh_obj_prog *bpfh_object_find_prog(const struct bpfh_object *obj,
						  const char *name_or_section);
/* Find a map by name; its index, or -1. */
int bpfh_object_find_map(const struct bpfh_object *obj, const char *name);

/* Program types: Linux's enum bpf_prog_type values used here, and bpfhost's own. */
enum bpfh_prog_type {
	BPFH_PROG_TYPE_UNSPEC = 0,
	BPFH_PROG_TYPE_SOCKET_FILTER = 1,
	BPFH_PROG_TYPE_KPROBE = 2,
	BPFH_PROG_TYPE_SCHED_CLS = 3,
	BPFH_PROG_TYPE_SCHED_ACT = 4,
	BPFH_PROG_TYPE_TRACEPOINT = 5,
	BPFH_PROG_TYPE_XDP = 6,
	BPFH_PROG_TYPE_PERF_EVENT = 7,
	BPFH_PROG_TYPE_CGROUP_SKB = 8,
	BPFH_PROG_TYPE_CGROUP_SOCK = 9,
	BPFH_PROG_TYPE_LWT_IN = 10,
	BPFH_PROG_TYPE_SOCK_OPS = 13,
	BPFH_PROG_TYPE_SK_SKB = 14,
	BPFH_PROG_TYPE_CGROUP_DEVICE = 15,
	BPFH_PROG_TYPE_SK_MSG = 16,
	BPFH_PROG_TYPE_RAW_TRACEPOINT = 17,
	BPFH_PROG_TYPE_CGROUP_SOCK_ADDR = 18,
	BPFH_PROG_TYPE_CGROUP_SYSCTL = 23,
	BPFH_PROG_TYPE_CGROUP_SOCKOPT = 25,
	BPFH_PROG_TYPE_TRACING = 26,
	BPFH_PROG_TYPE_LSM = 29,
	BPFH_PROG_TYPE_SYSCALL = 31,
	/* bpfhost's own, far from Linux's range */
	BPFH_PROG_TYPE_BIND = 0x10000,   /* ebpf-for-windows' bind hook (struct bind_md) */
	BPFH_PROG_TYPE_MEMORY = 0x10001, /* plain memory: r1 = data, r2 = length */
};

/* Section name to program and attach type as libbpf's table does ("xdp", "cgroup/bind4",
 * "kprobe/...", ...), plus bpfhost's "bind". Returns 0, or -ENOENT for an unknown name. */
int bpfh_section_prog_type(const char *section, uint32_t *prog_type, uint32_t *attach_type);
/* Linux's name of a program type ("xdp", "socket_filter", ...), or NULL. */
const char *bpfh_prog_type_name(uint32_t prog_type);

#ifdef __cplusplus
}
#endif
#endif
