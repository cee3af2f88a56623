/**
 * The C type model: integers under every C and kernel name, bool, enums,
 * pointers (with the `__percpu` address space), arrays, functions, and the
 * struct/union shape that c/layout.ts lays out. Pure TypeScript with no
 * imports, so the runtime (src/), the generator and the translator (cc/) share
 * one model.
 *
 * The ABI is LP64 as gcc uses it on x86-64 (SysV psABI) and arm64 (AAPCS64):
 * char 1, short 2, int 4, long 8, long long 8, pointers 8, every scalar
 * aligned to its size, __int128 to 16. Both ABIs agree on every type modelled
 * here, and the project's asm-generic machine is the same 64-bit machine.
 * `char` is unsigned: the kernel builds with -funsigned-char on every
 * architecture since v6.2 (top-level Makefile, "kbuild: treat char as always
 * unsigned").
 */

/** The runtime's scalar names (src/types.ts): how a value of the type is read and written. */
export type ScalarName =
  | 'u8' | 'i8' | 'u16' | 'i16' | 'u32' | 'i32' | 'u64' | 'i64'
  | 'bool' | 'ulong' | 'long' | 'usize' | 'isize' | 'u128';

interface Sized {
  /** How the type prints in C: `s8`, `unsigned long`, `struct list_head`, `int __percpu *`. */
  readonly name: string;
  readonly size: number;
  readonly align: number;
}

/** An integer type under one of its names; `scalar` says how its bits read back. */
export interface IntType extends Sized {
  readonly kind: 'int';
  readonly signed: boolean;
  readonly scalar: ScalarName;
}

/** C `_Bool`. */
export interface BoolType extends Sized {
  readonly kind: 'bool';
  readonly signed: false;
  readonly scalar: 'bool';
}

/** An enum: int-sized (gcc picks unsigned int when no enumerator is negative). */
export interface EnumType extends Sized {
  readonly kind: 'enum';
  readonly tag: string | null;
  readonly signed: boolean;
  readonly scalar: 'u32' | 'i32';
  readonly enumerators: ReadonlyMap<string, bigint>;
}

/** A C pointer type; `percpu` marks a `__percpu` pointer. */
export interface PointerType extends Sized {
  readonly kind: 'pointer';
  readonly to: CType;
  /** `T __percpu *`: an offset into the per-CPU areas, not an address (sparse's address space 3). */
  readonly percpu: boolean;
  /** A pointer's bits read back as an unsigned long. */
  readonly scalar: 'ulong';
  readonly signed: false;
}

/** A C array type: element type and length. */
export interface ArrayType extends Sized {
  readonly kind: 'array';
  readonly of: CType;
  /** null for a flexible array member (`u8 data[];`), which has size 0. */
  readonly length: number | null;
}

export interface VoidType extends Sized {
  readonly kind: 'void';
}

export interface FunctionType extends Sized {
  readonly kind: 'function';
  readonly returns: CType;
  readonly params: readonly CType[];
}

/** One member of a struct or union; `name` is null for an anonymous struct/union member. */
export interface Member {
  readonly name: string | null;
  readonly type: CType;
  readonly offset: number;
  /** `__aligned(n)` on the member, when given. */
  readonly aligned?: number;
}

/**
 * A struct or union. `members` is null while the type is incomplete (declared
 * by `struct foo *` before its definition); c/layout.ts completes it in place,
 * so every pointer made earlier sees the definition, as in C.
 */
export interface RecordType extends Sized {
  readonly kind: 'struct' | 'union';
  readonly tag: string | null;
  readonly members: readonly Member[] | null;
  /** `__packed` on the record. */
  readonly packed?: boolean;
  /** `__aligned(n)` on the record, when given. */
  readonly aligned?: number;
}

/** The C scalar types: integers, _Bool, enums and pointers. */
export type ScalarType = IntType | BoolType | EnumType | PointerType;
/** Every C type of the model. */
export type CType = IntType | BoolType | EnumType | PointerType | ArrayType | VoidType | FunctionType | RecordType;

function int(name: string, size: number, signed: boolean, scalar: ScalarName): IntType {
  return Object.freeze({ kind: 'int' as const, name, size, align: size, signed, scalar });
}

const BOOL: BoolType = Object.freeze({ kind: 'bool' as const, name: '_Bool', size: 1, align: 1, signed: false as const, scalar: 'bool' as const });

