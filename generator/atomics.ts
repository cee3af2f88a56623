/**
 * The atomic_t / atomic64_t / atomic_long_t API, generated as the kernel
 * generates include/linux/atomic/atomic-instrumented.h (v6.16): a table of
 * operations (templates/atomic/atomics.tbl, the shape of
 * scripts/atomic/atomics.tbl) whose meta letters expand each row into its
 * function families and orderings (scripts/atomic/atomic-tbl.sh, gen_proto),
 * one body template per row (templates/atomic/bodies/<name>.hbs, as
 * scripts/atomic/fallbacks/ holds bodies), and the names, signatures, argument
 * checks and doc comments assembled here from the table, so they cannot
 * disagree with it.
 *
 * Two modules come out: generated/atomic.ts (one straight-line function per
 * operation and type) and generated/atomic-stepped.ts (the same, yielding one
 * scheduler step before the access). Memory in the simulation is sequentially
 * consistent, so an ordering variant has the body of its fully ordered form;
 * its name and doc comment keep the kernel's.
 *
 * local_t and local64_t follow the atomic_long_t functions in both modules:
 * include/asm-generic/local.h (v6.16) defines each local op as the
 * atomic_long_t op of the same name on `&l->a` (local64.h: the local op on
 * `&l->a`), so a second table, templates/atomic/local.tbl, lists which ops
 * exist for which type, and each is generated from its atomic_long_t row: the
 * same arguments with `l` for `v`, the same body template.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import { GenError } from '../c/errors.js';
import { stripBom } from '../c/lex.js';
import { templateError } from './families.js';
import { indentCode, type ImportStyle } from './render.js';

/** The table and the body templates, relative to the templates folder. */
export const ATOMICS_TABLE = 'atomic/atomics.tbl';
export const ATOMIC_BODIES = 'atomic/bodies';
/** The local_t / local64_t table, relative to the templates folder. */
export const LOCAL_TABLE = 'atomic/local.tbl';
/** The output files, beside the architectures' folders. */
export const ATOMIC_FILES = { fast: 'atomic.ts', stepped: 'atomic-stepped.ts' } as const;

/** What generated atomics may call: the memory view's accessors, the operand checks and the runtime's refusals. */
export const ATOMIC_PRIMITIVES = [
  'Number.isInteger', 'BigInt.asIntN', 'm.view.getInt32', 'm.view.setInt32', 'm.view.getBigInt64', 'm.view.setBigInt64',
  'badAtomicMachine', 'badAtomicPtr', 'badAtomicInt', 'badAtomicS64', 'badAtomicOld', 'atomicStep', 'kptrRef',
  'badLocalPtr', 'localMember', 'localStep',
] as const;

/** One parameter of a table row: `v`, `cv`, `i`, `p`, with the C name. */
export interface AtomicArg {
  readonly type: 'v' | 'cv' | 'i' | 'p';
  readonly name: string;
}

export interface AtomicRow {
  readonly name: string;
  readonly meta: string;
  readonly args: readonly AtomicArg[];
  readonly file: string;
  readonly line: number;
}

const META_LETTERS = 'vRFfBbIils';
const ARG_TYPES = new Set(['v', 'cv', 'i', 'p']);

