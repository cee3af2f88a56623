/**
 * Checkpoints of a long exhaustive run (`--checkpoint FILE`), after loom's
 * LOOM_CHECKPOINT_FILE: the search's progress is saved every few seconds and
 * when a limit (--time-limit, --max-schedules) or a violation ends the run, and
 * a run given the same file and the same search goes on from there instead of
 * starting over. The progress is the tasks of the split (partition(), which is
 * deterministic) already merged, with their counters and violations, and the
 * depth-first walk of the task in progress between two schedules: its path of
 * nodes with their sleep sets, wakeup trees and happens-before bitsets. So the
 * resumed run explores exactly the schedules the uninterrupted run would have
 * explored after that point, and the totals are the same.
 *
 * A file is written whole or not at all: the JSON goes to FILE.tmp-<pid>,
 * which is then renamed over FILE (rename(2) replaces atomically), so a crash
 * mid-write leaves the previous checkpoint intact, never a torn one.
 *
 * A checkpoint belongs to one search: the scenario's name, the budgets, the
 * reduction and how many violations to stop at; another search refuses it. It
 * cannot tell whether the scenario's code changed since: delete the file then.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { formatBudgets, type Budgets } from '../sched/budget.js';
import type { Scenario } from '../sched/task.js';
import type { Reduction, SavedTask, SearchLimits, Violation } from './explorer.js';

// 2: footprints split a CPU's runqueue from what runs on it (a walk saved under 1 used the older relation).
const FORMAT = 'percpu-ts explore checkpoint 2';

/** What a checkpoint file holds. */
export interface Checkpoint {
  readonly format: string;
  readonly scenario: string;
  readonly budgets: Budgets;
  readonly reduction: Reduction;
  /** maxViolations; null for Infinity (JSON has no Infinity). */
  readonly maxViolations: number | null;
  /** Tasks of the split. */
  readonly tasks: number;
  /** The task in progress (tasks when the search is over). */
  readonly next: number;
  /** The tasks before `next`, merged. */
  readonly merged: { readonly schedules: number; readonly cut: number; readonly transitions: number; readonly violations: readonly Violation[] };
  /** The walk of task `next`, or null to start it afresh. */
  readonly current: SavedTask | null;
  /** Distinct state keys so far (null when the run does not count them). */
  readonly states: readonly string[] | null;
  /** The bounded space was covered. */
  readonly complete: boolean;
}

function describeSearch({ scenario, budgets, reduction, maxViolations }: Pick<Checkpoint, 'scenario' | 'budgets' | 'reduction' | 'maxViolations'>): string {
  return `scenario ${scenario}, ${reduction}, ${formatBudgets(budgets)}, stop after ${maxViolations ?? 'all'} violation${maxViolations === 1 ? '' : 's'}`;
}

/** Writes a checkpoint atomically: a temporary file renamed over the old one. */
export function writeCheckpoint(file: string, c: Checkpoint): void {
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, `${JSON.stringify(c)}\n`);
  renameSync(tmp, file);
}

/** The checkpoint in `file` for this search, null when there is none; refuses another search's or a damaged file. */
export function readCheckpoint(file: string, s: Scenario, lim: SearchLimits, tasks: number): Checkpoint | null {
  if (!existsSync(file)) return null;
  let c: Checkpoint;
  try {
    c = JSON.parse(readFileSync(file, 'utf8')) as Checkpoint;
  } catch (e) {
    throw new Error(`explore: checkpoint ${file} cannot be read (${(e as Error).message}); delete it to start over`);
  }
  if (c === null || typeof c !== 'object' || c.format !== FORMAT) {
    throw new Error(`explore: ${file} is not a checkpoint of this explorer (expected "${FORMAT}"); delete it or name another file`);
  }
  const mine = describeSearch(checkpointHeader(s, lim, tasks));
  const theirs = describeSearch(c);
  if (mine !== theirs || c.tasks !== tasks) {
    throw new Error(`explore: checkpoint ${file} belongs to another search (${theirs}); this one is (${mine}): delete the file or run with the options it was written with`);
  }
  return c;
}

/** The header of a checkpoint for this search. */
export function checkpointHeader(s: Scenario, lim: SearchLimits, tasks: number): Pick<Checkpoint, 'format' | 'scenario' | 'budgets' | 'reduction' | 'maxViolations' | 'tasks'> {
  return { format: FORMAT, scenario: s.name, budgets: lim.budgets, reduction: lim.reduction, maxViolations: lim.maxViolations === Infinity ? null : lim.maxViolations, tasks };
}
