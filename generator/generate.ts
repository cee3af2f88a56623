/**
 * The generator pipeline for each architecture:
 *   C tables (templates/<arch>/percpu.h + templates/linux/percpu-defs.h)
 *   → macro definitions (tree-sitter) → op model (expansion) → TypeScript
 *   (family templates) → validated (ts-morph) → checksummed files.
 * Nothing is written here; the caller writes only if every step succeeded.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import { archInfo, availableArches } from './arches.js';
import { parseHeader, type MacroDef } from '../c/cparse.js';
import { GenError } from '../c/errors.js';
import { loadFamilies } from './families.js';
import { registerHelpers } from './helpers.js';
import { isCheckout } from './root.js';
import { buildModel, genericOps, type OpModel } from './model.js';
import { renderModule, renderTypedModule, type Flavour, type ImportStyle } from './render.js';
import { validateModules, type ModuleToCheck } from './validate.js';
import { withChecksum, type OutFile } from './output.js';
import { ATOMIC_FILES, ATOMIC_PRIMITIVES, ATOMICS_TABLE, renderAtomics } from './atomics.js';

export interface GenerateOptions {
  /** Repository root (for repo-relative names and import paths). */
  readonly root: string;
  /** Where the C tables and family templates are (default <root>/templates). */
  readonly templatesDir?: string;
  /** Where the output will live (default <root>/generated); import paths are computed from it. */
  readonly outDir?: string;
  /** Architectures to generate (default: every templates/<arch>/percpu.h). */
  readonly arches?: readonly string[];
  /** Input file names in messages and headers are relative to this (default: root). */
  readonly displayRoot?: string;
  /**
   * Where the output takes the runtime from. Default: relative paths when the
   * output folder lies inside a checkout of this repository, so generated/ imports `../../src/…`; otherwise the installed
   * package's `percpu-ts/runtime`.
   */
  readonly imports?: ImportStyle;
}

/** The package entry point that output generated outside the repository imports. */
export const RUNTIME_PACKAGE = 'percpu-ts/runtime';

function defaultImports(root: string, outDir: string): ImportStyle {
  const inside = !path.relative(root, outDir).startsWith('..') && !path.isAbsolute(path.relative(root, outDir));
  return inside && isCheckout(root) ? { relative: `${rel(outDir, root)}/` } : { package: RUNTIME_PACKAGE };
}

export interface ArchOutput {
  readonly arch: string;
  readonly ops: readonly OpModel[];
  readonly files: readonly OutFile[];
  /** Milliseconds per phase: tables, templates, model, render, validate. */
  readonly timings: Readonly<Record<string, number>>;
}

const FLAVOURS: readonly { flavour: Flavour; file: string }[] = [
  { flavour: 'fast', file: 'percpu.ts' },
  { flavour: 'stepped', file: 'percpu-stepped.ts' },
];

function rel(root: string, p: string): string {
  return path.relative(root, p).split(path.sep).join('/');
}

/** Headers a table may include, and the table that plays each. */
const INCLUDES: Readonly<Record<string, string>> = { 'asm-generic/percpu.h': 'generic/percpu.h' };

/**
 * A table's definitions with its #includes resolved. An included header fills
 * in only what is not defined yet — every definition in
 * include/asm-generic/percpu.h sits under `#ifndef <name>` — so an architecture
 * defines what it has and takes the rest from asm-generic, as arm64 does.
 */
async function readTable(display: string, templatesDir: string, file: string, depth = 0): Promise<MacroDef[]> {
  if (!existsSync(file)) throw new GenError(rel(display, file), 1, 'table not found');
  const { defs, includes } = await parseHeader(rel(display, file), readFileSync(file, 'utf8'));
  if (includes.length === 0) return defs;
  const out = defs.slice();
  for (const inc of includes) {
    const target = INCLUDES[inc.path];
    if (!target) throw new GenError(inc.file, inc.line, `cannot include <${inc.path}>: a table may include ${Object.keys(INCLUDES).map((k) => `<${k}>`).join(', ')}`);
    if (depth > 4) throw new GenError(inc.file, inc.line, `#include <${inc.path}> nests too deep`);
    const defined = new Set(out.map((d) => d.name));
    out.push(...(await readTable(display, templatesDir, path.join(templatesDir, target), depth + 1)).filter((d) => !defined.has(d.name)));
  }
  return out;
}

