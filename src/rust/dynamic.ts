/**
 * DynamicPerCpu<T> (v3/v4): a PerCpu whose every CPU's copy is initialised at
 * creation — zeroed, a copy of one value, or computed per CPU — and whose
 * values are dropped, on every possible CPU and exactly once, when the last
 * clone goes away (then the allocation is freed).
 *
 * Values in per-CPU memory are plain integers and structs, which need no Drop;
 * `options.drop(value, cpu)` stands in for `T: Drop` (the sample module proves
 * the drop with an Arc counted down once per CPU).
 */
import type { Machine } from '../machine.js';
import { describe } from '../types.js';
import { PerCpuAllocation } from './allocation.js';
import { callerLocation } from './diagnostics.js';
import { INTERNAL, PerCpu, adoptedArc, bindingName, type PerCpuOptions } from './per-cpu.js';
import type { PerCpuType, Value } from './types.js';

export interface DynamicPerCpuOptions<T extends PerCpuType> extends PerCpuOptions {
  /** T's Drop: called once for each possible CPU's value when the last clone is dropped. */
  drop?: (value: Value<T>, cpu: number) => void;
}

export class DynamicPerCpu<T extends PerCpuType> extends PerCpu<T> {
  /** DynamicPerCpu::new_zero: every copy zeroed (T: Zeroable), or null when allocation fails. */
  static newZero<T extends PerCpuType>(m: Machine, type: T, options: DynamicPerCpuOptions<T> = {}): DynamicPerCpu<T> | null {
    return create(m, type, 'newZero', null, options);
  }

  /** DynamicPerCpu::new_with(&value): every possible CPU's copy set to `value` (T: Clone). */
  static newWith<T extends PerCpuType>(m: Machine, type: T, value: Value<T>, options: DynamicPerCpuOptions<T> = {}): DynamicPerCpu<T> | null {
    return create(m, type, 'newWith', () => value, options);
  }

  /** DynamicPerCpu::new_from(f): each possible CPU's copy set to f(cpu). */
  static newFrom<T extends PerCpuType>(
    m: Machine, type: T, f: (cpu: number) => Value<T>, options: DynamicPerCpuOptions<T> = {},
  ): DynamicPerCpu<T> | null {
    if (typeof f !== 'function') throw new TypeError(`DynamicPerCpu.newFrom: expected a function (cpu) => value, got ${describe(f)}`);
    return create(m, type, 'newFrom', f, options);
  }
}

function create<T extends PerCpuType>(
  m: Machine, type: T, fn: string, init: ((cpu: number) => Value<T>) | null, options: DynamicPerCpuOptions<T>,
): DynamicPerCpu<T> | null {
  if (options === null || typeof options !== 'object') throw new TypeError(`DynamicPerCpu.${fn}: options must be an object { name, drop }, got ${describe(options)}`);
  const name = bindingName(options, 'percpu', `DynamicPerCpu.${fn}`);
  const drop = options.drop;
  if (drop !== undefined && typeof drop !== 'function') {
    throw new TypeError(`DynamicPerCpu.${fn}: options.drop must be a function (value, cpu) => void, got ${describe(drop)}`);
  }
  const alloc = PerCpuAllocation.new_zero(m, type, { name });
  if (alloc === null) return null;
  if (init !== null) {
    // Every value is computed and checked before any is written; on a bad one
    // the allocation is freed again, so a refused creation leaves nothing behind.
    try {
      const values = [...m.possible].map((cpu) => {
        const v = init(cpu);
        alloc.access.check(v, `DynamicPerCpu.${fn}(${name}): value for cpu ${cpu}`);
        return [cpu, v] as const;
      });
      for (const [cpu, v] of values) alloc.access.store(m.view, alloc.ptr.off + m.perCpuOffset[cpu], v);
    } catch (e) {
      alloc.drop();
      throw e;
    }
  }
  const arc = adoptedArc(alloc, {
    check: () => alloc.assertUnborrowed(),
    drop: () => {
      let first: unknown = null;
      if (drop !== undefined) {
        // Like unwinding through Drop: every CPU's value is dropped even if one drop throws.
        for (const cpu of m.possible) {
          try {
            drop(alloc.access.load(m.view, alloc.ptr.off + m.perCpuOffset[cpu]), cpu);
          } catch (e) {
            first ??= e;
          }
        }
      }
      alloc.release();
      if (first !== null) throw first;
    },
  });
  return new DynamicPerCpu<T>(INTERNAL, arc, { name, at: m.debugFree ? callerLocation() : null });
}
