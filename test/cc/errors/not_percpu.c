/*
 * check-name: a per-CPU op on an ordinary local
 * check-exit: 2
 * check-error: test/cc/errors/not_percpu.c:7:40: error: this_cpu_add() on 'x', which is not a per-CPU variable (sparse: incorrect type in argument: different address spaces)
 */
#include <linux/percpu.h>
void f(void) { int x = 0; this_cpu_inc(x); }
