/**
 * percpu-cc: how long translating a 500-line C file takes (the command a user
 * runs, from process start to exit: preprocess, parse, translate both
 * flavours, ts-morph validation), and what the fast flavour of a
 * translated function costs against the same function written by hand in
 * TypeScript on the same generated ops.
 *
 * The functions are trace_call_bpf() of examples/kernel/bpf_trace.c and
 * percpu_counter_add_batch() of examples/kernel/percpu_counter.c (through
 * bench/cc/counter.c), built without CONFIG_DEBUG_ATOMIC_SLEEP (cant_sleep()
 * is then empty, as in the hand-written ones) and run on machines without
 * DEBUG_PREEMPT.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { compileFile } from '../../cc/compile.js';
import {
  __this_cpu_add_4, __this_cpu_add_return_4, __this_cpu_read_4, this_cpu_read_4, this_cpu_try_cmpxchg_4,
} from '../../generated/x86_64/percpu.js';
import { raw_spin_lock_init, raw_spin_lock_irqsave, raw_spin_unlock_irqrestore } from '../../src/kernel/locking/spinlock.js';
import { per_cpu } from '../../src/kernel/smp.js';
import { percpu_counter_add_batch, percpu_counter_init, percpu_counter_sum } from '../../src/lib/percpu-counter.js';
import { load_i32, store_i32 } from '../../src/mm/access.js';
import { global_var } from '../../src/mm/memory.js';
import { alloc_percpu } from '../../src/mm/percpu-alloc.js';
import { DEFINE_PER_CPU } from '../../src/define.js';
import { Machine } from '../../src/machine.js';
import type { PerCpuPtr } from '../../src/percpu-ptr.js';
import type { BenchGroup, GroupContext, GroupOutput } from '../lib/group.js';
import { compare } from '../lib/harness.js';
import { median, ratioRow, skipRow, valueRow, type Row, type Target } from '../lib/report.js';

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

/** The figures `percpu-cc --timings` prints last: the process's CPU time and its age. */
const PROCESS_LINE = /^percpu-cc: process (\d+) ms CPU, (\d+) ms since start$/m;
/** What bench/cc/main-thread-cpu.mjs prints at exit (Linux). */
const MAIN_LINE = /^percpu-cc: main thread (\d+) ms CPU$/m;

/**
 * Runs the command as a user does, in fresh processes: one unrecorded run
 * first (it makes the command's bundle, the compiler's code cache and the
 * runtime's declarations in .percpu-cc/, as any first use does), then up to 5
 * recorded ones. The value is wall time, start to exit, which is what the
 * issue's "takes ≤ 2 s" means and what a user waits; V8 compiles the
 * TypeScript compiler's hot functions on background threads beside the main
 * one, so on two idle cores the CPU time (in the note, all threads and the
 * main thread alone) is larger than the wall time. Other work on a shared
 * machine stretches wall time: read the load average in the note.
 */
function translateRow(ctx: GroupContext, file: string, title: string, formula: string, target: Target): Row {
  const cpu: number[] = [];
  const wall: number[] = [];
  const main: number[] = [];
  let phases = '';
  for (let r = 0; r <= Math.min(ctx.rounds, 5); r++) {
    const args = ['--import', pathToFileURL(join(ctx.root, 'bench/cc/main-thread-cpu.mjs')).href, join(ctx.root, 'bin', 'percpu-cc.mjs'), file, '--out', join(ctx.tmp, `out-${r}`), '--timings'];
    const res = spawnSync(process.execPath, args, { cwd: ctx.root, encoding: 'utf8' });
    const m = PROCESS_LINE.exec(res.stderr);
    if (res.status !== 0 || !m) {
      return skipRow({ id: 'cc.translate500', group: 'cc', title, formula, unit: 's', target, reason: `percpu-cc failed (exit ${String(res.status)}): ${res.stderr.trim().split('\n')[0]}` });
    }
    if (r === 0) continue;
    cpu.push(Number(m[1]) / 1000);
    wall.push(Number(m[2]) / 1000);
    const t = MAIN_LINE.exec(res.stderr);
    if (t) main.push(Number(t[1]) / 1000);
    phases = res.stderr.split('\n').find((l) => l.includes(': preprocess ')) ?? '';
  }
  const mainNote = main.length > 0 ? `, main thread ${median(main).toFixed(2)} s (the rest is V8's optimizing-compiler and GC threads)` : '';
  const note = `CPU time ${median(cpu).toFixed(2)} s of every thread${mainNote} (medians; 1-minute load average ${loadavg()[0].toFixed(1)} on ${availableParallelism()} CPUs); the last run's phases: ${phases.replace(/^.*?: /, '')}`;
  return valueRow({ id: 'cc.translate500', group: 'cc', title, formula, unit: 's', samples: wall, target, note });
}

