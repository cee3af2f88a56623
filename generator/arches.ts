/**
 * What the generator needs to know of each architecture beyond its C table:
 * how the per-CPU base is addressed, mnemonic suffixes, and which runtime
 * primitives its family bodies may call.
 */
import type { ArchInfo } from './render.js';

export const ARCH_INFO: Readonly<Record<string, ArchInfo>> = {
  x86_64: {
    name: 'x86_64',
    title: 'x86-64',
    syntax: { base: 'm.gs' },
    sfx: { 1: 'b', 2: 'w', 4: 'l', 8: 'q', 16: '' },
    acc: { 1: '%al', 2: '%ax', 4: '%eax', 8: '%rax', 16: '%rdx:%rax' },
    primitives: [],
  },
};

/** Calls any generated op may make: its checks and exact integer conversions. */
export const COMMON_PRIMITIVES = [
  'Number.isInteger', 'BigInt.asUintN', 'badOperand', 'badOvalp', 'misaligned', '__this_cpu_preempt_check',
] as const;
