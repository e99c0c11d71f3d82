/* SPDX-License-Identifier: MIT */
/* The CLI's commands, one file each; main.c dispatches. */
#ifndef BPFH_CLI_H
#define BPFH_CLI_H

#include "bpfhost/obj.h"
#include "bpfhost/prog.h"

int cli_run(int argc, char **argv);
int cli_show(int argc, char **argv);
/* bpfhost show jited: the JIT's code of obj's programs (which: a name or section, or NULL). */
int cli_show_jited(const struct bpfh_object *obj, const char *which, int json);
/* bpfhost show verification FILE [SECTION|PROGRAM] [--verbose] [-j] [--type T] (verify.c):
 * the arguments after "verification"; returns the exit status (0, 1 rejected, 2 error). */
int cli_show_verification(int argc, char **argv);
/* Print every map of inst with its entries, as text or (json) one JSON array. */
void cli_dump_maps(struct bpfh_instance *inst, const struct bpfh_object *obj, int json);
/* Open an object file; type (a section name such as "xdp", or NULL) gives the program type of
 * programs whose section names do not tell. */
int cli_open_object(const char *path, const char *type, struct bpfh_log *log,
		    struct bpfh_object **out);
/* Whether a file's contents are an object file (ELF), else a program outside an object. */
int cli_is_object(const char *data, size_t size);
/* A program outside an object (file's contents in data): raw instructions when the name ends
 * in .bin, else conformance assembly text; 0 and a malloc'd copy, or a negative errno with a
 * log line. */
int cli_raw_program(const char *file, const char *data, size_t size, struct bpfh_insn **insns,
		    size_t *count, struct bpfh_log *log);
/* bpfhost show jited on such a program (never run: prepared unverified, for its code). */
int cli_show_jited_raw(const char *file, const char *data, size_t size, int json);
/* Hex bytes of s (white space allowed between them) into a malloc'd buffer: 0 or -EINVAL. */
int cli_parse_hex(const char *s, uint8_t **out, size_t *len);
/* Print s as a JSON string literal. */
void cli_json_string(const char *s);

#endif
