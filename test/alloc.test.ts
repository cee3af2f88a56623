import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { per_cpu_ptr, this_cpu_ptr } from '../src/accessors.js';
import { DEFINE_PER_CPU } from '../src/define.js';
import { KernelBugError, MachineStateError, UseAfterFreeError } from '../src/errors.js';
import { Machine, PCPU_BASE } from '../src/machine.js';
import {
  __alloc_percpu, __alloc_reserved_percpu, alloc_percpu, free_percpu, pcpu_alloc_size, pcpu_check_consistency,
  pcpu_chunks, pcpu_meminfo, pcpu_nr_pages, pcpu_released_ranges, pcpu_stats, pcpu_warnings,
} from '../src/mm/percpu-alloc.js';
import { PerCpuPtr, isPoisoned } from '../src/percpu-ptr.js';
import { this_cpu_add_4, this_cpu_read_8 } from '../generated/x86_64/percpu.js';

/** 4 CPUs, one static u64: unit 40960 = static 72 | reserved 8192 | dynamic 32696. */
function machine(opts: ConstructorParameters<typeof Machine>[0] = {}): { m: Machine; hits: PerCpuPtr<'u64'> } {
  const m = new Machine({ cpus: 4, ...opts });
  const hits = DEFINE_PER_CPU(m, 'u64', 'hits');
  m.boot();
  return { m, hits };
}

/** Everything observable about the allocator and memory, to prove a refused call changed nothing. */
function snapshot(m: Machine): string {
  const chunks = pcpu_chunks(m).map((c) => ({ ...c, allocations: c.allocations.map((a) => ({ ...a, ptr: String(a.ptr) })) }));
  let sum = 0;
  for (let i = 0; i < m.mappedBytes; i++) sum = (sum * 31 + m.u8[i]) >>> 0;
  return JSON.stringify({ chunks, stats: pcpu_stats(m), mapped: m.mappedBytes, sum, released: pcpu_released_ranges(m) });
}

function bytesOf(m: Machine, p: PerCpuPtr<unknown>, cpu: number): Uint8Array {
  const a = per_cpu_ptr(m, p, cpu);
  return m.u8.slice(a, a + pcpu_alloc_size(m, p));
}

describe('layout of the first chunk', () => {
  it('splits each unit into static | reserved | dynamic with the kernel slot numbers', () => {
    const { m } = machine();
    expect(m.layout).toMatchObject({ staticSize: 72, reservedSize: 8192, dynamicSize: 32696, unitSize: 40960 });
    const [r, first] = pcpu_chunks(m);
    expect(r).toMatchObject({ id: 'R', kind: 'reserved', unitStart: 72, unitEnd: 8264, freeBytes: 8192, contigBytes: 8192, slot: -1 });
    // slot = max(fls(32696) - 5 + 2, 1) = 12; the free slot is fls(40960) - 5 + 2 + 2 = 15.
    expect(first).toMatchObject({ id: 0, kind: 'first', unitStart: 8264, unitEnd: 40960, freeBytes: 32696, contigBytes: 32696, slot: 12 });
    expect(first.freeRuns).toEqual([{ unitOffset: 8264, bytes: 32696 }]);
    expect(pcpu_check_consistency(m)).toEqual([]);
  });

  it('hands out pointers of the same kind as static symbols: offset = chunk base - first chunk base + offset', () => {
    const { m, hits } = machine();
    const p = alloc_percpu(m, 'u64')!;
    expect(p.off).toBe(8264);
    expect(p.type?.name).toBe('u64');
    expect(p.origin).toEqual({ label: 'alloc_percpu #1 (size 8, align 8)', kind: 'dynamic' });
    expect(per_cpu_ptr(m, p, 3)).toBe(PCPU_BASE + 3 * 40960 + 8264);
    expect(per_cpu_ptr(m, hits, 3) - per_cpu_ptr(m, hits, 0)).toBe(per_cpu_ptr(m, p, 3) - per_cpu_ptr(m, p, 0));
    const q = __alloc_percpu(m, 6, 4)!;
    expect(q.off).toBe(8272);
    expect(q.type).toBeNull();
    expect(pcpu_alloc_size(m, q)).toBe(8);
    expect(pcpu_alloc_size(m, null)).toBe(0);
    const r = __alloc_reserved_percpu(m, 16, 16)!;
    expect(r.off).toBe(80); // the first 16-aligned offset after the 72-byte static area
    expect(r.origin.label).toBe('__alloc_reserved_percpu #3 (size 16, align 16)');
  });
});

