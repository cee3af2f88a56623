/*
 * One atomic_inc() call site reached with two objects in turn, and one with
 * a global: test/cc/kptr-site.test.ts counts what each object received, and
 * that the call site refuses an object once kfree() has freed it.
 */
#include <linux/atomic.h>
#include <linux/slab.h>

struct obj {
	long pad;
	atomic_t refs;
};

static atomic_t calls;
static struct obj *a;
static struct obj *b;

void setup(void)
{
	a = kzalloc(sizeof(*a), GFP_KERNEL);
	b = kzalloc(sizeof(*b), GFP_KERNEL);
}

void get(int which)
{
	atomic_inc(&(which ? b : a)->refs);
	atomic_inc(&calls);
}

int refs(int which)
{
	return atomic_read(&(which ? b : a)->refs);
}

int total(void)
{
	return atomic_read(&calls);
}

void put(int which)
{
	kfree(which ? b : a);
}

/* A third object, allocated after the others (above them in memory). */
static struct obj *c;

void setup_third(void)
{
	c = kzalloc(sizeof(*c), GFP_KERNEL);
}

void put_third(void)
{
	kfree(c);
}
