/**
 * percpu_counter across real threads: CPU worker threads add through their own
 * views of one counter (shared deltas in per-CPU memory, shared lock and count
 * on Atomics); the main thread's percpu_counter_sum() is exact.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { per_cpu_ptr } from '../src/accessors.js';
import { cpu_down } from '../src/kernel/hotplug.js';
import { Machine } from '../src/machine.js';
import {
  percpu_counter_add, percpu_counter_add_batch, percpu_counter_destroy, percpu_counter_init, percpu_counter_read,
  percpu_counter_add_local, percpu_counter_inc, percpu_counter_set, percpu_counter_sum, percpu_counter_sum_s64, type PercpuCounter,
} from '../src/lib/percpu-counter.js';
import { attachMachine, createSharedMachine, describeSharedMachine, startCpuThreads, type CpuThreads } from '../src/threads/index.js';
import type { CounterAddResult } from '../src/threads/counter-jobs.js';
import { PERCPU_COUNTER_JOBS, attachPercpuCounter, describePercpuCounter } from '../src/threads/percpu-counter.js';

/** Mixed signs and sizes, so deltas cross ±batch often and fold in both directions. */
const AMOUNTS = [1, 5, -2, 7, 3, -4, 11, -9, 2];

/** What percpu_counter_adds adds on `cpu`: AMOUNTS in turn from index cpu mod length. */
function expectedAdded(cpu: number, n: number): number {
  let total = 0;
  for (let i = 0; i < n; i++) total += AMOUNTS[(cpu + i) % AMOUNTS.length];
  return total;
}

function delta(fbc: PercpuCounter, cpu: number): number {
  return fbc.m.load(per_cpu_ptr(fbc.m, fbc.counters!, cpu), 'i32') as number;
}

