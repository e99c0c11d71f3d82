/* SPDX-License-Identifier: MIT */
/*
 * Private to src/helpers: the declaration of every implementation named in helpers.def, and
 * small shared pieces (argument casts, errno returns).
 */
#ifndef BPFH_HELPERS_INT_H
#define BPFH_HELPERS_INT_H

#include <errno.h>
#include <stdint.h>

#include "bpfhost/helpers.h"

#if defined(__GNUC__)
#define BPFH_UNUSED __attribute__((unused))
#else
#define BPFH_UNUSED
#endif

/* The signature of an implementation: every argument register and the run. */
#define BPFH_HELPER_IMPL(NAME)                                                               \
	uint64_t bpfh_h_##NAME(uint64_t r1 BPFH_UNUSED, uint64_t r2 BPFH_UNUSED,             \
			       uint64_t r3 BPFH_UNUSED, uint64_t r4 BPFH_UNUSED,             \
			       uint64_t r5 BPFH_UNUSED, struct bpfh_run *run BPFH_UNUSED)

#define BPFH_HELPER(ID, NAME, RET, A1, A2, A3, A4, A5, FLAGS) BPFH_HELPER_IMPL(NAME);
#include "helpers.def"
#undef BPFH_HELPER

#define PTR(r) ((void *)(uintptr_t)(r))
#define ERR(e) ((uint64_t)(int64_t)-(e))

static inline struct bpfh_env *env_of(struct bpfh_run *run)
{
	return (struct bpfh_env *)run->env;
}

#endif
