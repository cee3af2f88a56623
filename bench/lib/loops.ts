/**
 * The measured loops. Each is its own function literal so that V8 keeps
 * separate type feedback per loop; all have the same shape:
 *
 *   reset the variable; for (i < n) <one op>; return a value built from every iteration
 *
 * and differ only in how the op is done:
 *   gen*    the generated op (generated/x86_64/percpu.ts)
 *   raw*    the same memory effect on the machine's raw Uint32Array with the same
 *           addressing the op must do: the view, the %gs base and the offset read
 *           at every access (the view is replaced when memory grows, the CPU can
 *           change between two ops) — the JavaScript floor for the same work
 *   floor*  the raw access with the index hoisted out of the loop: the absolute
 *           floor, shown for information
 *   disp*   a per-call dispatch helper (dispatch.ts) — one function for every
 *           width and op, as reusing a generic helper would be
 * Expected results are in EXPECT, computed in closed form.
 */
import { badOperand, misaligned } from '../../src/errors.js';
import {
  this_cpu_add_1, this_cpu_add_2, this_cpu_add_4, this_cpu_add_8, this_cpu_add_return_4, this_cpu_add_return_8,
  this_cpu_cmpxchg_4, this_cpu_cmpxchg_8, this_cpu_read_4, this_cpu_read_8, this_cpu_write_4,
} from '../../generated/x86_64/percpu.js';
import type { Machine } from '../../src/machine.js';
import type { PerCpuPtr } from '../../src/percpu-ptr.js';
import { percpu_op } from './dispatch.js';

export type P4 = PerCpuPtr<'u32'>;
export type P8 = PerCpuPtr<'u64'>;
export type Loop<P> = (m: Machine, p: P, n: number) => number | bigint;

/** The value the read loops find in the variable. */
const READ_VALUE = 3;

function set4(m: Machine, p: P4, v: number): void {
  m.u32[(m.gs + p.off) >>> 2] = v;
}
function set8(m: Machine, p: P8, v: bigint): void {
  m.u64[(m.gs + p.off) >>> 3] = v;
}

// ---- width 4, generated ----------------------------------------------------
export function genAdd4(m: Machine, p: P4, n: number): number {
  set4(m, p, 0);
  for (let i = 0; i < n; i++) this_cpu_add_4(m, p, 1);
  return this_cpu_read_4(m, p);
}
export function genRead4(m: Machine, p: P4, n: number): number {
  set4(m, p, READ_VALUE);
  let s = 0;
  for (let i = 0; i < n; i++) s = (s + this_cpu_read_4(m, p)) | 0;
  return s;
}
export function genWrite4(m: Machine, p: P4, n: number): number {
  set4(m, p, 0);
  for (let i = 0; i < n; i++) this_cpu_write_4(m, p, i);
  return this_cpu_read_4(m, p);
}
export function genAddReturn4(m: Machine, p: P4, n: number): number {
  set4(m, p, 0);
  let s = 0;
  for (let i = 0; i < n; i++) s = (s + this_cpu_add_return_4(m, p, 1)) | 0;
  return s;
}
export function genCmpxchg4(m: Machine, p: P4, n: number): number {
  set4(m, p, 0);
  let c = 0;
  for (let i = 0; i < n; i++) c = (this_cpu_cmpxchg_4(m, p, c, c + 1) + 1) >>> 0;
  return c;
}

// ---- width 4, raw typed array, same addressing -------------------------------
export function rawAdd4(m: Machine, p: P4, n: number): number {
  set4(m, p, 0);
  for (let i = 0; i < n; i++) m.u32[(m.gs + p.off) >>> 2] += 1;
  return m.u32[(m.gs + p.off) >>> 2];
}
export function rawRead4(m: Machine, p: P4, n: number): number {
  set4(m, p, READ_VALUE);
  let s = 0;
  for (let i = 0; i < n; i++) s = (s + m.u32[(m.gs + p.off) >>> 2]) | 0;
  return s;
}
export function rawWrite4(m: Machine, p: P4, n: number): number {
  set4(m, p, 0);
  for (let i = 0; i < n; i++) m.u32[(m.gs + p.off) >>> 2] = i;
  return m.u32[(m.gs + p.off) >>> 2];
}
export function rawAddReturn4(m: Machine, p: P4, n: number): number {
  set4(m, p, 0);
  let s = 0;
  for (let i = 0; i < n; i++) {
    const a = (m.gs + p.off) >>> 2;
    m.u32[a] += 1;
    s = (s + m.u32[a]) | 0;
  }
  return s;
}
export function rawCmpxchg4(m: Machine, p: P4, n: number): number {
  set4(m, p, 0);
  let c = 0;
  for (let i = 0; i < n; i++) {
    const a = (m.gs + p.off) >>> 2;
    const found = m.u32[a];
    if (found === c) m.u32[a] = c + 1;
    c = (found + 1) >>> 0;
  }
  return c;
}

