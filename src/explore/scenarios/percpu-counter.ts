/**
 * Scenario 6: percpu_counter under concurrent add and sum.
 *
 * T1 (cpu0) runs percpu_counter_add_batch(fbc, 3, 4) twice, instruction by
 * instruction: the fast path is this_cpu_read + this_cpu_try_cmpxchg on the
 * s32 delta; the second add reaches the batch and takes the slow path, which
 * under the spinlock with interrupts off reads the delta, adds delta + amount
 * to the s64 count and subtracts delta from the per-CPU slot — step for step
 * as lib/percpu_counter.c (the library in src/lib/percpu-counter.ts does the same
 * calls on the fast flavour). T2 (cpu1) runs __percpu_counter_sum
 * instruction by instruction (lock, read count, read each CPU's delta,
 * unlock) and then one library percpu_counter_add_batch(fbc, 3, 4) as a
 * single step.
 *
 * Invariants, in every state of every schedule:
 *   read:  |percpu_counter_read() − true value| < batch × online CPUs;
 * for the sum T2 computes:
 *   sum:   true value when the sum started ≤ sum ≤ true value when it ended
 *          (exact up to adds running concurrently, all positive here);
 * and at the end percpu_counter_sum() (the library's) equals the total added.
 * The true value is a ghost counter bumped at each add's linearisation point
 * (the successful cmpxchg, or the locked update of count).
 */
import {
  __this_cpu_read_4, __this_cpu_sub_4, this_cpu_read_4, this_cpu_try_cmpxchg_4,
} from '../../../generated/x86_64/percpu-stepped.js';
import { per_cpu_ptr } from '../../accessors.js';
import { Machine } from '../../machine.js';
import {
  percpu_counter_add_batch, percpu_counter_init, percpu_counter_read, percpu_counter_sum, type PercpuCounter,
} from '../../lib/percpu-counter.js';
import { local_irq_restore, local_irq_save } from '../../kernel/preempt.js';
import type { PerCpuPtr } from '../../percpu-ptr.js';
import { atomic, load, type Step, type StepGen } from '../../sched/step.js';
import { splitScenario } from '../../sched/task.js';

const AMOUNT = 3;
const BATCH = 4;

const UNLOCK: Step = { asm: 'movb $0, (fbc->lock)    ; raw_spin_unlock', writes: ['fbc.lock'] };
const COUNT_READ: Step = { asm: 'movq (fbc->count), %rax', reads: ['fbc.count'] };

/** The machine every schedule starts from: booted, with the counter initialised (percpu_counter_init). */
function setup(): { m: Machine; fbc: PercpuCounter } {
  const m = new Machine({ cpus: 2 });
  m.boot();
  return { m, fbc: percpu_counter_init(m, 0) };
}

/**
 * One schedule on that machine: the true value and the first problem found.
 * The bodies are methods bound into each world, not closures made per
 * schedule, which V8 runs far slower (docs/explorer.md).
 */
class CounterWorld {
  readonly pcp: PerCpuPtr<'i32'>;
  /** The true value: bumped at each add's linearisation point. */
  ghost = 0;
  problem: string | null = null;
  /** raw_spin_lock(&fbc->lock): a step that can run only while the lock is free. */
  private readonly lock: Step;
  /** T2's library percpu_counter_add_batch(), one step (it takes the lock itself). */
  private readonly libraryAdd: Step;

  constructor(readonly m: Machine, readonly fbc: PercpuCounter) {
    this.pcp = fbc.counters!;
    const free = this.free.bind(this);
    this.lock = { asm: 'lock cmpxchgl %edx, (fbc->lock)    ; raw_spin_lock', writes: ['fbc.lock'], enabled: free };
    this.libraryAdd = { asm: 'call percpu_counter_add_batch', pcp: this.pcp, size: 4, access: 'w', reads: ['fbc.lock'], writes: ['fbc.count'], enabled: free };
  }

  free(): boolean {
    return !this.fbc.locked;
  }

  *spinLock(): StepGen<void> {
    yield this.lock;
    this.fbc.locked = true;
  }

  *spinUnlock(): StepGen<void> {
    yield UNLOCK;
    this.fbc.locked = false;
  }

