/**
 * Per-CPU pointer accessors (include/linux/percpu-defs.h): they turn a per-CPU
 * pointer (a static symbol's or an allocation's) into the plain address of one
 * CPU's copy. Read and write through that address with m.load()/m.store().
 *
 *   per_cpu_ptr(p, cpu)  p + __per_cpu_offset[cpu]            any CPU's copy
 *   raw_cpu_ptr(p)       p + this CPU's offset, no check        (x86: + this_cpu_read(this_cpu_off))
 *   this_cpu_ptr(p)      raw_cpu_ptr + the DEBUG_PREEMPT smp_processor_id() check
 *   get_cpu_ptr(p)       preempt_disable(); this_cpu_ptr(p)     … put_cpu_ptr(p)
 *   get_cpu_var(var)     the same for a variable                … put_cpu_var(var)
 *
 * A freed pointer is poisoned in debug mode, so reading its offset here throws
 * the use-after-free error that names the allocation.
 */
import { check_preemption_disabled } from './debug.js';
import { MachineStateError } from './errors.js';
import { machineArg, type Machine } from './machine.js';
import { checkPointer, type PerCpuPtr } from './percpu-ptr.js';
import { preempt_disable, preempt_enable } from './kernel/preempt.js';

/** The pointer's offset, after checking that it is one and the machine has per-CPU memory. */
function offsetOf(m: Machine, p: unknown, what: string): number {
  // Throws UseAfterFreeError for a freed pointer in debug mode.
  const off = checkPointer(machineArg(m, what), p, what).off;
  if (!m.booted) throw new MachineStateError(`${what}: per-CPU memory is not set up yet: call m.boot() (setup_per_cpu_areas) first`);
  return off;
}

/**
 * The executing CPU's per-CPU offset as each arch finds it: x86-64 reads
 * `this_cpu_off` through %gs, arm64 reads TPIDR_EL1, asm-generic indexes
 * __per_cpu_offset by the CPU number.
 */
function myCpuOffset(m: Machine): number {
  switch (m.arch) {
    case 'x86_64': return Number(m.view.getBigUint64(m.gs + m.this_cpu_off.off, true));
    case 'arm64': return m.tpidr_el1;
    default: return m.perCpuOffset[m.cpu];
  }
}

/** per_cpu_ptr(p, cpu): address of `cpu`'s copy (the kernel does not check cpu; the simulation does). */
export function per_cpu_ptr(m: Machine, p: PerCpuPtr<unknown>, cpu: number): number {
  const off = offsetOf(m, p, 'per_cpu_ptr');
  m.checkCpu(cpu, 'per_cpu_ptr');
  return off + m.perCpuOffset[cpu];
}

/** raw_cpu_ptr(p): address of the executing CPU's copy, no preemption check. */
export function raw_cpu_ptr(m: Machine, p: PerCpuPtr<unknown>): number {
  return offsetOf(m, p, 'raw_cpu_ptr') + myCpuOffset(m);
}

/**
 * this_cpu_ptr(p): with DEBUG_PREEMPT it goes through smp_processor_id(), so
 * calling it from preemptible code is the "BUG: using smp_processor_id() in
 * preemptible" splat: the address could belong to another CPU by the time it is used.
 */
export function this_cpu_ptr(m: Machine, p: PerCpuPtr<unknown>): number {
  const off = offsetOf(m, p, 'this_cpu_ptr');
  if (m.debugPreempt) check_preemption_disabled(m, 'smp_processor_id', '');
  return off + myCpuOffset(m);
}

/** get_cpu_ptr(p): preempt_disable(); this_cpu_ptr(p). Pair with put_cpu_ptr(). */
export function get_cpu_ptr(m: Machine, p: PerCpuPtr<unknown>): number {
  offsetOf(m, p, 'get_cpu_ptr'); // a bad pointer must not leave preemption disabled
  preempt_disable(m);
  return this_cpu_ptr(m, p);
}

/** put_cpu_ptr(p): preempt_enable(). */
export function put_cpu_ptr(m: Machine, p: PerCpuPtr<unknown>): void {
  offsetOf(m, p, 'put_cpu_ptr');
  preempt_enable(m, 'put_cpu_ptr');
}

/** get_cpu_var(var): preempt_disable() and the address of this CPU's copy of `var`. */
export function get_cpu_var(m: Machine, p: PerCpuPtr<unknown>): number {
  offsetOf(m, p, 'get_cpu_var');
  preempt_disable(m);
  return this_cpu_ptr(m, p);
}

/** put_cpu_var(var): preempt_enable(). */
export function put_cpu_var(m: Machine, p: PerCpuPtr<unknown>): void {
  offsetOf(m, p, 'put_cpu_var');
  preempt_enable(m, 'put_cpu_var');
}
