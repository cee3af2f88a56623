/**
 * The stepped percpu_counter (src/lib/percpu-counter-stepped.ts): the
 * kernel's lib/percpu_counter.c one access per step, on the same counter as
 * the plain functions. The steps of an add that stays in the delta and of one
 * that folds; the lock step waits while another caller holds the lock; the
 * results agree with the plain functions; a refused call yields no step and
 * changes nothing.
 */
import { describe, expect, it } from 'vitest';
import { Machine } from '../src/machine.js';
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

function boot(): { m: Machine; fbc: ReturnType<typeof percpu_counter_init> } {
  const m = new Machine({ cpus: 2 });
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

  it('a refused call yields no step and changes nothing', () => {
    const { m, fbc } = boot();
    expect(() => stepped.percpu_counter_add_batch(fbc, 1.5, 32).next()).toThrow('percpu_counter_add_batch: amount must be an s64 (a safe integer number or a bigint from -2^63 to 2^63 - 1), got 1.5; nothing was changed');
    expect(() => stepped.percpu_counter_add_batch(fbc, 1, 2 ** 31).next()).toThrow('percpu_counter_add_batch: batch must be an s32, got 2147483648; nothing was changed');
    expect(() => stepped.percpu_counter_sum({} as never).next()).toThrow('percpu_counter_sum: expected a percpu_counter from percpu_counter_init(), got an object');
    percpu_counter_destroy(fbc);
    expect(() => stepped.percpu_counter_add(fbc, 1)).toThrow('percpu_counter_add: the percpu_counter was destroyed by percpu_counter_destroy(); initialise a new one with percpu_counter_init()');
    expect([m.ctx.preemptCount, m.ctx.irqsDisabled, fbc.locked]).toEqual([0, false, false]);
  });
});
