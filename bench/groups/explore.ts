/**
 * The interleaving explorer: speed, reduction and scale, side by side in one run.
 *
 * - Throughput: schedules per second, exhaustive on inc-irq (sleep sets, the
 *   row the report has always had, and optimal DPOR) and over the whole shipped
 *   set, against ten times the figures of the committed report before the
 *   snapshot work (commit 102e806: inc-irq 32,533/s; the set 2,566 schedules in
 *   84.4 ms = 30,414/s, from its per-scenario rows). Every run is checked: the
 *   same count every round, no violation where there is none.
 * - Reduction: optimal DPOR's schedules (and cut paths, transitions) over the
 *   set against sleep sets' at the same bounds.
 * - Scale: the counter-scale scenario (three tasks, one interrupt handler)
 *   exhaustively at bound 2, against 60 s; given up at 90 s.
 * - Parallel: percpu-counter exhaustively at bound 4 with --jobs 2 against
 *   --jobs 1 (wall time, the same schedules and cut paths), against 1.7×.
 * - Per scenario: optimal's count, with sleep-set and naive counts in the note.
 */
import { measureExplorer, measureScale } from '../../src/explore/bench.js';
import { exploreExhaustive, exploreRandom, type ExploreResult, type Reduction } from '../../src/explore/explorer.js';
import { exploreParallel } from '../../src/explore/parallel.js';
import { incIrq } from '../../src/explore/scenarios/inc-irq.js';
import { getScenario } from '../../src/explore/scenarios/index.js';
import type { BenchGroup, GroupContext, GroupOutput } from '../lib/group.js';
import { BenchCheckError, timeNs } from '../lib/harness.js';
import { skipRow, valueRow } from '../lib/report.js';

/** Committed report of commit 102e806 (before snapshots and optimal DPOR). */
const BEFORE_INC_IRQ = 32_533;
const BEFORE_SET = 30_414;

function checked(r: ExploreResult, what: string): ExploreResult {
  if (r.violations.length > 0) throw new BenchCheckError(`${what}: found a violation in ${incIrq.name}, which has none: ${r.violations[0].message}`);
  if (r.schedules <= 0) throw new BenchCheckError(`${what}: ran no schedule`);
  return r;
}

function exhaustiveRate(ctx: GroupContext, reduction: Reduction): { samples: number[]; count: number } {
  const samples: number[] = [];
  let count = -1;
  for (let r = -ctx.warmup; r < ctx.rounds; r++) {
    const e = timeNs(() => checked(exploreExhaustive(incIrq, { countStates: false, reduction }), `exhaustive ${reduction}`));
    const res = e.value as ExploreResult;
    if (!res.complete) throw new BenchCheckError('exhaustive: the bounded space was not covered');
    if (count >= 0 && res.schedules !== count) throw new BenchCheckError(`exhaustive: ${res.schedules} schedules this round, ${count} before: not deterministic`);
    count = res.schedules;
    if (r >= 0) samples.push(res.schedules / (e.ns / 1e9));
  }
  return { samples, count };
}

/** percpu-counter at bound 4 with one and two threads: wall times, best of the rounds; the counts must agree. */
async function jobsSpeedup(ctx: GroupContext): Promise<{ one: number; two: number; schedules: number }> {
  const s = getScenario('percpu-counter');
  const o = { bound: 4, countStates: false, traceViolations: false } as const;
  let one = Infinity;
  let two = Infinity;
  let schedules = -1;
  for (let r = 0; r < Math.max(1, ctx.rounds >> 1); r++) {
    const t1 = performance.now();
    const a = await exploreParallel(s, { ...o, jobs: 1 });
    const t2 = performance.now();
    const b = await exploreParallel(s, { ...o, jobs: 2 });
    const t3 = performance.now();
    if (a.schedules !== b.schedules || a.sleepBlocked !== b.sleepBlocked || !a.complete || !b.complete) {
      throw new BenchCheckError(`jobs: --jobs 1 ran ${a.schedules} schedules (${a.sleepBlocked} cut), --jobs 2 ${b.schedules} (${b.sleepBlocked} cut)`);
    }
    schedules = a.schedules;
    one = Math.min(one, t2 - t1);
    two = Math.min(two, t3 - t2);
  }
  return { one, two, schedules };
}

