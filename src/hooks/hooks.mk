# hooks: program-type providers (context, return range, test run), the contexts' BTF
HOOKS_SRCS := src/hooks/table.c src/hooks/invoke.c src/hooks/xdp.c src/hooks/skb.c \
	src/hooks/ctx_only.c src/hooks/bind.c src/hooks/memory.c \
	src/hooks/context_btf.c
