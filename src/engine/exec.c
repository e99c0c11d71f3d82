// SPDX-License-Identifier: MIT
/*
 * Engine-independent preparation of a program: decode, resolve lddw pseudo forms, refuse what
 * this host cannot run, then hand over to the chosen engine (the interpreters' pre-decoded
 * array, or the JIT's machine code). Runs and callbacks go to the engine the program was
 * prepared for. Also the engine names.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine_int.h"

/* A run-time error, as every engine reports it: "NAME: insn N (disassembly): message". */
void bpfh_exec_fault(const struct bpfh_exec *exec, struct bpfh_run *run, size_t i,
		     const char *fmt, ...)
{
	char text[128];
	va_list ap;

	bpfh_disasm_insn(exec->insns, exec->count, i, BPFH_DISASM_C, text, sizeof(text));
	bpfh_log_printf(run->log, "%s%sinsn %zu (%s): ", exec->name, exec->name[0] ? ": " : "", i,
			text);
	va_start(ap, fmt);
	bpfh_log_vprintf(run->log, fmt, ap);
	va_end(ap);
	bpfh_log_printf(run->log, "\n");
}

static const char *const engine_names[BPFH_ENGINE__COUNT] = {
	[BPFH_ENGINE_INTERP] = "interp",
	[BPFH_ENGINE_INTERP_CHECKED] = "interp-checked",
	[BPFH_ENGINE_JIT] = "jit",
};

const char *bpfh_engine_name(enum bpfh_engine engine)
{
	return (unsigned)engine < BPFH_ENGINE__COUNT ? engine_names[engine] : NULL;
}

int bpfh_engine_parse(const char *name, enum bpfh_engine *out)
{
	unsigned i;

	for (i = 0; i < BPFH_ENGINE__COUNT; i++) {
		if (!strcmp(name, engine_names[i])) {
			*out = (enum bpfh_engine)i;
			return 0;
		}
	}
	return -EINVAL;
}

enum bpfh_engine bpfh_engine_default(void)
{
	return bpfh_jit_available() ? BPFH_ENGINE_JIT : BPFH_ENGINE_INTERP;
}

/* Give every lddw its final 64-bit value in the imm of its two slots. */
static int resolve_lddw(struct bpfh_exec *exec, const struct bpfh_exec_opts *opts,
			struct bpfh_log *log)
{
	size_t i;

	for (i = 0; i < exec->count; i++) {
		struct bpfh_insn *in = &exec->insns[i];
		unsigned op = exec->ops[i];
		uint64_t v;
		int err;

		if (op == BPFH_OP_CALL_KFUNC || op == BPFH_OP_LDDW_BTF_ID) {
			bpfh_log_printf(log, "%s%sinsn %zu: %s is not supported by this host\n",
					exec->name, exec->name[0] ? ": " : "", i,
					op == BPFH_OP_CALL_KFUNC ? "kfunc call" : "lddw of a BTF id");
			return -ENOTSUP;
		}
		if (bpfh_op_info(op)->form != BPFH_FORM_LDDW || op == BPFH_OP_LDDW)
			continue;
		if (op == BPFH_OP_LDDW_FUNC) {
			v = (uint64_t)(i + 1 + (int64_t)in->imm); /* the decoder checked the range */
			exec->is_func[v] = 1;
			v |= BPFH_FUNC_TAG;
		} else if (!opts || !opts->resolve) {
			bpfh_log_printf(log, "%s%sinsn %zu: lddw %s %d refers to a map, and no maps "
				        "were given\n", exec->name, exec->name[0] ? ": " : "", i,
				        bpfh_op_info(op)->sym, in->imm);
			return -EINVAL;
		} else {
			err = opts->resolve(opts->resolve_ctx, in->src, in->imm, in[1].imm, &v);
			if (err) {
				bpfh_log_printf(log, "%s%sinsn %zu: lddw %s %d does not resolve\n",
						exec->name, exec->name[0] ? ": " : "", i,
						bpfh_op_info(op)->sym, in->imm);
				return err;
			}
		}
		in[0].imm = (int32_t)(uint32_t)v;
		in[1].imm = (int32_t)(uint32_t)(v >> 32);
	}
	return 0;
}

