// SPDX-License-Identifier: MIT
/*
 * The bind hook's test run (ebpf-for-windows' bind programs): ctx_in is a bind_md whose
 * app_id pointers are ignored; data_in is the application id (the executable's path), which
 * the context then points at, followed by a NUL that app_id_end points at (so that string
 * reads such as bpf_probe_read_kernel_str stop there). The verdict is BIND_PERMIT_SOFT,
 * _DENY, _REDIRECT or _PERMIT_HARD.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hooks.h"

struct bind_state {
	struct bpfh_bind_md md, saved;
};

static void reset_bind(void *arg)
{
	struct bind_state *s = arg;

	s->md = s->saved;
}

int bpfh_hook_bind_test_run(const struct bpfh_hook *hook, const struct bpfh_runner *runner,
			    struct bpfh_test_run_opts *opts)
{
	struct bind_state st;
	struct bpfh_env env;
	struct bpfh_invoke inv;
	struct bpfh_region region[2];
	uint8_t *app;
	int err;

	(void)hook;
	if (!opts->ctx_in || opts->ctx_size_in != sizeof(st.md) || opts->data_size_in > 4096)
		return -EINVAL;
	memcpy(&st.md, opts->ctx_in, sizeof(st.md));
	if (st.md.socket_address_length > sizeof(st.md.socket_address) || st.md.operation < 0 ||
	    st.md.operation > BPFH_BIND_OPERATION_UNBIND)
		return -EINVAL;
	app = malloc(opts->data_size_in + 1);
	if (!app)
		return -ENOMEM;
	if (opts->data_size_in)
		memcpy(app, opts->data_in, opts->data_size_in);
	app[opts->data_size_in] = '\0';
	st.md.app_id_start = (uint64_t)(uintptr_t)app;
	st.md.app_id_end = (uint64_t)(uintptr_t)(app + opts->data_size_in);
	st.saved = st.md;
	region[0].base = (uintptr_t)&st.md;
	region[0].size = sizeof(st.md);
	region[0].writable = 0;
	region[1].base = (uintptr_t)app;
	region[1].size = opts->data_size_in;
	region[1].writable = 0;
	bpfh_hook_prepare(&inv, &env, opts, (uint64_t)(uintptr_t)&st.md, region, 2);
	err = bpfh_hook_repeat(runner, &inv, opts, reset_bind, &st);
	if (!err && opts->ctx_out) {
		struct bpfh_bind_md out = st.md;

		out.app_id_start = out.app_id_end = 0;
		err = bpfh_hook_copy_out(opts->ctx_out, &opts->ctx_size_out, &out, sizeof(out));
	}
	free(app);
	return err;
}
