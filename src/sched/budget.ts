/**
 * The budgets of one schedule: how many of each kind of transition the
 * scheduler may force or inject.
 *
 *   bound        preemptions + migrations together (the CHESS preemption bound);
 *   preemptions  preemptions alone (null: only the bound limits them);
 *   migrations   migrations alone (likewise);
 *   irqs         hardirq deliveries, all handlers together (null: each handler
 *                fires up to its own budget, IrqSpec.budget, default 1);
 *   softirqs     injected softirqs, all vectors together (null: each up to its
 *                SoftirqSpec.budget, default 0); softirqs the code raises and the
 *                CPU then runs are not injections and are not counted;
 *   nmis         NMIs, all NMI handlers together (null: each its own budget).
 *
 * A total for a kind of injection replaces the handlers' own budgets: with
 * `irqs: 2` any handler may fire twice, but two deliveries in all. Every
 * transition a budget limits writes that budget's resource, so two of them
 * never commute (taking one may use up what the other needed): the bounded
 * system stays a transition system with the same dependence, and the
 * reductions stay exact relative to the bounded naive search.
 */
import { describe } from '../types.js';

/** The budgets of a schedule, checked; null leaves a kind to the default rule above. */
export interface Budgets {
  readonly bound: number;
  readonly preemptions: number | null;
  readonly migrations: number | null;
  readonly irqs: number | null;
  readonly softirqs: number | null;
  readonly nmis: number | null;
}

/** What a caller may give: every field optional (null or absent: the default). */
export type BudgetOptions = { readonly [K in keyof Budgets]?: number | null };

/** The budget names in the order they are listed and printed (the CLI flag is `--<name>`). */
export const BUDGET_NAMES = ['bound', 'preemptions', 'migrations', 'irqs', 'softirqs', 'nmis'] as const;

/** The largest budget accepted (a schedule with more forced transitions is not a small search). */
export const MAX_BUDGET = 64;

function count(who: string, name: string, v: unknown): number | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > MAX_BUDGET) {
    throw new RangeError(`${who}: ${name} must be an integer from 0 to ${MAX_BUDGET}, got ${describe(v)}`);
  }
  return v;
}

/**
 * Checks the budgets a caller gave and fills in the bound: given, else the sum
 * of preemptions and migrations when both are given, else `defaultBound`. A
 * separate budget larger than the bound could never be used, so it is refused
 * rather than silently ignored.
 */
export function resolveBudgets(o: BudgetOptions, defaultBound: number, who = 'resolveBudgets'): Budgets {
  if (o === null || typeof o !== 'object') throw new TypeError(`${who}: budgets must be an object, got ${describe(o)}`);
  const preemptions = count(who, 'preemptions', o.preemptions);
  const migrations = count(who, 'migrations', o.migrations);
  const given = count(who, 'bound', o.bound);
  const bound = given ?? (preemptions !== null && migrations !== null ? preemptions + migrations : count(who, 'bound', defaultBound)!);
  for (const [name, v] of [['preemptions', preemptions], ['migrations', migrations]] as const) {
    if (v !== null && v > bound) {
      throw new RangeError(`${who}: ${name} ${v} exceeds the bound ${bound} on preemptions + migrations together, so it could never be used; raise the bound`);
    }
  }
  return {
    bound, preemptions, migrations,
    irqs: count(who, 'irqs', o.irqs), softirqs: count(who, 'softirqs', o.softirqs), nmis: count(who, 'nmis', o.nmis),
  };
}

/** Refuses what is not a Budgets object, naming the call. */
export function checkBudgets(who: string, b: Budgets): Budgets {
  if (b === null || typeof b !== 'object' || typeof b.bound !== 'number') throw new TypeError(`${who}: expected budgets (what resolveBudgets() returns), got ${describe(b)}`);
  return b;
}

/** The bound a set of budgets implies when none is given: what resolveBudgets() fills in. */
export function impliedBound(b: Budgets, scenarioBound: number): number {
  checkBudgets('impliedBound', b);
  return b.preemptions !== null && b.migrations !== null ? b.preemptions + b.migrations : scenarioBound;
}

/** The command-line flags that give these budgets again (for replay lines); empty when all are the defaults. */
export function budgetFlags(b: Budgets, scenarioBound: number): string {
  checkBudgets('budgetFlags', b);
  let out = b.bound === impliedBound(b, scenarioBound) ? '' : ` --bound ${b.bound}`;
  for (const name of BUDGET_NAMES) {
    if (name !== 'bound' && b[name] !== null) out += ` --${name} ${b[name]}`;
  }
  return out;
}

/** One line for a summary: what each budget allowed per schedule. */
export function formatBudgets(b: Budgets): string {
  checkBudgets('formatBudgets', b);
  const each: string[] = [];
  const sep: string[] = [];
  if (b.preemptions !== null) sep.push(`preemptions ≤ ${b.preemptions}`);
  if (b.migrations !== null) sep.push(`migrations ≤ ${b.migrations}`);
  const parts = [`preemptions + migrations ≤ ${b.bound}${sep.length > 0 ? ` (${sep.join(', ')})` : ''}`];
  for (const [name, v] of [['interrupts', b.irqs], ['injected softirqs', b.softirqs], ['NMIs', b.nmis]] as const) {
    if (v === null) each.push(name);
    else parts.push(`${name} ≤ ${v}`);
  }
  if (each.length > 0) parts.push(`${each.join(', ')}: each handler's own budget`);
  return `${parts.join('; ')} per schedule`;
}
