/**
 * Issue 11 item 5: contexts nested as the kernel nests them (task < softirq <
 * hardirq < NMI), preempt_count bits, bottom halves and softirqs,
 * migrate_disable; and the scheduler's blocking on sleeping steps.
 */
import { describe, expect, it } from 'vitest';
import { exploreExhaustive, runSchedule } from '../src/explore/explorer.js';
import { counterMachine } from '../src/explore/scenarios/common.js';
import { Machine } from '../src/machine.js';
import {
  HARDIRQ_MASK, HARDIRQ_OFFSET, NMI_MASK, NMI_OFFSET, PREEMPT_MASK, SOFTIRQ_DISABLE_OFFSET, SOFTIRQ_MASK, SOFTIRQ_OFFSET,
  in_atomic, in_hardirq, in_interrupt, in_nmi, in_serving_softirq, in_softirq, in_task, irq_count, local_irq_restore, local_irq_save,
  preempt_disable, preempt_enable,
} from '../src/kernel/preempt.js';
import { migrate_disable, migrate_enable } from '../src/kernel/sched.js';
import {
  NET_RX_SOFTIRQ, TIMER_SOFTIRQ, local_bh_disable, local_bh_enable, local_softirq_pending, raise_softirq, raise_softirq_irqoff,
} from '../src/kernel/softirq.js';
import { smp_processor_id } from '../src/kernel/smp.js';
import { Scheduler, formatTraceEntry, parseToken } from '../src/sched/scheduler.js';
import { reg, type StepGen } from '../src/sched/step.js';
import type { Scenario, World } from '../src/sched/task.js';

function scenario(build: () => World, bound = 2): Scenario {
  return { name: 'custom', title: 'custom', description: '', expect: 'none', cpus: 2, bound, build };
}

/** The scheduler after exactly these choices (runSchedule would go on to the end). */
function at(s: Scenario, schedule: string): Scheduler {
  const sch = new Scheduler(s.build(), s.bound ?? 2);
  for (const tok of schedule.split(',').filter((t) => t !== '')) sch.apply(parseToken(tok));
  return sch;
}

function ctxLine(m: Machine, what: string): string {
  const f = (b: boolean): string => (b ? '1' : '0');
  return `${what} ${m.ctx.kind} ${m.ctx.comm} pc=0x${m.ctx.preemptCount.toString(16)} irqsoff=${f(m.ctx.irqsDisabled)} `
    + `task=${f(in_task(m))} softirq=${f(in_softirq(m))} serving=${f(in_serving_softirq(m))} hardirq=${f(in_hardirq(m))} nmi=${f(in_nmi(m))} interrupt=${f(in_interrupt(m))}`;
}

describe('preempt_count as include/linux/preempt.h lays it out', () => {
  it('masks and offsets', () => {
    expect([PREEMPT_MASK, SOFTIRQ_MASK, HARDIRQ_MASK, NMI_MASK].map((x) => `0x${x.toString(16)}`)).toEqual(['0xff', '0xff00', '0xf0000', '0xf00000']);
    expect([SOFTIRQ_OFFSET, SOFTIRQ_DISABLE_OFFSET, HARDIRQ_OFFSET, NMI_OFFSET].map((x) => `0x${x.toString(16)}`)).toEqual(['0x100', '0x200', '0x10000', '0x100000']);
  });

  it('in a task: preempt_disable and local_bh_disable set their bits; bh disabled is still task context', () => {
    const m = counterMachine().m;
    expect(ctxLine(m, 'plain')).toBe('plain task init pc=0x0 irqsoff=0 task=1 softirq=0 serving=0 hardirq=0 nmi=0 interrupt=0');
    preempt_disable(m);
    local_bh_disable(m);
    expect(ctxLine(m, 'bh')).toBe('bh task init pc=0x201 irqsoff=0 task=1 softirq=1 serving=0 hardirq=0 nmi=0 interrupt=1');
    expect([in_atomic(m), irq_count(m)]).toEqual([true, 0x200]);
    local_bh_enable(m);
    preempt_enable(m);
    expect(m.ctx.preemptCount).toBe(0);
  });

  it('local_bh_enable refusals leave preempt_count and interrupts as they were', () => {
    const m = counterMachine().m;
    expect(() => local_bh_enable(m)).toThrow('BUG: local_bh_enable() without a matching local_bh_disable() in init/1 (preempt_count 00000000)');
    expect(m.ctx.preemptCount).toBe(0);
    local_bh_disable(m);
    const f = local_irq_save(m);
    expect(() => local_bh_enable(m)).toThrow('WARNING: CPU: 0 PID: 1 at kernel/softirq.c __local_bh_enable_ip: irqs_disabled() (init, preempt_count 00000200)');
    expect([m.ctx.preemptCount, m.ctx.irqsDisabled]).toEqual([0x200, true]);
    local_irq_restore(m, f);
    local_bh_enable(m);
    expect(() => raise_softirq_irqoff(m, NET_RX_SOFTIRQ)).toThrow(
      'WARNING: CPU: 0 PID: 1 at kernel/softirq.c raise_softirq_irqoff: lockdep_assert_irqs_disabled() (init has interrupts enabled)',
    );
    expect(local_softirq_pending(m)).toBe(0);
    expect(() => raise_softirq(m, 10)).toThrow('raise_softirq: softirq number must be an integer from 0 to 9 (HI_SOFTIRQ … RCU_SOFTIRQ), got 10');
  });
});

