/*
 * check-name: xchg() of a value that is not a pointer
 * check-exit: 2
 * check-error: test/cc/errors/xchg_not_pointer.c:9:30: error: invalid type argument of unary '*' (have 'int')
 */
#include <linux/atomic.h>

static int x;
int f(void) { return cmpxchg(x, 0, 1); }
