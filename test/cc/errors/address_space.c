/*
 * check-name: a __percpu pointer assigned to an ordinary pointer (sparse: address spaces)
 * check-exit: 2
 * check-error: test/cc/errors/address_space.c:8:25: error: incorrect type: 'int __percpu *' to 'int *' (sparse: different address spaces)
 */
#include <linux/percpu.h>
static DEFINE_PER_CPU(int, hits);
void f(void) { int *p = &hits; }
