/**
 * The simulated machine: CPUs and their units, the .data..percpu linker, boot
 * (setup_per_cpu_areas), GS bases, the running context, DEBUG_PREEMPT and the
 * errors for bad input — each leaving memory exactly as it was.
 */
import { describe, expect, it } from 'vitest';
import {
  DEFINE_PER_CPU, DEFINE_PER_CPU_ALIGNED, DEFINE_PER_CPU_CACHE_HOT, DEFINE_PER_CPU_PAGE_ALIGNED, DEFINE_PER_CPU_READ_MOSTLY,
  DEFINE_PER_CPU_SHARED_ALIGNED, KernelBugError, Machine, PCPU_BASE,
  __this_cpu_add_4, __this_cpu_inc_4, __this_cpu_read_8, get_cpu, local_irq_restore, local_irq_save, per_cpu, per_cpu_sum,
  per_cpu_write, preempt_disable, preempt_enable, put_cpu, raw_cpu_add_4, smp_processor_id, this_cpu_add_4, this_cpu_read_4,
  this_cpu_read_8, this_cpu_try_cmpxchg_4, this_cpu_write_8, for_each_possible_cpu,
} from '../src/index.js';

function booted(cpus = 4): { m: Machine; x: ReturnType<typeof DEFINE_PER_CPU<'u32'>> } {
  const m = new Machine({ cpus });
  const x = DEFINE_PER_CPU(m, 'u32', 'x', 7);
  m.boot();
  return { m, x };
}

/** Runs `f`, which must throw `message`, and checks that memory did not change. */
function refusedWithoutEffect(m: Machine, f: () => unknown, message: string | RegExp): void {
  const before = m.u8.slice();
  expect(f).toThrow(message);
  expect(Buffer.compare(Buffer.from(m.u8), Buffer.from(before))).toBe(0);
}

describe('Machine construction', () => {
  it('defaults to 4 CPUs on x86_64 and accepts 1 to 8192', () => {
    const m = new Machine();
    expect([m.nrCpus, m.arch, m.possible.toString(), m.online.toString()]).toEqual([4, 'x86_64', '0-3', '']);
    expect(new Machine({ cpus: 1 }).nrCpus).toBe(1);
    expect(new Machine({ cpus: 8192 }).nrCpus).toBe(8192);
  });
  it.each([0, 8193, 1.5, Number.NaN, '4'])('refuses cpus = %s', (cpus) => {
    expect(() => new Machine({ cpus: cpus as number })).toThrow(/^Machine: cpus must be an integer from 1 to 8192, got /);
  });
  it('refuses an unknown arch', () => {
    expect(() => new Machine({ arch: 'riscv' as never })).toThrow('Machine: unknown arch "riscv": expected one of x86_64, arm64, generic');
  });
  it('says per-CPU memory is not set up before boot', () => {
    const m = new Machine();
    const x = DEFINE_PER_CPU(m, 'u32', 'x');
    expect(() => this_cpu_add_4(m, x, 1)).toThrow('per-CPU memory is not set up yet: call m.boot() (setup_per_cpu_areas) first');
    expect(() => m.runOn(0, () => 0)).toThrow('per-CPU memory is not set up yet');
  });
});

