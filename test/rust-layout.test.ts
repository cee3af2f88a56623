/**
 * Fixed-layout structs: offsets, alignment and size as a C compiler computes
 * them, plain-object reads, whole-struct writes that change nothing when
 * refused, and struct-typed static and dynamic per-CPU variables.
 */
import { describe, expect, it } from 'vitest';
import { Machine } from '../src/machine.js';
import { CpuGuard, DynamicPerCpu, StructLayout, define_per_cpu, get_static_per_cpu, struct, unsafe_get_per_cpu_ref } from '../src/rust/index.js';

const offsets = (s: StructLayout) => s.fields.map((f) => [f.name, f.offset]);

describe('struct layout (as C on x86-64)', () => {
  it('places each field at its alignment and pads the tail', () => {
    const a = struct('a', { c: 'u8', q: 'u64', s: 'i16' });
    expect(offsets(a)).toEqual([['c', 0], ['q', 8], ['s', 16]]);
    expect([a.size, a.align]).toEqual([24, 8]);
    const b = struct('b', { x: 'u8', y: 'u16', z: 'u8' });
    expect(offsets(b)).toEqual([['x', 0], ['y', 2], ['z', 4]]);
    expect([b.size, b.align]).toEqual([6, 2]);
    const c = struct('c', { n: 'u32', f: 'bool' });
    expect([c.size, c.align]).toEqual([8, 4]);
    const d = struct('d', { l: 'long', u: 'usize', i: 'i32', b: 'bool', w: 'u16' });
    expect(offsets(d)).toEqual([['l', 0], ['u', 8], ['i', 16], ['b', 20], ['w', 22]]);
    expect([d.size, d.align]).toEqual([24, 8]);
    expect(struct('e', { b: 'bool' }).size).toBe(1);
    expect(a.toString()).toBe('struct a {\n\tu8 c; /* 0 1 */\n\tu64 q; /* 8 8 */\n\ti16 s; /* 16 2 */\n}; /* size 24, align 8 */');
  });

  it('rejects what C would not compile, or what JS would reorder', () => {
    expect(() => struct('e', {})).toThrow('struct e: a struct needs at least one field (an empty struct has size 0 and cannot be allocated per CPU)');
    expect(() => struct('n', { 1: 'u8' } as never)).toThrow('struct n: field name "1" is not a C identifier');
    expect(() => struct('t', { a: 'float' } as never)).toThrow('struct t: field a has type "float"; fields are integers or bool: u8, i8, bool, u16, i16, u32, i32, u64, i64, ulong, long, usize, isize');
    expect(() => struct('t', { a: 'u128' } as never)).toThrow(/struct t: field a has type "u128"/);
    expect(() => struct('bad name', { a: 'u8' })).toThrow('struct: the name must be a C identifier, got "bad name"');
  });
});

describe('struct values in per-CPU memory', () => {
  const Pkt = struct('pkt', { len: 'u16', seq: 'u64', err: 'i8', ok: 'bool' });

  it('reads a plain object and writes every field', () => {
    const m = new Machine({ cpus: 2 }).boot();
    const p = DynamicPerCpu.newZero(m, Pkt, { name: 'p' })!;
    using r = p.get(new CpuGuard(m));
    expect(r.get()).toEqual({ len: 0, seq: 0n, err: 0, ok: false });
    r.set({ len: 1500, seq: 1n << 63n, err: -1, ok: true });
    const v = r.get();
    expect(v).toEqual({ len: 1500, seq: 1n << 63n, err: -1, ok: true });
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    v.len = 1; // a copy: the per-CPU value is unchanged until written back
    expect(r.value.len).toBe(1500);
    const base = p.getRemotePtr(0).address;
    expect(m.load(base + 2, 'u16')).toBe(0); // the padding after len is untouched
    expect(m.load(base + 8, 'u64')).toBe(1n << 63n);
    expect(m.load(base + 16, 'i8')).toBe(-1);
    expect(p.getRemotePtr(1).read()).toEqual({ len: 0, seq: 0n, err: 0, ok: false });
  });

  it('a refused write changes no field', () => {
    const m = new Machine({ cpus: 1 }).boot();
    const p = DynamicPerCpu.newWith(m, Pkt, { len: 1, seq: 2n, err: 3, ok: true }, { name: 'p' })!;
    using r = p.get(new CpuGuard(m));
    expect(() => r.set({ len: 9, seq: 9n, err: 200, ok: true })).toThrow('PerCpuRef<struct pkt>.set: field pkt.err: 200 is out of range for i8 [-128, 127]');
    expect(() => r.set({ len: 9, seq: 9n, err: 0, ok: true, extra: 1 } as never)).toThrow('PerCpuRef<struct pkt>.set: struct pkt has no field "extra"; fields: len, seq, err, ok');
    expect(() => r.set(5 as never)).toThrow('PerCpuRef<struct pkt>.set: struct pkt takes a plain object { len, seq, err, ok }, got 5');
    expect(r.get()).toEqual({ len: 1, seq: 2n, err: 3, ok: true });
  });

  it('a static struct is linked field by field at C offsets, with its initialiser', () => {
    const m = new Machine({ cpus: 2 });
    const FLAG = define_per_cpu(m, 'FLAG', 'u8', 1);
    const STATS = define_per_cpu(m, 'STATS', Pkt, { len: 64, seq: 7n, err: -2, ok: true });
    m.boot();
    const entries = m.layout!.static.entries.filter((e) => e.name.startsWith('STATS__') || e.name === 'FLAG');
    const base = entries.find((e) => e.name === 'STATS__len')!.offset;
    expect(base % Pkt.align).toBe(0);
    expect(entries.map((e) => [e.name, e.offset - base])).toEqual([['FLAG', -8], ['STATS__len', 0], ['STATS__seq', 8], ['STATS__err', 16], ['STATS__ok', 17]]);
    const h = get_static_per_cpu(m, STATS);
    expect(h.values()).toEqual([0, 1].map(() => ({ len: 64, seq: 7n, err: -2, ok: true })));
    {
      using r = unsafe_get_per_cpu_ref(m, STATS, new CpuGuard(m));
      r.update((s) => ({ ...s, seq: s.seq + 1n }));
    }
    expect(h.values().map((s) => s.seq)).toEqual([8n, 7n]);
    expect(String(STATS)).toBe('define_per_cpu!(STATS: struct pkt)');
    expect(get_static_per_cpu(m, FLAG).values()).toEqual([1, 1]);
  });

  it('static variables must be defined before boot', () => {
    const m = new Machine({ cpus: 1 }).boot();
    expect(() => define_per_cpu(m, 'LATE', Pkt)).toThrow('define_per_cpu!(LATE: struct pkt): .data..percpu is already linked (the machine has booted); define static per-CPU variables before m.boot()');
    expect(() => define_per_cpu(m, 'LATE', 'u8')).toThrow(/already linked/);
    const m2 = new Machine({ cpus: 1 });
    const EARLY = define_per_cpu(m2, 'EARLY', 'u8');
    expect(() => get_static_per_cpu(m2, EARLY)).toThrow('get_static_per_cpu(EARLY): per-CPU memory is not set up yet: call m.boot() first');
    expect(() => get_static_per_cpu(m, EARLY)).toThrow('get_static_per_cpu: EARLY was defined on another Machine');
  });
});
