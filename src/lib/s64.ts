/**
 * The kernel's s64 arithmetic on bigints, and the argument checks of the
 * percpu_counter API, shared by the plain and the stepped counter so that
 * both refuse the same values with the same words. Internal: the arithmetic
 * takes bigints its callers made themselves, so it checks nothing (the
 * package does not export this file).
 */
import type { Machine } from '../machine.js';
import { describe } from '../types.js';

/** The largest s64, 2^63 - 1. */
export const S64_MAX = (1n << 63n) - 1n;
/** The smallest s64, -2^63. */
export const S64_MIN = -(1n << 63n);
/** PERCPU_COUNTER_LOCAL_BATCH (INT_MAX): percpu_counter_add_local() almost never folds. */
export const PERCPU_COUNTER_LOCAL_BATCH = 0x7fffffff;

/** An s64 result as the kernel builds it (-fno-strict-overflow: two's-complement wrap). */
export function s64(v: bigint): bigint {
  return BigInt.asIntN(64, v);
}

/** abs() of an s64 as include/linux/math.h computes it, on the s64 that `v` wraps to: -S64_MIN wraps back to S64_MIN. */
export function abs64(v: bigint): bigint {
  const w = s64(v);
  return s64(w < 0n ? -w : w);
}

/**
 * An s64 argument: a safe-integer number, or a bigint in the s64 range. A
 * bigint that fits a safe integer comes back as a number, so it takes the
 * same path a number would.
 */
export function checkS64(what: string, name: string, v: unknown): number | bigint {
  if (typeof v === 'number') {
    if (Number.isSafeInteger(v)) return v;
  } else if (typeof v === 'bigint') {
    if (v < S64_MIN || v > S64_MAX) {
      throw new RangeError(`${what}: ${name} ${v}n is outside the s64 range (-2^63 to 2^63 - 1); nothing was changed`);
    }
    return v >= -9007199254740991n && v <= 9007199254740991n ? Number(v) : v;
  }
  throw new TypeError(
    `${what}: ${name} must be a safe integer number (|v| ≤ 2^53 - 1) or a bigint (s64), got ${describe(v)}; nothing was changed`,
  );
}

/**
 * A batch: the kernel's parameter is an s32, and only a positive one means
 * anything (every caller passes percpu_counter_batch, PERCPU_COUNTER_LOCAL_BATCH
 * or a positive constant; at 0 or below every add would fold).
 */
export function checkBatch(what: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > PERCPU_COUNTER_LOCAL_BATCH) {
    throw new TypeError(`${what}: batch must be an integer from 1 to ${PERCPU_COUNTER_LOCAL_BATCH} (s32), got ${describe(v)}`);
  }
  return v;
}

/**
 * batch * num_online_cpus() as the kernel computes it (lib/percpu_counter.c,
 * __percpu_counter_compare and __percpu_counter_limited_add): an int times an
 * unsigned int is an unsigned int, so the product wraps modulo 2^32.
 */
export function errorBound(m: Machine, batch: number): bigint {
  return BigInt((batch * m.online.weight()) % 0x100000000);
}