describe('the .data..percpu linker', () => {
  it('lays subsections out in the kernel order with their alignment', () => {
    const m = new Machine({ cpus: 2 });
    DEFINE_PER_CPU(m, 'u8', 'a');
    DEFINE_PER_CPU_SHARED_ALIGNED(m, 'u16', 'sa');
    DEFINE_PER_CPU_READ_MOSTLY(m, 'u32', 'rm');
    DEFINE_PER_CPU(m, 'u64', 'b');
    DEFINE_PER_CPU_PAGE_ALIGNED(m, 'u8', 'pg');
    DEFINE_PER_CPU_ALIGNED(m, 'u8', 'al');
    DEFINE_PER_CPU_CACHE_HOT(m, 'u16', 'hot16');
    DEFINE_PER_CPU(m, 'bool', 'flag', true);
    m.boot();
    expect(m.layout!.static.entries.map((e) => [e.name, e.section, e.offset, e.size, e.align])).toEqual([
      ['pg', '.data..percpu..page_aligned', 0, 1, 4096],
      // ALIGN(cacheline) after the page-aligned input, as PERCPU_INPUT does.
      ['this_cpu_off', '.data..percpu..hot..this_cpu_off', 64, 8, 8],
      ['cpu_number', '.data..percpu..hot..cpu_number', 72, 4, 4],
      ['hot16', '.data..percpu..hot..hot16', 76, 2, 2],
      ['rm', '.data..percpu..read_mostly', 128, 4, 4],
      ['a', '.data..percpu', 192, 1, 1],
      ['b', '.data..percpu', 200, 8, 8],
      ['flag', '.data..percpu', 208, 1, 1],
      ['sa', '.data..percpu..shared_aligned', 256, 2, 64],
      ['al', '.data..percpu..shared_aligned', 320, 1, 64],
    ]);
    expect(m.layout!.staticSize).toBe(324); // __per_cpu_end 321, rounded up to 4
  });

  it('refuses hot data larger than one cacheline, as the x86 linker script asserts', () => {
    const m = new Machine();
    for (let i = 0; i < 7; i++) DEFINE_PER_CPU_CACHE_HOT(m, 'u64', `h${i}`);
    expect(() => m.boot()).toThrow('percpu cache hot data too large: 68 bytes in .data..percpu..hot.* (limit 64)');
    expect(m.booted).toBe(false);
  });

  it('refuses bad definitions with clear errors', () => {
    const m = new Machine();
    DEFINE_PER_CPU(m, 'u8', 'x');
    expect(() => DEFINE_PER_CPU(m, 'u16', 'x')).toThrow("DEFINE_PER_CPU(u16, x): redefinition of 'x' (first defined by DEFINE_PER_CPU)");
    expect(() => DEFINE_PER_CPU(m, 'float' as never, 'f')).toThrow('DEFINE_PER_CPU(f): unknown per-CPU type "float": expected one of u8, i8, bool, u16, i16, u32, i32, u64, i64, ulong, long, usize, isize, u128');
    expect(() => DEFINE_PER_CPU(m, 'u8', 'y', 256)).toThrow('DEFINE_PER_CPU(u8, y) initialiser: 256 is out of range for u8 [0, 255]');
    expect(() => DEFINE_PER_CPU(m, 'i8', 'y', -129)).toThrow('DEFINE_PER_CPU(i8, y) initialiser: -129 is out of range for i8 [-128, 127]');
    expect(() => DEFINE_PER_CPU(m, 'u64', 'y', -1n)).toThrow('DEFINE_PER_CPU(u64, y) initialiser: -1 is out of range for u64 [0, 18446744073709551615]');
    expect(() => DEFINE_PER_CPU(m, 'u64', 'y', 5 as never)).toThrow('DEFINE_PER_CPU(u64, y) initialiser: u64 takes a bigint, got 5');
    expect(() => DEFINE_PER_CPU(m, 'u32', 'y', 1.5)).toThrow('DEFINE_PER_CPU(u32, y) initialiser: u32 takes an integer number, got 1.5');
    expect(() => DEFINE_PER_CPU(m, 'bool', 'y', 1 as never)).toThrow('DEFINE_PER_CPU(bool, y) initialiser: bool takes true or false, got 1');
    expect(() => DEFINE_PER_CPU(m, 'u8', '2bad')).toThrow('DEFINE_PER_CPU: the name must be a C identifier, got "2bad"');
    m.boot();
    expect(() => DEFINE_PER_CPU(m, 'u8', 'late')).toThrow(
      'DEFINE_PER_CPU(u8, late): .data..percpu is already linked (the machine has booted); define static per-CPU variables before m.boot()',
    );
    expect(m.linker.lookup('y')).toBeUndefined();
  });

  it('returns a fake symbol that cannot be read as a value', () => {
    const { x } = booted();
    expect(() => Number(x)).toThrow('DEFINE_PER_CPU(u32, x) is a per-CPU symbol, not a value: read it with this_cpu_read()/per_cpu()');
    expect(() => (x as unknown as number) + 1).toThrow(TypeError);
    expect(String(x)).toBe('DEFINE_PER_CPU(u32, x) @ percpu 0x40');
  });
});