export async function generate(opts: GenerateOptions): Promise<ArchOutput[]> {
  const root = opts.root;
  const templatesDir = opts.templatesDir ?? path.join(root, 'templates');
  const outDir = opts.outDir ?? path.join(root, 'generated');
  const arches = opts.arches ?? availableArches(templatesDir);
  const display = opts.displayRoot ?? root;
  const style = opts.imports ?? defaultImports(root, outDir);
  /**
   * Where the type-check places a module: its own place inside the repository
   * (relative imports resolve from there), else a virtual folder in the package
   * root where `percpu-ts/runtime` resolves (validate.ts maps it).
   */
  const placed = (dest: string): { file: string; path: string } => {
    if ('relative' in style) return { file: rel(root, dest), path: dest };
    const name = rel(outDir, dest);
    return { file: name, path: path.join(root, '.percpu-gen-check', name) };
  };
  const rendered: { arch: string; ops: OpModel[]; mods: ModuleToCheck[]; timings: Record<string, number> }[] = [];
  for (const arch of [...new Set(arches)].sort()) {
    const info = archInfo(templatesDir, arch, display);
    const timings: Record<string, number> = {};
    let mark = performance.now();
    const lap = (phase: string): void => {
      const now = performance.now();
      timings[phase] = now - mark;
      mark = now;
    };
    const tables = [path.join(templatesDir, arch, 'percpu.h'), path.join(templatesDir, 'linux', 'percpu-defs.h')];
    const defs = (await Promise.all(tables.map((t) => readTable(display, templatesDir, t)))).flat();
    lap('tables');
    const hb = Handlebars.create();
    registerHelpers(hb);
    const families = loadFamilies(hb, [path.join(templatesDir, arch, 'families'), path.join(templatesDir, 'linux', 'families')], display);
    lap('templates');
    const ops = buildModel(defs, families);
    lap('model');
    const archOut = path.join(outDir, arch);
    const imports: ImportStyle = 'relative' in style ? { relative: `${rel(archOut, root)}/` } : style;
    const mods = FLAVOURS.map(({ flavour, file }) => {
      const text = renderModule(ops, { arch: info, flavour, sources: tables.map((t) => rel(display, t)), imports });
      return { ...placed(path.join(archOut, file)), text, primitives: info.primitives, flavour };
    });
    lap('render');
    rendered.push({ arch, ops, mods, timings });
  }
  // The size-generic typed layer, once for every architecture: the unsized
  // names of the generic layer, typed from what their sized ops return.
  const linux = path.join(templatesDir, 'linux', 'percpu-defs.h');
  const typed: ModuleToCheck[] = [];
  if (rendered.length > 0) {
    const linuxDefs = await readTable(display, templatesDir, linux);
    const generic = genericOps(linuxDefs, rendered[0].ops);
    typed.push({
      ...placed(path.join(outDir, TYPED_FILE)),
      text: renderTypedModule(generic, [rel(display, linux)], style),
      primitives: [],
      flavour: 'typed',
    });
  }
  // The atomic_t family, once for every architecture, when the templates folder has the table.
  const atomics: ModuleToCheck[] = [];
  if (rendered.length > 0 && existsSync(path.join(templatesDir, ATOMICS_TABLE))) {
    const a = renderAtomics(templatesDir, display, style, 'relative' in style ? 'generator/cli.ts' : 'percpu-gen');
    for (const flavour of ['fast', 'stepped'] as const) {
      atomics.push({ ...placed(path.join(outDir, ATOMIC_FILES[flavour])), text: a[flavour], primitives: ATOMIC_PRIMITIVES, flavour });
    }
  }
  // One TypeScript program checks every module: building it is most of the cost.
  const started = performance.now();
  const checked = validateModules(root, [...rendered.flatMap((r) => r.mods), ...typed, ...atomics]);
  const validateMs = performance.now() - started;
  let next = 0;
  const out: ArchOutput[] = rendered.map((r) => ({
    arch: r.arch,
    ops: r.ops,
    files: FLAVOURS.map(({ file }) => ({ rel: `${r.arch}/${file}`, text: withChecksum(checked[next++]) })),
    timings: { ...r.timings, 'validate (all arches)': validateMs },
  }));
  const shared = [
    ...typed.map(() => ({ rel: TYPED_FILE, text: withChecksum(checked[next++]) })),
    ...atomics.map((a) => ({ rel: ATOMIC_FILES[a.flavour as 'fast' | 'stepped'], text: withChecksum(checked[next++]) })),
  ];
  if (shared.length > 0) out[out.length - 1] = { ...out[out.length - 1], files: [...out[out.length - 1].files, ...shared] };
  return out;
}

/** The typed layer's file, beside the architectures' folders. */
export const TYPED_FILE = 'percpu-defs.ts';
