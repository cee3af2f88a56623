/**
 * The dependence relation itself, checked against the scheduler: whenever two
 * transitions enabled in a state have footprints that do not conflict (what
 * each touched when it ran there), they commute — each is still enabled after
 * the other, is the same transition there (the same frame or task, the same
 * footprint) and both orders reach the same state, budgets used included —
 * and a transition that becomes enabled only after another conflicts with it.
 * That is what makes a Mazurkiewicz trace a set of schedules with one outcome,
 * so the reductions' exploring one schedule per trace (explore-reduction.test)
 * covers every outcome. Checked on random walks of random programs (with
 * interrupts, preempt_disable, spinlocks, sleeping locks, stores into the other
 * CPU's copy, a task waiting on a busy CPU, migrations) and of the shipped
 * scenarios, and on the moves of a waiting task in counter-scale.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { prng } from '../src/explore/explorer.js';
import { counterScale, SCENARIOS } from '../src/explore/scenarios/index.js';
import { dependent } from '../src/explore/search.js';
import { Scheduler, parseToken, type Transition } from '../src/sched/scheduler.js';
import type { Touch } from '../src/sched/step.js';
import type { Scenario } from '../src/sched/task.js';
import { programArb, programScenario, waitingArb, type Op, type Program } from './support/random-scenario.js';

function replay(s: Scenario, bound: number, path: readonly string[]): Scheduler {
  const sch = new Scheduler(s.build(), bound, false);
  for (const tok of path) sch.apply(parseToken(tok), tok);
  return sch;
}

/** A footprint as a set (order and repeats do not matter). */
function set(ts: readonly Touch[]): string {
  return [...new Set(ts.map((t) => `${t.name}@${t.lo}-${t.hi}${t.write ? 'w' : 'r'}`))].sort().join(' ');
}

/** Everything a schedule's future depends on, and the budgets it used. */
function key(sch: Scheduler): string {
  return `${sch.stateKey()}#${sch.eventsUsed}/${sch.preemptions}/${sch.migrations}/${sch.interrupts}/${sch.softirqInjections}/${sch.nmiCount}#${sch.violation ?? ''}`;
}

interface Ran {
  readonly t: Transition;
  /** Who it lets run (agentOf()) where it was enabled. */
  readonly agent: string;
  /** What it touched when it ran there. */
  readonly touches: readonly Touch[];
  readonly stops: boolean;
}

/** Runs `tok` after `path`: what it touched, who ran, the state after; null when it is not enabled there. */
function run(s: Scenario, bound: number, path: readonly string[], tok: string): { ran: Ran; key: string; en: Transition[] } | null {
  const sch = replay(s, bound, path);
  const t = sch.enabled().find((x) => x.token === tok);
  if (t === undefined) {
    sch.m.retire();
    return null;
  }
  const agent = sch.agentOf(t.choice);
  sch.apply(t.choice, t.token);
  const out = { ran: { t, agent, touches: sch.touchesOf(t), stops: sch.violation !== null }, key: key(sch), en: sch.finished ? [] : sch.enabled() };
  sch.m.retire();
  return out;
}

/** Checks every pair of transitions enabled after `path`; returns what failed (empty: nothing). */
function checkState(s: Scenario, bound: number, path: readonly string[]): string[] {
  const bad: string[] = [];
  const base = replay(s, bound, path);
  const en = base.violation !== null || base.finished ? [] : base.enabled();
  base.m.retire();
  const after = new Map<string, NonNullable<ReturnType<typeof run>>>();
  for (const t of en) after.set(t.token, run(s, bound, path, t.token)!);
  const at = `after ${path.join(',') || '(start)'}`;
  for (const a of en) {
    const ra = after.get(a.token)!;
    if (ra.ran.stops) continue; // a stopping transition conflicts with everything (the search's stop rule)
    // A transition enabled only once `a` ran conflicts with `a` in that order.
    for (const b of ra.en) {
      if (en.some((x) => x.token === b.token)) continue;
      const rb = run(s, bound, [...path, a.token], b.token)!;
      if (!dependent({ token: a.token, touches: ra.ran.touches }, { token: b.token, touches: rb.ran.touches })) {
        bad.push(`${at}: ${a.token} enables ${b.token}, but their footprints do not conflict (${set(ra.ran.touches)} | ${set(rb.ran.touches)})`);
      }
    }
    for (const b of en) {
      if (b.token <= a.token) continue;
      const rb = after.get(b.token)!;
      if (rb.ran.stops || dependent({ token: a.token, touches: ra.ran.touches }, { token: b.token, touches: rb.ran.touches })) continue;
      // Independent: both orders, the same transitions, the same state.
      const ab = run(s, bound, [...path, a.token], b.token);
      const ba = run(s, bound, [...path, b.token], a.token);
      const pair = `${at}: ${a.token} and ${b.token} (${set(ra.ran.touches)} | ${set(rb.ran.touches)})`;
      if (ab === null || ba === null) {
        bad.push(`${pair} are independent, but one disables the other`);
        continue;
      }
      if (ab.ran.agent !== rb.ran.agent || ba.ran.agent !== ra.ran.agent) bad.push(`${pair}: one changes who the other runs`);
      if (set(ab.ran.touches) !== set(rb.ran.touches) || set(ba.ran.touches) !== set(ra.ran.touches)) {
        bad.push(`${pair}: one changes the other's footprint (${set(ab.ran.touches)}; ${set(ba.ran.touches)})`);
      }
      if (ab.key !== ba.key) bad.push(`${pair}: the two orders reach different states\n  ${ab.key}\n  ${ba.key}`);
    }
  }
  return bad;
}

