/**
 * Issue 10 item 15, the last gaps of the family sweep: a missing or wrong
 * machine given to the generated ops (both flavours, every architecture), to
 * the member-pointer and kmalloc calls, and an architecture registered
 * without stepped ops. Each refusal names the call and leaves preemption,
 * interrupts and memory as they were.
 */
import { describe, expect, it } from 'vitest';
import * as x86 from '../generated/x86_64/percpu.js';
import * as x86Stepped from '../generated/x86_64/percpu-stepped.js';
import * as arm64 from '../generated/arm64/percpu.js';
import * as generic from '../generated/generic/percpu.js';
import {
  DEFINE_PER_CPU, Machine, kcalloc, kfree, kmalloc, kzalloc, global_var, pcpu_cast, pcpu_member, pcpu_ptr_add, per_cpu,
} from '../src/index.js';
import { opsFor, registerArchOps } from '../src/typed.js';

function world(arch: 'x86_64' | 'arm64' | 'generic' = 'x86_64') {
  const m = new Machine({ cpus: 2, arch });
  const x = DEFINE_PER_CPU(m, 'u32', 'x');
  const s = DEFINE_PER_CPU(m, m.ctypes.struct('pair', { a: 'int', b: 'long[2]' }), 's');
  m.boot();
  return { m, x, s };
}

/** What a refused call must leave unchanged. */
function state(m: Machine): unknown {
  return { preempt: m.ctx.preemptCount, irqs: m.ctx.irqsDisabled, x0: Array.from(m.u8.slice(0, 64)) };
}

describe('a generated op given no machine', () => {
  const cases: Array<[string, (m: unknown, p: unknown) => unknown]> = [
    ['this_cpu_add_4', (m, p) => x86.this_cpu_add_4(m as Machine, p as never, 1)],
    ['this_cpu_read_4', (m, p) => x86.this_cpu_read_4(m as Machine, p as never)],
    ['raw_cpu_cmpxchg_4', (m, p) => x86.raw_cpu_cmpxchg_4(m as Machine, p as never, 0, 1)],
    ['arm64 this_cpu_add_4', (m, p) => arm64.this_cpu_add_4(m as Machine, p as never, 1)],
    ['generic this_cpu_xchg_4', (m, p) => generic.this_cpu_xchg_4(m as Machine, p as never, 1)],
    ['stepped this_cpu_add_4', (m, p) => x86Stepped.this_cpu_add_4(m as Machine, p as never, 1).next()],
  ];
  for (const [name, call] of cases) {
    for (const [label, bad] of [['null', null], ['undefined', undefined], ['5', 5], ['{}', {}]] as const) {
      it(`${name} with m = ${label}: names the op and the argument, writes nothing`, () => {
        const { m, x } = world(name.startsWith('arm64') ? 'arm64' : name.startsWith('generic') ? 'generic' : 'x86_64');
        const before = state(m);
        const op = name.replace(/^(arm64|generic|stepped) /, '');
        const got = label === '{}' ? 'an object ([object Object])' : label === '5' ? '5' : label;
        expect(() => call(bad, x)).toThrow(new TypeError(`${op}: expected a Machine (new Machine({ cpus })), got ${got}; nothing was written`));
        expect(state(m)).toEqual(before);
        expect(per_cpu(m, x, 0)).toBe(0);
      });
    }
  }

  it('with the right machine the op still adds (the check refuses only a wrong one)', () => {
    const { m, x } = world();
    x86.this_cpu_add_4(m, x, 7);
    expect(per_cpu(m, x, 0)).toBe(7);
  });
});

describe('member pointers and kmalloc given no machine', () => {
  it('pcpu_member, pcpu_cast and pcpu_ptr_add name themselves', () => {
    const { s } = world();
    expect(() => pcpu_member(null as never, s, 'b[1]')).toThrow(new TypeError('pcpu_member: expected a Machine (new Machine({ cpus })), got null'));
    expect(() => pcpu_cast(undefined as never, s, 'int')).toThrow(new TypeError('pcpu_cast: expected a Machine (new Machine({ cpus })), got undefined'));
    expect(() => pcpu_ptr_add(null as never, s, 4)).toThrow(new TypeError('pcpu_ptr_add: expected a Machine (new Machine({ cpus })), got null'));
  });

  it('pcpu_cast names itself when the type is wrong, not the call it is built on', () => {
    const { m, s } = world();
    expect(() => pcpu_cast(m, s, 5 as never)).toThrow(
      new TypeError("pcpu_cast(s): expected a type (a scalar name such as 'u32', a C type such as 's8' or 'struct pcp', or a type from m.ctypes), got 5"),
    );
  });

  it('kmalloc, kzalloc, kcalloc, kfree and global_var refuse a missing machine and allocate nothing', () => {
    for (const [name, call] of [
      ['kmalloc', () => kmalloc(null as never, 'u32')],
      ['kzalloc', () => kzalloc(undefined as never, 'u32')],
      ['kcalloc', () => kcalloc(null as never, 2, 'u32')],
      ['global_var', () => global_var(null as never, 'u32', 'g')],
    ] as const) {
      expect(call, name).toThrow(new TypeError(`${name}: expected a Machine (new Machine({ cpus })), got ${name === 'kzalloc' ? 'undefined' : 'null'}`));
    }
    const { m } = world();
    const p = kzalloc(m, 'u32')!;
    expect(() => kfree(null as never, p)).toThrow(new TypeError('kfree: expected a Machine (new Machine({ cpus })), got null'));
    kfree(m, p); // still live: the refused kfree freed nothing
  });
});

describe('an architecture registered without its stepped ops', () => {
  it('keeps its fast typed ops, and its stepped typed ops refuse by name', () => {
    registerArchOps('nostepped' as never, x86 as unknown as Record<string, unknown>);
    const table = opsFor('nostepped' as never, 'u32') as unknown as { this_cpu_add: unknown; stepped: Record<string, () => unknown> };
    expect(typeof table.this_cpu_add).toBe('function');
    expect(() => table.stepped.this_cpu_add()).toThrow(
      new TypeError('this_cpu_add(): no stepped ops are registered for arch nostepped: pass generated/nostepped/percpu-stepped.js to registerArchOps(arch, ops, steppedOps)'),
    );
  });

  it('takes them as the third argument, checked like the fast module', () => {
    expect(() => registerArchOps('withstepped' as never, x86 as unknown as Record<string, unknown>, {})).toThrow(
      new TypeError('registerArchOps: steppedMod: the module given for withstepped has no function raw_cpu_read_1'),
    );
    registerArchOps('withstepped' as never, x86 as unknown as Record<string, unknown>, x86Stepped as unknown as Record<string, unknown>);
    const table = opsFor('withstepped' as never, 'u32') as unknown as { stepped: Record<string, unknown> };
    expect(table.stepped.this_cpu_add).toBe(x86Stepped.this_cpu_add_4);
  });
});
