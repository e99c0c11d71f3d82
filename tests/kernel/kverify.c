// SPDX-License-Identifier: MIT
/*
 * The kernel's verifier as an oracle for bpfhost's: every case of the verifier's case files
 * (tests/data/verify/NAME.data, format in tests/harness/vcase.h) is verified by bpfh_verify and
 * loaded into the kernel with BPF_PROG_LOAD, and the two verdicts are compared. It does not run
 * the programs (kdiff.c does that for the conformance files) and it compares verdicts only, not
 * messages: the two verifiers word their reasons differently.
 *
 *   bpfh-kverify [-v|-vv] [--known FILE] [--no-memory] [--root] [FILE|DIR...]
 *
 * (default: tests/data/verify; -v a line per case and per skip, -vv also the kernel's log).
 *
 * How a case becomes a kernel program:
 *  - its type: the short names (xdp, xdp_devmap, socket, tc, sched_cls, sched_act, cgroup_skb
 *    and its _ingress and _egress), sock_addr_ATTACH and section names (cgroup/connect4, ...)
 *    map to the kernel's program and attach types as tests/harness/vcase.c maps them to
 *    bpfhost's; sock_addr without an attach type and bpfhost's own types (bind) are skipped.
 *    A memory case (r1 = SIZE bytes, r2 = SIZE) is emulated on a socket filter: a prologue
 *    sets r1 to the value of a one-entry array map of SIZE bytes (lddw of a map value) and r2
 *    to SIZE (a case calling a helper socket filters may not call is skipped); the kernel then
 *    sees a map value where bpfhost sees a writable context, which is the same memory safety
 *    question. Jumps are relative, so the prologue moves nothing (a case jumping before its
 *    first instruction is skipped). A memory case of size 0 (r1 unset, r2 = 0) runs as a
 *    subprogram called after a helper call, so that r0, r1 and r3-r9 start unset as on
 *    bpfhost. --no-memory skips memory cases instead.
 *  - its maps are created in the kernel with their type, sizes, entries and flags. Map-in-map
 *    types get their inner map from the case's inner= attribute; ring buffers are rounded up to
 *    a power-of-two number of pages (the kernel's rule; the verifier does not look at the size);
 *    LPM tries get BPF_F_NO_PREALLOC, which the kernel requires; frozen (read-only) contents are
 *    written and the map frozen. A map the kernel refuses skips the case, with the reason.
 *  - lddw map references (bpfhost's convention: src 5 or 1 = the map at index imm, src 6 or 2
 *    = the address of its value at index imm plus the second slot's imm) become the kernel's
 *    BPF_PSEUDO_MAP_FD and BPF_PSEUDO_MAP_VALUE with the maps' fds.
 *  - the license is GPL. A case with the privileged option loads with all of root's
 *    capabilities (pointer leaks, pointer comparisons and reads of uninitialised stack allowed,
 *    as bpfhost's privileged profile); any other case loads with CAP_BPF and CAP_NET_ADMIN but
 *    without CAP_PERFMON and CAP_SYS_ADMIN, which gives the kernel's unprivileged checks (the
 *    strict profile's counterpart) while XDP and tc programs can still be loaded. --root loads
 *    every case with all capabilities.
 *
 * Output: a line per disagreement (file, case, both verdicts, bpfhost's message, the kernel's
 * reason: the last line of its log that is not a trace), then
 *   kernel-verify info: A agree accept, R agree reject, D1 disagree (bpfhost accepts, kernel
 *     rejects), D2 disagree (bpfhost rejects, kernel accepts), S skipped
 *   kernel-verify skipped: N REASON (one line per reason)
 *   kernel-verify: N passed, N failed
 * where passed counts the agreements and failed the disagreements not listed in the known
 * differences (--known, default docs/verifier-kernel.md: the File and Case cells of its tables).
 * Where bpf() cannot be used or the process is not root: "kernel-verify: skipped (reason)",
 * exit 0. Exit 1 on an unexplained disagreement, 2 on bad usage.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <linux/bpf.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bpfhost/isa.h"
#include "bpfhost/log.h"
#include "bpfhost/obj.h"
#include "bpfhost/verify.h"
#include "../harness/vcase.h"
#include "kbpf.h"

#define MAX_FILES 512
#define MAX_KNOWN 1024
#define MAX_REASONS 64
#define KLOG_SIZE (16u << 20)
#define CODE_LDDW (BPF_LD | BPF_DW | BPF_IMM)

/* Linux's map types bpfhost's descriptions use (the same numbers). */
enum {
	MT_ARRAY_OF_MAPS = 12,
	MT_HASH_OF_MAPS = 13,
	MT_LPM_TRIE = 11,
	MT_RINGBUF = 27,
};

