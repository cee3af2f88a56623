/**
 * The value types the Rust per-CPU API stores: the integer types of the talk's
 * numeric "pin-hole" ops, bool, the C long types, and fixed-layout structs of
 * those. Rust's `PerCpu<T>` is generic over T; here T is the type's name (or a
 * struct layout), and `Value<T>` is the TypeScript value of one CPU's copy.
 */
import type { ScalarName, ValueOf } from '../types.js';
import type { StructLayout, StructValue, FieldTypes } from './layout.js';

/** Scalars a Rust per-CPU value can have (u128 has no per-CPU ops below cmpxchg128). */
export type RustScalar = Exclude<ScalarName, 'u128'>;

/** The ten integer types of rust/kernel/percpu/numeric.rs (usize/isize are 8 bytes on x86_64). */
export type IntegerName = 'i8' | 'i16' | 'i32' | 'i64' | 'isize' | 'u8' | 'u16' | 'u32' | 'u64' | 'usize';

/** The ten Rust integer types PerCpu numeric handles support. */
export const INTEGER_NAMES: readonly IntegerName[] = ['i8', 'i16', 'i32', 'i64', 'isize', 'u8', 'u16', 'u32', 'u64', 'usize'];

/** T of `PerCpu<T>`: a scalar name or a struct layout. */
export type PerCpuType = RustScalar | StructLayout<FieldTypes>;

/** The TypeScript value of one CPU's copy: number / bigint / boolean, or a plain object for a struct. */
export type Value<T> =
  T extends RustScalar ? ValueOf<T> :
  T extends StructLayout<infer F> ? StructValue<F> :
  never;

/** The operand type of the numeric ops: never (a compile error) unless T is one of the ten integers. */
export type NumericValue<T> = T extends IntegerName ? ValueOf<T> : never;

export function isIntegerName(t: unknown): t is IntegerName {
  return typeof t === 'string' && (INTEGER_NAMES as readonly string[]).includes(t);
}
