/*
 * check-name: xchg() on a per-CPU variable's address
 * check-exit: 2
 * check-error: test/cc/errors/xchg_percpu.c:10:28: error: xchg() on the __percpu pointer '&slot' (sparse: different address spaces): use this_cpu_xchg() on the per-CPU variable, or xchg() on per_cpu_ptr()/this_cpu_ptr() of it
 */
#include <linux/percpu.h>
#include <linux/atomic.h>

static DEFINE_PER_CPU(int, slot);
int f(int v) { return xchg(&slot, v); }
