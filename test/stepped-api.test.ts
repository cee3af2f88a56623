/**
 * The public stepped API: `stepped.<name>` for every primitive, the
 * size-generic stepped typed layer (width, sign and architecture from the
 * pointer's bound table), the generated ops of every architecture, and the
 * ordinary-memory steps under the explorer: a READ_ONCE/WRITE_ONCE increment
 * of a shared counter loses updates, atomic_inc does not, with and without
 * the reduction.
 */
import { describe, expect, it } from 'vitest';
import {
  DEFINE_PER_CPU, Machine, atomic_read, exploreExhaustive, global_var, kptr_member, pcpu_member, per_cpu, stepped,
  type Scenario,
} from '../src/index.js';
import type { StepGen } from '../src/sched/step.js';

/** Runs a stepped op to completion outside the scheduler, counting its steps. */
function run<R>(g: StepGen<R>): { value: R; steps: number } {
  let steps = 0;
  for (;;) {
    const r = g.next();
    if (r.done) return { value: r.value, steps };
    steps++;
  }
}

describe('the stepped typed layer', () => {
  for (const arch of ['x86_64', 'arm64', 'generic'] as const) {
    it(`picks width, sign and the ${arch} ops from the pointer; an s8 member reads back signed`, () => {
      const m = new Machine({ cpus: 2, arch });
      m.ctypes.struct('zs', { vm_stat_diff: 's8[4]', stat_threshold: 's8', big: 's64' });
      const zs = DEFINE_PER_CPU(m, 'struct zs', 'zs');
      m.boot();
      const d = pcpu_member(m, zs, 'vm_stat_diff[2]', 's8');
      const big = pcpu_member(m, zs, 'big', 's64');
      m.runOn(1, () => {
        run(stepped.this_cpu_add(m, d, -3));
        expect(run(stepped.this_cpu_read(m, d)).value).toBe(-3);
        expect(run(stepped.this_cpu_add_return(m, d, -1)).value).toBe(-4);
        expect(run(stepped.this_cpu_xchg(m, big, -7n)).value).toBe(0n);
        const box = { value: 5n };
        expect(run(stepped.this_cpu_try_cmpxchg(m, big, box, 1n)).value).toBe(false);
        expect(box.value).toBe(-7n);
      });
      expect(per_cpu(m, d, 1)).toBe(-4);
      expect(per_cpu(m, big, 1)).toBe(-7n);
    });
  }

  it('the generated ops of every architecture are there under their names; x86-64 this_cpu_add is one step', () => {
    const m = new Machine({ cpus: 1 });
    const hits = DEFINE_PER_CPU(m, 'u32', 'hits');
    m.boot();
    expect(run(stepped.this_cpu_add_4(m, hits, 2)).steps).toBe(1);
    expect(run(stepped.this_cpu_add(m, hits, 2)).steps).toBe(1);
    expect(per_cpu(m, hits, 0)).toBe(4);
    expect(typeof stepped.arm64_ops.this_cpu_add_4).toBe('function');
    expect(typeof stepped.generic_ops.raw_cpu_add_1).toBe('function');
  });

  it('an aggregate or untyped pointer is refused with the fast layer\'s words', () => {
    const m = new Machine({ cpus: 1 });
    const s = DEFINE_PER_CPU(m, 'struct list_head', 'head');
    m.boot();
    expect(() => stepped.this_cpu_add(m, s as never, 1)).toThrow("this_cpu_add(): this per-CPU pointer points to a struct, union or array, not a scalar; take a member pointer first: pcpu_member(m, p, 'member')");
  });
});

/** Two tasks on two CPUs each add 1 to a shared int; the final value must be 2. */
function sharedCounter(kind: 'once' | 'atomic'): Scenario {
  return {
    name: `shared-${kind}`,
    title: 'two CPUs increment one shared counter',
    description: 'test scenario',
    expect: kind === 'once' ? 'violation' : 'none',
    cpus: 2,
    build() {
      const m = new Machine({ cpus: 2 });
      const nr = global_var(m, 'atomic_t', 'nr');
      m.boot();
      const counter = kptr_member(m, nr, 'counter', 'int');
      function* body(): StepGen<void> {
        if (kind === 'atomic') {
          yield* stepped.atomic_inc(m, nr);
        } else {
          const v = yield* stepped.READ_ONCE(m, counter);
          yield* stepped.WRITE_ONCE(m, counter, v + 1);
        }
      }
      return {
        m,
        tasks: [{ name: 'T1', cpu: 0, run: body }, { name: 'T2', cpu: 1, run: body }],
        final: () => (atomic_read(m, nr) === 2 ? null : `lost update: nr is ${atomic_read(m, nr)}, expected 2`),
      };
    },
  };
}

describe('ordinary memory under the explorer', () => {
  it('READ_ONCE then WRITE_ONCE loses an update between CPUs; atomic_inc does not; the reduction agrees', () => {
    for (const reduction of ['optimal', 'sleep', 'none'] as const) {
      const once = exploreExhaustive(sharedCounter('once'), { reduction, maxViolations: 1 });
      expect(once.violations.length).toBe(1);
      expect(once.violations[0].message).toBe('lost update: nr is 1, expected 2');
      const atomic = exploreExhaustive(sharedCounter('atomic'), { reduction });
      expect([atomic.violations.length, atomic.complete]).toEqual([0, true]);
    }
  });
});
