/*
 * check-name: a per-CPU try_cmpxchg's ovalp pointing to a local narrower than the per-CPU variable
 * check-exit: 2
 * check-error: test/cc/errors/ovalp_type.c:14:36: error: this_cpu_try_cmpxchg(): ovalp must point to a local of the per-CPU variable's type ('int') or a wider integer
 */
#include <linux/percpu.h>

static DEFINE_PER_CPU(int, hits);

bool f(void)
{
	short old = 0;

	return this_cpu_try_cmpxchg(hits, &old, 1);
}
