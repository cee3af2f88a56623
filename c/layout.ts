/**
 * Struct and union layout as gcc computes it on LP64 (x86-64 SysV, AAPCS64),
 * and member paths (`vm_stat_diff[2]`, `a.b[1].c`, `->count`) resolved to an
 * offset and a type. The one layout engine: the runtime's per-CPU and plain
 * memory, the Rust `struct()` and the C translator all lay out through here.
 *
 * gcc's rules, without bit-fields (refused: not modelled):
 *  - a member goes at the next multiple of its alignment; its alignment is the
 *    type's, raised by `__attribute__((aligned(n)))` on the member;
 *  - in a `__packed` struct a member's alignment is 1 unless the member has
 *    its own aligned attribute;
 *  - the record's alignment is the largest member alignment, raised by an
 *    aligned attribute on the record; its size is rounded up to it;
 *  - a union puts every member at 0 and is as large as its largest member;
 *  - an empty struct has size 0 (a GNU C extension the kernel relies on:
 *    local_lock_t without lockdep), a flexible array member has size 0 and
 *    must come last;
 *  - an anonymous struct/union member's members are found by name through it.
 */
import { IDENT, isRecord, type CType, type Member, type RecordType } from './types.js';

/** A member as declared: `name` null for an anonymous struct or union member. */
export interface MemberDecl {
  readonly name: string | null;
  readonly type: CType;
  /** `__attribute__((aligned(n)))` / `__aligned(n)` on the member. */
  readonly aligned?: number;
}

/** Attributes of a struct or union: packing and alignment, as gcc takes them. */
export interface RecordOptions {
  /** `__packed`: members byte-aligned unless they carry their own aligned attribute. */
  readonly packed?: boolean;
  /** `__aligned(n)` on the record (e.g. `____cacheline_aligned`). */
  readonly aligned?: number;
  /** The typedef name it prints as (`atomic_t` for `typedef struct { int counter; } atomic_t`). */
  readonly typedef?: string;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * An incomplete `struct tag` / `union tag` (what `struct task_struct *` refers
 * to before, or without, a definition). completeRecord() fills it in place.
 */
export function declareRecord(kind: 'struct' | 'union', tag: string | null, typedef?: string): RecordType {
  if (tag !== null && !IDENT.test(tag)) throw new TypeError(`${kind}: the tag must be a C identifier, got ${JSON.stringify(tag)}`);
  const name = typedef ?? (tag === null ? `${kind} (anonymous)` : `${kind} ${tag}`);
  const r: Mutable<RecordType> = { kind, tag, name, size: 0, align: 1, members: null };
  return r;
}

function checkAlign(what: string, n: unknown): number {
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 1 || (n & (n - 1)) !== 0) {
    throw new TypeError(`${what}: requested alignment ${String(n)} is not a positive power of 2`);
  }
  return n;
}

const roundUp = (n: number, a: number): number => Math.ceil(n / a) * a;

