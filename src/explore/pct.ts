/**
 * PCT, probabilistic concurrency testing (Burckhardt, Kothari, Musuvathi and
 * Nagarakatte, "A Randomized Scheduler with Probabilistic Guarantees of
 * Finding Bugs", ASPLOS 2010), on the explorer's scheduler.
 *
 * A run gives every agent — each task and each hardirq, softirq and NMI
 * handler the world registers — a distinct random priority from d … d+n−1,
 * and draws d−1 distinct change points from the instructions 1 … k. At each
 * point it takes a transition of the highest-priority agent that has one
 * enabled (the frame on top of a CPU owns that CPU's step; a waiting task owns
 * the preemption to it and its migrations; a handler owns its injections): its
 * step when it has one, else one of its transitions at random. When that is
 * the instruction of the i-th change point, its agent drops to priority d−i,
 * below every initial priority, and the choice is made again. Change points
 * count instructions, as the paper's steps, not the scheduler's own choices
 * (a preemption or an injection is not a step of any agent).
 *
 * The paper's guarantee: with n agents, at most k steps and a bug of depth d
 * (d ordering constraints between steps of different agents make it happen),
 * one run finds it with probability at least 1/(n·k^(d−1)); N independent runs
 * miss it with probability at most (1 − 1/(n·k^(d−1)))^N. Three honest limits
 * here. k is the instructions of the schedule that always takes the first
 * enabled transition (one deterministic run before the others, so a seed
 * replays alone); a run with more instructions (an injected handler's) gets no
 * change point past k. An agent with several transitions (a waiting task that
 * may be switched to or moved to either CPU) takes one at random, which the
 * paper's model does not have: the bound holds for the agent's order, and is
 * divided by the number of such choices a bug needs. And the budgets still
 * apply: when the preemption a priority asks for is over the bound, the run
 * takes the best transition that is allowed.
 *
 * Run i uses the seed seed+i; `--pct D --random 1 --seed S` replays it alone,
 * and its violation prints the schedule string as every mode does.
 */
import { describe } from '../types.js';
import { Scheduler, type Transition } from '../sched/scheduler.js';
import type { Budgets } from '../sched/budget.js';
import type { Scenario } from '../sched/task.js';
import { buildWorld, retireWorld } from './worlds.js';
import {
  DEFAULT_MAX_STEPS, budgetsOf, checkSeed, nextChoices, positive, prng, seededRuns, snapshotsOf,
  type ExploreOptions, type ExploreResult,
} from './explorer.js';

/** The deepest bug depth PCT accepts (d − 1 change points). */
export const MAX_PCT_DEPTH = 16;

function checkDepth(depth: number): number {
  if (!Number.isInteger(depth) || depth < 1 || depth > MAX_PCT_DEPTH) {
    throw new RangeError(`explore: PCT depth must be an integer from 1 to ${MAX_PCT_DEPTH}, got ${describe(depth)}`);
  }
  return depth;
}

/** k: the instructions of the schedule that always takes the first enabled transition. */
export function pctSteps(s: Scenario, budgets: Budgets, maxSteps: number, snapshots = false): number {
  const sch = new Scheduler(buildWorld(s, snapshots), budgets, false);
  for (;;) {
    const en = nextChoices(sch, maxSteps, null);
    if (en === null) break;
    sch.apply(en[0]!.choice);
  }
  retireWorld(s, sch.world);
  return Math.max(sch.steps, 1);
}

/** One PCT run from its seed. */
function pctSchedule(
  s: Scenario, seed: number, depth: number, k: number, budgets: Budgets, maxSteps: number, tracing: boolean, states: Set<string> | null,
  coverage: Set<string> | null = null, snapshots = false,
): Scheduler {
  const rnd = prng(seed);
  const sch = new Scheduler(buildWorld(s, snapshots), budgets, tracing);
  sch.coverage = coverage;
  const agents = sch.agents();
  // A random permutation of the priorities depth … depth + n − 1 (Fisher–Yates).
  const order = agents.map((_, i) => depth + i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const prio = new Map<string, number>(agents.map((a, i) => [a, order[i]!]));
  const change = new Map<number, number>();
  while (change.size < Math.min(depth - 1, k)) {
    const step = 1 + Math.floor(rnd() * k);
    if (!change.has(step)) change.set(step, change.size + 1);
  }
  const pick = (en: readonly Transition[]): Transition => {
    let best = -Infinity;
    let mine: Transition[] = [];
    for (const t of en) {
      const p = prio.get(sch.agentOf(t.choice)) ?? -1;
      if (p > best) {
        best = p;
        mine = [t];
      } else if (p === best) {
        mine.push(t);
      }
    }
    const step = mine.find((t) => t.choice.kind === 'step');
    return step ?? mine[Math.floor(rnd() * mine.length)]!;
  };
  for (;;) {
    const en = nextChoices(sch, maxSteps, states);
    if (en === null) break;
    let t = pick(en);
    const i = t.choice.kind === 'step' ? change.get(sch.steps + 1) : undefined;
    if (i !== undefined) {
      // Used once: if the new choice is not a step, the same instruction is still next.
      change.delete(sch.steps + 1);
      prio.set(sch.agentOf(t.choice), depth - i);
      t = pick(en);
    }
    sch.apply(t.choice);
  }
  return sch;
}

/** Replays the PCT run of one seed, with its trace. */
export function runPctSeed(s: Scenario, seed: number, depth: number, o: ExploreOptions = {}): Scheduler {
  const budgets = budgetsOf(s, o);
  checkSeed(seed);
  checkDepth(depth);
  const maxSteps = positive('maxSteps', o.maxSteps ?? DEFAULT_MAX_STEPS);
  return pctSchedule(s, seed, depth, pctSteps(s, budgets, maxSteps), budgets, maxSteps, true, null);
}

/** The probability the paper guarantees one run finds a depth-d bug with: 1/(n·k^(d−1)). */
export function pctBound(agents: number, steps: number, depth: number): number {
  for (const [name, v] of [['agents', agents], ['steps', steps], ['depth', depth]] as const) {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new RangeError(`pctBound: ${name} must be a positive integer, got ${describe(v)}`);
  }
  return 1 / (agents * steps ** (depth - 1));
}

/** N PCT runs of depth `depth` with seeds seed, seed+1, …; each replays alone with --pct D --random 1 --seed <its seed>. */
export function explorePct(s: Scenario, n: number, seed: number, depth: number, o: ExploreOptions = {}): ExploreResult {
  const budgets = budgetsOf(s, o);
  positive('the number of PCT runs', n);
  checkSeed(seed);
  checkDepth(depth);
  const maxSteps = positive('maxSteps', o.maxSteps ?? DEFAULT_MAX_STEPS);
  const snapshots = snapshotsOf(o.snapshots);
  // k is measured on the first run, after seededRuns has checked the remaining options.
  let k = 0;
  let agents = 0;
  const r = seededRuns(s, n, seed, o, budgets, maxSteps, 'pct', (sd, states, coverage) => {
    if (k === 0) k = pctSteps(s, budgets, maxSteps, snapshots);
    const sch = pctSchedule(s, sd, depth, k, budgets, maxSteps, false, states, coverage, snapshots);
    agents = sch.agents().length;
    return sch;
  });
  return { ...r, violations: r.violations.map((v) => ({ ...v, pct: depth })), pct: { depth, steps: k, agents } };
}
