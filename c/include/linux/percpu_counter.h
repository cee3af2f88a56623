/* SPDX-License-Identifier: GPL-2.0 */
/*
 * linux/percpu_counter.h for percpu-cc: the API of include/linux/percpu_counter.h
 * (v6.16, CONFIG_SMP) on the runtime's counter, src/lib/percpu-counter.ts
 * (fast) and src/lib/percpu-counter-stepped.ts (stepped: lib/percpu_counter.c
 * instruction by instruction, so other CPUs, preemption and interrupts can
 * strike inside a call).
 *
 * struct percpu_counter is 40 bytes, aligned to 8, as the kernel's is on
 * x86-64 and arm64 (raw_spinlock_t lock; s64 count; struct list_head list; s32 __percpu
 * *counters), so structs that embed one keep the kernel's layout. Its lock,
 * count and deltas are the runtime's, which the object names by its address
 * from percpu_counter_init() on: the members here are placeholders, and C
 * that reads fbc->count directly is refused (no member named 'count') —
 * percpu_counter_read() is the way, as in the kernel.
 *
 * The runtime's counter is built as the machine's architecture builds
 * lib/percpu_counter.c: the this_cpu_try_cmpxchg loop on x86-64 and arm64
 * (CONFIG_HAVE_CMPXCHG_LOCAL), the local_irq_save one on asm-generic.
 *
 * examples/kernel/percpu_counter.c translates the kernel's own
 * lib/percpu_counter.c instead: it defines struct percpu_counter and the
 * functions itself and does not include this header (including both is a
 * redefinition, as it would be in the kernel).
 */
#ifndef _LINUX_PERCPU_COUNTER_H
#define _LINUX_PERCPU_COUNTER_H

#include <linux/types.h>
#include <linux/gfp.h>
#include <linux/kernel.h>

struct percpu_counter {
	unsigned long __percpu_sim_counter[5];
};

/* lib/percpu_counter.c: max(32, 2 * num_online_cpus()), recomputed on CPU hotplug. */
extern int percpu_counter_batch;

#define PERCPU_COUNTER_LOCAL_BATCH	INT_MAX

int percpu_counter_init(struct percpu_counter *fbc, s64 amount, gfp_t gfp);
void percpu_counter_destroy(struct percpu_counter *fbc);
bool percpu_counter_initialized(struct percpu_counter *fbc);
void percpu_counter_set(struct percpu_counter *fbc, s64 amount);
void percpu_counter_add_batch(struct percpu_counter *fbc, s64 amount, s32 batch);
void percpu_counter_add(struct percpu_counter *fbc, s64 amount);
void percpu_counter_add_local(struct percpu_counter *fbc, s64 amount);
void percpu_counter_sub(struct percpu_counter *fbc, s64 amount);
void percpu_counter_sub_local(struct percpu_counter *fbc, s64 amount);
void percpu_counter_inc(struct percpu_counter *fbc);
void percpu_counter_dec(struct percpu_counter *fbc);
void percpu_counter_sync(struct percpu_counter *fbc);
s64 percpu_counter_read(struct percpu_counter *fbc);
s64 percpu_counter_read_positive(struct percpu_counter *fbc);
s64 __percpu_counter_sum(struct percpu_counter *fbc);
s64 percpu_counter_sum(struct percpu_counter *fbc);
s64 percpu_counter_sum_positive(struct percpu_counter *fbc);
int __percpu_counter_compare(struct percpu_counter *fbc, s64 rhs, s32 batch);
int percpu_counter_compare(struct percpu_counter *fbc, s64 rhs);
bool __percpu_counter_limited_add(struct percpu_counter *fbc, s64 limit, s64 amount, s32 batch);
bool percpu_counter_limited_add(struct percpu_counter *fbc, s64 limit, s64 amount);

#endif /* _LINUX_PERCPU_COUNTER_H */
