/**
 * Issue 10 item 13: hotplug double faults. When a transition fails and undoing
 * the steps already done fails as well, both errors are reported (an
 * AggregateError: the original first, each rollback failure after it) and the
 * masks are what the rules promise: a failed cpu_down() leaves the CPU online
 * and not dying, a failed cpu_up() leaves it offline and dying. Also: a
 * failing callback never leaves the caller with preemption or interrupts off,
 * and cpuhp_remove_state() cannot fail half-way.
 */
import { describe, expect, it } from 'vitest';
import { MachineStateError } from '../src/errors.js';
import {
  cpu_down, cpu_dying_mask, cpu_up, cpuhp_remove_state, cpuhp_setup_state, cpuhp_setup_state_nocalls, type CpuhpCallback,
} from '../src/kernel/hotplug.js';
import { Machine } from '../src/machine.js';
import { irqs_disabled, local_irq_disable, preempt_count, preempt_disable } from '../src/kernel/preempt.js';

/** A callback that logs its call and throws `fail` (an Error) when set. */
function cb(log: string[], name: string, fail: { error: Error | null }): CpuhpCallback {
  return (_m, cpu) => {
    log.push(`${name}(${cpu})`);
    if (fail.error !== null) throw fail.error;
  };
}

function masks(m: Machine): string {
  return `online=${m.online} dying=${cpu_dying_mask(m)}`;
}

function caught(f: () => unknown): Error {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a throw');
}

