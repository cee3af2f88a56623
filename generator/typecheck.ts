/**
 * The one type-check of emitted TypeScript: the generated ops (generator/validate.ts)
 * and translated C (cc/validate.ts) are both checked here, in memory, before
 * anything is written, by the TypeScript compiler that ts-morph bundles.
 *
 * Most of the generator's and the translator's time is spent here, so it is
 * built for speed without checking less:
 * - the compiler is loaded on first use (generator/load-typescript.ts: require(),
 *   not an ESM import, which would make Node scan its 12 MB for export names,
 *   a code cache, and the lib files from a copy of ts-morph's), so a refused
 *   input, `--help` and usage errors never load it;
 * - one compiler host per process keeps every parsed file (the lib files,
 *   read from ts-morph's in-memory copies, and the runtime's sources) and
 *   each program is created from the previous one, so the second file of a
 *   command line, or of a test run, parses only what is new;
 * - the other TypeScript sources the modules import (the runtime, in a
 *   checkout) are read as declarations, made once by the compiler and cached
 *   (generator/declarations.ts), as an installed package's dist/*.d.ts are read;
 * - JSDoc is parsed only where it can change a diagnostic, as tsc does;
 * - with `buildInfo`, the compiler's own incremental build (tsc --incremental,
 *   with --noEmit) keeps each module's diagnostics in the cache folder, keyed
 *   by the hash of its text and of every file it depends on: a module whose
 *   text and dependencies are unchanged is not checked again. The 60,000
 *   lines of generated ops are the case for it: `make generate` and `make
 *   check` re-render them unchanged far more often than they change.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ts as TS } from 'ts-morph';
import { declarationsFor, type Declarations } from './declarations.js';
import { loadTypeScript, type Loaded } from './load-typescript.js';

export type Ts = typeof TS;

export interface ModuleText {
  /** Absolute path the module is checked at: its imports resolve from there. */
  readonly file: string;
  readonly text: string;
}

/**
 * tsconfig.json's options that matter to emitted code, given here because an
 * installed package has no tsconfig.json (test/cc/validate.test.ts keeps them
 * equal). Emitted modules and the runtime they import use no Node API, so
 * @types/node is left out.
 */
export function compilerOptions(ts: Ts): TS.CompilerOptions {
  return {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    lib: ['lib.es2022.d.ts', 'lib.esnext.disposable.d.ts'],
    types: [],
    strict: true,
    noImplicitOverride: true,
    noFallthroughCasesInSwitch: true,
    isolatedModules: true,
    verbatimModuleSyntax: true,
    skipLibCheck: true,
    noEmit: true,
  };
}

interface State {
  readonly ts: Ts;
  readonly loaded: Loaded;
  readonly host: TS.CompilerHost;
  /** The modules being checked and further in-memory files, by path; replaced on every run. */
  memory: Map<string, string>;
  /** The declarations standing for imported sources in this run (none: the sources are read, as when they are made). */
  declarations: Declarations | undefined;
  /** The sources and options the previous program was made with, to know when it cannot be reused. */
  previousKey: string;
  /** Declarations are being made: the host shows the sources on disk only (no module in memory, no declarations). */
  making: boolean;
  /** Files read from disk in this run, by path (undefined: none there). */
  readonly disk: Map<string, string | undefined>;
  /** Parsed files by path, with the text they were parsed from. */
  readonly parsed: Map<string, { text: string; file: TS.SourceFile }>;
  previous: TS.Program | undefined;
}

let state: State | null = null;

