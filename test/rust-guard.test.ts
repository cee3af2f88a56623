/**
 * CpuGuard: preemption off while it lives, counts restored exactly, moves into
 * refs and tokens, and migration refused while any guard lives.
 */
import { describe, expect, it } from 'vitest';
import { KernelBugError, MachineStateError } from '../src/errors.js';
import { Machine } from '../src/machine.js';
import { preempt_count } from '../src/kernel/preempt.js';
import { CpuGuard, MovedValueError, PerCpu, define_per_cpu, get_static_per_cpu, unsafe_get_per_cpu_ref } from '../src/rust/index.js';

function setup() {
  const m = new Machine({ cpus: 4 });
  const X = define_per_cpu(m, 'X', 'u32', 0);
  m.boot();
  return { m, X };
}

describe('CpuGuard', () => {
  it('disables preemption while alive, with `using`', () => {
    const { m } = setup();
    expect(preempt_count(m)).toBe(0);
    {
      using g = new CpuGuard(m);
      expect(preempt_count(m)).toBe(1);
      expect(g.cpu).toBe(0);
      expect(g.state).toBe('live');
    }
    expect(preempt_count(m)).toBe(0);
  });

  it('nested guards restore the count exactly, in any drop order', () => {
    const { m } = setup();
    m.ctx.preemptCount = 2; // an outer preempt_disable() pair, as if already inside one
    const a = new CpuGuard(m);
    {
      using b = new CpuGuard(m);
      using c = new CpuGuard(m);
      expect(preempt_count(m)).toBe(5);
      expect([b.state, c.state]).toEqual(['live', 'live']);
    }
    expect(preempt_count(m)).toBe(3);
    const d = new CpuGuard(m);
    a.drop();
    expect(preempt_count(m)).toBe(3);
    d.drop();
    expect(preempt_count(m)).toBe(2);
  });

  it('refuses migration while a guard lives, allows it after', () => {
    const { m } = setup();
    {
      using _g = new CpuGuard(m);
      expect(() => m.migrate(2)).toThrow(MachineStateError);
      expect(() => m.migrate(2)).toThrow('migrate to cpu 2 refused: preemption is disabled on cpu 0 (preempt_count 1); the context must stay on its CPU until that ends');
      expect(m.cpu).toBe(0);
      expect(() => m.runOn(1, () => 0)).toThrow('runOn(cpu 1) refused: preemption is disabled on cpu 0 (preempt_count 1)');
    }
    m.migrate(2);
    expect(m.cpu).toBe(2);
  });

  it('refuses migration while a ref or token (which own a guard) lives', () => {
    const { m, X } = setup();
    const r = unsafe_get_per_cpu_ref(m, X, new CpuGuard(m));
    expect(() => m.migrate(1)).toThrow(/refused: preemption is disabled on cpu 0/);
    r.drop();
    const t = get_static_per_cpu(m, X).get_mut(new CpuGuard(m));
    expect(() => m.migrate(1)).toThrow(/refused: preemption is disabled on cpu 0/);
    t.drop();
    m.migrate(1);
    expect(m.cpu).toBe(1);
  });

  it('a double drop is an E0382 error and leaves the count alone', () => {
    const { m } = setup();
    const g = new CpuGuard(m, { name: 'g' });
    g.drop();
    expect(() => g.drop()).toThrow(MovedValueError);
    expect(() => g.drop()).toThrow('error[E0382]: use of moved value: `g`\n  = note: cannot drop `g`: it was already dropped (preemption was re-enabled then)');
    // the implicit drop at the end of a `using` scope is skipped, as for a moved-from Rust binding
    g[Symbol.dispose]();
    expect(preempt_count(m)).toBe(0);
  });

  it('a `using` guard moved into a ref is not dropped again when its scope ends', () => {
    const { m, X } = setup();
    let r: { drop(): void } | undefined;
    {
      using guard = new CpuGuard(m);
      r = unsafe_get_per_cpu_ref(m, X, guard);
      expect(guard.state).toBe('moved');
    }
    expect(preempt_count(m)).toBe(1); // the ref still owns the guard
    r.drop();
    expect(preempt_count(m)).toBe(0);
  });

  it('a guard moved into a ref cannot be used, moved again or dropped by its old owner', () => {
    const { m, X } = setup();
    const guard = new CpuGuard(m);
    const r = unsafe_get_per_cpu_ref(m, X, guard);
    expect(guard.state).toBe('moved');
    expect(() => guard.drop()).toThrow(
      /^error\[E0382\]: use of moved value: `guard`\n  = note: cannot drop `guard`: it was moved into PerCpuRef<u32> \(unsafe_get_per_cpu_ref!\(X\)\) at test\/rust-guard\.test\.ts:\d+:\d+, which now owns it/,
    );
    expect(() => guard.cpu).toThrow(/cannot read the CPU of `guard`: it was moved into PerCpuRef<u32>/);
    expect(() => unsafe_get_per_cpu_ref(m, X, guard)).toThrow(/cannot move into PerCpuRef<u32> `guard`: it was moved into/);
    expect(preempt_count(m)).toBe(1);
    r.drop();
    expect(preempt_count(m)).toBe(0);
    expect(() => r.get()).toThrow('error[E0382]: use of moved value: cannot get a PerCpuRef<u32> that was already dropped');
    expect(() => r.drop()).toThrow(MovedValueError);
    expect(preempt_count(m)).toBe(0);
  });

  it('a guard of another machine, or not a guard, is refused and nothing is borrowed', () => {
    const { m, X } = setup();
    const other = new Machine({ cpus: 1 }).boot();
    const foreign = new CpuGuard(other);
    expect(() => unsafe_get_per_cpu_ref(m, X, foreign)).toThrow('PerCpuRef<u32> (unsafe_get_per_cpu_ref!(X)): the CpuGuard belongs to another Machine');
    expect(foreign.state).toBe('dropped'); // moved into the refused call and dropped: `other` is preemptible again
    expect(preempt_count(other)).toBe(0);
    expect(preempt_count(m)).toBe(0);
    expect(() => unsafe_get_per_cpu_ref(m, X, {} as CpuGuard)).toThrow('unsafe_get_per_cpu_ref!(X): expected a CpuGuard (new CpuGuard(m)), got an object ([object Object])');
    // Nothing stayed borrowed: a ref can be taken now.
    const g = new CpuGuard(m);
    unsafe_get_per_cpu_ref(m, X, g).drop();
    expect(preempt_count(m)).toBe(0);
    expect(() => new CpuGuard({} as Machine)).toThrow('CpuGuard: expected a Machine, got an object ([object Object])');
  });

  it('preempt_enable underflow is still the kernel BUG (a guard cannot hide it)', () => {
    const { m } = setup();
    const g = new CpuGuard(m);
    m.ctx.preemptCount = 0; // someone else re-enabled behind the guard's back
    expect(() => g.drop()).toThrow(KernelBugError);
  });

  it('a PerCpu ref pins the CPU: the guard decides which copy it is', () => {
    const { m } = setup();
    const p = PerCpu.new(m, 'u32', { name: 'p' })!;
    m.migrate(3);
    {
      using r = p.get(new CpuGuard(m));
      expect(r.cpu).toBe(3);
      r.value = 33;
    }
    expect(p.values()).toEqual([0, 0, 0, 33]);
  });
});