describe('boot: setup_per_cpu_areas', () => {
  it('copies the initial values into every CPU and loads each GS base', () => {
    const m = new Machine({ cpus: 3 });
    const x = DEFINE_PER_CPU(m, 'i16', 'x', -5);
    const y = DEFINE_PER_CPU(m, 'u64', 'y', 1n << 40n);
    m.boot();
    const unit = m.layout!.unitSize;
    expect(unit).toBe(40960);
    expect(m.bootLog).toEqual([
      'percpu: Embedded 10 pages/cpu s80 r8192 d32688 u40960',
      'pcpu-alloc: s80 r8192 d32688 u40960 alloc=1*40960',
      'pcpu-alloc: [0] 0 1 2',
    ]);
    for (const cpu of for_each_possible_cpu(m)) {
      expect(per_cpu(m, x, cpu)).toBe(-5);
      expect(per_cpu(m, y, cpu)).toBe(1n << 40n);
      const base = PCPU_BASE + cpu * unit;
      expect([m.perCpuOffset[cpu], m.percpuBaseReg[cpu]]).toEqual([base, base]);
      expect(per_cpu(m, m.this_cpu_off, cpu)).toBe(BigInt(base));
      expect(per_cpu(m, m.cpu_number, cpu)).toBe(cpu);
      m.runOn(cpu, () => {
        expect(m.gs).toBe(base);
        expect(this_cpu_read_8(m, m.this_cpu_off)).toBe(BigInt(m.gs)); // GS base == this_cpu_off
        preempt_disable(m);
        expect(smp_processor_id(m)).toBe(cpu);
        preempt_enable(m);
      });
    }
    expect(() => m.boot()).toThrow('boot: the machine has already booted');
  });

  it('validates a configured unit size', () => {
    expect(() => new Machine({ unitSize: 5000 })).toThrow(new RangeError('Machine: unitSize must be a multiple of 4096 and at least 32768 (PCPU_MIN_UNIT_SIZE), got 5000'));
    expect(() => new Machine({ unitSize: 32768, reservedSize: 28672 })).toThrow(
      new RangeError('Machine: unitSize 32768 leaves no room for the dynamic region: static 64 + reserved 28672 + dynamic (at least 4096) > 32768'),
    );
    // Statics defined after construction can still fill the unit: boot refuses, and changes nothing.
    const m = new Machine({ unitSize: 32768, reservedSize: 24576 });
    for (let i = 0; i < 8; i++) DEFINE_PER_CPU_PAGE_ALIGNED(m, 'u8', `page${i}`);
    expect(() => m.boot()).toThrow(new RangeError('boot: unitSize 32768 leaves no room for the dynamic region: static 28800 + reserved 24576 + dynamic (at least 4096) > 32768'));
    const ok = new Machine({ unitSize: 65536 }).boot();
    expect([ok.layout!.unitSize, ok.layout!.dynamicSize]).toEqual([65536, 65536 - 64 - 8192]);
  });
});

describe('this_cpu ops on every CPU, aggregated with per_cpu', () => {
  it('updates only the running CPU copy and sums across CPUs', () => {
    const { m, x } = booted(4);
    for (let cpu = 0; cpu < 4; cpu++) m.runOn(cpu, () => { for (let i = 0; i <= cpu; i++) this_cpu_add_4(m, x, 1); });
    expect([0, 1, 2, 3].map((c) => per_cpu(m, x, c))).toEqual([8, 9, 10, 11]);
    expect(per_cpu_sum(m, x)).toBe(38n);
    per_cpu_write(m, x, 2, 0xffffffff);
    expect(m.runOn(2, () => this_cpu_read_4(m, x))).toBe(0xffffffff);
  });

  it('refuses an invalid CPU without touching memory', () => {
    const { m, x } = booted(4);
    refusedWithoutEffect(m, () => per_cpu_write(m, x, 4, 1), 'per_cpu_write: invalid CPU 4: this machine has CPUs 0-3');
    refusedWithoutEffect(m, () => per_cpu(m, x, -1), 'per_cpu: invalid CPU -1: this machine has CPUs 0-3');
    refusedWithoutEffect(m, () => m.runOn(1.5, () => 0), 'runOn: invalid CPU 1.5: this machine has CPUs 0-3');
    refusedWithoutEffect(m, () => m.migrate(9), 'migrate: invalid CPU 9: this machine has CPUs 0-3');
    refusedWithoutEffect(m, () => per_cpu_write(m, x, 0, 1n as never), 'per_cpu_write(DEFINE_PER_CPU(u32, x), 0): u32 takes an integer number, got 1n');
  });
});

describe('bad operands and pointers', () => {
  it.each([Number.NaN, Infinity, -Infinity, 1.5, '1', 1n, null])('this_cpu_add_4 refuses %s and writes nothing', (v) => {
    const { m, x } = booted();
    refusedWithoutEffect(m, () => this_cpu_add_4(m, x, v as number), /^this_cpu_add_4: operand val must be an integer number \(finite, no fraction\), got .*; nothing was written$/);
  });
  it('8-byte ops take bigints only', () => {
    const m = new Machine();
    const y = DEFINE_PER_CPU(m, 'u64', 'y');
    m.boot();
    refusedWithoutEffect(m, () => this_cpu_write_8(m, y, 5 as never), 'this_cpu_write_8: operand val must be a bigint, got 5; nothing was written');
  });
  it('refuses a misaligned pointer', () => {
    const m = new Machine();
    DEFINE_PER_CPU(m, 'u8', 'pad');
    const b = DEFINE_PER_CPU(m, 'u8', 'b');
    m.boot();
    refusedWithoutEffect(m, () => this_cpu_add_4(m, b as never, 1), 'this_cpu_add_4: per-CPU pointer 0x41 is not 4-byte aligned; nothing was written');
  });
  it('try_cmpxchg needs an { value } box', () => {
    const { m, x } = booted();
    refusedWithoutEffect(m, () => this_cpu_try_cmpxchg_4(m, x, null as never, 1), 'this_cpu_try_cmpxchg_4: ovalp must be an object { value } holding an integer number, got null; nothing was written');
    refusedWithoutEffect(m, () => this_cpu_try_cmpxchg_4(m, x, { value: 0.5 }, 1), /^this_cpu_try_cmpxchg_4: ovalp must be an object/);
  });
});

