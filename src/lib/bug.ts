/**
 * BUG() and WARN() for translated C (include/asm-generic/bug.h, lib/bug.c
 * report_bug()): BUG stops the running context with the kernel's
 * "kernel BUG at file:line!"; WARN records "WARNING: CPU: c PID: p at
 * file:line func" and returns, as the kernel carries on after a warning. The
 * explorer reports the first recorded warning as a violation.
 */
import { KernelBugError } from '../errors.js';
import type { Machine } from '../machine.js';

export function BUG(m: Machine, file: string, line: number): never {
  throw new KernelBugError(`kernel BUG at ${file}:${line}! (${m.ctx.comm}/${m.ctx.pid} on cpu${m.cpu})`);
}

export function WARN(m: Machine, sink: string[], file: string, line: number, func: string): void {
  sink.push(`WARNING: CPU: ${m.cpu} PID: ${m.ctx.pid} at ${file}:${line} ${func} (${m.ctx.comm})`);
}

/**
 * A divisor about to be used: zero is the CPU's divide error (#DE), which the
 * kernel reports as an oops; the translated division reports the C line.
 */
export function divide_error<T extends number | bigint>(divisor: T, at: string): T {
  if (divisor === 0 || divisor === 0n) throw new KernelBugError(`divide error: 0000 [#1] at ${at} (division by zero)`);
  return divisor;
}

/**
 * An array index about to be used on a per-CPU member (`this_cpu_inc(s->counts[i])`):
 * outside the array it is what CONFIG_UBSAN_BOUNDS reports
 * (lib/ubsan.c __ubsan_handle_out_of_bounds), an oops here with the C line,
 * raised before the access, so nothing is read or written.
 */
export function array_index(i: number, len: number, at: string, type: string): number {
  if (i >= 0 && i < len) return i;
  throw new KernelBugError(`UBSAN: array-index-out-of-bounds in ${at}: index ${i} is out of range for type '${type}'`);
}

/**
 * __cant_sleep() (kernel/sched/core.c, CONFIG_DEBUG_ATOMIC_SLEEP): the caller
 * claims atomic context; when the context is in fact preemptible the kernel
 * prints "BUG: assuming atomic context at file:line" and carries on, so this
 * records the report like a WARN.
 */
export function __cant_sleep(m: Machine, sink: string[], file: string, line: number, preemptOffset: number): void {
  const c = m.ctx;
  if (c.irqsDisabled || c.kind === 'irq' || c.preemptCount > preemptOffset) return;
  sink.push(`BUG: assuming atomic context at ${file}:${line} (in_atomic(): 0, irqs_disabled(): 0, pid: ${c.pid}, name: ${c.comm})`);
}
