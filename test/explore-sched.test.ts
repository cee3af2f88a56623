/**
 * The scheduler's rules: each task has its own context (m.ctx) and CPU,
 * preemption/migration only when the running task allows it, interrupts only
 * with interrupts enabled, nested in an 'irq' context; CpuGuard, get_cpu and
 * DEBUG_PREEMPT act on the running task; deadlocks and unbalanced exits are
 * reported.
 */
import { describe, expect, it } from 'vitest';
import { this_cpu_inc_4, __this_cpu_add_4 } from '../generated/x86_64/percpu-stepped.js';
import { exploreExhaustive, runSchedule } from '../src/explore/explorer.js';
import { counterMachine } from '../src/explore/scenarios/common.js';
import { Machine } from '../src/machine.js';
import { alloc_percpu, free_percpu } from '../src/mm/percpu-alloc.js';
import { local_irq_restore, local_irq_save, preempt_disable, preempt_enable } from '../src/kernel/preempt.js';
import { CpuGuard } from '../src/rust/cpu-guard.js';
import { Scheduler } from '../src/sched/scheduler.js';
import { conflicts, footprint, mnemonicAccess, mnemonicSize, reg, type StepGen } from '../src/sched/step.js';
import type { Scenario, TaskSpec, World } from '../src/sched/task.js';
import { get_cpu, put_cpu, smp_processor_id } from '../src/kernel/smp.js';

function scenario(build: () => World, bound = 2): Scenario {
  return { name: 'custom', title: 'custom', description: '', expect: 'none', cpus: 2, bound, build };
}

