/**
 * The runtime's percpu_counter from C through <linux/percpu_counter.h>
 * (test/cc/calls/counter_api.c): every call with exact s64 results in both
 * flavours, on a counter embedded in a struct that keeps the kernel's layout;
 * a call on a counter nobody initialised, a second init, and a use after
 * destroy are refused, naming the call and the object. Then percpu-sim check
 * on test/cc/check/percpu_counter_api.c: two tasks and an interrupt that sums,
 * every step inside the counter a scheduling point, exact schedule counts on
 * each architecture.
 */
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCheck } from '../../cc/check.js';
import { ROOT } from '../../cc/compile.js';
import { Machine } from '../../src/machine.js';
import { drain, translateAndLoad, type Loaded } from './support.js';

type Fns = Record<string, (...a: (number | bigint)[]) => unknown>;

describe('percpu-cc: the percpu_counter API', () => {
  let mod: Loaded;
  beforeAll(async () => {
    mod = await translateAndLoad(path.join(ROOT, 'test/cc/calls/counter_api.c'));
  });

  for (const arch of ['x86_64', 'arm64', 'generic'] as const) for (const flavour of ['fast', 'stepped'] as const) {
    it(`${arch}, ${flavour}: every call, exact, and refusals that change nothing`, () => {
      const m = new Machine({ cpus: 2, arch });
      m.debugPreempt = false;
      const f = mod[flavour].instantiate(m) as Fns;
      m.boot();
      const run = (name: string, ...a: (number | bigint)[]): unknown => (flavour === 'fast' ? f[name](...a) : drain(f[name](...a) as Generator<unknown, unknown, undefined>));
      // sizeof 40, the member after it at 48: the kernel's layout on a 64-bit machine.
      expect(run('t_layout')).toBe(40n * 10000n + 48n * 100n + 3n - 7n);
      expect(() => run('t_add', 1n)).toThrow(/^percpu_counter_add\(&st\.files\): no percpu_counter was initialised at 0x[0-9a-f]+: call percpu_counter_init\(&st\.files, …\) first; nothing was changed$/);
      expect(run('t_initialized')).toBe(0);
      expect(run('t_init', 10n)).toBe(0);
      expect(() => run('t_init', 1n)).toThrow('percpu_counter_init(&st.files): the percpu_counter is already initialised; percpu_counter_destroy() it first; nothing was changed');
      expect(run('t_batch')).toBe(32);
      // 10, then +3 +1 -1 -2 +5 -1 on this CPU's delta (5), then add_batch(7, 4) folds 5 + 7: count 22, delta 0.
      expect(run('t_ops', 3n)).toBe(22n);
      expect(run('t_read')).toBe(22n);
      run('t_add', 3n);
      // read is the count alone; the sum has the delta.
      expect([run('t_read'), run('t_read_positive'), run('t_sum')]).toEqual([22n, 22n, 25025n]);
      // compare with percpu_counter_batch sums (|22 - rhs| ≤ 64); with batch 1 the count decides once |22 - rhs| > 2.
      expect([run('t_compare', 25n), run('t_compare', 26n), run('t_compare', 24n)]).toEqual([-1, -11, 11]);
      run('t_set', -5n);
      expect([run('t_read'), run('t_read_positive'), run('t_sum')]).toEqual([-5n, 0n, -5000n]);
      run('t_add', 2n);
      run('t_sync');
      expect([run('t_read'), run('t_sum')]).toEqual([-3n, -3000n]);
      // count -3: adding 5 twice stays at or below 10 (the second under the lock: |delta + 5| > batch 1); a third 5 would pass it.
      expect(run('t_limited', 10n, 5n)).toBe(11);
      expect(run('t_sum')).toBe(7000n + 7n);
      expect(run('t_limited', 10n, 5n)).toBe(0);
      expect(run('t_limited', 0n, -7n)).toBe(10);
      expect(run('t_sum')).toBe(0n);
      expect(run('t_initialized')).toBe(1);
      run('t_destroy');
      expect(run('t_initialized')).toBe(0);
      expect(() => run('t_read')).toThrow(/^percpu_counter_read\(&st\.files\): no percpu_counter was initialised at/);
      // Destroying again is the kernel's no-op (!fbc->counters).
      run('t_destroy');
      expect(run('t_init', -(1n << 62n))).toBe(0);
      // s64 arithmetic wraps (-fno-strict-overflow): -2^62 * 1000 modulo 2^64, plus sum_positive's 0.
      expect(run('t_sum')).toBe(BigInt.asIntN(64, -(1n << 62n) * 1000n));
      expect(m.ctx.preemptCount).toBe(0);
      expect(m.ctx.irqsDisabled).toBe(false);
    });
  }
});

