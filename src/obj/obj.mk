# obj: ELF, BTF, relocations, section names, map definitions
OBJ_SRCS :=