/** Random walks from the start, every pair checked at every state on the way. */
function walks(s: Scenario, bound: number, n: number, seed: number, maxDepth = Infinity): string[] {
  const bad: string[] = [];
  for (let w = 0; w < n; w++) {
    const rnd = prng(seed + w);
    const path: string[] = [];
    for (;;) {
      bad.push(...checkState(s, bound, path));
      const sch = replay(s, bound, path);
      const en = sch.violation !== null || sch.finished ? [] : sch.enabled();
      sch.m.retire();
      if (en.length === 0 || path.length >= maxDepth) break;
      path.push(en[Math.floor(rnd() * en.length)]!.token);
    }
  }
  return bad;
}

/** Every state of the naive tree (once each, by state key), every pair checked in each. */
function everyState(s: Scenario, bound: number): { states: number; bad: string[] } {
  const bad: string[] = [];
  const seen = new Set<string>();
  const todo: string[][] = [[]];
  while (todo.length > 0) {
    const path = todo.pop()!;
    const sch = replay(s, bound, path);
    const k = key(sch);
    const en = sch.violation !== null || sch.finished ? [] : sch.enabled();
    sch.m.retire();
    if (seen.has(k)) continue;
    seen.add(k);
    bad.push(...checkState(s, bound, path));
    for (const t of en) todo.push([...path, t.token]);
  }
  return { states: seen.size, bad };
}

const op = (kind: Op['kind'], v = 0): Op => (kind === 'remote' ? { kind, v, cpu: 1 } : { kind, v });
/** A task of its own, with nothing else shared. */
function program(tasks: [number, Op[]][], bound: number): Program {
  return { tasks: tasks.map(([cpu, ops]) => ({ cpu, ops })), irq: null, irqCpus: null, stopAt: null, bound, localStart: true };
}

describe('independent transitions commute (the dependence relation is an independence relation of the scheduler)', () => {
  it('random programs: interrupts, preempt_disable, spinlocks, sleeping locks, stores into the other CPU\'s copy, migrations', () => {
    fc.assert(fc.property(programArb, fc.nat(1000), (p, seed) => {
      const bad = walks(programScenario(p), p.bound, 2, seed);
      if (bad.length > 0) throw new Error(bad.slice(0, 3).join('\n'));
      return true;
    }), { numRuns: 40, seed: 5 });
  });

  it('random programs with a task waiting on a busy CPU: moved before it runs, into a busy or an idle CPU', () => {
    fc.assert(fc.property(waitingArb, fc.nat(1000), (p, seed) => {
      const bad = walks(programScenario(p), p.bound, 2, seed);
      if (bad.length > 0) throw new Error(bad.slice(0, 3).join('\n'));
      return true;
    }), { numRuns: 40, seed: 9 });
  });

  it('every state: a task blocks on a sleeping lock while another waits on its CPU, and is woken onto a busy CPU', () => {
    // T1 and T2 on cpu0 (T2 waits), T3 on cpu1; T1 and T3 take the sleeping lock S.
    const p = program([[0, [op('sleep-locked')]], [0, [op('inc', 1)]], [1, [op('sleep-locked', 2)]]], 1);
    const r = everyState(programScenario(p), 1);
    expect(r.bad).toEqual([]);
    expect(r.states).toBeGreaterThan(100);
  });

  it('every state: migrations between a read and its store through this_cpu_ptr(), and stores into the other CPU\'s copy', () => {
    const p = program([[0, [op('rmw')]], [0, [op('remote')]], [1, [op('locked', 0)]]], 2);
    const r = everyState(programScenario(p), 2);
    expect(r.bad).toEqual([]);
    expect(r.states).toBeGreaterThan(100);
  });

  it.each(SCENARIOS.map((s) => [s.name, s] as const))('%s: random walks', (_n, s) => {
    expect(walks(s, s.bound ?? 2, 2, 1)).toEqual([]);
  });

  it('counter-scale: moving the waiting T3 commutes with the running tasks\' steps, and not with a step that ends a task', () => {
    // T1 and T2 run their first instructions, T3 waits on cpu0.
    const sch = replay(counterScale, 2, ['0', '1']);
    const move = sch.enabled().find((t) => t.token === 'mT3:1')!;
    expect(set(move.touches)).toBe('sched:bound@-1--1w sched:rq:0@-1--1w sched:rq:1@-1--1w');
    const step0 = sch.enabled().find((t) => t.token === '0')!;
    expect(dependent(move, { token: '0', touches: step0.touches })).toBe(false);
    sch.m.retire();
    expect(checkState(counterScale, 2, ['0', '1'])).toEqual([]);
    // T2's last instruction ends it: the move of T3 to cpu1 (T3 then runs there, or waits behind T2) conflicts with it.
    const full = replay(counterScale, 0, []);
    const toks: string[] = [];
    while (!full.finished && full.cpus[1]!.current?.name === 'T2') {
      const t = full.enabled().find((x) => x.token === '1')!;
      full.apply(t.choice, t.token);
      toks.push('1');
      if (full.cpus[1]!.current === null) {
        expect(set(full.touchesOf(t))).toContain('sched:rq:1');
        break;
      }
    }
    full.m.retire();
    const last = toks.length - 1;
    expect(checkState(counterScale, 2, ['0', ...toks.slice(0, last)])).toEqual([]);
  });
});