describe('chunks are created on demand and released when free, keeping one spare', () => {
  it('creates, releases, reuses the spare and then released address ranges', () => {
    const { m } = machine();
    const mapped0 = m.mappedBytes;
    const ps = [1, 2, 3].map(() => __alloc_percpu(m, 32768, 4096)!);
    expect(pcpu_chunks(m).map((c) => c.id)).toEqual(['R', 0, 1, 2, 3]);
    expect(m.mappedBytes).toBe(mapped0 + 3 * 4 * 40960);
    const bases = pcpu_chunks(m).slice(2).map((c) => c.start);
    for (const p of ps) free_percpu(m, p);
    // Chunk 3 was the last one freed: it went to the front of the free list and is the spare.
    expect(pcpu_chunks(m).map((c) => c.id)).toEqual(['R', 0, 3]);
    expect(pcpu_released_ranges(m)).toEqual([bases[0], bases[1]]);
    expect(pcpu_check_consistency(m)).toEqual([]);

    const a = __alloc_percpu(m, 32768, 4)!;
    expect(pcpu_chunks(m)[2].allocations.map((x) => x.ptr)).toEqual([a]);
    for (let cpu = 0; cpu < 4; cpu++) m.u8.fill(0xee, per_cpu_ptr(m, a, cpu), per_cpu_ptr(m, a, cpu) + 32768);
    const b = __alloc_percpu(m, 32768, 4)!;
    // No new memory: the lowest released range became chunk 4, and its memory is zero.
    expect(m.mappedBytes).toBe(mapped0 + 3 * 4 * 40960);
    expect(pcpu_chunks(m).map((c) => [c.id, c.start])).toEqual([['R', 4168], [0, 12360], [3, bases[2]], [4, bases[0]]]);
    expect(pcpu_released_ranges(m)).toEqual([bases[1]]);
    for (let cpu = 0; cpu < 4; cpu++) expect(bytesOf(m, b, cpu).every((x) => x === 0)).toBe(true);
  });

  it('zeroes the memory on every CPU at each allocation, even where a freed allocation wrote', () => {
    const { m } = machine();
    const p = __alloc_percpu(m, 64, 8)!;
    for (let cpu = 0; cpu < 4; cpu++) m.u8.fill(0xab, per_cpu_ptr(m, p, cpu), per_cpu_ptr(m, p, cpu) + 64);
    free_percpu(m, p);
    const q = __alloc_percpu(m, 64, 8)!;
    expect(q.off).toBe(8264);
    for (let cpu = 0; cpu < 4; cpu++) expect([...bytesOf(m, q, cpu)]).toEqual(new Array(64).fill(0));
  });
});

