/**
 * The same reference-model tests on every architecture (issue 7, section 3):
 * each generated op × width × variant of x86_64, arm64 and asm-generic, in the
 * fast flavour and run to completion in the stepped flavour, against the
 * BigInt model of test/support/reference-model.ts on edge values, then on
 * fast-check random values. An op must change only the running CPU's copy,
 * return what the model returns, report the value found through ovalp, and
 * leave preempt_count and the interrupt state as it found them.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as armFast from '../generated/arm64/percpu.js';
import * as armStepped from '../generated/arm64/percpu-stepped.js';
import * as genFast from '../generated/generic/percpu.js';
import * as genStepped from '../generated/generic/percpu-stepped.js';
import * as x86Fast from '../generated/x86_64/percpu.js';
import * as x86Stepped from '../generated/x86_64/percpu-stepped.js';
import {
  DEFINE_PER_CPU, KernelBugError, Machine, MachineStateError, PerCpuPtr, UseAfterFreeError, alloc_percpu, free_percpu, local_irq_restore,
  local_irq_save, per_cpu, per_cpu_write, preempt_disable, preempt_enable, type Arch,
} from '../src/index.js';
import { edgeValues, operandsOf, parseOpName, refOp, type RefArgs } from './support/reference-model.js';

type AnyOp = (...args: unknown[]) => unknown;
type Module = Record<string, unknown>;

const MODULES: Record<Arch, { fast: Module; stepped: Module }> = {
  x86_64: { fast: x86Fast, stepped: x86Stepped },
  arm64: { fast: armFast, stepped: armStepped },
  generic: { fast: genFast, stepped: genStepped },
};
const TYPES = { 1: 'u8', 2: 'u16', 4: 'u32', 8: 'u64', 16: 'u128' } as const;
const BASES = ['read', 'write', 'add', 'sub', 'inc', 'dec', 'and', 'or', 'add_return', 'sub_return', 'inc_return', 'dec_return', 'xchg', 'cmpxchg', 'try_cmpxchg'];

function opNames(mod: Module): string[] {
  return Object.keys(mod).filter((k) => typeof mod[k] === 'function').sort();
}

/** Runs a stepped op to the end, as the explorer does when nothing interleaves. */
function drain(g: Generator<unknown, unknown, undefined>): unknown {
  let r = g.next();
  while (!r.done) r = g.next();
  return r.value;
}

const asValue = (width: number, bits: bigint): number | bigint => (width >= 8 ? bits : Number(bits));
const show = (x: unknown): string => JSON.stringify(x, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v));

describe('every architecture has the same ops', () => {
  it('x86_64, arm64 and generic export the same names and arities, except x86-only this_cpu_read_stable', () => {
    const x86 = opNames(x86Fast).filter((n) => !n.startsWith('this_cpu_read_stable_'));
    for (const arch of ['arm64', 'generic'] as const) {
      const names = opNames(MODULES[arch].fast);
      expect(names).toEqual(x86);
      expect(opNames(MODULES[arch].stepped)).toEqual(x86);
      for (const n of names) expect((MODULES[arch].fast[n] as AnyOp).length, `${arch} ${n}`).toBe(((x86Fast as Module)[n] as AnyOp).length);
    }
    for (const v of ['raw_cpu', '__this_cpu', 'this_cpu']) for (const b of BASES) for (const w of [1, 2, 4, 8]) expect(x86).toContain(`${v}_${b}_${w}`);
    expect(x86.length).toBe(188);
  });
});

