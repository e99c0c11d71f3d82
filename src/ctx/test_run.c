// SPDX-License-Identifier: MIT
/*
 * bpfh_prog_test_run: finds the hook of the program's type and lets it run the program, with
 * tail calls resolved to programs prepared for the same engine.
 */
#include <errno.h>

#include "ctx_int.h"
#include "../hooks/hooks.h"

/* A PROG_ARRAY slot holds a struct bpfh_prog; a tail call may only continue in code prepared
 * for the same engine as the caller. */
static const struct bpfh_exec *tail_target(void *slot, const struct bpfh_exec *from)
{
	const struct bpfh_prog *prog = slot;

	(void)from;
	return prog ? prog->exec : NULL;
}

int bpfh_prog_test_run(struct bpfh_prog *prog, struct bpfh_test_run_opts *opts)
{
	const struct bpfh_hook *hook = bpfh_hook_find(prog->type);
	struct bpfh_runner runner = { prog->exec, tail_target, prog->inst->regions,
				      prog->inst->nregions };

	if (!hook || !hook->test_run) {
		bpfh_log_printf(opts->log, "%s: program type %s (%u) has no test run in bpfhost\n",
				prog->name, bpfh_prog_type_name(prog->type) ?
				bpfh_prog_type_name(prog->type) : "?", prog->type);
		return -ENOTSUP;
	}
	return hook->test_run(hook, &runner, opts);
}