describe('property: random alloc/free sequences', () => {
  type Op = { kind: 'alloc'; size: number; align: number; reserved: boolean } | { kind: 'free'; pick: number };
  const size = fc.oneof(fc.integer({ min: 1, max: 64 }), fc.integer({ min: 65, max: 2048 }), fc.noBias(fc.integer({ min: 2049, max: 32768 })));
  const op: fc.Arbitrary<Op> = fc.oneof(
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('alloc' as const), size, align: fc.integer({ min: 0, max: 12 }).map((e) => 1 << e), reserved: fc.boolean() }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('free' as const), pick: fc.nat() }) },
  );

  it('never overlaps, honours alignment, zeroes on every CPU, and frees back to the initial state', () => {
    let multiChunkRuns = 0;
    fc.assert(
      fc.property(fc.array(op, { minLength: 10, maxLength: 60, size: 'max' }), (ops) => {
        const { m } = machine();
        const live: { p: PerCpuPtr<unknown>; marker: number; bytes: number }[] = [];
        let made = 0;
        let maxChunks = 0;
        for (const o of ops) {
          if (o.kind === 'alloc') {
            const p = o.reserved && o.size <= 2048 ? __alloc_reserved_percpu(m, o.size, o.align) : __alloc_percpu(m, o.size, o.align);
            if (p === null) {
              // Only the reserved region may run out (8 KiB); dynamic allocations always find or make room.
              expect(o.reserved && o.size <= 2048).toBe(true);
              expect(pcpu_warnings(m).at(-1)).toMatch(/alloc from reserved chunk failed|limit reached/);
              continue;
            }
            const bytes = Math.ceil(o.size / 4) * 4;
            expect(pcpu_alloc_size(m, p)).toBe(bytes);
            expect(per_cpu_ptr(m, p, 0) % Math.max(o.align, 4)).toBe(0);
            const marker = (made++ % 255) + 1;
            for (let cpu = 0; cpu < 4; cpu++) {
              const a = per_cpu_ptr(m, p, cpu);
              expect(m.u8.subarray(a, a + bytes).every((x) => x === 0)).toBe(true);
              m.u8.fill(marker, a, a + bytes);
            }
            live.push({ p, marker, bytes });
          } else if (live.length > 0) {
            const [victim] = live.splice(o.pick % live.length, 1);
            free_percpu(m, victim.p);
          }
          maxChunks = Math.max(maxChunks, pcpu_chunks(m).length);
          // Every live allocation still holds its own marker on every CPU: nothing overlapped it.
          for (const { p, marker, bytes } of live) {
            for (let cpu = 0; cpu < 4; cpu++) {
              const a = per_cpu_ptr(m, p, cpu);
              expect(m.u8.subarray(a, a + bytes).every((x) => x === marker)).toBe(true);
            }
          }
          const spans = live.map(({ p, bytes }) => [p.off, p.off + bytes]).sort((x, y) => x[0] - y[0]);
          for (let i = 1; i < spans.length; i++) expect(spans[i][0]).toBeGreaterThanOrEqual(spans[i - 1][1]);
          expect(pcpu_check_consistency(m)).toEqual([]);
        }
        for (const { p } of live) free_percpu(m, p);
        const chunks = pcpu_chunks(m);
        expect(chunks[0]).toMatchObject({ kind: 'reserved', freeBytes: 8192, contigBytes: 8192, allocations: [] });
        expect(chunks[1]).toMatchObject({ kind: 'first', freeBytes: 32696, contigBytes: 32696, allocations: [] });
        // Extra chunks are released except one spare, which is entirely free.
        const extra = chunks.slice(2);
        expect(extra.length).toBe(maxChunks > 2 ? 1 : 0);
        for (const c of extra) expect(c).toMatchObject({ freeBytes: 40960, contigBytes: 40960, slot: 15, allocations: [] });
        expect(pcpu_stats(m)).toContain('  nr_cur_alloc        :            0');
        expect(pcpu_check_consistency(m)).toEqual([]);
        if (maxChunks >= 5) multiChunkRuns++;
      }),
      { numRuns: 100, seed: 0x5eed },
    );
    // The sequences do reach several created chunks at once, not only the first chunk.
    expect(multiChunkRuns).toBeGreaterThan(10);
  });
});

