/**
 * A recursive-descent parser for the C that per-CPU kernel code is written in
 * (C11 with the GNU extensions the kernel uses: statement expressions,
 * typeof/__typeof__, __attribute__, case ranges, `__percpu`-style qualifiers),
 * over the preprocessor's located tokens.
 *
 * It keeps the table of typedef names while it parses (the classic "lexer
 * hack"): `(u32)-x` is a cast only because u32 names a type, which a grammar
 * without that table (tree-sitter's) has to guess and reads as a subtraction.
 */
import type {
  Attr, Block, Decl, Declarator, Deriv, Designator, EnumItem, Expr, FuncDef, Harness, Init, InitItem, Param, Specifiers, Stmt,
  TopLevel, TranslationUnit, TypeName, TypeSpec,
} from './ast.js';
import { cError, unsupported } from './errors.js';
import type { Loc, PTok } from './lex.js';

const BASE_WORDS = new Set(['void', 'char', 'short', 'int', 'long', 'signed', 'unsigned', '_Bool', 'float', 'double', '__signed__', '__int128']);
const STORAGE = new Set(['static', 'extern', 'typedef', 'register', 'auto', '_Thread_local', '__thread']);
const INLINE = new Set(['inline', '__inline', '__inline__']);
/** Qualifiers, with sparse's address spaces and annotations among them. */
export const QUALIFIERS = new Set([
  'const', 'volatile', 'restrict', '__restrict', '__restrict__', '__volatile__', '__const', '__const__',
  '__percpu', '__rcu', '__user', '__iomem', '__force', '__kernel', '_Atomic',
]);
const TYPEOF = new Set(['typeof', '__typeof__', '__typeof', 'typeof_unqual', '__typeof_unqual__']);
const ATTRIBUTE = new Set(['__attribute__', '__attribute']);

const ASSIGN_OPS = new Set(['=', '+=', '-=', '*=', '/=', '%=', '<<=', '>>=', '&=', '^=', '|=']);
const BINARY_PREC: Record<string, number> = {
  '||': 1, '&&': 2, '|': 3, '^': 4, '&': 5, '==': 6, '!=': 6, '<': 7, '>': 7, '<=': 7, '>=': 7, '<<': 8, '>>': 8,
  '+': 9, '-': 9, '*': 10, '/': 10, '%': 10,
};

export function parse(tokens: readonly PTok[], typedefs: Iterable<string> = []): TranslationUnit {
  return new Parser(tokens, typedefs).unit();
}

class Parser {
  private i = 0;
  /** Scopes of ordinary identifiers: true for a typedef name, false for a variable that shadows one. */
  private readonly scopes: Map<string, boolean>[] = [new Map()];

  constructor(private readonly toks: readonly PTok[], typedefs: Iterable<string>) {
    for (const t of typedefs) this.scopes[0].set(t, true);
  }

  private peek(k = 0): PTok | undefined {
    return this.toks[this.i + k];
  }

  private at(text: string, k = 0): boolean {
    const t = this.toks[this.i + k];
    return t !== undefined && t.text === text && t.kind !== 'str' && t.kind !== 'char';
  }

  private loc(): Loc {
    return (this.toks[this.i] ?? this.toks[this.toks.length - 1])?.loc ?? { file: '<input>', line: 1, col: 1 };
  }

  private next(): PTok {
    const t = this.toks[this.i];
    if (!t) throw cError(this.loc(), 'unexpected end of file');
    this.i++;
    return t;
  }

  private eat(text: string): boolean {
    if (this.at(text)) {
      this.i++;
      return true;
    }
    return false;
  }

  private expect(text: string, what?: string): PTok {
    if (!this.at(text)) {
      const t = this.peek();
      throw cError(this.loc(), `expected '${text}'${what ? ` ${what}` : ''} before ${t ? `'${t.text}'` : 'end of file'}`);
    }
    return this.next();
  }

