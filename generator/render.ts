/**
 * Renders the op model to TypeScript: one exported function per op, its doc
 * comment, signature and argument checks assembled here from the table, its
 * body from the family templates. Two flavours come from the same model:
 * `fast` (straight-line code) and `stepped` (a generator function that yields
 * before each instruction, for the interleaving explorer).
 */
import { GenError } from '../c/errors.js';
import { templateError } from './families.js';
import type { ArchSyntax, FamilyContext } from './helpers.js';
import { opPhrase, VARIANT_PHRASES } from './kerneldoc.js';
import type { GenericOp, OpModel } from './model.js';

export type Flavour = 'fast' | 'stepped';

export interface ArchInfo {
  readonly name: string;
  /**
   * The Machine architecture the ops run on, whose per-CPU base and pointer
   * tag they use: the name itself for the built-in ones; an architecture
   * scaffolded by `percpu-gen init` runs on the one it was copied from.
   */
  readonly machine?: string;
  /** Title for doc comments: `x86-64`. */
  readonly title: string;
  readonly syntax: ArchSyntax;
  /** Mnemonic suffixes per width. */
  readonly sfx: Readonly<Record<number, string>>;
  readonly acc: Readonly<Record<number, string>>;
  /** More per-width template variables (arm64's register view `r`: w or x). */
  readonly vars?: Readonly<Record<number, Readonly<Record<string, string>>>>;
  /** Runtime functions a generated op may call (besides errors and casts). */
  readonly primitives: readonly string[];
}

const MEM: Record<number, string> = { 1: 'm.u8', 2: 'm.u16', 4: 'm.u32', 8: 'm.u64', 16: 'm.u64' };

function valueType(width: number): string {
  return width >= 8 ? 'bigint' : 'number';
}

function returnType(op: OpModel): string {
  return op.returns === 'void' ? 'void' : op.returns === 'bool' ? 'boolean' : valueType(op.width);
}

function paramDecl(p: string, width: number): string {
  if (p === 'pcp') return `pcp: PerCpuPtr<Width${width}Type>`;
  if (p === 'ovalp') return `ovalp: { value: ${valueType(width)} }`;
  return `${p}: ${valueType(width)}`;
}

/**
 * Pointer and operand checks: before any memory is touched and before the op
 * disables preemption or interrupts, so a refused op changes nothing. The
 * first is the one pointer check, which is also the alignment check: the
 * pointer's tag is its machine's id × 16 plus the offset's low four bits, the
 * mask keeps the bits the width needs clear, and `m.tag_<arch>` is id × 16
 * only on the machine's own architecture after boot (src/machine.ts). So one
 * integer compare refuses a non-pointer, a freed pointer, another machine's
 * pointer, an op of another architecture, an unbooted machine and a
 * misaligned pointer; badPointer() says which, off the hot path.
 */
function prologue(op: OpModel, arch: ArchInfo, flavour: Flavour): string[] {
  const big = op.width >= 8;
  const mask = -16 | (Math.min(op.width, 16) - 1);
  const runsOn = arch.machine ?? arch.name;
  // Both loads sit in one try: a try/catch costs nothing until something throws (a null or
  // undefined pcp or m, a freed pointer's getter), and `own = -1` never matches a masked tag (≥ 0),
  // so badPointer() then says which argument was wrong. An explicit null test, `pcp?.tag` or
  // `m?.tag_<arch>` instead measured 5%, 20% and 20–30% of this_cpu_add_4 (bench/ab.ts).
  const lines: string[] = [
    'let tag: number;',
    'let own: number;',
    'try {',
    'tag = pcp.tag;',
    `own = m.tag_${runsOn};`,
    '} catch {',
    'tag = NaN;',
    'own = -1;',
    '}',
    `if ((tag & ${mask}) !== own) throw badPointer("${op.name}", "${runsOn}", "${flavour}", ${op.width}, m, pcp);`,
  ];
  for (const p of op.params) {
    if (p === 'pcp') continue;
    if (p === 'ovalp') {
      const bad = big ? `typeof ovalp.value !== "bigint"` : `!Number.isInteger(ovalp.value)`;
      lines.push(`if (typeof ovalp !== "object" || ovalp === null || ${bad}) throw badOvalp("${op.name}", ovalp, ${big});`);
    } else {
      const bad = big ? `typeof ${p} !== "bigint"` : `!Number.isInteger(${p})`;
      lines.push(`if (${bad}) throw badOperand("${op.name}", "${p}", ${p}, ${big});`);
    }
  }
  return lines;
}

