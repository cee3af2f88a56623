/**
 * The machine the micro-benchmarks run on: four CPUs, one static per-CPU
 * variable of each width, running on CPU 1 (any CPU would do; not CPU 0, so a
 * GS base of the first unit can never hide an addressing mistake).
 */
import { DEFINE_PER_CPU } from '../../src/define.js';
import { Machine } from '../../src/machine.js';
import type { PerCpuPtr } from '../../src/percpu-ptr.js';

export interface BenchMachine {
  readonly m: Machine;
  readonly p1: PerCpuPtr<'u8'>;
  readonly p2: PerCpuPtr<'u16'>;
  readonly p4: PerCpuPtr<'u32'>;
  readonly p8: PerCpuPtr<'u64'>;
}

export function benchMachine(): BenchMachine {
  const m = new Machine({ cpus: 4 });
  const p1 = DEFINE_PER_CPU(m, 'u8', 'bench_u8');
  const p2 = DEFINE_PER_CPU(m, 'u16', 'bench_u16');
  const p4 = DEFINE_PER_CPU(m, 'u32', 'bench_u32');
  const p8 = DEFINE_PER_CPU(m, 'u64', 'bench_u64');
  m.boot();
  m.loadCpu(1);
  return { m, p1, p2, p4, p8 };
}
