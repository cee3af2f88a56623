/**
 * bin/launch.mjs runs percpu-cc and percpu-gen in a checkout from a bundle of their sources
 * (.percpu-cc/bin/): each module sees its own file as import.meta.url, an
 * unchanged source reuses the bundle, an edited one is bundled again on the
 * next run, and one esbuild refuses makes bundle() reject (launch() then runs
 * the command under tsx). Checked on a scratch checkout of two modules, in fresh
 * processes as a command runs.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../cc/compile.js';

const dir = mkdtempSync(path.join(tmpdir(), 'percpu-launch-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Imports the scratch checkout's bundle of `tool/cli` as launch() does and runs its main(). */
function run(): string {
  const launch = pathToFileURL(path.join(ROOT, 'bin/launch.mjs')).href;
  const script = `import { bundle } from '${launch}';
const mod = await import(await bundle(new URL('${pathToFileURL(dir).href}/'), 'tool/cli'));
process.exitCode = mod.main();`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(7);
  return r.stdout;
}

describe('launch: the bundled command', () => {
  it('keeps each module\'s own import.meta.url, reuses the bundle, and bundles again after an edit', () => {
    writeFileSync(path.join(dir, 'tsconfig.json'), '{ "compilerOptions": { "strict": true } }\n');
    const tool = path.join(dir, 'tool');
    rmSync(tool, { recursive: true, force: true });
    mkdirSync(tool, { recursive: true });
    writeFileSync(path.join(tool, 'cli.ts'), "import { where, version } from './dep.js';\nexport function main(): number {\n  console.log(version, where, import.meta.url);\n  return 7;\n}\n");
    writeFileSync(path.join(tool, 'dep.ts'), 'export const version: number = 1;\nexport const where = import.meta.url;\n');
    const cli = pathToFileURL(path.join(tool, 'cli.ts')).href;
    const dep = pathToFileURL(path.join(tool, 'dep.ts')).href;
    expect(run()).toBe(`1 ${dep} ${cli}\n`);
    const bundled = path.join(dir, '.percpu-cc/bin/tool-cli.mjs');
    const made = statSync(bundled).mtimeMs;
    const manifest = JSON.parse(readFileSync(path.join(dir, '.percpu-cc/bin/tool-cli.json'), 'utf8')) as Record<string, string>;
    expect(Object.keys(manifest).sort()).toEqual([path.join(dir, 'tsconfig.json'), path.join(tool, 'cli.ts'), path.join(tool, 'dep.ts')].sort());

    expect(run()).toBe(`1 ${dep} ${cli}\n`);
    expect(statSync(bundled).mtimeMs).toBe(made);

    writeFileSync(path.join(tool, 'dep.ts'), 'export const version: number = 2;\nexport const where = import.meta.url;\n');
    expect(run()).toBe(`2 ${dep} ${cli}\n`);

    // A source esbuild refuses: bundle() rejects (launch() then runs the command under tsx), and the old bundle stays.
    writeFileSync(path.join(tool, 'dep.ts'), 'export const version: number = ;\n');
    const launch = pathToFileURL(path.join(ROOT, 'bin/launch.mjs')).href;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', `import { bundle } from '${launch}';
await bundle(new URL('${pathToFileURL(dir).href}/'), 'tool/cli').then(() => console.log('made'), (e) => console.log('refused', /Unexpected ";"/.test(e.message)));`], { encoding: 'utf8' });
    expect(r.stdout).toBe('refused true\n');
    expect(readFileSync(bundled, 'utf8')).toContain('var version = 2;');
  });

  it('runs percpu-gen from its bundle too: the generator imports no TypeScript while it runs', () => {
    // Made again by this run (under tsx no manifest would be written).
    rmSync(path.join(ROOT, '.percpu-cc/bin/generator-cli.json'), { force: true });
    const r = spawnSync(process.execPath, [path.join(ROOT, 'bin/percpu-gen.mjs'), '--check'], { cwd: ROOT, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^percpu-gen: generated\/ and c\/include\/linux\/atomic\.h match a fresh run/);
    const manifest = JSON.parse(readFileSync(path.join(ROOT, '.percpu-cc/bin/generator-cli.json'), 'utf8')) as Record<string, string>;
    expect(Object.keys(manifest)).toContain(path.join(ROOT, 'generator/typecheck.ts'));
    expect(Object.keys(manifest)).toContain(path.join(ROOT, 'c/cparse.ts'));
  });
});
