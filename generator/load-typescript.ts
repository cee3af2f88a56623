/**
 * Loads ts-morph's compiler layer (@ts-morph/common: the TypeScript compiler
 * ts-morph bundles, and its lib files) with a V8 code cache for the compiler.
 *
 * The compiler is one 9 MB script. Compiling it costs a translation about
 * 0.15 s of CPU before any work, and compiling lazily the functions that the
 * check then calls costs more; Node 20 has no compile cache of its own
 * (module.enableCompileCache() arrived in Node 22.1). So the script is
 * compiled here with vm.Script and the bytecode of every function the first
 * check ran is kept in .percpu-cc/ (the cache file is named after the
 * script's size, mtime and the Node version; V8 also refuses data made by
 * another V8 or with other flags, and then the script is simply compiled).
 * A folder that cannot be written only means no cache.
 *
 * The lib files (lib.es2022.d.ts and the rest) are string literals in
 * @ts-morph/common's own 3 MB script, which also loads minimatch, tinyglobby
 * and more that the check never uses: requiring it was 40 % of loading the
 * compiler (0.12 s of 0.29 s in a CPU profile of the 508-line translation). So
 * its lib files and their in-memory folder are copied once to a JSON file in
 * the same folder, named after that script's size and mtime, and read from
 * there; the script is required only to make the copy.
 */
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import path from 'node:path';
import vm from 'node:vm';
import type * as Common from '@ts-morph/common';

/** The lib files ts-morph bundles, and the folder the compiler is told they are in. */
export interface LibFiles {
  readonly folder: string;
  readonly files: readonly { readonly fileName: string; readonly text: string }[];
}

export interface Loaded {
  /** The compiler ts-morph bundles. */
  readonly ts: (typeof Common)['ts'];
  readonly libs: LibFiles;
  /** How the compiler was compiled: from the code cache, without one (none, or one V8 refused), or not here at all. */
  readonly cache: 'used' | 'none' | 'rejected' | 'already loaded';
  /** Writes the code cache if there was none: call once the compiler has done its work. */
  saveCache(): void;
}

/** Writes `data` to `file` whole (a temporary file renamed into place); a folder that cannot be written only means no cache. */
function writeCache(cacheDir: string, file: string, data: string | Buffer): void {
  try {
    mkdirSync(cacheDir, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, data);
    renameSync(tmp, file);
  } catch {
    // No cache: the next run makes it again.
  }
}

/** ts-morph's lib files, from the copy in `cacheDir` for this @ts-morph/common, or taken from it (and copied there). */
function libFiles(cacheDir: string, commonFile: string, common: () => typeof Common): LibFiles {
  const st = statSync(commonFile);
  const file = path.join(cacheDir, `ts-libs-${st.size}-${Math.trunc(st.mtimeMs)}.json`);
  try {
    const libs = JSON.parse(readFileSync(file, 'utf8')) as LibFiles;
    if (typeof libs.folder === 'string' && Array.isArray(libs.files) && libs.files.length > 0) return libs;
  } catch {
    // None yet, or unreadable: taken from ts-morph below.
  }
  const c = common();
  const libs: LibFiles = { folder: c.libFolderInMemoryPath, files: c.getLibFiles().map((f) => ({ fileName: f.fileName, text: f.text })) };
  writeCache(cacheDir, file, JSON.stringify(libs));
  return libs;
}

export function loadTypeScript(cacheDir: string): Loaded {
  // Resolved from ts-morph's own folder: @ts-morph/common is its dependency, not ours.
  const fromMorph = createRequire(createRequire(import.meta.url).resolve('ts-morph'));
  const commonFile = fromMorph.resolve('@ts-morph/common');
  // ts-morph-common.js loads the compiler with require('./typescript').
  const tsFile = path.join(path.dirname(commonFile), 'typescript.js');
  const common = (): typeof Common => fromMorph('@ts-morph/common') as typeof Common;
  // Already loaded in this process (ts-morph imported elsewhere): nothing to compile.
  if (fromMorph.cache[tsFile]) {
    const c = common();
    return { ts: c.ts, libs: { folder: c.libFolderInMemoryPath, files: c.getLibFiles() }, cache: 'already loaded', saveCache: () => undefined };
  }
  const st = statSync(tsFile);
  const cacheFile = path.join(cacheDir, `typescript-${st.size}-${Math.trunc(st.mtimeMs)}-v8-${process.versions.v8}.cache`);
  let cached: Buffer | undefined;
  try {
    cached = readFileSync(cacheFile);
  } catch {
    cached = undefined;
  }
  const script = new vm.Script(Module.wrap(readFileSync(tsFile, 'utf8')), { filename: tsFile, cachedData: cached });
  const mod = new Module(tsFile);
  mod.filename = tsFile;
  mod.paths = [];
  const run = script.runInThisContext() as (e: unknown, r: NodeJS.Require, m: Module, f: string, d: string) => void;
  run(mod.exports, createRequire(tsFile), mod, tsFile, path.dirname(tsFile));
  mod.loaded = true;
  fromMorph.cache[tsFile] = mod;
  const cache = cached === undefined ? 'none' : script.cachedDataRejected === true ? 'rejected' : 'used';
  let pending = cache !== 'used';
  return {
    ts: mod.exports as (typeof Common)['ts'],
    libs: libFiles(cacheDir, commonFile, common),
    cache,
    saveCache() {
      if (!pending) return;
      pending = false;
      writeCache(cacheDir, cacheFile, script.createCachedData());
    },
  };
}
