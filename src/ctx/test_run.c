// SPDX-License-Identifier: MIT
/*
 * bpfh_prog_test_run: finds the hook of the program's type and lets it run the program, with
 * tail calls resolved to programs prepared for the same engine.
 */
#include <errno.h>

#include "ctx_int.h"
#include "../hooks/hooks.h"

int bpfh_prog_test_run(struct bpfh_prog *prog, struct bpfh_test_run_opts *opts)
{
	const struct bpfh_hook *hook = bpfh_hook_find(prog->type);
	struct bpfh_runner runner;

	if (!hook || !hook->test_run) {
		bpfh_log_printf(opts->log, "%s: program type %s (%u) has no test run in bpfhost\n",
				prog->name, bpfh_prog_type_name(prog->type) ?
				bpfh_prog_type_name(prog->type) : "?", prog->type);
		return -ENOTSUP;
	}
	bpfh_prog_runner(prog, &runner);
	return hook->test_run(hook, &runner, opts);
}
