/*
 * check-name: a runtime call's out parameter (atomic_try_cmpxchg's old) that is not &local
 * check-exit: 2
 * check-error: test/cc/errors/out_param_not_local.c:12:32: unsupported: atomic_try_cmpxchg(): argument 2 other than &local, pass the address of a local variable
 */
#include <linux/atomic.h>

static atomic_t v;

bool f(int *old)
{
	return atomic_try_cmpxchg(&v, old, 1);
}
