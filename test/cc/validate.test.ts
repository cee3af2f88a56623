/**
 * The check of translated modules (cc/validate.ts) and the compiler's code
 * cache (cc/load-typescript.ts): what they report, that reusing parsed files
 * across runs never hides a change, and that the cache is used, refused when
 * bad, and rewritten.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ts } from 'ts-morph';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../cc/compile.js';
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
    expect(checkModules([{ file: path.join(OUTSIDE, 'ok.ts'), text: text('nrCpus') }], [], CACHE).problems).toEqual([]);
    expect(checkModules([{ file: path.join(OUTSIDE, 'ok.ts'), text: text('nrCPUs') }], [], CACHE).problems)
      .toEqual(["ok.ts:2: TS2551: Property 'nrCPUs' does not exist on type 'Machine'. Did you mean 'nrCpus'?"]);
  });

  it('refuses an element access that looks an op up', () => {
    const text = 'const ops = { this_cpu_add_4: (v: number): number => v };\nexport const r = ops[\'this_cpu_add_4\'](1);\n';
    expect(checkModules([{ file: path.join(DIR, 'lookup.ts'), text }], [], CACHE).problems)
      .toEqual(["lookup.ts: element access ops['this_cpu_add_4']: per-CPU ops are bound once, never looked up"]);
  });

  it('sees a module on disk change between two runs (parsed files are reused only while their text is the same)', () => {
    const stub = path.join(DIR, 'stub.ts');
    const user = { file: path.join(DIR, 'user.ts'), text: "import { f } from './stub.js';\nexport const y: number = f();\n" };
    writeFileSync(stub, 'export function f(): number { return 1; }\n');
    expect(checkModules([user], [], CACHE).problems).toEqual([]);
    writeFileSync(stub, "export function f(): string { return 'one'; }\n");
    expect(checkModules([user], [], CACHE).problems).toEqual(["user.ts:2: TS2322: Type 'string' is not assignable to type 'number'."]);
  });
});

describe('the code cache of the compiler', () => {
  const load = (dir: string): { cache: string; files: string[] } => {
    const script = [
      `const { loadTypeScript } = await import(${JSON.stringify(path.join(ROOT, 'cc/load-typescript.ts'))});`,
      `const l = loadTypeScript(${JSON.stringify(dir)});`,
      "l.common.ts.createSourceFile('a.ts', 'export const a: number = 1;', l.common.ts.ScriptTarget.ES2022);",
      'l.saveCache();',
      'console.log(l.cache);',
    ].join('\n');
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    return { cache: r.stdout.trim(), files: existsSync(dir) ? readdirSync(dir) : [] };
  };

  it('is written by the first run, used by the next, and refused then rewritten when it is not V8 data', () => {
    const dir = path.join(DIR, 'code-cache');
    const first = load(dir);
    expect(first.cache).toBe('none');
    expect(first.files).toHaveLength(1);
    expect(first.files[0]).toMatch(/^typescript-\d+-\d+-v8-[\d.]+-node\.\d+\.cache$/);
    const file = path.join(dir, first.files[0]);
    const size = readFileSync(file).length;
    expect(size).toBeGreaterThan(1_000_000);
    expect(load(dir)).toEqual({ cache: 'used', files: first.files });
    writeFileSync(file, 'not a code cache');
    expect(load(dir)).toEqual({ cache: 'rejected', files: first.files });
    expect(readFileSync(file).length).toBeGreaterThan(1_000_000);
  });
});
