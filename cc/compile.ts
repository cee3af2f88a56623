/**
 * percpu-cc's pipeline for one C file:
 *   preprocess (c/preprocess.ts, the shipped kernel headers) → parse
 *   (c/parse.ts) → translate (cc/translate.ts), once per flavour → assemble
 *   the module → validate with ts-morph (zero diagnostics; per-CPU ops bound
 *   once, called directly) → checksummed text.
 * Nothing is written here; the caller writes only when everything succeeded.
 */
import { readFileSync } from 'node:fs';
import { isCheckout, packageRoot } from '../generator/root.js';
import path from 'node:path';
import { parse } from '../c/parse.js';
import { preprocess } from '../c/preprocess.js';
import { withChecksum } from '../generator/output.js';
import { translate, type Flavour, type HarnessInfo, type Translation } from './translate.js';
import { checkModules, type CheckResult } from './validate.js';

/** The package root: the repository, or node_modules/percpu-ts when running from dist/cc/. */
export const ROOT = packageRoot(import.meta.url);

const ARCHES = ['x86_64', 'arm64', 'generic'] as const;

/** The text of a committed generated op module, read once. */
const opSources = new Map<string, string>();
function opSource(arch: string, stepped: boolean): { file: string; text: string } {
  const file = path.join(ROOT, 'generated', arch, stepped ? 'percpu-stepped.ts' : 'percpu.ts');
  let text = opSources.get(file);
  if (text === undefined) opSources.set(file, (text = readFileSync(file, 'utf8')));
  return { file, text };
}

let ops: ReadonlySet<string> | null = null;

/**
 * Sized ops every architecture generates: the only ones translated code may
 * call. Read from the generated modules' text rather than imported, which
 * would load 0.8 MB of TypeScript only for the names.
 */
