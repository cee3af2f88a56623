/**
 * bench/arch-cost.ts: what each architecture's generated op costs relative to
 * x86-64 (issue 7, section 4), measured with tinybench.
 *
 *   npx tsx bench/arch-cost.ts            table on stdout
 *   npx tsx bench/arch-cost.ts --quick    shorter runs (a smoke test)
 *   npx tsx bench/arch-cost.ts --json     rows as JSON (for bench/run.ts)
 *
 * Each task runs one generated op LOOP times on a booted 2-CPU machine of the
 * architecture, from a loop compiled for that op alone (new Function per op
 * and architecture with its own source text, so V8's call-site feedback stays
 * monomorphic, as a kernel call site has one op), and folds every result into
 * a checksum that is verified afterwards: a loop the JIT emptied, or one
 * computing something else, fails instead of reporting a time.
 *
 * What differs per architecture is the simulated instruction sequence:
 * x86-64 one gs-relative access; arm64 mrs + add, then the access, and
 * preempt_disable/enable around this_cpu_*; asm-generic the CPU number,
 * __per_cpu_offset[cpu], the plain C, and local_irq_save/restore around
 * this_cpu_* (preempt_disable/enable around this_cpu_read).
 */
import { Bench } from 'tinybench';
import * as arm64 from '../generated/arm64/percpu.js';
import * as generic from '../generated/generic/percpu.js';
import * as x86_64 from '../generated/x86_64/percpu.js';
import { DEFINE_PER_CPU } from '../src/define.js';
import { Machine, type Arch } from '../src/machine.js';
import type { PerCpuPtr } from '../src/percpu-ptr.js';
import { preempt_disable } from '../src/kernel/preempt.js';
import { per_cpu, per_cpu_write } from '../src/kernel/smp.js';

export const ARCHES: readonly Arch[] = ['x86_64', 'arm64', 'generic'];
const MODULES: Record<Arch, Record<string, unknown>> = { x86_64, arm64, generic };
const LOOP = 1000;

interface OpCase {
  /** The generated function. */
  readonly op: string;
  /** The variable's width. */
  readonly width: 4 | 8;
  /** The loop body, `f` being the op: it must fold what it returns into `s`. */
  readonly body: string;
  /**
   * What the work must have left after `runs` loops of LOOP calls, from a copy
   * starting at 7: 'count' — the copy grew by one per call; 'sum' — the loops
   * returned 7 per call in total.
   */
  readonly verify: 'count' | 'sum';
}

/** The ops measured: the common void RMW in all three variants, a read, and the value-returning RMWs. */
export const CASES: readonly OpCase[] = [
  { op: 'this_cpu_add_4', width: 4, body: 'f(m, p, 1);', verify: 'count' },
  { op: '__this_cpu_add_4', width: 4, body: 'f(m, p, 1);', verify: 'count' },
  { op: 'raw_cpu_add_4', width: 4, body: 'f(m, p, 1);', verify: 'count' },
  { op: 'this_cpu_read_4', width: 4, body: 's += f(m, p);', verify: 'sum' },
  { op: 'this_cpu_add_return_8', width: 8, body: 's += Number(f(m, p, 1n) & 1n);', verify: 'count' },
  { op: 'this_cpu_cmpxchg_4', width: 4, body: 's += f(m, p, 7, 7);', verify: 'sum' },
  { op: 'this_cpu_xchg_4', width: 4, body: 's += f(m, p, 7);', verify: 'sum' },
];

export interface CostRow {
  readonly op: string;
  /** ns per op on each architecture. */
  readonly ns: Record<Arch, number>;
  /** ns(arch) / ns(x86_64). */
  readonly ratio: Record<Arch, number>;
}

type Loop = (n: number) => number;

/**
 * A loop of `n` calls of `f`, compiled separately for each (op, arch). The
 * source text must differ (the arch is in the function's name): V8 caches
 * compilations by source, and identical text would give every architecture's
 * loop one shared function with one, megamorphic, call-site feedback — the
 * first loop to run would then be the only fast one.
 */
