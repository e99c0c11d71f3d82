// SPDX-License-Identifier: MIT
/*
 * A host that does not let the process make memory executable (SELinux's execmem, Windows'
 * arbitrary code guard, a sandbox's seccomp filter): the JIT is then not available, so the
 * default engine is the interpreter and programs still load and run; asking for the JIT by
 * name fails with -ENOTSUP and says why. On Linux a child process installs a seccomp filter
 * that fails mprotect and mmap with PROT_EXEC (EACCES), as such a host would, and checks
 * this; where there is no seccomp, or no JIT to begin with, it skips itself.
 */
#if defined(__linux__)
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfhost/engine.h"
#include "bpfhost/isa.h"
#include "bpfhost/log.h"
#include "../check.h"

#if defined(__linux__)
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#endif

static const struct bpfh_exec_opts unverified = { .sz = sizeof(unverified),
						  .verdict = BPFH_EXEC_UNVERIFIED };

/* Prepare `mov r0, 7; exit` for engine and run it: 0 and r0, or the error (log in logbuf). */
static int run_seven(enum bpfh_engine engine, uint64_t *r0, char *logbuf, size_t size)
{
	static const struct bpfh_insn prog[] = {
		{ .code = 0xb7, .dst = 0, .imm = 7 },
		{ .code = 0x95 },
	};
	struct bpfh_exec *exec;
	struct bpfh_run run;
	struct bpfh_log log;
	int err;

	bpfh_log_init(&log, logbuf, size);
	err = bpfh_exec_create(engine, prog, 2, &unverified, &log, &exec);
	if (err)
		return err;
	memset(&run, 0, sizeof(run));
	err = bpfh_exec_run(exec, &run, r0);
	bpfh_exec_destroy(exec);
	return err;
}

#if defined(__linux__) && defined(__x86_64__)
/* Fail mprotect and mmap whose protection asks for execution, with EACCES; allow the rest. */
static int deny_exec_memory(void)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_mprotect, 1, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_mmap, 0, 3),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[2])),
		BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, PROT_EXEC, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EACCES),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { (unsigned short)(sizeof(f) / sizeof(f[0])), f };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -errno;
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0))
		return -errno;
	return 0;
}

/* In the child, under the filter: exit status 0 when every check holds, 1 when one failed,
 * 2 when the filter could not be installed. */
static int denied_child(void)
{
	char logbuf[512];
	uint64_t r0 = 0;
	int err;

	if (deny_exec_memory())
		return 2;
	CHECKF(bpfh_engine_default() == BPFH_ENGINE_INTERP, "default engine %s",
	       bpfh_engine_name(bpfh_engine_default()));
	err = run_seven(BPFH_ENGINE_JIT, &r0, logbuf, sizeof(logbuf));
	CHECKF(err == -ENOTSUP &&
	       strstr(logbuf, "jit: not available on this host: the host does not let this "
			      "process make memory executable"), "err %d: %s", err, logbuf);
	err = run_seven(bpfh_engine_default(), &r0, logbuf, sizeof(logbuf));
	CHECKF(err == 0 && r0 == 7, "err %d, r0 %llu: %s", err, (unsigned long long)r0, logbuf);
	fflush(stdout);
	return check_counts()->failed ? 1 : 0;
}
#endif

int main(void)
{
	char logbuf[512];
	uint64_t r0 = 0;
	int err;

#if defined(__linux__) && defined(__x86_64__)
	/* First, before this process asks the library anything (it asks the host once). */
	{
		int status = 0;
		pid_t pid;

		fflush(stdout);
		pid = fork();
		if (pid == 0)
			_exit(denied_child());
		if (CHECK(pid > 0) && CHECK(waitpid(pid, &status, 0) == pid)) {
			if (WIFEXITED(status) && WEXITSTATUS(status) == 2)
				printf("# jit-denied: no seccomp filter here, skipped\n");
			else
				CHECKF(WIFEXITED(status) && WEXITSTATUS(status) == 0,
				       "the child under the filter: status 0x%x", status);
		}
	}
#else
	printf("# jit-denied: needs Linux x86-64's seccomp, skipped\n");
#endif
	/* Here the host allows it: the default engine (the JIT where this machine has one). */
	err = run_seven(bpfh_engine_default(), &r0, logbuf, sizeof(logbuf));
	CHECKF(err == 0 && r0 == 7, "err %d, r0 %llu: %s", err, (unsigned long long)r0, logbuf);
#if defined(__x86_64__)
	CHECKF(bpfh_engine_default() == BPFH_ENGINE_JIT, "default engine %s",
	       bpfh_engine_name(bpfh_engine_default()));
#endif
	return check_summary("jit-denied");
}
