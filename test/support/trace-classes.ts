/**
 * Mazurkiewicz trace classes of schedules, by brute force: the oracle the
 * reduction tests compare the searches against.
 */
import { exploreExhaustive, type Reduction, type RunBudgets } from '../../src/explore/explorer.js';
import type { Budgets } from '../../src/sched/budget.js';
import { conflicts, type Touch } from '../../src/sched/step.js';
import { Scheduler } from '../../src/sched/scheduler.js';
import type { Scenario } from '../../src/sched/task.js';

/**
 * The canonical representative of a schedule's trace: the lexicographically
 * least ordering of its transitions that keeps every pair of dependent
 * transitions in order. Two schedules have the same canonical form exactly
 * when they differ only by swapping adjacent independent transitions.
 */
export function canonical(s: Scenario, schedule: string, budgets: number | Budgets): string {
  const sch = new Scheduler(s.build(), budgets, false);
  const events: { token: string; touches: readonly Touch[] }[] = [];
  for (const tok of schedule === '' ? [] : schedule.split(',')) {
    const t = sch.enabled().find((x) => x.token === tok);
    if (t === undefined) throw new Error(`${tok} not enabled replaying ${schedule}`);
    sch.apply(t.choice);
    // What it touched, once it ran (a step whose task ended or blocked took from its CPU's runqueue).
    events.push({ token: tok, touches: sch.touchesOf(t) });
  }
  sch.m.retire();
  const n = events.length;
  const preds: number[][] = events.map(() => []);
  for (let j = 0; j < n; j++) for (let i = 0; i < j; i++) if (conflicts(events[i]!.touches, events[j]!.touches)) preds[j]!.push(i);
  const done = new Array<boolean>(n).fill(false);
  const out: string[] = [];
  for (let k = 0; k < n; k++) {
    let best = -1;
    for (let j = 0; j < n; j++) {
      if (done[j] || !preds[j]!.every((i) => done[i])) continue;
      if (best === -1 || events[j]!.token < events[best]!.token) best = j;
    }
    done[best] = true;
    out.push(events[best]!.token);
  }
  return out.join(',');
}

export interface Classes {
  /** Every complete schedule the search ran. */
  readonly schedules: string[];
  /** Their canonical forms, sorted, without repeats. */
  readonly classes: string[];
  readonly violations: number;
}

export interface Verdicts extends Classes {
  /** Each class's verdict (the violation of the schedule that ran it, or null). */
  readonly verdicts: ReadonlyMap<string, string | null>;
}

/** Explores `s` exhaustively with the reduction (and budgets) and collects the trace classes of what it ran, with their verdicts. */
export function classes(s: Scenario, reduction: Reduction, budgets: RunBudgets = {}): Verdicts {
  const schedules: string[] = [];
  const verdicts = new Map<string, string | null>();
  const ran: [string, string | null][] = [];
  const r = exploreExhaustive(s, {
    ...budgets, reduction, maxViolations: Infinity, traceViolations: false,
    onSchedule: (x, v) => {
      schedules.push(x);
      ran.push([x, v]);
    },
  });
  for (const [x, v] of ran) verdicts.set(canonical(s, x, r.budgets), v);
  return { schedules, classes: [...verdicts.keys()].sort(), violations: r.violations.length, verdicts };
}
