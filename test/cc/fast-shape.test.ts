/**
 * What the fast flavour makes of percpu_counter_add_batch()
 * (examples/kernel/percpu_counter.c): the unlikely() slow path is a function
 * of its own, and the try_cmpxchg loop's test takes `fbc->counters` as loaded
 * before the loop; the stepped flavour keeps both as the C has them (every
 * load a step). The results are checked against gcc in
 * test/cc/diff/unlikely.c; this pins the shape, which is what keeps the
 * function small enough for V8 to inline (bench row cc.counter_fast_vs_hand).
 */
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, compileFile } from '../../cc/compile.js';

/** The text of `function <name>(…) { … }` in a translated module. */
function fn(text: string, name: string): string {
  const start = text.search(new RegExp(`\\n {2}function\\*? ${name.replace(/\$/g, '\\$')}\\(`));
  expect(start).toBeGreaterThan(0);
  return text.slice(start, text.indexOf('\n  }\n', start));
}

describe('percpu-cc fast flavour: percpu_counter_add_batch()', () => {
  let fast = '';
  let stepped = '';
  beforeAll(() => {
    const out = compileFile(path.join(ROOT, 'examples/kernel/percpu_counter.c'), { display: 'examples/kernel/percpu_counter.c', outDir: path.join(ROOT, 'examples/kernel') });
    fast = out.files.find((f) => f.name === 'percpu_counter.ts')!.text;
    stepped = out.files.find((f) => f.name === 'percpu_counter-stepped.ts')!.text;
  });

  it('loads fbc->counters once and calls its slow path out of line', () => {
    const hot = fn(fast, 'percpu_counter_add_batch');
    expect(hot.match(/pcpu_load\(fbc_1 \+ 16\)/g)).toEqual(['pcpu_load(fbc_1 + 16)']);
    expect(hot).toContain('this_cpu_try_cmpxchg_4(m, $t1, ');
    expect(hot).toContain('return percpu_counter_add_batch$cold(fbc_1, amount, count, flags);');
    expect(hot).not.toContain('raw_spin_lock_irqsave');
    const cold = fn(fast, 'percpu_counter_add_batch$cold');
    expect(cold).toContain('function percpu_counter_add_batch$cold(fbc_1: number, amount: bigint, count: bigint, flags: bigint): void {');
    expect(cold.match(/pcpu_load\(fbc_1 \+ 16\)/g)).toHaveLength(2);
    expect(cold).toContain('raw_spin_unlock_irqrestore(m, fbc_1, irqflags_from_u64(flags));');
  });

  it('keeps every load and the slow path in place in the stepped flavour', () => {
    const body = fn(stepped, 'percpu_counter_add_batch');
    expect(body.match(/yield\* load\(m, \(fbc_1 \+ 16\), 'ulong', "fbc->counters"\)/g)).toHaveLength(4);
    expect(body).toContain('raw_spin_lock_irqsave');
    expect(stepped).not.toContain('$cold');
  });
});
