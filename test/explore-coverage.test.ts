/**
 * Coverage: for each per-CPU variable, the operations that ran in each
 * context and on which CPUs (and whose copy), over every schedule explored.
 * Exact tables for shipped scenarios; the same coverage from every reduction
 * (each trace class runs the same instructions); random runs see a part of it.
 */
import { describe, expect, it } from 'vitest';
import { coverageRows, formatCoverage } from '../src/explore/coverage.js';
import { exploreExhaustive, exploreRandom, type Reduction } from '../src/explore/explorer.js';
import { explorePct } from '../src/explore/pct.js';
import { incIrq, percpuCounter, rmwPtr, xchgIrqThis } from '../src/explore/scenarios/index.js';
import type { Scenario } from '../src/sched/task.js';

const none: string[] = [];
function rows(s: Scenario, reduction: Reduction = 'optimal') {
  const r = exploreExhaustive(s, { reduction, coverage: true, maxViolations: Infinity, countStates: false, traceViolations: false });
  return coverageRows(s, r.coverage!);
}

describe('coverage', () => {
  it('exact tables: which operation ran in which context, on which CPU, on whose copy', () => {
    expect(rows(incIrq)).toEqual([{ variable: 'counter', op: 'incl w', contexts: { task: ['0', '1'], softirq: none, irq: ['0', '1'], nmi: none } }]);
    expect(rows(rmwPtr)).toEqual([
      { variable: 'counter', op: 'movl r', contexts: { task: ['0', '1'], softirq: none, irq: none, nmi: none } },
      { variable: 'counter', op: 'movl w', contexts: { task: ['0', '1', '0→1', '1→0'], softirq: none, irq: none, nmi: none } },
    ]);
    expect(rows(xchgIrqThis).map((r) => [r.variable, r.op, r.contexts.task, r.contexts.irq])).toEqual([
      ['slot', 'cmpxchgl w', ['0', '1'], []], ['slot', 'movl r', ['0', '1'], ['0', '1']], ['slot', 'movl w', [], ['0', '1']],
    ]);
    // A dynamic allocation (percpu_counter's counters) under one name, gs-relative or through a pointer.
    expect([...new Set(rows(percpuCounter).map((r) => r.variable))]).toEqual(['*alloc_percpu#1']);
  });

  it('every reduction covers the same: the classes it runs execute the same instructions', () => {
    for (const s of [incIrq, rmwPtr, xchgIrqThis]) {
      expect(rows(s, 'sleep'), s.name).toEqual(rows(s, 'none'));
      expect(rows(s, 'optimal'), s.name).toEqual(rows(s, 'none'));
    }
  });

  it('random and PCT runs report what they reached, a part of the exhaustive coverage', () => {
    const all = new Set(exploreExhaustive(rmwPtr, { coverage: true, maxViolations: Infinity }).coverage);
    const rnd = exploreRandom(rmwPtr, 5, 1, { coverage: true, maxViolations: Infinity }).coverage!;
    const pct = explorePct(rmwPtr, 5, 1, 2, { coverage: true, maxViolations: Infinity }).coverage!;
    expect(rnd.length).toBeGreaterThan(0);
    expect(rnd.every((k) => all.has(k)) && pct.every((k) => all.has(k))).toBe(true);
    expect(exploreExhaustive(rmwPtr).coverage).toBeUndefined();
  });

  it('the table the summary prints', () => {
    expect(formatCoverage(rows(rmwPtr))).toBe([
      'coverage:           per-CPU memory by operation and context: the CPUs that ran it (1→0: on cpu1, cpu0\'s copy; —: never)',
      '  variable  operation  task         softirq  hardirq  NMI',
      '  counter   movl r     0 1          —        —        —',
      '  counter   movl w     0 1 0→1 1→0  —        —        —',
    ].join('\n'));
    expect(formatCoverage([])).toBe('coverage:           no instruction touched per-CPU memory');
    expect(() => coverageRows(null as never, [])).toThrow('coverageRows: expected a scenario, got null');
    expect(() => coverageRows(rmwPtr, null as never)).toThrow('coverageRows: expected the coverage of a run (ExploreResult.coverage), got null');
    expect(() => formatCoverage(null as never)).toThrow('formatCoverage: expected coverage rows (coverageRows()), got null');
  });
});