describe('preemption, interrupts and DEBUG_PREEMPT', () => {
  it('reports __this_cpu ops in preemptible code with the kernel message, before touching memory', () => {
    const { m, x } = booted();
    refusedWithoutEffect(m, () => __this_cpu_add_4(m, x, 1), 'BUG: using __this_cpu_add() in preemptible [00000000] code: init/1');
    // Derived ops report their base op, as the kernel's do.
    refusedWithoutEffect(m, () => __this_cpu_inc_4(m, x), 'BUG: using __this_cpu_add() in preemptible [00000000] code: init/1');
    expect(() => __this_cpu_read_8(m, m.this_cpu_off)).toThrow(KernelBugError);
    expect(() => smp_processor_id(m)).toThrow('BUG: using smp_processor_id() in preemptible [00000000] code: init/1');
  });
  it('is silent with preemption or interrupts disabled, or with the checks off', () => {
    const { m, x } = booted();
    preempt_disable(m);
    __this_cpu_add_4(m, x, 1);
    preempt_enable(m);
    const flags = local_irq_save(m);
    __this_cpu_inc_4(m, x);
    local_irq_restore(m, flags);
    m.debugPreempt = false;
    __this_cpu_add_4(m, x, 1);
    raw_cpu_add_4(m, x, 1);
    expect(per_cpu(m, x, 0)).toBe(11);
  });
  it('counts preempt_disable nesting and refuses an underflow', () => {
    const { m } = booted();
    expect(get_cpu(m)).toBe(0);
    preempt_disable(m);
    expect(m.ctx.preemptCount).toBe(2);
    preempt_enable(m);
    put_cpu(m);
    expect(() => preempt_enable(m)).toThrow('BUG: preempt_enable() with preempt_count 0 in init/1: preempt count underflow (an enable without a matching preempt_disable)');
    expect(m.ctx.preemptCount).toBe(0);
  });
  it('refuses local_irq_restore with flags not from local_irq_save', () => {
    const { m } = booted();
    const f = local_irq_save(m);
    expect(f).toBe(0x200);
    expect(() => local_irq_restore(m, 7)).toThrow('local_irq_restore: flags must be a value returned by local_irq_save() (0 or 0x200), got 7');
    local_irq_restore(m, f);
    expect(() => local_irq_restore(m, f)).toThrow('local_irq_restore: interrupts are already enabled');
  });
});

describe('migration', () => {
  it('reloads the GS base when the context moves', () => {
    const { m, x } = booted();
    m.migrate(3);
    expect([m.cpu, m.gs]).toEqual([3, m.perCpuOffset[3]]);
    this_cpu_add_4(m, x, 1);
    expect(per_cpu(m, x, 3)).toBe(8);
  });
  it('is refused while preemption or interrupts are disabled', () => {
    const { m } = booted();
    preempt_disable(m);
    expect(() => m.migrate(1)).toThrow(
      'migrate to cpu 1 refused: preemption is disabled on cpu 0 (preempt_count 1); the context must stay on its CPU until that ends',
    );
    expect(() => m.runOn(2, () => 0)).toThrow('runOn(cpu 2) refused: preemption is disabled on cpu 0 (preempt_count 1)');
    preempt_enable(m);
    const f = local_irq_save(m);
    expect(() => m.migrate(1)).toThrow('migrate to cpu 1 refused: interrupts are disabled on cpu 0');
    local_irq_restore(m, f);
    expect(m.cpu).toBe(0);
    m.migrate(1);
    expect(m.cpu).toBe(1);
  });
  it('runOn restores the CPU and refuses unbalanced preemption and async functions', () => {
    const { m } = booted();
    expect(() => m.runOn(1, () => preempt_disable(m))).toThrow(
      'runOn(cpu 1): fn returned with preempt_count 1, irqs on (entered with preempt_count 0, irqs on): an unbalanced preempt_disable/local_irq_save',
    );
    expect([m.cpu, m.ctx.preemptCount]).toEqual([0, 0]);
    expect(() => m.runOn(1, async () => 0)).toThrow('runOn: fn returned a promise; a simulated CPU cannot be held across an await');
    expect(m.runOn(2, () => m.cpu)).toBe(2);
    expect(m.cpu).toBe(0);
  });
});
