/**
 * A C type scope: typedef names and struct/union/enum tags, a parser for type
 * names as C spells them (`unsigned long`, `struct list_head *`,
 * `int __percpu *`, `s8[32]`), and struct/union definitions whose members are
 * given by such names. Scopes nest: a user scope sees the kernel's types
 * (c/kernel-types.ts) through its parent and never changes them.
 */
import {
  IDENT, VOID, array, intNames, intType, pointer,
  type CType, type EnumType, type RecordType,
} from './types.js';
import { completeRecord, declareRecord, type MemberDecl, type RecordOptions } from './layout.js';

/** A member type: a CType, or its C spelling looked up in the scope. */
export type TypeSpec = CType | string;

/** A member with an attribute: `{ type: 'u64', aligned: 64 }`. */
export interface MemberSpec {
  readonly type: TypeSpec;
  readonly aligned?: number;
}

/**
 * Members in declaration order: an object `{ count: 'int', lock: 'spinlock_t' }`
 * (member names are C identifiers, so JavaScript keeps their order), or a
 * list of `[name, type]` pairs where name null is an anonymous struct/union.
 */
export type Members =
  | { readonly [name: string]: TypeSpec | MemberSpec }
  | readonly (readonly [string | null, TypeSpec | MemberSpec])[];

/** Words that only make an integer type together with others (`unsigned __int128`). */
const INT_WORDS = new Set(['__int128', '__signed__']);

/** A C scope of typedef names and struct/union/enum tags, nested in its parent; declares and lays out records. */
export class TypeScope {
  readonly parent: TypeScope | null;
  /** Names the parent scope models only under a kernel configuration (see kernel-types.ts). */
  private readonly configNote: ReadonlyMap<string, string>;
  private readonly typedefs = new Map<string, CType>();
  private readonly tags = new Map<string, RecordType | EnumType>();
  private frozen = false;

  constructor(parent: TypeScope | null = null, configNote: ReadonlyMap<string, string> = new Map()) {
    this.parent = parent;
    this.configNote = configNote;
  }

  /** Makes the scope read-only (the shared kernel scopes). */
  freeze(): this {
    this.frozen = true;
    return this;
  }

  private writable(what: string): void {
    if (this.frozen) throw new TypeError(`${what}: this type scope is shared and read-only; make your own with ctypes(config)`);
  }

  /** The type a typedef name stands for here or in an enclosing scope. */
  lookupTypedef(name: string): CType | undefined {
    return this.typedefs.get(name) ?? this.parent?.lookupTypedef(name);
  }

  /** The struct, union or enum a tag names here or in an enclosing scope. */
  lookupTag(key: string): RecordType | EnumType | undefined {
    return this.tags.get(key) ?? this.parent?.lookupTag(key);
  }

  private note(name: string): string | undefined {
    return this.configNote.get(name) ?? this.parent?.note(name);
  }

  /** `typedef T name;` */
  typedef(name: string, t: TypeSpec): CType {
    this.writable(`typedef ${name}`);
    if (!IDENT.test(name)) throw new TypeError(`typedef: ${JSON.stringify(name)} is not a C identifier`);
    const type = this.resolve(t);
    const prev = this.typedefs.get(name);
    if (prev !== undefined && prev !== type) throw new TypeError(`typedef ${name}: conflicting types (${prev.name} and ${type.name})`);
    this.typedefs.set(name, type);
    return type;
  }

  /** Registers an enum's tag (and its enumerators stay on the type). */
  enum(t: EnumType): EnumType {
    this.writable(t.name);
    if (t.tag !== null) this.tags.set(`enum ${t.tag}`, t);
    return t;
  }

  /**
   * `struct tag { … }`: completes an earlier `struct tag` declaration of this
   * scope if there is one (so `struct tag *` members, including the struct's
   * own, point at the finished type). `tag` null for an anonymous struct; with
   * `opts.typedef` the type also gets that name (`typedef struct {…} name_t`).
   */
  struct(tag: string | null, members: Members, opts: RecordOptions = {}): RecordType {
    return this.record('struct', tag, members, opts);
  }

  /** Declares and lays out a union (a `null` tag is an anonymous one). */
  union(tag: string | null, members: Members, opts: RecordOptions = {}): RecordType {
    return this.record('union', tag, members, opts);
  }

  private record(kind: 'struct' | 'union', tag: string | null, members: Members, opts: RecordOptions): RecordType {
    const label = opts.typedef ?? (tag === null ? `${kind} (anonymous)` : `${kind} ${tag}`);
    this.writable(label);
    let r: RecordType;
    if (tag !== null) {
      const existing = this.tags.get(`${kind} ${tag}`);
      if (existing !== undefined && (existing as RecordType).members !== null) throw new TypeError(`${kind} ${tag}: redefinition`);
      r = (existing as RecordType | undefined) ?? declareRecord(kind, tag, opts.typedef);
      if (existing !== undefined && opts.typedef !== undefined) (r as { name: string }).name = opts.typedef;
      this.tags.set(`${kind} ${tag}`, r);
    } else {
      r = declareRecord(kind, null, opts.typedef);
    }
    if (opts.typedef !== undefined) this.typedefs.set(opts.typedef, r);
    completeRecord(r, this.memberDecls(label, members), opts);
    return r;
  }

