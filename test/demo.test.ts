/** The demo `make` runs: its layout, per-CPU values, sums and listings are what the code computes. */
import { describe, expect, it } from 'vitest';
import { runDemo } from '../examples/demo.js';

describe('demo', () => {
  const out = runDemo();
  it('boots 4 CPUs and prints the pcpu-alloc lines', () => {
    expect(out.slice(0, 4)).toEqual([
      '== boot ==',
      'percpu: Embedded 10 pages/cpu s196 r8192 d32572 u40960',
      'pcpu-alloc: s196 r8192 d32572 u40960 alloc=1*40960',
      'pcpu-alloc: [0] 0 1 2 3',
    ]);
  });
  it("prints each CPU's copies and the sums across CPUs", () => {
    const rows = out.filter((l) => /^(cpu\d|sum) /.test(l)).map((l) => l.split(/\s+/));
    expect(rows).toEqual([
      ['cpu0', '0x1000', '10', '1000', '100', '0', '0'],
      ['cpu1', '0xb000', '20', '2000', '101', '1', '1'],
      ['cpu2', '0x15000', '30', '3000', '102', '0', '2'],
      ['cpu3', '0x1f000', '40', '4000', '103', '1', '3'],
      ['sum', '100', '10000', '406', '2', '6'],
    ]);
  });
  it('shows dynamic memory, the counter bound, and generated functions with their instructions', () => {
    expect(out).toContain('alloc_percpu(u32) -> alloc_percpu #1 (size 4, align 4) @ percpu 0x20c4: copies 1 2 3 4, sum 10');
    expect(out.find((l) => l.startsWith('percpu_counter:'))).toMatch(/^percpu_counter: read \d+ \(approximate, within batch x online = 128\), sum 250 \(exact\)$/);
    expect(out).toContain('  // addl %[val], %gs:[var]');
    expect(out).toContain('  // incq %gs:[var]');
  });
});
