/**
 * percpu_counter's count is an exact s64: exact at and across 2^53, wrapping
 * at ±2^63 as the kernel's (-fno-strict-overflow) does, never rounded. And the
 * lean fast path refuses exactly what the slow path refuses, with the same
 * messages, leaving everything as it was.
 */
import { describe, expect, it } from 'vitest';
import { MachineStateError } from '../src/errors.js';
import { cpu_down } from '../src/kernel/hotplug.js';
import { Machine } from '../src/machine.js';
import { alloc_percpu, pcpu_chunks } from '../src/mm/percpu-alloc.js';
import { per_cpu_ptr } from '../src/accessors.js';
import {
  S64_MAX, S64_MIN, __percpu_counter_compare, percpu_counter_add, percpu_counter_add_batch, percpu_counter_add_local,
  percpu_counter_compare, percpu_counter_dec, percpu_counter_destroy, percpu_counter_inc, percpu_counter_init,
  percpu_counter_limited_add, percpu_counter_read, percpu_counter_read_positive, percpu_counter_read_s64, percpu_counter_set,
  percpu_counter_sub, percpu_counter_sub_local, percpu_counter_sum, percpu_counter_sum_positive, percpu_counter_sum_s64,
  percpu_counter_sync, percpuCounterView, type PercpuCounter,
} from '../src/lib/percpu-counter.js';

const TWO53 = 2n ** 53n;

function boot(cpus = 4): Machine {
  return new Machine({ cpus }).boot();
}

function delta(fbc: PercpuCounter, cpu: number): number {
  return fbc.m.load(per_cpu_ptr(fbc.m, fbc.counters!, cpu), 'i32') as number;
}

function allocations(m: Machine): number {
  return pcpu_chunks(m).reduce((n, c) => n + c.allocations.length, 0);
}

/** Everything a refused call must leave as it was. */
function snapshot(fbc: PercpuCounter): unknown {
  const m = fbc.m;
  return {
    preempt: m.ctx.preemptCount, irqs: m.ctx.irqsDisabled, cpu: m.cpu, locked: fbc.locked, count: fbc.countS64,
    deltas: [0, 1, 2, 3].map((c) => delta(fbc, c)), allocations: allocations(m),
  };
}

