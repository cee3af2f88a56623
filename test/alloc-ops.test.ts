import { describe, expect, it } from 'vitest';
import { per_cpu_ptr } from '../src/accessors.js';
import { DEFINE_PER_CPU } from '../src/define.js';
import { Machine } from '../src/machine.js';
import { __alloc_percpu, alloc_percpu, free_percpu, pcpu_chunks } from '../src/mm/percpu-alloc.js';
import type { PerCpuPtr } from '../src/percpu-ptr.js';
import { preempt_disable, preempt_enable } from '../src/kernel/preempt.js';
import { per_cpu, per_cpu_sum } from '../src/kernel/smp.js';
import { this_cpu_add, this_cpu_read, this_cpu_sub_return } from '../src/typed.js';
import {
  __this_cpu_add_8, raw_cpu_cmpxchg_4, this_cpu_add_4, this_cpu_add_return_8, this_cpu_cmpxchg128, this_cpu_inc_1,
  this_cpu_read_4, this_cpu_try_cmpxchg_4, this_cpu_xchg_2,
} from '../generated/x86_64/percpu.js';

function boot(): { m: Machine; stat: PerCpuPtr<'u32'> } {
  const m = new Machine({ cpus: 4 });
  const stat = DEFINE_PER_CPU(m, 'u32', 'stat');
  m.boot();
  return { m, stat };
}

describe('generated ops on dynamic per-CPU pointers', () => {
  it('the same op function works on a static symbol and an allocation, per CPU, summed across CPUs', () => {
    const { m, stat } = boot();
    const dyn = alloc_percpu(m, 'u32')!;
    for (let cpu = 0; cpu < 4; cpu++) {
      m.runOn(cpu, () => {
        for (let i = 0; i <= cpu; i++) {
          this_cpu_add_4(m, stat, 10);
          this_cpu_add_4(m, dyn, 100);
        }
      });
    }
    expect([0, 1, 2, 3].map((c) => per_cpu(m, stat, c))).toEqual([10, 20, 30, 40]);
    expect([0, 1, 2, 3].map((c) => per_cpu(m, dyn, c))).toEqual([100, 200, 300, 400]);
    expect(per_cpu_sum(m, stat)).toBe(100n);
    expect(per_cpu_sum(m, dyn)).toBe(1000n);
  });

  it('every width, every variant, in a created chunk after the memory grew', () => {
    const { m } = boot();
    // Fill the first chunk so the next allocations land in a new chunk (and the memory views are replaced).
    const filler = __alloc_percpu(m, m.layout!.dynamicSize, 4)!;
    const b = alloc_percpu(m, 'u8')!;
    const h = alloc_percpu(m, 'u16')!;
    const w = alloc_percpu(m, 'u32')!;
    const q = alloc_percpu(m, 'u64')!;
    const x = alloc_percpu(m, 'u128')!;
    expect(pcpu_chunks(m).map((c) => [c.id, c.allocations.length])).toEqual([['R', 0], [0, 1], [1, 5]]);
    for (let cpu = 0; cpu < 4; cpu++) {
      m.runOn(cpu, () => {
        for (let i = 0; i < 300; i++) this_cpu_inc_1(m, b); // wraps at 256
        expect(this_cpu_xchg_2(m, h, 1000 + cpu)).toBe(0);
        expect(raw_cpu_cmpxchg_4(m, w, 0, 7)).toBe(0);
        const box = { value: 7 };
        expect(this_cpu_try_cmpxchg_4(m, w, box, 7 + cpu)).toBe(true);
        expect(this_cpu_add_return_8(m, q, BigInt(cpu) << 40n)).toBe(BigInt(cpu) << 40n);
        preempt_disable(m);
        __this_cpu_add_8(m, q, 1n);
        preempt_enable(m);
        expect(this_cpu_cmpxchg128(m, x, 0n, (1n << 100n) + BigInt(cpu))).toBe(0n);
      });
    }
    expect(per_cpu_sum(m, b)).toBe(4n * 44n);
    expect(per_cpu_sum(m, h)).toBe(4006n);
    expect(per_cpu_sum(m, w)).toBe(7n * 4n + 6n);
    expect(per_cpu_sum(m, q)).toBe((6n << 40n) + 4n);
    expect([0, 1, 2, 3].map((c) => m.load(per_cpu_ptr(m, x, c), 'u128'))).toEqual([0n, 1n, 2n, 3n].map((c) => (1n << 100n) + c));
    // The filler in the first chunk was not touched by any of it.
    for (let cpu = 0; cpu < 4; cpu++) {
      const a = per_cpu_ptr(m, filler, cpu);
      expect(m.u8.subarray(a, a + m.layout!.dynamicSize).every((v) => v === 0)).toBe(true);
    }
  });

  it('the typed layer works on alloc_percpu(type) pointers, signed types read back signed', () => {
    const { m } = boot();
    const s = alloc_percpu(m, 'i32')!;
    const l = alloc_percpu(m, 'long')!;
    m.runOn(1, () => {
      this_cpu_add(m, s, -5);
      expect(this_cpu_read(m, s)).toBe(-5);
      expect(this_cpu_sub_return(m, l, 3n)).toBe(-3n);
    });
    expect(per_cpu(m, s, 1)).toBe(-5);
    expect(per_cpu(m, l, 1)).toBe(-3n);
    expect(per_cpu_sum(m, s)).toBe(-5n);
  });

  it('a reused offset starts from zero on every CPU; the old pointer is dead', () => {
    const { m } = boot();
    const p = alloc_percpu(m, 'u32')!;
    for (let cpu = 0; cpu < 4; cpu++) m.runOn(cpu, () => this_cpu_add_4(m, p, cpu + 1));
    expect(per_cpu_sum(m, p)).toBe(10n);
    free_percpu(m, p);
    const r = alloc_percpu(m, 'u32')!;
    expect(r.off).toBe(m.layout!.staticSize + m.layout!.reservedSize);
    expect(per_cpu_sum(m, r)).toBe(0n);
    expect(() => this_cpu_read_4(m, p)).toThrow('use-after-free: alloc_percpu #1 (size 4, align 4) was freed by free_percpu()');
  });
});
