/**
 * The type-generic xchg(), cmpxchg() and try_cmpxchg() of <linux/atomic.h>
 * on plain objects (test/cc/diff/xchg.c, which the differential test also
 * runs against gcc's __atomic builtins): exact values in both flavours, one
 * step per exchange with its instruction, footprint and C line on each
 * architecture, a bad address refused with memory unchanged, and the explorer
 * finding the lost update of a plain read-modify-write that a cmpxchg() loop
 * and a try_cmpxchg() loop do not have (test/cc/check/cmpxchg_race.c).
 */
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCheck } from '../../cc/check.js';
import { ROOT } from '../../cc/compile.js';
import { Machine, type Arch } from '../../src/machine.js';
import type { Step } from '../../src/sched/step.js';
import { drain, translateAndLoad, type Loaded } from './support.js';

type Fns = Record<string, (...a: (number | bigint)[]) => unknown>;

describe('percpu-cc xchg/cmpxchg/try_cmpxchg on plain objects', () => {
  let mod: Loaded;
  let calls: Loaded;
  beforeAll(async () => {
    mod = await translateAndLoad(path.join(ROOT, 'test/cc/diff/xchg.c'));
    calls = await translateAndLoad(path.join(ROOT, 'test/cc/calls/calls.c'));
  });

  const boot = (l: Loaded, flavour: 'fast' | 'stepped', arch: Arch = 'x86_64'): { m: Machine; run: (name: string, ...a: (number | bigint)[]) => unknown } => {
    const m = new Machine({ cpus: 2, arch });
    m.debugPreempt = false;
    const f = l[flavour].instantiate(m) as Fns;
    m.boot();
    return { m, run: (name, ...a) => (flavour === 'fast' ? f[name](...a) : drain(f[name](...a) as Generator<unknown, unknown, undefined>)) };
  };

  for (const flavour of ['fast', 'stepped'] as const) {
    it(`${flavour}: exact values on every width, signed, unsigned, bool and pointers`, () => {
      const { run } = boot(mod, flavour);
      // g8 starts at -1: a match stores, a miss returns what is there.
      expect(run('t_cmpxchg_s8', -1, 5)).toBe(-995n);
      expect(run('t_cmpxchg_s8', -1, 7)).toBe(5005n);
      // u16 0xffff: the value found is unsigned.
      expect(run('t_cmpxchg_u16', 0xffff, 0x1234)).toBe(65535n * 100000n + 0x1234n);
      // u32 0x80000000 comes back unsigned in the high half.
      expect(run('t_xchg_u32', 7)).toBe((0x80000000n << 32n) | 7n);
      // s64 -(2^40) replaced by 2^62.
      expect(run('t_cmpxchg64', -(1n << 40n), 1n << 62n)).toBe(-(1n << 40n) ^ (1n << 62n));
      // u64 0xfff…f0 exchanged for 1: the old value plus the new, wrapped.
      expect(run('t_xchg_u64', 1n)).toBe(0xfffffffffffffff1n);
      // bool: the new value converts to 0/1 as the kernel's __new local does.
      expect(run('t_bool', 2)).toBe(1);
      expect(run('t_bool', 0)).toBe(10);
    });

    it(`${flavour}: try_cmpxchg() returns true on a match and writes the value found through oldp on a miss`, () => {
      const { run } = boot(mod, flavour);
      // g32 starts at -5.
      expect(run('t_try_int', -5, 42)).toBe(100000000000n - 50n);
      expect(run('t_try_int', -5, 1)).toBe(420n);
      // oldp into memory: on a miss saved_old becomes g64's value.
      expect(run('t_try64_mem', 0n, 1n)).toBe(-(1n << 40n));
      expect(run('t_try64_mem', -(1n << 40n), 3n)).toBe(1n);
      // An unsigned old for a signed object: same bits written back.
      expect(run('t_try_sign', 0)).toBe(1);
      // A lock-free stack: push 5 then 6, pop 6, 5, then empty.
      expect([run('t_push', 5), run('t_push', 6), run('t_pop'), run('t_pop'), run('t_pop')]).toEqual([1, 1, 6, 5, -1]);
    });

    it(`${flavour}: struct members, array elements, kzalloc()'d objects and per_cpu_ptr() copies`, () => {
      const { run } = boot(mod, flavour);
      // A zeroed object: every exchange finds 0; then 3 * v + level + bytes.
      expect(run('t_heap', 5n)).toBe(25n);
      expect(run('t_heap', -1n)).toBe(-5n);
      // flag 1 + level -3 + hits 9 + bytes 2^33 + the old mask[1] 0.
      expect(run('t_members', 1, 100n)).toBe(1n - 3n + 9n + (1n << 33n));
      expect(run('t_members', 1, 7n)).toBe(100n + 1n - 3n + 9n + (1n << 33n));
      expect(run('t_percpu', 0, 4)).toBe(4004n);
      expect(run('t_percpu', 0, -1)).toBe(3003n);
    });
  }

  const steps = (arch: Arch): { asm: string; addr: number; size: number; access: string; src: string; moved: string }[] => {
    const m = new Machine({ cpus: 2, arch });
    m.debugPreempt = false;
    const f = mod.stepped.instantiate(m) as Fns;
    m.boot();
    const g = f.t_try_int(-5, 9) as Generator<Step, unknown, undefined>;
    const out: { asm: string; addr: number; size: number; access: string; src: string; step: Step }[] = [];
    for (let r = g.next(); r.done !== true; r = g.next()) {
      out.push({ asm: r.value.asm, addr: r.value.addr!, size: r.value.size!, access: r.value.access!, src: m.ctx.src!, step: r.value });
    }
    return out.map(({ step, ...s }) => ({ ...s, moved: step.moved! }));
  };

  it('stepped: one step per try_cmpxchg(), the architecture\'s instruction, the object\'s bytes written, the C line', () => {
    const x86 = steps('x86_64');
    expect(x86.map(({ addr, ...s }) => s)).toEqual([{ asm: 'lock cmpxchgl %ecx, g32', size: 4, access: 'w', src: 'test/cc/diff/xchg.c:90', moved: '-5 -> 9' }]);
    expect(x86[0].addr % 4).toBe(0);
    expect(steps('arm64').map((s) => s.asm)).toEqual(['casal w0, w1, [g32]']);
    expect(steps('generic').map((s) => s.asm)).toEqual(['try_cmpxchg(&g32, -5, 9)']);
  });

  for (const flavour of ['fast', 'stepped'] as const) {
    it(`${flavour}: kmalloc() and kfree() by address; a double free or a pointer into an object is refused`, () => {
      const { run } = boot(calls, flavour);
      const a = run('heap_alloc', 24n) as bigint;
      expect(a % 32n).toBe(0n);
      run('heap_free', a);
      const refused = (x: bigint): string => `kfree: 0x${x.toString(16)} is not the start of a live kmalloc() object (a double free, a global, or a pointer into an object); nothing was changed`;
      expect(() => run('heap_free', a)).toThrow(refused(a));
      run('heap_free', 0n);
      expect(run('heap_alloc', 0n)).toBe(16n);
      run('heap_free', 16n);
      const b = run('heap_alloc', 24n) as bigint;
      expect(() => run('heap_free', b + 8n)).toThrow(refused(b + 8n));
      run('heap_free', b);
    });

    it(`${flavour}: a bad address is refused by the op, naming it, and nothing is stored`, () => {
      const { run } = boot(calls, flavour);
      const at = run('target_addr') as bigint;
      expect(() => run('swap_at', 0n, 5)).toThrow('xchg: load: address 0x0 is outside mapped per-CPU memory');
      expect(() => run('swap_at', at + 1n, 5)).toThrow(`xchg: load: address 0x${(at + 1n).toString(16)} is not 4-byte aligned for i32; nothing was stored`);
      expect(run('read_target')).toBe(11);
      expect(run('swap_at', at, 5)).toBe(11);
      expect(run('read_target')).toBe(5);
    });
  }
});

