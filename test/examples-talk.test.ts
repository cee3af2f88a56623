/**
 * The talk's slides as runnable examples (examples/talk-*.ts): each one's
 * printed lines, exactly; the Problem! slide must fail with E0505.
 */
import { describe, expect, it } from 'vitest';
import { BorrowError } from '../src/rust/index.js';
import { main as staticMain } from '../examples/talk-static.js';
import { main as dynamicMain } from '../examples/talk-dynamic.js';
import { main as problemMain } from '../examples/talk-problem.js';
import { main as fixedMain } from '../examples/talk-problem-fixed.js';

describe('examples/ (the talk\'s slides)', () => {
  it('talk-static: define_per_cpu!, unsafe_get_per_cpu_ref!, one copy per CPU', () => {
    expect(staticMain()).toEqual([
      'define_per_cpu!(PERCPU: u64 = 0): .data..percpu offset 0x40, 8 bytes',
      'reading the symbol directly: PERCPU is a StaticPerCpuSymbol: reading it directly is undefined behaviour (its address is an offset, not a place); use get_static_per_cpu(m, sym) or unsafe_get_per_cpu_ref(m, sym, guard)',
      "cpu0: *pcpu_ref = 100 (lifetime 'static, preempt_count 1)",
      "cpu1: *pcpu_ref = 200 (lifetime 'static, preempt_count 1)",
      "cpu2: *pcpu_ref = 300 (lifetime 'static, preempt_count 1)",
      "cpu3: *pcpu_ref = 400 (lifetime 'static, preempt_count 1)",
      'while pcpu_ref lives: migrate to cpu 1 refused: preemption is disabled on cpu 0 (preempt_count 1); the context must stay on its CPU until that ends',
      'after the ref is dropped: preempt_count 0',
      'get_static_per_cpu!(PERCPU).num().add(10) on cpu0: one addq %gs:0x40, no guard',
      "every CPU's copy: 111, 200, 300, 400",
    ]);
  });

  it('talk-dynamic: PerCpuAllocation in an Arc, clones, get(guard), the last drop frees', () => {
    expect(dynamicMain()).toEqual([
      'PerCpu::<u32>::new(): alloc_percpu #1 (size 4, align 4) @ percpu 0x2040',
      'num.clone(): Arc strong count 2',
      'cpu0: num.get(guard) → PerCpuRef<u32> = 1',
      'num.num().add(5): this_cpu_add_4, copies 6, 10, 20, 30',
      'drop(num): 1 clone left, allocation still live',
      'drop(num2): the last clone, allocations live now: 0',
      'struct stats {',
      '\tu64 packets; /* 0 8 */',
      '\tu16 errors; /* 8 2 */',
      '\tbool up; /* 10 1 */',
      '}; /* size 16, align 8 */',
      'stats per CPU: 1/0/true, 1001/0/true, 2001/0/true, 3001/0/true',
      'stats.getRemotePtr(2).read().packets = 2001',
      'drop(stats): values dropped on cpus 0,1,2,3',
    ]);
  });

  it('talk-problem: fails loudly with error[E0505] before the write', () => {
    const out: string[] = [];
    let err: unknown = null;
    try {
      problemMain(out);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(BorrowError);
    const lines = (err as Error).message.split('\n');
    expect(lines[0]).toBe('error[E0505]: cannot move out of `num` because it is borrowed');
    expect(lines[1]).toMatch(/^ {2}--> examples\/talk-problem\.ts:\d+:3$/);
    expect(lines.filter((l) => /^\d+ \| /.test(l)).map((l) => l.replace(/^\d+ \| /, ''))).toEqual([
      "  const num = PerCpu.new(m, 'u32', { name: 'num' })!;",
      '  const num_ref = num.get(new CpuGuard(m));',
      '  num.drop();',
    ]);
    expect(lines).toContain('   |   ^^^ move out of `num` occurs here');
    expect(out).toEqual(["num_ref: PerCpuRef<u32> ('num, cpu 0, live)"]);
  });

  it('talk-problem-fixed: the ref ends before the drop; a \'static ref never ends', () => {
    expect(fixedMain()).toEqual([
      "*num_ref = 2 (lifetime 'num)",
      'num_ref dropped at the end of its block: preempt_count 0',
      'drop(num): ok, dropped',
      "static ref after drop(other): *static_ref = 8 (lifetime 'static)",
    ]);
  });
});