describe('percpu-sim check: the percpu_counter API from tasks and an interrupt', () => {
  afterEach(() => vi.restoreAllMocks());
  const FILE = 'test/cc/check/percpu_counter_api.c';
  const capture = (): string[] => {
    const out: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((s) => { out.push(String(s)); return true; });
    return out;
  };

  it('on every architecture (--arch all) the interrupt\'s sum is always exact, and after both tasks sum, read and compare agree', async () => {
    const out = capture();
    expect(await runCheck([FILE, '--arch', 'all'])).toBe(0);
    // arm64's this_cpu ops are three steps each (mrs, add, the access), asm-generic's read three and its add five, all with interrupts off.
    expect(out.join('')).toBe('percpu_counter_api.c on x86_64: no violation in 346 schedules (every schedule within preemption bound 1)\n'
      + 'percpu_counter_api.c on arm64: no violation in 1267 schedules (every schedule within preemption bound 1)\n'
      + 'percpu_counter_api.c on generic: no violation in 311 schedules (every schedule within preemption bound 1)\n');
  });

  it('-DBROKEN: percpu_counter_read() where the sum is needed misses cpu1\'s unfolded delta', async () => {
    const out = capture();
    expect(await runCheck([FILE, '-DBROKEN'])).toBe(1);
    const text = out.join('');
    expect(text).toContain('VIOLATION in percpu_counter_api.c on x86_64 (schedule 1): PERCPU_CHECK(counted): counted() returned false after all tasks finished\n');
    expect(text).toContain('  #2   cpu0 T1: lock cmpxchgl %edx, nr_files.lock    ; raw_spin_lock    ; test/cc/check/percpu_counter_api.c:31\n'
      + '  #3   cpu0 T1: movl %gs:*nr_files.counters, %eax    ; 0    ; test/cc/check/percpu_counter_api.c:31\n'
      + '  #4   cpu0 T1: addq %rax, nr_files.count    ; 0 -> 40    ; test/cc/check/percpu_counter_api.c:31\n');
    expect(text).toContain('  #8   cpu1 T2: cmpxchgl %ecx, %gs:*nr_files.counters    ; 0 -> 1    ; test/cc/check/percpu_counter_api.c:36\n');
  });

  it('-DBROKEN on arm64 and generic: the same miss, in each architecture\'s own steps', async () => {
    const out = capture();
    expect(await runCheck([FILE, '-DBROKEN', '--arch', 'arm64'])).toBe(1);
    expect(await runCheck([FILE, '-DBROKEN', '--arch', 'generic'])).toBe(1);
    const text = out.join('');
    expect(text).toContain('VIOLATION in percpu_counter_api.c on arm64 (schedule 1): PERCPU_CHECK(counted): counted() returned false after all tasks finished\n');
    expect(text).toContain('  #4   cpu0 T1: casa w1, w2, [nr_files.lock]    ; raw_spin_lock    ; test/cc/check/percpu_counter_api.c:31\n');
    // The deltas are named as the C names fbc->counters; their address, as arm64's add spells it, is nr_files.counters.
    expect(text).toContain('  #19  cpu1 T2: add x1, x1, #nr_files.counters    ; test/cc/check/percpu_counter_api.c:36\n'
      + '  #20  cpu1 T2: cas w2, w3, [x1]    ; *nr_files.counters: 0 -> 1    ; test/cc/check/percpu_counter_api.c:36\n');
    expect(text).toContain('VIOLATION in percpu_counter_api.c on generic (schedule 1): PERCPU_CHECK(counted): counted() returned false after all tasks finished\n');
    expect(text).toContain('  #4   cpu0 T1: arch_spin_lock(&nr_files.lock)    ; raw_spin_lock    ; test/cc/check/percpu_counter_api.c:31\n'
      + '  #5   cpu0 T1: nr_files.count += r    ; 0 -> 40    ; test/cc/check/percpu_counter_api.c:31\n');
  });
});
