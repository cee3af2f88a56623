/**
 * Aggregate per-CPU variables and member pointers: DEFINE_PER_CPU and
 * alloc_percpu of structs and arrays laid out by c/layout.ts, pcpu_member()
 * pointers that the generated ops, the typed layer and the accessors take,
 * signed members reading back signed, struct copies as plain objects, casts
 * and pointer arithmetic inside the object, and refusals that change nothing.
 */
import { describe, expect, it } from 'vitest';
import {
  DEFINE_PER_CPU, DEFINE_PER_CPU_SHARED_ALIGNED, Machine, __alloc_percpu, alloc_percpu, free_percpu, offsetof,
  pcpu_cast, pcpu_member, pcpu_ptr_add, per_cpu, per_cpu_ptr, per_cpu_sum, per_cpu_write, this_cpu_add, this_cpu_add_1,
  this_cpu_inc, this_cpu_read, this_cpu_ptr, this_cpu_write, preempt_disable, preempt_enable, type RecordType,
} from '../src/index.js';
import { arm64_ops } from '../src/index.js';

/** mm/vmstat.c's per-CPU zone stats, reduced: signed byte deltas and a threshold. */
function zonestat(m: Machine): RecordType {
  return m.ctypes.struct('per_cpu_zonestat', { vm_stat_diff: 's8[11]', stat_threshold: 's8' });
}

describe('DEFINE_PER_CPU of a struct', () => {
  it('links the struct at its alignment, with its initialiser, in every CPU copy', () => {
    const m = new Machine({ cpus: 2 });
    const flag = DEFINE_PER_CPU(m, 'u8', 'flag');
    const pcp = m.ctypes.struct('pcp', { lock: 'spinlock_t', count: 'int', high: 'int', lists: 'struct list_head[2]', diff: 's8[3]' });
    const p = DEFINE_PER_CPU(m, pcp, 'pcp_stats', { lock: { rlock: { raw_lock: { val: { counter: 0 } } } }, count: 7, high: -1, lists: [{ next: 0n, prev: 0n }, { next: 0n, prev: 8n }], diff: [1, -2, 3] });
    m.boot();
    expect(p.off % 8).toBe(0);
    expect(p.off - flag.off).toBe(8);
    expect(m.layout!.static.entries.find((e) => e.name === 'pcp_stats')).toMatchObject({ size: 56, align: 8, type: 'struct pcp' });
    for (const cpu of [0, 1]) {
      expect(per_cpu(m, p, cpu)).toEqual({ lock: { rlock: { raw_lock: { val: { counter: 0 }, locked: 0, pending: 0, locked_pending: 0, tail: 0 } } }, count: 7, high: -1, lists: [{ next: 0n, prev: 0n }, { next: 0n, prev: 8n }], diff: [1, -2, 3] } as never);
    }
  });

  it('the section variants add their alignment to the struct\'s', () => {
    const m = new Machine({ cpus: 1 });
    const s = DEFINE_PER_CPU_SHARED_ALIGNED(m, 'struct list_head', 'head');
    m.boot();
    expect(s.off % 64).toBe(0);
    expect(m.layout!.static.entries.find((e) => e.name === 'head')).toMatchObject({ size: 16, align: 64, section: '.data..percpu..shared_aligned' });
  });

  it('a struct copy is a plain object; a write is checked whole and a refused one changes nothing', () => {
    const m = new Machine({ cpus: 2 });
    const zs = DEFINE_PER_CPU(m, zonestat(m), 'zs');
    m.boot();
    const v = per_cpu(m, zs, 1) as { vm_stat_diff: number[]; stat_threshold: number };
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    v.stat_threshold = 9; // a copy
    expect(per_cpu(m, pcpu_member(m, zs, 'stat_threshold', 's8'), 1)).toBe(0);
    per_cpu_write(m, zs, 1, { vm_stat_diff: [-1, -2, -3, -4, -5, -6, -7, -8, -9, -10, -128], stat_threshold: 125 });
    const before = per_cpu(m, zs, 1);
    expect(() => per_cpu_write(m, zs, 1, { vm_stat_diff: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 128], stat_threshold: 1 })).toThrow('per_cpu_write(DEFINE_PER_CPU(struct per_cpu_zonestat, zs), 1).vm_stat_diff[10]: 128 is out of range for i8 [-128, 127]');
    expect(() => per_cpu_write(m, zs, 1, { vm_stat_diff: [1, 2], stat_threshold: 1 })).toThrow('per_cpu_write(DEFINE_PER_CPU(struct per_cpu_zonestat, zs), 1).vm_stat_diff: s8[11] takes exactly 11 values, got 2');
    expect(() => per_cpu_write(m, zs, 1, { stat_threshold: 1 } as never)).toThrow("member 'vm_stat_diff' of struct per_cpu_zonestat is missing (a struct write sets every member)");
    expect(() => per_cpu_write(m, zs, 1, { vm_stat_diff: [], stat_threshold: 1, x: 1 } as never)).toThrow("struct per_cpu_zonestat has no member 'x'; members: vm_stat_diff, stat_threshold");
    expect(per_cpu(m, zs, 1)).toEqual(before);
    expect(per_cpu(m, zs, 0)).toEqual({ vm_stat_diff: new Array(11).fill(0), stat_threshold: 0 });
    expect(() => per_cpu_sum(m, zs as never)).toThrow("per_cpu_sum: zs is a struct per_cpu_zonestat, not a number; sum a member: per_cpu_sum(m, pcpu_member(m, p, 'member'))");
  });

  it('a type the machine\'s scope does not know is named, with the scalar names', () => {
    const m = new Machine({ cpus: 1 });
    expect(() => DEFINE_PER_CPU(m, 'struct nope', 'x')).toThrow('DEFINE_PER_CPU(x): struct nope is an incomplete type (it has no size)');
    expect(() => DEFINE_PER_CPU(m, 'floaty', 'x')).toThrow(`unknown per-CPU type "floaty": expected one of u8, i8, bool, u16, i16, u32, i32, u64, i64, ulong, long, usize, isize, u128, or a C type of the machine's scope (type name 'floaty': unknown type name 'floaty'`);
    expect(m.linker.definitions().map((d) => d.name)).toEqual(['this_cpu_off', 'cpu_number']);
  });
});

