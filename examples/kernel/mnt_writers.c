// SPDX-License-Identifier: GPL-2.0
/*
 * mnt_inc_writers(), mnt_dec_writers() and mnt_get_writers() from
 * fs/namespace.c (Linux v6.16; the same since v2.6.29 made the writer count
 * per-CPU), with the per-CPU struct mnt_pcp behind the __percpu pointer of
 * struct mount (fs/mount.h), and a harness for `percpu-sim check`.
 *
 * A writer bumps its own CPU's mnt_writers; the count of writers is the sum
 * over every CPU, which may be negative on one CPU and positive on another
 * (a task that migrated between mnt_want_write() and mnt_drop_write()).
 *
 * Trimmed: the !CONFIG_SMP branches, and struct mount down to mnt_pcp (its
 * other members are not touched here); the harness allocates mnt_pcp as
 * alloc_vfsmnt() does.
 *
 * The broken variant (-DBROKEN) is the classic misuse: raw_cpu_inc()/
 * raw_cpu_dec() in preemptible code. On x86-64 each is one `incl`, so
 * nothing is lost; on arm64 and asm-generic each is a load, an add and a
 * store, and a preemption in between loses another task's update, so the
 * count no longer returns to zero.
 *
 *   npx percpu-sim check examples/kernel/mnt_writers.c --arch all                    no violation
 *   npx percpu-sim check examples/kernel/mnt_writers.c -DBROKEN --arch arm64         a writer is lost
 */
#include <linux/kernel.h>
#include <linux/percpu.h>
#include <percpu-sim.h>

/* fs/mount.h */
struct mnt_pcp {
	int mnt_count;
	int mnt_writers;
};

struct mount {
	struct mnt_pcp __percpu *mnt_pcp;
};

#ifdef BROKEN
#define this_cpu_inc raw_cpu_inc
#define this_cpu_dec raw_cpu_dec
#endif

/* ---- fs/namespace.c ---- */

static inline void mnt_inc_writers(struct mount *mnt)
{
	this_cpu_inc(mnt->mnt_pcp->mnt_writers);
}

static inline void mnt_dec_writers(struct mount *mnt)
{
	this_cpu_dec(mnt->mnt_pcp->mnt_writers);
}

static unsigned int mnt_get_writers(struct mount *mnt)
{
	unsigned int count = 0;
	int cpu;

	for_each_possible_cpu(cpu) {
		count += per_cpu_ptr(mnt->mnt_pcp, cpu)->mnt_writers;
	}

	return count;
}

/* ---- harness ---- */

static struct mount mnt;

static void mount_init(void)
{
	mnt.mnt_pcp = alloc_percpu(struct mnt_pcp);
}

/* A write on the mount: mnt_want_write() … mnt_drop_write(). */
static void writer(void)
{
	mnt_inc_writers(&mnt);
	mnt_dec_writers(&mnt);
}

static bool no_writers_left(void)
{
	return mnt_get_writers(&mnt) == 0;
}

PERCPU_CPUS(2);
PERCPU_INIT(mount_init);
PERCPU_TASK(T1, 0, writer);
PERCPU_TASK(T2, 0, writer);
PERCPU_CHECK(no_writers_left);
