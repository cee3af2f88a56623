/**
 * A variable index into a per-CPU member from translated C
 * (test/cc/calls/index.c): `this_cpu_add(pst.counts[i], v)`,
 * `this_cpu_add(s->counts[i], v)` through a __percpu pointer, `per_cpu(…[i], cpu)`
 * and `per_cpu_ptr(p, cpu)->counts[i]`. Exact in both flavours; each
 * element's pointer is made once and reused (no pointer per access); an index
 * out of range is UBSAN's oops with the C line, before the access, memory
 * unchanged.
 */
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../cc/compile.js';
import { Machine } from '../../src/machine.js';
import { pcpu_ptr_at } from '../../src/member.js';
import { DEFINE_PER_CPU } from '../../src/define.js';
import type { PerCpuPtr } from '../../src/percpu-ptr.js';
import type { Step } from '../../src/sched/step.js';
import { drain, translateAndLoad, type Loaded } from './support.js';

type Fns = Record<string, (...a: (number | bigint)[]) => unknown>;

describe('percpu-cc: a variable index into a per-CPU member', () => {
  let mod: Loaded;
  beforeAll(async () => {
    mod = await translateAndLoad(path.join(ROOT, 'test/cc/calls/index.c'));
  });

  it('takes each element\'s pointer from pcpu_ptr_at(), after the bounds check, never a pcpu_ptr_add() per access', () => {
    for (const f of mod.compiled.files) {
      // pcpu_ptr_add() only for a constant member, once in instantiate(), never inside a function.
      expect(f.text.split('\n').filter((l) => l.includes('pcpu_ptr_add(') && !l.startsWith('import'))).toEqual(['  const pst_counts_0 = pcpu_ptr_add(m, pst, 8, \'i32\');']);
      expect(f.text).toContain("this_cpu_add_4(m, pcpu_ptr_at(m, pst, 8 + array_index(i, 4, 'test/cc/calls/index.c:30', 'int [4]') * 4, 'i32'), v)");
      expect(f.text).toMatch(/this_cpu_add_4\(m, \(\$t\d+ = pcpu_ptr_at\(m, p, i_\d+ \* 4, 'i32'\), \$t\d+\), v_\d+\)/);
    }
  });

  for (const flavour of ['fast', 'stepped'] as const) {
    it(`${flavour}: exact values; an index out of range is refused with the C line and changes nothing`, () => {
      const m = new Machine({ cpus: 2 });
      m.debugPreempt = false;
      const f = mod[flavour].instantiate(m) as Fns;
      m.boot();
      const run = (name: string, ...a: (number | bigint)[]): unknown => (flavour === 'fast' ? f[name](...a) : drain(f[name](...a) as Generator<unknown, unknown, undefined>));
      run('t_init');
      expect([run('t_inc', 1, 5), run('t_inc', 3, 7), run('t_inc', 1, 2)]).toEqual([5, 7, 7]);
      // counts[4] would be small[0] and small[1]; counts[-1] the top of hits.
      expect(() => run('t_inc', 4, 1)).toThrow("UBSAN: array-index-out-of-bounds in test/cc/calls/index.c:30: index 4 is out of range for type 'int [4]'");
      expect(() => run('t_inc', -1, 1)).toThrow("UBSAN: array-index-out-of-bounds in test/cc/calls/index.c:30: index -1 is out of range for type 'int [4]'");
      expect([run('t_small', 0), run('t_small', 1), run('t_total')]).toEqual([0, 0, 7n * 2n + 7n * 4n]);
      expect(m.ctx.preemptCount).toBe(0);
      // Through a __percpu pointer loaded from memory: counts[i] * 100 + small[i].
      expect([run('t_inc_ptr', 2, 3), run('t_inc_ptr', 2, 3)]).toEqual([301, 602]);
      expect(() => run('t_inc_ptr', 3, 1)).toThrow("UBSAN: array-index-out-of-bounds in test/cc/calls/index.c:39: index 3 is out of range for type 'unsigned short [3]'");
      // Another CPU's copy through per_cpu_ptr(): cpu0 has pst.counts[2] 0 and h.s->counts[2] 6; cpu1 nothing.
      expect([run('t_remote', 0, 2), run('t_remote', 1, 2)]).toEqual([6, 0]);
      expect(() => run('t_remote', 0, 9)).toThrow("UBSAN: array-index-out-of-bounds in test/cc/calls/index.c:45: index 9 is out of range for type 'int [4]'");
      // p[i] on an `int __percpu *`: no array length to check, but the object's bounds (pcpu_ptr_add's).
      expect([run('t_ptr_index', 2, 5), run('t_ptr_index', 2, 1)]).toEqual([5, 6]);
      expect(() => run('t_ptr_index', 6, 1)).toThrow('pcpu_ptr_add(pst.counts[0], 24): a s32 at byte 32 of DEFINE_PER_CPU(struct pcp_stats, pst) lies outside the object (32 bytes); nothing was made');
      expect(run('t_inc', 2, 0)).toBe(6);
    });
  }

  it('stepped: the step names the element as the C does', () => {
    const m = new Machine({ cpus: 2, arch: 'arm64' });
    m.debugPreempt = false;
    const f = mod.stepped.instantiate(m) as Fns;
    m.boot();
    const g = f.t_inc(3, 1) as Generator<Step, unknown, undefined>;
    const syms = new Set<string>();
    for (let r = g.next(); r.done !== true; r = g.next()) if (r.value.pcp !== undefined) syms.add(r.value.pcp.sym);
    expect([...syms]).toEqual(['pst.counts[3]']);
  });
});

describe('pcpu_ptr_at()', () => {
  it('gives back the same pointer for the same object, type and offset, and checks the first one as pcpu_ptr_add() does', () => {
    const m = new Machine({ cpus: 2 });
    const x = DEFINE_PER_CPU(m, m.ctypes.parse('int[4]'), 'x') as PerCpuPtr<unknown>;
    m.boot();
    const a = pcpu_ptr_at(m, x, 8, 'i32');
    expect(pcpu_ptr_at(m, x, 8, 'i32')).toBe(a);
    expect(pcpu_ptr_at(m, x, 12, 'i32')).not.toBe(a);
    expect(a.sym).toBe('x[2]');
    expect(() => pcpu_ptr_at(m, x, 16, 'i32')).toThrow('pcpu_ptr_add(x, 16): a s32 at byte 16 of DEFINE_PER_CPU(int[4], x) lies outside the object (16 bytes); nothing was made');
  });
});
