#!/bin/sh
# SPDX-License-Identifier: MIT
# Builds the libFuzzer targets and runs each for a bounded time (FUZZ_SECONDS, default 20) from
# seeds made of the conformance programs and bpfhost's own instruction tests (fuzz_interp and
# fuzz_jit: 64 bytes of memory, then the program; fuzz_verify: two bytes choosing the program
# type and options, then the program), and for fuzz_obj the BPF objects built from
# tests/data/obj. Prints
# "fuzz: N passed, N failed" (a target fails when it finds a crash; the input is kept in
# $BUILD/fuzz/artifacts/). Skips where clang's libFuzzer is missing.
BUILD=${BUILD:-build}
CONFORMANCE=${CONFORMANCE:-../shared/conformance}
SECONDS_EACH=${FUZZ_SECONDS:-20}
if ! command -v clang >/dev/null 2>&1; then
	echo "fuzz: skipped (no clang)"
	exit 0
fi
FUZZ=$BUILD/fuzz
mkdir -p "$FUZZ" || exit 1
if ! make -s BUILD="$BUILD" fuzz >"$FUZZ/build.log" 2>&1; then
	if grep -q 'fuzzer' "$FUZZ/build.log" && grep -qi 'cannot find\|not found' "$FUZZ/build.log"; then
		echo "fuzz: skipped (libFuzzer runtime missing)"
		exit 0
	fi
	cat "$FUZZ/build.log"
	echo "SUITE-ERROR fuzz build"
	exit 1
fi

# Seeds: each test file's program as assembly text and as bytes.
seeds=$FUZZ/seeds
rm -rf "$seeds"
mkdir -p "$seeds/asm" "$seeds/bin" "$seeds/interp" "$seeds/verify" "$FUZZ/artifacts"
for f in "$CONFORMANCE"/tests/*.data tests/data/isa/*.data; do
	[ -f "$f" ] || continue
	b=$(basename "$f" .data)
	awk '/^-- /{s=$2; next} s=="asm"' "$f" >"$seeds/asm/$b"
	if "$BUILD/bpfhost" asm "$seeds/asm/$b" -o "$seeds/bin/$b" 2>/dev/null; then
		{ head -c 64 /dev/zero; cat "$seeds/bin/$b"; } >"$seeds/interp/$b"
		# fuzz_verify: type byte 0x40 (memory, 64 bytes), options byte 0
		{ printf '\100\000'; cat "$seeds/bin/$b"; } >"$seeds/verify/$b"
	fi
done

# fuzz_verify's seeds also hold every verifier case's program (tests/data/verify), one each.
mkdir -p "$seeds/vcase"
for f in tests/data/verify/*.data; do
	[ -f "$f" ] || continue
	awk -v out="$seeds/vcase/$(basename "$f" .data)" '/^== /{n++; s=""; next}
		/^-- /{s=$2; next} s=="asm"{print > (out "-" n ".s")}' "$f"
done
for s in "$seeds"/vcase/*.s; do
	[ -f "$s" ] || continue
	if "$BUILD/bpfhost" asm "$s" -o "${s%.s}.bin" 2>/dev/null; then
		{ printf '\100\000'; cat "${s%.s}.bin"; } >"$seeds/verify/vcase-$(basename "${s%.s}")"
	fi
done

# The object loader's seeds: the objects built from tests/data/obj and examples/ (make all
# builds them).
mkdir -p "$seeds/obj"
for f in "$BUILD"/obj-tests/*.bpf.o "$BUILD"/examples/*.bpf.o; do
	[ -f "$f" ] || continue
	cp "$f" "$seeds/obj/"
	# and its .BTF alone, for the target's BTF mode (where llvm-objcopy exists)
	llvm-objcopy --dump-section .BTF="$seeds/obj/$(basename "$f" .o).btf" "$f" /dev/null \
		2>/dev/null || rm -f "$seeds/obj/$(basename "$f" .o).btf"
done

passed=0
failed=0
for t in fuzz_asm:asm fuzz_decode:bin fuzz_interp:interp fuzz_jit:interp fuzz_obj:obj \
	fuzz_verify:verify; do
	name=${t%%:*}
	corpus=$FUZZ/corpus-$name
	mkdir -p "$corpus"
	if "$FUZZ/$name" -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 \
		-artifact_prefix="$FUZZ/artifacts/$name-" "$corpus" "$seeds/${t#*:}" \
		>"$FUZZ/$name.log" 2>&1; then
		passed=$((passed + 1))
		echo "ok   $name: $(grep -o 'Done [0-9]* runs' "$FUZZ/$name.log" | tail -1)"
	else
		failed=$((failed + 1))
		echo "FAIL $name: see $FUZZ/$name.log"
		tail -30 "$FUZZ/$name.log"
	fi
done
echo "fuzz: $passed passed, $failed failed"
