/**
 * From C tables to the op model: every op × width × variant, each resolved by
 * macro expansion to the sequence of family calls it stands for. This is the
 * preprocessor's work done at generation time: `this_cpu_sub_4` becomes
 * `this_cpu_add(pcp, -(typeof(pcp))(val))` → `this_cpu_add_4(...)` →
 * `percpu_add_op(4, volatile, pcp, <folded operand>)`, one family call, and so
 * one straight-line function with no dispatch left at run time.
 */
import type { MacroDef } from '../c/cparse.js';
import { OperandError, translateOperand } from '../c/cexpr.js';
import { parseCallSequence, substitute, tokText, tokenize, type Tok } from '../c/ctokens.js';
import { GenError } from '../c/errors.js';
import type { Family, Returns } from './families.js';

export type Variant = 'raw_cpu' | '__this_cpu' | 'this_cpu';
export const VARIANTS: readonly Variant[] = ['raw_cpu', '__this_cpu', 'this_cpu'];
/** Widths a size-generic op is instantiated at (sizeof(pcp) in the kernel's size calls). */
export const SIZES = [1, 2, 4, 8] as const;
/** Parameter names an op may take, and what each is. */
export const PARAM_ROLES = { pcp: 'pointer', val: 'operand', oval: 'operand', nval: 'operand', ovalp: 'box' } as const;

/** The kernel's __pcpu_size_call* family: dispatch on sizeof(pcp), resolved here per width. */
const SIZE_CALLS = new Set(['__pcpu_size_call', '__pcpu_size_call_return', '__pcpu_size_call_return2', '__pcpu_size_call_return2bool']);

export interface Part {
  readonly family: Family;
  /** TS expression bound to each family parameter (operands), or the literal text (size, qual, op). */
  readonly bindings: Record<string, string>;
  readonly consts: Record<string, bigint | null>;
  /** The family call as C, after substitution: `percpu_add_op(4, volatile, pcp, -(typeof(pcp))(1))`. */
  readonly call: string;
}

export interface OpModel {
  readonly name: string;
  readonly base: string;
  readonly variant: Variant;
  readonly width: 1 | 2 | 4 | 8 | 16;
  readonly params: readonly string[];
  /** The define that names this op. */
  readonly def: MacroDef;
  /** Each macro call the expansion went through, as C text. */
  readonly chain: readonly string[];
  readonly parts: readonly Part[];
  readonly returns: Returns;
}

const SIZED = /^(raw_cpu|this_cpu)_([a-z][a-z0-9_]*?)(?:_(\d+)|(64|128))$/;
const GENERIC = /^(raw_cpu|__this_cpu|this_cpu)_([a-z][a-z_]*)$/;
const WIDTH_OF_SUFFIX: Record<string, 8 | 16> = { 64: 8, 128: 16 };

interface Tables {
  readonly macros: Map<string, MacroDef>;
  readonly families: Map<string, Family>;
}

function err(def: MacroDef, msg: string): GenError {
  return new GenError(def.file, def.line, msg);
}

/** Builds the name table; a name defined twice is an error at the second definition. */
export function indexMacros(defs: readonly MacroDef[]): Map<string, MacroDef> {
  const macros = new Map<string, MacroDef>();
  for (const d of defs) {
    const prev = macros.get(d.name);
    if (prev) throw err(d, `duplicate op '${d.name}': already defined at ${prev.file}:${prev.line}`);
    macros.set(d.name, d);
  }
  return macros;
}

/** Is `d` one of the generic layer's size dispatchers (`raw_cpu_add(pcp, val) → __pcpu_size_call(raw_cpu_add_, …)`)? */
function isDispatcher(d: MacroDef): boolean {
  const calls = parseCallSequence(tokenize(d.body));
  return calls !== null && calls.length === 1 && SIZE_CALLS.has(calls[0].name) && tokText(calls[0].args[0] ?? []) === `${d.name}_`;
}

