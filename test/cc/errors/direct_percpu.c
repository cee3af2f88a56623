/*
 * check-name: a per-CPU variable read without an op (sparse: noderef)
 * check-exit: 2
 * check-error: test/cc/errors/direct_percpu.c:8:25: error: per-CPU variable 'hits' accessed directly: use this_cpu_read(hits), this_cpu_write(hits, v) or *this_cpu_ptr(&hits) (sparse: dereference of noderef expression)
 */
#include <linux/percpu.h>
static DEFINE_PER_CPU(int, hits);
int peek(void) { return hits; }
