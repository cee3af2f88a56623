/**
 * The benchmark harness: a quick run (small loops, one round) in a child
 * process produces a well-formed report.json and threads.svg. No timing is
 * asserted — only that every comparison ran, checked its results and reported
 * a finite ratio with its target and verdict.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GROUPS } from '../bench/groups/registry.js';
import { measurement, ratioRow, validateReport, verdictOf, type Report } from '../bench/lib/report.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

function bench(args: string[]): ReturnType<typeof spawnSync> {
  return spawnSync(process.execPath, ['--import', 'tsx', 'bench/run.ts', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 170_000 });
}

describe('bench/run.ts --quick', () => {
  const out = mkdtempSync(join(tmpdir(), 'percpu-bench-quick-'));
  let run: ReturnType<typeof spawnSync>;
  let report: Report;

  // One child process per group: on a loaded 2-core machine the quick run can take well over a minute.
  beforeAll(() => {
    run = bench(['--quick', '--out', out]);
    report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as Report;
  }, 180_000);
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('exits 0 and prints the table', () => {
    expect(run.status).toBe(0);
    expect(String(run.stdout)).toMatch(/^row +value +min–max +unit +target +verdict$/m);
    expect(String(run.stdout)).toMatch(/\d+ rows: \d+ pass, \d+ fail, \d+ skipped, \d+ information/);
  });

  it('writes a report that passes the schema check', () => {
    expect(validateReport(report)).toEqual([]);
    expect(report.mode).toBe('quick');
    expect(report.settings).toEqual({ rounds: 1, warmupRounds: 1 });
    expect(report.machine.node).toBe(process.version);
  });

  it('has every registered group, each ok or skipped with a reason, none failing to run', () => {
    expect(report.groups.map((g) => g.name)).toEqual(GROUPS.map((g) => g.name));
    for (const g of report.groups) {
      expect(g.status, `${g.name}: ${g.note}`).not.toBe('error');
      if (g.status === 'skipped') expect(g.note).toMatch(/^not landed yet: .+ missing$/);
    }
  });

  it('reports the comparisons with their targets', () => {
    const rows = new Map(report.groups.flatMap((g) => g.rows).map((r) => [r.id, r]));
    const expectRow = (id: string, op: string, value: number): void => {
      const r = rows.get(id);
      expect(r, id).toBeDefined();
      expect(r!.target).toEqual({ op, value });
      expect(['pass', 'fail', 'skip']).toContain(r!.verdict);
    };
    for (const op of ['add', 'read', 'write', 'add_return', 'cmpxchg']) {
      expectRow(`floor.${op}_4`, '<=', 1.2);
      expect(rows.get(`dispatch.${op}_4`)!.target).toBeNull();
    }
    expect(rows.get('dispatch.mixed_add')!.target).toBeNull();
    expectRow('counter.inc', '<=', 3);
    expectRow('threads.counter_vs_atomic.w2', '>=', 4);
    expectRow('threads.scaling.counter.w2', '>=', 1.8);
    expectRow('width.add', '<=', 1.5);
    expectRow('width.add_return', '<=', 2.5);
    expectRow('width.cmpxchg', '<=', 2.5);
    expectRow('hardware.add_4_vs_gs_addl', '<=', 3);
    expectRow('typed.add_u32', '<=', 1.3);
    expectRow('generator.generate', '<=', 3);
    expectRow('generator.check', '<=', 4);
    expect(rows.get('generator.generate')!.verdict).toBe('skip');
    expect(rows.get('generator.generate_cold')!.target).toBeNull();
    expect(rows.get('generator.generate_cold')!.verdict).toBe('skip');
    expectRow('threads.percpu_vs_atomic.w2', '>=', 20);
    expectRow('threads.scaling.percpu.w2', '>=', 1.7);
    expect(rows.get('counter.add_local')!.verdict).toBe('info');
    for (const r of rows.values()) {
      if (r.kind === 'ratio' && r.verdict !== 'skip') {
        expect(Number.isFinite(r.value) && r.value! > 0, r.id).toBe(true);
        expect(r.measurements.length, r.id).toBe(2);
      }
    }
  });

  it('the threads group counted exactly with all four counter kinds at 1 and 2 workers', () => {
    const g = report.groups.find((x) => x.name === 'threads')!;
    const pts = g.threads!;
    for (const kind of ['percpu', 'counter', 'atomic', 'mutex'] as const) {
      for (const w of [1, 2]) {
        const p = pts.find((x) => x.kind === kind && x.workers === w)!;
        expect(p, `${kind}@${w}`).toBeDefined();
        expect(p.exact).toBe(true);
        expect(p.finalSum).toBe(String(w * p.n));
      }
    }
  });

  it('draws the threads chart: one line per counter kind', () => {
    const svg = readFileSync(join(out, 'threads.svg'), 'utf8');
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg.match(/<path /g)?.length).toBe(4);
    expect(svg).toContain('per-CPU (this_cpu_inc_8)');
    expect(svg).toContain('percpu_counter_inc (batched)');
    expect(svg).toContain('sums exact');
  });
});

describe('bench/run.ts arguments', () => {
  it('refuses an unknown option and an unknown group, writing nothing', () => {
    const out = join(tmpdir(), `percpu-bench-bad-${process.pid}`);
    const a = bench(['--fast', '--out', out]);
    expect(a.status).toBe(2);
    expect(String(a.stderr)).toBe("bench: unknown option '--fast' (options: --quick, --out DIR, --only a,b, --rounds N, --warmup N)\n");
    const b = bench(['--only', 'floor,nope', '--out', out]);
    expect(b.status).toBe(2);
    expect(String(b.stderr)).toMatch(/^bench: --only: unknown group\(s\) nope \(groups: floor, dispatch, /);
    expect(existsSync(out)).toBe(false);
  });
});

describe('report rows', () => {
  it('a ratio is the median of the per-round ratios, with their min and max', () => {
    const r = ratioRow({
      id: 'x.y', group: 'x', title: 't',
      num: measurement('a', [2, 4, 9]), den: measurement('b', [1, 1, 3]), target: { op: '<=', value: 2.5 },
    });
    expect([r.value, r.min, r.max, r.verdict, r.unit, r.formula]).toEqual([3, 2, 4, 'fail', 'x', 'a ns/op ÷ b ns/op']);
  });

  it('verdicts follow the target', () => {
    expect(verdictOf(1.2, { op: '<=', value: 1.2 })).toBe('pass');
    expect(verdictOf(7.9, { op: '>=', value: 8 })).toBe('fail');
    expect(verdictOf(10, { op: '==', value: 10 })).toBe('pass');
    expect(verdictOf(3, null)).toBe('info');
    expect(verdictOf(null, { op: '<=', value: 1 })).toBe('skip');
  });

  it('the validator names what is wrong', () => {
    const bad = {
      schema: 'percpu-ts-bench/1', createdAt: '2025-01-01T00:00:00Z', mode: 'quick',
      machine: { cpuModel: 'x', cores: 2, node: 'v20.0.0' },
      groups: [{
        name: 'g', status: 'ok', rows: [
          { id: 'g.a', group: 'g', kind: 'ratio', unit: 'x', value: Number.NaN, min: 1, max: 1, target: null, verdict: 'info' },
          { id: 'g.b', group: 'g', kind: 'ratio', unit: 'x', value: 2, min: 1, max: 3, verdict: 'pass' },
          { id: 'g.c', group: 'g', kind: 'value', unit: 's', value: null, target: null, verdict: 'skip' },
        ],
      }],
      summary: { rows: 3 },
    };
    expect(validateReport(bad)).toEqual([
      'row g.a: value NaN is not a finite positive number',
      'row g.a: verdict info but value and target give skip',
      'row g.b: no target field',
      'row g.b: verdict pass but value and target give info',
      'row g.c: skipped without a reason',
    ]);
  });
});
