// SPDX-License-Identifier: MIT
/*
 * Every message the verifier can give is tested by a case: this reads the message formats out
 * of src/verify/NAME.c, runs every rejected case of tests/data/verify/NAME.data (format in
 * tests/harness/vcase.h) and checks that each format is the one that produced some case's log,
 * with the case's expected fragment naming it (at least 8 of the format's own characters, or
 * all of them for a shorter one, inside the fragment). One check per distinct format; an
 * uncovered one is printed with where it is. Run from the top of the tree, as make check does.
 *
 * The formats are the string literals (with the PRI macros of inttypes.h) given as
 *   fail(a, FORMAT, ...)                 a whole log line after "insn N (disassembly): "
 *   refuse(cfg, i, FORMAT, log)          the same, from cfg.c's structural checks
 *   snprintf(what, size, FORMAT, ...)    the same, built before refuse
 *   snprintf(why, size, FORMAT, ...)     a part (ctx.c), which mem.c's "%s: R%u %s" wraps
 * A part is matched as composed into each format that starts with %s (a case naming the part
 * covers both). A fail with a format that is not a literal is an error here: its texts could
 * not be checked. Internal errors (bpfh_va_internal, cfg.c's internal) are not messages: no
 * program causes them. In a log, a format's conversions match: d, i a signed number, u and x
 * digits, s and anything else any text. Where several formats match a log, the one with the
 * most characters of its own produced it.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfhost/verify.h"
#include "../../harness/vcase.h"
#include "../check.h"

#define MAX_FILES 512
#define MAX_FORMATS 512
#define MIN_OWN 8 /* characters of a format a fragment must contain to name it */

struct format {
	char *text;      /* the format as printf sees it */
	char where[96];  /* first place it is given: file:line */
	bool part;       /* the start of a message only: a wrapper's first %s */
	int parent[2];   /* a composed message: the part and the wrapper it is made of */
	size_t own;      /* characters outside conversions */
	unsigned covered;
};

static struct format formats[MAX_FORMATS];
static size_t nformats;
static unsigned cases_seen;

/* --- Reading formats out of C source --- */

struct src {
	const char *s;
	size_t i, n;
	unsigned line;
	const char *file;
};

static void advance(struct src *p, size_t k)
{
	while (k-- && p->i < p->n)
		if (p->s[p->i++] == '\n')
			p->line++;
}

/* Skip blanks and comments. */
static void skip_space(struct src *p)
{
	for (;;) {
		if (p->i < p->n && isspace((unsigned char)p->s[p->i]))
			advance(p, 1);
		else if (p->i + 1 < p->n && p->s[p->i] == '/' && p->s[p->i + 1] == '/')
			while (p->i < p->n && p->s[p->i] != '\n')
				advance(p, 1);
		else if (p->i + 1 < p->n && p->s[p->i] == '/' && p->s[p->i + 1] == '*') {
			advance(p, 2);
			while (p->i + 1 < p->n && !(p->s[p->i] == '*' && p->s[p->i + 1] == '/'))
				advance(p, 1);
			advance(p, 2);
		} else
			return;
	}
}

/* A string or character literal at p (its quote), into out if given (escapes \n, \t, \\, \"
 * and \' decoded; none other appears in the verifier's messages). */
static void literal(struct src *p, char *out, size_t *len, size_t cap)
{
	char q = p->s[p->i];

	advance(p, 1);
	while (p->i < p->n && p->s[p->i] != q) {
		char ch = p->s[p->i];

		if (ch == '\\' && p->i + 1 < p->n) {
			advance(p, 1);
			ch = p->s[p->i];
			ch = ch == 'n' ? '\n' : ch == 't' ? '\t' : ch;
		}
		if (out && *len + 1 < cap)
			out[(*len)++] = ch;
		advance(p, 1);
	}
	advance(p, 1);
}

/* One argument of a call (p just past "(" or ","): if it is made of string literals and PRI
 * macros only, its text into out (returns 1); 0 for anything else. Leaves p at the "," or ")"
 * that ends it. */
