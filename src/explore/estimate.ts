/**
 * How big is the search before running it (`--estimate`): Knuth's estimator
 * ("Estimating the efficiency of backtrack programs", Math. Comp. 1975), the
 * random probes GenMC runs before verifying.
 *
 * A probe walks one random path from the root of the search tree, choosing
 * uniformly among the children of each node, and multiplies the numbers of
 * children on the way: at a leaf that product is an unbiased estimate of the
 * number of leaves of the whole tree (the leaves it stands for), and the mean
 * over probes converges to it. The tree probed is the sleep-set tree (a
 * node's children are its enabled transitions that do not sleep; the i-th
 * child is entered with the earlier siblings asleep as the search enters it),
 * whose complete schedules are one per trace class — the number optimal DPOR
 * and sleep sets both run — and, for comparison, the naive tree (every
 * enabled transition). A probe that ends with every transition asleep is a
 * path the search cuts: it counts 0 schedules. One simplification: a sibling
 * that would stop its schedule at a violation would, in the search, sleep as
 * conflicting with everything; a probe does not run siblings (but see
 * probe()), so on buggy scenarios the reduced estimate is off.
 */
import { describe } from '../types.js';
import type { Budgets } from '../sched/budget.js';
import { Scheduler, parseToken, type Transition } from '../sched/scheduler.js';
import { overlap } from '../sched/step.js';
import type { Scenario } from '../sched/task.js';
import { DEFAULT_MAX_STEPS, budgetsOf, checkSeed, nextChoices, positive, prng, type RunBudgets } from './explorer.js';
import { dependent, type Ev } from './search.js';

/** What the probes found. */
export interface Estimate {
  /** Mean estimate of the reduced search's complete schedules (one per trace class). */
  readonly schedules: number;
  /** Mean estimate of the naive search's complete schedules. */
  readonly naive: number;
  /** Standard error of `schedules` relative to it (0.1: ±10 %); Infinity when it is 0. */
  readonly relativeError: number;
  readonly probes: number;
  /** Mean transitions per probe (a schedule's length). */
  readonly meanLength: number;
  /** Wall time per probe transition, in ms (for a time estimate). */
  readonly msPerTransition: number;
}

/** A sibling asleep in a probe: where it was enabled (the probe's first `at` transitions), so it can be run there. */
type Asleep = Ev & { readonly at: number };

/**
 * One probe: the estimate of the tree's leaves that are complete schedules.
 * What a sibling touches is known only once it has run (a step that ends or
 * blocks its task also takes from its CPU's runqueue). A probe does not run
 * its siblings; only when a sibling would conflict with the transition taken
 * through what it may touch alone (a move of a waiting task, a wake-up) is it
 * run, from a fresh world replayed to where it was enabled, to know.
 */
function probe(rnd: () => number, reduced: boolean, s: Scenario, budgets: Budgets, maxSteps: number): { weight: number; length: number; transitions: number } {
  const sch = new Scheduler(s.build(), budgets, false);
  const path: string[] = [];
  let transitions = 0;
  const exact = (z: Asleep): Asleep => {
    const w = new Scheduler(s.build(), budgets, false);
    w.checking = false;
    for (let i = 0; i < z.at; i++) w.apply(parseToken(path[i]!), path[i]);
    const t = w.enabled().find((x) => x.token === z.token)!;
    w.apply(t.choice, t.token);
    transitions += w.n;
    const touches = w.touchesOf(t);
    w.m.retire();
    return { token: z.token, touches, at: z.at };
  };
  let weight = 1;
  let sleep: Asleep[] = [];
  try {
    for (;;) {
      const en = nextChoices(sch, maxSteps, null);
      if (en === null) return { weight, length: sch.n, transitions: transitions + sch.n };
      const children: Transition[] = reduced ? en.filter((t) => !sleep.some((z) => z.token === t.token)) : en;
      if (children.length === 0) return { weight: 0, length: sch.n, transitions: transitions + sch.n };
      const j = Math.floor(rnd() * children.length);
      const t = children[j]!;
      weight *= children.length;
      const at = path.length;
      sch.apply(t.choice, t.token);
      path.push(t.token);
      if (reduced) {
        // The child is entered with what sleeps here and the siblings explored before it, minus what it conflicts with.
        const ran: Ev = { token: t.token, touches: sch.touchesOf(t) };
        const next: Asleep[] = [];
        const candidates: Asleep[] = [...sleep];
        for (let k = 0; k < j; k++) candidates.push({ ...children[k]!, at });
        for (let z of candidates) {
          if (z.unknown !== undefined && !overlap(z.touches, ran.touches) && dependent(z, ran)) z = exact(z);
          if (!dependent(z, ran)) next.push(z);
        }
        sleep = next;
      }
    }
  } finally {
    sch.m.retire();
  }
}

/** Estimates the number of schedules an exhaustive run of `s` would run, from `probes` random probes of each tree. */
export function estimateSchedules(s: Scenario, o: RunBudgets & { probes?: number; seed?: number; maxSteps?: number } = {}): Estimate {
  const budgets = budgetsOf(s, o);
  const probes = positive('probes', o.probes ?? 200);
  if (probes === Infinity) throw new RangeError(`explore: probes must be a finite positive integer, got ${describe(probes)}`);
  const seed = checkSeed(o.seed ?? 1);
  const maxSteps = positive('maxSteps', o.maxSteps ?? DEFAULT_MAX_STEPS);
  const t0 = performance.now();
  let transitions = 0;
  let length = 0;
  const run = (reduced: boolean): number[] => {
    const rnd = prng(reduced ? seed : seed ^ 0x5bd1e995);
    const out: number[] = [];
    for (let i = 0; i < probes; i++) {
      const p = probe(rnd, reduced, s, budgets, maxSteps);
      out.push(p.weight);
      length += p.length;
      transitions += p.transitions;
    }
    return out;
  };
  const reduced = run(true);
  const naive = run(false);
  const mean = (xs: readonly number[]) => xs.reduce((a, x) => a + x, 0) / xs.length;
  const m = mean(reduced);
  const variance = reduced.reduce((a, x) => a + (x - m) ** 2, 0) / Math.max(reduced.length - 1, 1);
  const ms = performance.now() - t0;
  return {
    schedules: m, naive: mean(naive), relativeError: m > 0 ? Math.sqrt(variance / reduced.length) / m : Infinity,
    probes, meanLength: length / (2 * probes), msPerTransition: transitions > 0 ? ms / transitions : 0,
  };
}
