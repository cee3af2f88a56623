/**
 * Generated ops of an earlier revision against today's, side by side:
 *
 *   tsx bench/ab.ts --base <git revision> [--n 5000000] [--rounds 21]
 *
 * It takes generated/<arch>/percpu.ts of the base revision out of git into
 * .ab-base/ (deleted afterwards), imports it next to today's generated ops (both
 * run on today's runtime in src/), and times the same loop over each, old and
 * new interleaved round by round with the order alternating. Time is CPU time
 * of the process (process.cpuUsage), not wall time: on a loaded machine the
 * time a process waits for a core is most of the noise. Each row prints the
 * median ns/op of both and the median of the per-round ratios new/old with
 * its range. It measures what one change to the ops costs; `make bench` is the
 * report of where the ops stand.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as NX from '../generated/x86_64/percpu.js';
import * as NA from '../generated/arm64/percpu.js';
import * as NG from '../generated/generic/percpu.js';
import { DEFINE_PER_CPU } from '../src/define.js';
import { Machine, type Arch } from '../src/machine.js';
import type { PerCpuPtr } from '../src/percpu-ptr.js';

type Ops = typeof NX;
type P = PerCpuPtr<never>;
type Loop = (m: Machine, p: P, n: number) => number;

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DIR = join(ROOT, '.ab-base');

function args(): { base: string; n: number; rounds: number } {
  const a = process.argv.slice(2);
  const o = { base: '', n: 5_000_000, rounds: 21 };
  for (let i = 0; i < a.length; i++) {
    const v = a[++i];
    if (v === undefined) throw new Error(`${a[i - 1]} needs a value`);
    if (a[i - 1] === '--base') o.base = v;
    else if (a[i - 1] === '--n') o.n = Number(v);
    else if (a[i - 1] === '--rounds') o.rounds = Number(v);
    else throw new Error(`unknown option ${a[i - 1]} (options: --base REV, --n N, --rounds R)`);
  }
  if (o.base === '') throw new Error('usage: tsx bench/ab.ts --base <git revision> [--n N] [--rounds R]');
  if (!Number.isInteger(o.n) || o.n < 1000 || !Number.isInteger(o.rounds) || o.rounds < 3) throw new Error('--n takes an integer ≥ 1000, --rounds ≥ 3');
  return o;
}

async function baseOps(rev: string): Promise<Record<Arch, Ops>> {
  const out = {} as Record<Arch, Ops>;
  for (const arch of ['x86_64', 'arm64', 'generic'] as const) {
    const text = execFileSync('git', ['show', `${rev}:generated/${arch}/percpu.ts`], { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 28 });
    mkdirSync(join(DIR, arch), { recursive: true });
    // Same depth below the root as generated/<arch>/, so its ../../src/ imports reach today's runtime.
    const file = join(DIR, arch, 'percpu.ts');
    writeFileSync(file, text);
    out[arch] = (await import(pathToFileURL(file).href)) as Ops;
  }
  return out;
}

function machine(arch: Arch): { m: Machine; p1: P; p4: P; p8: P } {
  const m = new Machine({ cpus: 4, arch });
  const p1 = DEFINE_PER_CPU(m, 'u8', 'ab_u8') as P;
  const p4 = DEFINE_PER_CPU(m, 'u32', 'ab_u32') as P;
  const p8 = DEFINE_PER_CPU(m, 'u64', 'ab_u64') as P;
  m.boot();
  m.loadCpu(1);
  return { m, p1, p4, p8 };
}

/** One loop literal per op and side, so V8 keeps separate type feedback for each. */
function pairs(O: Record<Arch, Ops>): [string, Arch, 'p1' | 'p4' | 'p8', Loop, Loop][] {
  const [ox, oa, og] = [O.x86_64, O.arm64, O.generic];
  return [
    ['this_cpu_add_4', 'x86_64', 'p4', (m, p, k) => { for (let i = 0; i < k; i++) ox.this_cpu_add_4(m, p, 1); return 0; }, (m, p, k) => { for (let i = 0; i < k; i++) NX.this_cpu_add_4(m, p, 1); return 0; }],
    ['this_cpu_read_4', 'x86_64', 'p4', (m, p, k) => { let s = 0; for (let i = 0; i < k; i++) s = (s + ox.this_cpu_read_4(m, p)) | 0; return s; }, (m, p, k) => { let s = 0; for (let i = 0; i < k; i++) s = (s + NX.this_cpu_read_4(m, p)) | 0; return s; }],
    ['this_cpu_write_4', 'x86_64', 'p4', (m, p, k) => { for (let i = 0; i < k; i++) ox.this_cpu_write_4(m, p, i); return 0; }, (m, p, k) => { for (let i = 0; i < k; i++) NX.this_cpu_write_4(m, p, i); return 0; }],
    ['this_cpu_add_return_4', 'x86_64', 'p4', (m, p, k) => { let s = 0; for (let i = 0; i < k; i++) s = (s + ox.this_cpu_add_return_4(m, p, 1)) | 0; return s; }, (m, p, k) => { let s = 0; for (let i = 0; i < k; i++) s = (s + NX.this_cpu_add_return_4(m, p, 1)) | 0; return s; }],
    ['this_cpu_cmpxchg_4', 'x86_64', 'p4', (m, p, k) => { let c = ox.this_cpu_read_4(m, p); for (let i = 0; i < k; i++) c = (ox.this_cpu_cmpxchg_4(m, p, c, c + 1) + 1) >>> 0; return c; }, (m, p, k) => { let c = NX.this_cpu_read_4(m, p); for (let i = 0; i < k; i++) c = (NX.this_cpu_cmpxchg_4(m, p, c, c + 1) + 1) >>> 0; return c; }],
    ['this_cpu_add_1', 'x86_64', 'p1', (m, p, k) => { for (let i = 0; i < k; i++) ox.this_cpu_add_1(m, p, 1); return 0; }, (m, p, k) => { for (let i = 0; i < k; i++) NX.this_cpu_add_1(m, p, 1); return 0; }],
    ['this_cpu_add_8', 'x86_64', 'p8', (m, p, k) => { for (let i = 0; i < k; i++) ox.this_cpu_add_8(m, p, 1n); return 0; }, (m, p, k) => { for (let i = 0; i < k; i++) NX.this_cpu_add_8(m, p, 1n); return 0; }],
    ['arm64 this_cpu_add_4', 'arm64', 'p4', (m, p, k) => { for (let i = 0; i < k; i++) oa.this_cpu_add_4(m, p, 1); return 0; }, (m, p, k) => { for (let i = 0; i < k; i++) NA.this_cpu_add_4(m, p, 1); return 0; }],
    ['generic this_cpu_add_4', 'generic', 'p4', (m, p, k) => { for (let i = 0; i < k; i++) og.this_cpu_add_4(m, p, 1); return 0; }, (m, p, k) => { for (let i = 0; i < k; i++) NG.this_cpu_add_4(m, p, 1); return 0; }],
  ];
}