describe('softirq, hardirq and NMI nesting on one CPU', () => {
  it('an NMI over a hardirq over a softirq over a task, each with its offsets and the kernel\'s in_*()', () => {
    const seen: string[] = [];
    const s = scenario(() => {
      const { m } = counterMachine();
      return {
        m,
        tasks: [{
          name: 'T', cpu: 0,
          *run() { preempt_disable(m); yield* reg('nop'); yield* reg('nop'); seen.push(ctxLine(m, 'back')); preempt_enable(m); },
        }],
        softirqs: [{ nr: NET_RX_SOFTIRQ, budget: 1, *run() { seen.push(ctxLine(m, 'softirq')); yield* reg('nop'); } }],
        irqs: [{ name: 'tick', *run() { seen.push(ctxLine(m, 'hardirq')); yield* reg('nop'); } }],
        nmis: [{ name: 'perf', *run() { seen.push(ctxLine(m, 'nmi')); yield* reg('nop'); } }],
        final: () => null,
      };
    });
    const sch = runSchedule(s, '0,s0:NET_RX,i0:tick,n0:perf,0,0,0,0');
    expect(sch.violation).toBeNull();
    expect(seen).toEqual([
      'nmi nmi perf pc=0x120101 irqsoff=1 task=0 softirq=1 serving=1 hardirq=1 nmi=1 interrupt=1',
      'hardirq irq tick pc=0x10101 irqsoff=1 task=0 softirq=1 serving=1 hardirq=1 nmi=0 interrupt=1',
      'softirq softirq NET_RX pc=0x101 irqsoff=0 task=0 softirq=1 serving=1 hardirq=0 nmi=0 interrupt=1',
      'back task T pc=0x1 irqsoff=0 task=1 softirq=0 serving=0 hardirq=0 nmi=0 interrupt=0',
    ]);
    expect(sch.trace.map(formatTraceEntry)).toEqual([
      '#1   cpu0 T: nop',
      '#2   cpu0 -- softirq: NET_RX raised by an interrupt, runs on cpu0 (over T)',
      '#3   cpu0 -- interrupt: tick on cpu0 (over NET_RX)',
      '#4   cpu0 -- NMI: perf on cpu0 (over tick)',
      '#5   cpu0 perf[nmi]: nop',
      '     cpu0 .. perf returns; tick resumes',
      '#6   cpu0 tick[irq]: nop',
      '     cpu0 .. tick returns; NET_RX resumes',
      '#7   cpu0 NET_RX[softirq]: nop',
      '     cpu0 .. NET_RX returns; T resumes',
      '#8   cpu0 T: nop',
      '     cpu0 .. T exits; cpu0 idle',
    ]);
    expect([sch.interrupts, sch.softirqRuns, sch.nmiCount]).toEqual([1, 1, 1]);
  });

  it('what may nest where: no hardirq with irqs off, no softirq with bh off or in a handler, an NMI even with irqs off but never in an NMI', () => {
    const s = scenario(() => {
      const { m } = counterMachine();
      return {
        m,
        tasks: [{
          name: 'T', cpu: 0,
          *run() {
            yield* reg('nop');
            const f = local_irq_save(m);
            yield* reg('irqs off');
            local_irq_restore(m, f);
            local_bh_disable(m);
            yield* reg('bh off');
            local_bh_enable(m);
            yield* reg('nop');
          },
        }],
        softirqs: [{ nr: TIMER_SOFTIRQ, budget: 1, cpus: [0], *run() { yield* reg('nop'); } }],
        irqs: [{ name: 'tick', cpus: [0], *run() { yield* reg('nop'); } }],
        nmis: [{ name: 'perf', cpus: [0], *run() { yield* reg('nop'); } }],
        final: () => null,
      };
    });
    const offered = (schedule: string): string[] => {
      return at(s, schedule).enabled().map((t) => t.token).filter((t) => t !== '0' && !t.startsWith('m')).sort();
    };
    expect(() => runSchedule(s, 'i0:tick,s0:TIMER')).toThrow(
      "schedule: choice 2 's0:TIMER' is not enabled at that point: cpu0 cannot run softirqs now (in interrupt context, bottom halves or interrupts disabled, no task, or not a CPU it is injected on)",
    );
    expect(offered('')).toEqual(['i0:tick', 'n0:perf', 's0:TIMER']);
    expect(offered('0')).toEqual(['n0:perf']); // irqs off
    expect(offered('0,0')).toEqual(['i0:tick', 'n0:perf']); // bh off: no softirq
    expect(offered('n0:perf')).toEqual([]); // in an NMI: nothing nests
    expect(offered('i0:tick')).toEqual(['n0:perf']);
  });

  it('raise_softirq in a hardirq: the softirq runs when the handler returns to task context; in a task: it stays pending for ksoftirqd (s0)', () => {
    const seen: string[] = [];
    const build = (where: 'irq' | 'task') => scenario(() => {
      const { m } = counterMachine();
      return {
        m,
        tasks: [{
          name: 'T', cpu: 0,
          *run() {
            if (where === 'task') raise_softirq(m, NET_RX_SOFTIRQ);
            yield* reg('nop');
            yield* reg('nop');
            seen.push(`T pending=${local_softirq_pending(m)}`);
          },
        }],
        softirqs: [{ nr: NET_RX_SOFTIRQ, *run() { seen.push(`NET_RX ${m.ctx.comm} pending=${local_softirq_pending(m)}`); yield* reg('nop'); } }],
        irqs: [{ name: 'nic', *run() { raise_softirq(m, NET_RX_SOFTIRQ); yield* reg('nop'); } }],
        final: () => null,
      };
    });
    const a = runSchedule(build('irq'), 'i0:nic,0,0,0,0');
    expect(a.trace.map(formatTraceEntry)).toEqual([
      '#1   cpu0 -- interrupt: nic on cpu0 (over T)',
      '#2   cpu0 nic[irq]: nop',
      '     cpu0 .. nic returns; T resumes',
      '#2   cpu0 -- softirq: NET_RX runs on cpu0 (over T)',
      '#3   cpu0 NET_RX[softirq]: nop',
      '     cpu0 .. NET_RX returns; T resumes',
      '#4   cpu0 T: nop',
      '#5   cpu0 T: nop',
      '     cpu0 .. T exits; cpu0 idle',
    ]);
    expect(seen).toEqual(['NET_RX NET_RX pending=0', 'T pending=0']);
    seen.length = 0;
    const b = runSchedule(build('task'), '0,s0,0,0');
    expect(seen).toEqual(['NET_RX NET_RX pending=0', 'T pending=0']);
    expect(b.trace.map(formatTraceEntry).slice(1, 2)).toEqual(['#2   cpu0 -- softirq: NET_RX runs on cpu0 (over T)']);
    expect(() => runSchedule(build('task'), 's0,0')).toThrow("choice 1 's0' is not enabled at that point: cpu0 has no pending softirq it can run now");
    // Left pending when the task ends: no violation, the explorer explores running it or not.
    expect(exploreExhaustive(build('task')).violations).toEqual([]);
  });

  it('local_bh_enable runs the softirqs raised while bottom halves were off, before the task\'s next instruction', () => {
    const seen: string[] = [];
    const s = scenario(() => {
      const { m } = counterMachine();
      return {
        m,
        tasks: [{
          name: 'T', cpu: 0,
          *run() {
            local_bh_disable(m);
            yield* reg('nop');
            raise_softirq(m, NET_RX_SOFTIRQ);
            raise_softirq(m, TIMER_SOFTIRQ);
            yield* reg('nop');
            local_bh_enable(m);
            seen.push('enabled');
            yield* reg('after');
            seen.push('T done');
          },
        }],
        softirqs: [
          { nr: NET_RX_SOFTIRQ, *run() { seen.push('NET_RX'); yield* reg('nop'); } },
          { nr: TIMER_SOFTIRQ, *run() { seen.push('TIMER'); yield* reg('nop'); } },
        ],
        final: () => null,
      };
    });
    const sch = runSchedule(s, '0,0,0,0,0');
    expect(seen).toEqual(['enabled', 'TIMER', 'NET_RX', 'T done']);
    expect(sch.trace.map(formatTraceEntry)).toEqual([
      '#1   cpu0 T: nop',
      '#2   cpu0 T: nop',
      '#2   cpu0 -- softirq: TIMER runs on cpu0 (over T)',
      '#3   cpu0 TIMER[softirq]: nop',
      '     cpu0 .. TIMER returns; T resumes',
      '     cpu0 -- softirq: NET_RX runs on cpu0 (over T)'.replace('     cpu0 --', '#3   cpu0 --'),
      '#4   cpu0 NET_RX[softirq]: nop',
      '     cpu0 .. NET_RX returns; T resumes',
      '#5   cpu0 T: after',
      '     cpu0 .. T exits; cpu0 idle',
    ]);
  });

  it('a handler that changes preempt_count is reported as the kernel does', () => {
    const s = scenario(() => {
      const { m } = counterMachine();
      return {
        m,
        tasks: [{ name: 'T', cpu: 0, *run() { yield* reg('nop'); } }],
        softirqs: [{ nr: NET_RX_SOFTIRQ, budget: 1, *run() { yield* reg('nop'); preempt_disable(m); } }],
        final: () => null,
      };
    });
    expect(runSchedule(s, 's0:NET_RX,0').violation).toBe('huh, entered softirq 3 NET_RX with preempt_count 00000100, exited with 00000101?');
    const noHandler = scenario(() => {
      const { m } = counterMachine();
      return { m, tasks: [{ name: 'T', cpu: 0, *run() { local_bh_disable(m); raise_softirq(m, TIMER_SOFTIRQ); yield* reg('nop'); local_bh_enable(m); } }], final: () => null };
    });
    expect(runSchedule(noHandler, '0').violation).toBe('softirq TIMER became pending on cpu0, but the scenario registers no handler for it (World.softirqs)');
  });
});

