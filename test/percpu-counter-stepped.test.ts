/**
 * The stepped percpu_counter (src/lib/percpu-counter-stepped.ts): the
 * kernel's lib/percpu_counter.c one access per step, on the same counter as
 * the plain functions. The steps of an add that stays in the delta and of one
 * that folds; the lock step waits while another caller holds the lock; on
 * one CPU every call gives what the plain function gives (a seeded sequence
 * of calls run on both, on each architecture); a refused call yields no step
 * and changes nothing. arm64 runs the same this_cpu_try_cmpxchg loop on its
 * own ops; asm-generic, without HAVE_CMPXCHG_LOCAL, the local_irq_save build.
 */
import { describe, expect, it } from 'vitest';
import type { Arch } from '../src/arch.js';
import { Machine } from '../src/machine.js';
import * as plain from '../src/lib/percpu-counter.js';
import { percpu_counter_destroy, percpu_counter_init, percpu_counter_read_s64, percpu_counter_sum_s64 } from '../src/lib/percpu-counter.js';
import * as stepped from '../src/stepped.js';
import type { Step } from '../src/sched/step.js';

function run<R>(g: Generator<Step, R, undefined>): { steps: string[]; value: R } {
  const steps: string[] = [];
  for (;;) {
    const r = g.next();
    if (r.done === true) return { steps, value: r.value };
    steps.push(r.value.asm);
  }
}

function boot(arch: Arch = 'x86_64'): { m: Machine; fbc: ReturnType<typeof percpu_counter_init> } {
  const m = new Machine({ cpus: 2, arch });
  m.boot();
  return { m, fbc: percpu_counter_init(m, 0) };
}

