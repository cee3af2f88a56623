/**
 * Random small scenarios for the reduction's property tests: two or three tasks
 * on two CPUs doing a few per-CPU operations over up to three variables, with
 * or without an interrupt handler, some under preempt_disable, a spinlock or a
 * sleeping lock (a task that cannot take it blocks and leaves its CPU, and the
 * release wakes it), and sometimes an invariant that stops schedules early.
 * Tasks are not pinned, so with a bound they migrate between the instructions
 * of a read/modify/write through this_cpu_ptr() (the store then lands in the
 * other CPU's copy) or of a store into another CPU's copy; with three tasks two
 * share a CPU, so one of them starts waiting and may move before it ever runs
 * (waitingArb makes that shape every time).
 */
import fc from 'fast-check';
import { this_cpu_inc_4, this_cpu_read_4 } from '../../generated/x86_64/percpu-stepped.js';
import { per_cpu_ptr, this_cpu_ptr } from '../../src/accessors.js';
import { DEFINE_PER_CPU } from '../../src/define.js';
import { preempt_disable, preempt_enable } from '../../src/kernel/preempt.js';
import { per_cpu } from '../../src/kernel/smp.js';
import { Machine } from '../../src/machine.js';
import type { PerCpuPtr } from '../../src/percpu-ptr.js';
import { load, reg, store, type StepGen } from '../../src/sched/step.js';
import type { Scenario } from '../../src/sched/task.js';

export type Op =
  | { readonly kind: 'inc' | 'read' | 'rmw' | 'locked' | 'sleep-locked' | 'preempt-off'; readonly v: number }
  | { readonly kind: 'remote'; readonly v: number; readonly cpu: number };

export interface Program {
  readonly tasks: readonly { readonly cpu: number; readonly ops: readonly Op[] }[];
  readonly irq: readonly Op[] | null;
  readonly irqCpus: readonly number[] | null;
  /** Stop a schedule with a violation once cpu0's copy of v0 reaches this (null: never). */
  readonly stopAt: number | null;
  readonly bound: number;
  /** Every frame declares its start local (TaskSpec.localStart): true of these programs, whose code before the first yield only takes addresses and disables preemption. */
  readonly localStart: boolean;
}

const VARS = 3;
const opArb = (handler: boolean): fc.Arbitrary<Op> => fc.oneof(
  fc.record({
    kind: fc.constantFrom(...(handler ? ['inc', 'read'] as const : ['inc', 'read', 'rmw', 'locked', 'sleep-locked', 'preempt-off'] as const)), v: fc.nat(VARS - 1),
  }),
  fc.record({ kind: fc.constant('remote' as const), v: fc.nat(VARS - 1), cpu: fc.nat(1) }),
);

/** Steps an op takes (to keep the naive search small). */
function cost(op: Op): number {
  return ({ inc: 1, read: 1, rmw: 3, locked: 3, 'sleep-locked': 3, 'preempt-off': 1, remote: 2 } as const)[op.kind];
}

function steps(p: Pick<Program, 'tasks' | 'irq'>): number {
  return p.tasks.reduce((a, t) => a + t.ops.reduce((b, o) => b + cost(o), 0), 0) + (p.irq ?? []).reduce((b, o) => b + cost(o), 0);
}

export const programArb: fc.Arbitrary<Program> = fc.record({
  tasks: fc.array(fc.record({ cpu: fc.nat(1), ops: fc.array(opArb(false), { minLength: 1, maxLength: 3 }) }), { minLength: 2, maxLength: 3 }),
  irq: fc.option(fc.array(opArb(true), { minLength: 1, maxLength: 2 }), { nil: null }),
  irqCpus: fc.option(fc.constantFrom([0], [1]), { nil: null }),
  stopAt: fc.option(fc.integer({ min: 1, max: 3 }), { nil: null }),
  bound: fc.integer({ min: 0, max: 2 }),
  localStart: fc.boolean(),
}).filter((p) => steps(p) <= (p.tasks.length === 3 ? 5 : 7) && (p.tasks.length < 3 || p.bound <= 1));

