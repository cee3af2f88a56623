/**
 * local_t and local64_t (include/asm-generic/local.h, arch/x86/include/asm/local.h):
 * every op on one CPU's copy of a per-CPU counter, fast and stepped (one step,
 * the counter's 8 bytes), x86's unlocked instructions, refusals that change nothing,
 * and every generated local op against the atomic_long_t op it is defined as.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  DEFINE_PER_CPU, Machine, alloc_percpu, global_var, kptr_member, local64_add, local64_add_return, local64_read, local64_set, local_add,
  local_add_negative, local_add_return, local_add_unless, local_cmpxchg, local_dec, local_dec_and_test, local_dec_return,
  local_inc, local_inc_and_test, local_inc_not_zero, local_inc_return, local_read, local_set, local_sub, local_sub_and_test,
  local_sub_return, local_try_cmpxchg, local_xchg, per_cpu_kptr, preempt_disable, preempt_enable, runSchedule, formatTrace,
  stepped, this_cpu_kptr, type Scenario,
} from '../src/index.js';
import { footprint } from '../src/sched/step.js';
import * as fastOps from '../generated/atomic.js';
import * as steppedOps from '../generated/atomic-stepped.js';
import { ATOMICS_TABLE, LOCAL_TABLE, expandRow, parseAtomicsTable, parseLocalTable } from '../generator/atomics.js';
import { ROOT } from './generator/support.js';

type Fn = (...args: unknown[]) => unknown;
const VARIANTS = parseAtomicsTable(readFileSync(path.join(ROOT, 'templates', ATOMICS_TABLE), 'utf8'), 'atomics.tbl').flatMap(expandRow);
const LOCAL_ROWS = parseLocalTable(
  readFileSync(path.join(ROOT, 'templates', LOCAL_TABLE), 'utf8'), 'local.tbl', new Set(VARIANTS.filter((v) => v.order === '').map((v) => v.op)),
);
const EDGES = [0n, 1n, -1n, 2n ** 63n - 1n, -(2n ** 63n)];

/** Drives a stepped op to its end; its result. */
function finish(g: Generator<unknown, unknown>): unknown {
  let r = g.next();
  while (r.done !== true) r = g.next();
  return r.value;
}

function boot(arch: 'x86_64' | 'arm64' = 'x86_64') {
  const m = new Machine({ cpus: 2, arch });
  const events = DEFINE_PER_CPU(m, 'local_t', 'events');
  m.boot();
  return { m, events };
}

