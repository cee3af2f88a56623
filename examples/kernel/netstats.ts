// SPDX-License-Identifier: GPL-2.0
/**
 * Software network statistics per CPU, from include/linux/netdevice.h
 * (Linux v6.16): struct pcpu_sw_netstats, dev_sw_netstats_rx_add() and
 * dev_sw_netstats_tx_add(); the reader dev_fetch_sw_netstats() from
 * net/core/dev.c. The kernel code is written line for line below its C.
 *
 * Each CPU's counters are u64_stats_t under a struct u64_stats_sync. On a
 * 64-bit kernel the sync compiles to nothing and each counter op is one
 * instruction on the CPU's own copy (`addq`, `incq`); what makes the writer
 * exclusive is that only one context of the owning CPU writes at a time:
 * the receive path runs in the NET_RX softirq, the transmit path with bottom
 * halves disabled (__dev_queue_xmit()'s rcu_read_lock_bh()). The reader sums
 * every CPU's copy with u64_stats_fetch_begin()/u64_stats_fetch_retry().
 *
 * The broken variant transmits from process context with bottom halves (and
 * preemption) enabled, as a driver that calls its xmit from a workqueue
 * might, on a kernel without CONFIG_DEBUG_PREEMPT (which would report the
 * preemptible this_cpu_ptr() at once): the task migrates between
 * this_cpu_ptr() and the counter update, and writes another CPU's copy —
 * the u64_stats writer is no longer exclusive.
 *
 *   netstats                 tx with BH off, rx in NET_RX, a reader: sums exact, reader never ahead
 *   netstats-tx-preemptible  tx from preemptible process context: caught writing another CPU's counters
 *
 *   npx percpu-sim explore examples/kernel/netstats.ts netstats-tx-preemptible
 */
import {
  Machine, NET_RX_SOFTIRQ, alloc_percpu, ghost, kptr_member, local_bh_disable, local_bh_enable, per_cpu_kptr, stepped,
  this_cpu_kptr, u64_stats_read as u64_stats_peek, type PerCpuPtr, type Scenario, type StepGen,
} from '../../src/index.js';

const { u64_stats_update_begin, u64_stats_update_end, u64_stats_add, u64_stats_inc, u64_stats_fetch_begin, u64_stats_fetch_retry, u64_stats_read } = stepped;

// ---------------------------------------------------------------- kernel code

/** struct net_device (include/linux/netdevice.h), the member this code uses. */
interface NetDevice {
  tstats: PerCpuPtr; //                                   struct pcpu_sw_netstats __percpu *tstats;
}

/** struct rtnl_link_stats64, the members dev_fetch_sw_netstats() fills. */
interface LinkStats64 { rx_packets: bigint; rx_bytes: bigint; tx_packets: bigint; tx_bytes: bigint }

export function* dev_sw_netstats_rx_add(m: Machine, dev: NetDevice, len: number): StepGen { //  static inline void dev_sw_netstats_rx_add(struct net_device *dev, unsigned int len)
  const tstats = this_cpu_kptr(m, dev.tstats, 'tstats'); //  struct pcpu_sw_netstats *tstats = this_cpu_ptr(dev->tstats);
  yield* u64_stats_update_begin(m, kptr_member(m, tstats, 'syncp')); //  u64_stats_update_begin(&tstats->syncp);
  yield* u64_stats_add(m, kptr_member(m, tstats, 'rx_bytes'), BigInt(len)); //  u64_stats_add(&tstats->rx_bytes, len);
  yield* u64_stats_inc(m, kptr_member(m, tstats, 'rx_packets')); //  u64_stats_inc(&tstats->rx_packets);
  yield* u64_stats_update_end(m, kptr_member(m, tstats, 'syncp')); //  u64_stats_update_end(&tstats->syncp);
}

export function* dev_sw_netstats_tx_add(m: Machine, dev: NetDevice, packets: number, len: number): StepGen { //  static inline void dev_sw_netstats_tx_add(struct net_device *dev, unsigned int packets, unsigned int len)
  const tstats = this_cpu_kptr(m, dev.tstats, 'tstats'); //  struct pcpu_sw_netstats *tstats = this_cpu_ptr(dev->tstats);
  yield* u64_stats_update_begin(m, kptr_member(m, tstats, 'syncp')); //  u64_stats_update_begin(&tstats->syncp);
  yield* u64_stats_add(m, kptr_member(m, tstats, 'tx_bytes'), BigInt(len)); //  u64_stats_add(&tstats->tx_bytes, len);
  yield* u64_stats_add(m, kptr_member(m, tstats, 'tx_packets'), BigInt(packets)); //  u64_stats_add(&tstats->tx_packets, packets);
  yield* u64_stats_update_end(m, kptr_member(m, tstats, 'syncp')); //  u64_stats_update_end(&tstats->syncp);
}