describe('bad arguments: result, warning and unchanged state', () => {
  const illegal: [string, number, number, string][] = [
    ['size 0', 0, 4, 'WARNING: illegal size (0) or align (4) for percpu allocation'],
    ['size above 32 KiB', 32769, 8, 'WARNING: illegal size (32772) or align (8) for percpu allocation'],
    ['align above PAGE_SIZE', 8, 8192, 'WARNING: illegal size (8) or align (8192) for percpu allocation'],
    ['align not a power of two', 8, 12, 'WARNING: illegal size (8) or align (12) for percpu allocation'],
    ['both wrong', 0, 24, 'WARNING: illegal size (0) or align (24) for percpu allocation'],
  ];
  for (const [name, size, align, warning] of illegal) {
    it(`${name}: __alloc_percpu(${size}, ${align}) returns null with the kernel's WARN text`, () => {
      const { m } = machine();
      __alloc_percpu(m, 16, 8);
      const before = snapshot(m);
      expect(__alloc_percpu(m, size, align)).toBeNull();
      expect(__alloc_reserved_percpu(m, size, align)).toBeNull();
      expect(pcpu_warnings(m)).toEqual([warning, warning]);
      expect(snapshot(m)).toBe(before);
    });
  }

  it('accepts the limits: 32 KiB, align 4096, and align below 4 raised to 4', () => {
    const { m } = machine();
    const big = __alloc_percpu(m, 32768, 4096)!;
    expect(pcpu_alloc_size(m, big)).toBe(32768);
    expect(per_cpu_ptr(m, big, 1) % 4096).toBe(0);
    const odd = __alloc_percpu(m, 1, 3)!; // the kernel raises align 3 to 4 before the power-of-two test
    expect(pcpu_alloc_size(m, odd)).toBe(4);
    expect(__alloc_percpu(m, 5, 0)!.off % 4).toBe(0);
    expect(pcpu_warnings(m)).toEqual([]);
  });

  const typeErrors: [string, unknown, unknown, string][] = [
    ['negative size', -1, 4, '__alloc_percpu: size must be a non-negative integer (bytes), got -1; nothing was allocated'],
    ['fractional size', 1.5, 4, '__alloc_percpu: size must be a non-negative integer (bytes), got 1.5; nothing was allocated'],
    ['string size', '8', 4, '__alloc_percpu: size must be a non-negative integer (bytes), got "8"; nothing was allocated'],
    ['NaN align', 8, NaN, '__alloc_percpu: align must be a non-negative integer (bytes), got NaN; nothing was allocated'],
    ['bigint align', 8, 8n, '__alloc_percpu: align must be a non-negative integer (bytes), got 8n; nothing was allocated'],
  ];
  for (const [name, size, align, message] of typeErrors) {
    it(`${name}: a TypeError, no warning, nothing changed`, () => {
      const { m } = machine();
      const before = snapshot(m);
      expect(() => __alloc_percpu(m, size as number, align as number)).toThrow(new TypeError(message));
      expect(pcpu_warnings(m)).toEqual([]);
      expect(snapshot(m)).toBe(before);
    });
  }

  it('alloc_percpu of an unknown type is a TypeError listing the types', () => {
    const { m } = machine();
    const before = snapshot(m);
    expect(() => alloc_percpu(m, 'float' as 'u32')).toThrow(/^alloc_percpu: unknown per-CPU type "float": expected one of u8, i8, bool, u16/);
    expect(snapshot(m)).toBe(before);
  });

  it('allocating before boot is refused', () => {
    const m = new Machine({ cpus: 2 });
    expect(() => alloc_percpu(m, 'u32')).toThrow(new MachineStateError('alloc_percpu: per-CPU memory is not set up yet: call m.boot() (setup_per_cpu_areas) first'));
  });

  it('free_percpu(null) is a no-op; non-pointers are TypeErrors', () => {
    const { m } = machine();
    __alloc_percpu(m, 8, 8);
    const before = snapshot(m);
    free_percpu(m, null);
    expect(() => free_percpu(m, undefined as unknown as null)).toThrow(
      new TypeError('free_percpu: expected a per-CPU pointer returned by alloc_percpu()/__alloc_percpu(), or null; got undefined'),
    );
    expect(() => free_percpu(m, 8264 as unknown as null)).toThrow(/got 8264$/);
    expect(snapshot(m)).toBe(before);
  });

  it('freeing a static symbol is refused', () => {
    const { m, hits } = machine();
    const before = snapshot(m);
    expect(() => free_percpu(m, hits)).toThrow(new KernelBugError(
      'free_percpu: DEFINE_PER_CPU(u64, hits) is a static per-CPU symbol, not memory from alloc_percpu(); static per-CPU data lives in .data..percpu and is never freed; nothing was changed',
    ));
    expect(() => pcpu_alloc_size(m, hits)).toThrow(/^pcpu_alloc_size: DEFINE_PER_CPU\(u64, hits\) is a static per-CPU symbol/);
    expect(snapshot(m)).toBe(before);
  });

  it('freeing something the allocator never returned is refused', () => {
    const { m } = machine();
    const p = __alloc_percpu(m, 64, 8)!;
    const before = snapshot(m);
    const inside = new PerCpuPtr(m, p.off + 8, null, { label: 'forged', kind: 'dynamic' });
    expect(() => free_percpu(m, inside)).toThrow(new KernelBugError(
      'free_percpu: forged (percpu 0x2050) was not returned by the per-CPU allocator: no live allocation starts there; pass exactly the pointer alloc_percpu() returned; nothing was changed',
    ));
    const staticArea = new PerCpuPtr(m, 0, null, { label: 'forged', kind: 'dynamic' });
    expect(() => free_percpu(m, staticArea)).toThrow(/forged \(percpu 0x0\) was not returned by the per-CPU allocator/);
    const wild = new PerCpuPtr(m, 1 << 30, null, { label: 'wild', kind: 'dynamic' });
    expect(() => free_percpu(m, wild)).toThrow(/wild \(percpu 0x40000000\) was not returned/);
    expect(() => pcpu_alloc_size(m, inside)).toThrow(/^pcpu_alloc_size: forged \(percpu 0x2050\) was not returned/);
    expect(snapshot(m)).toBe(before);
  });

  it('a double free says so and changes nothing (debug and non-debug)', () => {
    for (const debug of [true, false]) {
      const { m } = machine({ debug });
      const p = alloc_percpu(m, 'u32')!;
      const keep = alloc_percpu(m, 'u32')!;
      free_percpu(m, p);
      const again = alloc_percpu(m, 'u32')!; // reuses p's offset
      expect(again.off).toBe(8264);
      const before = snapshot(m);
      expect(() => free_percpu(m, p)).toThrow(new UseAfterFreeError(
        'double free: free_percpu() of alloc_percpu #1 (size 4, align 4), which was already freed by free_percpu(); nothing was changed',
      ));
      expect(snapshot(m)).toBe(before);
      expect(pcpu_alloc_size(m, again)).toBe(4);
      expect(pcpu_alloc_size(m, keep)).toBe(4);
    }
  });
});

