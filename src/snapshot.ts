/**
 * A snapshot of an object graph, restored in place: what the explorer uses to
 * put a machine (and what a scenario's setup() made on it) back to the state
 * it had after setup, instead of building and booting a new one for every
 * schedule (docs/explorer.md, "Snapshots").
 *
 * Taking one walks everything reachable from the roots — every own data
 * property of every object, array elements, Map and Set entries, the bytes of
 * every ArrayBuffer (the machine's memory, its bitmaps and offset tables) —
 * and records, for each object, what it holds. Restoring writes the recorded
 * values back into the same objects, so every reference made before the
 * snapshot (the scenario's pointers, the machine itself) stays valid; objects
 * made after it are dropped when the slots that held them are restored.
 *
 * What it cannot see, and refuses or leaves to the caller:
 *   - WeakMap, WeakSet and WeakRef cannot be enumerated: meeting one is an
 *     error naming where it was found (per-machine state lives in
 *     `m.attached` for this reason, src/per-machine.ts);
 *   - a SharedArrayBuffer's bytes are restored like an ArrayBuffer's (a
 *     percpu_counter keeps its lock and count in one, for threads): a
 *     snapshot is for a machine one thread uses, as the explorer's are;
 *   - functions are values (their identity is restored, not the variables
 *     they close over), and so are JS private (`#`) fields, which no
 *     reflection reaches: state that changes after the snapshot must not
 *     live there (the machine keeps none; a scenario's setup() returns its
 *     state in objects, see src/sched/task.ts).
 *   - Properties that are neither writable nor configurable (a frozen
 *     object's, the shared op tables') cannot change: walked, not recorded;
 *     objects the caller names as shared (the kernel's type scope) are
 *     values, not walked.
 *
 * A property added to an object after the snapshot is not deleted by
 * restore() (finding one would cost a Reflect.ownKeys() per object at every
 * restore, several times what the whole restore costs); the machine's classes
 * have fixed fields, and test/machine-snapshot.test.ts compares every own
 * property of the restored graph with a freshly set-up one.
 */

/** Run after every restore: see onRestore(). */
const restoreHooks: (() => void)[] = [];

/**
 * Registers `drop` to run after every restore. A module that caches objects
 * outside any machine, in a structure the snapshot cannot reach (a WeakMap),
 * drops that cache there: a restore may have put those objects' origins back
 * to an earlier state (un-freed a pointer whose cached derivatives it cannot
 * see), and a cache only saves work.
 */
export function onRestore(drop: () => void): void {
  restoreHooks.push(drop);
}

/** What an object held when the snapshot was taken. */
type Rec =
  | {
    readonly kind: 0; readonly o: Record<PropertyKey, unknown>; readonly keys: readonly PropertyKey[]; readonly vals: readonly unknown[];
    /** Writes back what differs (writeBackOf()). */
    readonly put: WriteBack;
    /** The properties as they were defined (a restore that finds one turned into an accessor redefines them). */
    readonly descs: readonly PropertyDescriptor[];
  }
  | { readonly kind: 1; readonly o: unknown[]; readonly vals: readonly unknown[] }
  | { readonly kind: 2; readonly o: Map<unknown, unknown>; readonly keys: readonly unknown[]; readonly vals: readonly unknown[] }
  | { readonly kind: 3; readonly o: Set<unknown>; readonly vals: readonly unknown[] };

/** A buffer's bytes when the snapshot was taken, and a view to write them back through. */
interface Bytes {
  readonly live: Uint8Array;
  readonly saved: Uint8Array;
}

/** The state of an object graph at one moment; restore() puts it back. */
export class Snapshot {
  /** Objects, arrays, Maps and Sets, in the order they were reached. */
  private readonly recs: Rec[] = [];
  /** ArrayBuffers, largest first (the machine's memory is one). */
  private readonly bytes: Bytes[] = [];
  /** Objects reached (for the count a test or a benchmark reports). */
  readonly objects: number;

