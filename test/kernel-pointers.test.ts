/**
 * Typed pointers where the kernel passes `&x->member`: one CPU's copy as a C
 * pointer (this_cpu_kptr, per_cpu_kptr), the locks, u64_stats and the plain
 * stepped load/store on typed pointers, smp_cond_load_relaxed(); refusals
 * change nothing.
 */
import { describe, expect, it } from 'vitest';
import {
  Machine, READ_ONCE, alloc_percpu, kptr_cast, kfree, global_var, kptr_member, kzalloc, pcpu_member, per_cpu, per_cpu_kptr, preempt_disable,
  preempt_enable, raw_cpu_kptr, smp_cond_load_relaxed, spin_is_locked, spin_lock, spin_lock_init, spin_unlock, stepped,
  this_cpu_kptr, u64_stats_add, u64_stats_inc, u64_stats_read, u64_stats_update_begin, u64_stats_update_end, WRITE_ONCE,
} from '../src/index.js';
import { formatTraceEntry } from '../src/sched/scheduler.js';
import { Scheduler } from '../src/sched/scheduler.js';

function machine(preemptRT = false): Machine {
  const m = new Machine({ cpus: 2, preemptRT });
  m.ctypes.struct('bh_lru', { bhs: 'struct buffer_head *[4]' });
  m.ctypes.struct('pcpu_sw_netstats', {
    rx_packets: 'u64_stats_t', rx_bytes: 'u64_stats_t', tx_packets: 'u64_stats_t', tx_bytes: 'u64_stats_t', syncp: 'struct u64_stats_sync',
  }, { aligned: 32 });
  m.ctypes.struct('pool', { lock: 'spinlock_t', diff: 's8' });
  return m;
}

function state(m: Machine): string {
  return `pc=${m.ctx.preemptCount} irqsoff=${m.ctx.irqsDisabled ? 1 : 0}`;
}

describe('a CPU\'s copy as a typed pointer', () => {
  it('this_cpu_kptr / per_cpu_kptr / raw_cpu_kptr point at one CPU\'s copy, named as C names it', () => {
    const m = machine();
    m.boot();
    const diff = pcpu_member(m, alloc_percpu(m, 'struct pool', 'pool')!, 'diff', 's8');
    const p1 = per_cpu_kptr(m, diff, 1);
    expect(p1.sym).toBe('*per_cpu_ptr(&pool->diff, 1)');
    WRITE_ONCE(m, p1, -5);
    expect(per_cpu(m, diff, 1)).toBe(-5);
    expect(per_cpu(m, diff, 0)).toBe(0);
    preempt_disable(m);
    const b = this_cpu_kptr(m, diff, 'd');
    preempt_enable(m);
    expect([b.sym, b.addr, b.origin.kind]).toEqual(['*d', per_cpu_kptr(m, diff, 0).addr, 'percpu']);
    expect(raw_cpu_kptr(m, diff).sym).toBe('*raw_cpu_ptr(&pool->diff)');
  });

  it('this_cpu_kptr in preemptible code is DEBUG_PREEMPT\'s BUG; a bad name or an untyped pointer is refused', () => {
    const m = machine();
    m.boot();
    const p = alloc_percpu(m, 'struct bh_lru', 'bh_lrus')!;
    expect(() => this_cpu_kptr(m, p)).toThrow('BUG: using smp_processor_id() in preemptible [00000000] code');
    expect(() => per_cpu_kptr(m, p, 0, 'a b')).toThrow('per_cpu_kptr: the name must be a C identifier, got "a b"');
    expect(() => per_cpu_kptr(m, p, 2)).toThrow('per_cpu_kptr: invalid CPU 2: this machine has CPUs 0-1');
    expect(state(m)).toBe('pc=0 irqsoff=0');
  });

  it('members of a CPU\'s copy: kptr_member names them `b->bhs[2]`, READ_ONCE reads that copy', () => {
    const m = machine();
    m.boot();
    const lrus = alloc_percpu(m, 'struct bh_lru', 'bh_lrus')!;
    const b1 = per_cpu_kptr(m, lrus, 1, 'b');
    const slot = kptr_member(m, b1, 'bhs[2]');
    expect(slot.sym).toBe('b->bhs[2]');
    WRITE_ONCE(m, slot, 0x1234n);
    expect(READ_ONCE(m, kptr_member(m, per_cpu_kptr(m, lrus, 1), 'bhs[2]'))).toBe(0x1234n);
    expect(READ_ONCE(m, kptr_member(m, per_cpu_kptr(m, lrus, 0), 'bhs[2]'))).toBe(0n);
    expect(kptr_member(m, per_cpu_kptr(m, lrus, 0), 'bhs[1]').sym).toBe('per_cpu_ptr(bh_lrus, 0)->bhs[1]');
  });
});

