/* SPDX-License-Identifier: MIT */
/*
 * Private to the analyzer: what a program holds and must give back. Ring buffer records are
 * references: bpf_ringbuf_reserve acquires one (its id is the reserving instruction + 1), the
 * NULL check's NULL edge or bpf_ringbuf_submit / bpf_ringbuf_discard releases it, and every
 * exit must find none held. A bpf_spin_lock is held between bpf_spin_lock and
 * bpf_spin_unlock on the same map value, with no other helper call, tail call or exit in
 * between. The state is struct bpfh_vrefs (verify_int.h); its lattice is in refs.c too.
 */
#ifndef BPFH_VERIFY_REFS_H
#define BPFH_VERIFY_REFS_H

#include <stdbool.h>
#include <stdint.h>

#include "bpfhost/helpers.h"
#include "analyze.h"

/* map field of an UNINIT register that held a released record; its id: the releasing insn + 1. */
#define BPFH_VREG_RELEASED 2u

/* Kinds that may be NULL (compare with 0 first), and the kind the non-NULL edge gives. */
bool bpfh_vkind_maybe_null(unsigned kind);

/* The edge of a NULL check of r (register reg) where it is NULL (null) or not: every copy
 * (same kind and id; without an id, reg only) becomes the number 0 or the non-NULL kind, and
 * the NULL edge of a ring buffer record releases its reference. */
void bpfh_vref_null_check(struct bpfh_vstate *st, const struct bpfh_vreg *r, unsigned reg,
			  bool null);

/* A rejection when r (register reg) held a record released earlier, else 0. */
int bpfh_va_released(struct actx *a, const struct bpfh_vreg *r, unsigned reg);

/* Before a helper call: no call but bpf_spin_lock/unlock while a lock is held, no tail call
 * with references held. */
int bpfh_va_call_allowed(struct actx *a, const struct bpfh_vstate *st,
			 const struct bpfh_helper *h);
/* Before anything that leaves the function another way (local calls): no lock held. */
int bpfh_va_lock_free(struct actx *a, const struct bpfh_vstate *st, const char *what);

/* bpf_ringbuf_reserve at a->insn: a new reference. */
int bpfh_va_ref_acquire(struct actx *a, struct bpfh_vstate *st, uint32_t id);
/* BPFH_ARG_RINGBUF_MEM: check register reg of a release (submit, discard) ... */
int bpfh_va_ref_check_release(struct actx *a, const struct bpfh_vstate *st,
			      const struct bpfh_helper *h, unsigned reg);
/* ... and release it once every argument is checked: every copy becomes unreadable. */
void bpfh_va_ref_release(struct actx *a, struct bpfh_vstate *st, uint32_t id);

/* BPFH_ARG_SPIN_LOCK of bpf_spin_lock (unlock false) or bpf_spin_unlock in register reg. */
int bpfh_va_spin_lock(struct actx *a, struct bpfh_vstate *st, const struct bpfh_helper *h,
		      unsigned reg, bool unlock);

/* At exit: no reference and no lock held. */
int bpfh_va_refs_exit(struct actx *a, const struct bpfh_vstate *st);

/* The first reference held (its id), for messages; 0 when none. */
uint32_t bpfh_vrefs_first(const struct bpfh_vrefs *r);

#endif
