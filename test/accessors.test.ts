import { describe, expect, it } from 'vitest';
import {
  get_cpu_ptr, get_cpu_var, per_cpu_ptr, put_cpu_ptr, put_cpu_var, raw_cpu_ptr, this_cpu_ptr,
} from '../src/accessors.js';
import { DEFINE_PER_CPU } from '../src/define.js';
import { KernelBugError, MachineStateError, UseAfterFreeError } from '../src/errors.js';
import { Machine, PCPU_BASE } from '../src/machine.js';
import { alloc_percpu, free_percpu } from '../src/mm/percpu-alloc.js';
import { PerCpuPtr } from '../src/percpu-ptr.js';
import { per_cpu } from '../src/kernel/smp.js';
import { registerArchOps } from '../src/typed.js';
import * as arm64 from '../generated/arm64/percpu.js';
import * as generic from '../generated/generic/percpu.js';

const UNIT = 40960;

function setup(opts: ConstructorParameters<typeof Machine>[0] = {}) {
  const m = new Machine({ cpus: 4, ...opts });
  const hits = DEFINE_PER_CPU(m, 'u64', 'hits');
  m.boot();
  const dyn = alloc_percpu(m, 'u32')!;
  return { m, hits, dyn };
}

describe('per_cpu_ptr', () => {
  it('is pointer + __per_cpu_offset[cpu] for static and dynamic pointers alike', () => {
    const { m, hits, dyn } = setup();
    for (let cpu = 0; cpu < 4; cpu++) {
      expect(per_cpu_ptr(m, hits, cpu)).toBe(PCPU_BASE + cpu * UNIT + hits.off);
      expect(per_cpu_ptr(m, dyn, cpu)).toBe(PCPU_BASE + cpu * UNIT + 8264);
    }
  });

  it('reads and writes go through m.load/m.store on the plain address', () => {
    const { m, hits, dyn } = setup();
    m.store(per_cpu_ptr(m, hits, 2), 'u64', 41n);
    m.store(per_cpu_ptr(m, dyn, 3), 'u32', -1);
    expect(per_cpu(m, hits, 2)).toBe(41n);
    expect(per_cpu(m, hits, 1)).toBe(0n);
    expect(m.load(per_cpu_ptr(m, dyn, 3), 'u32')).toBe(0xffffffff);
    expect(m.load(per_cpu_ptr(m, dyn, 3), 'i32')).toBe(-1);
    expect(m.load(per_cpu_ptr(m, dyn, 0), 'u32')).toBe(0);
  });

  it('validates the CPU and the pointer', () => {
    const { m, dyn } = setup();
    for (const bad of [4, -1, 1.5, '0', NaN]) {
      expect(() => per_cpu_ptr(m, dyn, bad as number)).toThrow(RangeError);
    }
    expect(() => per_cpu_ptr(m, dyn, 4)).toThrow(new RangeError('per_cpu_ptr: invalid CPU 4: this machine has CPUs 0-3'));
    expect(() => per_cpu_ptr(m, dyn, '0' as unknown as number)).toThrow('per_cpu_ptr: invalid CPU "0": this machine has CPUs 0-3');
    expect(() => per_cpu_ptr(m, 8264 as unknown as PerCpuPtr, 0)).toThrow(new TypeError(
      'per_cpu_ptr: expected a per-CPU pointer (a DEFINE_PER_CPU symbol or what alloc_percpu() returned), got 8264',
    ));
  });

  it('needs a booted machine', () => {
    const m = new Machine({ cpus: 2 });
    const x = DEFINE_PER_CPU(m, 'u32', 'x');
    expect(() => per_cpu_ptr(m, x, 0)).toThrow(new MachineStateError(
      'per_cpu_ptr: per-CPU memory is not set up yet: call m.boot() (setup_per_cpu_areas) first',
    ));
  });
});

