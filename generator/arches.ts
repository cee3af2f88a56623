/**
 * What the generator needs to know of each architecture beyond its C table:
 * how the per-CPU base is addressed, mnemonic suffixes, the instructions the
 * compiler emits for asm-generic's plain C, and which runtime primitives its
 * family bodies may call.
 *
 * x86-64 addresses this CPU's copy segment-relative (`%gs:var`): every
 * instruction re-reads the GS base, so a migration between two instructions
 * lands the second on the new CPU's copy. arm64 and asm-generic have no such
 * address mode: raw_cpu_ptr(&var) computes the address ONCE into a register
 * (`mrs x1, tpidr_el1; add x1, x1, #var`, or `__per_cpu_offset[cpu] + var`)
 * and the later load, op and store use that register — so after a migration
 * they still touch the OLD CPU's copy. `cpuPtr` below is that computation.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { GenError } from '../c/errors.js';
import type { ArchInfo } from './render.js';

/** Per-width template variables of arm64: the load/store size suffix and the register view (w or x). */
const ARM64_VARS = {
  1: { r: 'w' }, 2: { r: 'w' }, 4: { r: 'w' }, 8: { r: 'x' }, 16: { r: 'x' },
} as const;

/** asm-generic is C: its "instructions" are the C statements of include/asm-generic/percpu.h, typed by width. */
const GENERIC_VARS = {
  1: { ty: 'u8' }, 2: { ty: 'u16' }, 4: { ty: 'u32' }, 8: { ty: 'u64' }, 16: { ty: 'u128' },
} as const;

export const ARCH_INFO: Readonly<Record<string, ArchInfo>> = {
  x86_64: {
    name: 'x86_64',
    title: 'x86-64',
    syntax: { base: 'm.gs' },
    sfx: { 1: 'b', 2: 'w', 4: 'l', 8: 'q', 16: '' },
    acc: { 1: '%al', 2: '%ax', 4: '%eax', 8: '%rax', 16: '%rdx:%rax' },
    primitives: [],
  },
  arm64: {
    name: 'arm64',
    title: 'arm64',
    syntax: {
      base: 'm.tpidr_el1',
      // __kern_my_cpu_offset() then SHIFT_PERCPU_PTR: x1 = TPIDR_EL1 + &var.
      cpuPtr: [
        { asm: 'mrs x1, tpidr_el1', ts: 'let ptr = m.tpidr_el1;' },
        { asm: 'add x1, x1, #[var]', ts: 'ptr += pcp.off;' },
      ],
      // Registers: x1 the pointer, r0 the operand (val, oval), r3 the new value, r2 what was loaded.
      isa: {
        load: 'ldr{{sfx}} {{r}}2, [x1]',
        store: 'str{{sfx}} {{r}}2, [x1]',
        store_val: 'str{{sfx}} {{r}}0, [x1]',
        store_new: 'str{{sfx}} {{r}}3, [x1]',
        '+=': 'add {{r}}2, {{r}}2, {{r}}0',
        '&=': 'and {{r}}2, {{r}}2, {{r}}0',
        '|=': 'orr {{r}}2, {{r}}2, {{r}}0',
        cmp: 'cmp {{r}}2, {{r}}0',
        load128: 'ldp x2, x3, [x1]',
        cmp128: 'cmp x2, x4; ccmp x3, x5, #0, eq',
        store128_new: 'stp x6, x7, [x1]',
      },
    },
    sfx: { 1: 'b', 2: 'h', 4: '', 8: '', 16: '' },
    acc: { 1: 'w0', 2: 'w0', 4: 'w0', 8: 'x0', 16: 'x2:x3' },
    vars: ARM64_VARS,
    primitives: ['preempt_disable', 'preempt_enable'],
  },
  generic: {
    name: 'generic',
    title: 'asm-generic',
    syntax: {
      base: 'm.perCpuOffset[m.cpu]',
      // __my_cpu_offset is per_cpu_offset(raw_smp_processor_id()): the CPU number, then the array.
      cpuPtr: [
        { asm: 'cpu = raw_smp_processor_id()', ts: 'const cpu = m.cpu;' },
        { asm: 'ptr = [var] + __per_cpu_offset[cpu]', ts: 'const ptr = pcp.off + m.perCpuOffset[cpu];' },
      ],
      isa: {
        load: 'r = *({{ty}} *)ptr',
        store: '*({{ty}} *)ptr = r',
        store_val: '*({{ty}} *)ptr = val',
        store_new: '*({{ty}} *)ptr = nval',
        '+=': 'r += val',
        '&=': 'r &= val',
        '|=': 'r |= val',
        cmp: 'if (r != old) goto out',
        load128: 'r = *(u128 *)ptr',
        cmp128: 'if (r != old) goto out',
        store128_new: '*(u128 *)ptr = nval',
      },
    },
    sfx: { 1: '', 2: '', 4: '', 8: '', 16: '' },
    acc: { 1: 'r', 2: 'r', 4: 'r', 8: 'r', 16: 'r' },
    vars: GENERIC_VARS,
    primitives: ['preempt_disable', 'preempt_enable', 'local_irq_save', 'local_irq_restore'],
  },
};

