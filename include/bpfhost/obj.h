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
 *
 * Programs follow libbpf: every global function in an executable section other than ".text" is
 * a program (a lone function in ".text" too, when the object has no other); static and global
 * functions in ".text" are subprograms, copied after each program that reaches them. CO-RE
 * relocations (struct bpfh_obj_core_relo) are applied when the caller gives a target BTF
 * (struct bpfh_object_opts.target_btf, libbpf's semantics; one that cannot be resolved fails
 * the open), and are kept in each program either way.
 *
 * Error messages name the file, a section and an offset in it: "NAME: section S, offset 0xO:
 * what is wrong". Offsets count from the start of the named section; problems in the ELF header
 * or the section header table name "<ELF header>" or "<section headers>" and count from their
 * start.
 */
#ifndef BPFHOST_OBJ_H
#define BPFHOST_OBJ_H

#include <stddef.h>
#include <stdint.h>

#include "bpfhost/btf.h"
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
	BPFH_OBJ_MAP_INNER,   /* the inner-map template of a map-in-map (`__array(values, T)`),
			       * named "OUTER.inner", listed after every other map: the
			       * definition its inner maps must match (bpfh_map_create's inner);
			       * no program refers to it */
};

/* Pinning of a BTF map (`__uint(pinning, ...)`); legacy maps with a nonzero pinning field get
 * BPFH_PIN_BY_NAME. */
#define BPFH_PIN_NONE 0u
#define BPFH_PIN_BY_NAME 1u

/* Initial contents of one slot of a PROG_ARRAY or map-in-map (`__array(values, ...)` with
 * initialisers): key index and the program or map index in the same object. */
struct bpfh_obj_slot {
	uint32_t key;
	uint32_t index;
};

/* One map of an object. def.name is the name to create it with: the symbol for BTF and legacy
 * maps, for global data libbpf's internal name (up to 8 characters of the object's name, then
 * the section name: "globals.rodata"; sections with a second dot keep only their name:
 * ".rodata.str1.1"), and "OUTER.inner" for inner templates. Names longer than
 * BPFH_MAP_NAME_LEN - 1 are cut. */
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
	uint32_t btf_key_type_id, btf_value_type_id; /* in the object's BTF, 0 if none; for
						       * global data the value is its DATASEC */
	uint32_t sec_offset;               /* BTF and legacy maps: offset of the definition */
};

/* One source line, from .BTF.ext line info. */
struct bpfh_obj_line {
	uint32_t insn;        /* instruction index in the program */
	const char *file;     /* file name as BTF records it */
	const char *text;     /* the source line's text, or "" */
	uint32_t line, col;
};

/* One function of a program's image: the program's own function first, then every subprogram
 * in the order it was appended. */
struct bpfh_obj_func {
	uint32_t insn;        /* its first instruction in the image */
	uint32_t count;       /* its instructions */
	const char *name;     /* the ELF symbol */
	uint32_t btf_id;      /* BTF FUNC from .BTF.ext func info, 0 if none */
};

/* CO-RE relocation kinds (Linux's enum bpf_core_relo_kind). */
enum bpfh_core_relo_kind {
	BPFH_CORE_FIELD_BYTE_OFFSET = 0,
	BPFH_CORE_FIELD_BYTE_SIZE = 1,
	BPFH_CORE_FIELD_EXISTS = 2,
	BPFH_CORE_FIELD_SIGNED = 3,
	BPFH_CORE_FIELD_LSHIFT_U64 = 4,
	BPFH_CORE_FIELD_RSHIFT_U64 = 5,
	BPFH_CORE_TYPE_ID_LOCAL = 6,
	BPFH_CORE_TYPE_ID_TARGET = 7,
	BPFH_CORE_TYPE_EXISTS = 8,
	BPFH_CORE_TYPE_SIZE = 9,
	BPFH_CORE_ENUMVAL_EXISTS = 10,
	BPFH_CORE_ENUMVAL_VALUE = 11,
	BPFH_CORE_TYPE_MATCHES = 12,
};

/* One CO-RE relocation from .BTF.ext: applied to the instruction when the object was opened
 * with a target BTF, and kept here either way. */
struct bpfh_obj_core_relo {
	uint32_t insn;        /* instruction index in the program's image */
	uint32_t type_id;     /* the local type, in the object's BTF */
	const char *access;   /* access string, e.g. "0:1:0" */
	uint32_t kind;        /* enum bpfh_core_relo_kind */
};