for (const arch of ['x86_64', 'arm64', 'generic'] as const) {
  describe(`${arch}: generated ops against the reference model`, () => {
    const m = new Machine({ cpus: 3, arch });
    const vars: Record<number, PerCpuPtr<never>> = {};
    for (const w of [1, 2, 4, 8, 16] as const) vars[w] = DEFINE_PER_CPU(m, TYPES[w], `v${w}`) as PerCpuPtr<never>;
    m.boot();

    /** One op on cpu 1 from `cur`: result, memory, ovalp, other CPUs and the context state all checked. */
    function check(name: string, flavour: 'fast' | 'stepped', cur: bigint, args: RefArgs): void {
      const op = parseOpName(name)!;
      const fn = MODULES[arch][flavour][name] as AnyOp;
      const v = vars[op.width];
      const others = [0, 2].map((c) => per_cpu(m, v, c));
      per_cpu_write(m, v, 1, asValue(op.width, cur) as never);
      const want = refOp(op.base, op.width, cur, args);
      const box = { value: args.ovalp };
      const call = operandsOf(op.base).map((k) => (k === 'ovalp' ? box : args[k]));
      const label = `${arch} ${flavour} ${name}(${cur}, ${show(args)})`;
      const got = m.runOn(1, () => {
        if (op.variant === '__this_cpu') preempt_disable(m);
        try {
          const r = fn(m, v, ...call);
          const out = flavour === 'stepped' ? drain(r as Generator<unknown, unknown, undefined>) : r;
          expect(m.ctx.preemptCount, `${label}: preempt_count`).toBe(op.variant === '__this_cpu' ? 1 : 0);
          expect(m.ctx.irqsDisabled, `${label}: irqs`).toBe(false);
          return out;
        } finally {
          if (op.variant === '__this_cpu') preempt_enable(m);
        }
      });
      expect(BigInt(per_cpu(m, v, 1) as number | bigint), label).toBe(want.next);
      if (want.ret === undefined) expect(got, label).toBeUndefined();
      else if (typeof want.ret === 'boolean') expect(got, label).toBe(want.ret);
      else expect(got, label).toBe(asValue(op.width, want.ret));
      if (want.ovalp !== undefined) expect(BigInt(box.value as number | bigint), label).toBe(want.ovalp);
      expect([0, 2].map((c) => per_cpu(m, v, c)), `${label}: other CPUs`).toEqual(others);
    }

    for (const name of opNames(MODULES[arch].fast)) {
      const op = parseOpName(name);
      if (!op) continue;
      const operands = operandsOf(op.base);
      it(`${name}: edge values, both flavours`, () => {
        const edges = edgeValues(op.width);
        const bits = op.width * 8;
        const curs = [...new Set(edges.map((e) => BigInt.asUintN(bits, BigInt(e))))];
        for (const flavour of ['fast', 'stepped'] as const) {
          for (const cur of curs) {
            if (operands.length === 0) check(name, flavour, cur, {});
            for (const a of edges) {
              if (operands.length === 1) check(name, flavour, cur, { [operands[0]]: a });
              if (operands.length === 2) {
                // cmpxchg: once with an edge as the expected value (mostly failing), once with the current value (success)
                check(name, flavour, cur, { [operands[0]]: a, [operands[1]]: edges[3] });
                check(name, flavour, cur, { [operands[0]]: asValue(op.width, cur), [operands[1]]: a });
              }
            }
          }
        }
      });
      it(`${name}: random values`, () => {
        const value = op.width >= 8 ? fc.bigInt({ min: -(1n << 130n), max: 1n << 130n }) : fc.integer({ min: -(2 ** 40), max: 2 ** 40 });
        const curArb = fc.bigInt({ min: 0n, max: (1n << BigInt(op.width * 8)) - 1n });
        fc.assert(fc.property(curArb, value, value, fc.boolean(), (cur, a, b, hit) => {
          const args: RefArgs = {};
          if (operands[0]) args[operands[0]] = hit && operands.length === 2 ? asValue(op.width, cur) : a;
          if (operands[1]) args[operands[1]] = b;
          check(name, 'fast', cur, args);
        }), { numRuns: 40, seed: 0x7a7 });
      });
    }
  });
}

