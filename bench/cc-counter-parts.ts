/**
 * Where the translated percpu_counter_add_batch() spends the time the
 * hand-written one does not (row cc.counter_fast_vs_hand):
 *
 *   tsx bench/cc-counter-parts.ts [--n 300000] [--rounds 21]
 *
 * Translates bench/cc/counter.c (fast flavour, as the row does) and times, in
 * one process, rounds interleaved: the hand-written function of
 * bench/groups/cc.ts, the translation as it is, and edited copies of it: the
 * unlikely() branch put back in line (the translator moves it out to
 * `percpu_counter_add_batch$cold`; in line, the function is past the size up
 * to which V8 inlines it into its caller), and the one load of
 * `fbc->counters` left out (the PerCpuPtr read once at init: no longer the C
 * function, which loads it; it measures what the load costs). Each loop
 * returns how much the counter's exact sum grew.
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
const LOAD = /pcpu_load\(fbc_1 \+ 16\)/g;
/** The $cold function's body put back where it is called, its temporaries renamed apart from the caller's. */
function inline(t: string): string {
  const cold = /\n\n {2}\/\*\*[^\n]*\n {2}function percpu_counter_add_batch\$cold\([^)]*\): void \{\n((?: {4}let [^\n]*\n)*)([\s\S]*?)\n {2}\}\n/.exec(t);
  if (cold === null) return t;
  const rename = (x: string): string => x.replace(/\$t(\d+)/g, (_, k: string) => `$c${k}`);
  const lets = rename(cold[1]);
  const body = rename(cold[2]).split('\n').map((l) => `    ${l}`).join('\n');
  return t.replace(cold[0], () => '\n')
    .replace(/\n {8}return percpu_counter_add_batch\$cold\([^)]*\);/, () => `\n${body}`)
    .replace(/(\n {2}function percpu_counter_add_batch\([^\n]*\n)/, (head) => `${head}${lets}`);
}
const edits: Record<string, (t: string) => string> = {
  'translated': (t) => t,
  'translated, unlikely() branch in line': inline,
  'translated, fbc->counters never loaded': (t) => t
    .replace(LOAD, 'COUNTERS')
    .replace('  function percpu_counter_add_batch(', '  let COUNTERS: PerCpuPtr<any> = undefined as any;\n  function percpu_counter_add_batch(')
    .replace(/(\n {2}function counter_init\(\): void \{[\s\S]*?)\n {2}\}/, '$1\n    COUNTERS = pcpu_load(fbc.addr + 16);\n  }'),
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