for (const W of [2, 4]) {
  describe(`percpu_counter with ${W} CPU threads`, () => {
    const m = createSharedMachine({ cpus: W });
    m.boot();
    let threads: CpuThreads;
    const cpus = Array.from({ length: W }, (_, i) => i);

    beforeAll(async () => {
      threads = await startCpuThreads(m, { jobs: PERCPU_COUNTER_JOBS });
    });
    afterAll(async () => {
      await threads?.close();
    });

    it('with a small batch: the sum is exact, every delta stays inside ±batch, |read - sum| < batch × online', async () => {
      const fbc = percpu_counter_init(m, 1000);
      const batch = 8;
      const n = 20_000;
      const res = await threads.run<CounterAddResult>('percpu_counter_adds', { counter: describePercpuCounter(fbc), n, amounts: AMOUNTS, batch });
      expect(res.map((r) => r.value.added)).toEqual(cpus.map((cpu) => expectedAdded(cpu, n)));
      const total = 1000 + cpus.reduce((s, cpu) => s + expectedAdded(cpu, n), 0);
      expect(percpu_counter_sum(fbc)).toBe(total);
      for (const { cpu, value } of res) {
        expect(delta(fbc, cpu)).toBe(value.delta);
        expect(Math.abs(value.delta)).toBeLessThan(batch);
      }
      expect(percpu_counter_read(fbc)).toBe(total - res.reduce((s, r) => s + r.value.delta, 0));
      expect(Math.abs(percpu_counter_read(fbc) - percpu_counter_sum(fbc))).toBeLessThan(batch * m.online.weight());
      // Every thread's view reads the same count and sums to the same total.
      const looks = await threads.run<{ read: number; sum: number }>('percpu_counter_look', { counter: describePercpuCounter(fbc) });
      expect(looks.map((r) => r.value)).toEqual(cpus.map(() => ({ read: percpu_counter_read(fbc), sum: total })));
      expect(fbc.locked).toBe(false);
      percpu_counter_destroy(fbc);
    });

    it('with percpu_counter_add (percpu_counter_batch): exact, and the main thread can keep adding', async () => {
      const fbc = percpu_counter_init(m);
      const n = 10_000;
      await threads.run('percpu_counter_adds', { counter: describePercpuCounter(fbc), n, amounts: AMOUNTS });
      percpu_counter_add(fbc, -3);
      const total = cpus.reduce((s, cpu) => s + expectedAdded(cpu, n), 0) - 3;
      expect(percpu_counter_sum(fbc)).toBe(total);
      expect(Math.abs(percpu_counter_read(fbc) - total)).toBeLessThan(32 * W);
      // The increment job: W × n more. Each thread's read when it finished saw at least its own folds.
      const reads = await threads.run<number>('percpu_counter_incs', { counter: describePercpuCounter(fbc), n });
      expect(percpu_counter_sum(fbc)).toBe(total + W * n);
      expect(Math.abs(percpu_counter_read(fbc) - (total + W * n))).toBeLessThan(32 * W);
      for (const r of reads) expect(r.value).toBeGreaterThan(total + n - 32 * W);
      percpu_counter_destroy(fbc);
    });

    it('the count stays exact across 2^53 (an s64), folded from every thread', async () => {
      const start = 2n ** 53n - 30_000n;
      const fbc = percpu_counter_init(m, start);
      const n = 20_000;
      await threads.run('percpu_counter_adds', { counter: describePercpuCounter(fbc), n, amounts: AMOUNTS, batch: 8 });
      const total = start + BigInt(cpus.reduce((s, cpu) => s + expectedAdded(cpu, n), 0));
      expect(total > 2n ** 53n).toBe(true);
      expect(percpu_counter_sum_s64(fbc)).toBe(total);
      expect(() => percpu_counter_sum(fbc)).toThrow(`percpu_counter_sum: ${total} is not a safe integer (|v| ≤ 2^53 - 1), so a number would round it; percpu_counter_sum_s64() returns it exactly`);
      percpu_counter_destroy(fbc);
    });

    it('the lock serialises folds: batch 1 makes every add fold, and the count is still exact', async () => {
      const fbc = percpu_counter_init(m, -7);
      const n = 20_000;
      await threads.run('percpu_counter_adds', { counter: describePercpuCounter(fbc), n, amounts: AMOUNTS, batch: 1 });
      const total = -7 + cpus.reduce((s, cpu) => s + expectedAdded(cpu, n), 0);
      expect(cpus.map((cpu) => delta(fbc, cpu))).toEqual(cpus.map(() => 0));
      expect([percpu_counter_read(fbc), percpu_counter_sum(fbc)]).toEqual([total, total]);
      percpu_counter_destroy(fbc);
    });

    it('while the main thread holds the lock no thread can fold; they all finish once it is released', async () => {
      const fbc = percpu_counter_init(m, 5);
      fbc.locked = true; // the main thread takes fbc->lock
      const run = threads.run('percpu_counter_adds', { counter: describePercpuCounter(fbc), n: 100, amounts: [1], batch: 1 });
      await new Promise((resolve) => setTimeout(resolve, 100));
      // Every add must fold under the lock, so nothing can have reached count yet.
      expect(percpu_counter_read(fbc)).toBe(5);
      fbc.locked = false;
      await run;
      expect([percpu_counter_read(fbc), percpu_counter_sum(fbc)]).toEqual([5 + 100 * W, 5 + 100 * W]);
      percpu_counter_destroy(fbc);
    });
  });
}

describe('a counter destroyed or used wrongly across threads', () => {
  const m = createSharedMachine({ cpus: 2 });
  m.boot();
  let threads: CpuThreads;
  beforeAll(async () => {
    threads = await startCpuThreads(m, { jobs: PERCPU_COUNTER_JOBS });
  });
  afterAll(async () => {
    await threads?.close();
  });

  it('a thread using a counter the main thread destroyed gets a clear error', async () => {
    const fbc = percpu_counter_init(m);
    const d = describePercpuCounter(fbc);
    percpu_counter_destroy(fbc);
    await expect(threads.run('percpu_counter_adds', { counter: d, n: 1, amounts: [1] }, { cpus: [1] })).rejects.toThrow(
      'cpu 1 thread: MachineStateError: attachPercpuCounter: the percpu_counter was destroyed by percpu_counter_destroy(); initialise a new one with percpu_counter_init()',
    );
    expect(() => describePercpuCounter(fbc)).toThrow('describePercpuCounter: the percpu_counter was destroyed by percpu_counter_destroy()');
  });

  it('refuses a counter on private memory, and malformed descriptors', () => {
    const priv = new Machine({ cpus: 2 }).boot();
    expect(() => describePercpuCounter(percpu_counter_init(priv))).toThrow(
      "describePercpuCounter: the counter's machine has private memory, so other threads cannot reach its per-CPU deltas; create the machine with createSharedMachine()",
    );
    expect(() => describePercpuCounter({} as PercpuCounter)).toThrow(TypeError);
    const d = describePercpuCounter(percpu_counter_init(m));
    expect(() => attachPercpuCounter(m, { ...d, state: new SharedArrayBuffer(8) })).toThrow(
      "attachPercpuCounter: state must be the counter's 512-byte SharedArrayBuffer (PercpuCounter.state), got one of 8 bytes",
    );
    expect(() => attachPercpuCounter(m, { ...d, counters: { ...d.counters, type: 'u64' } })).toThrow(
      'attachPercpuCounter: counters must describe the counter\'s s32 per-CPU deltas (type i32), got "u64"',
    );
    expect(() => attachPercpuCounter(priv, d)).toThrow('attachPercpuCounter: this machine has private memory; attach it to the counter\'s shared memory first (attachMachine)');
  });
});

