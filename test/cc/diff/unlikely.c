/*
 * Differential fixture: unlikely() branches. In the fast flavour a branch
 * that leaves the function on every path becomes a function of its own
 * (`<fn>$cold`), given the caller's locals by value; these functions check
 * that the moved branch computes what gcc computes: locals and parameters
 * read and written in it, a branch inside a loop (with the loop's own
 * variable), returns nested in it, loops inside it, memory and per-CPU
 * variables written from it, a branch next to an else, a local shadowed in
 * it, the conversion of its return value, and percpu_counter_add_batch()'s
 * shape (a try_cmpxchg loop around the branch). Branches that may jump out
 * (break) or fall through stay in line and must agree too.
 *
 * The last two are percpu_counter_add_batch() itself on a counter in memory:
 * in the first the loop's test takes `fbc->counters` as loaded before the
 * loop (nothing stores in between), in the second the loop body changes
 * `fbc->counters` before the test, which must then load it again.
 */
#include <linux/kernel.h>
#include <linux/percpu.h>

static DEFINE_PER_CPU(int, pc32) = 5;
static DEFINE_PER_CPU(int, pc_other);

static int calls;
static s64 folded;

int t_params(int a, int b)
{
	if (unlikely(a > b)) {
		a -= b;
		b = a * 3;
		return a + b;
	}
	return a - b;
}

int t_locals(int a, int b)
{
	int x = a ^ b;
	long long y = a;

	if (unlikely(x < 0)) {
		x = -x;
		y += x;
		return (int)(y >> 1);
	}
	return x + (int)y;
}

int t_in_loop(int n, int k)
{
	int s = 0;

	for (int i = 0; i < (n & 63); i++) {
		s += i;
		if (unlikely(s > k)) {
			s -= k;
			return s * 2 + i;
		}
	}
	return s;
}

int t_nested_return(int a, int b)
{
	if (unlikely(a & 1)) {
		if (b > 0)
			return b;
		b = -b;
		if (b > 100) {
			a += b;
			return 100 + a;
		}
		return b;
	}
	return a;
}

int t_loop_inside(int a, unsigned int n)
{
	if (unlikely(a < 0)) {
		int s = 0;

		n &= 15;
		while (n--)
			s += a;
		return s;
	}
	return a;
}

int t_break_stays(int a, int b)
{
	if (unlikely(a > 0)) {
		for (int i = 0; i < 5; i++) {
			if (a > b)
				break;
			a += 1000;
		}
		return a;
	}
	return 0;
}

int t_falls_through(int a, int b)
{
	if (unlikely(a > b)) {
		a = b;
		b++;
	}
	return a * 2 + b;
}

int t_static(int a)
{
	static int hits;

	if (unlikely(a % 3 == 0)) {
		hits += a;
		calls++;
		return hits + calls;
	}
	return a + hits;
}

int t_pcpu(int a)
{
	if (unlikely(a > 10)) {
		this_cpu_add(pc32, a);
		return this_cpu_read(pc32);
	}
	return this_cpu_add_return(pc32, 1);
}

u64 t_u64(u64 a, u64 b)
{
	if (unlikely(a > b)) {
		a = a * b + 7;
		return a - b;
	}
	return a + b * 3;
}

int t_else(int a, int b)
{
	if (unlikely(a == b)) {
		a++;
		return a * 2;
	} else {
		b--;
	}
	return a + b;
}

int t_likely_stays(int a)
{
	if (likely(a > 0)) {
		a *= 2;
		return a;
	}
	return -a;
}

int t_shadow(int a, int b)
{
	int x = a;

	if (unlikely(x > b)) {
		int x = b * 2;

		a += x;
		return a;
	}
	return x;
}

u8 t_u8(int a)
{
	if (unlikely(a > 200)) {
		a += 100;
		return a;
	}
	return a;
}

/* percpu_counter_add_batch()'s shape, with the fold into a static. */
s64 t_batch(s64 amount, int seed)
{
	s64 count;

	this_cpu_write(pc32, seed % 40);
	count = this_cpu_read(pc32);
	do {
		if (unlikely(abs(count + amount) >= 32)) {
			count = __this_cpu_read(pc32);
			folded += count + amount;
			this_cpu_sub(pc32, count);
			return folded;
		}
	} while (!this_cpu_try_cmpxchg(pc32, &count, count + amount));
	return this_cpu_read(pc32) + folded * 100;
}

struct pcounter {
	s64 count;
	int __percpu *counters;
};

static struct pcounter pcnt;

s64 t_shared_load(s64 amount, int seed)
{
	struct pcounter *fbc = &pcnt;
	s64 count;

	fbc->counters = &pc32;
	this_cpu_write(*fbc->counters, seed % 40);
	count = this_cpu_read(*fbc->counters);
	do {
		if (unlikely(abs(count + amount) >= 32)) {
			count = this_cpu_read(*fbc->counters);
			fbc->count += count + amount;
			this_cpu_sub(*fbc->counters, count);
			return fbc->count;
		}
	} while (!this_cpu_try_cmpxchg(*fbc->counters, &count, count + amount));
	return this_cpu_read(*fbc->counters) + fbc->count * 100;
}

s64 t_moved_load(s64 amount, int seed)
{
	struct pcounter *fbc = &pcnt;
	s64 count;
	int passes = 0;

	fbc->counters = &pc32;
	this_cpu_write(pc32, seed & 31);
	this_cpu_write(pc_other, 3);
	count = this_cpu_read(*fbc->counters);
	do {
		if (passes++ == 0)
			fbc->counters = &pc_other;
	} while (!this_cpu_try_cmpxchg(*fbc->counters, &count, count + amount));
	return this_cpu_read(pc32) * 1000 + this_cpu_read(pc_other) + passes * 100000;
}
