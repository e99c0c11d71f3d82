# base: the caller's log
BASE_SRCS := src/base/log.c
