/**
 * Lists of weak references that shed their dead entries as they grow: the
 * pointers derived from one object (src/kptr.ts, src/percpu-ptr.ts), which a
 * free poisons together.
 */

/** Appends a weak reference to `x`, first pruning `list` in place when its length reaches a power of two (from 64). */
export function pushWeak<T extends object>(list: WeakRef<T>[], x: T): void {
  // Amortised linear: a WeakRef made in this job keeps its target until the job ends, so a long
  // synchronous loop prunes nothing and a fixed period would rescan the whole list again and again.
  // In place: no spread of a list that may hold hundreds of thousands.
  if (list.length >= 64 && (list.length & (list.length - 1)) === 0) {
    let n = 0;
    for (const r of list) if (r.deref() !== undefined) list[n++] = r;
    list.length = n;
  }
  list.push(new WeakRef(x));
}
