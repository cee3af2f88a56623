/*
 * check-name: a per-CPU try_cmpxchg's ovalp that is not &local
 * check-exit: 2
 * check-error: test/cc/errors/ovalp_not_local.c:12:36: unsupported: this_cpu_try_cmpxchg(): ovalp other than &local, pass the address of a local variable
 */
#include <linux/percpu.h>

static DEFINE_PER_CPU(int, hits);

bool f(int *old)
{
	return this_cpu_try_cmpxchg(hits, old, 1);
}