describe('count is an exact s64', () => {
  it('the issue\'s repro: MAX_SAFE_INTEGER + 1 + 1 on two CPUs sums to 2^53 + 1, and the number form refuses to round it', () => {
    const m = boot();
    const fbc = percpu_counter_init(m, Number.MAX_SAFE_INTEGER);
    m.runOn(0, () => percpu_counter_add_local(fbc, 1));
    m.runOn(1, () => percpu_counter_add_local(fbc, 1));
    expect(percpu_counter_sum_s64(fbc)).toBe(TWO53 + 1n);
    expect(() => percpu_counter_sum(fbc)).toThrow(new RangeError(
      'percpu_counter_sum: 9007199254740993 is not a safe integer (|v| ≤ 2^53 - 1), so a number would round it; percpu_counter_sum_s64() returns it exactly',
    ));
    expect(() => percpu_counter_sum_positive(fbc)).toThrow(new RangeError(
      'percpu_counter_sum_positive: 9007199254740993 is not a safe integer (|v| ≤ 2^53 - 1), so a number would round it; percpu_counter_sum_s64() returns it exactly',
    ));
    // The refusal came after the lock was dropped and interrupts restored.
    expect([fbc.locked, m.ctx.irqsDisabled]).toEqual([false, false]);
    expect([percpu_counter_read(fbc), delta(fbc, 0), delta(fbc, 1)]).toEqual([Number.MAX_SAFE_INTEGER, 1, 1]);
  });

  it('stays exact step by step while folds carry count across 2^53', () => {
    const m = boot();
    const fbc = percpu_counter_init(m, Number.MAX_SAFE_INTEGER - 1000);
    let model = TWO53 - 1001n;
    const amounts = [7, 13, -3, 29];
    for (let i = 0; i < 200; i++) {
      const amount = amounts[i % 4];
      m.runOn(i % 4, () => percpu_counter_add(fbc, amount));
      model += BigInt(amount);
      expect(percpu_counter_sum_s64(fbc)).toBe(model);
      const deltas = [0, 1, 2, 3].reduce((s, c) => s + delta(fbc, c), 0);
      expect(percpu_counter_read_s64(fbc)).toBe(model - BigInt(deltas));
    }
    expect(model).toBe(TWO53 + 1299n);
    const count = percpu_counter_read_s64(fbc);
    expect(count > TWO53).toBe(true);
    expect(() => percpu_counter_read(fbc)).toThrow(new RangeError(
      `percpu_counter_read: ${count} is not a safe integer (|v| ≤ 2^53 - 1), so a number would round it; percpu_counter_read_s64() returns it exactly`,
    ));
    expect(() => percpu_counter_read_positive(fbc)).toThrow(/^percpu_counter_read_positive: \d+ is not a safe integer/);
    expect(() => fbc.count).toThrow(`percpu_counter: count: ${count} is not a safe integer (|v| ≤ 2^53 - 1), so a number would round it; fbc.countS64 returns it exactly`);
  });

  it('the hotplug fold is exact past 2^53 (a dead CPU\'s odd delta is not rounded away)', () => {
    const m = boot();
    const fbc = percpu_counter_init(m, Number.MAX_SAFE_INTEGER);
    m.runOn(2, () => percpu_counter_add_local(fbc, 5));
    m.runOn(3, () => percpu_counter_add_local(fbc, 7));
    cpu_down(m, 2);
    expect([percpu_counter_read_s64(fbc), delta(fbc, 2)]).toEqual([TWO53 + 4n, 0]);
    cpu_down(m, 3);
    expect([percpu_counter_read_s64(fbc), delta(fbc, 3)]).toEqual([TWO53 + 11n, 0]);
    expect(percpu_counter_sum_s64(fbc)).toBe(TWO53 + 11n);
  });

  it('takes bigint amounts: small ones behave as numbers, large ones fold exactly', () => {
    const m = boot();
    const fbc = percpu_counter_init(m, 2n ** 60n);
    expect(percpu_counter_read_s64(fbc)).toBe(2n ** 60n);
    percpu_counter_add(fbc, 5n);
    expect([percpu_counter_read_s64(fbc), delta(fbc, 0)]).toEqual([2n ** 60n, 5]);
    percpu_counter_add(fbc, 2n ** 61n + 1n);
    expect([percpu_counter_read_s64(fbc), delta(fbc, 0)]).toEqual([2n ** 60n + 2n ** 61n + 6n, 0]);
    percpu_counter_sub(fbc, 2n ** 61n);
    percpu_counter_sub_local(fbc, 2n ** 60n);
    expect(percpu_counter_sum_s64(fbc)).toBe(6n);
    expect(percpu_counter_sum(fbc)).toBe(6);
    percpu_counter_set(fbc, -(2n ** 62n));
    expect([percpu_counter_read_positive(fbc), percpu_counter_sum_positive(fbc)]).toEqual([0, 0]);
    expect(__percpu_counter_compare(fbc, -(2n ** 62n) - 1n, 32)).toBe(1);
    expect(percpu_counter_compare(fbc, -(2n ** 62n))).toBe(0);
    expect(percpu_counter_compare(fbc, TWO53)).toBe(-1);
    expect(percpu_counter_limited_add(fbc, -(2n ** 62n) + 100n, 2n ** 54n)).toBe(false);
    expect(percpu_counter_limited_add(fbc, -(2n ** 62n) + 2n ** 54n, 2n ** 54n)).toBe(true);
    expect(percpu_counter_sum_s64(fbc)).toBe(-(2n ** 62n) + 2n ** 54n);
  });
});

describe('s64 overflow wraps, as in the kernel (-fno-strict-overflow)', () => {
  it('count wraps at 2^63 when a fold carries it over, and the sum wraps the same way', () => {
    const m = boot();
    const fbc = percpu_counter_init(m, S64_MAX);
    percpu_counter_add(fbc, 31);
    expect([percpu_counter_read_s64(fbc), delta(fbc, 0)]).toEqual([S64_MAX, 31]);
    expect(percpu_counter_sum_s64(fbc)).toBe(S64_MIN + 30n);
    percpu_counter_inc(fbc); // |31 + 1| >= 32: the fold adds 32 to S64_MAX
    expect([percpu_counter_read_s64(fbc), delta(fbc, 0)]).toEqual([S64_MIN + 31n, 0]);
    percpu_counter_set(fbc, S64_MIN);
    percpu_counter_dec(fbc);
    expect(percpu_counter_sum_s64(fbc)).toBe(S64_MAX);
    percpu_counter_sub(fbc, 31); // delta -32 folds: S64_MIN - 32
    expect([percpu_counter_read_s64(fbc), delta(fbc, 0)]).toEqual([S64_MAX - 31n, 0]);
    m.runOn(1, () => percpu_counter_add_local(fbc, 100));
    m.runOn(1, () => percpu_counter_sync(fbc));
    expect(percpu_counter_read_s64(fbc)).toBe(S64_MIN + 68n);
  });

  it('abs(S64_MIN) is S64_MIN in the kernel: an amount that makes delta + amount exactly S64_MIN takes the fast path and is lost', () => {
    const m = boot();
    const fbc = percpu_counter_init(m);
    percpu_counter_add(fbc, S64_MIN);
    expect([percpu_counter_read_s64(fbc), delta(fbc, 0), percpu_counter_sum_s64(fbc)]).toEqual([0n, 0, 0n]);
    // The kernel negates with wrap too: sub(S64_MIN) is add(S64_MIN).
    percpu_counter_sub(fbc, S64_MIN);
    expect(percpu_counter_sum_s64(fbc)).toBe(0n);
    // With a delta the sum is not S64_MIN, abs() is large, and it folds exactly.
    percpu_counter_add(fbc, 5);
    percpu_counter_add(fbc, S64_MIN);
    expect([percpu_counter_read_s64(fbc), delta(fbc, 0)]).toEqual([S64_MIN + 5n, 0]);
  });
});

