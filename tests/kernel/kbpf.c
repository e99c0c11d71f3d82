// SPDX-License-Identifier: MIT
/*
 * The bpf() wrapper of kbpf.h: maps, program loading with the verifier's log, test runs, and
 * the rewriting that lets the kernel run a conformance-convention program with its memory in a
 * map and its full 64-bit r0 stored to another map.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kbpf.h"

static int sys_bpf(int cmd, union bpf_attr *attr)
{
	long ret;

#ifdef SYS_bpf
	ret = syscall(SYS_bpf, cmd, attr, sizeof(*attr));
#else
	ret = -1;
	errno = ENOSYS;
#endif
	return ret < 0 ? -errno : (int)ret;
}

static uint64_t ptr(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

int kbpf_array_create(uint32_t value_size, uint32_t max_entries)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.map_type = BPF_MAP_TYPE_ARRAY;
	a.key_size = sizeof(uint32_t);
	a.value_size = value_size;
	a.max_entries = max_entries;
	return sys_bpf(BPF_MAP_CREATE, &a);
}

int kbpf_map_update(int fd, uint32_t key, const void *value)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.map_fd = (uint32_t)fd;
	a.key = ptr(&key);
	a.value = ptr(value);
	a.flags = BPF_ANY;
	return sys_bpf(BPF_MAP_UPDATE_ELEM, &a);
}

int kbpf_map_lookup(int fd, uint32_t key, void *value)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.map_fd = (uint32_t)fd;
	a.key = ptr(&key);
	a.value = ptr(value);
	return sys_bpf(BPF_MAP_LOOKUP_ELEM, &a);
}

static int prog_load(uint32_t type, uint32_t prog_flags, const struct bpfh_insn *insns,
		     size_t count, char *log, size_t log_size)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.prog_type = type;
	a.prog_flags = prog_flags;
	a.insns = ptr(insns);
	a.insn_cnt = (uint32_t)count;
	a.license = ptr("Dual MIT/GPL");
	if (log && log_size) {
		log[0] = '\0';
		a.log_level = 1;
		a.log_buf = ptr(log);
		a.log_size = log_size > UINT32_MAX ? UINT32_MAX : (uint32_t)log_size;
	}
	return sys_bpf(BPF_PROG_LOAD, &a);
}

int kbpf_prog_load(uint32_t type, uint32_t prog_flags, const struct bpfh_insn *insns,
		   size_t count, char *log, size_t log_size)
{
	int fd;

	if (log && log_size)
		log[0] = '\0';
	/* Load without a log first: a level-1 log that overflows its buffer fails the load. Only
	 * a refusal is loaded again, to learn the verifier's reason. */
	fd = prog_load(type, prog_flags, insns, count, NULL, 0);
	if (fd < 0 && log && log_size)
		prog_load(type, prog_flags, insns, count, log, log_size);
	return fd;
}

int kbpf_test_run(int prog_fd, struct kbpf_test_run *t)
{
	union bpf_attr a;
	int err;

	memset(&a, 0, sizeof(a));
	a.test.prog_fd = (uint32_t)prog_fd;
	a.test.data_in = ptr(t->data_in);
	a.test.data_size_in = t->data_size_in;
	a.test.ctx_in = ptr(t->ctx_in);
	a.test.ctx_size_in = t->ctx_size_in;
	a.test.repeat = t->repeat;
	err = sys_bpf(BPF_PROG_TEST_RUN, &a);
	if (err)
		return err;
	t->retval = a.test.retval;
	t->duration = a.test.duration;
	return 0;
}

int kbpf_prog_jited_len(int prog_fd)
{
	struct bpf_prog_info info;
	union bpf_attr a;
	int err;

	memset(&info, 0, sizeof(info));
	memset(&a, 0, sizeof(a));
	a.info.bpf_fd = (uint32_t)prog_fd;
	a.info.info_len = sizeof(info);
	a.info.info = ptr(&info);
	err = sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &a);
	return err ? err : (int)info.jited_prog_len;
}