describe('hotplug double faults', () => {
  it('cpu_down: a teardown fails and restarting an earlier-torn-down step fails too', () => {
    const m = new Machine({ cpus: 4 }).boot();
    const log: string[] = [];
    const aDown = { error: null as Error | null };
    const bUp = { error: null as Error | null };
    cpuhp_setup_state_nocalls(m, 'test:a', null, cb(log, 'a.teardown', aDown));
    cpuhp_setup_state_nocalls(m, 'test:b', cb(log, 'b.startup', bUp), cb(log, 'b.teardown', { error: null }));
    const before = masks(m);
    aDown.error = new Error('a is busy');
    bUp.error = new Error('b cannot restart');
    const err = caught(() => cpu_down(m, 2));
    expect(err).toBeInstanceOf(AggregateError);
    expect(err.message).toBe(
      'cpu_down(cpu 2): teardown of "test:a" failed: a is busy; the rollback failed too: startup of "test:b" on cpu 2 failed: b cannot restart; ' +
        'cpu 2 stays online, but the rollback is incomplete ("test:b" on cpu 2 may be half done)',
    );
    expect((err as AggregateError).errors).toEqual([aDown.error, bUp.error]);
    expect(err.cause).toBe(aDown.error);
    expect(log).toEqual(['b.teardown(2)', 'a.teardown(2)', 'b.startup(2)']);
    expect(masks(m)).toBe(before);
    expect(masks(m)).toBe('online=0-3 dying=');
    expect([preempt_count(m), irqs_disabled(m), m.ctx.comm]).toEqual([0, false, 'init']);
    // Hotplug is usable again.
    aDown.error = null;
    bUp.error = null;
    cpu_down(m, 2);
    expect(masks(m)).toBe('online=0-1,3 dying=2');
  });

  it('cpu_up: an ONLINE startup fails and tearing down an earlier step fails too; the CPU stays offline and dying', () => {
    const m = new Machine({ cpus: 4 }).boot();
    const log: string[] = [];
    const prepDown = { error: null as Error | null };
    const aDown = { error: null as Error | null };
    const bUp = { error: null as Error | null };
    cpuhp_setup_state_nocalls(m, 'test:prep', cb(log, 'prep.startup', { error: null }), cb(log, 'prep.teardown', prepDown), { state: 'CPUHP_BP_PREPARE_DYN' });
    cpuhp_setup_state_nocalls(m, 'test:a', cb(log, 'a.startup', { error: null }), cb(log, 'a.teardown', aDown));
    cpuhp_setup_state_nocalls(m, 'test:b', cb(log, 'b.startup', bUp), null);
    cpu_down(m, 3);
    log.length = 0;
    const before = masks(m);
    expect(before).toBe('online=0-2 dying=3');
    bUp.error = new Error('b: no memory');
    aDown.error = new Error('a: stuck');
    prepDown.error = new Error('prep: stuck');
    const err = caught(() => cpu_up(m, 3));
    expect(err).toBeInstanceOf(AggregateError);
    expect(err.message).toBe(
      'cpu_up(cpu 3): startup of "test:b" failed: b: no memory; the rollback failed too: teardown of "test:a" on cpu 3 failed: a: stuck; ' +
        'teardown of "test:prep" on cpu 3 failed: prep: stuck; cpu 3 stays offline, but the rollback is incomplete ("test:a" on cpu 3, "test:prep" on cpu 3 may be half done)',
    );
    expect((err as AggregateError).errors).toEqual([bUp.error, aDown.error, prepDown.error]);
    expect(log).toEqual(['prep.startup(3)', 'a.startup(3)', 'b.startup(3)', 'a.teardown(3)', 'prep.teardown(3)']);
    expect(masks(m)).toBe(before);
    expect(m.cpu).toBe(0);
  });

  it('cpu_up: a PREPARE startup fails and undoing an earlier PREPARE step fails too', () => {
    const m = new Machine({ cpus: 2 }).boot();
    const log: string[] = [];
    const p1Down = { error: null as Error | null };
    const p2Up = { error: null as Error | null };
    const BP = { state: 'CPUHP_BP_PREPARE_DYN' } as const;
    cpuhp_setup_state_nocalls(m, 'test:p1', cb(log, 'p1.startup', { error: null }), cb(log, 'p1.teardown', p1Down), BP);
    cpuhp_setup_state_nocalls(m, 'test:p2', cb(log, 'p2.startup', p2Up), null, BP);
    cpu_down(m, 1);
    const before = masks(m);
    p2Up.error = new Error('p2 failed');
    p1Down.error = new Error('p1 failed');
    const err = caught(() => cpu_up(m, 1));
    expect(err).toBeInstanceOf(AggregateError);
    expect((err as AggregateError).errors).toEqual([p2Up.error, p1Down.error]);
    expect(err.message).toMatch(/^cpu_up\(cpu 1\): startup of "test:p2" failed: p2 failed; the rollback failed too: teardown of "test:p1" on cpu 1 failed: p1 failed; cpu 1 stays offline/);
    expect(masks(m)).toBe(before);
  });

  it('a single failure keeps its one-error form, with the callback\'s error as its cause', () => {
    const m = new Machine({ cpus: 2 }).boot();
    const boom = new Error('busy');
    cpuhp_setup_state_nocalls(m, 'test:a', null, () => {
      throw boom;
    });
    const err = caught(() => cpu_down(m, 1));
    expect(err).toBeInstanceOf(MachineStateError);
    expect(err.message).toBe('cpu_down(cpu 1): teardown of "test:a" failed: busy; cpu 1 stays online');
    expect(err.cause).toBe(boom);
  });

  it('cpuhp_setup_state: a startup fails and undoing it on an earlier CPU fails too; the state is not installed', () => {
    const m = new Machine({ cpus: 4 }).boot();
    const log: string[] = [];
    const err = caught(() => cpuhp_setup_state(m, 'test:s', (_m, cpu) => {
      log.push(`startup(${cpu})`);
      if (cpu === 2) throw new Error('no room');
    }, (_m, cpu) => {
      log.push(`teardown(${cpu})`);
      if (cpu === 1) throw new Error('stuck');
    }));
    expect(err).toBeInstanceOf(AggregateError);
    expect(err.message).toBe(
      'cpuhp_setup_state("test:s"): startup on cpu 2 failed: no room; the rollback failed too: teardown of "test:s" on cpu 1 failed: stuck; ' +
        'the state was not installed, but the rollback is incomplete ("test:s" on cpu 1 may be half done)',
    );
    expect(log).toEqual(['startup(0)', 'startup(1)', 'startup(2)', 'teardown(1)', 'teardown(0)']);
    log.length = 0;
    cpu_down(m, 3); // the state is not installed: no callback runs
    expect(log).toEqual([]);
  });

  it('cpuhp_remove_state cannot fail half-way: every teardown runs and the state goes', () => {
    const m = new Machine({ cpus: 4 }).boot();
    const log: string[] = [];
    const id = cpuhp_setup_state(m, 'test:r', null, (_m, cpu) => {
      log.push(`teardown(${cpu})`);
      if (cpu === 1 || cpu === 2) throw new Error(`cpu${cpu} stuck`);
    });
    const err = caught(() => cpuhp_remove_state(m, id));
    expect(err).toBeInstanceOf(AggregateError);
    expect(err.message).toBe(
      'cpuhp_remove_state("test:r"): teardown failed on cpu 1: cpu1 stuck; cpu 2: cpu2 stuck; the state was removed anyway (removal cannot fail), and its teardown ran on every online CPU',
    );
    expect(log).toEqual(['teardown(0)', 'teardown(1)', 'teardown(2)', 'teardown(3)']);
    expect(() => cpuhp_remove_state(m, id)).toThrow(`cpuhp_remove_state: no hotplug state ${id} is installed`);
  });

  it('a PREPARE callback that throws with preemption or interrupts off leaves the caller as it was', () => {
    const m = new Machine({ cpus: 2 }).boot();
    cpuhp_setup_state_nocalls(m, 'test:p', (mm) => {
      preempt_disable(mm);
      local_irq_disable(mm);
      throw new Error('half way');
    }, null, { state: 'CPUHP_BP_PREPARE_DYN' });
    cpu_down(m, 1);
    expect(() => cpu_up(m, 1)).toThrow('cpu_up(cpu 1): startup of "test:p" failed: half way; cpu 1 stays offline');
    expect([preempt_count(m), irqs_disabled(m)]).toEqual([0, false]);
    expect(masks(m)).toBe('online=0 dying=1');
  });
});
