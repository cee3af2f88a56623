/**
 * Issue 10 item 19 (the parts outside the explorer CLI): no function hands out
 * the machine's live masks or definition list for writing — possible_cpus(),
 * online_cpus(), present_cpus() and cpu_dying_mask() return read-only views
 * that follow hotplug — and a schedule token whose CPU number is out of range
 * is refused instead of being rounded and echoed back as another CPU.
 */
import { describe, expect, it } from 'vitest';
import { DEFINE_PER_CPU } from '../src/define.js';
import { cpu_down, cpu_dying_mask, cpu_up } from '../src/kernel/hotplug.js';
import { Machine } from '../src/machine.js';
import { cpumask_iter, online_cpus, possible_cpus, present_cpus } from '../src/rust/index.js';
import { parseToken } from '../src/sched/scheduler.js';
import { getScenario, runSchedule } from '../src/index.js';

describe('masks are handed out read-only', () => {
  it.each([
    ['possible_cpus()', possible_cpus],
    ['present_cpus()', present_cpus],
    ['online_cpus()', online_cpus],
    ['cpu_dying_mask()', cpu_dying_mask],
  ] as const)('%s: a write through it is refused and changes nothing', (name, get) => {
    const m = new Machine({ cpus: 4 }).boot();
    cpu_down(m, 2);
    const before = `${m.possible}|${m.present}|${m.online}|${cpu_dying_mask(m)}`;
    const view = get(m) as unknown as { set(cpu: number): void; clear(cpu: number): void };
    const msg = `${name} is read-only (a const struct cpumask *): CPUs go online and offline through cpu_up()/cpu_down()`;
    expect(() => view.set(2)).toThrow(new TypeError(msg));
    expect(() => view.clear(0)).toThrow(new TypeError(msg));
    expect(`${m.possible}|${m.present}|${m.online}|${cpu_dying_mask(m)}`).toBe(before);
    expect(before).toBe('0-3|0-3|0-1,3|2');
  });

  it('a view follows hotplug and iterates like the mask', () => {
    const m = new Machine({ cpus: 4 }).boot();
    const online = online_cpus(m);
    const dying = cpu_dying_mask(m);
    expect([...cpumask_iter(online)]).toEqual([0, 1, 2, 3]);
    cpu_down(m, 1);
    expect([online.toString(), online.weight(), online.test(1), dying.toString()]).toEqual(['0,2-3', 3, false, '1']);
    cpu_up(m, 1);
    expect([...online]).toEqual([0, 1, 2, 3]);
    expect(online.toArray()).toEqual([0, 1, 2, 3]);
    expect(online_cpus(m)).toBe(online); // one view per mask
    expect(possible_cpus(m).nrCpuIds).toBe(4);
    expect(() => cpumask_iter(null as never)).toThrow('cpumask_iter: expected a Cpumask (possible_cpus(m), online_cpus(m), …), got null');
  });

  it('the linker\'s definition list is a copy of frozen entries', () => {
    const m = new Machine({ cpus: 2 });
    DEFINE_PER_CPU(m, 'u32', 'x', 5);
    const defs = m.linker.definitions() as unknown as object[];
    defs.pop();
    expect(() => {
      (defs[0] as { init: bigint }).init = 9n;
    }).toThrow(TypeError);
    expect(m.linker.definitions().map((d) => d.name)).toEqual(['this_cpu_off', 'cpu_number', 'x']);
  });
});

describe('schedule tokens with a CPU number out of range', () => {
  it.each([
    ['99999999999999999999', 'CPU 99999999999999999999'],
    ['8192', 'CPU 8192'],
    ['p99999999999999999999:T1', 'CPU 99999999999999999999'],
    ['mT1:100000', 'CPU 100000'],
    ['i8192:tick', 'CPU 8192'],
  ])('%s is refused, not echoed as another CPU', (tok, what) => {
    expect(() => parseToken(tok)).toThrow(new SyntaxError(`schedule: bad token '${tok}': ${what} is out of range (CPU ids are 0 to 8191)`));
  });

  it('runSchedule refuses it before running anything; in-range CPUs still parse', () => {
    const s = getScenario('rmw-ptr');
    expect(() => runSchedule(s, '0,99999999999999999999')).toThrow("schedule: bad token '99999999999999999999': CPU 99999999999999999999 is out of range (CPU ids are 0 to 8191)");
    expect(parseToken('8191')).toEqual({ kind: 'step', cpu: 8191 });
    expect(parseToken('007')).toEqual({ kind: 'step', cpu: 7 });
  });
});
