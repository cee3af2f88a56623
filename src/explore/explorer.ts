/**
 * The interleaving explorer: stateless model checking of a scenario, as CHESS
 * does it. Generators cannot be copied, so each schedule re-runs the scenario
 * from a freshly built world, replaying a prefix of choices and then extending
 * it; the search is a depth-first walk of the tree of choices.
 *
 * Exhaustive mode visits every schedule with at most `bound` preemptions +
 * migrations (interrupts are bounded by their handlers' budgets), minus those
 * the reduction proves redundant. The reduction is sleep sets (Godefroid 1996):
 * after the subtree under transition t has been explored from a state, t is put
 * to sleep in the subtrees of t's later siblings, and stays asleep down a path
 * as long as the transitions taken are independent of it; a sleeping
 * transition is not taken. Two transitions are independent when they touch
 * disjoint things: what runs on different CPUs (`sched:cpu:N`), runqueues the
 * other does not change (`sched:rq:N`), disjoint per-CPU memory (both-reads
 * also commute), different named resources (docs/explorer.md, "The
 * dependence relation"). Preemptions
 * and migrations all touch the bound, so they never commute with one another
 * and reordering independent transitions never changes how much of the bound a
 * schedule uses — which keeps the reduction sound under the bound. The result:
 * at most one schedule per Mazurkiewicz trace (equivalence class of
 * schedules that differ only by swapping adjacent independent transitions);
 * paths whose every remaining transition is asleep end early ("sleep-blocked").
 *
 * Random mode runs N schedules, the i-th choosing uniformly among enabled
 * transitions with a PRNG seeded by seed+i, so any one replays from its seed.
 * Every violation carries the schedule string that replays it exactly.
 */
import { describe } from '../types.js';
import { checkpointHeader, readCheckpoint, writeCheckpoint } from './checkpoint.js';
import { budgetFlags, checkBudgets, resolveBudgets, type BudgetOptions, type Budgets } from '../sched/budget.js';
import {
  Scheduler, formatTraceEntry, parseToken, type Choice, type TraceEntry, type Transition, type ViolationKind,
} from '../sched/scheduler.js';
import type { Scenario } from '../sched/task.js';
import { buildWorld, retireWorld } from './worlds.js';
import {
  REDUCTIONS, childSleep, dependent, detectRaces, disabledSiblings, dropUnstartable, finishChild, happensBefore, isAsleep, makeNode, stopAt,
  type Ev, type Reduction, type SearchNode,
} from './search.js';

export { REDUCTIONS, type Reduction } from './search.js';

/** The preemption bound when neither the caller nor the scenario gives one. */
export const DEFAULT_BOUND = 2;
export const DEFAULT_MAX_STEPS = 10_000;

/**
 * The budgets a run may give (see src/sched/budget.ts): `bound` is preemptions
 * + migrations per schedule (default: the sum of `preemptions` and `migrations`
 * when both are given, else the scenario's bound, else 2).
 */
export type RunBudgets = BudgetOptions;

/** Options of exploreExhaustive() and exploreRandom(). */
export interface ExploreOptions extends RunBudgets {
  /** Exhaustive mode: optimal DPOR (default), sleep sets, or none (every interleaving). */
  reduction?: Reduction;
  /** Stop after this many violations (default 1). */
  maxViolations?: number;
  /** Transitions per schedule before it counts as a livelock (default 10000). */
  maxSteps?: number;
  /** Exhaustive mode gives up after this many schedules (default unlimited). */
  maxSchedules?: number;
  /** Exhaustive mode gives up after this many milliseconds (default unlimited). */
  timeLimitMs?: number;
  /** Count distinct states (default true; off saves the state hashing). */
  countStates?: boolean;
  /** Re-run each violating schedule to record its trace (default true; off for timing runs). */
  traceViolations?: boolean;
  /** Exhaustive and random: called with each complete schedule's string and its violation (or null). */
  onSchedule?: (schedule: string, violation: string | null) => void;
  /** Called about every 64 schedules. */
  onProgress?: (p: Progress) => void;
  /** Exhaustive: save progress to this file and go on from it when it exists (see checkpoint.ts). */
  checkpoint?: string;
  /** How often a checkpoint is written, in ms (default 10000); also when the run stops early. */
  checkpointEveryMs?: number;
  /** Collect which per-CPU memory each instruction touched, in which context, on which CPU (ExploreResult.coverage; see coverage.ts). */
  coverage?: boolean;
  /** Restore a split scenario's machine from a snapshot for each schedule instead of building it (default true; see worlds.ts). */
  snapshots?: boolean;
}

/** Progress reported during a search. */
export interface Progress {
  readonly schedules: number;
  readonly states: number;
  readonly violations: number;
  readonly elapsedMs: number;
  /** Random mode: the number asked for; exhaustive: null (unknown). */
  readonly total: number | null;
}

