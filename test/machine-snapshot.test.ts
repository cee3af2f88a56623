/**
 * Snapshots instead of rebuilding (src/snapshot.ts, src/explore/worlds.ts):
 * after random schedules, a split scenario's restored machine equals a freshly
 * set-up one in every own property of every object it reaches (a structural
 * walk, so a field added later and left out of the restore fails here); the
 * explorer finds the same schedules, cut paths, states, verdicts and
 * violations with snapshots as without; and the pieces a restore must put
 * back beyond memory (a freed pointer, the allocator, borrows, ghosts) are
 * back.
 */
import { describe, expect, it } from 'vitest';
import { exploreExhaustive, exploreRandom, type ExploreResult } from '../src/explore/explorer.js';
import { LARGE_SCENARIOS, SCENARIOS, counterScale, incIrq, rustRef } from '../src/explore/scenarios/index.js';
import { buildWorld, restoredSetup, retireWorld } from '../src/explore/worlds.js';
import { Machine } from '../src/machine.js';
import { PerCpuPtr } from '../src/percpu-ptr.js';
import { alloc_percpu, free_percpu, pcpu_stats } from '../src/mm/percpu-alloc.js';
import { this_cpu_read, this_cpu_write } from '../src/typed.js';
import { PerCpuRef } from '../src/rust/per-cpu-ref.js';
import { CpuGuard } from '../src/rust/cpu-guard.js';
import { Snapshot } from '../src/snapshot.js';
import { pcpu_ptr_at } from '../src/member.js';
import { __this_cpu_read_4 } from '../generated/x86_64/percpu-stepped.js';
import type { Scenario, WorldSetup } from '../src/sched/task.js';
import { splitScenario } from '../src/sched/task.js';
import { DEFINE_PER_CPU } from '../src/define.js';
import { kfree, kmalloc, kzalloc } from '../src/mm/memory.js';
import { spin_lock, spin_lock_init, spin_unlock } from '../src/kernel/locking/spinlock.js';
import { percpu_counter_add, percpu_counter_init } from '../src/lib/percpu-counter.js';
import { cpu_down, cpu_up } from '../src/kernel/hotplug.js';
import { ghost } from '../src/sched/ghost.js';
import { atomic } from '../src/sched/step.js';
import { this_cpu_inc_4 } from '../generated/x86_64/percpu-stepped.js';

/** The fields that hold the machine's id or derive from it (a fresh machine has another id): shown relative to it. */
function idRelative(x: object, k: PropertyKey, v: unknown, m: Machine): string | null {
  if (typeof v !== 'number') return null;
  if (x instanceof Machine && k === 'id') return `machine-relative ${v - m.id}`;
  if ((x instanceof Machine && String(k).startsWith('tag_')) || (x instanceof PerCpuPtr && k === 'tag')) return `machine-relative ${v === 0 ? 0 : v - m.id * 16}`;
  return null;
}

/**
 * Every own property (data or accessor, symbol keys too) of every object
 * reachable from `root`, Map and Set entries, array elements and the bytes of
 * every buffer, as lines: objects are named by the path they were first
 * reached on (so a shared object shows as shared), functions by their name,
 * `shared` objects (the kernel's type scope) by their index.
 */
