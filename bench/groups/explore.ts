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
 *   exhaustively at bound 2 with --jobs 2, against 60 s (given up then), and
 *   at bound 1, which completes.
 * - Parallel: counter-scale at bound 1 with --jobs 2 against --jobs 1 (wall
 *   time, the same schedules and cut paths), against 1.7×.
 * - Per scenario: optimal's count, with sleep-set and naive counts in the note.
 */
import { measureExplorer, measureScale, type ScaleFigures } from '../../src/explore/bench.js';
import { exploreExhaustive, exploreRandom, type ExploreResult, type Reduction } from '../../src/explore/explorer.js';
import { incIrq } from '../../src/explore/scenarios/inc-irq.js';
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

/** Schedules of counter-scale at bound 1 and 2 (golden: a changed count is a failed check, not a figure). */
const SCALE_BOUND1 = 31_118;
const SCALE_BOUND2 = 544_954;

/** counter-scale at bound 1 with one and two threads: wall times; both must cover the space with the known count. */
async function scaleJobs(): Promise<{ one: ScaleFigures; two: ScaleFigures }> {
  const one = await measureScale({ bound: 1, jobs: 1 });
  const two = await measureScale({ bound: 1, jobs: 2 });
  for (const r of [one, two]) {
    if (!r.complete || r.schedules !== SCALE_BOUND1 || r.violations !== 0) {
      throw new BenchCheckError(`scale: --jobs ${r.jobs} at bound 1 ran ${r.schedules} schedules (${r.complete ? 'complete' : 'not complete'}, ${r.violations} violating), expected ${SCALE_BOUND1}, none violating`);
    }
  }
  if (one.cut !== two.cut) throw new BenchCheckError(`scale: --jobs 1 cut ${one.cut} paths, --jobs 2 ${two.cut}`);
  return { one, two };
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
    // Quiet machine only: the two threads need both cores.
    const jobs = ctx.quick ? null : await scaleJobs();
    const scale = ctx.quick ? null : await measureScale({ bound: 2, jobs: 2, timeLimitMs: 60_000 });
    if (scale !== null && scale.complete && (scale.schedules !== SCALE_BOUND2 || scale.violations !== 0)) {
      throw new BenchCheckError(`scale: bound 2 ran ${scale.schedules} schedules (${scale.violations} violating), expected ${SCALE_BOUND2}, none violating`);
    }
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
          ? skipRow({ id: 'explore.scale', group: 'explore', title: 'counter-scale, exhaustive at bound 2 (optimal DPOR, --jobs 2)', formula: 'seconds', unit: 's', target: { op: '<=', value: 60 }, reason: 'quick mode' })
          : valueRow({
            id: 'explore.scale', group: 'explore', title: 'counter-scale (3 tasks × 16 steps + an interrupt), exhaustive at bound 2 (optimal DPOR, --jobs 2)',
            formula: 'wall seconds to cover the bounded space (given up at 60 s)', unit: 's', samples: [scale.ms / 1000], target: { op: '<=', value: 60 },
            note: `${scale.complete ? 'complete' : 'NOT complete (given up at 60 s)'}: ${scale.schedules} schedules, ${scale.cut} cut, ${scale.violations} violating`
              + `${scale.complete ? '' : ` in the tasks merged when time ran out (in task order, as --jobs 1 would have run them; the threads ran more) of ${SCALE_BOUND2}`}`,
          }),
        jobs === null
          ? skipRow({ id: 'explore.scale.bound1', group: 'explore', title: 'counter-scale, exhaustive at bound 1 (optimal DPOR, --jobs 2)', formula: 'seconds', unit: 's', target: null, reason: 'quick mode' })
          : valueRow({
            id: 'explore.scale.bound1', group: 'explore', title: 'counter-scale, exhaustive at bound 1 (optimal DPOR, --jobs 2)',
            formula: 'wall seconds to cover the bounded space', unit: 's', samples: [jobs.two.ms / 1000], target: null,
            note: `complete: ${jobs.two.schedules} schedules, ${jobs.two.cut} cut, none violating; ${Math.round(jobs.two.schedules / (jobs.two.ms / 1000))} schedules/s on two threads`,
          }),
        jobs === null
          ? skipRow({ id: 'explore.jobs2', group: 'explore', title: 'counter-scale at bound 1: --jobs 2 against --jobs 1', formula: 'wall time, --jobs 1 ÷ --jobs 2', unit: '×', target: { op: '>=', value: 1.7 }, reason: 'quick mode' })
          : valueRow({
            id: 'explore.jobs2', group: 'explore', title: 'counter-scale at bound 1: --jobs 2 against --jobs 1',
            formula: 'wall time, --jobs 1 ÷ --jobs 2 (one round each)', unit: '×', samples: [jobs.one.ms / jobs.two.ms], target: { op: '>=', value: 1.7 },
            note: `${jobs.one.schedules} schedules each; --jobs 1 ${(jobs.one.ms / 1000).toFixed(1)} s, --jobs 2 ${(jobs.two.ms / 1000).toFixed(1)} s (the main thread and one worker); needs two idle cores`,
          }),
        ...perScenario,
      ],
    };
  },
};
export default group;
