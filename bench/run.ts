/**
 * `make bench`: runs every comparison group, each in its own process, one
 * after another (never two at once, so they do not disturb each other), then
 * prints a table and writes bench/report.json and bench/threads.svg.
 *
 *   tsx bench/run.ts                 full run (7 rounds after 2 warm-up rounds)
 *   tsx bench/run.ts --quick         small loops, 1 round: checks the harness works
 *                                    (writes to $TMPDIR/percpu-bench-quick unless --out is given)
 *   tsx bench/run.ts --only a,b      only these groups
 *   tsx bench/run.ts --out DIR       write report.json and threads.svg to DIR (default bench/)
 *   tsx bench/run.ts --rounds N --warmup N
 *
 * A missed target is reported, never a failure: the exit status is 0 unless
 * the harness itself breaks (bad arguments, an unwritable report).
 */
import { fork } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChildMessage } from './child.js';
import { childExecArgv, EXT } from './lib/exec.js';
import type { GroupEntry } from './lib/group.js';
import { machineInfo } from './lib/machine-info.js';
import { REPORT_SCHEMA, summarize, type GroupReport, type Report, type Row } from './lib/report.js';
import { threadsSvg } from './lib/svg.js';
import { GROUPS } from './groups/registry.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..');

interface Options {
  quick: boolean;
  out: string;
  only: string[] | null;
  rounds: number;
  warmup: number;
}

