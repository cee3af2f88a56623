/*
 * A C file that calls a function it only declares: the TypeScript module
 * sensor-stubs.ts (given with --stubs) provides it.
 */
#include <linux/percpu.h>

int read_sensor(int cpu);

static DEFINE_PER_CPU(long, last_reading);

long sample(void)
{
	int cpu = get_cpu();
	long v = read_sensor(cpu);

	this_cpu_write(last_reading, v);
	put_cpu();
	return v + this_cpu_read(last_reading);
}
