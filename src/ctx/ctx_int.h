/* SPDX-License-Identifier: MIT */
/*
 * Private to src/ctx: what a loaded program and an instance are.
 */
#ifndef BPFH_CTX_INT_H
#define BPFH_CTX_INT_H

#include "bpfhost/helpers.h"
#include "bpfhost/prog.h"

struct bpfh_prog {
	char name[BPFH_MAP_NAME_LEN];
	char section[128];
	uint32_t type;
	uint32_t attach_type;
	uint32_t mem_size;      /* memory programs: the bytes verified through r1 */
	struct bpfh_exec *exec;
	struct bpfh_instance *inst;
};

struct bpfh_instance {
	const struct bpfh_object *obj;
	enum bpfh_engine engine;
	struct bpfh_map **maps; /* one per object map, same index */
	size_t nmaps;
	struct bpfh_prog *progs;
	size_t nprogs;
	struct bpfh_region *regions; /* global data values, for the checked engine */
	size_t nregions;
};

/* How hooks run prog: its code, tail calls resolved to the programs a PROG_ARRAY slot holds
 * (struct bpfh_prog), and its global data as regions for the checked engine. */
struct bpfh_runner;
void bpfh_prog_runner(const struct bpfh_prog *prog, struct bpfh_runner *runner);

#endif
