// SPDX-License-Identifier: GPL-2.0
/*
 * dev_sw_netstats_rx_add() from include/linux/netdevice.h and
 * dev_fetch_sw_netstats() from net/core/dev.c (Linux v6.16), with struct
 * pcpu_sw_netstats, and a harness for `percpu-sim check`.
 *
 * A driver's receive path adds to this CPU's counters inside
 * u64_stats_update_begin()/end(); a reader sums every CPU's counters, each
 * read between u64_stats_fetch_begin() and u64_stats_fetch_retry(). On a
 * 64-bit kernel the sync is empty and each u64_stats_t is one local64_t: the
 * writer must not be preempted or migrated (it runs in softirq context, or
 * with bottom halves disabled), so that nothing else updates the same CPU's
 * counters in the middle of its read-modify-write.
 *
 * Trimmed: struct net_device down to tstats; struct rtnl_link_stats64 down
 * to the four counters dev_fetch_sw_netstats() fills.
 *
 * The broken variant (-DBROKEN) is the classic misuse: a task calls
 * dev_sw_netstats_rx_add() with bottom halves (and preemption) enabled.
 * DEBUG_PREEMPT reports this_cpu_ptr() in preemptible code, with the
 * kernel's wording.
 *
 *   npx percpu-sim check examples/kernel/netstats.c --arch all      no violation
 *   npx percpu-sim check examples/kernel/netstats.c -DBROKEN        BUG: using smp_processor_id() in preemptible
 */
#include <linux/kernel.h>
#include <linux/percpu.h>
#include <linux/bottom_half.h>
#include <linux/u64_stats_sync.h>
#include <percpu-sim.h>

/* include/linux/netdevice.h */
struct pcpu_sw_netstats {
	u64_stats_t		rx_packets;
	u64_stats_t		rx_bytes;
	u64_stats_t		tx_packets;
	u64_stats_t		tx_bytes;
	struct u64_stats_sync	syncp;
} __aligned(4 * sizeof(u64));

struct net_device {
	struct pcpu_sw_netstats __percpu *tstats;
};

/* include/uapi/linux/if_link.h */
struct rtnl_link_stats64 {
	u64 rx_packets;
	u64 tx_packets;
	u64 rx_bytes;
	u64 tx_bytes;
};

static inline void dev_sw_netstats_rx_add(struct net_device *dev, unsigned int len)
{
	struct pcpu_sw_netstats *tstats = this_cpu_ptr(dev->tstats);

	u64_stats_update_begin(&tstats->syncp);
	u64_stats_add(&tstats->rx_bytes, len);
	u64_stats_inc(&tstats->rx_packets);
	u64_stats_update_end(&tstats->syncp);
}

/* net/core/dev.c */
void dev_fetch_sw_netstats(struct rtnl_link_stats64 *s,
			   const struct pcpu_sw_netstats __percpu *netstats)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		u64 rx_packets, rx_bytes, tx_packets, tx_bytes;
		const struct pcpu_sw_netstats *stats;
		unsigned int start;

		stats = per_cpu_ptr(netstats, cpu);
		do {
			start = u64_stats_fetch_begin(&stats->syncp);
			rx_packets = u64_stats_read(&stats->rx_packets);
			rx_bytes   = u64_stats_read(&stats->rx_bytes);
			tx_packets = u64_stats_read(&stats->tx_packets);
			tx_bytes   = u64_stats_read(&stats->tx_bytes);
		} while (u64_stats_fetch_retry(&stats->syncp, start));

		s->rx_packets += rx_packets;
		s->rx_bytes   += rx_bytes;
		s->tx_packets += tx_packets;
		s->tx_bytes   += tx_bytes;
	}
}

/* ---- harness ---- */

static struct net_device dev;
static struct rtnl_link_stats64 seen;

static void netdev_init(void)
{
	dev.tstats = alloc_percpu(struct pcpu_sw_netstats);
}

/* NAPI poll in NET_RX softirq context: one 1500-byte frame. */
static void net_rx(void)
{
	dev_sw_netstats_rx_add(&dev, 1500);
}

/* A task that receives a 60-byte frame itself (a tunnel's xmit-to-self path). */
static void local_rx(void)
{
#ifndef BROKEN
	local_bh_disable();
#endif
	dev_sw_netstats_rx_add(&dev, 60);
#ifndef BROKEN
	local_bh_enable();
#endif
}

/*
 * ip -s link: the totals, read with dev_fetch_sw_netstats() once every frame
 * is in. Every frame is counted once: 60 bytes for the task's, 1500 for each
 * softirq's. (A reader task running beside the writers multiplies the
 * schedules past what a test should take; on 64-bit its retry loop never
 * retries, so the final read covers its code.)
 */
static bool totals_match(void)
{
	struct rtnl_link_stats64 *s = &seen;
	u64 frames, bytes;

	s->rx_packets = 0;
	s->rx_bytes = 0;
	dev_fetch_sw_netstats(s, dev.tstats);
	frames = s->rx_packets;
	bytes = s->rx_bytes;
	return frames >= 1 && bytes == 60 + (frames - 1) * 1500;
}

PERCPU_CPUS(2);
PERCPU_INIT(netdev_init);
PERCPU_TASK(T1, 0, local_rx);
PERCPU_SOFTIRQ(NET_RX_SOFTIRQ, net_rx, 1);
PERCPU_CHECK(totals_match);
