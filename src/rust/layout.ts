/**
 * Fixed-layout structs (`#[repr(C)] struct`): a descriptor lists the fields in
 * declaration order; offsets, alignment and size come from the one C layout
 * engine (c/layout.ts, checked against gcc), because `#[repr(C)]` means
 * exactly that: the layout C gives the same struct.
 *
 * A struct value in TypeScript is a plain object with one property per field;
 * reading one CPU's copy builds such an object, writing one writes every field.
 */
import { intType, layoutStruct, type RecordType } from '../../c/index.js';
import type { ValueOf } from '../types.js';
import { SCALARS, describe, fromBits, type ScalarInfo } from '../types.js';
import { LOAD, STORE, checkScalar, type Load, type Store } from './scalar.js';
import type { RustScalar } from './types.js';

/** Field name → field type, in declaration order. */
export type FieldTypes = { readonly [field: string]: RustScalar };

/** The plain-object value of a struct with fields F. */
export type StructValue<F extends FieldTypes> = { -readonly [K in keyof F]: ValueOf<F[K]> };

export interface FieldLayout {
  readonly name: string;
  readonly type: ScalarInfo;
  readonly offset: number;
  /** The field's memory access, picked once (see scalar.ts). */
  readonly load: Load;
  readonly store: Store;
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The C type each Rust scalar is (core::ffi and the kernel's bindings agree on LP64). */
const C_TYPE: Readonly<Record<RustScalar, string>> = {
  u8: 'u8', i8: 's8', bool: 'bool', u16: 'u16', i16: 's16', u32: 'u32', i32: 's32', u64: 'u64', i64: 's64',
  ulong: 'unsigned long', long: 'long', usize: 'size_t', isize: 'ssize_t',
};

export class StructLayout<F extends FieldTypes = FieldTypes> {
  readonly kind = 'struct' as const;
  readonly name: string;
  readonly fields: readonly FieldLayout[];
  readonly size: number;
  readonly align: number;
  /** The same struct as a C type (`struct name`), for the C-side ops and member paths. */
  readonly ctype: RecordType;
  /** Phantom: the field types. Never present at run time. */
  declare readonly __fields?: F;

  private constructor(name: string, fields: readonly FieldLayout[], ctype: RecordType) {
    this.name = name;
    this.fields = fields;
    this.ctype = ctype;
    this.size = ctype.size;
    this.align = ctype.align;
    Object.freeze(this);
  }

  /** Builds the layout; the object's key order is the declaration order. */
  static define<F extends FieldTypes>(name: string, fields: F): StructLayout<F> {
    if (typeof name !== 'string' || !IDENT.test(name)) {
      throw new TypeError(`struct: the name must be a C identifier, got ${describe(name)}`);
    }
    if (fields === null || typeof fields !== 'object') {
      throw new TypeError(`struct ${name}: fields must be an object { field: type }, got ${describe(fields)}`);
    }
    const names = Object.keys(fields);
    if (names.length === 0) throw new TypeError(`struct ${name}: a struct needs at least one field (an empty struct has size 0 and cannot be allocated per CPU)`);
    for (const f of names) {
      // JavaScript puts integer-like keys first whatever order they were written
      // in, so such a key would silently reorder the layout.
      if (!IDENT.test(f)) throw new TypeError(`struct ${name}: field name ${JSON.stringify(f)} is not a C identifier`);
      const tn = fields[f];
      if (typeof tn !== 'string' || !Object.prototype.hasOwnProperty.call(SCALARS, tn) || (tn as string) === 'u128') {
        throw new TypeError(
          `struct ${name}: field ${f} has type ${describe(tn)}; fields are integers or bool: ${Object.keys(SCALARS).filter((s) => s !== 'u128').join(', ')}`,
        );
      }
    }
    const ctype = layoutStruct(name, names.map((f) => ({ name: f, type: intType(C_TYPE[fields[f]])! })));
    const out = names.map((f, i) => {
      const tn = fields[f];
      return Object.freeze({ name: f, type: SCALARS[tn], offset: ctype.members![i].offset, load: LOAD[tn], store: STORE[tn] });
    });
    return new StructLayout<F>(name, Object.freeze(out), ctype);
  }

  field(name: string): FieldLayout {
    const f = this.fields.find((x) => x.name === name);
    if (f === undefined) throw new TypeError(`struct ${this.name} has no field ${describe(name)}; fields: ${this.fields.map((x) => x.name).join(', ')}`);
    return f;
  }

  /** The all-zero value (what alloc_percpu's zeroed memory reads as). */
  zero(): StructValue<F> {
    const v: Record<string, unknown> = {};
    for (const f of this.fields) v[f.name] = fromBits(f.type, 0n);
    return v as StructValue<F>;
  }

  /**
   * Checks a whole value before anything is written: exactly the struct's
   * fields, each of its type and in range, so a refused write changes nothing.
   */
  check(value: unknown, what: string): void {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new TypeError(`${what}: struct ${this.name} takes a plain object { ${this.fields.map((f) => f.name).join(', ')} }, got ${describe(value)}`);
    }
    const v = value as Record<string, unknown>;
    for (const k of Object.keys(v)) {
      if (!this.fields.some((f) => f.name === k)) {
        throw new TypeError(`${what}: struct ${this.name} has no field ${JSON.stringify(k)}; fields: ${this.fields.map((f) => f.name).join(', ')}`);
      }
    }
    for (const f of this.fields) {
      if (!(f.name in v)) throw new TypeError(`${what}: field ${f.name} of struct ${this.name} is missing (a write sets every field)`);
      checkScalar(f.type, v[f.name], `${what}: field ${this.name}.${f.name}`);
    }
  }

  /** Reads the struct at a plain address into a new plain object. */
  load(view: DataView, addr: number): StructValue<F> {
    if (!(view instanceof DataView)) throw new TypeError(`struct ${this.name}.load: expected the machine's DataView (m.view), got ${describe(view)}`);
    const v: Record<string, unknown> = {};
    for (const f of this.fields) v[f.name] = f.load(view, addr + f.offset);
    return v as StructValue<F>;
  }

  /** Writes every field of an already checked value. */
  store(view: DataView, addr: number, value: StructValue<F>): void {
    if (!(view instanceof DataView)) throw new TypeError(`struct ${this.name}.store: expected the machine's DataView (m.view), got ${describe(view)}`);
    const v = value as Record<string, number | bigint | boolean>;
    for (const f of this.fields) f.store(view, addr + f.offset, v[f.name]);
  }

  /** `struct name { type field; … }` with offsets, as pahole would show it. */
  toString(): string {
    const lines = this.fields.map((f) => `\t${f.type.name} ${f.name}; /* ${f.offset} ${f.type.size} */`);
    return `struct ${this.name} {\n${lines.join('\n')}\n}; /* size ${this.size}, align ${this.align} */`;
  }
}

/** `struct(name, { field: type, … })`: shorthand for StructLayout.define. */
export function struct<F extends FieldTypes>(name: string, fields: F): StructLayout<F> {
  return StructLayout.define(name, fields);
}
