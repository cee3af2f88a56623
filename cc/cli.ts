/**
 * percpu-cc: translate C files that use per-CPU data into TypeScript modules.
 *
 *   percpu-cc file.c... --out DIR [-DNAME[=V]] [-UNAME]   write DIR/<file>.ts and DIR/<file>-stepped.ts
 *   percpu-cc --check file.c... --out DIR                  fail on a hand edit or on drift of committed output
 *
 * Errors are `file.c:line:col: error|unsupported: …`; exit status 2, and
 * nothing is written unless every file translated and validated.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CError } from '../c/errors.js';
import { checksumProblem } from '../generator/output.js';
import { compileFile } from './compile.js';

const USAGE = 'usage: percpu-cc <file.c>... --out <dir> [-DNAME[=VALUE]] [-UNAME] [--stubs <module.ts>] [--check] [--timings]';

export async function main(argv: readonly string[]): Promise<number> {
  const status = await run(argv);
  if (argv.includes('--timings')) {
    // The whole process, start-up included: CPU time of every thread (a loaded machine stretches wall time, not this).
    const u = process.cpuUsage();
    process.stderr.write(`percpu-cc: process ${((u.user + u.system) / 1000).toFixed(0)} ms CPU, ${performance.now().toFixed(0)} ms since start\n`);
  }
  return status;
}

async function run(argv: readonly string[]): Promise<number> {
  const files: string[] = [];
  const defines: Record<string, string> = {};
  const undefs: string[] = [];
  let out = '';
  let check = false;
  let timings = false;
  let stubs: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--help' || a === '-h') {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    if (a === '--out') {
      out = argv[++i] ?? '';
      if (out === '') return usage('--out needs a directory');
    } else if (a === '--check') {
      check = true;
    } else if (a === '--timings') {
      timings = true;
    } else if (a === '--stubs') {
      stubs = argv[++i];
      if (stubs === undefined || !existsSync(stubs)) return usage(`--stubs needs an existing TypeScript module, got '${stubs ?? ''}'`);
    } else if (a.startsWith('-D') || a.startsWith('-U')) {
      const v = a.length > 2 ? a.slice(2) : argv[++i];
      if (v === undefined || !/^[A-Za-z_]\w*(=.*)?$/.test(v)) return usage(`${a.slice(0, 2)} needs NAME or NAME=VALUE`);
      if (a.startsWith('-U')) undefs.push(v);
      else {
        const eq = v.indexOf('=');
        defines[eq < 0 ? v : v.slice(0, eq)] = eq < 0 ? '1' : v.slice(eq + 1);
      }
    } else if (a.startsWith('-')) {
      return usage(`unknown option '${a}'`);
    } else {
      files.push(a);
    }
  }
  if (files.length === 0) return usage('which C file?');
  if (out === '') return usage('--out <dir> is required');
  const results: { name: string; text: string }[] = [];
  const drift: string[] = [];
  try {
    for (const f of files) {
      if (!existsSync(f)) throw new Error(`${f}: no such file`);
      const r = compileFile(f, { outDir: path.resolve(out), defines, undefs, stubs });
      if (timings) process.stderr.write(`${f}: ${Object.entries(r.timings).map(([k, v]) => `${k} ${v.toFixed(0)} ms`).join(', ')}\n`);
      results.push(...r.files);
    }
  } catch (e) {
    process.stderr.write(e instanceof CError ? `${e.message}\n` : `percpu-cc: ${(e as Error).message}\n`);
    return 2;
  }
  if (check) {
    for (const r of results) {
      const p = path.join(out, r.name);
      if (!existsSync(p)) drift.push(`missing: ${p}`);
      else {
        const text = readFileSync(p, 'utf8');
        const problem = checksumProblem(text);
        if (problem !== null) drift.push(`${p}: ${problem}`);
        else if (text !== r.text) drift.push(`differs from a fresh translation: ${p}`);
      }
    }
    if (drift.length > 0) {
      process.stderr.write(`percpu-cc --check:\n  ${drift.join('\n  ')}\nregenerate with: make generate\n`);
      return 1;
    }
    process.stdout.write(`percpu-cc: ${results.length} translated files in ${out} match a fresh run\n`);
    return 0;
  }
  mkdirSync(out, { recursive: true });
  for (const r of results) {
    const p = path.join(out, r.name);
    writeFileSync(`${p}.tmp`, r.text);
    renameSync(`${p}.tmp`, p);
  }
  process.stdout.write(`percpu-cc: wrote ${results.map((r) => path.join(out, r.name)).join(', ')}\n`);
  return 0;
}

function usage(msg: string): number {
  process.stderr.write(`percpu-cc: ${msg}\n${USAGE}\n`);
  return 2;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2));
}