describe('locks and u64_stats through typed pointers', () => {
  it('spin_lock(&pcp->lock): the lock is named by the pointer; a wrong type or a __percpu pointer is refused, nothing changed', () => {
    const m = machine();
    const pool = global_var(m, 'struct pool', 'pool');
    m.boot();
    const lock = kptr_member(m, pool, 'lock');
    spin_lock(m, lock);
    expect([spin_is_locked(m, lock), state(m)]).toEqual([true, 'pc=1 irqsoff=0']);
    spin_unlock(m, lock);
    expect([spin_is_locked(m, lock), state(m)]).toEqual([false, 'pc=0 irqsoff=0']);
    expect(() => spin_lock(m, kptr_member(m, pool, 'diff'))).toThrow('spin_lock: pool.diff is a s8, not a spinlock_t');
    const pl = alloc_percpu(m, 'struct pool', 'pl')!;
    expect(() => spin_lock(m, pcpu_member(m, pl, 'lock') as never)).toThrow(
      "spin_lock: pl->lock is a __percpu pointer; pass one CPU's lock: this_cpu_kptr() or per_cpu_kptr() of it (sparse: incorrect type in argument, different address spaces)",
    );
    expect(() => spin_lock(m, 'x' as never)).toThrow('spin_lock: the lock must be a pointer to it (a KPtr: kptr_member(), global_var(), this_cpu_kptr()) or its address in machine memory, got "x"');
    expect([state(m), spin_is_locked(m, lock), m.view.getUint32(lock.addr, true)]).toEqual(['pc=0 irqsoff=0', false, 0]);
    const cpu1 = kptr_member(m, per_cpu_kptr(m, pl, 1), 'lock');
    spin_lock_init(m, cpu1);
    spin_lock(m, cpu1);
    expect(m.view.getUint32(cpu1.addr, true)).toBe(1);
    spin_unlock(m, cpu1);
  });

  it('a contended lock named by its pointer: the stepped acquisition waits, and its trace line names it', () => {
    const m = machine();
    const pool = global_var(m, 'struct pool', 'pool');
    m.boot();
    const lock = kptr_member(m, pool, 'lock');
    const sch = new Scheduler({
      m,
      tasks: [
        { name: 'A', cpu: 0, *run() { yield* stepped.spin_lock(m, lock); yield* stepped.spin_unlock(m, lock); } },
        { name: 'B', cpu: 1, *run() { yield* stepped.spin_lock(m, lock); yield* stepped.spin_unlock(m, lock); } },
      ],
      final: () => null,
    }, 0);
    sch.apply({ kind: 'step', cpu: 0 });
    sch.apply({ kind: 'step', cpu: 1 });
    expect(sch.enabled().map((e) => e.choice)).toEqual([{ kind: 'step', cpu: 0 }]);
    sch.apply({ kind: 'step', cpu: 0 });
    expect(sch.enabled().map((e) => e.choice)).toEqual([{ kind: 'step', cpu: 1 }]);
    expect(sch.trace.map(formatTraceEntry)).toEqual([
      '#1   cpu0 A: call spin_lock(&pool.lock)', '#2   cpu1 B: (starts; waits at call spin_lock(&pool.lock))', '#3   cpu0 A: call spin_unlock(&pool.lock)',
      '     cpu0 .. A exits; cpu0 idle',
    ]);
  });

  it('u64_stats on &tstats->rx_packets and &tstats->syncp; a pointer of another type is refused', () => {
    const m = machine();
    m.boot();
    const pcpu = alloc_percpu(m, 'struct pcpu_sw_netstats', 'tstats')!;
    const t = per_cpu_kptr(m, pcpu, 1, 'tstats');
    u64_stats_update_begin(m, kptr_member(m, t, 'syncp'));
    u64_stats_add(m, kptr_member(m, t, 'rx_bytes'), 1500n);
    u64_stats_inc(m, kptr_member(m, t, 'rx_packets'));
    u64_stats_update_end(m, kptr_member(m, t, 'syncp'));
    expect([u64_stats_read(m, kptr_member(m, t, 'rx_bytes')), u64_stats_read(m, kptr_member(m, t, 'rx_packets'))]).toEqual([1500n, 1n]);
    expect(() => u64_stats_inc(m, kptr_member(m, t, 'syncp') as never)).toThrow('u64_stats_inc: the counter must point to a u64_stats_t; tstats->syncp is a struct u64_stats_sync');
    expect(() => u64_stats_update_begin(m, kptr_member(m, t, 'rx_bytes'))).toThrow('u64_stats_update_begin: syncp must point to a struct u64_stats_sync; tstats->rx_bytes is a u64_stats_t');
    const gen = stepped.u64_stats_inc(m, kptr_member(m, t, 'rx_packets'));
    expect(gen.next().value).toMatchObject({ asm: 'incq tstats->rx_packets', size: 8, access: 'w' });
    gen.next();
    expect(u64_stats_read(m, kptr_member(m, t, 'rx_packets'))).toBe(2n);
  });
});

