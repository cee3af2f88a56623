/*
 * check-name: DEFINE_PER_CPU inside a function
 * check-exit: 2
 * check-error: test/cc/errors/percpu_in_function.c:7:16: error: a per-CPU variable must be defined at file scope
 */
#include <linux/percpu.h>
void f(void) { DEFINE_PER_CPU(int, local_hits); }
