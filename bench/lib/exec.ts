/**
 * How the bench starts its child processes: as TypeScript through tsx's
 * loader when it runs from sources, as plain node when it runs compiled.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

export const RUNNING_AS_TYPESCRIPT = import.meta.url.endsWith('.ts');
export const EXT = RUNNING_AS_TYPESCRIPT ? '.ts' : '.js';

/** Node options that let a child process run `.ts` modules (none when compiled). */
export function childExecArgv(): string[] {
  if (!RUNNING_AS_TYPESCRIPT) return [];
  const pkgPath = createRequire(import.meta.url).resolve('tsx/package.json');
  const pkg = JSON.parse(readFileSync(pkgPath, 'utf8')) as { exports: Record<string, unknown> };
  const main = pkg.exports['.'];
  if (typeof main !== 'string') throw new Error(`bench: cannot find tsx's loader in ${pkgPath}`);
  return ['--import', pathToFileURL(join(dirname(pkgPath), main)).href];
}
