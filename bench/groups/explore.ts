/**
 * The interleaving explorer's speed: schedules per second for the inc-irq
 * scenario (two tasks and an interrupt handler doing this_cpu_inc), explored
 * exhaustively within its bound and at random. Each run is checked: the
 * exhaustive search covers the whole bounded space with the same number of
 * schedules every time, and neither mode finds a violation (the scenario has none).
 * Then every shipped scenario: the schedules its exhaustive search takes to
 * cover the bounded space, against the naive count without the reduction, and
 * whether the verdict is the expected one.
 */
import { measureExplorer } from '../../src/explore/bench.js';
import { exploreExhaustive, exploreRandom, type ExploreResult } from '../../src/explore/explorer.js';
import { incIrq } from '../../src/explore/scenarios/inc-irq.js';
import type { BenchGroup, GroupContext, GroupOutput } from '../lib/group.js';
import { BenchCheckError, timeNs } from '../lib/harness.js';
import { valueRow } from '../lib/report.js';

function checked(r: ExploreResult, what: string): ExploreResult {
  if (r.violations.length > 0) throw new BenchCheckError(`${what}: found a violation in ${incIrq.name}, which has none: ${r.violations[0].message}`);
  if (r.schedules <= 0) throw new BenchCheckError(`${what}: ran no schedule`);
  return r;
}

const group: BenchGroup = {
  run(ctx: GroupContext): GroupOutput {
    const randomN = ctx.size(2_000, 50);
    const exhaustive: number[] = [];
    const random: number[] = [];
    let count = -1;
    for (let r = -ctx.warmup; r < ctx.rounds; r++) {
      const e = timeNs(() => checked(exploreExhaustive(incIrq, { countStates: false }), 'exhaustive'));
      const res = e.value as ExploreResult;
      if (!res.complete) throw new BenchCheckError('exhaustive: the bounded space was not covered');
      if (count >= 0 && res.schedules !== count) throw new BenchCheckError(`exhaustive: ${res.schedules} schedules this round, ${count} before: not deterministic`);
      count = res.schedules;
      const x = timeNs(() => checked(exploreRandom(incIrq, randomN, 1, { countStates: false }), 'random'));
      if ((x.value as ExploreResult).schedules !== randomN) throw new BenchCheckError(`random: ran ${(x.value as ExploreResult).schedules} of ${randomN} schedules`);
      if (r < 0) continue;
      exhaustive.push(res.schedules / (e.ns / 1e9));
      random.push(randomN / (x.ns / 1e9));
    }
    // A quick run only checks the harness: no warm-up for the per-scenario figures.
    const figures = measureExplorer({ runs: ctx.rounds > 1 ? 2 : 1, warmup: ctx.rounds > 1 });
    const perScenario = figures.scenarios.map((f) => {
      if ((f.violations > 0) !== (f.expect === 'violation')) {
        throw new BenchCheckError(`${f.name}: ${f.violations} violation(s), but the scenario is expected to be ${f.expect === 'violation' ? 'buggy' : 'clean'}`);
      }
      return valueRow({
        id: `explore.scenario.${f.name}`, group: 'explore', title: `${f.name}: schedules to cover the bounded space (bound ${f.bound})`,
        formula: 'exhaustive schedules with sleep sets', unit: 'schedules', samples: [f.schedules], target: null,
        note: `naive ${f.naiveSchedules}, distinct states ${f.distinctStates}, violating schedules ${f.violations}, ${Math.round(f.schedulesPerSecond)} schedules/s`,
      });
    });
    return {
      rows: [
        valueRow({
          id: 'explore.exhaustive', group: 'explore', title: `explorer, exhaustive (${incIrq.name}, sleep sets): schedules per second`,
          formula: 'schedules ÷ seconds', unit: 'schedules/s', samples: exhaustive, target: null, note: `${count} schedules cover the bounded space`,
        }),
        valueRow({
          id: 'explore.random', group: 'explore', title: `explorer, random (${incIrq.name}): schedules per second`,
          formula: 'schedules ÷ seconds', unit: 'schedules/s', samples: random, target: null, note: `${randomN} random schedules per round`,
        }),
        ...perScenario,
      ],
    };
  },
};
export default group;