  private ident(what: string): PTok {
    const t = this.peek();
    if (!t || t.kind !== 'id') throw cError(this.loc(), `expected ${what} before ${t ? `'${t.text}'` : 'end of file'}`);
    return this.next();
  }

  private isTypedef(name: string): boolean {
    for (let s = this.scopes.length - 1; s >= 0; s--) {
      const v = this.scopes[s].get(name);
      if (v !== undefined) return v;
    }
    return false;
  }

  private declare(name: string, isTypedef: boolean): void {
    this.scopes[this.scopes.length - 1].set(name, isTypedef);
  }

  private push(): void {
    this.scopes.push(new Map());
  }

  private pop(): void {
    this.scopes.pop();
  }

  /** Does a declaration (or type name) start at token k? */
  private startsType(k = 0): boolean {
    const t = this.peek(k);
    if (!t || t.kind !== 'id') return false;
    const w = t.text;
    return BASE_WORDS.has(w) || STORAGE.has(w) || INLINE.has(w) || QUALIFIERS.has(w) || TYPEOF.has(w) || ATTRIBUTE.has(w)
      || w === 'struct' || w === 'union' || w === 'enum' || w === '__extension__' || w === '_Static_assert' || w === '_Alignas'
      || this.isTypedef(w);
  }

  unit(): TranslationUnit {
    const items: TopLevel[] = [];
    while (this.i < this.toks.length) {
      if (this.eat(';')) continue;
      if (this.at('__percpu_sim__')) {
        items.push(this.harness());
        continue;
      }
      if (this.at('asm') || this.at('__asm__')) {
        throw unsupported(this.loc(), 'inline assembly', 'write the operation in C with the per-CPU API (this_cpu_*, raw_cpu_*)');
      }
      if (this.at('_Static_assert')) {
        this.staticAssert();
        continue;
      }
      if (!this.startsType()) {
        const t = this.peek()!;
        throw cError(t.loc, `expected a declaration before '${t.text}'${t.kind === 'id' ? ` (is '${t.text}' an unknown type name, or a macro from a header that is not included?)` : ''}`);
      }
      items.push(this.external());
    }
    return { items };
  }

  private harness(): Harness {
    const loc = this.next().loc;
    this.expect('(');
    const kind = this.ident('a harness kind').text;
    const args: Expr[] = [];
    while (this.eat(',')) args.push(this.assignment());
    this.expect(')');
    this.expect(';');
    return { k: 'harness', kind, args, loc };
  }

  private staticAssert(): void {
    const loc = this.next().loc;
    this.expect('(');
    this.conditional();
    if (this.eat(',')) this.next();
    this.expect(')');
    this.expect(';');
    void loc;
  }

  private external(): TopLevel {
    const loc = this.loc();
    const spec = this.specifiers();
    if (this.eat(';')) return { k: 'decl', spec, declarators: [], loc };
    const d = this.declarator(spec, false);
    if (this.at('{')) {
      const fn = d.derivs[d.derivs.length - 1];
      if (!fn || fn.k !== 'func' || d.derivs.length !== 1) throw cError(d.loc, `'${d.name}' is not a function but is followed by a body`);
      this.declare(d.name, false);
      this.push();
      for (const p of fn.params) if (p.name) this.declare(p.name, false);
      const body = this.block(false);
      this.pop();
      const def: FuncDef = { k: 'func', spec, declarator: d, body, loc };
      return def;
    }
    return this.declRest(spec, d, loc);
  }

  private declRest(spec: Specifiers, first: Declarator, loc: Loc): Decl {
    const typedef = spec.storage.includes('typedef');
    const declarators = [this.withInit(first, typedef)];
    while (this.eat(',')) declarators.push(this.withInit(this.declarator(spec, false), typedef));
    this.expect(';', 'after a declaration');
    return { k: 'decl', spec, declarators, loc };
  }

  private withInit(d: Declarator, typedef: boolean): Declarator {
    this.declare(d.name, typedef);
    const attrs = [...d.attrs, ...this.attributes()];
    if (!this.eat('=')) return { ...d, attrs };
    return { ...d, attrs, init: this.initializer() };
  }

