/**
 * Same behaviour, different steps (issue 7, section 3): the stepped flavour of
 * each architecture, driven by hand. On x86-64 raw_cpu_add_4 is one
 * gs-relative instruction: a migration can only fall before it, and the add
 * lands on the new CPU's copy. On arm64 and asm-generic it is raw_cpu_ptr()
 * (computed once) then load / add / store: a migration between the load and
 * the store makes the task, now on cpu1, store into cpu0's copy — overwriting
 * the increment another task made there meanwhile. this_cpu_add_4 is safe on
 * all three: arm64 disables preemption around one stadd, asm-generic disables
 * interrupts around the plain C, so the migration is refused.
 */
import { describe, expect, it } from 'vitest';
import * as armStepped from '../generated/arm64/percpu-stepped.js';
import * as genStepped from '../generated/generic/percpu-stepped.js';
import * as x86Stepped from '../generated/x86_64/percpu-stepped.js';
import { DEFINE_PER_CPU, Machine, MachineStateError, formatInsn, per_cpu, type Arch, type Insn, type PerCpuPtr } from '../src/index.js';
import { footprint } from '../src/sched/step.js';

type Stepped = typeof x86Stepped;
const STEPPED = { x86_64: x86Stepped, arm64: armStepped as unknown as Stepped, generic: genStepped as unknown as Stepped } as const;
const ARCHES = ['x86_64', 'arm64', 'generic'] as const;

function world(arch: Arch): { m: Machine; x: PerCpuPtr<'u32'> } {
  const m = new Machine({ cpus: 2, arch });
  const x = DEFINE_PER_CPU(m, 'u32', 'x');
  m.boot();
  m.debugPreempt = false; // raw_cpu_* in preemptible code is the bug shown, not a BUG splat
  return { m, x };
}

/** The instruction texts an op yields when nothing interleaves, with [var] filled in. */
function trace(g: Generator<Insn, unknown, undefined>): string[] {
  const out: string[] = [];
  for (let r = g.next(); !r.done; r = g.next()) out.push(formatInsn(r.value));
  return out;
}

describe('instruction sequences per architecture', () => {
  it('raw_cpu_add_4: one instruction on x86-64, raw_cpu_ptr then load/add/store elsewhere', () => {
    const seqs = ARCHES.map((arch) => {
      const { m, x } = world(arch);
      return trace(STEPPED[arch].raw_cpu_add_4(m, x, 1));
    });
    expect(seqs).toEqual([
      ['addl $1, %gs:x'],
      ['mrs x1, tpidr_el1', 'add x1, x1, #x', 'ldr w2, [x1]', 'add w2, w2, w0', 'str w2, [x1]'],
      ['cpu = raw_smp_processor_id()', 'ptr = x + __per_cpu_offset[cpu]', 'r = *(u32 *)ptr', 'r += val', '*(u32 *)ptr = r'],
    ]);
  });

  it('this_cpu_add_4 and this_cpu_add_return_8: LSE atomics on arm64, plain C with interrupts off on asm-generic', () => {
    const seq = (arch: Arch, f: (s: Stepped, m: Machine, x: PerCpuPtr<'u32'>, y: PerCpuPtr<'u64'>) => Generator<Insn, unknown, undefined>): string[] => {
      const m = new Machine({ cpus: 2, arch });
      const x = DEFINE_PER_CPU(m, 'u32', 'x');
      const y = DEFINE_PER_CPU(m, 'u64', 'y');
      m.boot();
      return trace(f(STEPPED[arch], m, x, y));
    };
    expect(seq('arm64', (s, m, x) => s.this_cpu_add_4(m, x, 5))).toEqual(['mrs x1, tpidr_el1', 'add x1, x1, #x', 'stadd w0, [x1]']);
    expect(seq('arm64', (s, m, _x, y) => s.this_cpu_add_return_8(m, y, 5n))).toEqual(['mrs x1, tpidr_el1', 'add x1, x1, #y', 'ldadd x0, x2, [x1]', 'add x2, x2, x0']);
    expect(seq('arm64', (s, m, x) => s.this_cpu_and_4(m, x, 5))).toEqual(['mrs x1, tpidr_el1', 'add x1, x1, #x', 'stclr w0, [x1]']);
    expect(seq('arm64', (s, m, x) => s.this_cpu_cmpxchg_4(m, x, 0, 1))).toEqual(['mrs x1, tpidr_el1', 'add x1, x1, #x', 'cas w2, w3, [x1]']);
    expect(seq('generic', (s, m, _x, y) => s.this_cpu_add_return_8(m, y, 5n))).toEqual([
      'cpu = raw_smp_processor_id()', 'ptr = y + __per_cpu_offset[cpu]', 'r = *(u64 *)ptr', 'r += val', '*(u64 *)ptr = r',
    ]);
    expect(seq('x86_64', (s, m, _x, y) => s.this_cpu_add_return_8(m, y, 5n))).toEqual(['xaddq %rax, %gs:y']);
  });
});

/**
 * Task A on cpu0 runs raw_cpu_add_4(x, 1) step by step. Right after the step
 * `migrateBefore` has been announced (before it runs), A is migrated to cpu1
 * and another task on cpu0 does this_cpu_add_4(x, 5). Returns both copies.
 */
