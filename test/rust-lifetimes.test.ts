/**
 * Lifetimes and borrows at run time: the talk's Problem! slide (E0505), a
 * second borrow of one handle (E0499), aliasing through clones, views escaping
 * a closure (E0521), use after free, and `'static` refs that never expire.
 */
import { describe, expect, it } from 'vitest';
import { Machine } from '../src/machine.js';
import { preempt_count } from '../src/kernel/preempt.js';
import {
  AliasingError, BorrowError, CpuGuard, DynamicPerCpu, MovedValueError, PerCpu, define_per_cpu, get_static_per_cpu,
  unsafe_get_per_cpu_ref, type PerCpuMut,
} from '../src/rust/index.js';

function boot(cpus = 4): Machine {
  return new Machine({ cpus }).boot();
}

function caught(f: () => unknown): Error {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}

describe('the Problem! slide', () => {
  it('drop(num) while num_ref lives is error[E0505], pointing at the binding, the borrow and the move', () => {
    const m = boot();
    const num = PerCpu.new(m, 'u32', { name: 'num' })!;
    const num_ref = num.get(new CpuGuard(m));
    const err = caught(() => num.drop());
    expect(err).toBeInstanceOf(BorrowError);
    const lines = err.message.split('\n');
    expect(lines[0]).toBe('error[E0505]: cannot move out of `num` because it is borrowed');
    const at = /^ {2}--> test\/rust-lifetimes\.test\.ts:(\d+):(\d+)$/.exec(lines[1]);
    expect(at).not.toBeNull();
    const L = Number(at![1]);
    expect(lines.slice(2)).toEqual([
      '   |',
      `${L - 2} |     const num = PerCpu.new(m, 'u32', { name: 'num' })!;`,
      '   |           --- binding `num` declared here',
      `${L - 1} |     const num_ref = num.get(new CpuGuard(m));`,
      '   |                     --- borrow of `num` occurs here',
      `${L} |     const err = caught(() => num.drop());`,
      '   |                              ^^^ move out of `num` occurs here',
      '   |',
      '   = note: the borrow is a PerCpuRef<u32> returned by num.get(); it is still alive, so a later use of it would be a use after free',
      'help: drop the PerCpuRef<u32> before drop(num) (end its `using` block or call its [Symbol.dispose]()); `num` was not dropped',
    ]);
    expect(Number(at![2])).toBe(lines[8].indexOf('^') - 4); // 1-based column of `num`

    // Refused means unchanged: num is alive, the ref still works and writes its CPU's copy.
    expect(num.dropped).toBe(false);
    expect(num.strongCount).toBe(1);
    expect(preempt_count(m)).toBe(1);
    num_ref.set(1);
    expect(num.values()).toEqual([1, 0, 0, 0]);
    num_ref.drop();
    num.drop();
    expect(preempt_count(m)).toBe(0);
  });

  it('disposing (`using num`) is a move too, and is refused the same way', () => {
    const m = boot();
    const r = (() => {
      using percpu = PerCpu.new(m, 'u64')!;
      return percpu.get(new CpuGuard(m));
    });
    const err = caught(r);
    expect(err.message).toMatch(/^error\[E0505\]: cannot move out of `percpu` because it is borrowed\n/);
  });

  it('a token or a checked token borrows too', () => {
    const m = boot();
    const p = DynamicPerCpu.newZero(m, 'u8', { name: 'p' })!;
    const t = p.get_mut(new CpuGuard(m));
    expect(caught(() => p.drop()).message).toMatch(/^error\[E0505\][^]*the borrow is a PerCpuToken<u8> returned by p\.get_mut\(\)/);
    t.drop();
    const c = p.get_checked(new CpuGuard(m));
    expect(caught(() => p.drop()).message).toMatch(/the borrow is a CheckedPerCpuToken<u8> returned by p\.get_checked\(\)/);
    c.drop();
    p.drop();
  });

  it('with debug off there are no source lines, but the error is the same', () => {
    const m = new Machine({ cpus: 2, debug: false }).boot();
    const num = PerCpu.new(m, 'u32', { name: 'num' })!;
    const r = num.get(new CpuGuard(m));
    expect(caught(() => num.drop()).message).toBe([
      'error[E0505]: cannot move out of `num` because it is borrowed',
      '  = note: binding `num` declared here',
      '  = note: borrow of `num` occurs here',
      '  = note: move out of `num` occurs here',
      '  = note: the borrow is a PerCpuRef<u32> returned by num.get(); it is still alive, so a later use of it would be a use after free',
      'help: drop the PerCpuRef<u32> before drop(num) (end its `using` block or call its [Symbol.dispose]()); `num` was not dropped',
    ].join('\n'));
    r.drop();
    num.drop();
  });
});

