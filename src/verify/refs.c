// SPDX-License-Identifier: MIT
/*
 * References and locks (refs.h): ring buffer records acquired by bpf_ringbuf_reserve and
 * released by the NULL edge of their check, bpf_ringbuf_submit or bpf_ringbuf_discard; the
 * bpf_spin_lock held; the checks at calls and exits; and the lattice of both (used by
 * state.c). Not here: the helpers' argument kinds (call.c), the accesses through a record
 * (mem.c).
 *
 * Soundness rests on one invariant: a register or spill holding a record (RINGBUF_MEM or
 * RINGBUF_MEM_OR_NULL) with id X means that, on every path reaching this point, record X is
 * held and that register points into it. Joins keep it: registers of different kinds or ids
 * lose their kind or id, and the set of references held is the union (possibly held), so a
 * reference acquired on one path only is still found at exit. A reserve at an instruction whose
 * earlier record may still be held is refused, so two live records never share an id; release
 * and the NULL edge turn every copy of X into something unusable.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "refs.h"

#define HELPER_SPIN_LOCK 93u
#define HELPER_SPIN_UNLOCK 94u

/* --- The lattice --- */

static bool refs_has(const struct bpfh_vrefs *r, uint32_t id)
{
	for (unsigned i = 0; i < r->n; i++)
		if (r->id[i] == id)
			return true;
	return false;
}

/* Insert id in order; false when there is no room. */
static bool refs_add(struct bpfh_vrefs *r, uint32_t id)
{
	unsigned i;

	if (refs_has(r, id))
		return true;
	if (r->n == BPFH_VMAX_REFS)
		return false;
	for (i = r->n; i > 0 && r->id[i - 1] > id; i--)
		r->id[i] = r->id[i - 1];
	r->id[i] = id;
	r->n++;
	return true;
}

static void refs_del(struct bpfh_vrefs *r, uint32_t id)
{
	for (unsigned i = 0; i < r->n; i++) {
		if (r->id[i] != id)
			continue;
		memmove(&r->id[i], &r->id[i + 1], (r->n - i - 1) * sizeof(r->id[0]));
		r->n--;
		r->id[r->n] = 0;
		return;
	}
}

bool bpfh_vrefs_leq(const struct bpfh_vrefs *a, const struct bpfh_vrefs *b)
{
	if (a->lost && !b->lost)
		return false;
	if (!b->lost)
		for (unsigned i = 0; i < a->n; i++)
			if (!refs_has(b, a->id[i]))
				return false;
	if (b->lock == BPFH_LOCK_UNKNOWN)
		return true;
	if (a->lock != b->lock)
		return false;
	return a->lock == BPFH_LOCK_NONE ||
	       (a->lock_map == b->lock_map && a->lock_id == b->lock_id);
}

void bpfh_vrefs_join(struct bpfh_vrefs *a, const struct bpfh_vrefs *b)
{
	for (unsigned i = 0; i < b->n; i++)
		if (!refs_add(a, b->id[i]))
			a->lost = 1; /* past the bound: unknown references may be held */
	if (b->lost)
		a->lost = 1;
	if (a->lock == b->lock &&
	    (a->lock == BPFH_LOCK_NONE ||
	     (a->lock_map == b->lock_map && a->lock_id == b->lock_id)))
		return;
	if (a->lock == BPFH_LOCK_NONE)
		a->lock_insn = b->lock_insn; /* for messages: where the lock may have been taken */
	a->lock = BPFH_LOCK_UNKNOWN;
}

bool bpfh_vreg_ext_leq(const struct bpfh_vreg *a, const struct bpfh_vreg *b)
{
	/* A larger record is more precise: a record of 16 bytes is also one of 8. */
	return a->mem_size >= b->mem_size;
}

void bpfh_vreg_ext_join(struct bpfh_vreg *a, const struct bpfh_vreg *b)
{
	if (b->mem_size < a->mem_size)
		a->mem_size = b->mem_size;
}

void bpfh_vrefs_format(const struct bpfh_vrefs *r, char *buf, size_t size)
{
	size_t n = 0;

	if (!size)
		return;
	buf[0] = 0;
	if (r->n || r->lost) {
		n += (size_t)snprintf(buf + n, size - n, "refs=[");
		for (unsigned i = 0; i < r->n && n < size; i++)
			n += (size_t)snprintf(buf + n, size - n, "%sinsn %" PRIu32, i ? " " : "",
					      r->id[i] - 1);
		if (n < size)
			n += (size_t)snprintf(buf + n, size - n, "%s]", r->lost ? " ..." : "");
	}
	if (n < size && r->lock == BPFH_LOCK_HELD)
		n += (size_t)snprintf(buf + n, size - n, "%slock=(map %" PRIu32 ", id %" PRIu32 ")",
				      n ? " " : "", r->lock_map, r->lock_id);
	else if (n < size && r->lock == BPFH_LOCK_UNKNOWN)
		snprintf(buf + n, size - n, "%slock=?", n ? " " : "");
}

