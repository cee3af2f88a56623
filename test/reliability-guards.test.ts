/**
 * Issue 10 item 9: a call that takes a CpuGuard by value and is refused drops
 * that guard, as Rust drops an argument moved into a call. Every guard-taking
 * entry point of the Rust API, against every way it can refuse: afterwards
 * preempt_count and the interrupt state are exactly what they were before the
 * guard was made, the guard is dead (E0382 naming the refused call), and
 * DEBUG_PREEMPT and migration behave as in preemptible code again.
 */
import { describe, expect, it } from 'vitest';
import { KernelBugError, MachineStateError } from '../src/errors.js';
import { Machine } from '../src/machine.js';
import { irqs_disabled, local_irq_restore, local_irq_save, preempt_count } from '../src/kernel/preempt.js';
import { alloc_percpu } from '../src/mm/percpu-alloc.js';
import { __this_cpu_inc_4 } from '../generated/x86_64/percpu.js';
import {
  AliasingError, BorrowError, CpuGuard, MovedValueError, DynamicPerCpu, PerCpu, PerCpuRef, define_per_cpu, get_static_per_cpu, struct,
  unsafe_get_per_cpu_ref, type PerCpuHandle, type PerCpuType,
} from '../src/rust/index.js';

type Getter = 'get' | 'get_mut' | 'get_checked';
const GETTERS: readonly Getter[] = ['get', 'get_mut', 'get_checked'];

const syms = new WeakMap<Machine, Map<string, ReturnType<typeof define_per_cpu>>>();

/** A booted machine with a static u32 `S` and a static struct `P`. */
function bootWithSyms(): Machine {
  const m = new Machine({ cpus: 4 });
  const S = define_per_cpu(m, 'S', 'u32', 7);
  const P = define_per_cpu(m, 'P', struct('pair', { a: 'u16', b: 'u64' }));
  syms.set(m, new Map<string, ReturnType<typeof define_per_cpu>>([['S', S], ['P', P as never]]));
  return m.boot();
}

function staticSym(m: Machine, name: string): ReturnType<typeof define_per_cpu> {
  return syms.get(m)!.get(name)!;
}

/** Every kind of handle the API has, made fresh on `m`. */
const HANDLES: ReadonlyArray<[string, (m: Machine) => PerCpuHandle<PerCpuType>]> = [
  ['PerCpu<u32>', (m) => PerCpu.new(m, 'u32', { name: 'num' })!],
  ['DynamicPerCpu<i64>', (m) => DynamicPerCpu.newWith(m, 'i64', -5n, { name: 'dyn' })!],
  ['StaticPerCpu<u32>', (m) => get_static_per_cpu(m, staticSym(m, 'S'))],
  ['StaticPerCpu<struct pair>', (m) => get_static_per_cpu(m, staticSym(m, 'P'))],
];

/**
 * Runs `refused` (which makes its guard inline, as `num.get(new CpuGuard(m))`
 * does) and checks the promise: the expected error, and the context's
 * preemption and interrupt state as they were before the statement.
 */
function expectRefusedAndReleased(m: Machine, refused: (g: CpuGuard) => unknown, error: RegExp | string, cls: new (...a: never[]) => Error): CpuGuard {
  const before = { count: preempt_count(m), irqs: irqs_disabled(m) };
  const g = new CpuGuard(m, { name: 'g' });
  let thrown: unknown = null;
  try {
    refused(g);
  } catch (e) {
    thrown = e;
  }
  expect(thrown).toBeInstanceOf(cls);
  if (typeof error === 'string') expect((thrown as Error).message).toBe(error);
  else expect((thrown as Error).message).toMatch(error);
  expect({ count: preempt_count(m), irqs: irqs_disabled(m) }).toEqual(before);
  expect(g.state).toBe('dropped');
  return g;
}

