/**
 * The exhaustive search on several threads (`--jobs N`).
 *
 * The top of the tree is split into tasks exactly as the sequential search
 * splits it (partition() does not depend on the number of jobs). The main
 * thread and N − 1 workers take the next task from one counter they share
 * (Atomics.add on a SharedArrayBuffer), so a thread that finishes a task takes
 * the next at once, without waiting for the main thread to hand it one, and
 * the main thread explores from the start while the workers are still
 * starting up (under tsx a worker compiles the sources first, which takes a
 * second or more). Outcomes are merged in task order, stopping exactly where
 * the sequential search stops; then the threads are told to take no more. So
 * the verdict, the violations and their order, every count and every replay
 * string are those of --jobs 1; only the time differs. Workers load the
 * scenario by name, so the parallel search runs the shipped scenarios.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { MODULE_EXT, RUNNING_AS_TYPESCRIPT, workerBootstrapSource } from '../threads/bootstrap.js';
import type { Scenario } from '../sched/task.js';
import {
  Merge, exploreExhaustive, exploreTask, partition, searchLimits, type ExploreOptions, type ExploreResult, type SearchLimits, type SearchTask,
  type TaskOutcome,
} from './explorer.js';
import { getScenario } from './scenarios/index.js';

/** Index in the shared control words of the next task to take (Atomics.add), a position in SearchMessage.order. */
export const NEXT_TASK = 0;
/** Set to 1 when the merged result is final: take no more tasks. */
export const SEARCH_OVER = 1;

/** What a worker is started with: every task, and the control words it shares with the other threads. */
export interface SearchMessage {
  readonly scenario: string;
  readonly tasks: readonly SearchTask[];
  /** The order tasks are taken in (indices into `tasks`): see takeOrder(). */
  readonly order: readonly number[];
  readonly lim: SearchLimits;
  readonly wantSchedules: boolean;
  readonly wantCoverage: boolean;
  /** Int32Array words NEXT_TASK and SEARCH_OVER. */
  readonly control: SharedArrayBuffer;
}

/** What a thread found in one task. */
export interface OutcomeMessage {
  readonly kind: 'outcome';
  readonly index: number;
  readonly outcome: TaskOutcome;
  readonly states: string[] | null;
  readonly schedules: [string, string | null][] | null;
  readonly coverage: string[] | null;
}

/** A worker stopped taking tasks; `error` when it failed (on task `index`). */
export interface DoneMessage {
  readonly kind: 'done';
  readonly index: number;
  readonly error: string | null;
}

/**
 * The order the threads take tasks in: those whose prefix used fewer of the
 * scheduler's choices (preemptions, migrations, injections) first, in task
 * order otherwise. Such a task has more of the bound left below it, so it is
 * usually one of the largest, and starting the largest first keeps one
 * thread from finishing a big task alone at the end. The merge is in task
 * order whatever the order they ran in, so the result does not change.
 */
export function takeOrder(tasks: readonly SearchTask[]): number[] {
  const choices = tasks.map((t) => t.prefix.reduce((n, tok) => n + (/^\d/.test(tok) ? 0 : 1), 0));
  return tasks.map((_, i) => i).sort((a, b) => choices[a]! - choices[b]! || a - b);
}

/** Explores task `index` and reports it (workers and the main thread alike). */
export function runTask(s: Scenario, msg: Omit<SearchMessage, 'control' | 'scenario' | 'order'>, index: number): OutcomeMessage {
  const states = msg.lim.countStates ? new Set<string>() : null;
  const schedules: [string, string | null][] | null = msg.wantSchedules ? [] : null;
  const coverage = msg.wantCoverage ? new Set<string>() : null;
  const outcome = exploreTask(s, msg.tasks[index]!, msg.lim, states, schedules === null ? undefined : (x, v) => schedules.push([x, v]), null, null, coverage);
  return { kind: 'outcome', index, outcome, states: states === null ? null : [...states], schedules, coverage: coverage === null ? null : [...coverage] };
}

/**
 * What a worker runs. From the TypeScript sources (a checkout, under tsx), the
 * worker entry bundled into one module by esbuild, as percpu-cc runs there
 * (bin/launch.mjs bundle(): made again when a source it was made from
 * changed): a worker that registers tsx's loader and has every source
 * compiled through it took 2 s or more to start on a loaded machine, the main
 * thread meanwhile exploring alone, which on a search of seconds was most of
 * what a second thread could save. Compiled JavaScript, or a checkout where
 * the bundle cannot be made: the usual bootstrap.
 */
