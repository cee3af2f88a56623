/** Tasks, steps and the scheduler the explorer drives. */
// step.ts also holds the search's unchecked inner helpers (operandAddress, operandSize,
// operandWrites, overlap); they take the explorer's own steps and footprints
// on trust, so only the checked entry points are public.
export {
  ANY_RESOURCE, ANY_TOUCH, SCHED_RESOURCE, atomic, conflicts, footprint, formatStep, load, mnemonicAccess, mnemonicSize, reg, store,
  type AccessKind, type Step, type StepGen, type Touch,
} from './step.js';
export * from './task.js';
export * from './scheduler.js';
export { BUDGET_NAMES, MAX_BUDGET, budgetFlags, formatBudgets, impliedBound, resolveBudgets, type BudgetOptions, type Budgets } from './budget.js';
export { ghost, Ghost, type GhostValue } from './ghost.js';
