/**
 * The API reference (`make docs`, TypeDoc): its entry points are exactly the
 * package's subpaths, each module is named as a user imports it
 * (`@module percpu-ts/x86_64`), the build has no warning, and an exported
 * symbol without a doc comment fails it. One TypeDoc run (`--emit none`)
 * checks the last two: the real entry points plus a probe module exporting
 * one undocumented function must yield exactly one warning, naming the probe
 * by its own @module name.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { ROOT } from './generator/support.js';

const CONFIG = JSON.parse(readFileSync(path.join(ROOT, 'typedoc.json'), 'utf8')) as { entryPoints: string[]; disableSources?: boolean };
const PKG = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { exports: Record<string, string | { default: string }> };

/**
 * Each subpath and the source of its JavaScript: `./x86_64` -> generated/x86_64/percpu.ts.
 * Not `./internal/*`: what percpu-cc's output links against, not an API for people.
 */
function subpathSources(): [string, string][] {
  return Object.entries(PKG.exports)
    .filter(([k]) => k !== './package.json' && !k.includes('*'))
    .map(([k, e]) => [k, (typeof e === 'string' ? e : e.default).replace(/^\.\/dist\//, '').replace(/\.js$/, '.ts')]);
}

it('the entry points are the package subpaths, each module named as it is imported', () => {
  const subpaths = subpathSources();
  expect([...CONFIG.entryPoints].sort()).toEqual(subpaths.map(([, src]) => src).sort());
  for (const [subpath, src] of subpaths) {
    const text = readFileSync(path.join(ROOT, src), 'utf8');
    // The module comment is the file's first doc comment.
    const first = /\/\*\*([\s\S]*?)\*\//.exec(text)?.[1] ?? '';
    const name = /@module\s+(\S+)/.exec(first)?.[1];
    expect(name, src).toBe(subpath === '.' ? 'percpu-ts' : `percpu-ts/${subpath.slice(2)}`);
  }
  // A clone's git remote is no source-link host: sources are not linked (a remote TypeDoc cannot use is a warning).
  expect(CONFIG.disableSources).toBe(true);
});

it('make docs: every exported symbol is documented; an undocumented one fails the build', () => {
  const probe = path.join(ROOT, 'test', 'docs-probe.ts');
  writeFileSync(probe, '/** @module percpu-ts/docs-probe */\nexport function undocumented_probe(): number {\n  return 1;\n}\n');
  try {
    const args = ['--emit', 'none', '--logLevel', 'Warn', ...[...CONFIG.entryPoints, 'test/docs-probe.ts'].flatMap((e) => ['--entryPoints', e])];
    const r = spawnSync(path.join(ROOT, 'node_modules/.bin/typedoc'), args, { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' } });
    const out = (r.stdout + r.stderr).replace(/\x1b\[[0-9;]*m/g, '');
    const warnings = out.split('\n').filter((l) => l.includes('[warning]') || l.includes('[error]'));
    expect(warnings).toEqual([
      expect.stringMatching(/^\[warning\] percpu-ts\/docs-probe\.undocumented_probe \(CallSignature\), defined in .*, does not have any documentation$/),
      '[warning] Found 0 errors and 1 warnings',
    ]);
    expect(r.status).not.toBe(0);
  } finally {
    rmSync(probe, { force: true });
  }
}, 300_000);