function shape(root: object, m: Machine): string[] {
  const out: string[] = [];
  const names = new Map<unknown, string>(m.shared().map((x, i) => [x, `<shared ${i}>`]));
  const value = (v: unknown, path: string): string => {
    if (typeof v === 'function') return `fn ${v.name}`;
    if (typeof v === 'bigint') return `${v}n`;
    if (v === null || typeof v !== 'object') return typeof v === 'string' ? JSON.stringify(v) : String(v);
    const seen = names.get(v);
    if (seen !== undefined) return `-> ${seen}`;
    names.set(v, path);
    walk(v, path);
    return `<${v.constructor?.name ?? 'null-proto'} ${path}>`;
  };
  const walk = (x: object, path: string): void => {
    if (x instanceof ArrayBuffer || x instanceof SharedArrayBuffer) {
      out.push(`${path} bytes ${Buffer.from(new Uint8Array(x)).toString('base64')}`);
      return;
    }
    if (ArrayBuffer.isView(x)) {
      out.push(`${path} view ${x.constructor.name} ${x.byteOffset}+${x.byteLength} of ${value(x.buffer, `${path}.buffer`)}`);
      return;
    }
    if (x instanceof WeakMap || x instanceof WeakSet || x instanceof WeakRef) throw new Error(`${path}: a ${x.constructor.name} in the machine's graph`);
    if (x instanceof Map) {
      let i = 0;
      for (const [k, v] of x) {
        out.push(`${path} entry ${i}: ${value(k, `${path}.key${i}`)} => ${value(v, `${path}.get${i}`)}`);
        i++;
      }
      out.push(`${path} size ${x.size}`);
      return;
    }
    if (x instanceof Set) {
      let i = 0;
      for (const v of x) out.push(`${path} value ${i}: ${value(v, `${path}.value${i++}`)}`);
      out.push(`${path} size ${x.size}`);
      return;
    }
    out.push(`${path} proto ${Object.getPrototypeOf(x)?.constructor?.name ?? 'null'}`);
    for (const k of Reflect.ownKeys(x)) {
      const d = Object.getOwnPropertyDescriptor(x, k)!;
      const p = `${path}.${String(k)}`;
      out.push('value' in d ? `${p} = ${idRelative(x, k, d.value, m) ?? value(d.value, p)}` : `${p} accessor get ${d.get?.name ?? '-'} set ${d.set?.name ?? '-'}`);
    }
  };
  value(root, 'setup');
  return out;
}

const SPLIT: readonly Scenario[] = [...SCENARIOS, ...LARGE_SCENARIOS];

describe('every shipped scenario is split into setup() and start()', () => {
  it.each(SPLIT.map((s) => [s.name, s] as const))('%s', (_name, s) => {
    expect([typeof s.setup, typeof s.start]).toEqual(['function', 'function']);
  });
});

describe('after random schedules, the restored machine equals a freshly set-up one in every own property it reaches', () => {
  it.each(SPLIT.map((s) => [s.name, s] as const))('%s', (_name, s) => {
    exploreRandom(s, 40, 7, { snapshots: true, maxViolations: Infinity, traceViolations: false, ...(s === counterScale ? { bound: 1 } : {}) });
    const r = restoredSetup(s)!;
    expect(r).not.toBeNull();
    r.snapshot.restore();
    const fresh = s.setup!();
    const want = shape(fresh, fresh.m);
    const got = shape(r.setup, r.setup.m);
    expect(got.length).toBe(want.length);
    expect(got).toEqual(want);
    fresh.m.retire();
  });

  it('the comparison sees a field the restore leaves behind: a property added to the machine, a private field changed', () => {
    const s = incIrq;
    exploreRandom(s, 3, 1, { snapshots: true });
    const r = restoredSetup(s)!;
    r.snapshot.restore();
    const before = shape(r.setup, r.setup.m);
    const m = r.setup.m as Machine & { added?: number };
    m.added = 1;
    r.snapshot.restore();
    const after = shape(r.setup, r.setup.m);
    expect(after.filter((l) => !before.includes(l))).toEqual(['setup.m.added = 1']);
    delete m.added;
    expect(shape(r.setup, r.setup.m)).toEqual(before);
  });
});

/** What must not change with snapshots: every count, the verdict and each violation. */
function outcome(r: ExploreResult): unknown {
  return {
    schedules: r.schedules, cut: r.sleepBlocked, transitions: r.transitions, states: r.distinctStates, complete: r.complete,
    violations: r.violations.map((v) => [v.index, v.kind, v.message, v.schedule]),
  };
}