int bpfh_exec_run_c(const struct bpfh_exec *exec, struct bpfh_run *run, uint64_t *r0)
{
	run->current = exec;
	run->tail_next = NULL;
	run->tail_calls = 0;
	run->error = 0;
	run->nesting = 0;
	run->insns_executed = 0;
	*r0 = 0;
	if (exec->engine == BPFH_ENGINE_JIT)
		return bpfh_jit_run(exec, run, 0, run->args, r0);
	return bpfh_interp_run(exec, run, 0, run->args, r0);
}

/* bpfh_exec_create's block: each array starts aligned for its type. */
_Static_assert(sizeof(struct bpfh_exec) % _Alignof(struct interp_insn) == 0 &&
	       sizeof(struct interp_insn) % _Alignof(struct bpfh_insn) == 0 &&
	       _Alignof(struct bpfh_insn) <= _Alignof(struct interp_insn),
	       "the arrays after struct bpfh_exec are aligned");

int bpfh_exec_create(enum bpfh_engine engine, const struct bpfh_insn *insns, size_t count,
		     const struct bpfh_exec_opts *opts, struct bpfh_log *log,
		     struct bpfh_exec **out)
{
	struct bpfh_exec *exec;
	size_t ncode;
	int err;

	*out = NULL;
	if ((unsigned)engine >= BPFH_ENGINE__COUNT) {
		bpfh_log_printf(log, "unknown engine %d\n", (int)engine);
		return -EINVAL;
	}
	if (engine != BPFH_ENGINE_INTERP_CHECKED &&
	    !(opts && opts->sz >= offsetof(struct bpfh_exec_opts, verdict) + sizeof(opts->verdict) &&
	      (opts->verdict == BPFH_EXEC_VERIFIED || opts->verdict == BPFH_EXEC_UNVERIFIED))) {
		bpfh_log_printf(log, "%s%sengine %s runs only verified programs (no verdict given; "
				"interp-checked runs any)\n", opts && opts->name ? opts->name : "",
				opts && opts->name ? ": " : "", bpfh_engine_name(engine));
		return -EPERM;
	}
	if (count > BPFH_MAX_INSNS) {
		bpfh_log_printf(log, "program of %zu instructions exceeds the limit of %d\n", count,
				BPFH_MAX_INSNS);
		return -E2BIG;
	}
	/* One block: the exec, the interpreters' pre-decoded array (the JIT needs none), the
	 * slots, their rows and is_func, in order of alignment. */
	ncode = engine != BPFH_ENGINE_JIT ? count : 0;
	exec = calloc(1, sizeof(*exec) + ncode * sizeof(*exec->code) + count * sizeof(*insns) +
			 2 * count);
	if (!exec)
		return -ENOMEM;
	exec->run = bpfh_exec_run_c;
	exec->engine = engine;
	exec->count = count;
	if (opts && opts->name)
		snprintf(exec->name, sizeof(exec->name), "%s", opts->name);
	exec->code = (struct interp_insn *)(exec + 1);
	exec->insns = (struct bpfh_insn *)(exec->code + ncode);
	exec->ops = (uint8_t *)(exec->insns + count);
	exec->is_func = exec->ops + count;
	if (count)
		memcpy(exec->insns, insns, count * sizeof(*insns));
	err = bpfh_isa_decode(exec->insns, count, exec->ops, log);
	if (err)
		goto fail;
	err = resolve_lddw(exec, opts, log);
	if (err)
		goto fail;
	if (engine == BPFH_ENGINE_JIT) {
		err = bpfh_jit_prepare(exec, opts, log);
		if (err)
			goto fail;
	} else {
		bpfh_interp_prepare(exec);
	}
	*out = exec;
	return 0;
fail:
	bpfh_exec_destroy(exec);
	return err;
}