uint32_t bpfh_vrefs_first(const struct bpfh_vrefs *r)
{
	return r->n ? r->id[0] : 0;
}

/* --- NULL checks --- */

bool bpfh_vkind_maybe_null(unsigned kind)
{
	return kind == BPFH_VK_MAP_VALUE_OR_NULL || kind == BPFH_VK_RINGBUF_MEM_OR_NULL ||
	       kind == BPFH_VK_MAP_PTR_OR_NULL;
}

static void decide(struct bpfh_vreg *x, bool null)
{
	if (null) {
		bpfh_vreg_set_scalar(x, bpfh_scalar_const(0));
		return;
	}
	switch (x->kind) {
	case BPFH_VK_MAP_VALUE_OR_NULL:
		/* The id stays: it names the value for bpf_spin_lock / unlock. */
		x->kind = BPFH_VK_MAP_VALUE;
		break;
	case BPFH_VK_RINGBUF_MEM_OR_NULL:
		x->kind = BPFH_VK_RINGBUF_MEM; /* the id is the reference */
		break;
	default:
		x->kind = BPFH_VK_MAP_PTR;
		x->id = 0;
		break;
	}
}

void bpfh_vref_null_check(struct bpfh_vstate *st, const struct bpfh_vreg *r, unsigned reg,
			  bool null)
{
	struct bpfh_vview v[BPFH_VMAX_FRAMES];
	unsigned nf = bpfh_vstate_views(st, v);
	uint32_t id = r->id;
	unsigned kind = r->kind;

	if (!id)
		decide(&st->r[reg], null);
	for (unsigned f = 0; id && f < nf; f++) {
		for (int i = 0; i < BPFH_REG_COUNT; i++) {
			struct bpfh_vreg *x = &v[f].regs[i];

			if (x->kind == kind && x->id == id)
				decide(x, null);
		}
		for (size_t s = 0; s < BPFH_VSLOTS; s++) {
			struct bpfh_vreg *x = &v[f].spill[s];

			if (v[f].stk[s * 8] == BPFH_STK_SPILL && x->kind == kind && x->id == id)
				decide(x, null);
		}
	}
	/* No record was reserved: nothing to give back. Without an id the reference stays
	 * held and the exit refuses it. */
	if (null && kind == BPFH_VK_RINGBUF_MEM_OR_NULL && id)
		refs_del(&st->refs, id);
}

/* --- Calls, exits --- */

static const char *acquirer(const struct actx *a, uint32_t id)
{
	const char *name = NULL;

	if (id && id - 1 < a->cfg->count)
		name = bpfh_helper_name((uint32_t)a->cfg->insns[id - 1].imm);
	return name ? name : "?";
}

int bpfh_va_released(struct actx *a, const struct bpfh_vreg *r, unsigned reg)
{
	if (r->kind != BPFH_VK_UNINIT || r->map != BPFH_VREG_RELEASED)
		return 0;
	return fail(a, "R%u held a ring buffer record released by insn %" PRIu32
		    "; it cannot be used any more", reg, r->id - 1);
}

int bpfh_va_call_allowed(struct actx *a, const struct bpfh_vstate *st,
			 const struct bpfh_helper *h)
{
	const struct bpfh_vrefs *r = &st->refs;

	if (r->lock != BPFH_LOCK_NONE && h->id != HELPER_SPIN_LOCK && h->id != HELPER_SPIN_UNLOCK)
		return fail(a, "%s: helper calls are not allowed while a bpf_spin_lock %s "
			    "(taken at insn %" PRIu32 ")", h->name,
			    r->lock == BPFH_LOCK_HELD ? "is held" : "may be held", r->lock_insn);
	if ((h->flags & BPFH_HELPER_TAIL_CALL) && (r->n || r->lost))
		return fail(a, "%s: a tail call would leak the reference from insn %" PRIu32
			    " (bpf_%s)", h->name, r->n ? r->id[0] - 1 : 0,
			    acquirer(a, r->n ? r->id[0] : 0));
	return 0;
}