describe('member pointers', () => {
  it('every op family takes them; signed members read back signed', () => {
    const m = new Machine({ cpus: 2 });
    const zs = DEFINE_PER_CPU(m, zonestat(m), 'zs');
    const early = pcpu_member(m, zs, 'vm_stat_diff[2]', 's8'); // before boot: follows the link
    m.boot();
    const diff2 = pcpu_member(m, zs, 'vm_stat_diff[2]', 's8');
    expect(early.off).toBe(zs.off + 2);
    expect([diff2.off, diff2.sym, diff2.type!.name, diff2.ctype!.name]).toEqual([zs.off + 2, 'zs.vm_stat_diff[2]', 'i8', 's8']);
    m.runOn(1, () => {
      this_cpu_add(m, diff2, -3);                  // the typed layer, bound once
      this_cpu_add_1(m, diff2, -1);                // a generated sized op
      expect(this_cpu_read(m, diff2)).toBe(-4);
      preempt_disable(m);
      expect(m.load(this_cpu_ptr(m, diff2), 'i8')).toBe(-4);
      preempt_enable(m);
    });
    expect(per_cpu(m, diff2, 1)).toBe(-4);
    expect(per_cpu(m, early, 1)).toBe(-4);
    expect(per_cpu_ptr(m, diff2, 1)).toBe(per_cpu_ptr(m, zs, 1) + offsetof(zonestat(new Machine()), 'vm_stat_diff[2]'));
    expect(per_cpu_sum(m, diff2)).toBe(-4n);
    expect((per_cpu(m, zs, 1) as { vm_stat_diff: number[] }).vm_stat_diff.slice(0, 4)).toEqual([0, 0, -4, 0]);
  });

  it('alloc_percpu of a struct: members through ->, poisoned with the allocation', () => {
    const m = new Machine({ cpus: 2 }).boot();
    const mnt = m.ctypes.struct('mnt_pcp', { mnt_count: 'int', mnt_writers: 'int' });
    const p = alloc_percpu(m, mnt, 'pcp')!;
    const writers = pcpu_member(m, p, 'mnt_writers', 'int');
    expect([p.sym, writers.sym, writers.off - p.off]).toEqual(['*pcp', 'pcp->mnt_writers', 4]);
    m.runOn(0, () => this_cpu_inc(m, writers));
    expect(per_cpu(m, p, 0)).toEqual({ mnt_count: 0, mnt_writers: 1 });
    free_percpu(m, p);
    expect(() => this_cpu_inc(m, writers)).toThrow('use-after-free: alloc_percpu #1 (size 8, align 4) was freed by free_percpu()');
    expect(() => pcpu_member(m, p, 'mnt_count')).toThrow('use-after-free');
  });

  it('arrays of structs, nesting, anonymous members; names for traces', () => {
    const m = new Machine({ cpus: 1, preemptRT: false });
    zonestat(m);
    const zones = DEFINE_PER_CPU(m, 'struct per_cpu_zonestat[4]', 'zones');
    const lock = DEFINE_PER_CPU(m, 'spinlock_t', 'lk');
    m.boot();
    const d = pcpu_member(m, zones, '[3].vm_stat_diff[10]');
    expect([d.off - zones.off, d.sym]).toEqual([3 * 12 + 10, 'zones[3].vm_stat_diff[10]']);
    const inner = pcpu_member(m, pcpu_member(m, zones, '[1]'), 'stat_threshold');
    expect([inner.off - zones.off, inner.sym]).toEqual([23, 'zones[1].stat_threshold']);
    const pending = pcpu_member(m, lock, 'rlock.raw_lock.pending', 'u8');
    expect([pending.off - lock.off, pending.sym]).toEqual([1, 'lk.rlock.raw_lock.pending']);
    const arr = alloc_percpu(m, 'u64[4]', 'slots')!;
    expect(pcpu_member(m, arr, '[2]').sym).toBe('(*slots)[2]');
  });

  it('refusals name the pointer and the path', () => {
    const m = new Machine({ cpus: 1 }).boot();
    const zs = alloc_percpu(m, zonestat(m), 'zs')!;
    expect(() => pcpu_member(m, zs, 'vm_stat_diff[11]')).toThrow("pcpu_member(*zs, \"vm_stat_diff[11]\"): member path 'vm_stat_diff[11]' into struct per_cpu_zonestat: index 11 is past the end of 'vm_stat_diff' (s8[11])");
    expect(() => pcpu_member(m, zs, 'stat_threshold', 'int')).toThrow('pcpu_member(*zs, "stat_threshold"): the member is s8, not int');
    expect(() => pcpu_member(m, 5 as never, 'x')).toThrow('pcpu_member: expected a per-CPU pointer (a DEFINE_PER_CPU symbol, what alloc_percpu() returned, or a member pointer), got 5');
    const raw = __alloc_percpu(m, 16, 8)!;
    expect(() => pcpu_member(m, raw, 'x')).toThrow('pcpu_member(*__alloc_percpu#2, "x"): __alloc_percpu #2 (size 16, align 8) has no C type (void __percpu *); give it one first: pcpu_cast(m, p, \'struct …\')');
    expect(() => this_cpu_add(m, zs as never, 1)).toThrow("this_cpu_add(): this per-CPU pointer points to a struct, union or array, not a scalar; take a member pointer first: pcpu_member(m, p, 'member')");
    expect(per_cpu(m, zs, 0)).toEqual({ vm_stat_diff: new Array(11).fill(0), stat_threshold: 0 });
  });
});