describe('percpu-sim check: a shared counter from two CPUs', () => {
  afterEach(() => vi.restoreAllMocks());
  const FILE = 'test/cc/check/cmpxchg_race.c';
  const capture = (): string[] => {
    const out: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((s) => { out.push(String(s)); return true; });
    return out;
  };

  it('a cmpxchg() loop and a try_cmpxchg() loop lose no update on any schedule', async () => {
    const out = capture();
    expect(await runCheck([FILE, '--arch', 'x86_64'])).toBe(0);
    expect(await runCheck([FILE, '--arch', 'arm64', '-DTRY'])).toBe(0);
    expect(out.join('')).toBe('cmpxchg_race.c on x86_64: no violation in 118 schedules (every schedule within preemption bound 2)\n'
      + 'cmpxchg_race.c on arm64: no violation in 118 schedules (every schedule within preemption bound 2)\n');
  });

  it('the plain read-modify-write loses one, and the trace shows both loads before both stores', async () => {
    const out = capture();
    expect(await runCheck([FILE, '--arch', 'x86_64', '-DBROKEN'])).toBe(1);
    const text = out.join('');
    expect(text).toContain('VIOLATION in cmpxchg_race.c on x86_64 (schedule 7): PERCPU_CHECK(all_counted): all_counted() returned false after all tasks finished\n');
    expect(text).toContain('  #1   cpu0 T1: movq events, %rax    ; 0    ; test/cc/check/cmpxchg_race.c:15\n'
      + '  #2   cpu1 T2: movq events, %rax    ; 0    ; test/cc/check/cmpxchg_race.c:15\n'
      + '  #3   cpu0 T1: movq %rax, events    ; 0 -> 1    ; test/cc/check/cmpxchg_race.c:15\n');
    expect(text).toContain('replay: percpu-sim check test/cc/check/cmpxchg_race.c --arch x86_64 -DBROKEN --schedule 0,1,0,1\n');
  });
});
