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
 */
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import path from 'node:path';
import vm from 'node:vm';
import type * as Common from '@ts-morph/common';

export interface Loaded {
  readonly common: typeof Common;
  /** How the compiler was compiled: from the code cache, without one (none, or one V8 refused), or not here at all. */
  readonly cache: 'used' | 'none' | 'rejected' | 'already loaded';
  /** Writes the code cache if there was none: call once the compiler has done its work. */
  saveCache(): void;
}

export function loadTypeScript(cacheDir: string): Loaded {
  // Resolved from ts-morph's own folder: @ts-morph/common is its dependency, not ours.
  const fromMorph = createRequire(createRequire(import.meta.url).resolve('ts-morph'));
  const commonFile = fromMorph.resolve('@ts-morph/common');
  // ts-morph-common.js loads the compiler with require('./typescript').
  const tsFile = path.join(path.dirname(commonFile), 'typescript.js');
  const common = (): typeof Common => fromMorph('@ts-morph/common') as typeof Common;
  // Already loaded in this process (ts-morph imported elsewhere): nothing to compile.
  if (fromMorph.cache[tsFile]) return { common: common(), cache: 'already loaded', saveCache: () => undefined };
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
    common: common(),
    cache,
    saveCache() {
      if (!pending) return;
      pending = false;
      try {
        mkdirSync(cacheDir, { recursive: true });
        const tmp = `${cacheFile}.${process.pid}.tmp`;
        writeFileSync(tmp, script.createCachedData());
        renameSync(tmp, cacheFile);
      } catch {
        // No cache: the next run compiles the script again.
      }
    },
  };
}
