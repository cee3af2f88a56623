/**
 * Errors raised by the runtime and by generated ops. Generated code calls only
 * the small constructors here (never formats messages itself), so every op
 * reports a bad operand or pointer with the same wording.
 */
import { describe } from './types.js';

/** A kernel BUG: splat (DEBUG_PREEMPT, a broken invariant the kernel would BUG() on). */
export class KernelBugError extends Error {
  override name = 'KernelBugError';
}

/** Use of a per-CPU pointer after free_percpu() (detected in debug mode). */
export class UseAfterFreeError extends Error {
  override name = 'UseAfterFreeError';
}

/** A rule of the simulated machine was broken (migration with preemption off, …). */
export class MachineStateError extends Error {
  override name = 'MachineStateError';
}

/** An operand of a generated op was not an integer of the op's kind. */
export function badOperand(fn: string, param: string, value: unknown, bigint: boolean): TypeError {
  const want = bigint ? 'a bigint' : 'an integer number (finite, no fraction)';
  return new TypeError(`${fn}: operand ${param} must be ${want}, got ${describe(value)}; nothing was written`);
}

/** The pointer handed to an op is not aligned for the op's width. */
export function misaligned(fn: string, off: number, align: number): RangeError {
  const at = typeof off === 'number' && Number.isFinite(off) ? `0x${off.toString(16)}` : describe(off);
  return new RangeError(`${fn}: per-CPU pointer ${at} is not ${align}-byte aligned; nothing was written`);
}

/** The try_cmpxchg expected-value box does not hold a value of the op's kind. */
export function badOvalp(fn: string, value: unknown, bigint: boolean): TypeError {
  const want = bigint ? 'a bigint' : 'an integer number';
  // A box with the wrong content is named by its content ({ value: NaN }), anything else by itself.
  const got = value !== null && typeof value === 'object' ? `{ value: ${describe((value as { value?: unknown }).value)} }` : describe(value);
  return new TypeError(`${fn}: ovalp must be an object { value } holding ${want}, got ${got}; nothing was written`);
}