/** Calls any generated op may make: its checks and exact integer conversions. */
export const COMMON_PRIMITIVES = [
  'Number.isInteger', 'BigInt.asUintN', 'badPointer', 'badOperand', 'badOvalp', '__this_cpu_preempt_check',
] as const;

/** An architecture described outside this file: templates/<arch>/arch.json (what `percpu-gen init` writes). */
export const ARCH_FILE = 'arch.json';

/** The runtime functions an architecture's op bodies may wrap an op in (src/runtime.ts exports them). */
const WRAPPERS = new Set(['preempt_disable', 'preempt_enable', 'local_irq_save', 'local_irq_restore']);

/**
 * The architectures of a templates folder: every <arch>/percpu.h that is
 * built in (ARCH_INFO) or carries its own arch.json, sorted.
 */
export function availableArches(templatesDir: string): string[] {
  if (!existsSync(templatesDir)) return [];
  return readdirSync(templatesDir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(path.join(templatesDir, e.name, 'percpu.h')))
    .map((e) => e.name)
    .filter((a) => a in ARCH_INFO || existsSync(path.join(templatesDir, a, ARCH_FILE)))
    .sort();
}

/**
 * What the generator knows of `arch`: its templates/<arch>/arch.json when
 * there is one, else the built-in entry. `display` is the root that file
 * names in errors are relative to.
 */
export function archInfo(templatesDir: string, arch: string, display: string): ArchInfo {
  const file = path.join(templatesDir, arch, ARCH_FILE);
  if (!existsSync(file)) {
    const info = ARCH_INFO[arch];
    if (!info) {
      const known = [...new Set([...Object.keys(ARCH_INFO), ...availableArches(templatesDir)])].sort();
      throw new Error(`unknown architecture '${arch}': known are ${known.join(', ')} (a new one needs templates/<arch>/percpu.h and ${ARCH_FILE}: see percpu-gen init)`);
    }
    return info;
  }
  const name = path.relative(display, file).split(path.sep).join('/');
  let info: ArchInfo;
  try {
    info = JSON.parse(readFileSync(file, 'utf8')) as ArchInfo;
  } catch (e) {
    throw new GenError(name, 1, `not valid JSON: ${(e as Error).message}`);
  }
  const fail = (what: string): never => {
    throw new GenError(name, 1, what);
  };
  if (typeof info !== 'object' || info === null) fail('expected an object describing the architecture');
  if (info.name !== arch) fail(`"name" must be "${arch}", the folder's name, got ${JSON.stringify(info.name)}`);
  if (typeof info.title !== 'string' || info.title === '') fail('"title" must be a non-empty string (it appears in every doc comment)');
  if (typeof info.syntax !== 'object' || info.syntax === null || typeof info.syntax.base !== 'string') fail('"syntax.base" must be the expression of this CPU\'s per-CPU base (m.gs, m.tpidr_el1, m.perCpuOffset[m.cpu])');
  for (const key of ['sfx', 'acc'] as const) {
    if (typeof info[key] !== 'object' || info[key] === null) fail(`"${key}" must map each width (1, 2, 4, 8, 16) to a string`);
  }
  if (!Array.isArray(info.primitives) || info.primitives.some((p) => !WRAPPERS.has(p))) fail(`"primitives" must list only ${[...WRAPPERS].join(', ')}`);
  if (typeof info.machine !== 'string' || !(info.machine in ARCH_INFO)) {
    fail(`"machine" must name the Machine architecture the ops run on, one of ${Object.keys(ARCH_INFO).join(', ')}, got ${JSON.stringify(info.machine)}`);
  }
  return info;
}
