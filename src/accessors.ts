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
import { checkPointer, rootOf, type PerCpuPtr } from './percpu-ptr.js';
import { preempt_disable, preempt_enable } from './kernel/preempt.js';
import { makeKPtr, type KPtr } from './kptr.js';
import { SCALARS, describe } from './types.js';
import { isScalar } from '../c/types.js';

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

// ---------------------------------------------------------------- typed: a CPU's copy as a C pointer

/**
 * One CPU's copy as C types it: `struct bh_lru *b = this_cpu_ptr(&bh_lrus)` is
 * a plain pointer to that copy, which kptr_member(), READ_ONCE(), the atomics,
 * the locks, u64_stats and the stepped load/store take like any KPtr. The
 * address is fixed when the pointer is made, as in the kernel: after a
 * migration it still points at the old CPU's copy. `name` is what traces call
 * it (`b` makes `b->bhs[3]`); the default spells the expression.
 */
function cpuCopy<T>(m: Machine, p: PerCpuPtr<T>, addr: number, expr: string, name: string | undefined, what: string): KPtr<T> {
  if (p.ctype === null) throw new TypeError(`${what}: ${p.origin.label} has no C type (void __percpu *); give it one first: pcpu_cast(m, p, 'struct …')`);
  if (name !== undefined && (typeof name !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))) throw new TypeError(`${what}: the name must be a C identifier, got ${describe(name)}`);
  const { root, delta, size } = rootOf(p);
  const rootSize = size ?? root.ctype?.size ?? root.type?.size ?? p.ctype.size;
  const base = addr - delta;
  const origin = { label: `${expr} (${p.origin.label})`, kind: 'percpu' as const };
  const scalar = isScalar(p.ctype) ? SCALARS[p.ctype.scalar] : null;
  return makeKPtr(addr, { ctype: p.ctype, scalar, label: p.ctype.name }, origin, name !== undefined ? `*${name}` : `*${expr}`, { base, size: rootSize, machine: m }, what) as KPtr<T>;
}

/** How C spells the per-CPU pointer itself: `&hits`, `&s.count`, `pcp` for an allocation's `*pcp`. */
function pointerExpr(p: PerCpuPtr<unknown>): string {
  return p.sym.startsWith('*') ? p.sym.slice(1) : `&${p.sym}`;
}

/** `this_cpu_ptr(p)` as a typed pointer (KPtr) to the running CPU's copy, with DEBUG_PREEMPT's check. */
export function this_cpu_kptr<T>(m: Machine, p: PerCpuPtr<T>, name?: string): KPtr<T> {
  const off = offsetOf(m, p, 'this_cpu_kptr');
  if (m.debugPreempt) check_preemption_disabled(m, 'smp_processor_id', '');
  return cpuCopy(m, p, off + myCpuOffset(m), `this_cpu_ptr(${pointerExpr(p)})`, name, 'this_cpu_kptr');
}

/** `raw_cpu_ptr(p)` as a typed pointer: no preemption check. */
export function raw_cpu_kptr<T>(m: Machine, p: PerCpuPtr<T>, name?: string): KPtr<T> {
  return cpuCopy(m, p, offsetOf(m, p, 'raw_cpu_kptr') + myCpuOffset(m), `raw_cpu_ptr(${pointerExpr(p)})`, name, 'raw_cpu_kptr');
}

/** `per_cpu_ptr(p, cpu)` as a typed pointer to `cpu`'s copy. */
export function per_cpu_kptr<T>(m: Machine, p: PerCpuPtr<T>, cpu: number, name?: string): KPtr<T> {
  const off = offsetOf(m, p, 'per_cpu_kptr');
  m.checkCpu(cpu, 'per_cpu_kptr');
  return cpuCopy(m, p, off + m.perCpuOffset[cpu], `per_cpu_ptr(${pointerExpr(p)}, ${cpu})`, name, 'per_cpu_kptr');
}
