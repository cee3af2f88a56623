/**
 * From a parsed C translation unit to the TypeScript of one module flavour.
 *
 * The module exports `instantiate(m)`, called before `m.boot()`: it defines
 * the file's per-CPU variables on the machine, binds the sized ops of the
 * machine's architecture once, and returns the file's functions as closures
 * over the machine (so a call is a direct call; nothing is looked up per
 * access). Integer values are exact: types up to 32 bits are numbers kept in
 * their C range after every operation, 64-bit types are bigints.
 *
 * Flavours: `fast` emits plain functions; `stepped` emits generator functions
 * in which every access to memory outside the function's locals is one step
 * (a per-CPU op is `yield*` of the generated stepped op, so the
 * architecture's instruction sequence decides where preemption and interrupts
 * can strike), and each statement first records its `file.c:line` in the
 * running context, which the scheduler prints next to every step.
 */
import type {
  Block, Decl, Declarator, Deriv, Expr, FuncDef, Harness, Init, Specifiers, Stmt, TranslationUnit, TypeName,
} from '../c/ast.js';
import { cError, unsupported } from '../c/errors.js';
import type { Loc } from '../c/lex.js';
import { charValue, parseIntLiteral } from '../c/preprocess.js';
import { completeRecord, declareRecord, memberRef, type MemberDecl } from '../c/layout.js';
import { ctypes } from '../c/kernel-types.js';
import type { TypeScope } from '../c/scope.js';
import { isScalar as isLScalar, type CType as LType, type RecordType } from '../c/types.js';
import {
  BOOL, CHAR, INT, LONG, LLONG, UINT, ULONG, ULLONG, VOID, baseType, fits, fromLayout, isBig, layoutOf, literal, maxOf, named, promote,
  sameType, scalarName, sizeOf, typeName, usualArithmetic, wrap, type CType, type IntType,
} from './ctype.js';
import { assigned, storesNothing, storesNothingThrough } from './effects.js';
import { FUNCTIONS, OBJECTS, type CallParts } from './runtime.js';

export type Flavour = 'fast' | 'stepped';

export interface TranslateOptions {
  readonly flavour: Flavour;
  /** The source as named in messages, headers and traces (`examples/kernel/x.c`). */
  readonly file: string;
  /** Sized op names every architecture generates (the translator calls only those). */
  readonly ops: ReadonlySet<string>;
  /** A TypeScript module providing functions the C declares but does not define (--stubs). */
  readonly stubs?: { readonly module: string; readonly names: ReadonlySet<string> };
  /** CONFIG_PREEMPT_RT: the kernel types (spinlock_t, local_lock_t) take that configuration's layout. */
  readonly preemptRT?: boolean;
}

/** What the module's harness says (PERCPU_* macros of <percpu-sim.h>). */
export interface HarnessInfo {
  readonly cpus: number | null;
  readonly bound: number | null;
  readonly debugPreempt: boolean;
  readonly tasks: readonly { name: string; cpu: number; fn: string; pinned: boolean }[];
  readonly irqs: readonly { name: string; fn: string; budget: number }[];
  readonly nmis: readonly { name: string; fn: string; budget: number }[];
  readonly softirqs: readonly { nr: number; fn: string; budget: number }[];
  readonly checks: readonly string[];
  readonly always: readonly string[];
  /** PERCPU_INIT functions: run once the machine has booted, before any task (allocations, lock init). */
  readonly inits: readonly string[];
}

export interface Translation {
  /** The module body (after the imports). */
  readonly body: string;
  /** Imports: module (repo-relative, no extension) → names. */
  readonly imports: ReadonlyMap<string, ReadonlySet<string>>;
  readonly harness: HarnessInfo;
  /** Sized ops called, sorted (each bound once from the architecture's table). */
  readonly ops: readonly string[];
  /** The functions defined in the file, with their C types (for tests and tools that call them). */
  readonly functions: readonly { readonly name: string; readonly ts: string; readonly type: Extract<CType, { k: 'func' }> }[];
}

type Sym =
  | { readonly k: 'local'; readonly ts: string; readonly type: CType }
  | { readonly k: 'global'; readonly ts: string; readonly type: CType; readonly cname: string }
  | { readonly k: 'percpu'; readonly ts: string; readonly type: CType; defined: boolean; readonly loc: Loc }
  | { readonly k: 'func'; readonly ts: string; readonly type: Extract<CType, { k: 'func' }>; def: FuncDef | null; readonly loc: Loc }
  | { readonly k: 'const'; readonly value: bigint; readonly type: IntType }
  | { readonly k: 'object'; readonly ts: string; readonly type: CType };

/** A translated expression: its TypeScript, its C type, its value when constant. */
interface TE {
  readonly ts: string;
  readonly type: CType;
  readonly cst?: bigint;
  /** A string literal (only as an argument of a runtime binding). */
  readonly str?: boolean;
  /** A per-CPU variable's address (`&x`): member pointers from it are made once. */
  readonly pcpuConst?: boolean;
  /** The value as a TypeScript boolean, where the translation has one (a bool op's result): what a condition tests. */
  readonly test?: string;
  /** A 64-bit `+ - * & | ^`: the operator and its operands, before their conversion (a narrowing computes in 32 bits). */
  readonly parts?: { readonly op: string; readonly l: TE; readonly r: TE };
}

/** An lvalue: how to read and write it (`v` given to write must be a simple operand). */
interface LV {
  readonly type: CType;
  /** Comma-expression parts that must run first (temporaries for the address). */
  readonly setup: readonly string[];
  read(): string;
  write(v: string): string;
  /** Writes `v` (any expression, evaluated once) where the value of the assignment is not used. */
  store?(v: string): string;
  /** A per-CPU object: usable only as the pcp of an op, through & and members. */
  readonly pcpu?: PcpuPlace;
  readonly local?: string;
  /** An object in ordinary memory: its address (a TypeScript number expression, simple after setup). */
  readonly addr?: string;
}

/** Where a per-CPU object is: `off` bytes (plus `dyn`) into what the per-CPU pointer `base` points to. */
/** An out parameter's box (Translator.outParam): what the call takes, and the statements around it. */
interface OutParam {
  readonly box: string;
  /** Fills the box from the local, before the call. */
  readonly set: string;
  /** Copies the value the callee left in the box back to the local, after the call. */
  readonly back: string;
}

interface PcpuPlace {
  readonly base: string;
  readonly off: number;
  readonly dyn: string | null;
  /** `base` is a per-CPU variable of the file: a member pointer at a constant offset is made once. */
  readonly hoist: boolean;
  /** The place is all of what `base` points to (not a member of it). */
  readonly whole: boolean;
  readonly sym: string;
}

const TS_RESERVED = new Set([
  'm', 'arguments', 'await', 'break', 'case', 'catch', 'class', 'const', 'continue', 'debugger', 'default', 'delete', 'do', 'else', 'enum',
  'eval', 'export', 'extends', 'false', 'finally', 'for', 'function', 'if', 'implements', 'import', 'in', 'instanceof', 'interface', 'let',
  'new', 'null', 'package', 'private', 'protected', 'public', 'return', 'static', 'super', 'switch', 'this', 'throw', 'true', 'try',
  'typeof', 'var', 'void', 'while', 'with', 'yield', 'undefined', 'NaN', 'Infinity', 'Number', 'BigInt', 'Math', 'Object', 'Symbol',
  'warnings', 'instantiate', 'drain', 'ops', 'any', 'number', 'bigint', 'string', 'boolean',
  // What the stepped module's harness defines beside the file's functions (cc/compile.ts).
  'init', 'check', 'final', 'tasks', 'irqs', 'nmis', 'softirqs', 'SOURCE', 'HARNESS', 'ARCH_OPS',
]);

const SIZE_CALLS: Record<string, 'void' | 'value' | 'bool'> = {
  __pcpu_size_call: 'void', __pcpu_size_call_return: 'value', __pcpu_size_call_return2: 'value', __pcpu_size_call_return2bool: 'bool',
};

const SECTIONS: Record<string, string> = {
  '.data..percpu': 'DEFINE_PER_CPU',
  '.data..percpu..shared_aligned': 'DEFINE_PER_CPU_SHARED_ALIGNED',
  '.data..percpu..page_aligned': 'DEFINE_PER_CPU_PAGE_ALIGNED',
  '.data..percpu..read_mostly': 'DEFINE_PER_CPU_READ_MOSTLY',
  '.data..percpu..hot': 'DEFINE_PER_CPU_CACHE_HOT',
};

function tsType(t: CType): string {
  if (t.k === 'int') return t.size === 8 ? 'bigint' : 'number';
  if (t.k === 'ptr') return t.percpu ? 'PerCpuPtr<any>' : t.to.k === 'struct' && t.to.tag === 'cpumask' ? 'Cpumask' : 'number';
  return 'void';
}

function zero(t: CType): string {
  return t.k === 'int' && t.size === 8 ? '0n' : '0';
}

function line(loc: Loc): string {
  return `${loc.file}:${loc.line}`;
}

/**
 * `ts` without the pair of parentheses around the whole of it, when it has
 * one. Subexpressions are parenthesized as they are built; where the grammar
 * already delimits the expression (a statement, a condition, a return value,
 * the right side of `=` or a call's argument when no comma is at its top
 * level) the pair only
 * gives the validation more to parse and check. String literals are skipped;
 * a template literal leaves `ts` as it is.
 */
function bare(ts: string, commaOk = true): string {
  if (ts.length < 2 || ts[0] !== '(' || ts[ts.length - 1] !== ')') return ts;
  let depth = 0;
  let comma = false;
  for (let i = 0; i < ts.length; i++) {
    const c = ts[i];
    if (c === "'" || c === '"') {
      for (i++; i < ts.length && ts[i] !== c; i++) if (ts[i] === '\\') i++;
    } else if (c === '`') {
      return ts;
    } else if (c === '(' || c === '[' || c === '{') {
      depth++;
    } else if (c === ')' || c === ']' || c === '}') {
      if (--depth === 0 && i < ts.length - 1) return ts;
    } else if (c === ',' && depth === 1) {
      comma = true;
    }
  }
  return comma && !commaOk ? ts : ts.slice(1, -1);
}

