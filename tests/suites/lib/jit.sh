# SPDX-License-Identifier: MIT
# Sourced by the suites (run-all.sh runs only tests/suites/*.sh): jit_available succeeds when
# $BUILD/bpfh-conform can run a program on the JIT, that is when this host has one (x86-64 with
# the System V calling convention today); elsewhere the JIT refuses to prepare with -ENOTSUP.
jit_available() {
	_probe=$(mktemp -d) || return 1
	printf -- '-- asm\nmov %%r0, 1\nexit\n-- result\n0x1\n' >"$_probe/probe.data"
	"$BUILD/bpfh-conform" --engine jit "$_probe/probe.data" >/dev/null 2>&1
	_rc=$?
	rm -rf "$_probe"
	return $_rc
}
