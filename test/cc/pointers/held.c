/*
 * A __percpu pointer kept in ordinary memory, replaced and reloaded: each
 * load must give the pointer last stored, or NULL before any (test/cc/pointers.test.ts).
 */
#include <linux/kernel.h>
#include <linux/percpu.h>

static DEFINE_PER_CPU(int, a) = 10;
static DEFINE_PER_CPU(int, b) = 20;

struct holder {
	int __percpu *p;
};

static struct holder h;

int read_through(int which)
{
	if (which == 1)
		h.p = &a;
	else if (which == 2)
		h.p = &b;
	if (!h.p)
		return -1;
	return this_cpu_read(*h.p);
}