// ---- width 4, raw typed array, index hoisted (the absolute floor) ------------
export function floorAdd4(m: Machine, p: P4, n: number): number {
  set4(m, p, 0);
  const u = m.u32;
  const a = (m.gs + p.off) >>> 2;
  for (let i = 0; i < n; i++) u[a] += 1;
  return u[a];
}
export function floorRead4(m: Machine, p: P4, n: number): number {
  set4(m, p, READ_VALUE);
  const u = m.u32;
  const a = (m.gs + p.off) >>> 2;
  let s = 0;
  for (let i = 0; i < n; i++) s = (s + u[a]) | 0;
  return s;
}
export function floorWrite4(m: Machine, p: P4, n: number): number {
  set4(m, p, 0);
  const u = m.u32;
  const a = (m.gs + p.off) >>> 2;
  for (let i = 0; i < n; i++) u[a] = i;
  return u[a];
}
export function floorAddReturn4(m: Machine, p: P4, n: number): number {
  set4(m, p, 0);
  const u = m.u32;
  const a = (m.gs + p.off) >>> 2;
  let s = 0;
  for (let i = 0; i < n; i++) {
    u[a] += 1;
    s = (s + u[a]) | 0;
  }
  return s;
}
export function floorCmpxchg4(m: Machine, p: P4, n: number): number {
  set4(m, p, 0);
  const u = m.u32;
  const a = (m.gs + p.off) >>> 2;
  let c = 0;
  for (let i = 0; i < n; i++) {
    const found = u[a];
    if (found === c) u[a] = c + 1;
    c = (found + 1) >>> 0;
  }
  return c;
}

// ---- width 4, raw typed array with the op's own checks (the same work) ---------
// What the contract makes every op do before it touches memory: reject an
// operand that is not an integer and a pointer that is not aligned, with the
// same error constructors. Written inline, as a hand-coded op would be.
export function checkedAdd4(m: Machine, p: P4, n: number): number {
  set4(m, p, 0);
  for (let i = 0; i < n; i++) {
    const v = 1;
    if (!Number.isInteger(v)) throw badOperand('raw add', 'val', v, false);
    if ((p.off & 3) !== 0) throw misaligned('raw add', p.off, 4);
    m.u32[(m.gs + p.off) >>> 2] += v >>> 0;
  }
  return m.u32[(m.gs + p.off) >>> 2];
}
export function checkedRead4(m: Machine, p: P4, n: number): number {
  set4(m, p, READ_VALUE);
  let s = 0;
  for (let i = 0; i < n; i++) {
    if ((p.off & 3) !== 0) throw misaligned('raw read', p.off, 4);
    s = (s + m.u32[(m.gs + p.off) >>> 2]) | 0;
  }
  return s;
}
export function checkedWrite4(m: Machine, p: P4, n: number): number {
  set4(m, p, 0);
  for (let i = 0; i < n; i++) {
    if (!Number.isInteger(i)) throw badOperand('raw write', 'val', i, false);
    if ((p.off & 3) !== 0) throw misaligned('raw write', p.off, 4);
    m.u32[(m.gs + p.off) >>> 2] = i;
  }
  return m.u32[(m.gs + p.off) >>> 2];
}
export function checkedAddReturn4(m: Machine, p: P4, n: number): number {
  set4(m, p, 0);
  let s = 0;
  for (let i = 0; i < n; i++) {
    const v = 1;
    if (!Number.isInteger(v)) throw badOperand('raw add_return', 'val', v, false);
    if ((p.off & 3) !== 0) throw misaligned('raw add_return', p.off, 4);
    const a = (m.gs + p.off) >>> 2;
    m.u32[a] += v >>> 0;
    s = (s + m.u32[a]) | 0;
  }
  return s;
}
export function checkedCmpxchg4(m: Machine, p: P4, n: number): number {
  set4(m, p, 0);
  let c = 0;
  for (let i = 0; i < n; i++) {
    const nv = c + 1;
    if (!Number.isInteger(c)) throw badOperand('raw cmpxchg', 'oval', c, false);
    if (!Number.isInteger(nv)) throw badOperand('raw cmpxchg', 'nval', nv, false);
    if ((p.off & 3) !== 0) throw misaligned('raw cmpxchg', p.off, 4);
    const a = (m.gs + p.off) >>> 2;
    const found = m.u32[a];
    if (found === c >>> 0) m.u32[a] = nv;
    c = (found + 1) >>> 0;
  }
  return c;
}