export async function workerSource(): Promise<string> {
  const entry = new URL(`./worker${MODULE_EXT}`, import.meta.url);
  if (!RUNNING_AS_TYPESCRIPT) return workerBootstrapSource(entry);
  try {
    const root = new URL('../../', import.meta.url);
    const launch = await import(new URL('bin/launch.mjs', root).href) as { bundle(root: URL, entry: string): Promise<string> };
    return `import(${JSON.stringify(await launch.bundle(root, 'src/explore/worker'))});`;
  } catch {
    return workerBootstrapSource(entry);
  }
}

/** Explores with `jobs` threads (the main thread and jobs − 1 workers); jobs = 1 is the sequential search. */
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
  // The workers load their modules while this thread splits the tree.
  const source = await workerSource();
  const workers: Worker[] = [];
  for (let k = 0; k < jobs - 1; k++) workers.push(new Worker(source, { eval: true }));
  const states = lim.countStates ? new Set<string>() : null;
  let split: ReturnType<typeof partition>;
  try {
    split = partition(s, lim, states);
  } catch (e) {
    await Promise.all(workers.map((w) => w.terminate()));
    throw e;
  }
  const { tasks, transitions } = split;
  const merge = new Merge(lim, transitions);
  const coverage = o.coverage === true ? new Set<string>() : null;
  const control = new SharedArrayBuffer(8);
  const ctl = new Int32Array(control);
  const order = takeOrder(tasks);
  const msg: SearchMessage = { scenario: s.name, tasks, order, lim, wantSchedules: o.onSchedule !== undefined, wantCoverage: coverage !== null, control };
  const results: (OutcomeMessage | undefined)[] = new Array(tasks.length);
  let merged = 0;
  let progressAt = 0;
  const over = (): boolean => Atomics.load(ctl, SEARCH_OVER) !== 0;
  /** Merges every outcome that is next in task order. */
  const drain = (): void => {
    while (!over() && merged < tasks.length && results[merged] !== undefined) {
      const x = results[merged]!;
      results[merged] = undefined;
      merged++;
      if (x.states !== null) for (const k of x.states) states!.add(k);
      if (x.coverage !== null) for (const k of x.coverage) coverage!.add(k);
      if (x.schedules !== null) for (const [sc, v] of x.schedules) o.onSchedule!(sc, v);
      if (!merge.add(x.outcome)) Atomics.store(ctl, SEARCH_OVER, 1);
      if (o.onProgress !== undefined && merge.schedules - progressAt >= 64) {
        progressAt = merge.schedules;
        o.onProgress({ schedules: merge.schedules, states: states?.size ?? 0, violations: merge.violations.length, elapsedMs: performance.now() - t0, total: null });
      }
    }
    if (merged >= tasks.length) Atomics.store(ctl, SEARCH_OVER, 1);
  };
  let failure: Error | null = null;
  let live = 0;
  let wake: (() => void) | null = null;
  const notify = (): void => {
    const w = wake;
    wake = null;
    w?.();
  };
  // More workers than tasks to share: the spare ones are let go at once (not awaited: the others' listeners come first).
  for (const w of workers.splice(Math.max(Math.min(jobs - 1, tasks.length - 1), 0))) void w.terminate();
  for (const w of workers) {
    live++;
    w.on('message', (r: OutcomeMessage | DoneMessage) => {
      if (r.kind === 'outcome') {
        results[r.index] = r;
        drain();
      } else {
        live--;
        if (r.error !== null) {
          failure ??= new Error(`explore: a worker failed on task ${r.index}: ${r.error}`);
          Atomics.store(ctl, SEARCH_OVER, 1);
        }
      }
      notify();
    });
    w.on('error', (e) => {
      failure ??= e;
      live--;
      Atomics.store(ctl, SEARCH_OVER, 1);
      notify();
    });
    w.postMessage(msg);
  }
  try {
    while (!over()) {
      const k = Atomics.add(ctl, NEXT_TASK, 1);
      if (k >= tasks.length) break;
      const i = order[k]!;
      results[i] = runTask(s, msg, i);
      drain();
      // Let the workers' outcomes in between two tasks.
      await new Promise<void>((r) => setImmediate(r));
    }
    while (!over() && live > 0) {
      await new Promise<void>((r) => {
        wake = r;
      });
    }
  } finally {
    Atomics.store(ctl, SEARCH_OVER, 1);
    await Promise.all(workers.map((w) => w.terminate()));
  }
  if (failure !== null) throw failure;
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