struct bpfh_obj_prog {
	char name[BPFH_MAP_NAME_LEN];   /* the global function's name (cut to 63 characters) */
	char section[128];              /* its ELF section, e.g. "xdp" or "cgroup/bind4" (cut to
					 * 127 characters; the type comes from the whole name) */
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
	const struct bpfh_obj_func *funcs; /* funcs[0] is the program itself */
	size_t nfuncs;
	const struct bpfh_obj_core_relo *core_relos; /* sorted by insn */
	size_t ncore_relos;
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

/* The LINUX_KERNEL_VERSION that .kconfig externs read unless the caller says otherwise: the
 * Linux release whose BPF instruction set and program interface bpfhost follows (6.6). */
#define BPFH_KERNEL_VERSION ((6u << 16) | (6u << 8))

/* Options of bpfh_object_open_opts; a zeroed struct (with sz set) means the defaults. */
struct bpfh_object_opts {
	size_t sz;                     /* sizeof(struct bpfh_object_opts), so the struct can grow */
	/* Program type (and expected attach type) for programs whose section name gives none,
	 * such as ".text" or "my_hook"; 0 refuses such sections. */
	uint32_t prog_type;
	uint32_t expected_attach_type;
	/* Value of the LINUX_KERNEL_VERSION extern; 0: BPFH_KERNEL_VERSION. */
	uint32_t kernel_version;
	/* The BTF that CO-RE relocations resolve against, as libbpf resolves them against the
	 * kernel's: bpfhost's contexts are bpfh_context_btf() (contexts.h). NULL leaves the
	 * relocations unapplied (the code keeps the offsets clang computed from the program's
	 * own definitions). Borrowed for the call only. */
	const struct bpfh_btf *target_btf;
};

/*
 * Parse an ELF object from memory (the object keeps its own copy of what it needs). name is used
 * in messages, which read "NAME: section S, offset 0xO: what is wrong". Refuses, with -EINVAL, any
 * malformed input: not ELF64 little-endian relocatable for machine BPF (247), offsets or sizes
 * outside the file, bad symbol or relocation entries, bad BTF or .BTF.ext, a call or map
 * reference that cannot be resolved, a .kconfig extern this host cannot answer, a section whose
 * name gives no program type, a CO-RE relocation that the target BTF cannot satisfy (its
 * message: "NAME: section S, offset 0xO: program P: insn N: CO-RE relocation of xdp_md.foo
 * (0:6) cannot be resolved: no field foo in the target struct xdp_md"). -E2BIG (also with a
 * message) when a program with its subprograms exceeds BPFH_MAX_INSNS, or all programs
 * together 8 times that. -ENOMEM on allocation failure.
 * On success *out is the object, to be freed with bpfh_object_destroy.
 */
int bpfh_object_open_mem(const void *data, size_t size, const char *name, struct bpfh_log *log,
			 struct bpfh_object **out);
/* The same with options (opts may be NULL; an opts->sz too small for a field leaves that field
 * at its default). */
int bpfh_object_open_opts(const void *data, size_t size, const char *name,
			  const struct bpfh_object_opts *opts, struct bpfh_log *log,
			  struct bpfh_object **out);
/* The same, reading the file at path (messages name path). A file that cannot be read gives
 * its negative errno and a log line "PATH: cannot read: ...". */
int bpfh_object_open_file(const char *path, struct bpfh_log *log, struct bpfh_object **out);
int bpfh_object_open_file_opts(const char *path, const struct bpfh_object_opts *opts,
			       struct bpfh_log *log, struct bpfh_object **out);
/* Free an object and everything it owns; NULL does nothing. */
void bpfh_object_destroy(struct bpfh_object *obj);

/* Find a program by name, or else by section name (the first in that section); NULL if none. */
const struct bpfh_obj_prog *bpfh_object_find_prog(const struct bpfh_object *obj,
						  const char *name_or_section);
/* Find a map by name (struct bpfh_obj_map.name, then def.name, libbpf's name for global data);
 * its index, or -1. */
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
	BPFH_PROG_TYPE_LWT_OUT = 11,
	BPFH_PROG_TYPE_LWT_XMIT = 12,
	BPFH_PROG_TYPE_SOCK_OPS = 13,
	BPFH_PROG_TYPE_SK_SKB = 14,
	BPFH_PROG_TYPE_CGROUP_DEVICE = 15,
	BPFH_PROG_TYPE_SK_MSG = 16,
	BPFH_PROG_TYPE_RAW_TRACEPOINT = 17,
	BPFH_PROG_TYPE_CGROUP_SOCK_ADDR = 18,
	BPFH_PROG_TYPE_LWT_SEG6LOCAL = 19,
	BPFH_PROG_TYPE_LIRC_MODE2 = 20,
	BPFH_PROG_TYPE_SK_REUSEPORT = 21,
	BPFH_PROG_TYPE_FLOW_DISSECTOR = 22,
	BPFH_PROG_TYPE_CGROUP_SYSCTL = 23,
	BPFH_PROG_TYPE_RAW_TRACEPOINT_WRITABLE = 24,
	BPFH_PROG_TYPE_CGROUP_SOCKOPT = 25,
	BPFH_PROG_TYPE_TRACING = 26,
	BPFH_PROG_TYPE_STRUCT_OPS = 27,
	BPFH_PROG_TYPE_EXT = 28,
	BPFH_PROG_TYPE_LSM = 29,
	BPFH_PROG_TYPE_SK_LOOKUP = 30,
	BPFH_PROG_TYPE_SYSCALL = 31,
	BPFH_PROG_TYPE_NETFILTER = 32,
	/* bpfhost's own, far from Linux's range */
	BPFH_PROG_TYPE_BIND = 0x10000,   /* ebpf-for-windows' bind hook (struct bind_md) */
	BPFH_PROG_TYPE_MEMORY = 0x10001, /* plain memory: r1 = data, r2 = length */
};