function checkParams(d: MacroDef): void {
  if (d.params[0] !== 'pcp') throw err(d, `${d.name}: the first parameter of an op must be 'pcp' (the per-CPU variable), got '${d.params[0] ?? ''}'`);
  for (const p of d.params) {
    if (!(p in PARAM_ROLES)) throw err(d, `${d.name}: unknown parameter name '${p}' (an op takes pcp, then val, oval, nval or ovalp)`);
  }
}

/** A size-generic op of the generic layer (`this_cpu_add(pcp, val)`), for the typed layer. */
export interface GenericOp {
  readonly name: string;
  readonly variant: Variant;
  readonly base: string;
  readonly params: readonly string[];
  readonly def: MacroDef;
  readonly returns: Returns;
}

/**
 * The generic layer's size-generic ops, in table order, each returning what its
 * sized instances return: what the kernel calls by the unsized name and
 * resolves with __pcpu_size_call.
 */
export function genericOps(defs: readonly MacroDef[], ops: readonly OpModel[]): GenericOp[] {
  const byName = new Map(ops.map((o) => [o.name, o]));
  const out: GenericOp[] = [];
  for (const d of defs) {
    const g = GENERIC.exec(d.name);
    if (!g) continue;
    const sized = SIZES.map((n) => byName.get(`${d.name}_${n}`));
    if (sized.some((o) => o === undefined)) continue;
    const kinds = new Set(sized.map((o) => o!.returns));
    if (kinds.size !== 1) throw err(d, `${d.name}: its sized ops return different kinds (${[...kinds].join(', ')})`);
    out.push({ name: d.name, variant: g[1] as Variant, base: g[2], params: d.params, def: d, returns: sized[0]!.returns });
  }
  return out;
}

/** Every op the tables define, in table order: sized arch ops first, then each generic op per width. */
export function buildModel(defs: readonly MacroDef[], families: Map<string, Family>): OpModel[] {
  const macros = indexMacros(defs);
  const t: Tables = { macros, families };
  const ops: OpModel[] = [];
  const seen = new Set<string>();
  const emit = (op: OpModel): void => {
    if (seen.has(op.name)) throw err(op.def, `duplicate op '${op.name}': the generic layer instantiates a name the architecture also defines`);
    seen.add(op.name);
    ops.push(op);
  };
  for (const d of defs) {
    const m = SIZED.exec(d.name);
    if (!m) continue;
    const width = m[3] !== undefined ? Number(m[3]) : WIDTH_OF_SUFFIX[m[4]];
    if (![1, 2, 4, 8].includes(width) && !(m[4] !== undefined)) {
      throw err(d, `bad size ${m[3]} in '${d.name}': an op's width is 1, 2, 4 or 8 bytes (cmpxchg64/cmpxchg128 for 8 and 16)`);
    }
    checkParams(d);
    const base = m[2] + (m[4] ?? '');
    emit(expandOp(t, d, d.name, m[1] as Variant, base, width as OpModel['width']));
  }
  for (const d of defs) {
    if (SIZED.test(d.name)) continue;
    const g = GENERIC.exec(d.name);
    if (!g || isDispatcher(d)) continue;
    checkParams(d);
    for (const n of SIZES) emit(expandOp(t, d, `${d.name}_${n}`, g[1] as Variant, g[2], n));
  }
  return ops;
}

function expandOp(t: Tables, def: MacroDef, name: string, variant: Variant, base: string, width: OpModel['width']): OpModel {
  const chain: string[] = [];
  const parts: Part[] = [];
  const self = def.params.map((p): Tok[] => [{ kind: 'id', text: p }]);
  expandCall(t, def, def.name, self, width, def, def.params, chain, parts, 0);
  const valued = parts.filter((p) => p.family.returns !== 'void');
  if (valued.length > 1) {
    throw err(def, `${name}: expands to ${valued.length} families that return a value (${valued.map((p) => p.family.name).join(', ')}); an op returns at most one`);
  }
  return { name, base, variant, width, params: def.params, def, chain: chain.slice(1), parts, returns: valued[0]?.family.returns ?? 'void' };
}

