/*
 * The percpu_counter API of <linux/percpu_counter.h> from translated C
 * (test/cc/percpu-counter.test.ts): every call, with exact s64 results, on a
 * counter that is a member of a struct in machine memory.
 */
#include <linux/kernel.h>
#include <linux/percpu_counter.h>

struct fs_stats {
	int flags;
	struct percpu_counter files;
	long tail;
};

static struct fs_stats st = { .flags = 3, .tail = -7 };

int t_init(s64 v)
{
	return percpu_counter_init(&st.files, v, GFP_KERNEL);
}

s64 t_ops(s64 a)
{
	struct percpu_counter *fbc = &st.files;

	percpu_counter_add(fbc, a);
	percpu_counter_inc(fbc);
	percpu_counter_dec(fbc);
	percpu_counter_sub(fbc, 2);
	percpu_counter_add_local(fbc, 5);
	percpu_counter_sub_local(fbc, 1);
	/* |count + 7| >= 4: folded into the s64 count under the lock. */
	percpu_counter_add_batch(fbc, 7, 4);
	return percpu_counter_sum(fbc);
}

s64 t_read(void)
{
	return percpu_counter_read(&st.files);
}

s64 t_read_positive(void)
{
	return percpu_counter_read_positive(&st.files);
}

s64 t_sum(void)
{
	return __percpu_counter_sum(&st.files) * 1000 + percpu_counter_sum_positive(&st.files);
}

int t_compare(s64 rhs)
{
	return percpu_counter_compare(&st.files, rhs) * 10 + __percpu_counter_compare(&st.files, rhs, 1);
}

void t_add(s64 a)
{
	percpu_counter_add(&st.files, a);
}

void t_set(s64 v)
{
	percpu_counter_set(&st.files, v);
}

void t_sync(void)
{
	percpu_counter_sync(&st.files);
}

int t_batch(void)
{
	return percpu_counter_batch;
}

int t_initialized(void)
{
	return percpu_counter_initialized(&st.files);
}

void t_destroy(void)
{
	percpu_counter_destroy(&st.files);
}

/* The struct around the counter keeps the kernel's layout: 40 bytes at offset 8. */
unsigned long t_layout(void)
{
	return sizeof(struct percpu_counter) * 10000 + offsetof(struct fs_stats, tail) * 100 + st.flags + st.tail;
}

int t_limited(s64 limit, s64 amount)
{
	return percpu_counter_limited_add(&st.files, limit, amount) * 10 +
	       __percpu_counter_limited_add(&st.files, limit, amount, 1);
}
