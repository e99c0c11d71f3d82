# kernel differential test (BPF_PROG_TEST_RUN as root; skips elsewhere)