/** A schedule that broke an invariant or hit a BUG, with its trace and the string that replays it. */
export interface Violation {
  readonly kind: ViolationKind;
  readonly message: string;
  /** 1-based number of the schedule that failed. */
  readonly index: number;
  /** The choices, comma-separated: replays with --schedule. */
  readonly schedule: string;
  /** Random mode: the seed that replays it with --random 1 --seed. */
  readonly seed: number | null;
  /** PCT mode: the depth the seed replays with (--pct D --random 1 --seed S). */
  readonly pct?: number;
  readonly trace: readonly TraceEntry[];
  readonly preemptions: number;
  readonly migrations: number;
  readonly interrupts: number;
  readonly steps: number;
}

/** A search's outcome: schedules run, whether it was complete, and the violations found. */
export interface ExploreResult {
  readonly scenario: string;
  readonly mode: 'exhaustive' | 'random' | 'replay' | 'pct';
  /** Preemptions + migrations per schedule (budgets.bound). */
  readonly bound: number;
  readonly budgets: Budgets;
  /** Exhaustive: the reduction used; random and replay: 'none'. */
  readonly reduction: Reduction;
  /** Complete schedules run (finished or stopped at a violation). */
  readonly schedules: number;
  /** Paths cut short because every enabled transition was asleep (exhaustive with reduction). */
  readonly sleepBlocked: number;
  /** Transitions performed, replays of prefixes included. */
  readonly transitions: number;
  readonly distinctStates: number;
  readonly violations: readonly Violation[];
  /** Exhaustive: the whole bounded space was covered (not stopped early). */
  readonly complete: boolean;
  /** Exhaustive: why the run ended before covering the space (null when complete; random: null). */
  readonly stopped: StopReason | null;
  readonly elapsedMs: number;
  /** With the coverage option: what the instructions touched (coverage.ts turns it into a table). */
  readonly coverage?: readonly string[];
  /** Exhaustive from a checkpoint: the schedules the earlier runs had explored. */
  readonly resumedFrom?: number;
  /** PCT mode: the depth, the steps change points were drawn from and the agents (see pct.ts). */
  readonly pct?: { readonly depth: number; readonly steps: number; readonly agents: number };
}

/** The scenario and options every entry point takes, checked before anything runs; the budgets they give. */
export function budgetsOf(s: Scenario, o: RunBudgets): Budgets {
  if (s === null || typeof s !== 'object' || typeof s.build !== 'function' || typeof s.name !== 'string') {
    throw new TypeError(`explore: expected a scenario (getScenario(name), or an object { name, build, … }), got ${describe(s)}`);
  }
  if (o === null || typeof o !== 'object') throw new TypeError(`explore: options must be an object, got ${describe(o)}`);
  return resolveBudgets(o, s.bound ?? DEFAULT_BOUND, 'explore');
}

/** Checks a count option (`maxSteps`, `maxViolations`, …): a positive integer or Infinity. */
export function positive(name: string, v: number): number {
  if (!(v === Infinity || (Number.isInteger(v) && v >= 1))) throw new RangeError(`explore: ${name} must be a positive integer, got ${String(v)}`);
  return v;
}

/** Re-runs a schedule string with tracing on: the violation's trace. */
export function traced(s: Scenario, budgets: Budgets, schedule: string, maxSteps: number, seed: number | null, index: number): Violation {
  const sch = runSchedule(s, schedule, { ...budgets, maxSteps });
  if (sch.violation === null) {
    throw new Error(`explore: internal error: schedule ${schedule} of ${s.name} violated once and not when replayed (the scenario is not deterministic)`);
  }
  return {
    kind: sch.violationKind!, message: sch.violation, index, schedule: sch.schedule.join(','), seed,
    trace: sch.trace, preemptions: sch.preemptions, migrations: sch.migrations, interrupts: sch.interrupts, steps: sch.steps,
  };
}

/** A violation without its trace (timing runs). */
export function untraced(sch: Scheduler, seed: number | null, index: number): Violation {
  return {
    kind: sch.violationKind!, message: sch.violation!, index, schedule: sch.schedule.join(','), seed,
    trace: [], preemptions: sch.preemptions, migrations: sch.migrations, interrupts: sch.interrupts, steps: sch.steps,
  };
}

function now(): number {
  return performance.now();
}

/** What ended an exhaustive run before the bounded space was covered. */
export type StopReason = 'violations' | 'max-schedules' | 'time-limit';

/** A unit of the exhaustive search: the subtree below a prefix, entered with a sleep set. */
export interface SearchTask {
  readonly prefix: readonly string[];
  readonly sleep: readonly Ev[];
}