describe('plain steps and smp_cond_load_relaxed on typed pointers', () => {
  it('load/store through a KPtr read and write its type (signed read back signed) and record what they moved', () => {
    const m = machine();
    const pool = global_var(m, 'struct pool', 'pool');
    m.boot();
    const diff = kptr_member(m, pool, 'diff', 's8');
    const st = stepped.store(m, diff, -3);
    const s1 = st.next().value as { asm: string; moved?: string };
    expect(s1.asm).toBe('movb %al, pool.diff');
    st.next();
    expect(s1.moved).toBe('0 -> -3');
    const ld = stepped.load(m, diff);
    const s2 = ld.next().value as { asm: string; moved?: string };
    expect([s2.asm, ld.next().value, s2.moved]).toEqual(['movb pool.diff, %al', -3, '-3']);
    expect(() => stepped.store(m, diff, 1n as never).next()).toThrow();
    expect(READ_ONCE(m, diff)).toBe(-3);
    expect(() => stepped.load(m, pool as never).next()).toThrow("load: pool is a struct pool, not a scalar; take a member first: kptr_member(m, p, 'member')");
  });

  it('smp_cond_load_relaxed: the fast form returns a value that holds and refuses to wait; the stepped one is enabled only once it holds', () => {
    const m = machine();
    const flags = global_var(m, 'int', 'flags', 0x200);
    m.boot();
    expect(() => smp_cond_load_relaxed(m, flags, (v) => !(v & 0x200))).toThrow(
      'smp_cond_load_relaxed(flags): the condition is false (flags is 512); a fast (unstepped) call cannot wait for another CPU to change it. Use the stepped smp_cond_load_relaxed in a scenario',
    );
    const g = stepped.smp_cond_load_relaxed(m, flags, (v) => !(v & 0x200));
    const step = g.next().value as { asm: string; enabled: () => boolean };
    expect([step.asm, step.enabled()]).toEqual(['movl flags, %eax', false]);
    WRITE_ONCE(m, flags, 0x40);
    expect(step.enabled()).toBe(true);
    expect(g.next()).toEqual({ value: 0x40, done: true });
    expect(smp_cond_load_relaxed(m, flags, (v) => v === 0x40)).toBe(0x40);
  });
});

