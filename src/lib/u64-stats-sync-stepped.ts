/**
 * The stepped forms of src/lib/u64-stats-sync.ts, same names and arguments:
 * the synchronisation calls are no instruction on 64-bit, so they yield no
 * step; u64_stats_read/add/inc are one instruction each.
 */
import type { Machine } from '../machine.js';
import type { StepGen } from '../sched/step.js';
import * as fast from './u64-stats-sync.js';
import { KPtr } from '../kptr.js';
import { checkDelta, checkStat, type StatArg, type SyncArg } from './u64-stats-sync.js';

/** How traces name the counter: `tstats->rx_packets`, or its address. */
function statName(p: unknown, addr: number): string {
  return p instanceof KPtr ? p.sym : `0x${addr.toString(16)}`;
}

/** No instruction: no step. */
export function* u64_stats_update_begin(m: Machine, syncp: SyncArg): StepGen<void> {
  fast.u64_stats_update_begin(m, syncp);
}

/** u64_stats_update_end(), stepped: no instruction, no step. */
export function* u64_stats_update_end(m: Machine, syncp: SyncArg): StepGen<void> {
  fast.u64_stats_update_end(m, syncp);
}

/** u64_stats_update_begin_irqsave(), stepped: no instruction, no step; returns 0. */
export function* u64_stats_update_begin_irqsave(m: Machine, syncp: SyncArg): StepGen<number> {
  return fast.u64_stats_update_begin_irqsave(m, syncp);
}

/** u64_stats_update_end_irqrestore(), stepped: no instruction, no step. */
export function* u64_stats_update_end_irqrestore(m: Machine, syncp: SyncArg, flags: number): StepGen<void> {
  fast.u64_stats_update_end_irqrestore(m, syncp, flags);
}

/** u64_stats_fetch_begin(), stepped: no instruction, no step; returns 0. */
export function* u64_stats_fetch_begin(m: Machine, syncp: SyncArg): StepGen<number> {
  return fast.u64_stats_fetch_begin(m, syncp);
}

/** u64_stats_fetch_retry(), stepped: no instruction, no step; returns false. */
export function* u64_stats_fetch_retry(m: Machine, syncp: SyncArg, start: number): StepGen<boolean> {
  return fast.u64_stats_fetch_retry(m, syncp, start);
}

/** u64_stats_read(), stepped: one step, the 8-byte load (`movq`). */
export function* u64_stats_read(m: Machine, p: StatArg): StepGen<bigint> {
  const a = checkStat(m, p, 'u64_stats_read');
  yield { asm: `movq ${statName(p, a)}, %rax`, addr: a, size: 8, access: 'r' };
  return fast.u64_stats_read(m, a);
}

/** u64_stats_add(), stepped: one step, the `addq` on the counter. */
export function* u64_stats_add(m: Machine, p: StatArg, v: bigint): StepGen<void> {
  const a = checkStat(m, p, 'u64_stats_add');
  checkDelta(v, 'u64_stats_add');
  yield { asm: `addq $${v}, ${statName(p, a)}`, addr: a, size: 8, access: 'w' };
  fast.u64_stats_add(m, a, v);
}

/** u64_stats_inc(), stepped: one step, the `incq` on the counter. */
export function* u64_stats_inc(m: Machine, p: StatArg): StepGen<void> {
  const a = checkStat(m, p, 'u64_stats_inc');
  yield { asm: `incq ${statName(p, a)}`, addr: a, size: 8, access: 'w' };
  fast.u64_stats_add(m, a, 1n);
}
