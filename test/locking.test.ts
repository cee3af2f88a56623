/**
 * Issue 11 item 6: spinlock_t, raw_spinlock_t, local_lock_t/local_trylock_t and
 * u64_stats_sync in machine memory, in both kernel configurations, fast and
 * stepped, with the lockdep-style checks in the kernel's words.
 */
import { describe, expect, it } from 'vitest';
import { kernelType } from '../c/index.js';
import { per_cpu_ptr } from '../src/accessors.js';
import { DEFINE_PER_CPU } from '../src/define.js';
import { exploreExhaustive, runSchedule } from '../src/explore/explorer.js';
import { localLockIrqUnsafe, localLockIrqsave, localLockIrqsaveRT } from '../src/explore/scenarios/index.js';
import { Machine } from '../src/machine.js';
import { __alloc_percpu } from '../src/mm/percpu-alloc.js';
import { local_irq_restore, local_irq_save, preempt_disable, preempt_enable } from '../src/kernel/preempt.js';
import {
  local_lock, local_lock_init, local_lock_irqsave, local_trylock, local_trylock_init, local_unlock, local_unlock_irqrestore,
} from '../src/kernel/locking/local-lock.js';
import {
  raw_spin_lock, raw_spin_unlock, spin_is_locked, spin_lock, spin_lock_bh, spin_lock_init, spin_lock_irq, spin_lock_irqsave,
  spin_trylock, spin_unlock, spin_unlock_bh, spin_unlock_irq, spin_unlock_irqrestore,
} from '../src/kernel/locking/spinlock.js';
import * as stepped from '../src/stepped.js';
import {
  u64_stats_add, u64_stats_fetch_begin, u64_stats_fetch_retry, u64_stats_inc, u64_stats_read, u64_stats_update_begin,
  u64_stats_update_begin_irqsave, u64_stats_update_end,
} from '../src/lib/u64-stats-sync.js';
import { formatTraceEntry } from '../src/sched/scheduler.js';
import { reg } from '../src/sched/step.js';
import type { ExecContext } from '../src/machine.js';
import type { Scenario, World } from '../src/sched/task.js';

function boot(preemptRT = false): { m: Machine; lock: number; pcp: ReturnType<typeof __alloc_percpu> } {
  const m = new Machine({ cpus: 2, preemptRT });
  DEFINE_PER_CPU(m, 'u32', 'counter');
  m.boot();
  const pcp = __alloc_percpu(m, 64, 8)!;
  return { m, lock: per_cpu_ptr(m, pcp, 0), pcp };
}

/** What the running context's state is: preempt_count, irqs, migration. */
function state(m: Machine): string {
  return `pc=0x${m.ctx.preemptCount.toString(16)} irqsoff=${m.ctx.irqsDisabled ? 1 : 0} migdis=${m.ctx.migrationDisabled}`;
}

function other(m: Machine, fn: () => void): void {
  const ctx = m.ctx;
  m.ctx = { comm: 'A', pid: 101, kind: 'task', preemptCount: 0, irqsDisabled: false, pinned: false, migrationDisabled: 0 } as ExecContext;
  try {
    fn();
  } finally {
    m.ctx = ctx;
  }
}

