/**
 * Where the translated percpu_counter_add_batch() spends the time the
 * hand-written one does not (row cc.counter_fast_vs_hand):
 *
 *   tsx bench/cc-counter-parts.ts [--n 300000] [--rounds 21]
 *
 * Translates bench/cc/counter.c (fast flavour, as the row does) and times, in
 * one process, rounds interleaved: the hand-written function of
 * bench/groups/cc.ts, the translation as it is, and edited copies of it that
 * leave out what the C asks for and the translation does — the second load of
 * `fbc->counters` (the one in the loop's cmpxchg reuses the first), and both
 * loads (the PerCpuPtr is read once at init). The copies are no longer the C
 * function (nothing is stored between the loads here, but the translator
 * cannot know that without an alias analysis); they measure what each part
 * costs. Each loop returns how much the counter's exact sum grew.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT, compileFile } from '../cc/compile.js';
import { Machine } from '../src/machine.js';
import { handCounterLoop } from './groups/cc.js';
import { compare } from './lib/harness.js';

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(name);
  return i < 0 ? dflt : Number(process.argv[i + 1]);
};
const n = arg('--n', 300_000);
const rounds = arg('--rounds', 21);

interface Translated { counter_init(): void; bench_add(amount: bigint): void; bench_sum(): bigint }
const LOAD = /pcpu_from\(load_ptr\(m, \(?fbc_1 \+ 16\)?\)\)/g;
const edits: Record<string, (t: string) => string> = {
  'translated': (t) => t,
  'translated, fbc->counters loaded once': (t) => {
    let k = 0;
    // The loop's load (the last in the function's text) takes the first one's value.
    const count = t.match(LOAD)?.length ?? 0;
    return t.replace(LOAD, (x) => (++k === count ? '$t1' : x));
  },
  'translated, fbc->counters never loaded': (t) => t
    .replace(LOAD, 'COUNTERS')
    .replace('  function percpu_counter_add_batch(', '  let COUNTERS: PerCpuPtr<any> = undefined as any;\n  function percpu_counter_add_batch(')
    .replace(/(\n {2}function counter_init\(\): void \{[\s\S]*?)\n {2}\}/, '$1\n    COUNTERS = pcpu_from(load_ptr(m, fbc.addr + 16));\n  }'),
};

const dir = join(ROOT, '.percpu-cc', `counter-parts-${process.pid}`);
mkdirSync(dir, { recursive: true });
try {
  const compiled = compileFile(join(ROOT, 'bench/cc/counter.c'), { outDir: dir, undefs: ['CONFIG_DEBUG_ATOMIC_SLEEP'], display: 'bench/cc/counter.c' });
  const text = compiled.files.find((f) => f.name === 'counter.ts')!.text;
  const variants = [];
  for (const [name, edit] of Object.entries(edits)) {
    const edited = edit(text);
    if (name !== 'translated' && edited === text) throw new Error(`${name}: the edit found nothing to change (the translation changed shape)`);
    const file = join(dir, `counter-${variants.length}.ts`);
    writeFileSync(file, edited);
    const mod = (await import(pathToFileURL(file).href)) as { instantiate(m: Machine): Translated };
    const m = new Machine({ cpus: 4 });
    const c = mod.instantiate(m);
    m.boot();
    m.debugPreempt = false;
    m.loadCpu(0);
    c.counter_init();
    variants.push({ name, run: (k: number) => { const s = c.bench_sum(); for (let i = 0; i < k; i++) c.bench_add(1n); return Number(c.bench_sum() - s); }, expect: (k: number) => k });
  }
  variants.unshift({ name: 'by hand (bench/groups/cc.ts)', run: handCounterLoop(), expect: (k: number) => k });
  const res = compare(variants, { n, rounds, warmup: 2 });
  const base = res[variants[0].name].median;
  for (const v of variants) {
    const r = res[v.name];
    process.stdout.write(`${v.name.padEnd(42)} ${r.median.toFixed(1).padStart(7)} ns/call  ${(r.median / base).toFixed(2)}x\n`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
