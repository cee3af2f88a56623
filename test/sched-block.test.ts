/**
 * Sleeping steps: a task that cannot take a sleeping lock blocks, gives its
 * CPU to the next task of the runqueue without using the preemption bound, and
 * wakes when the lock is released. A sleeper nobody can wake is a deadlock;
 * a schedule stuck only for want of a preemption is cut, not a deadlock.
 * With PREEMPT_RT, hardirq handlers run threaded and may sleep.
 */
import { describe, expect, it } from 'vitest';
import { exploreExhaustive, runSchedule } from '../src/explore/explorer.js';
import { DEFINE_PER_CPU } from '../src/define.js';
import { Machine } from '../src/machine.js';
import { preempt_disable, preempt_enable } from '../src/kernel/preempt.js';
import { migrate_disable, migrate_enable } from '../src/kernel/sched.js';
import { Scheduler, formatTraceEntry, parseToken } from '../src/sched/scheduler.js';
import { reg, type StepGen } from '../src/sched/step.js';
import type { Scenario, TaskSpec, World } from '../src/sched/task.js';

function scenario(build: () => World, bound = 2, cpus = 2): Scenario {
  return { name: 'custom', title: 'custom', description: '', expect: 'none', cpus, bound, build };
}

function machine(preemptRT = false): Machine {
  const m = new Machine({ cpus: 2, preemptRT });
  DEFINE_PER_CPU(m, 'u32', 'counter');
  return m.boot();
}

/** A lock L whose acquisition sleeps (or spins) while another task holds it. */
function lockL(sleeps: boolean) {
  let owner: string | null = null;
  return {
    owner: () => owner,
    *lock(who: string): StepGen {
      yield { asm: `call ${sleeps ? 'rt_spin_lock' : 'spin_lock'}    ; L`, writes: ['L'], enabled: () => owner === null, sleeps };
      owner = who;
    },
    *unlock(): StepGen {
      yield { asm: 'call spin_unlock    ; L', writes: ['L'] };
      owner = null;
    },
  };
}

describe('blocking on a sleeping lock', () => {
  const twoOnOneCpu = (release: boolean, sleeps = true) => scenario(() => {
    const m = machine();
    const L = lockL(sleeps);
    const task = (name: string): TaskSpec => ({
      name, cpu: 0, *run() { yield* L.lock(name); yield* reg('nop    ; critical section'); if (release) yield* L.unlock(); else yield* reg('nop'); },
    });
    return { m, tasks: [task('A'), task('B')], final: () => null };
  }, 1);

  it('the blocked task leaves its CPU to the holder at no preemption cost, and wakes when the lock is released', () => {
    const sch = runSchedule(twoOnOneCpu(true), '0,p0:B,0,0,0');
    expect(sch.violation).toBeNull();
    expect([sch.preemptions, sch.blocks]).toEqual([1, 1]);
    expect(sch.trace.map(formatTraceEntry)).toEqual([
      '#1   cpu0 A: call rt_spin_lock    ; L',
      '#2   cpu0 -- preempt: A -> B (A waits on cpu0)',
      '#3   cpu0 B: call rt_spin_lock    ; L    ; blocks: A runs',
      '#4   cpu0 A: nop    ; critical section',
      '#5   cpu0 A: call spin_unlock    ; L',
      '     cpu0 .. A exits; cpu0 idle',
      '     cpu0 .. B wakes up and runs on cpu0',
      '#6   cpu0 B: call rt_spin_lock    ; L',
      '#7   cpu0 B: nop    ; critical section',
      '#8   cpu0 B: call spin_unlock    ; L',
      '     cpu0 .. B exits; cpu0 idle',
    ]);
    const r = exploreExhaustive(twoOnOneCpu(true), { maxViolations: Infinity });
    expect(r.violations).toEqual([]);
    expect(r.complete).toBe(true);
  });

  it('a sleeper nobody can wake is a deadlock', () => {
    const r = exploreExhaustive(twoOnOneCpu(false));
    expect(r.violations[0]!.kind).toBe('deadlock');
    expect(r.violations[0]!.message).toBe('deadlock: no transition is enabled, but B on cpu0 sleeps at call rt_spin_lock    ; L cannot finish');
  });

  it('a spinner whose lock holder waits behind it needs a preemption: at the bound the schedule is cut, not a deadlock', () => {
    const s = twoOnOneCpu(true, false);
    const sch = runSchedule(s, '0,p0:B');
    expect(sch.violation).toBeNull();
    expect(sch.boundStop).toBe(true);
    expect(sch.trace.map(formatTraceEntry).at(-1)).toBe('     cpu0 .. the preemption bound 1 is used up and nothing else can run: schedule cut');
    expect(exploreExhaustive(s, { maxViolations: Infinity }).violations).toEqual([]);
  });

  it('a sleeper on another CPU: its CPU idles, and the releasing step wakes it there (the release touches that CPU)', () => {
    const s = scenario(() => {
      const m = machine();
      const L = lockL(true);
      return {
        m,
        tasks: [
          { name: 'A', cpu: 0, pinned: true, *run() { yield* L.lock('A'); yield* reg('nop'); yield* L.unlock(); } },
          { name: 'B', cpu: 1, pinned: true, *run() { yield* L.lock('B'); yield* L.unlock(); } },
        ],
        final: () => null,
      };
    }, 0);
    const sch = new Scheduler(s.build(), 0);
    for (const t of '0,1,0'.split(',')) sch.apply(parseToken(t));
    expect(sch.cpus[1]!.current).toBeNull();
    // Waking B puts it on cpu1's runqueue, and as cpu1 is idle makes it run there.
    const [release] = sch.enabled();
    expect([release!.token, release!.touches.map((x) => x.name), release!.unknown?.map((x) => x.name)]).toEqual(['0', ['L', 'sched:cpu:0', 'sched:rq:1', 'sched:cpu:1'], ['sched:rq:0']]);
    sch.apply(release!.choice);
    // A exits with it: cpu0's runqueue is read for the next task (none).
    expect(sch.touchesOf(release!).map((x) => x.name)).toEqual(['L', 'sched:cpu:0', 'sched:rq:1', 'sched:cpu:1', 'sched:rq:0']);
    expect(sch.trace.map(formatTraceEntry).slice(-3)).toEqual([
      '#4   cpu0 A: call spin_unlock    ; L', '     cpu0 .. A exits; cpu0 idle', '     cpu1 .. B wakes up and runs on cpu1',
    ]);
    expect(exploreExhaustive(s, { maxViolations: Infinity }).violations).toEqual([]);
  });

  it('sleeping with preemption disabled: BUG: scheduling while atomic', () => {
    const s = scenario(() => {
      const m = machine();
      const L = lockL(true);
      return {
        m,
        tasks: [
          { name: 'A', cpu: 0, pinned: true, *run() { yield* L.lock('A'); yield* reg('nop'); yield* L.unlock(); } },
          { name: 'B', cpu: 1, pinned: true, *run() { preempt_disable(m); yield* L.lock('B'); yield* L.unlock(); preempt_enable(m); } },
        ],
        final: () => null,
      };
    }, 0);
    const sch = runSchedule(s, '0,1');
    expect(sch.violation).toBe('BUG: scheduling while atomic: B/102/0x00000001');
    expect(sch.violationKind).toBe('bug');
  });
});

