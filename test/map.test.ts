import { describe, expect, it } from 'vitest';
import { percpuMap, runMapDemo } from '../src/cli/map.js';
import { cpu_down } from '../src/kernel/hotplug.js';
import { Machine } from '../src/machine.js';
import { __alloc_percpu } from '../src/mm/percpu-alloc.js';

describe('percpu-sim map', () => {
  it('the demo map is deterministic and shows units, regions, chunks, allocations and free space', () => {
    const text = runMapDemo();
    expect(runMapDemo()).toBe(text);
    const lines = text.split('\n');
    for (const line of [
      'per-CPU memory map: 4 possible CPUs (online 0-3), x86_64',
      'unit size 40960 bytes (10 pages): static 200 | reserved 8192 | dynamic 32568',
      '2 chunk(s) of 4 units; Percpu: 224 kB',
      '  1    online   0x0b000           0x0b000-0x0b0c8   0x0b0c8-0x0d0c8   0x0d0c8-0x15000   0x33000-0x3d000',
      '  0x00c0           8        64     u64    runqueue_lock (.data..percpu..shared_aligned)',
      '  0x00d0-0x0100    48       __alloc_reserved_percpu #1 (size 48, align 16)  [percpu 0x00d0]',
      '  0x20d0-0x2134    100      free',
      '  0x3000-0x9000    24576    __alloc_percpu #6 (size 24576, align 4096)  [percpu 0x3000]',
      'chunk #1: unit offsets 0x0000-0xa000, 24576 of 40960 bytes free, largest free run 24576, slot 12, 4/10 pages populated',
      '  0x0000-0x4000    16384    __alloc_percpu #7 (size 16384, align 4096)  [percpu 0x28000]',
    ]) expect(lines).toContain(line);
  });

  it('marks offline CPUs, whose units stay mapped', () => {
    const m = new Machine({ cpus: 2 }).boot();
    __alloc_percpu(m, 8, 8);
    cpu_down(m, 1);
    const text = percpuMap(m);
    expect(text.split('\n')).toContain('  1    offline  0x0b000           0x0b000-0x0b040   0x0b040-0x0d040   0x0d040-0x15000');
    expect(text).toContain('first chunk (dynamic region): unit offsets 0x2040-0xa000, 32696 of 32704 bytes free');
  });

  it('needs a booted machine', () => {
    expect(() => percpuMap(new Machine())).toThrow('percpuMap: the machine has not booted (call m.boot() first)');
  });
});