  /** percpu_counter_add_batch(), step by step (x86-64: this_cpu_try_cmpxchg fast path). */
  *addBatch(amount: number, batch: number): StepGen<void> {
    const { m, pcp, fbc } = this;
    const box = { value: yield* this_cpu_read_4(m, pcp) };
    for (;;) {
      const count = box.value | 0;
      if (Math.abs(count + amount) >= batch) {
        const flags = local_irq_save(m);
        yield* this.spinLock();
        const delta = (yield* __this_cpu_read_4(m, pcp)) | 0;
        yield* atomic({ asm: 'addq %rax, (fbc->count)', writes: ['fbc.count'] }, () => {
          fbc.count += delta + amount;
          this.ghost += amount;
        });
        yield* __this_cpu_sub_4(m, pcp, delta);
        yield* this.spinUnlock();
        local_irq_restore(m, flags);
        return;
      }
      if (yield* this_cpu_try_cmpxchg_4(m, pcp, box, (count + amount) >>> 0)) {
        this.ghost += amount;
        return;
      }
    }
  }

  /** __percpu_counter_sum(), step by step. */
  *sum(): StepGen<number> {
    const { m, pcp, fbc } = this;
    const flags = local_irq_save(m);
    yield* this.spinLock();
    const lo = this.ghost;
    let ret = yield* atomic(COUNT_READ, () => fbc.count);
    for (const cpu of m.online) {
      ret += (yield* load(m, per_cpu_ptr(m, pcp, cpu), 'i32')) as number;
    }
    yield* this.spinUnlock();
    const hi = this.ghost;
    local_irq_restore(m, flags);
    if (ret < lo || ret > hi) {
      this.problem ??= `percpu_counter_sum returned ${ret}, outside [${lo}, ${hi}] (the true value when the sum started and when it ended)`;
    }
    return ret;
  }

  *t1(): StepGen<void> {
    yield* this.addBatch(AMOUNT, BATCH);
    yield* this.addBatch(AMOUNT, BATCH);
  }

  *t2(): StepGen<void> {
    yield* this.sum();
    yield* atomic(this.libraryAdd, () => {
      percpu_counter_add_batch(this.fbc, AMOUNT, BATCH);
      this.ghost += AMOUNT;
    });
  }

  stateKey(): string {
    return `${this.fbc.count}/${this.fbc.locked ? 1 : 0}/${this.ghost}`;
  }

  check(): string | null {
    if (this.problem !== null) return this.problem;
    const read = percpu_counter_read(this.fbc);
    const limit = BATCH * this.m.online.weight();
    if (Math.abs(read - this.ghost) >= limit) {
      return `percpu_counter_read() = ${read} is ${Math.abs(read - this.ghost)} away from the true value ${this.ghost}: not below batch x online = ${limit}`;
    }
    return null;
  }

  final(): string | null {
    const total = 3 * AMOUNT;
    const s = percpu_counter_sum(this.fbc);
    return s === total && this.ghost === total ? null : `percpu_counter_sum() = ${s} after all adds, expected ${total}`;
  }
}

export const percpuCounter = splitScenario({
  name: 'percpu-counter',
  title: 'percpu_counter under concurrent add and sum',
  description:
    `T1 (cpu0) adds ${AMOUNT} twice with batch ${BATCH} (fast path, then the folding slow path), instruction by instruction; `
    + `T2 (cpu1) runs percpu_counter_sum instruction by instruction, then one percpu_counter_add_batch(${AMOUNT}, ${BATCH}). `
    + `Invariants: |read - true| < batch x online CPUs in every state; the sum lies between the true values when it started and ended; `
    + 'the final percpu_counter_sum equals the total added.',
  expect: 'none',
  cpus: 2,
  bound: 1,
  setup,
  start({ m, fbc }) {
    const w = new CounterWorld(m, fbc);
    return {
      m,
      tasks: [{ name: 'T1', cpu: 0, run: w.t1.bind(w) }, { name: 'T2', cpu: 1, run: w.t2.bind(w) }],
      watch: [w.pcp],
      stateKey: w.stateKey.bind(w),
      check: w.check.bind(w),
      final: w.final.bind(w),
    };
  },
});