describe('protection each variant gives, per architecture', () => {
  for (const arch of ['x86_64', 'arm64', 'generic'] as const) {
    const setup = (): { m: Machine; x: PerCpuPtr<'u32'> } => {
      const m = new Machine({ cpus: 2, arch });
      const x = DEFINE_PER_CPU(m, 'u32', 'x', 7);
      m.boot();
      return { m, x };
    };
    const ops = MODULES[arch].fast as unknown as typeof x86Fast;

    it(`${arch}: __this_cpu_add_4 from preemptible code is the DEBUG_PREEMPT BUG, and writes nothing`, () => {
      const { m, x } = setup();
      expect(() => ops.__this_cpu_add_4(m, x, 1)).toThrow(new KernelBugError('BUG: using __this_cpu_add() in preemptible [00000000] code: init/1'));
      expect(per_cpu(m, x, 0)).toBe(7);
    });

    it(`${arch}: this_cpu_add_4 with interrupts already off keeps them off`, () => {
      const { m, x } = setup();
      const flags = local_irq_save(m);
      ops.this_cpu_add_4(m, x, 3);
      expect(m.ctx.irqsDisabled).toBe(true);
      local_irq_restore(m, flags);
      expect(per_cpu(m, x, 0)).toBe(10);
    });

    it(`${arch}: a bad operand or a misaligned pointer is refused before any memory is touched`, () => {
      const { m, x } = setup();
      expect(() => ops.this_cpu_add_4(m, x, 1.5)).toThrow(new TypeError('this_cpu_add_4: operand val must be an integer number (finite, no fraction), got 1.5; nothing was written'));
      expect(() => ops.raw_cpu_add_8(m, x as never, 1 as never)).toThrow('raw_cpu_add_8: operand val must be a bigint, got 1; nothing was written');
      const bad = new PerCpuPtr<'u32'>(m, x.off + 2, null, { label: 'x+2', kind: 'static' });
      const msg = `per-CPU pointer 0x${bad.off.toString(16)} is not 4-byte aligned; nothing was written`;
      expect(() => ops.this_cpu_add_4(m, bad, 1)).toThrow(new RangeError(`this_cpu_add_4: ${msg}`));
      expect(() => ops.raw_cpu_xchg_4(m, bad, 1)).toThrow(new RangeError(`raw_cpu_xchg_4: ${msg}`));
      expect(per_cpu(m, x, 0)).toBe(7);
      expect(m.ctx.preemptCount).toBe(0);
      expect(m.ctx.irqsDisabled).toBe(false);
    });
  }
});

/**
 * Refused calls change nothing (issue 10, items 3, 4, 5 and 10), for every op
 * × width × variant of every architecture, in both flavours: an op of another
 * architecture, a pointer of another machine, a non-pointer, a machine that
 * has not booted, a freed pointer (1-byte ones included, which have no
 * alignment check to fail first) and a wrongly typed operand are each refused
 * with their exact error, and preempt_count, the interrupt state and memory
 * are what they were before the call — also for the arm64 and asm-generic
 * this_cpu_* ops, which disable preemption or interrupts around their body.
 */
