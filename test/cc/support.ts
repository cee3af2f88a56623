/** Translating a C file for a test: into a scratch folder inside the repository, then imported. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT, compileFile, type Compiled } from '../../cc/compile.js';
import type { Machine } from '../../src/machine.js';

export type Fn = (...args: (number | bigint)[]) => number | bigint | void;
export interface Loaded {
  readonly compiled: Compiled;
  readonly fast: { instantiate(m: Machine): Record<string, unknown> };
  readonly stepped: { instantiate(m: Machine): Record<string, unknown>; HARNESS: { cpus: number | null; bound: number | null; debugPreempt: boolean } };
}

export async function translateAndLoad(file: string, defines: Record<string, string> = {}, stubs?: string): Promise<Loaded> {
  const cache = path.join(ROOT, '.percpu-cc');
  mkdirSync(cache, { recursive: true });
  const dir = mkdtempSync(path.join(cache, 'test-'));
  const compiled = compileFile(file, { outDir: dir, defines, display: path.relative(ROOT, file), stubs });
  for (const f of compiled.files) writeFileSync(path.join(dir, f.name), f.text);
  const [fastFile, steppedFile] = compiled.files.map((f) => pathToFileURL(path.join(dir, f.name)).href);
  try {
    const fast = (await import(fastFile)) as Loaded['fast'];
    const stepped = (await import(steppedFile)) as Loaded['stepped'];
    return { compiled, fast, stepped };
  } finally {
    // Loaded modules stay in memory; the folder would otherwise stay in .percpu-cc/ after every run.
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs a stepped function to its end (one task, nothing interleaved). */
export function drain<R>(g: Generator<unknown, R, undefined>): R {
  for (;;) {
    const r = g.next();
    if (r.done === true) return r.value;
  }
}
