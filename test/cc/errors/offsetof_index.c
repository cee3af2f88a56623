/*
 * check-name: offsetof with a variable index
 * check-exit: 2
 * check-error: test/cc/errors/offsetof_index.c:8:53: unsupported: offsetof with a variable index, use a constant index
 */
#include <linux/stddef.h>
struct v { int x[4]; };
unsigned long f(int i) { return offsetof(struct v, x[i]); }