describe('refusals change nothing, on the fast path as on the slow one', () => {
  it('bad amounts, batches and counters: the exact error, and preemption, interrupts, lock, count, deltas, memory as before', () => {
    const m = boot();
    const fbc = percpu_counter_init(m, 41);
    m.runOn(1, () => percpu_counter_add(fbc, 3));
    percpu_counter_add(fbc, -2);
    let valueOfCalls = 0;
    const sneaky = { valueOf: () => { valueOfCalls++; return 1; } };
    const before = snapshot(fbc);
    const refusals: Array<[() => unknown, Error]> = [
      [() => percpu_counter_add(fbc, 0.5), new TypeError('percpu_counter_add: amount must be a safe integer number (|v| ≤ 2^53 - 1) or a bigint (s64), got 0.5; nothing was changed')],
      [() => percpu_counter_add(fbc, 2 ** 53), new TypeError('percpu_counter_add: amount must be a safe integer number (|v| ≤ 2^53 - 1) or a bigint (s64), got 9007199254740992; nothing was changed')],
      [() => percpu_counter_add(fbc, NaN), new TypeError('percpu_counter_add: amount must be a safe integer number (|v| ≤ 2^53 - 1) or a bigint (s64), got NaN; nothing was changed')],
      [() => percpu_counter_add(fbc, Infinity), new TypeError('percpu_counter_add: amount must be a safe integer number (|v| ≤ 2^53 - 1) or a bigint (s64), got Infinity; nothing was changed')],
      [() => percpu_counter_add(fbc, '1' as unknown as number), new TypeError('percpu_counter_add: amount must be a safe integer number (|v| ≤ 2^53 - 1) or a bigint (s64), got "1"; nothing was changed')],
      [() => percpu_counter_add(fbc, sneaky as unknown as number), new TypeError('percpu_counter_add: amount must be a safe integer number (|v| ≤ 2^53 - 1) or a bigint (s64), got an object ([object Object]); nothing was changed')],
      [() => percpu_counter_add(fbc, 2n ** 63n), new RangeError('percpu_counter_add: amount 9223372036854775808n is outside the s64 range (-2^63 to 2^63 - 1); nothing was changed')],
      [() => percpu_counter_add_local(fbc, -(2n ** 63n) - 1n), new RangeError('percpu_counter_add_local: amount -9223372036854775809n is outside the s64 range (-2^63 to 2^63 - 1); nothing was changed')],
      [() => percpu_counter_add_local(fbc, 1.5), new TypeError('percpu_counter_add_local: amount must be a safe integer number (|v| ≤ 2^53 - 1) or a bigint (s64), got 1.5; nothing was changed')],
      [() => percpu_counter_sub(fbc, 0.5), new TypeError('percpu_counter_sub: amount must be a safe integer number (|v| ≤ 2^53 - 1) or a bigint (s64), got 0.5; nothing was changed')],
      [() => percpu_counter_add_batch(fbc, 1, 0), new TypeError('percpu_counter_add_batch: batch must be an integer from 1 to 2147483647 (s32), got 0')],
      [() => percpu_counter_add_batch(fbc, 1, 2 ** 31), new TypeError('percpu_counter_add_batch: batch must be an integer from 1 to 2147483647 (s32), got 2147483648')],
      [() => percpu_counter_add_batch(fbc, 1, 1.5), new TypeError('percpu_counter_add_batch: batch must be an integer from 1 to 2147483647 (s32), got 1.5')],
      [() => percpu_counter_add_batch(fbc, 1, '8' as unknown as number), new TypeError('percpu_counter_add_batch: batch must be an integer from 1 to 2147483647 (s32), got "8"')],
      [() => percpu_counter_add_batch(fbc, 0.5, 8), new TypeError('percpu_counter_add_batch: amount must be a safe integer number (|v| ≤ 2^53 - 1) or a bigint (s64), got 0.5; nothing was changed')],
      [() => percpu_counter_inc({} as PercpuCounter), new TypeError('percpu_counter_inc: expected a percpu_counter from percpu_counter_init(), got an object ([object Object])')],
      [() => percpu_counter_add(null as unknown as PercpuCounter, 1), new TypeError('percpu_counter_add: expected a percpu_counter from percpu_counter_init(), got null')],
      [() => percpu_counter_add_local(undefined as unknown as PercpuCounter, 1), new TypeError('percpu_counter_add_local: expected a percpu_counter from percpu_counter_init(), got undefined')],
      [() => percpu_counter_add_batch(5 as unknown as PercpuCounter, 1, 8), new TypeError('percpu_counter_add_batch: expected a percpu_counter from percpu_counter_init(), got 5')],
      [() => percpu_counter_read({ brand: 'x' } as unknown as PercpuCounter), new TypeError('percpu_counter_read: expected a percpu_counter from percpu_counter_init(), got an object ([object Object])')],
      [() => percpu_counter_set(fbc, 1.5), new TypeError('percpu_counter_set: amount must be a safe integer number (|v| ≤ 2^53 - 1) or a bigint (s64), got 1.5; nothing was changed')],
      [() => percpu_counter_set(fbc, 2n ** 64n), new RangeError('percpu_counter_set: amount 18446744073709551616n is outside the s64 range (-2^63 to 2^63 - 1); nothing was changed')],
      [() => percpu_counter_compare(fbc, 0.5), new TypeError('__percpu_counter_compare: rhs must be a safe integer number (|v| ≤ 2^53 - 1) or a bigint (s64), got 0.5; nothing was changed')],
      [() => percpu_counter_limited_add(fbc, 2n ** 64n, 1), new RangeError('__percpu_counter_limited_add: limit 18446744073709551616n is outside the s64 range (-2^63 to 2^63 - 1); nothing was changed')],
      [() => percpu_counter_init(m, 2n ** 63n), new RangeError('percpu_counter_init: amount 9223372036854775808n is outside the s64 range (-2^63 to 2^63 - 1); nothing was changed')],
      [() => percpu_counter_init(m, 0.5), new TypeError('percpu_counter_init: amount must be a safe integer number (|v| ≤ 2^53 - 1) or a bigint (s64), got 0.5; nothing was changed')],
    ];
    for (const [call, error] of refusals) {
      expect(call).toThrow(error);
      expect(snapshot(fbc)).toEqual(before);
    }
    expect(valueOfCalls).toBe(0);
    expect([percpu_counter_sum(fbc), percpu_counter_read(fbc)]).toEqual([42, 41]);
  });

  it('a destroyed counter is refused by every fast path, and its freed deltas are not written', () => {
    const m = boot();
    const fbc = percpu_counter_init(m);
    percpu_counter_add(fbc, 3);
    percpu_counter_destroy(fbc);
    // The next allocation reuses the freed deltas' memory: a use after destroy would write into it.
    const reuse = alloc_percpu(m, 'i32')!;
    expect(reuse.off).toBe(fbc.off);
    m.store(per_cpu_ptr(m, reuse, 0), 'i32', 77);
    const destroyed = (what: string): MachineStateError => new MachineStateError(
      `${what}: the percpu_counter was destroyed by percpu_counter_destroy(); initialise a new one with percpu_counter_init()`,
    );
    const calls: Array<[string, () => unknown]> = [
      ['percpu_counter_add', () => percpu_counter_inc(fbc)],
      ['percpu_counter_add', () => percpu_counter_dec(fbc)],
      ['percpu_counter_add', () => percpu_counter_add(fbc, -5)],
      ['percpu_counter_add_local', () => percpu_counter_add_local(fbc, 1)],
      ['percpu_counter_sub_local', () => percpu_counter_sub_local(fbc, 1)],
      ['percpu_counter_add_batch', () => percpu_counter_add_batch(fbc, 1, 8)],
      ['percpu_counter_read', () => percpu_counter_read(fbc)],
      ['percpu_counter_read_s64', () => percpu_counter_read_s64(fbc)],
      ['percpu_counter_sum_s64', () => percpu_counter_sum_s64(fbc)],
      ['percpu_counter_set', () => percpu_counter_set(fbc, 1)],
      ['percpu_counter_sync', () => percpu_counter_sync(fbc)],
    ];
    for (const [what, call] of calls) {
      expect(call).toThrow(destroyed(what));
      expect([m.load(per_cpu_ptr(m, reuse, 0), 'i32'), m.ctx.irqsDisabled, m.ctx.preemptCount]).toEqual([77, false, 0]);
    }
  });

  it('a bigint amount that is an s32 takes the number path, exact; one past ±2^63 that a 64-bit store would wrap small is refused', () => {
    const m = new Machine({ cpus: 2 }).boot();
    const fbc = percpu_counter_init(m, 0);
    const delta0 = (): number => m.load(per_cpu_ptr(m, fbc.counters!, 0), 'i32') as number;
    percpu_counter_add(fbc, 5n);
    percpu_counter_add_batch(fbc, -2n, 32);
    percpu_counter_add_local(fbc, 7n);
    expect([percpu_counter_read_s64(fbc), delta0()]).toEqual([0n, 10]);
    percpu_counter_add(fbc, 22n); // |10 + 22| >= 32: fold
    expect([percpu_counter_read_s64(fbc), delta0()]).toEqual([32n, 0]);
    const state = () => [percpu_counter_read_s64(fbc), delta0(), m.ctx.irqsDisabled, m.ctx.preemptCount];
    const before = state();
    for (const [what, call] of [
      ['percpu_counter_add', (v: bigint) => percpu_counter_add(fbc, v)],
      ['percpu_counter_add_batch', (v: bigint) => percpu_counter_add_batch(fbc, v, 32)],
      ['percpu_counter_add_local', (v: bigint) => percpu_counter_add_local(fbc, v)],
    ] as const) {
      for (const bad of [2n ** 64n + 1n, -(2n ** 64n) - 1n, 2n ** 63n]) {
        expect(() => call(bad)).toThrow(new RangeError(`${what}: amount ${bad}n is outside the s64 range (-2^63 to 2^63 - 1); nothing was changed`));
      }
    }
    expect(state()).toEqual(before);
    percpu_counter_add(fbc, 2n ** 40n); // safe but past s32: the slow path, exact
    percpu_counter_add(fbc, TWO53 + 1n); // past 2^53: exact as a bigint
    expect([percpu_counter_read_s64(fbc), delta0()]).toEqual([32n + 2n ** 40n + TWO53 + 1n, 0]);
  });

  it('the deltas are named for traces as the C names fbc->counters; a name that is not a C lvalue is refused before anything is allocated', () => {
    const m = new Machine({ cpus: 2 }).boot();
    expect(percpu_counter_init(m, 0, 'nr_files.counters').counters!.sym).toBe('*nr_files.counters');
    expect(percpu_counter_init(m, 0, 'sbi->s_freeclusters_counter.counters').counters!.sym).toBe('*sbi->s_freeclusters_counter.counters');
    expect(alloc_percpu(m, 'u32', 'stats[2].pcp')!.sym).toBe('*stats[2].pcp');
    const n = allocations(m);
    for (const bad of ['a b', '2x', 'a.', 'a;b', 5]) {
      expect(() => percpu_counter_init(m, 0, bad as string)).toThrow(new TypeError(
        `percpu_counter_init: the name must be a C identifier or member path (a, a.b, p->b, a[2].b), got ${typeof bad === 'string' ? `"${bad}"` : '5'}`,
      ));
    }
    expect(() => alloc_percpu(m, 'u32', 'a b')).toThrow('alloc_percpu: the name must be a C identifier or member path (a, a.b, p->b, a[2].b), got "a b"');
    expect([allocations(m), m.ctx.irqsDisabled, m.ctx.preemptCount]).toEqual([n, false, 0]);
  });

  it('an arm64 counter is not shared with worker threads: percpuCounterView refuses it before making anything', () => {
    const m = new Machine({ cpus: 2, arch: 'arm64' }).boot();
    const fbc = percpu_counter_init(m, 3);
    expect(allocations(m)).toBe(1);
    expect(() => percpuCounterView(m, fbc.counters!, fbc.state, 'attachPercpuCounter')).toThrow(new MachineStateError(
      'attachPercpuCounter: a counter is shared with worker threads on an x86-64 machine only; the machine is arm64',
    ));
    expect([allocations(m), percpu_counter_sum_s64(fbc), m.ctx.irqsDisabled, m.ctx.preemptCount]).toEqual([1, 3n, false, 0]);
  });
});
