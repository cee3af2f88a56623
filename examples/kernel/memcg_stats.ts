// SPDX-License-Identifier: GPL-2.0
/**
 * Per-CPU memory-cgroup statistics, from mm/memcontrol.c (Linux v6.16):
 * mod_memcg_state() adds to this CPU's slot of a per-CPU array,
 * `memcg->vmstats_percpu->state[i]`, from any context — a task charging
 * socket memory, the NET_RX softirq charging a received skb
 * (mem_cgroup_charge_skmem()) — with this_cpu_add(), which is safe against
 * interrupts on the same CPU without disabling them: one instruction on
 * x86-64 (`addq %gs:`), an LSE atomic on arm64. struct memcg_vmstats_percpu is
 * from mm/memcontrol.c as well; the array sizes depend on the configuration
 * (40 and 20 here). Left out of mod_memcg_state(): memcg_stats_index() (the
 * identity here), memcg_rstat_updated() (the flush bookkeeping) and the
 * tracepoint.
 *
 * The broken variant is the older rule without its guard: __this_cpu_add()
 * (a plain read-modify-write) with only preemption disabled, while a softirq
 * on the same CPU updates the same slot. On arm64 that is three instructions
 * (ldr, add, str) and the softirq's update between them is lost; on x86-64 it
 * is still one `addq` and nothing is lost, which the third scenario shows.
 *
 *   memcg-stats                 arm64, this_cpu_add(): no update lost
 *   memcg-stats-raw-add         arm64, __this_cpu_add() under get_cpu(): caught
 *   memcg-stats-raw-add-x86     the same broken code on x86-64: one instruction, nothing lost
 *
 *   npx percpu-sim explore examples/kernel/memcg_stats.ts memcg-stats-raw-add
 */
import {
  Machine, NET_RX_SOFTIRQ, alloc_percpu, get_cpu, ghost, pcpu_member, per_cpu, put_cpu, stepped,
  type PerCpuPtr, type Scenario, type StepGen,
} from '../../src/index.js';

const { this_cpu_add, __this_cpu_add } = stepped;

// ---------------------------------------------------------------- kernel code

const MEMCG_SOCK = 2; //                                   enum memcg_stat_item { …, MEMCG_SOCK, … }  (its index here)

/** struct mem_cgroup (include/linux/memcontrol.h), the member this code uses. */
interface MemCgroup {
  vmstats_percpu: PerCpuPtr; //                            struct memcg_vmstats_percpu __percpu *vmstats_percpu;
}

export function* mod_memcg_state(m: Machine, memcg: MemCgroup, idx: number, val: number): StepGen { //  void mod_memcg_state(struct mem_cgroup *memcg, enum memcg_stat_item idx, int val)
  const i = idx; //                                        int i = memcg_stats_index(idx);
  get_cpu(m); //                                           cpu = get_cpu();
  yield* this_cpu_add(m, pcpu_member(m, memcg.vmstats_percpu, `state[${i}]`, 'long'), BigInt(val)); //  this_cpu_add(memcg->vmstats_percpu->state[i], val);
  put_cpu(m); //                                           put_cpu();
}

/** The broken variant: __this_cpu_add() needs interrupts (here: bottom halves) off, and only preemption is. */
function* mod_memcg_state_raw(m: Machine, memcg: MemCgroup, idx: number, val: number): StepGen {
  const i = idx;
  get_cpu(m); //                                           cpu = get_cpu();
  yield* __this_cpu_add(m, pcpu_member(m, memcg.vmstats_percpu, `state[${i}]`, 'long'), BigInt(val)); //  __this_cpu_add(memcg->vmstats_percpu->state[i], val);
  put_cpu(m); //                                           put_cpu();
}

// ---------------------------------------------------------------- harness

function memcgStats(name: string, arch: 'arm64' | 'x86_64', irqsafe: boolean): Scenario {
  return {
    name,
    title: `mm/memcontrol.c: mod_memcg_state() with ${irqsafe ? 'this_cpu_add()' : '__this_cpu_add() under get_cpu()'} from a task and NET_RX, ${arch}`,
    description: 'T (cpu0) charges 3 pages of socket memory (MEMCG_SOCK); the NET_RX softirq on cpu0 charges 1 more. '
      + `Each does mod_memcg_state(memcg, MEMCG_SOCK, n) with ${irqsafe ? 'this_cpu_add' : '__this_cpu_add under get_cpu()'} on ${arch}. `
      + 'Invariant: the per-CPU state[MEMCG_SOCK] slots sum to the pages charged.',
    expect: irqsafe || arch === 'x86_64' ? 'none' : 'violation',
    cpus: 2,
    bound: 1,
    build() {
      const m = new Machine({ cpus: 2, arch });
      m.ctypes.struct('memcg_vmstats_percpu', {
        stats_updates: 'unsigned int', parent_pcpu: 'struct memcg_vmstats_percpu *', vmstats: 'void *',
        state: 'long[40]', events: 'unsigned long[20]', state_prev: 'long[40]', events_prev: 'unsigned long[20]',
      }, { aligned: 64 });
      m.boot();
      const memcg: MemCgroup = { vmstats_percpu: alloc_percpu(m, 'struct memcg_vmstats_percpu', 'vmstats_percpu')! };
      const charged = ghost(m, 'pages_charged', 0);
      const mod = irqsafe ? mod_memcg_state : mod_memcg_state_raw;
      function* charge(pages: number): StepGen {
        yield* mod(m, memcg, MEMCG_SOCK, pages);
        yield* charged.update((n) => n + pages);
      }
      const slot = pcpu_member(m, memcg.vmstats_percpu, `state[${MEMCG_SOCK}]`, 'long');
      return {
        m,
        tasks: [{ name: 'T', cpu: 0, pinned: true, run: () => charge(3) }],
        softirqs: [{ nr: NET_RX_SOFTIRQ, budget: 1, cpus: [0], run: () => charge(1) }],
        watch: [slot],
        final() {
          let sum = 0n;
          for (const cpu of m.possible) sum += per_cpu(m, slot, cpu);
          return sum === BigInt(charged.value) ? null : `lost update: state[MEMCG_SOCK] sums to ${sum} over the CPUs, but ${charged.value} pages were charged`;
        },
      };
    },
  };
}

export const memcgStatsScenario = memcgStats('memcg-stats', 'arm64', true);
export const memcgStatsRawAdd = memcgStats('memcg-stats-raw-add', 'arm64', false);
export const memcgStatsRawAddX86 = memcgStats('memcg-stats-raw-add-x86', 'x86_64', false);