/**
 * run_programs() of examples/kernel/bpf_trace.c by hand: `programs_run++` on
 * the C's `static int`, which lives in the machine's memory (the explorer and
 * the other CPUs see it there), through the runtime's sized accesses.
 */
function runPrograms(m: Machine, programsRun: number): number {
  store_i32(m, programsRun, (load_i32(m, programsRun) + 1) | 0);
  return 1;
}

/** trace_call_bpf() by hand, on the generated ops and memory accesses the translation calls. */
function traceCallBpf(m: Machine, active: PerCpuPtr<'i32'>, programsRun: number): number {
  let ret: number;
  if ((__this_cpu_add_return_4(m, active, 1) | 0) !== 1) ret = 0;
  else ret = runPrograms(m, programsRun);
  __this_cpu_add_4(m, active, -1);
  return ret;
}

/**
 * percpu_counter_add_batch() of Linux v6.11 (lib/percpu_counter.c, the
 * this_cpu_try_cmpxchg() version examples/kernel/percpu_counter.c holds), by
 * hand on the generated ops and runtime calls its translation uses: struct
 * percpu_counter as a TypeScript object, s64 as bigint as in the translation
 * (the C's s64 arithmetic, exact), the fold under the raw spinlock.
 */
interface HandCounter {
  readonly lock: number;
  count: bigint;
  readonly counters: PerCpuPtr<'i32'>;
}
function percpuCounterAddBatch(m: Machine, fbc: HandCounter, amount: bigint, batch: number): void {
  const old = { value: this_cpu_read_4(m, fbc.counters) };
  for (;;) {
    const next = BigInt.asIntN(64, BigInt(old.value | 0) + amount);
    if ((next < 0n ? -next : next) >= BigInt(batch)) {
      const flags = raw_spin_lock_irqsave(m, fbc.lock);
      const count = __this_cpu_read_4(m, fbc.counters) | 0;
      fbc.count = BigInt.asIntN(64, fbc.count + BigInt(count) + amount);
      __this_cpu_add_4(m, fbc.counters, -count | 0);
      raw_spin_unlock_irqrestore(m, fbc.lock, flags);
      return;
    }
    if (this_cpu_try_cmpxchg_4(m, fbc.counters, old, Number(BigInt.asIntN(32, next)))) return;
  }
}

/**
 * The hand-written counter on a machine of its own, booted on CPU 0 with its
 * lock initialised: `run(k)` adds 1 k times, as the translated bench_add(1)
 * does, and returns what the sum grew by.
 */
export function handCounterLoop(): (k: number) => number {
  const m = new Machine({ cpus: 4 });
  const lock = global_var(m, 'raw_spinlock_t', 'lock');
  m.boot();
  m.debugPreempt = false;
  m.loadCpu(0);
  raw_spin_lock_init(m, lock.addr);
  const hand: HandCounter = { lock: lock.addr, count: 0n, counters: alloc_percpu(m, 'i32') as PerCpuPtr<'i32'> };
  const sum = (): bigint => hand.count + BigInt(per_cpu(m, hand.counters, 0));
  return (k) => { const s = sum(); for (let i = 0; i < k; i++) percpuCounterAddBatch(m, hand, 1n, 32); return Number(sum() - s); };
}

interface TranslatedCounter {
  counter_init(): void;
  bench_add(amount: bigint): void;
  bench_sum(): bigint;
}

/**
 * The translated percpu_counter_add_batch() (bench/cc/counter.c, fast
 * flavour) against the same function by hand, and against the runtime's own
 * (src/lib/percpu-counter.ts), each adding 1 with batch 32 on CPU 0 of its
 * machine (every 32nd add folds under the lock). Each loop returns what its
 * counter's exact sum grew by.
 */
