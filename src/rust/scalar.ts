/**
 * Fast per-type memory access and range checks for the Rust values: one small
 * function per scalar type (DataView little-endian getters and setters, which
 * wrap as a C store does), picked once per type, so reading or writing a
 * per-CPU value never converts through BigInt.
 */
import { checkInRange, type ScalarInfo } from '../types.js';
import type { RustScalar } from './types.js';

export type Load = (view: DataView, addr: number) => number | bigint | boolean;
export type Store = (view: DataView, addr: number, v: number | bigint | boolean) => void;

export const LOAD: Readonly<Record<RustScalar, Load>> = {
  u8: (v, a) => v.getUint8(a),
  i8: (v, a) => v.getInt8(a),
  bool: (v, a) => v.getUint8(a) !== 0,
  u16: (v, a) => v.getUint16(a, true),
  i16: (v, a) => v.getInt16(a, true),
  u32: (v, a) => v.getUint32(a, true),
  i32: (v, a) => v.getInt32(a, true),
  u64: (v, a) => v.getBigUint64(a, true),
  ulong: (v, a) => v.getBigUint64(a, true),
  usize: (v, a) => v.getBigUint64(a, true),
  i64: (v, a) => v.getBigInt64(a, true),
  long: (v, a) => v.getBigInt64(a, true),
  isize: (v, a) => v.getBigInt64(a, true),
};

const st8: Store = (v, a, x) => v.setUint8(a, x as number);
const st16: Store = (v, a, x) => v.setUint16(a, x as number, true);
const st32: Store = (v, a, x) => v.setUint32(a, x as number, true);
const st64: Store = (v, a, x) => v.setBigUint64(a, x as bigint, true);

export const STORE: Readonly<Record<RustScalar, Store>> = {
  u8: st8, i8: st8, bool: (v, a, x) => v.setUint8(a, x ? 1 : 0),
  u16: st16, i16: st16, u32: st32, i32: st32,
  u64: st64, ulong: st64, usize: st64, i64: st64, long: st64, isize: st64,
};

const u64 = (v: unknown): boolean => typeof v === 'bigint' && BigInt.asUintN(64, v) === v;
const i64 = (v: unknown): boolean => typeof v === 'bigint' && BigInt.asIntN(64, v) === v;

/** True when `v` is a value of the type: the right kind and in range (no wrapping). */
export const FITS: Readonly<Record<RustScalar, (v: unknown) => boolean>> = {
  u8: (v) => typeof v === 'number' && (v & 0xff) === v,
  i8: (v) => typeof v === 'number' && (v << 24) >> 24 === v,
  bool: (v) => typeof v === 'boolean',
  u16: (v) => typeof v === 'number' && (v & 0xffff) === v,
  i16: (v) => typeof v === 'number' && (v << 16) >> 16 === v,
  u32: (v) => typeof v === 'number' && v >>> 0 === v,
  i32: (v) => typeof v === 'number' && (v | 0) === v,
  u64, ulong: u64, usize: u64, i64, long: i64, isize: i64,
};

/** Throws the descriptive error for a value FITS rejected (or returns if it is fine after all). */
export function checkScalar(t: ScalarInfo, v: unknown, what: string): void {
  if (FITS[t.name as RustScalar](v)) return;
  checkInRange(t, v, what);
}
