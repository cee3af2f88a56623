/**
 * "The Solution: Lifetimes" and "What About Static Variables?": the ref lives
 * in a block, so it is dropped (its guard with it) before `num` is; and a ref
 * to a static has the `'static` lifetime, so no drop can end it.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Machine } from '../src/machine.js';
import { CpuGuard, PerCpu, define_per_cpu, unsafe_get_per_cpu_ref } from '../src/rust/index.js';

export function main(): string[] {
  const out: string[] = [];
  const m = new Machine({ cpus: 4 });
  const COUNT = define_per_cpu(m, 'COUNT', 'u32', 7);
  m.boot();

  const num = PerCpu.new(m, 'u32', { name: 'num' })!;
  {
    using num_ref = num.get(new CpuGuard(m));
    num_ref.value = 1;
    num_ref.add(1);
    out.push(`*num_ref = ${num_ref.value} (lifetime ${num_ref.lifetime})`);
  }
  out.push(`num_ref dropped at the end of its block: preempt_count ${m.ctx.preemptCount}`);
  num.drop();
  out.push(`drop(num): ok, ${num.dropped ? 'dropped' : 'alive'}`);

  const other = PerCpu.new(m, 'u32', { name: 'other' })!;
  using static_ref = unsafe_get_per_cpu_ref(m, COUNT, new CpuGuard(m));
  other.drop();
  static_ref.add(1);
  out.push(`static ref after drop(other): *static_ref = ${static_ref.value} (lifetime ${static_ref.lifetime})`);
  return out;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  for (const line of main()) console.log(line);
}
