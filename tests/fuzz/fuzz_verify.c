// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the verifier: raw bytes become a program image verified against a fixed
 * set of maps under a program type the first byte chooses, with options from the second (strict
 * or privileged, unreachable code allowed or not, a trace callback or none, the loop bound).
 * Whatever the bytes, bpfh_verify must return a verdict or -EINVAL / -ENOMEM: no crash, no
 * undefined behaviour, no hang (the analysis is bounded by max_states; libFuzzer's -timeout
 * catches the rest). The seeds are the conformance programs as 64-byte memory programs (header
 * bytes 0x40 0x00).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bpfhost/map.h"
#include "bpfhost/obj.h"
#include "bpfhost/verify.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define HEADER 2
#define MAX_INSNS 8192

static const uint8_t rodata[16] = "%d %s\n";

/* Every kind of map the verifier distinguishes, by lddw index. */
static const struct bpfh_verify_map maps[] = {
	{ BPFH_MAP_TYPE_ARRAY, 4, 16, 4, 0, -1, -1, NULL },
	{ BPFH_MAP_TYPE_HASH, 8, 8, 64, 0, -1, -1, NULL },
	{ BPFH_MAP_TYPE_PERCPU_ARRAY, 4, 8, 1, 0, -1, -1, NULL },
	{ BPFH_MAP_TYPE_PROG_ARRAY, 4, 4, 4, 0, -1, -1, NULL },
	{ BPFH_MAP_TYPE_RINGBUF, 0, 0, 4096, 0, -1, -1, NULL },
	{ BPFH_MAP_TYPE_ARRAY, 4, 16, 1, BPFH_F_RDONLY_PROG, -1, -1, NULL }, /* .rodata */
	{ BPFH_MAP_TYPE_ARRAY_OF_MAPS, 4, 4, 2, 0, -1, 7, NULL },
	{ BPFH_MAP_TYPE_ARRAY, 4, 8, 2, 0, -1, -1, NULL }, /* the inner template */
	{ BPFH_MAP_TYPE_HASH, 4, 16, 8, 0, 0, -1, NULL }, /* a spin lock at value offset 0 */
	{ BPFH_MAP_TYPE_QUEUE, 0, 8, 8, 0, -1, -1, NULL },
	{ BPFH_MAP_TYPE_LPM_TRIE, 8, 8, 8, BPFH_F_NO_PREALLOC, -1, -1, NULL },
	{ BPFH_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4, 4, 0, -1, -1, NULL },
};

static const struct {
	uint32_t prog_type, attach_type;
} types[] = {
	{ BPFH_PROG_TYPE_MEMORY, 0 },
	{ BPFH_PROG_TYPE_XDP, 0 },
	{ BPFH_PROG_TYPE_SOCKET_FILTER, 0 },
	{ BPFH_PROG_TYPE_SCHED_CLS, 0 },
	{ BPFH_PROG_TYPE_SCHED_ACT, 0 },
	{ BPFH_PROG_TYPE_CGROUP_SKB, BPFH_CGROUP_INET_EGRESS },
	{ BPFH_PROG_TYPE_CGROUP_SOCK_ADDR, BPFH_CGROUP_INET4_CONNECT },
	{ BPFH_PROG_TYPE_CGROUP_SOCK_ADDR, BPFH_CGROUP_UDP6_SENDMSG },
	{ BPFH_PROG_TYPE_BIND, 0 },
	{ BPFH_PROG_TYPE_XDP, BPFH_XDP_DEVMAP },
};

static void trace(void *arg, size_t insn, const char *invariant)
{
	size_t *n = arg;

	/* touch the text: it must be a string */
	*n += insn + strlen(invariant);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bpfh_verify_map given[sizeof(maps) / sizeof(maps[0])];
	struct bpfh_verify_prog_type memory;
	struct bpfh_verify_input in;
	struct bpfh_verify_result res;
	struct bpfh_insn *insns;
	struct bpfh_log log;
	char logbuf[512];
	size_t count, ti, traced = 0;
	uint8_t t, o;
	int err;

	if (size < HEADER)
		return 0;
	t = data[0];
	o = data[1];
	data += HEADER;
	size -= HEADER;
	count = size / sizeof(struct bpfh_insn);
	if (count > MAX_INSNS)
		count = MAX_INSNS;
	insns = malloc(count ? count * sizeof(*insns) : 1);
	if (!insns)
		return 0;
	memcpy(insns, data, count * sizeof(*insns));

	memset(&in, 0, sizeof(in));
	in.insns = insns;
	in.count = count;
	/* type byte: the low 4 bits choose the type, the high ones a memory program's size in
	 * 16-byte units (seeds: 0x40, 64 bytes, as the conformance suite runs them) */
	ti = (size_t)(t & 15) % (sizeof(types) / sizeof(types[0]));
	in.type = bpfh_verify_type_of(types[ti].prog_type, types[ti].attach_type);
	if (!in.type || in.type->ctx_size == 0) {
		memory = bpfh_verify_type_memory((uint32_t)(t >> 4) * 16);
		in.type = &memory;
	}
	/* options byte: bit 0 privileged, 1 unreachable allowed, 2 trace, 3-4 maps given
	 * (all, none, the first one, all but counted as 0 to check -EINVAL), 5-7 loop bound */
	in.opts.privileged = o & 1;
	in.opts.allow_unreachable = (o >> 1) & 1;
	if (o & 4) {
		in.opts.trace = trace;
		in.opts.trace_arg = &traced;
	}
	memcpy(given, maps, sizeof(given));
	given[5].frozen = rodata;
	switch ((o >> 3) & 3) {
	case 0:
		in.maps = given;
		in.nmaps = sizeof(maps) / sizeof(maps[0]);
		break;
	case 1:
		break;
	case 2:
		in.maps = given;
		in.nmaps = 1;
		break;
	default:
		in.maps = NULL;
		in.nmaps = 3; /* malformed: -EINVAL */
		break;
	}
	in.opts.max_loop_iterations = (uint32_t)(o >> 5) * 4;
	in.opts.max_states = 20000;

	bpfh_log_init(&log, logbuf, sizeof(logbuf));
	err = bpfh_verify(&in, &res, &log);
	if (err != 0 && err != -EACCES && err != -EINVAL && err != -ENOMEM)
		abort();
	if (err == 0 && !res.accepted)
		abort();
	if (err == -EACCES && (res.accepted || !log.len))
		abort(); /* a rejection always says why */
	if (count == 0 && err != -EINVAL)
		abort();
	free(insns);
	return 0;
}
