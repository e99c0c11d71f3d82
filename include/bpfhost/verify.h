/* SPDX-License-Identifier: MIT */
/*
 * The verifier: a pure function from a program image, the description of its program type, the
 * maps its lddw instructions name and options to a verdict, a log and statistics. It never
 * rewrites the program and never runs it. The analysis is an abstract interpretation over the
 * program's control-flow graph in call contexts (src/verify, docs/verifier.md); a rejection
 * is one log line "insn N (disassembly): cause, with the abstract values involved".
 *
 * Refused with a message saying so: callx, kfunc calls, lddw of kernel variables, recursion,
 * more than 8 frames, loops nested more than 3 deep in a function, irreducible loops.
 */
#ifndef BPFHOST_VERIFY_H
#define BPFHOST_VERIFY_H

#include <stddef.h>
#include <stdint.h>

#include "bpfhost/isa.h"
#include "bpfhost/log.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One field of a context: bytes [off, off + size), what the program may do with it and what
 * a load of the whole field gives. */
enum bpfh_verify_field_kind {
	BPFH_VFIELD_SCALAR = 0, /* a number */
	BPFH_VFIELD_PKT,        /* a 4-byte load gives the packet's start */
	BPFH_VFIELD_PKT_END,    /* ... the packet's end */
	BPFH_VFIELD_PKT_META,   /* ... the start of the packet's metadata (before data) */
};
#define BPFH_VFIELD_READ 1u
#define BPFH_VFIELD_WRITE 2u
#define BPFH_VFIELD_NARROW 4u /* reads of 1, 2 or 4 bytes inside the field allowed (scalars) */
#define BPFH_VFIELD_WIDE 8u   /* 8-byte accesses at 8-aligned offsets inside an array field
				 (reads with READ, writes with WRITE): user_ip6, cb */
#define BPFH_VFIELD_NARROW_WRITE 16u /* writes of 1, 2 or 4 bytes inside the field (cb) */

/*
 * An access of n bytes at context offset o must lie inside one field and be aligned to its
 * size (o % n == 0), as Linux requires. The field's own width is size when size is 1, 2, 4 or
 * 8, else 4 (an array of 32-bit words such as cb[5] or user_ip6[4], each accessed alone). A read
 * of that width needs READ; narrower reads need NARROW as well, 8-byte ones inside an array
 * WIDE. Writes likewise with WRITE, NARROW_WRITE and WIDE. Only a read of the full width of a
 * PKT, PKT_END or PKT_META field gives a pointer (PKT_META: a number until the analysis has a
 * packet-meta pointer kind).
 */
struct bpfh_verify_ctx_field {
	uint16_t off;
	uint16_t size;
	uint8_t rights; /* BPFH_VFIELD_READ | WRITE | NARROW | WIDE | NARROW_WRITE */
	uint8_t kind;   /* enum bpfh_verify_field_kind */
	const char *name; /* for messages ("ingress_ifindex", "cb"); may be NULL */
};

/* What a program of one type sees. The context is r1 at entry: ctx_size bytes. With a field
 * table, only the listed fields may be accessed, each by its rights; without one (fields NULL),
 * any access inside ctx_size is allowed (writes when ctx_writable) and the 4-byte fields at
 * pkt_data_off and pkt_end_off of the context load as a packet pointer and the packet end
 * pointer (-1: no packet). helpers (NULL: every helper bpfhost has) lists the helper ids the
 * type may call. */
struct bpfh_verify_prog_type {
	const char *name;  /* for messages; may be NULL */
	uint32_t ctx_size; /* bytes of the context r1 points to at entry (0: r1 is unset) */
	int ctx_writable;  /* stores into the context allowed (plain memory programs) */
	int r2_ctx_size;   /* r2 holds ctx_size at entry (memory programs: r1 = mem, r2 = len) */
	int32_t pkt_data_off;
	int32_t pkt_end_off;
	int64_t ret_min;   /* r0 at exit must be in [ret_min, ret_max] (signed 64-bit) */
	int64_t ret_max;
	const struct bpfh_verify_ctx_field *fields;
	size_t nfields;
	const uint32_t *helpers;
	size_t nhelpers;
	int ld_abs;        /* legacy packet loads (LD_ABS, LD_IND) allowed: r6 the context */
	const char *ctx_name; /* the context's C name for messages ("xdp_md", "__sk_buff") */
};

/* Built-in descriptions, matching src/hooks' program types (src/verify/types.c): the context
 * fields each type may read and write at which sizes, and the helpers it may call, as Linux's
 * *_is_valid_access and *_func_proto in net/core/filter.c allow them. */
