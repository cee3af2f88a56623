/**
 * --estimate: Knuth's estimator over random probes of the sleep-set tree (the
 * schedules the reduced searches run) and of the naive tree; exact where the
 * tree is a single path, close to the true counts elsewhere, reproducible from
 * its seed, and checked arguments.
 */
import { describe, expect, it } from 'vitest';
import { formatEstimate, parseExploreArgs } from '../src/cli/explore.js';
import { estimateSchedules } from '../src/explore/estimate.js';
import { exploreExhaustive } from '../src/explore/explorer.js';
import { incIrq, percpuCounter, rmwPtr, rmwPtrGetCpu } from '../src/explore/scenarios/index.js';

describe('estimateSchedules', () => {
  it('a tree that is one path is estimated exactly, with no error', () => {
    const e = estimateSchedules(rmwPtr, { bound: 0, probes: 20 });
    expect([e.schedules, e.naive, e.relativeError, e.probes, e.meanLength]).toEqual([1, 1, 0, 20, 6]);
  });

  it('close to the counts the searches run: within three standard errors, and the same figures from the same seed', () => {
    for (const s of [incIrq, percpuCounter, rmwPtrGetCpu]) {
      const e = estimateSchedules(s);
      const exact = exploreExhaustive(s, { maxViolations: Infinity, countStates: false, traceViolations: false }).schedules;
      expect(Math.abs(e.schedules - exact), s.name).toBeLessThanOrEqual(3 * e.relativeError * e.schedules);
      expect(estimateSchedules(s).schedules, s.name).toBe(e.schedules);
    }
    const e = estimateSchedules(incIrq);
    expect([Math.round(e.schedules), Math.round(e.naive), Math.round(e.relativeError * 100)]).toEqual([709, 1009, 15]);
    expect(Math.round(estimateSchedules(incIrq, { seed: 2 }).schedules)).not.toBe(709);
  });

  it('the budgets shape the tree it probes', () => {
    expect(estimateSchedules(rmwPtr, { preemptions: 0, migrations: 0 }).schedules).toBe(1);
    expect(estimateSchedules(incIrq, { irqs: 0, bound: 0 }).naive).toBe(estimateSchedules(incIrq, { irqs: 0, bound: 0 }).schedules);
  });

  it('the estimate line, and checked arguments', () => {
    expect(formatEstimate(estimateSchedules(incIrq))).toBe('estimate:           about 709 schedules ±15 % (200 random probes; the naive search: about 1009)');
    expect(() => estimateSchedules(incIrq, { probes: 0 })).toThrow('explore: probes must be a positive integer, got 0');
    expect(() => estimateSchedules(incIrq, { probes: Infinity })).toThrow('explore: probes must be a finite positive integer, got Infinity');
    expect(() => estimateSchedules(incIrq, { seed: -1 })).toThrow('explore: seed must be an integer from 0 to 4294967295, got -1');
    expect(() => estimateSchedules(null as never)).toThrow('explore: expected a scenario');
    expect(parseExploreArgs(['inc-irq', '--estimate']).estimate).toBe(true);
    expect(() => parseExploreArgs(['inc-irq', '--estimate', '--random', '3'])).toThrow('--estimate applies to the exhaustive search only, not to --random');
  });
});
