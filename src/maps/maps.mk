# maps: one ops table, one file per map type (src/maps/maps_int.h is their private header)
MAPS_SRCS := src/maps/map.c src/maps/array.c src/maps/htab.c src/maps/lpm_trie.c \
	src/maps/obj_array.c src/maps/map_in_map.c src/maps/queue_stack.c src/maps/bloom_filter.c \
	src/maps/ringbuf.c src/maps/perf_event_array.c src/maps/devmap.c
