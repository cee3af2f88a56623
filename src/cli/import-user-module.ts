/**
 * Loads a user's TypeScript (or JavaScript) module by path, for the commands
 * that take a user file (`percpu-sim explore ./my-scenarios.ts`). The one
 * loader of the project: inside the repository it goes through tsx's API,
 * which compiles the file and what it imports on the fly.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export async function importUserModule(file: string): Promise<Record<string, unknown>> {
  if (typeof file !== 'string' || file === '') throw new TypeError(`importUserModule: file must be a path, got ${JSON.stringify(file)}`);
  const abs = path.resolve(file);
  if (!existsSync(abs)) throw new Error(`cannot load ${file}: no such file (looked at ${abs})`);
  if (!statSync(abs).isFile()) throw new Error(`cannot load ${file}: not a file`);
  const { tsImport } = await import('tsx/esm/api');
  return (await tsImport(pathToFileURL(abs).href, import.meta.url)) as Record<string, unknown>;
}