describe('spinlock_t without PREEMPT_RT (fast forms)', () => {
  it('the lock word, preemption, interrupts and bottom halves as each form leaves them', () => {
    const { m, lock } = boot();
    spin_lock_init(m, lock, '&pool->lock');
    expect(kernelType('spinlock_t', { preemptRT: false }).size).toBe(4);
    spin_lock(m, lock);
    expect([m.load(lock, 'u32'), state(m), spin_is_locked(m, lock)]).toEqual([1, 'pc=0x1 irqsoff=0 migdis=0', true]);
    spin_unlock(m, lock);
    expect([m.load(lock, 'u32'), state(m)]).toEqual([0, 'pc=0x0 irqsoff=0 migdis=0']);
    spin_lock_irq(m, lock);
    expect(state(m)).toBe('pc=0x1 irqsoff=1 migdis=0');
    spin_unlock_irq(m, lock);
    const flags = spin_lock_irqsave(m, lock);
    expect([flags, state(m)]).toEqual([0x200, 'pc=0x1 irqsoff=1 migdis=0']);
    spin_unlock_irqrestore(m, lock, flags);
    spin_lock_bh(m, lock);
    expect(state(m)).toBe('pc=0x201 irqsoff=0 migdis=0');
    spin_unlock_bh(m, lock);
    expect([spin_trylock(m, lock), state(m)]).toEqual([true, 'pc=0x1 irqsoff=0 migdis=0']);
    other(m, () => expect(spin_trylock(m, lock)).toBe(false));
    spin_unlock(m, lock);
    expect([m.load(lock, 'u32'), state(m)]).toEqual([0, 'pc=0x0 irqsoff=0 migdis=0']);
  });

  it('refusals in the kernel\'s words, leaving preemption, interrupts and the lock as they were', () => {
    const { m, lock } = boot();
    spin_lock_init(m, lock, '&pool->lock');
    spin_lock(m, lock);
    expect(() => spin_lock_irqsave(m, lock)).toThrow([
      'WARNING: possible recursive locking detected',
      'init/1 is trying to acquire lock:',
      ' (&pool->lock), at: spin_lock_irqsave',
      'but task is already holding lock:',
      ' (&pool->lock), at: spin_lock',
    ].join('\n'));
    expect([m.load(lock, 'u32'), state(m)]).toEqual([1, 'pc=0x1 irqsoff=0 migdis=0']);
    other(m, () => {
      expect(() => spin_unlock(m, lock)).toThrow([
        'WARNING: bad unlock balance detected!', 'A/101 is trying to release lock (&pool->lock) at:', 'spin_unlock', 'but the lock is held by init/1!',
      ].join('\n'));
      expect(() => spin_lock(m, lock)).toThrow(
        'spin_lock: &pool->lock is held by init/1; a fast (unstepped) call cannot wait for it — nothing else runs until it returns. Use the stepped spin_lock in a scenario',
      );
      expect(state(m)).toBe('pc=0x0 irqsoff=0 migdis=0');
    });
    spin_unlock(m, lock);
    expect(() => spin_unlock(m, lock)).toThrow([
      'WARNING: bad unlock balance detected!', 'init/1 is trying to release lock (&pool->lock) at:', 'spin_unlock', 'but there are no more locks to release!',
    ].join('\n'));
    expect([m.load(lock, 'u32'), state(m)]).toEqual([0, 'pc=0x0 irqsoff=0 migdis=0']);
    expect(() => spin_lock(m, lock + 2)).toThrow('spin_lock: 0x' + (lock + 2).toString(16) + ' is not a 4-byte aligned address in mapped memory');
    expect(() => spin_unlock_irqrestore(m, lock, 7)).toThrow('spin_unlock_irqrestore: flags must be a value the matching _irqsave returned (0 or 0x200), got 7');
    raw_spin_lock(m, lock + 8);
    expect(() => spin_lock(m, lock + 8)).toThrow(`spin_lock: the lock at 0x${(lock + 8).toString(16)} (lock@0x${(lock + 8).toString(16)}) is a raw_spinlock_t, not a spinlock_t`);
    raw_spin_unlock(m, lock + 8);
    expect(state(m)).toBe('pc=0x0 irqsoff=0 migdis=0');
  });
});

describe('spinlock_t with PREEMPT_RT', () => {
  it('an rt_mutex_base of 32 bytes: the owner word holds the owner, migration (not preemption) is disabled, interrupts stay on', () => {
    const { m, lock } = boot(true);
    expect(kernelType('spinlock_t', { preemptRT: true }).size).toBe(32);
    spin_lock_init(m, lock, '&pool->lock');
    spin_lock(m, lock);
    expect([m.load(lock + 24, 'u64'), state(m)]).toEqual([1n, 'pc=0x0 irqsoff=0 migdis=1']);
    spin_unlock(m, lock);
    const flags = spin_lock_irqsave(m, lock);
    expect([flags, state(m)]).toEqual([0, 'pc=0x0 irqsoff=0 migdis=1']);
    spin_unlock_irqrestore(m, lock, flags);
    expect([m.load(lock + 24, 'u64'), state(m)]).toEqual([0n, 'pc=0x0 irqsoff=0 migdis=0']);
    raw_spin_lock(m, lock + 32);
    expect(state(m)).toBe('pc=0x1 irqsoff=0 migdis=0'); // raw_spinlock_t still spins with preemption off
    raw_spin_unlock(m, lock + 32);
  });

  it('taken where it may not sleep: BUG: sleeping function called from invalid context, as __might_resched prints it', () => {
    const { m, lock } = boot(true);
    preempt_disable(m);
    expect(() => spin_lock(m, lock)).toThrow([
      'BUG: sleeping function called from invalid context at kernel/locking/spinlock_rt.c (rt_spin_lock)',
      'in_atomic(): 1, irqs_disabled(): 0, non_block: 0, pid: 1, name: init',
      'preempt_count: 1, expected: 0',
    ].join('\n'));
    expect([m.load(lock + 24, 'u64'), state(m)]).toEqual([0n, 'pc=0x1 irqsoff=0 migdis=0']);
    preempt_enable(m);
    const f = local_irq_save(m);
    expect(() => spin_lock_irqsave(m, lock)).toThrow('in_atomic(): 0, irqs_disabled(): 1, non_block: 0, pid: 1, name: init');
    local_irq_restore(m, f);
  });
});

