#!/bin/sh
# SPDX-License-Identifier: MIT
# The Windows phase of tests/run-all.sh: builds bpfhost with MinGW-w64 (make windows) and runs the
# .exe files under Wine: the conformance suite on both interpreters and the JIT in one Wine
# process, its negative files in another, the unit tests built for Windows, then the CLI's
# plugin mode with programs on stdin: raw bytes that include CR, LF and Ctrl-Z (intact only if
# stdin is in binary mode), and hex text ending in CRLF as a Windows runner would write it.
# Prints the usual "NAME: N passed, N failed" lines, SUITE-ERROR lines, and notes starting with
# "#" (the time the Wine phase took). Skips itself where MinGW-w64 or Wine is missing.
#
# Wine runs headless (no DISPLAY), quiet (WINEDEBUG=-all) and in a prefix of its own
# (BPFH_WINEPREFIX, by default per user under /tmp), created on first use; what Wine says on
# stderr goes to a file, shown only when a run fails. Unix paths are passed as they are: Wine
# maps / to drive Z:, which is also the drive of the working directory.
case $0 in
*/*) cd "${0%/*}/.." || exit 1 ;;
*) cd .. || exit 1 ;;
esac
BUILD=${BUILD:-build}
WIN_BUILD=${WIN_BUILD:-$BUILD/win}
WIN_CC=${WIN_CC:-x86_64-w64-mingw32-gcc}
CONFORMANCE=${CONFORMANCE:-../shared/conformance}

for tool in "$WIN_CC" wine; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "windows: skipped ($tool not found)"
		exit 0
	fi
done

echo "== [windows] make windows"
if ! make -s WIN_BUILD="$WIN_BUILD" windows >/dev/null; then
	echo "SUITE-ERROR windows build"
	exit 1
fi

WINEPREFIX=${BPFH_WINEPREFIX:-${TMPDIR:-/tmp}/bpfhost-wine-$(id -u)}
WINEDEBUG=-all
WINEDLLOVERRIDES='mscoree=;mshtml=' # a new prefix needs neither Mono nor Gecko
export WINEPREFIX WINEDEBUG WINEDLLOVERRIDES
unset DISPLAY WAYLAND_DISPLAY

# Milliseconds since the epoch where date knows %N (GNU), else whole seconds.
now_ms() {
	t=$(date +%s%N 2>/dev/null)
	case $t in
	*[!0-9]* | '') echo $(($(date +%s) * 1000)) ;;
	*) echo $((t / 1000000)) ;;
	esac
}

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
status=0
note=
[ -d "$WINEPREFIX" ] || note=", including the creation of the Wine prefix $WINEPREFIX"
start=$(now_ms)

# One Wine process; its output is shown once it ends. A run that exits non-zero or prints
# fewer summary lines than expected is a SUITE-ERROR, with Wine's messages.
winrun() { # name summaries exe args...
	name=$1
	want=$2
	exe=$3
	shift 3
	echo "== [windows] $(basename "$exe") $*"
	wine "$exe" "$@" </dev/null >"$tmp/raw" 2>"$tmp/err"
	rc=$?
	tr -d '\r' <"$tmp/raw" >"$tmp/out" # its stdout is text: CRLF on Windows
	cat "$tmp/out"
	got=$(grep -cE '^[a-z -]+: [0-9]+ passed, [0-9]+ failed$' "$tmp/out")
	if [ "$rc" -ne 0 ] || [ "$got" -ne "$want" ]; then
		echo "SUITE-ERROR windows $name (exit $rc)"
		sed 's/^/# wine: /' "$tmp/err"
		status=1
	fi
}

conform() { # name summaries args...
	name=$1
	want=$2
	shift 2
	winrun "$name" "$want" "$WIN_BUILD/bpfh-conform.exe" "$@"
}

if [ -d "$CONFORMANCE/tests" ]; then
	conform conformance 3 --engine interp --engine interp-checked --engine jit \
		"$CONFORMANCE/tests"
	conform conformance-negative 3 --negative --engine interp --engine interp-checked \
		--engine jit "$CONFORMANCE/negative"
else
	echo "windows conformance: skipped ($CONFORMANCE/tests not found)"
fi

# Unit tests built for Windows: instances, hooks, helpers and maps on Windows' platform code
# (pages below 4 GiB, clocks, process identity), and the JIT with the Windows x64 convention
# (its entries, helper calls, tail calls and callbacks; the differential test against the
# interpreters for its default 5 seconds).
for t in "$WIN_BUILD"/test-*.exe; do
	[ -f "$t" ] && winrun "$(basename "$t" .exe)" 1 "$t"
done

# bpfhost.exe plugin: printf's octal escapes give the program bytes; the expected output is r0
# in hex and "\n" alone (stdout in binary mode too).
cli_pass=0
cli_fail=0
cli() { # expected-r0 program-bytes plugin-args...
	want=$1
	prog=$2
	shift 2
	printf "$prog" | wine "$WIN_BUILD/bpfhost.exe" plugin "$@" >"$tmp/cli" 2>"$tmp/err"
	if printf '%s\n' "$want" | cmp -s - "$tmp/cli"; then
		cli_pass=$((cli_pass + 1))
	else
		cli_fail=$((cli_fail + 1))
		echo "FAIL windows-cli plugin $*: expected $want, got:"
		od -c "$tmp/cli" | sed 's/^/      /'
		sed 's/^/# wine: /' "$tmp/err"
	fi
}

exit_insn='\225\000\000\000\000\000\000\000'
# mov r0, 0x1a0a0d: its imm holds CR, LF and Ctrl-Z.
cli 1a0a0d "\267\000\000\000\015\012\032\000$exit_insn" --engine interp
# ldxw r0, [r1]: r1 points at a copy of the hex argument.
cli 2b1a0a0d "\141\020\000\000\000\000\000\000$exit_insn" --engine interp-checked 0d0a1a2b
# lddw r0, 0x800000000000000d: all 64 bits printed.
cli 800000000000000d \
	"\030\000\000\000\015\000\000\000\000\000\000\000\000\000\000\200$exit_insn"
# The program as hex text, as bpf_conformance's runner sends it, here with a CRLF line end.
cli 2a 'b7 00 00 00 2a 00 00 00 95 00 00 00 00 00 00 00\r\n' --engine interp-checked
echo "windows-cli: $cli_pass passed, $cli_fail failed"
[ "$cli_fail" -eq 0 ] || status=1

ms=$(($(now_ms) - start))
echo "# windows: the Wine phase took $((ms / 1000)).$(printf %03d $((ms % 1000))) s$note"
exit $status
