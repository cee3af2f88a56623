/**
 * PerCpuAllocation, PerCpu (Arc of clones) and DynamicPerCpu, mirroring the
 * sample module's dynamic tests: on_each_cpu increments, a struct from 100 to
 * 104, every CPU's value dropped once, and the allocation freed exactly once.
 */
import { describe, expect, it } from 'vitest';
import { MachineStateError, UseAfterFreeError } from '../src/errors.js';
import { Machine } from '../src/machine.js';
import { free_percpu, pcpu_chunks, pcpu_stats } from '../src/mm/percpu-alloc.js';
import { preempt_count } from '../src/kernel/preempt.js';
import {
  Arc, CpuGuard, DynamicPerCpu, MovedValueError, PerCpu, PerCpuAllocation, PerCpuRef,
  cpumask_iter, on_each_cpu, online_cpus, possible_cpus, struct,
} from '../src/rust/index.js';

function stat(m: Machine, name: string): number {
  const line = pcpu_stats(m).split('\n').find((l) => l.trim().startsWith(name))!;
  return Number(line.split(':')[1]);
}

function liveAllocations(m: Machine): string[] {
  return pcpu_chunks(m).flatMap((c) => c.allocations.map((a) => a.label));
}

describe('on_each_cpu (the sample module\'s dynamic test)', () => {
  it('four rounds of increments leave 4 in every CPU\'s copy', () => {
    const m = new Machine({ cpus: 4 }).boot();
    const pcpu = DynamicPerCpu.newZero(m, 'u64', { name: 'pcpu' })!;
    const inc = () => {
      const mine = pcpu.clone({ name: 'mine' });
      {
        using t = mine.get_mut(new CpuGuard(m));
        t.with((v) => { v.value += 1n; });
      }
      mine.drop();
    };
    for (let i = 0; i < 4; i++) on_each_cpu(m, inc);
    const seen: [number, bigint][] = [];
    on_each_cpu(m, (cpu) => {
      expect(preempt_count(m)).toBe(1); // as in an IPI handler
      const mine = pcpu.clone();
      {
        using t = mine.get_checked(new CpuGuard(m));
        t.with((v) => seen.push([cpu, v.value]));
      }
      mine.drop();
    });
    expect(seen).toEqual([[0, 4n], [1, 4n], [2, 4n], [3, 4n]]);
    expect(pcpu.strongCount).toBe(1);
    expect(m.cpu).toBe(0);
    expect(preempt_count(m)).toBe(0);
    pcpu.drop();
  });

  it('a struct initialised to 100 on every CPU ends at 104', () => {
    const m = new Machine({ cpus: 4 }).boot();
    const Counter = struct('counter', { count: 'u64', borrowed: 'isize' });
    const pcpu = DynamicPerCpu.newWith(m, Counter, { count: 100n, borrowed: 0n }, { name: 'pcpu' })!;
    for (let i = 0; i < 4; i++) {
      on_each_cpu(m, () => {
        const mine = pcpu.clone();
        {
          using t = mine.get_mut(new CpuGuard(m));
          t.with((v) => v.update((c) => ({ ...c, count: c.count + 1n })));
        }
        mine.drop();
      });
    }
    expect(pcpu.values()).toEqual([0, 1, 2, 3].map(() => ({ count: 104n, borrowed: 0n })));
    pcpu.drop();
  });

  it('refuses to run with preemption off (it would have to migrate) and leaves nothing changed', () => {
    const m = new Machine({ cpus: 2 }).boot();
    let calls = 0;
    {
      using _g = new CpuGuard(m);
      expect(() => on_each_cpu(m, () => { calls++; })).toThrow(
        'on_each_cpu refused: preemption is disabled on cpu 0 (preempt_count 1); the simulator reaches the other CPUs by running the calling context there, which cannot leave its CPU now — drop your CpuGuard (or token) first',
      );
    }
    expect(calls).toBe(0);
  });

  it('a handler that leaks a token is reported (its guard would keep preemption off)', () => {
    const m = new Machine({ cpus: 2 }).boot();
    const p = DynamicPerCpu.newZero(m, 'u32', { name: 'p' })!;
    expect(() => on_each_cpu(m, () => { p.clone().get_mut(new CpuGuard(m)); })).toThrow(
      /^runOn\(cpu 0\): fn returned with preempt_count 1, irqs on \(entered with preempt_count 0, irqs on\)/,
    );
  });

  it('runs only on online CPUs, in order', () => {
    const m = new Machine({ cpus: 4 }).boot();
    m.online.clear(2);
    const cpus: number[] = [];
    on_each_cpu(m, (cpu) => { cpus.push(cpu); expect(m.cpu).toBe(cpu); });
    expect(cpus).toEqual([0, 1, 3]);
    expect([...cpumask_iter(online_cpus(m))]).toEqual([0, 1, 3]);
    expect([...possible_cpus(m)]).toEqual([0, 1, 2, 3]);
  });
});

