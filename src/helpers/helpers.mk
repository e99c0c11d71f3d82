# helpers: the helper table and one file per concern
HELPERS_SRCS := src/helpers/table.c src/helpers/format.c src/helpers/map_helpers.c \
	src/helpers/time.c src/helpers/process.c src/helpers/trace.c src/helpers/mem.c \
	src/helpers/net.c src/helpers/control.c src/helpers/events.c