function expandCall(
  t: Tables, site: MacroDef, name: string, args: Tok[][], width: number,
  top: MacroDef, topParams: readonly string[], chain: string[], parts: Part[], depth: number,
): void {
  if (depth > 32) throw err(site, `expansion of '${top.name}' does not terminate (recursive macros?)`);
  chain.push(`${name}(${args.map(tokText).join(', ')})`);
  if (SIZE_CALLS.has(name)) {
    const stem = args[0];
    if (!stem || stem.length !== 1 || stem[0].kind !== 'id') throw err(site, `${name}: the first argument must be an op stem such as raw_cpu_add_`);
    const sized = `${stem[0].text}${width}`;
    if (!t.macros.has(sized)) {
      throw err(site, `no '${sized}' for ${name}(${stem[0].text}, ...): the architecture has no ${width}-byte op (the kernel's __bad_size_call_parameter)`);
    }
    expandCall(t, site, sized, args.slice(1), width, top, topParams, chain, parts, depth + 1);
    return;
  }
  const macro = t.macros.get(name);
  if (macro) {
    if (macro.params.length !== args.length) {
      throw err(site, `'${name}' takes ${macro.params.length} argument(s) (${macro.params.join(', ')}), got ${args.length}`);
    }
    const calls = parseCallSequence(substitute(tokenize(macro.body), macro.params, args));
    if (!calls) throw err(macro, `the body of '${name}' must be a call, or a parenthesized comma list of calls, got '${macro.body}'`);
    for (const c of calls) expandCall(t, macro, c.name, c.args, width, top, topParams, chain, parts, depth + 1);
    return;
  }
  const family = t.families.get(name);
  if (!family) {
    throw err(site, `unknown family '${name}': no #define and no template families/${name}.hbs`);
  }
  parts.push(bindFamily(family, site, args, width, topParams, top));
}

function bindFamily(f: Family, site: MacroDef, args: Tok[][], width: number, topParams: readonly string[], top: MacroDef): Part {
  if (f.params.length !== args.length) {
    throw err(site, `family '${f.name}' takes ${f.params.length} argument(s) (${f.params.join(', ')}), got ${args.length}`);
  }
  const bindings: Record<string, string> = {};
  const consts: Record<string, bigint | null> = {};
  const operands = new Set(topParams.filter((p) => PARAM_ROLES[p as keyof typeof PARAM_ROLES] === 'operand'));
  f.params.forEach((p, i) => {
    const a = args[i];
    const text = tokText(a);
    if (p === 'size') {
      if (a.length !== 1 || a[0].kind !== 'num' || Number(a[0].text) !== width) {
        throw err(site, `bad size: ${f.name} called with size '${text}' in a ${width}-byte op`);
      }
      bindings[p] = text;
    } else if (p === 'qual') {
      if (!(a.length === 0 || (a.length === 1 && a[0].text === 'volatile'))) throw err(site, `${f.name}: qual must be empty or volatile, got '${text}'`);
      bindings[p] = text;
    } else if (p === 'op') {
      if (a.length !== 1 || a[0].kind !== 'str') throw err(site, `${f.name}: op must be a string literal such as "and", got '${text}'`);
      bindings[p] = JSON.parse(a[0].text) as string;
    } else if (p === 'var' || p === '_var' || p === 'pcp') {
      const inner = a.filter((x) => x.text !== '(' && x.text !== ')');
      if (inner.length !== 1 || inner[0].text !== 'pcp') throw err(site, `${f.name}: the variable argument must be the op's pcp, got '${text}'`);
      bindings[p] = 'pcp';
    } else if (p === 'ovalp' || p === '_ovalp') {
      if (text !== 'ovalp') throw err(site, `${f.name}: ovalp must be the op's ovalp parameter, got '${text}'`);
      bindings[p] = 'ovalp';
    } else {
      try {
        const o = translateOperand(a, width, operands, 'pcp');
        bindings[p] = o.ts;
        consts[p] = o.value;
      } catch (e) {
        // The operand was written in the op being expanded: report it there.
        const op = SIZED.test(top.name) ? top.name : `${top.name}_${width}`;
        if (e instanceof OperandError) throw err(top, `${op}: ${f.name}: argument ${p}: ${e.message}`);
        throw e;
      }
    }
  });
  return { family: f, bindings, consts, call: `${f.name}(${args.map(tokText).join(', ')})` };
}