async function counterRows(ctx: GroupContext, dir: string): Promise<Row[]> {
  const title = 'percpu_counter_add_batch() (Linux v6.11): percpu-cc fast flavour vs the same function by hand (x86_64 ops)';
  const runtimeTitle = 'percpu_counter_add_batch(): percpu-cc fast flavour vs the runtime\'s (src/lib/percpu-counter.ts)';
  if (!existsSync(join(ctx.root, 'examples/kernel/percpu_counter.c'))) {
    const reason = 'not landed yet: examples/kernel/percpu_counter.c missing';
    return [
      skipRow({ id: 'cc.counter_fast_vs_hand', group: 'cc', title, formula: 'translated ns/op ÷ hand-written ns/op', unit: 'x', target: { op: '<=', value: 1.3 }, reason, kind: 'ratio' }),
      skipRow({ id: 'cc.counter_fast_vs_runtime', group: 'cc', title: runtimeTitle, formula: 'translated ns/op ÷ runtime ns/op', unit: 'x', target: null, reason, kind: 'ratio' }),
    ];
  }
  const compiled = compileFile(join(ctx.root, 'bench/cc/counter.c'), { outDir: dir, undefs: ['CONFIG_DEBUG_ATOMIC_SLEEP'], display: 'bench/cc/counter.c' });
  for (const f of compiled.files) writeFileSync(join(dir, f.name), f.text);
  const mod = (await import(pathToFileURL(join(dir, 'counter.ts')).href)) as { instantiate(m: Machine): TranslatedCounter };
  const m1 = new Machine({ cpus: 4 });
  const translated = mod.instantiate(m1);
  m1.boot();
  m1.debugPreempt = false;
  m1.loadCpu(0);
  translated.counter_init();
  const handRun = handCounterLoop();
  const m3 = new Machine({ cpus: 4 });
  m3.boot();
  m3.debugPreempt = false;
  m3.loadCpu(0);
  const runtime = percpu_counter_init(m3);
  const n = ctx.size(1_000_000, 20_000);
  const [t, h, r] = Object.values(compare([
    {
      name: 'percpu_counter_add_batch (translated, fast)',
      run: (k) => { const s = translated.bench_sum(); for (let i = 0; i < k; i++) translated.bench_add(1n); return Number(translated.bench_sum() - s); },
      expect: (k) => k,
    },
    {
      name: 'percpu_counter_add_batch (hand-written TS)',
      run: handRun,
      expect: (k) => k,
    },
    {
      name: 'percpu_counter_add_batch (src/lib/percpu-counter.ts)',
      run: (k) => { const s = percpu_counter_sum(runtime); for (let i = 0; i < k; i++) percpu_counter_add_batch(runtime, 1, 32); return percpu_counter_sum(runtime) - s; },
      expect: (k) => k,
    },
  ], { n, rounds: ctx.rounds, warmup: ctx.warmup }));
  return [
    ratioRow({ id: 'cc.counter_fast_vs_hand', group: 'cc', title, num: t, den: h, target: { op: '<=', value: 1.3 } }),
    ratioRow({
      id: 'cc.counter_fast_vs_runtime', group: 'cc', title: runtimeTitle, num: t, den: r, target: null,
      note: 'the runtime keeps s64 amounts in a double when they are safe integers and adds to the delta in memory directly, with its checks made once at init; C s64 arithmetic is bigint in translated code',
    }),
  ];
}

const group: BenchGroup = {
  async run(ctx: GroupContext): Promise<GroupOutput> {
    const rows: Row[] = [];
    const file = join(ctx.tmp, 'big.c');
    const text = bigC(ctx.root, 500);
    writeFileSync(file, text);
    const lines = text.split('\n').length - 1;
    const title = `percpu-cc: translate a ${lines}-line C file, validation included (the whole command, process start included; wall seconds)`;
    const target = { op: '<=' as const, value: 2 };
    const formula = 'wall seconds of `node bin/percpu-cc.mjs big.c --out DIR`, start to exit (median of fresh processes)';
    if (ctx.quick) {
      rows.push(skipRow({ id: 'cc.translate500', group: 'cc', title, formula, unit: 's', target, reason: 'quick mode: timed only in a full run' }));
    } else {
      rows.push(translateRow(ctx, file, title, formula, target));
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
    const programsRunVar = global_var(m2, 'i32', 'programs_run');
    m2.boot();
    m2.debugPreempt = false;
    const programsRun = programsRunVar.addr;
    const n = ctx.size(5_000_000, 20_000);
    const [t, h] = Object.values(compare([
      {
        name: 'trace_call_bpf (translated, fast)',
        run: (k) => { let s = 0; for (let i = 0; i < k; i++) s += translated.trace_call_bpf(); return s; },
        expect: (k) => k,
      },
      {
        name: 'trace_call_bpf (hand-written TS)',
        run: (k) => { let s = 0; for (let i = 0; i < k; i++) s += traceCallBpf(m2, active, programsRun); return s; },
        expect: (k) => k,
      },
    ], { n, rounds: ctx.rounds, warmup: ctx.warmup }));
    rows.push(ratioRow({
      id: 'cc.fast_vs_hand', group: 'cc', title: 'trace_call_bpf(): percpu-cc fast flavour vs the same function by hand (x86_64 ops)',
      num: t, den: h, target: { op: '<=', value: 1.3 },
    }));
    rows.push(...await counterRows(ctx, dir));
    return { rows };
  },
};
export default group;
