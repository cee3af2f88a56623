/*
 * check-name: a function-like macro called with the wrong number of arguments
 * check-exit: 2
 * check-error: test/cc/errors/macro_args.c:8:16: error: macro 'this_cpu_add' requires 2 arguments, but 1 given
 */
#include <linux/percpu.h>
static DEFINE_PER_CPU(int, hits);
void f(void) { this_cpu_add(hits); }
