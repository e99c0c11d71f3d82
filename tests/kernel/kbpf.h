/* SPDX-License-Identifier: MIT */
/*
 * A small wrapper around Linux's bpf() system call for bpfhost's tests and benchmarks: array
 * maps, program loading with the verifier's log, and BPF_PROG_TEST_RUN (with repeat and the
 * kernel's duration). Linux only; it uses <linux/bpf.h> and syscall(SYS_bpf) directly, no libbpf.
 *
 * It also wraps a program written for the conformance calling convention (r1 = memory, r2 = its
 * length, result in the 64-bit r0) so that the kernel can run it: the memory lives in a one-entry
 * array map whose value the prologue loads into r1 (lddw of a map value), and every exit of the
 * main program becomes a jump to an epilogue that stores the full r0 into a second map, which
 * the caller reads back after the run. So the comparison covers all 64 bits of r0, whatever
 * the program type's 32-bit retval.
 */
#ifndef BPFH_TEST_KBPF_H
#define BPFH_TEST_KBPF_H

#include <stddef.h>
#include <stdint.h>

#include "bpfhost/isa.h"

/* Probe bpf(): 0 when this process can create an array map, and load and test-run a program of
 * type (BPF_PROG_TYPE_SYSCALL: sleepable, without data), else a negative errno and a reason in
 * why. */
int kbpf_probe(uint32_t type, char *why, size_t whylen);

/* A BPF_MAP_TYPE_ARRAY of max_entries values (u32 keys): fd or a negative errno. Programs can
 * take the address of the value of a one-entry array with lddw (BPF_PSEUDO_MAP_VALUE). */
int kbpf_array_create(uint32_t value_size, uint32_t max_entries);
int kbpf_map_update(int fd, uint32_t key, const void *value);
int kbpf_map_lookup(int fd, uint32_t key, void *value);

/*
 * Load insns[count] as a program of type (BPF_PROG_TYPE_*) with prog_flags. Returns the fd or a
 * negative errno; the verifier's log (level 1 on failure) goes to log[log_size] when log_size is
 * not 0.
 */
int kbpf_prog_load(uint32_t type, uint32_t prog_flags, const struct bpfh_insn *insns,
		   size_t count, char *log, size_t log_size);

/* Bytes of machine code the kernel's JIT made of the program (0: it runs in the kernel's
 * interpreter), or a negative errno. */
int kbpf_prog_jited_len(int prog_fd);

/* BPF_PROG_TEST_RUN: in fields give the input; retval and duration are filled in. */
struct kbpf_test_run {
	const void *data_in;
	uint32_t data_size_in;
	void *ctx_in;          /* BPF_PROG_TYPE_SYSCALL: copied in, and back out after the run */
	uint32_t ctx_size_in;
	uint32_t repeat;       /* 0 or 1: once (program types that allow it) */
	uint32_t retval;       /* out: the 32-bit return value */
	uint32_t duration;     /* out: the kernel's mean ns per run (types that time runs) */
};
int kbpf_test_run(int prog_fd, struct kbpf_test_run *t);

/* The first line of a verifier log that tells why it refused (best effort), in out. */
void kbpf_log_reason(const char *log, char *out, size_t size);

/* The result map's value: the epilogue writes r0 and sets ran to KBPF_RAN. */
struct kbpf_result {
	uint64_t r0;
	uint64_t ran;
};
#define KBPF_RAN 0x72616e21u /* "!nar": an st instruction stores it (32-bit immediate) */

enum {
	KBPF_WRAP_ZERO_REGS = 1 << 0,  /* zero r0 and r3-r9 at entry, as bpfhost's engines do */
	KBPF_WRAP_HELPER5_IDENTITY = 1 << 1, /* `call 5` becomes `r0 = r1` (the suite's helper) */
	KBPF_WRAP_LINUX_HELPERS = 1 << 2, /* other helper calls stay: Linux's ids, the kernel's */
};

/*
 * Wrap insns[count] for the kernel (see the top of this file). mem_fd is an array map whose
 * value holds the mem_len bytes of memory (-1 with mem_len 0: r1 = r2 = 0); res_fd is an array
 * map of struct kbpf_result. Returns 0 and a malloc'd *out of *out_count slots, -ENOTSUP with a
 * reason in why for what the wrapper cannot express (a helper other than the ones flags allow,
 * an lddw pseudo form), -E2BIG when a rewritten jump no longer fits, -ENOMEM.
 * *helper_calls counts the `call 5` instructions rewritten.
 */
int kbpf_wrap(const struct bpfh_insn *insns, size_t count, int mem_fd, uint32_t mem_len,
	      int res_fd, unsigned flags, struct bpfh_insn **out, size_t *out_count,
	      unsigned *helper_calls, char *why, size_t whylen);

#endif
