/*
 * A variable index into a per-CPU member (test/cc/index.test.ts):
 * this_cpu ops on x.a[i] and s->a[i] for a __percpu pointer s, and
 * per_cpu_ptr(p, cpu)->a[i]; an index out of range is UBSAN's oops with the C
 * line, before anything is read or written.
 */
#include <linux/kernel.h>
#include <linux/percpu.h>

struct pcp_stats {
	u64 hits;
	int counts[4];
	u16 small[3];
};

struct holder {
	struct pcp_stats __percpu *s;
};

static DEFINE_PER_CPU(struct pcp_stats, pst);
static struct holder h;

void t_init(void)
{
	h.s = alloc_percpu(struct pcp_stats);
}

int t_inc(int i, int v)
{
	this_cpu_add(pst.counts[i], v);
	return this_cpu_read(pst.counts[i]);
}

int t_inc_ptr(int i, int v)
{
	struct pcp_stats __percpu *s = h.s;

	this_cpu_add(s->counts[i], v);
	__this_cpu_add(s->small[i], 1);
	return this_cpu_read(s->counts[i]) * 100 + this_cpu_read(s->small[i]);
}

int t_remote(int cpu, int i)
{
	return per_cpu_ptr(&pst, cpu)->counts[i] + per_cpu_ptr(h.s, cpu)->counts[i];
}

long t_total(void)
{
	long sum = 0;
	int cpu, i;

	for_each_possible_cpu(cpu)
		for (i = 0; i < 4; i++)
			sum += per_cpu(pst.counts[i], cpu) * (i + 1);
	return sum;
}

int t_small(int i)
{
	return this_cpu_read(pst.small[i]);
}

/* A __percpu pointer indexed as an array: p[i] is *(p + i). */
int t_ptr_index(int i, int v)
{
	int __percpu *p = &pst.counts[0];

	this_cpu_add(p[i], v);
	return this_cpu_read(*(p + i));
}
