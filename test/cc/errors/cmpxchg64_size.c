/*
 * check-name: cmpxchg64() of an object that is not 8 bytes
 * check-exit: 2
 * check-error: test/cc/errors/cmpxchg64_size.c:9:33: error: cmpxchg64() on 'n' of type 'u32', which is 4 bytes, not 8 (BUILD_BUG_ON(sizeof(*(ptr)) != 8))
 */
#include <linux/atomic.h>

static u32 n;
u32 f(u32 o) { return cmpxchg64(&n, o, o + 1); }
