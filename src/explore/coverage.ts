/**
 * Coverage, after Coyote's coverage report: for each per-CPU variable, which
 * operations ran on it in which contexts (task, softirq, hardirq, NMI) and on
 * which CPUs — and whose copy they touched — over every schedule a run
 * explored, so a user sees what the scenario never exercised (no NMI ever
 * read `counter`, nothing on cpu1 wrote `slot`).
 *
 * The scheduler records each instruction that touches a CPU's unit of the
 * per-CPU area as a raw key (the gs-relative symbol if any, the address and
 * size, the mnemonic, read or write, the context, the CPU it ran on, the CPU
 * whose copy it was), which costs one string per instruction; the names are
 * resolved here once, against a machine the scenario builds: a static
 * variable as C names it (`counter`, `zs.vm_stat_diff[2]`), a dynamic one by
 * its allocation's name when a gs-relative op used it, else by its offset.
 */
import { symbolAt } from '../symbols.js';
import type { FrameKind, Scenario } from '../sched/task.js';
import { describe } from '../types.js';

/** The contexts in the order of the columns. */
export const COVERAGE_CONTEXTS: readonly FrameKind[] = ['task', 'softirq', 'irq', 'nmi'];
const HEADING: Record<FrameKind, string> = { task: 'task', softirq: 'softirq', irq: 'hardirq', nmi: 'NMI' };

/** One row: an operation on a variable, and per context the CPUs that ran it (`1→0`: on cpu1, cpu0's copy). */
export interface CoverageRow {
  readonly variable: string;
  /** The mnemonic and r or w: `movl r`, `incl w`. */
  readonly op: string;
  readonly contexts: Readonly<Record<FrameKind, readonly string[]>>;
}

/** The rows of a run's coverage keys (ExploreResult.coverage), sorted by variable then operation. */
export function coverageRows(s: Scenario, keys: readonly string[]): CoverageRow[] {
  if (s === null || typeof s !== 'object' || typeof s.build !== 'function') throw new TypeError(`coverageRows: expected a scenario, got ${describe(s)}`);
  if (!Array.isArray(keys)) throw new TypeError(`coverageRows: expected the coverage of a run (ExploreResult.coverage), got ${describe(keys)}`);
  const m = s.build().m;
  const rows = new Map<string, { variable: string; op: string; contexts: Record<FrameKind, Set<string>> }>();
  try {
    const parsed = keys.map((key) => key.split('|') as [string, string, string, string, string, FrameKind, string, string]);
    // A dynamic allocation is named by what a gs-relative op called it; plain accesses to the same offset share the name.
    const offsetOf = (a: string, owner: string) => Number(a) - m.perCpuOffset[Number(owner)]!;
    const byOffset = new Map<number, string>();
    for (const [sym, a, , , , , , owner] of parsed) if (sym !== '') byOffset.set(offsetOf(a, owner), sym);
    for (const [sym, a, size, mnemonic, rw, kind, cpu, owner] of parsed) {
      const named = symbolAt(m, Number(a), Number(size));
      const mt = named === null ? null : /^per_cpu\(([^,]+), \d+\)(.*)$/.exec(named);
      const off = offsetOf(a, owner);
      const variable = mt !== null ? `${mt[1]}${mt[2]}` : byOffset.get(off) ?? (sym !== '' ? sym : `per-CPU area +0x${off.toString(16)}`);
      const op = `${mnemonic} ${rw}`;
      const id = `${variable}\u0000${op}`;
      let row = rows.get(id);
      if (row === undefined) {
        row = { variable, op, contexts: { task: new Set(), softirq: new Set(), irq: new Set(), nmi: new Set() } };
        rows.set(id, row);
      }
      row.contexts[kind].add(cpu === owner ? cpu : `${cpu}→${owner}`);
    }
  } finally {
    m.retire();
  }
  const order = (x: string) => x.padStart(8, ' ');
  return [...rows.values()]
    .sort((x, y) => (x.variable === y.variable ? (x.op < y.op ? -1 : x.op > y.op ? 1 : 0) : x.variable < y.variable ? -1 : 1))
    .map((r) => ({
      variable: r.variable, op: r.op,
      contexts: Object.fromEntries(COVERAGE_CONTEXTS.map((k) => [k, [...r.contexts[k]].sort((a, b) => (order(a) < order(b) ? -1 : 1))])) as Record<FrameKind, string[]>,
    }));
}

/** The coverage table the summary prints. */
export function formatCoverage(rows: readonly CoverageRow[]): string {
  if (!Array.isArray(rows)) throw new TypeError(`formatCoverage: expected coverage rows (coverageRows()), got ${describe(rows)}`);
  if (rows.length === 0) return 'coverage:           no instruction touched per-CPU memory';
  const cell = (xs: readonly string[]) => (xs.length === 0 ? '—' : xs.join(' '));
  const table = [
    ['variable', 'operation', ...COVERAGE_CONTEXTS.map((k) => HEADING[k])],
    ...rows.map((r) => [r.variable, r.op, ...COVERAGE_CONTEXTS.map((k) => cell(r.contexts[k]))]),
  ];
  const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
  const lines = table.map((row) => `  ${row.map((c, i) => (i === row.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')}`.trimEnd());
  return ['coverage:           per-CPU memory by operation and context: the CPUs that ran it (1→0: on cpu1, cpu0\'s copy; —: never)', ...lines].join('\n');
}
