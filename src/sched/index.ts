/** Tasks, steps and the scheduler the explorer drives. */
export * from './step.js';
export * from './task.js';
export * from './scheduler.js';
export { ghost, Ghost, type GhostValue } from './ghost.js';