/** X of `BigInt.asIntN(64, X)` or `BigInt.asUintN(64, X)` when that call is the whole of `ts`. */
function wrapped64(ts: string): string | undefined {
  const m = /^BigInt\.as(?:Int|Uint)N\(64, /.exec(ts);
  if (!m) return undefined;
  const call = `(${ts.slice(m[0].length)}`;
  const x = bare(call);
  return x === call ? undefined : x;
}

/** An expression as a statement (or a for clause): bare, unless it would then read as a block, a declaration or a function. */
function statement(ts: string): string {
  const b = bare(ts);
  return /^(?:\{|function\b|class\b|let\b|async\b)/.test(b) ? ts : b;
}

/** `ts` is one operand as it stands: a name, a number, or a call or parenthesized group that spans all of it. */
function atom(ts: string): boolean {
  if (simple(ts)) return true;
  const open = /^(?:[A-Za-z_$][\w$.]*)?\(/.exec(ts);
  return open !== null && bare(ts.slice(open[0].length - 1)) !== ts.slice(open[0].length - 1) && ts.slice(open[0].length - 1).startsWith('(');
}

function simple(ts: string): boolean {
  return /^[A-Za-z_$][\w$]*$/.test(ts) || /^\(?-?\d+n?\)?$/.test(ts);
}

export class Translator {
  private readonly scopes: Map<string, Sym>[] = [new Map()];
  private readonly typedefs = new Map<string, CType>();
  private readonly tags = new Set<string>();
  private readonly imports = new Map<string, Set<string>>();
  private readonly usedOps = new Set<string>();
  private readonly usedNames = new Set<string>();
  private readonly out: string[] = [];
  private readonly defines: string[] = [];
  private readonly harness: {
    cpus: number | null; bound: number | null; debugPreempt: boolean;
    tasks: { name: string; cpu: number; fn: string; pinned: boolean }[]; irqs: { name: string; fn: string; budget: number }[];
    nmis: { name: string; fn: string; budget: number }[]; softirqs: { nr: number; fn: string; budget: number }[];
    checks: string[]; always: string[]; inits: string[];
  } = { cpus: null, bound: null, debugPreempt: true, tasks: [], irqs: [], nmis: [], softirqs: [], checks: [], always: [], inits: [] };

  // Per function being translated.
  private fnName = '';
  private fnRet: CType = VOID;
  private locals: { ts: string; type: string; init: string }[] = [];
  private tempN = 0;
  private labels = new Set<string>();
  private indent = 1;
  /** Inside typeof/sizeof: nothing is evaluated, so a per-CPU variable may be named. */
  private typeOnly = false;
  /** The kernel types of the configuration translated for, and the file's own records. */
  private readonly kscope: TypeScope;
  private readonly records = new Map<string, CType>();
  /** Type constructions, member pointers made once, and whether per-CPU pointers live in memory. */
  private readonly typeDecls: string[] = [];
  private readonly typeVars = new Map<LType, string>();
  private readonly hoisted = new Map<string, string>();
  private readonly memberPtrs: string[] = [];
  /** kptr_site() call sites made so far (`$kp1`, …). */
  private sites = 0;
  private needPcpuMem = false;

  constructor(private readonly unit: TranslationUnit, private readonly opts: TranslateOptions) {
    for (const n of TS_RESERVED) this.usedNames.add(n);
    this.kscope = ctypes({ preemptRT: opts.preemptRT === true });
  }

  private get stepped(): boolean {
    return this.opts.flavour === 'stepped';
  }

  private need(mod: string, name: string): void {
    let s = this.imports.get(mod);
    if (!s) this.imports.set(mod, (s = new Set()));
    s.add(name);
  }

  private emit(text: string): void {
    this.out.push(`${'  '.repeat(this.indent)}${text}`);
  }

  private lookup(name: string): Sym | undefined {
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      const s = this.scopes[i].get(name);
      if (s) {
        if (this.cold !== null && s.k === 'local' && i > 0 && i < this.cold.depth) this.cold.used.add(s.ts);
        return s;
      }
    }
    return undefined;
  }

  /** A TypeScript name for a C identifier, unique in the module. */
  private fresh(base: string): string {
    let name = TS_RESERVED.has(base) || base.includes('$') ? `${base.replace(/\$/g, '_')}_` : base;
    let n = 1;
    const root = name;
    while (this.usedNames.has(name)) name = `${root}_${n++}`;
    this.usedNames.add(name);
    return name;
  }

  private temp(type: CType | string): string {
    const name = `$t${++this.tempN}`;
    const ts = typeof type === 'string' ? type : tsType(type);
    // An out-parameter box is made once per call and refilled (`$t.value = …`) at each use, as a loop would otherwise allocate one per pass.
    const box = /^\{ value: (number|bigint) \}$/.exec(ts);
    const init = ts === 'bigint' ? '0n' : ts === 'number' ? '0' : box ? `{ value: ${box[1] === 'bigint' ? '0n' : '0'} }` : 'undefined as any';
    this.locals.push({ ts: name, type: ts, init });
    return name;
  }

  run(): Translation {
    for (const item of this.unit.items) {
      if (item.k === 'func') this.declareFunc(item.spec, item.declarator, item);
      else if (item.k === 'decl') this.fileDecl(item);
      else this.harnessItem(item);
    }
    for (const [name, s] of this.scopes[0]) {
      if (s.k === 'percpu' && !s.defined) {
        throw cError(s.loc, `per-CPU variable '${name}' is declared (DECLARE_PER_CPU) but not defined in this file: add DEFINE_PER_CPU(type, ${name})`);
      }
    }
    const fnOut: string[] = [];
    for (const item of this.unit.items) {
      if (item.k !== 'func') continue;
      this.out.length = 0;
      this.func(item);
      fnOut.push(...this.out, '');
    }
    const body: string[] = [];
    const rt = this.opts.preemptRT === true;
    body.push(`  if (m.preemptRT !== ${rt}) throw new Error('${this.opts.file} was translated for a kernel ${rt ? 'with' : 'without'} PREEMPT_RT; translate it again ${rt ? 'without' : 'with'} --rt for this machine');`);
    if (this.typeDecls.length > 0 || [...this.defines, ...this.memberPtrs, ...fnOut].some((l) => l.includes('ct.parse('))) {
      this.need('c/scope', 'TypeScope');
      body.push('  const ct = new TypeScope(m.ctypes);');
      body.push(...this.typeDecls.map((d) => `  ${d}`));
    }
    body.push(...this.defines.map((d) => `  ${d}`));
    body.push(...this.memberPtrs.map((d) => `  ${d}`));
    if (this.needPcpuMem) {
      // A __percpu pointer in memory holds its offset, as the kernel's does; loads map it back to the pointer.
      body.push('  const pcpuStored = new Map<number, PerCpuPtr<any>>();');
      // The pointer loaded last, kept: a loop reloads the same member pointer on every pass.
      body.push('  let pcpuLastKey = -1;');
      body.push('  let pcpuLast: PerCpuPtr<any> | null = null;');
      body.push('  const pcpu_to = (p: PerCpuPtr<any> | null): bigint => {');
      body.push('    if (p === null) return 0n;');
      body.push('    pcpuStored.set(p.off, p);');
      body.push('    if (p.off === pcpuLastKey) pcpuLast = p;');
      body.push('    return BigInt(p.off);');
      body.push('  };');
      // Any other value: the lookup, kept out of pcpu_from so that V8 inlines the test for the last pointer wherever a load is.
      body.push('  const pcpu_lookup = (k: number): PerCpuPtr<any> => {');
      body.push('    if (k === 0) return null as unknown as PerCpuPtr<any>;');
      body.push('    const p = pcpuStored.get(k);');
      body.push("    if (p === undefined) throw new Error(`a __percpu pointer loaded from memory (0x${k.toString(16)}) was never stored there by this file's code`);");
      body.push('    pcpuLastKey = k;');
      body.push('    pcpuLast = p;');
      body.push('    return p;');
      body.push('  };');
      if (this.stepped) {
        // The stepped flavour's load is a step of its own (the u64 it reads); this maps the value.
        body.push('  const pcpu_from = (v: bigint): PerCpuPtr<any> => (Number(v) === pcpuLastKey ? pcpuLast as PerCpuPtr<any> : pcpu_lookup(Number(v)));');
      } else {
        // The fast flavour's load and its mapping are one call per use: a function that loads a
        // __percpu pointer stays small enough for V8 to inline it into its callers.
        this.need('src/mm/access', 'load_ptr');
        body.push('  const pcpu_load = (a: number): PerCpuPtr<any> => {');
        body.push('    const k = load_ptr(m, a);');
        body.push('    return k === pcpuLastKey ? pcpuLast as PerCpuPtr<any> : pcpu_lookup(k);');
        body.push('  };');
      }
    }
    body.push('  const warnings: string[] = [];');
    body.push(...fnOut);
    const functions = [...this.scopes[0]].flatMap(([name, sym]) => (sym.k === 'func' && sym.def ? [{ name, ts: sym.ts, type: sym.type }] : []));
    return { body: body.join('\n'), imports: this.imports, harness: this.harness, ops: [...this.usedOps].sort(), functions };
  }

  // ---- types ----

  private resolveSpec(spec: Specifiers): CType {
    const t = spec.type;
    switch (t.k) {
      case 'base': {
        const b = baseType(t.words);
        if (!b) {
          if (t.words.includes('float') || t.words.includes('double')) throw unsupported(t.loc, 'floating point', 'the kernel does not use the FPU in this code: use integers');
          if (t.words.includes('__int128')) throw unsupported(t.loc, '__int128', 'use u64 pairs');
          throw cError(t.loc, `invalid combination of type specifiers '${t.words.join(' ')}'`);
        }
        return b;
      }
      case 'typedef': {
        const d = this.typedefs.get(t.name);
        if (!d) throw cError(t.loc, `unknown type name '${t.name}'`);
        return d;
      }
      case 'typeof':
        if (t.type) return this.resolveTypeName(t.type);
        return this.typeOf(t.expr!);
      case 'enum':
        if (t.items) this.enumItems(t.items);
        return INT;
      case 'struct':
        if (t.fields === null && t.name === 'cpumask' && !t.union) {
          this.tags.add(t.name);
          return { k: 'struct', tag: t.name, union: false };
        }
        return this.record(t);
    }
  }

  private enumItems(items: readonly { name: string; value: Expr | null; loc: Loc }[]): void {
    let next = 0n;
    for (const it of items) {
      if (it.value) {
        const v = this.rvalue(it.value);
        if (v.cst === undefined) throw cError(it.loc, `enumerator value for '${it.name}' is not an integer constant`);
        next = v.cst;
      }
      if (next < -(1n << 31n) || next >= 1n << 31n) throw unsupported(it.loc, `enumerator '${it.name}' = ${next} outside int`, 'keep enumerators in int range');
      this.scopes[this.scopes.length - 1].set(it.name, { k: 'const', value: next, type: INT });
      next++;
    }
  }

  private derive(base: CType, derivs: readonly Deriv[], quals: readonly string[], loc: Loc): CType {
    let t = base;
    let percpu = quals.includes('__percpu');
    let constQ = quals.includes('const');
    for (const d of derivs) {
      if (d.k === 'ptr') {
        t = { k: 'ptr', to: t, percpu, constTo: constQ };
        percpu = d.quals.includes('__percpu');
        constQ = d.quals.includes('const');
      } else if (d.k === 'array') {
        let len: number | null = null;
        if (d.size !== null) {
          const n = this.rvalue(d.size);
          if (n.cst === undefined) throw unsupported(loc, 'a variable-length array', 'give the array a constant size');
          if (n.cst < 0n) throw cError(loc, 'size of array is negative');
          len = Number(n.cst);
        }
        if (t.k === 'void' || t.k === 'func') throw cError(loc, `declaration of array of '${typeName(t)}'`);
        t = { k: 'array', of: t, len };
      } else {
        const params = d.params.map((p) => {
          const pt = this.derive(this.resolveSpec(p.spec), p.derivs, p.spec.quals, p.loc);
          return pt;
        });
        t = { k: 'func', ret: t, params, variadic: d.variadic, proto: true };
        percpu = false;
      }
    }
    return t;
  }

  private resolveTypeName(tn: TypeName): CType {
    return this.derive(this.resolveSpec(tn.spec), tn.derivs, tn.spec.quals, tn.loc);
  }

  /** The type of an expression as sizeof sees it: an array stays an array. */
  private typeOfNoDecay(e: Expr): CType {
    if (e.k === 'id' || e.k === 'member' || e.k === 'index' || (e.k === 'unary' && e.op === '*')) {
      const saveOut = this.out.length;
      const saveLocals = this.locals.length;
      const was = this.typeOnly;
      this.typeOnly = true;
      try {
        const s = e.k === 'id' ? this.lookup(e.name) : undefined;
        if (s && (s.k === 'const' || s.k === 'func' || s.k === 'object')) return this.typeOf(e);
        return this.lvalue(e).type;
      } finally {
        this.typeOnly = was;
        this.out.length = saveOut;
        this.locals.length = saveLocals;
      }
    }
    return this.typeOf(e);
  }

  /** typeof(expr): the type, without evaluating anything. */
  private typeOf(e: Expr): CType {
    const saveOut = this.out.length;
    const saveLocals = this.locals.length;
    const was = this.typeOnly;
    this.typeOnly = true;
    try {
      return this.rvalueNoDecay(e).type;
    } finally {
      this.typeOnly = was;
      this.out.length = saveOut;
      this.locals.length = saveLocals;
    }
  }

  // ---- aggregates: the layout engine's records, built again in the module ----

  /** `struct tag { … }` / `union …`: laid out by c/layout.ts now, and rebuilt the same way when the module loads. */
  private record(t: Extract<Specifiers['type'], { k: 'struct' }>): CType {
    const kind = t.union ? 'union' : 'struct';
    const key = t.name === null ? null : `${kind} ${t.name}`;
    if (t.fields === null) {
      const known = key === null ? undefined : this.records.get(key);
      if (known) return known;
      const kt = key === null ? undefined : this.kscope.lookupTag(key);
      if (kt !== undefined) return fromLayout(kt);
      // A forward declaration: complete later in this file, or a pointer-only type (struct task_struct *).
      const lt = declareRecord(kind, t.name);
      const ct: CType = { k: 'struct', tag: t.name!, union: t.union, lt };
      this.records.set(key!, ct);
      return ct;
    }
    // The shipped headers define the kernel's own types as the kernel does; their layout is c/kernel-types.ts'.
    if (key !== null && this.fromHeader(t.loc) && this.kscope.lookupTag(key) !== undefined) return fromLayout(this.kscope.lookupTag(key)!);
    const prev = key === null ? undefined : this.records.get(key);
    if (prev && prev.k === 'struct' && prev.lt!.members !== null) throw cError(t.loc, `redefinition of '${key}'`);
    const lt = prev && prev.k === 'struct' ? prev.lt! : declareRecord(kind, t.name);
    const ct: CType = prev ?? { k: 'struct', tag: t.name ?? '', union: t.union, lt };
    if (key !== null) this.records.set(key, ct);
    const members: MemberDecl[] = [];
    for (const f of t.fields) {
      const base = this.resolveSpec(f.spec);
      if (f.declarators.length === 0) {
        if (base.k !== 'struct' || base.lt === undefined || base.lt.tag !== null) throw cError(f.loc, 'declaration does not declare anything');
        members.push({ name: null, type: base.lt });
        continue;
      }
      for (const d of f.declarators) {
        const mt = this.derive(base, d.derivs, f.spec.quals, d.loc);
        if (mt.k === 'func') throw cError(d.loc, `field '${d.name}' declared as a function`);
        if (mt.k === 'struct' && mt.lt === undefined) throw unsupported(d.loc, `a struct cpumask member '${d.name}'`, 'use a cpumask pointer');
        if (mt.k === 'struct' && mt.lt!.members === null) throw cError(d.loc, `field '${d.name}' has incomplete type '${typeName(mt)}'`);
        const al = this.alignedAttr([...f.spec.attrs, ...d.attrs]);
        members.push(al === undefined ? { name: d.name, type: layoutOf(mt) } : { name: d.name, type: layoutOf(mt), aligned: al });
      }
    }
    const attrs = t.attrs ?? [];
    const aligned = this.alignedAttr(attrs);
    const packed = attrs.some((a) => a.name === 'packed');
    for (const a of attrs) if (a.name !== 'aligned' && a.name !== 'packed') throw unsupported(a.loc, `the ${kind} attribute '${a.name}'`, 'use aligned or packed');
    const opts = { ...(aligned !== undefined ? { aligned } : {}), ...(packed ? { packed } : {}) };
    try {
      completeRecord(lt, members, opts);
    } catch (e) {
      throw cError(t.loc, (e as Error).message);
    }
    this.emitRecord(lt, opts);
    return ct;
  }

  private fromHeader(loc: Loc): boolean {
    return loc.file.startsWith('c/include/') || loc.file.includes('/c/include/');
  }

  private alignedAttr(attrs: readonly { name: string; args: readonly Expr[]; loc: Loc }[]): number | undefined {
    const a = attrs.find((x) => x.name === 'aligned');
    if (!a) return undefined;
    const v = a.args[0] ? this.rvalue(a.args[0]).cst : undefined;
    if (v === undefined) throw cError(a.loc, 'requested alignment is not an integer constant');
    return Number(v);
  }

  private emitRecord(lt: RecordType, opts: { aligned?: number; packed?: boolean }): void {
    const name = this.fresh(`T_${lt.tag ?? 'anon'}`);
    const members = (lt.members ?? []).map((mb) => {
      const te = this.typeExpr(mb.type);
      const spec = mb.aligned === undefined ? te : `{ type: ${te}, aligned: ${mb.aligned} }`;
      return `[${mb.name === null ? 'null' : `'${mb.name}'`}, ${spec}]`;
    });
    this.need('c/scope', 'TypeScope');
    const o = Object.keys(opts).length === 0 ? '' : `, ${JSON.stringify(opts).replace(/"/g, '')}`;
    this.typeDecls.push(`const ${name} = ct.${lt.kind}(${lt.tag === null ? 'null' : `'${lt.tag}'`}, [${members.join(', ')}]${o});`);
    this.typeVars.set(lt, name);
  }

  /** The module's expression for a layout type (inside instantiate, where `ct` is the file's type scope). */
  private typeExpr(t: LType): string {
    const v = this.typeVars.get(t);
    if (v !== undefined) return v;
    switch (t.kind) {
      case 'int': case 'bool': return `ct.parse('${t.name}')`;
      case 'enum': return t.signed ? "ct.parse('int')" : "ct.parse('unsigned int')";
      case 'pointer': {
        const to = t.to;
        if ((to.kind === 'struct' || to.kind === 'union') && !this.typeVars.has(to)) {
          if (to.tag === null && to.name.includes('(anonymous)')) throw new Error(`percpu-cc: a pointer to an anonymous ${to.kind} is not rebuilt`);
          return `ct.parse('${to.name}${t.percpu ? ' __percpu' : ''} *')`;
        }
        this.need('c/types', 'pointer');
        return `pointer(${this.typeExpr(to)}${t.percpu ? ', { percpu: true }' : ''})`;
      }
      case 'array':
        this.need('c/types', 'array');
        return `array(${this.typeExpr(t.of)}, ${t.length === null ? 'null' : t.length})`;
      case 'struct': case 'union':
        return `ct.parse('${t.name}')`;
      case 'void': return "ct.parse('void')";
      case 'function': throw new Error('percpu-cc: function types are not rebuilt');
    }
  }

  /** The type argument a runtime API (DEFINE_PER_CPU, global_var, pcpu_ptr_add) takes for `t`. */
  private runtimeType(t: CType): string {
    if (t.k === 'int') return `'${scalarName(t)}'`;
    if (t.k === 'ptr') return "'ulong'";
    return this.typeExpr(layoutOf(t));
  }

  /** C text of an lvalue expression, for traces (`tstats->rx_bytes`, `fbatch->folios[i]`). */
  private cText(e: Expr): string {
    switch (e.k) {
      case 'id': return e.name;
      case 'num': return e.text;
      case 'member': return `${this.cText(e.base)}${e.arrow ? '->' : '.'}${e.name}`;
      case 'index': return `${this.cText(e.base)}[${this.cText(e.index)}]`;
      case 'unary': return e.op === '*' ? `*${this.cText(e.arg)}` : e.op === '&' ? `&${this.cText(e.arg)}` : `${e.op}${this.cText(e.arg)}`;
      case 'binary': return `${this.cText(e.left)} ${e.op} ${this.cText(e.right)}`;
      case 'call': return `${this.cText(e.fn)}(${e.args.map((a) => this.cText(a)).join(', ')})`;
      case 'cast': return this.cText(e.arg);
      default: return '…';
    }
  }

  // ---- file scope ----

  private declareFunc(spec: Specifiers, d: Declarator, def: FuncDef | null): void {
    const type = this.derive(this.resolveSpec(spec), d.derivs, spec.quals, d.loc);
    if (type.k !== 'func') throw cError(d.loc, `'${d.name}' is not a function`);
    if (type.variadic) throw unsupported(d.loc, `variadic function '${d.name}'`, 'give it fixed parameters');
    for (const t of [type.ret, ...type.params]) {
      if (t.k === 'struct' && t.lt !== undefined) throw unsupported(d.loc, `'${d.name}' passes or returns a ${typeName(t)} by value`, 'pass a pointer to it');
    }
    const prev = this.scopes[0].get(d.name);
    if (prev) {
      if (prev.k !== 'func') throw cError(d.loc, `'${d.name}' redeclared as a different kind of symbol`);
      if (!sameType(prev.type.ret, type.ret) || prev.type.params.length !== type.params.length) {
        throw cError(d.loc, `conflicting types for '${d.name}'`);
      }
      if (def) {
        if (prev.def) throw cError(d.loc, `redefinition of '${d.name}' (first defined at ${line(prev.def.loc)})`);
        prev.def = def;
      }
      return;
    }
    this.scopes[0].set(d.name, { k: 'func', ts: this.fresh(d.name), type, def, loc: d.loc });
  }

  private fileDecl(decl: Decl): void {
    const spec = decl.spec;
    if (spec.storage.includes('typedef')) {
      for (const d of decl.declarators) {
        // The shipped headers define the kernel's types in the kernel's words; the layout is c/kernel-types.ts'.
        const kt = this.fromHeader(d.loc) ? this.kscope.lookupTypedef(d.name) : undefined;
        if (kt !== undefined) {
          this.typedefs.set(d.name, fromLayout(kt));
          continue;
        }
        this.typedefs.set(d.name, this.named(this.derive(this.resolveSpec(spec), d.derivs, spec.quals, d.loc), d.name));
      }
      return;
    }
    if (decl.declarators.length === 0) {
      this.resolveSpec(spec);
      return;
    }
    const section = this.section(spec, decl.declarators[0]);
    for (const d of decl.declarators) {
      const type = this.derive(this.resolveSpec(spec), d.derivs, spec.quals, d.loc);
      if (type.k === 'func') {
        this.declareFunc(spec, d, null);
        continue;
      }
      const ext = spec.storage.includes('extern');
      if (section !== null) {
        this.perCpu(d, type, section, ext);
        continue;
      }
      if (ext) {
        const b = OBJECTS[d.name];
        if (!b) throw cError(d.loc, `'${d.name}' is declared extern but not defined in this file (percpu-cc translates one file: define it here)`);
        for (const [mod, n] of b.imports) this.need(mod, n);
        this.scopes[0].set(d.name, { k: 'object', ts: b.ts, type });
        continue;
      }
      this.global(d, type, d.name);
    }
  }

  private named(t: CType, name: string): CType {
    return t.k === 'int' ? named(t, name) : t;
  }

  private section(spec: Specifiers, d: Declarator): string | null {
    const attr = [...spec.attrs, ...d.attrs].find((a) => a.name === 'section');
    if (!attr) return null;
    const s = attr.args[0];
    if (!s || s.k !== 'str') throw cError(attr.loc, 'section attribute needs a string');
    return JSON.parse(s.text) as string;
  }

  private perCpu(d: Declarator, type: CType, section: string, ext: boolean): void {
    const fn = SECTIONS[section];
    if (!fn) throw unsupported(d.loc, `per-CPU section '${section}'`, `use one of DEFINE_PER_CPU, _ALIGNED, _SHARED_ALIGNED, _PAGE_ALIGNED, _READ_MOSTLY`);
    this.storable(type, `per-CPU variable '${d.name}'`, d.loc);
    const prev = this.scopes[0].get(d.name);
    if (prev && prev.k !== 'percpu') throw cError(d.loc, `'${d.name}' redeclared as a different kind of symbol`);
    if (prev && prev.k === 'percpu') {
      if (!sameType(prev.type, type)) throw cError(d.loc, `conflicting types for per-CPU variable '${d.name}'`);
      if (ext) return;
      if (prev.defined) throw cError(d.loc, `redefinition of per-CPU variable '${d.name}'`);
      prev.defined = true;
      this.emitPerCpuDefine(prev.ts, d, type, fn);
      return;
    }
    const ts = this.fresh(d.name);
    this.scopes[0].set(d.name, { k: 'percpu', ts, type, defined: !ext, loc: d.loc });
    if (!ext) this.emitPerCpuDefine(ts, d, type, fn);
  }

  /** Types an object in memory may have: complete, no functions, no opaque runtime structs. */
  private storable(type: CType, what: string, loc: Loc): void {
    if (type.k === 'void' || type.k === 'func') throw cError(loc, `${what} declared void or as a function`);
    if (type.k === 'struct' && type.lt === undefined) throw unsupported(loc, `${what} of type '${typeName(type)}'`, 'use a pointer to it');
    if ((type.k === 'struct' && type.lt!.members === null) || (type.k === 'array' && type.len === null)) {
      throw cError(loc, `storage size of ${what} isn't known ('${typeName(type)}' is incomplete)`);
    }
  }

  private emitPerCpuDefine(ts: string, d: Declarator, type: CType, fn: string): void {
    this.need('src/define', fn);
    const v = d.init ? this.initValue(d.init, type, d.name) : null;
    this.defines.push(`const ${ts} = ${fn}(m, ${this.runtimeType(type)}, '${d.name}'${v === null ? '' : `, ${v}`});`);
  }

  /**
   * A static initializer as the runtime's C value (every member, zero where
   * C leaves it out: C11 6.7.9p10), or null when it is all zero (memory
   * starts zeroed). Designators `.member` and `[index]`, nested braces.
   */
  private initValue(init: Init, type: CType, name: string): string | null {
    let nonZero = false;
    const build = (t: CType, it: Init | null): string => {
      if (t.k === 'int' || t.k === 'ptr') {
        if (it === null) return t.k === 'int' && t.size < 8 ? (t.bool ? 'false' : '0') : '0n';
        let e = it;
        // A scalar may be braced: int x = { 1 };
        while (e.k === 'list' && e.items.length === 1 && e.items[0].designators.length === 0) e = e.items[0].init;
        if (e.k !== 'expr') throw unsupported(e.loc, `a braced initializer for the scalar '${name}'`, 'initialize it with an expression');
        const v = this.rvalue(e.expr);
        if (v.cst === undefined) throw cError(e.loc, `initializer element for '${name}' is not a compile-time constant`);
        if (t.k === 'ptr') {
          if (v.cst !== 0n) throw unsupported(e.loc, `a pointer initialized to a non-null constant in '${name}'`, 'set it at run time');
          return '0n';
        }
        const w = wrap(v.cst, t);
        if (w !== 0n) nonZero = true;
        return t.bool ? (w !== 0n ? 'true' : 'false') : t.size === 8 ? `${w}n` : String(w);
      }
      if (it !== null && it.k === 'expr') throw unsupported(it.loc, `initializing the ${typeName(t)} in '${name}' from an expression`, 'use a braced initializer list');
      const items = it === null ? [] : it.items;
      if (t.k === 'array') {
        const len = t.len ?? 0;
        const vals: (Init | null)[] = new Array<Init | null>(len).fill(null);
        let pos = 0;
        for (const item of items) {
          const [d0, ...rest] = item.designators;
          if (d0 !== undefined) {
            if (d0.k !== 'index') throw cError(d0.loc, `field name '${d0.name}' not in record type initializer (the object is an array)`);
            const v = this.rvalue(d0.index).cst;
            if (v === undefined) throw cError(d0.loc, 'array index in initializer is not an integer constant');
            pos = Number(v);
          }
          if (pos < 0 || pos >= len) throw cError(item.init.loc, `excess elements in array initializer of '${name}'`);
          vals[pos] = rest.length > 0 ? { k: 'list', items: [{ designators: rest, init: item.init }], loc: item.init.loc } : item.init;
          pos++;
        }
        return `[${vals.map((v) => build(t.of, v)).join(', ')}]`;
      }
      if (t.k !== 'struct' || t.lt === undefined) throw unsupported(init.loc, `an initializer for '${typeName(t)}'`, 'initialize integers, pointers, arrays and structs');
      const named = new Map<string, Init>();
      const order: string[] = [];
      const flat = (r: RecordType): void => {
        for (const mb of r.members ?? []) {
          if (mb.name === null) flat(mb.type as RecordType);
          else order.push(mb.name);
        }
      };
      flat(t.lt);
      let pos = 0;
      for (const item of items) {
        const [d0, ...rest] = item.designators;
        if (d0 !== undefined) {
          if (d0.k !== 'field') throw cError(d0.loc, `array index in non-array initializer of '${name}'`);
          pos = order.indexOf(d0.name);
          if (pos < 0) throw cError(d0.loc, `'${typeName(t)}' has no member named '${d0.name}'`);
        }
        if (pos >= order.length) throw cError(item.init.loc, `excess elements in struct initializer of '${name}'`);
        named.set(order[pos], rest.length > 0 ? { k: 'list', items: [{ designators: rest, init: item.init }], loc: item.init.loc } : item.init);
        pos++;
      }
      const members = (r: RecordType): string[] => {
        const out: string[] = [];
        const list = r.members ?? [];
        // A union's value names one member: the one initialized, else the first.
        const chosen = r.kind === 'union' ? (list.find((mb) => (mb.name === null ? false : named.has(mb.name))) ?? list[0]) : null;
        for (const mb of list) {
          if (chosen !== null && mb !== chosen) continue;
          if (mb.name === null) out.push(...members(mb.type as RecordType));
          else out.push(`${mb.name}: ${build(fromLayout(mb.type), named.get(mb.name) ?? null)}`);
        }
        return out;
      };
      return `{ ${members(t.lt).join(', ')} }`;
    };
    const text = build(type, init);
    return nonZero ? text : null;
  }

  private global(d: Declarator, type: CType, cname: string): void {
    this.storable(type, `'${d.name}'`, d.loc);
    if (type.k === 'ptr' && type.percpu) throw unsupported(d.loc, `a global __percpu pointer '${d.name}'`, 'keep the per-CPU pointer in a struct member or a local');
    const ts = this.fresh(cname.replace(/\./g, '_'));
    this.need('src/mm/memory', 'global_var');
    const v = d.init ? this.initValue(d.init, type, d.name) : null;
    this.defines.push(`const ${ts} = global_var(m, ${this.runtimeType(type)}, '${ts}'${v === null ? '' : `, ${v}`});`);
    this.scopes[this.scopes.length - 1].set(d.name, { k: 'global', ts, type, cname });
  }

  private harnessItem(h: Harness): void {
    const ident = (e: Expr | undefined, what: string): string => {
      if (!e || e.k !== 'id') throw cError(h.loc, `${what} must be a name`);
      return e.name;
    };
    const num = (e: Expr | undefined, what: string): number => {
      const v = e ? this.rvalue(e).cst : undefined;
      if (v === undefined) throw cError(h.loc, `${what} must be an integer constant`);
      return Number(v);
    };
    const fn = (e: Expr | undefined, ret: 'void' | 'bool'): string => {
      const name = ident(e, 'the function');
      const s = this.scopes[0].get(name);
      if (!s || s.k !== 'func' || !s.def) throw cError(e!.loc, `'${name}' is not a function defined in this file`);
      const ok = s.type.params.length === 0 && (ret === 'void' ? s.type.ret.k === 'void' : s.type.ret.k === 'int');
      if (!ok) throw cError(e!.loc, `'${name}' must be ${ret === 'void' ? 'void' : 'bool'} ${name}(void) for this harness macro, is ${typeName(s.type)}`);
      return s.ts;
    };
    const a = h.args;
    switch (h.kind) {
      case 'task': case 'pinned_task':
        this.harness.tasks.push({ name: ident(a[0], 'the task name'), cpu: num(a[1], 'the CPU'), fn: fn(a[2], 'void'), pinned: h.kind === 'pinned_task' });
        break;
      case 'irq': case 'nmi':
        (h.kind === 'irq' ? this.harness.irqs : this.harness.nmis).push({ name: ident(a[0], 'the handler name'), fn: fn(a[1], 'void'), budget: a[2] ? num(a[2], 'the budget') : 1 });
        break;
      case 'softirq': {
        const nr = num(a[0], 'the softirq vector');
        if (nr < 0 || nr >= 10) throw cError(h.loc, `softirq vector ${nr} is not one of HI_SOFTIRQ … RCU_SOFTIRQ (0 … 9)`);
        if (this.harness.softirqs.some((x) => x.nr === nr)) throw cError(h.loc, `softirq vector ${nr} already has a handler (open_softirq() once per vector)`);
        this.harness.softirqs.push({ nr, fn: fn(a[1], 'void'), budget: a[2] ? num(a[2], 'the budget') : 1 });
        break;
      }
      case 'check': this.harness.checks.push(fn(a[0], 'bool')); break;
      case 'always': this.harness.always.push(fn(a[0], 'bool')); break;
      case 'init': this.harness.inits.push(fn(a[0], 'void')); break;
      case 'cpus': this.harness.cpus = num(a[0], 'the CPU count'); break;
      case 'bound': this.harness.bound = num(a[0], 'the bound'); break;
      case 'debug_preempt': this.harness.debugPreempt = num(a[0], 'DEBUG_PREEMPT') !== 0; break;
      default: throw cError(h.loc, `unknown harness item '${h.kind}'`);
    }
  }

  // ---- functions ----

  private func(f: FuncDef): void {
    const sym = this.scopes[0].get(f.declarator.name) as Extract<Sym, { k: 'func' }>;
    const fd = f.declarator.derivs[f.declarator.derivs.length - 1] as Extract<Deriv, { k: 'func' }>;
    this.fnName = f.declarator.name;
    this.fnRet = sym.type.ret;
    this.locals = [];
    this.tempN = 0;
    this.labels = new Set();
    this.coldFns = [];
    this.coldN = 0;
    this.fnTs = sym.ts;
    this.scopes.push(new Map());
    const params = fd.params.map((p, i) => {
      if (p.name === null) throw cError(p.loc, `parameter ${i + 1} of '${f.declarator.name}' has no name`);
      const type = sym.type.params[i];
      const ts = this.fresh(p.name);
      this.scopes[this.scopes.length - 1].set(p.name, { k: 'local', ts, type });
      return `${ts}: ${tsType(type)}`;
    });
    const saved = this.out.length;
    this.indent = 2;
    this.labelsOf(f.body);
    this.blockItems(f.body.items, true);
    const bodyLines = this.out.splice(saved);
    this.scopes.pop();
    const ret = tsType(this.fnRet);
    this.indent = 1;
    const sig = this.stepped
      ? `function* ${sym.ts}(${params.join(', ')}): Generator<Step, ${ret}, undefined> {`
      : `function ${sym.ts}(${params.join(', ')}): ${ret} {`;
    if (this.stepped) this.need('src/sched/step', 'Step');
    this.emit(`/** ${f.declarator.name}() at ${line(f.loc)} */`);
    this.emit(sig);
    for (const l of this.locals) this.emit(`  let ${l.ts}: ${l.type} = ${l.init};`);
    this.out.push(...bodyLines);
    if (this.fnRet.k !== 'void' && !this.endsInReturn(f.body)) {
      this.emit(`  return ${zero(this.fnRet)};`);
    }
    this.emit('}');
    this.out.push(...this.coldFns);
  }

  /**
   * `if (unlikely(c)) { …; return …; }` in the fast flavour: the branch becomes a function of its
   * own, called where it stood, as gcc moves an unlikely() block out of line (to `<fn>.cold` in
   * .text.unlikely). The function's own code then stays small enough for V8 to inline it into its
   * callers, which it does not do past a size (a percpu_counter_add_batch() with its slow path in
   * line ran 1.5x the same function by hand; bench/cc-counter-parts.ts). Only a branch that leaves
   * the function on every path moves: the locals it reads are passed by value, and what it writes
   * to them is never read after it. Returns the call, or null where the branch stays in line.
   */
  private outline(test: Expr, then: Stmt): string | null {
    if (this.stepped || this.cold !== null) return null;
    const unlikely = test.k === 'call' && test.fn.k === 'id' && test.fn.name === '__builtin_expect' && test.args.length === 2 && this.rvalue(test.args[1]).cst === 0n;
    if (!unlikely || !this.leaves(then)) return null;
    const saved = { locals: this.locals, tempN: this.tempN, indent: this.indent, out: this.out.length };
    this.locals = [];
    this.tempN = 0;
    this.indent = 1;
    const depth = this.scopes.length;
    this.cold = { depth, used: new Set() };
    this.body(then);
    const body = this.out.splice(saved.out);
    const { used } = this.cold;
    const locals = this.locals;
    this.cold = null;
    this.locals = saved.locals;
    this.tempN = saved.tempN;
    this.indent = saved.indent;
    const name = `${this.fnTs}$cold${++this.coldN === 1 ? '' : this.coldN}`;
    // The caller's parameters and locals it uses, in the order they were declared.
    const args = this.scopes.slice(1, depth).flatMap((sc) => [...sc.values()]).flatMap((x) => (x.k === 'local' && used.has(x.ts) ? [x] : []));
    this.coldFns.push(
      '',
      `  /** The unlikely() branch of ${this.fnName}() at ${line(then.loc)}, out of line; it returns, so what it changes in the caller's locals is never read. */`,
      `  function ${name}(${args.map((x) => `${x.ts}: ${tsType(x.type)}`).join(', ')}): ${tsType(this.fnRet)} {`,
      ...locals.map((l) => `    let ${l.ts}: ${l.type} = ${l.init};`),
      ...body,
      '  }',
    );
    return `${name}(${args.map((x) => x.ts).join(', ')})`;
  }

  /**
   * `x = this_cpu_read(*p->m); do { … } while (!this_cpu_try_cmpxchg(*p->m, &x, …));` in the fast
   * flavour, percpu_counter_add_batch()'s shape: the loop's test takes the `__percpu` pointer
   * `p->m` the statement before it loaded, instead of loading it again on every pass, when that
   * is provably the value memory holds there. It is, when nothing stores to memory from the first
   * load to the test on any path: the statement stores nothing after its (unconditional) load,
   * the loop body stores nothing on the paths that reach the test (a branch that returns may do
   * anything), the test stores nothing before the op, and the op stores only when it succeeds,
   * which ends the loop; no local the pointer expression names is assigned in between; and the
   * fast flavour runs nothing else in between (no other CPU, no interrupt handler). In the stepped
   * flavour every load stays a step. Returns the pointer expression's C text, or null.
   */
  private shareLoad(prev: Stmt, loop: Stmt | undefined): string | null {
    if (this.stepped || loop === undefined || loop.k !== 'do' || prev.k !== 'expr') return null;
    let test = loop.test;
    if (test.k !== 'unary' || test.op !== '!') return null;
    test = test.arg;
    const isLocal = (name: string): boolean => this.lookup(name)?.k === 'local';
    while (test.k === 'comma' && storesNothing(test.left, isLocal)) test = test.right;
    if (test.k !== 'call' || test.fn.k !== 'id' || test.fn.name !== '__pcpu_size_call_return2bool') return null;
    const [stem, pcp, ...rest] = test.args;
    if (stem === undefined || stem.k !== 'id' || !/try_cmpxchg_$/.test(stem.name) || pcp === undefined || pcp.k !== 'unary' || pcp.op !== '*') return null;
    // The pointer: members and constant indexes of names, nothing evaluated but loads.
    const names: string[] = [];
    const address = (x: Expr): boolean => {
      if (x.k === 'id') return names.push(x.name) > 0;
      if (x.k === 'member') return address(x.base);
      if (x.k === 'index') return x.index.k === 'num' && address(x.base);
      return x.k === 'unary' && x.op === '*' && address(x.arg);
    };
    if (!address(pcp.arg)) return null;
    const text = this.cText(pcp.arg);
    const written = assigned(loop, assigned(prev.expr));
    if (names.some((n) => written.has(n))) return null;
    if (!storesNothing(prev.expr, isLocal) || !rest.every((a) => storesNothing(a, isLocal))) return null;
    if (!storesNothingThrough(loop.body, isLocal, (x) => this.leaves(x) || (x.k === 'return'))) return null;
    // The statement's load runs whatever path it takes: not under &&, || or ?:.
    const loads = (x: Expr): boolean => {
      if (x.k === 'unary' && x.op === '*' && this.cText(x.arg) === text) return true;
      switch (x.k) {
        case 'binary': return loads(x.left) || (x.op !== '&&' && x.op !== '||' && loads(x.right));
        case 'cond': return loads(x.test);
        case 'comma': case 'assign': return loads(x.left) || loads(x.right);
        case 'call': return x.args.some(loads);
        case 'unary': case 'cast': return loads(x.arg);
        default: return false;
      }
    };
    return loads(prev.expr) ? text : null;
  }

  /**
   * The statement is a block that does more than return, and leaves the function on every path:
   * it ends in a return, and nothing in it jumps elsewhere.
   */
  private leaves(s: Stmt): boolean {
    const jumps = (x: Stmt): boolean => {
      switch (x.k) {
        case 'break': case 'continue': case 'goto': case 'label': case 'case': return true;
        case 'block': return x.items.some(jumps);
        case 'if': return jumps(x.then) || (x.else !== null && jumps(x.else));
        case 'while': case 'do': case 'for': case 'switch': return jumps(x.body);
        default: return false;
      }
    };
    if (s.k !== 'block' || s.items.length < 2) return false;
    const last = s.items[s.items.length - 1];
    return last.k === 'return' && !jumps(s);
  }

  /** Falling off the end of a non-void function returns garbage in C; here 0 (the caller must not use it). */
  private endsInReturn(b: Block): boolean {
    let last = b.items[b.items.length - 1];
    while (last !== undefined && last.k === 'label') last = last.body;
    return last !== undefined && last.k === 'return';
  }

  private labelsOf(b: Block): void {
    const walk = (s: Stmt): void => {
      if (s.k === 'label') {
        if (this.labels.has(s.label)) throw cError(s.loc, `duplicate label '${s.label}'`);
        this.labels.add(s.label);
        walk(s.body);
      } else if (s.k === 'block') s.items.forEach(walk);
      else if (s.k === 'if') { walk(s.then); if (s.else) walk(s.else); }
      else if (s.k === 'while' || s.k === 'do' || s.k === 'for' || s.k === 'switch' || s.k === 'case') walk(s.body);
    };
    walk(b);
  }

  /**
   * A block's statements. Forward gotos to labels of this block become
   * `break label` out of a labelled block that ends where the label stands
   * (kernel error paths: `goto out; … out: cleanup; return ret;`).
   */
  private blockItems(items: readonly Stmt[], fnBody: boolean): void {
    const labelAt: { label: string; index: number }[] = [];
    items.forEach((s, i) => {
      let x: Stmt = s;
      while (x.k === 'label') {
        labelAt.push({ label: x.label, index: i });
        x = x.body;
      }
    });
    void fnBody;
    if (labelAt.length === 0) {
      items.forEach((s, i) => {
        const text = this.shareLoad(s, items[i + 1]);
        if (text === null) {
          this.stmt(s);
          return;
        }
        this.shared = { text, temp: null, use: false };
        const from = this.out.length;
        this.stmt(s);
        const temp = this.shared.temp;
        this.shared = null;
        // The temporary must be filled by the statement as emitted, not only named while translating it.
        if (temp !== null && this.out.slice(from).some((l) => l.includes(`${temp} = `))) this.sharedLoads.set(items[i + 1], { text, temp });
      });
      return;
    }
    // Open one labelled block per label, outermost = the last label.
    for (let k = labelAt.length - 1; k >= 0; k--) {
      this.emit(`${labelAt[k].label}: {`);
      this.indent++;
    }
    let pos = 0;
    const active = new Set(labelAt.map((l) => l.label));
    this.gotoTargets.push(active);
    const unlabel = (x: Stmt): Stmt => (x.k === 'label' ? unlabel(x.body) : x);
    for (const { label, index } of labelAt) {
      for (; pos < index; pos++) this.stmt(unlabel(items[pos]));
      this.indent--;
      this.emit('}');
      active.delete(label);
    }
    this.gotoTargets.pop();
    for (; pos < items.length; pos++) this.stmt(unlabel(items[pos]));
  }

  private readonly gotoTargets: Set<string>[] = [];

  /**
   * A __percpu pointer loaded from memory whose value a later load of the same pointer takes
   * (shareLoad): the C text of the pointer expression, the temporary the first load fills, and
   * whether `*text` is being translated for the later load (`use`) or the first one.
   */
  private shared: { readonly text: string; temp: string | null; readonly use: boolean } | null = null;
  /** try_cmpxchg loops whose test takes the pointer loaded before them: the pointer's C text and temporary. */
  private readonly sharedLoads = new Map<Stmt, { readonly text: string; readonly temp: string }>();

  /**
   * While an unlikely() branch is translated out of line: the scopes of the function around it
   * (the first `depth` entries of `scopes`) and the locals of those it reads or writes, which
   * become its parameters.
   */
  private cold: { readonly depth: number; readonly used: Set<string> } | null = null;
  /** The out-of-line branches of the function being translated, emitted after it. */
  private coldFns: string[] = [];
  private coldN = 0;
  /** The TypeScript name of the function being translated. */
  private fnTs = '';

  private srcLine(loc: Loc): void {
    if (this.stepped) this.emit(`m.ctx.src = '${line(loc)}';`);
    else this.emit(`// ${line(loc)}`);
  }

  private stmt(s: Stmt): void {
    switch (s.k) {
      case 'block':
        this.emit('{');
        this.indent++;
        this.scopes.push(new Map());
        this.blockItems(s.items, false);
        this.scopes.pop();
        this.indent--;
        this.emit('}');
        return;
      case 'decl':
        this.localDecl(s);
        return;
      case 'expr': {
        this.srcLine(s.loc);
        const e = this.effect(s.expr);
        if (e !== '') this.emit(`${statement(e)};`);
        return;
      }
      case 'empty': return;
      case 'if': {
        this.srcLine(s.loc);
        const test = bare(this.cond(s.test));
        const cold = this.outline(s.test, s.then);
        this.emit(`if (${test}) {`);
        if (cold === null) {
          this.body(s.then);
        } else {
          this.indent++;
          this.emit(`return ${cold};`);
          this.indent--;
        }
        if (s.else) {
          this.emit('} else {');
          this.body(s.else);
        }
        this.emit('}');
        return;
      }
      case 'while':
        this.srcLine(s.loc);
        this.emit(`while (${bare(this.cond(s.test))}) {`);
        this.body(s.body);
        this.emit('}');
        return;
      case 'do': {
        this.srcLine(s.loc);
        this.emit('do {');
        this.body(s.body);
        const share = this.sharedLoads.get(s);
        if (share !== undefined) this.shared = { ...share, use: true };
        const test = bare(this.cond(s.test));
        this.shared = null;
        this.emit(`} while (${test});`);
        return;
      }
      case 'for': {
        this.srcLine(s.loc);
        this.scopes.push(new Map());
        let init = '';
        if (s.init && s.init.k === 'decl') this.localDecl(s.init);
        else if (s.init) init = statement(this.effect(s.init as Expr));
        const test = s.test ? bare(this.cond(s.test)) : '';
        const step = s.step ? statement(this.effect(s.step)) : '';
        this.emit(`for (${init}; ${test}; ${step}) {`);
        this.body(s.body);
        this.emit('}');
        this.scopes.pop();
        return;
      }
      case 'switch': this.switchStmt(s); return;
      case 'case': throw cError(s.loc, `'${s.value ? 'case' : 'default'}' label not directly inside a switch body`);
      case 'break': this.emit('break;'); return;
      case 'continue': this.emit('continue;'); return;
      case 'return': {
        this.srcLine(s.loc);
        if (s.value === null) {
          if (this.fnRet.k !== 'void') throw cError(s.loc, `'return' with no value, in function '${this.fnName}' returning '${typeName(this.fnRet)}'`);
          this.emit('return;');
        } else if (this.fnRet.k === 'void') {
          const e = this.effect(s.value);
          if (e !== '') this.emit(`${statement(e)};`);
          this.emit('return;');
        } else {
          this.emit(`return ${bare(this.convert(this.rvalue(s.value), this.fnRet, s.loc))};`);
        }
        return;
      }
      case 'goto': {
        const open = this.gotoTargets.some((t) => t.has(s.label));
        if (!this.labels.has(s.label)) throw cError(s.loc, `label '${s.label}' used but not defined`);
        if (!open) {
          throw unsupported(s.loc, `goto ${s.label} (a backward goto, or into a nested block)`, 'percpu-cc translates forward gotos to labels of an enclosing block (kernel error paths); write a loop instead');
        }
        this.emit(`break ${s.label};`);
        return;
      }
      case 'label':
        throw unsupported(s.loc, `label '${s.label}' inside a nested statement`, 'put the label at the level of the block that holds the goto');
    }
  }

  private body(s: Stmt): void {
    this.indent++;
    if (s.k === 'block') {
      this.scopes.push(new Map());
      this.blockItems(s.items, false);
      this.scopes.pop();
    } else {
      this.stmt(s);
    }
    this.indent--;
  }

  private switchStmt(s: Extract<Stmt, { k: 'switch' }>): void {
    const test = this.rvalue(s.test);
    if (test.type.k !== 'int') throw cError(s.test.loc, `switch quantity not an integer (it is '${typeName(test.type)}')`);
    const t = promote(test.type);
    this.srcLine(s.loc);
    this.emit(`switch (${bare(this.convert(test, t, s.loc))}) {`);
    const items = s.body.k === 'block' ? s.body.items : [s.body];
    this.indent++;
    this.scopes.push(new Map());
    const seen = new Set<bigint>();
    const jumps = (x: Stmt): boolean => x.k === 'break' || x.k === 'return' || x.k === 'continue' || x.k === 'goto'
      || (x.k === 'block' && x.items.length > 0 && jumps(x.items[x.items.length - 1]));
    let fallsAt = -1;
    for (const item of items) {
      let x: Stmt = item;
      // C falls through into the next case; the project's tsconfig forbids that by default.
      if (x.k === 'case' && fallsAt >= 0) this.out.splice(fallsAt, 0, `${'  '.repeat(this.indent)}// @ts-ignore: falls through, as the C does`);
      fallsAt = -1;
      let lastLabel = -1;
      while (x.k === 'case') {
        lastLabel = this.out.length;
        if (x.value === null) this.emit('default:');
        else {
          const lo = this.rvalue(x.value);
          if (lo.cst === undefined) throw cError(x.loc, 'case label does not reduce to an integer constant');
          const hi = x.high ? this.rvalue(x.high).cst : lo.cst;
          if (hi === undefined) throw cError(x.loc, 'case label does not reduce to an integer constant');
          if (hi - lo.cst > 256n) throw unsupported(x.loc, 'a case range of more than 256 values', 'test the range with if');
          for (let v = lo.cst; v <= hi; v++) {
            const w = wrap(v, t);
            if (seen.has(w)) throw cError(x.loc, `duplicate case value ${w}`);
            seen.add(w);
            this.emit(`case ${literal(w, t)}:`);
          }
        }
        x = x.body;
      }
      this.indent++;
      this.stmt(x);
      this.indent--;
      if (!jumps(x) && x.k !== 'empty' && lastLabel >= 0) fallsAt = lastLabel;
    }
    this.scopes.pop();
    this.indent--;
    this.emit('}');
  }

  private localDecl(d: Decl): void {
    const spec = d.spec;
    if (spec.storage.includes('typedef')) {
      for (const x of d.declarators) this.typedefs.set(x.name, this.named(this.derive(this.resolveSpec(spec), x.derivs, spec.quals, x.loc), x.name));
      return;
    }
    if (d.declarators.length === 0) {
      this.resolveSpec(spec);
      return;
    }
    if (this.section(spec, d.declarators[0]) !== null) throw cError(d.loc, 'a per-CPU variable must be defined at file scope');
    for (const x of d.declarators) {
      const type = this.derive(this.resolveSpec(spec), x.derivs, spec.quals, x.loc);
      if (type.k === 'func') throw unsupported(x.loc, `a block-scope function declaration '${x.name}'`, 'declare it at file scope');
      if (spec.storage.includes('extern')) throw unsupported(x.loc, `a block-scope extern '${x.name}'`, 'declare it at file scope');
      if (spec.storage.includes('static')) {
        this.global(x, type, `${this.fnName}.${x.name}`);
        continue;
      }
      if (type.k === 'struct' || type.k === 'array') {
        throw unsupported(x.loc, `the local ${type.k === 'array' ? 'array' : type.union ? 'union' : 'struct'} '${x.name}' (locals are TypeScript values, not memory)`, 'make it a global or a per-CPU variable and use a pointer to it');
      }
      if (type.k !== 'int' && type.k !== 'ptr') throw cError(x.loc, `variable '${x.name}' declared void`);
      const ts = this.fresh(x.name);
      const tsT = tsType(type);
      this.locals.push({ ts, type: tsT, init: type.k === 'ptr' && type.percpu ? 'undefined as any' : zero(type) });
      const sym: Sym = { k: 'local', ts, type };
      // The name is in scope in its own initializer (C11 6.2.1p7): `struct s *p = kzalloc(sizeof(*p), …)`.
      this.scopes[this.scopes.length - 1].set(x.name, sym);
      if (x.init) {
        if (x.init.k !== 'expr') throw unsupported(x.init.loc, 'a braced initializer for a scalar local', 'initialize it with an expression');
        this.srcLine(x.loc);
        const v = this.rvalue(x.init.expr);
        this.emit(`${ts} = ${bare(this.convert(v, type, x.init.loc), false)};`);
      } else if (this.inLoop()) {
        this.emit(`${ts} = ${type.k === 'ptr' && type.percpu ? 'undefined as any' : zero(type)};`);
      }
    }
  }

  private inLoop(): boolean {
    return this.indent > 2;
  }

  // ---- expressions ----

  /** An expression evaluated for its effects only. */
  private effect(e: Expr): string {
    if (e.k === 'postfix' || (e.k === 'unary' && (e.op === '++' || e.op === '--'))) {
      const op = e.k === 'postfix' ? e.op : e.op;
      return this.incdec(e.arg, op === '++' ? '+' : '-', false, e.loc).ts;
    }
    if (e.k === 'cast' && this.resolveTypeName(e.type).k === 'void') return this.effect(e.arg);
    if (e.k === 'comma') {
      const fused = this.thisCpuOp(e);
      if (fused) return fused.ts;
      return [this.effect(e.left), this.effect(e.right)].filter((x) => x !== '').join(', ');
    }
    if (e.k === 'assign') return this.assign(e, true).ts;
    const v = this.rvalueNoDecay(e);
    if (v.cst !== undefined) return '';
    if (simple(v.ts)) return '';
    return v.ts;
  }

  /** An expression used as a condition: TypeScript boolean. */
  private cond(e: Expr): string {
    if (e.k === 'binary' && ['<', '>', '<=', '>=', '==', '!='].includes(e.op)) return this.compare(e);
    if (e.k === 'binary' && (e.op === '&&' || e.op === '||')) return `(${this.cond(e.left)} ${e.op} ${this.cond(e.right)})`;
    // `!!x`, as unlikely() spells its argument, tests what x tests.
    if (e.k === 'unary' && e.op === '!' && e.arg.k === 'unary' && e.arg.op === '!') return this.cond(e.arg.arg);
    if (e.k === 'unary' && e.op === '!') return `!${this.cond(e.arg)}`;
    if (e.k === 'call' && e.fn.k === 'id' && e.fn.name === '__builtin_expect' && e.args.length === 2) return this.cond(e.args[0]);
    const v = this.rvalue(e);
    if (v.type.k !== 'int' && v.type.k !== 'ptr') throw cError(e.loc, `used '${typeName(v.type)}' where a scalar is required`);
    if (v.cst !== undefined) return v.cst !== 0n ? 'true' : 'false';
    if (v.test !== undefined) return v.test;
    if (v.type.k === 'ptr' && v.type.percpu) return `(${v.ts} !== null)`;
    return `(${v.ts} !== ${zero(v.type)})`;
  }

  private rvalue(e: Expr): TE {
    return this.rvalueNoDecay(e);
  }

  private rvalueNoDecay(e: Expr): TE {
    switch (e.k) {
      case 'num': return this.number(e.text, e.loc);
      case 'char': {
        const v = charValue(e.text);
        if (v === null) throw unsupported(e.loc, `character constant ${e.text}`, 'use a plain or simply escaped character');
        return { ts: literal(BigInt(v), INT), type: INT, cst: BigInt(v) };
      }
      case 'str': return { ts: e.text.startsWith('"') ? JSON.stringify(JSON.parse(e.text.replace(/\\x([0-9a-fA-F]{2})/g, '\\u00$1'))) : e.text, type: { k: 'ptr', to: CHAR, percpu: false, constTo: true }, str: true };
      case 'id': return this.ident(e.name, e.loc);
      case 'unary': return this.unary(e);
      case 'postfix': return this.incdec(e.arg, e.op === '++' ? '+' : '-', true, e.loc);
      case 'binary': return this.binary(e);
      case 'assign': return this.assign(e);
      case 'cond': return this.conditional(e);
      case 'comma': {
        const fused = this.thisCpuOp(e);
        if (fused) return fused;
        const l = this.effect(e.left);
        const r = this.rvalue(e.right);
        return l === '' ? r : { ts: `(${l}, ${r.ts})`, type: r.type };
      }
      case 'cast': return this.cast(e);
      case 'sizeof': return this.sizeof(e);
      case 'call': return this.call(e);
      case 'stmtexpr': return this.stmtExpr(e);
      case 'index': case 'member': return this.placeValue(this.lvalue(e), e.loc);
      case 'compound': throw unsupported(e.loc, 'compound literals', 'use a local variable');
      case 'offsetof': return this.offsetof(e);
    }
  }

  private number(text: string, loc: Loc): TE {
    const lit = parseIntLiteral(text);
    if (!lit) {
      if (/[.eEpP]/.test(text) && !/^0[xX]/.test(text)) throw unsupported(loc, `floating constant '${text}'`, 'use integers');
      throw cError(loc, `invalid integer constant '${text}'`);
    }
    const v = lit.value;
    const decimal = !/^0/.test(text) || text === '0';
    // C11 6.4.4.1: the first type of the list that can represent the value.
    const candidates: IntType[] = lit.unsigned
      ? (lit.long ? [ULONG, ULLONG] : [UINT, ULONG])
      : decimal
        ? (lit.long ? [LONG, LLONG] : [INT, LONG])
        : (lit.long ? [LONG, ULONG] : [INT, UINT, LONG, ULONG]);
    const t = candidates.find((c) => v <= maxOf(c));
    if (!t) throw cError(loc, `integer constant '${text}' is too large for its type`);
    return { ts: literal(v, t), type: t, cst: v };
  }

  private ident(name: string, loc: Loc): TE {
    if (name === '__func__' || name === '__FUNCTION__') return { ts: JSON.stringify(this.fnName), type: { k: 'ptr', to: CHAR, percpu: false, constTo: true }, str: true };
    const s = this.lookup(name);
    if (!s) throw cError(loc, `'${name}' undeclared${FUNCTIONS[name] ? '' : ''}`);
    switch (s.k) {
      case 'const': return { ts: literal(s.value, s.type), type: s.type, cst: s.value };
      case 'local': return { ts: s.ts, type: s.type };
      case 'object': return { ts: s.ts, type: s.type };
      case 'global': return this.placeValue(this.lvalue({ k: 'id', name, loc }), loc);
      case 'percpu':
        if (this.typeOnly) return { ts: s.ts, type: s.type };
        throw cError(loc, `per-CPU variable '${name}' accessed directly: use this_cpu_read(${name}), this_cpu_write(${name}, v) or *this_cpu_ptr(&${name}) (sparse: dereference of noderef expression)`);
      case 'func': throw unsupported(loc, `function designator '${name}' used as a value`, 'call the function');
    }
  }

  private lvalue(e: Expr): LV {
    if (e.k === 'id') {
      const s = this.lookup(e.name);
      if (!s) throw cError(e.loc, `'${e.name}' undeclared`);
      if (s.k === 'local') return { type: s.type, setup: [], read: () => s.ts, write: (v) => `(${s.ts} = ${v})`, local: s.ts };
      if (s.k === 'global') return this.memLV(s.type, `${s.ts}.addr`, s.cname, [], e.loc);
      if (s.k === 'percpu') return this.pcpuLV(s.type, { base: s.ts, off: 0, dyn: null, hoist: true, whole: true, sym: e.name }, e.loc, e.name);
      throw cError(e.loc, `lvalue required: '${e.name}' is not an object`);
    }
    if (e.k === 'unary' && e.op === '*') {
      const p = this.rvalue(e.arg);
      if (p.type.k === 'array') return this.lvalue(e.arg);
      if (p.type.k !== 'ptr') throw cError(e.loc, `invalid type argument of unary '*' (have '${typeName(p.type)}')`);
      const to = p.type.to;
      if (to.k === 'void') throw cError(e.loc, "dereferencing a 'void *' pointer");
      if (to.k === 'func') throw unsupported(e.loc, 'a call through a function pointer', 'call the function by name');
      const setup: string[] = [];
      let base = p.ts;
      const sh = this.shared !== null && p.type.percpu && this.cText(e.arg) === this.shared.text ? this.shared : null;
      if (sh !== null && sh.use && sh.temp !== null) {
        base = sh.temp;
      } else if (!simple(base) && !/^[\w$]+\.addr$/.test(base)) {
        const t = this.temp(p.type.percpu ? 'PerCpuPtr<any>' : 'number');
        setup.push(`${t} = ${base}`);
        base = t;
        if (sh !== null && sh.temp === null) sh.temp = t;
      }
      const sym = `*${this.cText(e.arg)}`;
      if (p.type.percpu) return this.pcpuLV(to, { base, off: 0, dyn: null, hoist: p.pcpuConst === true, whole: true, sym }, e.loc, sym, setup);
      return this.memLV(to, base, sym, setup, e.loc);
    }
    if (e.k === 'member') {
      const baseE: Expr = e.arrow ? { k: 'unary', op: '*', arg: e.base, loc: e.base.loc } : e.base;
      const b = this.lvalue(baseE);
      if (b.type.k !== 'struct' || b.type.lt === undefined) {
        throw cError(e.loc, `request for member '${e.name}' in something not a structure or union (it is '${typeName(b.type)}')`);
      }
      if (b.type.lt.members === null) throw cError(e.loc, `invalid use of incomplete type '${typeName(b.type)}'`);
      let ref;
      try {
        ref = memberRef(b.type.lt, e.name);
      } catch {
        throw cError(e.loc, `'${typeName(b.type)}' has no member named '${e.name}'`);
      }
      return this.offsetLV(b, fromLayout(ref.type), ref.offset, null, this.cText(e), e.loc);
    }
    if (e.k === 'index') {
      const bt = this.typeOfNoDecay(e.base);
      const it = this.typeOfNoDecay(e.index);
      // C: a[i] is *(a + i), either way round.
      const [arrE, idxE] = bt.k === 'int' && (it.k === 'array' || it.k === 'ptr') ? [e.index, e.base] : [e.base, e.index];
      const at = arrE === e.base ? bt : it;
      const idx = this.rvalue(idxE);
      if (idx.type.k !== 'int') throw cError(e.loc, 'array subscript is not an integer');
      if (at.k === 'array') {
        const b = this.lvalue(arrE);
        const size = sizeOf(at.of);
        if (idx.cst !== undefined) {
          if (at.len !== null && (idx.cst < 0n || idx.cst >= BigInt(at.len))) {
            throw cError(e.loc, `array index ${idx.cst} is past the end of the array (which contains ${at.len} elements)`);
          }
          return this.offsetLV(b, at.of, Number(idx.cst) * size, null, this.cText(e), e.loc);
        }
        // A variable index is checked against the array's length first, as CONFIG_UBSAN_BOUNDS checks it:
        // out of range is an oops naming the C line, before anything is read or written.
        let i = this.asNumber(idx);
        if (at.len !== null && at.len > 0 && !this.typeOnly) {
          this.need('src/lib/bug', 'array_index');
          i = `array_index(${i}, ${at.len}, '${line(e.loc)}', '${typeName(at)}')`;
        }
        return this.offsetLV(b, at.of, 0, `${i} * ${size}`, this.cText(e), e.loc);
      }
      if (at.k !== 'ptr') throw cError(e.loc, `subscripted value is neither array nor pointer (it is '${typeName(at)}')`);
      return this.lvalue({ k: 'unary', op: '*', arg: { k: 'binary', op: '+', left: arrE, right: idxE, loc: e.loc }, loc: e.loc });
    }
    if (e.k === 'cast') throw cError(e.loc, 'lvalue required as left operand of assignment (a cast is not an lvalue)');
    if (e.k === 'compound') throw unsupported(e.loc, 'compound literals', 'use a local variable');
    throw cError(e.loc, 'lvalue required as left operand of assignment');
  }

  /** An index as a TypeScript number (64-bit indexes are bigints). */
  private asNumber(v: TE): string {
    return v.type.k === 'int' && v.type.size === 8 ? `Number(${v.ts})` : v.ts;
  }

  /** A member or element of `b`, `off` bytes (plus `dyn`, a TypeScript number) into it. */
  private offsetLV(b: LV, type: CType, off: number, dyn: string | null, sym: string, loc: Loc): LV {
    if (b.pcpu !== undefined) {
      const p = b.pcpu;
      const d = dyn === null ? p.dyn : p.dyn === null ? dyn : `${p.dyn} + ${dyn}`;
      return this.pcpuLV(type, { base: p.base, off: p.off + off, dyn: d, hoist: p.hoist, whole: false, sym }, loc, sym, b.setup);
    }
    if (b.addr === undefined) throw unsupported(loc, `a member of the local '${sym.split(/[.[]/)[0]}' (locals are TypeScript values, not memory)`, 'use a global, a per-CPU variable, or memory behind a pointer');
    const parts = [b.addr, ...(off !== 0 ? [String(off)] : []), ...(dyn !== null ? [dyn] : [])];
    const addr = parts.length === 1 ? parts[0] : `(${parts.join(' + ')})`;
    // An index with side effects or loads (`folios[fbatch->nr++]`) is evaluated once, before the access.
    if (dyn !== null && !/^[\w$]+( \* \d+)?$/.test(dyn)) {
      const t = this.temp('number');
      return this.memLV(type, t, sym, [...b.setup, `${t} = ${addr}`], loc);
    }
    return this.memLV(type, addr, sym, b.setup, loc);
  }

  /** An object in ordinary memory at the address `addr` (a TypeScript number expression). */
  private memLV(type: CType, addr: string, sym: string, setup: readonly string[], loc: Loc): LV {
    const scalar = (): { sn: string; as: string } => {
      if (type.k === 'int') return { sn: scalarName(type), as: type.size === 8 ? 'bigint' : type.bool ? 'boolean' : 'number' };
      if (type.k === 'ptr') return { sn: 'ulong', as: 'bigint' };
      throw cError(loc, `'${sym}' is a '${typeName(type)}', not a scalar: read or write its members`);
    };
    const q = JSON.stringify(sym);
    const fromMem = (x: string): string => {
      if (type.k === 'int') return type.bool ? `(${x} ? 1 : 0)` : x;
      if (type.k === 'ptr' && type.percpu) return `pcpu_from(${x})`;
      return `Number(${x})`;
    };
    const toMem = (v: string): string => {
      if (type.k === 'int') return type.bool ? `${v} !== 0` : v;
      if (type.k === 'ptr' && type.percpu) return `pcpu_to(${v})`;
      return `BigInt(${v})`;
    };
    if (type.k === 'ptr' && type.percpu) this.needPcpuMem = true;
    return {
      type, setup: [...setup], addr,
      read: () => {
        const { sn, as } = scalar();
        if (this.stepped) {
          this.need('src/sched/step', 'load');
          return fromMem(`((yield* load(m, ${addr}, '${sn}', ${q})) as ${as})`);
        }
        // The C type picks the sized access now, as it picks a per-CPU op: no type lookup per access.
        if (type.k === 'ptr') {
          this.need('src/mm/access', 'load_ptr');
          return type.percpu ? `pcpu_load(${bare(addr)})` : `load_ptr(m, ${addr})`;
        }
        this.need('src/mm/access', `load_${sn}`);
        return fromMem(`load_${sn}(m, ${addr})`);
      },
      write: (v) => {
        const { sn } = scalar();
        if (this.stepped) {
          this.need('src/sched/step', 'store');
          return `((yield* store(m, ${addr}, '${sn}', ${toMem(v)}, ${q})), ${v})`;
        }
        this.need('src/mm/access', `store_${sn}`);
        return `(store_${sn}(m, ${addr}, ${toMem(v)}), ${v})`;
      },
      store: (v) => {
        const { sn } = scalar();
        const x = bare(toMem(v), false);
        if (this.stepped) {
          this.need('src/sched/step', 'store');
          return `(yield* store(m, ${addr}, '${sn}', ${x}, ${q}))`;
        }
        this.need('src/mm/access', `store_${sn}`);
        return `store_${sn}(m, ${addr}, ${x})`;
      },
    };
  }

  /** An object in per-CPU memory: usable as the pcp of an op, or through & and members, never read directly. */
  private pcpuLV(type: CType, pcpu: PcpuPlace, loc: Loc, sym: string, setup: readonly string[] = []): LV {
    const fail = (): never => {
      throw cError(loc, `per-CPU variable '${sym}' accessed directly: use this_cpu_read(${sym}), this_cpu_write(${sym}, v) or *this_cpu_ptr(&${sym}) (sparse: dereference of noderef expression)`);
    };
    return { type, setup: [...setup], read: fail, write: fail, pcpu };
  }

  /** The per-CPU pointer to a per-CPU object: the variable itself, a member pointer made once, or one made per use. */
  private pcpPtr(lv: LV): string {
    const p = lv.pcpu!;
    const base = p.base;
    // &*p is p; a member at offset 0 of a pointer that is not the file's own variable is too (no name to give it).
    if (p.off === 0 && p.dyn === null && (p.whole || !p.hoist)) return p.whole ? base : `(${base} as PerCpuPtr<any>)`;
    const t = this.runtimeType(lv.type);
    const off = p.dyn === null ? String(p.off) : p.off === 0 ? p.dyn : `${p.off} + ${p.dyn}`;
    if (p.dyn !== null) {
      // A variable offset: the pointer for each offset is made once and kept (src/member.ts), not made per access.
      this.need('src/member', 'pcpu_ptr_at');
      return `pcpu_ptr_at(m, ${base}, ${off}, ${this.typeConst(t)})`;
    }
    this.need('src/member', 'pcpu_ptr_add');
    if (p.hoist) {
      const key = `${base}:${p.off}:${t}`;
      let name = this.hoisted.get(key);
      if (name === undefined) {
        name = this.fresh(p.sym.replace(/->|\./g, '_').replace(/\[(\d+)\]/g, '_$1').replace(/[^\w]/g, ''));
        this.hoisted.set(key, name);
        this.memberPtrs.push(`const ${name} = pcpu_ptr_add(m, ${base}, ${p.off}, ${t});`);
      }
      return name;
    }
    return `pcpu_ptr_add(m, ${base}, ${off}, ${t})`;
  }

  /** A runtime type argument that is one value for the module's life (pcpu_ptr_at() keys its pointers by it). */
  private typeConst(t: string): string {
    if (/^'[^']*'$/.test(t) || /^[A-Za-z_$][\w$]*$/.test(t)) return t;
    let name = this.hoisted.get(`type:${t}`);
    if (name === undefined) {
      name = this.fresh('T_elem');
      this.hoisted.set(`type:${t}`, name);
      this.typeDecls.push(`const ${name} = ${t};`);
    }
    return name;
  }

  private withSetup(setup: readonly string[], ts: string): string {
    return setup.length === 0 ? ts : `(${[...setup, ts].join(', ')})`;
  }

  /** `effect`: the value of the assignment is not used (a store to memory then needs no temporary). */
  private assign(e: Extract<Expr, { k: 'assign' }>, effect = false): TE {
    const lv = this.lvalue(e.left);
    if (lv.pcpu !== undefined) lv.read();
    if (lv.type.k === 'struct' || lv.type.k === 'array') {
      throw unsupported(e.loc, `assignment of a whole ${typeName(lv.type)}`, 'assign its members one by one');
    }
    if (lv.type.k !== 'int' && lv.type.k !== 'ptr') throw cError(e.loc, `cannot assign to an object of type '${typeName(lv.type)}'`);
    const r = this.rvalue(e.right);
    if (e.op === '=') {
      const v = this.convert(r, lv.type, e.loc, true);
      if (lv.local !== undefined && lv.setup.length === 0) return { ts: `(${lv.local} = ${bare(v, false)})`, type: lv.type };
      if (effect && lv.store) return { ts: this.withSetup(lv.setup, lv.store(v)), type: VOID };
      const setup = [...lv.setup];
      let val = v;
      if (!simple(val)) {
        const t = this.temp(lv.type);
        setup.push(`${t} = ${val}`);
        val = t;
      }
      return { ts: this.withSetup(setup, lv.write(val)), type: lv.type };
    }
    const op = e.op.slice(0, -1);
    if (lv.type.k === 'ptr' && op !== '+' && op !== '-') throw cError(e.loc, `invalid operands to binary ${op} (have '${typeName(lv.type)}')`);
    const cur: TE = { ts: lv.read(), type: lv.type };
    const res = this.arith(op, cur, r, e.loc);
    const v = this.convert(res, lv.type, e.loc);
    if (lv.local !== undefined && lv.setup.length === 0) return { ts: `(${lv.local} = ${bare(v, false)})`, type: lv.type };
    if (effect && lv.store) return { ts: this.withSetup(lv.setup, lv.store(v)), type: VOID };
    const setup = [...lv.setup];
    const t = this.temp(lv.type);
    setup.push(`${t} = ${v}`);
    return { ts: this.withSetup(setup, lv.write(t)), type: lv.type };
  }

  /** ++/--: `post` when the old value is the result. */
  private incdec(arg: Expr, op: '+' | '-', post: boolean, loc: Loc): TE {
    const lv = this.lvalue(arg);
    if (lv.pcpu !== undefined) lv.read();
    if (lv.type.k !== 'int' && lv.type.k !== 'ptr') throw cError(loc, `wrong type argument to ${op === '+' ? 'increment' : 'decrement'} ('${typeName(lv.type)}')`);
    if (lv.type.k === 'int' && lv.type.bool) throw unsupported(loc, `${op}${op} on a bool`, 'assign true or false');
    const t = lv.type;
    const one: TE = { ts: literal(1n, INT), type: INT, cst: 1n };
    const cur: TE = { ts: lv.read(), type: t };
    const next = this.convert(this.arith(op, cur, one, loc), t, loc);
    if (lv.local !== undefined && lv.setup.length === 0) {
      const set = `(${lv.local} = ${bare(next, false)})`;
      if (!post) return { ts: set, type: t };
      // The old value back from the new one: exact under wrapping.
      const back = this.convert(this.arith(op === '+' ? '-' : '+', { ts: set, type: t }, one, loc), t, loc);
      return { ts: back, type: t };
    }
    const setup = [...lv.setup];
    const old = this.temp(t);
    const nv = this.temp(t);
    setup.push(`${old} = ${cur.ts}`);
    setup.push(`${nv} = ${this.convert(this.arith(op, { ts: old, type: t }, one, loc), t, loc)}`);
    setup.push(lv.write(nv));
    return { ts: `(${[...setup, post ? old : nv].join(', ')})`, type: t };
  }

  private unary(e: Extract<Expr, { k: 'unary' }>): TE {
    switch (e.op) {
      case '++': case '--': return this.incdec(e.arg, e.op === '++' ? '+' : '-', false, e.loc);
      case '&': return this.addressOf(e.arg, e.loc);
      case '*': return this.placeValue(this.lvalue(e), e.loc);
      case '!': {
        const c = this.cond(e.arg);
        const v = this.rvalue(e.arg);
        if (v.cst !== undefined) return { ts: v.cst === 0n ? '1' : '0', type: INT, cst: v.cst === 0n ? 1n : 0n };
        return { ts: `(${c} ? 0 : 1)`, type: INT };
      }
      default: {
        const v = this.rvalue(e.arg);
        if (v.type.k !== 'int') throw cError(e.loc, `wrong type argument to unary '${e.op}' (have '${typeName(v.type)}')`);
        const t = promote(v.type);
        const x = this.convert(v, t, e.loc);
        if (v.cst !== undefined) {
          const c = wrap(v.cst, t);
          const r = wrap(e.op === '-' ? -c : e.op === '~' ? ~c : c, t);
          return { ts: literal(r, t), type: t, cst: r };
        }
        if (e.op === '+') return { ts: x, type: t };
        if (t.size === 8) {
          if (e.op === '-') return { ts: `BigInt.as${t.signed ? 'Int' : 'Uint'}N(64, -${x})`, type: t };
          return { ts: t.signed ? `(~${x})` : `BigInt.asUintN(64, ~${x})`, type: t };
        }
        if (e.op === '-') return { ts: t.signed ? `(-${x} | 0)` : `(-${x} >>> 0)`, type: t };
        return { ts: t.signed ? `(~${x})` : `(~${x} >>> 0)`, type: t };
      }
    }
  }

  private addressOf(arg: Expr, loc: Loc): TE {
    if (arg.k === 'unary' && arg.op === '*') return this.rvalue(arg.arg);
    if (arg.k === 'id' && this.lookup(arg.name)?.k === 'func') throw unsupported(loc, `the address of function '${arg.name}'`, 'call the function by name');
    const lv = this.lvalue(arg);
    const to = lv.type;
    if (lv.pcpu !== undefined) {
      const p = lv.pcpu;
      const ts = this.typeOnly ? p.base : this.pcpPtr(lv);
      return { ts: this.withSetup(lv.setup, ts), type: { k: 'ptr', to, percpu: true, constTo: false }, pcpuConst: p.hoist && p.dyn === null };
    }
    if (lv.addr !== undefined) return { ts: this.withSetup(lv.setup, lv.addr), type: { k: 'ptr', to, percpu: false, constTo: false } };
    throw unsupported(loc, `the address of the local '${this.cText(arg)}'`, 'locals are TypeScript values, not memory: pass the value, or use a global or a per-CPU variable');
  }

  /** The value of an object: a scalar read, an array decayed to a pointer to its first element. */
  private placeValue(lv: LV, loc: Loc): TE {
    const t = lv.type;
    if (t.k === 'array') {
      const el: CType = { k: 'ptr', to: t.of, percpu: lv.pcpu !== undefined, constTo: false };
      if (lv.pcpu !== undefined) return { ts: this.withSetup(lv.setup, this.typeOnly ? lv.pcpu.base : this.pcpPtr({ ...lv, type: t.of })), type: el, pcpuConst: lv.pcpu.hoist && lv.pcpu.dyn === null };
      if (lv.addr === undefined) throw unsupported(loc, 'an array that is not in memory', 'use a global or per-CPU array');
      return { ts: this.withSetup(lv.setup, lv.addr), type: el };
    }
    if (this.typeOnly) return { ts: '0', type: t };
    if (t.k === 'struct') throw unsupported(loc, `a whole ${typeName(t)} used as a value`, 'use its members, or a pointer to it');
    if (lv.pcpu !== undefined) lv.read();
    return { ts: this.withSetup(lv.setup, lv.read()), type: t };
  }

  private binary(e: Extract<Expr, { k: 'binary' }>): TE {
    const op = e.op;
    if (op === '&&' || op === '||') {
      const l = this.rvalue(e.left);
      const r = this.rvalue(e.right);
      if (l.cst !== undefined && r.cst !== undefined) {
        const v = op === '&&' ? (l.cst !== 0n && r.cst !== 0n) : (l.cst !== 0n || r.cst !== 0n);
        return { ts: v ? '1' : '0', type: INT, cst: v ? 1n : 0n };
      }
      return { ts: `(${this.cond(e)} ? 1 : 0)`, type: INT };
    }
    if (['<', '>', '<=', '>=', '==', '!='].includes(op)) {
      const l = this.rvalue(e.left);
      const r = this.rvalue(e.right);
      if (l.cst !== undefined && r.cst !== undefined && l.type.k === 'int' && r.type.k === 'int') {
        const t = usualArithmetic(l.type, r.type);
        const a = wrap(l.cst, t);
        const b = wrap(r.cst, t);
        const v = op === '<' ? a < b : op === '>' ? a > b : op === '<=' ? a <= b : op === '>=' ? a >= b : op === '==' ? a === b : a !== b;
        return { ts: v ? '1' : '0', type: INT, cst: v ? 1n : 0n };
      }
      return { ts: `(${this.compare(e)} ? 1 : 0)`, type: INT };
    }
    return this.arith(op, this.rvalue(e.left), this.rvalue(e.right), e.loc);
  }

  private compare(e: Extract<Expr, { k: 'binary' }>): string {
    const l = this.rvalue(e.left);
    const r = this.rvalue(e.right);
    const js = e.op === '==' ? '===' : e.op === '!=' ? '!==' : e.op;
    if (l.type.k === 'ptr' || r.type.k === 'ptr') {
      const percpu = (l.type.k === 'ptr' && l.type.percpu) || (r.type.k === 'ptr' && r.type.percpu);
      if (e.op !== '==' && e.op !== '!=' && percpu) throw unsupported(e.loc, 'ordering __percpu pointers', 'compare indexes');
      const side = (v: TE): string => (v.type.k === 'int' && v.cst === 0n ? (percpu ? 'null' : '0') : v.ts);
      if ((l.type.k === 'int' && l.cst !== 0n) || (r.type.k === 'int' && r.cst !== 0n)) throw cError(e.loc, 'comparison between pointer and integer');
      return `(${side(l)} ${js} ${side(r)})`;
    }
    if (l.type.k !== 'int' || r.type.k !== 'int') throw cError(e.loc, `invalid operands to binary ${e.op}`);
    const t = usualArithmetic(l.type, r.type);
    return `(${this.convert(l, t, e.loc)} ${js} ${this.convert(r, t, e.loc)})`;
  }

  /** Arithmetic in the usual arithmetic conversions' type, wrapped to it (-fno-strict-overflow). */
  private arith(op: string, l: TE, r: TE, loc: Loc): TE {
    if ((op === '+' || op === '-') && (l.type.k === 'ptr' || r.type.k === 'ptr')) return this.pointerArith(op, l, r, loc);
    if (l.type.k !== 'int' || r.type.k !== 'int') {
      throw cError(loc, `invalid operands to binary ${op} (have '${typeName(l.type)}' and '${typeName(r.type)}')${l.type.k === 'ptr' || r.type.k === 'ptr' ? ': pointer arithmetic comes with the C layout engine' : ''}`);
    }
    const shift = op === '<<' || op === '>>';
    const t = shift ? promote(l.type) : usualArithmetic(l.type, r.type);
    if (l.cst !== undefined && r.cst !== undefined) {
      const a = wrap(l.cst, t);
      const b = shift ? r.cst : wrap(r.cst, t);
      let v: bigint;
      switch (op) {
        case '+': v = a + b; break;
        case '-': v = a - b; break;
        case '*': v = a * b; break;
        case '/': case '%':
          if (b === 0n) throw cError(loc, 'division by zero in a constant expression');
          v = op === '/' ? a / b : a % b; break;
        case '<<': case '>>':
          if (b < 0n || b >= BigInt(t.size * 8)) throw cError(loc, `shift count ${b} is ${b < 0n ? 'negative' : '>= width of type'} '${typeName(t)}'`);
          v = op === '<<' ? a << b : a >> b; break;
        case '&': v = a & b; break;
        case '|': v = a | b; break;
        case '^': v = a ^ b; break;
        default: throw cError(loc, `unknown operator '${op}'`);
      }
      const w = wrap(v, t);
      return { ts: literal(w, t), type: t, cst: w };
    }
    const a = this.convert(l, t, loc);
    if (shift) {
      const n = r.type.k === 'int' && r.type.size === 8 ? `Number(${r.ts})` : r.ts;
      if (r.cst !== undefined && (r.cst < 0n || r.cst >= BigInt(t.size * 8))) {
        throw cError(loc, `shift count ${r.cst} is ${r.cst < 0n ? 'negative' : '>= width of type'} '${typeName(t)}'`);
      }
      if (t.size === 8) {
        const cnt = r.cst !== undefined ? `${r.cst}n` : `BigInt(${n} & 63)`;
        if (op === '<<') return { ts: `BigInt.as${t.signed ? 'Int' : 'Uint'}N(64, ${a} << ${cnt})`, type: t };
        return { ts: `(${a} >> ${cnt})`, type: t };
      }
      if (op === '<<') return { ts: t.signed ? `(${a} << ${n})` : `((${a} << ${n}) >>> 0)`, type: t };
      return { ts: t.signed ? `(${a} >> ${n})` : `(${a} >>> ${n})`, type: t };
    }
    const b = this.convert(r, t, loc);
    if (t.size === 8) {
      const N = `BigInt.as${t.signed ? 'Int' : 'Uint'}N`;
      // An operand wrapped to 64 bits needs no wrap of its own here: the result's wrap keeps the
      // same low 64 bits of a sum, difference or product.
      const un = (x: string): string => {
        const w = wrapped64(x);
        return w === undefined ? x : atom(w) ? w : `(${w})`;
      };
      // The operands as the C has them: their low 32 bits are those of their conversions to t.
      const parts = { op, l, r };
      switch (op) {
        case '+': case '-': case '*': return { ts: `${N}(64, ${un(a)} ${op} ${un(b)})`, type: t, parts };
        case '/': case '%': return { ts: `${N}(64, ${a} ${op} ${this.nonZero(b, true, loc)})`, type: t };
        case '&': case '|': case '^': return { ts: `(${a} ${op} ${b})`, type: t, parts };
      }
    } else {
      const fix = t.signed ? '| 0' : '>>> 0';
      switch (op) {
        case '+': case '-': return { ts: `((${a} ${op} ${b}) ${fix})`, type: t };
        case '*': return { ts: t.signed ? `Math.imul(${a}, ${b})` : `(Math.imul(${a}, ${b}) >>> 0)`, type: t };
        case '/': return { ts: `((${a} / ${this.nonZero(b, false, loc)}) ${fix})`, type: t };
        case '%': return { ts: `((${a} % ${this.nonZero(b, false, loc)}) ${fix})`, type: t };
        case '&': case '|': case '^': return { ts: t.signed ? `(${a} ${op} ${b})` : `((${a} ${op} ${b}) >>> 0)`, type: t };
      }
    }
    throw cError(loc, `unknown operator '${op}'`);
  }

  /** C11 6.5.6: pointer ± integer moves by elements; pointer − pointer counts them. */
  private pointerArith(op: string, l: TE, r: TE, loc: Loc): TE {
    if (l.type.k === 'ptr' && r.type.k === 'ptr') {
      if (op !== '-') throw cError(loc, `invalid operands to binary + (have '${typeName(l.type)}' and '${typeName(r.type)}')`);
      if (l.type.percpu || r.type.percpu) throw unsupported(loc, 'subtracting __percpu pointers', 'keep an index instead');
      if (!sameType(l.type.to, r.type.to)) throw cError(loc, `invalid operands to binary - (have '${typeName(l.type)}' and '${typeName(r.type)}')`);
      const size = this.elementSize(l.type, loc);
      return { ts: `BigInt((${l.ts} - ${r.ts}) / ${size})`, type: LONG };
    }
    const [p, n] = l.type.k === 'ptr' ? [l, r] : [r, l];
    if (op === '-' && p === r) throw cError(loc, `invalid operands to binary - (have '${typeName(l.type)}' and '${typeName(r.type)}')`);
    if (n.type.k !== 'int' || p.type.k !== 'ptr') throw cError(loc, `invalid operands to binary ${op} (have '${typeName(l.type)}' and '${typeName(r.type)}')`);
    const size = this.elementSize(p.type, loc);
    const sign = op === '-' ? '-' : '';
    let delta: string;
    if (n.cst !== undefined) delta = String(Number(op === '-' ? -n.cst : n.cst) * size);
    else delta = `${sign}${this.asNumber(n)}${size === 1 ? '' : ` * ${size}`}`;
    if (p.type.percpu) {
      // (void __percpu *)p + off, as the kernel writes it: a per-CPU pointer inside the same object.
      if (delta === '0') return p;
      if (n.cst === undefined && p.type.to.k !== 'void' && !this.typeOnly) {
        // A variable index (`this_cpu_inc(p[i])`): each element's pointer made once, as for a member (pcpu_ptr_at).
        this.need('src/member', 'pcpu_ptr_at');
        return { ts: `pcpu_ptr_at(m, ${p.ts}, ${delta}, ${this.typeConst(this.runtimeType(p.type.to))})`, type: p.type };
      }
      this.need('src/member', 'pcpu_ptr_add');
      const t = p.type.to.k === 'void' ? '' : `, ${this.runtimeType(p.type.to)}`;
      return { ts: `pcpu_ptr_add(m, ${p.ts}, ${delta}${t})`, type: p.type };
    }
    if (delta === '0') return p;
    return { ts: `(${p.ts} + ${delta.startsWith('-') ? `(${delta})` : delta})`, type: p.type };
  }

  private elementSize(t: Extract<CType, { k: 'ptr' }>, loc: Loc): number {
    // GNU C: arithmetic on void * moves by bytes (the kernel relies on it).
    if (t.to.k === 'void') return 1;
    if (t.to.k === 'func' || (t.to.k === 'struct' && (t.to.lt === undefined || t.to.lt.members === null))) {
      throw cError(loc, `arithmetic on a pointer to an incomplete type '${typeName(t.to)}'`);
    }
    return sizeOf(t.to);
  }

  /** A divisor, checked: division by zero is the CPU's #DE, reported with the C line. */
  private nonZero(b: string, big: boolean, loc: Loc): string {
    if (/^\(?[1-9]\d*n?\)?$/.test(b)) return b;
    this.need('src/lib/bug', 'divide_error');
    return `divide_error(${b}, '${line(loc)}')`;
  }

  private conditional(e: Extract<Expr, { k: 'cond' }>): TE {
    const a = this.rvalue(e.then);
    const b = this.rvalue(e.else);
    let t: CType;
    if (a.type.k === 'int' && b.type.k === 'int') t = usualArithmetic(a.type, b.type);
    else if (a.type.k === 'void' && b.type.k === 'void') t = VOID;
    else if (sameType(a.type, b.type)) t = a.type;
    else if (a.type.k === 'ptr' && b.type.k === 'int' && b.cst === 0n) t = a.type;
    else if (b.type.k === 'ptr' && a.type.k === 'int' && a.cst === 0n) t = b.type;
    else throw cError(e.loc, `type mismatch in conditional expression ('${typeName(a.type)}' and '${typeName(b.type)}')`);
    const test = this.rvalue(e.test);
    if (test.cst !== undefined && a.cst !== undefined && b.cst !== undefined && t.k === 'int') {
      const v = wrap(test.cst !== 0n ? a.cst : b.cst, t);
      return { ts: literal(v, t), type: t, cst: v };
    }
    if (t.k === 'void') return { ts: `(${this.cond(e.test)} ? ${a.ts} : ${b.ts})`, type: t };
    return { ts: `(${this.cond(e.test)} ? ${this.convert(a, t, e.loc)} : ${this.convert(b, t, e.loc)})`, type: t };
  }

  private cast(e: Extract<Expr, { k: 'cast' }>): TE {
    const t = this.resolveTypeName(e.type);
    const v = this.rvalue(e.arg);
    if (t.k === 'void') return { ts: this.effect(e.arg) || 'undefined', type: VOID };
    if (t.k === 'int' && v.type.k === 'int') {
      if (v.cst !== undefined) {
        const w = wrap(v.cst, t);
        return { ts: literal(w, t), type: t, cst: w };
      }
      return { ts: this.convert(v, t, e.loc), type: t };
    }
    if (t.k === 'ptr' && v.type.k === 'ptr') {
      if (t.percpu !== v.type.percpu) throw cError(e.loc, `cast between a __percpu and an ordinary pointer (sparse: cast removes address space)`);
      // alloc_percpu(type) is (type __percpu *)__alloc_percpu(sizeof(type), __alignof__(type)): a typed allocation.
      const a = e.arg;
      if (t.percpu && a.k === 'call' && a.fn.k === 'id' && a.fn.name === '__alloc_percpu' && this.lookup('__alloc_percpu')?.k === 'func'
        && t.to.k !== 'void' && t.to.k !== 'func' && !(t.to.k === 'struct' && t.to.lt === undefined)) {
        this.need('src/mm/percpu-alloc', 'alloc_percpu');
        return { ts: `(alloc_percpu(m, ${this.runtimeType(t.to)}) as PerCpuPtr<any>)`, type: t };
      }
      return { ts: v.ts, type: t };
    }
    if (t.k === 'ptr' && v.type.k === 'int' && !t.percpu) {
      // An address in ordinary memory is a number; the kernel's pointers are unsigned long.
      if (v.cst !== undefined) return { ts: String(Number(BigInt.asUintN(64, v.cst))), type: t, cst: BigInt.asUintN(64, v.cst) };
      return { ts: v.type.size === 8 ? `Number(${v.ts})` : `(${v.ts} >>> 0)`, type: t };
    }
    if (t.k === 'int' && v.type.k === 'ptr' && !v.type.percpu) {
      if (t.bool) return { ts: `(${v.ts} !== 0 ? 1 : 0)`, type: t };
      return { ts: this.convert({ ts: `BigInt(${v.ts})`, type: ULONG }, t, e.loc), type: t };
    }
    throw unsupported(e.loc, `cast from '${typeName(v.type)}' to '${typeName(t)}'`, 'cast between integer types, or between pointers and unsigned long');
  }

  private sizeof(e: Extract<Expr, { k: 'sizeof' }>): TE {
    const t = e.type ? this.resolveTypeName(e.type) : this.typeOfNoDecay(e.arg!);
    const what = e.align ? '_Alignof' : 'sizeof';
    if (t.k === 'void' || t.k === 'func' || (t.k === 'struct' && (t.lt === undefined || t.lt.members === null)) || (t.k === 'array' && t.len === null)) {
      throw cError(e.loc, `invalid application of '${what}' to ${t.k === 'void' || t.k === 'func' ? 'type' : 'incomplete type'} '${typeName(t)}'`);
    }
    const n = BigInt(t.k === 'int' ? t.size : e.align ? layoutOf(t).align : sizeOf(t));
    return { ts: literal(n, ULONG), type: ULONG, cst: n };
  }

  /** offsetof(type, member.path[i]): gcc's __builtin_offsetof, from the layout engine. */
  private offsetof(e: Extract<Expr, { k: 'offsetof' }>): TE {
    const t = this.resolveTypeName(e.type);
    if (t.k !== 'struct' || t.lt === undefined || t.lt.members === null) throw cError(e.loc, `offsetof on '${typeName(t)}', which is not a complete struct or union`);
    const path = e.path.map((d, i) => {
      if (d.k === 'field') return i === 0 ? d.name : `.${d.name}`;
      const v = this.rvalue(d.index).cst;
      if (v === undefined) throw unsupported(d.loc, 'offsetof with a variable index', 'use a constant index');
      return `[${v}]`;
    }).join('');
    try {
      const n = BigInt(memberRef(t.lt, path).offset);
      return { ts: literal(n, ULONG), type: ULONG, cst: n };
    } catch (err) {
      throw cError(e.loc, (err as Error).message);
    }
  }

  /**
   * A statement expression `({ decl; stmt; expr; })` as a comma expression:
   * declarations become assignments to hoisted locals, `if` becomes `?:`. A
   * loop or a return inside one is refused.
   */
  private stmtExpr(e: Extract<Expr, { k: 'stmtexpr' }>): TE {
    this.scopes.push(new Map());
    const parts: string[] = [];
    let last: TE = { ts: 'undefined', type: VOID };
    const items = e.body.items;
    items.forEach((s, i) => {
      const isLast = i === items.length - 1;
      if (isLast && s.k === 'expr') {
        last = this.rvalue(s.expr);
        return;
      }
      const p = this.stmtAsExpr(s);
      if (p !== '') parts.push(p);
    });
    this.scopes.pop();
    if (parts.length === 0) return last;
    return { ts: `(${[...parts, last.ts].join(', ')})`, type: last.type, cst: undefined };
  }

  private stmtAsExpr(s: Stmt): string {
    switch (s.k) {
      case 'expr': return this.effect(s.expr);
      case 'empty': return '';
      case 'decl': {
        const parts: string[] = [];
        const saved = this.out.length;
        this.localDecl(s);
        // localDecl emits `x = v;` lines; fold them into the expression.
        for (const l of this.out.splice(saved)) {
          const t = l.trim();
          if (t.startsWith('//') || t.startsWith('m.ctx.src')) continue;
          parts.push(t.replace(/;$/, ''));
        }
        return parts.join(', ');
      }
      case 'if': {
        const a = this.stmtAsExpr(s.then) || 'undefined';
        const b = s.else ? this.stmtAsExpr(s.else) || 'undefined' : 'undefined';
        return `(${this.cond(s.test)} ? (${a}) : (${b}))`;
      }
      case 'block': {
        this.scopes.push(new Map());
        const p = s.items.map((x) => this.stmtAsExpr(x)).filter((x) => x !== '');
        this.scopes.pop();
        return p.join(', ');
      }
      case 'do': {
        const c = this.rvalue(s.test);
        if (c.cst !== 0n) break;
        return this.stmtAsExpr(s.body);
      }
      default:
    }
    throw unsupported(s.loc, `a '${s.k}' statement inside a statement expression`, 'write a static inline function instead');
  }

  // ---- calls ----

  private call(e: Extract<Expr, { k: 'call' }>): TE {
    if (e.fn.k !== 'id') throw unsupported(e.loc, 'a call through a function pointer', 'call the function by name');
    const name = e.fn.name;
    if (name in SIZE_CALLS) return this.pcpuOp(name, e);
    if (name === '__percpu_sim_xchg') return this.xchgOp(e);
    switch (name) {
      case '__builtin_expect': {
        this.arity(e, 2);
        return this.rvalue(e.args[0]);
      }
      case '__builtin_constant_p': {
        this.arity(e, 1);
        const v = this.rvalue(e.args[0]);
        return { ts: v.cst !== undefined ? '1' : '0', type: INT, cst: v.cst !== undefined ? 1n : 0n };
      }
      case '__builtin_unreachable':
        this.need('src/lib/bug', 'BUG');
        return { ts: `BUG(m, '${e.loc.file}', ${e.loc.line})`, type: VOID };
      case 'this_cpu_ptr': case 'raw_cpu_ptr': {
        this.arity(e, 1);
        const p = this.percpuPtr(e.args[0], name);
        this.need('src/accessors', name);
        return { ts: `${name}(m, ${p.ts})`, type: { k: 'ptr', to: (p.type as { to: CType }).to, percpu: false, constTo: false } };
      }
      case 'per_cpu_ptr': {
        this.arity(e, 2);
        const p = this.percpuPtr(e.args[0], name);
        const cpu = this.convert(this.rvalue(e.args[1]), INT, e.args[1].loc);
        this.need('src/accessors', name);
        return { ts: `per_cpu_ptr(m, ${p.ts}, ${cpu})`, type: { k: 'ptr', to: (p.type as { to: CType }).to, percpu: false, constTo: false } };
      }
      default:
    }
    const s = this.lookup(name);
    if (!s) {
      throw cError(e.loc, `implicit declaration of function '${name}' (not defined in this file, not in the shipped headers: define it here, or include the header that declares it)`);
    }
    if (s.k !== 'func') {
      if ((s.k === 'local' || s.k === 'global') && s.type.k === 'ptr' && s.type.to.k === 'func') {
        throw unsupported(e.loc, `a call through the function pointer '${name}'`, 'call the function by name');
      }
      throw cError(e.loc, `called object '${name}' is not a function`);
    }
    const ft = s.type;
    if (e.args.length !== ft.params.length) {
      throw cError(e.loc, `too ${e.args.length < ft.params.length ? 'few' : 'many'} arguments to function '${name}' (expected ${ft.params.length}, have ${e.args.length})`);
    }
    const b0 = s.def ? undefined : FUNCTIONS[name];
    const boxes: OutParam[] = [];
    const args = e.args.map((a, i) => {
      if (b0?.boxes?.includes(i) === true) {
        const p = ft.params[i];
        const to = p.k === 'ptr' ? p.to : p;
        const out = this.outParam(a, to, `${name}(): argument ${i + 1}`, `type '${typeName(to)}'`, false);
        boxes.push(out);
        return out.box;
      }
      const v = this.rvalue(a);
      if (v.str) {
        const p = ft.params[i];
        if (p.k !== 'ptr' || p.to.k !== 'int' || p.to.size !== 1) throw cError(a.loc, `passing a string to parameter ${i + 1} of '${name}', which is '${typeName(p)}'`);
        return v.ts;
      }
      return this.convert(v, ft.params[i], a.loc);
    });
    if (s.def) {
      const ts = `${s.ts}(${args.map((a) => bare(a, false)).join(', ')})`;
      return { ts: this.stepped ? `(yield* ${ts})` : ts, type: ft.ret };
    }
    const b = FUNCTIONS[name];
    if (!b) {
      const stubs = this.opts.stubs;
      if (stubs?.names.has(name)) {
        // A stub runs as one indivisible call, in both flavours: it is not a step.
        this.need(stubs.module, name);
        return { ts: `${name}(m${args.map((a) => `, ${bare(a, false)}`).join('')})`, type: ft.ret };
      }
      throw cError(e.loc, `'${name}' is declared but not defined in this file (percpu-cc translates one file: define it here, a stub in C is enough, or export ${name}(m, …) from a TypeScript module given with --stubs)`);
    }
    const form = this.stepped && b.stepped !== undefined ? b.stepped : b;
    for (const [mod, n] of form.imports) this.need(mod, n);
    const pointee = (k: number): string => {
      const a = e.args[k];
      return JSON.stringify(a.k === 'unary' && a.op === '&' ? this.cText(a.arg) : `*${this.cText(a)}`);
    };
    const parts: CallParts = {
      arg: (k) => args[k],
      pointee,
      kptr: (k, type, fn, write) => {
        // This call site's own kptr_site(), made once in instantiate(): it keeps the pointer while the address is the same.
        const site = `$kp${++this.sites}`;
        this.need('src/kptr', 'kptr_site');
        this.memberPtrs.push(`const ${site} = kptr_site();`);
        return `${site}(m, ${args[k]}, '${type}', ${pointee(k)}, '${fn}', ${write})`;
      },
    };
    const ts = typeof form.ts === 'function'
      ? form.ts(parts)
      : form.ts.replace(/\$(S?)(\d)/g, (_, kind: string, k: string) => (kind === 'S' ? pointee(Number(k)) : args[Number(k)]));
    if (boxes.length > 0) {
      const r = this.temp(ft.ret.k === 'void' ? 'undefined' : tsType(ft.ret));
      return { ts: `(${[...boxes.map((b) => b.set), `${r} = ${ts}`, ...boxes.map((b) => b.back), r].join(', ')})`, type: ft.ret };
    }
    return { ts, type: ft.ret };
  }

  /**
   * An out parameter passed as `&local`, try_cmpxchg's old value: the callee (a runtime call or a
   * per-CPU op) takes a box `{ value }` of its pointee type `t` and writes the value it found
   * there. The box is filled from the local before the call (`set`) and copied back after it
   * (`back`). `what` names the argument in a refusal, `of` the local it must be; a per-CPU op's
   * ovalp may be a wider integer (`wider`).
   */
  private outParam(a: Expr, t: CType, what: string, of: string, wider: boolean): OutParam {
    if (!(a.k === 'unary' && a.op === '&')) throw unsupported(a.loc, `${what} other than &local`, 'pass the address of a local variable');
    const olv = this.lvalue(a.arg);
    const lt = olv.type;
    const local = olv.local;
    if (local === undefined || lt.k !== 'int' || t.k !== 'int' || (wider ? lt.size < t.size : lt.size !== t.size)) {
      throw cError(a.loc, `${what} must point to a local of ${of}${wider ? ' or a wider integer' : ''}`);
    }
    const box = this.temp(`{ value: ${tsType(t)} }`);
    if (lt.size === t.size) return { box, set: `${box}.value = ${local}`, back: `${local} = ${this.fromOp(`${box}.value`, lt)}` };
    return { box, set: `${box}.value = ${bare(this.convert({ ts: local, type: lt }, t, a.loc), false)}`, back: `${local} = ${this.ovalpBack(lt, t, a.loc)}(${local}, ${box}.value)` };
  }

  /**
   * A per-CPU try_cmpxchg's write-back on a miss into a local wider than the variable
   * (percpu_counter_add_batch's s64 count for its s32 counter), which differs by architecture:
   * x86-64 replaces only the variable's bytes of the local (percpu_try_cmpxchg_op in
   * arch/x86/include/asm/percpu.h, v6.11, casts ovalp to the variable's type), asm-generic's
   * raw_cpu_generic_try_cmpxchg (include/asm-generic/percpu.h, v6.11), which arm64 uses too,
   * assigns the found value, converted to the local's type. The machine's architecture is fixed,
   * so instantiate() picks the function once (`$ovalp_<variable>_<local>(old, found)`), and the
   * loop around the op carries no test of it.
   */
  private ovalpBack(lt: IntType, t: IntType, loc: Loc): string {
    const key = `ovalp:${scalarName(t)}:${scalarName(lt)}`;
    let name = this.hoisted.get(key);
    if (name !== undefined) return name;
    // `$` names are the translator's own: fresh() renames C identifiers that have one.
    name = `$ovalp_${scalarName(t)}_${scalarName(lt)}`;
    this.hoisted.set(key, name);
    const [ot, ft] = [tsType(lt), tsType(t)];
    const mask = (1n << BigInt(t.size * 8)) - 1n;
    const low = this.convert({ ts: 'found', type: { ...t, signed: false } }, lt, loc);
    const merged = lt.size === 8 ? `BigInt.asIntN(64, (old & ${BigInt.asIntN(64, ~mask)}n) | ${low})` : `(old & ${Number(BigInt.asIntN(32, ~mask))}) | ${low}`;
    const widened = this.convert({ ts: this.fromOp('found', t), type: t }, lt, loc);
    this.memberPtrs.push(`const ${name} = m.arch === 'x86_64' ? (old: ${ot}, found: ${ft}): ${ot} => ${bare(merged, false)} : (_old: ${ot}, found: ${ft}): ${ot} => ${bare(widened, false)};`);
    return name;
  }

  private arity(e: Extract<Expr, { k: 'call' }>, n: number): void {
    const name = (e.fn as { name: string }).name;
    if (e.args.length !== n) throw cError(e.loc, `${name}() takes ${n} argument${n === 1 ? '' : 's'}, got ${e.args.length}`);
  }

  private percpuPtr(a: Expr, what: string): TE {
    const p = this.rvalue(a);
    if (p.type.k !== 'ptr' || !p.type.percpu) {
      throw cError(a.loc, `${what}() needs a __percpu pointer (&per_cpu_var, or a pointer from alloc_percpu), got '${typeName(p.type)}'`);
    }
    return p;
  }

  /**
   * `__pcpu_size_call*(stem, pcp, args…)`: the kernel's switch on sizeof(pcp),
   * resolved here: the sized op of the generated tables, called directly.
   */
  private pcpuOp(kind: string, e: Extract<Expr, { k: 'call' }>): TE {
    const stemE = e.args[0];
    if (!stemE || stemE.k !== 'id') throw cError(e.loc, `${kind}: the first argument must be an op stem such as this_cpu_add_`);
    const stem = stemE.name;
    const pcpE = e.args[1];
    if (!pcpE) throw cError(e.loc, `${stem.replace(/_$/, '')}(): missing the per-CPU variable`);
    const lv = this.lvalue(pcpE);
    const opName = stem.replace(/_$/, '');
    if (lv.pcpu === undefined) {
      throw cError(pcpE.loc, `${opName}() on '${this.describe(pcpE)}', which is not a per-CPU variable (sparse: incorrect type in argument: different address spaces)`);
    }
    const t = lv.type;
    if (t.k !== 'int') throw unsupported(pcpE.loc, `${opName}() on a '${typeName(t)}'`, 'per-CPU ops take integer variables');
    const pcp = this.withSetup(lv.setup, this.pcpPtr(lv));
    const sized = `${stem}${t.size}`;
    if (!this.opts.ops.has(sized)) throw cError(e.loc, `no '${sized}': the architecture tables have no ${t.size}-byte ${opName} (the kernel's __bad_size_call_parameter)`);
    this.usedOps.add(sized);
    const rest = e.args.slice(2);
    const params: string[] = [];
    const setup: string[] = [];
    const after: string[] = [];
    for (const a of rest) {
      if (/try_cmpxchg/.test(stem) && params.length === 0) {
        // ovalp: C passes &old; the generated op takes a box it writes the found value into.
        const out = this.outParam(a, t, `${opName}(): ovalp`, `the per-CPU variable's type ('${typeName(t)}')`, true);
        setup.push(out.set);
        after.push(out.back);
        params.push(out.box);
        continue;
      }
      params.push(this.convert(this.rvalue(a), t, a.loc));
    }
    const call = `${sized}(m, ${pcp}${params.map((p) => `, ${bare(p, false)}`).join('')})`;
    const c = this.stepped ? `(yield* ${call})` : call;
    const kindOf = SIZE_CALLS[kind];
    let ts: string;
    let type: CType;
    if (kindOf === 'void') {
      ts = c;
      type = VOID;
    } else if (kindOf === 'bool') {
      type = BOOL;
      if (after.length > 0) {
        const r = this.temp('boolean');
        const run = [...setup, `${r} = ${c}`, `(${r} || (${after.join(', ')}))`];
        return { ts: `(${[...run, `(${r} ? 1 : 0)`].join(', ')})`, type, test: `(${[...run, r].join(', ')})` };
      }
      if (setup.length > 0) return { ts: `(${[...setup, `(${c} ? 1 : 0)`].join(', ')})`, type, test: `(${[...setup, c].join(', ')})` };
      return { ts: `(${c} ? 1 : 0)`, type, test: c };
    } else {
      type = t;
      ts = this.fromOp(c, t);
    }
    return { ts: setup.length > 0 ? `(${[...setup, ts].join(', ')})` : ts, type };
  }

  /**
   * `__percpu_sim_xchg(op, ptr, …)`, what <linux/atomic.h>'s xchg(),
   * cmpxchg(), try_cmpxchg() and their _acquire/_release/_relaxed/_local and
   * 64 spellings expand to: the sized op of `*ptr`'s C type, chosen here as
   * arch/x86/include/asm/cmpxchg.h's switch on sizeof(*(ptr)) is at compile
   * time. Old and new convert to `typeof(*(ptr))` as the kernel's locals
   * `__old`/`__new` do; try_cmpxchg() is raw_try_cmpxchg() of
   * include/linux/atomic/atomic-arch-fallback.h (v6.16): read `*oldp`,
   * cmpxchg, on a miss store what was found through `oldp`.
   */
  private xchgOp(e: Extract<Expr, { k: 'call' }>): TE {
    const opE = e.args[0];
    const spelling = opE !== undefined && opE.k === 'id' ? /^(try_cmpxchg|cmpxchg|xchg)(64)?(_acquire|_release|_relaxed|_local)?$/.exec(opE.name) : null;
    if (spelling === null) throw cError(e.loc, '__percpu_sim_xchg: the first argument must be xchg, cmpxchg or try_cmpxchg with its suffixes');
    const op = (opE as { name: string }).name;
    const kind = spelling[1];
    const want = kind === 'xchg' ? 3 : 4;
    if (e.args.length !== want) throw cError(e.loc, `${op}() takes ${want - 1} arguments, got ${e.args.length - 1}`);
    const ptrE = e.args[1];
    const pt = this.typeOf(ptrE);
    if (pt.k === 'ptr' && pt.percpu) {
      const pcpuOp = kind === 'try_cmpxchg' ? 'this_cpu_try_cmpxchg' : `this_cpu_${kind}`;
      throw cError(ptrE.loc, `${op}() on the __percpu pointer '${this.cText(ptrE)}' (sparse: different address spaces): use ${pcpuOp}() on the per-CPU variable, or ${op}() on per_cpu_ptr()/this_cpu_ptr() of it`);
    }
    const lv = this.lvalue({ k: 'unary', op: '*', arg: ptrE, loc: ptrE.loc });
    const t = lv.type;
    const sym = this.cText({ k: 'unary', op: '*', arg: ptrE, loc: ptrE.loc }).replace(/^\*&/, '');
    if (!(t.k === 'int' || (t.k === 'ptr' && !t.percpu)) || lv.addr === undefined) {
      throw cError(ptrE.loc, `${op}() on '${sym}' of type '${typeName(t)}': it takes an integer or pointer object of 1, 2, 4 or 8 bytes (the kernel's __${kind === 'xchg' ? 'xchg' : 'cmpxchg'}_wrong_size)`);
    }
    if (spelling[2] === '64' && sizeOf(t) !== 8) {
      throw cError(ptrE.loc, `${op}() on '${sym}' of type '${typeName(t)}', which is ${sizeOf(t)} bytes, not 8 (BUILD_BUG_ON(sizeof(*(ptr)) != 8))`);
    }
    const xt = t.k === 'ptr' ? 'ptr' : t.bool ? 'u8' : scalarName(t);
    const setup = [...lv.setup];
    let addr = lv.addr;
    const fixed = (): void => {
      if (simple(addr) || /^[\w$]+\.addr$/.test(addr)) return;
      const a = this.temp('number');
      setup.push(`${a} = ${addr}`);
      addr = a;
    };
    const call = (fn: string, vals: string[]): string => {
      if (this.stepped) {
        this.need('src/kernel/atomic', `${fn}_at`);
        return `(yield* ${fn}_at(m, '${op}', ${addr}, '${xt}', ${vals.join(', ')}, ${JSON.stringify(sym)}))`;
      }
      this.need('src/kernel/atomic', `${fn}_${xt}`);
      return `${fn}_${xt}(m, ${addr}, ${vals.join(', ')})`;
    };
    if (kind === 'xchg') {
      fixed();
      const v = this.convert(this.rvalue(e.args[2]), t, e.args[2].loc, true);
      return { ts: this.withSetup(setup, call('xchg', [v])), type: t };
    }
    if (kind === 'cmpxchg') {
      fixed();
      const o = this.convert(this.rvalue(e.args[2]), t, e.args[2].loc, true);
      const n = this.convert(this.rvalue(e.args[3]), t, e.args[3].loc, true);
      return { ts: this.withSetup(setup, call('cmpxchg', [o, n])), type: t };
    }
    // try_cmpxchg(ptr, oldp, new): `typeof(*(ptr)) *___op = (oldp)` — oldp must point to the same type
    // (integers of the same width: the kernel builds with -Wno-pointer-sign).
    fixed();
    const oldpE = e.args[2];
    const amp = oldpE.k === 'unary' && oldpE.op === '&' ? oldpE.arg : null;
    // &local has a type, not an address: locals are TypeScript values.
    const ot: CType = amp !== null ? { k: 'ptr', to: this.typeOfNoDecay(amp), percpu: false, constTo: false } : this.typeOf(oldpE);
    if (ot.k !== 'ptr' || ot.percpu) throw cError(oldpE.loc, `${op}(): oldp must be a pointer to '${typeName(t)}', got '${typeName(ot)}'`);
    const compatible = t.k === 'int' ? ot.to.k === 'int' && ot.to.size === t.size && ot.to.bool === t.bool : sameType(ot.to, t);
    if (!compatible) throw cError(oldpE.loc, `${op}(): incompatible pointer types: oldp is '${typeName(ot)}', ptr is '${typeName({ k: 'ptr', to: t, percpu: false, constTo: false })}'`);
    const olv = amp !== null ? this.lvalue(amp) : this.lvalue({ k: 'unary', op: '*', arg: oldpE, loc: oldpE.loc });
    setup.push(...olv.setup);
    const o = this.temp(t);
    const r = this.temp(t);
    setup.push(`${o} = ${this.convert({ ts: olv.read(), type: olv.type }, t, oldpE.loc)}`);
    const n = this.convert(this.rvalue(e.args[3]), t, e.args[3].loc, true);
    setup.push(`${r} = ${call('cmpxchg', [o, n])}`);
    let back = this.convert({ ts: r, type: t }, olv.type, oldpE.loc);
    if (!simple(back)) {
      const b = this.temp(olv.type);
      back = `(${b} = ${back})`;
      // olv.write() uses its value twice: give it the temporary.
      return { ts: `(${[...setup, `${r} === ${o} ? 1 : (${back}, ${olv.write(b)}, 0)`].join(', ')})`, type: BOOL };
    }
    return { ts: `(${[...setup, `${r} === ${o} ? 1 : (${olv.write(back)}, 0)`].join(', ')})`, type: BOOL };
  }

  /**
   * `(__this_cpu_preempt_check("op"), __pcpu_size_call*(raw_cpu_op_, pcp, …))`,
   * the generic layer's __this_cpu_op, is the generated __this_cpu_op_N: the
   * same check and op, under the name the trace should show.
   */
  private thisCpuOp(e: Extract<Expr, { k: 'comma' }>): TE | null {
    const l = e.left;
    const r = e.right;
    if (l.k !== 'call' || l.fn.k !== 'id' || l.fn.name !== '__this_cpu_preempt_check') return null;
    if (r.k !== 'call' || r.fn.k !== 'id' || !(r.fn.name in SIZE_CALLS)) return null;
    const stem = r.args[0];
    if (!stem || stem.k !== 'id' || !stem.name.startsWith('raw_cpu_')) return null;
    const renamed: Expr = { ...r, args: [{ ...stem, name: `__this_cpu_${stem.name.slice('raw_cpu_'.length)}` }, ...r.args.slice(1)] };
    return this.pcpuOp(r.fn.name, renamed as Extract<Expr, { k: 'call' }>);
  }

  /** An op's unsigned result as a value of the C type. */
  private fromOp(ts: string, t: IntType): string {
    if (!t.signed || t.bool) return ts;
    if (t.size === 8) return `BigInt.asIntN(64, ${ts})`;
    if (t.size === 4) return `(${ts} | 0)`;
    const s = 32 - t.size * 8;
    return `((${ts} << ${s}) >> ${s})`;
  }

  private describe(e: Expr): string {
    return e.k === 'id' || e.k === 'member' || e.k === 'index' ? this.cText(e) : 'this expression';
  }

  // ---- conversions ----

  /** C11 6.3: a value converted to `to` (assignment, argument, return, cast). */
  convert(v: TE, to: CType, loc: Loc, assignment = false): string {
    const from = v.type;
    if (to.k === 'void') return v.ts;
    if (to.k === 'int' && from.k === 'int') {
      if (v.cst !== undefined) return literal(wrap(v.cst, to), to);
      if (to.bool) return from.size === 8 ? `(${v.ts} !== 0n ? 1 : 0)` : (from.bool ? v.ts : `(${v.ts} !== 0 ? 1 : 0)`);
      const fb = isBig(from);
      const tb = isBig(to);
      if (fits(from, to)) return fb === tb ? v.ts : `BigInt(${v.ts})`;
      // A value already wrapped to 64 bits needs no second wrap first: both keep its low bits, and 64 holds the narrower width.
      const x = fb ? wrapped64(v.ts) ?? v.ts : v.ts;
      if (tb) {
        if (fb) return `BigInt.as${to.signed ? 'Int' : 'Uint'}N(64, ${x})`;
        return `BigInt.asUintN(64, BigInt(${v.ts}))`;
      }
      if (fb && to.size === 4 && v.parts !== undefined) {
        // (s32)(a + b) is (s32)a + (s32)b modulo 2^32, and so for -, *, &, |, ^: the sum of two
        // 64-bit values narrowed to 32 bits is computed in 32, with no bigint for it (what
        // this_cpu_try_cmpxchg(…, count + amount) passes for an s32 counter).
        const { op, l, r } = v.parts;
        const a = this.convert(l, to, loc);
        const b = this.convert(r, to, loc);
        const fix = to.signed ? '| 0' : '>>> 0';
        if (op === '*') return to.signed ? `Math.imul(${a}, ${b})` : `(Math.imul(${a}, ${b}) >>> 0)`;
        if (op === '+' || op === '-') return `((${a} ${op} ${b}) ${fix})`;
        return to.signed ? `(${a} ${op} ${b})` : `((${a} ${op} ${b}) >>> 0)`;
      }
      if (fb) {
        // Number(BigInt.asIntN(32, x)) without its two heap bigints (src/lib/narrow.ts).
        const fn = `to_${to.signed ? 's' : 'u'}${to.size * 8}`;
        this.need('src/lib/narrow', fn);
        return `${fn}(${x})`;
      }
      if (to.size === 4) return to.signed ? `(${v.ts} | 0)` : `(${v.ts} >>> 0)`;
      if (!to.signed) return `(${v.ts} & ${to.size === 2 ? '0xffff' : '0xff'})`;
      const s = 32 - to.size * 8;
      return `((${v.ts} << ${s}) >> ${s})`;
    }
    if (to.k === 'ptr' && from.k === 'ptr') {
      if (to.percpu !== from.percpu) {
        throw cError(loc, `incorrect type: '${typeName(from)}' to '${typeName(to)}' (sparse: different address spaces)`);
      }
      if (!sameType(to, from) && assignment) throw cError(loc, `incompatible pointer types: '${typeName(from)}' to '${typeName(to)}'`);
      return v.ts;
    }
    if (to.k === 'ptr' && from.k === 'int' && v.cst === 0n && !to.percpu) return '0';
    if (to.k === 'int' && from.k === 'ptr') throw cError(loc, `making an integer ('${typeName(to)}') from a pointer ('${typeName(from)}') without a cast`);
    throw cError(loc, `incompatible types: '${typeName(from)}' where '${typeName(to)}' is expected`);
  }
}

export function translate(unit: TranslationUnit, opts: TranslateOptions): Translation {
  return new Translator(unit, opts).run();
}