int bpfh_exec_run(const struct bpfh_exec *exec, struct bpfh_run *run, uint64_t *r0)
{
	/* A jump. A leaf JIT program's entry calls nothing and nothing can fail in it, so the
	 * run's bookkeeping for helpers (reset for the others) is left as it is. */
	return exec->run(exec, run, r0);
}

int bpfh_exec_callback(struct bpfh_run *run, uint64_t func, const uint64_t args[5], uint64_t *r0)
{
	const struct bpfh_exec *exec = run->current;
	uint64_t idx = func & 0xffffffffull;
	int err;

	*r0 = 0;
	if (!exec || (func & ~0xffffffffull) != BPFH_FUNC_TAG || idx >= exec->count ||
	    !exec->is_func[idx]) {
		bpfh_log_printf(run->log, "%s%scallback 0x%llx is not a function of this program\n",
				exec ? exec->name : "", exec && exec->name[0] ? ": " : "",
				(unsigned long long)func);
		return -EINVAL;
	}
	if (run->nesting + 1 >= BPFH_MAX_FRAMES) {
		bpfh_log_printf(run->log, "%s%scallbacks nested more than %d deep\n", exec->name,
				exec->name[0] ? ": " : "", BPFH_MAX_FRAMES);
		run->error = -EOVERFLOW;
		return -EOVERFLOW;
	}
	run->nesting++;
	if (exec->engine == BPFH_ENGINE_JIT)
		err = bpfh_jit_run(exec, run, (size_t)idx, args, r0);
	else
		err = bpfh_interp_run(exec, run, (size_t)idx, args, r0);
	run->nesting--;
	run->nouter = run->nesting; /* the callback's own stack is gone */
	run->current = exec;
	if (err)
		run->error = err;
	return err;
}

void bpfh_run_init_memory(struct bpfh_run *run, struct bpfh_region *region, uint8_t *mem,
			  size_t len)
{
	memset(run, 0, sizeof(*run));
	run->args[0] = len ? (uint64_t)(uintptr_t)mem : 0;
	run->args[1] = len;
	run->pkt = mem;
	run->pkt_len = len;
	region->base = (uintptr_t)mem;
	region->size = len;
	region->writable = 1;
	run->regions = region;
	run->nregions = len ? 1 : 0;
}

void bpfh_run_add_region(struct bpfh_run *run, uintptr_t base, size_t size, int writable)
{
	struct bpfh_region *r;
	size_t i;

	if (!run->dyn_cap || !base)
		return;
	for (i = 0; i < run->ndyn; i++) /* already known */
		if (run->dyn[i].base == base && run->dyn[i].size >= size)
			return;
	if (run->ndyn < run->dyn_cap) {
		r = &run->dyn[run->ndyn++];
	} else {
		r = &run->dyn[run->dyn_next];
		run->dyn_next = (run->dyn_next + 1) % run->dyn_cap;
	}
	r->base = base;
	r->size = size;
	r->writable = writable;
}

enum bpfh_engine bpfh_exec_engine(const struct bpfh_exec *exec)
{
	return exec->engine;
}

size_t bpfh_exec_count(const struct bpfh_exec *exec)
{
	return exec->count;
}

int bpfh_exec_code(const struct bpfh_exec *exec, const void **code, size_t *size)
{
	if (exec->engine != BPFH_ENGINE_JIT || !exec->jit_code)
		return -ENOTSUP;
	*code = exec->jit_code;
	*size = exec->jit_code_size;
	return 0;
}

long bpfh_exec_insn_offset(const struct bpfh_exec *exec, size_t insn)
{
	if (exec->engine != BPFH_ENGINE_JIT || !exec->jit_insn_off)
		return -ENOTSUP;
	if (insn > exec->count)
		return -EINVAL;
	return (long)exec->jit_insn_off[insn];
}

void bpfh_exec_destroy(struct bpfh_exec *exec)
{
	if (!exec)
		return;
	bpfh_jit_free(exec);
	free(exec);
}
