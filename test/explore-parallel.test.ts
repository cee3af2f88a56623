/**
 * --jobs: the parallel search gives exactly the sequential result — verdict,
 * violations in order with their traces and replay strings, every count, the
 * order of the schedules, the coverage — only sooner, and under separate budgets too.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { exploreExhaustive, partition, searchLimits, type ExploreOptions, type ExploreResult } from '../src/explore/explorer.js';
import { exploreParallel, workerSource } from '../src/explore/parallel.js';
import { counterScale, getScenario, rmwPtr } from '../src/explore/scenarios/index.js';
import type { Scenario } from '../src/sched/task.js';

const timeless = (r: ExploreResult) => ({ ...r, elapsedMs: 0 });

async function both(s: Scenario, o: ExploreOptions): Promise<void> {
  const seq: string[] = [];
  const par: string[] = [];
  const a = exploreExhaustive(s, { ...o, onSchedule: (x, v) => seq.push(`${x} ${v ?? ''}`) });
  const b = await exploreParallel(s, { ...o, jobs: 2, onSchedule: (x, v) => par.push(`${x} ${v ?? ''}`) });
  expect(timeless(b)).toEqual(timeless(a));
  expect(par).toEqual(seq);
}

describe('parallel search', () => {
  it('every violation of raw-add-arm64, in the same order, with the same counts and traces', async () => {
    await both(getScenario('raw-add-arm64'), { maxViolations: Infinity, coverage: true });
  }, 60_000);

  it('the same under separate budgets', async () => {
    await both(rmwPtr, { maxViolations: Infinity, preemptions: 1, migrations: 1 });
  }, 60_000);

  it('stops at the same first violation (rmw-ptr), sleep sets as well', async () => {
    await both(rmwPtr, {});
    await both(rmwPtr, { reduction: 'sleep' });
  }, 60_000);

  it('long schedules: the prefixes of steps alone are split further (counter-scale), with the same results', async () => {
    const { tasks, transitions } = partition(counterScale, searchLimits(counterScale, { bound: 0 }), null);
    expect([tasks.length, transitions, Math.max(...tasks.map((t) => t.prefix.length))]).toEqual([148, 2878, 16]);
    // Below the usual three levels, only the children of prefixes of steps alone.
    expect(tasks.filter((t) => t.prefix.length > 3).every((t) => t.prefix.slice(0, -1).every((tok) => /^\d+$/.test(tok)))).toBe(true);
    await both(counterScale, { bound: 0, maxViolations: Infinity, countStates: false, traceViolations: false });
  }, 60_000);

  it('from the TypeScript sources a worker runs the bundle of its entry (no tsx loader to start), made beside the checkout', async () => {
    const source = await workerSource();
    const bundle = new URL('../.percpu-cc/bin/src-explore-worker.mjs', import.meta.url).href;
    expect(source).toBe(`import(${JSON.stringify(bundle)});`);
    // The bundle carries the scenarios the workers load by name.
    expect(/name: ["']counter-scale["']/.test(readFileSync(new URL(bundle), 'utf8'))).toBe(true);
  });

  it('refuses a bad job count and a scenario its workers cannot load by name', async () => {
    await expect(exploreParallel(rmwPtr, { jobs: 0 })).rejects.toThrow(new RangeError('explore: jobs must be an integer from 1 to 256, got 0'));
    const mine: Scenario = { ...rmwPtr, name: 'mine' };
    await expect(exploreParallel(mine, { jobs: 2 })).rejects.toThrow(
      new RangeError("explore: the parallel search loads scenarios by name in its workers; 'mine' is not a shipped scenario (use jobs 1)"),
    );
  });
});
