/*
 * local_irq_save()/local_irq_restore() around a per-CPU update, nested: the
 * flags are unsigned long in C (test/cc/irqflags.test.ts).
 */
#include <linux/kernel.h>
#include <linux/percpu.h>
#include <linux/irqflags.h>

static DEFINE_PER_CPU(int, hits);

static unsigned long inner(void)
{
	unsigned long flags;

	local_irq_save(flags);
	__this_cpu_inc(hits);
	local_irq_restore(flags);
	return flags;
}

/* Returns the outer flags, and the inner ones in the upper half. */
unsigned long nested(void)
{
	unsigned long flags, in;

	local_irq_save(flags);
	in = inner();
	local_irq_restore(flags);
	return flags | (in << 32);
}
