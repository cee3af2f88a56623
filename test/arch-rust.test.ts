/**
 * The Rust-style numeric ops on every architecture (issue 7, section 3: a
 * reviewer objected that `.add()` only built on x86_64). PerCpuNumeric and
 * PerCpuRef pick the machine's architecture's generated ops, and agree with a
 * native BigInt model of the Rust type on x86_64, arm64 and asm-generic.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as armFast from '../generated/arm64/percpu.js';
import * as genFast from '../generated/generic/percpu.js';
import * as x86Fast from '../generated/x86_64/percpu.js';
import { Machine, type Arch } from '../src/machine.js';
import { CpuGuard, DynamicPerCpu, INTEGER_NAMES, define_per_cpu, get_static_per_cpu } from '../src/rust/index.js';
import { numericOps } from '../src/rust/numeric.js';
import { opArb, step, ts, type NumericSurface } from './support/numeric-model.js';

const ARCHES = ['x86_64', 'arm64', 'generic'] as const;
const MODULES: Record<Arch, Record<string, unknown>> = { x86_64: x86Fast, arm64: armFast, generic: genFast };

describe('PerCpuNumeric and PerCpuRef run the architecture\'s own generated ops', () => {
  for (const arch of ARCHES) {
    it(`${arch}: num().add is the generated this_cpu_add_N, the guarded ref's is __this_cpu_add_N`, () => {
      const m = new Machine({ cpus: 2, arch }).boot();
      const mod = MODULES[arch];
      expect(numericOps(m, 'this_cpu', 'u32').add).toBe(mod.this_cpu_add_4);
      expect(numericOps(m, '__this_cpu', 'u64').add).toBe(mod.__this_cpu_add_8);
      expect(numericOps(m, 'this_cpu', 'u8').cmpxchg).toBe(mod.this_cpu_cmpxchg_1);
      // A signed type's void ops are the generated op itself (only value-returning ops convert the sign).
      expect(numericOps(m, 'this_cpu', 'i16').add).toBe(mod.this_cpu_add_2);
    });
  }
});

for (const arch of ARCHES) {
  describe(`${arch}: numeric ops of all 10 integer types against the native model`, () => {
    for (const t of INTEGER_NAMES) {
      it(`${t}: num() (this_cpu_*) and get() under a CpuGuard (__this_cpu_*)`, () => {
        fc.assert(fc.property(fc.array(opArb(t), { minLength: 1, maxLength: 30 }), fc.integer({ min: 0, max: 2 }), (ops, cpu) => {
          const m = new Machine({ cpus: 3, arch }).boot();
          const p = DynamicPerCpu.newZero(m, t, { name: 'p' })!;
          m.migrate(cpu);
          let model = 0n;
          const num = p.num() as unknown as NumericSurface;
          for (const op of ops) model = step(t, num, model, op);
          expect(m.ctx.preemptCount).toBe(0);
          expect(m.ctx.irqsDisabled).toBe(false);
          {
            using r = p.get(new CpuGuard(m));
            const ref = r as unknown as NumericSurface & { get(): unknown; set(v: unknown): void };
            const s: NumericSurface = {
              read: () => ref.get(), write: (v) => ref.set(v), add: (v) => ref.add(v), sub: (v) => ref.sub(v), inc: () => ref.inc(),
              dec: () => ref.dec(), and: (v) => ref.and(v), or: (v) => ref.or(v), xchg: (v) => ref.xchg(v), cmpxchg: (o, n) => ref.cmpxchg(o, n),
            };
            for (const op of ops) model = step(t, s, model, op);
            expect(m.ctx.preemptCount).toBe(1); // the guard, and only the guard
          }
          expect(p.values()).toEqual([0, 1, 2].map((c) => ts(t, c === cpu ? model : 0n)));
          p.drop();
        }), { numRuns: 25, seed: 0x7a7 });
      });
    }

    it('the sample module\'s static u64: add 1 wraps past u64::MAX, sub 1 wraps back', () => {
      const m = new Machine({ cpus: 2, arch });
      const U = define_per_cpu(m, 'UPERCPU', 'u64', (1n << 64n) - 1n);
      m.boot();
      const u = get_static_per_cpu(m, U).num();
      u.add(1n);
      expect(u.read()).toBe(0n);
      u.sub(1n);
      expect(u.read()).toBe((1n << 64n) - 1n);
      expect(() => u.add(1n << 64n)).toThrow('out of range for u64');
      expect(u.read()).toBe((1n << 64n) - 1n);
    });
  });
}

describe('a numeric handle used after its allocation was dropped (issue 10, item 10)', () => {
  for (const arch of ARCHES) {
    it(`${arch}: every num() op of every integer type throws the use-after-free and leaves preemption and interrupts as they were`, () => {
      const m = new Machine({ cpus: 2, arch }).boot();
      for (const t of INTEGER_NAMES) {
        const p = DynamicPerCpu.newZero(m, t, { name: 'p' })!;
        const num = p.num() as unknown as NumericSurface & Record<string, (...a: unknown[]) => unknown>;
        p.drop();
        const one = t.endsWith('64') || t.endsWith('size') ? 1n : 1;
        const calls: [string, unknown[]][] = [
          ['read', []], ['write', [one]], ['add', [one]], ['sub', [one]], ['inc', []], ['dec', []],
          ['and', [one]], ['or', [one]], ['xchg', [one]], ['cmpxchg', [one, one]],
        ];
        for (const [op, args] of calls) {
          for (const [count, irqs] of [[0, false], [1, true]] as const) {
            m.ctx.preemptCount = count;
            m.ctx.irqsDisabled = irqs;
            expect(() => num[op](...args), `${arch} ${t} ${op}`).toThrow(/^use-after-free: /);
            expect([m.ctx.preemptCount, m.ctx.irqsDisabled], `${arch} ${t} ${op}`).toEqual([count, irqs]);
          }
        }
        m.ctx.preemptCount = 0;
        m.ctx.irqsDisabled = false;
      }
    });
  }
});
