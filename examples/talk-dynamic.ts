/**
 * The talk's "Dynamic Per-CPU Variables", "PerCpuAllocation<T>" and
 * "Connecting the Dots" slides, run: alloc_percpu behind PerCpuAllocation, an
 * Arc shared by PerCpu clones, get(guard) → PerCpuRef, the one-instruction
 * numeric ops, and the last drop freeing the allocation once. Then the later
 * series' DynamicPerCpu::new_from with a Drop that runs once per CPU.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Machine } from '../src/machine.js';
import { pcpu_chunks } from '../src/mm/percpu-alloc.js';
import { CpuGuard, DynamicPerCpu, PerCpu, on_each_cpu, struct } from '../src/rust/index.js';

function liveAllocations(m: Machine): string[] {
  return pcpu_chunks(m).flatMap((c) => c.allocations.map((a) => a.label));
}

export function main(): string[] {
  const out: string[] = [];
  const m = new Machine({ cpus: 4 }).boot();

  const num = PerCpu.new(m, 'u32', { name: 'num' });
  if (num === null) throw new Error('alloc_percpu failed');
  out.push(`PerCpu::<u32>::new(): ${num.allocation.ptr.toString()}`);
  const num2 = num.clone({ name: 'num2' });
  out.push(`num.clone(): Arc strong count ${num.strongCount}`);

  on_each_cpu(m, (cpu) => {
    using r = num2.get(new CpuGuard(m));
    r.value = cpu * 10;
  });
  {
    using r = num.get(new CpuGuard(m));
    r.update((v) => v + 1);
    out.push(`cpu${m.cpu}: num.get(guard) → ${r.what} = ${r.value}`);
  }
  num.num().add(5);
  out.push(`num.num().add(5): this_cpu_add_4, copies ${num.values().join(', ')}`);

  num.drop();
  out.push(`drop(num): ${num2.strongCount} clone left, allocation ${liveAllocations(m).length === 1 ? 'still live' : 'freed'}`);
  num2.drop();
  out.push(`drop(num2): the last clone, allocations live now: ${liveAllocations(m).length}`);

  const Stats = struct('stats', { packets: 'u64', errors: 'u16', up: 'bool' });
  out.push(...Stats.toString().split('\n'));
  const dropped: number[] = [];
  const stats = DynamicPerCpu.newFrom(m, Stats, (cpu) => ({ packets: BigInt(cpu) * 1000n, errors: 0, up: true }), {
    name: 'stats',
    drop: (_v, cpu) => dropped.push(cpu),
  });
  if (stats === null) throw new Error('alloc_percpu failed');
  on_each_cpu(m, () => {
    const mine = stats.clone({ name: 'mine' });
    {
      using t = mine.get_mut(new CpuGuard(m));
      t.with((v) => v.update((s) => ({ ...s, packets: s.packets + 1n })));
    }
    mine.drop();
  });
  out.push(`stats per CPU: ${stats.values().map((s) => `${s.packets}/${s.errors}/${s.up}`).join(', ')}`);
  out.push(`stats.getRemotePtr(2).read().packets = ${stats.getRemotePtr(2).read().packets}`);
  stats.drop();
  out.push(`drop(stats): values dropped on cpus ${dropped.join(',')}`);
  return out;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  for (const line of main()) console.log(line);
}
