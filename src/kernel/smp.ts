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

export function for_each_possible_cpu(m: Machine): IterableIterator<number> {
  return machineArg(m, 'for_each_possible_cpu').possible[Symbol.iterator]();
}

export function for_each_online_cpu(m: Machine): IterableIterator<number> {
  return machineArg(m, 'for_each_online_cpu').online[Symbol.iterator]();
}

export function num_online_cpus(m: Machine): number {
  return machineArg(m, 'num_online_cpus').online.weight();
}

export function num_possible_cpus(m: Machine): number {
  return machineArg(m, 'num_possible_cpus').possible.weight();
}

function typedAddress(m: Machine, p: PerCpuPtr<unknown>, cpu: number, what: string): number {
  checkPointer(machineArg(m, what), p, what);
  m.checkCpu(cpu, what);
  if (!m.booted) throw new MachineStateError(`${what}: the machine has not booted`);
  if (p.type === null) throw new TypeError(`${what}: ${p.origin.label} has no type; use per_cpu_ptr() and m.load()/m.store()`);
  return m.addressOf(p, cpu);
}

/** per_cpu(var, cpu) as an rvalue: reads `cpu`'s copy of a typed per-CPU variable. */
export function per_cpu<T extends ScalarName>(m: Machine, p: PerCpuPtr<T>, cpu: number): ValueOf<T> {
  const addr = typedAddress(m, p, cpu, 'per_cpu');
  return fromBits(p.type!, readBits(m.view, addr, p.type!)) as ValueOf<T>;
}

/** per_cpu(var, cpu) = value: writes `cpu`'s copy (wrapping as a C assignment does). */
export function per_cpu_write<T extends ScalarName>(m: Machine, p: PerCpuPtr<T>, cpu: number, value: ValueOf<T>): void {
  const addr = typedAddress(m, p, cpu, 'per_cpu_write');
  const t = p.type!;
  writeBits(m.view, addr, t, toBits(t, checkValueKind(t, value, `per_cpu_write(${p.origin.label}, ${cpu})`)));
}

/** Sum of every possible CPU's copy, exact, as a bigint (the aggregation per-CPU data exists for). */
export function per_cpu_sum<T extends ScalarName>(m: Machine, p: PerCpuPtr<T>): bigint {
  let sum = 0n;
  for (const cpu of machineArg(m, 'per_cpu_sum').possible) {
    const addr = typedAddress(m, p, cpu, 'per_cpu_sum');
    const v = fromBits(p.type!, readBits(m.view, addr, p.type!));
    sum += typeof v === 'boolean' ? (v ? 1n : 0n) : BigInt(v);
  }
  return sum;
}