function widthTitle(width: number): string {
  return width === 1 ? '1 byte' : `${width} bytes`;
}

/** One op as TypeScript: doc comment, signature, argument checks, then the family bodies. */
export function renderOp(op: OpModel, arch: ArchInfo, flavour: Flavour): string {
  const insns: string[] = [];
  const valuedIndex = op.parts.findIndex((p) => p.family.returns !== 'void');
  const needsResult = valuedIndex >= 0 && valuedIndex !== op.parts.length - 1;
  const body: string[] = [];
  /** Instructions each part rendered: the op's family is the part that does the work. */
  const insnCounts: number[] = [];
  if (needsResult) body.push(`let result: ${returnType(op)};`);
  op.parts.forEach((part, i) => {
    const before = insns.length;
    const ctx: FamilyContext = {
      ...arch.vars?.[op.width],
      ...part.bindings,
      size: op.width,
      sfx: arch.sfx[op.width] ?? '',
      acc: arch.acc[op.width] ?? '',
      mem: MEM[op.width],
      qual: part.bindings.qual ?? '',
      __arch: arch.syntax,
      __width: op.width,
      __pointer: 'pcp',
      __consts: part.consts,
      __mode: flavour,
      __returnTo: needsResult && i === valuedIndex ? 'result' : 'return',
      __insns: insns,
    };
    try {
      body.push(part.family.template(ctx).trim());
    } catch (e) {
      if (e instanceof GenError) throw e;
      throw templateError(part.family.file, part.family.bodyLine, e);
    }
    insnCounts.push(insns.length - before);
  });
  if (needsResult) body.push('return result;');

  const families = [...new Set(op.parts.map((p) => p.family))];
  // The valued part, else the last part with instructions (not the preempt or IRQ wrapper around it), else the last.
  let mainIndex = valuedIndex;
  for (let i = op.parts.length - 1; mainIndex < 0 && i >= 0; i--) if (insnCounts[i] > 0) mainIndex = i;
  const mainFamily = op.parts[mainIndex >= 0 ? mainIndex : op.parts.length - 1].family;
  const doc = [
    `${op.name}(${op.params.join(', ')}): ${opPhrase(op.base, op.name)}`,
    VARIANT_PHRASES[op.variant],
    '',
    `C:      ${op.def.text}`,
    ...op.chain.map((c, i) => `${i === 0 ? 'Expands' : '       '} → ${c}`),
    `Family: ${mainFamily.name} (${families.map((f) => f.file).join(', ')})`,
    `${arch.title}: ${insns.length === 0 ? '(no instruction)' : insns.join('; ')}`,
    `Source: ${op.def.file}:${op.def.line}`,
    '',
    // The API reference (TypeDoc) lists the ops by macro family, then by width, not as one flat list.
    `@group ${mainFamily.name}`,
    `@category ${widthTitle(op.width)}`,
  ];
  const star = flavour === 'stepped' ? '*' : '';
  const ret = flavour === 'stepped' ? `Generator<${'Insn'}, ${returnType(op)}, undefined>` : returnType(op);
  const params = ['m: Machine', ...op.params.map((p) => paramDecl(p, op.width))].join(', ');
  return [
    '/**',
    ...doc.map((l) => (l === '' ? ' *' : ` * ${l.replace(/\*\//g, '*\\/')}`)),
    ' */',
    `export function${star} ${op.name}(${params}): ${ret} {`,
    ...prologue(op, arch, flavour),
    ...body,
    '}',
  ].join('\n');
}

/**
 * Indents rendered code by brace depth, two spaces a level: templates are
 * written flush left, so this is the whole of the formatting, deterministic
 * and cheap (the TypeScript formatter took longer than the type-check).
 * Doc comments keep their own layout; blank lines inside a body are dropped.
 */
export function indentCode(text: string): string {
  const out: string[] = [];
  let depth = 0;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('/**') || line.startsWith('*')) {
      out.push(line.startsWith('*') ? ` ${line}` : line);
      continue;
    }
    if (line === '') {
      if (depth === 0) out.push('');
      continue;
    }
    const code = line.replace(/"(?:[^"\\]|\\.)*"/g, '""').replace(/\/\/.*$/, '');
    const leading = /^}+/.exec(code)?.[0].length ?? 0;
    const opens = (code.match(/{/g) ?? []).length;
    const closes = (code.match(/}/g) ?? []).length;
    out.push(`${'  '.repeat(Math.max(0, depth - leading))}${line}`);
    depth += opens - closes;
  }
  return out.join('\n');
}