function cpuNs(f: () => unknown): number {
  const t = process.cpuUsage();
  f();
  const d = process.cpuUsage(t);
  return (d.user + d.system) * 1000;
}

const median = (x: readonly number[]): number => x.slice().sort((a, b) => a - b)[x.length >> 1];

async function main(): Promise<void> {
  const o = args();
  try {
    const old = await baseOps(o.base);
    console.log(`generated ops of ${o.base} (old) against the working tree (new): CPU time, ${o.n} calls × ${o.rounds} rounds, interleaved`);
    for (const [name, arch, which, before, after] of pairs(old)) {
      const w = machine(arch);
      const p = w[which];
      // Short calls first, so both loops are optimised with feedback for every part (see docs/bench.md).
      for (let i = 0; i < 2000; i++) {
        before(w.m, p, 100);
        after(w.m, p, 100);
      }
      const ro: number[] = [];
      const rn: number[] = [];
      const ratio: number[] = [];
      for (let r = 0; r < o.rounds; r++) {
        const first = r % 2 === 0 ? before : after;
        const second = r % 2 === 0 ? after : before;
        const t1 = cpuNs(() => first(w.m, p, o.n));
        const t2 = cpuNs(() => second(w.m, p, o.n));
        const [tOld, tNew] = r % 2 === 0 ? [t1, t2] : [t2, t1];
        ro.push(tOld / o.n);
        rn.push(tNew / o.n);
        ratio.push(tNew / tOld);
      }
      const s = ratio.slice().sort((a, b) => a - b);
      console.log(`${name.padEnd(24)} old ${median(ro).toFixed(2)} ns/op  new ${median(rn).toFixed(2)} ns/op  new/old ${median(ratio).toFixed(3)} (${s[0].toFixed(2)}–${s[s.length - 1].toFixed(2)})`);
    }
  } finally {
    rmSync(DIR, { recursive: true, force: true });
  }
}

await main();