describe('tasks and their contexts', () => {
  it('the running task is m.ctx and its CPU is loaded (GS base), also after a migration', () => {
    const seen: string[] = [];
    const s = scenario(() => {
      const { m, counter } = counterMachine();
      const body = (name: string) => function* (): StepGen {
        for (let i = 0; i < 2; i++) {
          yield* this_cpu_inc_4(m, counter);
          seen.push(`${name} ctx=${m.ctx.comm}/${m.ctx.pid} cpu=${m.cpu} gs=0x${m.gs.toString(16)}`);
        }
      };
      return { m, tasks: [{ name: 'A', cpu: 0, run: body('A') }, { name: 'B', cpu: 1, run: body('B') }], final: () => null };
    });
    const sch = runSchedule(s, '0,1,mA:1,1,1');
    expect(sch.violation).toBeNull();
    expect(seen).toEqual([
      'A ctx=A/101 cpu=0 gs=0x1000',
      'B ctx=B/102 cpu=1 gs=0xb000',
      'B ctx=B/102 cpu=1 gs=0xb000',
      'A ctx=A/101 cpu=1 gs=0xb000',
    ]);
  });

  it('never preempts or migrates a task with preemption disabled (preempt_disable, get_cpu, CpuGuard) or irqs off', () => {
    const holders: Record<string, (m: Machine) => { on: () => void; off: () => void }> = {
      preempt_disable: (m) => ({ on: () => preempt_disable(m), off: () => preempt_enable(m) }),
      get_cpu: (m) => ({ on: () => void get_cpu(m), off: () => put_cpu(m) }),
      CpuGuard: (m) => {
        let g: CpuGuard | null = null;
        return { on: () => { g = new CpuGuard(m); }, off: () => g!.drop() };
      },
      local_irq_save: (m) => {
        let f = 0;
        return { on: () => { f = local_irq_save(m); }, off: () => local_irq_restore(m, f) };
      },
    };
    for (const [name, make] of Object.entries(holders)) {
      const schedules: string[] = [];
      const s = scenario(() => {
        const { m, counter } = counterMachine();
        const h = make(m);
        function* holder(): StepGen {
          yield* reg('nop');
          h.on();
          yield* this_cpu_inc_4(m, counter);
          yield* this_cpu_inc_4(m, counter);
          h.off();
          yield* reg('nop');
        }
        function* other(): StepGen {
          yield* this_cpu_inc_4(m, counter);
        }
        return {
          m, tasks: [{ name: 'H', cpu: 0, run: holder }, { name: 'O', cpu: 0, run: other }],
          irqs: [{ name: 'tick', cpus: [0], *run() { yield* this_cpu_inc_4(m, counter); } }],
          final: () => null,
        };
      }, 3);
      exploreExhaustive(s, { reduction: 'none', onSchedule: (x) => schedules.push(x) });
      // Replay every schedule and look at what was offered in each state where H holds its CPU.
      let heldStates = 0;
      for (const sc of schedules) {
        const sch = new Scheduler(s.build(), 3, false);
        for (const tok of sc.split(',')) {
          const en = sch.enabled().map((x) => x.token);
          const h = sch.tasks.find((x) => x.name === 'H')!;
          if (!h.done && (h.ctx.preemptCount > 0 || h.ctx.irqsDisabled)) {
            heldStates++;
            const running = sch.cpus[h.cpu]!.current === h;
            expect(en.filter((x) => x.startsWith('mH') || (running && x.startsWith(`p${h.cpu}:`))), `${name}: ${sc}`).toEqual([]);
            if (h.ctx.irqsDisabled && running) expect(en.filter((x) => x.startsWith(`i${h.cpu}:`)), `${name}: ${sc}`).toEqual([]);
          }
          sch.apply(sch.enabled().find((x) => x.token === tok)!.choice);
        }
      }
      expect(heldStates, name).toBeGreaterThan(10);
      expect(schedules.length, name).toBeGreaterThan(10);
      expect(() => runSchedule(s, '0,p0:O'), name).toThrow(
        "schedule: choice 2 'p0:O' is not enabled at that point: H on cpu0 cannot be preempted now (preemption or interrupts disabled, or an interrupt handler runs)",
      );
      expect(runSchedule(s, 'p0:O').violation, name).toBeNull(); // before H holds anything it can be preempted
      expect(() => runSchedule(s, '0,mH:1'), name).toThrow("schedule: choice 2 'mH:1' is not enabled at that point: H cannot migrate now");
      if (name === 'local_irq_save') {
        expect(() => runSchedule(s, '0,i0:tick')).toThrow("schedule: choice 2 'i0:tick' is not enabled at that point: cpu0 cannot take tick now");
      } else {
        expect(runSchedule(s, '0,i0:tick').violation).toBeNull(); // preemption off, interrupts on: the interrupt comes
      }
    }
  });

  it('an interrupt runs nested on its CPU in an irq context with interrupts off, then the task resumes', () => {
    const seen: string[] = [];
    const s = scenario(() => {
      const { m, counter } = counterMachine();
      return {
        m,
        tasks: [{ name: 'T', cpu: 1, *run() { yield* this_cpu_inc_4(m, counter); seen.push(`T ${m.ctx.kind} cpu${m.cpu}`); } }],
        irqs: [{
          name: 'tick', *run() {
            seen.push(`enter ${m.ctx.kind} ${m.ctx.comm} irqs=${m.ctx.irqsDisabled} count=0x${m.ctx.preemptCount.toString(16)} cpu${m.cpu}`);
            yield* this_cpu_inc_4(m, counter);
            seen.push(`leave cpu${m.cpu}`);
          },
        }],
        final: () => null,
      };
    });
    const sch = runSchedule(s, 'i1:tick,1,1');
    expect(seen).toEqual(['enter irq tick irqs=true count=0x10000 cpu1', 'leave cpu1', 'T task cpu1']);
    expect(sch.interrupts).toBe(1);
    expect(() => runSchedule(s, 'i0:tick')).toThrow("cpu0 cannot take tick now");
  });

  it('DEBUG_PREEMPT checks the running task: the BUG names T2 while T1 holds preemption off', () => {
    const s = scenario(() => {
      const { m, counter } = counterMachine();
      return {
        m,
        tasks: [
          { name: 'T1', cpu: 0, *run() { preempt_disable(m); yield* __this_cpu_add_4(m, counter, 1); yield* reg('nop'); preempt_enable(m); } },
          { name: 'T2', cpu: 1, *run() { yield* reg('nop'); yield* __this_cpu_add_4(m, counter, 1); } },
        ],
        final: () => null,
      };
    });
    const sch = runSchedule(s, '0,1');
    expect(sch.violation).toBe('T2 on cpu1: BUG: using __this_cpu_add() in preemptible [00000000] code: T2/102');
    expect(sch.violationKind).toBe('bug');
  });

  it('smp_processor_id() from a task with preemption off reads its own CPU', () => {
    const ids: number[] = [];
    const s = scenario(() => {
      const { m } = counterMachine();
      const t = (name: string, cpu: number): TaskSpec => ({
        name, cpu, *run() { yield* reg('nop'); preempt_disable(m); ids.push(smp_processor_id(m)); preempt_enable(m); },
      });
      return { m, tasks: [t('A', 0), t('B', 1)], final: () => null };
    });
    runSchedule(s, '1,0');
    expect(ids).toEqual([1, 0]);
  });
});