static int argument(struct src *p, char *out, size_t cap)
{
	size_t len = 0;
	int depth = 0, only_literals = 1, any = 0;

	for (;;) {
		skip_space(p);
		if (p->i >= p->n)
			break;
		char ch = p->s[p->i];

		if (depth == 0 && (ch == ',' || ch == ')'))
			break;
		if (ch == '"') {
			literal(p, depth ? NULL : out, &len, cap);
			any = 1;
			continue;
		}
		if (ch == '\'') {
			literal(p, NULL, &len, cap);
			only_literals = 0;
			continue;
		}
		if (isalpha((unsigned char)ch) || ch == '_') {
			size_t b = p->i;

			while (p->i < p->n && (isalnum((unsigned char)p->s[p->i]) || p->s[p->i] == '_'))
				advance(p, 1);
			/* PRIu32, PRId64, PRIx64, ...: the conversion letter */
			if (p->i - b >= 4 && !strncmp(p->s + b, "PRI", 3) && depth == 0) {
				if (len + 1 < cap)
					out[len++] = p->s[b + 3];
			} else {
				only_literals = 0;
			}
			continue;
		}
		if (ch == '(' || ch == '[' || ch == '{')
			depth++;
		else if (ch == ')' || ch == ']' || ch == '}')
			depth--;
		only_literals = 0;
		advance(p, 1);
	}
	out[len] = 0;
	return only_literals && any;
}

static size_t own_chars(const char *f)
{
	size_t n = 0;

	for (; *f; f++) {
		if (*f != '%') {
			n++;
			continue;
		}
		if (f[1] == '%') {
			n++;
			f++;
			continue;
		}
		while (f[1] && !isalpha((unsigned char)f[1]))
			f++;
		while (f[1] == 'z' || f[1] == 'l' || f[1] == 'h' || f[1] == 'j')
			f++;
		f++;
	}
	return n;
}

static void add_format(const char *file, unsigned line, const char *text, bool part)
{
	for (size_t k = 0; k < nformats; k++)
		if (!strcmp(formats[k].text, text) && formats[k].part == part)
			return;
	if (nformats == MAX_FORMATS) {
		CHECKF(0, "more than %d formats", MAX_FORMATS);
		return;
	}
	formats[nformats].text = malloc(strlen(text) + 1);
	if (!formats[nformats].text)
		abort();
	strcpy(formats[nformats].text, text);
	snprintf(formats[nformats].where, sizeof(formats[nformats].where), "%s:%u", file, line);
	formats[nformats].part = part;
	formats[nformats].parent[0] = formats[nformats].parent[1] = -1;
	formats[nformats].own = own_chars(text);
	nformats++;
}

/* The calls that give messages: the function, the argument holding the format, and for
 * snprintf the buffer (first argument) it writes. */
static const struct {
	const char *fn, *buffer;
	unsigned arg;
	bool part;
} callers[] = {
	{ "fail", NULL, 1, false },
	{ "refuse", NULL, 2, false },
	{ "snprintf", "what", 2, false },
	{ "snprintf", "why", 2, true },
};

static void scan_call(struct src *p, size_t k, unsigned line)
{
	char arg[1024];

	for (unsigned n = 0;; n++) {
		size_t start;
		int lit;

		advance(p, 1); /* "(" or "," */
		skip_space(p);
		start = p->i;
		lit = argument(p, arg, sizeof(arg));
		if (n == 0 && callers[k].buffer &&
		    (p->i - start != strlen(callers[k].buffer) ||
		     strncmp(p->s + start, callers[k].buffer, p->i - start)))
			return;
		if (n == callers[k].arg) {
			if (lit)
				add_format(p->file, line, arg, callers[k].part);
			else if (!callers[k].buffer && strcmp(callers[k].fn, "refuse")) {
				/* refuse(..., what, ...) takes what snprintf(what) built */
				CHECKF(0, "%s:%u: %s with a format that is not a literal", p->file,
				       line, callers[k].fn);
			}
			return;
		}
		if (p->i >= p->n || p->s[p->i] != ',')
			return;
	}
}