function compileLoop(c: OpCase, arch: Arch, f: unknown, m: Machine, p: PerCpuPtr<never>): Loop {
  const make = new Function('f', 'm', 'p', `return function ${c.op}_${arch}_loop(n) { let s = 0; for (let i = 0; i < n; i++) { ${c.body} } return s; };`);
  return make(f, m, p) as Loop;
}

function setup(arch: Arch, c: OpCase): { m: Machine; p: PerCpuPtr<never>; loop: Loop } {
  const m = new Machine({ cpus: 2, arch });
  const p = DEFINE_PER_CPU(m, c.width === 4 ? 'u32' : 'u64', 'x') as PerCpuPtr<never>;
  m.boot();
  m.migrate(1); // not the boot CPU: a nonzero per-CPU offset
  if (c.op.startsWith('__this_cpu_')) preempt_disable(m); // its caller's duty; the DEBUG_PREEMPT check stays on
  per_cpu_write(m, p, 1, (c.width === 4 ? 7 : 7n) as never);
  const f = MODULES[arch][c.op];
  if (typeof f !== 'function') throw new Error(`arch-cost: generated/${arch}/percpu.ts has no ${c.op}`);
  return { m, p, loop: compileLoop(c, arch, f, m, p) };
}

export async function measureArchCost(opts: { quick?: boolean } = {}): Promise<CostRow[]> {
  const bench = new Bench({ time: opts.quick ? 20 : 300, warmupTime: opts.quick ? 10 : 100 });
  const checks: (() => void)[] = [];
  for (const c of CASES) {
    for (const arch of ARCHES) {
      const { m, p, loop } = setup(arch, c);
      let sum = 0n;
      let runs = 0;
      bench.add(`${c.op} ${arch}`, () => {
        sum += BigInt(loop(LOOP));
        runs++;
      });
      checks.push(() => {
        const after = BigInt(per_cpu(m, p, 1) as number | bigint);
        const calls = BigInt(runs) * BigInt(LOOP);
        const ok = c.verify === 'count' ? after === BigInt.asUintN(c.width * 8, 7n + calls) : sum === 7n * calls && after === 7n;
        if (!ok) throw new Error(`arch-cost: ${c.op} on ${arch} did not do the work measured (copy ${after}, checksum ${sum} after ${calls} calls)`);
      });
    }
  }
  await bench.run();
  for (const check of checks) check();
  const byName = new Map(bench.tasks.map((t) => {
    const r = t.result;
    if (r.state !== 'completed') throw new Error(`arch-cost: task ${t.name} ${r.state}${'error' in r ? `: ${String(r.error)}` : ''}`);
    return [t.name, (r.latency.mean * 1e6) / LOOP] as const; // ms per loop → ns per op
  }));
  return CASES.map((c) => {
    const ns = Object.fromEntries(ARCHES.map((a) => [a, byName.get(`${c.op} ${a}`)!])) as Record<Arch, number>;
    const ratio = Object.fromEntries(ARCHES.map((a) => [a, ns[a] / ns.x86_64])) as Record<Arch, number>;
    return { op: c.op, ns, ratio };
  });
}

export function formatTable(rows: readonly CostRow[]): string {
  const head = `| op | ${ARCHES.map((a) => `${a} ns/op`).join(' | ')} | ${ARCHES.slice(1).map((a) => `${a} / x86_64`).join(' | ')} |`;
  const sep = `|${'---|'.repeat(1 + ARCHES.length * 2 - 1)}`;
  const lines = rows.map((r) => `| ${r.op} | ${ARCHES.map((a) => r.ns[a].toFixed(2)).join(' | ')} | ${ARCHES.slice(1).map((a) => `${r.ratio[a].toFixed(2)}×`).join(' | ')} |`);
  return [head, sep, ...lines].join('\n');
}

if (process.argv[1]?.endsWith('arch-cost.ts')) {
  const args = process.argv.slice(2);
  const rows = await measureArchCost({ quick: args.includes('--quick') });
  process.stdout.write(args.includes('--json') ? `${JSON.stringify(rows, null, 2)}\n` : `${formatTable(rows)}\n`);
}