describe('migrate_disable', () => {
  it('keeps the task on its CPU but lets it be preempted; DEBUG_PREEMPT accepts smp_processor_id() there', () => {
    const ids: number[] = [];
    const s = scenario(() => {
      const { m } = counterMachine();
      return {
        m,
        tasks: [
          { name: 'A', cpu: 0, *run() { yield* reg('nop'); migrate_disable(m); yield* reg('pinned'); ids.push(smp_processor_id(m)); migrate_enable(m); yield* reg('nop'); } },
          { name: 'B', cpu: 0, *run() { yield* reg('nop'); } },
        ],
        final: () => null,
      };
    });
    const offered = (schedule: string): string[] => at(s, schedule).enabled().map((t) => t.token);
    expect(offered('')).toEqual(['0', 'p0:B', 'mA:1', 'mB:1']);
    expect(offered('0')).toEqual(['0', 'p0:B', 'mB:1']); // migration disabled: preemptible, not movable
    expect(offered('0,p0:B')).toEqual(['0', 'p0:A', 'mB:1']); // A waits, still not movable
    expect(runSchedule(s, '0,0,0,0').violation).toBeNull();
    expect(ids).toEqual([0]);
    const m = counterMachine().m;
    expect(() => migrate_enable(m)).toThrow(
      'WARNING: CPU: 0 PID: 1 at kernel/sched/core.c migrate_enable: migration_disabled <= 0 (init: a migrate_enable() without a matching migrate_disable())',
    );
    expect(m.ctx.migrationDisabled).toBe(0);
    migrate_disable(m);
    expect(m.pinnedReason()).toBe('init/1 has migration disabled (migrate_disable)');
    expect(() => m.migrate(1)).toThrow('migrate to cpu 1 refused: init/1 has migration disabled (migrate_disable)');
  });
});