struct known {
	char file[128];
	char name[128];
	int seen;
};

struct reason {
	char text[128];
	unsigned count;
};

struct run {
	int verbose;
	int no_memory;
	int root_only;
	char *klog;
	struct known known[MAX_KNOWN];
	size_t nknown;
	struct reason reasons[MAX_REASONS];
	size_t nreasons;
	unsigned agree_accept, agree_reject, dis_kernel_rejects, dis_kernel_accepts, skipped;
	unsigned passed, failed, explained;
	unsigned types_emulated;
};

/* ---- bpf() ---- */

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

static int map_create(uint32_t type, uint32_t key, uint32_t value, uint32_t max, uint32_t flags,
		      int inner_fd)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.map_type = type;
	a.key_size = key;
	a.value_size = value;
	a.max_entries = max;
	a.map_flags = flags;
	if (inner_fd >= 0)
		a.inner_map_fd = (uint32_t)inner_fd;
	return sys_bpf(BPF_MAP_CREATE, &a);
}

static int map_freeze(int fd)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.map_fd = (uint32_t)fd;
	return sys_bpf(BPF_MAP_FREEZE, &a);
}

static int prog_load(uint32_t type, uint32_t attach, const struct bpfh_insn *insns, size_t count,
		     char *log, size_t log_size)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.prog_type = type;
	a.expected_attach_type = attach;
	a.insns = ptr(insns);
	a.insn_cnt = (uint32_t)count;
	a.license = ptr("GPL");
	if (log && log_size) {
		log[0] = '\0';
		a.log_level = 1;
		a.log_buf = ptr(log);
		a.log_size = (uint32_t)log_size;
	}
	return sys_bpf(BPF_PROG_LOAD, &a);
}

/* The effective capabilities: all of root's (privileged), or CAP_BPF and CAP_NET_ADMIN without
 * CAP_PERFMON and CAP_SYS_ADMIN (strict), under which the kernel refuses pointer leaks, pointer
 * comparisons and reads of uninitialised stack as it does for unprivileged loaders, while still
 * loading XDP and tc programs. 0 or a negative errno. */
static int set_privileged(int on)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	memset(d, 0, sizeof(d));
	if (syscall(SYS_capget, &h, d))
		return -errno;
	d[0].effective = d[0].permitted;
	d[1].effective = d[1].permitted;
	if (!on) {
		d[CAP_SYS_ADMIN / 32].effective &= ~(1u << (CAP_SYS_ADMIN % 32));
		d[CAP_PERFMON / 32].effective &= ~(1u << (CAP_PERFMON % 32));
	}
	if (syscall(SYS_capset, &h, d))
		return -errno;
	return 0;
}

/* ---- cases to kernel programs ---- */

struct ktype {
	const char *name;
	uint32_t type, attach;
};

static const struct ktype ktypes[] = {
	{ "xdp", BPF_PROG_TYPE_XDP, 0 },
	{ "xdp_devmap", BPF_PROG_TYPE_XDP, BPF_XDP_DEVMAP },
	{ "socket", BPF_PROG_TYPE_SOCKET_FILTER, 0 },
	{ "socket_filter", BPF_PROG_TYPE_SOCKET_FILTER, 0 },
	{ "tc", BPF_PROG_TYPE_SCHED_CLS, 0 },
	{ "sched_cls", BPF_PROG_TYPE_SCHED_CLS, 0 },
	{ "sched_act", BPF_PROG_TYPE_SCHED_ACT, 0 },
	{ "cgroup_skb", BPF_PROG_TYPE_CGROUP_SKB, BPF_CGROUP_INET_INGRESS },
	{ "cgroup_skb_ingress", BPF_PROG_TYPE_CGROUP_SKB, BPF_CGROUP_INET_INGRESS },
	{ "cgroup_skb_egress", BPF_PROG_TYPE_CGROUP_SKB, BPF_CGROUP_INET_EGRESS },
};

