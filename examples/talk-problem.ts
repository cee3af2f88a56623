/**
 * The talk's "Problem!" slide:
 *
 *   let mut num: PerCpu<u32> = PerCpu::new().unwrap();
 *   let mut num_ref: PerCpuRef<u32> = num.get(CpuGuard::new());
 *   drop(num);
 *   *num_ref = 1;
 *
 * rustc rejects it (E0505); here the drop is refused at run time with the same
 * error, and nothing is freed. This example fails on purpose: run directly it
 * prints the error and exits with status 1.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Machine } from '../src/machine.js';
import { CpuGuard, PerCpu } from '../src/rust/index.js';

/** Runs the slide; lines printed before the error go to `out`. Throws the E0505 BorrowError. */
export function main(out: string[] = []): string[] {
  const m = new Machine({ cpus: 4 }).boot();
  const num = PerCpu.new(m, 'u32', { name: 'num' })!;
  const num_ref = num.get(new CpuGuard(m));
  out.push(`num_ref: ${num_ref.toString()}`);
  num.drop();
  num_ref.set(1);
  out.push('unreachable: the ref outlived its PerCpu');
  return out;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out: string[] = [];
  try {
    main(out);
  } catch (e) {
    for (const line of out) console.log(line);
    console.error((e as Error).message);
    process.exitCode = 1;
  }
}