describe('local_lock_t and local_trylock_t', () => {
  it('without PREEMPT_RT: empty, preempt_disable / local_irq_save of this CPU, one lockdep class for all CPUs', () => {
    const { m, pcp } = boot();
    expect(kernelType('local_lock_t', { preemptRT: false }).size).toBe(0);
    local_lock_init(m, pcp!, 'cpu_fbatches.lock');
    local_lock(m, pcp!);
    expect(state(m)).toBe('pc=0x1 irqsoff=0 migdis=0');
    expect(() => local_lock(m, pcp!)).toThrow('WARNING: possible recursive locking detected\ninit/1 is trying to acquire lock:\n (cpu_fbatches.lock), at: local_lock');
    expect(state(m)).toBe('pc=0x1 irqsoff=0 migdis=0');
    local_unlock(m, pcp!);
    const flags = local_lock_irqsave(m, pcp!);
    expect([flags, state(m)]).toEqual([0x200, 'pc=0x0 irqsoff=1 migdis=0']);
    local_unlock_irqrestore(m, pcp!, flags);
    expect(state(m)).toBe('pc=0x0 irqsoff=0 migdis=0');
    // As in the kernel, this_cpu_ptr() in preemptible code is reported first; with preemption off, the unlock itself.
    expect(() => local_unlock(m, pcp!)).toThrow('BUG: using smp_processor_id() in preemptible [00000000] code: init/1');
    preempt_disable(m);
    expect(() => local_unlock(m, pcp!)).toThrow('WARNING: bad unlock balance detected!\ninit/1 is trying to release lock (cpu_fbatches.lock) at:\nlocal_unlock');
    expect(state(m)).toBe('pc=0x1 irqsoff=0 migdis=0');
    preempt_enable(m);
  });

  it('with PREEMPT_RT: migrate_disable and this CPU\'s sleeping spinlock_t; irqsave leaves interrupts on', () => {
    const { m, pcp } = boot(true);
    local_lock_init(m, pcp!, 'cpu_fbatches.lock');
    const flags = local_lock_irqsave(m, pcp!);
    expect([flags, state(m), m.load(per_cpu_ptr(m, pcp!, 0) + 24, 'u64'), m.load(per_cpu_ptr(m, pcp!, 1) + 24, 'u64')]).toEqual([0, 'pc=0x0 irqsoff=0 migdis=1', 1n, 0n]);
    local_unlock_irqrestore(m, pcp!, flags);
    expect([state(m), m.load(per_cpu_ptr(m, pcp!, 0) + 24, 'u64')]).toEqual(['pc=0x0 irqsoff=0 migdis=0', 0n]);
  });

  it('local_trylock: the acquired byte; fails (changing nothing) while held, and only on a local_trylock_t', () => {
    const { m, pcp } = boot();
    local_trylock_init(m, pcp!, 'stock.lock');
    expect([local_trylock(m, pcp!), state(m), m.u8[per_cpu_ptr(m, pcp!, 0)]]).toEqual([true, 'pc=0x1 irqsoff=0 migdis=0', 1]);
    other(m, () => {
      m.ctx.preemptCount = 0;
      expect([local_trylock(m, pcp!), state(m)]).toEqual([false, 'pc=0x0 irqsoff=0 migdis=0']);
    });
    local_unlock(m, pcp!);
    expect([state(m), m.u8[per_cpu_ptr(m, pcp!, 0)]]).toEqual(['pc=0x0 irqsoff=0 migdis=0', 0]);
    const q = __alloc_percpu(m, 8, 8)!;
    local_lock_init(m, q, 'plain');
    expect(() => local_trylock(m, q)).toThrow('local_trylock: plain is a local_lock_t; local_trylock() takes a local_trylock_t (local_trylock_init)');
  });
});

function scenario(build: () => World, bound = 1): Scenario {
  return { name: 'custom', title: 'custom', description: '', expect: 'none', cpus: 2, bound, build };
}