/* The kernel's program and attach types for a case's type name, as tests/harness/vcase.c
 * resolves it for bpfhost: a short name of the table above, "sock_addr_ATTACH" or
 * "sock_addr/ATTACH" (the section cgroup/ATTACH), or any section name libbpf knows
 * ("cgroup/connect4", "cgroup_skb/egress"). 0, or -1 with the reason in why. */
static int ktype_find(const char *name, struct ktype *out, char *why, size_t whylen)
{
	char section[64];
	uint32_t prog_type, attach_type;

	for (size_t i = 0; i < sizeof(ktypes) / sizeof(ktypes[0]); i++)
		if (!strcmp(ktypes[i].name, name)) {
			*out = ktypes[i];
			return 0;
		}
	if (!strcmp(name, "sock_addr")) {
		snprintf(why, whylen, "type sock_addr without an attach type (the kernel needs one)");
		return -1;
	}
	if (!strncmp(name, "sock_addr", 9) && (name[9] == '_' || name[9] == '/'))
		snprintf(section, sizeof(section), "cgroup/%.40s", name + 10);
	else
		snprintf(section, sizeof(section), "%.60s", name);
	if (bpfh_section_prog_type(section, &prog_type, &attach_type) || prog_type >= 0x10000) {
		snprintf(why, whylen, "type %.40s: no kernel program type for it", name);
		return -1;
	}
	out->name = name;
	out->type = prog_type;
	out->attach = attach_type;
	return 0;
}

static void skip(struct run *r, const char *file, const char *name, const char *why)
{
	size_t i;

	r->skipped++;
	if (r->verbose)
		printf("skip %s: %s: %s\n", file, name, why);
	for (i = 0; i < r->nreasons; i++)
		if (!strcmp(r->reasons[i].text, why))
			break;
	if (i == r->nreasons) {
		if (r->nreasons == MAX_REASONS)
			i = MAX_REASONS - 1; /* the last one collects the rest */
		else
			snprintf(r->reasons[r->nreasons++].text, sizeof(r->reasons[0].text), "%s",
				 why);
	}
	r->reasons[i].count++;
}

static uint32_t ringbuf_size(uint32_t n)
{
	uint32_t page = (uint32_t)sysconf(_SC_PAGESIZE), s = page;

	while (s < n && s < (1u << 30))
		s <<= 1;
	return s;
}

/* Create map i of the case (and the inner maps it names) into fds; 0 or a reason in why. */
static int create_map(const struct vcase *c, size_t i, int *fds, unsigned depth, char *why,
		      size_t whylen)
{
	const struct bpfh_verify_map *m = &c->maps[i];
	uint32_t max = m->max_entries, flags = m->map_flags;
	int inner_fd = -1, fd;

	if (fds[i] >= 0)
		return 0;
	if (depth > 2) {
		snprintf(why, whylen, "map-in-map nested too deep");
		return -1;
	}
	if (m->has_spin_lock) {
		snprintf(why, whylen, "spin lock in a map value (needs BTF)");
		return -1;
	}
	if (m->type == MT_ARRAY_OF_MAPS || m->type == MT_HASH_OF_MAPS) {
		if (!m->has_inner || m->inner >= c->nmaps || m->inner == i) {
			snprintf(why, whylen, "map-in-map without inner=");
			return -1;
		}
		if (create_map(c, m->inner, fds, depth + 1, why, whylen))
			return -1;
		inner_fd = fds[m->inner];
	}
	if (m->type == MT_RINGBUF)
		max = ringbuf_size(max);
	if (m->type == MT_LPM_TRIE)
		flags |= BPF_F_NO_PREALLOC;
	fd = map_create(m->type, m->key_size, m->value_size, max, flags, inner_fd);
	if (fd < 0) {
		snprintf(why, whylen, "kernel refuses map type %u: %s", m->type, strerror(-fd));
		return -1;
	}
	fds[i] = fd;
	if (m->frozen) {
		uint32_t zero = 0;

		if (kbpf_map_update(fd, zero, m->frozen) || map_freeze(fd)) {
			snprintf(why, whylen, "cannot fill and freeze a read-only map");
			return -1;
		}
	}
	return 0;
}

