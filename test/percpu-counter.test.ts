import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { per_cpu_ptr } from '../src/accessors.js';
import type { Arch } from '../src/arch.js';
import { MachineStateError } from '../src/errors.js';
import { cpu_down, cpu_up } from '../src/kernel/hotplug.js';
import { Machine } from '../src/machine.js';
import { pcpu_chunks } from '../src/mm/percpu-alloc.js';
import {
  PERCPU_COUNTER_LOCAL_BATCH, __percpu_counter_compare, percpu_counter_add, percpu_counter_add_batch,
  percpu_counter_add_local, percpu_counter_batch, percpu_counter_compare, percpu_counter_dec, percpu_counter_destroy,
  percpu_counter_inc, percpu_counter_init, percpu_counter_limited_add, percpu_counter_read, percpu_counter_read_positive,
  percpu_counter_set, percpu_counter_sub, percpu_counter_sub_local, percpu_counter_sum, percpu_counter_sum_positive,
  percpu_counter_sync, type PercpuCounter,
} from '../src/lib/percpu-counter.js';
import { local_irq_restore, local_irq_save } from '../src/kernel/preempt.js';

function boot(cpus = 4, arch: Arch = 'x86_64'): Machine {
  return new Machine({ cpus, arch }).boot();
}

/** The s32 delta of one CPU, read through per_cpu_ptr. */
function delta(fbc: PercpuCounter, cpu: number): number {
  return fbc.m.load(per_cpu_ptr(fbc.m, fbc.counters!, cpu), 'i32') as number;
}

describe('batch', () => {
  it('is max(32, 2 × online CPUs) and follows hotplug', () => {
    expect(percpu_counter_batch(boot(4))).toBe(32);
    const m = boot(20);
    percpu_counter_init(m);
    expect(percpu_counter_batch(m)).toBe(40);
    cpu_down(m, 5);
    cpu_down(m, 6);
    expect(percpu_counter_batch(m)).toBe(36);
    cpu_up(m, 6);
    expect(percpu_counter_batch(m)).toBe(38);
  });
});

