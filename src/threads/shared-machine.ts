/**
 * A machine whose memory is a SharedArrayBuffer, so worker threads can run as
 * its CPUs (see pool.ts), and the layout guarantee that makes that fast: every
 * CPU's unit is page-aligned and page-sized, so the same variable's copies on
 * two CPUs are at least a page apart and never share a cacheline. Without
 * that, two CPUs incrementing "their own" counters would still bounce one line
 * between cores (false sharing), and per-CPU data would lose its point.
 */
import { MachineStateError } from '../errors.js';
import { L1_CACHE_BYTES, PAGE_SIZE } from '../linker.js';
import { Machine, PCPU_BASE, machineArg, type MachineOptions } from '../machine.js';
import { PerCpuPtr } from '../percpu-ptr.js';
import { describe } from '../types.js';

/** Default unit budget used to size the shared memory when no size is given. */
const DEFAULT_UNIT_BUDGET = 64 << 10;
/** Room for dynamic chunks beyond the first: a shared memory cannot grow later. */
const CHUNK_ROOM = 4;

export interface SharedMachineOptions extends Omit<MachineOptions, 'sharedMemoryBytes'> {
  /**
   * Size of the SharedArrayBuffer. Default: the null page plus four times
   * cpus × (unitSize or 64 KiB), leaving room for dynamic chunks.
   */
  sharedMemoryBytes?: number;
}

/** A Machine backed by a SharedArrayBuffer; define statics, then boot() it as usual. */
export function createSharedMachine(options: SharedMachineOptions = {}): Machine {
  if (options === null || typeof options !== 'object') throw new TypeError(`createSharedMachine: options must be an object, got ${describe(options)}`);
  const cpus = options.cpus ?? 4;
  let bytes = options.sharedMemoryBytes;
  if (bytes === undefined) {
    const unit = options.unitSize ?? DEFAULT_UNIT_BUDGET;
    bytes = typeof cpus === 'number' && typeof unit === 'number' ? PCPU_BASE + CHUNK_ROOM * cpus * unit : NaN;
  }
  if (!Number.isInteger(bytes) || bytes <= 0) {
    throw new RangeError(`createSharedMachine: sharedMemoryBytes must be a positive integer, got ${describe(bytes)}`);
  }
  try {
    return new Machine({ ...options, sharedMemoryBytes: bytes });
  } catch (e) {
    // The options are the caller's: say which call they were given to.
    if (e instanceof TypeError || e instanceof RangeError) throw new (e.constructor as ErrorConstructor)(`createSharedMachine: ${e.message}`, { cause: e });
    throw e;
  }
}

/** The 64-byte cacheline (L1_CACHE_BYTES) holding byte address `addr`. */
export function cachelineOf(addr: number): number {
  return Math.floor(addr / L1_CACHE_BYTES);
}

/**
 * Checks that no two CPUs' units share a cacheline: every unit starts on a
 * cacheline boundary and is a whole number of cachelines (the machine makes
 * them page-aligned and page-sized). Throws naming the offending layout.
 */
export function assertUnitsCachelineSeparated(m: Machine): void {
  const layout = machineArg(m, 'assertUnitsCachelineSeparated').layout;
  if (layout === null) throw new MachineStateError('assertUnitsCachelineSeparated: the machine has not booted');
  const { unitSize } = layout;
  if (unitSize % L1_CACHE_BYTES !== 0 || unitSize % PAGE_SIZE !== 0) {
    throw new MachineStateError(`per-CPU unit size ${unitSize} is not a whole number of pages: units of two CPUs could share a cacheline`);
  }
  for (let cpu = 0; cpu < m.nrCpus; cpu++) {
    const base = m.perCpuOffset[cpu];
    if (base % PAGE_SIZE !== 0) {
      throw new MachineStateError(`cpu ${cpu}'s unit starts at 0x${base.toString(16)}, not page-aligned: it may share a cacheline with cpu ${cpu - 1}'s unit`);
    }
  }
}

/**
 * The cacheline of every CPU's copy of `p`. All entries differ when per-CPU
 * data is laid out right; the caller can check the set size.
 */
export function cachelinesOfCopies(m: Machine, p: PerCpuPtr<unknown>): number[] {
  if (!machineArg(m, 'cachelinesOfCopies').booted) throw new MachineStateError('cachelinesOfCopies: the machine has not booted');
  if (!(p instanceof PerCpuPtr)) {
    throw new TypeError(`cachelinesOfCopies: expected a per-CPU pointer (a DEFINE_PER_CPU symbol or what alloc_percpu() returned), got ${describe(p)}`);
  }
  const lines: number[] = [];
  const size = p.type?.size ?? 1;
  for (let cpu = 0; cpu < m.nrCpus; cpu++) {
    const addr = m.addressOf(p, cpu);
    const first = cachelineOf(addr);
    if (cachelineOf(addr + size - 1) !== first) {
      throw new MachineStateError(`${p.origin.label} on cpu ${cpu} straddles two cachelines at 0x${addr.toString(16)}`);
    }
    lines.push(first);
  }
  return lines;
}
