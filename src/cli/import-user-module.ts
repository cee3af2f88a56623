/**
 * Loads a user's module, typically a `.ts` scenario file given on the command
 * line (`percpu-sim explore ./my-scenario.ts`): the one loader every command
 * uses.
 *
 * A plain import() comes first: it loads JavaScript everywhere, and TypeScript
 * where something already handles it — tsx registered by the bins in a
 * checkout, vitest, or Node's own type stripping (`process.features.typescript`,
 * on by default from Node 22.18 and 23.6, behind --experimental-strip-types
 * from 22.6). When Node cannot load the file as it is (Node 20: no TypeScript
 * at all; Node 22+: syntax that stripping does not handle, such as an enum,
 * or `using`, which V8 of Node 22 does not parse), tsx, a dependency of the
 * package, is registered in this process and the file is imported again.
 *
 * A user's TypeScript files are ES modules, whatever their folder's
 * package.json says: tsx would load a `.ts` file of a CommonJS-typed project
 * (npm init's default) as CommonJS, and then every percpu-ts module it
 * imports as a second copy, so a Machine made there would not be a Machine
 * here. A small load hook tells tsx the format instead.
 */
import { existsSync, statSync } from 'node:fs';
import { register as registerHooks } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/** Errors that mean "Node cannot load this TypeScript as it is", not "the module is wrong". */
const NEEDS_TRANSPILER = new Set([
  'ERR_UNKNOWN_FILE_EXTENSION',
  'ERR_UNSUPPORTED_TYPESCRIPT_SYNTAX',
  'ERR_INVALID_TYPESCRIPT_SYNTAX',
  'ERR_UNSUPPORTED_NODE_MODULES_TYPE_STRIPPING',
]);

/**
 * Node's load hook: .ts/.tsx/.mts outside node_modules are ES modules. Registered after tsx, so it
 * runs first. Where Node strips types itself (22.18+), the format that says so is `module-typescript`:
 * plain `module` would hand tsx's load a TypeScript source marked as JavaScript, which it passes
 * through untransformed (`import { type X }` then fails to parse).
 */
const ESM_HOOK = `export async function load(url, context, next) {
  if (/\\.(ts|tsx|mts)$/.test(new URL(url).pathname) && !url.includes('/node_modules/')) {
    return next(url, { ...context, format: process.features.typescript ? 'module-typescript' : 'module' });
  }
  return next(url, context);
}`;

let tsxRegistered = false;

export async function importUserModule(file: string): Promise<Record<string, unknown>> {
  if (typeof file !== 'string' || file === '') throw new TypeError(`importUserModule: file must be a path, got ${JSON.stringify(file)}`);
  const abs = path.resolve(file);
  if (!existsSync(abs)) throw new Error(`cannot load ${file}: no such file (looked at ${abs})`);
  if (!statSync(abs).isFile()) throw new Error(`cannot load ${file}: not a file`);
  const url = pathToFileURL(abs);
  try {
    return (await import(url.href)) as Record<string, unknown>;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const typescript = /\.[cm]?tsx?$/.test(abs);
    if (!typescript || tsxRegistered || !(NEEDS_TRANSPILER.has(code ?? '') || e instanceof SyntaxError)) throw e;
  }
  const { register } = await import('tsx/esm/api');
  register();
  registerHooks(`data:text/javascript,${encodeURIComponent(ESM_HOOK)}`);
  tsxRegistered = true;
  // A fresh URL: the loader may keep the failed attempt under the plain one.
  url.searchParams.set('percpu-tsx', '1');
  return (await import(url.href)) as Record<string, unknown>;
}
