/**
 * Scenarios a kernel developer writes for percpu-sim (docs/explorer.md, "Your
 * own scenarios"): a per-CPU receive counter that process context and the
 * NET_RX softirq both bump with __this_cpu_read()/__this_cpu_write(), as in
 *
 *     static DEFINE_PER_CPU(unsigned int, rx_packets);
 *
 *     static void rx_count(unsigned int n)            // callers: BH off
 *     {
 *             __this_cpu_write(rx_packets, __this_cpu_read(rx_packets) + n);
 *     }
 *
 *     static void net_rx_action(struct softirq_action *h) { rx_count(1); }
 *
 *     static void poll_from_process_context(void)
 *     {
 *             local_bh_disable();                     // the fix: preempt_disable() is not enough
 *             rx_count(1);
 *             local_bh_enable();
 *     }
 *
 * Run:  npx percpu-sim explore list examples/explore/my-scenarios.ts
 *       npx percpu-sim explore examples/explore/my-scenarios.ts rx-count-preempt-off
 */
import {
  DEFINE_PER_CPU, Machine, NET_RX_SOFTIRQ, ghost, local_bh_disable, local_bh_enable, per_cpu, preempt_disable, preempt_enable,
  splitScenario, type Scenario, type StepGen,
} from '../../src/index.js';
import { __this_cpu_read_4, __this_cpu_write_4 } from '../../generated/x86_64/percpu-stepped.js';

/**
 * Written in two parts: setup() makes the machine once, and the explorer
 * restores it from a snapshot for every schedule; start() makes the tasks on it.
 */
function rxCount(protect: 'bh' | 'preempt'): Scenario {
  return splitScenario({
    name: protect === 'bh' ? 'rx-count-bh-off' : 'rx-count-preempt-off',
    title: `rx_count() from process context with ${protect === 'bh' ? 'local_bh_disable()' : 'only preempt_disable()'}, and from NET_RX`,
    description: 'T (cpu0) and the NET_RX softirq each add 1 to rx_packets with __this_cpu_read/__this_cpu_write. '
      + 'Invariant: rx_packets sums to the number of calls.',
    expect: protect === 'bh' ? 'none' : 'violation',
    cpus: 2,
    bound: 1,
    setup() {
      const m = new Machine({ cpus: 2 });
      const rx_packets = DEFINE_PER_CPU(m, 'u32', 'rx_packets');
      m.boot();
      return { m, rx_packets, calls: ghost(m, 'rx_count_calls', 0) };
    },
    start({ m, rx_packets, calls }) {
      function* rx_count(n: number): StepGen {
        const v = yield* __this_cpu_read_4(m, rx_packets);
        yield* __this_cpu_write_4(m, rx_packets, (v + n) >>> 0);
        yield* calls.update((c) => c + 1);
      }

      return {
        m,
        tasks: [{
          name: 'T', cpu: 0, pinned: true,
          *run() {
            if (protect === 'bh') local_bh_disable(m);
            else preempt_disable(m);
            yield* rx_count(1);
            if (protect === 'bh') local_bh_enable(m);
            else preempt_enable(m);
          },
        }],
        softirqs: [{ nr: NET_RX_SOFTIRQ, budget: 1, cpus: [0], run: () => rx_count(1) }],
        watch: [rx_packets],
        final() {
          const sum = [...m.possible].reduce((s, cpu) => s + per_cpu(m, rx_packets, cpu), 0);
          return sum === calls.value ? null : `lost update: rx_packets sums to ${sum} after ${calls.value} calls of rx_count()`;
        },
      };
    },
  });
}

export const rxCountBhOff = rxCount('bh');
export const rxCountPreemptOff = rxCount('preempt');
