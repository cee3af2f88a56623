/**
 * The machine's own promises (issue 10): options checked and copied at
 * construction and a refused boot that changes nothing (item 11), the 4 GiB
 * memory limit and chunk growth that fails as the kernel's does (item 8), a
 * context whose CPU went offline while it ran elsewhere (item 6), and the
 * accessors and the allocator refusing another machine's pointer (item 4; the
 * generated ops are checked for it in arch-ops.test.ts).
 */
import { describe, expect, it } from 'vitest';
import {
  DEFINE_PER_CPU, DEFINE_PER_CPU_PAGE_ALIGNED, MAX_MEMORY_BYTES, Machine, MachineStateError, PCPU_BASE, __alloc_percpu, alloc_percpu, cpu_down, cpu_up, free_percpu,
  get_cpu_ptr, pcpu_alloc_size, pcpu_warnings, per_cpu, per_cpu_ptr, per_cpu_sum, per_cpu_write, raw_cpu_ptr, rust, this_cpu_add_4,
  this_cpu_ptr, this_cpu_read_4, type MachineOptions,
} from '../src/index.js';

describe('machine options (item 11)', () => {
  it.each([
    [null, new TypeError('Machine: options must be an object such as { cpus: 4 }, or nothing, got null')],
    [5, new TypeError('Machine: options must be an object such as { cpus: 4 }, or nothing, got 5')],
    [[4], new TypeError('Machine: options must be an object such as { cpus: 4 }, or nothing, got an object ([object Array])')],
    [{ cpu: 4 }, new TypeError('Machine: unknown option "cpu": the options are cpus, arch, unitSize, reservedSize, dynamicSize, debug, sharedMemoryBytes, preemptRT')],
    [{ unitSize: 40960.5 }, new RangeError('Machine: unitSize must be a multiple of 4096 and at least 32768 (PCPU_MIN_UNIT_SIZE), got 40960.5')],
    [{ unitSize: '40960' }, new RangeError('Machine: unitSize must be a multiple of 4096 and at least 32768 (PCPU_MIN_UNIT_SIZE), got "40960"')],
    [{ reservedSize: 3 }, new RangeError('Machine: reservedSize must be a non-negative multiple of 4, got 3')],
    [{ reservedSize: -4 }, new RangeError('Machine: reservedSize must be a non-negative multiple of 4, got -4')],
    [{ dynamicSize: 4095 }, new RangeError('Machine: dynamicSize must be a multiple of 4 and at least 4096, got 4095')],
    [{ dynamicSize: 8192, unitSize: 65536 }, new TypeError('Machine: give unitSize or dynamicSize, not both: with unitSize the dynamic region is what the unit leaves after static and reserved')],
    [{ debug: 1 }, new TypeError('Machine: debug must be true or false, got 1')],
    [{ debug: 'false' }, new TypeError('Machine: debug must be true or false, got "false"')],
    [{ preemptRT: 1 }, new TypeError('Machine: preemptRT must be true or false, got 1')],
    [{ sharedMemoryBytes: 0 }, new RangeError('Machine: sharedMemoryBytes must be an integer from 1 to 4294967296 (4 GiB), got 0')],
    [{ sharedMemoryBytes: 2 ** 33 }, new RangeError('Machine: sharedMemoryBytes must be an integer from 1 to 4294967296 (4 GiB), got 8589934592')],
    [{ cpus: 2, sharedMemoryBytes: 4096 }, new RangeError('Machine: sharedMemoryBytes 4096 is smaller than the first chunk (86016 bytes)')],
  ])('refuses %j at construction', (options, error) => {
    let thrown: unknown = null;
    try {
      new Machine(options as MachineOptions);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toEqual(error);
    expect((thrown as Error).constructor).toBe(error.constructor);
  });

  it('copies the options: changing the caller\'s object afterwards changes nothing', () => {
    const options: MachineOptions = { cpus: 2, reservedSize: 8192, debug: true };
    const m = new Machine(options);
    options.reservedSize = 3;
    options.cpus = 7;
    options.debug = false;
    DEFINE_PER_CPU(m, 'u32', 'x');
    m.boot();
    expect([m.nrCpus, m.layout!.reservedSize, m.debugPreempt]).toEqual([2, 8192, true]);
  });

  it('a refused boot leaves the machine as it was: unlinked, open to DEFINE_PER_CPU, not booted', () => {
    const m = new Machine({ cpus: 2, unitSize: 32768, reservedSize: 24576 });
    const a = DEFINE_PER_CPU(m, 'u32', 'a', 5);
    for (let i = 0; i < 8; i++) DEFINE_PER_CPU_PAGE_ALIGNED(m, 'u8', `page${i}`);
    expect(() => m.boot()).toThrow(new RangeError(
      'boot: unitSize 32768 leaves no room for the dynamic region: static 28804 + reserved 24576 + dynamic (at least 4096) > 32768',
    ));
    expect([m.booted, m.linker.isLinked, m.buffer, m.online.weight(), m.bootLog.length, m.systemState]).toEqual([false, false, null, 0, 0, 'booting']);
    expect(Number.isNaN(a.off)).toBe(true);
    expect(() => this_cpu_add_4(m, a, 1)).toThrow(new MachineStateError('this_cpu_add_4: per-CPU memory is not set up yet: call m.boot() (setup_per_cpu_areas) first'));
    // The linker is still open: more definitions are accepted and laid out when a boot succeeds.
    const b = DEFINE_PER_CPU(m, 'u16', 'b', 9);
    expect(b.origin.label).toBe('DEFINE_PER_CPU(u16, b)');
  });

  it('a cache-hot overflow found at boot also leaves the linker open', () => {
    const m = new Machine({ cpus: 2 });
    for (let i = 0; i < 7; i++) m.linker.define({ macro: 'DEFINE_PER_CPU_CACHE_HOT', subsection: '..hot', minAlign: 1 }, 'u64', `h${i}`, undefined);
    expect(() => m.boot()).toThrow('percpu cache hot data too large: 68 bytes in .data..percpu..hot.* (limit 64)');
    expect([m.booted, m.linker.isLinked]).toEqual([false, false]);
    expect(DEFINE_PER_CPU(m, 'u8', 'later').origin.label).toBe('DEFINE_PER_CPU(u8, later)');
  });
});

describe('the 4 GiB memory limit (item 8)', () => {
  const GIB4 = 2 ** 32;

  it('is 2^32 bytes: a machine of exactly that size boots, and its last CPU\'s copy is read and written', () => {
    expect(MAX_MEMORY_BYTES).toBe(GIB4);
    const m = new Machine({ cpus: 1025, unitSize: 1023 * 4096 });
    const x = DEFINE_PER_CPU(m, 'u32', 'x', 7);
    m.boot();
    expect(m.mappedBytes).toBe(GIB4);
    expect([m.u8.length, m.u16.length, m.u32.length, m.u64.length]).toEqual([GIB4, GIB4 / 2, GIB4 / 4, GIB4 / 8]);
    m.runOn(1024, () => this_cpu_add_4(m, x, 5));
    expect([per_cpu(m, x, 1024), per_cpu(m, x, 1023), m.runOn(1024, () => this_cpu_read_4(m, x))]).toEqual([12, 7, 12]);
    expect(per_cpu_ptr(m, x, 1024)).toBe(PCPU_BASE + 1024 * 1023 * 4096 + x.off);
  });

  it.each([
    [{ cpus: 1025, unitSize: 1024 * 4096 }, 'Machine: 1025 CPUs × unit size 4194304 + the 4096-byte null page = 4299165696 bytes, over the simulated machine\'s memory limit of 4294967296 bytes (4 GiB): use fewer CPUs or smaller units'],
    [{ cpus: 8192, unitSize: 1 << 20 }, 'Machine: 8192 CPUs × unit size 1048576 + the 4096-byte null page = 8589938688 bytes, over the simulated machine\'s memory limit of 4294967296 bytes (4 GiB): use fewer CPUs or smaller units'],
    [{ cpus: 8192, dynamicSize: 1 << 20 }, 'Machine: 8192 CPUs × unit size 1060864 + the 4096-byte null page = 8690601984 bytes, over the simulated machine\'s memory limit of 4294967296 bytes (4 GiB): use fewer CPUs or smaller units'],
  ])('refuses %j at construction', (options, message) => {
    expect(() => new Machine(options)).toThrow(new RangeError(message));
  });

  it('chunk growth past the limit fails the allocation with the kernel\'s warning, and PerCpu.new returns null', () => {
    // 4 GiB exactly, with a one-page dynamic region: the next chunk cannot be mapped.
    const unit = 1023 * 4096;
    const m = new Machine({ cpus: 1025, unitSize: unit, reservedSize: unit - 64 - 4096 });
    m.boot();
    expect(m.layout!.dynamicSize).toBe(4096);
    const num = rust.PerCpu.new(m, 'u64', { name: 'num' });
    expect(num).not.toBeNull();
    const held = [];
    for (let p = __alloc_percpu(m, 4, 4); p !== null; p = __alloc_percpu(m, 4, 4)) held.push(p);
    expect(held.length).toBe(1022);
    expect(pcpu_warnings(m)).toEqual(['percpu: allocation failed, size=4 align=4 atomic=0, failed to allocate new chunk']);
    expect(m.mappedBytes).toBe(GIB4);
    expect(rust.PerCpu.new(m, 'u64', { name: 'none' })).toBeNull();
    expect(pcpu_warnings(m).at(-1)).toBe('percpu: allocation failed, size=8 align=8 atomic=0, failed to allocate new chunk');
    free_percpu(m, held[0]);
    expect(alloc_percpu(m, 'u32')).not.toBeNull();
  });

  it('a shared-memory machine fails the same way once its buffer is full', () => {
    const m = new Machine({ cpus: 2, sharedMemoryBytes: 2 * 40960 + 4096 });
    m.boot();
    while (__alloc_percpu(m, 4096, 4) !== null);
    expect(pcpu_warnings(m)).toEqual(['percpu: allocation failed, size=4096 align=4 atomic=0, failed to allocate new chunk']);
  });
});

describe('returning to a CPU that went offline (item 6)', () => {
  it('moves the context to the first online CPU, as the kernel pushes tasks off a dying CPU', () => {
    const m = new Machine({ cpus: 4 });
    const x = DEFINE_PER_CPU(m, 'u32', 'x');
    m.boot();
    m.migrate(3);
    m.runOn(1, () => cpu_down(m, 3));
    expect([m.cpu, m.online.toString(), m.gs]).toEqual([0, '0-2', m.perCpuOffset[0]]);
    this_cpu_add_4(m, x, 1);
    expect([0, 1, 2, 3].map((c) => per_cpu(m, x, c))).toEqual([1, 0, 0, 0]);
    // Back online, the CPU is a CPU like any other: runOn returns to it.
    cpu_up(m, 3);
    m.migrate(3);
    m.runOn(2, () => this_cpu_add_4(m, x, 2));
    expect([m.cpu, per_cpu(m, x, 2)]).toEqual([3, 2]);
  });

  it('picks the lowest-numbered online CPU, on every architecture', () => {
    for (const arch of ['arm64', 'generic'] as const) {
      const m = new Machine({ cpus: 4, arch });
      m.boot();
      m.runOn(2, () => cpu_down(m, 0));
      m.migrate(2);
      m.runOn(3, () => cpu_down(m, 2));
      expect([arch, m.cpu, m.online.toString()]).toEqual([arch, 1, '1,3']);
      if (arch === 'arm64') expect(m.tpidr_el1).toBe(m.perCpuOffset[1]);
    }
  });

  it('also when fn throws after taking the CPU down', () => {
    const m = new Machine({ cpus: 3 });
    m.boot();
    m.migrate(2);
    expect(() => m.runOn(1, () => {
      cpu_down(m, 2);
      throw new Error('after the hotplug');
    })).toThrow('after the hotplug');
    expect(m.cpu).toBe(0);
  });
});

describe('another machine\'s pointer outside the generated ops (item 4)', () => {
  function pair() {
    const a = new Machine({ cpus: 2 });
    const xa = DEFINE_PER_CPU(a, 'u32', 'x');
    a.boot();
    const b = new Machine({ cpus: 2 });
    const xb = DEFINE_PER_CPU(b, 'u32', 'x');
    b.boot();
    return { a, b, xa, xb, da: alloc_percpu(a, 'u64')!, db: alloc_percpu(b, 'u64')! };
  }
  const foreign = (what: string, label: string, from: Machine, to: Machine): TypeError => new TypeError(
    `${what}: ${label} belongs to machine #${from.id} (x86_64, 2 CPUs), not to machine #${to.id} (x86_64, 2 CPUs) it was passed with: a per-CPU pointer is an offset into the per-CPU areas of the machine that defined or allocated it; nothing was changed`,
  );

  it('every accessor refuses it and changes nothing', () => {
    const { a, b, xa } = pair();
    const before = Buffer.from(b.u8);
    const label = 'DEFINE_PER_CPU(u32, x)';
    const calls: [string, () => unknown][] = [
      ['per_cpu', () => per_cpu(b, xa, 0)],
      ['per_cpu_write', () => per_cpu_write(b, xa, 0, 1)],
      ['per_cpu_sum', () => per_cpu_sum(b, xa)],
      ['per_cpu_ptr', () => per_cpu_ptr(b, xa, 0)],
      ['raw_cpu_ptr', () => raw_cpu_ptr(b, xa)],
      ['this_cpu_ptr', () => this_cpu_ptr(b, xa)],
      ['get_cpu_ptr', () => get_cpu_ptr(b, xa)],
    ];
    for (const [what, call] of calls) {
      expect(call, what).toThrow(foreign(what, label, a, b));
      expect([b.ctx.preemptCount, b.ctx.irqsDisabled], what).toEqual([0, false]);
    }
    expect(Buffer.from(b.u8).equals(before)).toBe(true);
  });

  it('the allocator refuses to free or size it, and both allocations stay live', () => {
    const { a, b, da, db } = pair();
    expect(() => free_percpu(b, da)).toThrow(foreign('free_percpu', da.origin.label, a, b));
    expect(() => pcpu_alloc_size(b, da)).toThrow(foreign('pcpu_alloc_size', da.origin.label, a, b));
    expect([pcpu_alloc_size(a, da), pcpu_alloc_size(b, db)]).toEqual([8, 8]);
    expect(per_cpu(a, da, 1)).toBe(0n);
    free_percpu(a, da);
    free_percpu(b, db);
  });

  it('the Rust API refuses a symbol of another machine', () => {
    const a = new Machine({ cpus: 2 });
    const S = rust.define_per_cpu(a, 'S', 'u32', 1);
    a.boot();
    const b = new Machine({ cpus: 2 });
    b.boot();
    expect(() => rust.get_static_per_cpu(b, S)).toThrow('get_static_per_cpu: S was defined on another Machine');
  });
});
