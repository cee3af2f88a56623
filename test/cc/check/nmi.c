/*
 * Fixture for percpu-sim check: contexts the translator binds (irqs off,
 * migrate_disable, bottom halves, in_nmi) and an NMI handler. raw_cpu_add()
 * with interrupts disabled is not safe against an NMI that updates the same
 * variable: fine on x86-64 (one addl), a lost update on arm64 (ldr/add/str).
 */
#include <linux/kernel.h>
#include <linux/percpu.h>
#include <linux/irqflags.h>
#include <linux/bottom_half.h>
#include <percpu-sim.h>

static DEFINE_PER_CPU(int, events);
static DEFINE_PER_CPU(int, nmis_seen);

static void task(void)
{
	unsigned long flags;

	local_irq_save(flags);
	raw_cpu_add(events, 1);
	local_irq_restore(flags);

	migrate_disable();
	this_cpu_inc(events);
	migrate_enable();

	local_bh_disable();
	__this_cpu_inc(events);
	local_bh_enable();
}

static void nmi(void)
{
	if (in_nmi() && !in_task())
		this_cpu_inc(nmis_seen);
	raw_cpu_add(events, 1);
}

static bool all_counted(void)
{
	int cpu, sum = 0, seen = 0;

	for_each_possible_cpu(cpu) {
		sum += per_cpu(events, cpu);
		seen += per_cpu(nmis_seen, cpu);
	}
	return sum == 3 + seen;
}

PERCPU_CPUS(1);
PERCPU_TASK(T1, 0, task);
PERCPU_NMI(perf_nmi, nmi, 1);
PERCPU_CHECK(all_counted);