/** Loads the compiler (once per process) and returns it. */
export function typescript(cacheDir: string): Ts {
  return setup(cacheDir).ts;
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

function setup(cacheDir: string): State {
  if (state) return state;
  const loaded = loadTypeScript(cacheDir);
  const { libs } = loaded;
  const ts = loaded.ts as unknown as Ts;
  const lib = new Map(libs.files.map((f) => [path.posix.join(libs.folder, f.fileName), f.text]));
  const read = (f: string): string | undefined => {
    if (!s.making) {
      const d = s.declarations;
      const own = s.memory.get(f) ?? d?.dts.get(f);
      if (own !== undefined) return own;
      if (d?.sources.has(f)) return undefined;
    }
    const own = lib.get(f);
    if (own !== undefined) return own;
    // Read once per run (resolution asks for the same paths many times); a parsed file is reused when its text is unchanged.
    if (!s.disk.has(f)) {
      let text: string | undefined;
      try {
        text = readFileSync(f, 'utf8');
      } catch {
        text = undefined;
      }
      s.disk.set(f, text);
    }
    return s.disk.get(f);
  };
  const host: TS.CompilerHost = {
    getSourceFile(f, languageVersion) {
      const text = read(f);
      if (text === undefined) return undefined;
      const hit = s.parsed.get(f);
      if (hit && hit.text === text) return hit.file;
      // tsc's own JSDoc mode: in a .ts file only @see and @link can matter to a diagnostic.
      const opts = typeof languageVersion === 'object' ? languageVersion : { languageVersion };
      const file = ts.createSourceFile(f, text, { ...opts, jsDocParsingMode: ts.JSDocParsingMode.ParseForTypeErrors });
      // What the incremental build compares a file by (tsc's own host sets it the same way).
      (file as { version?: string }).version = sha256(text);
      s.parsed.set(f, { text, file });
      return file;
    },
    getDefaultLibFileName: (o) => path.posix.join(libs.folder, ts.getDefaultLibFileName(o)),
    getDefaultLibLocation: () => libs.folder,
    writeFile: () => undefined,
    getCurrentDirectory: () => process.cwd(),
    getCanonicalFileName: (f) => f,
    useCaseSensitiveFileNames: () => true,
    getNewLine: () => '\n',
    fileExists: (f) => read(f) !== undefined,
    readFile: read,
    createHash: sha256,
  };
  const s: State = {
    ts, loaded, host, memory: new Map(), declarations: undefined, previousKey: '', making: false, disk: new Map(), parsed: new Map(), previous: undefined,
  };
  state = s;
  return s;
}

/**
 * The TypeScript sources on disk, in one of the `declared` folders, that the
 * in-memory modules import by relative path (`./x.js` is `./x.ts`), read
 * from their import lines.
 */
function importedSources(memory: ReadonlyMap<string, string>, declared: readonly string[]): string[] {
  const out = new Set<string>();
  for (const [file, text] of memory) {
    for (const [, spec] of text.matchAll(/^(?:import|export)\b[^'"\n]*?['"](\.{1,2}\/[^'"]+)\.js['"]/gm)) {
      const f = path.resolve(path.dirname(file), `${spec}.ts`);
      if (!memory.has(f) && declared.some((d) => f.startsWith(`${d}${path.sep}`)) && existsSync(f)) out.add(f);
    }
  }
  return [...out];
}

export interface TypeCheckOptions {
  /** Further in-memory files the modules import (the translator's op declarations). */
  readonly extra?: readonly (readonly [string, string])[];
  /** Holds the compiler's code cache, the imported sources' declarations and the incremental build files. */
  readonly cacheDir: string;
  /**
   * The sources the modules import from these folders (the runtime's) are read
   * as declarations; any other (a --stubs module, one a test writes) as it is,
   * so that a passing module never makes the cache again.
   */
  readonly declared?: readonly string[];
  /** compilerOptions.paths: how a bare import (`percpu-ts/runtime`) resolves. */
  readonly paths?: Readonly<Record<string, readonly string[]>>;
  /**
   * Keep each module's diagnostics in an incremental build file in `cacheDir`
   * (one per set of module paths) and check only modules whose text or
   * dependencies changed since.
   */
  readonly incremental?: boolean;
}

export interface TypeCheckResult {
  readonly ts: Ts;
  /** Per module, in order: its parsed file and its first 20 diagnostics (syntax, then types). */
  readonly modules: readonly { readonly file: TS.SourceFile; readonly diagnostics: readonly TS.Diagnostic[] }[];
  /** Milliseconds: loading the compiler (0 once loaded), the imported sources' declarations (from the cache, or made), building the program (parsing), checking. */
  readonly timings: { readonly load: number; readonly declarations: number; readonly program: number; readonly check: number };
  /** The declarations were made in this run (no cache, or a stale one). */
  readonly declarationsMade: boolean;
  /** How many modules the checker visited in this run (with `incremental`, the others' diagnostics came from the build file). */
  readonly checked: number;
}

/** Build files kept in the cache folder: the newest; the output folders of tests and benches come and go. */
const BUILD_FILES_KEPT = 8;

/** Removes all but the newest build files (another process may be removing them too). */
function pruneBuildFiles(cacheDir: string): void {
  try {
    const files = readdirSync(cacheDir).filter((f) => f.startsWith('check-') && f.endsWith('.tsbuildinfo')).map((f) => path.join(cacheDir, f));
    if (files.length <= BUILD_FILES_KEPT) return;
    const byAge = files.map((f) => ({ f, t: statSync(f, { throwIfNoEntry: false })?.mtimeMs ?? 0 })).sort((a, b) => b.t - a.t);
    for (const { f } of byAge.slice(BUILD_FILES_KEPT)) unlinkSync(f);
  } catch {
    // Pruned by the next run.
  }
}

/** Writes `text` to `file` whole (a temporary file renamed into place); a folder that cannot be written only means no cache. */
function writeWhole(file: string, text: string): void {
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, text);
    renameSync(tmp, file);
  } catch {
    // No cache: the next run checks every module again.
  }
}

