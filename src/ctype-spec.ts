/**
 * How the runtime's APIs take a C type: a runtime scalar name (`'u32'`,
 * `'i8'`, `'ulong'`, as before), a C spelling looked up in the machine's type
 * scope (`'int'`, `'s8'`, `'struct per_cpu_pages'`, `'local_lock_t'`), or a
 * CType object (`m.ctypes.struct(…)`). The result is the C type plus, for a
 * scalar, the runtime scalar its values read and write as.
 *
 * At the type level, `ScalarOf<S>` maps a C integer spelling to the runtime
 * scalar name, so `DEFINE_PER_CPU(m, 's8', 'x')` is a `PerCpuPtr<'i8'>` and
 * reads back signed numbers.
 */
import type { TypeScope } from '../c/scope.js';
import { intType, isComplete, isScalar, type ArrayType, type CType, type RecordType } from '../c/types.js';
import { SCALARS, describe, isScalarName, type ScalarInfo, type ScalarName } from './types.js';

/** The C type of each runtime scalar name (i8 is s8, usize is size_t …). */
export const C_OF_SCALAR: Readonly<Record<ScalarName, string>> = {
  u8: 'u8', i8: 's8', bool: 'bool', u16: 'u16', i16: 's16', u32: 'u32', i32: 's32', u64: 'u64', i64: 's64',
  ulong: 'unsigned long', long: 'long', usize: 'size_t', isize: 'ssize_t', u128: 'u128',
};

/** Runtime scalar of each C integer spelling the type level knows. */
interface CIntScalars {
  u8: 'u8'; __u8: 'u8'; uint8_t: 'u8'; 'unsigned char': 'u8'; char: 'u8';
  s8: 'i8'; __s8: 'i8'; int8_t: 'i8'; 'signed char': 'i8';
  u16: 'u16'; __u16: 'u16'; uint16_t: 'u16'; 'unsigned short': 'u16';
  s16: 'i16'; __s16: 'i16'; int16_t: 'i16'; short: 'i16';
  u32: 'u32'; __u32: 'u32'; uint32_t: 'u32'; 'unsigned int': 'u32'; unsigned: 'u32';
  s32: 'i32'; __s32: 'i32'; int32_t: 'i32'; int: 'i32';
  u64: 'u64'; __u64: 'u64'; uint64_t: 'u64'; 'unsigned long long': 'u64';
  s64: 'i64'; __s64: 'i64'; int64_t: 'i64'; 'long long': 'i64';
  'unsigned long': 'ulong'; size_t: 'ulong'; uintptr_t: 'ulong';
  ssize_t: 'long'; intptr_t: 'long'; ptrdiff_t: 'long'; loff_t: 'long';
  _Bool: 'bool';
}

/**
 * The runtime scalar name a type spelling stands for: itself for a runtime
 * name, the mapped name for a C integer spelling, `ulong` for a pointer;
 * anything else (a struct, an array, a typedef) is `any`, checked at run time.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ScalarOf<S> = S extends ScalarName ? S : S extends keyof CIntScalars ? CIntScalars[S] : S extends `${string}*` ? 'ulong' : any;

/** A C type given to an API: runtime scalar name, C spelling, or CType. */
export type TypeArg = ScalarName | string | CType;

/** A resolved type argument: its C type, its runtime scalar, and the spelling the caller gave. */
export interface Resolved {
  readonly ctype: CType;
  /** The runtime scalar for a scalar type (int, enum, pointer, bool); null for a struct, union or array. */
  readonly scalar: ScalarInfo | null;
  /** How the caller spelled the type (`'i8'`, `'s8'`), for messages; the C name when given a CType. */
  readonly label: string;
}

/**
 * Resolves a type argument in `scope`. Incomplete types, void and functions
 * are refused: memory of that type cannot be laid out.
 */
export function resolveType(scope: TypeScope, spec: unknown, what: string, noun = 'per-CPU'): Resolved {
  let ctype: CType;
  if (isScalarName(spec)) {
    ctype = intType(C_OF_SCALAR[spec])!;
    return { ctype, scalar: SCALARS[spec], label: spec };
  }
  if (typeof spec === 'string') {
    try {
      ctype = scope.parse(spec);
    } catch (e) {
      throw new TypeError(
        `${what}: unknown ${noun} type ${JSON.stringify(spec)}: expected one of ${Object.keys(SCALARS).join(', ')}, or a C type of the machine's scope (${(e as Error).message})`,
      );
    }
  } else if (spec !== null && typeof spec === 'object' && typeof (spec as { kind?: unknown }).kind === 'string' && typeof (spec as { size?: unknown }).size === 'number') {
    ctype = spec as CType;
  } else {
    throw new TypeError(`${what}: expected a type (a scalar name such as 'u32', a C type such as 's8' or 'struct pcp', or a type from m.ctypes), got ${describe(spec)}`);
  }
  if (!isComplete(ctype)) throw new TypeError(`${what}: ${ctype.name} is an incomplete type (it has no size)`);
  return { ctype, scalar: isScalar(ctype) ? SCALARS[ctype.scalar] : null, label: typeof spec === 'string' ? spec.trim() : ctype.name };
}

/** An aggregate's pointee type (for the phantom of aggregate pointers). */
export type Aggregate = RecordType | ArrayType;
