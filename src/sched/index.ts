/** Tasks, steps and the scheduler the explorer drives. */
export * from './step.js';
export * from './task.js';
export * from './scheduler.js';
export { BUDGET_NAMES, MAX_BUDGET, budgetFlags, formatBudgets, impliedBound, resolveBudgets, type BudgetOptions, type Budgets } from './budget.js';
export { ghost, Ghost, type GhostValue } from './ghost.js';