/* lddw map references to the kernel's fd forms; -1 with why for an index with no map. */
static int rewrite_maps(struct bpfh_insn *insns, size_t count, const int *fds, size_t nmaps)
{
	for (size_t i = 0; i < count; i++) {
		struct bpfh_insn *x = &insns[i];

		if (x->code != CODE_LDDW)
			continue;
		if (x->src == 1 || x->src == 5 || x->src == 2 || x->src == 6) {
			int value = x->src == 2 || x->src == 6;

			/* An index with no map: an fd that is not one, so the kernel refuses it
			 * as bpfhost does. */
			x->imm = x->imm >= 0 && (size_t)x->imm < nmaps ? fds[x->imm] : -1;
			x->src = value ? BPF_PSEUDO_MAP_VALUE : BPF_PSEUDO_MAP_FD;
		}
		i++; /* the second slot */
	}
	return 0;
}

/* Whether a jump of insns lands before the first instruction (the memory prologue would then
 * catch it). */
static int jumps_before_start(const struct bpfh_insn *insns, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		uint8_t cls = insns[i].code & 7, op = insns[i].code & 0xf0;
		int64_t t;

		if (insns[i].code == CODE_LDDW) {
			if (insns[i].src == BPF_PSEUDO_FUNC && (int64_t)i + 1 + insns[i].imm < 0)
				return 1;
			i++;
			continue;
		}
		if ((cls != BPF_JMP && cls != BPF_JMP32) || op == BPF_EXIT)
			continue;
		if (op == BPF_CALL)
			t = insns[i].src == BPF_PSEUDO_CALL ? (int64_t)i + 1 + insns[i].imm : 0;
		else if (op == BPF_JA && cls == BPF_JMP32)
			t = (int64_t)i + 1 + insns[i].imm;
		else
			t = (int64_t)i + 1 + insns[i].off;
		if (t < 0)
			return 1;
	}
	return 0;
}

/* The last line of a kernel log that is not a statistic or a state dump, into out: the
 * verifier's reason, sometimes at the end of an instruction's trace line ("3: (a5) if r2 <
 * 0xa goto pc-2 infinite loop detected at insn 2"), which kbpf_log_reason passes over. */
static void last_line(const char *log, char *out, size_t size)
{
	static const char *const noise[] = { "processed ", "verification time", "stack depth",
					     "mark_precise", "func#", "Func#", "Live regs",
					     "cur state:", "old state:" };
	const char *end = log + strlen(log);

	out[0] = '\0';
	while (end > log) {
		const char *l = end;
		size_t n, k;

		while (l > log && l[-1] != '\n')
			l--;
		n = (size_t)(end - l);
		while (n && (l[n - 1] == '\n' || l[n - 1] == ' '))
			n--;
		for (k = 0; k < sizeof(noise) / sizeof(noise[0]); k++)
			if (!strncmp(l, noise[k], strlen(noise[k])))
				break;
		if (n && k == sizeof(noise) / sizeof(noise[0])) {
			snprintf(out, size, "%.*s", (int)n, l);
			return;
		}
		end = l > log ? l - 1 : log;
	}
	snprintf(out, size, "(empty log)");
}

/* ---- known differences ---- */

static void trim(char *s)
{
	size_t n = strlen(s), b = 0;

	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '`'))
		s[--n] = 0;
	while (s[b] == ' ' || s[b] == '\t' || s[b] == '`')
		b++;
	memmove(s, s + b, n - b + 1);
}

