/**
 * Every comparison group, in report order. Each runs in its own process
 * (bench/child.ts), so one group's JIT state cannot leak into another's. A
 * group whose `requires` are not all present is skipped with a note naming
 * what is missing: groups for work that has not landed yet cost nothing.
 */
import type { GroupEntry } from '../lib/group.js';

export const GROUPS: readonly GroupEntry[] = [
  { name: 'floor', title: 'generated ops vs raw Uint32Array (the JavaScript floor)', requires: ['generated/x86_64/percpu.ts', 'src/define.ts'], module: 'floor' },
  { name: 'dispatch', title: 'generated ops vs a per-call dispatch helper', requires: ['generated/x86_64/percpu.ts', 'src/define.ts'], module: 'dispatch' },
  { name: 'width', title: 'width 8 (bigint) vs width 4', requires: ['generated/x86_64/percpu.ts', 'src/define.ts'], module: 'width' },
  { name: 'hardware', title: 'simulated this_cpu_add_4 vs the real addl %gs instruction', requires: ['generated/x86_64/percpu.ts', 'src/define.ts'], module: 'hardware' },
  {
    name: 'arches', title: 'generated ops per architecture vs x86-64',
    requires: ['bench/arch-cost.ts', 'generated/arm64/percpu.ts', 'generated/generic/percpu.ts'], module: 'arches',
  },
  { name: 'typed', title: 'size-generic typed layer vs the specialized op', requires: ['src/typed.ts', 'src/define.ts', 'generated/x86_64/percpu.ts'], module: 'typed' },
  { name: 'typed-one-width', title: 'typed layer whose call site sees one width', requires: ['src/typed.ts', 'src/define.ts', 'generated/x86_64/percpu.ts'], module: 'typed-one-width' },
  { name: 'counter', title: 'percpu_counter vs the per-CPU op it is built on', requires: ['src/lib/percpu-counter.ts', 'src/define.ts'], module: 'counter' },
  { name: 'atomic', title: 'generated atomics vs the per-CPU op of the same width', requires: ['generated/atomic.ts', 'src/mm/memory.ts'], module: 'atomic' },
  { name: 'member', title: 'a variable index into a per-CPU array; cmpxchg on an address', requires: ['src/member.ts', 'src/kernel/atomic.ts'], module: 'member' },
  { name: 'cc', title: 'percpu-cc: translation time, translated vs hand-written', requires: ['cc/compile.ts', 'examples/kernel/bpf_trace.c'], module: 'cc' },
  { name: 'generator', title: 'generator wall time (make generate / make check)', requires: ['generator/cli.ts'], module: 'generator' },
  { name: 'alloc', title: 'dynamic per-CPU allocator', requires: ['src/mm/percpu-alloc.ts', 'src/typed.ts'], module: 'alloc' },
  { name: 'sum4096', title: 'aggregation: per_cpu_sum over 4096 CPUs', requires: ['src/kernel/smp.ts', 'src/define.ts'], module: 'sum4096' },
  { name: 'explore', title: 'interleaving explorer', requires: ['src/explore/explorer.ts', 'src/explore/scenarios/inc-irq.ts'], module: 'explore' },
  { name: 'threads', title: 'real threads: per-CPU vs Atomics.add vs mutex', requires: ['src/threads/pool.ts', 'src/define.ts', 'generated/x86_64/percpu.ts'], module: 'threads' },
];
