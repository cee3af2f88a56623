/**
 * Issue 10 item 18: a machine attached by hand (attachMachine, no worker pool)
 * sees chunks the booting thread maps after the attach. The mapped size lives
 * in a shared word, so bounds checks in every thread use the current size:
 * percpu_counter_sum/set through a view work for a counter in a later chunk,
 * exactly as add always did.
 */
import { describe, expect, it } from 'vitest';
import { MachineStateError } from '../src/errors.js';
import { Machine } from '../src/machine.js';
import { __alloc_percpu, pcpu_chunks } from '../src/mm/percpu-alloc.js';
import { per_cpu_ptr } from '../src/accessors.js';
import { percpu_counter_add, percpu_counter_init, percpu_counter_set, percpu_counter_sum } from '../src/lib/percpu-counter.js';
import { adoptMemory, attachMachine, attachPercpuCounter, createSharedMachine, describePercpuCounter, describeSharedMachine } from '../src/threads/index.js';

describe('an attached machine follows the mapped size', () => {
  it('percpu_counter_sum and _set through a view reach a counter in a chunk mapped after the attach', () => {
    const m = createSharedMachine({ cpus: 2 });
    m.boot();
    const t = attachMachine(describeSharedMachine(m));
    const mappedAtAttach = t.mappedBytes;
    // Fill the first chunk's dynamic region (reserved chunk, first chunk, then a new one) so the counter lands in the new chunk.
    while (pcpu_chunks(m).length < 3) expect(__alloc_percpu(m, 4096, 8)).not.toBeNull();
    while (pcpu_chunks(m)[1].freeBytes > 0) expect(__alloc_percpu(m, 4, 4)).not.toBeNull();
    const fbc = percpu_counter_init(m, 40);
    const addr = per_cpu_ptr(m, fbc.counters!, 1);
    expect(addr).toBeGreaterThanOrEqual(mappedAtAttach); // in memory mapped after the attach
    expect(t.mappedBytes).toBe(m.mappedBytes);
    t.loadCpu(1);
    const view = attachPercpuCounter(t, describePercpuCounter(fbc));
    percpu_counter_add(view, 2);
    expect(percpu_counter_sum(view)).toBe(42);
    percpu_counter_set(view, 7);
    expect([percpu_counter_sum(view), percpu_counter_sum(fbc)]).toEqual([7, 7]);
    t.store(addr, 'i32', -3);
    expect(m.load(addr, 'i32')).toBe(-3);
    expect(() => t.load(m.mappedBytes, 'u8')).toThrow(`load: address 0x${m.mappedBytes.toString(16)} is outside mapped per-CPU memory [0x1000, 0x${m.mappedBytes.toString(16)})`);
  });

  it('adoptMemory refuses a description without the shared mapped-size word, and stays unbooted', () => {
    const m = createSharedMachine({ cpus: 2 });
    m.boot();
    const init = describeSharedMachine(m);
    const t = new Machine({ cpus: 2 });
    expect(() => adoptMemory(t, { ...init, mappedWord: undefined as never })).toThrow(
      "adoptMemory: mappedWord must be the booting machine's 8-byte shared mapped-size word (describeSharedMachine() gives it), got undefined",
    );
    expect(t.booted).toBe(false);
    expect(() => t.u8).toThrow(MachineStateError);
    adoptMemory(t, init);
    expect(t.mappedBytes).toBe(m.mappedBytes);
  });
});