int bpfh_va_lock_free(struct actx *a, const struct bpfh_vstate *st, const char *what)
{
	if (st->refs.lock == BPFH_LOCK_NONE)
		return 0;
	return fail(a, "%s while a bpf_spin_lock %s (taken at insn %" PRIu32 ")", what,
		    st->refs.lock == BPFH_LOCK_HELD ? "is held" : "may be held",
		    st->refs.lock_insn);
}

int bpfh_va_ref_acquire(struct actx *a, struct bpfh_vstate *st, uint32_t id)
{
	struct bpfh_vrefs *r = &st->refs;

	if (r->lost)
		return fail(a, "too many references may be held here (more than %d)",
			    BPFH_VMAX_REFS);
	if (refs_has(r, id))
		return fail(a, "the record this instruction reserved before may still be held: "
			    "submit or discard it before reserving again");
	if (!refs_add(r, id))
		return fail(a, "too many references held at once (more than %d)", BPFH_VMAX_REFS);
	return 0;
}

int bpfh_va_ref_check_release(struct actx *a, const struct bpfh_vstate *st,
			      const struct bpfh_helper *h, unsigned reg)
{
	const struct bpfh_vreg *r = &st->r[reg];
	uint64_t off;

	if (r->kind == BPFH_VK_RINGBUF_MEM_OR_NULL)
		return fail(a, "%s: R%u may be NULL: %s (compare it with 0 first)", h->name, reg,
			    reg_str(r));
	if (r->kind != BPFH_VK_RINGBUF_MEM)
		return fail(a, "%s: R%u must be a record from bpf_ringbuf_reserve, not %s", h->name,
			    reg, reg_str(r));
	if (!bpfh_scalar_is_const(&r->s, &off) || off)
		return fail(a, "%s: R%u %s must point to the start of the record (off 0)", h->name,
			    reg, reg_str(r));
	if (!r->id || (!refs_has(&st->refs, r->id) && !st->refs.lost))
		return fail(a, "%s: R%u %s is not one record on every path here (records "
			    "reserved on different paths join)", h->name, reg, reg_str(r));
	return 0;
}

void bpfh_va_ref_release(struct actx *a, struct bpfh_vstate *st, uint32_t id)
{
	struct bpfh_vview v[BPFH_VMAX_FRAMES];
	unsigned nf = bpfh_vstate_views(st, v);

	for (unsigned f = 0; f < nf; f++) {
		for (int i = 0; i < BPFH_REG_COUNT; i++) {
			struct bpfh_vreg *x = &v[f].regs[i];

			if ((x->kind == BPFH_VK_RINGBUF_MEM ||
			     x->kind == BPFH_VK_RINGBUF_MEM_OR_NULL) && x->id == id) {
				memset(x, 0, sizeof(*x));
				x->map = BPFH_VREG_RELEASED;
				x->id = (uint32_t)a->insn + 1;
			}
		}
		for (size_t s = 0; s < BPFH_VSLOTS; s++) {
			struct bpfh_vreg *x = &v[f].spill[s];

			if (v[f].stk[s * 8] == BPFH_STK_SPILL &&
			    (x->kind == BPFH_VK_RINGBUF_MEM ||
			     x->kind == BPFH_VK_RINGBUF_MEM_OR_NULL) && x->id == id)
				bpfh_vstack_unspill(v[f].stk, v[f].spill, s);
		}
	}
	refs_del(&st->refs, id);
}

/* A map whose every value pointer points to the same value: a one-element array that is not
 * the description of inner maps (each inner map has its own value). */
static bool single_value(const struct actx *a, uint32_t map)
{
	const struct bpfh_verify_map *m = &a->in->maps[map];

	if (m->type != 2 /* ARRAY */ || m->max_entries != 1)
		return false;
	for (size_t i = 0; i < a->in->nmaps; i++)
		if (a->in->maps[i].has_inner && a->in->maps[i].inner == map)
			return false;
	return true;
}