/**
 * Where a generated module takes the runtime from: inside the repository, each
 * runtime file by relative path (`relative` is the prefix from the module to
 * the repository root, `../../`); anywhere else, the installed package's one
 * runtime entry point (`package`: `percpu-ts/runtime`).
 */
export type ImportStyle = { readonly relative: string } | { readonly package: string };

/** One import of a generated module: names from a runtime file (`src/debug.js`); `type X` marks a type among values. */
interface RuntimeImport {
  readonly names: readonly string[];
  readonly from: string;
  readonly typeOnly?: boolean;
}

function importLines(imports: readonly RuntimeImport[], style: ImportStyle): string[] {
  if ('relative' in style) {
    return imports.map((i) => `import ${i.typeOnly ? 'type ' : ''}{ ${i.names.join(', ')} } from "${style.relative}${i.from}";`);
  }
  // One value import and one type import; a name written `type X` inside a value import is a type.
  const values = imports.filter((i) => !i.typeOnly).flatMap((i) => i.names.filter((n) => !n.startsWith('type ')));
  const types = imports.flatMap((i) => (i.typeOnly ? i.names : i.names.filter((n) => n.startsWith('type ')).map((n) => n.slice(5))));
  return [
    ...(values.length > 0 ? [`import { ${values.join(', ')} } from "${style.package}";`] : []),
    ...(types.length > 0 ? [`import type { ${types.join(', ')} } from "${style.package}";`] : []),
  ];
}

/** Who the header says wrote the file: the repository's script, or the installed command. */
function generatedBy(style: ImportStyle): string {
  return 'relative' in style ? 'generator/cli.ts' : 'percpu-gen';
}

function regenerateHint(style: ImportStyle): string {
  return 'relative' in style
    ? '// Regenerate with `make generate`; `make check` fails when this file differs from a fresh run.'
    : '// Regenerate with `percpu-gen`; `percpu-gen --check` fails when this file differs from a fresh run.';
}

export interface ModuleSpec {
  readonly arch: ArchInfo;
  readonly flavour: Flavour;
  readonly sources: readonly string[];
  readonly imports: ImportStyle;
}

/**
 * The module's doc comment inside this repository, naming it as a user imports
 * it (`percpu-ts/x86_64`, `percpu-ts/arm64/stepped`) in the API reference.
 */
function moduleComment(spec: ModuleSpec): string[] {
  if (!('relative' in spec.imports)) return [];
  const flavour = spec.flavour === 'fast' ? 'the fast flavour' : 'the stepped flavour, for the explorer';
  return [
    '/**',
    ` * The ${spec.arch.title} per-CPU ops, ${flavour}: raw_cpu_, __this_cpu_ and this_cpu_ of each op and width, generated`,
    ` * from ${spec.sources.join(' and ')}.`,
    ' *',
    ` * @module percpu-ts/${spec.arch.name}${spec.flavour === 'stepped' ? '/stepped' : ''}`,
    ' */',
  ];
}

export function renderModule(ops: readonly OpModel[], spec: ModuleSpec): string {
  const rendered = ops.map((op) => renderOp(op, spec.arch, spec.flavour));
  const widths = [...new Set(ops.map((o) => o.width))].sort((a, b) => a - b);
  const header = [
    '// SPDX-License-Identifier: GPL-2.0',
    `// Code generated by ${generatedBy(spec.imports)} from ${spec.sources.join(' and ')}. DO NOT EDIT.`,
    `// ${spec.arch.title} per-CPU ops, ${spec.flavour === 'fast' ? 'fast flavour: one straight-line function per op and width' : 'stepped flavour: each op yields before every instruction, for the explorer'}.`,
    regenerateHint(spec.imports),
    '',
    ...moduleComment(spec),
    ...importLines(
      [
        { names: ['__this_cpu_preempt_check'], from: 'src/debug.js' },
        { names: ['badOperand', 'badOvalp'], from: 'src/errors.js' },
        { names: ['Machine'], from: 'src/machine.js', typeOnly: true },
        { names: ['badPointer', 'type PerCpuPtr'], from: 'src/percpu-ptr.js' },
        ...(spec.arch.primitives.length > 0 ? [{ names: spec.arch.primitives, from: 'src/kernel/preempt.js' }] : []),
        ...(spec.flavour === 'stepped' ? [{ names: ['Insn'], from: 'src/insn.js', typeOnly: true }] : []),
        { names: widths.map((w) => `Width${w}Type`), from: 'src/types.js', typeOnly: true },
      ],
      spec.imports,
    ),
    '',
  ].join('\n');
  return indentCode(`${header}\n${rendered.join('\n\n')}\n`);
}

