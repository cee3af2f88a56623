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
import { atomic, load, type StepGen } from '../../sched/step.js';
import type { Scenario } from '../../sched/task.js';

const AMOUNT = 3;
const BATCH = 4;

/** raw_spin_lock(&fbc->lock): a step that can run only while the lock is free. */
function* spinLock(fbc: PercpuCounter): StepGen<void> {
  yield { asm: 'lock cmpxchgl %edx, (fbc->lock)    ; raw_spin_lock', writes: ['fbc.lock'], enabled: () => !fbc.locked };
  fbc.locked = true;
}

function* spinUnlock(fbc: PercpuCounter): StepGen<void> {
  yield { asm: 'movb $0, (fbc->lock)    ; raw_spin_unlock', writes: ['fbc.lock'] };
  fbc.locked = false;
}

export const percpuCounter: Scenario = {
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
  build() {
    const m = new Machine({ cpus: 2 });
    m.boot();
    const fbc = percpu_counter_init(m, 0);
    const pcp = fbc.counters!;
    let ghost = 0;
    let problem: string | null = null;

    /** percpu_counter_add_batch(), step by step (x86-64: this_cpu_try_cmpxchg fast path). */
    function* addBatch(amount: number, batch: number): StepGen<void> {
      const box = { value: yield* this_cpu_read_4(m, pcp) };
      for (;;) {
        const count = box.value | 0;
        if (Math.abs(count + amount) >= batch) {
          const flags = local_irq_save(m);
          yield* spinLock(fbc);
          const delta = (yield* __this_cpu_read_4(m, pcp)) | 0;
          yield* atomic({ asm: 'addq %rax, (fbc->count)', writes: ['fbc.count'] }, () => {
            fbc.count += delta + amount;
            ghost += amount;
          });
          yield* __this_cpu_sub_4(m, pcp, delta);
          yield* spinUnlock(fbc);
          local_irq_restore(m, flags);
          return;
        }
        if (yield* this_cpu_try_cmpxchg_4(m, pcp, box, (count + amount) >>> 0)) {
          ghost += amount;
          return;
        }
      }
    }

    /** __percpu_counter_sum(), step by step. */
    function* sum(): StepGen<number> {
      const flags = local_irq_save(m);
      yield* spinLock(fbc);
      const lo = ghost;
      let ret = yield* atomic({ asm: 'movq (fbc->count), %rax', reads: ['fbc.count'] }, () => fbc.count);
      for (const cpu of m.online) {
        ret += (yield* load(m, per_cpu_ptr(m, pcp, cpu), 'i32')) as number;
      }
      yield* spinUnlock(fbc);
      const hi = ghost;
      local_irq_restore(m, flags);
      if (ret < lo || ret > hi) {
        problem ??= `percpu_counter_sum returned ${ret}, outside [${lo}, ${hi}] (the true value when the sum started and when it ended)`;
      }
      return ret;
    }

    return {
      m,
      tasks: [
        {
          name: 'T1', cpu: 0,
          *run() {
            yield* addBatch(AMOUNT, BATCH);
            yield* addBatch(AMOUNT, BATCH);
          },
        },
        {
          name: 'T2', cpu: 1,
          *run() {
            yield* sum();
            yield* atomic(
              { asm: 'call percpu_counter_add_batch', pcp, size: 4, access: 'w', reads: ['fbc.lock'], writes: ['fbc.count'], enabled: () => !fbc.locked },
              () => {
                percpu_counter_add_batch(fbc, AMOUNT, BATCH);
                ghost += AMOUNT;
              },
            );
          },
        },
      ],
      watch: [pcp],
      stateKey: () => `${fbc.count}/${fbc.locked ? 1 : 0}/${ghost}`,
      check() {
        if (problem !== null) return problem;
        const read = percpu_counter_read(fbc);
        const limit = BATCH * m.online.weight();
        if (Math.abs(read - ghost) >= limit) {
          return `percpu_counter_read() = ${read} is ${Math.abs(read - ghost)} away from the true value ${ghost}: not below batch x online = ${limit}`;
        }
        return null;
      },
      final() {
        const total = 3 * AMOUNT;
        const s = percpu_counter_sum(fbc);
        return s === total && ghost === total ? null : `percpu_counter_sum() = ${s} after all adds, expected ${total}`;
      },
    };
  },
};
