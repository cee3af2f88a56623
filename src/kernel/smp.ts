/**
 * smp_processor_id(), get_cpu()/put_cpu(), cross-CPU access with per_cpu(),
 * and the CPU iterators. On x86-64 the CPU number is itself a per-CPU variable
 * (`cpu_number`), so smp_processor_id() is one gs-relative read.
 */
import { check_preemption_disabled } from '../debug.js';
import { MachineStateError } from '../errors.js';
import { checkValueKind, machineArg, readBits, writeBits, type Machine } from '../machine.js';
import { checkPointer, type PerCpuPtr } from '../percpu-ptr.js';
import { preempt_disable, preempt_enable } from './preempt.js';
import { fromBits, toBits, type ScalarName, type ValueOf } from '../types.js';
import { checkValue, readValue, writeValue, type CValue } from '../cvalue.js';
import type { Aggregate } from '../ctype-spec.js';
import { this_cpu_read_4 } from '../../generated/x86_64/percpu.js';

/** raw_smp_processor_id(): `this_cpu_read(cpu_number)` on x86-64, no check. */
export function raw_smp_processor_id(m: Machine): number {
  if (machineArg(m, 'raw_smp_processor_id').arch === 'x86_64') return this_cpu_read_4(m, m.cpu_number);
  return m.cpu; // current_thread_info()->cpu on arm64 and asm-generic
}

/** smp_processor_id(): with DEBUG_PREEMPT, a BUG when called from preemptible code. */
export function smp_processor_id(m: Machine): number {
  if (machineArg(m, 'smp_processor_id').debugPreempt) check_preemption_disabled(m, 'smp_processor_id', '');
  return raw_smp_processor_id(m);
}

/** get_cpu(): preempt_disable(); smp_processor_id(). */
export function get_cpu(m: Machine): number {
  preempt_disable(machineArg(m, 'get_cpu'));
  return smp_processor_id(m);
}

/** put_cpu(): preempt_enable(). */
export function put_cpu(m: Machine): void {
  preempt_enable(machineArg(m, 'put_cpu'), 'put_cpu');
}

/** `for_each_possible_cpu(cpu)`: the possible CPUs in ascending order. */
export function for_each_possible_cpu(m: Machine): IterableIterator<number> {
  return machineArg(m, 'for_each_possible_cpu').possible[Symbol.iterator]();
}

/** `for_each_online_cpu(cpu)`: the online CPUs in ascending order. */
export function for_each_online_cpu(m: Machine): IterableIterator<number> {
  return machineArg(m, 'for_each_online_cpu').online[Symbol.iterator]();
}

/** `num_online_cpus()`: how many CPUs are online. */
export function num_online_cpus(m: Machine): number {
  return machineArg(m, 'num_online_cpus').online.weight();
}

/** `num_possible_cpus()`: how many CPUs can ever be online. */
export function num_possible_cpus(m: Machine): number {
  return machineArg(m, 'num_possible_cpus').possible.weight();
}

function typedAddress(m: Machine, p: PerCpuPtr<unknown>, cpu: number, what: string, aggregates: boolean): number {
  checkPointer(machineArg(m, what), p, what);
  m.checkCpu(cpu, what);
  if (!m.booted) throw new MachineStateError(`${what}: the machine has not booted`);
  if (p.type === null && (!aggregates || p.ctype === null)) throw new TypeError(`${what}: ${p.origin.label} has no type; use per_cpu_ptr() and m.load()/m.store()`);
  return m.addressOf(p, cpu);
}

/**
 * per_cpu(var, cpu) as an rvalue: reads `cpu`'s copy of a typed per-CPU
 * variable; a struct, union or array is copied into a plain object or array.
 */
export function per_cpu<T extends ScalarName>(m: Machine, p: PerCpuPtr<T>, cpu: number): ValueOf<T>;
export function per_cpu(m: Machine, p: PerCpuPtr<Aggregate>, cpu: number): CValue;
export function per_cpu(m: Machine, p: PerCpuPtr<unknown>, cpu: number): CValue {
  const addr = typedAddress(m, p, cpu, 'per_cpu', true);
  if (p.type === null) return readValue(m.view, addr, p.ctype!);
  return fromBits(p.type, readBits(m.view, addr, p.type));
}

/**
 * per_cpu(var, cpu) = value: writes `cpu`'s copy (a scalar wraps as a C
 * assignment does; a struct value is checked whole first and sets every
 * member, so a refused write changes nothing).
 */
export function per_cpu_write<T extends ScalarName>(m: Machine, p: PerCpuPtr<T>, cpu: number, value: ValueOf<T>): void;
export function per_cpu_write(m: Machine, p: PerCpuPtr<Aggregate>, cpu: number, value: CValue): void;
export function per_cpu_write(m: Machine, p: PerCpuPtr<unknown>, cpu: number, value: CValue): void {
  const addr = typedAddress(m, p, cpu, 'per_cpu_write', true);
  const what = `per_cpu_write(${p.origin.label}, ${cpu})`;
  const t = p.type;
  if (t === null) {
    checkValue(p.ctype!, value, what);
    writeValue(m.view, addr, p.ctype!, value);
    return;
  }
  writeBits(m.view, addr, t, toBits(t, checkValueKind(t, value, what)));
}

/** Sum of every possible CPU's copy, exact, as a bigint (the aggregation per-CPU data exists for). */
export function per_cpu_sum<T extends ScalarName>(m: Machine, p: PerCpuPtr<T>): bigint {
  if (p !== null && typeof p === 'object' && p.type === null && p.ctype !== null) {
    throw new TypeError(`per_cpu_sum: ${p.sym} is a ${p.ctype.name}, not a number; sum a member: per_cpu_sum(m, pcpu_member(m, p, 'member'))`);
  }
  let sum = 0n;
  for (const cpu of machineArg(m, 'per_cpu_sum').possible) {
    const addr = typedAddress(m, p, cpu, 'per_cpu_sum', false);
    const v = fromBits(p.type!, readBits(m.view, addr, p.type!));
    sum += typeof v === 'boolean' ? (v ? 1n : 0n) : BigInt(v);
  }
  return sum;
}