describe('allocation failures are warned in the kernel words, 10 times', () => {
  it('failed to allocate new chunk (memory full), then limit reached', () => {
    // Shared memory exactly the size of the first chunk: no chunk can be created.
    const { m } = machine({ sharedMemoryBytes: PCPU_BASE + 4 * 40960 });
    const before = snapshot(m);
    for (let i = 0; i < 12; i++) expect(__alloc_percpu(m, 32768, 4)).toBeNull();
    const line = 'percpu: allocation failed, size=32768 align=4 atomic=0, failed to allocate new chunk';
    expect(pcpu_warnings(m)).toEqual([...new Array(10).fill(line), 'percpu: limit reached, disable warning']);
    expect(snapshot(m)).toBe(before);
    // What fits in the first chunk still works.
    expect(__alloc_percpu(m, 32696, 4)).not.toBeNull();
    expect(__alloc_percpu(m, 4, 4)).toBeNull();
    expect(pcpu_warnings(m)).toHaveLength(11);
  });

  it('alloc from reserved chunk failed; without a reserved region reserved requests use the dynamic chunks', () => {
    const { m } = machine();
    expect(__alloc_reserved_percpu(m, 8192, 4)).not.toBeNull();
    const before = snapshot(m);
    expect(__alloc_reserved_percpu(m, 4, 4)).toBeNull();
    expect(pcpu_warnings(m)).toEqual(['percpu: allocation failed, size=4 align=4 atomic=0, alloc from reserved chunk failed']);
    expect(snapshot(m)).toBe(before);

    const { m: m2 } = machine({ reservedSize: 0 });
    expect(pcpu_chunks(m2).map((c) => c.kind)).toEqual(['first']);
    const p = __alloc_reserved_percpu(m2, 8, 8)!;
    expect(p.off).toBe(72);
    expect(pcpu_chunks(m2)[0].allocations.map((a) => a.label)).toEqual(['__alloc_reserved_percpu #1 (size 8, align 8)']);
  });
});

