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
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as NX from '../generated/x86_64/percpu.js';
import * as NA from '../generated/arm64/percpu.js';
import * as NG from '../generated/generic/percpu.js';
import { DEFINE_PER_CPU } from '../src/define.js';
import { Machine, type Arch } from '../src/machine.js';
import type { PerCpuPtr } from '../src/percpu-ptr.js';
import { abArgs, BASE_DIR, baseFile, cpuTime, interleaved, removeBase, spread } from './lib/ab.js';
import { median } from './lib/report.js';

type Ops = typeof NX;
type P = PerCpuPtr<never>;
type Loop = (m: Machine, p: P, n: number) => number;

async function baseOps(rev: string): Promise<Record<Arch, Ops>> {
  const out = {} as Record<Arch, Ops>;
  for (const arch of ['x86_64', 'arm64', 'generic'] as const) {
    mkdirSync(join(BASE_DIR, arch), { recursive: true });
    // Same depth below the root as generated/<arch>/, so its ../../src/ imports reach today's runtime.
    const file = join(BASE_DIR, arch, 'percpu.ts');
    writeFileSync(file, baseFile(rev, `generated/${arch}/percpu.ts`));
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

async function main(): Promise<void> {
  const o = abArgs('bench/ab.ts', { n: { value: 5_000_000, min: 1000 }, rounds: { value: 21, min: 3 } });
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
      const [ro, rn] = interleaved(o.rounds, (side) => cpuTime(() => (side === 0 ? before : after)(w.m, p, o.n)).ns / o.n);
      const ratio = rn.map((v, i) => v / ro[i]);
      console.log(`${name.padEnd(24)} old ${median(ro).toFixed(2)} ns/op  new ${median(rn).toFixed(2)} ns/op  new/old ${spread(ratio, 3)}`);
    }
  } finally {
    removeBase();
  }
}

await main();