  private initializer(): Init {
    const loc = this.loc();
    if (!this.eat('{')) return { k: 'expr', expr: this.assignment(), loc };
    const items: InitItem[] = [];
    while (!this.at('}')) {
      const designators: Designator[] = [];
      for (;;) {
        const dl = this.loc();
        if (this.eat('.')) designators.push({ k: 'field', name: this.ident('a field name').text, loc: dl });
        else if (this.eat('[')) {
          designators.push({ k: 'index', index: this.conditional(), loc: dl });
          this.expect(']');
        } else break;
      }
      if (designators.length > 0) this.expect('=');
      items.push({ designators, init: this.initializer() });
      if (!this.eat(',')) break;
    }
    this.expect('}');
    return { k: 'list', items, loc };
  }

  private attributes(): Attr[] {
    const out: Attr[] = [];
    while (this.peek() && ATTRIBUTE.has(this.peek()!.text)) {
      this.next();
      this.expect('(');
      this.expect('(');
      while (!this.at(')')) {
        const t = this.ident('an attribute name');
        const args: Expr[] = [];
        if (this.eat('(')) {
          if (!this.at(')')) {
            args.push(this.assignment());
            while (this.eat(',')) args.push(this.assignment());
          }
          this.expect(')');
        }
        out.push({ name: t.text.replace(/^__(.*)__$/, '$1'), args, loc: t.loc });
        if (!this.eat(',')) break;
      }
      this.expect(')');
      this.expect(')');
    }
    return out;
  }

  specifiers(): Specifiers {
    const loc = this.loc();
    const storage: string[] = [];
    const quals: string[] = [];
    const attrs: Attr[] = [];
    const words: string[] = [];
    let type: TypeSpec | null = null;
    let inline = false;
    for (;;) {
      const t = this.peek();
      if (!t || t.kind !== 'id') break;
      const w = t.text;
      if (STORAGE.has(w)) { storage.push(w); this.i++; continue; }
      if (INLINE.has(w)) { inline = true; this.i++; continue; }
      if (QUALIFIERS.has(w)) { quals.push(w); this.i++; continue; }
      if (w === '__extension__') { this.i++; continue; }
      if (ATTRIBUTE.has(w)) { attrs.push(...this.attributes()); continue; }
      if (w === '_Alignas') {
        this.i++;
        this.expect('(');
        attrs.push({ name: 'aligned', args: [this.startsType() ? this.sizeofOfType() : this.conditional()], loc: t.loc });
        this.expect(')');
        continue;
      }
      if (BASE_WORDS.has(w)) {
        if (type) throw cError(t.loc, `two or more data types in declaration specifiers ('${w}')`);
        words.push(w);
        this.i++;
        continue;
      }
      if (type || words.length > 0) break;
      if (TYPEOF.has(w)) {
        this.i++;
        this.expect('(');
        if (this.startsType()) {
          type = { k: 'typeof', expr: null, type: this.typeName(), loc: t.loc };
        } else {
          type = { k: 'typeof', expr: this.expression(), type: null, loc: t.loc };
        }
        this.expect(')');
        if (w.includes('unqual')) quals.push('__unqual');
        continue;
      }
      if (w === 'struct' || w === 'union') { this.i++; type = this.structSpec(w === 'union', t.loc); continue; }
      if (w === 'enum') { this.i++; type = this.enumSpec(t.loc); continue; }
      if (this.isTypedef(w)) {
        // `T x` declares x of type T; in `T;` or `f(T)` T is the type.
        this.i++;
        type = { k: 'typedef', name: w, loc: t.loc };
        continue;
      }
      break;
    }
    if (!type) {
      const t = this.peek();
      if (words.length === 0 && t?.kind === 'id' && (this.peek(1)?.kind === 'id' || this.at('*', 1))) throw cError(t.loc, `unknown type name '${t.text}'`);
      if (words.length === 0) throw cError(loc, `expected a type${t ? ` before '${t.text}'` : ''}`);
      type = { k: 'base', words, loc };
    } else if (words.length > 0) {
      throw cError(loc, 'two or more data types in declaration specifiers');
    }
    return { type, storage, quals, attrs, inline, loc };
  }

