/**
 * The stepped flavour of the API: the same kernel names and arguments as the
 * fast functions, as generators a scenario's task runs with `yield*`, one
 * step per instruction (src/sched/step.ts). Import it as
 * `import { stepped } from 'percpu-ts'` and write `yield* stepped.spin_lock(m, lock)`.
 */
export * from './kernel/locking/stepped.js';
export * from './lib/u64-stats-sync-stepped.js';