describe('casts and arithmetic on __percpu pointers', () => {
  it('200,000 pointers derived in one synchronous loop (whose WeakRefs nothing can clear yet) neither overflow the stack nor go quadratic', () => {
    const m = new Machine({ cpus: 2 });
    const x = DEFINE_PER_CPU(m, m.ctypes.parse('unsigned int[8]'), 'x');
    m.boot();
    let last = x as unknown as ReturnType<typeof pcpu_ptr_add>;
    for (let i = 0; i < 200_000; i++) last = pcpu_ptr_add(m, x, (i & 7) * 4, 'u32');
    expect(last.sym).toBe('x[7]');
  });

  it('(T __percpu *)((void __percpu *)p + off), named by the member it lands on', () => {
    const m = new Machine({ cpus: 2 }).boot();
    const mnt = m.ctypes.struct('mnt_pcp', { mnt_count: 'int', mnt_writers: 'int' });
    const raw = __alloc_percpu(m, 8, 4)!;
    const p = pcpu_cast(m, raw, mnt);
    expect([p.sym, p.off]).toEqual(['*__alloc_percpu#1', raw.off]);
    const w = pcpu_ptr_add(m, p, 4, 'int');
    expect(w.sym).toBe('__alloc_percpu#1->mnt_writers');
    m.runOn(1, () => this_cpu_write(m, w, -5));
    expect(per_cpu(m, pcpu_member(m, p, 'mnt_writers', 'int'), 1)).toBe(-5);
    const odd = pcpu_ptr_add(m, p, 2, 'u16');
    expect(odd.sym).toBe('*(u16 __percpu *)((void __percpu *)__alloc_percpu#1 + 2)');
    expect(() => pcpu_ptr_add(m, p, 6, 'u32')).toThrow('pcpu_ptr_add(*__alloc_percpu#1, 6): a u32 at byte 6 of __alloc_percpu #1 (size 8, align 4) lies outside the object (8 bytes); nothing was made');
    expect(() => pcpu_ptr_add(m, w, -8, 'int')).toThrow('lies outside the object');
    expect(() => pcpu_ptr_add(m, p, 1.5)).toThrow('pcpu_ptr_add(*__alloc_percpu#1, 1.5): the offset must be an integer number of bytes, got 1.5');
  });

  it('member pointers bind the machine\'s architecture\'s ops', () => {
    const m = new Machine({ cpus: 2, arch: 'arm64' });
    const zs = DEFINE_PER_CPU(m, zonestat(m), 'zs');
    m.boot();
    const t = pcpu_member(m, zs, 'stat_threshold', 's8');
    m.runOn(1, () => {
      arm64_ops.this_cpu_add_1(m, t, -2);
      this_cpu_add(m, t, -1);
    });
    expect(per_cpu(m, t, 1)).toBe(-3);
  });
});