describe('drop', () => {
  it('dropping the last clone drops every CPU\'s value once, then frees once', () => {
    const m = new Machine({ cpus: 4 }).boot();
    // The sample stores an Arc<u64> clone in every CPU's slot and checks
    // Arc::into_unique_or_drop afterwards; the values here are indices into `held`.
    const arc = Arc.new(7n);
    const held: Arc<bigint>[] = [];
    const dropped: number[] = [];
    const before = stat(m, 'nr_dealloc');
    const p = DynamicPerCpu.newFrom(m, 'u32', (cpu) => { held.push(arc.clone()); return held.length - 1 + 0 * cpu; }, {
      name: 'p',
      drop: (slot, cpu) => { dropped.push(cpu); held[slot].drop(); },
    })!;
    expect(Arc.strong_count(arc)).toBe(5);
    const q = p.clone({ name: 'q' });
    p.drop();
    expect(dropped).toEqual([]); // q keeps the allocation (and the values) alive
    expect(liveAllocations(m)).toHaveLength(1);
    expect(q.values()).toEqual([0, 1, 2, 3]);
    q.drop();
    expect(dropped).toEqual([0, 1, 2, 3]);
    expect(Arc.into_unique_or_drop(arc)).toBe(7n); // every CPU's clone was dropped
    expect(liveAllocations(m)).toEqual([]);
    expect(stat(m, 'nr_dealloc') - before).toBe(1);
    expect(() => q.allocation).toThrow(/^error\[E0382\]: use of moved value: `q`\n  = note: cannot use `q`: it was dropped at test\/rust-dynamic\.test\.ts:\d+:\d+/);
    expect(() => q.drop()).toThrow(MovedValueError);
    expect(stat(m, 'nr_dealloc') - before).toBe(1);
  });

  it('a clone keeps the allocation alive: the other handle works after the first is dropped', () => {
    const m = new Machine({ cpus: 2 }).boot();
    const a = PerCpu.new(m, 'u16', { name: 'a' })!;
    const b = a.clone({ name: 'b' });
    expect([a.strongCount, b.strongCount]).toEqual([2, 2]);
    a.drop();
    expect(a.dropped).toBe(true);
    expect(b.strongCount).toBe(1);
    b.num().add(9);
    {
      using r = b.get(new CpuGuard(m));
      expect(r.value).toBe(9);
    }
    expect(b.allocation.freed).toBe(false);
    const alloc = b.allocation;
    b.drop();
    expect(alloc.freed).toBe(true);
    expect(liveAllocations(m)).toEqual([]);
  });

  it('a dropped handle\'s numeric handle and remote pointer fail with use-after-free, never a silent write', () => {
    const m = new Machine({ cpus: 2 }).boot();
    const a = PerCpu.new(m, 'u32', { name: 'a' })!;
    const keep = a.clone({ name: 'keep' });
    const num = a.num();
    const remote = a.getRemotePtr(1);
    a.drop();
    expect(() => num.add(1)).toThrow(UseAfterFreeError);
    expect(() => num.add(1)).toThrow(/^use-after-free: `a` \(PerCpu<u32>\) was dropped; a handle must not be used after drop$/);
    expect(() => remote.write(5)).toThrow(UseAfterFreeError);
    expect(keep.values()).toEqual([0, 0]);
    const knum = keep.num();
    keep.drop();
    expect(() => knum.read()).toThrow(/^use-after-free: `keep` \(PerCpu<u32>\) was dropped, and with it the last reference to alloc_percpu #\d+ \(size 4, align 4\), which was freed$/);
  });

  it('the allocation owned by the clones cannot be freed directly; a standalone one frees exactly once', () => {
    const m = new Machine({ cpus: 2 }).boot();
    const p = PerCpu.new(m, 'u64', { name: 'p' })!;
    const c = p.clone();
    expect(() => p.allocation.drop()).toThrow(
      'error[E0505]: cannot move out of `p`\'s allocation because it is borrowed\n  = note: 2 PerCpu clones still hold it through an Arc; it is freed when the last one is dropped\nhelp: drop the PerCpu handles instead of the allocation; nothing was freed',
    );
    expect(p.allocation.freed).toBe(false);
    p.drop();
    c.drop();

    const before = stat(m, 'nr_dealloc');
    const a = PerCpuAllocation.new_zero(m, 'u32', { name: 'raw' })!;
    expect(a.ptr.origin.label).toMatch(/^alloc_percpu #\d+ \(size 4, align 4\)$/);
    a.drop();
    expect(() => a.drop()).toThrow(/^double free: PerCpuAllocation `raw` \(alloc_percpu #\d+ \(size 4, align 4\)\) was already freed; nothing was changed$/);
    expect(() => a[Symbol.dispose]()).toThrow(UseAfterFreeError);
    expect(stat(m, 'nr_dealloc') - before).toBe(1);
  });

  it('a reference into an allocation blocks freeing it; freed behind its back, the ref reports use-after-free', () => {
    const m = new Machine({ cpus: 2 }).boot();
    const a = PerCpuAllocation.new_zero(m, 'u32', { name: 'raw' })!;
    const r = PerCpuRef.unsafe_new(m, a.ptr, 'u32', new CpuGuard(m), { name: 'raw' });
    expect(() => a.drop()).toThrow(/^error\[E0505\]: cannot free `raw`'s allocation because it is borrowed\n  = note: a PerCpuRef<u32> on cpu 0 \(taken by PerCpuRef.unsafe_new\(raw\) at test\/rust-dynamic\.test\.ts:\d+:\d+\) still points into it/);
    expect(a.freed).toBe(false);
    r.set(5);
    free_percpu(m, a.ptr); // the unsafe door: C code frees it while the ref lives
    expect(() => r.set(6)).toThrow(UseAfterFreeError);
    expect(() => r.get()).toThrow(/^use-after-free: alloc_percpu #\d+ \(size 4, align 4\) was freed by free_percpu\(\)$/);
    expect(() => r.add(1)).toThrow(UseAfterFreeError);
    r.drop();
    expect(preempt_count(m)).toBe(0);
  });

  it('PerCpu.new returns null when alloc_percpu fails (Option::None)', () => {
    const m = new Machine({ cpus: 2 }).boot();
    const Huge = struct('huge', { a: 'u64' });
    expect(PerCpu.new(m, Huge)).not.toBeNull();
    const Big = struct('big', Object.fromEntries(Array.from({ length: 4097 }, (_, i) => [`f${i}`, 'u64'])) as Record<string, 'u64'>);
    expect(Big.size).toBe(32776);
    expect(PerCpu.new(m, Big)).toBeNull();
    expect(DynamicPerCpu.newZero(m, Big)).toBeNull();
    expect(PerCpuAllocation.new_zero(m, Big)).toBeNull();
  });

  it('newWith/newFrom check every value first; a bad one frees the allocation again', () => {
    const m = new Machine({ cpus: 3 }).boot();
    const live = liveAllocations(m).length;
    expect(() => DynamicPerCpu.newFrom(m, 'u8', (cpu) => (cpu === 2 ? 300 : cpu), { name: 'x' })).toThrow(
      'DynamicPerCpu.newFrom(x): value for cpu 2: 300 is out of range for u8 [0, 255]',
    );
    expect(() => DynamicPerCpu.newWith(m, 'i64', 1 as never)).toThrow('DynamicPerCpu.newWith(percpu): value for cpu 0: i64 takes a bigint, got 1');
    expect(liveAllocations(m)).toHaveLength(live);
    const ok = DynamicPerCpu.newFrom(m, 'i8', (cpu) => -cpu, { name: 'ok' })!;
    expect(ok.values()).toEqual([0, -1, -2]);
    expect(ok.getRemotePtr(2).read()).toBe(-2);
    expect(() => ok.getRemotePtr(3)).toThrow('ok.getRemotePtr: invalid CPU 3: this machine has CPUs 0-2');
    ok.drop();
  });

  it('a Drop that throws still drops every other CPU\'s value and frees, then reports the first error', () => {
    const m = new Machine({ cpus: 3 }).boot();
    const dropped: number[] = [];
    const p = DynamicPerCpu.newZero(m, 'u32', {
      name: 'p',
      drop: (_v, cpu) => { dropped.push(cpu); if (cpu === 1) throw new Error('drop failed on cpu 1'); },
    })!;
    const alloc = p.allocation;
    expect(() => p.drop()).toThrow('drop failed on cpu 1');
    expect(dropped).toEqual([0, 1, 2]);
    expect(alloc.freed).toBe(true);
    expect(p.dropped).toBe(true);
  });

  it('migration with a PerCpuRef alive is refused; the ref keeps pointing at its CPU\'s copy', () => {
    const m = new Machine({ cpus: 2 }).boot();
    const p = PerCpu.new(m, 'u32', { name: 'p' })!;
    using r = p.get(new CpuGuard(m));
    expect(() => m.migrate(1)).toThrow(MachineStateError);
    r.value = 1;
    expect(p.values()).toEqual([1, 0]);
  });
});

describe('without debug', () => {
  it('a dropped handle still refuses: no silent write through its numeric handle', () => {
    const m = new Machine({ cpus: 2, debug: false }).boot();
    const a = PerCpu.new(m, 'u32', { name: 'a' })!;
    const b = a.clone({ name: 'b' });
    const num = a.num();
    a.drop();
    expect(() => num.add(1)).toThrow('use-after-free: `a` (PerCpu<u32>) was dropped; a handle must not be used after drop');
    expect(b.values()).toEqual([0, 0]);
    b.drop();
  });
});
