/** The name an allocation goes by in traces. */
import { describe } from '../types.js';

/** An identifier or a member path (`a`, `a.b`, `p->b`, `a[2].b`). */
const LVALUE = /^[A-Za-z_]\w*(?:(?:\.|->)[A-Za-z_]\w*|\[\w+\])*$/;

/** Whether `name` is a C lvalue an allocation can be named after. */
export function isAllocName(name: string): boolean {
  return LVALUE.test(name);
}

/**
 * A name for traces: the C lvalue that holds the pointer, an identifier or a
 * member path (`pcp`, `nr_files.counters`, `fbc->counters`, `stats[2].pcp`).
 * Refused, naming the call, otherwise.
 */
export function checkAllocName(what: string, name: unknown): void {
  if (name !== undefined && (typeof name !== 'string' || !LVALUE.test(name))) {
    throw new TypeError(`${what}: the name must be a C identifier or member path (a, a.b, p->b, a[2].b), got ${describe(name)}`);
  }
}
