/**
 * What a kfree() elsewhere costs a translated atomic_inc(&p->refs) on a live
 * object (src/kptr.ts kptr_site):
 *
 *   tsx bench/cc-kptr-site.ts [--n 200000] [--rounds 15]
 *
 * Translates test/cc/calls/atomic_sites.c (fast flavour) and times get(1),
 * `atomic_inc(&b->refs); atomic_inc(&calls);`, on three machines, in one
 * process, rounds interleaved: nothing freed; `a` freed, which kzalloc() placed
 * below `b`, so KASAN's quarantine starts below `b` and every access past its
 * low bound is checked; and a third object freed, placed above `b`. Each loop
 * returns how much b->refs grew.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT, compileFile } from '../cc/compile.js';
import { Machine } from '../src/machine.js';
import { compare } from './lib/harness.js';

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(name);
  return i < 0 ? dflt : Number(process.argv[i + 1]);
};
const n = arg('--n', 200_000);
const rounds = arg('--rounds', 15);

type Fns = Record<string, (...a: number[]) => number | void>;

const dir = join(ROOT, '.percpu-cc', `kptr-site-${process.pid}`);
mkdirSync(dir, { recursive: true });
try {
  const compiled = compileFile(join(ROOT, 'test/cc/calls/atomic_sites.c'), { outDir: dir, display: 'test/cc/calls/atomic_sites.c' });
  for (const f of compiled.files) writeFileSync(join(dir, f.name), f.text);
  const mod = (await import(pathToFileURL(join(dir, 'atomic_sites.ts')).href)) as { instantiate(m: Machine): Fns };
  const machine = (free: 'none' | 'below' | 'above'): ((k: number) => number) => {
    const m = new Machine({ cpus: 1 });
    const f = mod.instantiate(m);
    m.boot();
    m.loadCpu(0);
    f.setup();
    if (free === 'below') f.put(0);
    if (free === 'above') {
      f.setup_third();
      f.put_third();
    }
    return (k) => {
      const s = f.refs(1) as number;
      for (let i = 0; i < k; i++) f.get(1);
      return (f.refs(1) as number) - s;
    };
  };
  const variants = [
    { name: 'nothing freed', run: machine('none'), expect: (k: number) => k },
    { name: 'an object below b freed', run: machine('below'), expect: (k: number) => k },
    { name: 'an object above b freed', run: machine('above'), expect: (k: number) => k },
  ];
  const res = compare(variants, { n, rounds, warmup: 2 });
  const base = res[variants[0].name].median;
  for (const v of variants) {
    const r = res[v.name];
    process.stdout.write(`${v.name.padEnd(28)} ${r.median.toFixed(1).padStart(7)} ns/call  ${(r.median / base).toFixed(2)}x\n`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
