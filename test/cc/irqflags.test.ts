/**
 * The interrupt flags as C holds them (unsigned long, a bigint in translated
 * code) and as the runtime does (a number): src/kernel/irqflags.ts, and
 * translated C that saves and restores them, in both flavours.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../cc/compile.js';
import {
  arch_local_irq_restore, arch_local_irq_save, irqflags_from_u64, irqflags_to_u64,
} from '../../src/kernel/irqflags.js';
import { per_cpu } from '../../src/kernel/smp.js';
import { Machine, X86_EFLAGS_IF } from '../../src/machine.js';
import type { PerCpuPtr } from '../../src/percpu-ptr.js';
import { drain, translateAndLoad } from './support.js';

function machine(): Machine {
  const m = new Machine({ cpus: 2 });
  m.boot();
  m.loadCpu(1);
  return m;
}

describe('src/kernel/irqflags.ts', () => {
  it('converts the two values both ways and passes anything else through', () => {
    expect([irqflags_to_u64(0), irqflags_to_u64(X86_EFLAGS_IF), irqflags_to_u64(7)]).toEqual([0n, 0x200n, 7n]);
    expect([irqflags_from_u64(0n), irqflags_from_u64(0x200n), irqflags_from_u64(7n)]).toEqual([0, X86_EFLAGS_IF, 7]);
  });

  it('arch_local_irq_save() disables interrupts and returns the previous state as unsigned long', () => {
    const m = machine();
    expect(arch_local_irq_save(m)).toBe(0x200n);
    expect(m.ctx.irqsDisabled).toBe(true);
    expect(arch_local_irq_save(m)).toBe(0n);
    arch_local_irq_restore(m, 0n);
    expect(m.ctx.irqsDisabled).toBe(true);
    arch_local_irq_restore(m, 0x200n);
    expect(m.ctx.irqsDisabled).toBe(false);
  });

  it('arch_local_irq_restore() refuses flags no save returned, and leaves the interrupt state as it was', () => {
    const m = machine();
    arch_local_irq_save(m);
    expect(() => arch_local_irq_restore(m, 5n))
      .toThrow(new TypeError('local_irq_restore: flags must be a value returned by local_irq_save() (0 or 0x200), got 5'));
    expect([m.ctx.irqsDisabled, m.ctx.preemptCount]).toEqual([true, 0]);
  });
});

describe('translated local_irq_save()/local_irq_restore()', () => {
  it('nest in both flavours: the outer save sees interrupts on, the inner one off, and both restore', async () => {
    const { fast, stepped } = await translateAndLoad(path.join(ROOT, 'test/cc/irqflags/irqsave.c'));
    for (const flavour of ['fast', 'stepped'] as const) {
      const m = new Machine({ cpus: 2 });
      const inst = (flavour === 'fast' ? fast : stepped).instantiate(m) as { nested(): unknown; hits: PerCpuPtr<'i32'> };
      m.boot();
      m.loadCpu(1);
      const r = flavour === 'fast' ? inst.nested() : drain(inst.nested() as Generator<unknown, unknown, undefined>);
      expect(r).toBe(0x200n);
      expect([m.ctx.irqsDisabled, m.ctx.preemptCount, per_cpu(m, inst.hits, 1)]).toEqual([false, 0, 1]);
    }
  });
});