  private sizeofOfType(): Expr {
    const loc = this.loc();
    return { k: 'sizeof', type: this.typeName(), arg: null, align: true, loc };
  }

  private structSpec(union: boolean, loc: Loc): TypeSpec {
    this.attributes();
    const name = this.peek()?.kind === 'id' && !this.at('{') ? this.next().text : null;
    if (!this.eat('{')) {
      if (name === null) throw cError(loc, `expected a ${union ? 'union' : 'struct'} name or '{'`);
      return { k: 'struct', union, name, fields: null, loc };
    }
    const fields: Decl[] = [];
    while (!this.eat('}')) {
      const floc = this.loc();
      const spec = this.specifiers();
      const declarators: Declarator[] = [];
      if (!this.at(';')) {
        for (;;) {
          const d = this.at(':') ? { name: '', derivs: [], init: null, attrs: [], loc: this.loc() } : this.declarator(spec, false);
          if (this.eat(':')) throw unsupported(d.loc, `bit-field '${d.name}'`, 'use a whole integer field and masks');
          declarators.push({ ...d, attrs: [...d.attrs, ...this.attributes()] });
          if (!this.eat(',')) break;
        }
      }
      this.expect(';', 'after a struct member');
      fields.push({ k: 'decl', spec, declarators, loc: floc });
    }
    const attrs = [...this.attributes()];
    return { k: 'struct', union, name, fields, attrs, loc };
  }

  private enumSpec(loc: Loc): TypeSpec {
    this.attributes();
    const name = this.peek()?.kind === 'id' && !this.at('{') ? this.next().text : null;
    if (!this.eat('{')) return { k: 'enum', name, items: null, loc };
    const items: EnumItem[] = [];
    while (!this.at('}')) {
      const t = this.ident('an enumerator');
      const value = this.eat('=') ? this.conditional() : null;
      items.push({ name: t.text, value, loc: t.loc });
      this.declare(t.text, false);
      if (!this.eat(',')) break;
    }
    this.expect('}');
    return { k: 'enum', name, items, loc };
  }

  /** A declarator; `abstract` allows the name to be missing (type names, parameters). */
  declarator(spec: Specifiers, abstract: boolean): Declarator {
    void spec;
    const loc = this.loc();
    const { name, derivs, nameLoc, attrs } = this.declaratorInner(abstract);
    if (name === null && !abstract) throw cError(loc, `expected an identifier${this.peek() ? ` before '${this.peek()!.text}'` : ''}`);
    return { name: name ?? '', derivs, init: null, attrs, loc: nameLoc ?? loc };
  }

  /**
   * Returns the derivations in application order to the base type: for
   * `*a[3]` → [ptr, array] means array(3) of pointer (the pointer applies first).
   */
  private declaratorInner(abstract: boolean): { name: string | null; derivs: Deriv[]; nameLoc: Loc | null; attrs: Attr[] } {
    const ptrs: Deriv[] = [];
    const attrs: Attr[] = [];
    while (this.at('*')) {
      this.next();
      const quals: string[] = [];
      for (;;) {
        const w = this.peek()?.text ?? '';
        if (QUALIFIERS.has(w)) { quals.push(w); this.i++; continue; }
        if (ATTRIBUTE.has(w)) { attrs.push(...this.attributes()); continue; }
        break;
      }
      ptrs.push({ k: 'ptr', quals });
    }
    attrs.push(...this.attributes());
    let name: string | null = null;
    let nameLoc: Loc | null = null;
    let inner: Deriv[] = [];
    if (this.at('(') && (this.at('*', 1) || this.at('(', 1) || (this.peek(1)?.kind === 'id' && !this.startsType(1) && !abstract))) {
      this.next();
      const r = this.declaratorInner(abstract);
      this.expect(')');
      name = r.name;
      nameLoc = r.nameLoc;
      inner = r.derivs;
      attrs.push(...r.attrs);
    } else if (this.peek()?.kind === 'id' && !this.startsType()) {
      const t = this.next();
      name = t.text;
      nameLoc = t.loc;
    }
    const suffix: Deriv[] = [];
    for (;;) {
      if (this.eat('[')) {
        const size = this.at(']') ? null : this.assignment();
        this.expect(']');
        suffix.push({ k: 'array', size });
      } else if (this.at('(')) {
        this.next();
        suffix.push(this.paramList());
      } else break;
    }
    attrs.push(...this.attributes());
    // Suffixes bind tighter than the pointers before the name; the inner
    // declarator applies last. `int *f(void)`: func returning ptr → [ptr, func].
    return { name, derivs: [...ptrs, ...suffix.reverse(), ...inner], nameLoc, attrs };
  }

