/**
 * Where the generator runs from: a checkout of the repository (TypeScript
 * sources under tsx, generated/ committed beside them) or an installed package
 * (compiled JavaScript in dist/, the templates shipped beside it).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The nearest folder above `fromUrl` holding a package.json: the repository, or node_modules/percpu-ts. */
export function packageRoot(fromUrl: string): string {
  let dir = path.dirname(fileURLToPath(fromUrl));
  while (!existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${fileURLToPath(fromUrl)}`);
    dir = up;
  }
  return dir;
}

/** A checkout has its tsconfig.json and the runtime's sources; the published package ships neither tsconfig.json nor needs it. */
export function isCheckout(root: string): boolean {
  return existsSync(path.join(root, 'tsconfig.json')) && existsSync(path.join(root, 'src', 'runtime.ts'));
}