  /**
   * `roots`: what to snapshot; `shared`: objects reachable from them that are
   * not theirs to restore (shared with other machines and read-only, such as
   * the kernel's type scope: Machine.shared()), taken as values.
   */
  constructor(roots: readonly object[], shared: readonly object[] = []) {
    const seen = new Set<unknown>(shared);
    const buffers: (ArrayBuffer | SharedArrayBuffer)[] = [];
    const stack: { x: object; path: string }[] = roots.map((x, i) => ({ x, path: `root${i}` }));
    const visit = (v: unknown, path: string): void => {
      if (v !== null && typeof v === 'object' && !seen.has(v)) stack.push({ x: v, path });
    };
    while (stack.length > 0) {
      const { x, path } = stack.pop()!;
      if (seen.has(x)) continue;
      seen.add(x);
      if (x instanceof ArrayBuffer || x instanceof SharedArrayBuffer) {
        buffers.push(x);
        continue;
      }
      if (ArrayBuffer.isView(x)) {
        visit(x.buffer, `${path}.buffer`);
        continue;
      }
      if (x instanceof WeakMap || x instanceof WeakSet || x instanceof WeakRef) {
        throw new TypeError(`snapshot: ${path} is a ${x.constructor.name}, whose entries cannot be enumerated, so it cannot be restored: keep that state in a Map or a Set, or per machine in a PerMachine slot`);
      }
      if (x instanceof Map) {
        const keys: unknown[] = [];
        const vals: unknown[] = [];
        for (const [k, v] of x) {
          keys.push(k);
          vals.push(v);
          visit(k, `${path}.key`);
          visit(v, `${path}.get(${String(k)})`);
        }
        this.recs.push({ kind: 2, o: x, keys, vals });
        continue;
      }
      if (x instanceof Set) {
        const vals = [...x];
        for (const v of vals) visit(v, `${path}.value`);
        this.recs.push({ kind: 3, o: x, vals });
        continue;
      }
      if (Array.isArray(x)) {
        const vals = x.slice();
        for (let i = 0; i < vals.length; i++) visit(vals[i], `${path}[${i}]`);
        this.recs.push({ kind: 1, o: x, vals });
        continue;
      }
      const o = x as Record<PropertyKey, unknown>;
      const keys: PropertyKey[] = [];
      const vals: unknown[] = [];
      const descs: PropertyDescriptor[] = [];
      for (const k of Reflect.ownKeys(o)) {
        const d = Object.getOwnPropertyDescriptor(o, k)!;
        if (!('value' in d)) continue; // an accessor: its functions are values
        visit(d.value, `${path}.${String(k)}`);
        if (!d.writable && !d.configurable) continue; // can never change (frozen objects, the shared op tables)
        keys.push(k);
        vals.push(d.value);
        descs.push(d);
      }
      if (keys.length > 0) this.recs.push({ kind: 0, o, keys, vals, descs, put: writeBackOf(keys) });
    }
    buffers.sort((a, b) => b.byteLength - a.byteLength);
    for (const b of buffers) this.bytes.push({ live: new Uint8Array(b), saved: new Uint8Array(b.slice(0)) });
    this.objects = seen.size - shared.length;
  }

  /** Bytes of memory the snapshot copies back at each restore. */
  get byteLength(): number {
    let n = 0;
    for (const b of this.bytes) n += b.saved.byteLength;
    return n;
  }

  /**
   * Puts every recorded object back as it was: its recorded own properties
   * written back where they changed; arrays, Maps and Sets get their entries
   * back; buffers their bytes.
   */
  restore(): void {
    for (const drop of restoreHooks) drop();
    for (const b of this.bytes) b.live.set(b.saved);
    const recs = this.recs;
    for (let r = 0; r < recs.length; r++) {
      const rec = recs[r]!;
      switch (rec.kind) {
        case 0: {
          const { o, keys, vals } = rec;
          try {
            rec.put(o, vals);
          } catch {
            // A property turned into a throwing accessor since: free_percpu() poisons a pointer so.
            for (let i = 0; i < keys.length; i++) Object.defineProperty(o, keys[i]!, rec.descs[i]!);
          }
          break;
        }
        case 1: {
          const { o, vals } = rec;
          if (o.length !== vals.length) o.length = vals.length;
          for (let i = 0; i < vals.length; i++) if (o[i] !== vals[i]) o[i] = vals[i];
          break;
        }
        case 2: {
          const { o, keys, vals } = rec;
          if (!sameMap(o, keys, vals)) {
            o.clear();
            for (let i = 0; i < keys.length; i++) o.set(keys[i], vals[i]);
          }
          break;
        }
        case 3: {
          const { o, vals } = rec;
          if (!sameSet(o, vals)) {
            o.clear();
            for (let i = 0; i < vals.length; i++) o.add(vals[i]);
          }
          break;
        }
      }
    }
  }
}

/** Writes the recorded values of an object's properties back where they differ. */
type WriteBack = (o: Record<PropertyKey, unknown>, vals: readonly unknown[]) => void;

const writeBacks = new Map<string, WriteBack>();

/**
 * The write-back for objects with these property names, compiled once per
 * list of names: each property is then read and written by a constant name,
 * which V8 caches per access site, where a loop over the names reads every
 * object's every property through one site that has seen them all (2–3× the
 * time of the rest of a restore). Symbol keys cannot be named in source: such
 * objects get the loop.
 */
function writeBackOf(keys: readonly PropertyKey[]): WriteBack {
  if (keys.some((k) => typeof k !== 'string')) {
    return (o, vals) => {
      for (let i = 0; i < keys.length; i++) if (o[keys[i]!] !== vals[i]) o[keys[i]!] = vals[i];
    };
  }
  const sig = JSON.stringify(keys);
  let f = writeBacks.get(sig);
  if (f === undefined) {
    const body = keys.map((k, i) => `if (o[${JSON.stringify(k)}] !== v[${i}]) o[${JSON.stringify(k)}] = v[${i}];`).join('\n');
    f = new Function('o', 'v', body) as WriteBack;
    writeBacks.set(sig, f);
  }
  return f;
}

/** The Map holds exactly these entries, in this order. */
function sameMap(o: Map<unknown, unknown>, keys: readonly unknown[], vals: readonly unknown[]): boolean {
  if (o.size !== keys.length) return false;
  let i = 0;
  for (const [k, v] of o) {
    if (k !== keys[i] || v !== vals[i]) return false;
    i++;
  }
  return true;
}

/** The Set holds exactly these values, in this order. */
function sameSet(o: Set<unknown>, vals: readonly unknown[]): boolean {
  if (o.size !== vals.length) return false;
  let i = 0;
  for (const v of o) if (v !== vals[i++]) return false;
  return true;
}
