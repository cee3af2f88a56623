/**
 * The check every translated module passes before anything is written: the
 * TypeScript compiler that ts-morph bundles type-checks it in memory against
 * the runtime (zero diagnostics), and a walk of its AST proves that per-CPU
 * ops are bound once from the architecture table, never looked up per call.
 *
 * It is most of percpu-cc's time, so it is built for speed without checking
 * less:
 * - the compiler is loaded on first use (cc/load-typescript.ts: require(),
 *   not an ESM import, which would make Node scan its 12 MB for export names,
 *   a code cache, and the lib files from a copy of ts-morph's), so a refused C
 *   file, `--help` and usage errors never load it;
 * - one compiler host per process keeps every parsed file (the lib files,
 *   read from ts-morph's in-memory copies, and the runtime's sources) and
 *   each program is created from the previous one, so the second file of a
 *   command line, or of a test run, parses only what is new;
 * - the generated op modules (1.7 MB) are replaced by declarations of the
 *   ops the module calls, taken from those very files;
 * - the other TypeScript sources the modules import (the runtime, in a
 *   checkout) are read as declarations, made once by the compiler and cached
 *   (cc/declarations.ts), as an installed package's dist/*.d.ts are read;
 * - JSDoc is parsed only where it can change a diagnostic, as tsc does.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { ts as TS } from 'ts-morph';
import { declarationsFor, type Declarations } from './declarations.js';
import { loadTypeScript, type Loaded } from './load-typescript.js';

type Ts = typeof TS;

export interface ModuleText {
  /** Absolute path the module will be written to: its imports resolve from there. */
  readonly file: string;
  readonly text: string;
}

/**
 * tsconfig.json's options that matter to translated code, given here because
 * an installed package has no tsconfig.json (test/cc/validate.test.ts keeps
 * them equal). Translated modules and the runtime they import use no Node API,
 * so @types/node is left out.
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
  readonly options: TS.CompilerOptions;
  readonly host: TS.CompilerHost;
  /** The modules being checked and the op declarations, by path; replaced on every run. */
  memory: Map<string, string>;
  /** The declarations standing for imported sources in this run (none: the sources are read, as when they are made). */
  declarations: Declarations | undefined;
  /** The sources those declarations stood for in the previous run, to know when the previous program cannot be reused. */
  previousSources: string;
  /** Declarations are being made: the host shows the sources on disk only (no module in memory, no declarations). */
  making: boolean;
  /** Files read from disk in this run, by path (undefined: none there). */
  readonly disk: Map<string, string | undefined>;
  /** Parsed files by path, with the text they were parsed from. */
  readonly parsed: Map<string, { text: string; file: TS.SourceFile }>;
  previous: TS.Program | undefined;
}

let state: State | null = null;

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
  };
  const s: State = {
    ts, loaded, options: compilerOptions(ts), host, memory: new Map(), declarations: undefined, previousSources: '', making: false, disk: new Map(), parsed: new Map(), previous: undefined,
  };
  state = s;
  return s;
}

export interface CheckResult {
  /** At most 20 diagnostics per module, then the no-dispatch findings. */
  readonly problems: readonly string[];
  /** Milliseconds: loading the compiler (0 once loaded), the imported sources' declarations (from the cache, or made), building the program (parsing), checking. */
  readonly timings: { readonly load: number; readonly declarations: number; readonly program: number; readonly check: number };
  /** The declarations were made in this run (no cache, or a stale one). */
  readonly declarationsMade: boolean;
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

/**
 * Type-checks the modules (zero diagnostics) and applies the no-dispatch rule.
 * `extra` are further in-memory files they import (the op declarations);
 * `cacheDir` holds the compiler's code cache and the imported sources'
 * declarations. The sources the modules import from the `declared` folders
 * (the runtime's) are read as declarations; any other (a --stubs module, one
 * a test writes) as it is, so that a passing file never makes the cache again.
 */
export function checkModules(mods: readonly ModuleText[], extra: readonly (readonly [string, string])[], cacheDir: string, declared: readonly string[] = []): CheckResult {
  const t0 = performance.now();
  const s = setup(cacheDir);
  const t1 = performance.now();
  const { ts } = s;
  // `.mts`: a translated module is ESM wherever it is written, whatever package.json says there.
  const checked = mods.map((m) => m.file.replace(/\.ts$/, '.mts'));
  s.memory = new Map([...extra, ...mods.map((m, i) => [checked[i], m.text] as const)]);
  s.disk.clear();
  s.making = true;
  try {
    s.declarations = declarationsFor(ts, importedSources(s.memory, declared), s.options, s.host, cacheDir);
  } finally {
    s.making = false;
  }
  const t2 = performance.now();
  // A program made over other files (sources where declarations were, or the reverse) keeps module resolutions that no longer hold.
  const sources = [...(s.declarations?.sources ?? [])].join('\n');
  if (sources !== s.previousSources) s.previous = undefined;
  s.previousSources = sources;
  const program = ts.createProgram(checked, s.options, s.host, s.previous);
  s.previous = program;
  const t3 = performance.now();
  const problems: string[] = [];
  mods.forEach((m, i) => {
    const name = path.basename(m.file);
    const src = program.getSourceFile(checked[i])!;
    for (const d of [...program.getSyntacticDiagnostics(src), ...program.getSemanticDiagnostics(src)].slice(0, 20)) {
      const line = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line + 1 : 0;
      problems.push(`${name}:${line}: TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
    }
    const visit = (n: TS.Node): void => {
      // No dispatch on per-CPU accesses: an op is never looked up per call.
      if (ts.isElementAccessExpression(n) && !['ARCH_OPS', 'warnings'].includes(n.expression.getText(src))) {
        problems.push(`${name}: element access ${n.getText(src)}: per-CPU ops are bound once, never looked up`);
      }
      ts.forEachChild(n, visit);
    };
    visit(src);
  });
  const t4 = performance.now();
  s.loaded.saveCache();
  return { problems, timings: { load: t1 - t0, declarations: t2 - t1, program: t3 - t2, check: t4 - t3 }, declarationsMade: s.declarations?.made ?? false };
}
