/**
 * Starting a worker whose entry is a TypeScript module.
 *
 * Node refuses a `.ts` worker entry under tsx and vitest
 * (ERR_UNKNOWN_FILE_EXTENSION; `execArgv: ["--import", "tsx"]` does not help),
 * so a worker starts from a tiny eval script instead. When this module runs as
 * TypeScript (tsx, vitest) the script registers tsx's loader in the worker and
 * then imports the entry; when it runs as compiled JavaScript the script only
 * imports the `.js` entry, and tsx is not needed at all. The script is CommonJS
 * with dynamic import(), which every Node version evaluates the same way.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** True when this file is being run as TypeScript source (not compiled output). */
export const RUNNING_AS_TYPESCRIPT = import.meta.url.endsWith('.ts');

/** The file extension sibling modules have in the running form of the code. */
export const MODULE_EXT = RUNNING_AS_TYPESCRIPT ? '.ts' : '.js';

let tsxApi: string | null = null;

/** file: URL of tsx's ESM API (its `register()`), resolved from this package. */
function tsxApiUrl(): string {
  if (tsxApi !== null) return tsxApi;
  const require = createRequire(import.meta.url);
  let pkgPath: string;
  try {
    pkgPath = require.resolve('tsx/package.json');
  } catch {
    throw new Error('worker bootstrap: running from TypeScript sources needs the tsx package to load the worker entry; install tsx or run the compiled JavaScript');
  }
  const pkg = JSON.parse(readFileSync(pkgPath, 'utf8')) as { exports: Record<string, { import?: { default?: string } | string }> };
  const entry = pkg.exports['./esm/api']?.import;
  const rel = typeof entry === 'string' ? entry : entry?.default;
  if (rel === undefined) throw new Error(`worker bootstrap: ${pkgPath} has no "./esm/api" import export; this tsx version is not supported`);
  tsxApi = pathToFileURL(join(dirname(pkgPath), rel)).href;
  return tsxApi;
}

/**
 * Source of an eval worker that loads `entry` (a file: URL). A `.ts` entry is
 * loaded through tsx; anything else is imported directly.
 */
export function workerBootstrapSource(entry: URL): string {
  const target = JSON.stringify(entry.href);
  if (!entry.pathname.endsWith('.ts')) return `import(${target});`;
  return `import(${JSON.stringify(tsxApiUrl())}).then((tsx) => { tsx.register(); return import(${target}); });`;
}