describe('a refused op changes nothing', () => {
  const HOME = { x86_64: 'the top-level ', arm64: 'arm64_ops.', generic: 'generic_ops.' } as const;
  /** Where the right op is, as the error names it. */
  const home = (arch: Arch, flavour: 'fast' | 'stepped', name: string): string => {
    const typed = /_[1248]$/.test(name) ? ` (or the typed layer's ${name.replace(/_[1248]$/, '')}, which follows the machine's architecture)` : '';
    return flavour === 'stepped' ? `${name} of generated/${arch}/percpu-stepped.ts${typed}` : `${HOME[arch]}${name}${typed}`;
  };
  const machineName = (m: Machine): string => `machine #${m.id} (${m.arch}, ${m.nrCpus} CPUs)`;
  const good = (width: number, k: string): unknown => (k === 'ovalp' ? { value: width >= 8 ? 0n : 0 } : width >= 8 ? 1n : 1);
  const bad = (width: number, k: string): unknown => (k === 'ovalp' ? { value: width >= 8 ? 0 : 0n } : width >= 8 ? 1 : '1');

  function world(arch: Arch, boot = true): { m: Machine; vars: Record<number, PerCpuPtr<never>>; freed: Record<number, PerCpuPtr<never>> } {
    const m = new Machine({ cpus: 3, arch });
    const vars: Record<number, PerCpuPtr<never>> = {};
    for (const w of [1, 2, 4, 8, 16] as const) vars[w] = DEFINE_PER_CPU(m, TYPES[w], `v${w}`) as PerCpuPtr<never>;
    const freed: Record<number, PerCpuPtr<never>> = {};
    if (boot) {
      m.boot();
      for (const w of [1, 2, 4, 8, 16] as const) {
        freed[w] = alloc_percpu(m, TYPES[w]) as PerCpuPtr<never>;
        free_percpu(m, freed[w]);
      }
    }
    return { m, vars, freed };
  }

  /** Calls the op (draining a stepped one) with preempt_count 0 and interrupts on, then 2 and off: it must throw `want` and leave both as they were. */
  function refused(m: Machine, call: () => unknown, want: Error, label: string): void {
    for (const [count, irqs] of [[0, false], [2, true]] as const) {
      m.ctx.preemptCount = count;
      m.ctx.irqsDisabled = irqs;
      let thrown: unknown = null;
      try {
        call();
      } catch (e) {
        thrown = e;
      }
      expect(thrown, label).toEqual(want);
      expect((thrown as Error).constructor, label).toBe(want.constructor);
      expect([m.ctx.preemptCount, m.ctx.irqsDisabled], `${label}: preempt_count and irqs after the refusal`).toEqual([count, irqs]);
    }
    m.ctx.preemptCount = 0;
    m.ctx.irqsDisabled = false;
  }

  const memory = (m: Machine): Buffer => Buffer.from(m.u8);

  for (const arch of ['x86_64', 'arm64', 'generic'] as const) {
    it(`${arch} machine: ops of the other architectures are refused, naming both and where the right op is`, () => {
      const { m, vars } = world(arch);
      const before = memory(m);
      for (const opsArch of (['x86_64', 'arm64', 'generic'] as const).filter((a) => a !== arch)) {
        for (const flavour of ['fast', 'stepped'] as const) {
          const mod = MODULES[opsArch][flavour];
          for (const name of opNames(mod)) {
            const op = parseOpName(name)!;
            const args = operandsOf(op.base).map((k) => good(op.width, k));
            const run = (): unknown => {
              const r = (mod[name] as AnyOp)(m, vars[op.width], ...args);
              return flavour === 'stepped' ? drain(r as Generator<unknown, unknown, undefined>) : r;
            };
            // this_cpu_read_stable is x86-only: elsewhere the error points at this_cpu_read.
            const theirs = name.replace('this_cpu_read_stable_', 'this_cpu_read_');
            expect(theirs in MODULES[arch].fast, theirs).toBe(true);
            const want = new TypeError(`${name}: the ${opsArch} op cannot run on ${machineName(m)}: use ${home(arch, flavour, theirs)}; nothing was written`);
            refused(m, run, want, `${opsArch} ${flavour} ${name}`);
          }
        }
      }
      expect(memory(m).equals(before)).toBe(true);
    });

    for (const flavour of ['fast', 'stepped'] as const) {
      it(`${arch} ${flavour}: another machine's pointer, a non-pointer, an unbooted machine, a freed pointer, a bad operand`, () => {
        const { m, vars, freed } = world(arch);
        const other = world(arch);
        const early = world(arch, false);
        const before = [memory(m), memory(other.m)];
        const mod = MODULES[arch][flavour];
        for (const name of opNames(mod)) {
          const op = parseOpName(name)!;
          const keys = operandsOf(op.base);
          const args = keys.map((k) => good(op.width, k));
          const call = (mm: Machine, pcp: unknown, a: unknown[] = args) => (): unknown => {
            const r = (mod[name] as AnyOp)(mm, pcp, ...a);
            return flavour === 'stepped' ? drain(r as Generator<unknown, unknown, undefined>) : r;
          };
          const foreign = other.vars[op.width];
          refused(m, call(m, foreign), new TypeError(
            `${name}: ${foreign.origin.label} belongs to ${machineName(other.m)}, not to ${machineName(m)} that runs this op: a per-CPU pointer is an offset into the per-CPU areas of the machine that defined or allocated it; nothing was written`,
          ), `${name} foreign pointer`);
          for (const [pcp, shown] of [[5, '5'], [{ off: 1e9 }, 'an object ([object Object])'], [null, 'null'], [undefined, 'undefined']] as const) {
            refused(m, call(m, pcp), new TypeError(
              `${name}: pcp must be a per-CPU pointer (a DEFINE_PER_CPU symbol or what alloc_percpu() returned), got ${shown}; nothing was written`,
            ), `${name}(${shown})`);
          }
          refused(early.m, call(early.m, early.vars[op.width]), new MachineStateError(
            `${name}: per-CPU memory is not set up yet: call m.boot() (setup_per_cpu_areas) first`,
          ), `${name} before boot`);
          const label = /^alloc_percpu #\d+ \(size \d+, align \d+\)$/.exec((Object.getOwnPropertyDescriptor(freed[op.width], 'origin')!.value as { label: string }).label)![0];
          refused(m, call(m, freed[op.width]), new UseAfterFreeError(`use-after-free: ${label} was freed by free_percpu()`), `${name} freed`);
          keys.forEach((k, i) => {
            const a = args.slice();
            a[i] = bad(op.width, k);
            expect(call(m, vars[op.width], a), `${name} bad ${k}`).toThrow(TypeError);
            refused(m, call(m, vars[op.width], a), (() => {
              try {
                call(m, vars[op.width], a)();
              } catch (e) {
                return e as Error;
              }
              throw new Error('unreachable');
            })(), `${name} bad ${k}`);
          });
        }
        expect([memory(m).equals(before[0]), memory(other.m).equals(before[1])]).toEqual([true, true]);
      });
    }
  }
});
