/**
 * Attaching a thread to a machine booted on a SharedArrayBuffer.
 *
 * The booting thread describes its machine once (describeSharedMachine): the
 * options, the static per-CPU definitions, the shared buffer and the first
 * chunk's layout. Another thread rebuilds a Machine of the same shape from that
 * description (attachMachine) — same options, the same statics defined in the
 * same order, so every PerCpuPtr gets the same offset — and adopts the shared
 * memory instead of allocating its own. Each thread then loads its own CPU's GS
 * base, and the generated ops, which address memory as `m.gs + pcp.off`, reach
 * that CPU's unit of the one shared memory.
 */
import { MachineStateError } from '../errors.js';
import type { Subsection } from '../linker.js';
import type { Arch } from '../arch.js';
import { Machine, machineArg } from '../machine.js';
import { PerCpuPtr, type PtrOrigin } from '../percpu-ptr.js';
import { opsFor } from '../typed.js';
import { describe, fromBits, scalarInfo, type ScalarName } from '../types.js';
import { adoptMemory, type AdoptedMemory } from './adopt.js';

/** One DEFINE_PER_CPU_* definition, as data. */
export interface StaticDescriptor {
  readonly name: string;
  readonly macro: string;
  readonly subsection: Subsection;
  /** The alignment the definition got (its type's, raised by the macro). */
  readonly align: number;
  readonly type: ScalarName;
  /** Initial value bits; only used to define the symbol identically (the memory is already initialised). */
  readonly init: bigint;
}

/** Everything a thread needs to attach: structured-clonable, sent with postMessage or workerData. */
export interface SharedMachineInit extends AdoptedMemory {
  readonly cpus: number;
  readonly arch: Arch;
  readonly debugPreempt: boolean;
  readonly debugFree: boolean;
  /** Static definitions made after the Machine constructor (which defines this_cpu_off and cpu_number itself). */
  readonly statics: readonly StaticDescriptor[];
}

/** A per-CPU pointer as data (dynamic pointers cross threads this way). */
export interface PtrDescriptor {
  readonly off: number;
  readonly type: ScalarName | null;
  readonly origin: PtrOrigin;
}

/** Describes a booted shared-memory machine so that other threads can attach to it. */
export function describeSharedMachine(m: Machine): SharedMachineInit {
  if (!machineArg(m, 'describeSharedMachine').booted || m.layout === null) {
    throw new MachineStateError('describeSharedMachine: the machine has not booted; call m.boot() first');
  }
  if (!(m.buffer instanceof SharedArrayBuffer)) {
    throw new MachineStateError(
      'describeSharedMachine: this machine\'s memory is a private ArrayBuffer; create it with createSharedMachine() (or the sharedMemoryBytes option) so threads can share it',
    );
  }
  const builtIn = new Machine({ cpus: 1 }).linker;
  const statics: StaticDescriptor[] = [];
  for (const d of m.linker.definitions()) {
    if (builtIn.lookup(d.name) !== undefined) continue;
    statics.push({ name: d.name, macro: d.macro, subsection: d.subsection, align: d.align, type: d.type.name, init: d.init });
  }
  return {
    cpus: m.nrCpus,
    arch: m.arch,
    debugPreempt: m.debugPreempt,
    debugFree: m.debugFree,
    statics,
    buffer: m.buffer,
    layout: m.layout,
    mappedBytes: m.mappedBytes,
    mappedWord: m.mappedWord!.buffer as SharedArrayBuffer,
    perCpuOffset: Array.from(m.perCpuOffset),
    percpuBaseReg: Array.from(m.percpuBaseReg),
    online: m.online.toArray(),
  };
}

/**
 * Builds this thread's Machine on the shared memory described by `init`: the
 * same options and statics, the memory adopted rather than allocated. The
 * executing CPU is 0 until bindCpu() (or loadCpu()) picks another.
 */
export function attachMachine(init: SharedMachineInit): Machine {
  if (init === null || typeof init !== 'object' || !Array.isArray(init.statics)) {
    throw new TypeError(`attachMachine: expected a description from describeSharedMachine(), got ${describe(init)}`);
  }
  const m = new Machine({ cpus: init.cpus, arch: init.arch, debug: init.debugPreempt });
  m.debugFree = init.debugFree;
  for (const s of init.statics) {
    const type = scalarInfo(s.type, 'attachMachine');
    // The machine's linker binds each symbol's typed-layer op table, as for the booting thread.
    m.linker.define({ macro: s.macro, subsection: s.subsection, minAlign: s.align }, s.type, s.name, fromBits(type, s.init));
  }
  adoptMemory(m, init);
  return m;
}

/**
 * Makes the calling thread CPU `cpu` for good: loads its GS base and runs a
 * per-CPU kthread bound to it (is_percpu_thread()), so smp_processor_id() is
 * legal and the thread can never be migrated — a worker thread *is* the CPU.
 */
export function bindCpu(m: Machine, cpu: number, comm = `cpu-worker/${cpu}`): void {
  machineArg(m, 'bindCpu').checkCpu(cpu, 'bindCpu');
  if (typeof comm !== 'string' || comm === '') throw new TypeError(`bindCpu: comm must be a non-empty string (the thread's name), got ${describe(comm)}`);
  if (!m.online.test(cpu)) throw new MachineStateError(`bindCpu: cpu ${cpu} is offline`);
  m.loadCpu(cpu);
  m.ctx = { comm, pid: 1000 + cpu, kind: 'task', preemptCount: 0, irqsDisabled: false, pinned: true, migrationDisabled: 0 };
}

/** A per-CPU pointer as data, to hand to another thread. */
export function describePtr(p: PerCpuPtr<unknown>): PtrDescriptor {
  if (!(p instanceof PerCpuPtr)) {
    throw new TypeError(`describePtr: expected a per-CPU pointer (a DEFINE_PER_CPU symbol or what alloc_percpu() returned), got ${describe(p)}`);
  }
  return { off: p.off, type: p.type === null ? null : p.type.name, origin: { label: p.origin.label, kind: p.origin.kind } };
}

/**
 * Rebuilds a pointer from its description in the thread that received it,
 * with the typed layer's op table of `m`'s architecture when it has a type. Freeing
 * the original does not poison this copy: a thread must be done with a
 * dynamic pointer before the allocation is freed, as in the kernel.
 */
export function revivePtr<T = unknown>(m: Machine, d: PtrDescriptor): PerCpuPtr<T> {
  machineArg(m, 'revivePtr');
  if (d === null || typeof d !== 'object') throw new TypeError(`revivePtr: expected a descriptor from describePtr(), got ${describe(d)}`);
  if (d.origin === null || typeof d.origin !== 'object' || typeof d.origin.label !== 'string' || (d.origin.kind !== 'static' && d.origin.kind !== 'dynamic')) {
    throw new TypeError(`revivePtr: origin must be { label, kind: 'static' | 'dynamic' } as describePtr() gives it, got ${describe(d.origin)}`);
  }
  if (typeof d.off !== 'number' || !Number.isInteger(d.off) || d.off < 0) {
    throw new TypeError(`revivePtr: offset must be a non-negative integer, got ${describe(d.off)}`);
  }
  const type = d.type === null ? null : scalarInfo(d.type, 'revivePtr');
  return new PerCpuPtr<T>(m, d.off, type, d.origin, type === null ? null : opsFor(m.arch, type));
}