/**
 * Three tasks, the first two on cpu0 (the second waits there), the third on
 * cpu1: a waiting task that may be moved while the others run, into a CPU
 * that is busy or has gone idle; bound 1 or 2, no handler.
 */
export const waitingArb: fc.Arbitrary<Program> = fc.record({
  tasks: fc.tuple(
    fc.array(opArb(false), { minLength: 1, maxLength: 2 }), fc.array(opArb(false), { minLength: 1, maxLength: 1 }),
    fc.array(opArb(false), { minLength: 1, maxLength: 2 }),
  ).map(([a, b, c]) => [{ cpu: 0, ops: a }, { cpu: 0, ops: b }, { cpu: 1, ops: c }]),
  irq: fc.constant(null),
  irqCpus: fc.constant(null),
  stopAt: fc.option(fc.integer({ min: 1, max: 3 }), { nil: null }),
  bound: fc.integer({ min: 1, max: 2 }),
  localStart: fc.boolean(),
}).filter((p) => steps(p) <= (p.bound === 2 ? 4 : 6));

/** The scenario a program describes. */
export function programScenario(p: Program): Scenario {
  return {
    name: 'random', title: 'a random program', description: JSON.stringify(p), expect: 'none', cpus: 2, bound: p.bound,
    build() {
      const m = new Machine({ cpus: 2 });
      const vars: PerCpuPtr<'u32'>[] = [];
      for (let i = 0; i < VARS; i++) vars.push(DEFINE_PER_CPU(m, 'u32', `v${i}`));
      m.boot();
      m.debugPreempt = false;
      let locked = false;
      let slocked = false;
      function* run(op: Op): StepGen<void> {
        const v = vars[op.v]!;
        switch (op.kind) {
          case 'inc': yield* this_cpu_inc_4(m, v); break;
          case 'read': yield* this_cpu_read_4(m, v); break;
          case 'rmw': {
            const a = this_cpu_ptr(m, v);
            const x = (yield* load(m, a, 'u32')) as number;
            yield* reg('addl $1, %eax');
            yield* store(m, a, 'u32', (x + 1) >>> 0);
            break;
          }
          case 'remote': {
            const a = per_cpu_ptr(m, v, op.cpu);
            const x = (yield* load(m, a, 'u32')) as number;
            yield* store(m, a, 'u32', (x + 2) >>> 0);
            break;
          }
          case 'locked':
            yield { asm: 'lock cmpxchgl %edx, (L)', writes: ['L'], enabled: () => !locked };
            locked = true;
            yield* this_cpu_inc_4(m, v);
            yield { asm: 'movb $0, (L)', writes: ['L'] };
            locked = false;
            break;
          case 'sleep-locked':
            yield { asm: 'call rt_spin_lock (S)', writes: ['S'], enabled: () => !slocked, sleeps: true };
            slocked = true;
            yield* this_cpu_inc_4(m, v);
            yield { asm: 'call rt_spin_unlock (S)', writes: ['S'] };
            slocked = false;
            break;
          case 'preempt-off':
            preempt_disable(m);
            yield* this_cpu_inc_4(m, v);
            preempt_enable(m);
            break;
        }
      }
      const body = (ops: readonly Op[]) => function* (): StepGen<void> {
        for (const op of ops) yield* run(op);
      };
      return {
        m,
        tasks: p.tasks.map((t, i) => ({ name: `T${i + 1}`, cpu: t.cpu, localStart: p.localStart, run: body(t.ops) })),
        irqs: p.irq === null ? [] : [{ name: 'irq', cpus: p.irqCpus ?? undefined, localStart: p.localStart, run: body(p.irq) }],
        watch: vars,
        stateKey: () => `${locked ? 'L' : '-'}${slocked ? 'S' : '-'}`,
        check: () => (p.stopAt !== null && per_cpu(m, vars[0]!, 0) >= p.stopAt ? `v0 on cpu0 reached ${p.stopAt}` : null),
        final: () => null,
      };
    },
  };
}
