/**
 * Issue 11 item 7: a task's code before its first yield runs when the task is
 * first scheduled (in its first step), and ghost state is declared, lives in
 * step footprints and in the state key.
 */
import { describe, expect, it } from 'vitest';
import { exploreExhaustive, runSchedule } from '../src/explore/explorer.js';
import { counterMachine } from '../src/explore/scenarios/common.js';
import { srcuSnapshot, srcuSnapshotBroken } from '../src/explore/scenarios/index.js';
import { Scheduler, formatTraceEntry } from '../src/sched/scheduler.js';
import { ghost } from '../src/sched/ghost.js';
import { ANY_TOUCH, conflicts, reg, type StepGen } from '../src/sched/step.js';
import type { Scenario, World } from '../src/sched/task.js';

function scenario(build: () => World, bound = 2): Scenario {
  return { name: 'custom', title: 'custom', description: '', expect: 'none', cpus: 2, bound, build };
}

describe('first-step semantics', () => {
  it('code before the first yield runs in the task\'s first step, on its CPU, not when the task is created', () => {
    const seen: string[] = [];
    const s = scenario(() => {
      const { m } = counterMachine();
      const body = (name: string) => function* (): StepGen {
        seen.push(`${name} starts on cpu${m.cpu} as ${m.ctx.comm}`);
        yield* reg('nop');
        seen.push(`${name} after nop`);
      };
      return { m, tasks: [{ name: 'A', cpu: 0, run: body('A') }, { name: 'B', cpu: 1, run: body('B') }], final: () => null };
    });
    const sch = new Scheduler(s.build(), 2);
    expect(seen).toEqual([]);
    expect(sch.tasks.map((t) => [t.started, t.pending])).toEqual([[false, null], [false, null]]);
    sch.apply({ kind: 'step', cpu: 1 });
    expect(seen).toEqual(['B starts on cpu1 as B', 'B after nop']);
    seen.length = 0;
    const r = runSchedule(s, '1,0');
    expect(seen).toEqual(['B starts on cpu1 as B', 'B after nop', 'A starts on cpu0 as A', 'A after nop']);
    expect(r.trace.map(formatTraceEntry)).toEqual([
      '#1   cpu1 B: nop', '     cpu1 .. B exits; cpu1 idle', '#2   cpu0 A: nop', '     cpu0 .. A exits; cpu0 idle',
    ]);
  });

  it('a task preempted to runs its first code when it is scheduled, and a task with no yield starts and ends in one step', () => {
    const seen: string[] = [];
    const s = scenario(() => {
      const { m } = counterMachine();
      return {
        m,
        tasks: [
          { name: 'A', cpu: 0, *run() { seen.push('A'); yield* reg('nop'); } },
          { name: 'B', cpu: 0, *run() { seen.push('B'); } },
        ],
        final: () => null,
      };
    });
    const r = runSchedule(s, 'p0:B,0,0');
    expect(seen).toEqual(['B', 'A']);
    expect(r.trace.map(formatTraceEntry)).toEqual([
      '#1   cpu0 -- preempt: A -> B (A waits on cpu0)',
      '     cpu0 .. B exits; A runs',
      '#2   cpu0 B: (starts and runs to its end)',
      '#3   cpu0 A: nop',
      '     cpu0 .. A exits; cpu0 idle',
    ]);
  });

  it('a first step conflicts with every memory access and named resource, but not with another CPU\'s scheduling', () => {
    const s = scenario(() => {
      const { m } = counterMachine();
      return { m, tasks: [{ name: 'A', cpu: 0, *run() { yield* reg('nop'); } }], final: () => null };
    });
    const sch = new Scheduler(s.build(), 2);
    const [first] = sch.enabled();
    expect(first!.touches).toEqual([ANY_TOUCH, { lo: -1, hi: -1, name: 'sched:cpu:0', write: true }]);
    expect(conflicts([ANY_TOUCH], [{ lo: 0x1040, hi: 0x1044, name: '', write: false }])).toBe(true);
    expect(conflicts([ANY_TOUCH], [{ lo: -1, hi: -1, name: 'ghost:x', write: false }])).toBe(true);
    expect(conflicts([ANY_TOUCH], [{ lo: -1, hi: -1, name: 'sched:cpu:1', write: true }])).toBe(false);
    expect(conflicts([{ lo: -1, hi: -1, name: 'sched:bound', write: true }], [ANY_TOUCH])).toBe(false);
  });
});

