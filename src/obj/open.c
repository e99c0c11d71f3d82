// SPDX-License-Identifier: MIT
/*
 * Opening an object (include/bpfhost/obj.h): copy the file, then run the loader's steps in
 * order (ELF, BTF, .BTF.ext, metadata, functions and programs, maps, .kconfig, relocations,
 * CO-RE, images), free what only loading needed, and hand out an immutable struct bpfh_object.
 * Also the component's one error format, the lookups by name, and destroy.
 *
 * This file decides nothing about the content of an object; each step lives in its own file
 * (see obj_int.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../platform/platform.h"
#include "obj_int.h"

int bpfh_obj_verr(const struct bpfh_obj_ctx *ctx, const char *sec, uint64_t off,
		  const char *fmt, va_list ap)
{
	char line[1024];
	size_t i;
	int n;

	n = snprintf(line, sizeof(line), "%s: section %s, offset 0x%llx: ", ctx->name,
		     sec && *sec ? sec : "(unnamed)", (unsigned long long)off);
	if (n >= 0 && (size_t)n < sizeof(line))
		vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	/* Names come from the file: keep the message one printable line. */
	for (i = 0; line[i]; i++)
		if ((unsigned char)line[i] < 0x20 || (unsigned char)line[i] == 0x7f)
			line[i] = '?';
	bpfh_log_printf(ctx->log, "%s\n", line);
	return -EINVAL;
}