describe('reported failures', () => {
  it('an exit with preemption disabled or interrupts off', () => {
    const s = (irq: boolean) => scenario(() => {
      const { m } = counterMachine();
      return { m, tasks: [{ name: 'T', cpu: 0, *run() { yield* reg('nop'); if (irq) local_irq_save(m); else preempt_disable(m); } }], final: () => null };
    });
    expect(exploreExhaustive(s(false)).violations[0]!.message).toBe('note: T[101] exited with preempt_count 1');
    expect(exploreExhaustive(s(true)).violations[0]!.message).toBe('note: T[101] exited with irqs disabled');
  });

  it('a deadlock: a blocking step nobody will release', () => {
    const s = scenario(() => {
      const { m } = counterMachine();
      let locked = false;
      function* lock(): StepGen {
        yield { asm: 'spin_lock(&l)', writes: ['l'], enabled: () => !locked };
        locked = true;
      }
      return { m, tasks: [{ name: 'A', cpu: 0, *run() { yield* lock(); } }, { name: 'B', cpu: 1, *run() { yield* lock(); } }], final: () => null };
    });
    const r = exploreExhaustive(s);
    expect(r.violations[0]!.kind).toBe('deadlock');
    expect(r.violations[0]!.message).toBe('deadlock: no transition is enabled, but B on cpu1 at spin_lock(&l) cannot finish');
  });

  it('a livelock: a schedule longer than maxSteps', () => {
    const s = scenario(() => {
      const { m } = counterMachine();
      return { m, tasks: [{ name: 'A', cpu: 0, *run() { for (;;) yield* reg('pause'); } }], final: () => null };
    });
    const r = exploreExhaustive(s, { maxSteps: 50 });
    expect(r.violations[0]!.message).toBe('the schedule did not finish within 50 transitions (a livelock, or raise maxSteps)');
  });

  it('an invariant that throws is a violation naming the error', () => {
    const s = scenario(() => {
      const { m } = counterMachine();
      return { m, tasks: [{ name: 'A', cpu: 0, *run() { yield* reg('nop'); } }], final: () => { throw new RangeError('boom'); } };
    });
    expect(exploreExhaustive(s).violations[0]!.message).toBe('invariant check threw RangeError: boom');
  });
});

describe('building a world: bad input', () => {
  const m = (): Machine => counterMachine().m;
  const t = (name: string, cpu = 0): TaskSpec => ({ name, cpu, *run() { yield* reg('nop'); } });
  it.each([
    [() => ({ m: m(), tasks: [], final: () => null }), 'scheduler: a world needs at least one task'],
    [() => ({ m: m(), tasks: [t('a b')], final: () => null }), "scheduler: task name 'a b' must be letters, digits and _ (it appears in schedule strings)"],
    [() => ({ m: m(), tasks: [t('A'), t('A')], final: () => null }), "scheduler: two tasks are named 'A'"],
    [() => ({ m: m(), tasks: [t('A', 2)], final: () => null }), 'task A: invalid CPU 2: this machine has CPUs 0-1'],
    [() => ({ m: new Machine({ cpus: 2 }), tasks: [t('A')], final: () => null }), 'scheduler: the scenario must boot its machine (m.boot()) before building the world'],
    [() => ({ m: m(), tasks: [t('A')], irqs: [{ name: 'A', *run() {} }], final: () => null }), "scheduler: the name 'A' is used twice"],
    [() => ({ m: m(), tasks: [t('A')], irqs: [{ name: 'h', budget: -1, *run() {} }], final: () => null }), 'scheduler: handler h: budget must be a non-negative integer, got -1'],
  ] as const)('%#', (build, msg) => {
    expect(() => new Scheduler(build() as World, 2)).toThrow(msg);
  });
});

describe('footprints', () => {
  it('sizes and access kinds from the mnemonic', () => {
    expect([mnemonicSize('movb %gs:[var], %al'), mnemonicSize('addw $1, %gs:[var]'), mnemonicSize('incl %gs:[var]'),
      mnemonicSize('cmpxchgq %[nval], %gs:[var]'), mnemonicSize('cmpxchg16b %gs:[var]'), mnemonicSize('cmpxchg8b %fs:[var]')]).toEqual([1, 2, 4, 8, 16, 8]);
    expect([mnemonicAccess('movl %gs:[var], %eax'), mnemonicAccess('movl %[nval], %gs:[var]'), mnemonicAccess('incl %gs:[var]'),
      mnemonicAccess('movl 0x1040, %eax'), mnemonicAccess('movl %eax, 0x1040')]).toEqual(['r', 'w', 'w', 'r', 'w']);
  });

  it('a gs-relative step touches the copy of the CPU it runs on; reads commute, overlapping writes do not', () => {
    const { m, counter } = counterMachine();
    const rd = footprint(m, { asm: 'movl %gs:[var], %eax', pcp: counter }, 1);
    expect(rd).toEqual([{ lo: 0xb040, hi: 0xb044, name: '', write: false }]);
    const wr0 = footprint(m, { asm: 'incl %gs:[var]', pcp: counter }, 0);
    const wr1 = footprint(m, { asm: 'incl %gs:[var]', pcp: counter }, 1);
    expect(conflicts(rd, rd)).toBe(false);
    expect(conflicts(rd, wr1)).toBe(true);
    expect(conflicts(rd, wr0)).toBe(false);
    expect(conflicts([{ lo: -1, hi: -1, name: 'l', write: false }], [{ lo: -1, hi: -1, name: 'l', write: true }])).toBe(true);
  });

  it('a step through a freed pointer writes all memory: even a read conflicts with every access, so it is never reordered', () => {
    const { m, counter } = counterMachine();
    const p = alloc_percpu(m, 'u32', 'gone')!;
    free_percpu(m, p);
    const freed = footprint(m, { asm: 'movl %gs:[var], %eax', pcp: p }, 1);
    expect(freed).toEqual([{ lo: 0, hi: Number.MAX_SAFE_INTEGER, name: '', write: true }]);
    expect(conflicts(freed, footprint(m, { asm: 'movl %gs:[var], %eax', pcp: counter }, 0))).toBe(true);
  });
});