/* The tables of FILE: rows "| file | case | ...", the header and rule rows left out. */
static void read_known(struct run *r, const char *path)
{
	FILE *f = fopen(path, "r");
	char line[1024];

	if (!f)
		return;
	while (fgets(line, sizeof(line), f) && r->nknown < MAX_KNOWN) {
		char *cells[3], *p = line;
		int n = 0;

		if (line[0] != '|')
			continue;
		p++;
		while (n < 3) {
			char *bar = strchr(p, '|');

			if (!bar)
				break;
			*bar = 0;
			cells[n++] = p;
			p = bar + 1;
		}
		if (n < 3)
			continue;
		trim(cells[0]);
		trim(cells[1]);
		if (!strcmp(cells[0], "File") || cells[0][0] == '-' || cells[0][0] == ':' ||
		    !cells[1][0])
			continue;
		snprintf(r->known[r->nknown].file, sizeof(r->known[0].file), "%s", cells[0]);
		snprintf(r->known[r->nknown].name, sizeof(r->known[0].name), "%s", cells[1]);
		r->nknown++;
	}
	fclose(f);
}

static struct known *find_known(struct run *r, const char *file, const char *name)
{
	const char *base = strrchr(file, '/') ? strrchr(file, '/') + 1 : file;

	for (size_t i = 0; i < r->nknown; i++)
		if (!strcmp(r->known[i].file, base) && !strcmp(r->known[i].name, name))
			return &r->known[i];
	return NULL;
}

/* ---- one case ---- */

static void one_line(char *s)
{
	for (; *s; s++)
		if (*s == '\n')
			*s = ' ';
}

