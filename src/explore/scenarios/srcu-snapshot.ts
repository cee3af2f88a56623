/**
 * The snapshot taken when a check starts (issue 11, item 7). An SRCU-style
 * grace-period check decides "no reader is inside" from per-CPU lock and
 * unlock counts, as kernel/rcu/srcutree.c srcu_readers_active_idx_check()
 * does: sum the unlocks of every CPU, then the locks; equal sums mean no
 * reader that was inside when the check started is still inside.
 *
 * The invariant needs to know which readers were inside *when the check
 * started*: the updater takes that snapshot in its code before its first
 * yield. The explorer runs that code when the updater is first scheduled, so
 * the snapshot sees the reader when the reader entered first. (Run at the
 * updater's creation it would always see nobody inside, and the broken check
 * would pass every schedule.)
 *
 * The broken variant sums only its own CPU's counts; the reader runs on the
 * other CPU, so the check concludes "no readers" with a reader inside. The
 * violation lives only in ghost state (`missed`), which steps declare, so the
 * reduction sees it.
 */
import { per_cpu_ptr } from '../../accessors.js';
import { this_cpu_inc_4 } from '../../../generated/x86_64/percpu-stepped.js';
import { ghost, type Ghost } from '../../sched/ghost.js';
import { load, reg, type StepGen } from '../../sched/step.js';
import { splitScenario, type Scenario } from '../../sched/task.js';
import { DEFINE_PER_CPU } from '../../define.js';
import { Machine } from '../../machine.js';
import type { PerCpuPtr } from '../../percpu-ptr.js';

/** The machine every schedule starts from: the per-CPU lock and unlock counts and the ghosts. */
interface Srcu {
  readonly m: Machine;
  readonly lockCount: PerCpuPtr<'u32'>;
  readonly unlockCount: PerCpuPtr<'u32'>;
  readonly inside: Ghost<boolean>;
  readonly missed: Ghost<boolean>;
}

function setup(): Srcu {
  const m = new Machine({ cpus: 2 });
  const lockCount = DEFINE_PER_CPU(m, 'u32', 'srcu_lock_count');
  const unlockCount = DEFINE_PER_CPU(m, 'u32', 'srcu_unlock_count');
  m.boot();
  return { m, lockCount, unlockCount, inside: ghost(m, 'reader_inside', false), missed: ghost(m, 'missed_reader', false) };
}

/*
 * The bodies are module-level generators bound into each world rather than
 * closures made per schedule, which V8 runs far slower (docs/explorer.md).
 */

/** The reader: srcu_read_lock, the critical section, srcu_read_unlock. */
function* reader(this: Srcu): StepGen<void> {
  const { m, lockCount, unlockCount, inside } = this;
  yield* this_cpu_inc_4(m, lockCount);
  yield* inside.set(true);
  yield* reg('nop    ; the read-side critical section');
  yield* inside.set(false);
  yield* this_cpu_inc_4(m, unlockCount);
}

/** Σ of one count over the CPUs the check reads: its own (broken) or every one. */
function* sum(this: Srcu & { readonly broken: boolean }, p: PerCpuPtr<'u32'>): StepGen<number> {
  const m = this.m;
  let s = 0;
  const cpus = this.broken ? [m.cpu] : [...m.possible];
  for (const cpu of cpus) s += (yield* load(m, per_cpu_ptr(m, p, cpu), 'u32')) as number;
  return s;
}

/** The updater: snapshots whether R is inside when it starts, then sums unlocks and locks. */
function* updater(this: Srcu & { readonly broken: boolean }): StepGen<void> {
  const { inside, missed } = this;
  const insideAtStart = inside.value;
  const unlocks = yield* sum.call(this, this.unlockCount);
  const locks = yield* sum.call(this, this.lockCount);
  if (locks !== unlocks) return;
  if (insideAtStart && (yield* inside.get())) yield* missed.set(true);
}

function srcuScenario(name: string, broken: boolean): Scenario {
  return splitScenario({
    name,
    title: broken ? 'an SRCU-style reader check that sums only its own CPU' : 'an SRCU-style reader check summing every CPU, unlocks first',
    description:
      'R (cpu0) does srcu_read_lock (this_cpu_inc lock_count), is inside, then srcu_read_unlock (this_cpu_inc unlock_count); '
      + `U (cpu1) snapshots, when it starts, whether R is inside, then sums the unlock counts and the lock counts ${broken ? 'of its own CPU only' : 'of every CPU'}; `
      + 'equal sums conclude "no readers". Invariant: never concluded while a reader that was inside at the start is still inside.',
    expect: broken ? 'violation' : 'none',
    cpus: 2,
    bound: 1,
    setup,
    start(w) {
      const { m, missed } = w;
      return {
        m,
        tasks: [
          { name: 'R', cpu: 0, pinned: true, run: reader.bind(w) },
          { name: 'U', cpu: 1, pinned: true, run: updater.bind({ ...w, broken }) },
        ],
        final: () => (missed.value ? 'the check concluded "no readers" while R, inside when the check started, was still inside' : null),
      };
    },
  });
}

export const srcuSnapshot = srcuScenario('srcu-snapshot', false);
export const srcuSnapshotBroken = srcuScenario('srcu-snapshot-broken', true);