  private paramList(): Deriv {
    const params: Param[] = [];
    let variadic = false;
    if (this.at('void') && this.at(')', 1)) {
      this.i += 2;
      return { k: 'func', params, variadic };
    }
    if (this.eat(')')) return { k: 'func', params, variadic };
    for (;;) {
      if (this.eat('...')) {
        variadic = true;
        break;
      }
      const loc = this.loc();
      const spec = this.specifiers();
      const d = this.declarator(spec, true);
      params.push({ name: d.name === '' ? null : d.name, spec, derivs: d.derivs, loc: d.name === '' ? loc : d.loc });
      if (!this.eat(',')) break;
    }
    this.expect(')', 'after the parameters');
    return { k: 'func', params, variadic };
  }

  typeName(): TypeName {
    const loc = this.loc();
    const spec = this.specifiers();
    const d = this.declarator(spec, true);
    if (d.name !== '') throw cError(d.loc, `unexpected name '${d.name}' in a type name`);
    return { spec, derivs: d.derivs, loc };
  }

  // ---- statements ----

  block(scope = true): Block {
    const loc = this.expect('{').loc;
    if (scope) this.push();
    const items: Stmt[] = [];
    while (!this.at('}')) {
      if (!this.peek()) throw cError(loc, "expected '}' at end of input (this '{' is not closed)");
      items.push(this.statement());
    }
    this.next();
    if (scope) this.pop();
    return { k: 'block', items, loc };
  }

