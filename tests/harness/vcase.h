/* SPDX-License-Identifier: MIT */
/*
 * The verifier's case files, tests/data/verify/NAME.data, read for the tests that run them
 * (tests/unit/verify/cases.c) and compare them with the kernel. Each file holds one or more
 * cases, each starting with a line "== NAME" (a file without one is a single case named after
 * it):
 *
 *   -- type xdp | socket | memory [SIZE]     the program type (memory: r1 = SIZE bytes, r2 = SIZE)
 *   -- maps                                  then one line per map:
 *                                            INDEX TYPE KEY VALUE MAX [NAME=VALUE ...]
 *   -- options privileged allow_unreachable max_states=N max_memory=BYTES ctx_readonly
 *      return=MIN,MAX
 *                                            any of them; the last two change the program
 *                                            type (ctx_readonly: a memory program's context
 *                                            may not be written; return: r0's range at exit)
 *   -- asm                                   the program, conformance syntax
 *   -- verdict accept | reject
 *   -- message FRAGMENT                      text the log must contain (rejections)
 *
 * Lines starting with '#' are comments.
 */
#ifndef BPFH_TEST_VCASE_H
#define BPFH_TEST_VCASE_H

#include <stddef.h>
#include <stdint.h>

#include "bpfhost/isa.h"
#include "bpfhost/verify.h"

#define VCASE_MAX_MAPS 8

struct vcase {
	char name[128];
	char type[32];
	uint32_t mem_size;
	struct bpfh_verify_map maps[VCASE_MAX_MAPS];
	size_t nmaps;
	int privileged, allow_unreachable;
	unsigned long max_states; /* 0: the verifier's default */
	unsigned long long max_memory; /* 0: the verifier's default */
	int ctx_readonly, has_ret;
	int64_t ret_min, ret_max;
	char *asm_text;
	size_t asm_len, asm_cap;
	unsigned asm_line;
	int verdict; /* 1 accept, 0 reject, -1 unset */
	char message[256];
};

/* Called for each case of a file; err is NULL, or a problem with the file at that case. */
typedef void (*vcase_fn)(void *arg, const char *file, const struct vcase *c, const char *err);

/* Read path, calling fn for every case. -1 when it cannot be opened. */
int vcase_read_file(const char *path, vcase_fn fn, void *arg);

/* The .data files of dir in name order into names (malloc'ed, at most max); how many, or -1. */
int vcase_list_dir(const char *dir, char **names, size_t max);

/* The program type of a case's "-- type" line into *type; -1 for a name it does not know. */
int vcase_type(const struct vcase *c, struct bpfh_verify_prog_type *type);

/* The verifier's input for a case: insns (count of them) and type, with the case's maps and
 * options. Borrows all of them. */
void vcase_input(const struct vcase *c, const struct bpfh_verify_prog_type *type,
		 const struct bpfh_insn *insns, size_t count, struct bpfh_verify_input *in);

/* One "NAME=VALUE" attribute of a map line; -1 for one it does not know. */
int vcase_map_attr(struct bpfh_verify_map *map, const char *name, const char *value);

#endif
