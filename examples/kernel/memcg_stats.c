// SPDX-License-Identifier: GPL-2.0
/*
 * __mod_memcg_state() from mm/memcontrol.c (Linux v6.16) with the per-CPU
 * statistics of struct memcg_vmstats_percpu, updated from a task and from the
 * NET_RX softirq (socket memory charged on receive), and a harness for
 * `percpu-sim check`.
 *
 * Trimmed: memcg_stats_index() is the identity (the harness uses item
 * indexes directly) and its WARN_ONCE on a bad index is gone (variadic);
 * mem_cgroup_disabled() is false; memcg_rstat_updated(), the trace point and
 * memcg_state_val_in_pages() are left out (no rstat tree here); struct
 * mem_cgroup and struct memcg_vmstats_percpu are down to the state array.
 *
 * The broken variant (-DBROKEN) uses __this_cpu_add(): preemption is off
 * (get_cpu()), so DEBUG_PREEMPT is content, but a softirq on the same CPU
 * also updates the counter. On x86-64 the add is one `addq %gs:` and nothing
 * is lost; on arm64 and asm-generic it is a load, an add and a store, and the
 * softirq's update between them is overwritten.
 *
 *   npx percpu-sim check examples/kernel/memcg_stats.c --arch all                  no violation
 *   npx percpu-sim check examples/kernel/memcg_stats.c -DBROKEN --arch arm64       a charge is lost
 */
#include <linux/kernel.h>
#include <linux/percpu.h>
#include <linux/atomic.h>
#include <percpu-sim.h>

enum memcg_stat_item {
	MEMCG_SWAP,
	MEMCG_SOCK,
	MEMCG_PERCPU_B,
	MEMCG_NR_STAT,
};

struct memcg_vmstats_percpu {
	/* Local (CPU and cgroup) page state & events */
	long state[MEMCG_NR_STAT];
};

struct mem_cgroup {
	struct memcg_vmstats_percpu __percpu *vmstats_percpu;
};

#ifdef BROKEN
#define this_cpu_add __this_cpu_add
#endif

/**
 * __mod_memcg_state - update cgroup memory statistics
 * @memcg: the memory cgroup
 * @idx: the stat item - can be enum memcg_stat_item or enum node_stat_item
 * @val: delta to add to the counter, can be negative
 */
void __mod_memcg_state(struct mem_cgroup *memcg, enum memcg_stat_item idx,
		       int val)
{
	int i = idx;
	int cpu;

	cpu = get_cpu();

	this_cpu_add(memcg->vmstats_percpu->state[i], val);

	put_cpu();
}

/* ---- harness ---- */

static struct mem_cgroup memcg;

static void memcg_init(void)
{
	memcg.vmstats_percpu = alloc_percpu(struct memcg_vmstats_percpu);
}

/* A task charges one page of socket memory (sk_mem_charge on send). */
static void task(void)
{
	__mod_memcg_state(&memcg, MEMCG_SOCK, 1);
}

/* NET_RX: mem_cgroup_charge_skmem() for a received skb of two pages. */
static void net_rx(void)
{
	__mod_memcg_state(&memcg, MEMCG_SOCK, 2);
}

static atomic_t softirqs_run;

static void net_rx_counted(void)
{
	net_rx();
	atomic_inc(&softirqs_run);
}

/* Every charge is in the sum over CPUs: 1 from the task, 2 per softirq run. */
static bool charges_add_up(void)
{
	long sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += per_cpu_ptr(memcg.vmstats_percpu, cpu)->state[MEMCG_SOCK];
	return sum == 1 + 2 * atomic_read(&softirqs_run);
}

PERCPU_CPUS(2);
PERCPU_INIT(memcg_init);
PERCPU_TASK(T1, 0, task);
PERCPU_SOFTIRQ(NET_RX_SOFTIRQ, net_rx_counted, 1);
PERCPU_CHECK(charges_add_up);
