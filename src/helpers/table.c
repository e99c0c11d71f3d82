// SPDX-License-Identifier: MIT
/*
 * The helper table, generated from helpers.def: rows by id for the verifier (prototype) and
 * the engines (a dense array of implementations), and Linux's names for every id (names.def).
 */
#include <errno.h>
#include <stddef.h>

#include "helpers_int.h"

#define MAX_ID 256

static const struct bpfh_helper helpers[] = {
#define BPFH_HELPER(ID, NAME, RET, A1, A2, A3, A4, A5, FLAGS)                                 \
	{ ID, #NAME, bpfh_h_##NAME, BPFH_RET_##RET,                                            \
	  { BPFH_ARG_##A1, BPFH_ARG_##A2, BPFH_ARG_##A3, BPFH_ARG_##A4, BPFH_ARG_##A5 }, FLAGS },
#include "helpers.def"
#undef BPFH_HELPER
};

/* Implementations by id; rows bpfhost lacks are NULL, which engines report as unknown. */
static const bpfh_helper_fn by_id[MAX_ID] = {
#define BPFH_HELPER(ID, NAME, RET, A1, A2, A3, A4, A5, FLAGS) [ID] = bpfh_h_##NAME,
#include "helpers.def"
#undef BPFH_HELPER
};

static const char *const names[MAX_ID] = {
#define BPFH_HELPER_NAME(ID, NAME) [ID] = #NAME,
#include "names.def"
#undef BPFH_HELPER_NAME
};

const struct bpfh_helper *bpfh_helper_find(uint32_t id)
{
	size_t i;

	for (i = 0; i < sizeof(helpers) / sizeof(helpers[0]); i++)
		if (helpers[i].id == id)
			return &helpers[i];
	return NULL;
}

int bpfh_helper_takes_callback(const struct bpfh_helper *h)
{
	for (unsigned k = 0; k < 5 && h->args[k] != BPFH_ARG_NONE; k++)
		if (h->args[k] == BPFH_ARG_FUNC)
			return 1;
	return 0;
}

const char *bpfh_helper_name(uint32_t id)
{
	return id < MAX_ID ? names[id] : NULL;
}

const bpfh_helper_fn *bpfh_helper_table(size_t *count)
{
	*count = MAX_ID;
	return by_id;
}

int bpfh_helper_table_info(void *ctx, uint32_t id, unsigned *nargs, unsigned *flags)
{
	const struct bpfh_helper *h = bpfh_helper_find(id);
	unsigned n;

	(void)ctx;
	if (!h)
		return -ENOENT;
	*flags = h->flags & BPFH_HELPER_TAIL_CALL ? BPFH_HELPER_MAY_TAIL_CALL : 0;
	if (bpfh_helper_takes_callback(h))
		*flags |= BPFH_HELPER_MAY_CALL_BACK;
	n = 0;
	while (n < 5 && h->args[n] != BPFH_ARG_NONE)
		n++;
	*nargs = n;
	return 0;
}