describe('stepped locks under the explorer', () => {
  it('two CPUs contend for a spinlock: the waiter spins with preemption off, nobody loses an update', () => {
    const s = scenario(() => {
      const { m, lock } = boot();
      spin_lock_init(m, lock, '&l');
      let n = 0;
      const body = function* () { yield* stepped.spin_lock(m, lock); const v = n; yield* reg('nop'); n = v + 1; yield* stepped.spin_unlock(m, lock); };
      return { m, tasks: [{ name: 'A', cpu: 0, run: body }, { name: 'B', cpu: 1, run: body }], final: () => (n === 2 ? null : `n = ${n}`) };
    });
    const r = exploreExhaustive(s, { maxViolations: Infinity });
    expect([r.violations.length, r.complete]).toEqual([0, true]);
    const sch = runSchedule(s, '0,1,0');
    // B starts (preemption off) and waits on the lock A holds; A goes on.
    expect(sch.trace.map(formatTraceEntry).slice(0, 3)).toEqual([
      '#1   cpu0 A: call spin_lock(&l)', '#2   cpu1 B: (starts; waits at call spin_lock(&l))', '#3   cpu0 A: nop',
    ]);
    expect(sch.tasks.map((t) => t.ctx.preemptCount)).toEqual([0, 0]);
    expect(() => runSchedule(s, '0,1,1')).toThrow("schedule: choice 3 '1' is not enabled at that point: B on cpu1 cannot proceed (blocked)");
  });

  it('lockdep: a lock taken in hardirq context and with hardirqs enabled in a task: inconsistent lock state', () => {
    const s = (irqsafe: boolean) => scenario(() => {
      const { m, lock } = boot();
      spin_lock_init(m, lock, '&dev->lock');
      return {
        m,
        tasks: [{
          name: 'T', cpu: 0, pinned: true,
          *run() {
            const f = irqsafe ? yield* stepped.spin_lock_irqsave(m, lock) : (yield* stepped.spin_lock(m, lock), 0);
            yield* reg('nop');
            if (irqsafe) yield* stepped.spin_unlock_irqrestore(m, lock, f);
            else yield* stepped.spin_unlock(m, lock);
          },
        }],
        irqs: [{ name: 'dev', cpus: [0], *run() { yield* stepped.spin_lock(m, lock); yield* stepped.spin_unlock(m, lock); } }],
        final: () => null,
      };
    }, 0);
    const msgs = new Set(exploreExhaustive(s(false), { maxViolations: Infinity }).violations.map((v) => v.message));
    expect([...msgs].sort()).toEqual([
      'T on cpu0: WARNING: inconsistent lock state\ninconsistent {IN-HARDIRQ-W} -> {HARDIRQ-ON-W} usage.\nT/101 [HC0[0]:SC0[0]:HE1:SE1] takes:\n (&dev->lock), at: spin_lock',
      'dev on cpu0: WARNING: inconsistent lock state\ninconsistent {HARDIRQ-ON-W} -> {IN-HARDIRQ-W} usage.\ndev/0 [HC1[1]:SC0[0]:HE0:SE1] takes:\n (&dev->lock), at: spin_lock',
    ]);
    expect(exploreExhaustive(s(true), { maxViolations: Infinity }).violations).toEqual([]);
  });

  it('the shipped local_lock scenarios: irqsave is safe in both configurations (RT: no deadlock), plain local_lock with a handler is reported', () => {
    const rt = exploreExhaustive(localLockIrqsaveRT, { maxViolations: Infinity });
    expect([rt.violations.length, rt.complete]).toEqual([0, true]);
    expect(exploreExhaustive(localLockIrqsave, { maxViolations: Infinity }).violations).toEqual([]);
    const bad = exploreExhaustive(localLockIrqUnsafe);
    expect(bad.violations[0]!.message).toMatch(/^(T|nic) on cpu0: WARNING: inconsistent lock state\n/);
  });
});

describe('u64_stats_sync on 64-bit', () => {
  it('the sync calls do nothing (no step either); the counters are single 8-byte instructions', () => {
    const { m, lock: base } = boot();
    const syncp = base;
    const bytes = base + 8;
    expect(kernelType('struct u64_stats_sync').size).toBe(0);
    u64_stats_update_begin(m, syncp);
    u64_stats_add(m, bytes, 1500n);
    u64_stats_inc(m, bytes);
    u64_stats_update_end(m, syncp);
    expect(state(m)).toBe('pc=0x0 irqsoff=0 migdis=0');
    let start: number;
    do {
      start = u64_stats_fetch_begin(m, syncp);
    } while (u64_stats_fetch_retry(m, syncp, start));
    expect([start, u64_stats_read(m, bytes)]).toEqual([0, 1501n]);
    expect([u64_stats_update_begin_irqsave(m, syncp), state(m)]).toEqual([0, 'pc=0x0 irqsoff=0 migdis=0']);
    expect(() => u64_stats_add(m, bytes, 1 as unknown as bigint)).toThrow('u64_stats_add: the value must be a bigint (u64), got 1');
    expect(() => u64_stats_read(m, bytes + 4)).toThrow('u64_stats_read: the counter must point to a u64_stats_t (a KPtr, or its 8-byte aligned address in mapped memory), got ');
    expect(u64_stats_read(m, bytes)).toBe(1501n);
    const gen = stepped.u64_stats_update_begin(m, syncp);
    expect(gen.next()).toEqual({ value: undefined, done: true });
    const add = stepped.u64_stats_add(m, bytes, 2n);
    expect(add.next().value).toEqual({ asm: `addq $2, 0x${bytes.toString(16)}`, addr: bytes, size: 8, access: 'w' });
    expect(add.next().done).toBe(true);
    expect(u64_stats_read(m, bytes)).toBe(1503n);
  });
});
