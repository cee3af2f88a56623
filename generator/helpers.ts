/**
 * The one registry of Handlebars helpers the family templates may use. Each
 * renders a width-specific piece of TypeScript, named after the kernel macro
 * it plays the part of (`percpu_arg` is `__percpu_arg([var])`, the gs-relative
 * memory operand; `pcpu_cast` is `__pcpu_cast_N`).
 */
import type Handlebars from 'handlebars';
import { literal } from '../c/cexpr.js';

/** What a family template sees. Bound C parameters are added by name. */
export interface FamilyContext {
  [param: string]: unknown;
  size: number;
  /** Mnemonic suffix b, w, l, q. */
  sfx: string;
  /** The accumulator register of the width: al, ax, eax, rax. */
  acc: string;
  /** The memory view of the width: m.u8 … m.u64. */
  mem: string;
  qual: string;
  __arch: ArchSyntax;
  __width: number;
  __pointer: string;
  __consts: Record<string, bigint | null>;
  __mode: 'fast' | 'stepped';
  /** Where `{{return x}}` puts the value: `return` or a variable name. */
  __returnTo: string;
  /** Instructions rendered so far (for the doc comment). */
  __insns: string[];
  /**
   * Set by {{raw_cpu_ptr}}: the local holding this CPU's copy's byte address,
   * which every later memory operand uses (computed once, as arm64 and
   * asm-generic do). Undefined on x86-64, where each operand is gs-relative.
   */
  __ptr?: string;
}

/** One instruction of raw_cpu_ptr(&var): its text and the TS statement it stands for. */
export interface CpuPtrStep {
  readonly asm: string;
  readonly ts: string;
}

/** How an architecture forms the address of this CPU's copy. */
export interface ArchSyntax {
  /** The TS expression of this CPU's per-CPU offset: `m.gs` (the GS base) on x86-64. */
  readonly base: string;
  /**
   * raw_cpu_ptr(&var) on an architecture without a base-register address mode:
   * the instructions that put this CPU's copy's address in a register (declaring
   * the local `ptr`). Absent on x86-64, whose operands are `%gs:var`.
   */
  readonly cpuPtr?: readonly CpuPtrStep[];
  /**
   * The instructions the compiler emits for asm-generic's plain C, by role
   * (`load`, `store`, `+=` …), as Handlebars over the family context: what
   * shared families in templates/linux/families/ print with {{#insn (isa "load")}}.
   */
  readonly isa?: Readonly<Record<string, string>>;
}

export const KNOWN_HELPERS = {
  insn: true, return: true, is_const: true, lit: true, addend: true, pcpu_cast: true,
  percpu_arg: true, percpu_index: true, percpu_addr: true, c_operator: true,
  raw_cpu_ptr: true, isa: true, eq: true,
} as const;

type Options = Handlebars.HelperOptions;

function root(options: Options): FamilyContext {
  return options.data.root as FamilyContext;
}

const SHIFT: Record<number, number> = { 1: 0, 2: 1, 4: 2, 8: 3, 16: 3 };

function reduce(expr: string, width: number): string {
  const e = /^[\w.]+$/.test(expr) ? expr : `(${expr})`;
  switch (width) {
    case 1: return `${e} & 0xff`;
    case 2: return `${e} & 0xffff`;
    case 4: return `${e} >>> 0`;
    case 8: return `BigInt.asUintN(64, ${expr})`;
    default: return `BigInt.asUintN(128, ${expr})`;
  }
}

function isLiteral(expr: string): boolean {
  return /^(0x[0-9a-f]+|[0-9]+)n?$/.test(expr);
}

function address(c: FamilyContext): string {
  if (c.__ptr !== undefined) return c.__ptr;
  if (c.__arch.cpuPtr !== undefined) {
    throw new Error('this architecture has no base-register address mode: compute the address with {{raw_cpu_ptr}} before the first memory operand');
  }
  return `${c.__arch.base} + ${c.__pointer}.off`;
}

/** What an instruction does to memory: reads or writes this CPU's copy, or touches none (a register op). */
type Access = 'r' | 'w' | 'none';

/**
 * The step an instruction yields in the stepped flavour. x86-64's operand is
 * `%gs:var`, resolved on whatever CPU runs the step, so `pcp` says it all. On
 * an architecture that computes raw_cpu_ptr() once, the step names the address
 * it really uses (`addr: ptr`, possibly the previous CPU's copy), its size and
 * access; a register-only step touches nothing (`size: 0`).
 */
/** The operands an instruction names as %[val], %[oval], %[nval], with the values it uses (after any negation). */
function operandFields(c: FamilyContext, text: string): string {
  const out: string[] = [];
  for (const m of text.matchAll(/%\[(val|oval|nval)\]/g)) {
    const expr = c[m[1]];
    if (typeof expr === 'string' && !out.some((o) => o.startsWith(`${m[1]}:`))) out.push(`${m[1]}: ${expr}`);
  }
  return out.length === 0 ? '' : `, ${out.join(', ')}`;
}

function stepOf(c: FamilyContext, text: string, access: Access | undefined): string {
  const head = `asm: ${JSON.stringify(text)}, pcp: ${c.__pointer}${operandFields(c, text)}`;
  if (c.__arch.cpuPtr === undefined) return `{ ${head} }`;
  if (access === undefined) throw new Error(`insn "${text}": say what it touches, access="r", "w" or "none" (the explorer needs each step's footprint)`);
  if (access === 'none') return `{ ${head}, size: 0 }`;
  if (c.__ptr === undefined) throw new Error(`insn "${text}": a memory access before {{raw_cpu_ptr}} computed the address`);
  return `{ ${head}, addr: ${c.__ptr}, size: ${c.__width}, access: "${access}" }`;
}

