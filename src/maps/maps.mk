# maps: one ops table, one file per map type
MAPS_SRCS :=