/** Lays `members` out into the incomplete record `r`, completing (and freezing) it. */
export function completeRecord(r: RecordType, members: readonly MemberDecl[], opts: RecordOptions = {}): RecordType {
  const what = r.name;
  if (r.members !== null) throw new TypeError(`${what}: redefinition (the ${r.kind} is already complete)`);
  if (!Array.isArray(members)) throw new TypeError(`${what}: members must be a list, got ${typeof members}`);
  const packed = opts.packed === true;
  let align = opts.aligned === undefined ? 1 : checkAlign(`${what}`, opts.aligned);
  let at = 0;
  let size = 0;
  const out: Member[] = [];
  const seen = new Set<string>();
  const claim = (name: string): void => {
    if (seen.has(name)) throw new TypeError(`${what}: duplicate member '${name}'`);
    seen.add(name);
  };
  members.forEach((m, i) => {
    const t = m.type;
    const label = m.name ?? '(anonymous)';
    if (m.name === null) {
      if (!isRecord(t) || t.tag !== null) throw new TypeError(`${what}: an unnamed member must be an anonymous struct or union, got ${t.name}`);
      // C spells `struct { … } __aligned(n);` as an attribute of the anonymous type, never of the member
      if (m.aligned !== undefined) throw new TypeError(`${what}: an anonymous member takes no aligned attribute of its own; give it to the anonymous ${t.kind} (its options)`);
    } else if (!IDENT.test(m.name)) {
      throw new TypeError(`${what}: member name ${JSON.stringify(m.name)} is not a C identifier`);
    }
    if (t.kind === 'void' || t.kind === 'function') throw new TypeError(`${what}: member '${label}' has type ${t.name}, which has no size`);
    if (isRecord(t) && t.members === null) throw new TypeError(`${what}: member '${label}' has incomplete type ${t.name}`);
    if (t === r) throw new TypeError(`${what}: member '${label}' has the type being defined (use a pointer)`);
    if (t.kind === 'array' && t.length === null && (r.kind === 'union' || i !== members.length - 1)) {
      throw new TypeError(`${what}: flexible array member '${label}' not at end of struct`);
    }
    if (t.kind === 'array' && t.length === null && i === 0) throw new TypeError(`${what}: flexible array member '${label}' in a struct with no named members`);
    if (m.name === null) for (const n of namesIn(t as RecordType)) claim(n);
    else claim(m.name);
    const own = m.aligned === undefined ? 0 : checkAlign(`${what}: member '${label}'`, m.aligned);
    const a = packed ? Math.max(1, own) : Math.max(t.align, own);
    const offset = r.kind === 'union' ? 0 : roundUp(at, a);
    out.push(Object.freeze(own === 0 ? { name: m.name, type: t, offset } : { name: m.name, type: t, offset, aligned: own }));
    at = offset + t.size;
    size = Math.max(size, at);
    align = Math.max(align, a);
  });
  const done = r as Mutable<RecordType>;
  done.members = Object.freeze(out);
  done.align = align;
  done.size = roundUp(size, align);
  if (packed) done.packed = true;
  if (opts.aligned !== undefined) done.aligned = opts.aligned;
  if (opts.typedef !== undefined) done.name = opts.typedef;
  return Object.freeze(done);
}

/** The member names a record makes visible, through its anonymous members. */
function namesIn(r: RecordType): string[] {
  const names: string[] = [];
  for (const m of r.members ?? []) {
    if (m.name !== null) names.push(m.name);
    else names.push(...namesIn(m.type as RecordType));
  }
  return names;
}

/** Defines `struct tag { … }` in one go (tag null for an anonymous struct). */
export function layoutStruct(tag: string | null, members: readonly MemberDecl[], opts: RecordOptions = {}): RecordType {
  return completeRecord(declareRecord('struct', tag, opts.typedef), members, opts);
}

/** Lays out a union as gcc does on LP64: every member at offset 0, size the largest member's rounded to the alignment. */
export function layoutUnion(tag: string | null, members: readonly MemberDecl[], opts: RecordOptions = {}): RecordType {
  return completeRecord(declareRecord('union', tag, opts.typedef), members, opts);
}

/** `sizeof(t)` as gcc computes it on LP64. */
export function sizeof(t: CType): number {
  if (isRecord(t) && t.members === null) throw new TypeError(`sizeof: invalid application to incomplete type ${t.name}`);
  if (t.kind === 'array' && t.length === null) throw new TypeError(`sizeof: invalid application to incomplete type ${t.name}`);
  return t.size;
}

/** `_Alignof(t)` as gcc computes it on LP64. */
export function alignof(t: CType): number {
  if (isRecord(t) && t.members === null) throw new TypeError(`_Alignof: invalid application to incomplete type ${t.name}`);
  return t.align;
}

/** Where a member path leads inside an object: its offset from the object's start and its type. */
export interface MemberRef {
  readonly offset: number;
  readonly type: CType;
  /** The path in canonical form (`vm_stat_diff[2]`, `a.b[1].c`), for messages and traces. */
  readonly path: string;
}

/** Finds `name` in a record, looking through anonymous members as C does. */
function findMember(r: RecordType, name: string): { offset: number; type: CType } | null {
  for (const m of r.members ?? []) {
    if (m.name === name) return { offset: m.offset, type: m.type };
    if (m.name === null) {
      const inner = findMember(m.type as RecordType, name);
      if (inner !== null) return { offset: m.offset + inner.offset, type: inner.type };
    }
  }
  return null;
}