  private statement(): Stmt {
    const t = this.peek()!;
    const loc = t.loc;
    if (t.kind === 'id' && this.at(':', 1) && !this.isTypedef(t.text) && !['default', 'case'].includes(t.text)) {
      this.i += 2;
      this.attributes();
      const body = this.at('}') ? ({ k: 'empty', loc } as Stmt) : this.statement();
      return { k: 'label', label: t.text, body, loc };
    }
    if (t.kind === 'id' && !this.isTypedef(t.text)) {
      switch (t.text) {
        case 'if': {
          this.next();
          this.expect('(');
          const test = this.expression();
          this.expect(')');
          const then = this.statement();
          const els = this.eat('else') ? this.statement() : null;
          return { k: 'if', test, then, else: els, loc };
        }
        case 'while': {
          this.next();
          this.expect('(');
          const test = this.expression();
          this.expect(')');
          return { k: 'while', test, body: this.statement(), loc };
        }
        case 'do': {
          this.next();
          const body = this.statement();
          this.expect('while');
          this.expect('(');
          const test = this.expression();
          this.expect(')');
          this.expect(';');
          return { k: 'do', body, test, loc };
        }
        case 'for': {
          this.next();
          this.expect('(');
          this.push();
          let init: Decl | Expr | null = null;
          if (this.startsType()) {
            const dloc = this.loc();
            const spec = this.specifiers();
            init = this.declRest(spec, this.declarator(spec, false), dloc);
          } else {
            if (!this.at(';')) init = this.expression();
            this.expect(';');
          }
          const test = this.at(';') ? null : this.expression();
          this.expect(';');
          const step = this.at(')') ? null : this.expression();
          this.expect(')');
          const body = this.statement();
          this.pop();
          return { k: 'for', init, test, step, body, loc };
        }
        case 'switch': {
          this.next();
          this.expect('(');
          const test = this.expression();
          this.expect(')');
          return { k: 'switch', test, body: this.statement(), loc };
        }
        case 'case': {
          this.next();
          const value = this.conditional();
          const high = this.eat('...') ? this.conditional() : null;
          this.expect(':');
          const body = this.at('}') ? ({ k: 'empty', loc } as Stmt) : this.statement();
          return { k: 'case', value, high, body, loc };
        }
        case 'default': {
          this.next();
          this.expect(':');
          const body = this.at('}') ? ({ k: 'empty', loc } as Stmt) : this.statement();
          return { k: 'case', value: null, high: null, body, loc };
        }
        case 'break': this.next(); this.expect(';'); return { k: 'break', loc };
        case 'continue': this.next(); this.expect(';'); return { k: 'continue', loc };
        case 'return': {
          this.next();
          const value = this.at(';') ? null : this.expression();
          this.expect(';', 'after return');
          return { k: 'return', value, loc };
        }
        case 'goto': {
          this.next();
          if (this.at('*')) throw unsupported(loc, 'computed goto', 'use a switch');
          const label = this.ident('a label').text;
          this.expect(';');
          return { k: 'goto', label, loc };
        }
        case 'asm': case '__asm__': case '__asm':
          throw unsupported(loc, 'inline assembly', 'write the operation in C with the per-CPU API (this_cpu_*, raw_cpu_*)');
        default:
      }
    }
    if (this.at('{')) return this.block();
    if (this.eat(';')) return { k: 'empty', loc };
    if (this.at('_Static_assert')) {
      this.staticAssert();
      return { k: 'empty', loc };
    }
    if (this.startsType()) {
      const spec = this.specifiers();
      if (this.eat(';')) return { k: 'decl', spec, declarators: [], loc };
      return this.declRest(spec, this.declarator(spec, false), loc);
    }
    const expr = this.expression();
    this.expect(';', 'after an expression');
    return { k: 'expr', expr, loc };
  }

  // ---- expressions ----

  expression(): Expr {
    let e = this.assignment();
    while (this.at(',')) {
      const loc = this.next().loc;
      e = { k: 'comma', left: e, right: this.assignment(), loc };
    }
    return e;
  }

  assignment(): Expr {
    const left = this.conditional();
    const t = this.peek();
    if (t && t.kind === 'punct' && ASSIGN_OPS.has(t.text)) {
      this.next();
      return { k: 'assign', op: t.text, left, right: this.assignment(), loc: t.loc };
    }
    return left;
  }

  conditional(): Expr {
    const test = this.binary(1);
    if (!this.at('?')) return test;
    const loc = this.next().loc;
    // GNU `a ?: b` is a ? a : b with a evaluated once.
    const then = this.at(':') ? null : this.expression();
    this.expect(':');
    const els = this.conditional();
    if (then === null) throw unsupported(loc, "the GNU '?:' with an omitted middle operand", 'write the middle operand out');
    return { k: 'cond', test, then, else: els, loc };
  }

  private binary(min: number): Expr {
    let left = this.unary();
    for (;;) {
      const t = this.peek();
      const p = t && t.kind === 'punct' ? BINARY_PREC[t.text] : undefined;
      if (p === undefined || p < min) return left;
      this.next();
      const right = this.binary(p + 1);
      left = { k: 'binary', op: t!.text, left, right, loc: t!.loc };
    }
  }