static void run_case(void *arg, const char *file, const struct vcase *c, const char *problem)
{
	struct run *r = arg;
	char logbuf[1024], why[256], kreason[512];
	struct bpfh_log log;
	struct bpfh_insn *insns = NULL, *kin = NULL;
	size_t count = 0, kcount, prologue = 0;
	struct bpfh_verify_prog_type type;
	struct bpfh_verify_input in;
	struct bpfh_verify_result res;
	const struct ktype *kt;
	struct ktype memtype = { "memory", BPF_PROG_TYPE_SOCKET_FILTER, 0 }, found;
	int fds[VCASE_MAX_MAPS + 1], mem_fd = -1, bpfh_ok, k_ok, kfd;
	struct known *known;

	for (size_t i = 0; i <= VCASE_MAX_MAPS; i++)
		fds[i] = -1;
	if (problem) {
		skip(r, file, c->name, "bad case");
		return;
	}
	if (!c->asm_text || c->verdict < 0) {
		skip(r, file, c->name, "no -- asm or -- verdict");
		return;
	}
	kt = ktype_find(c->type, &found, why, sizeof(why)) ? NULL : &found;
	if (!strcmp(c->type, "memory")) {
		if (r->no_memory) {
			skip(r, file, c->name, "memory type (--no-memory)");
			return;
		}
		kt = &memtype;
	}
	if (!kt) {
		skip(r, file, c->name, why);
		return;
	}
	if (c->has_ret) {
		skip(r, file, c->name, "a return range of the case's own (no kernel type has it)");
		return;
	}
	if (vcase_type(c, &type)) {
		snprintf(why, sizeof(why), "type %s unknown to vcase_type", c->type);
		skip(r, file, c->name, why);
		return;
	}
	bpfh_log_init(&log, logbuf, sizeof(logbuf));
	if (bpfh_asm(c->asm_text, c->name, c->asm_line, &insns, &count, &log)) {
		skip(r, file, c->name, "assembly failed");
		return;
	}

	/* bpfhost */
	vcase_input(c, &type, insns, count, &in);
	bpfh_log_init(&log, logbuf, sizeof(logbuf));
	bpfh_ok = bpfh_verify(&in, &res, &log) == 0;
	one_line(logbuf);

	/* the kernel */
	for (size_t i = 0; i < c->nmaps; i++)
		if (create_map(c, i, fds, 0, why, sizeof(why))) {
			skip(r, file, c->name, why);
			goto out;
		}
	if (kt == &memtype && c->mem_size == 0) {
		prologue = 4;
	} else if (kt == &memtype) {
		if (jumps_before_start(insns, count)) {
			skip(r, file, c->name, "memory type: a jump before the first instruction");
			goto out;
		}
		/* A read-only context: the program may not write the map value either. */
		mem_fd = c->ctx_readonly ?
			map_create(BPF_MAP_TYPE_ARRAY, 4, c->mem_size, 1, BPF_F_RDONLY_PROG, -1) :
			kbpf_array_create(c->mem_size, 1);
		if (mem_fd < 0) {
			skip(r, file, c->name, "memory type: cannot create its array map");
			goto out;
		}
		prologue = 3;
	}
	kcount = count + prologue;
	kin = malloc(kcount * sizeof(*kin));
	if (!kin) {
		skip(r, file, c->name, "out of memory");
		goto out;
	}
	memset(kin, 0, kcount * sizeof(*kin));
	if (prologue == 4) {
		/* r1 unset, r2 = 0, r0 and r3-r9 unset: a helper call clears r1-r5, and the case
		 * runs as a subprogram, which starts with r0 and r6-r9 unset. */
		kin[0].code = BPF_JMP | BPF_CALL;
		kin[0].imm = BPF_FUNC_get_prandom_u32;
		kin[1].code = BPF_ALU64 | BPF_MOV | BPF_K;
		kin[1].dst = 2;
		kin[2].code = BPF_JMP | BPF_CALL;
		kin[2].src = BPF_PSEUDO_CALL;
		kin[2].imm = 1;
		kin[3].code = BPF_JMP | BPF_EXIT;
		r->types_emulated++;
	} else if (prologue) {
		kin[0].code = CODE_LDDW;
		kin[0].dst = 1;
		kin[0].src = BPF_PSEUDO_MAP_VALUE;
		kin[0].imm = mem_fd;
		kin[2].code = BPF_ALU64 | BPF_MOV | BPF_K;
		kin[2].dst = 2;
		kin[2].imm = (int32_t)c->mem_size;
		r->types_emulated++;
	}
	memcpy(kin + prologue, insns, count * sizeof(*kin));
	rewrite_maps(kin + prologue, count, fds, c->nmaps);
	if (!r->root_only && set_privileged(c->privileged)) {
		skip(r, file, c->name, "cannot change capabilities");
		goto out;
	}
	kfd = prog_load(kt->type, kt->attach, kin, kcount, NULL, 0);
	k_ok = kfd >= 0;
	kreason[0] = 0;
	if (k_ok) {
		close(kfd);
	} else {
		int err = kfd;

		kfd = prog_load(kt->type, kt->attach, kin, kcount, r->klog, KLOG_SIZE);
		if (kfd >= 0) { /* accepted with a log: a rare difference of log levels */
			close(kfd);
			k_ok = 1;
		} else {
			char last[400];

			kbpf_log_reason(r->klog, last, sizeof(last));
			if (!strncmp(last, "(no reason", 10))
				last_line(r->klog, last, sizeof(last));
			/* A memory case's helper that socket filters may not call: the emulation's
			 * limit, not a verdict. */
			if (kt == &memtype && (strstr(last, "program of this type cannot use helper") ||
					       strstr(last, "unknown func"))) {
				if (!r->root_only)
					set_privileged(1);
				skip(r, file, c->name,
				     "memory type: a helper socket filters cannot call");
				goto out;
			}
			snprintf(kreason, sizeof(kreason), "%s: %s", strerror(-err), last);
		}
	}
	if (r->verbose > 1) { /* the kernel's whole log, accepted or not */
		kfd = prog_load(kt->type, kt->attach, kin, kcount, r->klog, KLOG_SIZE);
		if (kfd >= 0)
			close(kfd);
		printf("---- kernel log of %s: %s\n%s----\n", file, c->name, r->klog);
	}
	if (!r->root_only)
		set_privileged(1);

	known = find_known(r, file, c->name);
	if (known && bpfh_ok != k_ok)
		known->seen = 1;
	if (bpfh_ok == k_ok) {
		r->passed++;
		if (bpfh_ok)
			r->agree_accept++;
		else
			r->agree_reject++;
		if (r->verbose)
			printf("agree %s %s: %s: %s%s (case expects %s)\n",
			       bpfh_ok ? "accept" : "reject", file, c->name,
			       bpfh_ok ? "" : "kernel: ", kreason, c->verdict ? "accept" : "reject");
	} else {
		if (bpfh_ok)
			r->dis_kernel_rejects++;
		else
			r->dis_kernel_accepts++;
		if (known)
			r->explained++;
		else
			r->failed++;
		printf("%s %s: %s: bpfhost %s%s%s, kernel %s%s%s (case expects %s)\n",
		       known ? "known-difference" : "DISAGREE", file, c->name,
		       bpfh_ok ? "accepts" : "rejects", bpfh_ok ? "" : ": ", bpfh_ok ? "" : logbuf,
		       k_ok ? "accepts" : "rejects", k_ok ? "" : ": ", kreason,
		       c->verdict ? "accept" : "reject");
	}
out:
	for (size_t i = 0; i <= VCASE_MAX_MAPS; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	if (mem_fd >= 0)
		close(mem_fd);
	free(kin);
	free(insns);
}

static void add_path(struct run *r, const char *path)
{
	static char *names[MAX_FILES];
	struct stat st;
	int n;

	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		n = vcase_list_dir(path, names, MAX_FILES);
		for (int i = 0; i < n; i++) {
			vcase_read_file(names[i], run_case, r);
			free(names[i]);
		}
		return;
	}
	if (vcase_read_file(path, run_case, r))
		fprintf(stderr, "bpfh-kverify: cannot open %s\n", path);
}