const TOKEN = /\s*(?:(->|\.)\s*([A-Za-z_][A-Za-z0-9_]*)|\[\s*(0x[0-9a-fA-F]+|\d+)\s*\]|([A-Za-z_][A-Za-z0-9_]*))/y;

/**
 * Resolves a member path inside an object of type `t`: `count`,
 * `vm_stat_diff[2]`, `a.b[1].c`, `->lock` or `stats.syncp`. `.` and `->` both
 * step into an embedded struct or union (a path stays inside one object; it
 * never follows a pointer member, which would need a load). Array indexes
 * are checked against the array's length; a flexible array's are not (its
 * length is the allocation's business).
 */
export function memberRef(t: CType, path: string): MemberRef {
  if (typeof path !== 'string') throw new TypeError(`member path into ${t.name}: expected a string such as 'a.b[1]', got ${typeof path}`);
  let type = t;
  let offset = 0;
  let canon = '';
  let pos = 0;
  const src = path.trim();
  if (src === '') throw new TypeError(`member path into ${t.name}: the path is empty`);
  while (pos < src.length) {
    TOKEN.lastIndex = pos;
    const m = TOKEN.exec(src);
    if (m === null) throw new TypeError(`member path '${path}' into ${t.name}: cannot parse at '${src.slice(pos)}'`);
    pos = TOKEN.lastIndex;
    const name = m[2] ?? m[4];
    if (name !== undefined) {
      if (m[4] !== undefined && canon !== '') throw new TypeError(`member path '${path}' into ${t.name}: expected '.', '->' or '[' before '${name}'`);
      if (type.kind === 'pointer') {
        throw new TypeError(`member path '${path}' into ${t.name}: '${canon}' is a pointer (${type.name}); a member path stays inside one object, so load the pointer first`);
      }
      if (!isRecord(type)) throw new TypeError(`member path '${path}' into ${t.name}: request for member '${name}' in something not a structure or union (${canon === '' ? type.name : `'${canon}' is ${type.name}`})`);
      if (type.members === null) throw new TypeError(`member path '${path}' into ${t.name}: ${type.name} is incomplete`);
      const found = findMember(type, name);
      if (found === null) throw new TypeError(`member path '${path}' into ${t.name}: '${type.name}' has no member named '${name}'`);
      offset += found.offset;
      type = found.type;
      canon += canon === '' ? name : `.${name}`;
    } else {
      const index = Number(m[3]);
      if (type.kind !== 'array') throw new TypeError(`member path '${path}' into ${t.name}: subscripted value '${canon}' is neither array nor pointer member of the object (${type.name})`);
      if (type.length !== null && index >= type.length) {
        throw new RangeError(`member path '${path}' into ${t.name}: index ${index} is past the end of '${canon}' (${type.name})`);
      }
      if (!Number.isSafeInteger(index)) throw new RangeError(`member path '${path}' into ${t.name}: index ${m[3]} is too large`);
      offset += index * type.of.size;
      type = type.of;
      canon += `[${index}]`;
    }
  }
  return { offset, type, path: canon };
}

/**
 * The member path of the scalar of `size` bytes at byte `off` inside `t`
 * ('' for `t` itself), or null when no scalar starts there with that size:
 * how a trace names an address inside an object.
 */
export function memberAt(t: CType, off: number, size: number): string | null {
  if (off === 0 && t.size === size && t.kind !== 'struct' && t.kind !== 'union' && t.kind !== 'array') return '';
  if (t.kind === 'array' && t.of.size > 0) {
    const i = Math.floor(off / t.of.size);
    if (t.length !== null && i >= t.length) return null;
    const rest = memberAt(t.of, off - i * t.of.size, size);
    return rest === null ? null : `[${i}]${rest === '' || rest.startsWith('[') ? rest : `.${rest}`}`;
  }
  if (t.kind === 'struct' || t.kind === 'union') {
    for (const m of t.members ?? []) {
      if (off < m.offset || off >= m.offset + m.type.size) continue;
      const rest = memberAt(m.type, off - m.offset, size);
      if (rest === null) continue;
      if (m.name === null) return rest;
      return rest === '' ? m.name : rest.startsWith('[') ? `${m.name}${rest}` : `${m.name}.${rest}`;
    }
  }
  return null;
}