describe('stepped percpu_counter', () => {
  it('an add inside the batch is this_cpu_read and this_cpu_try_cmpxchg; one past it folds under the lock', () => {
    const { fbc } = boot();
    expect(run(stepped.percpu_counter_add(fbc, 3)).steps).toEqual(['movl %gs:[var], %[ret]', 'cmpxchgl %[nval], %gs:[var]']);
    expect(run(stepped.percpu_counter_add(fbc, 40)).steps).toEqual([
      'movl %gs:[var], %[ret]',
      'lock cmpxchgl %edx, fbc.lock    ; raw_spin_lock',
      'movl %gs:[var], %[ret]',
      'addq %rax, fbc.count',
      'addl %[val], %gs:[var]',
      'movb $0, fbc.lock    ; raw_spin_unlock',
    ]);
    expect([percpu_counter_read_s64(fbc), percpu_counter_sum_s64(fbc)]).toEqual([43n, 43n]);
    expect(run(stepped.percpu_counter_inc(fbc)).value).toBeUndefined();
    expect(run(stepped.percpu_counter_read(fbc)).value).toBe(43n);
    expect(run(stepped.percpu_counter_sum(fbc))).toEqual({
      steps: ['lock cmpxchgl %edx, fbc.lock    ; raw_spin_lock', 'movq fbc.count, %rax', `movl 0x${(fbc.m.perCpuOffset[0] + fbc.off).toString(16)}, %eax`, `movl 0x${(fbc.m.perCpuOffset[1] + fbc.off).toString(16)}, %eax`, 'movb $0, fbc.lock    ; raw_spin_unlock'],
      value: 44n,
    });
    expect([run(stepped.percpu_counter_compare(fbc, 44)).value, run(stepped.__percpu_counter_compare(fbc, 200, 1)).value]).toEqual([0, -1]);
    expect(fbc.m.ctx.preemptCount).toBe(0);
    expect(fbc.m.ctx.irqsDisabled).toBe(false);
  });

  it('arm64: the add is its own this_cpu_read and this_cpu_try_cmpxchg (cas on TPIDR_EL1); the fold spells lock and count in arm64', () => {
    const { m, fbc } = boot('arm64');
    const base = ['mrs x1, tpidr_el1', 'add x1, x1, #[var]'];
    expect(run(stepped.percpu_counter_add(fbc, 3)).steps).toEqual([...base, 'ldr w2, [x1]', ...base, 'cas w2, w3, [x1]']);
    expect(run(stepped.percpu_counter_add(fbc, 40)).steps).toEqual([
      ...base, 'ldr w2, [x1]',
      'casa w1, w2, [fbc.lock]    ; raw_spin_lock',
      ...base, 'ldr w2, [x1]',
      'ldr x1, [fbc.count]; add x1, x1, x0; str x1, [fbc.count]',
      ...base, 'ldr w2, [x1]', 'add w2, w2, w0', 'str w2, [x1]',
      'stlrb wzr, [fbc.lock]    ; raw_spin_unlock',
    ]);
    expect([percpu_counter_read_s64(fbc), percpu_counter_sum_s64(fbc)]).toEqual([43n, 43n]);
    expect([m.ctx.preemptCount, m.ctx.irqsDisabled, fbc.locked]).toEqual([0, false, false]);
  });

  it('generic: the whole add runs with interrupts off, __this_cpu_read then this_cpu_add, or the fold under the bare lock', () => {
    const { m, fbc } = boot('generic');
    const read = ['cpu = raw_smp_processor_id()', 'ptr = [var] + __per_cpu_offset[cpu]', 'r = *(u32 *)ptr'];
    expect(run(stepped.percpu_counter_add(fbc, 3)).steps).toEqual([...read, ...read, 'r += val', '*(u32 *)ptr = r']);
    const add = stepped.percpu_counter_add(fbc, 40);
    expect((add.next().value as Step).asm).toBe(read[0]);
    // local_irq_save before the first step: no interrupt can come between the decision and the update.
    expect([m.ctx.irqsDisabled, m.ctx.preemptCount]).toEqual([true, 0]);
    expect(run(add).steps).toEqual([
      ...read.slice(1),
      'arch_spin_lock(&fbc.lock)    ; raw_spin_lock',
      'fbc.count += r',
      ...read, 'r += val', '*(u32 *)ptr = r',
      'arch_spin_unlock(&fbc.lock)    ; raw_spin_unlock',
    ]);
    expect([percpu_counter_read_s64(fbc), percpu_counter_sum_s64(fbc)]).toEqual([43n, 43n]);
    expect(run(stepped.percpu_counter_read(fbc)).steps).toEqual(['r = fbc.count']);
    expect([m.ctx.preemptCount, m.ctx.irqsDisabled, fbc.locked]).toEqual([0, false, false]);
  });

  it('the lock step waits while another CPU holds the lock, and the holder runs with interrupts off', () => {
    const { m, fbc } = boot();
    const sum = stepped.percpu_counter_sum(fbc);
    expect(sum.next().value).toMatchObject({ asm: 'lock cmpxchgl %edx, fbc.lock    ; raw_spin_lock', writes: [`percpu_counter@${fbc.off}.lock`] });
    expect(sum.next().value).toMatchObject({ asm: 'movq fbc.count, %rax', reads: [`percpu_counter@${fbc.off}.count`] });
    expect([fbc.locked, m.ctx.irqsDisabled, m.ctx.preemptCount]).toEqual([true, true, 1]);
    for (let r = sum.next(); r.done !== true; r = sum.next());
    expect([fbc.locked, m.ctx.irqsDisabled, m.ctx.preemptCount]).toEqual([false, false, 0]);
    // Another CPU holds the lock (as the explorer's model takes it): the set's acquisition cannot run until it is dropped.
    fbc.locked = true;
    const set = stepped.percpu_counter_set(fbc, 7);
    const lock = set.next().value as Step;
    expect(lock.enabled!()).toBe(false);
    fbc.locked = false;
    expect(lock.enabled!()).toBe(true);
    expect(run(set).steps).toEqual(['movl %eax, 0x' + (m.perCpuOffset[0] + fbc.off).toString(16), 'movl %eax, 0x' + (m.perCpuOffset[1] + fbc.off).toString(16), 'movq %rax, fbc.count', 'movb $0, fbc.lock    ; raw_spin_unlock']);
    expect(percpu_counter_sum_s64(fbc)).toBe(7n);
  });

  for (const arch of ['x86_64', 'arm64', 'generic'] as const) it(`${arch}: on one CPU, every call agrees with the plain function (2000 seeded calls, both CPUs in turn)`, () => {
    const a = boot(arch);
    const b = boot(arch);
    let seed = 12345;
    const rnd = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 16) % n;
    };
    const drain = <R>(g: Generator<Step, R, undefined>): R => run(g).value;
    const n = (v: unknown): unknown => (typeof v === 'number' ? BigInt(v) : v);
    const deltas = (x: typeof a): number[] => [0, 1].map((c) => x.m.u32[(x.m.perCpuOffset[c] + x.fbc.off) >>> 2] | 0);
    // Each CPU's delta was nonzero at some point: the calls ran on both.
    const used = [false, false];
    for (let k = 0; k < 2000; k++) {
      const cpu = rnd(2);
      const amount = rnd(4) === 0 ? BigInt(rnd(200_000)) - 100_000n : BigInt(rnd(80)) - 40n;
      // Near the total, and a third of the time exactly where the add would land (the boundary case).
      const limit = percpu_counter_sum_s64(a.fbc) + (rnd(3) === 0 ? amount : BigInt(rnd(120)) - 60n);
      const batch = 1 + rnd(40);
      let got: unknown;
      let want: unknown;
      const op = rnd(9);
      a.m.runOn(cpu, () => b.m.runOn(cpu, () => {
      switch (op) {
        case 0: got = drain(stepped.percpu_counter_add(b.fbc, amount)); want = plain.percpu_counter_add(a.fbc, amount); break;
        case 1: got = drain(stepped.percpu_counter_add_batch(b.fbc, amount, batch)); want = plain.percpu_counter_add_batch(a.fbc, amount, batch); break;
        case 2: got = drain(stepped.percpu_counter_sub_local(b.fbc, amount)); want = plain.percpu_counter_sub_local(a.fbc, amount); break;
        case 3: got = drain(stepped.percpu_counter_sum(b.fbc)); want = plain.percpu_counter_sum_s64(a.fbc); break;
        case 4: got = drain(stepped.percpu_counter_read_positive(b.fbc)); want = n(plain.percpu_counter_read_positive(a.fbc)); break;
        case 5: got = drain(stepped.__percpu_counter_compare(b.fbc, limit, batch)); want = plain.__percpu_counter_compare(a.fbc, limit, batch); break;
        case 6: got = drain(stepped.__percpu_counter_limited_add(b.fbc, limit, amount, batch)); want = plain.__percpu_counter_limited_add(a.fbc, limit, amount, batch); break;
        case 7: got = drain(stepped.percpu_counter_sync(b.fbc)); want = plain.percpu_counter_sync(a.fbc); break;
        default: got = drain(stepped.percpu_counter_inc(b.fbc)); want = plain.percpu_counter_inc(a.fbc);
      }
      }));
      expect(got, `call ${k}`).toEqual(want);
      expect(percpu_counter_read_s64(b.fbc), `count after call ${k}`).toBe(percpu_counter_read_s64(a.fbc));
      deltas(a).forEach((d, c) => { used[c] ||= d !== 0; });
    }
    expect(percpu_counter_sum_s64(b.fbc)).toBe(percpu_counter_sum_s64(a.fbc));
    expect(deltas(b)).toEqual(deltas(a));
    expect(used).toEqual([true, true]);
  });

  for (const arch of ['x86_64', 'arm64', 'generic'] as const) it(`${arch}: a delta plus an amount past S64_MAX wraps, as the kernel's s64 sum does, and folds like the plain add`, () => {
    const s = boot(arch);
    const p = boot(arch);
    run(stepped.percpu_counter_add(s.fbc, 5));
    plain.percpu_counter_add(p.fbc, 5);
    run(stepped.percpu_counter_add(s.fbc, plain.S64_MAX));
    plain.percpu_counter_add(p.fbc, plain.S64_MAX);
    // 5 + S64_MAX wraps to S64_MIN + 4, whose abs() is past the batch: the delta and the amount go into count.
    expect([percpu_counter_read_s64(s.fbc), percpu_counter_sum_s64(s.fbc)]).toEqual([plain.S64_MIN + 4n, plain.S64_MIN + 4n]);
    expect([percpu_counter_read_s64(p.fbc), percpu_counter_sum_s64(p.fbc)]).toEqual([plain.S64_MIN + 4n, plain.S64_MIN + 4n]);
  });

  it('refuses exactly the batches, s64 operands and rhs values the plain counter refuses, with the same words', () => {
    const { m, fbc } = boot();
    plain.percpu_counter_add(fbc, 3);
    const message = (f: () => unknown): string => {
      try {
        f();
      } catch (e) {
        return `${(e as Error).constructor.name}: ${(e as Error).message}`;
      }
      return 'accepted';
    };
    const bad = [0, -1, -(2 ** 31), 2 ** 31, 1.5, NaN, '8', null, undefined, 2 ** 53, 2n ** 63n, -(2n ** 63n) - 1n];
    for (const b of bad) {
      const p = message(() => plain.percpu_counter_add_batch(fbc, 1, b as number));
      expect(message(() => stepped.percpu_counter_add_batch(fbc, 1, b as number).next()), String(b)).toBe(p);
      expect(p).not.toBe('accepted');
      expect(message(() => stepped.__percpu_counter_compare(fbc, 0, b as number).next())).toBe(message(() => plain.__percpu_counter_compare(fbc, 0, b as number)));
      expect(message(() => stepped.__percpu_counter_limited_add(fbc, 9, 1, b as number).next())).toBe(message(() => plain.__percpu_counter_limited_add(fbc, 9, 1, b as number)));
      if (typeof b === 'number' && Number.isInteger(b) && b >= 1) continue;
      expect(message(() => stepped.percpu_counter_add_batch(fbc, b as number, 32).next())).toBe(message(() => plain.percpu_counter_add_batch(fbc, b as number, 32)));
      expect(message(() => stepped.percpu_counter_compare(fbc, b as number).next())).toBe(message(() => plain.percpu_counter_compare(fbc, b as number)));
      expect(message(() => stepped.percpu_counter_sub(fbc, b as number).next())).toBe(message(() => plain.percpu_counter_sub(fbc, b as number)));
    }
    expect(message(() => plain.percpu_counter_add_batch(fbc, 1, 0))).toBe('TypeError: percpu_counter_add_batch: batch must be an integer from 1 to 2147483647 (s32), got 0');
    expect(message(() => stepped.__percpu_counter_limited_add(fbc, 2n ** 63n, 1, 32).next())).toBe('RangeError: __percpu_counter_limited_add: limit 9223372036854775808n is outside the s64 range (-2^63 to 2^63 - 1); nothing was changed');
    expect([percpu_counter_sum_s64(fbc), m.ctx.preemptCount, m.ctx.irqsDisabled, fbc.locked]).toEqual([3n, 0, false, false]);
  });

  it('a refused call yields no step and changes nothing', () => {
    const { m, fbc } = boot();
    expect(() => stepped.percpu_counter_add_batch(fbc, 1.5, 32).next()).toThrow('percpu_counter_add_batch: amount must be a safe integer number (|v| ≤ 2^53 - 1) or a bigint (s64), got 1.5; nothing was changed');
    expect(() => stepped.percpu_counter_add_batch(fbc, 1, 2 ** 31).next()).toThrow('percpu_counter_add_batch: batch must be an integer from 1 to 2147483647 (s32), got 2147483648');
    expect(() => stepped.percpu_counter_sum({} as never).next()).toThrow('percpu_counter_sum: expected a percpu_counter from percpu_counter_init(), got an object');
    percpu_counter_destroy(fbc);
    expect(() => stepped.percpu_counter_add(fbc, 1)).toThrow('percpu_counter_add: the percpu_counter was destroyed by percpu_counter_destroy(); initialise a new one with percpu_counter_init()');
    expect([m.ctx.preemptCount, m.ctx.irqsDisabled, fbc.locked]).toEqual([0, false, false]);
  });
});
