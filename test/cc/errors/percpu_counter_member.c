/*
 * check-name: a member of the runtime's struct percpu_counter read directly
 * check-exit: 2
 * check-error: test/cc/errors/percpu_counter_member.c:9:24: error: 'struct percpu_counter' has no member named 'count'
 */
#include <linux/percpu_counter.h>

static struct percpu_counter nr;
s64 f(void) { return nr.count; }