describe('a refused guard-taking call drops the guard moved into it', () => {
  it('E0499 through every getter of every handle kind', () => {
    for (const [, make] of HANDLES) {
      for (const first of GETTERS) {
        for (const second of GETTERS) {
          const m = bootWithSyms();
          const h = make(m);
          const r = h[first](new CpuGuard(m));
          expect(preempt_count(m)).toBe(1);
          const g = expectRefusedAndReleased(m, (g) => h[second](g), /^error\[E0499\]: cannot borrow `\w+` as mutable more than once at a time\n/, BorrowError);
          expect(() => g.drop()).toThrow(
            `error[E0382]: use of moved value: \`g\`\n  = note: cannot drop \`g\`: it was moved into ${h.name}.${second}(), which was refused and dropped it ` +
              '(preemption was re-enabled then, as Rust drops a value moved into a call that does not keep it)\nhelp: use a new CpuGuard',
          );
          r.drop();
          // Back to preemptible: DEBUG_PREEMPT reports again and the task may migrate.
          expect(preempt_count(m)).toBe(0);
          expect(() => __this_cpu_inc_4(m, alloc_percpu(m, 'u32')!)).toThrow(KernelBugError);
          m.migrate(2);
          expect(m.cpu).toBe(2);
        }
      }
    }
  });

  it('the issue\'s repro exactly: num.get(new CpuGuard(m)) twice, then r.drop()', () => {
    const m = bootWithSyms();
    const num = PerCpu.new(m, 'u32', { name: 'num' })!;
    const r = num.get(new CpuGuard(m));
    expect(() => num.get(new CpuGuard(m))).toThrow(BorrowError);
    r.drop();
    expect(preempt_count(m)).toBe(0);
    expect(() => __this_cpu_inc_4(m, alloc_percpu(m, 'u32')!)).toThrow('BUG: using __this_cpu_add() in preemptible [00000000] code: init/1');
    m.migrate(1);
    expect(m.cpu).toBe(1);
  });

  it('aliasing through a clone, for every getter pair', () => {
    for (const first of GETTERS) {
      for (const second of GETTERS) {
        if (first === 'get_checked' && second === 'get_checked') continue; // two shared references may coexist
        const m = bootWithSyms();
        const a = PerCpu.new(m, 'u32', { name: 'a' })!;
        const b = a.clone({ name: 'b' });
        const ra = a[first](new CpuGuard(m));
        expectRefusedAndReleased(m, (g) => b[second](g), /^aliasing violation: b\.\w+\(\) would create a (mutable|shared) reference to cpu 0's copy of `a`/, AliasingError);
        ra.drop();
        expect(preempt_count(m)).toBe(0);
      }
    }
    // Two unsafe refs to one static, and a safe handle's borrow against an unsafe ref.
    const m = bootWithSyms();
    const S = staticSym(m, 'S');
    const r = unsafe_get_per_cpu_ref(m, S, new CpuGuard(m));
    expectRefusedAndReleased(m, (g) => unsafe_get_per_cpu_ref(m, S, g), /^aliasing violation: unsafe_get_per_cpu_ref!\(S\)/, AliasingError);
    for (const getter of GETTERS) {
      expectRefusedAndReleased(m, (g) => get_static_per_cpu(m, S)[getter](g), /^aliasing violation: S\.\w+\(\)/, AliasingError);
    }
    r.drop();
    expect(preempt_count(m)).toBe(0);
  });

  it('E0382 on a dropped handle, for every getter of PerCpu and DynamicPerCpu', () => {
    for (const make of [(m: Machine) => PerCpu.new(m, 'u32', { name: 'num' })!, (m: Machine) => DynamicPerCpu.newZero(m, 'u8', { name: 'num' })!]) {
      for (const getter of GETTERS) {
        const m = bootWithSyms();
        const h = make(m);
        h.drop();
        expectRefusedAndReleased(
          m, (g) => h[getter](g),
          new RegExp(`^error\\[E0382\\]: use of moved value: \`num\`\\n  = note: cannot call num\\.${getter}\\(\\) on \`num\`: it was dropped at test/reliability-guards\\.test\\.ts:\\d+:\\d+\\nhelp: keep a clone alive for as long as you need the variable$`),
          MovedValueError,
        );
      }
    }
  });

  it('a guard from another machine: that machine gets its preemption back', () => {
    for (const getter of GETTERS) {
      const m = bootWithSyms();
      const other = new Machine({ cpus: 2 }).boot();
      const h = PerCpu.new(m, 'u32', { name: 'num' })!;
      const foreign = new CpuGuard(other, { name: 'foreign' });
      expect(preempt_count(other)).toBe(1);
      const what = { get: 'PerCpuRef', get_mut: 'PerCpuToken', get_checked: 'CheckedPerCpuToken' }[getter];
      expect(() => h[getter](foreign)).toThrow(`${what}<u32> (num.${getter}()): the CpuGuard belongs to another Machine`);
      expect(foreign.state).toBe('dropped');
      expect(preempt_count(other)).toBe(0);
      expect(preempt_count(m)).toBe(0);
      other.migrate(1); // `other` is preemptible again
    }
    const m = bootWithSyms();
    const other = new Machine({ cpus: 2 }).boot();
    expect(() => unsafe_get_per_cpu_ref(m, staticSym(m, 'S'), new CpuGuard(other))).toThrow(
      'PerCpuRef<u32> (unsafe_get_per_cpu_ref!(S)): the CpuGuard belongs to another Machine',
    );
    expect(() => PerCpuRef.unsafe_new(m, alloc_percpu(m, 'u32')!, 'u32', new CpuGuard(other))).toThrow(/the CpuGuard belongs to another Machine$/);
    expect(preempt_count(other)).toBe(0);
  });

  it('unsafe_get_per_cpu_ref before boot, with a symbol of another machine, or not a symbol', () => {
    const m = new Machine({ cpus: 2 });
    const S = define_per_cpu(m, 'S', 'u32');
    expectRefusedAndReleased(m, (g) => unsafe_get_per_cpu_ref(m, S, g), 'unsafe_get_per_cpu_ref(S): per-CPU memory is not set up yet: call m.boot() first', MachineStateError);
    m.boot();
    const n = bootWithSyms();
    expectRefusedAndReleased(m, (g) => unsafe_get_per_cpu_ref(m, staticSym(n, 'S'), g), 'unsafe_get_per_cpu_ref: S was defined on another Machine', TypeError);
    expectRefusedAndReleased(
      m, (g) => unsafe_get_per_cpu_ref(m, {} as never, g),
      'unsafe_get_per_cpu_ref: expected a StaticPerCpuSymbol from define_per_cpu(), got an object ([object Object])', TypeError,
    );
  });

  it('PerCpuRef.unsafe_new with a bad type, a bad pointer or a bad name', () => {
    const m = bootWithSyms();
    const p = alloc_percpu(m, 'u32')!;
    expectRefusedAndReleased(m, (g) => PerCpuRef.unsafe_new(m, p, 'u128' as never, g), /^PerCpuRef\.unsafe_new: u128 is not a Rust per-CPU value type here/, TypeError);
    expectRefusedAndReleased(m, (g) => PerCpuRef.unsafe_new(m, 5 as never, 'u32', g), 'PerCpuRef.unsafe_new: expected a per-CPU pointer (a DEFINE_PER_CPU symbol or what alloc_percpu() returned), got 5', TypeError);
    expectRefusedAndReleased(m, (g) => PerCpuRef.unsafe_new(m, p, 'u32', g, { name: 7 as never }), 'PerCpuRef.unsafe_new: options.name must be a non-empty string, got 7', TypeError);
    const r = PerCpuRef.unsafe_new(m, p, 'u32', new CpuGuard(m), { name: 'p' });
    expectRefusedAndReleased(m, (g) => PerCpuRef.unsafe_new(m, p, 'u32', g, { name: 'p' }), /^aliasing violation: PerCpuRef\.unsafe_new\(p\)/, AliasingError);
    r.drop();
    expect(preempt_count(m)).toBe(0);
  });

  it('the interrupt state is untouched, and a refused call inside local_irq_save keeps interrupts off', () => {
    const m = bootWithSyms();
    const num = PerCpu.new(m, 'u32', { name: 'num' })!;
    const flags = local_irq_save(m);
    const r = num.get(new CpuGuard(m));
    expectRefusedAndReleased(m, (g) => num.get_mut(g), /^error\[E0499\]/, BorrowError);
    expect(irqs_disabled(m)).toBe(true);
    r.drop();
    local_irq_restore(m, flags);
    expect([preempt_count(m), irqs_disabled(m)]).toEqual([0, false]);
  });

  it('what is not a live guard is not touched: a dead guard stays an E0382, a non-guard a TypeError', () => {
    const m = bootWithSyms();
    const num = PerCpu.new(m, 'u32', { name: 'num' })!;
    const g = new CpuGuard(m, { name: 'g' });
    g.drop();
    expect(() => num.get(g)).toThrow('error[E0382]: use of moved value: `g`\n  = note: cannot move into PerCpuRef<u32> `g`: it was already dropped (preemption was re-enabled then)');
    expect(() => num.get(null as never)).toThrow('num.get(): expected a CpuGuard (new CpuGuard(m)), got null');
    expect(preempt_count(m)).toBe(0);
  });
});