int kbpf_probe(uint32_t type, char *why, size_t whylen)
{
	static const struct bpfh_insn prog[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst = 0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	static const uint8_t pkt[64];
	struct kbpf_test_run t;
	int fd, err;

	fd = kbpf_array_create(8, 1);
	if (fd < 0) {
		snprintf(why, whylen, "bpf(BPF_MAP_CREATE): %s", strerror(-fd));
		return fd;
	}
	close(fd);
	fd = kbpf_prog_load(type, type == BPF_PROG_TYPE_SYSCALL ? BPF_F_SLEEPABLE : 0, prog, 2,
			    NULL, 0);
	if (fd < 0) {
		snprintf(why, whylen, "bpf(BPF_PROG_LOAD): %s", strerror(-fd));
		return fd;
	}
	memset(&t, 0, sizeof(t));
	if (type != BPF_PROG_TYPE_SYSCALL) {
		t.data_in = pkt;
		t.data_size_in = sizeof(pkt);
	}
	err = kbpf_test_run(fd, &t);
	close(fd);
	if (err) {
		snprintf(why, whylen, "bpf(BPF_PROG_TEST_RUN): %s", strerror(-err));
		return err;
	}
	return 0;
}

/* Lines the verifier prints around its reason, which are not the reason. */
static int log_noise(const char *l, size_t n)
{
	static const char *const prefixes[] = { "processed ", "verification time", "stack depth",
						"mark_precise", "func#", "Func#", "Live regs",
						"from ", "; ", "cur state:", "old state:" };
	size_t i;

	if (n == 0)
		return 1;
	for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (!strncmp(l, prefixes[i], strlen(prefixes[i])))
			return 1;
	/* An instruction of the trace ("12: (bf) r1 = r0") or a state dump ("12: R0=..."). */
	while (n && *l >= '0' && *l <= '9')
		l++, n--;
	return n && *l == ':';
}

void kbpf_log_reason(const char *log, char *out, size_t size)
{
	const char *end = log + strlen(log);

	if (!size)
		return;
	out[0] = '\0';
	while (end > log) {
		const char *l = end;
		size_t n;

		while (l > log && l[-1] != '\n')
			l--;
		n = (size_t)(end - l);
		while (n && (l[n - 1] == '\n' || l[n - 1] == ' '))
			n--;
		if (!log_noise(l, n)) {
			snprintf(out, size, "%.*s", (int)n, l);
			return;
		}
		end = l > log ? l - 1 : log;
	}
	snprintf(out, size, "(no reason in the verifier's log)");
}

/* ---- the wrapper ---- */

static struct bpfh_insn mk(uint8_t code, unsigned dst, unsigned src, int16_t off, int32_t imm)
{
	struct bpfh_insn i;

	memset(&i, 0, sizeof(i));
	i.code = code;
	i.dst = dst & 0xf;
	i.src = src & 0xf;
	i.off = off;
	i.imm = imm;
	return i;
}

#define MOV_K(d, k) mk(BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, k)
#define CODE_LDDW (BPF_LD | BPF_DW | BPF_IMM)

/* Where a jump or call at slot i goes, as an index (1 when it has one). */
static int branch_target(const struct bpfh_insn *in, size_t i, int64_t *target)
{
	uint8_t cls = in[i].code & 0x07, op = in[i].code & 0xf0;

	if (in[i].code == CODE_LDDW)
		return in[i].src == BPF_PSEUDO_FUNC ? (*target = (int64_t)i + 1 + in[i].imm, 1) : 0;
	if (cls != BPF_JMP && cls != BPF_JMP32)
		return 0;
	if (op == BPF_EXIT)
		return 0;
	if (op == BPF_CALL)
		return in[i].src == BPF_PSEUDO_CALL && (in[i].code & BPF_X) == 0 ?
			       (*target = (int64_t)i + 1 + in[i].imm, 1) : 0;
	if (op == BPF_JA && cls == BPF_JMP32) /* gotol: the offset is in imm */
		return *target = (int64_t)i + 1 + in[i].imm, 1;
	*target = (int64_t)i + 1 + in[i].off;
	return 1;
}

static int uses_imm_offset(const struct bpfh_insn *x)
{
	return x->code == CODE_LDDW || (x->code & 0xf0) == BPF_CALL ||
	       x->code == (BPF_JMP32 | BPF_JA);
}

int kbpf_wrap(const struct bpfh_insn *insns, size_t count, int mem_fd, uint32_t mem_len,
	      int res_fd, unsigned flags, struct bpfh_insn **out, size_t *out_count,
	      unsigned *helper_calls, char *why, size_t whylen)
{
	struct bpfh_insn pro[16], epi[8], *o;
	size_t npro = 0, nepi = 0, main_end = count, i, n;
	unsigned r, calls = 0;

	if (why && whylen)
		why[0] = '\0';
	/* The main program ends where the first function that a call or lddw names begins: its
	 * exits are the program's, and the epilogue must sit inside it (the kernel refuses jumps
	 * from one function into another). */
	for (i = 0; i < count; i++) {
		int64_t t;

		if (insns[i].code == CODE_LDDW) {
			if (insns[i].src != 0 && insns[i].src != BPF_PSEUDO_FUNC) {
				snprintf(why, whylen, "insn %zu: lddw pseudo form src=%u", i,
					 insns[i].src);
				return -ENOTSUP;
			}
			if (insns[i].src == BPF_PSEUDO_FUNC && branch_target(insns, i, &t) &&
			    t > 0 && (size_t)t < main_end)
				main_end = (size_t)t;
			i++;
			continue;
		}
		if ((insns[i].code & 0xf0) == BPF_CALL && (insns[i].code & 0x07) == BPF_JMP &&
		    !(insns[i].code & BPF_X)) {
			if (insns[i].src == BPF_PSEUDO_CALL) {
				if (branch_target(insns, i, &t) && t > 0 && (size_t)t < main_end)
					main_end = (size_t)t;
			} else if (insns[i].src == 0 && insns[i].imm == 5 &&
				   (flags & KBPF_WRAP_HELPER5_IDENTITY)) {
				calls++;
			} else if (insns[i].src == 0 && (flags & KBPF_WRAP_LINUX_HELPERS)) {
				/* the kernel's own helper */
			} else {
				snprintf(why, whylen, "insn %zu: calls helper %d (src %u)", i,
					 insns[i].imm, insns[i].src);
				return -ENOTSUP;
			}
		}
	}

	if (mem_fd >= 0 && mem_len) {
		pro[npro++] = mk(CODE_LDDW, 1, BPF_PSEUDO_MAP_VALUE, 0, mem_fd);
		pro[npro++] = mk(0, 0, 0, 0, 0); /* offset 0 into the value */
		pro[npro++] = MOV_K(2, (int32_t)mem_len);
	} else {
		pro[npro++] = MOV_K(1, 0);
		pro[npro++] = MOV_K(2, 0);
	}
	if (flags & KBPF_WRAP_ZERO_REGS) {
		pro[npro++] = MOV_K(0, 0);
		for (r = 3; r <= 9; r++)
			pro[npro++] = MOV_K(r, 0);
	}
	epi[nepi++] = mk(CODE_LDDW, 1, BPF_PSEUDO_MAP_VALUE, 0, res_fd);
	epi[nepi++] = mk(0, 0, 0, 0, 0);
	epi[nepi++] = mk(BPF_STX | BPF_MEM | BPF_DW, 1, 0, offsetof(struct kbpf_result, r0), 0);
	epi[nepi++] = mk(BPF_ST | BPF_MEM | BPF_DW, 1, 0, offsetof(struct kbpf_result, ran),
			 (int32_t)KBPF_RAN);
	epi[nepi++] = mk(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);

	n = npro + count + nepi;
	o = malloc(n * sizeof(*o));
	if (!o)
		return -ENOMEM;
	memcpy(o, pro, npro * sizeof(*o));
	memcpy(o + npro, insns, main_end * sizeof(*o));
	memcpy(o + npro + main_end, epi, nepi * sizeof(*o));
	memcpy(o + npro + main_end + nepi, insns + main_end, (count - main_end) * sizeof(*o));

#define NEW_INDEX(old) ((int64_t)npro + (old) + ((size_t)(old) >= main_end ? (int64_t)nepi : 0))
	for (i = 0; i < count; i++) {
		struct bpfh_insn *x = &o[NEW_INDEX(i)];
		int64_t t, delta;

		if (insns[i].code == CODE_LDDW && insns[i].src == 0) {
			i++;
			continue;
		}
		if (insns[i].code == (BPF_JMP | BPF_CALL) && insns[i].src == 0) {
			if (insns[i].imm == 5 && (flags & KBPF_WRAP_HELPER5_IDENTITY))
				*x = mk(BPF_ALU64 | BPF_MOV | BPF_X, 0, 1, 0, 0); /* r0 = r1 */
			continue;
		}
		if (insns[i].code == (BPF_JMP | BPF_EXIT) && i < main_end) {
			t = (int64_t)npro + (int64_t)main_end; /* the epilogue */
			delta = t - NEW_INDEX(i) - 1;
			if (delta > INT16_MAX)
				goto too_far;
			*x = mk(BPF_JMP | BPF_JA, 0, 0, (int16_t)delta, 0);
			continue;
		}
		if (!branch_target(insns, i, &t))
			continue;
		if (t < 0 || (size_t)t > count) /* leave what the kernel will refuse as it is */
			continue;
		delta = NEW_INDEX(t) - NEW_INDEX(i) - 1;
		if (uses_imm_offset(&insns[i])) {
			x->imm = (int32_t)delta;
		} else {
			if (delta > INT16_MAX || delta < INT16_MIN)
				goto too_far;
			x->off = (int16_t)delta;
		}
		if (insns[i].code == CODE_LDDW)
			i++;
	}
#undef NEW_INDEX
	*out = o;
	*out_count = n;
	if (helper_calls)
		*helper_calls = calls;
	return 0;
too_far:
	free(o);
	snprintf(why, whylen, "a rewritten jump does not fit its 16-bit offset");
	return -E2BIG;
}
