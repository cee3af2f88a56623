/**
 * The kernel's s64 arithmetic on bigints, shared by the plain and the stepped
 * percpu_counter. Internal: callers pass bigints they made themselves, so
 * nothing here checks its argument (the package does not export this file).
 */

/** An s64 result as the kernel builds it (-fno-strict-overflow: two's-complement wrap). */
export function s64(v: bigint): bigint {
  return BigInt.asIntN(64, v);
}

/** abs() of an s64 as include/linux/math.h computes it, on the s64 that `v` wraps to: -S64_MIN wraps back to S64_MIN. */
export function abs64(v: bigint): bigint {
  const w = s64(v);
  return s64(w < 0n ? -w : w);
}
