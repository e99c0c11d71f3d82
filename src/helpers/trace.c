// SPDX-License-Identifier: MIT
/*
 * Formatted output helpers: bpf_trace_printk (up to three arguments in registers),
 * bpf_trace_vprintk (arguments in an array) and bpf_snprintf (into the program's buffer). The
 * formatting is format.c's; the text goes to the environment's trace callback, or nowhere.
 */
#include "helpers_int.h"

#define TRACE_MAX 512 /* longest message, as Linux's trace_printk buffer */
#define MAX_ARGS 12   /* bpf_snprintf and trace_vprintk take at most 12 arguments */

static uint64_t emit(struct bpfh_run *run, const char *fmt, size_t fmt_size,
		     const uint64_t *args, size_t nargs)
{
	struct bpfh_env *env = env_of(run);
	char text[TRACE_MAX];
	int n = bpfh_format(text, sizeof(text), fmt, fmt_size, args, nargs);

	if (n < 0)
		return ERR(EINVAL);
	if (env && env->trace)
		env->trace(env->trace_arg, text, (size_t)n < sizeof(text) ? (size_t)n : sizeof(text) - 1);
	return (uint64_t)n;
}

BPFH_HELPER_IMPL(trace_printk)
{
	uint64_t args[3] = { r3, r4, r5 };

	return emit(run, PTR(r1), (size_t)(uint32_t)r2, args, 3);
}

/* Arguments as an array of u64, data_len bytes (a multiple of 8, at most 12 of them). */
static int array_args(uint64_t data, uint64_t len, const uint64_t **args, size_t *nargs)
{
	if (len % 8 || len / 8 > MAX_ARGS || (len && !data))
		return -EINVAL;
	*args = PTR(data);
	*nargs = (size_t)(len / 8);
	return 0;
}

BPFH_HELPER_IMPL(trace_vprintk)
{
	const uint64_t *args;
	size_t nargs;

	if (array_args(r3, (uint32_t)r4, &args, &nargs))
		return ERR(EINVAL);
	return emit(run, PTR(r1), (size_t)(uint32_t)r2, args, nargs);
}

/* bpf_snprintf(str, str_size, fmt, data, data_len): returns the length including the NUL. */
BPFH_HELPER_IMPL(snprintf)
{
	const char *fmt = PTR(r3);
	const uint64_t *args;
	size_t nargs, fmt_size = 0;
	int n;

	if (array_args(r4, (uint32_t)r5, &args, &nargs) || !fmt)
		return ERR(EINVAL);
	/* The verifier proves fmt a constant NUL-terminated string in read-only memory. */
	while (fmt[fmt_size])
		fmt_size++;
	n = bpfh_format(PTR(r1), (size_t)(uint32_t)r2, fmt, fmt_size + 1, args, nargs);
	return n < 0 ? ERR(EINVAL) : (uint64_t)n + 1;
}
