// SPDX-License-Identifier: MIT
/* Time helpers, read from the platform's clocks. jiffies count at Linux's common HZ of 250. */
#include "helpers_int.h"
#include "../platform/platform.h"

#define BPFH_HZ 250

BPFH_HELPER_IMPL(ktime_get_ns)
{
	return bpfh_time_ns();
}

BPFH_HELPER_IMPL(ktime_get_boot_ns)
{
	return bpfh_time_boot_ns();
}

BPFH_HELPER_IMPL(ktime_get_coarse_ns)
{
	return bpfh_time_coarse_ns();
}

BPFH_HELPER_IMPL(ktime_get_tai_ns)
{
	return bpfh_time_tai_ns();
}

BPFH_HELPER_IMPL(jiffies64)
{
	return bpfh_time_ns() / (1000000000ull / BPFH_HZ);
}