describe('local_t, fast', () => {
  it('every op on this CPU\'s copy, in the kernel\'s argument order; the other CPU\'s copy untouched', () => {
    const { m, events } = boot();
    preempt_disable(m);
    const l = this_cpu_kptr(m, events, 'l');
    preempt_enable(m);
    local_set(m, l, 5n);
    local_inc(m, l);
    local_add(m, 10n, l);
    local_dec(m, l);
    local_sub(m, 3n, l);
    expect(local_read(m, l)).toBe(12n);
    expect([local_add_return(m, 3n, l), local_sub_return(m, 1n, l), local_inc_return(m, l), local_dec_return(m, l)]).toEqual([15n, 14n, 15n, 14n]);
    expect([local_sub_and_test(m, 14n, l), local_inc_and_test(m, l), local_dec_and_test(m, l), local_add_negative(m, -1n, l)]).toEqual([true, false, true, true]);
    expect(local_read(m, l)).toBe(-1n);
    expect([local_cmpxchg(m, l, -1n, 7n), local_cmpxchg(m, l, 0n, 9n), local_read(m, l)]).toEqual([-1n, 7n, 7n]);
    const old = { value: 0n };
    expect([local_try_cmpxchg(m, l, old, 1n), old.value]).toEqual([false, 7n]);
    expect([local_try_cmpxchg(m, l, old, 1n), local_read(m, l)]).toEqual([true, 1n]);
    expect([local_xchg(m, l, 4n), local_add_unless(m, l, 2n, 4n), local_add_unless(m, l, 2n, 0n), local_read(m, l)]).toEqual([1n, false, true, 6n]);
    local_set(m, l, 0n);
    expect([local_inc_not_zero(m, l), local_read(m, l)]).toEqual([false, 0n]);
    expect(local_read(m, per_cpu_kptr(m, events, 1))).toBe(0n);
  });

  it('local64_t: the local_t ops on &l->a', () => {
    const m = new Machine({ cpus: 2 });
    m.boot();
    const p = alloc_percpu(m, 'local64_t', 'count')!;
    const c1 = per_cpu_kptr(m, p, 1);
    local64_set(m, c1, 40n);
    local64_add(m, 2n, c1);
    expect([local64_read(m, c1), local64_add_return(m, 1n, c1)]).toEqual([42n, 43n]);
  });

  it('refusals name the local op and change nothing: a wrong pointer type, a __percpu pointer, a number for a long', () => {
    const { m, events } = boot();
    const l = per_cpu_kptr(m, events, 0);
    local_set(m, l, 3n);
    const n = global_var(m, 'long', 'n');
    expect(() => local_inc(m, n)).toThrow('local_inc: l must point to a local_t; n is a long');
    expect(() => local_inc(m, events as never)).toThrow(
      "local_inc: events is a __percpu pointer; pass one CPU's local_t: this_cpu_kptr() of it (sparse: incorrect type in argument, different address spaces)",
    );
    expect(() => local_add(m, 1 as never, l)).toThrow(/^local_add: /);
    expect(() => local_cmpxchg(m, l, 3n, 'x' as never)).toThrow(/^local_cmpxchg: /);
    expect(() => local_inc(m, {} as never)).toThrow(/^local_inc: /);
    expect(() => local64_read(m, l)).toThrow('local64_read: l must point to a local64_t; *per_cpu_ptr(&events, 0) is a local_t');
    expect(local_read(m, l)).toBe(3n);
  });
});

describe('every generated local op is its atomic_long_t op on &l->a', () => {
  it('fast and stepped, on edge values: the same result, memory after and try_cmpxchg old', () => {
    const m = new Machine({ cpus: 1 });
    const ev = DEFINE_PER_CPU(m, 'local_t', 'ev');
    const ev64 = DEFINE_PER_CPU(m, 'local64_t', 'ev64');
    m.boot();
    const ref = global_var(m, 'atomic_long_t', 'ref');
    let checked = 0;
    for (const row of LOCAL_ROWS) {
      const v = VARIANTS.find((x) => x.op === row.op && x.order === '')!;
      for (const type of row.types) {
        const l = per_cpu_kptr(m, type === 'local' ? ev : ev64, 0, 'l');
        const name = `${type}_${row.op}`;
        for (const start of EDGES) for (const x of EDGES) {
          // `mem` is the atomic_long_t the op works on: the reference itself, or the local's &l->a.
          const run = (f: Fn, p: typeof l, mem: typeof l, step: boolean): [unknown, bigint, bigint | null] => {
            fastOps.atomic_long_set(m, mem, start);
            const box = { value: x };
            const args = v.row.args.map((a) => (a.type === 'v' || a.type === 'cv' ? p : a.type === 'p' ? box : a.name === 'u' ? start : x));
            const r = step ? finish(f(m, ...args) as Generator<unknown, unknown>) : f(m, ...args);
            return [r, fastOps.atomic_long_read(m, mem), v.row.args.some((a) => a.type === 'p') ? box.value : null];
          };
          const inner = kptr_member(m, l, type === 'local' ? 'a' : 'a.a');
          const want = run((fastOps as unknown as Record<string, Fn>)[`atomic_long_${row.op}`], ref, ref, false);
          expect([name, start, x, run((fastOps as unknown as Record<string, Fn>)[name], l, inner, false)]).toEqual([name, start, x, want]);
          expect([name, start, x, run((steppedOps as unknown as Record<string, Fn>)[name], l, inner, true)]).toEqual([name, start, x, want]);
          checked++;
        }
      }
    }
    expect(checked).toBe(38 * EDGES.length ** 2);
  });

  it('refuses a pointer into another machine\'s memory and a machine without memory, naming the local op, changing nothing', () => {
    const { m, events } = boot();
    const l = per_cpu_kptr(m, events, 0, 'l');
    local_set(m, l, 3n);
    const other = new Machine({ cpus: 1 }).boot();
    expect(() => local_inc(other, l)).toThrow(`local_inc: l->a points into machine #${m.id}'s memory, not into that of machine #${other.id}, which runs this call; nothing was changed`);
    expect(() => local_add(null as never, 1n, l)).toThrow('local_add: expected a Machine (new Machine({ cpus })), got null');
    expect(() => stepped.local64_xchg(other, l, 1n).next()).toThrow('local64_xchg: l must point to a local64_t; *l is a local_t');
    expect(local_read(m, l)).toBe(3n);
  });
});