describe('add, read and sum', () => {
  it('keeps small adds in the CPU delta and folds at the batch', () => {
    const m = boot();
    const fbc = percpu_counter_init(m, 5);
    expect(percpu_counter_read(fbc)).toBe(5);
    percpu_counter_add(fbc, 31);
    expect([percpu_counter_read(fbc), delta(fbc, 0), percpu_counter_sum(fbc)]).toEqual([5, 31, 36]);
    percpu_counter_inc(fbc); // |31 + 1| >= 32: fold
    expect([percpu_counter_read(fbc), delta(fbc, 0), percpu_counter_sum(fbc)]).toEqual([37, 0, 37]);
    m.runOn(2, () => percpu_counter_sub(fbc, 40)); // one step past the batch: folds at once
    expect([percpu_counter_read(fbc), delta(fbc, 2)]).toEqual([-3, 0]);
    m.runOn(3, () => { percpu_counter_dec(fbc); percpu_counter_dec(fbc); });
    expect([percpu_counter_read(fbc), delta(fbc, 3), percpu_counter_sum(fbc)]).toEqual([-3, -2, -5]);
    expect(percpu_counter_read_positive(fbc)).toBe(0);
    expect(percpu_counter_sum_positive(fbc)).toBe(0);
    percpu_counter_add(fbc, 100);
    expect(percpu_counter_read_positive(fbc)).toBe(97);
    expect(percpu_counter_sum_positive(fbc)).toBe(95);
  });

  it('add_batch uses the given batch; add_local almost never folds', () => {
    const m = boot();
    const fbc = percpu_counter_init(m);
    percpu_counter_add_batch(fbc, 3, 4);
    expect([percpu_counter_read(fbc), delta(fbc, 0)]).toEqual([0, 3]);
    percpu_counter_add_batch(fbc, 1, 4);
    expect([percpu_counter_read(fbc), delta(fbc, 0)]).toEqual([4, 0]);
    percpu_counter_add_local(fbc, 1_000_000);
    percpu_counter_sub_local(fbc, 1);
    expect([percpu_counter_read(fbc), delta(fbc, 0), percpu_counter_sum(fbc)]).toEqual([4, 999_999, 1_000_003]);
    percpu_counter_add_batch(fbc, PERCPU_COUNTER_LOCAL_BATCH, PERCPU_COUNTER_LOCAL_BATCH);
    expect([percpu_counter_read(fbc), delta(fbc, 0)]).toEqual([4 + 999_999 + PERCPU_COUNTER_LOCAL_BATCH, 0]);
  });

  it('restores the interrupt state it found, and works with interrupts already off', () => {
    const m = boot();
    const fbc = percpu_counter_init(m);
    percpu_counter_add(fbc, 100);
    expect(m.ctx.irqsDisabled).toBe(false);
    const flags = local_irq_save(m);
    percpu_counter_add(fbc, 100);
    percpu_counter_add(fbc, 1);
    expect(m.ctx.irqsDisabled).toBe(true);
    local_irq_restore(m, flags);
    expect(percpu_counter_sum(fbc)).toBe(201);
  });

  it('a fold that finds the lock held by this CPU is refused as a deadlock with interrupts restored, changing nothing', () => {
    const m = boot();
    m.loadCpu(2);
    const fbc = percpu_counter_init(m, 7);
    percpu_counter_add(fbc, 31); // the delta sits one below the batch (32): the next increment folds
    fbc.locked = true; // this thread holds fbc->lock, as an interrupted fold would
    const state = () => [delta(fbc, 2), fbc.countS64, fbc.locked, m.ctx.irqsDisabled, m.ctx.preemptCount];
    const before = state();
    const deadlock = (what: string) => new MachineStateError(`${what}: deadlock: the percpu_counter's lock is already held on this CPU`);
    expect(() => percpu_counter_inc(fbc)).toThrow(deadlock('percpu_counter_add'));
    expect(() => percpu_counter_add_batch(fbc, 1, 32)).toThrow(deadlock('percpu_counter_add_batch'));
    expect(() => percpu_counter_add(fbc, 2n ** 60n)).toThrow(deadlock('percpu_counter_add'));
    expect(() => percpu_counter_sync(fbc)).toThrow(deadlock('percpu_counter_sync'));
    expect(state()).toEqual(before);
    expect(before).toEqual([31, 7n, true, false, 0]);
    fbc.locked = false;
    percpu_counter_inc(fbc);
    expect([delta(fbc, 2), percpu_counter_read(fbc), percpu_counter_sum(fbc)]).toEqual([0, 39, 39]);
  });

  it('rejects bad amounts and batches, changing nothing', () => {
    const m = boot();
    const fbc = percpu_counter_init(m, 1);
    percpu_counter_add(fbc, 3);
    for (const bad of [1.5, NaN, 2 ** 53, '1', null]) {
      expect(() => percpu_counter_add(fbc, bad as number)).toThrow(TypeError);
    }
    expect(() => percpu_counter_add(fbc, 0.5)).toThrow(new TypeError(
      'percpu_counter_add: amount must be a safe integer number (|v| ≤ 2^53 - 1) or a bigint (s64), got 0.5; nothing was changed',
    ));
    expect(() => percpu_counter_add_batch(fbc, 1, 0)).toThrow(new TypeError(
      'percpu_counter_add_batch: batch must be an integer from 1 to 2147483647 (s32), got 0',
    ));
    expect(() => percpu_counter_init(m, 0.5)).toThrow(TypeError);
    m.ctx.preemptCount = 1;
    expect(() => percpu_counter_init(m)).toThrow(new MachineStateError(
      'percpu_counter_init: BUG: sleeping function called from invalid context: preemption is disabled on cpu 0 (preempt_count 1); a GFP_KERNEL per-CPU allocation may sleep, initialise the counter from preemptible context',
    ));
    m.ctx.preemptCount = 0;
    expect([percpu_counter_read(fbc), delta(fbc, 0)]).toEqual([1, 3]);
  });
});