int main(int argc, char **argv)
{
	static struct run r;
	const char *known_path = "docs/verifier-kernel.md";
	char why[256];
	int i, npaths = 0;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-v"))
			r.verbose = 1;
		else if (!strcmp(argv[i], "-vv"))
			r.verbose = 2;
		else if (!strcmp(argv[i], "--no-memory"))
			r.no_memory = 1;
		else if (!strcmp(argv[i], "--root"))
			r.root_only = 1;
		else if (!strcmp(argv[i], "--known") && i + 1 < argc)
			known_path = argv[++i];
		else {
			fprintf(stderr, "usage: bpfh-kverify [-v] [--known FILE] [--no-memory] [--root] "
					"[FILE|DIR...]\n");
			return 2;
		}
	}
	if (geteuid() != 0) {
		printf("kernel-verify: skipped (not root)\n");
		return 0;
	}
	if (kbpf_probe(BPF_PROG_TYPE_SOCKET_FILTER, why, sizeof(why))) {
		printf("kernel-verify: skipped (%s)\n", why);
		return 0;
	}
	r.klog = malloc(KLOG_SIZE);
	if (!r.klog) {
		printf("kernel-verify: skipped (out of memory)\n");
		return 0;
	}
	if (!r.root_only && set_privileged(0)) {
		printf("kernel-verify: skipped (cannot drop CAP_PERFMON and CAP_SYS_ADMIN)\n");
		return 0;
	}
	set_privileged(1);
	read_known(&r, known_path);
	for (; i < argc; i++, npaths++)
		add_path(&r, argv[i]);
	if (!npaths)
		add_path(&r, "tests/data/verify");

	printf("kernel-verify info: %u agree accept, %u agree reject, %u disagree (bpfhost "
	       "accepts, kernel rejects), %u disagree (bpfhost rejects, kernel accepts), %u "
	       "skipped; %u of the disagreements listed in %s; %u memory cases emulated on "
	       "socket filters\n",
	       r.agree_accept, r.agree_reject, r.dis_kernel_rejects, r.dis_kernel_accepts,
	       r.skipped, r.explained, known_path, r.types_emulated);
	for (size_t k = 0; k < r.nreasons; k++)
		printf("kernel-verify skipped: %u %s\n", r.reasons[k].count, r.reasons[k].text);
	if (r.verbose)
		for (size_t k = 0; k < r.nknown; k++)
			if (!r.known[k].seen)
				printf("kernel-verify info: listed but not seen as a disagreement: "
				       "%s: %s\n", r.known[k].file, r.known[k].name);
	printf("kernel-verify: %u passed, %u failed\n", r.passed, r.failed);
	free(r.klog);
	return r.failed ? 1 : 0;
}