/** `offsetof(type, path)` as gcc's __builtin_offsetof computes it. */
export function offsetof(t: CType, path: string): number {
  return memberRef(t, path).offset;
}

/**
 * The C declarator of `name` with type `t`: `s8 vm_stat_diff[32]`,
 * `struct list_head *next`, `void (*func)(struct rcu_head *)`,
 * `int __percpu *p`. Anonymous records print their body inline.
 */
export function declarator(t: CType, name: string, indent = ''): string {
  switch (t.kind) {
    case 'array':
      return declarator(t.of, `${name}[${t.length ?? ''}]`, indent);
    case 'pointer': {
      const as = t.percpu ? '__percpu ' : '';
      if (t.to.kind === 'array' || t.to.kind === 'function') return declarator(t.to, `(${as}*${name})`, indent);
      return declarator(t.to, `${as}*${name}`, indent);
    }
    case 'function':
      return declarator(t.returns, `${name}(${t.params.map((p) => declarator(p, '').trim()).join(', ') || 'void'})`, indent);
    case 'struct':
    case 'union':
      if (t.tag === null && t.name === `${t.kind} (anonymous)`) return `${body(t, indent)}${name === '' ? '' : ` ${name}`}`;
      return name === '' ? t.name : `${t.name} ${name}`;
    default:
      return name === '' ? t.name : `${t.name} ${name}`;
  }
}

function attrs(packed: boolean | undefined, aligned: number | undefined): string {
  const a = [packed === true ? 'packed' : '', aligned === undefined ? '' : `aligned(${aligned})`].filter((x) => x !== '');
  return a.length === 0 ? '' : ` __attribute__((${a.join(', ')}))`;
}

function body(r: RecordType, indent: string): string {
  const inner = `${indent}\t`;
  const lines = (r.members ?? []).map((m) => `${inner}${declarator(m.type, m.name ?? '', inner)}${attrs(false, m.aligned)};`);
  return `${r.kind} {\n${lines.join('\n')}\n${indent}}${attrs(r.packed, r.aligned)}`;
}

/**
 * The C definition of a record (`struct tag { … } __attribute__((…));`, or a
 * typedef for an untagged one), which gcc lays out exactly as this module
 * does. Records it names must be defined first: see definitionOrder().
 */
export function cDefinition(r: RecordType): string {
  if (r.members === null) return `${r.kind} ${r.tag};`;
  const typedef = r.name !== (r.tag === null ? `${r.kind} (anonymous)` : `${r.kind} ${r.tag}`);
  const text = r.tag === null ? body(r, '') : body(r, '').replace(`${r.kind} {`, `${r.kind} ${r.tag} {`);
  return typedef ? `typedef ${text} ${r.name};` : `${text};`;
}

/** Every named record `t` uses by value, dependencies first, `t` last (for emitting C). */
export function definitionOrder(t: CType): RecordType[] {
  const out: RecordType[] = [];
  const visit = (x: CType, top: boolean): void => {
    if (x.kind === 'array') return visit(x.of, top);
    if (!isRecord(x) || out.includes(x)) return;
    for (const m of x.members ?? []) visit(m.type, false);
    const anonymous = x.tag === null && x.name === `${x.kind} (anonymous)`;
    if (!anonymous || top) out.push(x);
  };
  visit(t, true);
  return out;
}

/**
 * The record as pahole prints it: each member with its offset and size, then
 * the record's size and alignment. Named nested records are printed by name.
 */
export function formatLayout(r: RecordType): string {
  if (r.members === null) return `${r.name}; /* incomplete */`;
  const lines: string[] = [];
  const walk = (rec: RecordType, base: number, indent: string): void => {
    for (const m of rec.members ?? []) {
      if (m.name === null) {
        lines.push(`${indent}${m.type.kind} {`);
        walk(m.type as RecordType, base + m.offset, `${indent}\t`);
        lines.push(`${indent}};`);
      } else {
        lines.push(`${indent}${declarator(m.type, m.name, indent)}; /* ${base + m.offset} ${m.type.size} */`);
      }
    }
  };
  walk(r, 0, '\t');
  const head = r.tag === null ? `${r.kind}` : `${r.kind} ${r.tag}`;
  return `${head} {\n${lines.join('\n')}\n}; /* size ${r.size}, align ${r.align} */`;
}