function sizedOps(): ReadonlySet<string> {
  if (!ops) {
    const names = ARCHES.map((a) => new Set([...opSource(a, false).text.matchAll(/^export function ((?:raw_cpu|this_cpu|__this_cpu)_\w+_\d+)\(/gm)].map((x) => x[1])));
    ops = new Set([...names[0]].filter((n) => names.every((s) => s.has(n))));
  }
  return ops;
}

/** The kernel configuration translated C sees: an SMP, preemptible kernel with the usual debug checks (-U to drop one). */
export const KERNEL_CONFIG: Readonly<Record<string, string>> = {
  CONFIG_SMP: '1',
  CONFIG_PREEMPTION: '1',
  CONFIG_PREEMPT_COUNT: '1',
  CONFIG_DEBUG_PREEMPT: '1',
  CONFIG_DEBUG_ATOMIC_SLEEP: '1',
  CONFIG_DEBUG_VM: '1',
};

export interface CompileOptions {
  /** -D name=value (value '1' for a bare -Dname). */
  readonly defines?: Readonly<Record<string, string>>;
  readonly undefs?: readonly string[];
  /** Where the module will live (its imports are relative to it). */
  readonly outDir: string;
  /** How the source is named in messages and in the output (default: relative to the working directory). */
  readonly display?: string;
  /** Skip the ts-morph check (tests of the translator's own errors). */
  readonly validate?: boolean;
  /** A TypeScript module whose exports stand for functions the C declares but does not define. */
  readonly stubs?: string;
  /** How the output reaches the runtime (default: `checkout` in a checkout of this repository, else `package`). */
  readonly runtime?: RuntimeImports;
}

/**
 * Where a translated module takes the runtime from:
 *   checkout  the repository's TypeScript sources, by relative path (run with tsx, as the tests do);
 *   dist      the installed package's compiled dist/, by relative path: `percpu-sim check` from an
 *             install, whose scratch module must load the very modules the command itself runs;
 *   package   `percpu-ts/internal/<module>` (package.json's `./internal/*` export of dist/):
 *             what `percpu-cc --out` writes from an install, portable within the user's project.
 */
export type RuntimeImports = 'checkout' | 'dist' | 'package';

/** The default: a checkout imports its sources; an installed package, its own name. */
export const DEFAULT_RUNTIME: RuntimeImports = isCheckout(ROOT) ? 'checkout' : 'package';

/** The names a stub module exports (functions and consts), read from its text. */
function stubNames(file: string): Set<string> {
  const text = readFileSync(file, 'utf8');
  return new Set([...text.matchAll(/^export\s+(?:async\s+)?(?:function\*?|const|let)\s+([A-Za-z_$][\w$]*)/gm)].map((x) => x[1]));
}

export interface Compiled {
  /** `<base>.ts` (fast) and `<base>-stepped.ts`. */
  readonly files: readonly { readonly name: string; readonly text: string }[];
  readonly harness: HarnessInfo;
  readonly functions: Translation['functions'];
  /** Milliseconds: preprocess, parse, translate, then (when validated) load compiler, validate: declarations (of the runtime, cached), validate: program, validate: check. */
  readonly timings: Readonly<Record<string, number>>;
}

function rel(from: string, to: string): string {
  const r = path.relative(from, to).split(path.sep).join('/');
  return r.startsWith('.') ? r : `./${r}`;
}

export function compileFile(file: string, opts: CompileOptions, text?: string): Compiled {
  const timings: Record<string, number> = {};
  let mark = performance.now();
  const lap = (k: string): void => {
    const now = performance.now();
    timings[k] = now - mark;
    mark = now;
  };
  const abs = path.resolve(file);
  const display = opts.display ?? path.relative(process.cwd(), abs).split(path.sep).join('/');
  const showInclude = (p: string): string => {
    if (p === abs) return display;
    const r = path.relative(ROOT, p).split(path.sep).join('/');
    return r.startsWith('..') ? p : r;
  };
  const pp = preprocess(abs, {
    includeDirs: [path.join(ROOT, 'c/include'), path.join(ROOT, 'templates')],
    defines: { ...KERNEL_CONFIG, ...opts.defines },
    undefs: opts.undefs,
    display: showInclude,
  }, text);
  lap('preprocess');
  const unit = parse(pp.tokens);
  lap('parse');
  const base = path.basename(abs).replace(/\.c$/, '');
  const flavours: Flavour[] = ['fast', 'stepped'];
  const stubs = opts.stubs !== undefined ? { module: path.resolve(opts.stubs).replace(/\.ts$/, ''), names: stubNames(path.resolve(opts.stubs)) } : undefined;
  const defined = { ...KERNEL_CONFIG, ...opts.defines };
  const preemptRT = 'CONFIG_PREEMPT_RT' in defined && !(opts.undefs ?? []).includes('CONFIG_PREEMPT_RT');
  const tr = flavours.map((flavour) => translate(unit, { flavour, file: display, ops: sizedOps(), stubs, preemptRT }));
  lap('translate');
  const texts = flavours.map((flavour, i) => assemble(tr[i], flavour, display, opts.outDir, base, opts.runtime ?? DEFAULT_RUNTIME));
  const names = [`${base}.ts`, `${base}-stepped.ts`];
  if (opts.validate !== false) {
    const v = validate(opts.outDir, names, texts);
    timings['load compiler'] = v.load;
    timings['validate: declarations'] = v.declarations;
    timings['validate: program'] = v.program;
    timings['validate: check'] = v.check;
  }
  return { files: names.map((name, i) => ({ name, text: withChecksum(texts[i]) })), harness: tr[1].harness, functions: tr[0].functions, timings };
}

function assemble(t: Translation, flavour: Flavour, source: string, outDir: string, base: string, runtime: RuntimeImports): string {
  // Runtime modules are named from the repository root; a --stubs module by its absolute path.
  const toRoot = (m: string): string => {
    if (path.isAbsolute(m)) return `${rel(outDir, m)}.js`;
    if (runtime === 'package') return `percpu-ts/internal/${m}`;
    return `${rel(outDir, path.join(ROOT, runtime === 'dist' ? 'dist' : '', m))}.js`;
  };
  const lines: string[] = [];
  lines.push(`// Code generated by percpu-cc from ${source}. DO NOT EDIT.`);
  lines.push('/**');
  lines.push(` * ${source}, translated to TypeScript (${flavour === 'fast' ? 'fast flavour: plain functions' : 'stepped flavour: generator functions, one step per access to shared memory'}).`);
  lines.push(' * Call instantiate(m) before m.boot(): it defines the per-CPU variables and returns the functions.');
  lines.push(` * Regenerate: npx percpu-cc ${source} --out <dir>`);
  lines.push(' */');
  lines.push(`import type { Machine } from '${toRoot('src/machine')}';`);
  const imports = new Map(t.imports);
  const uses = (mod: string, name: string): void => {
    let s = imports.get(mod);
    if (!s) imports.set(mod, (s = new Set()));
    (s as Set<string>).add(name);
  };
  if (flavour === 'stepped') {
    uses('src/sched/step', 'Step');
    uses('src/sched/task', 'TaskSpec');
    uses('src/sched/task', 'IrqSpec');
    uses('src/sched/task', 'SoftirqSpec');
  }
  const typeOnly = new Set(['Step', 'TaskSpec', 'IrqSpec', 'SoftirqSpec', 'PerCpuPtr', 'Cpumask']);
  for (const [mod, names] of [...imports].sort(([a], [b]) => a.localeCompare(b))) {
    const list = [...names].sort().map((n) => (typeOnly.has(n) ? `type ${n}` : n));
    lines.push(`import { ${list.join(', ')} } from '${toRoot(mod)}';`);
  }
  if (t.body.includes('PerCpuPtr<') && !imports.get('src/percpu-ptr')?.has('PerCpuPtr')) lines.push(`import type { PerCpuPtr } from '${toRoot('src/percpu-ptr')}';`);
  if (t.body.includes(': Cpumask')) lines.push(`import type { Cpumask } from '${toRoot('src/lib/cpumask')}';`);
  const file = flavour === 'fast' ? 'percpu' : 'percpu-stepped';
  if (t.ops.length > 0) {
    for (const a of ['arm64', 'generic', 'x86_64']) lines.push(`import * as ${a} from '${toRoot(`generated/${a}/${file}`)}';`);
    lines.push('');
    lines.push("/** Each architecture's generated ops: instantiate() binds the machine's once. */");
    lines.push(`const ARCH_OPS: Readonly<Record<Machine['arch'], Pick<typeof x86_64, ${t.ops.map((o) => `'${o}'`).join(' | ')}>>> = { x86_64, arm64, generic };`);
  }
  lines.push('');
  lines.push(`export const SOURCE = '${source}';`);
  const h = t.harness;
  if (flavour === 'stepped') {
    lines.push('');
    lines.push('/** The harness the C file describes (PERCPU_* macros of <percpu-sim.h>). */');
    lines.push(`export const HARNESS = ${JSON.stringify({ cpus: h.cpus, bound: h.bound, debugPreempt: h.debugPreempt })} as const;`);
    lines.push('');
    lines.push('/** Runs a stepped function to its end outside the scheduler (invariants). */');
    lines.push('function drain<R>(g: Generator<Step, R, undefined>): R {');
    lines.push('  for (;;) {');
    lines.push('    const r = g.next();');
    lines.push('    if (r.done === true) return r.value;');
    lines.push('  }');
    lines.push('}');
  }
  lines.push('');
  lines.push(`/** Defines ${base}'s per-CPU variables on \`m\` (before m.boot()) and returns its functions. */`);
  lines.push('export function instantiate(m: Machine) {');
  if (t.ops.length > 0) lines.push(`  const { ${t.ops.join(', ')} } = ARCH_OPS[m.arch];`);
  lines.push(t.body);
  const fnNames = [...t.body.matchAll(/^ {2}function\*? ([A-Za-z_][\w]*)\(/gm)].map((x) => x[1]);
  const varNames = [...t.body.matchAll(/^ {2}const ([A-Za-z_]\w*) = DEFINE_PER_CPU\w*\(/gm)].map((x) => x[1]);
  if (flavour === 'stepped') {
    const where = (fn: string): string => fn;
    lines.push('  const tasks: TaskSpec[] = [');
    for (const x of h.tasks) lines.push(`    { name: '${x.name}', cpu: ${x.cpu}, pinned: ${x.pinned}, run: () => ${x.fn}() },`);
    lines.push('  ];');
    lines.push('  const irqs: IrqSpec[] = [');
    for (const x of h.irqs) lines.push(`    { name: '${x.name}', budget: ${x.budget}, run: () => ${x.fn}() },`);
    lines.push('  ];');
    lines.push('  const nmis: IrqSpec[] = [');
    for (const x of h.nmis) lines.push(`    { name: '${x.name}', budget: ${x.budget}, run: () => ${x.fn}() },`);
    lines.push('  ];');
    lines.push('  const softirqs: SoftirqSpec[] = [');
    for (const x of h.softirqs) lines.push(`    { nr: ${x.nr}, budget: ${x.budget}, run: () => ${x.fn}() },`);
    lines.push('  ];');
    lines.push('  /** The PERCPU_INIT functions, once the machine has booted (run to their end: no task runs yet). */');
    lines.push('  function init(): void {');
    for (const fn of h.inits) lines.push(`    drain(${fn}());`);
    lines.push('  }');
    lines.push('  /** A WARN, or a PERCPU_ALWAYS invariant that does not hold: checked after every step. */');
    lines.push('  function check(): string | null {');
    lines.push('    if (warnings.length > 0) return warnings[0];');
    for (const fn of h.always) lines.push(`    if (drain(${fn}()) === 0) return 'PERCPU_ALWAYS(${where(fn)}): ${fn}() returned false';`);
    lines.push('    return null;');
    lines.push('  }');
    lines.push('  /** The PERCPU_CHECK invariants, when every task has finished. */');
    lines.push('  function final(): string | null {');
    lines.push('    const w = check();');
    lines.push('    if (w !== null) return w;');
    for (const fn of h.checks) lines.push(`    if (drain(${fn}()) === 0) return 'PERCPU_CHECK(${where(fn)}): ${fn}() returned false after all tasks finished';`);
    lines.push('    return null;');
    lines.push('  }');
    lines.push(`  return { ${[...fnNames, ...varNames, 'warnings', 'tasks', 'irqs', 'nmis', 'softirqs', 'init', 'check', 'final'].join(', ')} };`);
  } else {
    lines.push(`  return { ${[...fnNames, ...varNames, 'warnings'].join(', ')} };`);
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

/** The folders of the runtime's TypeScript sources, which the check reads as declarations (cc/declarations.ts). */
export const RUNTIME_SOURCES: readonly string[] = ['src', 'generated', 'c'].map((d) => path.join(ROOT, d));

/** Zero diagnostics, and every per-CPU op bound once from the architecture table (cc/validate.ts). */
function validate(outDir: string, names: readonly string[], texts: readonly string[]): CheckResult['timings'] {
  const r = checkModules(names.map((n, i) => ({ file: path.join(outDir, n), text: texts[i] })), opModuleStubs(texts), path.join(ROOT, '.percpu-cc'), RUNTIME_SOURCES);
  if (r.problems.length > 0) throw new Error(`percpu-cc: the translated module failed validation (a translator bug):\n${r.problems.join('\n')}`);
  return r.timings;
}

/**
 * Each generated op module the texts import, reduced to its imports and the
 * declarations of the ops used: the check needs only their signatures, not
 * 1.7 MB of bodies.
 */
function opModuleStubs(texts: readonly string[]): [string, string][] {
  const out: [string, string][] = [];
  for (const text of texts) {
    const used = /const \{ ([^}]*) \} = ARCH_OPS\[m\.arch\];/.exec(text)?.[1].split(', ') ?? [];
    if (used.length === 0) continue;
    const stepped = text.includes("percpu-stepped.js'");
    for (const arch of ARCHES) {
      const { file, text: src } = opSource(arch, stepped);
      const lines = src.split('\n');
      const decls = lines.filter((l) => l.startsWith('import '));
      for (const op of used) {
        const sig = lines.find((l) => l.startsWith(`export function${stepped ? '*' : ''} ${op}(`));
        if (!sig) throw new Error(`percpu-cc: ${op} is not in ${file}`);
        decls.push(`${sig.replace(/^export function\*? /, 'export declare function ').replace(/ \{$/, ';')}`);
      }
      out.push([file, `${decls.join('\n')}\n`]);
    }
  }
  return out;
}
