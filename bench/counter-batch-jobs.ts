/**
 * The job bench/counter-batch.ts runs on worker threads: the threads group's
 * percpu_counter_incs loop with percpu_counter_add_batch(fbc, 1, batch) in
 * place of percpu_counter_inc, so the batch is the experiment's, not the
 * kernel's (the product never changes percpu_counter_batch).
 */
import type { Machine } from '../src/machine.js';
import { percpu_counter_add, percpu_counter_add_batch, percpu_counter_inc, percpu_counter_read } from '../src/lib/percpu-counter.js';
import { attachPercpuCounter, type PercpuCounterDescriptor } from '../src/threads/percpu-counter.js';
import type { CpuEnv } from '../src/threads/protocol.js';

/** `n` × percpu_counter_add_batch(fbc, 1, batch); returns this thread's percpu_counter_read() afterwards. */
export function percpu_counter_batch_incs(m: Machine, _env: CpuEnv, args: { readonly counter: PercpuCounterDescriptor; readonly n: number; readonly batch: number }): number {
  const fbc = attachPercpuCounter(m, args.counter);
  const { n, batch } = args;
  for (let i = 0; i < n; i++) percpu_counter_add_batch(fbc, 1, batch);
  return percpu_counter_read(fbc);
}

/**
 * The threads group's percpu_counter_incs loop, but the odd CPUs start half a
 * batch ahead (added before the loop, taken back after it), so the two CPUs'
 * folds fall between each other's instead of together.
 */
export function percpu_counter_incs_staggered(m: Machine, _env: CpuEnv, args: { readonly counter: PercpuCounterDescriptor; readonly n: number; readonly batch: number }): number {
  const fbc = attachPercpuCounter(m, args.counter);
  const n = args.n;
  const head = m.cpu % 2 === 1 ? args.batch >> 1 : 0;
  percpu_counter_add(fbc, head);
  for (let i = 0; i < n; i++) percpu_counter_inc(fbc);
  percpu_counter_add(fbc, -head);
  return percpu_counter_read(fbc);
}
