/**
 * The talk's "Static Per-CPU Variables" and "Current API" slides, run:
 *
 *   define_per_cpu!(PERCPU: u64 = 0);
 *   let pcpu_ref = unsafe { unsafe_get_per_cpu_ref!(PERCPU, CpuGuard::new()) };
 *
 * The symbol is "fake" (reading it throws), the reference owns the guard (so
 * preemption is off and migration is refused while it lives), and each CPU
 * has its own copy.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Machine } from '../src/machine.js';
import { CpuGuard, define_per_cpu, get_static_per_cpu, online_cpus, unsafe_get_per_cpu_ref } from '../src/rust/index.js';

export function main(): string[] {
  const out: string[] = [];
  const m = new Machine({ cpus: 4 });
  const PERCPU = define_per_cpu(m, 'PERCPU', 'u64', 0n);
  m.boot();
  const entry = m.layout!.static.entries.find((e) => e.name === 'PERCPU')!;
  out.push(`define_per_cpu!(PERCPU: u64 = 0): ${entry.section} offset 0x${entry.offset.toString(16)}, ${entry.size} bytes`);

  try {
    out.push(`PERCPU + 1 = ${String(Number(PERCPU) + 1)}`);
  } catch (e) {
    out.push(`reading the symbol directly: ${(e as Error).message}`);
  }

  for (const cpu of online_cpus(m)) {
    m.runOn(cpu, () => {
      using pcpu_ref = unsafe_get_per_cpu_ref(m, PERCPU, new CpuGuard(m));
      pcpu_ref.value += BigInt(cpu + 1) * 100n;
      out.push(`cpu${cpu}: *pcpu_ref = ${pcpu_ref.value} (lifetime ${pcpu_ref.lifetime}, preempt_count ${m.ctx.preemptCount})`);
    });
  }

  {
    using pcpu_ref = unsafe_get_per_cpu_ref(m, PERCPU, new CpuGuard(m));
    try {
      m.migrate(1);
    } catch (e) {
      out.push(`while pcpu_ref lives: ${(e as Error).message}`);
    }
    pcpu_ref.add(1n);
  }
  out.push(`after the ref is dropped: preempt_count ${m.ctx.preemptCount}`);

  const handle = get_static_per_cpu(m, PERCPU);
  handle.num().add(10n);
  out.push(`get_static_per_cpu!(PERCPU).num().add(10) on cpu${m.cpu}: one addq %gs:0x${entry.offset.toString(16)}, no guard`);
  out.push(`every CPU's copy: ${handle.values().join(', ')}`);
  return out;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  for (const line of main()) console.log(line);
}
