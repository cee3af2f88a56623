/**
 * The check of translated modules (cc/validate.ts), the declarations it
 * reads for the sources they import (generator/declarations.ts) and the compiler's
 * code cache (generator/load-typescript.ts): what they report, that reusing parsed
 * files or cached declarations across runs never hides a change, and that the
 * code cache is used, refused when bad, and rewritten.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ts } from 'ts-morph';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, RUNTIME_SOURCES, compileFile } from '../../cc/compile.js';
import { declarationsFor, type Declarations } from '../../generator/declarations.js';
import { checkModules, compilerOptions } from '../../cc/validate.js';

const CACHE = path.join(ROOT, '.percpu-cc');
mkdirSync(CACHE, { recursive: true });
const DIR = mkdtempSync(path.join(CACHE, 'validate-'));
// Outside any package.json: a translated module is still checked as ESM.
const OUTSIDE = mkdtempSync(path.join(tmpdir(), 'percpu-cc-validate-'));
afterAll(() => {
  rmSync(DIR, { recursive: true, force: true });
  rmSync(OUTSIDE, { recursive: true, force: true });
});

const importPath = (from: string, to: string): string => {
  const r = path.relative(from, path.join(ROOT, to)).split(path.sep).join('/');
  return r.startsWith('.') ? r : `./${r}`;
};

describe('checkModules', () => {
  it("uses tsconfig.json's options, but for @types/node (translated code uses no Node API)", () => {
    const config = JSON.parse(readFileSync(path.join(ROOT, 'tsconfig.json'), 'utf8')) as { compilerOptions: Record<string, unknown> };
    const { options, errors } = ts.convertCompilerOptionsFromJson(config.compilerOptions, ROOT);
    expect(errors).toEqual([]);
    const ours = compilerOptions(ts);
    const differ = Object.keys({ ...options, ...ours })
      .filter((k) => JSON.stringify(options[k] === false ? undefined : options[k]) !== JSON.stringify(ours[k]));
    expect(differ).toEqual(['types']);
    expect(options.types).toEqual(['node']);
    expect(ours.types).toEqual([]);
  });

  it('reports a type error with the file and line', () => {
    const r = checkModules([{ file: path.join(DIR, 'bad.ts'), text: "export const a = 1;\nexport const x: number = 'one';\n" }], [], CACHE);
    expect(r.problems).toEqual(["bad.ts:2: TS2322: Type 'string' is not assignable to type 'number'."]);
  });

  it('resolves the runtime from wherever the module is written, and checks against it', () => {
    const text = (member: string): string => [
      `import type { Machine } from '${importPath(OUTSIDE, 'src/machine.js')}';`,
      `export function cpus(m: Machine): number { return m.${member}; }`,
      '',
    ].join('\n');
    expect(checkModules([{ file: path.join(OUTSIDE, 'ok.ts'), text: text('nrCpus') }], [], CACHE, RUNTIME_SOURCES).problems).toEqual([]);
    expect(checkModules([{ file: path.join(OUTSIDE, 'ok.ts'), text: text('nrCPUs') }], [], CACHE, RUNTIME_SOURCES).problems)
      .toEqual(["ok.ts:2: TS2551: Property 'nrCPUs' does not exist on type 'Machine'. Did you mean 'nrCpus'?"]);
  });

  it('fails a translation whose output does not type-check against a module it imports (a --stubs module)', () => {
    const stubs = path.join(DIR, 'bad-sensor-stubs.ts');
    // sensor.c declares `int read_sensor(int cpu)`; this stub takes a string.
    writeFileSync(stubs, `import type { Machine } from '${importPath(DIR, 'src/machine.js')}';\nexport function read_sensor(m: Machine, cpu: string): number { return m.nrCpus + cpu.length; }\n`);
    expect(() => compileFile(path.join(ROOT, 'test/cc/stubs/sensor.c'), { outDir: DIR, display: 'test/cc/stubs/sensor.c', stubs })).toThrow([
      'percpu-cc: the translated module failed validation (a translator bug):',
      "sensor.ts:33: TS2345: Argument of type 'number' is not assignable to parameter of type 'string'.",
      "sensor-stepped.ts:46: TS2345: Argument of type 'number' is not assignable to parameter of type 'string'.",
    ].join('\n'));
  });

  it('refuses an element access that looks an op up', () => {
    const text = 'const ops = { this_cpu_add_4: (v: number): number => v };\nexport const r = ops[\'this_cpu_add_4\'](1);\n';
    expect(checkModules([{ file: path.join(DIR, 'lookup.ts'), text }], [], CACHE).problems)
      .toEqual(["lookup.ts: element access ops['this_cpu_add_4']: per-CPU ops are bound once, never looked up"]);
  });

  it('sees a module on disk change between two runs, through declarations made again (and only then)', () => {
    // A cache folder of its own: other test files write theirs, with other roots, to .percpu-cc/.
    const cache = path.join(DIR, 'change');
    const stub = path.join(DIR, 'stub.ts');
    const user = { file: path.join(DIR, 'user.ts'), text: "import { f } from './stub.js';\nexport const y: number = f();\n" };
    writeFileSync(stub, 'export function f() { return 1; }\n');
    const first = checkModules([user], [], cache, [DIR]);
    expect([first.problems, first.declarationsMade]).toEqual([[], true]);
    const again = checkModules([user], [], cache, [DIR]);
    expect([again.problems, again.declarationsMade]).toEqual([[], false]);
    writeFileSync(stub, "export function f() { return 'one'; }\n");
    const changed = checkModules([user], [], cache, [DIR]);
    expect([changed.problems, changed.declarationsMade]).toEqual([["user.ts:2: TS2322: Type 'string' is not assignable to type 'number'."], true]);
  });
});

describe('declarationsFor', () => {
  const options = compilerOptions(ts);
  const host = ts.createCompilerHost(options);
  const write = (dir: string, files: Record<string, string>): void => {
    mkdirSync(dir, { recursive: true });
    for (const [f, text] of Object.entries(files)) writeFileSync(path.join(dir, f), text);
  };
  const names = (d: Declarations | undefined): string[] => [...(d?.sources ?? [])].map((f) => path.basename(f)).sort();

  it("declares the roots and what their declarations import, caches them, and keeps the cache while the sources' texts hold", () => {
    const dir = path.join(OUTSIDE, 'closure');
    const cache = path.join(dir, 'cache');
    write(dir, {
      'a.ts': "import { b } from './b.js';\nimport { c } from './c.js';\nexport function a() { return b() + c(); }\nexport const pair = { b };\n",
      'b.ts': 'export function b() { return 2; }\n',
      'c.ts': 'export function c(): number { return 3; }\n',
    });
    const made = declarationsFor(ts, [path.join(dir, 'a.ts')], options, host, cache);
    // c() only serves a's body: a.d.ts does not import it, so it needs no declarations.
    expect([names(made), made?.made]).toEqual([['a.ts', 'b.ts'], true]);
    expect(made?.dts.get(path.join(dir, 'a.d.ts'))).toBe([
      "import { b } from './b.js';",
      'export declare function a(): number;',
      'export declare const pair: {',
      '    b: typeof b;',
      '};',
      '',
    ].join('\n'));
    expect(made?.dts.get(path.join(dir, 'b.d.ts'))).toBe('export declare function b(): number;\n');
    expect(declarationsFor(ts, [path.join(dir, 'a.ts')], options, host, cache)?.made).toBe(false);
    expect(declarationsFor(ts, [path.join(dir, 'b.ts')], options, host, cache)?.made).toBe(false);
    // c.ts is read by the emitting program, so its text is part of the key, though it has no declarations.
    writeFileSync(path.join(dir, 'c.ts'), "export function c(): string { return 'three'; }\n");
    const remade = declarationsFor(ts, [path.join(dir, 'a.ts')], options, host, cache);
    expect([names(remade), remade?.made]).toEqual([['a.ts', 'b.ts'], true]);
    expect(remade?.dts.get(path.join(dir, 'a.d.ts'))).toContain('export declare function a(): string;');
  });

  it('makes them again for a root it has not seen, keeping the earlier roots', () => {
    const dir = path.join(OUTSIDE, 'roots');
    const cache = path.join(dir, 'cache');
    write(dir, { 'x.ts': 'export const x = 1;\n', 'y.ts': "export const y = 'y';\n" });
    expect(declarationsFor(ts, [path.join(dir, 'x.ts')], options, host, cache)?.made).toBe(true);
    const both = declarationsFor(ts, [path.join(dir, 'y.ts')], options, host, cache);
    expect([names(both), both?.made]).toEqual([['x.ts', 'y.ts'], true]);
    expect(declarationsFor(ts, [path.join(dir, 'x.ts')], options, host, cache)?.made).toBe(false);
  });

  it('gives none when the emit reports a problem, and the check then reads the sources', () => {
    const dir = path.join(OUTSIDE, 'unnamed');
    const cache = path.join(dir, 'cache');
    // v's type is Hidden, which b.ts does not export: a declaration of v cannot name it (TS4023).
    write(dir, {
      'a.ts': "import { mk } from './b.js';\nexport const v = mk();\n",
      'b.ts': 'interface Hidden { readonly n: number }\nexport function mk(): Hidden { return { n: 1 }; }\n',
    });
    expect(declarationsFor(ts, [path.join(dir, 'a.ts')], options, host, cache)).toBeUndefined();
    const user = (t: string): { file: string; text: string } => ({ file: path.join(dir, 'user.ts'), text: `import { v } from './a.js';\nexport const n: ${t} = v.n;\n` });
    expect(checkModules([user('number')], [], cache, [dir])).toMatchObject({ problems: [], declarationsMade: false });
    expect(checkModules([user('string')], [], cache, [dir]).problems).toEqual(["user.ts:2: TS2322: Type 'number' is not assignable to type 'string'."]);
  });
});

describe('the code cache of the compiler', () => {
  /** Loads the compiler in a fresh process: how it was compiled, the lib files it has, whether ts-morph's script ran, the cache folder. */
  const load = (dir: string): { cache: string; libs: string; common: string; files: string[] } => {
    const script = [
      "import Module from 'node:module';",
      `const { loadTypeScript } = await import(${JSON.stringify(path.join(ROOT, 'generator/load-typescript.ts'))});`,
      `const l = loadTypeScript(${JSON.stringify(dir)});`,
      "l.ts.createSourceFile('a.ts', 'export const a: number = 1;', l.ts.ScriptTarget.ES2022);",
      'l.saveCache();',
      'console.log(l.cache);',
      "const es5 = l.libs.files.find((f) => f.fileName === 'lib.es5.d.ts');",
      "console.log(`${l.libs.folder} ${l.libs.files.length} ${es5.text.includes('interface Array<T>')}`);",
      "console.log(Object.keys(Module._cache).some((k) => k.endsWith('ts-morph-common.js')) ? 'ts-morph-common ran' : 'ts-morph-common did not run');",
    ].join('\n');
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    const [cache, libs, common] = r.stdout.trim().split('\n');
    return { cache, libs, common, files: existsSync(dir) ? readdirSync(dir).sort() : [] };
  };

  it('is written by the first run, used by the next, and refused then rewritten when it is not V8 data; the lib files are copied once', () => {
    const dir = path.join(DIR, 'code-cache');
    const first = load(dir);
    expect(first.cache).toBe('none');
    expect(first.common).toBe('ts-morph-common ran');
    expect(first.libs).toMatch(/^\/node_modules\/typescript\/lib \d{2,} true$/);
    expect(first.files).toHaveLength(2);
    expect(first.files[0]).toMatch(/^ts-libs-\d+-\d+\.json$/);
    expect(first.files[1]).toMatch(/^typescript-\d+-\d+-v8-[\d.]+-node\.\d+\.cache$/);
    const file = path.join(dir, first.files[1]);
    const size = readFileSync(file).length;
    expect(size).toBeGreaterThan(1_000_000);
    expect(load(dir)).toEqual({ ...first, cache: 'used', common: 'ts-morph-common did not run' });
    writeFileSync(file, 'not a code cache');
    expect(load(dir)).toEqual({ ...first, cache: 'rejected', common: 'ts-morph-common did not run' });
    expect(readFileSync(file).length).toBeGreaterThan(1_000_000);
    // A copy of the lib files that cannot be read is taken from ts-morph again, and rewritten.
    writeFileSync(path.join(dir, first.files[0]), '{');
    expect(load(dir)).toEqual({ ...first, cache: 'used', common: 'ts-morph-common ran' });
    expect(load(dir).common).toBe('ts-morph-common did not run');
  });
});