// ---- mixed widths: four adds of four widths per iteration --------------------
export interface MixedPtrs {
  readonly p1: PerCpuPtr<'u8'>;
  readonly p2: PerCpuPtr<'u16'>;
  readonly p4: P4;
  readonly p8: P8;
}
/** Generated code: each call site is specialized by construction. Returns the u32 counter. */
export function genMixed(m: Machine, ps: MixedPtrs, n: number): number {
  set4(m, ps.p4, 0);
  for (let i = 0; i < n; i++) {
    this_cpu_add_1(m, ps.p1, 1);
    this_cpu_add_2(m, ps.p2, 1);
    this_cpu_add_4(m, ps.p4, 1);
    this_cpu_add_8(m, ps.p8, 1n);
  }
  return this_cpu_read_4(m, ps.p4);
}
const MIXED_WIDTHS = [1, 2, 4, 8] as const;
/** A generic helper reached with the width varying per call, as a shared helper is in a real program. */
export function dispMixed(m: Machine, ps: MixedPtrs, n: number): number {
  set4(m, ps.p4, 0);
  const ptrs = [ps.p1, ps.p2, ps.p4, ps.p8] as const;
  const ones = [1, 1, 1, 1n] as const;
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < 4; k++) percpu_op(m, MIXED_WIDTHS[k], 'add', ptrs[k], ones[k], 0);
  }
  return this_cpu_read_4(m, ps.p4);
}

// ---- width 4, per-call dispatch helper ---------------------------------------
export function dispAdd4(m: Machine, p: P4, n: number): number {
  set4(m, p, 0);
  for (let i = 0; i < n; i++) percpu_op(m, 4, 'add', p, 1, 0);
  return this_cpu_read_4(m, p);
}
export function dispRead4(m: Machine, p: P4, n: number): number {
  set4(m, p, READ_VALUE);
  let s = 0;
  for (let i = 0; i < n; i++) s = (s + (percpu_op(m, 4, 'read', p, 0, 0) as number)) | 0;
  return s;
}
export function dispWrite4(m: Machine, p: P4, n: number): number {
  set4(m, p, 0);
  for (let i = 0; i < n; i++) percpu_op(m, 4, 'write', p, i, 0);
  return this_cpu_read_4(m, p);
}
export function dispAddReturn4(m: Machine, p: P4, n: number): number {
  set4(m, p, 0);
  let s = 0;
  for (let i = 0; i < n; i++) s = (s + (percpu_op(m, 4, 'add_return', p, 1, 0) as number)) | 0;
  return s;
}
export function dispCmpxchg4(m: Machine, p: P4, n: number): number {
  set4(m, p, 0);
  let c = 0;
  for (let i = 0; i < n; i++) c = ((percpu_op(m, 4, 'cmpxchg', p, c, c + 1) as number) + 1) >>> 0;
  return c;
}

// ---- width 4 vs width 8: the same loops, results kept as the last value ------
export function w4Add(m: Machine, p: P4, n: number): number {
  set4(m, p, 0);
  for (let i = 0; i < n; i++) this_cpu_add_4(m, p, 1);
  return this_cpu_read_4(m, p);
}
export function w8Add(m: Machine, p: P8, n: number): bigint {
  set8(m, p, 0n);
  for (let i = 0; i < n; i++) this_cpu_add_8(m, p, 1n);
  return this_cpu_read_8(m, p);
}
export function w4AddReturn(m: Machine, p: P4, n: number): number {
  set4(m, p, 0);
  let last = 0;
  for (let i = 0; i < n; i++) last = this_cpu_add_return_4(m, p, 1);
  return last;
}
export function w8AddReturn(m: Machine, p: P8, n: number): bigint {
  set8(m, p, 0n);
  let last = 0n;
  for (let i = 0; i < n; i++) last = this_cpu_add_return_8(m, p, 1n);
  return last;
}
export function w4Cmpxchg(m: Machine, p: P4, n: number): number {
  set4(m, p, 0);
  let c = 0;
  for (let i = 0; i < n; i++) c = (this_cpu_cmpxchg_4(m, p, c, c + 1) + 1) >>> 0;
  return c;
}
export function w8Cmpxchg(m: Machine, p: P8, n: number): bigint {
  set8(m, p, 0n);
  let c = 0n;
  for (let i = 0; i < n; i++) c = this_cpu_cmpxchg_8(m, p, c, c + 1n) + 1n;
  return c;
}

/** Closed-form results of the loops above, by op. */
export const EXPECT = {
  add: (n: number): number => n >>> 0,
  read: (n: number): number => Math.imul(READ_VALUE, n) | 0,
  write: (n: number): number => (n - 1) >>> 0,
  add_return: (n: number): number => Number(BigInt.asIntN(32, (BigInt(n) * BigInt(n + 1)) / 2n)),
  cmpxchg: (n: number): number => n >>> 0,
  last: (n: number): number => n >>> 0,
  last8: (n: number): bigint => BigInt(n),
} as const;
