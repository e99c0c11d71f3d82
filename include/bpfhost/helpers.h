/* SPDX-License-Identifier: MIT */
/*
 * bpfhost helpers: the functions programs call with `call N`, numbered as Linux numbers them
 * (<linux/bpf.h>, __BPF_FUNC_MAPPER). Each row of the table has one prototype, which the
 * verifier checks calls against, and one implementation, which every engine calls.
 *
 * Helpers act on maps and on the host through the run's environment (struct bpfh_env, the
 * run's `env`): where trace output goes, the XDP buffer for adjust_head/tail/meta, the outcome
 * of bpf_redirect, the process identity. A hook fills the environment before it runs a program.
 */
#ifndef BPFHOST_HELPERS_H
#define BPFHOST_HELPERS_H

#include <stddef.h>
#include <stdint.h>

#include "bpfhost/engine.h"
#include "bpfhost/map.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Argument kinds, as the verifier will check them (after Linux's enum bpf_arg_type). */
enum bpfh_arg {
	BPFH_ARG_NONE = 0,
	BPFH_ARG_ANYTHING,          /* any initialised scalar or pointer */
	BPFH_ARG_CONST_MAP_PTR,     /* a map, from lddw */
	BPFH_ARG_MAP_KEY,           /* initialised memory of the map's key_size */
	BPFH_ARG_MAP_VALUE,         /* initialised memory of the map's value_size */
	BPFH_ARG_MEM,               /* initialised memory, size in the next argument */
	BPFH_ARG_MEM_OR_NULL,       /* the same, or NULL with size 0 */
	BPFH_ARG_UNINIT_MEM,        /* memory the helper writes, size in the next argument */
	BPFH_ARG_SIZE,              /* a bounded size, greater than 0 */
	BPFH_ARG_SIZE_OR_ZERO,      /* a bounded size, 0 allowed */
	BPFH_ARG_CTX,               /* the program's context */
	BPFH_ARG_CONST_STR,         /* a NUL-terminated string in read-only map memory */
	BPFH_ARG_FUNC,              /* a callback (lddw of a function) */
	BPFH_ARG_STACK_OR_NULL,     /* callback context: stack pointer or NULL */
	BPFH_ARG_SPIN_LOCK,         /* a struct bpf_spin_lock inside a map value */
	BPFH_ARG_RINGBUF_MEM,       /* a record from bpf_ringbuf_reserve (released by the call) */
	BPFH_ARG_ALLOC_SIZE,        /* a constant size for bpf_ringbuf_reserve */
	BPFH_ARG_LONG_PTR,          /* an 8-byte writable location */
	BPFH_ARG_CONST,             /* a known constant (flags) */
	BPFH_ARG_UNINIT_MEM_OR_NULL, /* memory the helper writes, or NULL with size 0 */
	BPFH_ARG_ADDRESS,           /* any initialised value, pointers included: an address the
				       helper reads through safely (probe reads) */
	BPFH_ARG_FORMAT_VALUE,      /* a value a format may print, or read as a string safely;
				       may be unset (the format says how many are read) */
};

enum bpfh_ret {
	BPFH_RET_INTEGER = 0,
	BPFH_RET_VOID,
	BPFH_RET_MAP_VALUE_OR_NULL,   /* pointer into the map of argument 1, value_size bytes */
	BPFH_RET_RINGBUF_MEM_OR_NULL, /* a reference the program must submit or discard */
	BPFH_RET_U32,                 /* a number below 2^32 */
	BPFH_RET_ERRNO,               /* 0 or a negative errno */
	BPFH_RET_ACTION,              /* the program type's verdict (redirects: XDP_REDIRECT, or
				         the action in the flags) */
};

/* Properties of a helper beyond its prototype. */
#define BPFH_HELPER_PKT_CHANGES 1u /* invalidates packet pointers (adjust_head, ...) */
#define BPFH_HELPER_TAIL_CALL 2u   /* does not return when it succeeds */

