import { describe, expect, it } from 'vitest';
import { per_cpu_ptr } from '../src/accessors.js';
import { DEFINE_PER_CPU } from '../src/define.js';
import { KernelBugError, MachineStateError } from '../src/errors.js';
import {
  cpu_down, cpu_dying, cpu_online, cpu_up, cpuhp_remove_state, cpuhp_remove_state_nocalls, cpuhp_setup_state,
  cpuhp_setup_state_nocalls,
} from '../src/kernel/hotplug.js';
import { Machine } from '../src/machine.js';
import { alloc_percpu } from '../src/mm/percpu-alloc.js';
import { preempt_disable, preempt_enable } from '../src/kernel/preempt.js';
import { for_each_online_cpu, for_each_possible_cpu, num_online_cpus, per_cpu, smp_processor_id } from '../src/kernel/smp.js';
import { this_cpu_read_4 } from '../generated/x86_64/percpu.js';

function boot(cpus = 4): Machine {
  return new Machine({ cpus }).boot();
}

/** Records who ran each callback: on which CPU, in which context, with which CPUs online. */
function recorder(m: Machine, log: string[], name: string) {
  const at = (what: string) => (mm: Machine, cpu: number): void => {
    log.push(`${name}:${what}(${cpu}) on cpu ${mm.cpu} as ${mm.ctx.comm} online=${mm.online}`);
  };
  return { startup: at('startup'), teardown: at('teardown') };
}

describe('masks and iterators', () => {
  it('possible/present/online start full; the iterators follow the online mask', () => {
    const m = boot();
    expect([...for_each_possible_cpu(m)]).toEqual([0, 1, 2, 3]);
    cpu_down(m, 1);
    cpu_down(m, 3);
    expect(`${m.possible}|${m.present}|${m.online}`).toBe('0-3|0-3|0,2');
    expect([...for_each_online_cpu(m)]).toEqual([0, 2]);
    expect([...for_each_possible_cpu(m)]).toEqual([0, 1, 2, 3]);
    expect(num_online_cpus(m)).toBe(2);
    expect(cpu_online(m, 1)).toBe(false);
    expect(cpu_dying(m, 1)).toBe(true);
    cpu_up(m, 3);
    expect(String(m.online)).toBe('0,2-3');
    expect(cpu_dying(m, 3)).toBe(false);
  });
});

