/*
 * check-name: DECLARE_PER_CPU with no DEFINE_PER_CPU in the file
 * check-exit: 2
 * check-error: test/cc/errors/declared_percpu.c:7:22: error: per-CPU variable 'elsewhere' is declared (DECLARE_PER_CPU) but not defined in this file: add DEFINE_PER_CPU(type, elsewhere)
 */
#include <linux/percpu.h>
DECLARE_PER_CPU(int, elsewhere);
int f(void) { return this_cpu_read(elsewhere); }
