/**
 * percpu-cc: how long translating a 500-line C file takes (preprocess, parse,
 * translate both flavours, ts-morph validation; the phases the CLI reports
 * with --timings, process start excluded), and what the fast flavour of a
 * translated function costs against the same function written by hand in
 * TypeScript on the same generated ops.
 *
 * The function is trace_call_bpf() of examples/kernel/bpf_trace.c, built
 * without CONFIG_DEBUG_ATOMIC_SLEEP (its cant_sleep() is then empty, as in
 * the hand-written one) and run on a machine without DEBUG_PREEMPT.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { compileFile } from '../../cc/compile.js';
import { __this_cpu_add_4, __this_cpu_add_return_4 } from '../../generated/x86_64/percpu.js';
import { DEFINE_PER_CPU } from '../../src/define.js';
import { Machine } from '../../src/machine.js';
import type { PerCpuPtr } from '../../src/percpu-ptr.js';
import type { BenchGroup, GroupContext, GroupOutput } from '../lib/group.js';
import { compare } from '../lib/harness.js';
import { ratioRow, skipRow, valueRow, type Row } from '../lib/report.js';

/** A C file of at least `lines` lines: the differential fixture's functions, renamed per copy. */
function bigC(root: string, lines: number): string {
  const src = readFileSync(join(root, 'test/cc/diff/arith.c'), 'utf8');
  const body = src.slice(src.indexOf('static DEFINE_PER_CPU'));
  const out = ['#include <linux/kernel.h>', '#include <linux/percpu.h>', ''];
  for (let k = 0; out.length < lines; k++) {
    out.push(...body.replace(/\b(t_\w+|pc8|pc16|pc32|pc64|pclong|calls)\b/g, `$1_${k}`).split('\n'));
  }
  return `${out.join('\n')}\n`;
}

let programsRun = 0;
function runPrograms(): number {
  programsRun = (programsRun + 1) | 0;
  return 1;
}

/** trace_call_bpf() by hand, on the generated ops the translation calls. */
function traceCallBpf(m: Machine, active: PerCpuPtr<'i32'>): number {
  let ret: number;
  if ((__this_cpu_add_return_4(m, active, 1) | 0) !== 1) ret = 0;
  else ret = runPrograms();
  __this_cpu_add_4(m, active, -1);
  return ret;
}

const group: BenchGroup = {
  async run(ctx: GroupContext): Promise<GroupOutput> {
    const rows: Row[] = [];
    const file = join(ctx.tmp, 'big.c');
    const text = bigC(ctx.root, 500);
    writeFileSync(file, text);
    const lines = text.split('\n').length - 1;
    const title = `percpu-cc: translate a ${lines}-line C file, validation included (--timings phases, process start excluded)`;
    const target = { op: '<=' as const, value: 2 };
    if (ctx.quick) {
      rows.push(skipRow({ id: 'cc.translate500', group: 'cc', title, formula: 'seconds', unit: 's', target, reason: 'quick mode: timed only in a full run' }));
    } else {
      const samples: number[] = [];
      let failed = '';
      for (let r = 0; r < Math.min(ctx.rounds, 3) && failed === ''; r++) {
        const res = spawnSync(join(ctx.root, 'node_modules', '.bin', 'tsx'), ['cc/cli.ts', file, '--out', join(ctx.tmp, `out-${r}`), '--timings'], { cwd: ctx.root, encoding: 'utf8' });
        const ms = [...res.stderr.matchAll(/(\d+) ms/g)].reduce((s, x) => s + Number(x[1]), 0);
        if (res.status !== 0 || ms === 0) failed = `percpu-cc failed (exit ${String(res.status)}): ${res.stderr.trim().split('\n')[0]}`;
        else samples.push(ms / 1000);
      }
      rows.push(failed !== ''
        ? skipRow({ id: 'cc.translate500', group: 'cc', title, formula: 'seconds', unit: 's', target, reason: failed })
        : valueRow({ id: 'cc.translate500', group: 'cc', title, formula: 'seconds: preprocess + parse + translate + validate', unit: 's', samples, target }));
    }

    const cache = join(ctx.root, '.percpu-cc');
    mkdirSync(cache, { recursive: true });
    const dir = mkdtempSync(join(cache, 'bench-'));
    const compiled = compileFile(join(ctx.root, 'examples/kernel/bpf_trace.c'), { outDir: dir, undefs: ['CONFIG_DEBUG_ATOMIC_SLEEP'], display: 'examples/kernel/bpf_trace.c' });
    for (const f of compiled.files) writeFileSync(join(dir, f.name), f.text);
    const fast = (await import(pathToFileURL(join(dir, 'bpf_trace.ts')).href)) as { instantiate(m: Machine): { trace_call_bpf(): number } };
    const m1 = new Machine({ cpus: 4 });
    const translated = fast.instantiate(m1);
    m1.boot();
    m1.debugPreempt = false;
    const m2 = new Machine({ cpus: 4 });
    const active = DEFINE_PER_CPU(m2, 'i32', 'bpf_prog_active');
    m2.boot();
    m2.debugPreempt = false;
    const n = ctx.size(5_000_000, 20_000);
    const [t, h] = Object.values(compare([
      {
        name: 'trace_call_bpf (translated, fast)',
        run: (k) => { let s = 0; for (let i = 0; i < k; i++) s += translated.trace_call_bpf(); return s; },
        expect: (k) => k,
      },
      {
        name: 'trace_call_bpf (hand-written TS)',
        run: (k) => { let s = 0; for (let i = 0; i < k; i++) s += traceCallBpf(m2, active); return s; },
        expect: (k) => k,
      },
    ], { n, rounds: ctx.rounds, warmup: ctx.warmup }));
    rows.push(ratioRow({
      id: 'cc.fast_vs_hand', group: 'cc', title: 'trace_call_bpf(): percpu-cc fast flavour vs the same function by hand (x86_64 ops)',
      num: t, den: h, target: { op: '<=', value: 1.3 },
    }));
    return { rows };
  },
};
export default group;