describe('exploring with snapshots gives what exploring without them gives', () => {
  it.each(SCENARIOS.map((s) => [s.name, s] as const))('%s: optimal and sleep sets, bounds 0 and 1, every violation', (_name, s) => {
    for (const reduction of ['optimal', 'sleep'] as const) {
      for (const bound of [0, 1]) {
        const o = { reduction, bound, maxViolations: Infinity, traceViolations: false };
        const off = exploreExhaustive(s, { ...o, snapshots: false });
        const on = exploreExhaustive(s, { ...o, snapshots: true });
        expect(outcome(on)).toEqual(outcome(off));
      }
    }
  });

  it('counter-scale at bound 0 (1,365 schedules)', () => {
    const o = { bound: 0, maxViolations: Infinity, traceViolations: false, countStates: false } as const;
    const on = exploreExhaustive(counterScale, { ...o, snapshots: true });
    expect(outcome(on)).toEqual(outcome(exploreExhaustive(counterScale, { ...o, snapshots: false })));
    expect(on.schedules).toBe(1365);
  });

  it('random schedules of every shipped scenario: the same schedules, states and violations', () => {
    for (const s of SCENARIOS) {
      const seen: Record<'on' | 'off', string[]> = { on: [], off: [] };
      const run = (side: 'on' | 'off') => exploreRandom(s, 30, 11, {
        snapshots: side === 'on', maxViolations: Infinity, traceViolations: false, onSchedule: (x, v) => seen[side].push(`${x} ${v}`),
      });
      expect(outcome(run('on'))).toEqual(outcome(run('off')));
      expect(seen.on).toEqual(seen.off);
    }
  });
});

describe('the explorer\'s worlds', () => {
  it('set up once: every schedule after the first restores the same machine; a world asked for while one is in use is built afresh', () => {
    const a = buildWorld(incIrq, true);
    const b = buildWorld(incIrq, true);
    expect(b.m === a.m).toBe(false);
    retireWorld(incIrq, b);
    expect(b.m.booted).toBe(true);
    expect(() => b.m.u8).toThrow('per-CPU memory is not set up yet');
    retireWorld(incIrq, a);
    const c = buildWorld(incIrq, true);
    expect(c.m === a.m && c.m === restoredSetup(incIrq)!.setup.m).toBe(true);
    retireWorld(incIrq, c);
    const d = buildWorld(incIrq, false);
    expect(d.m === a.m).toBe(false);
    retireWorld(incIrq, d);
  });

  it('the snapshots option takes true or false', () => {
    expect(() => exploreExhaustive(incIrq, { snapshots: 1 as unknown as boolean })).toThrow('explore: snapshots must be true or false, got 1');
    expect(() => exploreRandom(incIrq, 1, 1, { snapshots: 'no' as unknown as boolean })).toThrow('explore: snapshots must be true or false, got "no"');
  });

  it('splitScenario: build() is start(setup()), a fresh machine each time', () => {
    const s = splitScenario({
      name: 'x', title: 'x', description: 'x', expect: 'none', cpus: 1,
      setup() {
        const m = new Machine({ cpus: 1 });
        const v = DEFINE_PER_CPU(m, 'u32', 'v');
        m.boot();
        return { m, v };
      },
      start: ({ m }) => ({ m, tasks: [], final: () => null }),
    });
    expect(() => splitScenario(null as never)).toThrow('splitScenario: expected a scenario { name, title, description, expect, cpus, setup(), start(setup) }, got null');
    expect(() => splitScenario({ ...s, start: 5 } as never)).toThrow('splitScenario: setup and start must be functions, got function and number');
    const w1 = s.build();
    const w2 = s.build();
    expect(w1.m === w2.m).toBe(false);
    expect(w1.m.booted).toBe(true);
  });
});

/**
 * A scenario whose tasks change what the shipped ones leave alone: kmalloc()
 * and kfree() (slabs, live objects, KASAN's quarantine), free_percpu() of a
 * pointer setup() made (poisoned) and a new alloc_percpu() (chunks, bitmaps),
 * a spinlock in kmalloc'd memory (the lock registry), a percpu_counter,
 * CPU hotplug down and up (online and dying masks, the hotplug callbacks and
 * the counters' batch), a ghost, a debug flag.
 */