describe('kptr_cast: a typed pointer from an address read out of memory', () => {
  it('names the object it lands on; NULL, a freed object or per-CPU memory are refused', () => {
    const m = machine();
    m.ctypes.struct('buffer_head', { b_state: 'unsigned long', b_count: 'atomic_t' });
    const g = global_var(m, 'struct buffer_head', 'static_bh');
    m.boot();
    const bh = kzalloc(m, 'struct buffer_head', 'bh_X')!;
    const p = kptr_cast(m, BigInt(bh.addr), 'struct buffer_head');
    expect([p.sym, p.addr, kptr_member(m, p, 'b_count').sym]).toEqual(['*bh_X', bh.addr, 'bh_X->b_count']);
    expect(kptr_cast(m, g.addr, 'struct buffer_head').sym).toBe('static_bh');
    expect(kptr_cast(m, bh.addr + 8, 'atomic_t').sym).toBe(`*(atomic_t *)0x${(bh.addr + 8).toString(16)}`);
    expect(() => kptr_cast(m, 0n, 'struct buffer_head')).toThrow('kptr_cast(0n): 0x0 is not inside a global or a live kmalloc() object; nothing was made');
    const lrus = alloc_percpu(m, 'struct bh_lru', 'bh_lrus')!;
    const at = per_cpu_kptr(m, lrus, 0).addr;
    expect(() => kptr_cast(m, at, 'struct bh_lru')).toThrow(`kptr_cast(${at}): 0x${at.toString(16)} is not inside a global or a live kmalloc() object; nothing was made`);
    const freed = bh.addr;
    kfree(m, bh);
    expect(() => kptr_cast(m, BigInt(freed), 'struct buffer_head')).toThrow(`kptr_cast(${freed}n): 0x${freed.toString(16)} is not inside a global or a live kmalloc() object; nothing was made`);
    expect(() => kptr_cast(m, 'x' as never, 'int')).toThrow('kptr_cast("x"): the address must be an integer (a number or a bigint), got "x"');
  });
});

describe('traces name plain addresses into globals and kmalloc objects', () => {
  it('a store to a global and a load from a kzalloc object, through raw addresses', async () => {
    const { runSchedule, formatTrace } = await import('../src/index.js');
    const trace = runSchedule({
      name: 'names', title: '', description: '', expect: 'none', cpus: 1,
      build() {
        const m = new Machine({ cpus: 1 });
        const g = global_var(m, 'int', 'nr_free');
        m.boot();
        m.ctypes.struct('obj', { a: 'int', b: 'long' });
        const o = kzalloc(m, 'struct obj', 'obj')!;
        return { m, tasks: [{ name: 'T', cpu: 0, *run() { yield* stepped.store(m, g.addr, 'i32', 5); yield* stepped.load(m, o.addr + 8, 'i64'); } }], final: () => null };
      },
    }, '').trace;
    expect(formatTrace(trace)).toBe([
      '  #1   cpu0 T: movl %eax, nr_free    ; 0 -> 5', '  #2   cpu0 T: movq obj->b, %rax    ; 0', '       cpu0 .. T exits; cpu0 idle',
    ].join('\n'));
    expect(typeof trace[0]!.addr).toBe('number');
  });
});

describe('per-CPU operands in traces: named by member, values as the type reads them', () => {
  it('an s8 member: addb/movb/cmpxchgb on %gs:zs.vm_stat_diff[2] with signed values', async () => {
    const { DEFINE_PER_CPU, runSchedule, formatTrace } = await import('../src/index.js');
    const trace = runSchedule({
      name: 'zs', title: '', description: '', expect: 'none', cpus: 1,
      build() {
        const m = new Machine({ cpus: 1 });
        m.ctypes.struct('per_cpu_zonestat', { vm_stat_diff: 's8[11]', stat_threshold: 's8' });
        const zs = DEFINE_PER_CPU(m, 'struct per_cpu_zonestat', 'zs');
        m.boot();
        const d = pcpu_member(m, zs, 'vm_stat_diff[2]', 's8');
        return { m, tasks: [{ name: 'T', cpu: 0, *run() { yield* stepped.this_cpu_add(m, d, -3); yield* stepped.this_cpu_read(m, d); yield* stepped.this_cpu_xchg(m, d, 5); } }], final: () => null };
      },
    }, '').trace;
    expect(formatTrace(trace)).toBe([
      '  #1   cpu0 T: addb $-3, %gs:zs.vm_stat_diff[2]    ; 0 -> -3',
      '  #2   cpu0 T: movb %gs:zs.vm_stat_diff[2], %al    ; -3',
      '  #3   cpu0 T: movb %gs:zs.vm_stat_diff[2], %al    ; -3',
      '  #4   cpu0 T: cmpxchgb %cl, %gs:zs.vm_stat_diff[2]    ; -3 -> 5',
      '       cpu0 .. T exits; cpu0 idle',
    ].join('\n'));
    expect(trace.every((e) => !/%\[\w+\]|0x[0-9a-f]{3,}/.test(e.text))).toBe(true);
  });
});