export function* dev_fetch_sw_netstats(m: Machine, s: LinkStats64, netstats: PerCpuPtr): StepGen { //  void dev_fetch_sw_netstats(struct rtnl_link_stats64 *s, const struct pcpu_sw_netstats __percpu *netstats)
  for (const cpu of m.possible) { //                       for_each_possible_cpu(cpu) {
    let rx_packets: bigint, rx_bytes: bigint, tx_packets: bigint, tx_bytes: bigint; //  u64 rx_packets, rx_bytes, tx_packets, tx_bytes;
    const stats = per_cpu_kptr(m, netstats, cpu, 'stats'); //  stats = per_cpu_ptr(netstats, cpu);
    let start: number; //                                     unsigned int start;
    do { //                                                   do {
      start = yield* u64_stats_fetch_begin(m, kptr_member(m, stats, 'syncp')); //  start = u64_stats_fetch_begin(&stats->syncp);
      rx_packets = yield* u64_stats_read(m, kptr_member(m, stats, 'rx_packets')); //  rx_packets = u64_stats_read(&stats->rx_packets);
      rx_bytes = yield* u64_stats_read(m, kptr_member(m, stats, 'rx_bytes')); //  rx_bytes = u64_stats_read(&stats->rx_bytes);
      tx_packets = yield* u64_stats_read(m, kptr_member(m, stats, 'tx_packets')); //  tx_packets = u64_stats_read(&stats->tx_packets);
      tx_bytes = yield* u64_stats_read(m, kptr_member(m, stats, 'tx_bytes')); //  tx_bytes = u64_stats_read(&stats->tx_bytes);
    } while (yield* u64_stats_fetch_retry(m, kptr_member(m, stats, 'syncp'), start)); //  } while (u64_stats_fetch_retry(&stats->syncp, start));
    s.rx_packets += rx_packets; //                            s->rx_packets += rx_packets;
    s.rx_bytes += rx_bytes; //                                s->rx_bytes += rx_bytes;
    s.tx_packets += tx_packets; //                            s->tx_packets += tx_packets;
    s.tx_bytes += tx_bytes; //                                s->tx_bytes += tx_bytes;
  } //                                                       }
}

// ---------------------------------------------------------------- harness

const FIELDS = ['rx_packets', 'rx_bytes', 'tx_packets', 'tx_bytes'] as const;

function netstats(name: string, bhOff: boolean): Scenario {
  return {
    name,
    title: bhOff ? 'include/linux/netdevice.h: dev_sw_netstats_{rx,tx}_add() and dev_fetch_sw_netstats()'
      : 'dev_sw_netstats_tx_add() from preemptible process context (no DEBUG_PREEMPT)',
    description: `T (cpu0) sends one 60-byte packet with dev_sw_netstats_tx_add()${bhOff ? ' between local_bh_disable() and local_bh_enable()' : ' from preemptible process context'}; `
      + 'the NET_RX softirq (on cpu0 or cpu1) receives one 1500-byte packet with dev_sw_netstats_rx_add(); R (cpu1) reads with dev_fetch_sw_netstats(). '
      + 'Invariants: only a CPU writes its own counters; the counters sum to what was sent and received; the reader never sees more.',
    expect: bhOff ? 'none' : 'violation',
    cpus: 2,
    bound: 1,
    build() {
      const m = new Machine({ cpus: 2, debug: bhOff });
      m.ctypes.struct('pcpu_sw_netstats', {
        rx_packets: 'u64_stats_t', rx_bytes: 'u64_stats_t', tx_packets: 'u64_stats_t', tx_bytes: 'u64_stats_t', syncp: 'struct u64_stats_sync',
      }, { aligned: 32 });
      m.boot();
      const dev: NetDevice = { tstats: alloc_percpu(m, 'struct pcpu_sw_netstats', 'tstats')! };
      const sent = ghost(m, 'tx_done', 0);
      const received = ghost(m, 'rx_done', 0);
      const seen: LinkStats64 = { rx_packets: 0n, rx_bytes: 0n, tx_packets: 0n, tx_bytes: 0n };
      const total = (f: (typeof FIELDS)[number]): bigint => {
        let n = 0n;
        for (const cpu of m.possible) n += u64_stats_peek(m, kptr_member(m, per_cpu_kptr(m, dev.tstats, cpu), f));
        return n;
      };
      const want = (): LinkStats64 => ({
        rx_packets: BigInt(received.value), rx_bytes: 1500n * BigInt(received.value), tx_packets: BigInt(sent.value), tx_bytes: 60n * BigInt(sent.value),
      });
      return {
        m,
        tasks: [
          {
            name: 'T', cpu: 0,
            *run() {
              if (bhOff) local_bh_disable(m);
              yield* dev_sw_netstats_tx_add(m, dev, 1, 60);
              if (bhOff) local_bh_enable(m);
              yield* sent.update((n) => n + 1);
            },
          },
          { name: 'R', cpu: 1, pinned: true, *run() { yield* dev_fetch_sw_netstats(m, seen, dev.tstats); } },
        ],
        softirqs: [{ nr: NET_RX_SOFTIRQ, budget: 1, cpus: [0], *run() { yield* dev_sw_netstats_rx_add(m, dev, 1500); yield* received.update((n) => n + 1); } }],
        checkStep: (info) => (info.write && info.owner !== null && info.owner !== info.cpu
          ? `${info.who} on cpu${info.cpu} writes cpu${info.owner}'s copy of the statistics (${info.step.asm.split('    ;')[0]}): the u64_stats writer of cpu${info.owner} is not exclusive`
          : null),
        final() {
          const w = want();
          for (const f of FIELDS) {
            if (total(f) !== w[f]) return `${f} sums to ${total(f)}, expected ${w[f]}`;
            if (seen[f] > w[f]) return `the reader saw ${f} = ${seen[f]}, more than the ${w[f]} counted`;
          }
          return null;
        },
      };
    },
  };
}

export const netstatsScenario = netstats('netstats', true);
export const netstatsTxPreemptible = netstats('netstats-tx-preemptible', false);