/* Attach types: the values of Linux's enum bpf_attach_type. */
enum bpfh_attach_type {
	BPFH_CGROUP_INET_INGRESS = 0,
	BPFH_CGROUP_INET_EGRESS = 1,
	BPFH_CGROUP_INET_SOCK_CREATE = 2,
	BPFH_CGROUP_SOCK_OPS = 3,
	BPFH_SK_SKB_STREAM_PARSER = 4,
	BPFH_SK_SKB_STREAM_VERDICT = 5,
	BPFH_CGROUP_DEVICE = 6,
	BPFH_SK_MSG_VERDICT = 7,
	BPFH_CGROUP_INET4_BIND = 8,
	BPFH_CGROUP_INET6_BIND = 9,
	BPFH_CGROUP_INET4_CONNECT = 10,
	BPFH_CGROUP_INET6_CONNECT = 11,
	BPFH_CGROUP_INET4_POST_BIND = 12,
	BPFH_CGROUP_INET6_POST_BIND = 13,
	BPFH_CGROUP_UDP4_SENDMSG = 14,
	BPFH_CGROUP_UDP6_SENDMSG = 15,
	BPFH_LIRC_MODE2 = 16,
	BPFH_FLOW_DISSECTOR = 17,
	BPFH_CGROUP_SYSCTL = 18,
	BPFH_CGROUP_UDP4_RECVMSG = 19,
	BPFH_CGROUP_UDP6_RECVMSG = 20,
	BPFH_CGROUP_GETSOCKOPT = 21,
	BPFH_CGROUP_SETSOCKOPT = 22,
	BPFH_TRACE_RAW_TP = 23,
	BPFH_TRACE_FENTRY = 24,
	BPFH_TRACE_FEXIT = 25,
	BPFH_MODIFY_RETURN = 26,
	BPFH_LSM_MAC = 27,
	BPFH_TRACE_ITER = 28,
	BPFH_CGROUP_INET4_GETPEERNAME = 29,
	BPFH_CGROUP_INET6_GETPEERNAME = 30,
	BPFH_CGROUP_INET4_GETSOCKNAME = 31,
	BPFH_CGROUP_INET6_GETSOCKNAME = 32,
	BPFH_XDP_DEVMAP = 33,
	BPFH_CGROUP_INET_SOCK_RELEASE = 34,
	BPFH_XDP_CPUMAP = 35,
	BPFH_SK_LOOKUP = 36,
	BPFH_XDP = 37,
	BPFH_SK_SKB_VERDICT = 38,
	BPFH_SK_REUSEPORT_SELECT = 39,
	BPFH_SK_REUSEPORT_SELECT_OR_MIGRATE = 40,
	BPFH_PERF_EVENT = 41,
	BPFH_TRACE_KPROBE_MULTI = 42,
	BPFH_LSM_CGROUP = 43,
	BPFH_STRUCT_OPS = 44,
	BPFH_NETFILTER = 45,
	BPFH_TCX_INGRESS = 46,
	BPFH_TCX_EGRESS = 47,
	BPFH_TRACE_UPROBE_MULTI = 48,
};

/* Section name to program and attach type as libbpf's table does ("xdp", "cgroup/bind4",
 * "kprobe/...", ...), plus bpfhost's "bind". An exact entry ("xdp") matches only itself, a
 * "type+" entry matches "type" and "type/anything", a "type/" entry needs the slash. Returns 0,
 * or -ENOENT for an unknown name (both outputs then 0). Either output may be NULL. */
int bpfh_section_prog_type(const char *section, uint32_t *prog_type, uint32_t *attach_type);
/* Linux's name of a program type ("xdp", "socket_filter", ...; bpfhost's "bind", "memory"), or
 * NULL. */
const char *bpfh_prog_type_name(uint32_t prog_type);

#ifdef __cplusplus
}
#endif
#endif