describe('property: the read error bound', () => {
  type Step = { kind: 'add'; cpu: number; amount: number } | { kind: 'down' | 'up'; cpu: number };
  const step: fc.Arbitrary<Step> = fc.oneof(
    { weight: 12, arbitrary: fc.record({ kind: fc.constant('add' as const), cpu: fc.integer({ min: 0, max: 3 }), amount: fc.oneof(fc.integer({ min: -40, max: 40 }), fc.integer({ min: -1000, max: 1000 })) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constantFrom('down' as const, 'up' as const), cpu: fc.integer({ min: 1, max: 3 }) }) },
  );

  it('|read - sum| < batch × online CPUs after every add on every CPU; sum is exact', () => {
    fc.assert(
      fc.property(fc.integer({ min: -500, max: 500 }), fc.array(step, { maxLength: 120 }), (init, steps) => {
        const m = boot();
        const fbc = percpu_counter_init(m, init);
        let model = init;
        for (const s of steps) {
          if (s.kind === 'add') {
            if (!m.online.test(s.cpu)) continue;
            m.runOn(s.cpu, () => percpu_counter_add(fbc, s.amount));
            model += s.amount;
          } else if (s.kind === 'down' && m.online.test(s.cpu)) {
            cpu_down(m, s.cpu);
            expect(delta(fbc, s.cpu)).toBe(0); // folded by the dead callback
          } else if (s.kind === 'up' && !m.online.test(s.cpu)) {
            cpu_up(m, s.cpu);
          }
          const batch = percpu_counter_batch(m);
          const online = m.online.weight();
          expect(Math.abs(percpu_counter_read(fbc) - model)).toBeLessThan(batch * online);
          for (let cpu = 0; cpu < 4; cpu++) expect(Math.abs(delta(fbc, cpu))).toBeLessThan(batch);
          expect(percpu_counter_sum(fbc)).toBe(model);
        }
      }),
      { numRuns: 300, seed: 42 },
    );
  });
});

describe('set, sync, compare, limited_add', () => {
  it('set zeroes every possible CPU, online or not', () => {
    const m = boot();
    const fbc = percpu_counter_init(m);
    m.runOn(1, () => percpu_counter_add(fbc, 7));
    m.runOn(3, () => percpu_counter_add(fbc, -7 - 1));
    m.store(per_cpu_ptr(m, fbc.counters!, 3), 'i32', 9);
    percpu_counter_set(fbc, 1000);
    expect([0, 1, 2, 3].map((c) => delta(fbc, c))).toEqual([0, 0, 0, 0]);
    expect([percpu_counter_read(fbc), percpu_counter_sum(fbc)]).toEqual([1000, 1000]);
  });

  it('sync folds only this CPU', () => {
    const m = boot();
    const fbc = percpu_counter_init(m);
    m.runOn(1, () => percpu_counter_add(fbc, 5));
    m.runOn(2, () => percpu_counter_add(fbc, 6));
    m.runOn(2, () => percpu_counter_sync(fbc));
    expect([percpu_counter_read(fbc), delta(fbc, 1), delta(fbc, 2)]).toEqual([6, 5, 0]);
  });

  it('compare answers from read when far (even if the deltas lie), sums when near', () => {
    const m = boot();
    const fbc = percpu_counter_init(m, 1000);
    // Plant a delta far outside ±batch: only the precise path can see it.
    m.store(per_cpu_ptr(m, fbc.counters!, 1), 'i32', -900);
    expect(percpu_counter_sum(fbc)).toBe(100);
    // |1000 - 500| = 500 > 32 × 4: the fast path trusts read() and says "above".
    expect(percpu_counter_compare(fbc, 500)).toBe(1);
    // |1000 - 950| = 50 <= 128: the precise sum (100) decides.
    expect(percpu_counter_compare(fbc, 950)).toBe(-1);
    expect(percpu_counter_compare(fbc, 1100)).toBe(-1); // also within 128: the sum (100) is below
    // With a tiny batch the window shrinks and the fast path answers again.
    expect(__percpu_counter_compare(fbc, 950, 10)).toBe(1);
    m.store(per_cpu_ptr(m, fbc.counters!, 1), 'i32', 0);
    expect(percpu_counter_compare(fbc, 1000)).toBe(0);
    expect(percpu_counter_compare(fbc, 1001)).toBe(-1);
    expect(percpu_counter_compare(fbc, 2000)).toBe(-1);
  });

  it('limited_add adds only within the limit, using the sum when the approximation cannot decide', () => {
    const m = boot();
    const fbc = percpu_counter_init(m);
    expect(percpu_counter_limited_add(fbc, 100, 0)).toBe(true);
    // Far below the limit (0 + 128 <= 1000): lock-free, stays in the delta.
    expect(percpu_counter_limited_add(fbc, 1000, 10)).toBe(true);
    expect([percpu_counter_read(fbc), delta(fbc, 0)]).toEqual([0, 10]);
    m.runOn(1, () => percpu_counter_add(fbc, 30));
    // Near the limit: precise total 40 + 60 = 100 <= 100, so it goes in (folding this CPU's delta).
    expect(percpu_counter_limited_add(fbc, 100, 60)).toBe(true);
    expect([percpu_counter_read(fbc), delta(fbc, 0), percpu_counter_sum(fbc)]).toEqual([70, 0, 100]);
    expect(percpu_counter_limited_add(fbc, 100, 1)).toBe(false);
    expect(percpu_counter_sum(fbc)).toBe(100);
    // Clearly over even by the approximation: refused without summing.
    expect(percpu_counter_limited_add(fbc, 100, 500)).toBe(false);
    // Negative amounts keep the total at or above the limit.
    expect(percpu_counter_limited_add(fbc, 0, -100)).toBe(true);
    expect(percpu_counter_sum(fbc)).toBe(0);
    expect(percpu_counter_limited_add(fbc, 0, -1)).toBe(false);
    expect(percpu_counter_sum(fbc)).toBe(0);
    expect(m.ctx.irqsDisabled).toBe(false);
  });
});