/** The settings of an exhaustive search, checked (what a worker needs besides the scenario). */
export interface SearchLimits {
  readonly budgets: Budgets;
  readonly reduction: Reduction;
  readonly maxViolations: number;
  readonly maxSteps: number;
  readonly maxSchedules: number;
  /** Date.now() after which the search gives up (Infinity: never). */
  readonly deadline: number;
  readonly countStates: boolean;
  readonly traceViolations: boolean;
  /** Worlds of split scenarios restored from a snapshot (worlds.ts). */
  readonly snapshots: boolean;
}

/** What one task found; counters at each violation let a merge stop exactly where a sequential run would. */
export interface TaskOutcome {
  readonly schedules: number;
  readonly cut: number;
  readonly transitions: number;
  readonly violations: readonly { readonly v: Violation; readonly schedules: number; readonly cut: number; readonly transitions: number }[];
  readonly stopped: StopReason | null;
  /** Stopped by a limit before its subtree was covered: where to go on from (a checkpoint). */
  readonly rest: SavedTask | null;
}

/** The top of the tree is split into tasks down to this depth at most… */
const SPLIT_DEPTH = 3;
/** …or until there are this many (enough for a few workers to share evenly). */
const SPLIT_TASKS = 32;
/**
 * Long schedules (the first one has at least this many transitions) hold most
 * of their tree below the prefixes of steps alone: those still have every
 * preemption, migration and injection of the budgets ahead of them (on
 * counter-scale at bound 1 the three such tasks of the split above were 92 %
 * of the work, one of them 61 %). There, tasks whose prefix is steps only are
 * split further, level by level, down to SPINE_DEPTH or until there are
 * SPINE_TASKS tasks. The shipped scenarios' schedules are much shorter (14
 * transitions at most), so their split is the one above.
 */
const SPINE_LENGTH = 32;
const SPINE_DEPTH = 16;
const SPINE_TASKS = 1024;

/** Checks an exhaustive run's options. */
export function searchLimits(s: Scenario, o: ExploreOptions): SearchLimits {
  const budgets = budgetsOf(s, o); // checks the scenario and the options object first
  const timeLimitMs = o.timeLimitMs ?? Infinity;
  if (!(timeLimitMs > 0)) throw new RangeError(`explore: timeLimitMs must be a positive number, got ${String(timeLimitMs)}`);
  return {
    budgets, reduction: reductionOf(o.reduction),
    maxViolations: positive('maxViolations', o.maxViolations ?? 1), maxSteps: positive('maxSteps', o.maxSteps ?? DEFAULT_MAX_STEPS),
    maxSchedules: positive('maxSchedules', o.maxSchedules ?? Infinity), deadline: Date.now() + timeLimitMs,
    countStates: o.countStates ?? true, traceViolations: o.traceViolations ?? true, snapshots: snapshotsOf(o.snapshots),
  };
}

type SplitTask = SearchTask & { terminal: boolean };

