/**
 * Wall time of the generator as `make generate` and `make check` run it
 * (`node bin/percpu-gen.mjs`, without and with --check),
 * process start included. Generation writes into folders of the checkout's
 * cache (.percpu-cc/bench-generator/, removed afterwards), so its output imports
 * the runtime by relative path as generated/ does, and a bench run never
 * touches generated/; --check reads generated/ and writes nothing.
 *
 * The type-check keeps each module's diagnostics in the compiler's incremental
 * build file (generator/typecheck.ts), so a run whose output is what the last
 * run into the same folder wrote checks nothing again: that is `make`, which
 * regenerates on every call. `generator.generate` times that re-run (the
 * output folder's first run primes it); `generator.generate_cold` times first
 * runs, each into a new folder, where every module is checked.
 */
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchGroup, GroupContext, GroupOutput } from '../lib/group.js';
import { skipRow, valueRow, type Row, type Target } from '../lib/report.js';

interface Timed {
  readonly id: string;
  readonly title: string;
  readonly args: (ctx: GroupContext, round: number) => string[];
  readonly target: Target | null;
  /** Exit codes that still make a valid timing (check reports a stale tree with 1). */
  readonly ok: readonly number[];
  /** One untimed run first, so the timed ones find the incremental build file of their output. */
  readonly primed?: boolean;
}

/** Inside the checkout, where `make generate`'s output is: the imports and the type-check are those of generated/. */
const outRoot = (ctx: GroupContext): string => join(ctx.root, '.percpu-cc', 'bench-generator');

const RUNS: readonly Timed[] = [
  {
    id: 'generator.generate', title: 'make generate (node bin/percpu-gen.mjs) wall time, re-run with its output unchanged (as `make` runs it)',
    args: (ctx) => ['bin/percpu-gen.mjs', '--out', join(outRoot(ctx), 'out')], target: { op: '<=', value: 3 }, ok: [0], primed: true,
  },
  {
    id: 'generator.generate_cold', title: 'make generate (node bin/percpu-gen.mjs) wall time, first run into a new folder (every module type-checked)',
    args: (ctx, r) => ['bin/percpu-gen.mjs', '--out', join(outRoot(ctx), `cold-${r}`)], target: null, ok: [0],
  },
  {
    id: 'generator.check', title: 'make check (node bin/percpu-gen.mjs --check) wall time',
    args: () => ['bin/percpu-gen.mjs', '--check'], target: { op: '<=', value: 4 }, ok: [0, 1],
  },
];

const group: BenchGroup = {
  run(ctx: GroupContext): GroupOutput {
    const rows: Row[] = [];
    if (ctx.quick) {
      for (const t of RUNS) {
        rows.push(skipRow({
          id: t.id, group: 'generator', title: t.title, formula: 'seconds, process start to exit', unit: 's', target: t.target,
          reason: 'quick mode: the generator is timed only in a full run (each run takes seconds)',
        }));
      }
      return { rows };
    }
    const rounds = Math.min(ctx.rounds, 3);
    for (const t of RUNS) {
      const samples: number[] = [];
      let note: string | undefined;
      let failed: string | null = null;
      for (let r = t.primed === true ? -1 : 0; r < rounds && failed === null; r++) {
        const t0 = process.hrtime.bigint();
        const res = spawnSync(process.execPath, t.args(ctx, r), { cwd: ctx.root, encoding: 'utf8' });
        const s = Number(process.hrtime.bigint() - t0) / 1e9;
        if (res.error !== undefined || !t.ok.includes(res.status ?? -1)) {
          failed = `generator run failed (exit ${String(res.status)}): ${(res.stderr || String(res.error)).trim().split('\n')[0]}`;
        } else if (r >= 0) {
          samples.push(s);
          if (res.status !== 0) note = `--check exited ${res.status} (generated/ differs from a fresh run); the time is still that of a whole run`;
        }
      }
      if (failed !== null) {
        rows.push(skipRow({ id: t.id, group: 'generator', title: t.title, formula: 'seconds, process start to exit', unit: 's', target: t.target, reason: failed }));
      } else {
        rows.push(valueRow({ id: t.id, group: 'generator', title: t.title, formula: 'seconds, process start to exit', unit: 's', samples, target: t.target, note }));
      }
    }
    rmSync(outRoot(ctx), { recursive: true, force: true });
    return { rows };
  },
};
export default group;