describe('hotplug fold and destroy', () => {
  it('folds a dead CPU\'s delta into count; the sum does not change', () => {
    const m = boot();
    const a = percpu_counter_init(m);
    const b = percpu_counter_init(m, 10);
    m.runOn(2, () => { percpu_counter_add(a, 20); percpu_counter_add(b, -3); });
    cpu_down(m, 2);
    expect([percpu_counter_read(a), delta(a, 2), percpu_counter_sum(a)]).toEqual([20, 0, 20]);
    expect([percpu_counter_read(b), delta(b, 2), percpu_counter_sum(b)]).toEqual([7, 0, 7]);
    cpu_up(m, 2);
    m.runOn(2, () => percpu_counter_add(a, 1));
    expect(percpu_counter_sum(a)).toBe(21);
  });

  it('destroy frees the per-CPU memory, is idempotent, and later use is a clear error', () => {
    const m = boot();
    const fbc = percpu_counter_init(m);
    const live = () => pcpu_chunks(m).reduce((n, c) => n + c.allocations.length, 0);
    expect(live()).toBe(1);
    percpu_counter_destroy(fbc);
    expect(live()).toBe(0);
    percpu_counter_destroy(fbc);
    expect(fbc.counters).toBeNull();
    expect(() => percpu_counter_add(fbc, 1)).toThrow(new MachineStateError(
      'percpu_counter_add: the percpu_counter was destroyed by percpu_counter_destroy(); initialise a new one with percpu_counter_init()',
    ));
    expect(() => percpu_counter_sum(fbc)).toThrow(/^percpu_counter_sum: the percpu_counter was destroyed/);
    // A destroyed counter is no longer folded on hotplug.
    cpu_down(m, 1);
    expect(() => percpu_counter_destroy({} as PercpuCounter)).toThrow(TypeError);
  });
});

