// SPDX-License-Identifier: GPL-2.0
/*
 * The bench's entry into examples/kernel/percpu_counter.c (Linux v6.11's
 * percpu_counter_add_batch(), GPL-2.0, see that file): its counter `fbc` is
 * static there, so the bench adds through this function of the same
 * translation unit. bench/groups/cc.ts times it against the same function
 * written by hand.
 */
#include "../../examples/kernel/percpu_counter.c"

void bench_add(s64 amount)
{
	percpu_counter_add_batch(&fbc, amount, 32);
}

s64 bench_sum(void)
{
	return __percpu_counter_sum(&fbc);
}
