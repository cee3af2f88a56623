/**
 * The explorer of an earlier revision against today's, side by side in one
 * process:
 *
 *   tsx bench/explore-ab.ts --base <git revision> [--rounds 7] [--scale 4000]
 *
 * It takes src/, generated/, c/ and templates/ of the base revision out of git into
 * .ab-base/explore/ (deleted afterwards) and imports that explorer, with its own
 * runtime and scenarios, next to the working tree's. Each row runs the same
 * search with both, old and new interleaved round by round with the order
 * alternating, and checks that both report the same schedules, cut paths and
 * violations (the counts must not move). Time is CPU time of the process
 * (process.cpuUsage): on a loaded machine the time a process waits for a core
 * is most of the noise. A row prints the median schedules per CPU-second of
 * both and the median of the per-round ratios new/old with its range.
 *
 * Rows: inc-irq exhaustively (sleep sets, the `explore.exhaustive` row, and
 * optimal DPOR); every shipped scenario exhaustively (sleep sets, the whole
 * bounded space); and the first `--scale` schedules of counter-scale at bound 0
 * (optimal DPOR), whose long schedules are mostly prefix replay.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as NE from '../src/explore/explorer.js';
import * as NS from '../src/explore/scenarios/index.js';
import { median } from './lib/report.js';

type Explorer = typeof NE;
type Scenarios = typeof NS;
interface Side { readonly e: Explorer; readonly s: Scenarios }
interface Count { readonly schedules: number; readonly cut: number; readonly violations: number }

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DIR = join(ROOT, '.ab-base', 'explore');

function args(): { base: string; rounds: number; scale: number } {
  const a = process.argv.slice(2);
  const o = { base: '', rounds: 7, scale: 4000 };
  for (let i = 0; i < a.length; i++) {
    const v = a[++i];
    if (v === undefined) throw new Error(`${a[i - 1]} needs a value`);
    if (a[i - 1] === '--base') o.base = v;
    else if (a[i - 1] === '--rounds') o.rounds = Number(v);
    else if (a[i - 1] === '--scale') o.scale = Number(v);
    else throw new Error(`unknown option ${a[i - 1]} (options: --base REV, --rounds R, --scale N)`);
  }
  if (o.base === '') throw new Error('usage: tsx bench/explore-ab.ts --base <git revision> [--rounds R] [--scale N]');
  if (!Number.isInteger(o.rounds) || o.rounds < 3 || !Number.isInteger(o.scale) || o.scale < 100) throw new Error('--rounds takes an integer ≥ 3, --scale ≥ 100');
  return o;
}

async function baseSide(rev: string): Promise<Side> {
  rmSync(DIR, { recursive: true, force: true });
  mkdirSync(DIR, { recursive: true });
  const tar = execFileSync('git', ['archive', rev, 'src', 'generated', 'c', 'templates'], { cwd: ROOT, maxBuffer: 1 << 30 });
  execFileSync('tar', ['-x', '-C', DIR], { input: tar });
  const e = (await import(pathToFileURL(join(DIR, 'src/explore/explorer.ts')).href)) as Explorer;
  const s = (await import(pathToFileURL(join(DIR, 'src/explore/scenarios/index.ts')).href)) as Scenarios;
  return { e, s };
}

/** One search with one side; what it counted. */
type Run = (x: Side) => Count;

function count(r: NE.ExploreResult): Count {
  return { schedules: r.schedules, cut: r.sleepBlocked, violations: r.violations.length };
}

function sum(a: Count, b: Count): Count {
  return { schedules: a.schedules + b.schedules, cut: a.cut + b.cut, violations: a.violations + b.violations };
}

function rows(scale: number): [string, Run][] {
  const all = { maxViolations: Infinity, countStates: false, traceViolations: false } as const;
  return [
    ['inc-irq, sleep sets', (x) => count(x.e.exploreExhaustive(x.s.getScenario('inc-irq'), { countStates: false, reduction: 'sleep' }))],
    ['inc-irq, optimal', (x) => count(x.e.exploreExhaustive(x.s.getScenario('inc-irq'), { countStates: false, reduction: 'optimal' }))],
    ['shipped set, sleep sets', (x) => x.s.SCENARIOS.reduce((c, sc) => sum(c, count(x.e.exploreExhaustive(sc, { ...all, reduction: 'sleep' }))), { schedules: 0, cut: 0, violations: 0 })],
    ['shipped set, optimal', (x) => x.s.SCENARIOS.reduce((c, sc) => sum(c, count(x.e.exploreExhaustive(sc, { ...all, reduction: 'optimal' }))), { schedules: 0, cut: 0, violations: 0 })],
    [`counter-scale b0, ${scale}`, (x) => count(x.e.exploreExhaustive(x.s.getScenario('counter-scale'), { ...all, bound: 0, maxSchedules: scale }))],
  ];
}

function cpuMs(f: () => Count): { ms: number; c: Count } {
  const t = process.cpuUsage();
  const c = f();
  const d = process.cpuUsage(t);
  return { ms: (d.user + d.system) / 1000, c };
}

const same = (a: Count, b: Count): boolean => a.schedules === b.schedules && a.cut === b.cut && a.violations === b.violations;

async function main(): Promise<void> {
  const o = args();
  try {
    const old = await baseSide(o.base);
    const now: Side = { e: NE, s: NS };
    console.log(`explorer of ${o.base} (old) against the working tree (new): CPU time, ${o.rounds} rounds, interleaved; load average ${(await import('node:os')).loadavg().map((l) => l.toFixed(1)).join(' ')}`);
    for (const [name, run] of rows(o.scale)) {
      const c0 = run(old);
      const c1 = run(now);
      if (!same(c0, c1)) throw new Error(`${name}: old counts ${JSON.stringify(c0)}, new ${JSON.stringify(c1)}: the change moved a count`);
      const ro: number[] = [];
      const rn: number[] = [];
      const ratio: number[] = [];
      for (let r = 0; r < o.rounds; r++) {
        const [a, b] = r % 2 === 0 ? [old, now] : [now, old];
        const t1 = cpuMs(() => run(a)).ms;
        const t2 = cpuMs(() => run(b)).ms;
        const [tOld, tNew] = r % 2 === 0 ? [t1, t2] : [t2, t1];
        ro.push(c0.schedules / (tOld / 1000));
        rn.push(c0.schedules / (tNew / 1000));
        ratio.push(tOld / tNew);
      }
      const s = ratio.slice().sort((a, b) => a - b);
      console.log(`${name.padEnd(28)} ${String(c0.schedules).padStart(6)} schedules  old ${Math.round(median(ro))}/s  new ${Math.round(median(rn))}/s  speed-up ${median(ratio).toFixed(2)}× (${s[0]!.toFixed(2)}–${s[s.length - 1]!.toFixed(2)})`);
    }
  } finally {
    rmSync(join(ROOT, '.ab-base'), { recursive: true, force: true });
  }
}

await main();