describe('the snapshot taken when a check starts', () => {
  it('the broken check is caught: the updater\'s snapshot is taken when it is scheduled, after the reader entered', () => {
    const r = exploreExhaustive(srcuSnapshotBroken);
    const v = r.violations[0]!;
    expect(v.message).toBe('the check concluded "no readers" while R, inside when the check started, was still inside');
    expect(v.kind).toBe('invariant');
    expect(v.schedule).toBe('0,0,0,1,1,1,0,0,1');
    expect(v.trace.map(formatTraceEntry).slice(0, 4)).toEqual([
      '#1   cpu0 R: incl %gs:srcu_lock_count    ; 0 -> 1', '#2   cpu0 R: ghost reader_inside = true', '#3   cpu0 R: nop    ; the read-side critical section',
      '#4   cpu1 U: movl per_cpu(srcu_unlock_count, 1), %eax    ; 0',
    ]);
    // Started before the reader entered, the same check sees nobody inside: nothing to miss.
    expect(runSchedule(srcuSnapshotBroken, '1,1,0,0,0,0,0').violation).toBeNull();
    const all = exploreExhaustive(srcuSnapshotBroken, { maxViolations: Infinity });
    expect([all.schedules, all.violations.length, all.distinctStates]).toEqual([7, 1, 27]); // optimal DPOR: fewer linearisations, fewer intermediate states
  });

  it('the check that sums every CPU, unlocks first, never concludes with that reader inside', () => {
    const r = exploreExhaustive(srcuSnapshot, { maxViolations: Infinity });
    expect(r.violations).toEqual([]);
    expect([r.schedules, r.distinctStates]).toEqual([8, 36]);
    expect(exploreExhaustive(srcuSnapshot, { reduction: 'none' }).schedules).toBe(126);
  });
});

describe('ghost state', () => {
  it('task code touching a ghost outside a step that declares it is a violation naming the ghost and the fix', () => {
    const build = (how: 'write' | 'read' | 'declared') => scenario(() => {
      const { m } = counterMachine();
      const g = ghost(m, 'readers_inside', 0);
      let seen = -1;
      return {
        m,
        tasks: [{
          name: 'T', cpu: 0,
          *run() {
            yield* reg('nop');
            if (how === 'write') g.value = 1;
            else if (how === 'read') seen = g.value;
            yield { asm: 'ghost update', writes: [g.resource] };
            g.value = g.value + 1;
          },
        }],
        final: () => (g.value === (how === 'declared' ? 1 : 2) && seen === -1 ? null : `readers_inside = ${g.value}`),
      };
    });
    const w = exploreExhaustive(build('write')).violations[0]!;
    expect(w.kind).toBe('bug');
    expect(w.message).toBe(
      "T on cpu0: MachineStateError: ghost readers_inside written by T outside a step that declares it: use yield* readers_inside.set(v) or "
      + "yield* readers_inside.update(fn), or name 'ghost:readers_inside' in the step's writes, so the explorer sees the access",
    );
    expect(exploreExhaustive(build('read')).violations[0]!.message).toBe(
      "T on cpu0: MachineStateError: ghost readers_inside read by T outside a step that declares it: use yield* readers_inside.get(), "
      + "or name 'ghost:readers_inside' in the step's reads, so the explorer sees the access",
    );
    expect(exploreExhaustive(build('declared')).violations).toEqual([]);
  });

  it('get, set and update are one step each with the ghost in the footprint; ghosts are part of the state key', () => {
    const { m } = counterMachine();
    const g = ghost(m, 'n', 0);
    const sch = new Scheduler({
      m,
      tasks: [{ name: 'T', cpu: 0, *run() { yield* g.set(5); const v = yield* g.get(); yield* g.update((x) => x + v); } }],
      final: () => null,
    }, 0);
    sch.apply({ kind: 'step', cpu: 0 });
    expect(sch.stateKey()).toContain('|n=5');
    expect(sch.enabled()[0]!.touches).toEqual([{ lo: -1, hi: -1, name: 'ghost:n', write: false }, { lo: -1, hi: -1, name: 'sched:cpu:0', write: true }]);
    sch.apply({ kind: 'step', cpu: 0 });
    expect(sch.enabled()[0]!.touches[0]).toEqual({ lo: -1, hi: -1, name: 'ghost:n', write: true });
    sch.apply({ kind: 'step', cpu: 0 });
    expect(g.value).toBe(10);
    expect(sch.trace.map(formatTraceEntry)).toEqual([
      '#1   cpu0 T: ghost n = 5', '#2   cpu0 T: ghost read n    ; 5', '#3   cpu0 T: ghost update n    ; 5 -> 10', '     cpu0 .. T exits; cpu0 idle',
    ]);
  });

  it('bad declarations', () => {
    const { m } = counterMachine();
    ghost(m, 'a', 1);
    expect(() => ghost(m, 'a', 2)).toThrow('ghost: a is already declared on this machine');
    expect(() => ghost(m, 'a b', 2)).toThrow('ghost: name must be letters, digits, \'_\' and \'.\', got "a b"');
    expect(() => ghost(m, 'o', {} as unknown as number)).toThrow('ghost o: the initial value must be a number, bigint, boolean or string, got');
    const g = ghost(m, 'b', 1);
    expect(() => { g.value = 'x' as unknown as number; }).toThrow('ghost b: holds a number, got "x"');
    expect(g.value).toBe(1);
  });
});