static void scan_source(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long size;
	struct src p;

	if (!CHECKF(f != NULL, "cannot open %s", path))
		return;
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)size + 1);
	if (!buf || fread(buf, 1, (size_t)size, f) != (size_t)size)
		abort();
	buf[size] = 0;
	fclose(f);
	p = (struct src){ .s = buf, .n = (size_t)size, .line = 1, .file = path };
	while (p.i < p.n) {
		char ch = p.s[p.i];

		if (ch == '"' || ch == '\'') {
			literal(&p, NULL, NULL, 0);
		} else if (ch == '/' && p.i + 1 < p.n && (p.s[p.i + 1] == '/' || p.s[p.i + 1] == '*')) {
			skip_space(&p);
		} else if (isalpha((unsigned char)ch) || ch == '_') {
			size_t b = p.i, len;
			unsigned line = p.line;

			while (p.i < p.n && (isalnum((unsigned char)p.s[p.i]) || p.s[p.i] == '_'))
				advance(&p, 1);
			len = p.i - b;
			skip_space(&p);
			if (p.i >= p.n || p.s[p.i] != '(')
				continue;
			for (size_t k = 0; k < sizeof(callers) / sizeof(callers[0]); k++) {
				struct src q = p;

				if (strlen(callers[k].fn) == len && !strncmp(p.s + b, callers[k].fn, len))
					scan_call(&q, k, line);
			}
		} else {
			advance(&p, 1);
		}
	}
	free(buf);
}

/* --- Matching a log against a format --- */

/* Each part in each wrapper (a message starting with %s): "P: R%u %s" from the part P and
 * the wrapper "%s: R%u %s". Only those logs show match. */
static void compose(void)
{
	size_t n = nformats;
	char text[2048];

	for (size_t i = 0; i < n; i++)
		for (size_t w = 0; w < n && formats[i].part; w++) {
			if (formats[w].part || strncmp(formats[w].text, "%s", 2))
				continue;
			snprintf(text, sizeof(text), "%s%s", formats[i].text, formats[w].text + 2);
			add_format(formats[i].where, 0, text, false);
			formats[nformats - 1].parent[0] = (int)i;
			formats[nformats - 1].parent[1] = (int)w;
		}
}

/* Does s (up to its end or a newline) match f? Marks in own[] the characters of s that the
 * format's own characters matched. */
static bool match(const char *f, const char *s, size_t j, bool *own)
{
	char conv;
	size_t k;

	if (!*f)
		return !s[j] || s[j] == '\n';
	if (*f != '%' || f[1] == '%') {
		if (s[j] != *f)
			return false;
		if (!match(f + (*f == '%' ? 2 : 1), s, j + 1, own))
			return false;
		own[j] = true;
		return true;
	}
	f++;
	while (*f && !isalpha((unsigned char)*f))
		f++;
	while (*f == 'z' || *f == 'l' || *f == 'h' || *f == 'j')
		f++;
	conv = *f;
	if (conv)
		f++;
	if (conv == 'd' || conv == 'i' || conv == 'u' || conv == 'x') {
		k = j;
		if ((conv == 'd' || conv == 'i') && s[k] == '-')
			k++;
		if (!(conv == 'x' ? isxdigit((unsigned char)s[k]) : isdigit((unsigned char)s[k])))
			return false;
		/* numbers end where their digits do */
		while (conv == 'x' ? isxdigit((unsigned char)s[k]) : isdigit((unsigned char)s[k]))
			k++;
		return match(f, s, k, own);
	}
	for (k = j;; k++) {
		if (match(f, s, k, own))
			return true;
		if (!s[k] || s[k] == '\n')
			return false;
	}
}