/** Reads the table: `name meta args...` per line, `#` comments; every mistake is reported at file:line. */
export function parseAtomicsTable(text: string, file: string): AtomicRow[] {
  const rows: AtomicRow[] = [];
  const seen = new Set<string>();
  stripBom(text).replace(/\r\n/g, '\n').split('\n').forEach((raw, k) => {
    const line = k + 1;
    const body = raw.replace(/#.*$/, '').trim();
    if (body === '') return;
    const [name, meta, ...rest] = body.split(/\s+/);
    if (!/^[a-z][a-z0-9_]*$/.test(name)) throw new GenError(file, line, `'${name}' is not an operation name (lower case letters, digits, _)`);
    if (seen.has(name)) throw new GenError(file, line, `'${name}' is listed twice`);
    if (meta === undefined || !/^[a-zA-Z]+$/.test(meta)) throw new GenError(file, line, `${name}: no meta letters (one of ${META_LETTERS})`);
    for (const c of meta) if (!META_LETTERS.includes(c)) throw new GenError(file, line, `${name}: unknown meta letter '${c}' (known: ${META_LETTERS})`);
    const args = rest.map((a): AtomicArg => {
      const [type, argName] = a.split(':');
      if (!ARG_TYPES.has(type)) throw new GenError(file, line, `${name}: unknown argument type '${type}' in '${a}' (known: v, cv, i, p)`);
      return { type: type as AtomicArg['type'], name: argName ?? type.replace(/^c/, '') };
    });
    if (args.filter((a) => a.type === 'v' || a.type === 'cv').length !== 1) throw new GenError(file, line, `${name}: needs exactly one atomic pointer argument (v or cv)`);
    seen.add(name);
    rows.push({ name, meta, args, file, line });
  });
  return rows;
}

/** One row of the local table: an atomic_long_t function and the local types that have it. */
export interface LocalRow {
  readonly op: string;
  readonly types: readonly LocalTypeName[];
  readonly file: string;
  readonly line: number;
}

export type LocalTypeName = 'local' | 'local64';

/**
 * Reads the local table: `op types...` per line, `#` comments. `op` must be a
 * function the atomics table expands to (`ops`, the expanded names) without an
 * ordering suffix; every mistake is reported at file:line.
 */
export function parseLocalTable(text: string, file: string, ops: ReadonlySet<string>): LocalRow[] {
  const rows: LocalRow[] = [];
  const seen = new Set<string>();
  stripBom(text).replace(/\r\n/g, '\n').split('\n').forEach((raw, k) => {
    const line = k + 1;
    const body = raw.replace(/#.*$/, '').trim();
    if (body === '') return;
    const [op, ...types] = body.split(/\s+/);
    if (seen.has(op)) throw new GenError(file, line, `'${op}' is listed twice`);
    if (/_(acquire|release|relaxed)$/.test(op)) throw new GenError(file, line, `${op}: local ops have no orderings; name the fully ordered function (${op.replace(/_(acquire|release|relaxed)$/, '')})`);
    if (!ops.has(op)) throw new GenError(file, line, `${op}: not a function of the atomics table (atomic_long_${op} does not exist)`);
    if (types.length === 0) throw new GenError(file, line, `${op}: no types (local, local64)`);
    for (const t of types) {
      if (t !== 'local' && t !== 'local64') throw new GenError(file, line, `${op}: unknown type '${t}' (known: local, local64)`);
    }
    if (new Set(types).size !== types.length) throw new GenError(file, line, `${op}: a type is listed twice`);
    seen.add(op);
    rows.push({ op, types: types as LocalTypeName[], file, line });
  });
  return rows;
}

/** A function's return family: the meta letter's. */
type Ret = 'void' | 'new' | 'old' | 'bool' | 'value';

/** One generated function of one row: `fetch_add_acquire` of `add`. */
export interface AtomicVariant {
  readonly row: AtomicRow;
  /** The name without the type prefix: `fetch_add_acquire`. */
  readonly op: string;
  readonly meta: string;
  readonly ret: Ret;
  readonly order: '' | '_acquire' | '_release' | '_relaxed';
}

/** The kernel's expansion of a meta letter: name prefix and suffix, return, orderings (atomic-tbl.sh). */
function letter(c: string): { pfx: string; sfx: string; ret: Ret; orders: AtomicVariant['order'][] } {
  const all: AtomicVariant['order'][] = ['', '_acquire', '_release', '_relaxed'];
  switch (c) {
    case 'v': return { pfx: '', sfx: '', ret: 'void', orders: [''] };
    case 'R': return { pfx: '', sfx: '_return', ret: 'new', orders: all };
    case 'F': return { pfx: 'fetch_', sfx: '', ret: 'old', orders: all };
    case 'f': return { pfx: 'fetch_', sfx: '', ret: 'old', orders: [''] };
    case 'B': return { pfx: '', sfx: '', ret: 'bool', orders: all };
    case 'b': return { pfx: '', sfx: '', ret: 'bool', orders: [''] };
    case 'I': return { pfx: '', sfx: '', ret: 'value', orders: all };
    case 'i': return { pfx: '', sfx: '', ret: 'value', orders: [''] };
    case 'l': return { pfx: '', sfx: '', ret: 'value', orders: ['', '_acquire'] };
    default: return { pfx: '', sfx: '', ret: 'void', orders: ['', '_release'] }; // 's'
  }
}

/** Every function of a row, in the kernel's order: meta letters left to right, orderings full, acquire, release, relaxed. */
export function expandRow(row: AtomicRow): AtomicVariant[] {
  return [...row.meta].flatMap((c) => {
    const l = letter(c);
    return l.orders.map((order) => ({ row, op: `${l.pfx}${row.name}${l.sfx}${order}`, meta: c, ret: l.ret, order }));
  });
}

/** The three atomic types: their prefix, C types, TypeScript value type and memory accessors. */
interface AtomicType {
  readonly prefix: string;
  readonly ctype: string;
  /** The base type's C name: int, s64, long. */
  readonly int: string;
  readonly size: 4 | 8;
  /** The runtime constant of the pointee type the pointer check compares with. */
  readonly ctypeConst: 'ATOMIC_T' | 'ATOMIC64_T';
}

const TYPES: readonly AtomicType[] = [
  { prefix: 'atomic', ctype: 'atomic_t', int: 'int', size: 4, ctypeConst: 'ATOMIC_T' },
  { prefix: 'atomic64', ctype: 'atomic64_t', int: 's64', size: 8, ctypeConst: 'ATOMIC64_T' },
  // atomic_long_t is atomic64_t on a 64-bit kernel (include/linux/atomic/atomic-long.h, BITS_PER_LONG == 64).
  { prefix: 'atomic_long', ctype: 'atomic_long_t', int: 'long', size: 8, ctypeConst: 'ATOMIC64_T' },
];

/** A row's body template and the one-line description and return phrase from its header. */
interface Body {
  readonly file: string;
  readonly bodyLine: number;
  readonly does: string;
  readonly returns: string | null;
  readonly template: Handlebars.TemplateDelegate;
}

const HEADER = /^\{\{!--\n([\s\S]*?)\n--\}\}\n/;
const BODY_HELPERS = { add: true, sub: true, store: true, return: true, update: true, if: true } as const;

/** Per-function rendering state the helpers read (Handlebars passes the root context as `data.root`). */
interface BodyContext {
  readonly zero: string;
  readonly one: string;
  readonly fetch: boolean;
  readonly __big: boolean;
  readonly __ret: Ret;
  readonly __stepped: boolean;
  readonly __moved: string;
  readonly __setter: string;
}

function rootOf(options: Handlebars.HelperOptions): BodyContext {
  return (options.data as { root: BodyContext }).root;
}

function bodyEnv(): typeof Handlebars {
  const hb = Handlebars.create();
  const arith = (op: '+' | '-') => (a: string, b: string, options: Handlebars.HelperOptions): string =>
    rootOf(options).__big ? `BigInt.asIntN(64, ${a} ${op} ${b})` : `(${a} ${op} ${b}) | 0`;
  const store = (ctx: BodyContext, expr: string): string => `m.view.${ctx.__setter}(addr, ${expr}, true);`;
  const ret = (ctx: BodyContext, expr: string): string => (ctx.__stepped ? `step.moved = ${ctx.__moved};\nreturn ${expr};` : `return ${expr};`);
  hb.registerHelper('add', arith('+'));
  hb.registerHelper('sub', arith('-'));
  hb.registerHelper('store', function (this: unknown, options: Handlebars.HelperOptions) {
    return store(rootOf(options), options.fn(this).trim());
  });
  hb.registerHelper('return', function (this: unknown, options: Handlebars.HelperOptions) {
    return ret(rootOf(options), options.fn(this).trim());
  });
  // The v/R/F families of one row share its body: the new value is stored, then nothing, it, or the old value returned.
  hb.registerHelper('update', function (this: unknown, options: Handlebars.HelperOptions) {
    const ctx = rootOf(options);
    const expr = options.fn(this).trim();
    if (ctx.__ret === 'new') return `const next = ${expr};\n${store(ctx, 'next')}\n${ret(ctx, 'next')}`;
    if (ctx.__ret === 'old') return `${store(ctx, expr)}\n${ret(ctx, 'old')}`;
    return store(ctx, expr);
  });
  return hb;
}

/**
 * The body of each row, looked up as the kernel's find_template does, most
 * specific first: bodies/<fetch_><name><_return>.hbs, then bodies/<name>.hbs.
 */
function loadBodies(hb: typeof Handlebars, dir: string, display: string, rows: readonly AtomicRow[]): Map<string, Body> {
  const bodies = new Map<string, Body>();
  const available = new Set(existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.hbs')).map((f) => f.slice(0, -4)) : []);
  for (const row of rows) {
    for (const v of expandRow(row)) {
      const unordered = v.op.slice(0, v.op.length - v.order.length);
      const name = [unordered, row.name].find((n) => available.has(n));
      if (name === undefined) throw new GenError(row.file, row.line, `${row.name}: no body template (${path.relative(display, dir).split(path.sep).join('/')}/${row.name}.hbs)`);
      if (bodies.has(name)) continue;
      const abs = path.join(dir, `${name}.hbs`);
      const file = path.relative(display, abs).split(path.sep).join('/');
      const src = stripBom(readFileSync(abs, 'utf8')).replace(/\r\n/g, '\n');
      const h = HEADER.exec(src);
      if (!h) throw new GenError(file, 1, 'a body template must open with a {{!-- description / returns: … --}} header');
      const lines = h[1].split('\n').map((l) => l.trim()).filter((l) => l !== '');
      const returns = lines.find((l) => l.startsWith('returns:'))?.slice('returns:'.length).trim() ?? null;
      const does = lines.filter((l) => !l.startsWith('returns:')).join(' ');
      if (does === '') throw new GenError(file, 2, 'the header must say what the operation does');
      const bodyLine = h[0].split('\n').length;
      const text = src.slice(h[0].length);
      let template: Handlebars.TemplateDelegate;
      try {
        hb.parse(text);
        hb.precompile(text, { strict: true, knownHelpers: BODY_HELPERS, knownHelpersOnly: true });
        template = hb.compile(text, { strict: true, noEscape: true, knownHelpers: BODY_HELPERS, knownHelpersOnly: true, preventIndent: true });
      } catch (e) {
        throw templateError(file, bodyLine, e);
      }
      bodies.set(name, { file, bodyLine, does, returns, template });
    }
  }
  return bodies;
}

function bodyFor(bodies: Map<string, Body>, v: AtomicVariant): Body {
  const unordered = v.op.slice(0, v.op.length - v.order.length);
  return bodies.get(unordered) ?? bodies.get(v.row.name)!;
}

/** The TypeScript name of a C parameter (`new` is reserved): the per-CPU ops' nval/oval/ovalp. */
function tsName(a: AtomicArg): string {
  if (a.type === 'v' || a.type === 'cv') return 'v';
  if (a.name === 'new') return 'nval';
  if (a.name === 'old') return a.type === 'p' ? 'oldp' : 'oval';
  return a.name;
}

function cParam(a: AtomicArg, t: AtomicType): string {
  if (a.type === 'v') return `${t.ctype} *v`;
  if (a.type === 'cv') return `const ${t.ctype} *v`;
  if (a.type === 'p') return `${t.int} *${a.name}`;
  return `${t.int} ${a.name}`;
}

function cReturn(ret: Ret, t: AtomicType): string {
  return ret === 'void' ? 'void' : ret === 'bool' ? 'bool' : t.int;
}

function tsReturn(ret: Ret, t: AtomicType): string {
  return ret === 'void' ? 'void' : ret === 'bool' ? 'boolean' : t.size === 8 ? 'bigint' : 'number';
}

const RETURN_PHRASES: Record<string, string> = {
  v: 'Returns nothing.',
  s: 'Returns nothing.',
  R: 'Returns the new value of `v`.',
  F: 'Returns the original value of `v`.',
  f: 'Returns the original value of `v`.',
  l: 'Returns the value loaded from `v`.',
};

/** The ordering sentence: the kernel's ordering for this name, then what it is here. */
function orderPhrase(v: AtomicVariant, full: string): string {
  const kernel =
    v.order === '_acquire' ? 'acquire' : v.order === '_release' ? 'release' : v.order === '_relaxed' ? 'relaxed'
      : 'vls'.includes(v.meta) ? 'relaxed (no ordering)' : 'full';
  const same = v.order === '' ? '' : ` It is the same operation as ${full}().`;
  return `Ordering: ${kernel} in the kernel. Memory here is sequentially consistent, so acquire, release and relaxed differ in name only.${same}`;
}

/** Instruction key for the stepped form (src/kernel/atomic.ts ATOMIC_INSNS): an acquire load and a release store are their own instructions. */
function insnKey(v: AtomicVariant): string {
  return v.meta === 'l' || v.meta === 's' ? v.op : v.op.slice(0, v.op.length - v.order.length);
}

/**
 * The argument checks of one function. The pointer is checked first and
 * proves the machine: its object's extent names the Machine whose memory
 * holds it (set by global_var(), kmalloc() and kptr_at(), each of which
 * checked that machine), so `v.extent.machine === m` leaves m no other value,
 * and a separate test of m's class would repeat it on every call. Only
 * whether m still has memory is left (a global's pointer exists before boot).
 * The operands follow in the kernel's order, as the local ops check them. A
 * bad machine is still reported first: badAtomicPtr() looks at it before the
 * pointer.
 */
function checks(v: AtomicVariant, t: AtomicType, fn: string): string[] {
  const out: string[] = [
    // `instanceof KPtr` measured 35 ns an op here against 2 for the constructor compare (Node 20, atomic_inc loop).
    `if (typeof v !== "object" || v === null || v.constructor !== KPtr || v.ctype !== ${t.ctypeConst} || v.extent.machine !== m) throw badAtomicPtr("${fn}", m, v, ${t.ctypeConst});`,
    `if (!m.booted) throw badAtomicMachine("${fn}", m);`,
    // A freed object's pointer throws its use-after-free error here, before the operands are looked at.
    'const addr = v.addr;',
  ];
  for (const a of v.row.args) {
    if (a.type === 'p') {
      out.push(`if (typeof oldp !== "object" || oldp === null || !("value" in oldp)) throw badAtomicOld("${fn}", oldp);`);
      out.push(...valueCheck(t, 'let oval = oldp.value;', 'oval', `${fn}: ${a.name}.value`));
    } else if (a.type === 'i') {
      out.push(...valueCheck(t, null, tsName(a), `${fn}: ${a.name}`));
    }
  }
  return out;
}

function valueCheck(t: AtomicType, decl: string | null, id: string, what: string): string[] {
  return [
    ...(decl === null ? [] : [decl]),
    t.size === 8
      ? `if (typeof ${id} !== "bigint") throw badAtomicS64("${what}", ${id});`
      : `if (!Number.isInteger(${id})) throw badAtomicInt("${what}", ${id});`,
    t.size === 8 ? `${id} = BigInt.asIntN(64, ${id});` : `${id} |= 0;`,
  ];
}

/** A row's body rendered for one function: the type's width, the function's return, the stepped form's `moved` text. */
function renderBody(v: AtomicVariant, big: boolean, body: Body, stepped: boolean, moved: string): string {
  const ctx: BodyContext = {
    zero: big ? '0n' : '0',
    one: big ? '1n' : '1',
    fetch: v.meta === 'f' || v.meta === 'F',
    __big: big,
    __ret: v.ret,
    __stepped: stepped,
    __moved: moved,
    __setter: big ? 'setBigInt64' : 'setInt32',
  };
  try {
    return body.template(ctx).trim();
  } catch (e) {
    throw templateError(body.file, body.bodyLine, e);
  }
}

/** What a stepped op records as moved: the value read, or old -> new. */
function movedText(v: AtomicVariant, getter: string): string {
  return v.row.args.some((a) => a.type === 'cv') ? '`${old}`' : `\`\${old} -> \${m.view.${getter}(addr, true)}\``;
}

/** A generated function: its JSDoc lines, then its signature (a generator when stepped) and body. */
function functionText(doc: readonly string[], stepped: boolean, fn: string, params: readonly string[], ret: string, lines: readonly string[]): string {
  return [
    '/**',
    ...doc.map((l) => (l === '' ? ' *' : ` * ${l}`)),
    ' */',
    `export function${stepped ? '*' : ''} ${fn}(${params.join(', ')}): ${stepped ? `StepGen<${ret}>` : ret} {`,
    ...lines,
    '}',
  ].join('\n');
}

function renderFunction(v: AtomicVariant, t: AtomicType, body: Body, stepped: boolean, tableFile: string): string {
  const fn = `${t.prefix}_${v.op}`;
  const full = `${t.prefix}_${v.op.slice(0, v.op.length - v.order.length)}`;
  const big = t.size === 8;
  const getter = big ? 'getBigInt64' : 'getInt32';
  const reads = v.row.args.some((a) => a.type === 'cv');
  const moved = movedText(v, getter);
  const text = renderBody(v, big, body, stepped, moved);
  const lines: string[] = [...checks(v, t, fn)];
  if (stepped) {
    const callArgs = v.row.args.map((a) => (a.type === 'v' || a.type === 'cv' ? '${kptrRef(v)}' : a.type === 'p' ? '&old' : `\${${tsName(a)}}`));
    const operand = v.row.args.some((a) => a.type === 'i' && a.name === 'i') ? ', i' : '';
    lines.push(`const step = atomicStep(m, "${insnKey(v)}", ${t.size}, "${reads ? 'r' : 'w'}", v, \`${fn}(${callArgs.join(', ')})\`${operand});`);
    lines.push('yield step;');
  }
  // The fast form of a plain store needs no load; every other body reads the old value first.
  if (stepped || /\bold\b/.test(text)) lines.push(`const old = m.view.${getter}(addr, true);`);
  lines.push(text);
  if (stepped && v.ret === 'void') lines.push(`step.moved = ${moved};`);

  const params = ['m: Machine', ...v.row.args.map((a) => {
    const id = tsName(a);
    if (a.type === 'v' || a.type === 'cv') return 'v: KPtr<unknown>';
    const vt = big ? 'bigint' : 'number';
    return a.type === 'p' ? `${id}: { value: ${vt} }` : `${id}: ${vt}`;
  })];
  const ret = tsReturn(v.ret, t);
  const returns = v.ret === 'bool' || v.ret === 'value' ? (body.returns === null ? null : `Returns ${body.returns}.`) : RETURN_PHRASES[v.meta];
  const doc = [
    `${fn}(${v.row.args.map(tsName).join(', ')}): ${body.does}${returns === null ? '' : ` ${returns}`}`,
    '',
    orderPhrase(v, full),
    ...(stepped ? ['', 'Stepped: one scheduler step, announced before the access runs; its footprint is the atomic\'s bytes.'] : []),
    '',
    `C:      ${cReturn(v.ret, t)} ${fn}(${v.row.args.map((a) => cParam(a, t)).join(', ')})`,
    `Kernel: ${fn}() in include/linux/atomic/atomic-instrumented.h (v6.16), generated from scripts/atomic/atomics.tbl`,
    `Table:  ${tableFile}:${v.row.line} \`${v.row.name} ${v.row.meta} ${v.row.args.map((a) => (a.name === a.type.replace(/^c/, '') ? a.type : `${a.type}:${a.name}`)).join(' ')}\``,
    `Body:   ${body.file}`,
    '',
    `@group ${t.ctype}`,
    `@category ${v.row.name}`,
  ];
  return functionText(doc, stepped, fn, params, ret, lines);
}

/** local_t and local64_t: what a local op's pointer must be, and how the kernel's macro reaches the atomic_long_t. */
interface LocalType {
  readonly name: LocalTypeName;
  readonly ctype: 'local_t' | 'local64_t';
  /** The runtime constant of the pointee type (src/kernel/local.ts). */
  readonly ctypeConst: 'LOCAL_T' | 'LOCAL64_T';
  /** The atomic_long_t inside, as a member path: local_t `a`, local64_t `a.a`. */
  readonly path: 'a' | 'a.a';
  /** The type whose op the kernel's macro calls on `&(l)->a`. */
  readonly via: 'atomic_long' | 'local';
  readonly header: string;
}

const LOCAL_TYPES: Readonly<Record<LocalTypeName, LocalType>> = {
  local: { name: 'local', ctype: 'local_t', ctypeConst: 'LOCAL_T', path: 'a', via: 'atomic_long', header: 'include/asm-generic/local.h' },
  local64: { name: 'local64', ctype: 'local64_t', ctypeConst: 'LOCAL64_T', path: 'a.a', via: 'local', header: 'include/asm-generic/local64.h' },
};

/** atomic_long_t's base type: the operands and values of every local op. */
const LONG = TYPES[2];

/**
 * One local op: the atomic_long_t function `v` of the atomics table with `l`
 * for `v`, the same operand checks and body. The pointer is checked first (a
 * local_t of this machine, or the refusal badLocalPtr() words), then the
 * operands in order, each refusal naming the local op. The stepped form shows
 * the instruction as atomicStep() does, on `l->a`, without x86's lock prefix.
 */
function renderLocalFunction(row: LocalRow, v: AtomicVariant, lt: LocalType, body: Body, stepped: boolean, tableFile: string): string {
  const fn = `${lt.name}_${v.op}`;
  const reads = v.row.args.some((a) => a.type === 'cv');
  const moved = movedText(v, 'getBigInt64');
  const text = renderBody(v, true, body, stepped, moved);
  const lines: string[] = [
    `if (typeof l !== "object" || l === null || l.constructor !== KPtr || l.ctype !== ${lt.ctypeConst} || l.extent.machine !== m) throw badLocalPtr("${fn}", m, l, ${lt.ctypeConst});`,
    // l is this machine's, so m is a Machine: only whether it still has memory is left to check.
    `if (!m.booted) throw badAtomicMachine("${fn}", m);`,
    'const addr = l.addr;',
  ];
  for (const a of v.row.args) {
    if (a.type === 'p') {
      lines.push(`if (typeof oldp !== "object" || oldp === null || !("value" in oldp)) throw badAtomicOld("${fn}", oldp);`);
      lines.push(...valueCheck(LONG, 'let oval = oldp.value;', 'oval', `${fn}: ${a.name}.value`));
    } else if (a.type === 'i') {
      lines.push(...valueCheck(LONG, null, tsName(a), `${fn}: ${a.name}`));
    }
  }
  if (stepped) {
    // The trace names the atomic_long_t op and the member it works on, as the kernel's expansion does.
    const callArgs = v.row.args.map((a) => (a.type === 'v' || a.type === 'cv' ? '&${member}' : a.type === 'p' ? '&old' : `\${${tsName(a)}}`));
    const operand = v.row.args.some((a) => a.type === 'i' && a.name === 'i') ? ', i' : '';
    lines.push(`const member = localMember(l, "${lt.path}");`);
    lines.push(`const step = localStep(m, "${insnKey(v)}", "${reads ? 'r' : 'w'}", l, member, \`atomic_long_${v.op}(${callArgs.join(', ')})\`${operand});`);
    lines.push('yield step;');
  }
  if (stepped || /\bold\b/.test(text)) lines.push('const old = m.view.getBigInt64(addr, true);');
  lines.push(text);
  if (stepped && v.ret === 'void') lines.push(`step.moved = ${moved};`);

  const cNames = v.row.args.map((a) => (a.type === 'v' || a.type === 'cv' ? 'l' : a.name));
  const params = ['m: Machine', ...v.row.args.map((a) => {
    if (a.type === 'v' || a.type === 'cv') return 'l: KPtr<unknown>';
    return a.type === 'p' ? `${tsName(a)}: { value: bigint }` : `${tsName(a)}: bigint`;
  })];
  const ret = tsReturn(v.ret, LONG);
  const onL = (phrase: string): string => phrase.replace(/`v`/g, '`l`');
  const returns = v.ret === 'bool' || v.ret === 'value' ? (body.returns === null ? null : `Returns ${body.returns}.`) : RETURN_PHRASES[v.meta];
  const cArgs = v.row.args.map((a) => (a.type === 'v' || a.type === 'cv' ? `${reads ? 'const ' : ''}${lt.ctype} *l` : a.type === 'p' ? `long *${a.name}` : `long ${a.name}`));
  const doc = [
    `${fn}(${v.row.args.map((a) => (a.type === 'v' || a.type === 'cv' ? 'l' : tsName(a))).join(', ')}): ${onL(body.does)}${returns === null ? '' : ` ${onL(returns)}`}`,
    '',
    'Atomic against interrupts on this CPU, not against other CPUs: x86-64 runs the instruction without the lock prefix (arch/x86/include/asm/local.h), asm-generic the atomic_long_t op. Memory here is sequentially consistent, so both are this one operation.',
    ...(stepped ? ['', 'Stepped: one scheduler step, announced before the access runs; its footprint is the counter\'s 8 bytes.'] : []),
    '',
    `C:      ${cReturn(v.ret, LONG)} ${fn}(${cArgs.join(', ')})`,
    `Kernel: ${fn}(${cNames.join(', ')}) is ${lt.via}_${v.op}(${cNames.map((n) => (n === 'l' ? '&(l)->a' : n)).join(', ')}) in ${lt.header} (v6.16)`,
    `Table:  ${tableFile}:${row.line} \`${row.op} ${row.types.join(' ')}\``,
    `Body:   ${body.file}`,
    '',
    `@group ${lt.ctype}`,
    `@category ${v.row.name}`,
  ];
  return functionText(doc, stepped, fn, params, ret, lines);
}

function importLines(stepped: boolean, style: ImportStyle, local: boolean): string[] {
  const values = ['ATOMIC_T', 'ATOMIC64_T', 'badAtomicInt', 'badAtomicMachine', 'badAtomicOld', 'badAtomicPtr', 'badAtomicS64', ...(stepped ? ['atomicStep'] : [])];
  const locals = local ? ['LOCAL_T', 'LOCAL64_T', 'badLocalPtr', ...(stepped ? ['localMember', 'localStep'] : [])] : [];
  if ('package' in style) {
    return [
      `import { KPtr, Machine, ${[...values, ...locals].join(', ')}${stepped ? ', kptrRef' : ''} } from "${style.package}";`,
      ...(stepped ? [`import type { StepGen } from "${style.package}";`] : []),
    ];
  }
  return [
    `import { ${values.join(', ')} } from "${style.relative}src/kernel/atomic.js";`,
    ...(local ? [`import { ${locals.join(', ')} } from "${style.relative}src/kernel/local.js";`] : []),
    `import { KPtr${stepped ? ', kptrRef' : ''} } from "${style.relative}src/kptr.js";`,
    'import { Machine } from "' + style.relative + 'src/machine.js";',
    ...(stepped ? [`import type { StepGen } from "${style.relative}src/sched/step.js";`] : []),
  ];
}

export interface AtomicModules {
  readonly fast: string;
  readonly stepped: string;
  /** Functions per module. */
  readonly count: number;
}

/** Reads the table and bodies under `templatesDir` and renders both modules; throws GenError at file:line on bad input. */
export function renderAtomics(templatesDir: string, display: string, style: ImportStyle, generatedBy: string): AtomicModules {
  const tableAbs = path.join(templatesDir, ATOMICS_TABLE);
  const tableFile = path.relative(display, tableAbs).split(path.sep).join('/');
  const rows = parseAtomicsTable(readFileSync(tableAbs, 'utf8'), tableFile);
  const hb = bodyEnv();
  const bodies = loadBodies(hb, path.join(templatesDir, ATOMIC_BODIES), display, rows);
  const variants = rows.flatMap(expandRow);
  // local_t / local64_t, when the templates folder has their table: each row's atomic_long_t function, fully ordered.
  const localAbs = path.join(templatesDir, LOCAL_TABLE);
  const localFile = path.relative(display, localAbs).split(path.sep).join('/');
  const byOp = new Map(variants.filter((v) => v.order === '').map((v) => [v.op, v]));
  const locals = existsSync(localAbs)
    ? parseLocalTable(readFileSync(localAbs, 'utf8'), localFile, new Set(byOp.keys())).flatMap((row) => row.types.map((t) => ({ row, v: byOp.get(row.op)!, lt: LOCAL_TYPES[t] })))
    : [];
  // The kernel's order: every local_t op, then every local64_t op.
  locals.sort((a, b) => Number(a.lt.name === 'local64') - Number(b.lt.name === 'local64'));
  const render = (stepped: boolean): string => {
    const fns = [
      ...TYPES.flatMap((t) => variants.map((v) => renderFunction(v, t, bodyFor(bodies, v), stepped, tableFile))),
      ...locals.map(({ row, v, lt }) => renderLocalFunction(row, v, lt, bodyFor(bodies, v), stepped, localFile)),
    ];
    const sources = [tableFile, ...(locals.length > 0 ? [localFile] : [])].join(', ');
    const header = [
      '// SPDX-License-Identifier: GPL-2.0',
      `// Code generated by ${generatedBy} from ${sources} and ${path.relative(display, path.join(templatesDir, ATOMIC_BODIES)).split(path.sep).join('/')}/. DO NOT EDIT.`,
      `// atomic_t, atomic64_t and atomic_long_t${locals.length > 0 ? ', then local_t and local64_t' : ''}, ${stepped ? 'stepped flavour: each op yields one step before its access, for the explorer' : 'fast flavour: one straight-line function per op and type'}.`,
      'relative' in style
        ? '// Regenerate with `make generate`; `make check` fails when this file differs from a fresh run.'
        : '// Regenerate with `percpu-gen`; `percpu-gen --check` fails when this file differs from a fresh run.',
      '',
      ...importLines(stepped, style, locals.length > 0),
      '',
    ].join('\n');
    return indentCode(`${header}\n${fns.join('\n\n')}\n`);
  };
  return { fast: render(false), stepped: render(true), count: variants.length * TYPES.length + locals.length };
}

/** The C header's template, relative to the templates folder, and the header, relative to the repository. */
export const ATOMIC_HEADER_TEMPLATE = 'atomic/atomic.h.hbs';
export const ATOMIC_HEADER = 'c/include/linux/atomic.h';

/**
 * <linux/atomic.h> for percpu-cc, from the same table as the runtime's
 * functions (the kernel's gen-atomic-instrumented.sh writes
 * atomic-instrumented.h from atomics.tbl the same way): the template's text
 * around one prototype per generated function, each type's in table order,
 * with the C types the functions' doc comments give.
 */
export function renderAtomicHeader(templatesDir: string, display: string, generatedBy: string): string {
  const tableAbs = path.join(templatesDir, ATOMICS_TABLE);
  const tableFile = path.relative(display, tableAbs).split(path.sep).join('/');
  const rows = parseAtomicsTable(readFileSync(tableAbs, 'utf8'), tableFile);
  const abs = path.join(templatesDir, ATOMIC_HEADER_TEMPLATE);
  const file = path.relative(display, abs).split(path.sep).join('/');
  if (!existsSync(abs)) throw new GenError(file, 1, `the C header's template is missing (it writes ${ATOMIC_HEADER})`);
  const src = stripBom(readFileSync(abs, 'utf8')).replace(/\r\n/g, '\n');
  const variants = rows.flatMap(expandRow);
  const types = TYPES.map((t) => ({
    ctype: t.ctype,
    prototypes: variants.map((v) => `${cReturn(v.ret, t)} ${t.prefix}_${v.op}(${v.row.args.map((a) => cParam(a, t)).join(', ')})`),
  }));
  try {
    const template = Handlebars.create().compile(src, { strict: true, noEscape: true, knownHelpers: { each: true }, knownHelpersOnly: true });
    return template({ generatedBy, sources: `${tableFile} and ${file}`, types });
  } catch (e) {
    throw templateError(file, 1, e);
  }
}
