/*
 * check-name: try_cmpxchg() with oldp pointing to another type
 * check-exit: 2
 * check-error: test/cc/errors/try_cmpxchg_oldp.c:13:25: error: try_cmpxchg(): incompatible pointer types: oldp is 'long *', ptr is 'int *'
 */
#include <linux/atomic.h>

static int n;
bool f(int v)
{
	long old = 0;

	return try_cmpxchg(&n, &old, v);
}