describe('views of one counter in one thread (no workers)', () => {
  it('share the count, the deltas and the lock; only the initialising thread destroys', () => {
    const m = createSharedMachine({ cpus: 2 });
    m.boot();
    const fbc = percpu_counter_init(m, 10);
    const t = attachMachine(describeSharedMachine(m));
    t.loadCpu(1);
    const view = attachPercpuCounter(t, describePercpuCounter(fbc));
    percpu_counter_add_batch(view, 3, 4);
    expect([delta(fbc, 1), percpu_counter_read(fbc), percpu_counter_sum(fbc)]).toEqual([3, 10, 13]);
    percpu_counter_add_batch(view, 1, 4); // folds under the shared lock into the shared count
    expect([delta(fbc, 1), percpu_counter_read(fbc), percpu_counter_read(view)]).toEqual([0, 14, 14]);
    percpu_counter_set(fbc, 100);
    expect(percpu_counter_sum(view)).toBe(100);
    // One thread holding the lock through one view and taking it through another is recursion.
    fbc.locked = true;
    expect(view.locked).toBe(true);
    expect(() => percpu_counter_sum(view)).toThrow("percpu_counter_sum: deadlock: the percpu_counter's lock is already held on this CPU");
    expect(t.ctx.irqsDisabled).toBe(false);
    fbc.locked = false;
    expect(() => percpu_counter_destroy(view)).toThrow(
      "percpu_counter_destroy: this is another thread's view of the counter (attachPercpuCounter); destroy it in the thread that initialised it, once every thread is done with it",
    );
    expect(percpu_counter_sum(view)).toBe(100);
    percpu_counter_add_batch(view, 2, 4);
    percpu_counter_destroy(fbc);
    expect(() => percpu_counter_read(view)).toThrow('percpu_counter_read: the percpu_counter was destroyed by percpu_counter_destroy()');
    // The destroy closed the gate every view's fast path reads: no add reaches the freed deltas.
    const freed = (t.perCpuOffset[1] + view.off) >>> 2;
    expect(t.u32[freed]).toBe(2);
    expect(() => percpu_counter_inc(view)).toThrow('percpu_counter_add: the percpu_counter was destroyed by percpu_counter_destroy()');
    expect(() => percpu_counter_add_local(view, 1)).toThrow('percpu_counter_add_local: the percpu_counter was destroyed by percpu_counter_destroy()');
    expect(() => percpu_counter_add_batch(view, 1, 4)).toThrow('percpu_counter_add_batch: the percpu_counter was destroyed by percpu_counter_destroy()');
    expect([t.u32[freed], t.ctx.irqsDisabled]).toEqual([2, false]);
  });

  it('hotplug stays in the main thread: a dead CPU\'s delta, added by a view, is folded', () => {
    const m = createSharedMachine({ cpus: 4 });
    m.boot();
    const fbc = percpu_counter_init(m);
    const t = attachMachine(describeSharedMachine(m));
    t.loadCpu(3);
    const view = attachPercpuCounter(t, describePercpuCounter(fbc));
    percpu_counter_add(view, 20);
    expect([percpu_counter_read(fbc), delta(fbc, 3)]).toEqual([0, 20]);
    cpu_down(m, 3);
    expect([percpu_counter_read(fbc), delta(fbc, 3), percpu_counter_sum(fbc)]).toEqual([20, 0, 20]);
  });
});