describe('one borrow per handle, no aliasing between handles', () => {
  it('a second borrow of the same handle is error[E0499]', () => {
    const m = boot();
    const num = PerCpu.new(m, 'u32', { name: 'num' })!;
    const first = num.get(new CpuGuard(m));
    const g = new CpuGuard(m);
    const err = caught(() => num.get_mut(g));
    expect(err).toBeInstanceOf(BorrowError);
    expect(err.message).toMatch(/^error\[E0499\]: cannot borrow `num` as mutable more than once at a time\n/);
    expect(err.message).toContain('first mutable borrow occurs here (num.get() returned a PerCpuRef<u32> that is still alive)');
    expect(err.message).toContain('second mutable borrow occurs here (num.get_mut())');
    expect(g.state).toBe('dropped'); // moved into the refused call, which dropped it, as Rust would
    expect(preempt_count(m)).toBe(1); // only `first`'s guard is held
    expect(() => num.num()).toThrow(/error\[E0499\]/);
    first.drop();
    expect(preempt_count(m)).toBe(0);
    num.num().inc();
    expect(num.values()).toEqual([1, 0, 0, 0]);
  });

  it('two clones referencing the same CPU\'s copy is an aliasing violation; other CPUs are fine', () => {
    const m = boot();
    const a = PerCpu.new(m, 'u32', { name: 'a' })!;
    const b = a.clone({ name: 'b' });
    const ra = a.get(new CpuGuard(m));
    const g = new CpuGuard(m);
    const err = caught(() => b.get_mut(g));
    expect(err).toBeInstanceOf(AliasingError);
    expect(err.message).toMatch(
      /^aliasing violation: b\.get_mut\(\) would create a mutable reference to cpu 0's copy of `a` while a mutable PerCpuRef<u32> to it is alive \(taken by a\.get\(\) at test\/rust-lifetimes\.test\.ts:\d+:\d+\)\. A &mut T may not alias any other reference;/,
    );
    expect(g.state).toBe('dropped');
    expect(() => b.get_checked(new CpuGuard(m))).toThrow(AliasingError);
    expect(preempt_count(m)).toBe(1);
    ra.drop();

    // Shared references may coexist.
    const c1 = a.get_checked(new CpuGuard(m));
    const c2 = b.get_checked(new CpuGuard(m));
    c2.drop();
    c1.drop();

    // Different CPUs never alias: each has its own copy.
    on_cpu(m, 1, () => {
      using r1 = a.get(new CpuGuard(m));
      r1.value = 11;
    });
    expect(a.values()).toEqual([0, 11, 0, 0]);
    b.drop();
    a.drop();
  });

  it('two unsafe refs to one static on the same CPU are refused', () => {
    const m = new Machine({ cpus: 2 });
    const X = define_per_cpu(m, 'X', 'i32', -1);
    m.boot();
    const r = unsafe_get_per_cpu_ref(m, X, new CpuGuard(m));
    const g = new CpuGuard(m);
    expect(() => unsafe_get_per_cpu_ref(m, X, g)).toThrow(/^aliasing violation: unsafe_get_per_cpu_ref!\(X\) would create a mutable reference to cpu 0's copy of `X`/);
    expect(g.state).toBe('dropped'); // a refused call drops the guard moved into it
    expect(() => get_static_per_cpu(m, X).get_mut(new CpuGuard(m))).toThrow(AliasingError);
    expect(preempt_count(m)).toBe(1);
    r.drop();
    expect(preempt_count(m)).toBe(0);
  });
});

function on_cpu(m: Machine, cpu: number, f: () => void): void {
  m.runOn(cpu, f);
}

describe('closures and the views they get', () => {
  it('a view kept past with() is error[E0521]', () => {
    const m = boot();
    const p = DynamicPerCpu.newZero(m, 'u16', { name: 'p' })!;
    let kept: PerCpuMut<'u16'> | null = null;
    {
      using t = p.get_mut(new CpuGuard(m));
      expect(t.with((v) => { kept = v; v.value = 3; return v.value * 2; })).toBe(6);
      expect(() => kept!.value).toThrow(/^error\[E0521\]: borrowed data escapes outside of closure: the &mut view passed to with\(\) is only valid while the closure runs/);
      expect(() => { kept!.value = 4; }).toThrow(MovedValueError);
      expect(() => t.with(() => t.with(() => 0))).toThrow('PerCpuToken<u16>.with: already inside this token\'s with(); a second &mut to the same copy would alias the first');
      expect(() => t.with((async () => 0) as never)).toThrow(/the closure returned a promise/);
    }
    expect(p.values()).toEqual([3, 0, 0, 0]);
  });
});

describe('\'static refs never expire', () => {
  it('a ref to a static outlives every PerCpu and allocation', () => {
    const m = new Machine({ cpus: 2 });
    const S = define_per_cpu(m, 'S', 'u64', 5n);
    m.boot();
    using r = unsafe_get_per_cpu_ref(m, S, new CpuGuard(m));
    expect(r.lifetime).toBe("'static");
    const p = PerCpu.new(m, 'u64', { name: 'p' })!;
    p.drop();
    r.add(1n);
    expect(r.value).toBe(6n);
    expect(get_static_per_cpu(m, S).values()).toEqual([6n, 5n]);
  });
});