/** One instruction: its text recorded for the doc comment, a yield before it in the stepped flavour. */
function emitInsn(c: FamilyContext, text: string, body: string, access?: Access): string {
  c.__insns.push(text);
  const head = c.__mode === 'stepped' ? `yield ${stepOf(c, text, access)};` : `// ${text}`;
  return `${head}\n${body}\n`;
}

function index(c: FamilyContext): string {
  const s = SHIFT[c.__width];
  const a = address(c);
  return s === 0 ? a : /^\w+$/.test(a) ? `${a} >>> ${s}` : `(${a}) >>> ${s}`;
}

export function registerHelpers(hb: typeof Handlebars): void {
  const asmCache = new Map<string, Handlebars.TemplateDelegate>();

  /**
   * {{#insn "addl %[val], %gs:[var]"}} code {{/insn}}: one machine instruction.
   * On arm64 and asm-generic also access="r" | "w" | "none": what it does to memory.
   */
  hb.registerHelper('insn', function (this: unknown, asm: unknown, options: Options): string {
    const c = root(options);
    if (typeof asm !== 'string') throw new Error('insn needs the instruction text as a string');
    let t = asmCache.get(asm);
    if (!t) {
      t = hb.compile(asm, { strict: true, noEscape: true });
      asmCache.set(asm, t);
    }
    const access = options.hash.access as unknown;
    if (access !== undefined && access !== 'r' && access !== 'w' && access !== 'none') {
      throw new Error(`insn: access must be "r", "w" or "none", got '${String(access)}'`);
    }
    // The current context: inside a partial it carries the partial's own parameters (op="inc").
    return emitInsn(c, t(this ?? c), options.fn(this).trim(), access);
  });

  /**
   * {{raw_cpu_ptr}}: raw_cpu_ptr(&var) into the local `ptr`, once; every later
   * memory operand of the family addresses `ptr`, so it keeps pointing at the
   * copy of the CPU that computed it even if the task migrates afterwards.
   */
  hb.registerHelper('raw_cpu_ptr', function (options: Options): string {
    const c = root(options);
    const steps = c.__arch.cpuPtr;
    if (steps === undefined) throw new Error('raw_cpu_ptr: this architecture addresses its copy through the per-CPU base register; use {{percpu_arg}} directly');
    if (c.__ptr !== undefined) throw new Error('raw_cpu_ptr: the address is already computed in this family');
    c.__ptr = 'ptr';
    // The template's own line break follows the helper: drop the last one here.
    return steps.map((s) => emitInsn(c, s.asm, s.ts, 'none')).join('').replace(/\n$/, '');
  });

  /** (isa "load"): the architecture's instruction for a role of asm-generic's plain C. */
  hb.registerHelper('isa', function (role: unknown, options: Options): string {
    const c = root(options);
    const pattern = typeof role === 'string' ? c.__arch.isa?.[role] : undefined;
    if (pattern === undefined) throw new Error(`isa: the architecture has no instruction for '${String(role)}' (add it to its isa table in generator/arches.ts)`);
    return pattern;
  });

  hb.registerHelper('eq', function (a: unknown, b: unknown): boolean {
    return a === b;
  });

  hb.registerHelper('return', function (expr: unknown, options: Options): string {
    const c = root(options);
    return c.__returnTo === 'return' ? `return ${String(expr)};` : `${c.__returnTo} = ${String(expr)};`;
  });

  /** (is_const "val" 1): the bound operand is the constant k in the op's width. */
  hb.registerHelper('is_const', function (name: unknown, k: unknown, options: Options): boolean {
    const c = root(options);
    if (typeof name !== 'string' || !(name in c.__consts)) throw new Error(`is_const: '${String(name)}' is not an operand of this family`);
    const v = c.__consts[name];
    return v !== null && v === BigInt.asUintN(c.__width * 8, BigInt(k as number));
  });

  hb.registerHelper('lit', function (k: unknown, options: Options): string {
    const c = root(options);
    return literal(BigInt.asUintN(c.__width * 8, BigInt(k as number)), c.__width >= 8);
  });

  /** An operand added into memory: reduced so the sum stays exact (the store wraps). */
  hb.registerHelper('addend', function (expr: unknown, options: Options): string {
    const c = root(options);
    const e = String(expr);
    if (isLiteral(e) || c.__width >= 8) return e;
    return reduce(e, c.__width);
  });

  /** __pcpu_cast_N: the operand converted to the width's unsigned value. */
  hb.registerHelper('pcpu_cast', function (...args: unknown[]): string {
    const options = args.pop() as Options;
    const c = root(options);
    const e = args.map(String).join('');
    return isLiteral(e) ? e : reduce(e, c.__width);
  });

  /** __percpu_arg([var]): this CPU's copy as a memory operand (a typed-array element). */
  hb.registerHelper('percpu_arg', function (options: Options): string {
    const c = root(options);
    return `${c.mem}[${index(c)}]`;
  });

  /** Index into the width's memory view of this CPU's copy. */
  hb.registerHelper('percpu_index', function (options: Options): string {
    return index(root(options));
  });

  /** Byte address of this CPU's copy. */
  hb.registerHelper('percpu_addr', function (options: Options): string {
    return address(root(options));
  });

  hb.registerHelper('c_operator', function (op: unknown): string {
    switch (op) {
      case 'add': return '+';
      case 'and': return '&';
      case 'or': return '|';
      default: throw new Error(`c_operator: '${String(op)}' is not a binary op of the kernel's per-CPU layer (add, and, or; xor was removed)`);
    }
  });
}
