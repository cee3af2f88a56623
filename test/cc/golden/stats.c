/*
 * Golden fixture: a per-CPU struct with an array member, a global struct
 * with a designated initializer, member and element access through pointers.
 * Its translation (stats.ts, stats-stepped.ts) is committed; `make check`
 * fails if a fresh translation differs.
 */
#include <linux/percpu.h>
#include <linux/kernel.h>

#define NR_KINDS 4

struct rx_stats {
	u64 packets;
	u32 drops[NR_KINDS];
	s8 diff;
};

struct config {
	int threshold;
	struct rx_stats __percpu *stats;
};

static DEFINE_PER_CPU(struct rx_stats, rx);
static struct config cfg = { .threshold = 3 };

void rx_one(unsigned int kind)
{
	this_cpu_inc(rx.packets);
	if (kind < ARRAY_SIZE(rx.drops))
		this_cpu_add(rx.drops[kind], 1);
	if (this_cpu_dec_return(rx.diff) < -cfg.threshold)
		this_cpu_write(rx.diff, 0);
}

u64 rx_total(void)
{
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu) {
		struct rx_stats *s = per_cpu_ptr(&rx, cpu);

		sum += s->packets + s->drops[0];
	}
	return sum;
}

void rx_publish(void)
{
	cfg.stats = &rx;
	this_cpu_add(cfg.stats->drops[1], 2);
}