describe('this_cpu_ptr and raw_cpu_ptr', () => {
  it('this_cpu_ptr from preemptible code is the smp_processor_id() BUG', () => {
    const { m, dyn } = setup();
    expect(() => this_cpu_ptr(m, dyn)).toThrow(new KernelBugError('BUG: using smp_processor_id() in preemptible [00000000] code: init/1'));
  });

  it('this_cpu_ptr is silent with preemption off, interrupts off, in a per-CPU thread, or without DEBUG_PREEMPT', () => {
    const { m, dyn } = setup();
    m.migrate(2);
    m.ctx.preemptCount = 1;
    expect(this_cpu_ptr(m, dyn)).toBe(PCPU_BASE + 2 * UNIT + 8264);
    m.ctx.preemptCount = 0;
    m.migrate(0);
    m.ctx.irqsDisabled = true;
    expect(this_cpu_ptr(m, dyn)).toBe(PCPU_BASE + 8264);
    m.ctx.irqsDisabled = false;
    m.ctx.pinned = true;
    expect(this_cpu_ptr(m, dyn)).toBe(PCPU_BASE + 8264);
    m.ctx.pinned = false;
    m.debugPreempt = false;
    m.migrate(3);
    expect(this_cpu_ptr(m, dyn)).toBe(PCPU_BASE + 3 * UNIT + 8264);
  });

  it('raw_cpu_ptr never checks and, on x86-64, adds this_cpu_read(this_cpu_off)', () => {
    const { m, dyn } = setup();
    m.migrate(1);
    expect(raw_cpu_ptr(m, dyn)).toBe(PCPU_BASE + UNIT + 8264);
    // The offset comes from the gs-relative variable, not from a table: change it and the result follows.
    m.store(per_cpu_ptr(m, m.this_cpu_off, 1), 'ulong', BigInt(PCPU_BASE + 3 * UNIT));
    expect(raw_cpu_ptr(m, dyn)).toBe(PCPU_BASE + 3 * UNIT + 8264);
  });
});

describe('raw_cpu_ptr on other arches', () => {
  it('uses TPIDR_EL1 on arm64 and __per_cpu_offset[cpu] on generic', () => {
    registerArchOps('arm64', arm64);
    registerArchOps('generic', generic);
    for (const arch of ['arm64', 'generic'] as const) {
      const m = new Machine({ cpus: 2, arch }).boot();
      const p = alloc_percpu(m, 'u32')!;
      m.runOn(1, () => expect(raw_cpu_ptr(m, p)).toBe(PCPU_BASE + UNIT + p.off));
      // Each arch reads its own source of the offset: change it and the result follows.
      if (arch === 'arm64') m.tpidr_el1 = 12345;
      else m.perCpuOffset[0] = 12345;
      expect(raw_cpu_ptr(m, p)).toBe(12345 + p.off);
    }
  });
});

describe('get_cpu_ptr/put_cpu_ptr and get_cpu_var/put_cpu_var', () => {
  it('disable preemption around the access and pin the task', () => {
    const { m, hits, dyn } = setup();
    m.migrate(2);
    const a = get_cpu_ptr(m, dyn);
    expect(a).toBe(PCPU_BASE + 2 * UNIT + 8264);
    expect(m.ctx.preemptCount).toBe(1);
    expect(() => m.migrate(0)).toThrow(MachineStateError);
    m.store(a, 'u32', 7);
    put_cpu_ptr(m, dyn);
    expect(m.ctx.preemptCount).toBe(0);

    const v = get_cpu_var(m, hits);
    m.store(v, 'u64', (m.load(v, 'u64') as bigint) + 5n);
    put_cpu_var(m, hits);
    expect(m.ctx.preemptCount).toBe(0);
    expect(per_cpu(m, hits, 2)).toBe(5n);
    expect(m.load(per_cpu_ptr(m, dyn, 2), 'u32')).toBe(7);
  });

  it('nest, and an unmatched put is the preempt count underflow BUG', () => {
    const { m, dyn } = setup();
    get_cpu_ptr(m, dyn);
    get_cpu_var(m, dyn);
    expect(m.ctx.preemptCount).toBe(2);
    put_cpu_var(m, dyn);
    put_cpu_ptr(m, dyn);
    expect(() => put_cpu_ptr(m, dyn)).toThrow(KernelBugError);
    expect(m.ctx.preemptCount).toBe(0);
  });

  it('a bad or freed pointer leaves preemption as it was', () => {
    const { m, dyn } = setup();
    expect(() => get_cpu_ptr(m, {} as PerCpuPtr)).toThrow(TypeError);
    expect(() => get_cpu_var(m, null as unknown as PerCpuPtr)).toThrow(TypeError);
    free_percpu(m, dyn);
    expect(() => get_cpu_ptr(m, dyn)).toThrow(new UseAfterFreeError('use-after-free: alloc_percpu #1 (size 4, align 4) was freed by free_percpu()'));
    expect(() => raw_cpu_ptr(m, dyn)).toThrow(UseAfterFreeError);
    expect(() => put_cpu_var(m, dyn)).toThrow(UseAfterFreeError);
    expect(m.ctx.preemptCount).toBe(0);
  });
});