int bpfh_obj_err(const struct bpfh_obj_ctx *ctx, const char *sec, uint64_t off,
		 const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	bpfh_obj_verr(ctx, sec, off, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* ---- name indexes ---- */

/* qsort has no context argument in C11; the arrays sort records that carry their key. */
struct name_key {
	const char *name;
	uint32_t sec;
	uint32_t idx;
};

static int cmp_name_key(const void *a, const void *b)
{
	const struct name_key *x = a, *y = b;
	int c;

	if (x->sec != y->sec)
		return x->sec < y->sec ? -1 : 1;
	c = strcmp(x->name, y->name);
	if (c)
		return c;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static int build_index(uint32_t **out, size_t n, const struct name_key *keys)
{
	struct name_key *tmp = malloc((n ? n : 1) * sizeof(*tmp));
	size_t i;

	*out = malloc((n ? n : 1) * sizeof(**out));
	if (!tmp || !*out) {
		free(tmp);
		return -ENOMEM;
	}
	memcpy(tmp, keys, n * sizeof(*tmp));
	qsort(tmp, n, sizeof(*tmp), cmp_name_key);
	for (i = 0; i < n; i++)
		(*out)[i] = tmp[i].idx;
	free(tmp);
	return 0;
}

static int build_indexes(struct bpfh_oload *ld)
{
	const struct bpfh_elf *elf = &ld->elf;
	size_t n = elf->nsecs > elf->nsyms ? elf->nsecs : elf->nsyms, i;
	struct name_key *keys = malloc(n * sizeof(*keys));
	int err;

	if (!keys)
		return -ENOMEM;
	for (i = 0; i < elf->nsecs; i++) {
		keys[i].name = elf->secs[i].name ? elf->secs[i].name : "";
		keys[i].sec = 0;
		keys[i].idx = (uint32_t)i;
	}
	err = build_index(&ld->sec_order, elf->nsecs, keys);
	for (i = 0; i < elf->nsyms && !err; i++) {
		keys[i].name = elf->syms[i].name;
		/* Section symbols sort apart, so lookups never see them. */
		keys[i].sec = elf->syms[i].type == BPFH_STT_SECTION ? UINT32_MAX :
								      elf->syms[i].shndx;
		keys[i].idx = (uint32_t)i;
	}
	if (!err)
		err = build_index(&ld->sym_order, elf->nsyms, keys);
	free(keys);
	return err;
}

/* The first entry of order[n] whose (sec, name) is not below the key. */
static size_t lower_bound(const uint32_t *order, size_t n, uint32_t sec, const char *name,
			  uint32_t (*sec_of)(const struct bpfh_oload *, uint32_t),
			  const char *(*name_of)(const struct bpfh_oload *, uint32_t),
			  const struct bpfh_oload *ld)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		uint32_t s = sec_of(ld, order[mid]);
		int c = s != sec ? (s < sec ? -1 : 1) : strcmp(name_of(ld, order[mid]), name);

		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static uint32_t sec_key_sec(const struct bpfh_oload *ld, uint32_t i)
{
	(void)ld;
	(void)i;
	return 0;
}

static const char *sec_key_name(const struct bpfh_oload *ld, uint32_t i)
{
	return ld->elf.secs[i].name ? ld->elf.secs[i].name : "";
}

static uint32_t sym_key_sec(const struct bpfh_oload *ld, uint32_t i)
{
	return ld->elf.syms[i].type == BPFH_STT_SECTION ? UINT32_MAX : ld->elf.syms[i].shndx;
}

static const char *sym_key_name(const struct bpfh_oload *ld, uint32_t i)
{
	return ld->elf.syms[i].name;
}

int bpfh_obj_find_sec(const struct bpfh_oload *ld, const char *name)
{
	size_t n = ld->elf.nsecs;
	size_t i = lower_bound(ld->sec_order, n, 0, name, sec_key_sec, sec_key_name, ld);

	/* Section 0 has no name and is never the answer. */
	while (i < n && ld->sec_order[i] == 0 && !strcmp(sec_key_name(ld, 0), name))
		i++;
	if (i < n && !strcmp(sec_key_name(ld, ld->sec_order[i]), name))
		return (int)ld->sec_order[i];
	return -1;
}

int bpfh_obj_find_sym(const struct bpfh_oload *ld, uint32_t sec, const char *name)
{
	size_t n = ld->elf.nsyms;
	size_t i = lower_bound(ld->sym_order, n, sec, name, sym_key_sec, sym_key_name, ld);

	/* Symbol 0 is the null symbol. */
	while (i < n && ld->sym_order[i] == 0 && sym_key_sec(ld, 0) == sec &&
	       !strcmp(sym_key_name(ld, 0), name))
		i++;
	if (i < n && sym_key_sec(ld, ld->sym_order[i]) == sec &&
	    !strcmp(sym_key_name(ld, ld->sym_order[i]), name))
		return (int)ld->sym_order[i];
	return -1;
}

/* ---- the steps ---- */

static int is_data_name(const char *name)
{
	static const char *const pfx[] = { ".data", ".rodata", ".bss" };
	size_t i, n;

	for (i = 0; i < sizeof(pfx) / sizeof(pfx[0]); i++) {
		n = strlen(pfx[i]);
		if (!strncmp(name, pfx[i], n) && (name[n] == '\0' || name[n] == '.'))
			return 1;
	}
	return 0;
}

static int classify_sections(struct bpfh_oload *ld)
{
	const struct bpfh_elf *elf = &ld->elf;
	size_t i;

	ld->secs = calloc(elf->nsecs, sizeof(*ld->secs));
	if (!ld->secs)
		return -ENOMEM;
	for (i = 0; i < elf->nsecs; i++) {
		const struct bpfh_elf_sec *s = &elf->secs[i];
		struct bpfh_osec *os = &ld->secs[i];

		os->map = -1;
		os->datasec = -1;
		if (i == 0)
			continue;
		if (s->type == BPFH_SHT_PROGBITS && (s->flags & BPFH_SHF_EXECINSTR)) {
			if (s->size % 8)
				return bpfh_obj_err(&ld->ctx, s->name, s->size - s->size % 8,
						    "code section of 0x%llx bytes is not a whole "
						    "number of 8-byte instructions",
						    (unsigned long long)s->size);
			os->kind = BPFH_OSEC_PROG;
			os->ninsns = (size_t)(s->size / 8);
		} else if (!strcmp(s->name, ".maps")) {
			os->kind = BPFH_OSEC_MAPS;
		} else if (!strcmp(s->name, "maps")) {
			os->kind = BPFH_OSEC_LEGACY_MAPS;
		} else if ((s->type == BPFH_SHT_PROGBITS || s->type == BPFH_SHT_NOBITS) &&
			   (s->flags & BPFH_SHF_ALLOC) && is_data_name(s->name)) {
			os->kind = BPFH_OSEC_DATA;
		}
	}
	return 0;
}

static int read_btf(struct bpfh_oload *ld)
{
	int i = bpfh_obj_find_sec(ld, ".BTF"), err;

	if (i <= 0 || !ld->elf.secs[i].data)
		return 0;
	err = bpfh_btf_create(ld->elf.secs[i].data, (size_t)ld->elf.secs[i].size, ld->ctx.name,
			      ld->ctx.log, &ld->obj->btf);
	if (err)
		return err;
	i = bpfh_obj_find_sec(ld, ".BTF.ext");
	if (i <= 0 || !ld->elf.secs[i].data)
		return 0;
	err = bpfh_btf_ext_parse(&ld->ext, ld->elf.secs[i].data, (size_t)ld->elf.secs[i].size,
				 ld->obj->btf, &ld->ctx);
	if (err)
		return err;
	ld->has_ext = 1;
	return 0;
}

/* Free what only loading needed. */
static void load_fini(struct bpfh_oload *ld)
{
	size_t i;

	if (ld->secs) {
		for (i = 0; i < ld->elf.nsecs; i++) {
			free(ld->secs[i].insns);
			free(ld->secs[i].calls);
		}
	}
	free(ld->secs);
	free(ld->funcs);
	free(ld->omaps);
	free(ld->externs);
	free(ld->sym_extern);
	free(ld->sec_order);
	free(ld->sym_order);
	free(ld->map_order);
	bpfh_btf_ext_fini(&ld->ext);
	bpfh_elf_fini(&ld->elf);
}

int bpfh_object_open_opts(const void *data, size_t size, const char *name,
			  const struct bpfh_object_opts *opts, struct bpfh_log *log,
			  struct bpfh_object **out)
{
	struct bpfh_oload ld;
	struct bpfh_object *obj;
	int err;

	if (!out)
		return -EINVAL;
	*out = NULL;
	if (!data && size)
		return -EINVAL;
	memset(&ld, 0, sizeof(ld));
	if (opts) {
		size_t n = opts->sz < sizeof(ld.opts) ? opts->sz : sizeof(ld.opts);

		memcpy(&ld.opts, opts, n);
	}
	obj = calloc(1, sizeof(*obj));
	ld.priv = calloc(1, sizeof(*ld.priv));
	if (!obj || !ld.priv) {
		free(obj);
		free(ld.priv);
		return -ENOMEM;
	}
	obj->priv = ld.priv;
	ld.obj = obj;
	snprintf(obj->name, sizeof(obj->name), "%s", name ? name : "object");
	ld.ctx.name = obj->name;
	ld.ctx.log = log;
	ld.kconfig_map = -1;
	ld.priv->buf = malloc(size ? size : 1);
	if (!ld.priv->buf) {
		err = -ENOMEM;
		goto fail;
	}
	if (size)
		memcpy(ld.priv->buf, data, size);
	ld.priv->size = size;

	err = bpfh_elf_parse(&ld.elf, ld.priv->buf, size, &ld.ctx);
	if (!err)
		err = build_indexes(&ld);
	if (!err)
		err = classify_sections(&ld);
	if (!err)
		err = read_btf(&ld);
	if (!err)
		err = bpfh_obj_read_meta(&ld);
	if (!err)
		err = bpfh_obj_find_funcs(&ld);
	if (!err)
		err = bpfh_obj_collect_maps(&ld);
	if (!err)
		err = bpfh_obj_collect_kconfig(&ld);
	if (!err)
		err = bpfh_obj_add_inner_maps(&ld);
	if (!err)
		err = bpfh_obj_relocate(&ld);
	if (!err)
		err = bpfh_obj_index_ext(&ld);
	if (!err)
		err = bpfh_obj_core_apply(&ld);
	if (!err)
		err = bpfh_obj_link(&ld);
	if (err)
		goto fail;
	load_fini(&ld);
	*out = obj;
	return 0;
fail:
	load_fini(&ld);
	bpfh_object_destroy(obj);
	return err;
}

int bpfh_object_open_mem(const void *data, size_t size, const char *name, struct bpfh_log *log,
			 struct bpfh_object **out)
{
	return bpfh_object_open_opts(data, size, name, NULL, log, out);
}

int bpfh_object_open_file_opts(const char *path, const struct bpfh_object_opts *opts,
			       struct bpfh_log *log, struct bpfh_object **out)
{
	char *data;
	size_t size;
	int err;

	if (!out || !path)
		return -EINVAL;
	*out = NULL;
	err = bpfh_file_read(path, &data, &size);
	if (err) {
		bpfh_log_printf(log, "%s: cannot read: %s\n", path, strerror(-err));
		return err;
	}
	err = bpfh_object_open_opts(data, size, path, opts, log, out);
	free(data);
	return err;
}

int bpfh_object_open_file(const char *path, struct bpfh_log *log, struct bpfh_object **out)
{
	return bpfh_object_open_file_opts(path, NULL, log, out);
}

void bpfh_object_destroy(struct bpfh_object *obj)
{
	struct bpfh_opriv *priv;
	size_t i;

	if (!obj)
		return;
	for (i = 0; i < obj->nprogs; i++) {
		free(obj->progs[i].insns);
		free((void *)obj->progs[i].lines);
		free((void *)obj->progs[i].funcs);
		free((void *)obj->progs[i].core_relos);
	}
	free(obj->progs);
	for (i = 0; i < obj->nmaps; i++)
		free((void *)obj->maps[i].slots);
	free(obj->maps);
	bpfh_btf_destroy(obj->btf);
	priv = obj->priv;
	if (priv) {
		free(priv->buf);
		free(priv->kconfig);
		free(priv);
	}
	free(obj);
}

const struct bpfh_obj_prog *bpfh_object_find_prog(const struct bpfh_object *obj,
						  const char *name_or_section)
{
	size_t i;

	if (!obj || !name_or_section)
		return NULL;
	for (i = 0; i < obj->nprogs; i++)
		if (!strcmp(obj->progs[i].name, name_or_section))
			return &obj->progs[i];
	for (i = 0; i < obj->nprogs; i++)
		if (!strcmp(obj->progs[i].section, name_or_section))
			return &obj->progs[i];
	return NULL;
}

int bpfh_object_find_map(const struct bpfh_object *obj, const char *name)
{
	size_t i;

	if (!obj || !name)
		return -1;
	for (i = 0; i < obj->nmaps; i++)
		if (!strcmp(obj->maps[i].name, name))
			return (int)i;
	for (i = 0; i < obj->nmaps; i++)
		if (!strcmp(obj->maps[i].def.name, name))
			return (int)i;
	return -1;
}