/**
 * Every integer name the kernel and C use, with its LP64 size. Kernel typedefs
 * follow include/uapi/asm-generic/int-ll64.h (`__u64` is unsigned long long on
 * every architecture) and include/linux/types.h (`size_t` is unsigned long,
 * `bool` is _Bool).
 */
const INTS: ReadonlyMap<string, IntType | BoolType> = new Map<string, IntType | BoolType>([
  ...(['u8', '__u8', 'uint8_t', 'unsigned char', 'char'] as const).map((n) => [n, int(n, 1, false, 'u8')] as const),
  ...(['s8', '__s8', 'int8_t', 'signed char'] as const).map((n) => [n, int(n, 1, true, 'i8')] as const),
  ...(['u16', '__u16', 'uint16_t', 'unsigned short'] as const).map((n) => [n, int(n, 2, false, 'u16')] as const),
  ...(['s16', '__s16', 'int16_t', 'short'] as const).map((n) => [n, int(n, 2, true, 'i16')] as const),
  ...(['u32', '__u32', 'uint32_t', 'unsigned int'] as const).map((n) => [n, int(n, 4, false, 'u32')] as const),
  ...(['s32', '__s32', 'int32_t', 'int'] as const).map((n) => [n, int(n, 4, true, 'i32')] as const),
  ...(['u64', '__u64', 'uint64_t', 'unsigned long long'] as const).map((n) => [n, int(n, 8, false, 'u64')] as const),
  ...(['s64', '__s64', 'int64_t', 'long long'] as const).map((n) => [n, int(n, 8, true, 'i64')] as const),
  ...(['unsigned long', 'size_t', 'uintptr_t'] as const).map((n) => [n, int(n, 8, false, 'ulong')] as const),
  ...(['long', 'ssize_t', 'intptr_t', 'ptrdiff_t', 'loff_t'] as const).map((n) => [n, int(n, 8, true, 'long')] as const),
  ...(['u128', '__u128', 'unsigned __int128'] as const).map((n) => [n, int(n, 16, false, 'u128')] as const),
  ['bool', Object.freeze({ ...BOOL, name: 'bool' })],
  ['_Bool', BOOL],
]);

export const VOID: VoidType = Object.freeze({ kind: 'void' as const, name: 'void', size: 1, align: 1 });

/**
 * Canonical spelling of a multi-word integer specifier list: C lets the words
 * come in any order and `int` be left out (`long unsigned int` is
 * `unsigned long`). Returns null when the words are not an integer type.
 */
function canonicalInt(words: readonly string[]): string | null {
  let signed = 0, unsigned = 0, short = 0, long = 0, int_ = 0, char = 0, int128 = 0;
  for (const w of words) {
    if (w === 'signed' || w === '__signed__') signed++;
    else if (w === 'unsigned') unsigned++;
    else if (w === 'short') short++;
    else if (w === 'long') long++;
    else if (w === 'int') int_++;
    else if (w === 'char') char++;
    else if (w === '__int128') int128++;
    else return null;
  }
  if (signed + unsigned > 1 || int_ > 1 || short > 1 || long > 2 || char > 1 || int128 > 1) return null;
  if (char + short + (long > 0 ? 1 : 0) + int128 > 1) return null;
  if (char && int_) return null;
  const u = unsigned ? 'unsigned ' : '';
  if (char) return signed ? 'signed char' : unsigned ? 'unsigned char' : 'char';
  if (int128) return unsigned ? 'unsigned __int128' : null;
  if (short) return `${u}short`;
  if (long === 2) return `${u}long long`;
  if (long === 1) return `${u}long`;
  return unsigned ? 'unsigned int' : 'int';
}

/** The integer (or bool) type of a name: `u8`, `unsigned long`, `long unsigned int`, `size_t`, `bool`. */
export function intType(name: string): IntType | BoolType | null {
  const direct = INTS.get(name);
  if (direct !== undefined) return direct;
  const canon = canonicalInt(name.trim().split(/\s+/));
  return canon === null ? null : INTS.get(canon) ?? null;
}

/** All integer names the model knows, for error messages. */
export function intNames(): string[] {
  return [...INTS.keys()];
}

/** A pointer to `to` (a `__percpu` one with `{ percpu: true }`). */
export function pointer(to: CType, opts: { percpu?: boolean } = {}): PointerType {
  const percpu = opts.percpu === true;
  return Object.freeze({
    kind: 'pointer' as const,
    name: pointerName(to, percpu),
    to,
    percpu,
    size: 8,
    align: 8,
    scalar: 'ulong' as const,
    signed: false as const,
  });
}

