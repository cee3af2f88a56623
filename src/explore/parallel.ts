/**
 * The exhaustive search on several worker threads (`--jobs N`).
 *
 * The top of the tree is split into tasks exactly as the sequential search
 * splits it (partition() does not depend on the number of jobs); workers take
 * the next task as they become free, and the outcomes are merged in task
 * order, stopping exactly where the sequential search stops. So the verdict,
 * the violations and their order, every count and every replay string are
 * those of --jobs 1; only the time differs. Workers load the scenario by name,
 * so the parallel search runs the shipped scenarios.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { MODULE_EXT, workerBootstrapSource } from '../threads/bootstrap.js';
import type { Scenario } from '../sched/task.js';
import {
  Merge, exploreExhaustive, partition, searchLimits, type ExploreOptions, type ExploreResult,
} from './explorer.js';
import { getScenario } from './scenarios/index.js';
import type { OutcomeMessage, TaskMessage } from './worker.js';

/** Explores with `jobs` worker threads; jobs = 1 is the sequential search. */
export async function exploreParallel(s: Scenario, o: ExploreOptions & { jobs: number }): Promise<ExploreResult> {
  const jobs = o.jobs;
  if (!Number.isInteger(jobs) || jobs < 1 || jobs > 256) throw new RangeError(`explore: jobs must be an integer from 1 to 256, got ${String(jobs)}`);
  if (jobs === 1) return exploreExhaustive(s, o);
  if (o.checkpoint !== undefined) throw new RangeError('explore: checkpoint works with jobs 1 (a checkpoint saves one depth-first walk)');
  let shipped: Scenario | null = null;
  try {
    shipped = getScenario(s.name);
  } catch {
    shipped = null;
  }
  if (shipped !== s) throw new RangeError(`explore: the parallel search loads scenarios by name in its workers; '${s.name}' is not a shipped scenario (use jobs 1)`);
  const lim = searchLimits(s, o);
  const t0 = performance.now();
  const states = lim.countStates ? new Set<string>() : null;
  const { tasks, transitions } = partition(s, lim, states);
  const merge = new Merge(lim, transitions);
  const wantSchedules = o.onSchedule !== undefined;
  const coverage = o.coverage === true ? new Set<string>() : null;
  const results: (OutcomeMessage | undefined)[] = new Array(tasks.length);
  let merged = 0;
  let progressAt = 0;
  let next = 0;
  let over = false;
  const source = workerBootstrapSource(new URL(`./worker${MODULE_EXT}`, import.meta.url));
  const workers = Array.from({ length: Math.min(jobs, tasks.length) }, () => new Worker(source, { eval: true }));
  try {
    await new Promise<void>((resolve, reject) => {
      let running = 0;
      const feed = (w: Worker): void => {
        if (over || next >= tasks.length) {
          if (running === 0) resolve();
          return;
        }
        const msg: TaskMessage = { scenario: s.name, index: next, task: tasks[next]!, lim, wantSchedules, wantCoverage: coverage !== null };
        next++;
        running++;
        w.postMessage(msg);
      };
      for (const w of workers) {
        w.on('message', (r: OutcomeMessage) => {
          running--;
          if (r.error !== null) {
            over = true;
            reject(new Error(`explore: a worker failed on task ${r.index}: ${r.error}`));
            return;
          }
          results[r.index] = r;
          // Merge every outcome that is next in task order.
          while (!over && merged < tasks.length && results[merged] !== undefined) {
            const x = results[merged]!;
            results[merged] = undefined;
            merged++;
            if (x.states !== null) for (const k of x.states) states!.add(k);
            if (x.coverage !== null) for (const k of x.coverage) coverage!.add(k);
            if (x.schedules !== null) for (const [sc, v] of x.schedules) o.onSchedule!(sc, v);
            if (!merge.add(x.outcome)) over = true;
            if (o.onProgress !== undefined && merge.schedules - progressAt >= 64) {
              progressAt = merge.schedules;
              o.onProgress({ schedules: merge.schedules, states: states?.size ?? 0, violations: merge.violations.length, elapsedMs: performance.now() - t0, total: null });
            }
          }
          if (over || merged >= tasks.length) {
            over = true;
            resolve();
            return;
          }
          feed(w);
        });
        w.on('error', (e) => {
          over = true;
          reject(e);
        });
        feed(w);
      }
    });
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return {
    scenario: s.name, mode: 'exhaustive', bound: lim.budgets.bound, budgets: lim.budgets, reduction: lim.reduction, schedules: merge.schedules, sleepBlocked: merge.cut,
    transitions: merge.transitions, distinctStates: states?.size ?? 0, violations: merge.violations, complete: merge.stopped === null,
    stopped: merge.stopped, elapsedMs: performance.now() - t0, ...(coverage === null ? {} : { coverage: [...coverage].sort() }),
  };
}

/** CPUs this process may use: the default for --jobs. */
export function defaultJobs(): number {
  return availableParallelism();
}
