/*
 * check-name: a runtime call's out parameter pointing to a global, not a local of the pointee type
 * check-exit: 2
 * check-error: test/cc/errors/out_param_type.c:13:32: error: atomic_try_cmpxchg(): argument 2 must point to a local of type 'int'
 */
#include <linux/atomic.h>

static atomic_t v;
static int seen;

bool f(void)
{
	return atomic_try_cmpxchg(&v, &seen, 1);
}