function migrateDuring(arch: Arch, op: 'raw_cpu_add_4' | 'this_cpu_add_4', migrateAt: number): { copies: number[]; migrated: boolean; steps: string[] } {
  const { m, x } = world(arch);
  const a = STEPPED[arch][op](m, x, 1);
  const steps: string[] = [];
  let migrated = false;
  for (let r = a.next(), i = 0; !r.done; r = a.next(), i++) {
    steps.push(r.value.asm);
    if (i === migrateAt) {
      try {
        m.migrate(1);
        migrated = true;
      } catch (e) {
        expect(e).toBeInstanceOf(MachineStateError);
      }
      if (migrated) m.runOn(0, () => drain(STEPPED[arch].this_cpu_add_4(m, x, 5)));
    }
  }
  return { copies: [per_cpu(m, x, 0), per_cpu(m, x, 1)], migrated, steps };
}

function drain(g: Generator<unknown, unknown, undefined>): unknown {
  let r = g.next();
  while (!r.done) r = g.next();
  return r.value;
}

describe('a migration inside raw_cpu_add_4', () => {
  it('x86-64: the only preemption point is before the one instruction, so the add lands on the new CPU', () => {
    const r = migrateDuring('x86_64', 'raw_cpu_add_4', 0);
    expect(r).toEqual({ copies: [5, 1], migrated: true, steps: ['addl %[val], %gs:[var]'] });
  });

  for (const arch of ['arm64', 'generic'] as const) {
    it(`${arch}: between the load and the store, cpu1's task stores into cpu0's copy and cpu0's +5 is lost`, () => {
      const atStore = 4; // raw_cpu_ptr (2 steps), load, add; the store is announced as step 4
      const r = migrateDuring(arch, 'raw_cpu_add_4', atStore);
      expect(r.migrated).toBe(true);
      // cpu0 should hold 5 (the other task) and cpu1 1 (task A, now there): A's stale store wrote 0+1 over cpu0's 5.
      expect(r.copies).toEqual([1, 0]);
      expect(r.copies[0] + r.copies[1]).toBe(1); // 6 increments were made
    });

    it(`${arch}: before raw_cpu_ptr() ran, the migration is harmless (the address is computed on cpu1)`, () => {
      expect(migrateDuring(arch, 'raw_cpu_add_4', 0).copies).toEqual([5, 1]);
    });

    it(`${arch}: the explorer's footprint of the stale store is cpu0's copy, though the task runs on cpu1`, () => {
      const { m, x } = world(arch);
      const a = STEPPED[arch].raw_cpu_add_4(m, x, 1);
      let r = a.next();
      for (let i = 0; i < 4; i++) r = a.next();
      m.migrate(1);
      const step = r.value as Insn;
      expect(footprint(m, step, 1)).toEqual([{ lo: m.addressOf(x, 0), hi: m.addressOf(x, 0) + 4, name: '', write: true }]);
    });
  }

  for (const arch of ARCHES) {
    it(`${arch}: this_cpu_add_4 is safe at every step — the migration is refused or lands before the instruction`, () => {
      const w = world(arch);
      const n = trace(STEPPED[arch].this_cpu_add_4(w.m, w.x, 1)).length;
      for (let at = 0; at < n; at++) {
        const r = migrateDuring(arch, 'this_cpu_add_4', at);
        // x86: one instruction, migration allowed before it; arm64 (preempt off) and generic (irqs off): refused.
        expect(r.migrated, `${arch} step ${at}`).toBe(arch === 'x86_64');
        expect(r.copies[0] + r.copies[1], `${arch} step ${at}`).toBe(r.migrated ? 6 : 1);
      }
    });
  }
});

/**
 * An interrupt handler on cpu0 doing this_cpu_add_4(x, 5) at step `at` of the
 * task's op (nested in place, as the hardware would, unless the task has
 * interrupts off). Returns cpu0's copy and whether the interrupt could come.
 */
function interruptDuring(arch: Arch, op: 'raw_cpu_add_4' | 'this_cpu_add_4', at: number): { copy: number; delivered: boolean } {
  const { m, x } = world(arch);
  const a = STEPPED[arch][op](m, x, 1);
  let delivered = false;
  for (let r = a.next(), i = 0; !r.done; r = a.next(), i++) {
    if (i === at && !m.ctx.irqsDisabled) {
      delivered = true;
      drain(STEPPED[arch].this_cpu_add_4(m, x, 5));
    }
  }
  return { copy: per_cpu(m, x, 0), delivered };
}

describe('an interrupt on the same CPU inside the op', () => {
  it('raw_cpu_add_4: lost on arm64 and asm-generic between load and store, impossible to split on x86-64', () => {
    expect(interruptDuring('x86_64', 'raw_cpu_add_4', 0)).toEqual({ copy: 6, delivered: true });
    expect(interruptDuring('arm64', 'raw_cpu_add_4', 4)).toEqual({ copy: 1, delivered: true });
    expect(interruptDuring('generic', 'raw_cpu_add_4', 4)).toEqual({ copy: 1, delivered: true });
  });

  for (const arch of ARCHES) {
    it(`${arch}: this_cpu_add_4 loses nothing at any step (arm64: one stadd; generic: interrupts are off)`, () => {
      const w = world(arch);
      const n = trace(STEPPED[arch].this_cpu_add_4(w.m, w.x, 1)).length;
      for (let at = 0; at < n; at++) {
        const r = interruptDuring(arch, 'this_cpu_add_4', at);
        expect(r.delivered, `${arch} step ${at}`).toBe(arch !== 'generic');
        expect(r.copy, `${arch} step ${at}`).toBe(r.delivered ? 6 : 1);
      }
    });
  }
});