  private unary(): Expr {
    const t = this.peek();
    if (!t) throw cError(this.loc(), 'expected an expression before end of file');
    const loc = t.loc;
    if (t.kind === 'punct' && ['-', '+', '!', '~', '*', '&', '++', '--'].includes(t.text)) {
      this.next();
      return { k: 'unary', op: t.text, arg: this.unary(), loc };
    }
    if (t.kind === 'punct' && t.text === '&&') throw unsupported(loc, "the address of a label ('&&label')", 'use a switch');
    if (t.kind === 'id' && (t.text === 'sizeof' || t.text === '_Alignof' || t.text === '__alignof__' || t.text === 'alignof')) {
      this.next();
      const align = t.text !== 'sizeof';
      if (this.at('(') && this.startsType(1)) {
        this.next();
        const type = this.typeName();
        this.expect(')');
        if (this.at('{')) {
          const init = this.initializer();
          return { k: 'sizeof', type: null, arg: this.postfixOps({ k: 'compound', type, init, loc }), align, loc };
        }
        return { k: 'sizeof', type, arg: null, align, loc };
      }
      return { k: 'sizeof', type: null, arg: this.unary(), align, loc };
    }
    if (t.kind === 'id' && t.text === '__extension__') {
      this.next();
      return this.unary();
    }
    if (t.kind === 'punct' && t.text === '(' && this.startsType(1)) {
      this.next();
      const type = this.typeName();
      this.expect(')');
      if (this.at('{')) {
        const init = this.initializer();
        return this.postfixOps({ k: 'compound', type, init, loc });
      }
      return { k: 'cast', type, arg: this.unary(), loc };
    }
    return this.postfixOps(this.primary());
  }

  private postfixOps(e: Expr): Expr {
    for (;;) {
      const t = this.peek();
      if (!t || t.kind !== 'punct') return e;
      if (t.text === '(') {
        this.next();
        const args: Expr[] = [];
        if (!this.at(')')) {
          args.push(this.assignment());
          while (this.eat(',')) args.push(this.assignment());
        }
        this.expect(')', 'after the arguments');
        e = { k: 'call', fn: e, args, loc: e.loc };
      } else if (t.text === '[') {
        this.next();
        const index = this.expression();
        this.expect(']');
        e = { k: 'index', base: e, index, loc: t.loc };
      } else if (t.text === '.' || t.text === '->') {
        this.next();
        e = { k: 'member', base: e, name: this.ident('a member name').text, arrow: t.text === '->', loc: t.loc };
      } else if (t.text === '++' || t.text === '--') {
        this.next();
        e = { k: 'postfix', op: t.text, arg: e, loc: t.loc };
      } else {
        return e;
      }
    }
  }

  private primary(): Expr {
    const t = this.next();
    const loc = t.loc;
    switch (t.kind) {
      case 'num': return { k: 'num', text: t.text, loc };
      case 'char': return { k: 'char', text: t.text, loc };
      case 'str': {
        let text = t.text;
        while (this.peek()?.kind === 'str') text = `${text.slice(0, -1)}${this.next().text.slice(1)}`;
        return { k: 'str', text, loc };
      }
      case 'id':
        if (t.text === '__builtin_offsetof' || t.text === 'offsetof') {
          this.expect('(');
          const type = this.typeName();
          this.expect(',');
          const path: Designator[] = [{ k: 'field', name: this.ident('a member name').text, loc: this.toks[this.i - 1].loc }];
          for (;;) {
            const dl = this.loc();
            if (this.eat('.')) path.push({ k: 'field', name: this.ident('a member name').text, loc: dl });
            else if (this.eat('[')) {
              path.push({ k: 'index', index: this.expression(), loc: dl });
              this.expect(']');
            } else break;
          }
          this.expect(')');
          return { k: 'offsetof', type, path, loc };
        }
        return { k: 'id', name: t.text, loc };
      default:
    }
    if (t.text === '(') {
      if (this.at('{')) {
        this.push();
        const body = this.block(false);
        this.pop();
        this.expect(')', 'after a statement expression');
        return { k: 'stmtexpr', body, loc };
      }
      const e = this.expression();
      this.expect(')');
      return e;
    }
    throw cError(loc, `expected an expression before '${t.text}'`);
  }
}