const SINK = 'ghost:sink';
const sink = splitScenario({
  name: 'sink', title: 'every subsystem changed by the tasks', description: 'see the test', expect: 'none', cpus: 3, bound: 1,
  setup() {
    const m = new Machine({ cpus: 3 });
    const counter = DEFINE_PER_CPU(m, 'u32', 'counter');
    m.boot();
    const p = alloc_percpu(m, 'u32', 'p')!;
    const lock = kzalloc(m, 'spinlock_t', 'lock')!;
    spin_lock_init(m, lock, 'sink.lock');
    return { m, counter, p, lock, fbc: percpu_counter_init(m, 0), done: ghost(m, 'sink', 0) };
  },
  start({ m, counter, p, lock, fbc, done }) {
    const step = (asm: string) => ({ asm, writes: [SINK] });
    return {
      m,
      tasks: [
        {
          name: 'A', cpu: 0,
          *run() {
            yield* atomic(step('call kmalloc; kfree'), () => {
              const o = kmalloc(m, 'u64', 'tmp')!;
              kfree(m, o);
            });
            yield* atomic(step('call free_percpu; alloc_percpu'), () => {
              free_percpu(m, p);
              alloc_percpu(m, 'u64', 'q');
            });
            yield* atomic(step('call spin_lock; spin_unlock'), () => {
              spin_lock(m, lock);
              spin_unlock(m, lock);
            });
            yield* this_cpu_inc_4(m, counter);
          },
        },
        {
          name: 'B', cpu: 1,
          *run() {
            yield* atomic(step('call percpu_counter_add'), () => percpu_counter_add(fbc, 5));
            yield* atomic(step('call cpu_down; cpu_up'), () => {
              cpu_down(m, 2);
              cpu_up(m, 2);
            });
            yield* done.update((n) => n + 1);
            yield* atomic(step('debug off'), () => {
              m.debugPreempt = false;
            });
          },
        },
      ],
      watch: [counter],
      final: () => null,
    };
  },
});

describe('a scenario whose tasks change every subsystem: kmalloc, KASAN, the allocator, locks, hotplug, percpu_counter, ghosts, flags', () => {
  it('after random schedules the restored machine equals a freshly set-up one', () => {
    const r0 = exploreRandom(sink, 30, 5, { snapshots: true, maxViolations: Infinity });
    expect(r0.violations.map((v) => v.message)).toEqual([]);
    const r = restoredSetup(sink)!;
    r.snapshot.restore();
    const fresh = sink.setup!();
    expect(shape(r.setup, r.setup.m)).toEqual(shape(fresh, fresh.m));
  });

  it('explores the same with and without snapshots', () => {
    const o = { bound: 0, maxViolations: Infinity, traceViolations: false };
    const on = exploreExhaustive(sink, { ...o, snapshots: true });
    expect(on.violations).toEqual([]);
    expect(on.schedules).toBeGreaterThan(1);
    expect(outcome(on)).toEqual(outcome(exploreExhaustive(sink, { ...o, snapshots: false })));
  });
});