int bpfh_va_spin_lock(struct actx *a, struct bpfh_vstate *st, const struct bpfh_helper *h,
		      unsigned reg, bool unlock)
{
	const struct bpfh_vreg *r = &st->r[reg];
	struct bpfh_vrefs *refs = &st->refs;
	const struct bpfh_verify_map *m;
	uint64_t off;

	if (bpfh_vkind_maybe_null(r->kind))
		return fail(a, "%s: R%u may be NULL: %s (compare it with 0 first)", h->name, reg,
			    reg_str(r));
	if (r->kind != BPFH_VK_MAP_VALUE)
		return fail(a, "%s: R%u must point to a bpf_spin_lock in a map value, not %s",
			    h->name, reg, reg_str(r));
	m = &a->in->maps[r->map];
	if (!m->has_spin_lock)
		return fail(a, "%s: R%u %s: map %" PRIu32 " has no bpf_spin_lock in its value",
			    h->name, reg, reg_str(r), r->map);
	if (!bpfh_scalar_is_const(&r->s, &off) || off != m->spin_lock_off)
		return fail(a, "%s: R%u %s is not the map's bpf_spin_lock (at offset %" PRIu32 ")",
			    h->name, reg, reg_str(r), m->spin_lock_off);
	if (!r->id && !single_value(a, r->map))
		return fail(a, "%s: R%u %s: which value of map %" PRIu32 " it points to is not "
			    "known (values of different lookups join here)", h->name, reg,
			    reg_str(r),
			    r->map);
	if (!unlock) {
		if (refs->lock != BPFH_LOCK_NONE)
			return fail(a, "%s: a bpf_spin_lock %s (taken at insn %" PRIu32 "); only "
				    "one may be held at a time", h->name,
				    refs->lock == BPFH_LOCK_HELD ? "is already held" :
				    "may already be held", refs->lock_insn);
		refs->lock = BPFH_LOCK_HELD;
		refs->lock_map = r->map;
		refs->lock_id = r->id;
		refs->lock_insn = (uint32_t)a->insn;
		return 0;
	}
	if (refs->lock == BPFH_LOCK_NONE)
		return fail(a, "%s: no bpf_spin_lock is held", h->name);
	if (refs->lock == BPFH_LOCK_UNKNOWN)
		return fail(a, "%s: a bpf_spin_lock may or may not be held here (paths disagree; "
			    "taken at insn %" PRIu32 ")", h->name, refs->lock_insn);
	if (refs->lock_map != r->map || refs->lock_id != r->id)
		return fail(a, "%s: R%u %s is not the bpf_spin_lock held (taken at insn %" PRIu32
			    ")", h->name, reg, reg_str(r), refs->lock_insn);
	refs->lock = BPFH_LOCK_NONE;
	refs->lock_map = refs->lock_id = refs->lock_insn = 0;
	return 0;
}

int bpfh_va_refs_exit(struct actx *a, const struct bpfh_vstate *st)
{
	const struct bpfh_vrefs *r = &st->refs;

	if (r->lock == BPFH_LOCK_HELD)
		return fail(a, "exit with a bpf_spin_lock held (taken at insn %" PRIu32 ")",
			    r->lock_insn);
	if (r->lock == BPFH_LOCK_UNKNOWN)
		return fail(a, "exit where a bpf_spin_lock may be held (taken at insn %" PRIu32
			    " on some path)", r->lock_insn);
	/* Past the bound the references held are not all known: say so rather than name one
	 * of those that are (which may have been released on the path that leaks). */
	if (r->lost)
		return fail(a, "unreleased references at exit (more than %d may be held)",
			    BPFH_VMAX_REFS);
	if (r->n)
		return fail(a, "unreleased reference from insn %" PRIu32 " (bpf_%s) at exit",
			    r->id[0] - 1, acquirer(a, r->id[0]));
	return 0;
}

/* --- Identities across joins ---
 *
 * Ids say "these registers and spills hold the same map value (or record, or inner map)": a
 * lookup or reserve names its result by its instruction, and the NULL check, bpf_spin_lock and
 * the release of a record act on every copy. Two paths that looked the value up at different
 * instructions (a retry after a failed update; records reserved by the same code inlined
 * twice) name it differently, though the same registers hold it. Ids are only equalities, so
 * one state's names can be replaced by the other's wherever the two pair them one to one
 * (Linux compares states with such a map too). What cannot be paired is forgotten (id 0). */

static bool id_kind(unsigned kind)
{
	return kind == BPFH_VK_MAP_VALUE || kind == BPFH_VK_MAP_VALUE_OR_NULL ||
	       kind == BPFH_VK_MAP_PTR_OR_NULL || kind == BPFH_VK_RINGBUF_MEM ||
	       kind == BPFH_VK_RINGBUF_MEM_OR_NULL;
}

#define NPOS (BPFH_REG_COUNT + BPFH_VSLOTS)

