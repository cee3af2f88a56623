/**
 * Sized loads and stores of ordinary memory, for translated C. The C type of
 * an access is known when the C is translated, so the access is chosen then,
 * as `__pcpu_size_call` chooses a per-CPU op: `load_i32(m, addr)` rather than
 * `m.load(addr, 'i32')`, which looks the type up by name, reads through a
 * bigint and converts back on every access (most of a translated
 * percpu_counter_add_batch()'s time went there).
 *
 * Each does what m.load() or m.store() does with that type, and for anything
 * but an aligned address inside mapped memory and a value of the right kind it
 * calls them, so a bad access is refused with their messages and changes
 * nothing. Before boot and after retire() nothing is mapped, so every access
 * goes that way; so does one at or past a freed kmalloc() object while KASAN
 * keeps it in quarantine (src/mm/memory.ts), which m.load()/m.store() refuse.
 */
import { PCPU_BASE, machineArg, type Machine } from '../machine.js';
import type { ScalarName } from '../types.js';

/**
 * True when `addr` is an aligned address for `size` bytes below the machine's
 * accessEnd: mapped, and short of any freed kmalloc() object KASAN watches (a
 * non-integer is never aligned; no machine reaches nothing).
 */
function fits(m: Machine, addr: number, size: number): boolean {
  return typeof addr === 'number' && addr % size === 0 && addr >= PCPU_BASE && addr + size <= (m as Machine | null | undefined)?.accessEnd!;
}

/** The slow path: m.load()/m.store() of a checked machine, which refuse a bad access with their messages. */
const slow = (m: Machine, what: string): Machine => machineArg(m, what);

// One reader and one writer per width; the exported functions name the C type,
// which the fallback passes on so that a refusal names it too.
const ld8 = (m: Machine, a: number, t: ScalarName): number => (fits(m, a, 1) ? m.u8[a] : (slow(m, `load_${t}`).load(a, t) as number));
const ld16 = (m: Machine, a: number, t: ScalarName): number => (fits(m, a, 2) ? m.u16[a / 2] : (slow(m, `load_${t}`).load(a, t) as number));
const ld32 = (m: Machine, a: number, t: ScalarName): number => (fits(m, a, 4) ? m.u32[a / 4] : (slow(m, `load_${t}`).load(a, t) as number));
const ld64 = (m: Machine, a: number, t: ScalarName): bigint => (fits(m, a, 8) ? m.u64[a / 8] : (slow(m, `load_${t}`).load(a, t) as bigint));

/** An integer number: what a store of a number-typed scalar takes (m.store refuses anything else). */
const int = (v: unknown): boolean => typeof v === 'number' && Number.isInteger(v);

function st8(m: Machine, a: number, v: number, t: ScalarName): void {
  if (fits(m, a, 1) && int(v)) m.u8[a] = v;
  else slow(m, `store_${t}`).store(a, t, v);
}
function st16(m: Machine, a: number, v: number, t: ScalarName): void {
  if (fits(m, a, 2) && int(v)) m.u16[a / 2] = v;
  else slow(m, `store_${t}`).store(a, t, v);
}
function st32(m: Machine, a: number, v: number, t: ScalarName): void {
  if (fits(m, a, 4) && int(v)) m.u32[a / 4] = v;
  else slow(m, `store_${t}`).store(a, t, v);
}
function st64(m: Machine, a: number, v: bigint, t: ScalarName): void {
  if (fits(m, a, 8) && typeof v === 'bigint') m.u64[a / 8] = v;
  else slow(m, `store_${t}`).store(a, t, v);
}

export const load_u8 = (m: Machine, a: number): number => ld8(m, a, 'u8');
export const load_i8 = (m: Machine, a: number): number => (ld8(m, a, 'i8') << 24) >> 24;
export const load_u16 = (m: Machine, a: number): number => ld16(m, a, 'u16');
export const load_i16 = (m: Machine, a: number): number => (ld16(m, a, 'i16') << 16) >> 16;
export const load_u32 = (m: Machine, a: number): number => ld32(m, a, 'u32');
export const load_i32 = (m: Machine, a: number): number => ld32(m, a, 'i32') | 0;
export const load_u64 = (m: Machine, a: number): bigint => ld64(m, a, 'u64');
export const load_ulong = (m: Machine, a: number): bigint => ld64(m, a, 'ulong');
export const load_i64 = (m: Machine, a: number): bigint => BigInt.asIntN(64, ld64(m, a, 'i64'));
export const load_long = (m: Machine, a: number): bigint => BigInt.asIntN(64, ld64(m, a, 'long'));
/**
 * A pointer held in memory (8 bytes) as the number translated C keeps
 * addresses in: read as two halves, so no bigint is made. It is
 * Number(load_ulong(m, a)), rounding included, for any value.
 */
export function load_ptr(m: Machine, a: number): number {
  return fits(m, a, 8) ? m.u32[a / 4 + 1] * 2 ** 32 + m.u32[a / 4] : slowPtr(m, a);
}
// Apart, so that load_ptr() is small: V8 inlines a function into its callers up to a total size,
// and a translated function that loads a pointer inlines this one.
const slowPtr = (m: Machine, a: number): number => Number(slow(m, 'load_ptr').load(a, 'ulong'));

export function load_bool(m: Machine, a: number): boolean {
  return fits(m, a, 1) ? m.u8[a] !== 0 : (slow(m, 'load_bool').load(a, 'bool') as boolean);
}

export const store_u8 = (m: Machine, a: number, v: number): void => st8(m, a, v, 'u8');
export const store_i8 = (m: Machine, a: number, v: number): void => st8(m, a, v, 'i8');
export const store_u16 = (m: Machine, a: number, v: number): void => st16(m, a, v, 'u16');
export const store_i16 = (m: Machine, a: number, v: number): void => st16(m, a, v, 'i16');
export const store_u32 = (m: Machine, a: number, v: number): void => st32(m, a, v, 'u32');
export const store_i32 = (m: Machine, a: number, v: number): void => st32(m, a, v, 'i32');
export const store_u64 = (m: Machine, a: number, v: bigint): void => st64(m, a, v, 'u64');
export const store_ulong = (m: Machine, a: number, v: bigint): void => st64(m, a, v, 'ulong');
export const store_i64 = (m: Machine, a: number, v: bigint): void => st64(m, a, v, 'i64');
export const store_long = (m: Machine, a: number, v: bigint): void => st64(m, a, v, 'long');
export function store_bool(m: Machine, a: number, v: boolean): void {
  if (fits(m, a, 1) && typeof v === 'boolean') m.u8[a] = v ? 1 : 0;
  else slow(m, 'store_bool').store(a, 'bool', v);
}