struct bpfh_helper {
	uint32_t id;
	const char *name;     /* without the bpf_ prefix, as Linux names it */
	bpfh_helper_fn fn;
	uint8_t ret;          /* enum bpfh_ret */
	uint8_t args[5];      /* enum bpfh_arg; BPFH_ARG_NONE after the last */
	uint32_t flags;
};

/* The row for helper id, or NULL if bpfhost does not implement it. */
const struct bpfh_helper *bpfh_helper_find(uint32_t id);
/* 1 when helper h takes a callback (an argument of kind BPFH_ARG_FUNC), else 0. */
int bpfh_helper_takes_callback(const struct bpfh_helper *h);
/* Linux's name of helper id (also for helpers bpfhost lacks), or NULL for an unknown id. */
const char *bpfh_helper_name(uint32_t id);
/* The implementations as an array indexed by id, for struct bpfh_run: *count entries. */
const bpfh_helper_fn *bpfh_helper_table(size_t *count);
/* What helper id of that table does, as bpfh_exec_opts.helper_info asks (ctx unused): 0 with
 * the arguments it reads in *nargs and BPFH_HELPER_MAY_TAIL_CALL / _MAY_CALL_BACK in *flags,
 * or -ENOENT for an id the table lacks. */
int bpfh_helper_table_info(void *ctx, uint32_t id, unsigned *nargs, unsigned *flags);

/* The XDP buffer of a run: one frame with headroom before the packet and tailroom after it.
 * md is the context the program sees; the helpers keep its data fields in step. */
struct bpfh_xdp_md {
	uint32_t data;
	uint32_t data_end;
	uint32_t data_meta;
	uint32_t ingress_ifindex;
	uint32_t rx_queue_index;
	uint32_t egress_ifindex;
};

struct bpfh_xdp_buff {
	uint8_t *frame;      /* start of the buffer */
	size_t frame_size;   /* headroom + packet + tailroom */
	struct bpfh_xdp_md *md;
};

struct bpfh_env {
	/* trace_printk / trace_vprintk: called once per formatted message (no newline added). */
	void (*trace)(void *arg, const char *text, size_t len);
	void *trace_arg;
	struct bpfh_xdp_buff *xdp;  /* XDP runs: the packet */
	const uint8_t *pkt;         /* socket filter and tc runs: the packet from skb->data, for */
	uint32_t pkt_len;           /* bpf_skb_load_bytes (and LD_ABS / LD_IND) */
	uint32_t redirect_verdict;  /* what bpf_redirect returns on success (XDP_REDIRECT 4,
				     * TC_ACT_REDIRECT 7) */
	/* Outcome of bpf_redirect / bpf_redirect_map. */
	int redirected;
	uint32_t redirect_ifindex;
	uint64_t redirect_flags;
	struct bpfh_map *redirect_map;
	uint32_t redirect_key;
	/* Tail calls: a PROG_ARRAY slot holds a loaded program (opaque here); this gives its
	 * prepared code for the engine of `from`, or NULL. Set by the layer that loads programs. */
	const struct bpfh_exec *(*tail_target)(void *prog, const struct bpfh_exec *from);
};

/*
 * Format as bpf_snprintf and bpf_trace_printk do: fmt is fmt_size bytes whose last is NUL;
 * conversions %d %i %u %x %X %o %c %s %p %% with l/ll (and h/hh, as 32-bit), width, '-', '0'
 * and precision for strings; %s and %pks/%pus read their string through bpfh's fault-free read.
 * Returns the length of the full output (excluding the NUL; out gets at most size - 1 bytes and a
 * NUL when size > 0), or -EINVAL for a bad format or too few arguments.
 */
int bpfh_format(char *out, size_t size, const char *fmt, size_t fmt_size, const uint64_t *args,
		size_t nargs);

#ifdef __cplusplus
}
#endif
#endif