extern const struct bpfh_verify_prog_type bpfh_verify_type_xdp;
extern const struct bpfh_verify_prog_type bpfh_verify_type_socket_filter;
/* Plain memory of size mem_size as the context, writable, r2 = mem_size, any return. */
struct bpfh_verify_prog_type bpfh_verify_type_memory(uint32_t mem_size);

/*
 * The description of a program type (BPFH_PROG_TYPE_*, obj.h) with its expected attach type
 * (BPFH_CGROUP_INET4_CONNECT, ...: what sock_addr fields exist and the return range of
 * cgroup_skb and sock_addr programs depend on it; BPFH_XDP_DEVMAP gives XDP egress_ifindex).
 * Borrowed, static. NULL for types bpfhost has no hook for. BPFH_PROG_TYPE_MEMORY gives a
 * description with ctx_size 0: callers set the memory's size (bpfh_verify_type_memory).
 */
const struct bpfh_verify_prog_type *bpfh_verify_type_of(uint32_t prog_type,
							 uint32_t expected_attach_type);

/* 1 when type may call helper id (type->helpers NULL: every helper), else 0. */
int bpfh_verify_type_allows_helper(const struct bpfh_verify_prog_type *type, uint32_t id);

/* A map named by lddw (src 1 or 5: the map; src 2 or 6: a value address) through its index. */
struct bpfh_verify_map {
	uint32_t type; /* BPFH_MAP_TYPE_* (Linux's numbers) */
	uint32_t key_size;
	uint32_t value_size;
	uint32_t max_entries;
	uint32_t map_flags;        /* BPF_F_RDONLY_PROG, ... */
	int has_spin_lock;         /* the value holds a struct bpf_spin_lock ... */
	uint32_t spin_lock_off;    /* ... at this offset */
	int has_inner;             /* map-in-map: the inner maps are described by ... */
	uint32_t inner;            /* ... this index of the same array */
	const uint8_t *frozen;     /* read-only maps (.rodata): the value of key 0, value_size
				      bytes, for string arguments; NULL: unknown */
};

struct bpfh_verify_options {
	int privileged;           /* like Linux's root: pointers may be stored into maps, leaked
				     as scalars, compared */
	int allow_unreachable;    /* accept instructions no path reaches (default: refuse) */
	uint32_t max_loop_iterations; /* joins at a loop head before widening (0: 8) */
	uint64_t max_states;      /* bound on block visits (0: 1,000,000) */
	uint64_t max_memory;      /* bound on the analysis's memory in bytes: states, contexts,
				     nodes (0: 256 MiB); past it the program is refused as too
				     complex */
	uint64_t max_loop_bound;  /* iterations a loop may be proven to make per entry
				     (0: 8,388,608, bpf_loop's limit) */
	/* --verbose: after the analysis, called once per reachable instruction in order with
	 * the invariant that holds before it ("r1=ctx(off 0) r10=stack(off 0) ..."). */
	void (*trace)(void *arg, size_t insn, const char *invariant);
	void *trace_arg;
};

struct bpfh_verify_input {
	const struct bpfh_insn *insns;
	size_t count;
	const struct bpfh_verify_prog_type *type;
	const struct bpfh_verify_map *maps; /* by lddw index */
	size_t nmaps;
	struct bpfh_verify_options opts;
};

struct bpfh_verify_result {
	int accepted;          /* 1 when every check passed */
	size_t insns;          /* instructions (slots) */
	size_t blocks;         /* basic blocks */
	uint64_t states;       /* block visits of the fixpoint */
	uint64_t time_ns;
	size_t reject_insn;    /* the instruction a rejection names */
	int64_t r0_min;        /* accepted: r0 at every exit is in [r0_min, r0_max] (signed) */
	int64_t r0_max;
	uint64_t peak_bytes;   /* the analysis's largest memory use */
	size_t nloops;         /* loop heads; for the first BPFH_VERIFY_MAX_LOOPS of them: */
	struct {
		size_t insn;           /* the head's first instruction */
		uint64_t max_iterations; /* proven bound on back edges taken per entry */
	} loops[16];
};
#define BPFH_VERIFY_MAX_LOOPS 16

/*
 * Verify in->insns. out (may be NULL) receives the verdict and statistics; log the reason of a
 * rejection, one line. Returns 0 when the program is accepted, -EACCES when it is rejected
 * (an image the decoder refuses included, with the decoder's message), -EINVAL for malformed
 * input (no instructions, no type, maps missing), -ENOMEM.
 */
int bpfh_verify(const struct bpfh_verify_input *in, struct bpfh_verify_result *out,
		struct bpfh_log *log);

#ifdef __cplusplus
}
#endif
#endif