static void check_case(void *arg, const char *file, const struct vcase *c, const char *problem)
{
	char logbuf[4096];
	struct bpfh_log log;
	struct bpfh_insn *insns = NULL;
	size_t count = 0;
	struct bpfh_verify_prog_type type;
	struct bpfh_verify_input in;
	struct bpfh_verify_result res;
	const char *cause, *frag;
	bool own[4096];
	size_t best = 0;

	(void)arg;
	/* Problems with a case are test-verify-cases's to report. */
	if (problem || !c->asm_text || c->verdict != 0 || !c->message[0] || vcase_type(c, &type))
		return;
	bpfh_log_init(&log, logbuf, sizeof(logbuf));
	if (bpfh_asm(c->asm_text, c->name, c->asm_line, &insns, &count, &log))
		return;
	vcase_input(c, &type, insns, count, &in);
	bpfh_log_init(&log, logbuf, sizeof(logbuf));
	if (bpfh_verify(&in, &res, &log) != -EACCES)
		goto out;
	frag = strstr(logbuf, c->message);
	/* the cause follows "insn N (disassembly): " */
	cause = strstr(logbuf, "): ");
	if (!frag || !cause || strncmp(logbuf, "insn ", 5))
		goto out;
	cause += 3;
	cases_seen++;
	/* The most specific message that matches (parts only as composed). */
	for (int pass = 0; pass < 2; pass++)
		for (size_t k = 0; k < nformats; k++) {
			struct format *fm = &formats[k];
			size_t in_frag = 0, need;

			if (fm->part || fm->own < best)
				continue;
			memset(own, 0, sizeof(own));
			if (!match(fm->text, cause, 0, own))
				continue;
			if (pass == 0) {
				best = fm->own;
				continue;
			}
			for (const char *q = frag; q < frag + strlen(c->message); q++)
				if (q >= cause && own[q - cause])
					in_frag++;
			need = fm->own < MIN_OWN ? fm->own : MIN_OWN;
			if (in_frag < need) {
				if (getenv("BPFH_VERIFY_VERBOSE"))
					printf("%s: %s: fragment \"%s\" names too little of \"%s\"\n",
					       file, c->name, c->message, fm->text);
				continue;
			}
			fm->covered++;
			for (int i = 0; i < 2; i++)
				if (fm->parent[i] >= 0)
					formats[fm->parent[i]].covered++;
		}
	if (getenv("BPFH_VERIFY_VERBOSE") && !best)
		printf("%s: %s: no format matches: %s", file, c->name, logbuf);
out:
	free(insns);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(void)
{
	static char *names[MAX_FILES];
	const char *dir = "src/verify";
	struct dirent *e;
	DIR *d = opendir(dir);
	size_t nsrc = 0, covered = 0;
	int n;

	if (!CHECKF(d != NULL, "%s: not found (run from the top of the tree)", dir))
		return check_summary("verify-messages");
	while ((e = readdir(d)) != NULL && nsrc < MAX_FILES) {
		size_t len = strlen(e->d_name);

		if (len > 2 && !strcmp(e->d_name + len - 2, ".c")) {
			names[nsrc] = malloc(strlen(dir) + len + 2);
			if (!names[nsrc])
				abort();
			sprintf(names[nsrc++], "%s/%s", dir, e->d_name);
		}
	}
	closedir(d);
	qsort(names, nsrc, sizeof(names[0]), cmp_str);
	for (size_t i = 0; i < nsrc; i++) {
		scan_source(names[i]);
		free(names[i]);
	}
	/* The reader must find the messages: fail alone gives over a hundred. */
	CHECKF(nformats >= 100, "only %zu formats found in %s", nformats, dir);
	nsrc = nformats; /* the messages; compositions follow */
	compose();

	n = vcase_list_dir("tests/data/verify", names, MAX_FILES);
	CHECKF(n > 0, "tests/data/verify: no cases");
	for (int i = 0; i < n; i++) {
		vcase_read_file(names[i], check_case, NULL);
		free(names[i]);
	}
	for (size_t k = 0; k < nformats; k++) {
		if (k < nsrc) {
			covered += formats[k].covered > 0;
			CHECKF(formats[k].covered, "%s: no case expects the message \"%s\"",
			       formats[k].where, formats[k].text);
		}
		free(formats[k].text);
	}
	printf("verify-messages: %zu messages in %s, %zu covered by the %u rejected cases with a "
	       "message\n", nsrc, dir, covered, cases_seen);
	return check_summary("verify-messages");
}
