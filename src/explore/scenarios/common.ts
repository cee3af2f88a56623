/**
 * Shared pieces of the shipped scenarios: a small booted machine, the sum of
 * every CPU's copy of a counter, and the invariant most of them state.
 */
import { DEFINE_PER_CPU } from '../../define.js';
import { Machine } from '../../machine.js';
import type { PerCpuPtr } from '../../percpu-ptr.js';
import { per_cpu } from '../../kernel/smp.js';

/** A booted 2-CPU x86-64 machine with one u32 per-CPU variable `counter` (initially 0). */
export function counterMachine(cpus = 2, name = 'counter'): { m: Machine; counter: PerCpuPtr<'u32'> } {
  const m = new Machine({ cpus });
  const counter = DEFINE_PER_CPU(m, 'u32', name);
  m.boot();
  return { m, counter };
}

/** Σ over possible CPUs of a u32 per-CPU variable. */
export function sumU32(m: Machine, p: PerCpuPtr<'u32'>): number {
  let s = 0;
  for (const cpu of m.possible) s += per_cpu(m, p, cpu);
  return s;
}

/** `cpu0=1 cpu1=2`: every CPU's copy, for messages. */
export function copies(m: Machine, p: PerCpuPtr<'u32'>): string {
  return [...m.possible].map((cpu) => `cpu${cpu}=${per_cpu(m, p, cpu)}`).join(' ');
}

/** The invariant of a counting scenario: the copies sum to the increments done, or a message saying what was lost. */
export function lostUpdate(m: Machine, counter: PerCpuPtr<'u32'>, done: number): string | null {
  const sum = sumU32(m, counter);
  return sum === done ? null : `lost update: the counter sums to ${sum} (${copies(m, counter)}), but ${done} increments were done`;
}
