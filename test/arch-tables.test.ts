/**
 * The per-architecture tables and machines (issue 7, sections 1 and 2).
 * Tables: arm64 defines no raw_cpu_* of its own — asm-generic's #ifndef
 * fill-ins serve it — so its raw_cpu_* lines must stay those of the generic
 * table; the architectures differ in their this_cpu_* and in nothing else.
 * Machines: boot loads each CPU's per-CPU register as that architecture does.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ARCH_INFO } from '../generator/arches.js';
import { parseHeader, type MacroDef } from '../c/cparse.js';
import { generate } from '../generator/generate.js';
import { DEFINE_PER_CPU, Machine, raw_smp_processor_id, this_cpu_read, type Arch } from '../src/index.js';
import { raw_cpu_ptr } from '../src/accessors.js';
import { ROOT } from './generator/support.js';

async function table(arch: string): Promise<MacroDef[]> {
  const file = `templates/${arch}/percpu.h`;
  return (await parseHeader(file, readFileSync(path.join(ROOT, file), 'utf8'))).defs;
}

const body = (defs: MacroDef[], prefix: string): string[] => defs.filter((d) => d.name.startsWith(prefix)).map((d) => `${d.name}(${d.params.join(', ')}) ${d.body}`);

describe('tables', () => {
  it("arm64 defines no raw_cpu_*: #include <asm-generic/percpu.h> fills them in, and only those", async () => {
    expect(body(await table('arm64'), 'raw_cpu_')).toEqual([]);
    const model = await generate({ root: ROOT, arches: ['arm64'] });
    const ops = model[0].ops;
    const raw = ops.filter((o) => o.variant === 'raw_cpu' && o.def.file !== 'templates/linux/percpu-defs.h');
    expect(raw.length).toBe(40);
    expect(new Set(raw.map((o) => o.def.file))).toEqual(new Set(['templates/generic/percpu.h']));
    // this_cpu_* stay arm64's own: the generic fill-ins under the same names are not taken
    const own = ops.filter((o) => o.variant === 'this_cpu' && o.def.file !== 'templates/linux/percpu-defs.h');
    expect(new Set(own.map((o) => o.def.file))).toEqual(new Set(['templates/arm64/percpu.h']));
  });

  it('arm64 this_cpu_* are preempt-protected LSE atomics; generic this_cpu_* are IRQ-protected plain C', async () => {
    const arm = body(await table('arm64'), 'this_cpu_');
    const gen = body(await table('generic'), 'this_cpu_');
    expect(arm.length).toBe(40);
    expect(gen.length).toBe(40);
    expect(arm.every((l) => / _pcp_protect\(__percpu_\w+_case\(|_pcp_protect\(raw_cpu_generic_(read|to_op)\(/.test(l))).toBe(true);
    expect(arm).toContain('this_cpu_and_4(pcp, val) _pcp_protect(__percpu_andnot_case(4, pcp, ~(val)))');
    expect(gen.filter((l) => l.startsWith('this_cpu_read_')).every((l) => l.includes('_pcp_preempt(raw_cpu_generic_read('))).toBe(true);
    expect(gen.filter((l) => !l.startsWith('this_cpu_read_')).every((l) => l.includes('_pcp_irqsave(raw_cpu_generic_'))).toBe(true);
  });

  it('every architecture with a table has an ArchInfo whose primitives its ops import from src/kernel/preempt.ts', async () => {
    expect(Object.keys(ARCH_INFO).sort()).toEqual(['arm64', 'generic', 'x86_64']);
    for (const arch of Object.keys(ARCH_INFO)) {
      const text = readFileSync(path.join(ROOT, `generated/${arch}/percpu.ts`), 'utf8');
      const used = [...text.matchAll(/\b(preempt_disable|preempt_enable|local_irq_save|local_irq_restore)\(/g)].map((x) => x[1]);
      expect([...new Set(used)].sort(), arch).toEqual([...ARCH_INFO[arch].primitives].sort());
    }
  });
});

describe('machines per architecture', () => {
  const boot = (arch: Arch) => {
    const m = new Machine({ cpus: 3, arch });
    const x = DEFINE_PER_CPU(m, 'u32', 'x', 9);
    m.boot();
    return { m, x };
  };

  it('x86_64: each CPU GS base = __per_cpu_offset[cpu]; TPIDR_EL1 is not an x86 register', () => {
    const { m } = boot('x86_64');
    expect([...m.percpuBaseReg]).toEqual([...m.perCpuOffset]);
    m.migrate(2);
    expect(m.gs).toBe(m.perCpuOffset[2]);
    expect(m.tpidr_el1).toBeNaN();
  });

  it('arm64: set_my_cpu_offset() loads TPIDR_EL1 of every CPU; migrate reloads it; there is no GS', () => {
    const { m, x } = boot('arm64');
    expect([...m.percpuBaseReg]).toEqual([...m.perCpuOffset]);
    expect(m.tpidr_el1).toBe(m.perCpuOffset[0]);
    m.migrate(1);
    expect(m.tpidr_el1).toBe(m.perCpuOffset[1]);
    expect(m.gs).toBeNaN();
    expect(raw_cpu_ptr(m, x)).toBe(x.off + m.perCpuOffset[1]);
    expect(this_cpu_read(m, x)).toBe(9);
  });

  it('generic: no per-CPU register at all; the ops index __per_cpu_offset by the CPU number', () => {
    const { m, x } = boot('generic');
    expect([...m.percpuBaseReg].every(Number.isNaN)).toBe(true);
    expect(m.gs).toBeNaN();
    expect(m.tpidr_el1).toBeNaN();
    m.migrate(2);
    expect(raw_smp_processor_id(m)).toBe(2);
    expect(raw_cpu_ptr(m, x)).toBe(x.off + m.perCpuOffset[2]);
    expect(this_cpu_read(m, x)).toBe(9);
  });
});
