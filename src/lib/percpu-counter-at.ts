/**
 * `struct percpu_counter` in machine memory, for translated C: a C object
 * (`static struct percpu_counter nr_files;`, a member of a struct) names a
 * runtime counter (src/lib/percpu-counter.ts) by its address. The counter's
 * lock, s64 count and per-CPU deltas are the runtime's; the C object is 40
 * bytes as the kernel's struct is on x86-64 (c/include/linux/percpu_counter.h),
 * so the structs around it keep their layout, but its members are not C's to
 * read: the API below is the way in, as the kernel's users go through it.
 *
 * percpu_counter_init() registers the address; every other call looks it up
 * (the last counter found is kept, since a caller usually works on one
 * counter), and an address nobody initialised is refused before anything
 * runs, naming the call and the object as the C spells it.
 */
import { MachineStateError } from '../errors.js';
import { machineArg, type Machine } from '../machine.js';
import { PerMachine } from '../per-machine.js';
import { isAllocName } from '../mm/alloc-name.js';
import { describe } from '../types.js';
import {
  percpu_counter_destroy, percpu_counter_init, percpu_counter_read_s64, percpu_counter_sum_s64, type PercpuCounter, type S64,
} from './percpu-counter.js';

const counters = new PerMachine<Map<number, PercpuCounter>>('percpu_counter at');
/** What each counter's C object is called, for the stepped flavour's traces. */
const names = new WeakMap<PercpuCounter, string>();

let lastM: Machine | null = null;
let lastAddr = -1;
let lastFbc: PercpuCounter | null = null;

/** The counter the C object at `addr` names; `what` and `sym` (the C call and object) for the refusal. */
export function percpu_counter_of(m: Machine, addr: number, what: string, sym: string): PercpuCounter {
  if (m === lastM && addr === lastAddr) return lastFbc!;
  const fbc = counters.get(m)?.get(addr);
  if (fbc === undefined) {
    throw new MachineStateError(`${what}(&${sym}): no percpu_counter was initialised at 0x${Number(addr).toString(16)}: call percpu_counter_init(&${sym}, …) first; nothing was changed`);
  }
  lastM = m;
  lastAddr = addr;
  lastFbc = fbc;
  return fbc;
}

/**
 * percpu_counter_init(fbc, amount, gfp): a runtime counter for the C object
 * at `addr`. Returns 0 (the kernel's success). A second init of a live
 * counter is refused: the kernel would leak the first one's deltas.
 */
export function percpu_counter_init_at(m: Machine, addr: number, sym: string, amount: S64): number {
  const what = `percpu_counter_init(&${sym})`;
  machineArg(m, what);
  // The object must be memory: the same check as a load of it, refused before anything is made.
  m.load(addr, 'ulong');
  let map = counters.get(m);
  if (map === undefined) counters.set(m, (map = new Map()));
  if (map.has(addr)) throw new MachineStateError(`${what}: the percpu_counter is already initialised; percpu_counter_destroy() it first; nothing was changed`);
  const fbc = percpu_counter_init(m, amount, countersName(sym));
  map.set(addr, fbc);
  names.set(fbc, sym);
  return 0;
}

/**
 * What traces call the deltas: `fbc->counters` as the C spells the object
 * (`nr_files.counters`, `p->counters` for `*p`); an object spelled otherwise
 * keeps the allocator's name.
 */
function countersName(sym: string): string | undefined {
  const deref = /^\*([A-Za-z_]\w*)$/.exec(sym);
  if (deref !== null) return `${deref[1]}->counters`;
  return isAllocName(sym) ? `${sym}.counters` : undefined;
}

/** percpu_counter_destroy(fbc): frees the runtime counter; one never initialised (or already destroyed) is left alone, as the kernel's `if (!fbc->counters) return;`. */
export function percpu_counter_destroy_at(m: Machine, addr: number): void {
  const map = counters.get(machineArg(m, 'percpu_counter_destroy'));
  const fbc = map?.get(addr);
  if (fbc === undefined) return;
  percpu_counter_destroy(fbc);
  map!.delete(addr);
  if (lastFbc === fbc) {
    lastM = null;
    lastAddr = -1;
    lastFbc = null;
  }
}

/** percpu_counter_initialized(fbc): whether the C object at `addr` names a live counter. */
export function percpu_counter_initialized_at(m: Machine, addr: number): boolean {
  return counters.get(machineArg(m, 'percpu_counter_initialized'))?.has(addr) === true;
}

/** What traces call a counter: the C object it was initialised for, or `fbc`. */
export function percpu_counter_name(fbc: PercpuCounter): string {
  return names.get(fbc) ?? 'fbc';
}

/** percpu_counter_read_positive() as C's s64: the shared count, 0 when it is negative. */
export function percpu_counter_read_positive_s64(fbc: PercpuCounter): bigint {
  const v = percpu_counter_read_s64(fbc);
  return v < 0n ? 0n : v;
}

/** percpu_counter_sum_positive() as C's s64: the exact sum, 0 when it is negative. */
export function percpu_counter_sum_positive_s64(fbc: PercpuCounter): bigint {
  const v = percpu_counter_sum_s64(fbc);
  return v < 0n ? 0n : v;
}

/** The refusal of a value that is not a counter (the stepped API's entry check). */
export function notACounter(what: string, x: unknown): TypeError {
  return new TypeError(`${what}: expected a percpu_counter from percpu_counter_init(), got ${describe(x)}`);
}