describe('callbacks', () => {
  it('setup runs startup on every online CPU in its cpuhp thread; nocalls does not', () => {
    const m = boot();
    cpu_down(m, 2);
    const log: string[] = [];
    const r = recorder(m, log, 'a');
    cpuhp_setup_state(m, 'test:a', r.startup, r.teardown);
    cpuhp_setup_state_nocalls(m, 'test:b', recorder(m, log, 'b').startup, null);
    expect(log).toEqual([
      'a:startup(0) on cpu 0 as cpuhp/0 online=0-1,3',
      'a:startup(1) on cpu 1 as cpuhp/1 online=0-1,3',
      'a:startup(3) on cpu 3 as cpuhp/3 online=0-1,3',
    ]);
    expect(m.cpu).toBe(0);
    expect(m.ctx.comm).toBe('init');
  });

  it('down: ONLINE teardowns on the dying CPU (still online) in reverse, then DEAD teardowns on the control CPU', () => {
    const m = boot();
    const log: string[] = [];
    const a = recorder(m, log, 'a');
    const b = recorder(m, log, 'b');
    const d = recorder(m, log, 'dead');
    cpuhp_setup_state_nocalls(m, 'test:a', a.startup, a.teardown);
    cpuhp_setup_state_nocalls(m, 'test:b', b.startup, b.teardown);
    cpuhp_setup_state_nocalls(m, 'test:dead', d.startup, d.teardown, { state: 'CPUHP_BP_PREPARE_DYN' });
    m.migrate(1);
    cpu_down(m, 2);
    expect(log).toEqual([
      'b:teardown(2) on cpu 2 as cpuhp/2 online=0-3',
      'a:teardown(2) on cpu 2 as cpuhp/2 online=0-3',
      'dead:teardown(2) on cpu 1 as init online=0-1,3',
    ]);
    log.length = 0;
    cpu_up(m, 2);
    expect(log).toEqual([
      'dead:startup(2) on cpu 1 as init online=0-1,3',
      'a:startup(2) on cpu 2 as cpuhp/2 online=0-3',
      'b:startup(2) on cpu 2 as cpuhp/2 online=0-3',
    ]);
  });

  it('smp_processor_id() is legal inside ONLINE callbacks: the cpuhp thread is a per-CPU thread', () => {
    const m = boot();
    const seen: number[] = [];
    cpuhp_setup_state(m, 'test:id', (mm) => { seen.push(smp_processor_id(mm)); }, (mm) => { seen.push(-smp_processor_id(mm)); });
    cpu_down(m, 3);
    expect(seen).toEqual([0, 1, 2, 3, -3]);
  });

  it('remove_state runs teardown on every online CPU; the nocalls variant does not', () => {
    const m = boot(3);
    const log: string[] = [];
    const r = recorder(m, log, 'x');
    const id = cpuhp_setup_state_nocalls(m, 'test:x', null, r.teardown);
    const id2 = cpuhp_setup_state_nocalls(m, 'test:y', null, r.teardown);
    cpuhp_remove_state(m, id);
    cpuhp_remove_state_nocalls(m, id2);
    expect(log).toEqual([
      'x:teardown(0) on cpu 0 as cpuhp/0 online=0-2',
      'x:teardown(1) on cpu 1 as cpuhp/1 online=0-2',
      'x:teardown(2) on cpu 2 as cpuhp/2 online=0-2',
    ]);
    expect(() => cpuhp_remove_state(m, id)).toThrow(new MachineStateError(`cpuhp_remove_state: no hotplug state ${id} is installed`));
  });

  it('a failing startup rolls back and leaves the CPU offline; a failing teardown leaves it online', () => {
    const m = boot();
    const log: string[] = [];
    const ok = recorder(m, log, 'ok');
    let fail = false;
    cpuhp_setup_state_nocalls(m, 'test:ok', ok.startup, ok.teardown);
    cpuhp_setup_state_nocalls(m, 'test:flaky', () => { if (fail) throw new Error('no memory'); }, () => { if (fail) throw new Error('busy'); });
    cpu_down(m, 3);
    fail = true;
    log.length = 0;
    expect(() => cpu_up(m, 3)).toThrow(new MachineStateError('cpu_up(cpu 3): startup of "test:flaky" failed: no memory; cpu 3 stays offline'));
    expect(log).toEqual(['ok:startup(3) on cpu 3 as cpuhp/3 online=0-3', 'ok:teardown(3) on cpu 3 as cpuhp/3 online=0-3']);
    expect(String(m.online)).toBe('0-2');
    expect(cpu_dying(m, 3)).toBe(true);
    log.length = 0;
    expect(() => cpu_down(m, 2)).toThrow(new MachineStateError('cpu_down(cpu 2): teardown of "test:flaky" failed: busy; cpu 2 stays online'));
    expect(log).toEqual([]);
    expect(String(m.online)).toBe('0-2');
    expect(cpu_dying(m, 2)).toBe(false);
  });

  it('a failing DEAD teardown is reported after the CPU is gone', () => {
    const m = boot();
    cpuhp_setup_state_nocalls(m, 'test:dead', null, () => { throw new Error('leak'); }, { state: 'CPUHP_BP_PREPARE_DYN' });
    expect(() => cpu_down(m, 1)).toThrow(new KernelBugError('WARNING: DEAD callback error for CPU1: "test:dead": leak (cpu 1 is offline)'));
    expect(String(m.online)).toBe('0,2-3');
  });

  it('hotplug cannot nest inside a callback', () => {
    const m = boot();
    cpuhp_setup_state_nocalls(m, 'test:nest', null, (mm) => cpu_down(mm, 3));
    expect(() => cpu_down(m, 1)).toThrow(
      'cpu_down(cpu 1): teardown of "test:nest" failed: cpu_down(cpu 3): CPU hotplug is already in progress (cpu_down(cpu 1)); hotplug operations cannot nest inside a hotplug callback; cpu 1 stays online',
    );
    expect(String(m.online)).toBe('0-3');
  });

  it('bad registrations are TypeErrors', () => {
    const m = boot();
    expect(() => cpuhp_setup_state(m, '', null, null)).toThrow(new TypeError('cpuhp_setup_state: name must be a non-empty string like "subsys:online", got ""'));
    expect(() => cpuhp_setup_state(m, 'x', 5 as never, null)).toThrow(new TypeError('cpuhp_setup_state: startup must be a function (m, cpu) => void or null, got 5'));
    expect(() => cpuhp_setup_state(m, 'x', null, null, { state: 'CPUHP_OFFLINE' as never })).toThrow(/state must be 'CPUHP_AP_ONLINE_DYN' or 'CPUHP_BP_PREPARE_DYN'/);
  });
});

