/**
 * Jobs that show what a CPU thread is: its own GS base and CPU number, its
 * own unit of the shared memory, and a context that cannot leave its CPU.
 */
import { this_cpu_read_8, this_cpu_write_4 } from '../../generated/x86_64/percpu.js';
import type { Machine } from '../machine.js';
import type { PerCpuPtr } from '../percpu-ptr.js';
import { smp_processor_id } from '../kernel/smp.js';
import type { CpuEnv } from './protocol.js';

/** What a CPU thread reports about itself, read inside the thread: m.cpu, its GS base, smp_processor_id() and this_cpu_off. */
export interface WhoAmI {
  /** m.cpu of the thread's machine. */
  readonly cpu: number;
  /** Its GS base register. */
  readonly gs: number;
  /** smp_processor_id(): the gs-relative read of cpu_number. */
  readonly smpProcessorId: number;
  /** this_cpu_read(this_cpu_off): the unit's own address, read through %gs. */
  readonly thisCpuOff: bigint;
  readonly comm: string;
}

export function whoami(m: Machine): WhoAmI {
  return {
    cpu: m.cpu,
    gs: m.gs,
    smpProcessorId: smp_processor_id(m),
    thisCpuOff: this_cpu_read_8(m, m.this_cpu_off),
    comm: m.ctx.comm,
  };
}

/** Writes `base + cpu` into this CPU's copy of the u32 named `ptr` with this_cpu_write_4. */
export function mark(m: Machine, env: CpuEnv, args: { readonly ptr: string; readonly base: number }): number {
  const p = env.ptrs[args.ptr] as PerCpuPtr<'u32'> | undefined;
  if (p === undefined) throw new RangeError(`no per-CPU variable named ${JSON.stringify(args.ptr)}`);
  this_cpu_write_4(m, p, args.base + smp_processor_id(m));
  return args.base + m.cpu;
}

/** Tries to migrate to `to`; returns the refusal message (a CPU thread is bound to its CPU). */
export function try_migrate(m: Machine, _env: CpuEnv, args: { readonly to: number }): string {
  try {
    m.migrate(args.to);
  } catch (e) {
    return (e as Error).message;
  }
  return `migrated to cpu ${m.cpu}`;
}

/** Throws, to show how a job's error reaches the main thread. */
export function fail(_m: Machine, _env: CpuEnv, args: { readonly message: string }): never {
  throw new RangeError(args.message);
}

/** Ends the thread: what the main thread sees when a CPU thread dies. */
export function die(_m: Machine, _env: CpuEnv, args: { readonly code: number }): never {
  process.exit(args.code);
}
