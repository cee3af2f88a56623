/**
 * Replaying: a violation's schedule string and a random schedule's seed both
 * reproduce the same run, trace for trace; bad strings say what is wrong.
 */
import { describe, expect, it } from 'vitest';
import { exploreExhaustive, exploreRandom, formatTrace, runSchedule, runSeed } from '../src/explore/explorer.js';
import { incIrq, rmwPtr, rustRefNoGuard, xchgIrqRaw } from '../src/explore/scenarios/index.js';
import { choiceToken, parseToken } from '../src/sched/scheduler.js';

describe('replay from a schedule string', () => {
  it.each([rmwPtr, xchgIrqRaw, rustRefNoGuard].map((s) => [s.name, s] as const))('%s: the string printed with a violation replays it', (_n, s) => {
    const v = exploreExhaustive(s).violations[0]!;
    const sch = runSchedule(s, v.schedule);
    expect(sch.violation).toBe(v.message);
    expect(sch.schedule.join(',')).toBe(v.schedule);
    expect(sch.trace).toEqual(v.trace);
  });

  it('a prefix is completed with the first enabled transition at each point', () => {
    const sch = runSchedule(rmwPtr, '0,p0:T2');
    expect(sch.violation).toBe('lost update: the counter sums to 1 (cpu0=1 cpu1=0), but 2 increments were done');
    expect(sch.schedule.join(',')).toBe('0,p0:T2,0,0,0,0,0');
    expect(formatTrace(sch.trace)).toBe([
      '  #1   cpu0 T1: movl per_cpu(counter, 0), %eax    ; 0',
      '  #2   cpu0 -- preempt: T1 -> T2 (T1 waits on cpu0)',
      '  #3   cpu0 T2: movl per_cpu(counter, 0), %eax    ; 0',
      '  #4   cpu0 T2: addl $1, %eax',
      '  #5   cpu0 T2: movl %eax, per_cpu(counter, 0)    ; 0 -> 1',
      '       cpu0 .. T2 exits; T1 runs',
      '  #6   cpu0 T1: addl $1, %eax',
      '  #7   cpu0 T1: movl %eax, per_cpu(counter, 0)    ; 1 -> 1',
      '       cpu0 .. T1 exits; cpu0 idle',
      '       !! lost update: the counter sums to 1 (cpu0=1 cpu1=0), but 2 increments were done',
    ].join('\n'));
  });

  it('an empty string runs the default schedule (no preemption, no interrupt)', () => {
    const sch = runSchedule(incIrq, '');
    expect(sch.violation).toBeNull();
    expect(sch.schedule.join(',')).toBe('0,0,0,0');
  });

  it('refuses a choice that is not enabled, saying why', () => {
    expect(() => runSchedule(rmwPtr, '0,0,0,0,0,0,0')).toThrow(
      "schedule: all tasks finished after 6 choices, but the string has 1 more (from '0')",
    );
    expect(() => runSchedule(rmwPtr, '1')).toThrow("schedule: choice 1 '1' is not enabled at that point: cpu1 is idle");
    expect(() => runSchedule(rmwPtr, 'p0:T3')).toThrow("schedule: choice 1 'p0:T3' is not enabled at that point: T3 is not waiting on cpu0");
    expect(() => runSchedule(rmwPtr, 'mT9:1')).toThrow("schedule: choice 1 'mT9:1' is not enabled at that point: there is no task T9");
    expect(() => runSchedule(rmwPtr, 'i0:tick')).toThrow("schedule: choice 1 'i0:tick' is not enabled at that point: there is no interrupt handler tick");
    expect(() => runSchedule(rmwPtr, 'p0:T2,p0:T1,p0:T2', { bound: 2 })).toThrow(
      "schedule: choice 3 'p0:T2' is not enabled at that point: the preemption bound 2 is used up",
    );
    expect(() => runSchedule(rmwPtr, '0,x')).toThrow(
      "schedule: bad token 'x': expected <cpu> (a step), p<cpu>:<task> (preempt), m<task>:<cpu> (migrate), i<cpu>:<handler> (interrupt), s<cpu> (pending softirqs), s<cpu>:<softirq> (inject a softirq) or n<cpu>:<handler> (NMI)",
    );
    expect(() => runSchedule(rmwPtr, '', { bound: -1 })).toThrow('explore: bound must be an integer from 0 to 64, got -1');
  });

  it('tokens round-trip', () => {
    for (const t of ['0', '12', 'p1:T2', 'mT_x:0', 'i3:tick']) expect(choiceToken(parseToken(t))).toBe(t);
  });
});

describe('replay from a seed', () => {
  it('each random schedule replays alone from its seed', () => {
    const r = exploreRandom(rmwPtr, 50, 1000);
    const v = r.violations[0]!;
    expect(v.seed).toBe(1000 + v.index - 1);
    const again = runSeed(rmwPtr, v.seed!);
    expect(again.violation).toBe(v.message);
    expect(again.schedule.join(',')).toBe(v.schedule);
    expect(again.trace).toEqual(v.trace);
    // and through its schedule string
    expect(runSchedule(rmwPtr, v.schedule).trace).toEqual(v.trace);
  });

  it('the same seed gives the same schedules; a different seed other ones', () => {
    const runs = (seed: number) => {
      const out: string[] = [];
      exploreRandom(incIrq, 20, seed, { onSchedule: (s) => out.push(s) });
      return out;
    };
    expect(runs(5)).toEqual(runs(5));
    expect(runs(5)).not.toEqual(runs(6));
    expect(runs(5).slice(1)).toEqual(runs(6).slice(0, 19)); // seeds 6..24 are schedules 2..20 of seed 5
  });

  it('rejects bad seeds and counts', () => {
    expect(() => exploreRandom(incIrq, 10, -1)).toThrow('explore: seed must be an integer from 0 to 4294967295, got -1');
    expect(() => exploreRandom(incIrq, 0, 1)).toThrow('explore: the number of random schedules must be a positive integer, got 0');
    expect(() => runSeed(incIrq, 1.5)).toThrow('explore: seed must be an integer from 0 to 4294967295, got 1.5');
  });
});
