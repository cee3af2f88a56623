/**
 * Translated C data: a per-CPU struct with array members, a global struct
 * with a designated initializer and a __percpu pointer member, laid out by
 * c/layout.ts and held in the machine's memory (test/cc/golden/stats.c). Both
 * flavours compute the same values; the stepped one makes each access to
 * ordinary memory one step named as the C spells it, with its address as the
 * footprint.
 */
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../cc/compile.js';
import { memberRef } from '../../c/layout.js';
import { Machine } from '../../src/machine.js';
import { PerCpuPtr } from '../../src/percpu-ptr.js';
import type { Step } from '../../src/sched/step.js';
import { drain, translateAndLoad, type Fn, type Loaded } from './support.js';

const FILE = path.join(ROOT, 'test/cc/golden/stats.c');

function steps(g: Generator<Step, unknown, undefined>): { value: unknown; asm: string[]; addrs: (number | undefined)[] } {
  const asm: string[] = [];
  const addrs: (number | undefined)[] = [];
  for (;;) {
    const r = g.next();
    if (r.done === true) return { value: r.value, asm, addrs };
    asm.push(r.value.asm);
    addrs.push(r.value.addr);
  }
}

describe('percpu-cc data: structs, arrays, globals in memory', () => {
  let fast: Loaded['fast'];
  let stepped: Loaded['stepped'];
  beforeAll(async () => {
    ({ fast, stepped } = await translateAndLoad(FILE));
  });

  it('lays out the per-CPU struct with the layout engine and updates members through the sized ops', () => {
    const m = new Machine({ cpus: 2, arch: 'x86_64' });
    const f = fast.instantiate(m) as Record<string, Fn> & { rx: PerCpuPtr<unknown> };
    m.boot();
    expect(f.rx.ctype!.size).toBe(32);
    expect(memberRef(f.rx.ctype!, 'diff').offset).toBe(24);
    f.rx_one(2);
    f.rx_one(0);
    f.rx_one(9);
    const base = m.addressOf(f.rx, 0);
    expect(m.load(base, 'u64')).toBe(3n);
    expect([0, 1, 2, 3].map((i) => m.load(base + 8 + 4 * i, 'u32'))).toEqual([1, 0, 1, 0]);
    // diff went 0 → -1 → -2 → -3 (not below -threshold, -3); the fourth call's -4 is, and writes 0.
    expect(m.load(base + 24, 'i8')).toBe(-3);
    f.rx_one(1);
    expect(m.load(base + 24, 'i8')).toBe(0);
    expect(f.rx_total()).toBe(5n);
  });

  it('stores a __percpu pointer in a global struct and uses it again (its offset in memory, as the kernel keeps it)', () => {
    const m = new Machine({ cpus: 2, arch: 'arm64' });
    const f = fast.instantiate(m) as Record<string, Fn> & { rx: PerCpuPtr<unknown> };
    m.boot();
    f.rx_publish();
    const base = m.addressOf(f.rx, 0);
    expect(m.load(base + 12, 'u32')).toBe(2);
    expect(f.rx_total()).toBe(0n);
  });

  it('stepped: one step per access to ordinary memory, named as the C spells it, at its address', () => {
    const m = new Machine({ cpus: 2, arch: 'x86_64' });
    const f = stepped.instantiate(m) as Record<string, (...a: (number | bigint)[]) => Generator<Step, unknown, undefined>> & { rx: PerCpuPtr<unknown> };
    m.boot();
    const one = steps(f.rx_one(1));
    expect(one.asm).toEqual(['addq %[val], %gs:[var]', 'addl %[val], %gs:[var]', 'xaddb %[tmp], %gs:[var]', 'movl cfg.threshold, %eax']);
    const total = steps(f.rx_total());
    expect(total.value).toBe(1n);
    expect(total.asm).toEqual(['movq s->packets, %rax', 'movl s->drops[0], %eax', 'movq s->packets, %rax', 'movl s->drops[0], %eax']);
    expect(total.addrs).toEqual([m.addressOf(f.rx, 0), m.addressOf(f.rx, 0) + 8, m.addressOf(f.rx, 1), m.addressOf(f.rx, 1) + 8]);
    const pub = steps(f.rx_publish());
    expect(pub.asm).toEqual(['movq %rax, cfg.stats', 'movq cfg.stats, %rax', 'addl %[val], %gs:[var]']);
    expect(drain(f.rx_total())).toBe(1n);
  });

  it('refuses a machine of the other kernel configuration', () => {
    const m = new Machine({ cpus: 2, preemptRT: true });
    expect(() => fast.instantiate(m)).toThrow('test/cc/golden/stats.c was translated for a kernel without PREEMPT_RT; translate it again with --rt for this machine');
  });
});
