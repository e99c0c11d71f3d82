// SPDX-License-Identifier: MIT
/*
 * CO-RE relocations resolved against bpfhost's context BTF (bpfh_context_btf()) and against
 * target BTF built here with the BTF writer, on the objects of tests/data/obj/core_*.bpf.c:
 *  - core_uapi: programs built against <linux/bpf.h> keep every offset clang computed (the
 *    published layouts are Linux's), type ids point into the target;
 *  - core_local: reordered and partial local definitions, flavors, a pointer where Linux has an
 *    anonymous union, a narrower field whose load is widened, a subprogram shared by two
 *    programs, existence checks of what the target lacks, enum values and type sizes; then test
 *    runs of its XDP programs on both interpreters, which read the right fields;
 *  - core_bits: bitfields moved in a target built here, read by BPF_CORE_READ_BITFIELD in a
 *    memory program that is run;
 *  - TYPE_MATCHES (which clang 14 cannot emit: records rewritten from TYPE_EXISTS);
 *  - refusals, each with its whole message: a missing field, enumerator or type, a type clash,
 *    a load that cannot be resized, ambiguous candidates, malformed records, instructions that
 *    do not hold the local value or are not of a relocatable form.
 * Skips itself when the objects were not built (no clang).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfhost/contexts.h"
#include "bpfhost/helpers.h"
#include "bpfhost/obj.h"
#include "bpfhost/prog.h"
#include "../check.h"
#include "objtest.h"

static char logbuf[8192];

#define NO_VALUE INT64_MIN

static struct bpfh_object *open_with(const char *file, const struct bpfh_btf *target,
				     uint32_t prog_type)
{
	struct bpfh_object_opts opts = { .sz = sizeof(opts) };
	struct bpfh_object *obj = NULL;
	struct test_file f;
	int err;

	opts.target_btf = target;
	opts.prog_type = prog_type;
	if (test_file_load(file, &f)) {
		CHECKF(0, "%s: not built", file);
		return NULL;
	}
	err = t_open(f.data, f.size, file, &opts, logbuf, sizeof(logbuf), &obj);
	CHECKF(err == 0 && obj, "%s: %d: %s", file, err, logbuf);
	test_file_free(&f);
	return obj;
}

/* Open bytes that must be refused with -EINVAL and exactly one log line, which is returned in
 * logbuf (without its newline). */
static int refused(const uint8_t *data, size_t size, const char *name,
		   const struct bpfh_btf *target)
{
	struct bpfh_object_opts opts = { .sz = sizeof(opts) };
	struct bpfh_object *obj = NULL;
	char *nl;
	int err;

	opts.target_btf = target;
	err = t_open(data, size, name, &opts, logbuf, sizeof(logbuf), &obj);
	CHECKF(err == -EINVAL && !obj, "%s: %d", name, err);
	bpfh_object_destroy(obj);
	nl = strchr(logbuf, '\n');
	CHECKF(nl && nl[1] == '\0', "%s: one line: %s", name, logbuf);
	if (nl)
		*nl = '\0';
	return err;
}

static int refused_file(const char *file, const struct bpfh_btf *target)
{
	struct test_file f;
	int err;

	if (test_file_load(file, &f)) {
		CHECKF(0, "%s: not built", file);
		return 0;
	}
	err = refused(f.data, f.size, file, target);
	test_file_free(&f);
	return err;
}

/* The value a relocation writes: an ALU immediate, a load or store offset, an lddw's 64 bits. */
static int64_t insn_value(const struct bpfh_obj_prog *p, uint32_t i)
{
	const struct bpfh_insn *in = &p->insns[i];

	switch (in->code & 7) {
	case 0:
		return (int64_t)((uint64_t)(uint32_t)in->imm | (uint64_t)(uint32_t)in[1].imm << 32);
	case 1:
	case 2:
	case 3:
		return in->off;
	default:
		return in->imm;
	}
}

/* The value patched by program prog's relocation of kind on the local type called type with
 * access string access; NO_VALUE when there is none, and a failed check when two copies of it
 * (a subprogram's) disagree. *insn (may be NULL) receives its instruction. */
