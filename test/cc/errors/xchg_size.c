/*
 * check-name: cmpxchg() of an object that is not an integer or a pointer
 * check-exit: 2
 * check-error: test/cc/errors/xchg_size.c:10:24: error: cmpxchg() on 'p' of type 'struct pair': it takes an integer or pointer object of 1, 2, 4 or 8 bytes (the kernel's __cmpxchg_wrong_size)
 */
#include <linux/atomic.h>

struct pair { int a, b; };
static struct pair p;
void f(void) { cmpxchg(&p, 0, 1); }