describe('local_t, stepped', () => {
  it('one step each, the counter\'s 8 bytes, x86 without the lock prefix, arm64 the LSE atomic', () => {
    const { m, events } = boot();
    const l = per_cpu_kptr(m, events, 1, 'l');
    const g = stepped.local_add_return(m, 5n, l);
    const s = g.next().value as { asm: string; addr: number; size: number; access: string };
    expect([s.asm, s.size, s.access, s.addr]).toEqual(['xaddq %rax, l->a', 8, 'w', l.addr]);
    expect(footprint(m, s as never, 0)).toEqual([{ lo: l.addr, hi: l.addr + 8, name: '', write: true }]);
    expect(g.next()).toEqual({ value: 5n, done: true });
    const inc = stepped.local_inc(m, l);
    expect((inc.next().value as { asm: string }).asm).toBe('incq l->a');
    expect(inc.next().done).toBe(true);
    const cx = stepped.local_cmpxchg(m, l, 6n, 0n);
    expect((cx.next().value as { asm: string }).asm).toBe('cmpxchgq %rcx, l->a');
    expect(cx.next()).toEqual({ value: 6n, done: true });
    const a = boot('arm64');
    const la = per_cpu_kptr(a.m, a.events, 0, 'l');
    const ai = stepped.local_inc(a.m, la);
    expect((ai.next().value as { asm: string }).asm).toBe('stadd x1, [l->a]');
    expect(() => stepped.local_inc(m, global_var(m, 'int', 'x')).next()).toThrow('local_inc: l must point to a local_t; x is a int');
  });

  it('under the explorer: a task\'s local_inc and an interrupt\'s on the same CPU both count, and the trace shows the values', () => {
    const s: Scenario = {
      name: 'local-inc', title: 'local_inc from a task and an interrupt', description: '', expect: 'none', cpus: 1,
      build() {
        const { m, events } = boot();
        function* bump() {
          preempt_disable(m);
          yield* stepped.local_inc(m, this_cpu_kptr(m, events, 'l'));
          preempt_enable(m);
        }
        return {
          m, tasks: [{ name: 'T', cpu: 0, run: bump }], irqs: [{ name: 'tick', cpus: [0], run: bump }],
          final: () => (local_read(m, per_cpu_kptr(m, events, 0)) === 2n ? null : 'lost'),
        };
      },
    };
    const r = runSchedule(s, 'i0:tick,0,0');
    expect(r.violation).toBeNull();
    expect(formatTrace(r.trace)).toBe([
      '  #1   cpu0 -- interrupt: tick on cpu0 (over T)',
      '  #2   cpu0 tick[irq]: incq l->a    ; 0 -> 1',
      '       cpu0 .. tick returns; T resumes',
      '  #3   cpu0 T: incq l->a    ; 1 -> 2',
      '       cpu0 .. T exits; cpu0 idle',
    ].join('\n'));
  });
});