describe('every architecture, as its kernel builds lib/percpu_counter.c', () => {
  // x86-64 and arm64 select HAVE_CMPXCHG_LOCAL (the this_cpu_try_cmpxchg loop); asm-generic runs the add under local_irq_save.
  for (const arch of ['x86_64', 'arm64', 'generic'] as const) {
    it(`${arch}: exact deltas, folds, s64 amounts, set, sync, compare, limited_add and hotplug`, () => {
      const m = boot(4, arch);
      const fbc = percpu_counter_init(m, 5);
      percpu_counter_add(fbc, 31);
      expect([percpu_counter_read(fbc), delta(fbc, 0), percpu_counter_sum(fbc)]).toEqual([5, 31, 36]);
      percpu_counter_inc(fbc); // |31 + 1| >= 32: fold
      expect([percpu_counter_read(fbc), delta(fbc, 0)]).toEqual([37, 0]);
      m.runOn(2, () => { percpu_counter_dec(fbc); percpu_counter_sub(fbc, 3n); percpu_counter_add_batch(fbc, -2, 7); });
      expect([percpu_counter_read(fbc), delta(fbc, 2), percpu_counter_sum(fbc)]).toEqual([37, -6, 31]);
      m.runOn(2, () => percpu_counter_add_batch(fbc, -1, 7)); // |-6 - 1| >= 7: folds -7
      expect([percpu_counter_read(fbc), delta(fbc, 2)]).toEqual([30, 0]);
      // An amount past 2^53 is exact; one that wraps s64 wraps as -fno-strict-overflow does.
      m.runOn(1, () => { percpu_counter_add(fbc, 9); percpu_counter_add(fbc, 2n ** 60n); });
      expect([fbc.countS64, delta(fbc, 1)]).toEqual([2n ** 60n + 39n, 0]);
      percpu_counter_add_local(fbc, 1_000_000);
      // compare decides from the count alone when it is farther than batch × online CPUs: it does not see the delta.
      expect([delta(fbc, 0), percpu_counter_compare(fbc, 2n ** 60n + 1_000_039n), percpu_counter_compare(fbc, 2n ** 60n + 39n)]).toEqual([1_000_000, -1, 1]);
      percpu_counter_sync(fbc);
      expect([fbc.countS64, delta(fbc, 0)]).toEqual([2n ** 60n + 1_000_039n, 0]);
      percpu_counter_set(fbc, -3);
      m.runOn(3, () => percpu_counter_add(fbc, 4));
      // -3 + 8 + cpu3's 4 = 9 is within 10 (decided by the sum, under the lock: 8 goes into count); 9 + 2 is not.
      expect([percpu_counter_limited_add(fbc, 10, 8), percpu_counter_limited_add(fbc, 10, 2), fbc.countS64, percpu_counter_sum(fbc)]).toEqual([true, false, 5n, 9]);
      cpu_down(m, 3); // the dead CPU's delta (4) is folded into count
      expect([percpu_counter_read(fbc), percpu_counter_sum(fbc), percpu_counter_batch(m)]).toEqual([9, 9, 32]);
      expect([m.ctx.preemptCount, m.ctx.irqsDisabled, fbc.locked]).toEqual([0, false, false]);
    });

    it(`${arch}: a refused call changes nothing (bad amount, destroyed counter, recursive fold)`, () => {
      const m = boot(2, arch);
      const fbc = percpu_counter_init(m, 7);
      percpu_counter_add(fbc, 31);
      const state = () => [delta(fbc, 0), fbc.countS64, fbc.locked, m.ctx.irqsDisabled, m.ctx.preemptCount];
      const before = state();
      expect(() => percpu_counter_add(fbc, 0.5)).toThrow(new TypeError(
        'percpu_counter_add: amount must be a safe integer number (|v| ≤ 2^53 - 1) or a bigint (s64), got 0.5; nothing was changed',
      ));
      expect(() => percpu_counter_add_batch(fbc, 1, 0)).toThrow('percpu_counter_add_batch: batch must be an integer from 1 to 2147483647 (s32), got 0');
      fbc.locked = true; // this thread holds fbc->lock: the fold of the next add would deadlock
      const deadlock = (what: string) => new MachineStateError(`${what}: deadlock: the percpu_counter's lock is already held on this CPU`);
      expect(() => percpu_counter_inc(fbc)).toThrow(deadlock('percpu_counter_add'));
      expect(() => percpu_counter_add_batch(fbc, 2n ** 60n, 32)).toThrow(deadlock('percpu_counter_add_batch'));
      expect(() => percpu_counter_sync(fbc)).toThrow(deadlock('percpu_counter_sync'));
      fbc.locked = false;
      expect(state()).toEqual(before);
      expect(before).toEqual([31, 7n, false, false, 0]);
      percpu_counter_destroy(fbc);
      expect(() => percpu_counter_add(fbc, 1)).toThrow(new MachineStateError(
        'percpu_counter_add: the percpu_counter was destroyed by percpu_counter_destroy(); initialise a new one with percpu_counter_init()',
      ));
      expect([m.ctx.irqsDisabled, m.ctx.preemptCount]).toEqual([false, 0]);
    });
  }
});