/* Register i, or spill slot i - BPFH_REG_COUNT when it is spilled; NULL otherwise. */
static struct bpfh_vreg *position(const struct bpfh_vstate *st, size_t i)
{
	if (i < BPFH_REG_COUNT)
		return (struct bpfh_vreg *)&st->r[i];
	i -= BPFH_REG_COUNT;
	return st->stk[i * 8] == BPFH_STK_SPILL ? (struct bpfh_vreg *)&st->spill[i] : NULL;
}

static bool id_used(const struct bpfh_vstate *st, uint32_t id)
{
	for (size_t i = 0; i < NPOS; i++) {
		const struct bpfh_vreg *x = position(st, i);

		if (x && id_kind(x->kind) && x->id == id)
			return true;
	}
	return refs_has(&st->refs, id) ||
	       (st->refs.lock == BPFH_LOCK_HELD && st->refs.lock_id == id);
}

/*
 * out := from with its ids renamed to to's where the pairs (from's id, to's id) at the same
 * positions (same kind and map, both ids set; and the lock) are one to one and the new name is
 * not already used for something else in from. Where a pair is not, join (non-NULL) gets 0 at
 * both sides' position, so the join forgets the identity. Returns false when nothing differs
 * (out untouched).
 */
static bool rename_ids(const struct bpfh_vstate *from, const struct bpfh_vstate *to,
		       struct bpfh_vstate *out, struct bpfh_vstate *join)
{
	uint32_t f[NPOS + 1], t[NPOS + 1];
	size_t at[NPOS + 1], n = 0;
	bool differ = false;
	uint32_t ren_f[NPOS + 1], ren_t[NPOS + 1];
	size_t nren = 0;

	for (size_t i = 0; i < NPOS; i++) {
		const struct bpfh_vreg *x = position(from, i), *y = position(to, i);

		if (!x || !y || !id_kind(x->kind) || x->kind != y->kind || x->map != y->map ||
		    !x->id || !y->id)
			continue;
		f[n] = x->id, t[n] = y->id, at[n++] = i;
		differ |= x->id != y->id;
	}
	if (from->refs.lock == BPFH_LOCK_HELD && to->refs.lock == BPFH_LOCK_HELD &&
	    from->refs.lock_map == to->refs.lock_map && from->refs.lock_id && to->refs.lock_id) {
		f[n] = from->refs.lock_id, t[n] = to->refs.lock_id, at[n++] = NPOS;
		differ |= from->refs.lock_id != to->refs.lock_id;
	}
	/* Only the running frame's positions are paired: with callers' frames below, the
	 * identities stay as they are (a join then forgets those that differ). */
	if (!differ || from->depth || to->depth)
		return false;
	*out = *from;
	for (size_t k = 0; k < n; k++) {
		bool ok = f[k] == t[k] || !id_used(from, t[k]);

		for (size_t j = 0; j < n && ok; j++)
			ok = (f[j] == f[k]) == (t[j] == t[k]);
		if (ok) {
			if (at[k] == NPOS)
				out->refs.lock_id = t[k];
			else
				position(out, at[k])->id = t[k];
			if (f[k] != t[k] && nren < NPOS + 1) {
				bool seen = false;

				for (size_t j = 0; j < nren; j++)
					seen |= ren_f[j] == f[k];
				if (!seen)
					ren_f[nren] = f[k], ren_t[nren++] = t[k];
			}
			continue;
		}
		if (!join)
			continue; /* the order check finds the mismatch */
		if (at[k] == NPOS) {
			out->refs.lock = BPFH_LOCK_UNKNOWN;
		} else {
			position(out, at[k])->id = 0;
			position(join, at[k])->id = 0;
		}
	}
	/* The references held follow their registers' names. */
	for (unsigned i = 0; i < out->refs.n; i++)
		for (size_t j = 0; j < nren; j++)
			if (from->refs.id[i] == ren_f[j])
				out->refs.id[i] = ren_t[j];
	for (unsigned i = 1; i < out->refs.n; i++) /* keep them sorted */
		for (unsigned j = i; j > 0 && out->refs.id[j - 1] > out->refs.id[j]; j--) {
			uint32_t tmp = out->refs.id[j];

			out->refs.id[j] = out->refs.id[j - 1];
			out->refs.id[j - 1] = tmp;
		}
	return true;
}

bool bpfh_vids_for_leq(const struct bpfh_vstate *a, const struct bpfh_vstate *b,
		       struct bpfh_vstate *tmp)
{
	return rename_ids(a, b, tmp, NULL);
}

bool bpfh_vids_for_join(struct bpfh_vstate *a, const struct bpfh_vstate *b,
			struct bpfh_vstate *tmp)
{
	return rename_ids(b, a, tmp, a);
}
