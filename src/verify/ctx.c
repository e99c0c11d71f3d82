// SPDX-License-Identifier: MIT
/*
 * Context accesses: what a load or store of size bytes at offset [lo, hi) of the context may
 * do under the program type's field table, and what a load gives.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

#include "verify_int.h"

int bpfh_vctx_access(const struct bpfh_verify_prog_type *type, int64_t lo, int64_t hi,
		     unsigned size, bool write, enum bpfh_vkind *kind, char *why, size_t why_size)
{
	*kind = BPFH_VK_SCALAR;
	if (lo < 0 || hi > (int64_t)type->ctx_size) {
		snprintf(why, why_size, "context access out of bounds: bytes [%" PRId64 ", %" PRId64
			 ") of %" PRIu32, lo, hi, type->ctx_size);
		return -EACCES;
	}
	if (write && !type->ctx_writable) {
		snprintf(why, why_size, "write into the context");
		return -EACCES;
	}
	if (!write && size == 4 && lo + 4 == hi) {
		if (type->pkt_data_off >= 0 && lo == type->pkt_data_off)
			*kind = BPFH_VK_PKT;
		else if (type->pkt_end_off >= 0 && lo == type->pkt_end_off)
			*kind = BPFH_VK_PKT_END;
	}
	return 0;
}
