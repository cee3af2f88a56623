/**
 * percpu_counter jobs for startCpuThreads(): every CPU thread updates one
 * counter, handed to it as a PercpuCounterDescriptor in the job's arguments.
 */
import type { Machine } from '../machine.js';
import {
  percpu_counter_add, percpu_counter_add_batch, percpu_counter_inc, percpu_counter_read, percpu_counter_sum,
} from '../lib/percpu-counter.js';
import { smp_processor_id } from '../kernel/smp.js';
import { attachPercpuCounter, type PercpuCounterDescriptor } from './percpu-counter.js';
import type { CpuEnv } from './protocol.js';

/** Arguments of the percpu_counter add job: the counter, and how many adds of how much. */
export interface CounterAddArgs {
  readonly counter: PercpuCounterDescriptor;
  /** Adds this CPU performs. */
  readonly n: number;
  /** Amounts taken in turn, starting at a CPU-dependent place so CPUs do not move in step. */
  readonly amounts: readonly number[];
  /** percpu_counter_add_batch's batch; percpu_counter_add() (percpu_counter_batch) when absent. */
  readonly batch?: number;
}

/** What one CPU thread added to the counter. */
export interface CounterAddResult {
  /** The total this CPU added. */
  readonly added: number;
  /** This CPU's delta afterwards (still inside ±batch). */
  readonly delta: number;
}

/** `n` adds of the given amounts; returns the total added and the delta left on this CPU. */
export function percpu_counter_adds(m: Machine, _env: CpuEnv, args: CounterAddArgs): CounterAddResult {
  const fbc = attachPercpuCounter(m, args.counter);
  const { n, amounts, batch } = args;
  if (amounts.length === 0) throw new RangeError('percpu_counter_adds: amounts is empty');
  let added = 0;
  let k = smp_processor_id(m) % amounts.length;
  for (let i = 0; i < n; i++) {
    const amount = amounts[k];
    if (++k === amounts.length) k = 0;
    if (batch === undefined) percpu_counter_add(fbc, amount);
    else percpu_counter_add_batch(fbc, amount, batch);
    added += amount;
  }
  return { added, delta: m.load(m.addressOf(fbc.counters!, m.cpu), 'i32') as number };
}

/** `n` × percpu_counter_inc (the benchmark's shape); returns this thread's percpu_counter_read() afterwards. */
export function percpu_counter_incs(m: Machine, _env: CpuEnv, args: { readonly counter: PercpuCounterDescriptor; readonly n: number }): number {
  const fbc = attachPercpuCounter(m, args.counter);
  const n = args.n;
  for (let i = 0; i < n; i++) percpu_counter_inc(fbc);
  return percpu_counter_read(fbc);
}

/** What this thread sees of the counter: read() (the shared count) and sum() (under the shared lock). */
export function percpu_counter_look(m: Machine, _env: CpuEnv, args: { readonly counter: PercpuCounterDescriptor }): { read: number; sum: number } {
  const fbc = attachPercpuCounter(m, args.counter);
  return { read: percpu_counter_read(fbc), sum: percpu_counter_sum(fbc) };
}