describe('PREEMPT_RT: threaded interrupt handlers', () => {
  /** The case of issue 11: local_lock_irqsave on RT is migrate_disable + a per-CPU sleeping lock; the threaded handler contends. */
  const rtLocalLock = (rt: boolean) => scenario(() => {
    const m = machine(rt);
    const L = lockL(true);
    return {
      m,
      tasks: [{
        name: 'T', cpu: 0,
        *run() { migrate_disable(m); yield* L.lock('T'); yield* reg('nop    ; per-CPU update'); yield* L.unlock(); migrate_enable(m); },
      }],
      irqs: [{ name: 'tick', cpus: [0], *run() { yield* L.lock('tick'); yield* reg('nop    ; per-CPU update'); yield* L.unlock(); } }],
      final: () => (L.owner() === null ? null : `L still held by ${L.owner()}`),
    };
  }, 0, 2);

  it('the handler runs in its own task irq/<name>, preempting the task; blocked on the task\'s lock, it lets the task finish: no deadlock', () => {
    const sch = runSchedule(rtLocalLock(true), '0,i0:tick,0,0,0,0,0,0');
    expect(sch.violation).toBeNull();
    expect(sch.trace.map(formatTraceEntry)).toEqual([
      '#1   cpu0 T: call rt_spin_lock    ; L',
      '#2   cpu0 -- interrupt: tick on cpu0: its thread irq/tick preempts T',
      '#3   cpu0 tick: call rt_spin_lock    ; L    ; blocks: T runs',
      '#4   cpu0 T: nop    ; per-CPU update',
      '#5   cpu0 T: call spin_unlock    ; L',
      '     cpu0 .. T exits; cpu0 idle',
      '     cpu0 .. tick wakes up and runs on cpu0',
      '#6   cpu0 tick: call rt_spin_lock    ; L',
      '#7   cpu0 tick: nop    ; per-CPU update',
      '#8   cpu0 tick: call spin_unlock    ; L',
      '     cpu0 .. tick exits; cpu0 idle',
    ]);
    expect(sch.tasks.map((t) => `${t.name} ${t.ctx.comm}/${t.pid} pinned=${t.ctx.pinned}`)).toEqual(['T T/101 pinned=false', 'tick irq/tick/102 pinned=true']);
    const r = exploreExhaustive(rtLocalLock(true), { maxViolations: Infinity });
    expect(r.violations).toEqual([]);
    expect(r.complete).toBe(true);
  });

  it('without PREEMPT_RT the same handler runs in hardirq context, where it cannot sleep: it spins on the lock held under it', () => {
    const r = exploreExhaustive(rtLocalLock(false));
    expect(r.violations[0]!.message).toBe('deadlock: no transition is enabled, but tick[irq] on cpu0 at call rt_spin_lock    ; L (over T) cannot finish');
  });
});
