/**
 * The scale scenario: percpu_counter at the size of real kernel fragments —
 * three tasks and one interrupt handler on two CPUs.
 *
 * T1 (cpu0), T2 (cpu1) and T3 (waiting on cpu0) each run
 * percpu_counter_add_batch(fbc, 3, 4) four times, instruction by instruction
 * as lib/percpu_counter.c (v6.12) does on x86-64: the fast path is
 * this_cpu_read + this_cpu_try_cmpxchg on the s32 delta (2 steps); when
 * |delta + amount| reaches the batch, the slow path takes the spinlock with
 * interrupts off, reads the delta, adds it to the s64 count and subtracts it
 * from the slot (this_cpu_read, then lock, __this_cpu_read, count update,
 * __this_cpu_sub, unlock: 6 steps). Amount 3 with batch 4 alternates fast and
 * slow, so each task does 2 + 6 + 2 + 6 = 16 shared-memory steps. The handler
 * `sum` (once, either CPU) runs __percpu_counter_sum: raw_spin_lock_irqsave,
 * read count, read each online CPU's delta, unlock (5 steps).
 *
 * The count and its lock stay outside per-CPU memory, as named resources
 * (`fbc.count`, `fbc.lock`), so the scenario depends on nothing but per-CPU
 * variables and the stepped ops. Invariants: the handler's sum lies between the
 * true values when it started and when it ended; after all tasks, count plus
 * every CPU's delta equals the 36 added.
 */
import {
  __this_cpu_read_4, __this_cpu_sub_4, this_cpu_read_4, this_cpu_try_cmpxchg_4,
} from '../../../generated/x86_64/percpu-stepped.js';
import { per_cpu_ptr } from '../../accessors.js';
import { DEFINE_PER_CPU } from '../../define.js';
import { local_irq_restore, local_irq_save } from '../../kernel/preempt.js';
import { per_cpu } from '../../kernel/smp.js';
import { Machine } from '../../machine.js';
import type { PerCpuPtr } from '../../percpu-ptr.js';
import { load, type Step, type StepGen } from '../../sched/step.js';
import { splitScenario } from '../../sched/task.js';

const AMOUNT = 3;
const BATCH = 4;
const ADDS = 4;

const UNLOCK: Step = { asm: 'movb $0, (fbc->lock)    ; raw_spin_unlock', writes: ['fbc.lock'] };
const COUNT_ADD: Step = { asm: 'addq %rax, (fbc->count)', writes: ['fbc.count'] };
const COUNT_READ: Step = { asm: 'movq (fbc->count), %rax', reads: ['fbc.count'] };

/** The machine every schedule starts from: booted, with the per-CPU deltas defined. */
function setup(): { m: Machine; counters: PerCpuPtr<'i32'> } {
  const m = new Machine({ cpus: 2 });
  const counters = DEFINE_PER_CPU(m, 'i32', 'fbc_counters');
  m.boot();
  return { m, counters };
}

/**
 * One schedule's counter on that machine: the s64 count, the lock and the
 * true value. Its code is methods, not closures made in start(): a world is
 * started for every schedule the explorer restarts.
 */
class Fbc {
  count = 0;
  locked = false;
  /** The true value: bumped at each add's linearisation point. */
  ghost = 0;
  problem: string | null = null;
  /** raw_spin_lock(&fbc->lock): runs only while the lock is free. */
  private readonly lock: Step = { asm: 'lock cmpxchgl %edx, (fbc->lock)    ; raw_spin_lock', writes: ['fbc.lock'], enabled: this.free.bind(this) };

  constructor(readonly m: Machine, readonly counters: PerCpuPtr<'i32'>) {}

  free(): boolean {
    return !this.locked;
  }

  *spinLock(): StepGen<void> {
    yield this.lock;
    this.locked = true;
  }

  *spinUnlock(): StepGen<void> {
    yield UNLOCK;
    this.locked = false;
  }

  /** percpu_counter_add_batch() of lib/percpu_counter.c, x86-64 (this_cpu_try_cmpxchg fast path). */
  *addBatch(): StepGen<void> {
    const { m, counters } = this;
    const box = { value: yield* this_cpu_read_4(m, counters) };
    for (;;) {
      const c = box.value | 0;
      if (Math.abs(c + AMOUNT) >= BATCH) {
        const flags = local_irq_save(m);
        yield* this.spinLock();
        const delta = (yield* __this_cpu_read_4(m, counters)) | 0;
        yield COUNT_ADD;
        this.count += delta + AMOUNT;
        this.ghost += AMOUNT;
        yield* __this_cpu_sub_4(m, counters, delta);
        yield* this.spinUnlock();
        local_irq_restore(m, flags);
        return;
      }
      if (yield* this_cpu_try_cmpxchg_4(m, counters, box, (c + AMOUNT) >>> 0)) {
        this.ghost += AMOUNT;
        return;
      }
    }
  }

  *task(): StepGen<void> {
    for (let i = 0; i < ADDS; i++) yield* this.addBatch();
  }

  /** __percpu_counter_sum(), step by step, as the interrupt handler runs it. */
  *sum(): StepGen<void> {
    const m = this.m;
    const flags = local_irq_save(m);
    yield* this.spinLock();
    const lo = this.ghost;
    yield COUNT_READ;
    let ret = this.count;
    for (const cpu of m.online) ret += (yield* load(m, per_cpu_ptr(m, this.counters, cpu), 'i32')) as number;
    yield* this.spinUnlock();
    const hi = this.ghost;
    local_irq_restore(m, flags);
    if (ret < lo || ret > hi) this.problem ??= `percpu_counter_sum returned ${ret}, outside [${lo}, ${hi}] (the true value when it started and ended)`;
  }

  stateKey(): string {
    return `${this.count}/${this.locked ? 1 : 0}/${this.ghost}`;
  }

  check(): string | null {
    return this.problem;
  }

  final(): string | null {
    let total = this.count;
    for (const cpu of this.m.online) total += per_cpu(this.m, this.counters, cpu);
    const want = 3 * ADDS * AMOUNT;
    return total === want ? null : `count + deltas = ${total} after all adds, expected ${want}`;
  }
}

export const counterScale = splitScenario({
  name: 'counter-scale',
  title: 'percpu_counter: three tasks adding, an interrupt summing (the scale scenario)',
  description:
    `T1 (cpu0), T2 (cpu1) and T3 (cpu0, waiting) each run percpu_counter_add_batch(fbc, ${AMOUNT}, ${BATCH}) ${ADDS} times `
    + 'instruction by instruction (16 steps each: fast and folding slow paths alternate); the handler `sum` (once, either CPU) runs '
    + '__percpu_counter_sum (5 steps). Invariants: the sum lies between the true values when it started and ended; '
    + `at the end count + deltas = ${3 * ADDS * AMOUNT}.`,
  expect: 'none',
  cpus: 2,
  bound: 2,
  setup,
  start({ m, counters }) {
    const f = new Fbc(m, counters);
    const task = f.task.bind(f);
    return {
      m: f.m,
      // Each frame's code before its first yield only reaches the stepped ops (and local_irq_save()).
      tasks: [
        { name: 'T1', cpu: 0, localStart: true, run: task }, { name: 'T2', cpu: 1, localStart: true, run: task },
        { name: 'T3', cpu: 0, localStart: true, run: task },
      ],
      irqs: [{ name: 'sum', localStart: true, run: f.sum.bind(f) }],
      watch: [f.counters],
      stateKey: f.stateKey.bind(f),
      check: f.check.bind(f),
      final: f.final.bind(f),
    };
  },
});