function pointerName(to: CType, percpu: boolean): string {
  const as = percpu ? ' __percpu' : '';
  if (to.kind === 'array') return `${elementBase(to)}${as} (*)${dims(to)}`;
  if (to.kind === 'function') return `${to.returns.name} (*)(${to.params.map((p) => p.name).join(', ') || 'void'})`;
  return to.kind === 'pointer' ? `${to.name}${as}*` : `${to.name}${as} *`;
}

function elementBase(t: CType): string {
  return t.kind === 'array' ? elementBase(t.of) : t.name;
}

function dims(t: CType): string {
  return t.kind === 'array' ? `[${t.length ?? ''}]${dims(t.of)}` : '';
}

/** `T[length]`; `length` null makes a flexible array member (`T[]`, size 0). */
export function array(of: CType, length: number | null): ArrayType {
  if (length !== null && (!Number.isSafeInteger(length) || length < 0)) {
    throw new RangeError(`array of ${of.name}: the length must be a non-negative integer, got ${String(length)}`);
  }
  if (of.kind === 'void' || of.kind === 'function') throw new TypeError(`array of ${of.name}: C has no arrays of ${of.kind === 'void' ? 'void' : 'functions'}`);
  if (of.kind === 'array' && of.length === null) throw new TypeError(`array of ${of.name}: the element type has unknown size`);
  if ((of.kind === 'struct' || of.kind === 'union') && of.members === null) {
    throw new TypeError(`array of ${of.name}: ${of.name} is incomplete (declared, never defined)`);
  }
  return Object.freeze({
    kind: 'array' as const,
    name: `${elementBase(of)}${dims({ kind: 'array', of, length } as ArrayType)}`,
    of,
    length,
    size: of.size * (length ?? 0),
    align: of.align,
  });
}

/** A C function type. */
export function functionType(returns: CType, params: readonly CType[]): FunctionType {
  return Object.freeze({
    kind: 'function' as const,
    name: `${returns.name} (${params.map((p) => p.name).join(', ') || 'void'})`,
    returns,
    params: Object.freeze([...params]),
    size: 1,
    align: 1,
  });
}

/**
 * `enum tag { A, B = 5, … }`: values count up from the previous one, as in C.
 * The type is int-sized; it is signed only when some enumerator is negative
 * (gcc's choice of compatible type, unsigned int otherwise).
 */
export function enumType(tag: string | null, enumerators: readonly (string | readonly [string, number | bigint])[]): EnumType {
  const values = new Map<string, bigint>();
  let next = 0n;
  for (const e of enumerators) {
    const [n, v] = typeof e === 'string' ? [e, next] : [e[0], BigInt(e[1])];
    if (!IDENT.test(n)) throw new TypeError(`enum ${tag ?? '(anonymous)'}: enumerator ${JSON.stringify(n)} is not a C identifier`);
    if (values.has(n)) throw new TypeError(`enum ${tag ?? '(anonymous)'}: redeclaration of enumerator ${n}`);
    if (v < -(1n << 31n) || v > (1n << 32n) - 1n) throw new RangeError(`enum ${tag ?? '(anonymous)'}: ${n} = ${v} does not fit in an int-sized enum`);
    values.set(n, v);
    next = v + 1n;
  }
  const signed = [...values.values()].some((v) => v < 0n);
  if (signed && [...values.values()].some((v) => v > (1n << 31n) - 1n)) {
    throw new RangeError(`enum ${tag ?? '(anonymous)'}: values need both a sign and 32 bits; only int-sized enums are modelled`);
  }
  return Object.freeze({
    kind: 'enum' as const,
    name: tag === null ? 'enum (anonymous)' : `enum ${tag}`,
    tag,
    size: 4,
    align: 4,
    signed,
    scalar: signed ? 'i32' as const : 'u32' as const,
    enumerators: values,
  });
}

export const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Scalars are what one load or store moves: integers, bool, enums, pointers. */
export function isScalar(t: CType): t is ScalarType {
  return t.kind === 'int' || t.kind === 'bool' || t.kind === 'enum' || t.kind === 'pointer';
}

/** True for a struct or union type. */
export function isRecord(t: CType): t is RecordType {
  return t.kind === 'struct' || t.kind === 'union';
}

/** True when the type has a known size (sizeof may be applied). */
export function isComplete(t: CType): boolean {
  if (t.kind === 'struct' || t.kind === 'union') return t.members !== null;
  if (t.kind === 'array') return t.length !== null;
  return t.kind !== 'void' && t.kind !== 'function';
}