/** Base ops that do arithmetic: the typed layer offers them on integer types only. */
const ARITH_BASES = new Set(['add', 'sub', 'inc', 'dec', 'and', 'or', 'add_return', 'sub_return', 'inc_return', 'dec_return']);

/**
 * The size-generic typed layer: one function per size-generic op of the
 * generic layer (`this_cpu_add(m, pcp, val)`), calling the sized op bound to
 * the pointer when it was defined (`pcp.ops`): the kernel's __pcpu_size_call
 * resolved once per symbol instead of once per call.
 */
export function renderTypedModule(ops: readonly GenericOp[], sources: readonly string[], imports: ImportStyle): string {
  const fns = ops.map((op) => {
    const bound = ARITH_BASES.has(op.base) ? 'IntName' : 'ScalarName';
    const params = ['m: Machine', ...op.params.map((p) => (p === 'pcp' ? 'pcp: PerCpuPtr<T>' : p === 'ovalp' ? 'ovalp: { value: ValueOf<T> }' : `${p}: ValueOf<T>`))];
    const ret = op.returns === 'void' ? 'void' : op.returns === 'bool' ? 'boolean' : 'ValueOf<T>';
    const call = `(pcp.ops as OpTable).${op.name}(${['m', ...op.params].join(', ')})`;
    // The try costs nothing until something throws; then typedPointerError() replaces the
    // engine's "Cannot read properties of null" for a pcp that is not a pointer, and passes
    // any error of the sized op (a bad operand, another machine's pointer) through unchanged.
    return [
      '/**',
      ` * ${op.name}(${op.params.join(', ')}): ${opPhrase(op.base, op.name)}`,
      ` * ${VARIANT_PHRASES[op.variant]}`,
      ' *',
      ` * C:      ${op.def.text}`,
      ` * Calls:  ${op.name}_1/_2/_4/_8, the one of pcp's width, bound when pcp was defined (no switch per call)`,
      ` * Source: ${op.def.file}:${op.def.line}`,
      ' *',
      ' * @group size-generic ops',
      ` * @category ${op.variant}`,
      ' */',
      `export function ${op.name}<T extends ${bound}>(${params.join(', ')}): ${ret} {`,
      'try {',
      `${ret === 'void' ? '' : 'return '}${call};`,
      '} catch (e) {',
      `throw typedPointerError("${op.name}", pcp, e);`,
      '}',
      '}',
    ].join('\n');
  });
  const header = [
    '// SPDX-License-Identifier: GPL-2.0',
    `// Code generated by ${generatedBy(imports)} from ${sources.join(' and ')}. DO NOT EDIT.`,
    '// The size-generic typed layer: this_cpu_add(m, pcp, val) and the rest of the generic layer\'s unsized names.',
    regenerateHint(imports),
    '',
    ...importLines(
      [
        { names: ['Machine'], from: 'src/machine.js', typeOnly: true },
        { names: ['typedPointerError', 'type PerCpuPtr'], from: 'src/percpu-ptr.js' },
        { names: ['IntName', 'OpTable'], from: 'src/typed.js', typeOnly: true },
        { names: ['ScalarName', 'ValueOf'], from: 'src/types.js', typeOnly: true },
      ],
      imports,
    ),
    '',
  ].join('\n');
  const table = [
    '/**',
    ' * Every size-generic op: its base op, what it returns, and whether it is arithmetic (integer',
    ' * types only). src/typed.ts builds each type\'s op table from this, so the list lives in one place.',
    ' */',
    'export const GENERIC_OPS = {',
    ...ops.map((op) => `${op.name}: { base: "${op.base}", returns: "${op.returns}", arith: ${ARITH_BASES.has(op.base)} },`),
    '} as const;',
  ].join('\n');
  return indentCode(`${header}\n${fns.join('\n\n')}\n\n${table}\n`);
}
