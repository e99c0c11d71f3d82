/* SPDX-License-Identifier: MIT */
/*
 * Loaded programs: an object's maps created and filled (global data, prog arrays, map-in-map
 * initial values), its programs checked and prepared for an engine, and test runs with the
 * semantics of libbpf's bpf_prog_test_run_opts for every program type bpfhost hosts.
 *
 * Until the verifier lands, loading checks what can be checked without it: the decoder's
 * structural checks, that every helper called exists (by name and id otherwise), and that the
 * program type has a hook. Run unverified programs on the checked interpreter.
 */
#ifndef BPFHOST_PROG_H
#define BPFHOST_PROG_H

#include <stddef.h>
#include <stdint.h>

#include "bpfhost/engine.h"
#include "bpfhost/log.h"
#include "bpfhost/map.h"
#include "bpfhost/obj.h"
#include "bpfhost/verify.h"

#ifdef __cplusplus
extern "C" {
#endif

struct bpfh_instance;
struct bpfh_prog;

struct bpfh_load_opts {
	size_t sz;                /* sizeof(struct bpfh_load_opts) */
	enum bpfh_engine engine;  /* for every program of the instance */
	uint32_t prog_type;       /* 0: from each program's section; else this type for all */
	int privileged;           /* verify with Linux root's profile (verify.h) */
	uint32_t mem_size;        /* memory programs: the bytes r1 points to that they may
				     use (0: BPFH_MEMORY_SIZE); test runs give at least that */
};

/* The bytes a plain-memory program may use through r1 unless the load says otherwise. */
#define BPFH_MEMORY_SIZE 4096u

/*
 * Instantiate obj (which must outlive the instance): create its maps, fill global data and
 * initial slots, verify and prepare every program: nothing the verifier rejects is prepared
 * (-EACCES, with the verifier's line "FILE:PROGRAM: insn N (...): cause at source:LINE" in the
 * log). Errors name the map or program, the instruction and the reason. Returns 0 or a
 * negative errno.
 */
int bpfh_instance_create(const struct bpfh_object *obj, const struct bpfh_load_opts *opts,
			 struct bpfh_log *log, struct bpfh_instance **out);
void bpfh_instance_destroy(struct bpfh_instance *inst);

/* Borrowed pointers, valid while the instance lives; NULL when absent. */
struct bpfh_prog *bpfh_instance_prog(struct bpfh_instance *inst, const char *name_or_section);
struct bpfh_prog *bpfh_instance_prog_at(struct bpfh_instance *inst, size_t i);
size_t bpfh_instance_nprogs(const struct bpfh_instance *inst);
struct bpfh_map *bpfh_instance_map(struct bpfh_instance *inst, const char *name);
struct bpfh_map *bpfh_instance_map_at(struct bpfh_instance *inst, size_t i);
size_t bpfh_instance_nmaps(const struct bpfh_instance *inst);

const char *bpfh_prog_name(const struct bpfh_prog *prog);
const char *bpfh_prog_section(const struct bpfh_prog *prog);
uint32_t bpfh_prog_type(const struct bpfh_prog *prog);
const struct bpfh_exec *bpfh_prog_exec(const struct bpfh_prog *prog);

/* Options of bpfh_object_verify_prog; a zeroed struct (with sz set) means the defaults. */
struct bpfh_object_verify_opts {
	size_t sz;                /* sizeof(struct bpfh_object_verify_opts) */
	/* The program type; NULL: the one the program's section (and attach type) gives,
	 * bpfh_verify_type_of(). Borrowed for the call. */
	const struct bpfh_verify_prog_type *type;
	struct bpfh_verify_options options; /* privileged, trace, bounds (verify.h) */
	uint32_t mem_size;        /* memory programs without a type: bytes r1 points to */
};

/*
 * Verify one program of obj (prog is one of obj->progs) as loading it would: its linked image
 * (subprograms appended, lddw src 5/6 naming obj->maps by index), obj's maps described in that
 * order (sizes, flags, inner-map templates, spin lock offsets from BTF, the bytes of read-only
 * global data), the program type from opts or the section. result (may be NULL) gets the
 * verdict and statistics. The log gets the verifier's line as "FILE:PROGRAM: insn N (...):
 * cause" followed by " at source.c:LINE" when line info covers the instruction. Returns 0
 * (accepted), -EACCES (rejected), -ENOTSUP (a program type the verifier has no description
 * for, logged), -EINVAL (prog not in obj), -ENOMEM. Creates no map and prepares no engine.
 */
int bpfh_object_verify_prog(const struct bpfh_object *obj, const struct bpfh_obj_prog *prog,
			    const struct bpfh_object_verify_opts *opts,
			    struct bpfh_verify_result *result, struct bpfh_log *log);

/* Called with each trace_printk message of a run (no newline added). */
typedef void (*bpfh_trace_fn)(void *arg, const char *text, size_t len);

/* bpf_prog_test_run_opts, with bpfhost's additions at the end. */
struct bpfh_test_run_opts {
	size_t sz;               /* sizeof(struct bpfh_test_run_opts) */
	const void *data_in;     /* the packet (XDP, socket filter, tc) or memory */
	void *data_out;          /* where the packet after the run goes (may be NULL) */
	uint32_t data_size_in;
	uint32_t data_size_out;  /* in: room in data_out; out: the packet's length */
	const void *ctx_in;      /* the context's fields a caller may set (per type) */
	void *ctx_out;
	uint32_t ctx_size_in;
	uint32_t ctx_size_out;   /* in: room; out: bytes written */
	uint32_t retval;         /* out: r0 of the last run */
	int repeat;              /* runs (0 counts as 1) */
	uint32_t duration;       /* out: average ns per run */
	uint32_t flags;
	uint32_t cpu;            /* the CPU slot to run on */
	bpfh_trace_fn trace;     /* trace_printk output (NULL: dropped) */
	void *trace_arg;
	struct bpfh_log *log;    /* run-time errors */
	uint64_t insn_limit;     /* checked engine: instruction budget per run (0: none) */
	/* out, XDP: where a redirect went (bpf_redirect / bpf_redirect_map) */
	int redirected;
	uint32_t redirect_ifindex;
};

/*
 * Run prog on the input as Linux's BPF_PROG_TEST_RUN does for its type: XDP (xdp_md, 256 bytes
 * of headroom, tailroom for bpf_xdp_adjust_tail), socket filter and tc (__sk_buff), cgroup
 * sock_addr (bpf_sock_addr in ctx_in), bpfhost's bind (bind_md in ctx_in) and memory (r1 = data,
 * r2 = length). Returns 0 (retval holds r0), -EINVAL for bad sizes or a type without a test
 * run, -ENOSPC when data_out is too small (data_size_out says what was needed), or the run's
 * error (logged).
 */
int bpfh_prog_test_run(struct bpfh_prog *prog, struct bpfh_test_run_opts *opts);

#ifdef __cplusplus
}
#endif
#endif
