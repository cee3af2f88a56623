/**
 * Issue 10 item 16: errors that named the wrong thing. A freed pointer given to
 * pcpu_alloc_size() is a use after free, not a double free; percpu_counter_init()
 * before boot says the machine has not booted, not that cpuhp_setup_state
 * failed; a try_cmpxchg box with a bad value names the value. Each refused call
 * leaves memory, preemption and interrupts as they were.
 */
import { describe, expect, it } from 'vitest';
import { DEFINE_PER_CPU } from '../src/define.js';
import { MachineStateError, UseAfterFreeError } from '../src/errors.js';
import { Machine } from '../src/machine.js';
import { alloc_percpu, free_percpu, pcpu_alloc_size, pcpu_chunks } from '../src/mm/percpu-alloc.js';
import { irqs_disabled, preempt_count } from '../src/kernel/preempt.js';
import { per_cpu } from '../src/kernel/smp.js';
import { percpu_counter_init } from '../src/lib/percpu-counter.js';
import { this_cpu_try_cmpxchg } from '../src/typed.js';
import * as x86 from '../generated/x86_64/percpu.js';
import * as arm64 from '../generated/arm64/percpu.js';
import * as generic from '../generated/generic/percpu.js';
import { ARCHES } from '../src/machine.js';

describe('errors name what actually happened', () => {
  it('pcpu_alloc_size on a freed pointer is a use after free; only a second free_percpu is a double free', () => {
    for (const debug of [true, false]) {
      const m = new Machine({ cpus: 2, debug }).boot();
      const p = alloc_percpu(m, 'u64')!;
      expect(pcpu_alloc_size(m, p)).toBe(8);
      free_percpu(m, p);
      const chunks = JSON.stringify(pcpu_chunks(m));
      expect(() => pcpu_alloc_size(m, p)).toThrow(
        new UseAfterFreeError('use-after-free: pcpu_alloc_size() of alloc_percpu #1 (size 8, align 8), which was freed by free_percpu()'),
      );
      expect(() => free_percpu(m, p)).toThrow(
        new UseAfterFreeError('double free: free_percpu() of alloc_percpu #1 (size 8, align 8), which was already freed by free_percpu(); nothing was changed'),
      );
      expect(JSON.stringify(pcpu_chunks(m))).toBe(chunks);
    }
  });

  it('percpu_counter_init before boot says the machine has not booted, and installs nothing', () => {
    const m = new Machine({ cpus: 2 });
    expect(() => percpu_counter_init(m, 5)).toThrow(
      new MachineStateError('percpu_counter_init: per-CPU memory is not set up yet: call m.boot() (setup_per_cpu_areas) first'),
    );
    m.boot();
    const fbc = percpu_counter_init(m, 5); // the hotplug states were not half-installed by the refused call
    expect(fbc.count).toBe(5);
  });

  it.each(ARCHES)('a try_cmpxchg box with a bad value names the value, for every width and variant (%s)', (arch) => {
    const mod: Record<string, unknown> = { x86_64: x86, arm64, generic }[arch];
    const m = new Machine({ cpus: 2, arch });
    const v = { 1: DEFINE_PER_CPU(m, 'u8', 'v1'), 2: DEFINE_PER_CPU(m, 'u16', 'v2'), 4: DEFINE_PER_CPU(m, 'u32', 'v4'), 8: DEFINE_PER_CPU(m, 'u64', 'v8') };
    m.boot();
    m.ctx.preemptCount = 1; // __this_cpu_* need a caller that cannot migrate
    let checked = 0;
    for (const prefix of ['raw_cpu', '__this_cpu', 'this_cpu']) {
      for (const size of [1, 2, 4, 8] as const) {
        const name = `${prefix}_try_cmpxchg_${size}`;
        const op = mod[name] as (m: Machine, p: unknown, o: unknown, n: unknown) => boolean;
        const want = size === 8 ? 'a bigint' : 'an integer number';
        const nval = size === 8 ? 1n : 1;
        for (const [box, shown] of [[{ value: NaN }, '{ value: NaN }'], [{ value: '3' }, '{ value: "3" }'], [{}, '{ value: undefined }'], [null, 'null'], [7, '7']] as const) {
          expect(() => op(m, v[size], box, nval)).toThrow(new TypeError(`${name}: ovalp must be an object { value } holding ${want}, got ${shown}; nothing was written`));
          checked++;
        }
        expect(per_cpu(m, v[size], 0)).toBe(size === 8 ? 0n : 0);
      }
    }
    expect(checked).toBe(60);
    expect([preempt_count(m), irqs_disabled(m)]).toEqual([1, false]);
  });

  it('the typed layer\'s try_cmpxchg on signed and bool variables: a null box or a bad value is named', () => {
    const m = new Machine({ cpus: 2 });
    const i = DEFINE_PER_CPU(m, 'i32', 'i', -1);
    const b = DEFINE_PER_CPU(m, 'bool', 'b', true);
    const l = DEFINE_PER_CPU(m, 'i64', 'l', -1n);
    m.boot();
    expect(() => this_cpu_try_cmpxchg(m, i, null as never, 1)).toThrow(new TypeError('this_cpu_try_cmpxchg: ovalp must be an object { value } holding an integer number, got null; nothing was written'));
    expect(() => this_cpu_try_cmpxchg(m, l, 5 as never, 1n)).toThrow(new TypeError('this_cpu_try_cmpxchg: ovalp must be an object { value } holding a bigint, got 5; nothing was written'));
    expect(() => this_cpu_try_cmpxchg(m, b, null as never, false)).toThrow(new TypeError('this_cpu_try_cmpxchg: ovalp must be an object { value } holding an integer number, got null; nothing was written'));
    expect(() => this_cpu_try_cmpxchg(m, b, { value: 1 as never }, false)).toThrow(new TypeError('this_cpu_try_cmpxchg: a bool per-CPU variable takes true or false, got 1; nothing was written'));
    expect(() => this_cpu_try_cmpxchg(m, i, { value: NaN }, 1)).toThrow(new TypeError('this_cpu_try_cmpxchg_4: ovalp must be an object { value } holding an integer number, got { value: NaN }; nothing was written'));
    expect([per_cpu(m, i, 0), per_cpu(m, b, 0), per_cpu(m, l, 0)]).toEqual([-1, true, -1n]);
    const box = { value: true };
    expect(this_cpu_try_cmpxchg(m, b, box, false)).toBe(true);
    expect(per_cpu(m, b, 0)).toBe(false);
  });
});
