/* SPDX-License-Identifier: MIT */
/*
 * Reader for instruction test files in the bpf_conformance format (also bpfhost's own
 * tests/data/isa): sections "-- asm", "-- raw", "-- mem", "-- result", "-- error", "-- c",
 * "-- no register offset". Produces the program bytes (raw when given, else assembled), the
 * memory and the expectation.
 */
#ifndef BPFH_TEST_DATAFILE_H
#define BPFH_TEST_DATAFILE_H

#include <stddef.h>
#include <stdint.h>

#include "bpfhost/isa.h"
#include "bpfhost/log.h"

enum datafile_stage {
	DF_OK = 0,
	DF_PARSE,   /* the file's structure (sections, hex) */
	DF_ASM,     /* the assembler refused the program */
	DF_EMPTY,   /* no program at all */
};

struct datafile {
	struct bpfh_insn *insns;
	size_t count;
	uint8_t *mem;
	size_t mem_len;
	int has_mem;
	int has_result;
	uint64_t result;
	int has_error;
	char error[256];
};

/* Read path. Returns DF_OK or the stage that refused it (with the reason in log). */
enum datafile_stage datafile_load(const char *path, struct datafile *df, struct bpfh_log *log);
void datafile_free(struct datafile *df);

#endif
