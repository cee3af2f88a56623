/**
 * The one registry of Handlebars helpers the family templates may use. Each
 * renders a width-specific piece of TypeScript, named after the kernel macro
 * it plays the part of (`percpu_arg` is `__percpu_arg([var])`, the gs-relative
 * memory operand; `pcpu_cast` is `__pcpu_cast_N`).
 */
import type Handlebars from 'handlebars';
import { literal } from './cexpr.js';

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
}

/** How an architecture forms the address of this CPU's copy. */
export interface ArchSyntax {
  /** The TS expression of the per-CPU base register: `m.gs` on x86-64. */
  readonly base: string;
}

export const KNOWN_HELPERS = {
  insn: true, return: true, is_const: true, lit: true, addend: true, pcpu_cast: true,
  percpu_arg: true, percpu_index: true, percpu_addr: true, c_operator: true,
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
  return `${c.__arch.base} + ${c.__pointer}.off`;
}

function index(c: FamilyContext): string {
  const s = SHIFT[c.__width];
  return s === 0 ? address(c) : `(${address(c)}) >>> ${s}`;
}

export function registerHelpers(hb: typeof Handlebars): void {
  const asmCache = new Map<string, Handlebars.TemplateDelegate>();

  /** {{#insn "addl %[val], %gs:[var]"}} code {{/insn}}: one machine instruction. */
  hb.registerHelper('insn', function (this: unknown, asm: unknown, options: Options): string {
    const c = root(options);
    if (typeof asm !== 'string') throw new Error('insn needs the instruction text as a string');
    let t = asmCache.get(asm);
    if (!t) {
      t = hb.compile(asm, { strict: true, noEscape: true });
      asmCache.set(asm, t);
    }
    const text = t(c);
    c.__insns.push(text);
    const body = options.fn(this).trim();
    const head = c.__mode === 'stepped' ? `yield { asm: ${JSON.stringify(text)}, pcp: ${c.__pointer} };` : `// ${text}`;
    return `${head}\n${body}\n`;
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
      case 'and': return '&';
      case 'or': return '|';
      default: throw new Error(`c_operator: '${String(op)}' is not a binary op of the kernel's per-CPU layer (and, or; xor was removed)`);
    }
  });
}