function parseArgs(argv: readonly string[]): Options {
  const o: Options = { quick: false, out: '', only: null, rounds: NaN, warmup: NaN };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${k} needs a value`);
      return v;
    };
    const count = (min: number): number => {
      const v = Number(value());
      if (!Number.isInteger(v) || v < min) throw new Error(`${k} takes an integer ≥ ${min}`);
      return v;
    };
    if (k === '--quick') o.quick = true;
    else if (k === '--out') o.out = resolve(value());
    else if (k === '--only') o.only = value().split(',').map((s) => s.trim()).filter(Boolean);
    else if (k === '--rounds') o.rounds = count(1);
    else if (k === '--warmup') o.warmup = count(0);
    else throw new Error(`unknown option '${k}' (options: --quick, --out DIR, --only a,b, --rounds N, --warmup N)`);
  }
  // A quick run's numbers mean nothing: by default it must not replace the real report.
  if (o.out === '') o.out = o.quick ? join(tmpdir(), 'percpu-bench-quick') : HERE;
  if (Number.isNaN(o.rounds)) o.rounds = o.quick ? 1 : 7;
  if (Number.isNaN(o.warmup)) o.warmup = o.quick ? 1 : 2;
  if (o.only !== null) {
    const unknown = o.only.filter((n) => !GROUPS.some((g) => g.name === n));
    if (unknown.length > 0) throw new Error(`--only: unknown group(s) ${unknown.join(', ')} (groups: ${GROUPS.map((g) => g.name).join(', ')})`);
  }
  return o;
}

function runChild(g: GroupEntry, o: Options): Promise<ChildMessage> {
  const args = [g.name, '--rounds', String(o.rounds), '--warmup', String(o.warmup)];
  if (o.quick) args.push('--quick');
  const limitMs = (o.quick ? 3 : 15) * 60_000;
  return new Promise((done) => {
    const child = fork(join(HERE, `child${EXT}`), args, { cwd: ROOT, execArgv: childExecArgv(), stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let answer: ChildMessage | null = null;
    const timer = setTimeout(() => {
      answer ??= { ok: false, error: `timed out after ${limitMs / 1000} s` };
      child.kill('SIGKILL');
    }, limitMs);
    child.on('message', (msg: ChildMessage) => { answer ??= msg; });
    child.on('error', (e) => { answer ??= { ok: false, error: `could not start: ${e.message}` }; });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      done(answer ?? { ok: false, error: `exited (${signal ?? `code ${code}`}) without a result` });
    });
  });
}

function fmtNum(x: number | null, unit = ''): string {
  if (x === null || !Number.isFinite(x)) return '–';
  const a = Math.abs(x);
  const s = a >= 1e6 ? x.toExponential(2) : a >= 100 ? x.toFixed(0) : a >= 10 ? x.toFixed(1) : x.toFixed(2);
  return unit === 'x' ? `${s}x` : s;
}

function printTable(groups: readonly GroupReport[]): void {
  const lines: string[][] = [['row', 'value', 'min–max', 'unit', 'target', 'verdict']];
  for (const g of groups) {
    if (g.status !== 'ok') lines.push([`${g.name}: ${g.status.toUpperCase()}`, '', '', '', '', g.note ?? '']);
    for (const r of g.rows as Row[]) {
      const t = r.target === null ? '' : `${r.target.op} ${r.target.value}`;
      const verdict = r.verdict === 'skip' ? `skip: ${r.note ?? ''}` : r.verdict === 'fail' ? 'FAIL' : r.verdict;
      lines.push([r.id, fmtNum(r.value, r.unit), r.value === null ? '' : `${fmtNum(r.min)}–${fmtNum(r.max)}`, r.unit, t, verdict]);
    }
  }
  const widths = lines[0].map((_, c) => Math.min(60, Math.max(...lines.map((l) => l[c].length))));
  for (const [i, l] of lines.entries()) {
    process.stdout.write(`${l.map((cell, c) => (c === l.length - 1 ? cell : cell.padEnd(widths[c]))).join('  ')}\n`);
    if (i === 0) process.stdout.write(`${widths.map((w) => '-'.repeat(w)).join('  ')}\n`);
  }
}

async function main(argv: readonly string[]): Promise<number> {
  let o: Options;
  try {
    o = parseArgs(argv);
  } catch (e) {
    process.stderr.write(`bench: ${(e as Error).message}\n`);
    return 2;
  }
  const machine = machineInfo();
  process.stdout.write(`percpu-ts bench (${o.quick ? 'quick' : 'full'}): ${machine.cpuModel}, ${machine.cores} cores, Node ${machine.node}, load ${machine.loadAverage1m.toFixed(2)}\n`);
  const groups: GroupReport[] = [];
  for (const g of GROUPS) {
    if (o.only !== null && !o.only.includes(g.name)) continue;
    const missing = g.requires.filter((f) => !existsSync(join(ROOT, f)));
    if (missing.length > 0) {
      groups.push({ name: g.name, title: g.title, status: 'skipped', note: `not landed yet: ${missing.join(', ')} missing`, wallMs: 0, rows: [] });
      process.stdout.write(`  ${g.name}: skipped (${missing.join(', ')} missing)\n`);
      continue;
    }
    process.stdout.write(`  ${g.name}: ${g.title} …`);
    const t0 = performance.now();
    const res = await runChild(g, o);
    const wallMs = Math.round(performance.now() - t0);
    process.stdout.write(` ${(wallMs / 1000).toFixed(1)} s${res.ok ? '' : ` ERROR ${res.error}`}\n`);
    groups.push(res.ok
      ? { name: g.name, title: g.title, status: 'ok', note: res.output.note ?? null, wallMs, rows: res.output.rows, ...(res.output.threads ? { threads: res.output.threads } : {}) }
      : { name: g.name, title: g.title, status: 'error', note: res.error, wallMs, rows: [] });
  }
  const report: Report = {
    schema: REPORT_SCHEMA,
    createdAt: new Date().toISOString(),
    mode: o.quick ? 'quick' : 'full',
    command: `bench/run.ts ${argv.join(' ')}`.trim(),
    machine,
    settings: { rounds: o.rounds, warmupRounds: o.warmup },
    groups,
    summary: summarize(groups),
  };
  process.stdout.write('\n');
  printTable(groups);
  const s = report.summary;
  process.stdout.write(`\n${s.rows} rows: ${s.pass} pass, ${s.fail} fail, ${s.skip} skipped, ${s.info} information\n`);
  mkdirSync(o.out, { recursive: true });
  writeFileSync(join(o.out, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
  const threads = groups.find((g) => g.name === 'threads');
  writeFileSync(join(o.out, 'threads.svg'), threadsSvg(threads?.threads ?? [], machine, threads?.note ?? 'the threads group did not run'));
  process.stdout.write(`wrote ${join(o.out, 'report.json')} and ${join(o.out, 'threads.svg')}\n`);
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
