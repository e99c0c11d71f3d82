/* SPDX-License-Identifier: MIT */
/*
 * bpfhost instruction set: the wire format of eBPF instructions (RFC 9669), the opcode table's
 * public view, the decoder that validates a program image, the assembler for the conformance
 * suite's syntax and the disassembler (that syntax, or the C-like one of llvm-objdump/bpftool).
 *
 * Errors are negative errno values; messages go to the caller's struct bpfh_log, never to a
 * stream.
 */
#ifndef BPFHOST_ISA_H
#define BPFHOST_ISA_H

#include <stddef.h>
#include <stdint.h>

#include "bpfhost/log.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One 64-bit instruction slot as it is stored in memory and ELF files (little-endian hosts:
 * the same layout as Linux's struct bpf_insn). */
struct bpfh_insn {
	uint8_t code;
	uint8_t dst : 4;
	uint8_t src : 4;
	int16_t off;
	int32_t imm;
};

#define BPFH_REG_COUNT 11     /* r0..r10; r10 is the read-only frame pointer */
#define BPFH_STACK_SIZE 512   /* bytes of stack per frame */
#define BPFH_MAX_FRAMES 8     /* the main program and up to 7 nested local calls */
#define BPFH_MAX_INSNS 1000000 /* program images longer than this are refused */

/*
 * Validate a program image and identify each slot. ops[i] receives the opcode-table row of slot i
 * (src/isa/ops.h: enum bpfh_op; BPFH_OP_LDDW_HI for the second slot of lddw). Refuses, with a log line naming the
 * instruction index and the offending field: an empty image, an unknown opcode, a selector value
 * no row has, a reserved field that is not zero, a register above r10, a write to r10, a broken
 * or truncated lddw pair, a jump or local call whose target is outside the program or the second
 * slot of lddw, and images longer than BPFH_MAX_INSNS.
 * Returns 0 or -EINVAL (-E2BIG for length).
 */
int bpfh_isa_decode(const struct bpfh_insn *insns, size_t count, uint8_t *ops,
		    struct bpfh_log *log);

/*
 * Assemble text in the conformance syntax. On success *out is a malloc'd array of *count slots
 * that the caller frees with free(). Each error is logged as "NAME:LINE: message" (NAME is the
 * file name given, LINE counts from first_line). Returns 0, -EINVAL or -ENOMEM.
 */
int bpfh_asm(const char *text, const char *name, unsigned first_line, struct bpfh_insn **out,
	     size_t *count, struct bpfh_log *log);

enum bpfh_disasm_style {
	BPFH_DISASM_CONF, /* conformance assembly: "ldxw %r0, [%r1+4]" */
	BPFH_DISASM_C,    /* llvm-objdump / bpftool: "r0 = *(u32 *)(r1 + 4)" */
};

/*
 * Disassemble the instruction at index i into buf (always NUL-terminated when size > 0).
 * Returns the number of slots it spans (2 for lddw), or -EINVAL for an instruction that does not
 * decode (buf then holds "(bad) code 0x.. dst .. src .. off .. imm ..", its fields).
 */
int bpfh_disasm_insn(const struct bpfh_insn *insns, size_t count, size_t i,
		     enum bpfh_disasm_style style, char *buf, size_t size);

#ifdef __cplusplus
}
#endif
#endif