/** A prefix of steps only (no preemption, migration or injection): all of the budgets are still ahead of it. */
function stepsOnly(prefix: readonly string[]): boolean {
  for (const tok of prefix) {
    const c = tok.charCodeAt(0);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/**
 * The top levels of the tree, explored sleep-set style (every enabled
 * transition that does not sleep; in the naive search every one), level by
 * level until there are SPLIT_TASKS subtrees or SPLIT_DEPTH levels, then, for
 * long schedules, the prefixes of steps alone further (SPINE_LENGTH): the
 * tasks, in depth-first order. The split does not depend on how many workers
 * share them, so a run gives the same results with any number of jobs. Each
 * child is run once here to learn whether it stops its schedule (a stopping
 * transition sleeps as one conflicting with everything).
 */
export function partition(s: Scenario, lim: SearchLimits, states: Set<string> | null): { tasks: SearchTask[]; transitions: number } {
  let tasks: SplitTask[] = [{ prefix: [], sleep: [], terminal: false }];
  let transitions = 0;
  const replay = (prefix: readonly string[]): Scheduler => {
    const sch = new Scheduler(buildWorld(s, lim.snapshots), lim.budgets, false);
    sch.hashing = states !== null;
    sch.checking = false;
    for (const tok of prefix) {
      sch.apply(parseToken(tok), tok);
      transitions++;
    }
    sch.checking = true;
    return sch;
  };
  /** The children of a task one level down (itself when it ends there). */
  const expand = (t: SplitTask, next: SplitTask[]): void => {
    if (t.terminal) {
      next.push(t);
      return;
    }
    const sch = replay(t.prefix);
    const en = nextChoices(sch, lim.maxSteps, states);
    if (en === null) {
      retireWorld(s, sch.world);
      next.push({ ...t, terminal: true });
      return;
    }
    const todo = lim.reduction === 'none' ? en : en.filter((x) => !t.sleep.some((z) => z.token === x.token));
    if (todo.length === 0) retireWorld(s, sch.world);
    const explored: Ev[] = [];
    for (let k = 0; k < todo.length; k++) {
      const c = todo[k]!;
      // The first child goes on from the world that found the children; the others replay the prefix.
      const child = k === 0 ? sch : replay(t.prefix);
      child.apply(c.choice, c.token);
      transitions++;
      const stops = child.violation !== null;
      const ran: Ev = stops ? { token: c.token, touches: child.touchesOf(c), stop: true } : { token: c.token, touches: child.touchesOf(c) };
      const sleep = lim.reduction === 'none' ? [] : [...t.sleep, ...explored].filter((z) => !dependent(z, ran));
      const terminal = stops || nextChoices(child, lim.maxSteps, states) === null;
      retireWorld(s, child.world);
      next.push({ prefix: [...t.prefix, c.token], sleep, terminal });
      explored.push(ran);
    }
  };
  for (let depth = 0; depth < SPLIT_DEPTH && tasks.length < SPLIT_TASKS; depth++) {
    const next: SplitTask[] = [];
    for (const t of tasks) expand(t, next);
    tasks = next;
  }
  if (firstScheduleLength(s, lim) >= SPINE_LENGTH) {
    for (let depth = 0; depth < SPINE_DEPTH && tasks.length < SPINE_TASKS; depth++) {
      const next: SplitTask[] = [];
      for (const t of tasks) {
        if (t.prefix.length < SPINE_DEPTH && stepsOnly(t.prefix)) expand(t, next);
        else next.push(t);
      }
      tasks = next;
    }
  }
  return { tasks: tasks.map(({ prefix, sleep }) => ({ prefix, sleep })), transitions };
}

/** Transitions of the schedule that always takes the first enabled one (scheduler checks off). */
function firstScheduleLength(s: Scenario, lim: SearchLimits): number {
  const sch = new Scheduler(buildWorld(s, lim.snapshots), lim.budgets, false);
  sch.hashing = false;
  sch.checking = false;
  for (let en = nextChoices(sch, lim.maxSteps, null); en !== null; en = nextChoices(sch, lim.maxSteps, null)) sch.apply(en[0]!.choice, en[0]!.token);
  retireWorld(s, sch.world);
  return sch.n;
}

/**
 * Explores the subtree of one task with the reduction asked for: below the
 * task's prefix, a depth-first walk that rebuilds the world and replays the
 * path for each new branch (see search.ts). Races with events of the prefix are
 * not reversed here: the levels above explore every transition that does not
 * sleep.
 */
export function exploreTask(
  s: Scenario, task: SearchTask, lim: SearchLimits, states: Set<string> | null,
  onSchedule?: (schedule: string, violation: string | null) => void,
  resume: SavedTask | null = null, save: SaveHook | null = null, coverage: Set<string> | null = null,
): TaskOutcome {
  const { reduction, maxSteps } = lim;
  const optimal = reduction === 'optimal';
  const prefix = task.prefix.map((t) => parseToken(t));
  const violations: { v: Violation; schedules: number; cut: number; transitions: number }[] = resume === null ? [] : [...resume.violations];
  let schedules = resume?.schedules ?? 0;
  let cut = resume?.cut ?? 0;
  let transitions = resume?.transitions ?? 0;
  let stopped: StopReason | null = null;
  const path: SearchNode[] = resume === null ? [] : restorePath(resume.path);
  let from = resume?.from ?? 0; // events from this depth on are new on the current path
  const saved = (): SavedTask => ({ path: savePath(path), from, schedules, cut, transitions, violations: [...violations] });
  for (let first = resume === null; ; first = false) {
    // Optimal: a branch point keeps its enabled tokens and its sleep set, so wakeup branches that cannot
    // start there are dropped without rebuilding the world and replaying the path to it only to find
    // out; when none is left, the path is cut exactly where the replay would have cut it.
    if (!first && optimal && dropUnstartable(path[path.length - 1]!)) {
      cut++;
    } else {
      const sch = new Scheduler(buildWorld(s, lim.snapshots), lim.budgets, false);
      sch.coverage = coverage;
      sch.hashing = states !== null;
      // The first run checks the prefix as the run that found it did: it may end in a violation.
      sch.checking = first;
      for (let k = 0; k < prefix.length; k++) {
        sch.apply(prefix[k]!, task.prefix[k]);
        transitions++;
      }
      sch.checking = false;
      for (let k = 0; k < path.length - 1; k++) {
        const taken = path[k]!.taken!;
        sch.apply(taken.choice, taken.token);
        transitions++;
      }
      sch.checking = true;
      let en: Transition[] | null;
      if (first) {
        en = nextChoices(sch, maxSteps, states);
        if (en !== null) path.push(makeNode(reduction, en, [...task.sleep], []));
      } else {
        en = sch.enabled();
      }
      let ended = en !== null || first; // false when the path was cut (every child asleep, or a wakeup sequence that cannot run)
      let lastEn: Transition[] | null = null;
      let stoppedBy = false; // the last transition raised a violation (not the final check, not a deadlock)
      while (en !== null) {
        const depth = path.length - 1;
        const node = path[depth]!;
        let t: Transition | undefined;
        while (node.todo.length > 0) {
          const want = node.todo[0]!.ev.token;
          t = undefined;
          for (const x of en) {
            if (x.token !== want) continue;
            t = x;
            break;
          }
          if (t !== undefined && !isAsleep(node, want)) break;
          // A wakeup sequence whose next transition is not enabled here (the race was not reversible),
          // or sleeps here (every trace it starts was explored).
          t = undefined;
          node.todo.shift();
        }
        if (t === undefined) {
          ended = false;
          cut++;
          break;
        }
        const branch = node.todo[0]!;
        const wut = branch.children;
        lastEn = en;
        sch.apply(t.choice, t.token);
        transitions++;
        // From here on the search knows all that t touched (a step: whether its task ended or blocked).
        const touches = sch.touchesOf(t);
        const ran: Transition = touches === t.touches && t.unknown === undefined ? t : { choice: t.choice, token: t.token, touches, blocking: t.blocking };
        node.taken = ran;
        if (branch.ev !== ran) node.todo[0] = { ev: ran, children: wut };
        if (optimal) {
          node.hb = happensBefore(path, depth, touches);
          disabledSiblings(node, en, ran);
        }
        const sleep = childSleep(reduction, node, ran);
        stoppedBy = sch.violation !== null;
        en = nextChoices(sch, maxSteps, states);
        path.push(makeNode(reduction, en ?? [], sleep, wut));
      }
      if (ended) {
        schedules++;
        onSchedule?.(sch.schedule.join(','), sch.violation);
        if (sch.violation !== null) {
          const v = lim.traceViolations ? traced(s, lim.budgets, sch.schedule.join(','), maxSteps, null, schedules) : untraced(sch, null, schedules);
          violations.push({ v, schedules, cut, transitions });
        }
      }
      const events = path.length - 1;
      const stoppedEarly = stoppedBy || sch.violationKind === 'livelock';
      if (ended && stoppedEarly && lastEn !== null) stopAt(reduction, path, events - 1, lastEn);
      if (optimal && events > 0) detectRaces(path, events, from);
      retireWorld(s, sch.world);
    }
    path.pop();
    while (path.length > 0 && !finishChild(reduction, path[path.length - 1]!)) path.pop();
    from = path.length - 1;
    if (violations.length >= lim.maxViolations) stopped = 'violations';
    else if (schedules >= lim.maxSchedules) stopped = 'max-schedules';
    else if (lim.deadline !== Infinity && Date.now() >= lim.deadline) stopped = 'time-limit';
    if (path.length === 0) break;
    if (stopped !== null) return { schedules, cut, transitions, violations, stopped, rest: saved() };
    if (save !== null && save.due()) save.write(saved());
  }
  return { schedules, cut, transitions, violations, stopped, rest: null };
}

/** A search node as JSON: its bitset and enabled set as arrays. */
interface SavedNode {
  readonly sleep: Ev[];
  readonly todo: SearchNode['todo'];
  readonly taken: SearchNode['taken'];
  readonly hb: number[] | null;
  readonly enabled: string[] | null;
}

/** A task's depth-first walk between two schedules: everything needed to go on from there. */
export interface SavedTask {
  readonly path: readonly SavedNode[];
  readonly from: number;
  readonly schedules: number;
  readonly cut: number;
  readonly transitions: number;
  readonly violations: TaskOutcome['violations'];
}

/** When and how a long task saves its progress (see checkpoint.ts). */
export interface SaveHook {
  due(): boolean;
  write(t: SavedTask): void;
}

function savePath(path: readonly SearchNode[]): SavedNode[] {
  return path.map((n) => ({ sleep: n.sleep, todo: n.todo, taken: n.taken, hb: n.hb === null ? null : [...n.hb], enabled: n.enabled === null ? null : [...n.enabled] }));
}

function restorePath(saved: readonly SavedNode[]): SearchNode[] {
  return saved.map((n) => ({
    sleep: [...n.sleep], todo: n.todo, taken: n.taken, hb: n.hb === null ? null : Uint32Array.from(n.hb), enabled: n.enabled === null ? null : [...n.enabled],
  }));
}

/** Collects task outcomes in task order into one result, stopping exactly where a sequential run stops. */
export class Merge {
  schedules = 0;
  cut = 0;
  transitions = 0;
  readonly violations: Violation[] = [];
  stopped: StopReason | null = null;

  constructor(private readonly lim: SearchLimits, transitions: number) {
    this.transitions = transitions;
  }

  /** Adds the next task's outcome; false once the run is over. */
  add(o: TaskOutcome): boolean {
    for (const x of o.violations) {
      this.violations.push({ ...x.v, index: this.schedules + x.v.index });
      if (this.violations.length >= this.lim.maxViolations) {
        this.schedules += x.schedules;
        this.cut += x.cut;
        this.transitions += x.transitions;
        this.stopped = 'violations';
        return false;
      }
    }
    this.schedules += o.schedules;
    this.cut += o.cut;
    this.transitions += o.transitions;
    if (o.stopped === 'time-limit') this.stopped = 'time-limit';
    else if (this.schedules >= this.lim.maxSchedules) this.stopped = 'max-schedules';
    return this.stopped === null;
  }

  /** The counters and violations so far (what a checkpoint saves). */
  get merged(): { schedules: number; cut: number; transitions: number; violations: Violation[] } {
    return { schedules: this.schedules, cut: this.cut, transitions: this.transitions, violations: [...this.violations] };
  }

  /** What a task still may do in a sequential run. */
  remaining(): SearchLimits {
    return { ...this.lim, maxViolations: this.lim.maxViolations - this.violations.length, maxSchedules: this.lim.maxSchedules - this.schedules };
  }
}

/** Every schedule within the bound, with the reduction asked for; stops at maxViolations, maxSchedules or timeLimitMs. */
export function exploreExhaustive(s: Scenario, o: ExploreOptions = {}): ExploreResult {
  const lim = searchLimits(s, o);
  const file = o.checkpoint;
  if (file !== undefined && (typeof file !== 'string' || file === '')) throw new TypeError(`explore: checkpoint must be a file name, got ${describe(file)}`);
  const every = o.checkpointEveryMs ?? 10_000;
  if (!(every > 0)) throw new RangeError(`explore: checkpointEveryMs must be a positive number, got ${describe(every)}`);
  const t0 = now();
  const states = lim.countStates ? new Set<string>() : null;
  const coverage = o.coverage === true ? new Set<string>() : null;
  const { tasks, transitions } = partition(s, lim, states);
  const merge = new Merge(lim, transitions);
  const saved = file === undefined ? null : readCheckpoint(file, s, lim, tasks.length);
  let start = 0;
  let resume: SavedTask | null = null;
  if (saved !== null) {
    merge.schedules = saved.merged.schedules;
    merge.cut = saved.merged.cut;
    merge.transitions = saved.merged.transitions;
    merge.violations.push(...saved.merged.violations);
    for (const k of saved.states ?? []) states?.add(k);
    start = saved.complete ? tasks.length : saved.next;
    resume = saved.current;
  }
  const resumedFrom = saved === null ? null : saved.merged.schedules + (saved.current?.schedules ?? 0);
  const write = (next: number, before: Merge['merged'], current: SavedTask | null, complete: boolean): void => {
    writeCheckpoint(file!, { ...checkpointHeader(s, lim, tasks.length), next, merged: before, current, states: states === null ? null : [...states], complete });
  };
  let progressAt = 0;
  let i = start;
  for (; i < tasks.length; i++) {
    const before = merge.merged;
    let saveAt = Date.now() + every;
    const hook: SaveHook | null = file === undefined ? null : {
      due: () => Date.now() >= saveAt,
      write: (t) => {
        write(i, before, t, false);
        saveAt = Date.now() + every;
      },
    };
    const out = exploreTask(s, tasks[i]!, merge.remaining(), states, o.onSchedule, i === start ? resume : null, hook, coverage);
    const more = merge.add(out);
    if (o.onProgress !== undefined && merge.schedules - progressAt >= 64) {
      progressAt = merge.schedules;
      o.onProgress({ schedules: merge.schedules, states: states?.size ?? 0, violations: merge.violations.length, elapsedMs: now() - t0, total: null });
    }
    if (!more) {
      // Go on later from inside this task, or from the next one.
      if (file !== undefined) {
        if (out.rest !== null) write(i, before, out.rest, false);
        else write(i + 1, merge.merged, null, false);
      }
      break;
    }
  }
  if (file !== undefined && merge.stopped === null) write(tasks.length, merge.merged, null, true);
  return {
    scenario: s.name, mode: 'exhaustive', bound: lim.budgets.bound, budgets: lim.budgets, reduction: lim.reduction, schedules: merge.schedules, sleepBlocked: merge.cut,
    transitions: merge.transitions, distinctStates: states?.size ?? 0, violations: merge.violations, complete: merge.stopped === null,
    stopped: merge.stopped, elapsedMs: now() - t0, ...(resumedFrom === null ? {} : { resumedFrom }),
    ...(coverage === null ? {} : { coverage: [...coverage].sort() }),
  };
}

/** Checks the snapshots option: true (the default) or false. */
export function snapshotsOf(v: boolean | undefined): boolean {
  if (v !== undefined && typeof v !== 'boolean') throw new TypeError(`explore: snapshots must be true or false, got ${describe(v)}`);
  return v ?? true;
}

function reductionOf(r: Reduction | undefined): Reduction {
  const x = r ?? 'optimal';
  if (!REDUCTIONS.includes(x)) throw new RangeError(`explore: reduction must be one of ${REDUCTIONS.join(', ')}, got ${String(r)}`);
  return x;
}

/** mulberry32: a small, fast, well-mixed 32-bit PRNG; the whole schedule follows from its seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Checks a PRNG seed: an integer from 0 to 2^32 - 1. */
export function checkSeed(seed: number): number {
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new RangeError(`explore: seed must be an integer from 0 to 4294967295, got ${String(seed)}`);
  }
  return seed;
}

/**
 * One point of a schedule, shared by both modes: records the state, then
 * either ends the schedule (a violation, the tasks finished — the scenario's
 * final check runs —, too many steps, or nothing can run) and returns null, or
 * returns the transitions that may come next.
 */
export function nextChoices(sch: Scheduler, maxSteps: number, states: Set<string> | null): Transition[] | null {
  if (states !== null) states.add(sch.stateKey());
  if (sch.violation !== null) return null;
  if (sch.finished) {
    sch.checkFinal();
    return null;
  }
  if (sch.n >= maxSteps) {
    sch.livelock(maxSteps);
    return null;
  }
  const en = sch.enabled();
  if (en.length === 0) {
    sch.deadlock();
    return null;
  }
  return en;
}

/** One seeded random schedule (tracing as asked). */
function randomSchedule(
  s: Scenario, seed: number, budgets: Budgets, maxSteps: number, tracing: boolean, states: Set<string> | null, coverage: Set<string> | null = null,
  snapshots = false,
): Scheduler {
  const rnd = prng(seed);
  const sch = new Scheduler(buildWorld(s, snapshots), budgets, tracing);
  sch.coverage = coverage;
  sch.hashing = states !== null;
  for (;;) {
    const en = nextChoices(sch, maxSteps, states);
    if (en === null) break;
    const t = en[Math.floor(rnd() * en.length)]!;
    sch.apply(t.choice, t.token);
  }
  return sch;
}

/** N random schedules with seeds seed, seed+1, …; each replays alone with --random 1 --seed <its seed>. */
export function exploreRandom(s: Scenario, n: number, seed: number, o: ExploreOptions = {}): ExploreResult {
  positive('the number of random schedules', n);
  checkSeed(seed);
  const budgets = budgetsOf(s, o);
  const maxSteps = positive('maxSteps', o.maxSteps ?? DEFAULT_MAX_STEPS);
  const snapshots = snapshotsOf(o.snapshots);
  return seededRuns(s, n, seed, o, budgets, maxSteps, 'random', (sd, states, coverage) => randomSchedule(s, sd, budgets, maxSteps, false, states, coverage, snapshots));
}

/**
 * The loop of the seeded modes (random, PCT): `n` runs with seeds seed,
 * seed+1, …, each made by `run` from its seed, so that each replays alone;
 * the first `maxViolations` violations traced (re-run from their schedule),
 * progress every 64 runs.
 */
export function seededRuns(
  s: Scenario, n: number, seed: number, o: ExploreOptions, budgets: Budgets, maxSteps: number, mode: 'random' | 'pct',
  run: (seed: number, states: Set<string> | null, coverage: Set<string> | null) => Scheduler,
): ExploreResult {
  const maxViolations = positive('maxViolations', o.maxViolations ?? 1);
  const states = (o.countStates ?? true) ? new Set<string>() : null;
  const coverage = o.coverage === true ? new Set<string>() : null;
  const t0 = now();
  const violations: Violation[] = [];
  let schedules = 0;
  let transitions = 0;
  for (let i = 0; i < n; i++) {
    const sd = (seed + i) >>> 0;
    const sch = run(sd, states, coverage);
    schedules++;
    transitions += sch.n;
    o.onSchedule?.(sch.schedule.join(','), sch.violation);
    retireWorld(s, sch.world);
    if (sch.violation !== null) {
      violations.push(o.traceViolations === false ? untraced(sch, sd, schedules) : traced(s, budgets, sch.schedule.join(','), maxSteps, sd, schedules));
      if (violations.length >= maxViolations) break;
    }
    if (o.onProgress !== undefined && (schedules & 63) === 0) {
      o.onProgress({ schedules, states: states?.size ?? 0, violations: violations.length, elapsedMs: now() - t0, total: n });
    }
  }
  return {
    scenario: s.name, mode, bound: budgets.bound, budgets, reduction: 'none', schedules, sleepBlocked: 0, transitions,
    distinctStates: states?.size ?? 0, violations, complete: false, stopped: null, elapsedMs: now() - t0,
    ...(coverage === null ? {} : { coverage: [...coverage].sort() }),
  };
}

/**
 * Runs one schedule given as a string of choices (`0,0,p0:T2,mT1:1,i0:tick`),
 * with the trace recorded. When the string ends before the tasks do, the run
 * goes on with the first enabled transition at each point. A choice that is
 * not enabled where the string puts it is an error that says why.
 */
export function runSchedule(s: Scenario, schedule: string, o: RunBudgets & { maxSteps?: number } = {}): Scheduler {
  const budgets = budgetsOf(s, o);
  const maxSteps = positive('maxSteps', o.maxSteps ?? DEFAULT_MAX_STEPS);
  if (typeof schedule !== 'string') throw new TypeError(`schedule: expected a schedule string such as '0,0,p0:T2', got ${describe(schedule)}`);
  const tokens = schedule.trim() === '' ? [] : schedule.split(',').map((t) => t.trim());
  const choices: Choice[] = tokens.map((t) => parseToken(t));
  const sch = new Scheduler(s.build(), budgets, true);
  let i = 0;
  for (;;) {
    if (sch.violation !== null) break;
    if (sch.finished) {
      if (i < choices.length) {
        throw new RangeError(`schedule: all tasks finished after ${i} choices, but the string has ${choices.length - i} more (from '${tokens[i]}')`);
      }
      sch.checkFinal();
      break;
    }
    if (sch.n >= maxSteps) {
      sch.livelock(maxSteps);
      break;
    }
    if (i < choices.length) {
      const c = choices[i]!;
      const why = sch.refusal(c);
      if (why !== null) throw new RangeError(`schedule: choice ${i + 1} '${tokens[i]}' is not enabled at that point: ${why}`);
      sch.apply(c);
      i++;
      continue;
    }
    const en = sch.enabled();
    if (en.length === 0) {
      sch.deadlock();
      break;
    }
    sch.apply(en[0]!.choice);
  }
  return sch;
}

/** Replays the random schedule of one seed, with its trace. */
export function runSeed(s: Scenario, seed: number, o: RunBudgets & { maxSteps?: number } = {}): Scheduler {
  checkSeed(seed);
  return randomSchedule(s, seed, budgetsOf(s, o), positive('maxSteps', o.maxSteps ?? DEFAULT_MAX_STEPS), true, null);
}

/** The readable trace of a finished or stopped schedule. */
export function formatTrace(trace: readonly TraceEntry[]): string {
  if (!Array.isArray(trace)) throw new TypeError(`formatTrace: expected a trace (an array of entries, as a Violation's trace), got ${describe(trace)}`);
  return trace.map((e) => `  ${formatTraceEntry(e)}`).join('\n');
}

/**
 * A violation as the CLI prints it: message, trace, counts and the replay
 * commands; `target` is what names the scenario after `percpu-sim explore`
 * (default its name; `./my-scenarios.ts name` for a user's file).
 */
export function formatViolation(s: Scenario, v: Violation, budgets: number | Budgets, target?: string): string {
  if (s === null || typeof s !== 'object' || typeof s.name !== 'string') throw new TypeError(`formatViolation: expected a scenario, got ${describe(s)}`);
  if (v === null || typeof v !== 'object' || !Array.isArray(v.trace)) throw new TypeError(`formatViolation: expected a Violation from an exploration, got ${describe(v)}`);
  target ??= s.name;
  const b = budgetFlags(typeof budgets === 'number' ? resolveBudgets({ bound: budgets }, 0, 'formatViolation') : checkBudgets('formatViolation', budgets), s.bound ?? DEFAULT_BOUND);
  const lines = [
    `VIOLATION in schedule ${v.index} of ${s.name}: ${v.message}`,
    `trace (${v.steps} instructions, ${v.preemptions} preemptions, ${v.migrations} migrations, ${v.interrupts} interrupts):`,
    formatTrace(v.trace),
    `replay: percpu-sim explore ${target} --schedule ${v.schedule}${b}`,
  ];
  if (v.seed !== null) lines.push(`    or: percpu-sim explore ${target}${v.pct === undefined ? '' : ` --pct ${v.pct}`} --random 1 --seed ${v.seed}${b}`);
  return lines.join('\n');
}
