/**
 * The declarations (.d.ts) of the TypeScript sources a translated module
 * imports from the runtime (in a checkout; generator/typecheck.ts picks them), made by the
 * compiler's own declaration emit and kept in the cache folder, so that the
 * check of a translated module reads the runtime as an installed package
 * does: for the 508-line file of `make bench`, 25 declaration files (93 KB)
 * instead of 390 KB of sources, whose unannotated exports the checker would
 * otherwise infer from their bodies on every run.
 *
 * The cache holds, for the roots it was made from, the SHA-1 of every source
 * the emitting program read, and the declarations of the roots and of what
 * those declarations import. It is used only when it has declarations for
 * every root asked for and every source it lists still has the text it had: a
 * source's imports are in its text, so what the emit saw cannot change while
 * the texts do not. Otherwise it is made again,
 * from the union of the old roots and the new, and written atomically
 * (concurrent runs each write a whole file). A declaration emit that reports
 * a problem (a type it cannot name) gives no declarations: the check then
 * reads the sources, as it did before this cache existed.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ts as TS } from 'ts-morph';

export interface Declarations {
  /** X.d.ts (beside X.ts) → its text, for the roots and every source their declarations import. */
  readonly dts: ReadonlyMap<string, string>;
  /** The sources they stand for, which the check must not see. */
  readonly sources: ReadonlySet<string>;
  /** Made in this run (the cache was missing, stale, or lacked a root). */
  readonly made: boolean;
}

interface CacheFile {
  /** The compiler version and options the declarations were emitted with. */
  readonly key: string;
  readonly roots: readonly string[];
  /** Source path → SHA-1 of its text, for every source the emitting program read. */
  readonly files: Readonly<Record<string, string>>;
  /** Source path → its declarations, for the roots and the sources their declarations import. */
  readonly dts: Readonly<Record<string, string>>;
}

const sha1 = (text: string): string => createHash('sha1').update(text).digest('hex');

function readText(f: string): string | undefined {
  try {
    return readFileSync(f, 'utf8');
  } catch {
    return undefined;
  }
}

function readCache(file: string): CacheFile | undefined {
  const text = readText(file);
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as CacheFile;
  } catch {
    return undefined;
  }
}

const dtsOf = (source: string): string => source.replace(/\.ts$/, '.d.ts');

function fromCache(c: CacheFile, made: boolean): Declarations {
  const files = Object.keys(c.dts);
  return { dts: new Map(files.map((f) => [dtsOf(f), c.dts[f]])), sources: new Set(files), made };
}

/**
 * Declarations for `roots` (absolute paths of .ts sources) and their import
 * closure, from `cacheDir` or made with `host` (which must read the sources
 * from disk). Undefined when there are no roots or the emit reports a problem.
 */
export function declarationsFor(ts: typeof TS, roots: readonly string[], options: TS.CompilerOptions, host: TS.CompilerHost, cacheDir: string): Declarations | undefined {
  if (roots.length === 0) return undefined;
  const key = `${ts.version} ${JSON.stringify(options)}`;
  const file = path.join(cacheDir, `declarations-${sha1(key).slice(0, 12)}.json`);
  const old = readCache(file);
  const fresh = old !== undefined && old.key === key
    && roots.every((r) => r in old.dts)
    && Object.entries(old.files).every(([f, h]) => {
      const text = readText(f);
      return text !== undefined && sha1(text) === h;
    });
  if (fresh) return fromCache(old, false);

  const all = [...new Set([...(old?.key === key ? old.roots.filter((r) => readText(r) !== undefined) : []), ...roots])].sort();
  // noCheck: the emit infers the types it prints but does not check the sources' bodies (their errors are no concern of the check).
  const program = ts.createProgram(all, { ...options, noEmit: false, noCheck: true, declaration: true, emitDeclarationOnly: true, declarationMap: false }, host);
  // Every source the program read decides what is emitted, so every one is in the key, even those (the generated op modules, which
  // src/typed.ts imports) whose declarations no declaration imports: those are never emitted, nor checked as emitting would.
  const files: Record<string, string> = {};
  for (const sf of program.getSourceFiles()) {
    if (!sf.isDeclarationFile && !program.isSourceFileFromExternalLibrary(sf)) files[sf.fileName] = sha1(sf.text);
  }
  const dts: Record<string, string> = {};
  const todo = all.filter((r) => r in files);
  if (todo.length !== all.length) return undefined;
  for (let f = todo.pop(); f !== undefined; f = todo.pop()) {
    if (f in dts) continue;
    let text: string | undefined;
    const r = program.emit(program.getSourceFile(f), (_, t) => { text = t; }, undefined, true);
    if (r.emitSkipped || r.diagnostics.length > 0 || text === undefined) return undefined;
    dts[f] = text;
    for (const [, spec] of text.matchAll(/(?:\bfrom|\bimport)\s*\(?\s*['"](\.{1,2}\/[^'"]+)\.js['"]/g)) {
      // Anything else (a .d.ts on disk) the check reads as it is.
      const next = path.resolve(path.dirname(f), `${spec}.ts`);
      if (next in files) todo.push(next);
    }
  }
  const made: CacheFile = { key, roots: all, files, dts };
  try {
    mkdirSync(cacheDir, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(made));
    renameSync(tmp, file);
  } catch {
    // No cache: the next run makes the declarations again.
  }
  return fromCache(made, true);
}