/** Type-checks the modules in memory; reports their diagnostics, and their parsed files for further rules. */
export function typeCheck(mods: readonly ModuleText[], o: TypeCheckOptions): TypeCheckResult {
  const t0 = performance.now();
  const s = setup(o.cacheDir);
  const t1 = performance.now();
  const { ts } = s;
  const names = mods.map((m) => m.file);
  s.memory = new Map([...(o.extra ?? []), ...mods.map((m) => [m.file, m.text] as const)]);
  s.disk.clear();
  const base = compilerOptions(ts);
  const options: TS.CompilerOptions = o.paths === undefined ? base : { ...base, paths: { ...o.paths } as TS.MapLike<string[]> };
  s.making = true;
  try {
    s.declarations = declarationsFor(ts, importedSources(s.memory, o.declared ?? []), options, s.host, o.cacheDir);
  } finally {
    s.making = false;
  }
  const t2 = performance.now();
  // A program made over other files (sources where declarations were, or the reverse) keeps module resolutions that no longer hold.
  const key = `${[...(s.declarations?.sources ?? [])].join('\n')}\n${JSON.stringify(options)}`;
  if (key !== s.previousKey) s.previous = undefined;
  s.previousKey = key;
  let builder: TS.EmitAndSemanticDiagnosticsBuilderProgram | undefined;
  let program: TS.Program;
  if (o.incremental === true) {
    const buildInfo = path.join(o.cacheDir, `check-${sha256([...names].sort().join('\n')).slice(0, 12)}.tsbuildinfo`);
    builder = ts.createIncrementalProgram({ rootNames: names, options: { ...options, incremental: true, tsBuildInfoFile: buildInfo }, host: s.host });
    program = builder.getProgram();
  } else {
    program = ts.createProgram(names, options, s.host, s.previous);
  }
  s.previous = program;
  const t3 = performance.now();
  const files = names.map((n) => program.getSourceFile(n)!);
  // tsc's own counter of files the checker visits (--extendedDiagnostics): what the incremental build did not take from its file.
  const perf = (ts as unknown as { performance: { enable(): void; getCount(mark: string): number } }).performance;
  perf.enable();
  const before = perf.getCount('beforeCheck');
  if (builder !== undefined) {
    // The build's own walk over what changed marks each file it visits as done, which per-file queries do not
    // (the next run would check them again). Only the modules are checked; the runtime's errors are tsc's concern.
    const mine = new Set(files);
    while (builder.getSemanticDiagnosticsOfNextAffectedFile(undefined, (sf) => !mine.has(sf)) !== undefined);
  }
  const checker = builder ?? program;
  const modules = files.map((file) => ({ file, diagnostics: [...checker.getSyntacticDiagnostics(file), ...checker.getSemanticDiagnostics(file)].slice(0, 20) }));
  const checked = perf.getCount('beforeCheck') - before;
  if (builder !== undefined) {
    builder.emit(undefined, (f, text) => writeWhole(f, text));
    pruneBuildFiles(o.cacheDir);
  }
  const t4 = performance.now();
  s.loaded.saveCache();
  return { ts, modules, timings: { load: t1 - t0, declarations: t2 - t1, program: t3 - t2, check: t4 - t3 }, declarationsMade: s.declarations?.made ?? false, checked };
}
