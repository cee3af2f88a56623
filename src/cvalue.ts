/**
 * C values in machine memory, by their C type: a scalar is a number, bigint
 * (8-byte types and pointers) or boolean, as everywhere in percpu-ts; a struct
 * is a plain object with one property per member (an anonymous member's
 * members appear directly, as C names them); an array is a JavaScript array.
 * Reading a struct copies it into a new plain object, as `per_cpu(var, cpu)`
 * of a struct copies it in C.
 *
 * Writes are checked whole before a byte is written, so a refused write
 * changes nothing: a struct value names every member, a union value exactly
 * one (the member the assignment writes), an array has the array's length.
 */
import { isScalar, type CType, type RecordType } from '../c/types.js';
import { readBits, writeBits } from './scalar-bits.js';
import { SCALARS, checkInRange, describe, fromBits, toBits, type ScalarInfo } from './types.js';

/** A C value as readValue() returns it and writeValue() takes it: a scalar, an array of values, or an object of member values. */
export type CValue = number | bigint | boolean | CValue[] | { [member: string]: CValue };

/** The runtime scalar (width, signedness, TS kind) of a scalar C type. */
export function scalarOf(t: CType): ScalarInfo | null {
  return isScalar(t) ? SCALARS[t.scalar] : null;
}

/** Reads a value of type `t` at `addr`. */
export function readValue(view: DataView, addr: number, t: CType): CValue {
  const s = scalarOf(t);
  if (s !== null) return fromBits(s, readBits(view, addr, s));
  if (t.kind === 'array') {
    const out: CValue[] = [];
    for (let i = 0; i < (t.length ?? 0); i++) out.push(readValue(view, addr + i * t.of.size, t.of));
    return out;
  }
  if (t.kind === 'struct' || t.kind === 'union') {
    const out: { [member: string]: CValue } = {};
    readRecord(view, addr, t, out);
    return out;
  }
  throw new TypeError(`a value of type ${t.name} cannot be read`);
}

function readRecord(view: DataView, addr: number, r: RecordType, out: { [member: string]: CValue }): void {
  for (const m of r.members ?? []) {
    if (m.name === null) readRecord(view, addr + m.offset, m.type as RecordType, out);
    else out[m.name] = readValue(view, addr + m.offset, m.type);
  }
}

/** Checks that `v` is a complete value of type `t` (see the module comment); throws naming `what`. */
export function checkValue(t: CType, v: unknown, what: string): void {
  const s = scalarOf(t);
  if (s !== null) {
    checkInRange(s, v, what);
    return;
  }
  if (t.kind === 'array') {
    if (!Array.isArray(v)) throw new TypeError(`${what}: ${t.name} takes an array of ${t.length ?? 0} values, got ${describe(v)}`);
    if (v.length !== (t.length ?? 0)) throw new RangeError(`${what}: ${t.name} takes exactly ${t.length ?? 0} values, got ${v.length}`);
    v.forEach((x, i) => checkValue(t.of, x, `${what}[${i}]`));
    return;
  }
  if (t.kind === 'struct' || t.kind === 'union') {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) {
      throw new TypeError(`${what}: ${t.name} takes a plain object { ${names(t).join(', ')} }, got ${describe(v)}`);
    }
    const obj = v as Record<string, unknown>;
    const known = names(t);
    for (const k of Object.keys(obj)) {
      if (!known.includes(k)) throw new TypeError(`${what}: ${t.name} has no member '${k}'; members: ${known.join(', ')}`);
    }
    checkRecord(t, obj, what);
    return;
  }
  throw new TypeError(`${what}: a value of type ${t.name} cannot be stored`);
}

function checkRecord(r: RecordType, obj: Record<string, unknown>, what: string): void {
  if (r.kind === 'union') {
    const given = (r.members ?? []).filter((m) => (m.name === null ? names(m.type as RecordType).some((n) => n in obj) : m.name in obj));
    if (given.length !== 1) {
      throw new TypeError(`${what}: a value of ${r.name} names exactly one member (the one written), got ${given.length === 0 ? 'none' : given.map((m) => m.name ?? '(anonymous)').join(', ')}`);
    }
    const m = given[0];
    if (m.name === null) checkRecord(m.type as RecordType, obj, what);
    else checkValue(m.type, obj[m.name], `${what}.${m.name}`);
    return;
  }
  for (const m of r.members ?? []) {
    if (m.name === null) {
      checkRecord(m.type as RecordType, obj, what);
      continue;
    }
    if (!(m.name in obj)) throw new TypeError(`${what}: member '${m.name}' of ${r.name} is missing (a struct write sets every member)`);
    checkValue(m.type, obj[m.name], `${what}.${m.name}`);
  }
}

/** Writes an already checked value. */
export function writeValue(view: DataView, addr: number, t: CType, v: CValue): void {
  const s = scalarOf(t);
  if (s !== null) {
    writeBits(view, addr, s, toBits(s, v as number | bigint | boolean));
  } else if (t.kind === 'array') {
    (v as CValue[]).forEach((x, i) => writeValue(view, addr + i * t.of.size, t.of, x));
  } else if (t.kind === 'struct' || t.kind === 'union') {
    writeRecord(view, addr, t, v as Record<string, CValue>);
  }
}

function writeRecord(view: DataView, addr: number, r: RecordType, obj: Record<string, CValue>): void {
  for (const m of r.members ?? []) {
    if (m.name === null) {
      const inner = m.type as RecordType;
      if (r.kind === 'struct' || names(inner).some((n) => n in obj)) writeRecord(view, addr + m.offset, inner, obj);
    } else if (m.name in obj) {
      writeValue(view, addr + m.offset, m.type, obj[m.name]);
    }
  }
}

/** The member names a value of the record has (anonymous members' names flattened). */
function names(r: RecordType): string[] {
  const out: string[] = [];
  for (const m of r.members ?? []) {
    if (m.name === null) out.push(...names(m.type as RecordType));
    else out.push(m.name);
  }
  return out;
}