describe('what a restore puts back besides memory', () => {
  it('a pointer freed after the snapshot is live again, with its allocation; with debugFree off, freeing it again is no double free', () => {
    for (const debug of [true, false]) {
      const m = new Machine({ cpus: 2, debug });
      m.boot();
      const p = alloc_percpu(m, 'u64', 'stats')!;
      this_cpu_write(m, p, 5n);
      const snap = new Snapshot([{ m, p }], m.shared());
      const stats = JSON.stringify(pcpu_stats(m));
      free_percpu(m, p);
      expect(() => free_percpu(m, p)).toThrow('double free: free_percpu() of alloc_percpu #1 (size 8, align 8), which was already freed by free_percpu(); nothing was changed');
      const q = alloc_percpu(m, 'u32', 'other')!;
      expect(q).not.toBeNull();
      snap.restore();
      expect(JSON.stringify(pcpu_stats(m))).toBe(stats);
      expect(this_cpu_read(m, p)).toBe(5n);
      free_percpu(m, p);
      expect(JSON.stringify(pcpu_stats(m))).not.toBe(stats);
      snap.restore();
      expect(this_cpu_read(m, p)).toBe(5n);
    }
  });

  it('a Rust borrow left alive by a schedule cut short is gone after the restore', () => {
    const w = buildWorld(rustRef, true);
    const { m, counter } = restoredSetup(rustRef)!.setup as WorldSetup & { counter: PerCpuPtr<'u32'> };
    expect(w.m === m).toBe(true);
    PerCpuRef.unsafe_new(m, counter, 'u32', new CpuGuard(m), { name: 'counter' });
    expect(m.ctx.preemptCount).toBe(1);
    expect(() => PerCpuRef.unsafe_new(m, counter, 'u32', new CpuGuard(m), { name: 'counter' })).toThrow('aliasing violation');
    retireWorld(rustRef, w);
    const again = buildWorld(rustRef, true);
    expect(again.m === m).toBe(true);
    expect(m.ctx.preemptCount).toBe(0);
    const r = PerCpuRef.unsafe_new(m, counter, 'u32', new CpuGuard(m), { name: 'counter' });
    expect(r.get()).toBe(0);
    r.drop();
    expect(m.ctx.preemptCount).toBe(0);
    retireWorld(rustRef, again);
  });

  it('refuses what it cannot enumerate, naming where it was found', () => {
    const m = new Machine({ cpus: 1 });
    m.boot();
    expect(() => new Snapshot([{ m, cache: new WeakMap() }], m.shared())).toThrow(
      'snapshot: root0.cache is a WeakMap, whose entries cannot be enumerated, so it cannot be restored: keep that state in a Map or a Set, or per machine in a PerMachine slot',
    );
  });

  it('objects, arrays, Maps, Sets and buffers are restored in place; objects made since are dropped', () => {
    const sym = Symbol('tagged');
    const inner = { n: 1 };
    const root = { inner, list: [1, 2], map: new Map([['a', inner]]), set: new Set([1]), bytes: new Uint16Array([7, 8]) };
    const tagged = { [sym]: 'a', plain: 1 };
    const snap = new Snapshot([root, tagged]);
    tagged[sym] = 'b';
    tagged.plain = 2;
    inner.n = 2;
    root.list.push(3);
    root.list[0] = 9;
    root.map.set('b', { n: 5 });
    root.set.delete(1);
    root.set.add(4);
    root.bytes[1] = 0;
    root.inner = { n: 3 };
    snap.restore();
    expect(root.inner === inner).toBe(true);
    expect(root).toEqual({ inner: { n: 1 }, list: [1, 2], map: new Map([['a', inner]]), set: new Set([1]), bytes: new Uint16Array([7, 8]) });
    expect([tagged[sym], tagged.plain]).toEqual(['a', 1]);
    expect(snap.objects).toBe(8);
  });

  it('a task that frees an object after pcpu_ptr_at(): the next schedule, restored, makes the pointer again instead of reusing the one the free poisoned', () => {
    const s = splitScenario({
      name: 'ptr-at-free', title: 'pcpu_ptr_at() then free_percpu()', description: 'A reads an element through pcpu_ptr_at(), then frees the object; B reads its own variable twice.',
      expect: 'none', cpus: 2, bound: 1,
      setup() {
        const m = new Machine({ cpus: 2 });
        m.boot();
        return { m, p: alloc_percpu(m, 'u64', 'arr')!, other: alloc_percpu(m, 'u32', 'other')! };
      },
      start({ m, p, other }) {
        return {
          m,
          tasks: [
            { name: 'A', cpu: 0, pinned: true, *run() { yield* __this_cpu_read_4(m, pcpu_ptr_at(m, p, 4, 'u32')); free_percpu(m, p); } },
            { name: 'B', cpu: 1, pinned: true, *run() { yield* __this_cpu_read_4(m, other); yield* __this_cpu_read_4(m, other); } },
          ],
          final: () => null,
        };
      },
    });
    const rebuilt = exploreExhaustive(s, { snapshots: false, maxViolations: Infinity });
    const restored = exploreExhaustive(s, { snapshots: true, maxViolations: Infinity });
    expect([restored.schedules, restored.violations.length]).toEqual([rebuilt.schedules, 0]);
    expect(rebuilt.schedules).toBe(3);
  });
});
