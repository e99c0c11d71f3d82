# obj: ELF, BTF (reading and writing), relocations, CO-RE, section names, map definitions
OBJ_SRCS := src/obj/open.c src/obj/elf.c src/obj/btf.c src/obj/btf_ext.c src/obj/sections.c \
	src/obj/maps.c src/obj/kconfig.c src/obj/reloc.c src/obj/link.c \
	src/obj/btf_build.c src/obj/core.c