static int64_t relo_value(const struct bpfh_object *obj, const char *prog, const char *type,
			  const char *access, uint32_t kind, uint32_t *insn)
{
	const struct bpfh_obj_prog *p = bpfh_object_find_prog(obj, prog);
	int64_t v = NO_VALUE, w;
	size_t i;

	if (!CHECKF(p, "no program %s", prog))
		return NO_VALUE;
	for (i = 0; i < p->ncore_relos; i++) {
		const struct bpfh_obj_core_relo *r = &p->core_relos[i];
		const struct bpfh_btf_type *t = bpfh_btf_type_by_id(obj->btf, r->type_id);

		if (r->kind != kind || strcmp(t->name, type) || strcmp(r->access, access))
			continue;
		w = insn_value(p, r->insn);
		CHECKF(v == NO_VALUE || v == w, "%s: %s %s kind %u: copies give %lld and %lld", prog,
		       type, access, kind, (long long)v, (long long)w);
		v = w;
		if (insn)
			*insn = r->insn;
	}
	return v;
}

#define EXPECT(obj, prog, type, access, kind, want)                                          \
	do {                                                                                 \
		int64_t got_ = relo_value(obj, prog, type, access, BPFH_CORE_##kind, NULL);   \
		CHECKF(got_ == (int64_t)(want), "%s: %s (%s) " #kind ": got %lld, want %lld", \
		       prog, type, access, (long long)got_, (long long)(want));              \
	} while (0)

/* Programs built against Linux's own headers: the context BTF gives every offset clang did. */
static void test_uapi(void)
{
	const struct bpfh_btf *ctx = bpfh_context_btf();
	struct bpfh_object *local = open_with("core_uapi.bpf.o", NULL, 0);
	struct bpfh_object *obj = open_with("core_uapi.bpf.o", ctx, 0);
	size_t i, k, n = 0;

	if (!local || !obj)
		goto out;
	CHECK(obj->nprogs == 3 && local->nprogs == 3);
	for (i = 0; i < obj->nprogs && i < local->nprogs; i++) {
		const struct bpfh_obj_prog *p = &obj->progs[i], *l = &local->progs[i];

		CHECK(p->count == l->count && p->ncore_relos == l->ncore_relos);
		n += p->ncore_relos;
		for (k = 0; k < p->count && k < l->count; k++) {
			int target_id = 0;
			size_t r;

			for (r = 0; r < p->ncore_relos; r++)
				if (p->core_relos[r].insn == k &&
				    p->core_relos[r].kind == BPFH_CORE_TYPE_ID_TARGET)
					target_id = 1;
			if (!target_id)
				CHECKF(!memcmp(&p->insns[k], &l->insns[k], sizeof(p->insns[k])),
				       "%s: insn %zu changed", p->name, k);
		}
	}
	CHECKF(n >= 25, "%zu relocations", n);
	EXPECT(obj, "xdp_uapi", "xdp_md", "0:3", FIELD_BYTE_OFFSET, 12);
	EXPECT(obj, "xdp_uapi", "xdp_md", "0:4", FIELD_BYTE_OFFSET, 16);
	EXPECT(obj, "xdp_uapi", "xdp_md", "0:5", FIELD_EXISTS, 1);
	EXPECT(obj, "xdp_uapi", "xdp_md", "0", TYPE_SIZE, 24);
	EXPECT(obj, "xdp_uapi", "xdp_action", "2", ENUMVAL_VALUE, 2);
	EXPECT(obj, "skb_uapi", "__sk_buff", "0:12:2", FIELD_BYTE_OFFSET, 56);
	EXPECT(obj, "skb_uapi", "__sk_buff", "0:32", FIELD_BYTE_OFFSET, 180);
	EXPECT(obj, "skb_uapi", "__sk_buff", "0:30:0", FIELD_BYTE_OFFSET, 168);
	EXPECT(obj, "skb_uapi", "__sk_buff", "0:26:0", FIELD_BYTE_OFFSET, 144);
	EXPECT(obj, "skb_uapi", "__sk_buff", "0:33", FIELD_BYTE_OFFSET, 184);
	EXPECT(obj, "skb_uapi", "__sk_buff", "0:12", FIELD_BYTE_SIZE, 20);
	EXPECT(obj, "skb_uapi", "__sk_buff", "0", TYPE_SIZE, 192);
	EXPECT(obj, "skb_uapi", "bpf_sock", "0:9", FIELD_BYTE_OFFSET, 48);
	EXPECT(obj, "skb_uapi", "bpf_sock", "0:13", FIELD_BYTE_OFFSET, 76);
	EXPECT(obj, "sa_uapi", "bpf_sock_addr", "0:8:1", FIELD_BYTE_OFFSET, 48);
	EXPECT(obj, "sa_uapi", "bpf_sock_addr", "0:9:0", FIELD_BYTE_OFFSET, 64);
	EXPECT(obj, "sa_uapi", "bpf_sock_addr", "0", TYPE_ID_TARGET,
	       bpfh_btf_find(ctx, "bpf_sock_addr", BPFH_BTF_KIND_STRUCT));
	EXPECT(obj, "sa_uapi", "bpf_sock", "0", TYPE_ID_LOCAL,
	       bpfh_btf_find(obj->btf, "bpf_sock", BPFH_BTF_KIND_STRUCT));
	EXPECT(obj, "sa_uapi", "bpf_sock", "0:1", FIELD_BYTE_OFFSET, 4);
out:
	bpfh_object_destroy(local);
	bpfh_object_destroy(obj);
}

static void check_local_offsets(const struct bpfh_object *obj)
{
	uint32_t insn = 0;

	/* xdp_md reordered and partial; its subprogram packet_len copied into both programs */
	EXPECT(obj, "xdp_local", "xdp_md", "0:0", FIELD_BYTE_OFFSET, 12);
	EXPECT(obj, "xdp_local", "xdp_md", "0:1", FIELD_BYTE_OFFSET, 4);
	EXPECT(obj, "xdp_local", "xdp_md", "0:2", FIELD_BYTE_OFFSET, 0);
	EXPECT(obj, "xdp_local2", "xdp_md", "0:1", FIELD_BYTE_OFFSET, 4);
	EXPECT(obj, "xdp_local2", "xdp_md", "0:2", FIELD_BYTE_OFFSET, 0);
	/* a flavor, with a field the target lacks */
	EXPECT(obj, "xdp_local", "xdp_md___v2", "0:0", FIELD_BYTE_OFFSET, 16);
	EXPECT(obj, "xdp_local", "xdp_md___v2", "0:2", FIELD_EXISTS, 0);
	EXPECT(obj, "xdp_local", "xdp_md___v2", "0:1", FIELD_EXISTS, 1);
	/* enums (a flavor with flavored enumerators), types */
	EXPECT(obj, "xdp_local2", "xdp_action___local", "0", ENUMVAL_VALUE, 2);
	EXPECT(obj, "xdp_local2", "xdp_action___local", "1", ENUMVAL_VALUE, 3);
	EXPECT(obj, "xdp_local2", "xdp_action___local", "2", ENUMVAL_EXISTS, 0);
	EXPECT(obj, "xdp_local2", "xdp_action___local", "0", ENUMVAL_EXISTS, 1);
	EXPECT(obj, "xdp_local2", "xdp_md___v2", "0", TYPE_EXISTS, 1);
	EXPECT(obj, "xdp_local2", "xdp_md___sub", "0", TYPE_EXISTS, 1);
	EXPECT(obj, "xdp_local2", "no_such_struct", "0", TYPE_EXISTS, 0);
	EXPECT(obj, "xdp_local2", "xdp_md", "0", TYPE_SIZE, 24);
	EXPECT(obj, "xdp_local2", "no_such_struct", "0", TYPE_SIZE, 0);
	/* __sk_buff: arrays, a pointer in Linux's anonymous union, a widened load */
	EXPECT(obj, "skb_local", "__sk_buff", "0:0", FIELD_BYTE_OFFSET, 8);
	EXPECT(obj, "skb_local", "__sk_buff", "0:1:2", FIELD_BYTE_OFFSET, 56);
	EXPECT(obj, "skb_local", "__sk_buff", "0:2", FIELD_BYTE_OFFSET, 0);
	EXPECT(obj, "skb_local", "__sk_buff", "0:3:3", FIELD_BYTE_OFFSET, 112);
	EXPECT(obj, "skb_local", "__sk_buff", "0:4", FIELD_BYTE_OFFSET, 168);
	EXPECT(obj, "skb_local", "__sk_buff", "0:5", FIELD_BYTE_OFFSET, 184);
	EXPECT(obj, "skb_local", "__sk_buff", "0:6", FIELD_BYTE_OFFSET, 36);
	EXPECT(obj, "skb_local", "__sk_buff", "0:7", FIELD_BYTE_OFFSET, 180);
	EXPECT(obj, "skb_local", "__sk_buff", "0:6", FIELD_BYTE_SIZE, 4);
	EXPECT(obj, "skb_local", "__sk_buff", "0:3", FIELD_BYTE_SIZE, 16);
	EXPECT(obj, "skb_local", "__sk_buff", "0:0", FIELD_SIGNED, 0);
	EXPECT(obj, "skb_local", "__sk_buff", "0:7", FIELD_LSHIFT_U64, 56);
	EXPECT(obj, "skb_local", "__sk_buff", "0:7", FIELD_RSHIFT_U64, 56);
	EXPECT(obj, "skb_local", "__sk_buff", "0:2", FIELD_LSHIFT_U64, 32);
	EXPECT(obj, "skb_local", "bpf_sock", "0:1", FIELD_BYTE_OFFSET, 4);
	EXPECT(obj, "skb_local", "bpf_sock", "0:2", FIELD_SIGNED, 1);
	/* the 16-bit local ingress_ifindex is 32 bits in the target: the load follows */
	if (relo_value(obj, "skb_local", "__sk_buff", "0:6", BPFH_CORE_FIELD_BYTE_OFFSET,
		       &insn) != NO_VALUE)
		CHECK(bpfh_object_find_prog(obj, "skb_local")->insns[insn].code == 0x61);
}

static void run_xdp(struct bpfh_instance *inst, const char *prog, uint32_t want)
{
	struct bpfh_xdp_md md = { 0 };
	struct bpfh_test_run_opts o;
	struct bpfh_log log;
	uint8_t pkt[60] = { 0 };

	memset(&o, 0, sizeof(o));
	o.sz = sizeof(o);
	md.data_end = sizeof(pkt);
	md.ingress_ifindex = 3;
	md.rx_queue_index = 2;
	o.data_in = pkt;
	o.data_size_in = sizeof(pkt);
	o.ctx_in = &md;
	o.ctx_size_in = sizeof(md);
	bpfh_log_init(&log, logbuf, sizeof(logbuf));
	o.log = &log;
	o.insn_limit = 100000;
	if (!CHECKF(bpfh_prog_test_run(bpfh_instance_prog(inst, prog), &o) == 0, "%s: %s", prog,
		    logbuf))
		return;
	CHECKF(o.retval == want, "%s: retval %u, want %u", prog, o.retval, want);
}

static void test_local(void)
{
	static const enum bpfh_engine engines[] = { BPFH_ENGINE_INTERP,
						    BPFH_ENGINE_INTERP_CHECKED };
	struct bpfh_object *obj = open_with("core_local.bpf.o", bpfh_context_btf(), 0);
	struct bpfh_object *raw = open_with("core_local.bpf.o", NULL, 0);
	struct bpfh_instance *inst;
	struct bpfh_log log;
	size_t e;

	if (!obj || !raw)
		goto out;
	check_local_offsets(obj);
	/* Without a target the records are kept and clang's local offsets stay. */
	CHECK(bpfh_object_find_prog(raw, "xdp_local")->ncore_relos ==
	      bpfh_object_find_prog(obj, "xdp_local")->ncore_relos);
	CHECK(relo_value(raw, "xdp_local", "xdp_md", "0:0", BPFH_CORE_FIELD_BYTE_OFFSET, NULL) == 0);
	for (e = 0; e < sizeof(engines) / sizeof(engines[0]); e++) {
		struct bpfh_load_opts lo = { .sz = sizeof(lo), .engine = engines[e] };

		bpfh_log_init(&log, logbuf, sizeof(logbuf));
		if (!CHECKF(bpfh_instance_create(obj, &lo, &log, &inst) == 0, "%s", logbuf))
			continue;
		/* 60 bytes + ingress_ifindex 3 * 100 + rx_queue_index 2 * 10000 + data_meta
		 * exists 2000000 */
		run_xdp(inst, "xdp_local", 60 + 300 + 20000 + 2000000);
		/* 60 + XDP_PASS 2 * 10 + XDP_TX 3 * 100 + 2000 (XDP_PASS exists) + 10000 + 20000
		 * (two types exist) + sizeof(struct xdp_md) 24 * 100000 */
		run_xdp(inst, "xdp_local2", 60 + 20 + 300 + 2000 + 30000 + 2400000);
		bpfh_instance_destroy(inst);
	}
out:
	bpfh_object_destroy(obj);
	bpfh_object_destroy(raw);
}

/* A target where struct bits is laid out differently from the program's:
 *   unsigned int x; unsigned short e; unsigned b:9 (bit 48); int c:5 (bit 57);
 *   unsigned a:3 (bit 64); unsigned long long d:40 (bit 80); 24 bytes. */
static struct bpfh_btf *bits_target(void)
{
	struct bpfh_btf_builder *b = bpfh_btf_builder_create();
	struct bpfh_btf *btf = NULL;
	struct bpfh_log log;
	int u32, s32, u16, u64;

	if (!b)
		return NULL;
	u32 = bpfh_btf_add_int(b, "unsigned int", 4, 0);
	s32 = bpfh_btf_add_int(b, "int", 4, BPFH_BTF_INT_SIGNED);
	u16 = bpfh_btf_add_int(b, "unsigned short", 2, 0);
	u64 = bpfh_btf_add_int(b, "unsigned long long", 8, 0);
	bpfh_btf_add_struct(b, "bits", 24);
	bpfh_btf_add_member(b, "x", (uint32_t)u32, 0, 0);
	bpfh_btf_add_member(b, "e", (uint32_t)u16, 32, 0);
	bpfh_btf_add_member(b, "b", (uint32_t)u32, 48, 9);
	bpfh_btf_add_member(b, "c", (uint32_t)s32, 57, 5);
	bpfh_btf_add_member(b, "a", (uint32_t)u32, 64, 3);
	bpfh_btf_add_member(b, "d", (uint32_t)u64, 80, 40);
	bpfh_log_init(&log, logbuf, sizeof(logbuf));
	CHECKF(bpfh_btf_builder_build(b, "bits", &log, &btf) == 0, "%s", logbuf);
	bpfh_btf_builder_destroy(b);
	return btf;
}

static void set_bits(uint8_t *p, unsigned bit, unsigned n, uint64_t v)
{
	unsigned i;

	for (i = 0; i < n; i++, bit++)
		if (v >> i & 1)
			p[bit / 8] |= (uint8_t)(1u << (bit % 8));
}

static void test_bits(void)
{
	struct bpfh_btf *target = bits_target();
	struct bpfh_object *obj = NULL;
	struct bpfh_instance *inst = NULL;
	struct bpfh_load_opts lo = { .sz = sizeof(lo), .engine = BPFH_ENGINE_INTERP_CHECKED };
	struct bpfh_test_run_opts o;
	struct bpfh_log log;
	uint8_t mem[104] = { 0 }, out[104];
	uint64_t v[5];

	if (!CHECK(target))
		return;
	obj = open_with("core_bits.bpf.o", target, BPFH_PROG_TYPE_MEMORY);
	if (!obj)
		goto out;
	EXPECT(obj, "read_bits", "bits", "0:0", FIELD_BYTE_OFFSET, 8);
	EXPECT(obj, "read_bits", "bits", "0:0", FIELD_BYTE_SIZE, 4);
	EXPECT(obj, "read_bits", "bits", "0:0", FIELD_LSHIFT_U64, 61);
	EXPECT(obj, "read_bits", "bits", "0:0", FIELD_RSHIFT_U64, 61);
	EXPECT(obj, "read_bits", "bits", "0:1", FIELD_BYTE_OFFSET, 4);
	EXPECT(obj, "read_bits", "bits", "0:1", FIELD_LSHIFT_U64, 39);
	EXPECT(obj, "read_bits", "bits", "0:1", FIELD_RSHIFT_U64, 55);
	EXPECT(obj, "read_bits", "bits", "0:2", FIELD_BYTE_OFFSET, 4);
	EXPECT(obj, "read_bits", "bits", "0:2", FIELD_LSHIFT_U64, 34);
	EXPECT(obj, "read_bits", "bits", "0:2", FIELD_RSHIFT_U64, 59);
	EXPECT(obj, "read_bits", "bits", "0:2", FIELD_SIGNED, 1);
	EXPECT(obj, "read_bits", "bits", "0:1", FIELD_SIGNED, 0);
	EXPECT(obj, "read_bits", "bits", "0:3", FIELD_BYTE_OFFSET, 8);
	EXPECT(obj, "read_bits", "bits", "0:3", FIELD_BYTE_SIZE, 8);
	EXPECT(obj, "read_bits", "bits", "0:3", FIELD_LSHIFT_U64, 8);
	EXPECT(obj, "read_bits", "bits", "0:3", FIELD_RSHIFT_U64, 24);
	EXPECT(obj, "read_bits", "bits", "0:4", FIELD_BYTE_OFFSET, 4);
	/* memory laid out as the target says, and the program's reading of it */
	mem[0] = 0xef;
	mem[4] = 0x34;
	mem[5] = 0x12;
	set_bits(mem, 48, 9, 0x1a5);
	set_bits(mem, 57, 5, (uint64_t)-5);
	set_bits(mem, 64, 3, 5);
	set_bits(mem, 80, 40, 0x123456789aull);
	bpfh_log_init(&log, logbuf, sizeof(logbuf));
	if (!CHECKF(bpfh_instance_create(obj, &lo, &log, &inst) == 0, "%s", logbuf))
		goto out;
	memset(&o, 0, sizeof(o));
	o.sz = sizeof(o);
	o.data_in = mem;
	o.data_size_in = sizeof(mem);
	o.data_out = out;
	o.data_size_out = sizeof(out);
	o.log = &log;
	o.insn_limit = 100000;
	if (CHECKF(bpfh_prog_test_run(bpfh_instance_prog(inst, "read_bits"), &o) == 0, "%s",
		   logbuf)) {
		memcpy(v, out + 64, sizeof(v));
		CHECKF(v[0] == 5 && v[1] == 0x1a5 && v[2] == (uint64_t)-5 &&
		       v[3] == 0x123456789aull && v[4] == 0x1234,
		       "a %llu b %llx c %lld d %llx e %llx", (unsigned long long)v[0],
		       (unsigned long long)v[1], (long long)v[2], (unsigned long long)v[3],
		       (unsigned long long)v[4]);
	}
out:
	bpfh_instance_destroy(inst);
	bpfh_object_destroy(obj);
	bpfh_btf_destroy(target);
}

/* ---- records rewritten in the file's bytes ---- */

/* Calls fn on every CO-RE record of f's .BTF.ext (the record's bytes, the BTF strings). */
static void each_record(struct test_file *f, void (*fn)(uint8_t *rec, const char *strs, void *),
			void *arg)
{
	unsigned ext = t_find_sec(f, ".BTF.ext"), btf = t_find_sec(f, ".BTF");
	uint8_t *e = f->data + t_sec_off(f, ext), *b = f->data + t_sec_off(f, btf);
	uint32_t hdr = t_rd32(e + 4), off, len, rec_size, n, i;
	const char *strs = (const char *)b + t_rd32(b + 4) + t_rd32(b + 16);
	uint8_t *p, *end;

	if (!CHECK(ext && btf && hdr >= 32))
		return;
	off = t_rd32(e + 24);
	len = t_rd32(e + 28);
	p = e + hdr + off;
	end = p + len;
	rec_size = t_rd32(p);
	for (p += 4; p < end; p += 8 + (size_t)n * rec_size) {
		n = t_rd32(p + 4);
		for (i = 0; i < n; i++)
			fn(p + 8 + (size_t)i * rec_size, strs, arg);
	}
}

struct to_matches {
	struct test_file *f;
	int n;
};

static void exists_to_matches(uint8_t *rec, const char *strs, void *arg)
{
	struct to_matches *m = arg;

	(void)strs;
	if (t_rd32(rec + 12) == BPFH_CORE_TYPE_EXISTS) {
		t_wr32(rec + 12, BPFH_CORE_TYPE_MATCHES);
		m->n++;
	}
}

static void test_matches(void)
{
	struct bpfh_object_opts opts = { .sz = sizeof(opts) };
	struct bpfh_object *obj = NULL;
	struct to_matches m = { 0 };
	struct test_file f;
	int err;

	if (!CHECK(test_file_load("core_local.bpf.o", &f) == 0))
		return;
	m.f = &f;
	each_record(&f, exists_to_matches, &m);
	CHECK(m.n == 3);
	opts.target_btf = bpfh_context_btf();
	err = t_open(f.data, f.size, "matches.o", &opts, logbuf, sizeof(logbuf), &obj);
	if (CHECKF(err == 0, "%s", logbuf)) {
		/* xdp_md___v2 has a member the target lacks; xdp_md___sub's are all there */
		EXPECT(obj, "xdp_local2", "xdp_md___v2", "0", TYPE_MATCHES, 0);
		EXPECT(obj, "xdp_local2", "xdp_md___sub", "0", TYPE_MATCHES, 1);
		EXPECT(obj, "xdp_local2", "no_such_struct", "0", TYPE_MATCHES, 0);
	}
	bpfh_object_destroy(obj);
	test_file_free(&f);
}

/* Rewrite the first record of file whose kind is kind: its type (if type), kind (if new_kind
 * >= 0), instruction offset (if insn >= 0). */
struct rewrite {
	struct test_file *f;
	uint32_t kind;
	uint32_t type;
	int64_t new_kind, insn;
	int done;
	uint32_t old_type;      /* out: the record's type before */
};

static void rewrite_one(uint8_t *rec, const char *strs, void *arg)
{
	struct rewrite *w = arg;

	(void)strs;
	if (w->done || t_rd32(rec + 12) != w->kind)
		return;
	w->done = 1;
	w->old_type = t_rd32(rec + 4);
	if (w->type)
		t_wr32(rec + 4, w->type);
	if (w->new_kind >= 0)
		t_wr32(rec + 12, (uint32_t)w->new_kind);
	if (w->insn >= 0)
		t_wr32(rec, (uint32_t)w->insn * 8);
}

/* The id of the first INT in f's BTF. */
static uint32_t first_int(struct test_file *f)
{
	uint8_t *b = f->data + t_sec_off(f, t_find_sec(f, ".BTF"));
	uint8_t *p = b + t_rd32(b + 4) + t_rd32(b + 8);
	uint32_t id;

	for (id = 1; id < 1000; id++) {
		uint32_t info = t_rd32(p + 4), kind = info >> 24 & 0x1f, vlen = info & 0xffff;
		static const uint32_t fixed[20] = { 0, 4, 0, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4,
						   0, 0, 4, 0, 0 };
		static const uint32_t per[20] = { 0, 0, 0, 0, 12, 12, 8, 0, 0, 0, 0, 0, 0, 8, 0,
						 12, 0, 0, 0, 12 };

		if (kind == 1)
			return id;
		p += 12 + fixed[kind] + per[kind] * vlen;
	}
	return 0;
}

static void test_malformed(void)
{
	const struct bpfh_btf *ctx = bpfh_context_btf();
	struct rewrite w;
	struct test_file f;
	char want[512];
	size_t code;

	/* core_bad_1: one relocation, xdp_core's "r0 = *(u32 *)(r1 + 24)" of xdp_md.foo (0:6) */
	if (!CHECK(test_file_load("core_bad_1.bpf.o", &f) == 0))
		return;
	memset(&w, 0, sizeof(w));
	w.f = &f;
	w.kind = BPFH_CORE_FIELD_BYTE_OFFSET;
	w.type = first_int(&f);
	w.new_kind = -1;
	w.insn = -1;
	each_record(&f, rewrite_one, &w);
	refused(f.data, f.size, "int.o", ctx);
	snprintf(want, sizeof(want), "int.o: section xdp, offset 0x0: program xdp_core: insn 0: "
		 "CO-RE field byte offset relocation with access string \"0:6\" of the local int "
		 "unsigned int (type %u) is invalid: accessor 1 reaches a int, not a struct, union "
		 "or array", w.type);
	CHECK_STR(logbuf, want);
	test_file_free(&f);

	if (!CHECK(test_file_load("core_bad_1.bpf.o", &f) == 0))
		return;
	w.f = &f;
	w.done = 0;
	w.type = 0;
	w.new_kind = BPFH_CORE_TYPE_SIZE;
	each_record(&f, rewrite_one, &w);
	refused(f.data, f.size, "type.o", ctx);
	snprintf(want, sizeof(want), "type.o: section xdp, offset 0x0: program xdp_core: insn 0: "
		 "CO-RE type size relocation with access string \"0:6\" of the local struct xdp_md "
		 "(type %u) is invalid: a type relocation's access string is \"0\"", w.old_type);
	CHECK_STR(logbuf, want);
	test_file_free(&f);

	if (!CHECK(test_file_load("core_bad_1.bpf.o", &f) == 0))
		return;
	w.done = 0;
	w.f = &f;
	w.new_kind = BPFH_CORE_ENUMVAL_VALUE;
	each_record(&f, rewrite_one, &w);
	refused(f.data, f.size, "enum.o", ctx);
	snprintf(want, sizeof(want), "enum.o: section xdp, offset 0x0: program xdp_core: insn 0: "
		 "CO-RE enum value relocation with access string \"0:6\" of the local struct "
		 "xdp_md (type %u) is invalid: the type is a struct, not an enum", w.old_type);
	CHECK_STR(logbuf, want);
	test_file_free(&f);

	/* the relocation moved to the exit instruction */
	if (!CHECK(test_file_load("core_bad_1.bpf.o", &f) == 0))
		return;
	w.done = 0;
	w.f = &f;
	w.new_kind = BPFH_CORE_FIELD_EXISTS;
	w.insn = 1;
	each_record(&f, rewrite_one, &w);
	refused(f.data, f.size, "jump.o", ctx);
	CHECK_STR(logbuf, "jump.o: section xdp, offset 0x8: program xdp_core: insn 1: CO-RE "
		  "relocation of xdp_md.foo (0:6) applies to exit, which is not an ALU instruction "
		  "with an immediate, a load or store, or an lddw of a constant");
	test_file_free(&f);

	/* the load's offset changed: it no longer holds what the local type gives */
	if (!CHECK(test_file_load("core_bad_1.bpf.o", &f) == 0))
		return;
	code = t_sec_off(&f, t_find_sec(&f, "xdp"));
	CHECK(f.data[code] == 0x61 && t_rd16(f.data + code + 2) == 24);
	t_wr16(f.data + code + 2, 20);
	w.done = 0;
	w.f = &f;
	w.new_kind = BPFH_CORE_FIELD_EXISTS;
	w.insn = -1;
	each_record(&f, rewrite_one, &w);
	refused(f.data, f.size, "off.o", ctx);
	CHECK_STR(logbuf, "off.o: section xdp, offset 0x0: program xdp_core: insn 0: CO-RE field "
		  "exists relocation of xdp_md.foo (0:6): r0 = *(u32 *)(r1 + 20) does not hold 1, "
		  "the value the local type gives");
	test_file_free(&f);
}

static void test_refusals(void)
{
	const struct bpfh_btf *ctx = bpfh_context_btf();
	struct bpfh_btf_builder *b;
	struct bpfh_btf *two = NULL;
	int u32;

	refused_file("core_bad_1.bpf.o", ctx);
	CHECK_STR(logbuf, "core_bad_1.bpf.o: section xdp, offset 0x0: program xdp_core: insn 0: "
		  "CO-RE relocation of xdp_md.foo (0:6) cannot be resolved: no field foo in the "
		  "target struct xdp_md");
	refused_file("core_bad.bpf.o", ctx);
	CHECK(strstr(logbuf, "program xdp_core: insn 0: CO-RE relocation of xdp_md.foo (0:6) "
		      "cannot be resolved: no field foo in the target struct xdp_md"));
	refused_file("core_bad_2.bpf.o", ctx);
	CHECK_STR(logbuf, "core_bad_2.bpf.o: section tc, offset 0x0: program enum_missing: insn 0: "
		  "CO-RE relocation of enum xdp_action::XDP_WARP (5) cannot be resolved: no "
		  "enumerator XDP_WARP in the target enum xdp_action");
	refused_file("core_bad_3.bpf.o", ctx);
	CHECK_STR(logbuf, "core_bad_3.bpf.o: section socket, offset 0x0: program type_clash: insn "
		  "0: CO-RE relocation of xdp_md___clash.data.hi (0:0:1) cannot be resolved: field "
		  "data is unsigned int in the target struct xdp_md, and an anonymous struct here");
	refused_file("core_bad_4.bpf.o", ctx);
	CHECK_STR(logbuf, "core_bad_4.bpf.o: section cgroup_skb/ingress, offset 0x0: program "
		  "signed_resize: insn 0: CO-RE relocation of xdp_md___narrow.ingress_ifindex "
		  "(0:0): the field is 4 bytes in the target and 2 here, and not both unsigned "
		  "integers or pointers: r0 = *(u16 *)(r1 + 0) cannot be resized");
	/* a type the target does not have at all (core.bpf.o's struct task) */
	refused_file("core.bpf.o", ctx);
	CHECK(strstr(logbuf, "program probe: insn ") &&
	      strstr(logbuf, ": CO-RE relocation of task.tgid (0:1) cannot be resolved: no struct "
		     "task in the target BTF"));
	/* two candidates that disagree */
	b = bpfh_btf_builder_create();
	if (!CHECK(b))
		return;
	u32 = bpfh_btf_add_int(b, "unsigned int", 4, 0);
	bpfh_btf_add_struct(b, "xdp_md", 12);
	bpfh_btf_add_member(b, "data", (uint32_t)u32, 0, 0);
	bpfh_btf_add_member(b, "data_end", (uint32_t)u32, 32, 0);
	bpfh_btf_add_member(b, "ingress_ifindex", (uint32_t)u32, 64, 0);
	bpfh_btf_add_struct(b, "xdp_md___other", 12);
	bpfh_btf_add_member(b, "ingress_ifindex", (uint32_t)u32, 0, 0);
	bpfh_btf_add_member(b, "data_end", (uint32_t)u32, 32, 0);
	bpfh_btf_add_member(b, "data", (uint32_t)u32, 64, 0);
	CHECK(bpfh_btf_builder_build(b, "two", NULL, &two) == 0);
	bpfh_btf_builder_destroy(b);
	refused_file("core_local.bpf.o", two);
	CHECKF(strstr(logbuf, ": CO-RE relocation of xdp_md.") &&
	       strstr(logbuf, " is ambiguous: target types 2 (xdp_md) and 3 (xdp_md___other) "
		      "give "), "%s", logbuf);
	bpfh_btf_destroy(two);
}

int main(void)
{
	struct test_file f;

	if (test_file_load("core_local.bpf.o", &f)) {
		printf("# obj-core: skipped, %s not built (no clang?)\n", f.path);
		return check_summary("obj-core");
	}
	test_file_free(&f);
	if (!CHECK(bpfh_context_btf()))
		return check_summary("obj-core");
	test_uapi();
	test_local();
	test_bits();
	test_matches();
	test_malformed();
	test_refusals();
	return check_summary("obj-core");
}
