/**
 * u64_stats_sync (include/linux/u64_stats_sync.h, v6.x) on a 64-bit kernel:
 * struct u64_stats_sync is empty and every synchronisation call compiles to
 * nothing — u64_stats_update_begin/end do nothing, u64_stats_fetch_begin()
 * returns 0 and u64_stats_fetch_retry() false — because a 64-bit load or store
 * is never torn. u64_stats_t is local64_t: u64_stats_read() is one 8-byte
 * load, u64_stats_add()/u64_stats_inc() one `addq`/`incq` on the CPU's own
 * counter (safe against interrupts on that CPU, not against other CPUs).
 *
 * The writer still needs exclusive access (a lock, or per-CPU data in
 * non-preemptible context): that is the caller's part, as in the kernel.
 * The stepped forms of the counter ops are one step each; the synchronisation
 * calls are no steps at all, exactly as they are no instructions.
 */
import { machineArg, type Machine } from '../machine.js';
import { KPtr, checkKPtr } from '../kptr.js';
import { describe } from '../types.js';

/** A `struct u64_stats_sync *` (a KPtr such as kptr_member(m, tstats, 'syncp')) or its address. */
export type SyncArg = number | KPtr<unknown>;
/** A `u64_stats_t *` (a KPtr such as kptr_member(m, tstats, 'rx_packets')) or its address. */
export type StatArg = number | KPtr<unknown>;

function typed(p: KPtr<unknown>, want: string, what: string, arg: string): number {
  checkKPtr(p, what);
  if (p.ctype.name !== want) throw new TypeError(`${what}: ${arg} must point to a ${want}; ${p.sym} is a ${p.ctype.name}`);
  return p.addr;
}

function checkSync(syncp: unknown, what: string): void {
  if (syncp instanceof KPtr) {
    typed(syncp, 'struct u64_stats_sync', what, 'syncp');
    return;
  }
  if (typeof syncp !== 'number' || !Number.isInteger(syncp) || syncp <= 0) {
    throw new TypeError(`${what}: syncp must point to a struct u64_stats_sync (a KPtr, or its address), got ${describe(syncp)}`);
  }
}

/** @internal The counter's address. */
export function checkStat(m: Machine, p: unknown, what: string): number {
  machineArg(m, what);
  const a = p instanceof KPtr ? typed(p, 'u64_stats_t', what, 'the counter') : p;
  if (typeof a !== 'number' || !Number.isInteger(a) || a <= 0 || a % 8 !== 0 || a + 8 > m.mappedBytes) {
    throw new TypeError(`${what}: the counter must point to a u64_stats_t (a KPtr, or its 8-byte aligned address in mapped memory), got ${describe(p)}`);
  }
  return a;
}

/** @internal */
export function checkDelta(v: unknown, what: string): bigint {
  if (typeof v !== 'bigint') throw new TypeError(`${what}: the value must be a bigint (u64), got ${describe(v)}`);
  return v;
}

/** u64_stats_init(): nothing to initialise on 64-bit. */
export function u64_stats_init(_m: Machine, syncp: SyncArg): void {
  checkSync(syncp, 'u64_stats_init');
}

/** u64_stats_update_begin(): opens a writer section; nothing to do on 64-bit (the address is still checked). */
export function u64_stats_update_begin(_m: Machine, syncp: SyncArg): void {
  checkSync(syncp, 'u64_stats_update_begin');
}

/** u64_stats_update_end(): closes a writer section; nothing to do on 64-bit. */
export function u64_stats_update_end(_m: Machine, syncp: SyncArg): void {
  checkSync(syncp, 'u64_stats_update_end');
}

/** u64_stats_update_begin_irqsave(): 0, interrupts untouched (64-bit). */
export function u64_stats_update_begin_irqsave(_m: Machine, syncp: SyncArg): number {
  checkSync(syncp, 'u64_stats_update_begin_irqsave');
  return 0;
}

/** u64_stats_update_end_irqrestore(): closes a writer section opened by u64_stats_update_begin_irqsave(); `flags` must be the 0 it returned. */
export function u64_stats_update_end_irqrestore(_m: Machine, syncp: SyncArg, flags: number): void {
  checkSync(syncp, 'u64_stats_update_end_irqrestore');
  if (flags !== 0) throw new TypeError(`u64_stats_update_end_irqrestore: flags must be what u64_stats_update_begin_irqsave() returned (0 on 64-bit), got ${describe(flags)}`);
}

/** u64_stats_fetch_begin(): starts a reader section; returns the sequence to retry against (always 0 on 64-bit). */
export function u64_stats_fetch_begin(_m: Machine, syncp: SyncArg): number {
  checkSync(syncp, 'u64_stats_fetch_begin');
  return 0;
}

/** u64_stats_fetch_retry(): whether the reader must read again; never on 64-bit, where no read is torn. */
export function u64_stats_fetch_retry(_m: Machine, syncp: SyncArg, start: number): boolean {
  checkSync(syncp, 'u64_stats_fetch_retry');
  if (start !== 0) throw new TypeError(`u64_stats_fetch_retry: start must be what u64_stats_fetch_begin() returned (0 on 64-bit), got ${describe(start)}`);
  return false;
}

/** u64_stats_read(): local64_read(), one 8-byte load. */
export function u64_stats_read(m: Machine, p: StatArg): bigint {
  const at = checkStat(m, p, 'u64_stats_read');
  return m.view.getBigUint64(at, true);
}

/** u64_stats_set(): local64_set(), one 8-byte store of `v` (wrapped to 64 bits). */
export function u64_stats_set(m: Machine, p: StatArg, v: bigint): void {
  const at = checkStat(m, p, 'u64_stats_set');
  m.view.setBigUint64(at, BigInt.asUintN(64, checkDelta(v, 'u64_stats_set')), true);
}

/** u64_stats_add(): local64_add(), one `addq` (wraps at 2^64). */
export function u64_stats_add(m: Machine, p: StatArg, v: bigint): void {
  const a = checkStat(m, p, 'u64_stats_add');
  const d = checkDelta(v, 'u64_stats_add');
  m.view.setBigUint64(a, BigInt.asUintN(64, m.view.getBigUint64(a, true) + d), true);
}

/** u64_stats_inc(): local64_inc(), one `incq` (wraps at 2^64). */
export function u64_stats_inc(m: Machine, p: StatArg): void {
  u64_stats_add(m, checkStat(m, p, 'u64_stats_inc'), 1n);
}
