/** The name an allocation goes by in traces. */
import { describe } from '../types.js';

/**
 * A name for traces: the C lvalue that holds the pointer, an identifier or a
 * member path (`pcp`, `nr_files.counters`, `fbc->counters`, `stats[2].pcp`).
 * Refused, naming the call, otherwise.
 */
export function checkAllocName(what: string, name: unknown): void {
  if (name !== undefined && (typeof name !== 'string' || !/^[A-Za-z_]\w*(?:(?:\.|->)[A-Za-z_]\w*|\[\w+\])*$/.test(name))) {
    throw new TypeError(`${what}: the name must be a C identifier or member path (a, a.b, p->b, a[2].b), got ${describe(name)}`);
  }
}