describe('use-after-free detection (debug mode)', () => {
  const msg = 'use-after-free: alloc_percpu #1 (size 8, align 8) was freed by free_percpu()';

  it('names the allocation on a generated op, an accessor and pcpu_alloc_size', () => {
    const { m } = machine();
    const p = alloc_percpu(m, 'u64')!;
    expect(this_cpu_read_8(m, p)).toBe(0n);
    free_percpu(m, p);
    expect(isPoisoned(p)).toBe(true);
    expect(() => this_cpu_read_8(m, p)).toThrow(new UseAfterFreeError(msg));
    expect(() => per_cpu_ptr(m, p, 1)).toThrow(new UseAfterFreeError(msg));
    m.ctx.preemptCount++;
    expect(() => this_cpu_ptr(m, p)).toThrow(new UseAfterFreeError(msg));
    m.ctx.preemptCount--;
    expect(() => pcpu_alloc_size(m, p)).toThrow(new UseAfterFreeError('use-after-free: pcpu_alloc_size() of alloc_percpu #1 (size 8, align 8), which was freed by free_percpu()'));
    expect(() => free_percpu(m, p)).toThrow(/^double free: free_percpu\(\) of alloc_percpu #1 \(size 8, align 8\)/);
  });

  it('costs nothing without debug: the pointer is not poisoned', () => {
    const { m } = machine({ debug: false });
    const p = __alloc_percpu(m, 4, 4)!;
    free_percpu(m, p);
    expect(isPoisoned(p)).toBe(false);
    this_cpu_add_4(m, p as PerCpuPtr<'u32'>, 1); // the kernel would not notice either
  });
});

describe('statistics', () => {
  it('meminfo counts the first chunk and the populated pages of created chunks, on every unit', () => {
    const { m } = machine();
    // 10 pages per unit × 4 units × 4 kB.
    expect(pcpu_nr_pages(m)).toBe(40);
    expect(pcpu_meminfo(m)).toBe('Percpu:              160 kB');
    const p = __alloc_percpu(m, 32768, 4096)!; // a new chunk, 8 pages populated
    expect(pcpu_meminfo(m)).toBe('Percpu:              288 kB');
    // The new chunk's largest run (8 KiB, slot 11) sorts below the first chunk's (slot 12),
    // so the search meets it first: one more page populated.
    const q = __alloc_percpu(m, 4, 4)!;
    expect(pcpu_chunks(m)[2].allocations.map((a) => a.ptr)).toEqual([p, q]);
    expect(pcpu_nr_pages(m)).toBe(76);
    free_percpu(m, p);
    free_percpu(m, q);
    expect(pcpu_nr_pages(m)).toBe(76); // the spare chunk keeps its pages
    expect(m.bootLog).toContain('pcpu-alloc: s72 r8192 d32696 u40960 alloc=1*40960');
  });

  it('percpu_stats reports global and per-chunk numbers', () => {
    const { m } = machine();
    const a = __alloc_percpu(m, 100, 4)!;
    __alloc_percpu(m, 8, 8);
    __alloc_percpu(m, 4, 4);
    free_percpu(m, a);
    const s = pcpu_stats(m);
    for (const line of [
      '  unit_size           :        40960',
      '  nr_alloc            :            3',
      '  nr_dealloc          :            1',
      '  nr_cur_alloc        :            2',
      '  nr_max_alloc        :            3',
      '  nr_chunks           :            1',
      '  min_alloc_size      :            4',
      '  max_alloc_size      :          100',
      'Chunk: <- Reserved Chunk',
      'Chunk: <- First Chunk',
      '  free_bytes          :        32684',
    ]) expect(s.split('\n')).toContain(line);
    // The first chunk after the free: 100 free bytes at its start, then 8 + 4 allocated.
    expect(pcpu_chunks(m)[1].freeRuns).toEqual([{ unitOffset: 8264, bytes: 100 }, { unitOffset: 8376, bytes: 32584 }]);
    expect(pcpu_chunks(m)[1].allocations.map((x) => [x.unitOffset, x.bytes])).toEqual([[8364, 4], [8368, 8]]);
  });
});
