/**
 * The C scalar types a per-CPU variable can have, as the x86-64 kernel sizes
 * them (LP64: long is 8 bytes). Each type knows its width, its range and how a
 * raw little-endian value read from memory becomes the TypeScript value.
 */

import type { ScalarName } from '../c/types.js';

/** Names accepted by DEFINE_PER_CPU and alloc_percpu (the C type model's scalar names). */
export type { ScalarName };

/** Types stored in one byte, two bytes, four bytes and eight bytes. */
export type Width1Type = 'u8' | 'i8' | 'bool';
export type Width2Type = 'u16' | 'i16';
export type Width4Type = 'u32' | 'i32';
export type Width8Type = 'u64' | 'i64' | 'ulong' | 'long' | 'usize' | 'isize';
/** The 16-byte type of cmpxchg128 (16-byte aligned, as cmpxchg16b requires). */
export type Width16Type = 'u128';

/** The TypeScript value of a C scalar: bigint for 8-byte types, boolean for bool. */
export type ValueOf<T> =
  T extends Width8Type | Width16Type ? bigint :
  T extends 'bool' ? boolean :
  T extends Width1Type | Width2Type | Width4Type ? number :
  never;

export interface ScalarInfo {
  readonly name: ScalarName;
  readonly size: 1 | 2 | 4 | 8 | 16;
  readonly align: 1 | 2 | 4 | 8 | 16;
  readonly signed: boolean;
  readonly min: bigint;
  readonly max: bigint;
}

function info(name: ScalarName, size: 1 | 2 | 4 | 8 | 16, signed: boolean): ScalarInfo {
  const bits = BigInt(size * 8);
  const min = signed ? -(1n << (bits - 1n)) : 0n;
  const max = signed ? (1n << (bits - 1n)) - 1n : (1n << bits) - 1n;
  return Object.freeze({ name, size, align: size, signed, min, max });
}

export const SCALARS: Readonly<Record<ScalarName, ScalarInfo>> = Object.freeze({
  u8: info('u8', 1, false),
  i8: info('i8', 1, true),
  bool: Object.freeze({ ...info('u8', 1, false), name: 'bool' as const, max: 1n }),
  u16: info('u16', 2, false),
  i16: info('i16', 2, true),
  u32: info('u32', 4, false),
  i32: info('i32', 4, true),
  u64: info('u64', 8, false),
  i64: info('i64', 8, true),
  ulong: info('ulong', 8, false),
  long: info('long', 8, true),
  usize: info('usize', 8, false),
  isize: info('isize', 8, true),
  u128: info('u128', 16, false),
});

export function isScalarName(name: unknown): name is ScalarName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(SCALARS, name);
}

/** Looks a type name up, with the list of valid names in the error; `what` names the call that was given it. */
export function scalarInfo(name: unknown, what: string = 'scalarInfo'): ScalarInfo {
  if (!isScalarName(name)) {
    throw new TypeError(
      `${typeof what === 'string' ? what : 'scalarInfo'}: unknown per-CPU type ${describe(name)}: expected one of ${Object.keys(SCALARS).join(', ')}`,
    );
  }
  return SCALARS[name];
}

/** Checks that `t` is one of the SCALARS descriptors (what the helpers below take), naming the call. */
function scalarArg(t: unknown, what: string): ScalarInfo {
  const name = (t as Partial<ScalarInfo> | null | undefined)?.name;
  if (!isScalarName(name) || SCALARS[name] !== t) {
    throw new TypeError(`${what}: expected a scalar type descriptor (SCALARS.u32, scalarInfo('u32'), …), got ${describe(t)}`);
  }
  return t as ScalarInfo;
}

/**
 * Checks that `value` is a value of type `t` (exactly in range, no wrapping):
 * used for initialisers, where C would warn about an out-of-range constant.
 * Returns the value as a bigint.
 */
export function checkInRange(t: ScalarInfo, value: unknown, what: string): bigint {
  scalarArg(t, `checkInRange(${typeof what === 'string' ? what : describe(what)})`);
  let v: bigint;
  if (t.name === 'bool') {
    if (typeof value !== 'boolean') throw new TypeError(`${what}: bool takes true or false, got ${describe(value)}`);
    return value ? 1n : 0n;
  }
  if (t.size >= 8) {
    if (typeof value !== 'bigint') throw new TypeError(`${what}: ${t.name} takes a bigint, got ${describe(value)}`);
    v = value;
  } else {
    if (typeof value !== 'number' || !Number.isInteger(value)) {
      throw new TypeError(`${what}: ${t.name} takes an integer number, got ${describe(value)}`);
    }
    v = BigInt(value);
  }
  if (v < t.min || v > t.max) {
    throw new RangeError(`${what}: ${v} is out of range for ${t.name} [${t.min}, ${t.max}]`);
  }
  return v;
}

/** Converts raw unsigned bits of the type's width to the type's TS value. */
export function fromBits(t: ScalarInfo, bits: bigint): number | bigint | boolean {
  scalarArg(t, 'fromBits');
  if (typeof bits !== 'bigint') throw new TypeError(`fromBits: bits must be a bigint, got ${describe(bits)}`);
  if (t.name === 'bool') return bits !== 0n;
  const v = t.signed ? BigInt.asIntN(t.size * 8, bits) : BigInt.asUintN(t.size * 8, bits);
  return t.size >= 8 ? v : Number(v);
}

/** Converts a TS value (already validated) to unsigned bits of the type's width. */
export function toBits(t: ScalarInfo, value: number | bigint | boolean): bigint {
  scalarArg(t, 'toBits');
  if (typeof value === 'boolean') return value ? 1n : 0n;
  if (typeof value !== 'bigint' && !Number.isInteger(value)) throw new TypeError(`toBits: value must be an integer, a bigint or a boolean, got ${describe(value)}`);
  return BigInt.asUintN(t.size * 8, BigInt(value));
}

/** A short description of a bad value for error messages. */
export function describe(value: unknown): string {
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : String(value);
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'object') return `an object (${Object.prototype.toString.call(value)})`;
  return `${typeof value} ${String(value)}`;
}
