/**
 * The kernel examples of examples/kernel/*.ts (issue 11, "Examples that must
 * run"): each correct version is explored exhaustively and passes; each
 * broken variant is caught, with its message, its trace and its replay line.
 * Bounds are the scenarios' own (1), so every run takes well under a second
 * or two.
 */
import { describe, expect, it } from 'vitest';
import { exploreExhaustive, formatTraceEntry, runSchedule, type Scenario } from '../src/index.js';
import { mntWritersNoWriteHold, mntWritersScenario } from '../examples/kernel/mnt_writers.js';
import { memcgStatsRawAdd, memcgStatsRawAddX86, memcgStatsScenario } from '../examples/kernel/memcg_stats.js';

/** The first violation of an exhaustive run, its trace as printed, and a replay of its schedule. */
function caught(s: Scenario): { message: string; schedule: string; lines: string[]; schedules: number } {
  const r = exploreExhaustive(s);
  expect(r.violations).toHaveLength(1);
  const v = r.violations[0]!;
  const again = runSchedule(s, v.schedule);
  expect(again.violation).toBe(v.message);
  return { message: v.message, schedule: v.schedule, lines: v.trace.map(formatTraceEntry), schedules: r.schedules };
}

function passes(s: Scenario): number {
  const r = exploreExhaustive(s, { maxViolations: Infinity });
  expect(r.violations.map((v) => v.message)).toEqual([]);
  expect(r.complete).toBe(true);
  return r.schedules;
}

describe('fs/namespace.c: mnt_writers', () => {
  it('the kernel code: no writer is ever inside a read-only mount, the counts sum to 0', () => {
    expect(passes(mntWritersScenario)).toBe(294);
  });

  it('mnt_make_readonly() without MNT_WRITE_HOLD: the writer counted after the sum is inside a read-only mount', () => {
    const c = caught(mntWritersNoWriteHold);
    expect(c.message).toBe('the mount was made read-only with 1 writer inside');
    expect(c.schedule).toBe('1,0,0,0,0,1,1,1');
    expect(c.lines).toEqual([
      "#1   cpu1 R: movl per_cpu_ptr(mnt_pcp, 0)->mnt_writers, %eax    ; 0    ; cpu0's copy",
      '#2   cpu0 W: incl %gs:mnt_pcp->mnt_writers    ; 0 -> 1',
      '#3   cpu0 W: movl mnt->mnt_flags, %eax    ; 0',
      '#4   cpu0 W: movl mnt->mnt_flags, %eax    ; 0',
      '#5   cpu0 W: ghost update writers_inside    ; 0 -> 1',
      '#6   cpu1 R: movl per_cpu_ptr(mnt_pcp, 1)->mnt_writers, %eax    ; 0',
      '#7   cpu1 R: movl mnt->mnt_flags, %eax    ; 0',
      '#8   cpu1 R: movl %eax, mnt->mnt_flags    ; 0 -> 64',
      '     cpu1 .. R exits; cpu1 idle',
      '     !! the mount was made read-only with 1 writer inside',
    ]);
  });
});

describe('mm/memcontrol.c: memcg_stats', () => {
  it('this_cpu_add() from a task and NET_RX on arm64: nothing lost', () => {
    expect(passes(memcgStatsScenario)).toBe(5);
  });

  it('__this_cpu_add() under get_cpu() on arm64: the softirq between ldr and str is lost', () => {
    const c = caught(memcgStatsRawAdd);
    expect(c.message).toBe('lost update: state[MEMCG_SOCK] sums to 3 over the CPUs, but 4 pages were charged');
    expect(c.schedule).toBe('0,0,0,0,s0:NET_RX,0,0,0,0,0,0,0,0');
    expect(c.lines.slice(2, 5)).toEqual([
      '#3   cpu0 T: ldr x2, [x1]    ; vmstats_percpu->state[2]: 0',
      '#4   cpu0 T: add x2, x2, x0',
      '#5   cpu0 -- softirq: NET_RX raised by an interrupt, runs on cpu0 (over T)',
    ]);
    expect(c.lines.slice(9)).toEqual([
      '#10  cpu0 NET_RX[softirq]: str x2, [x1]    ; vmstats_percpu->state[2]: 0 -> 1',
      '#11  cpu0 NET_RX[softirq]: ghost update pages_charged    ; 0 -> 1',
      '     cpu0 .. NET_RX returns; T resumes',
      '#12  cpu0 T: str x2, [x1]    ; vmstats_percpu->state[2]: 1 -> 3',
      '#13  cpu0 T: ghost update pages_charged    ; 1 -> 4',
      '     cpu0 .. T exits; cpu0 idle',
      '     !! lost update: state[MEMCG_SOCK] sums to 3 over the CPUs, but 4 pages were charged',
    ]);
  });

  it('the same __this_cpu_add() on x86-64 is one addq: nothing lost', () => {
    expect(passes(memcgStatsRawAddX86)).toBe(3);
  });
});
