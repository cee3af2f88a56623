/**
 * The API reference (`make docs`, TypeDoc) builds without a warning, and an
 * exported symbol without a doc comment fails it. One TypeDoc run checks
 * both: the real entry points plus a probe module exporting one undocumented
 * function must yield exactly one warning, naming the probe.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { ROOT } from './generator/support.js';

it('make docs: every exported symbol is documented; an undocumented one fails the build', () => {
  const config = JSON.parse(readFileSync(path.join(ROOT, 'typedoc.json'), 'utf8')) as { entryPoints: string[] };
  const probe = path.join(ROOT, 'test', 'docs-probe.ts');
  writeFileSync(probe, 'export function undocumented_probe(): number {\n  return 1;\n}\n');
  try {
    const args = ['--emit', 'none', '--logLevel', 'Warn', ...[...config.entryPoints, 'test/docs-probe.ts'].flatMap((e) => ['--entryPoints', e])];
    const r = spawnSync(path.join(ROOT, 'node_modules/.bin/typedoc'), args, { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' } });
    const out = (r.stdout + r.stderr).replace(/\x1b\[[0-9;]*m/g, '');
    const warnings = out.split('\n').filter((l) => l.includes('[warning]'));
    expect(warnings).toEqual([
      expect.stringContaining('undocumented_probe (CallSignature), defined in percpu-ts/test/docs-probe.ts, does not have any documentation'),
      '[warning] Found 0 errors and 1 warnings',
    ]);
    expect(r.status).not.toBe(0);
  } finally {
    rmSync(probe, { force: true });
  }
}, 300_000);