const group: BenchGroup = {
  async run(ctx: GroupContext): Promise<GroupOutput> {
    const randomN = ctx.size(2_000, 50);
    const sleep = exhaustiveRate(ctx, 'sleep');
    const optimal = exhaustiveRate(ctx, 'optimal');
    const random: number[] = [];
    for (let r = -ctx.warmup; r < ctx.rounds; r++) {
      const x = timeNs(() => checked(exploreRandom(incIrq, randomN, 1, { countStates: false }), 'random'));
      if ((x.value as ExploreResult).schedules !== randomN) throw new BenchCheckError(`random: ran ${(x.value as ExploreResult).schedules} of ${randomN} schedules`);
      if (r >= 0) random.push(randomN / (x.ns / 1e9));
    }
    // A quick run only checks the harness: no warm-up for the per-scenario figures.
    const figures = measureExplorer({ runs: ctx.rounds > 1 ? 2 : 1, warmup: ctx.rounds > 1 });
    const perScenario = figures.scenarios.map((f) => {
      if ((f.violations > 0) !== (f.expect === 'violation')) {
        throw new BenchCheckError(`${f.name}: ${f.violations} violation(s), but the scenario is expected to be ${f.expect === 'violation' ? 'buggy' : 'clean'}`);
      }
      if (f.optimal.schedules > f.sleep.schedules) throw new BenchCheckError(`${f.name}: optimal ran ${f.optimal.schedules} schedules, sleep sets ${f.sleep.schedules}`);
      return valueRow({
        id: `explore.scenario.${f.name}`, group: 'explore', title: `${f.name}: schedules to cover the bounded space (bound ${f.bound}, optimal DPOR)`,
        formula: 'exhaustive schedules, optimal DPOR', unit: 'schedules', samples: [f.optimal.schedules], target: null,
        note: `cut ${f.optimal.cut}; sleep sets ${f.sleep.schedules} (+${f.sleep.cut} cut); naive ${f.naiveSchedules}; `
          + `distinct states ${f.distinctStates}, violating ${f.violations}; ${Math.round(f.optimal.schedules / (f.optimal.ms / 1000))} schedules/s`,
      });
    });
    const t = figures.totals;
    const scale = ctx.quick
      ? null
      : measureScale({ bound: 2, timeLimitMs: 90_000 });
    const jobs = ctx.quick ? null : await jobsSpeedup(ctx);
    return {
      rows: [
        valueRow({
          id: 'explore.exhaustive', group: 'explore', title: `explorer, exhaustive (${incIrq.name}, sleep sets): schedules per second`,
          formula: 'schedules ÷ seconds', unit: 'schedules/s', samples: sleep.samples, target: { op: '>=', value: 10 * BEFORE_INC_IRQ },
          note: `${sleep.count} schedules cover the bounded space; target 10 × ${BEFORE_INC_IRQ} (committed report before snapshots)`,
        }),
        valueRow({
          id: 'explore.exhaustive.optimal', group: 'explore', title: `explorer, exhaustive (${incIrq.name}, optimal DPOR): schedules per second`,
          formula: 'schedules ÷ seconds', unit: 'schedules/s', samples: optimal.samples, target: null, note: `${optimal.count} schedules`,
        }),
        valueRow({
          id: 'explore.random', group: 'explore', title: `explorer, random (${incIrq.name}): schedules per second`,
          formula: 'schedules ÷ seconds', unit: 'schedules/s', samples: random, target: null, note: `${randomN} random schedules per round`,
        }),
        valueRow({
          id: 'explore.set.sleep', group: 'explore', title: 'explorer, every shipped scenario exhaustively (sleep sets): schedules per second',
          formula: 'Σ schedules ÷ Σ fastest seconds', unit: 'schedules/s', samples: [figures.schedulesPerSecond], target: { op: '>=', value: 10 * BEFORE_SET },
          note: `${t.sleep.schedules} schedules in ${t.sleep.ms.toFixed(1)} ms; target 10 × ${BEFORE_SET}`,
        }),
        valueRow({
          id: 'explore.set.optimal', group: 'explore', title: 'explorer, every shipped scenario exhaustively (optimal DPOR): schedules per second',
          formula: 'Σ schedules ÷ Σ fastest seconds', unit: 'schedules/s', samples: [figures.optimalSchedulesPerSecond], target: { op: '>=', value: 10 * BEFORE_SET },
          note: `${t.optimal.schedules} schedules in ${t.optimal.ms.toFixed(1)} ms`,
        }),
        valueRow({
          id: 'explore.reduction', group: 'explore', title: 'optimal DPOR ÷ sleep sets: schedules over the shipped scenarios (same bounds)',
          formula: 'Σ optimal schedules ÷ Σ sleep-set schedules', unit: '×', samples: [t.optimal.schedules / t.sleep.schedules], target: { op: '<=', value: 0.5 },
          note: `${t.optimal.schedules} vs ${t.sleep.schedules}; both run one schedule per trace class, so only cut paths and replays differ: `
            + `cut ${t.optimal.cut} vs ${t.sleep.cut}, transitions ${t.optimal.transitions} vs ${t.sleep.transitions}`,
        }),
        scale === null
          ? skipRow({ id: 'explore.scale', group: 'explore', title: 'counter-scale, exhaustive at bound 2 (optimal DPOR)', formula: 'seconds', unit: 's', target: { op: '<=', value: 60 }, reason: 'quick mode' })
          : valueRow({
            id: 'explore.scale', group: 'explore', title: 'counter-scale (3 tasks × 16 steps + an interrupt), exhaustive at bound 2 (optimal DPOR)',
            formula: 'seconds to cover the bounded space (given up at 90 s)', unit: 's', samples: [scale.ms / 1000], target: { op: '<=', value: 60 },
            note: `${scale.complete ? 'complete' : 'NOT complete (given up)'}: ${scale.schedules} schedules, ${scale.cut} cut, ${scale.violations} violating`,
          }),
        jobs === null
          ? skipRow({ id: 'explore.jobs2', group: 'explore', title: 'percpu-counter at bound 4: --jobs 2 against --jobs 1', formula: 'wall time, --jobs 1 ÷ --jobs 2', unit: '×', target: { op: '>=', value: 1.7 }, reason: 'quick mode' })
          : valueRow({
            id: 'explore.jobs2', group: 'explore', title: 'percpu-counter at bound 4: --jobs 2 against --jobs 1',
            formula: 'wall time, --jobs 1 ÷ --jobs 2 (best of the rounds)', unit: '×', samples: [jobs.one / jobs.two], target: { op: '>=', value: 1.7 },
            note: `${jobs.schedules} schedules each; --jobs 1 ${(jobs.one / 1000).toFixed(1)} s, --jobs 2 ${(jobs.two / 1000).toFixed(1)} s (the main thread and one worker)`,
          }),
        ...perScenario,
      ],
    };
  },
};
export default group;