describe('refusals', () => {
  it('CPU 0 on x86-64, offline/online CPUs, invalid CPUs', () => {
    const m = boot(2);
    expect(() => cpu_down(m, 0)).toThrow(new MachineStateError('cpu_down: cpu 0 is the boot CPU and cannot be taken offline on x86_64 (Linux removed CPU0 hotplug in v6.5)'));
    cpu_down(m, 1);
    expect(() => cpu_down(m, 1)).toThrow(new MachineStateError('cpu_down: cpu 1 is already offline'));
    expect(() => cpu_up(m, 0)).toThrow(new MachineStateError('cpu_up: cpu 0 is already online'));
    expect(() => cpu_up(m, 2)).toThrow(new RangeError('cpu_up: invalid CPU 2: this machine has CPUs 0-1'));
    expect(() => m.runOn(1, () => 0)).toThrow('runOn: cpu 1 is offline');
    expect(() => m.migrate(1)).toThrow('migrate: cpu 1 is offline');
  });

  it('the CPU the running context is pinned to cannot go down', () => {
    const m = boot();
    m.migrate(2);
    preempt_disable(m);
    expect(() => cpu_down(m, 2)).toThrow(new MachineStateError(
      'cpu_down(cpu 2) refused: the running context init/1 cannot leave cpu 2: preemption is disabled on cpu 2 (preempt_count 1); end that first (preempt_enable/local_irq_restore) or call cpu_down() from another CPU',
    ));
    expect(() => cpu_down(m, 3)).toThrow(new MachineStateError(
      'cpu_down(cpu 3): BUG: sleeping function called from invalid context: preemption is disabled on cpu 2 (preempt_count 1); CPU hotplug sleeps, call it from preemptible task context',
    ));
    preempt_enable(m);
    m.ctx.pinned = true;
    expect(() => cpu_down(m, 2)).toThrow(/the running context init\/1 cannot leave cpu 2: init\/1 is a per-CPU thread bound to cpu 2/);
    expect(String(m.online)).toBe('0-3');
    m.ctx.pinned = false;
    // A preemptible task is migrated off the dying CPU, as the scheduler would.
    cpu_down(m, 2);
    expect(m.cpu).toBe(0);
    expect(String(m.online)).toBe('0-1,3');
  });
});

describe('a dead CPU keeps its per-CPU memory', () => {
  it('static and dynamic copies survive down and up', () => {
    const m = new Machine({ cpus: 4 });
    const x = DEFINE_PER_CPU(m, 'u32', 'x', 7);
    m.boot();
    const p = alloc_percpu(m, 'u32')!;
    m.store(per_cpu_ptr(m, p, 2), 'u32', 99);
    cpu_down(m, 2);
    expect(per_cpu(m, x, 2)).toBe(7);
    expect(m.load(per_cpu_ptr(m, p, 2), 'u32')).toBe(99);
    cpu_up(m, 2);
    expect(m.runOn(2, () => this_cpu_read_4(m, p))).toBe(99);
    expect(m.runOn(2, () => this_cpu_read_4(m, x))).toBe(7);
  });
});