  private memberDecls(label: string, members: Members): MemberDecl[] {
    if (members === null || typeof members !== 'object') throw new TypeError(`${label}: members must be an object { name: type } or a list of [name, type], got ${members === null ? 'null' : typeof members}`);
    const pairs: (readonly [string | null, TypeSpec | MemberSpec])[] = Array.isArray(members)
      ? members
      : Object.entries(members as { readonly [name: string]: TypeSpec | MemberSpec });
    return pairs.map(([name, spec]) => {
      const isSpec = typeof spec === 'object' && spec !== null && !('kind' in spec);
      const t = isSpec ? (spec as MemberSpec).type : (spec as TypeSpec);
      let type: CType;
      try {
        type = this.resolve(t);
      } catch (e) {
        throw new TypeError(`${label}: member '${name ?? '(anonymous)'}': ${(e as Error).message}`);
      }
      return isSpec && (spec as MemberSpec).aligned !== undefined ? { name, type, aligned: (spec as MemberSpec).aligned } : { name, type };
    });
  }

  /** A CType as given, or the type a C spelling names in this scope. */
  resolve(t: TypeSpec): CType {
    if (typeof t === 'string') return this.parse(t);
    if (t === null || typeof t !== 'object' || typeof (t as { kind?: unknown }).kind !== 'string') {
      throw new TypeError(`expected a C type or its name (such as 'u32' or 'struct list_head *'), got ${t === null ? 'null' : typeof t}`);
    }
    return t;
  }

  /**
   * Parses a C type name: specifiers (integer words in any order, a typedef
   * name, `struct/union/enum tag`, `void`), qualifiers (`const`, `volatile`
   * ignored; `__percpu` marks the next `*` a per-CPU pointer), pointer stars,
   * then array bounds. An unknown `struct tag` is declared (incomplete), as
   * C does, so pointers to it are fine and sizeof of it is not.
   */
  parse(spelling: string): CType {
    if (typeof spelling !== 'string') throw new TypeError(`type name: expected a string, got ${typeof spelling}`);
    const toks = spelling.match(/[A-Za-z_][A-Za-z0-9_]*|\d+|0x[0-9a-fA-F]+|\S/g) ?? [];
    let i = 0;
    const fail = (msg: string): never => {
      throw new TypeError(`type name '${spelling}': ${msg}`);
    };
    const QUAL = new Set(['const', 'volatile', 'restrict', '__restrict', '__rcu', '__iomem', '__user', '__force']);
    let percpu = false;
    const words: string[] = [];
    let base: CType | null = null;
    while (i < toks.length && /^[A-Za-z_]/.test(toks[i])) {
      const w = toks[i];
      if (QUAL.has(w)) { i++; continue; }
      if (w === '__percpu') { percpu = true; i++; continue; }
      if (w === 'struct' || w === 'union' || w === 'enum') {
        if (base !== null || words.length > 0) fail(`two data types in declaration specifiers`);
        const tag = toks[i + 1];
        if (tag === undefined || !IDENT.test(tag)) fail(`expected a tag after '${w}'`);
        base = this.tag(w, tag);
        i += 2;
        continue;
      }
      if (w === 'void') {
        if (base !== null || words.length > 0) fail(`two data types in declaration specifiers`);
        base = VOID;
        i++;
        continue;
      }
      if ((intType(w) !== null || INT_WORDS.has(w)) && (base === null || words.length > 0)) {
        words.push(w);
        i++;
        continue;
      }
      if (base === null && words.length === 0) {
        const td = this.lookupTypedef(w);
        if (td === undefined) {
          const note = this.note(w);
          fail(note ?? `unknown type name '${w}' (integers: ${intNames().join(', ')}; kernel types: see c/kernel-types.ts)`);
        }
        base = td!;
        i++;
        continue;
      }
      fail(`unexpected '${w}'`);
    }
    if (words.length > 0) {
      const t = words.length === 1 ? intType(words[0]) : intType(words.join(' '));
      if (t === null) fail(`'${words.join(' ')}' is not an integer type`);
      base = t!;
    }
    if (base === null) fail('no type specifier');
    let t: CType = base!;
    while (i < toks.length && (toks[i] === '*' || QUAL.has(toks[i]) || toks[i] === '__percpu')) {
      if (toks[i] === '*') {
        t = pointer(t, { percpu });
        percpu = false;
      } else if (toks[i] === '__percpu') {
        percpu = true;
      }
      i++;
    }
    if (percpu) fail(`'__percpu' must be followed by '*' (it names the address space of what a pointer points to)`);
    const dims: (number | null)[] = [];
    while (i < toks.length && toks[i] === '[') {
      const n = toks[i + 1];
      if (n === ']') {
        if (dims.length > 0) fail('only the first array bound may be omitted');
        dims.push(null);
        i += 2;
        continue;
      }
      if (n === undefined || !/^(0x[0-9a-fA-F]+|\d+)$/.test(n) || toks[i + 2] !== ']') fail(`array bounds must be integer constants`);
      dims.push(Number(n));
      i += 3;
    }
    if (i < toks.length) fail(`unexpected '${toks[i]}'`);
    for (let d = dims.length - 1; d >= 0; d--) t = array(t, dims[d]);
    return t;
  }

  private tag(kind: 'struct' | 'union' | 'enum', tag: string): RecordType | EnumType {
    const key = `${kind} ${tag}`;
    const found = this.lookupTag(key);
    if (found !== undefined) return found;
    if (kind === 'enum') throw new TypeError(`type name 'enum ${tag}': enum ${tag} is not defined (C has no incomplete enums)`);
    if (this.frozen) return declareRecord(kind, tag);
    const r = declareRecord(kind, tag);
    this.tags.set(key, r);
    return r;
  }

  /** Registers an already built record under its tag (kernel-types.ts builds with the layout functions). */
  addTag(r: RecordType | EnumType): void {
    this.writable(r.name);
    if (r.tag === null) throw new TypeError(`${r.name}: an anonymous type has no tag to register`);
    const key = `${r.kind} ${r.tag}`;
    const prev = this.tags.get(key);
    if (prev !== undefined && prev !== r) throw new TypeError(`${key}: redefinition`);
    this.tags.set(key, r);
  }
}

